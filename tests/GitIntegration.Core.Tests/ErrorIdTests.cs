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
using GitIntegration.Core.Rotation;
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
        typeof(ConnectionErrorIds),
        typeof(ErrorIds),
        typeof(KeyDiagnostics.Ids),
        typeof(StoreErrorIds),
        typeof(BulkErrorIds),
        typeof(JmesPathErrorIds),
        typeof(GitErrorIds),
        typeof(SmartHttp),
        typeof(CertificateTrust),
        typeof(GitHubErrorIds),
        typeof(JiraErrorIds),
        typeof(HostErrorIds),
        typeof(KeyRotationErrorIds),
    };

    private static readonly string Src = Path.Combine(RepoRoot(), "src");
    private static readonly string HomeFile = Path.Combine(Src, "GitIntegration.Core", "ErrorIds.cs");
    private readonly ITestOutputHelper _out;

    public ErrorIdTests(ITestOutputHelper output) => _out = output;

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "GitIntegration.sln")))
                return d.FullName;
        throw new InvalidOperationException("GitIntegration.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>(field name, value) of every id constant declared in ErrorIds.cs, read through reflection.</summary>
    private static List<(Type Home, string Name, string Value)> Declared()
    {
        var text = File.ReadAllText(HomeFile);
        var names = Regex.Matches(text, @"const string (\w+) =").Select(m => m.Groups[1].Value).ToHashSet();
        return Homes
            .SelectMany(t =>
                t.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Where(f => f.IsLiteral && f.FieldType == typeof(string) && names.Contains(f.Name))
                    .Select(f => (t, f.Name, (string)f.GetRawConstantValue()!))
            )
            .ToList();
    }

    [Fact]
    public void EachIdIsDeclaredOnceInOneFile()
    {
        var literals = Regex
            .Matches(File.ReadAllText(HomeFile), @"const string \w+ = ""([^""]+)""")
            .Select(m => m.Groups[1].Value)
            .ToList();
        literals.Should().OnlyHaveUniqueItems("one value is one kind of failure");
        var declared = Declared();
        foreach (var group in declared.GroupBy(d => d.Home.FullName))
            _out.WriteLine($"{group.Key}: {string.Join(", ", group.Select(d => d.Value))}");
        declared
            .Select(d => d.Value)
            .Distinct()
            .Should()
            .BeEquivalentTo(
                literals,
                "every literal in ErrorIds.cs is an id of an area class, and an alias repeats no literal"
            );
        literals.Should().HaveCountGreaterThan(90);
    }

    [Fact]
    public void EveryIdRaisedInSrcIsDeclared()
    {
        var declared = Declared();
        var values = declared.Select(d => d.Value).ToHashSet();
        var raise = new Regex(
            @"new (?:GitIntegration|KeyFormat|KeyPassphrase|StoreFormat|JmesPath)Exception\("
                + @"\s*([^,()]+(?:\([^,()]*\))?)\s*,"
                + @"|new ErrorRecord\((?:[^,()]|\([^()]*\))+,\s*([^,()]+)\s*,"
        );
        var wrong = new List<string>();
        int seen = 0;
        foreach (
            var file in Directory
                .EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
        )
        {
            foreach (Match m in raise.Matches(File.ReadAllText(file)))
            {
                seen++;
                var id = (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Trim();
                if (!IsDeclared(id, declared, values))
                    wrong.Add($"{Path.GetRelativePath(Src, file)}: {id}");
            }
        }
        seen.Should().BeGreaterThan(100, "the pattern finds the places failures are raised");
        wrong.Should().BeEmpty("every id comes from ErrorIds.cs");
    }

    private static bool IsDeclared(
        string id,
        List<(Type Home, string Name, string Value)> declared,
        HashSet<string> values
    )
    {
        if (id.StartsWith('"'))
            return values.Contains(id.Trim('"'));
        // an id passed on: from the failure caught, a key finding, or a connection failure's (see below)
        if (id.EndsWith("ErrorId") || id == "errors[0].Id" || id == "ConnectionErrorIds.For(Reason)")
            return true;
        var parts = id.Split('.');
        var name = parts[^1];
        var owner = parts.Length > 1 ? parts[^2] : null;
        return declared.Any(d => d.Name == name && (owner == null || d.Home.Name == owner));
    }

    /// <summary>
    /// A connection failure's id is declared in ErrorIds.cs, under the name of its ConnectionFailure, with that name as
    /// its value (the ids Test-GitIntegration has always reported), and is the id of the error it becomes.
    /// </summary>
    [Fact]
    public void EachConnectionFailureHasItsDeclaredId()
    {
        var declared = Declared()
            .Where(d => d.Home == typeof(ConnectionErrorIds))
            .ToDictionary(d => d.Name, d => d.Value);
        var failures = Enum.GetValues<ConnectionFailure>().Where(r => r != ConnectionFailure.None).ToList();
        declared.Keys.Should().BeEquivalentTo(failures.Select(r => r.ToString()), "one id a failure, no other");
        foreach (var reason in failures)
        {
            declared[reason.ToString()].Should().Be(reason.ToString(), "scripts match the names shipped so far");
            ConnectionErrorIds.For(reason).Should().Be(declared[reason.ToString()]);
            var failed = new GitConnectionResult { Url = "ssh://git@example.com/a.git", Reason = reason };
            failed.ToException().ErrorId.Should().Be(declared[reason.ToString()]);
        }
        FluentActions
            .Invoking(() => ConnectionErrorIds.For(ConnectionFailure.None))
            .Should()
            .Throw<ArgumentOutOfRangeException>("a success is no failure");
    }
}
