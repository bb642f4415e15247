using System.Reflection;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace GitIntegration.Tests;

/// <summary>The rules every cmdlet of the module keeps, proved on the compiled assembly.</summary>
public sealed class CmdletContractTests : IClassFixture<ModuleUnderTest>
{
    private readonly ModuleUnderTest _m;
    public CmdletContractTests(ModuleUnderTest m) => _m = m;

    /// <summary>Verbs that change nothing; every other verb must support -WhatIf/-Confirm.</summary>
    private static readonly HashSet<string> ReadOnlyVerbs = new() { "Get", "Test", "Find", "Search", "Resolve", "Read", "Measure", "Compare", "Show", "Watch", "Wait" };

    /// <summary>
    /// ConvertTo cmdlets that are pure functions of their input (they contact nothing and write no file), like
    /// ConvertTo-Json: -WhatIf would have nothing to hold back. Any ConvertTo cmdlet that writes a file is not listed here.
    /// </summary>
    private static readonly HashSet<string> PureConversions = new() { "ConvertToGitSshUrlCommand", "ConvertToGitHttpsUrlCommand" };

    /// <summary>Nouns outside the Git prefix, named so by their issue after the tool users know.</summary>
    private static readonly HashSet<string> PrefixExceptions = new() { "PuttyKey" };

    [Fact]
    public void ThereAreCmdlets() => _m.Cmdlets.Should().HaveCountGreaterThanOrEqualTo(4);

    [Fact]
    public void VerbsAreApproved()
    {
        var approved = new[] { "VerbsCommon", "VerbsData", "VerbsLifecycle", "VerbsDiagnostic", "VerbsCommunications", "VerbsSecurity", "VerbsOther" }
            .SelectMany(c => _m.Sma.GetType("System.Management.Automation." + c)!.GetFields().Select(f => (string)f.GetRawConstantValue()!))
            .ToHashSet();
        approved.Should().Contain(new[] { "Get", "New", "Test", "Convert", "ConvertFrom", "Install" });
        foreach (var c in _m.Cmdlets)
            approved.Should().Contain(ModuleUnderTest.Name(c).Verb, $"{c.Name} must use an approved verb");
    }

    [Fact]
    public void NounsAreSingularAndPrefixed()
    {
        foreach (var c in _m.Cmdlets)
        {
            var noun = ModuleUnderTest.Name(c).Noun;
            (noun.StartsWith("Git") || PrefixExceptions.Contains(noun)).Should().BeTrue($"{noun} needs the Git prefix");
            noun.Should().NotMatchRegex("[^s]s$", "nouns are singular");
            c.Name.Should().Be(ModuleUnderTest.Name(c).Verb + noun + "Command", "the class is named after the cmdlet (one file per cmdlet)");
            File.Exists(Path.Combine(ModuleUnderTest.RepoRoot, "src", "GitIntegration", c.Name + ".cs")).Should().BeTrue();
        }
    }

    [Fact]
    public void EveryCmdletDeclaresItsOutputType()
    {
        foreach (var c in _m.Cmdlets)
            ModuleUnderTest.Attrs(c, "OutputTypeAttribute").Should().NotBeEmpty($"{c.Name} needs [OutputType]");
    }

    [Fact]
    public void StateChangingCmdletsSupportShouldProcess()
    {
        foreach (var c in _m.Cmdlets)
        {
            var a = ModuleUnderTest.Attr(c, "CmdletAttribute")!;
            var verb = ModuleUnderTest.Name(c).Verb;
            var should = ModuleUnderTest.Named<bool>(a, "SupportsShouldProcess");
            if (!ReadOnlyVerbs.Contains(verb) && !PureConversions.Contains(c.Name)) should.Should().BeTrue($"{c.Name} changes state");
            var impact = ModuleUnderTest.Named<int>(a, "ConfirmImpact"); // 3 = High
            if (impact == 3) verb.Should().Be("Remove", "only destructive cmdlets use ConfirmImpact High");
        }
    }

