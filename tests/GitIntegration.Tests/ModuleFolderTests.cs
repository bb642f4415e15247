using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using FluentAssertions;
using GitIntegration.ModuleBuilder;
using Xunit;

namespace GitIntegration.Tests;

/// <summary>
/// The shipped module: folder layout, references, offline help and package, for every cmdlet the assembly holds.
/// </summary>
public sealed class ModuleFolderTests : IClassFixture<ModuleUnderTest>
{
    private static readonly XNamespace Maml = MamlWriter.Maml,
        Command = MamlWriter.Command,
        Dev = MamlWriter.Dev;
    private readonly ModuleUnderTest _m;

    public ModuleFolderTests(ModuleUnderTest m) => _m = m;

    [Fact]
    public void OnlyTheInitializerAndCmdletAssembliesAreAtTheRootAndEveryDependencyIsInDependencies()
    {
        Directory
            .GetFiles(BuiltModule.Path, "*.dll")
            .Select(Path.GetFileName)
            .Order()
            .Should()
            .Equal("GitIntegration.dll", "GitIntegration.Init.dll");
        var deps = Directory.GetFiles(BuiltModule.Dependencies, "*.dll").Select(Path.GetFileName).ToList();
        deps.Should()
            .Contain(
                new[]
                {
                    "GitIntegration.Core.dll",
                    "GitIntegration.Loader.dll",
                    "BouncyCastle.Cryptography.dll",
                    "Renci.SshNet.dll",
                    "YamlDotNet.dll",
                    "System.Text.Json.dll",
                }
            );
        deps.Should().NotContain(d => d!.StartsWith("System.Management.Automation"), "PowerShell brings its own");
        // Everything the build output holds is shipped, so a dependency added later is never forgotten.
        var built = Directory
            .GetFiles(ModuleUnderTest.ModuleBin, "*.dll")
            .Select(Path.GetFileName)
            .Where(n => !n!.StartsWith("System.Management.Automation"));
        deps.Append("GitIntegration.dll").Should().Contain(built);
        foreach (
            var f in new[]
            {
                "GitIntegration.psd1",
                "GitIntegration.format.ps1xml",
                "LICENSE",
                "en-US/GitIntegration.dll-Help.xml",
                "en-US/about_GitIntegration.help.txt",
            }
        )
            File.Exists(Path.Combine(BuiltModule.Path, f)).Should().BeTrue($"{f} ships at the module root");
        File.ReadAllText(Path.Combine(BuiltModule.Path, "GitIntegration.psd1"))
            .Should()
            .Contain($"ModuleVersion        = '{BuiltModule.Version}'");
    }

    [Fact]
    public void TheCmdletAssemblyReferencesOnlyCorePowerShellAndTheStandardLibrary()
    {
        // A third-party reference from the cmdlet assembly would be resolved by PowerShell's default context,
        // outside the module's own load context: every dependency must be reached through GitIntegration.Core.
        _m.Module.GetReferencedAssemblies()
            .Select(a => a.Name)
            .Should()
            .OnlyContain(n => n == "GitIntegration.Core" || n == "System.Management.Automation" || n == "netstandard");
    }

    [Fact]
    public void TheInitializerIsANestedModuleThatNeedsNothingFromDependencies()
    {
        // PowerShell imports NestedModules before the RootModule, and loads every public type of a binary module
        // before running its initializer: the initializer must load with nothing but PowerShell and netstandard.
        var manifest = File.ReadAllText(Path.Combine(BuiltModule.Path, "GitIntegration.psd1"));
        manifest.Should().MatchRegex(@"NestedModules\s*=\s*@\('GitIntegration\.Init\.dll'\)");
        var init = _m.Context.LoadFromAssemblyPath(Path.Combine(BuiltModule.Path, "GitIntegration.Init.dll"));
        init.GetReferencedAssemblies()
            .Select(a => a.Name)
            .Should()
            .OnlyContain(n => n == "System.Management.Automation" || n == "netstandard");
        init.GetExportedTypes()
            .Should()
            .ContainSingle(t =>
                t.FullName == "GitIntegration.ModuleInitializer"
                && t.GetInterfaces().Any(i => i.Name == "IModuleAssemblyInitializer")
                && t.GetInterfaces().Any(i => i.Name == "IModuleAssemblyCleanup")
            );
    }

    private static XDocument Maml_() =>
        XDocument.Load(Path.Combine(BuiltModule.Path, "en-US", "GitIntegration.dll-Help.xml"));

