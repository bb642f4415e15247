using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace GitIntegration.ModuleBuilder;

/// <summary>How one parameter takes part in one parameter set.</summary>
public sealed record ParameterUse(string Set, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName);

/// <summary>A cmdlet parameter as PowerShell binds it, with its help text.</summary>
public sealed record CmdletParameter(
    string Name,
    string TypeName,
    string FullTypeName,
    bool IsSwitch,
    bool IsArray,
    IReadOnlyList<string> Aliases,
    bool Wildcards,
    IReadOnlyList<string> AcceptedValues,
    IReadOnlyList<ParameterUse> Uses,
    string Description
);

/// <summary>An example from the doc comments.</summary>
public sealed record CmdletExample(string Code, string Remarks);

/// <summary>A cmdlet as the compiled assembly and its XML doc file describe it.</summary>
public sealed record CmdletHelp(
    string Verb,
    string Noun,
    string Synopsis,
    string Description,
    string? DefaultSet,
    bool SupportsShouldProcess,
    IReadOnlyList<CmdletParameter> Parameters,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<CmdletExample> Examples
)
{
    public string Name => $"{Verb}-{Noun}";

    /// <summary>
    /// The parameter sets, the default one first; a cmdlet without named sets has one. A default set that no parameter
    /// names is a set of its own, as PowerShell binds it: the parameters common to all sets (Convert-GitSshKey without
    /// -NewPassphrase or -RemovePassphrase).
    /// </summary>
    public IReadOnlyList<string> Sets
    {
        get
        {
            var named = Parameters
                .SelectMany(p => p.Uses)
                .Select(u => u.Set)
                .Where(s => s != CmdletMetadata.AllSets)
                .Concat(DefaultSet != null ? new[] { DefaultSet } : Array.Empty<string>())
                .Distinct()
                .ToList();
            if (named.Count == 0)
                return new[] { CmdletMetadata.AllSets };
            return named.OrderBy(s => s == DefaultSet ? 0 : 1).ThenBy(s => s, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The parameters of one set, with how each is used there.</summary>
    public IEnumerable<(CmdletParameter Parameter, ParameterUse Use)> In(string set) =>
        Parameters
            .Select(p =>
                (
                    p,
                    p.Uses.FirstOrDefault(u => u.Set == set)
                        ?? p.Uses.FirstOrDefault(u => u.Set == CmdletMetadata.AllSets)
                )
            )
            .Where(x => x.Item2 != null)
            .Select(x => (x.p, x.Item2!))
            .OrderBy(x => x.Item2.Position ?? int.MaxValue)
            .ThenBy(x => x.Item2.Mandatory ? 0 : 1);
}

/// <summary>
/// Reads the cmdlets of the compiled module with MetadataLoadContext (no PowerShell needed, nothing executed)
/// and their help from the XML doc comments: the one source of the MAML help.
/// </summary>
public static class CmdletMetadata
{
    public const string AllSets = "__AllParameterSets";

    /// <summary>Every cmdlet in <paramref name="moduleBin"/>/GitIntegration.dll, by name.</summary>
    public static IReadOnlyList<CmdletHelp> Read(string moduleBin, string assemblyName = "GitIntegration")
    {
        var paths = Directory
            .GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(moduleBin, "*.dll"))
            .GroupBy(Path.GetFileName)
            .Select(g => g.Last());
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Runtime");
        var module = context.LoadFromAssemblyPath(Path.Combine(moduleBin, assemblyName + ".dll"));
        var docs = XDocument.Load(Path.Combine(moduleBin, assemblyName + ".xml"));
        var members = docs.Descendants("member").ToDictionary(m => (string)m.Attribute("name")!);
        return module
            .GetExportedTypes()
            .Where(t => !t.IsAbstract && Attr(t, "CmdletAttribute") != null)
            .Select(t => Describe(t, members))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static CmdletHelp Describe(Type t, Dictionary<string, XElement> members)
    {
        var cmdlet = Attr(t, "CmdletAttribute")!;
        var doc = members.GetValueOrDefault("T:" + t.FullName) ?? new XElement("member");
        var parameters = t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => Attrs(p, "ParameterAttribute").Any())
            .Select(p => Parameter(p, members.GetValueOrDefault($"P:{p.DeclaringType!.FullName}.{p.Name}")))
            .ToList();
        var outputs = Attrs(t, "OutputTypeAttribute")
            .SelectMany(a =>
                a.ConstructorArguments.Where(c => c.Value is IEnumerable<CustomAttributeTypedArgument>)
                    .SelectMany(c => (IEnumerable<CustomAttributeTypedArgument>)c.Value!)
            )
            .Select(v => v.Value is Type ot ? ot.FullName! : (string)v.Value!)
            .Distinct()
            .ToList();
        return new CmdletHelp(
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            Para(doc, "synopsis"),
            Paras(doc, "description"),
            Named<string>(cmdlet, "DefaultParameterSetName"),
            Named<bool>(cmdlet, "SupportsShouldProcess"),
            parameters,
            outputs,
            doc.Elements("example")
                .Select(e => new CmdletExample(Code((string?)e.Element("code") ?? ""), Text(e.Element("para"))))
                .ToList()
        );
    }

    private static CmdletParameter Parameter(PropertyInfo p, XElement? doc)
    {
        var type = Unwrap(p.PropertyType);
        var element = type.IsArray ? type.GetElementType()! : type;
        var uses = Attrs(p, "ParameterAttribute")
            .Select(a => new ParameterUse(
                Named<string>(a, "ParameterSetName") ?? AllSets,
                Named<bool>(a, "Mandatory"),
                Named<int?>(a, "Position") is int pos && pos >= 0 ? pos : null,
                Named<bool>(a, "ValueFromPipeline"),
                Named<bool>(a, "ValueFromPipelineByPropertyName")
            ))
            .ToList();
        var aliases = Attrs(p, "AliasAttribute").SelectMany(StringArgs).ToList();
        var accepted = Attrs(p, "ValidateSetAttribute").SelectMany(StringArgs).ToList();
        if (accepted.Count == 0 && element.IsEnum)
            accepted = element.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList();
        return new CmdletParameter(
            p.Name,
            type.Name,
            type.FullName ?? type.Name,
            type.Name == "SwitchParameter",
            type.IsArray,
            aliases,
            Attrs(p, "SupportsWildcardsAttribute").Any(),
            accepted,
            uses,
            doc == null ? "" : Text(doc.Descendants("para").FirstOrDefault() ?? doc.Element("summary"))
        );
    }

    /// <summary>
    /// Doc text as one paragraph: the line breaks and indentation of the comment are not the reader's.
    /// </summary>
    private static string Text(XElement? e) => e == null ? "" : Regex.Replace(e.Value, @"\s+", " ").Trim();

    private static string Para(XElement doc, string type) =>
        Text(doc.Descendants("para").FirstOrDefault(p => (string?)p.Attribute("type") == type));

    /// <summary>Every paragraph of that type, each as one line, with a blank line between them.</summary>
    private static string Paras(XElement doc, string type) =>
        string.Join("\n\n", doc.Descendants("para").Where(p => (string?)p.Attribute("type") == type).Select(Text));

    /// <summary>Example code keeps its lines, without the indentation the doc comment gave it.</summary>
    private static string Code(string code)
    {
        var lines = code.Replace("\r\n", "\n")
            .Split('\n')
            .SkipWhile(string.IsNullOrWhiteSpace)
            .Reverse()
            .SkipWhile(string.IsNullOrWhiteSpace)
            .Reverse()
            .ToList();
        var indent = lines
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Length - l.TrimStart().Length)
            .DefaultIfEmpty(0)
            .Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    /// <summary>
    /// int? is an int to the user. (Nullable.GetUnderlyingType compares with the runtime's Nullable, not the inspected
    /// one.)
    /// </summary>
    public static Type Unwrap(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition().FullName == "System.Nullable`1"
            ? t.GetGenericArguments()[0]
            : t;

    private static CustomAttributeData? Attr(MemberInfo m, string name) => Attrs(m, name).FirstOrDefault();

    private static IEnumerable<CustomAttributeData> Attrs(MemberInfo m, string name) =>
        m.GetCustomAttributesData().Where(a => a.AttributeType.Name == name);

    private static T? Named<T>(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => (T?)n.TypedValue.Value).FirstOrDefault();

    private static IEnumerable<string> StringArgs(CustomAttributeData a) =>
        a.ConstructorArguments.SelectMany(c =>
            c.Value is IEnumerable<CustomAttributeTypedArgument> values
                ? values.Select(v => (string)v.Value!)
                : new[] { (string)c.Value! }
        );
}
