using GitIntegration.ModuleBuilder;

namespace GitIntegration.Tests;

/// <summary>
/// The module folder exactly as build.ps1 assembles it (same code), built once per test run in a temporary folder.
/// </summary>
public static class BuiltModule
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("gitintegration-module-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, true);
            }
            catch (IOException) { }
        };
        return ModuleFolder.Assemble(
            ModuleUnderTest.RepoRoot,
            Configuration,
            System.IO.Path.Combine(root, ModuleFolder.Name)
        );
    });

    public static string Configuration => ModuleUnderTest.Meta("Configuration");

    /// <summary>out/GitIntegration's stand-in: GitIntegration.psd1 at its root.</summary>
    public static string Path => Folder.Value;

    public static string Dependencies => System.IO.Path.Combine(Path, ModuleFolder.DependencyFolder);

    public static string Version => ModuleFolder.Version(ModuleUnderTest.RepoRoot);
}