    [Fact]
    public void SecretsAreNeverPlainStrings()
    {
        foreach (var c in _m.Cmdlets)
            foreach (var p in ModuleUnderTest.Parameters(c).Where(p => Regex.IsMatch(p.Name, "Passphrase|Password|Token|Secret") && p.PropertyType.Name != "SwitchParameter"))
                p.PropertyType.Name.Should().BeOneOf(new[] { "SecureString", "PSCredential" }, $"{c.Name}.{p.Name} holds a secret");
    }

    [Fact]
    public void SwitchesAreSwitchParameters()
    {
        foreach (var c in _m.Cmdlets)
            foreach (var p in ModuleUnderTest.Parameters(c))
                p.PropertyType.Should().NotBe(_m.Context.CoreAssembly!.GetType("System.Boolean"), $"{c.Name}.{p.Name} should be a [switch]");
    }

    [Fact]
    public void EveryCmdletAndParameterIsDocumentedWithExamples()
    {
        foreach (var c in _m.Cmdlets)
        {
            var doc = _m.Doc("T:" + c.FullName);
            doc.Should().NotBeNull($"{c.Name} needs XML documentation (it becomes Get-Help)");
            doc!.Descendants("para").Any(p => (string?)p.Attribute("type") == "synopsis" && p.Value.Trim().Length > 10).Should().BeTrue($"{c.Name} needs a synopsis");
            doc.Descendants("para").Any(p => (string?)p.Attribute("type") == "description" && p.Value.Trim().Length > 10).Should().BeTrue($"{c.Name} needs a description");
            var examples = doc.Elements("example").ToList();
            examples.Should().HaveCountGreaterThanOrEqualTo(2, $"{c.Name} needs two examples");
            examples.Should().OnlyContain(e => e.Element("code") != null && e.Element("para") != null, $"{c.Name}'s examples need code and an explanation");
            foreach (var p in ModuleUnderTest.Parameters(c))
            {
                var pd = _m.Doc($"P:{p.DeclaringType!.FullName}.{p.Name}");
                (pd?.Value.Trim().Length > 10).Should().BeTrue($"{c.Name} -{p.Name} needs a description");
            }
        }
    }