    [Fact]
    public void TheMamlHelpDescribesEveryCmdletParameterAndExample()
    {
        var maml = Maml_();
        maml.Root!.Name.Should().Be(MamlWriter.Msh + "helpItems");
        ((string?)maml.Root.Attribute("schema")).Should().Be("maml");
        var commands = maml
            .Root.Elements(Command + "command")
            .ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value);
        commands
            .Keys.Should()
            .BeEquivalentTo(
                _m.Cmdlets.Select(ModuleUnderTest.CommandName),
                "every compiled cmdlet has offline help, and nothing else"
            );

        foreach (var cmdlet in _m.Cmdlets)
        {
            var name = ModuleUnderTest.CommandName(cmdlet);
            var c = commands[name];
            var (verb, noun) = ModuleUnderTest.Name(cmdlet);
            c.Element(Command + "details")!.Element(Command + "verb")!.Value.Should().Be(verb);
            c.Element(Command + "details")!.Element(Command + "noun")!.Value.Should().Be(noun);
            Para(c.Element(Command + "details")!).Length.Should().BeGreaterThan(10, $"{name} needs a synopsis");
            Para(c).Length.Should().BeGreaterThan(10, $"{name} needs a description");

            var documented = c.Element(Command + "parameters")!
                .Elements(Command + "parameter")
                .ToDictionary(p => p.Element(Maml + "name")!.Value);
            var declared = ModuleUnderTest.Parameters(cmdlet).ToList();
            foreach (var p in declared)
            {
                documented.Should().ContainKey(p.Name, $"{name} -{p.Name} needs help");
                var d = documented[p.Name];
                Para(d).Length.Should().BeGreaterThan(10, $"{name} -{p.Name} needs a description");
                var attrs = ModuleUnderTest.Attrs(p, "ParameterAttribute").ToList();
                ((string)d.Attribute("required")!)
                    .Should()
                    .Be(
                        attrs.Any(a => ModuleUnderTest.Named<bool>(a, "Mandatory")) ? "true" : "false",
                        $"{name} -{p.Name}"
                    );
                var byName = attrs.Any(a => ModuleUnderTest.Named<bool>(a, "ValueFromPipelineByPropertyName"));
                ((string)d.Attribute("pipelineInput")!)
                    .Contains("ByPropertyName")
                    .Should()
                    .Be(byName, $"{name} -{p.Name} pipeline input");
                var aliases = ModuleUnderTest
                    .Attrs(p, "AliasAttribute")
                    .SelectMany(a =>
                        ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v =>
                            (string)v.Value!
                        )
                    );
                foreach (var alias in aliases)
                    ((string)d.Attribute("aliases")!).Split(", ").Should().Contain(alias);
                d.Element(Dev + "type")!
                    .Element(Maml + "name")!
                    .Value.Should()
                    .Be(CmdletMetadata.Unwrap(p.PropertyType).FullName, $"{name} -{p.Name} type");
            }
            var shouldProcess = ModuleUnderTest.Named<bool>(
                ModuleUnderTest.Attr(cmdlet, "CmdletAttribute")!,
                "SupportsShouldProcess"
            );
            documented
                .Keys.Should()
                .BeEquivalentTo(
                    declared
                        .Select(p => p.Name)
                        .Concat(shouldProcess ? new[] { "WhatIf", "Confirm" } : Array.Empty<string>())
                );

            // One syntax block per parameter set, each naming its mandatory parameters; the default set is one even
            // when no parameter names it (PowerShell binds the command without any set's own parameters there).
            var defaultSet = ModuleUnderTest.Named<string>(
                ModuleUnderTest.Attr(cmdlet, "CmdletAttribute")!,
                "DefaultParameterSetName"
            );
            var sets = declared
                .SelectMany(p => ModuleUnderTest.Attrs(p, "ParameterAttribute"))
                .Select(a => ModuleUnderTest.Named<string>(a, "ParameterSetName"))
                .Append(defaultSet)
                .Where(s => s != null)
                .Distinct()
                .Count();
            var syntax = c.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();
            syntax.Should().HaveCount(Math.Max(1, sets), $"{name} has {sets} parameter sets");
            syntax.Should().OnlyContain(s => s.Element(Maml + "name")!.Value == name);

