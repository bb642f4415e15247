using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;

namespace GitIntegration.Tests;

/// <summary>
/// The compiled module, read with MetadataLoadContext: attributes and types are inspected without running
/// PowerShell (whose reference assembly here has no method bodies).
/// </summary>
public sealed class ModuleUnderTest : IDisposable
{
    internal static string Meta(string key) =>
        typeof(ModuleUnderTest)
            .Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key)
            .Value!;

    public static string RepoRoot => Path.GetFullPath(Meta("RepoRoot"));
    public static string ModuleBin => Path.GetFullPath(Meta("ModuleBin"));

    public MetadataLoadContext Context { get; }
    public Assembly Module { get; }
    public Assembly Sma { get; }
    public XDocument Docs { get; }

    public ModuleUnderTest()
    {
        var paths = Directory
            .GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(ModuleBin, "*.dll"))
            .Append(Meta("SmaPath"))
            .GroupBy(Path.GetFileName)
            .Select(g => g.Last());
        Context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Runtime");
        Module = Context.LoadFromAssemblyPath(Path.Combine(ModuleBin, "GitIntegration.dll"));
        Sma = Context.LoadFromAssemblyPath(Meta("SmaPath"));
        Docs = XDocument.Load(Path.Combine(ModuleBin, "GitIntegration.xml"));
    }

    public IEnumerable<Type> Cmdlets =>
        Module.GetExportedTypes().Where(t => !t.IsAbstract && IsCmdlet(t)).OrderBy(t => t.Name);

    private bool IsCmdlet(Type t)
    {
        for (var b = t.BaseType; b != null; b = b.BaseType)
            if (b.FullName == "System.Management.Automation.Cmdlet")
                return true;
        return false;
    }

    public static CustomAttributeData? Attr(MemberInfo m, string name) =>
        m.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == name);

    public static IEnumerable<CustomAttributeData> Attrs(MemberInfo m, string name) =>
        m.GetCustomAttributesData().Where(a => a.AttributeType.Name == name);

    public static T? Named<T>(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => (T?)n.TypedValue.Value).FirstOrDefault();

    public static (string Verb, string Noun) Name(Type cmdlet)
    {
        var a = Attr(cmdlet, "CmdletAttribute")!;
        return ((string)a.ConstructorArguments[0].Value!, (string)a.ConstructorArguments[1].Value!);
    }

    public static string CommandName(Type cmdlet)
    {
        var (v, n) = Name(cmdlet);
        return $"{v}-{n}";
    }

    public static IEnumerable<PropertyInfo> Parameters(Type cmdlet) =>
        cmdlet
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => Attrs(p, "ParameterAttribute").Any());

    public XElement? Doc(string memberId) =>
        Docs.Descendants("member").FirstOrDefault(m => (string?)m.Attribute("name") == memberId);

    public void Dispose() => Context.Dispose();
}