    [Fact]
    public void ManifestExportsExactlyTheCompiledCmdlets()
    {
        var psd1 = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "GitIntegration.psd1"));
        var block = Regex.Match(psd1, @"CmdletsToExport\s*=\s*@\((.*?)\)", RegexOptions.Singleline).Groups[1].Value;
        var exported = Regex.Matches(block, "'([^']+)'").Select(m => m.Groups[1].Value).ToList();
        exported.Should().NotContain(e => e.Contains('*'), "no wildcards in the manifest");
        exported.Should().BeEquivalentTo(_m.Cmdlets.Select(ModuleUnderTest.CommandName));
        psd1.Should().MatchRegex(@"CompatiblePSEditions\s*=\s*@\('Desktop',\s*'Core'\)");
        psd1.Should().MatchRegex(@"PowerShellVersion\s*=\s*'5\.1'");
        psd1.Should().MatchRegex(@"FunctionsToExport\s*=\s*@\(\)");
        var formats = Regex.Match(psd1, @"FormatsToProcess\s*=\s*@\('([^']+)'\)").Groups[1].Value;
        File.Exists(Path.Combine(ModuleUnderTest.RepoRoot, "module", formats)).Should().BeTrue();
    }

    [Fact]
    public void ManifestVersionIsTheOneDefinedInTheBuild()
    {
        var props = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "Directory.Build.props"));
        var version = Regex.Match(props, "<VersionPrefix>(.*?)</VersionPrefix>").Groups[1].Value;
        File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "GitIntegration.psd1")).Should().Contain($"ModuleVersion        = '{version}'");
    }

    [Fact]
    public void EveryCoreErrorKindIsAPowerShellErrorCategory()
    {
        var core = _m.Context.LoadFromAssemblyPath(Path.Combine(ModuleUnderTest.ModuleBin, "GitIntegration.Core.dll"));
        var kinds = core.GetType("GitIntegration.Core.ErrorKind")!.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name);
        var categories = _m.Sma.GetType("System.Management.Automation.ErrorCategory")!.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name);
        categories.Should().Contain(kinds);
    }

    [Fact]
    public void EveryOutputTypeHasAView()
    {
        var format = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "module", "GitIntegration.format.ps1xml"));
        var views = System.Xml.Linq.XDocument.Parse(format).Descendants("View").Select(v => (string)v.Element("Name")!).ToList();
        views.Should().OnlyHaveUniqueItems();
        foreach (var c in _m.Cmdlets)
            foreach (var a in ModuleUnderTest.Attrs(c, "OutputTypeAttribute"))
                foreach (var t in ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (Type)v.Value!))
                    if (t.Namespace!.StartsWith("GitIntegration"))
                        format.Should().Contain($"<TypeName>{t.FullName}</TypeName>", $"{c.Name} emits {t.Name}");
    }

    /// <summary>
    /// One name per meaning, PowerShell's own (Invoke-WebRequest's -TimeoutSeconds and -SkipCertificateCheck).
    /// The only other names allowed are this module's former ones, as aliases of the new name, so old scripts still
    /// run.
    /// -SslVerify is not one: it meant the opposite of -SkipCertificateCheck.
    /// </summary>
    private static readonly Dictionary<string, string> FormerNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TimeoutSec"] = "TimeoutSeconds",
        ["SkipSslVerification"] = "SkipCertificateCheck",
    };

    [Fact]
    public void TimeoutAndCertificateParametersUsePowerShellsNames()
    {
        var timeouts = new List<string>();
        foreach (var c in _m.Cmdlets)
            foreach (var p in ModuleUnderTest.Parameters(c))
            {
                var aliases = ModuleUnderTest.Attrs(p, "AliasAttribute")
                    .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                    .Select(v => (string)v.Value!);
                var where = $"{ModuleUnderTest.CommandName(c)} -{p.Name}";
                if (Regex.IsMatch(p.Name, "Timeout", RegexOptions.IgnoreCase))
                {
                    p.Name.Should().BeEquivalentTo("TimeoutSeconds", $"{where} is a timeout");
                    timeouts.Add(where);
                }
                // Import-GitIntegration -Verify verifies connections, not certificates.
                if (p.Name != "Verify" && Regex.IsMatch(p.Name, "Ssl|Tls|Cert|Insecure|Verif", RegexOptions.IgnoreCase))
                    p.Name.Should().Be("SkipCertificateCheck", $"{where} is about the server's TLS certificate");
                foreach (var alias in aliases.Where(a => Regex.IsMatch(a, "Timeout|Ssl|Tls|Cert|Insecure|Verif", RegexOptions.IgnoreCase)))
                    (FormerNames.TryGetValue(alias, out var now) && now == p.Name).Should().BeTrue(
                        $"{where} has the alias -{alias}; only a former name of this very parameter may stay as an alias");
            }
        timeouts.Should().Contain("Install-GitHubApp -TimeoutSeconds", "the rule must see the parameters it is about");
    }

    [Fact]
    public void PipelinePathParametersBindGetChildItemOutput()
    {
        foreach (var c in _m.Cmdlets)
        {
            var byName = ModuleUnderTest.Parameters(c)
                .Where(p => ModuleUnderTest.Attrs(p, "ParameterAttribute").Any(a => ModuleUnderTest.Named<bool>(a, "ValueFromPipelineByPropertyName")))
                .ToList();
            var pathLike = byName.Where(p => p.Name.EndsWith("Path") && p.Name != "StorePath" && p.Name != "Destination").ToList();
            if (pathLike.Count == 0) continue;
            var aliases = pathLike.SelectMany(p => ModuleUnderTest.Attrs(p, "AliasAttribute"))
                .SelectMany(a => ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v => (string)v.Value!));
            aliases.Should().Contain(new[] { "FullName", "PSPath" }, $"{c.Name} should accept Get-ChildItem output by property name");
        }
    }
}