            var examples = c.Element(Command + "examples")!.Elements(Command + "example").ToList();
            examples.Should().HaveCountGreaterThanOrEqualTo(2, $"{name} needs two examples");
            foreach (var e in examples)
            {
                e.Element(Maml + "title")!.Value.Should().Contain("Example");
                e.Element(Dev + "code")!.Value.Should().Contain(name, $"{name}'s examples show the command itself");
                e.Element(Dev + "remarks")!.Value.Trim().Length.Should().BeGreaterThan(10);
            }
            c.Element(Command + "returnValues")!
                .Elements(Command + "returnValue")
                .Should()
                .NotBeEmpty($"{name} declares what it returns");
        }
    }

    [Fact]
    public void EnumAndValidateSetParametersListTheirValues()
    {
        var newKey = Maml_()
            .Root!.Elements(Command + "command")
            .Single(c => c.Descendants(Command + "name").First().Value == "New-GitSshKey");
        var type = newKey
            .Element(Command + "parameters")!
            .Elements(Command + "parameter")
            .Single(p => p.Element(Maml + "name")!.Value == "Type");
        type.Element(Command + "parameterValueGroup")!
            .Elements(Command + "parameterValue")
            .Select(v => v.Value)
            .Should()
            .Equal("Rsa", "Ecdsa", "Ed25519");
    }

    [Fact]
    public void TheAboutTopicWalksTheWholeFlowWithCommandsThatExist()
    {
        var about = File.ReadAllText(
            Path.Combine(ModuleUnderTest.RepoRoot, "module", "en-US", "about_GitIntegration.help.txt")
        );
        about
            .Should()
            .StartWith("TOPIC")
            .And.Contain("about_GitIntegration")
            .And.Contain("SHORT DESCRIPTION")
            .And.Contain("LONG DESCRIPTION");
        var exported = _m.Cmdlets.Select(ModuleUnderTest.CommandName).ToHashSet();
        var mentioned = Regex.Matches(about, @"\b[A-Z][a-z]+(?:To)?-Git[A-Za-z]+\b").Select(m => m.Value).ToHashSet();
        mentioned.Should().OnlyContain(c => exported.Contains(c), "the topic only names commands the module has");
        mentioned
            .Should()
            .Contain(
                new[]
                {
                    "New-GitSshKey",
                    "Test-GitSshKey",
                    "Connect-GitRepository",
                    "Install-GitHubApp",
                    "Import-GitIntegration",
                },
                "it walks key, check, connect, GitHub App, bulk import"
            );
        about.Split('\n').Should().OnlyContain(l => l.TrimEnd().Length <= 100, "help topics are read in a console");
    }

    [Fact]
    public void ThePackageIsAVersionedFolderAndANupkgWithTheManifestsMetadata()
    {
        var output = Directory.CreateTempSubdirectory("gitintegration-package-").FullName;
        try
        {
            var nupkg = ModulePackage.Create(BuiltModule.Path, output);
            Path.GetFileName(nupkg).Should().Be($"GitIntegration.{BuiltModule.Version}.nupkg");
            File.Exists(Path.Combine(output, "GitIntegration", BuiltModule.Version, "GitIntegration.psd1"))
                .Should()
                .BeTrue("Install-PSResource's layout: <name>/<version>/");

            using var zip = ZipFile.OpenRead(nupkg);
            var names = zip.Entries.Select(e => e.FullName.Replace('\\', '/')).ToList();
            names
                .Should()
                .Contain(
                    new[]
                    {
                        "GitIntegration.nuspec",
                        "GitIntegration.psd1",
                        "GitIntegration.dll",
                        "GitIntegration.format.ps1xml",
                        "LICENSE",
                        "en-US/GitIntegration.dll-Help.xml",
                        "en-US/about_GitIntegration.help.txt",
                        "Dependencies/GitIntegration.Core.dll",
                        "Dependencies/GitIntegration.Loader.dll",
                        "[Content_Types].xml",
                    }
                );
            names
                .Where(n => n.EndsWith(".dll"))
                .Should()
                .BeEquivalentTo(
                    Directory
                        .GetFiles(BuiltModule.Path, "*.dll", SearchOption.AllDirectories)
                        .Select(f => Path.GetRelativePath(BuiltModule.Path, f).Replace('\\', '/'))
                );

            using var reader = new StreamReader(zip.GetEntry("GitIntegration.nuspec")!.Open());
            var meta = XDocument.Parse(reader.ReadToEnd()).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            string M(string n) => meta.Elements().Single(e => e.Name.LocalName == n).Value;
            M("id").Should().Be("GitIntegration");
            M("version").Should().Be(BuiltModule.Version);
            M("projectUrl").Should().StartWith("https://");
            M("licenseUrl").Should().StartWith("https://").And.EndWith("LICENSE");
            M("releaseNotes").Should().NotBeNullOrWhiteSpace();
            M("description").Should().NotBeNullOrWhiteSpace();
            var tags = M("tags").Split(' ');
            tags.Should().Contain(new[] { "PSModule", "PSIncludes_Cmdlet", "PSEdition_Core", "PSEdition_Desktop" });
            foreach (var c in _m.Cmdlets.Select(ModuleUnderTest.CommandName))
                tags.Should()
                    .Contain(new[] { "PSCmdlet_" + c, "PSCommand_" + c }, "the Gallery's command search reads these");
            tags.Should().OnlyHaveUniqueItems();
        }
        finally
        {
            Directory.Delete(output, true);
        }
    }

    [Fact]
    public void EveryOutputTypesViewIsATableThatFits120ColumnsAndShowsNoSecret()
    {
        var format = XDocument.Load(Path.Combine(ModuleUnderTest.RepoRoot, "module", "GitIntegration.format.ps1xml"));
        var outputs = _m
            .Cmdlets.SelectMany(c => ModuleUnderTest.Attrs(c, "OutputTypeAttribute"))
            .SelectMany(a =>
                ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v =>
                    (Type)v.Value!
                )
            )
            .Where(t => t.Namespace!.StartsWith("GitIntegration"))
            .Select(t => t.FullName!)
            .ToHashSet();
        foreach (var view in format.Descendants("View"))
        {
            var name = (string)view.Element("Name")!;
            if (view.Descendants("TypeName").Any(t => outputs.Contains(t.Value)))
                view.Element("TableControl").Should().NotBeNull($"{name} is an output type: it gets a table");
            var table = view.Element("TableControl");
            if (table != null)
            {
                var headers = table.Descendants("TableColumnHeader").ToList();
                headers
                    .Should()
                    .OnlyContain(
                        h => h.Element("Width") != null,
                        $"{name}: fixed widths keep the table inside 120 columns"
                    );
                // Format-Table puts one space between columns.
                (headers.Sum(h => (int)h.Element("Width")!) + headers.Count - 1)
                    .Should()
                    .BeLessThanOrEqualTo(120, $"{name} must fit 120 columns");
                table.Descendants("TableColumnItem").Should().HaveCount(headers.Count, $"{name}: one item per header");
            }
            foreach (var shown in view.Descendants().Where(e => e.Name == "PropertyName" || e.Name == "ScriptBlock"))
                shown
                    .Value.Should()
                    .NotMatchRegex(
                        @"(?i)passphrase|password|token|secret|privatekey(?!path)|\bjwt\b|\.pem\b",
                        $"{name} never shows a secret"
                    );
        }
    }

    [Fact]
    public void KeyPathsOrganizationsAndIntegrationNamesComplete()
    {
        foreach (var c in _m.Cmdlets)
        {
            var (verb, noun) = ModuleUnderTest.Name(c);
            foreach (var p in ModuleUnderTest.Parameters(c))
            {
                var completer =
                    ModuleUnderTest.Attr(p, "ArgumentCompleterAttribute")?.ConstructorArguments[0].Value as Type;
                string? expected = p.Name switch
                {
                    "KeyPath" or "PrivateKeyPath" => "KeyPathCompleter",
                    "Path" when noun.EndsWith("SshKey") && verb != "New" => "KeyPathCompleter",
                    "Organization" => "OrganizationCompleter",
                    _ => null,
                };
                if (expected != null)
                    completer?.Name.Should().Be(expected, $"{c.Name} -{p.Name} completes");
                if (expected != null)
                    completer.Should().NotBeNull($"{c.Name} -{p.Name} needs Tab completion ({expected})");
            }
        }
        _m.Module.GetExportedTypes()
            .Where(t => t.BaseType?.Name == "GitIntegrationCompleter")
            .Select(t => t.Name)
            .Should()
            .BeEquivalentTo(new[] { "IntegrationNameCompleter", "OrganizationCompleter", "KeyPathCompleter" });
    }

    private static string Para(XElement parent) =>
        parent.Element(Maml + "description")?.Element(Maml + "para")?.Value.Trim() ?? "";
}
