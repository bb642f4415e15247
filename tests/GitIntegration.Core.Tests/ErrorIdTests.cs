using System.Reflection;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Jira;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Query;
using GitIntegration.Core.Store;
using Xunit;
using Xunit.Abstractions;

namespace GitIntegration.Core.Tests;

/// <summary>
/// The error ids admins script against (FullyQualifiedErrorId) are declared in one file, src/GitIntegration.Core/
/// ErrorIds.cs, each value once, and every failure src/ raises takes its id from there.
/// </summary>
public sealed class ErrorIdTests
{
    private static readonly Type[] Homes =
    {
        typeof(ErrorIds), typeof(KeyDiagnostics.Ids), typeof(StoreErrorIds), typeof(BulkErrorIds),
        typeof(JmesPathErrorIds), typeof(GitErrorIds), typeof(SmartHttp), typeof(CertificateTrust),
        typeof(GitHubErrorIds), typeof(JiraErrorIds), typeof(HostErrorIds),
    };

    private static readonly string Src = Path.Combine(RepoRoot(), "src");
    private static readonly string HomeFile = Path.Combine(Src, "GitIntegration.Core", "ErrorIds.cs");
    private readonly ITestOutputHelper _out;

    public ErrorIdTests(ITestOutputHelper output) => _out = output;

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "GitIntegration.sln"))) return d.FullName;
        throw new InvalidOperationException("GitIntegration.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>(field name, value) of every id constant declared in ErrorIds.cs, read through reflection.</summary>
    private static List<(Type Home, string Name, string Value)> Declared()
    {
        var text = File.ReadAllText(HomeFile);
        var names = Regex.Matches(text, @"const string (\w+) =").Select(m => m.Groups[1].Value).ToHashSet();
        return Homes.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string) && names.Contains(f.Name))
                .Select(f => (t, f.Name, (string)f.GetRawConstantValue()!)))
            .ToList();
    }

    /// <summary>Ids raised elsewhere: Test-GitIntegration's reasons carry their ConnectionFailure name.</summary>
    private static IEnumerable<string> ReasonIds() =>
        Enum.GetNames<ConnectionFailure>().Where(n => n != nameof(ConnectionFailure.None));

    [Fact]
    public void EachIdIsDeclaredOnceInOneFile()
    {
        var literals = Regex.Matches(File.ReadAllText(HomeFile), @"const string \w+ = ""([^""]+)""")
            .Select(m => m.Groups[1].Value).ToList();
        literals.Should().OnlyHaveUniqueItems("one value is one kind of failure");
        var declared = Declared();
        foreach (var group in declared.GroupBy(d => d.Home.FullName))
            _out.WriteLine($"{group.Key}: {string.Join(", ", group.Select(d => d.Value))}");
        declared.Select(d => d.Value).Distinct().Should().BeEquivalentTo(literals,
            "every literal in ErrorIds.cs is an id of an area class, and an alias repeats no literal");
        literals.Should().HaveCountGreaterThan(90);
    }

    [Fact]
    public void EveryIdRaisedInSrcIsDeclared()
    {
        var declared = Declared();
        var values = declared.Select(d => d.Value).Concat(ReasonIds()).ToHashSet();
        var raise = new Regex(
            @"new (?:GitIntegration|KeyFormat|KeyPassphrase|StoreFormat|JmesPath)Exception\(\s*([^,()]+(?:\(\))?)\s*,"
            + @"|new ErrorRecord\((?:[^,()]|\([^()]*\))+,\s*([^,()]+)\s*,");
        var wrong = new List<string>();
        int seen = 0;
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            foreach (Match m in raise.Matches(File.ReadAllText(file)))
            {
                seen++;
                var id = (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Trim();
                if (!IsDeclared(id, declared, values)) wrong.Add($"{Path.GetRelativePath(Src, file)}: {id}");
            }
        }
        seen.Should().BeGreaterThan(100, "the pattern finds the places failures are raised");
        wrong.Should().BeEmpty("every id comes from ErrorIds.cs");
    }

    private static bool IsDeclared(string id, List<(Type Home, string Name, string Value)> declared,
        HashSet<string> values)
    {
        if (id.StartsWith('"')) return values.Contains(id.Trim('"'));
        // an id passed on: from the failure caught, a key finding, or a ConnectionFailure reason
        if (id.EndsWith("ErrorId") || id == "errors[0].Id" || id == "Reason.ToString()") return true;
        var parts = id.Split('.');
        var name = parts[^1];
        var owner = parts.Length > 1 ? parts[^2] : null;
        return declared.Any(d => d.Name == name && (owner == null || d.Home.Name == owner));
    }
}
