using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace GitIntegration;

/// <summary>
/// Dependency isolation. The module folder holds only this assembly and the cmdlets at its root;
/// GitIntegration.Core and every third-party assembly sit in Dependencies/, where neither PowerShell nor
/// .NET looks by themselves. The manifest imports this assembly as a nested module, so OnImport runs before
/// PowerShell loads the cmdlet types (which need Core). On PowerShell 7, GitIntegration.Core is loaded into
/// the module's own AssemblyLoadContext (see GitIntegration.Loader), which resolves Core's dependencies from
/// Dependencies/ only. On Windows PowerShell 5.1 (.NET Framework has a single context) an AssemblyResolve
/// handler loads what .NET cannot find from Dependencies/.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string Dependencies = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".",
        "Dependencies"
    );

    private static bool IsNetFramework =>
        RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>Runs when Import-Module loads the assembly, before any cmdlet runs.</summary>
    public void OnImport()
    {
        // A flat folder (the build output itself) needs no help: .NET finds everything beside this assembly.
        if (!Directory.Exists(Dependencies))
            return;
        if (IsNetFramework)
        {
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencies;
            AppDomain.CurrentDomain.AssemblyResolve += ResolveFromDependencies;
        }
        else
            LoaderMethod("Register").Invoke(null, new object[] { Dependencies });
    }

    /// <summary>Runs on Remove-Module.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        if (!Directory.Exists(Dependencies))
            return;
        if (IsNetFramework)
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveFromDependencies;
        else
            LoaderMethod("Unregister").Invoke(null, null);
    }

    private static MethodInfo LoaderMethod(string name) =>
        Assembly
            .LoadFrom(Path.Combine(Dependencies, "GitIntegration.Loader.dll"))
            .GetType("GitIntegration.Loader.ModuleLoader", throwOnError: true)!
            .GetMethod(name)
        ?? throw new MissingMethodException("GitIntegration.Loader.ModuleLoader", name);

    private static Assembly? ResolveFromDependencies(object? sender, ResolveEventArgs args)
    {
        var path = Path.Combine(Dependencies, new AssemblyName(args.Name).Name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
