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
    private static readonly HashSet<string> ReadOnlyVerbs = new()
    {
        "Get",
        "Test",
        "Find",
        "Search",
        "Resolve",
        "Read",
        "Measure",
        "Compare",
        "Show",
        "Watch",
        "Wait",
    };

    /// <summary>
    /// ConvertTo cmdlets that are pure functions of their input (they contact nothing and write no file), like
    /// ConvertTo-Json: -WhatIf would have nothing to hold back. Any ConvertTo cmdlet that writes a file is not listed
    /// here.
    /// </summary>
    private static readonly HashSet<string> PureConversions = new()
    {
        "ConvertToGitSshUrlCommand",
        "ConvertToGitHttpsUrlCommand",
    };

    /// <summary>Nouns outside the Git prefix, named so by their issue after the tool users know.</summary>
    private static readonly HashSet<string> PrefixExceptions = new() { "PuttyKey" };

    [Fact]
    public void ThereAreCmdlets() => _m.Cmdlets.Should().HaveCountGreaterThanOrEqualTo(4);

    [Fact]
    public void VerbsAreApproved()
    {
        var approved = new[]
        {
            "VerbsCommon",
            "VerbsData",
            "VerbsLifecycle",
            "VerbsDiagnostic",
            "VerbsCommunications",
            "VerbsSecurity",
            "VerbsOther",
        }
            .SelectMany(c =>
                _m.Sma.GetType("System.Management.Automation." + c)!
                    .GetFields()
                    .Select(f => (string)f.GetRawConstantValue()!)
            )
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
            c.Name.Should()
                .Be(
                    ModuleUnderTest.Name(c).Verb + noun + "Command",
                    "the class is named after the cmdlet (one file per cmdlet)"
                );
            File.Exists(Path.Combine(ModuleUnderTest.RepoRoot, "src", "GitIntegration", c.Name + ".cs"))
                .Should()
                .BeTrue();
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
            if (!ReadOnlyVerbs.Contains(verb) && !PureConversions.Contains(c.Name))
                should.Should().BeTrue($"{c.Name} changes state");
            var impact = ModuleUnderTest.Named<int>(a, "ConfirmImpact"); // 3 = High
            if (impact == 3)
                verb.Should()
                    .BeOneOf(new[] { "Remove", "Unpublish" }, "only destructive cmdlets use ConfirmImpact High");
        }
    }

    [Fact]
    public void SecretsAreNeverPlainStrings()
    {
        foreach (var c in _m.Cmdlets)
        foreach (
            var p in ModuleUnderTest
                .Parameters(c)
                .Where(p =>
                    Regex.IsMatch(p.Name, "Passphrase|Password|Token|Secret")
                    && p.PropertyType.Name != "SwitchParameter"
                )
        )
            p.PropertyType.Name.Should()
                .BeOneOf(new[] { "SecureString", "PSCredential" }, $"{c.Name}.{p.Name} holds a secret");
    }

    [Fact]
    public void SwitchesAreSwitchParameters()
    {
        foreach (var c in _m.Cmdlets)
        foreach (var p in ModuleUnderTest.Parameters(c))
            p.PropertyType.Should()
                .NotBe(_m.Context.CoreAssembly!.GetType("System.Boolean"), $"{c.Name}.{p.Name} should be a [switch]");
    }

    [Fact]
    public void EveryCmdletAndParameterIsDocumentedWithExamples()
    {
        foreach (var c in _m.Cmdlets)
        {
            var doc = _m.Doc("T:" + c.FullName);
            doc.Should().NotBeNull($"{c.Name} needs XML documentation (it becomes Get-Help)");
            doc!
                .Descendants("para")
                .Any(p => (string?)p.Attribute("type") == "synopsis" && p.Value.Trim().Length > 10)
                .Should()
                .BeTrue($"{c.Name} needs a synopsis");
            doc.Descendants("para")
                .Any(p => (string?)p.Attribute("type") == "description" && p.Value.Trim().Length > 10)
                .Should()
                .BeTrue($"{c.Name} needs a description");
            var examples = doc.Elements("example").ToList();
            examples.Should().HaveCountGreaterThanOrEqualTo(2, $"{c.Name} needs two examples");
            examples
                .Should()
                .OnlyContain(
                    e => e.Element("code") != null && e.Element("para") != null,
                    $"{c.Name}'s examples need code and an explanation"
                );
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
        File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "GitIntegration.psd1"))
            .Should()
            .Contain($"ModuleVersion        = '{version}'");
    }

    [Fact]
    public void EveryCoreErrorKindIsAPowerShellErrorCategory()
    {
        var core = _m.Context.LoadFromAssemblyPath(Path.Combine(ModuleUnderTest.ModuleBin, "GitIntegration.Core.dll"));
        var kinds = core.GetType("GitIntegration.Core.ErrorKind")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.Name);
        var categories = _m
            .Sma.GetType("System.Management.Automation.ErrorCategory")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.Name);
        categories.Should().Contain(kinds);
    }

    [Fact]
    public void EveryOutputTypeHasAView()
    {
        var format = File.ReadAllText(Path.Combine(ModuleUnderTest.RepoRoot, "module", "GitIntegration.format.ps1xml"));
        var views = System
            .Xml.Linq.XDocument.Parse(format)
            .Descendants("View")
            .Select(v => (string)v.Element("Name")!)
            .ToList();
        views.Should().OnlyHaveUniqueItems();
        foreach (var c in _m.Cmdlets)
        foreach (var a in ModuleUnderTest.Attrs(c, "OutputTypeAttribute"))
        foreach (
            var t in ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v =>
                (Type)v.Value!
            )
        )
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
            var aliases = ModuleUnderTest
                .Attrs(p, "AliasAttribute")
                .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                .Select(v => (string)v.Value!);
            var where = $"{ModuleUnderTest.CommandName(c)} -{p.Name}";
            if (Regex.IsMatch(p.Name, "Timeout", RegexOptions.IgnoreCase))
            {
                p.Name.Should().BeEquivalentTo("TimeoutSeconds", $"{where} is a timeout");
                timeouts.Add(where);
            }
            // -TrustedCertificateThumbprint trusts the server's certificate; Invoke-WebRequest's -CertificateThumbprint
            // names the client's own certificate, so that name would mislead.
            // Import-GitIntegration -Verify verifies connections, not certificates.
            if (p.Name != "Verify" && Regex.IsMatch(p.Name, "Ssl|Tls|Cert|Insecure|Verif", RegexOptions.IgnoreCase))
                p.Name.Should()
                    .BeOneOf(
                        new[] { "SkipCertificateCheck", "TrustedCertificateThumbprint" },
                        $"{where} is about the server's TLS certificate"
                    );
            foreach (
                var alias in aliases.Where(a =>
                    Regex.IsMatch(a, "Timeout|Ssl|Tls|Cert|Insecure|Verif", RegexOptions.IgnoreCase)
                )
            )
                (FormerNames.TryGetValue(alias, out var now) && now == p.Name)
                    .Should()
                    .BeTrue(
                        $"{where} has the alias -{alias}; only a former name of this very parameter may stay as "
                            + "an alias"
                    );
        }
        timeouts.Should().Contain("Install-GitHubApp -TimeoutSeconds", "the rule must see the parameters it is about");
    }

    /// <summary>What every cmdlet takes besides its own parameters (and -WhatIf, -Confirm where it asks).</summary>
    private static readonly string[] CommonParameters =
    {
        "Verbose",
        "Debug",
        "ErrorAction",
        "WarningAction",
        "InformationAction",
        "ProgressAction",
        "ErrorVariable",
        "WarningVariable",
        "InformationVariable",
        "OutVariable",
        "OutBuffer",
        "PipelineVariable",
        "WhatIf",
        "Confirm",
    };

    /// <summary>
    /// A message that tells the admin to run one of the module's cmdlets names only parameters that cmdlet takes
    /// (Test-GitIntegration once said "Pass it with -Passphrase", which it has not). Every string in the sources is
    /// read for "Verb-Noun ... -Parameter" up to the end of its sentence; what is in parentheses, quotes or braces
    /// (another command's arguments, a path, an interpolated value) is not the cmdlet's.
    /// </summary>
    [Fact]
    public void MessagesNameOnlyParametersTheirCommandTakes()
    {
        var commands = _m.Cmdlets.ToDictionary(
            ModuleUnderTest.CommandName,
            c =>
                ModuleUnderTest
                    .Parameters(c)
                    .SelectMany(p =>
                        ModuleUnderTest
                            .Attrs(p, "AliasAttribute")
                            .SelectMany(a =>
                                (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!
                            )
                            .Select(v => (string)v.Value!)
                            .Append(p.Name)
                    )
                    .Concat(CommonParameters)
                    .ToList(),
            StringComparer.OrdinalIgnoreCase
        );
        var names = string.Join("|", commands.Keys.Select(Regex.Escape));
        var call = new Regex($@"\b({names})\b(.*?)(?=\.\s|\.$|[;!?]|$|\b(?:{names})\b)");
        var problems = new List<string>();
        int calls = 0;
        var src = Path.Combine(ModuleUnderTest.RepoRoot, "src");
        var sources = Directory
            .EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));
        foreach (var file in sources)
        foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
        {
            if (line.TrimStart().StartsWith("//"))
                continue;
            foreach (Match literal in Regex.Matches(line, "\"(?:[^\"\\\\]|\\\\.)*\""))
            foreach (Match m in call.Matches(literal.Value.Trim('"')))
            {
                calls++;
                var own = UpToItsClosingParenthesis(m.Groups[2].Value);
                foreach (var nested in new[] { @"\([^()]*\)", @"\{[^{}]*\}", "'[^']*'" })
                    own = Regex.Replace(own, nested, " ");
                foreach (Match p in Regex.Matches(own, @"(?<=^|\s)-([A-Za-z]+)\b"))
                {
                    var (command, parameter) = (m.Groups[1].Value, p.Groups[1].Value);
                    if (!commands[command].Any(k => k.StartsWith(parameter, StringComparison.OrdinalIgnoreCase)))
                        problems.Add($"{Path.GetFileName(file)}:{number}: {command} -{parameter}: {m.Value}");
                }
            }
        }
        calls.Should().BeGreaterThan(20, "the rule must see the messages it is about");
        problems.Should().BeEmpty();
    }

    /// <summary>
    /// Cmdlets with a -StorePath that do not pick stored integrations: they create them, or take one by its exact name
    /// with a file from the pipeline (whose Name property must not bind).
    /// </summary>
    private static readonly HashSet<string> CreateOrTakeOne = new()
    {
        "Connect-GitRepository",
        "Import-GitIntegration",
        "Install-GitHubApp",
        "Update-GitHubAppKey",
        "Import-GitJiraRepository",
    };

    /// <summary>
    /// Cmdlets whose parameter sets are another choice (how to sign in to Jira): they pick integrations only from
    /// the pipeline, as Get-GitIntegration writes them, through the same -InputObject.
    /// </summary>
    private static readonly HashSet<string> PipedOnly = new()
    {
        "Publish-GitIntegration",
        "Publish-GitSshKey",
        "Unpublish-GitSshKey",
    };

    /// <summary>
    /// One way to pick integrations, held by one base class: -Name (wildcards, completion, by property name),
    /// -Id, an integration piped in (-InputObject) and -StorePath, on every cmdlet that picks them.
    /// </summary>
    [Fact]
    public void EveryCmdletThatPicksIntegrationsPicksThemTheSameWay()
    {
        var picking = new List<string>();
        foreach (var c in _m.Cmdlets)
        {
            var command = ModuleUnderTest.CommandName(c);
            var parameters = ModuleUnderTest
                .Parameters(c)
                .GroupBy(p => p.Name)
                .ToDictionary(g => g.Key, g => g.First());
            var selects = false;
            for (var b = c.BaseType; b != null; b = b.BaseType)
                selects |= b.Name == "IntegrationSelectionCmdlet";
            if (!selects)
            {
                if (PipedOnly.Contains(command))
                {
                    parameters["InputObject"].PropertyType.Name.Should().Be("Integration[]", $"{command} -InputObject");
                    ModuleUnderTest
                        .Named<bool>(ParameterAttribute(c, "InputObject", null!)!, "ValueFromPipeline")
                        .Should()
                        .BeTrue($"{command} takes what Get-GitIntegration writes");
                }
                else if (parameters.ContainsKey("StorePath"))
                    CreateOrTakeOne.Should().Contain(command, $"{command} reads the store: it picks the shared way");
                continue;
            }
            picking.Add(command);
            ParameterAttribute(c, "Name", "Name").Should().NotBeNull($"{command} -Name");
            var name = parameters["Name"];
            name.PropertyType.Name.Should().Be("String[]", $"{command} -Name takes several names");
            ModuleUnderTest
                .Named<bool>(ParameterAttribute(c, "Name", "Name")!, "ValueFromPipelineByPropertyName")
                .Should()
                .BeTrue($"{command} -Name binds objects with a Name");
            ModuleUnderTest
                .Attrs(name, "SupportsWildcardsAttribute")
                .Should()
                .NotBeEmpty($"{command} -Name takes wildcards");
            ModuleUnderTest.Attrs(name, "ArgumentCompleterAttribute").Should().NotBeEmpty($"{command} -Name completes");
            parameters["Id"].PropertyType.Name.Should().Be("Guid[]", $"{command} -Id");
            ModuleUnderTest
                .Named<bool>(ParameterAttribute(c, "Id", "Id")!, "ValueFromPipelineByPropertyName")
                .Should()
                .BeTrue($"{command} -Id binds objects with an Id");
            parameters["InputObject"].PropertyType.Name.Should().Be("Integration[]", $"{command} -InputObject");
            ModuleUnderTest
                .Named<bool>(ParameterAttribute(c, "InputObject", "InputObject")!, "ValueFromPipeline")
                .Should()
                .BeTrue($"{command} takes the integrations Get-GitIntegration writes");
            parameters.Should().ContainKey("StorePath", $"{command} reads the store");
            ModuleUnderTest
                .Named<string>(ModuleUnderTest.Attr(c, "CmdletAttribute")!, "DefaultParameterSetName")
                .Should()
                .Be("Name", $"{command} picks by name when nothing says otherwise");
        }
        picking
            .Should()
            .Contain(
                new[]
                {
                    "Get-GitIntegration",
                    "Set-GitIntegration",
                    "Remove-GitIntegration",
                    "Export-GitIntegration",
                    "Test-GitIntegration",
                    "Get-GitHubAppInstallation",
                    "Get-GitHubAppRepository",
                    "Suspend-GitHubApp",
                    "Resume-GitHubApp",
                }
            );
    }

    /// <summary>A cmdlet that rewrites a key with a new passphrase or none takes them the shared way.</summary>
    [Fact]
    public void EveryCmdletThatChangesAKeysPassphraseTakesItTheSameWay()
    {
        var changing = _m
            .Cmdlets.Where(c => ModuleUnderTest.Parameters(c).Any(p => p.Name == "NewPassphrase"))
            .ToList();
        changing
            .Select(ModuleUnderTest.CommandName)
            .Should()
            .BeEquivalentTo("Convert-GitSshKey", "ConvertFrom-PuttyKey", "ConvertTo-PuttyKey");
        foreach (var c in changing)
        {
            c.BaseType!.Name.Should().Be("KeyConversionCmdlet", $"{c.Name} takes the passphrases the shared way");
            ModuleUnderTest
                .Named<string>(ModuleUnderTest.Attr(c, "CmdletAttribute")!, "DefaultParameterSetName")
                .Should()
                .Be("KeepPassphrase", $"{c.Name} keeps the key's passphrase when told nothing else");
        }
    }

    /// <summary>The [Parameter] of that parameter in that set, as the most derived declaration has it.</summary>
    private static CustomAttributeData? ParameterAttribute(Type cmdlet, string parameter, string set) =>
        ModuleUnderTest
            .Attrs(ModuleUnderTest.Parameters(cmdlet).First(p => p.Name == parameter), "ParameterAttribute")
            .FirstOrDefault(a => ModuleUnderTest.Named<string>(a, "ParameterSetName") == set);

    /// <summary>A command written in parentheses ends with them: "(Get-GitHostKey), then run again with -X".</summary>
    private static string UpToItsClosingParenthesis(string text)
    {
        int depth = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
                depth++;
            else if (text[i] == ')' && --depth < 0)
                return text.Substring(0, i);
        }
        return text;
    }

    [Fact]
    public void PipelinePathParametersBindGetChildItemOutput()
    {
        foreach (var c in _m.Cmdlets)
        {
            var byName = ModuleUnderTest
                .Parameters(c)
                .Where(p =>
                    ModuleUnderTest
                        .Attrs(p, "ParameterAttribute")
                        .Any(a => ModuleUnderTest.Named<bool>(a, "ValueFromPipelineByPropertyName"))
                )
                .ToList();
            var pathLike = byName
                .Where(p => p.Name.EndsWith("Path") && p.Name != "StorePath" && p.Name != "Destination")
                .ToList();
            if (pathLike.Count == 0)
                continue;
            var aliases = pathLike
                .SelectMany(p => ModuleUnderTest.Attrs(p, "AliasAttribute"))
                .SelectMany(a =>
                    ((IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!).Select(v =>
                        (string)v.Value!
                    )
                );
            aliases
                .Should()
                .Contain(
                    new[] { "FullName", "PSPath" },
                    $"{c.Name} should accept Get-ChildItem output by property name"
                );
        }
    }
}
