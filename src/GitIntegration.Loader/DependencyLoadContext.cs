using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace GitIntegration.Loader;

/// <summary>
/// The module's own load context (Microsoft's "Resolving PowerShell module assembly dependency conflicts"):
/// GitIntegration.Core and everything it references load from the module's Dependencies folder, so the
/// BouncyCastle, YamlDotNet or System.Text.Json of other modules (Az, PowerCLI, Posh-SSH) never meet ours.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _directory;
    private readonly Dictionary<string, string> _platform;

    /// <summary>A context that loads from <paramref name="dependencyDirectory"/>.</summary>
    public DependencyLoadContext(string dependencyDirectory)
        : base("GitIntegration")
    {
        _directory = dependencyDirectory;
        _platform = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .GroupBy(Path.GetFileNameWithoutExtension, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key!, g => g.First(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Our copy when we ship one, unless the runtime (or PowerShell) itself has the same assembly at least
    /// as new: a second System.Memory or System.Text.Json would split types the runtime shares with us.
    /// Anything we do not ship (the BCL, netstandard) comes from the default context.
    /// </summary>
    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(_directory, name.Name + ".dll");
        if (!File.Exists(path))
            return null;
        if (
            _platform.TryGetValue(name.Name!, out var platform)
            && AssemblyName.GetAssemblyName(platform).Version >= AssemblyName.GetAssemblyName(path).Version
        )
            return null;
        return LoadFromAssemblyPath(path);
    }
}

/// <summary>What the module initializer calls (by reflection, on PowerShell 7 only).</summary>
public static class ModuleLoader
{
    /// <summary>
    /// The assembly through which the cmdlets reach every dependency; the only name we resolve in the default context.
    /// </summary>
    public const string EntryAssembly = "GitIntegration.Core";

    private static readonly object Gate = new();
    private static DependencyLoadContext? s_context;

    /// <summary>The module's context, created once per process (a re-import finds Core already bound).</summary>
    public static DependencyLoadContext Context(string dependencyDirectory)
    {
        lock (Gate)
            return s_context ??= new DependencyLoadContext(dependencyDirectory);
    }

    /// <summary>
    /// Resolves GitIntegration.Core for the default context (where PowerShell loaded the cmdlets) from our own context.
    /// </summary>
    public static void Register(string dependencyDirectory)
    {
        Context(dependencyDirectory);
        AssemblyLoadContext.Default.Resolving -= Resolve;
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    /// <summary>Undoes <see cref="Register"/> (Remove-Module).</summary>
    public static void Unregister() => AssemblyLoadContext.Default.Resolving -= Resolve;

    private static Assembly? Resolve(AssemblyLoadContext _, AssemblyName name) =>
        name.Name == EntryAssembly && s_context != null ? s_context.LoadFromAssemblyName(name) : null;
}
