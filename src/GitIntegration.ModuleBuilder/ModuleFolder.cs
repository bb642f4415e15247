using System.Text.RegularExpressions;

namespace GitIntegration.ModuleBuilder;

/// <summary>
/// Assembles the importable module folder from the build output:
/// root = manifest, the initializer and cmdlet assemblies, formats, LICENSE, en-US help (MAML generated here);
/// Dependencies/ = GitIntegration.Core, the loader and every third-party assembly (see ModuleInitializer).
/// </summary>
public static class ModuleFolder
{
    public const string Name = "GitIntegration";
    public const string DependencyFolder = "Dependencies";
    public const string AboutTopic = "about_GitIntegration";

    /// <summary>The nested module that makes Dependencies/ resolvable before PowerShell loads the cmdlets.</summary>
    public const string Initializer = Name + ".Init";

    /// <summary>Assemblies that stay at the root: the only ones PowerShell loads by itself.</summary>
    private static readonly HashSet<string> Root = new(StringComparer.OrdinalIgnoreCase)
    {
        Name + ".dll",
        Initializer + ".dll",
    };

    /// <summary>PowerShell provides it; shipping the reference copy would break loading.</summary>
    private static bool IsPowerShell(string file) =>
        Path.GetFileName(file).StartsWith("System.Management.Automation", StringComparison.OrdinalIgnoreCase);

    public static string ModuleBin(string repoRoot, string configuration) =>
        Path.Combine(repoRoot, "src", Name, "bin", configuration, "netstandard2.0");

    public static string InitializerBin(string repoRoot, string configuration) =>
        Path.Combine(repoRoot, "src", Initializer, "bin", configuration, "netstandard2.0");

    public static string LoaderBin(string repoRoot, string configuration) =>
        Path.Combine(repoRoot, "src", Name + ".Loader", "bin", configuration, "net8.0");

    /// <summary>The version, defined once: VersionPrefix in Directory.Build.props.</summary>
    public static string Version(string repoRoot)
    {
        var props = File.ReadAllText(Path.Combine(repoRoot, "Directory.Build.props"));
        var version = Regex.Match(props, "<VersionPrefix>(.*?)</VersionPrefix>").Groups[1].Value.Trim();
        return version.Length > 0
            ? version
            : throw new InvalidDataException("Directory.Build.props defines no VersionPrefix.");
    }

    /// <summary>
    /// Builds <paramref name="destination"/> afresh from the compiled projects under <paramref name="repoRoot"/>.
    /// </summary>
    public static string Assemble(string repoRoot, string configuration, string destination)
    {
        var bin = ModuleBin(repoRoot, configuration);
        var loader = Path.Combine(LoaderBin(repoRoot, configuration), Name + ".Loader.dll");
        var initializer = Path.Combine(InitializerBin(repoRoot, configuration), Initializer + ".dll");
        foreach (var f in new[] { Path.Combine(bin, Name + ".dll"), loader, initializer })
            if (!File.Exists(f))
                throw new FileNotFoundException($"'{f}' is missing: build the solution ({configuration}) first.", f);

        if (Directory.Exists(destination))
            Directory.Delete(destination, recursive: true);
        var deps = Directory.CreateDirectory(Path.Combine(destination, DependencyFolder)).FullName;
        foreach (var dll in Directory.GetFiles(bin, "*.dll").Where(f => !IsPowerShell(f)))
            File.Copy(
                dll,
                Path.Combine(Root.Contains(Path.GetFileName(dll)) ? destination : deps, Path.GetFileName(dll))
            );
        File.Copy(loader, Path.Combine(deps, Path.GetFileName(loader)));
        File.Copy(initializer, Path.Combine(destination, Path.GetFileName(initializer)));

        CopyTree(Path.Combine(repoRoot, "module"), destination);
        File.Copy(Path.Combine(repoRoot, "LICENSE"), Path.Combine(destination, "LICENSE"));
        var manifest = File.ReadAllText(Path.Combine(repoRoot, Name + ".psd1"));
        manifest = Regex.Replace(
            manifest,
            @"(ModuleVersion\s*=\s*)'[^']*'",
            m => $"{m.Groups[1].Value}'{Version(repoRoot)}'"
        );
        File.WriteAllText(Path.Combine(destination, Name + ".psd1"), manifest);

        var help = Directory.CreateDirectory(Path.Combine(destination, "en-US")).FullName;
        MamlWriter.Write(CmdletMetadata.Read(bin), AboutTopic).Save(Path.Combine(help, Name + ".dll-Help.xml"));
        return destination;
    }

    internal static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
