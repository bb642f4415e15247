using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using FluentAssertions;
using Xunit;

namespace GitIntegration.Tests;

/// <summary>
/// The module beside another module that loaded different copies of the same libraries, hosted the way
/// PowerShell 7 hosts it: the cmdlet assembly loaded into the default context, then its IModuleAssemblyInitializer.
/// </summary>
public sealed class DependencyIsolationTests
{
    private static string Dependency(string name) => Path.Combine(BuiltModule.Dependencies, name + ".dll");

    [Fact]
    public void CoreUsesItsOwnYamlDotNetAndBouncyCastleWhileAnotherModulesCopiesStayInTheDefaultContext()
    {
        // "Another module" got there first: YamlDotNet 15 (ours is 16) and its own copy of BouncyCastle.
        var elsewhere = Directory.CreateTempSubdirectory("other-module-").FullName;
        var otherYaml = AssemblyLoadContext.Default.LoadFromAssemblyPath(
            Path.Combine(ModuleUnderTest.Meta("NuGetPackageRoot"), "yamldotnet", "15.3.0", "lib", "netstandard2.0", "YamlDotNet.dll"));
        File.Copy(Dependency("BouncyCastle.Crypto"), Path.Combine(elsewhere, "BouncyCastle.Crypto.dll"));
        var otherBc = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(elsewhere, "BouncyCastle.Crypto.dll"));
        otherYaml.GetName().Version!.Major.Should().Be(15);

        // Import-Module: the cmdlet assembly into the default context, then the initializer.
        var cmdlets = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(BuiltModule.Path, "GitIntegration.dll"));
        var initializer = Activator.CreateInstance(cmdlets.GetType("GitIntegration.ModuleInitializer", throwOnError: true)!)!;
        initializer.GetType().GetMethod("OnImport")!.Invoke(initializer, null);
        try
        {
            // A cmdlet parameter typed with a Core enum makes the default context ask for GitIntegration.Core.
            var core = cmdlets.GetType("GitIntegration.NewGitSshKeyCommand", throwOnError: true)!.GetProperty("Type")!.PropertyType.Assembly;
            var context = AssemblyLoadContext.GetLoadContext(core)!;
            context.Should().NotBeSameAs(AssemblyLoadContext.Default);
            context.Name.Should().Be("GitIntegration");
            core.Location.Should().Be(Dependency("GitIntegration.Core"));

            // Core works, with YAML and BouncyCastle.
            var storeDocument = Activator.CreateInstance(core.GetType("GitIntegration.Core.Store.StoreDocument", true)!);
            var yamlText = (string)core.GetType("GitIntegration.Core.Store.StoreYaml", true)!.GetMethod("Write")!.Invoke(null, new[] { storeDocument })!;
            yamlText.Should().Contain("schemaVersion");
            using var rsa = RSA.Create(2048);
            var key = core.GetType("GitIntegration.Core.Keys.KeyReader", true)!.GetMethod("Read")!.Invoke(null, new object?[] { rsa.ExportRSAPrivateKeyPem(), null })!;
            key.GetType().GetProperty("IsPrivate")!.GetValue(key).Should().Be(true);

            var ownYaml = context.Assemblies.Single(a => a.GetName().Name == "YamlDotNet");
            ownYaml.GetName().Version!.Major.Should().Be(16);
            ownYaml.Location.Should().Be(Dependency("YamlDotNet"));
            var ownBc = context.Assemblies.Single(a => a.GetName().Name == "BouncyCastle.Crypto");
            ownBc.Location.Should().Be(Dependency("BouncyCastle.Crypto"));
            ownBc.Should().NotBeSameAs(otherBc);

            // The other module's copies are untouched and still the default context's.
            AssemblyLoadContext.Default.Assemblies.Where(a => a.GetName().Name == "YamlDotNet").Should().ContainSingle().Which.Should().BeSameAs(otherYaml);
            AssemblyLoadContext.Default.Assemblies.Where(a => a.GetName().Name == "BouncyCastle.Crypto").Should().ContainSingle().Which.Should().BeSameAs(otherBc);
            // System.Memory and friends: the runtime's own (newer) copies are shared, never a second one.
            context.Assemblies.Should().NotContain(a => a.GetName().Name == "System.Memory");
        }
        finally
        {
            initializer.GetType().GetMethod("OnRemove")!.Invoke(initializer, new object?[] { null });
            Directory.Delete(elsewhere, true);
        }
    }
}
