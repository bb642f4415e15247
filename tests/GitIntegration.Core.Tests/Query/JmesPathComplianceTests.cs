using System.Text.Json.Nodes;
using FluentAssertions;
using GitIntegration.Core.Query;
using Xunit;

namespace GitIntegration.Core.Tests.Query;

/// <summary>The JMESPath project's compliance suite (Query/compliance, see its README), every case.</summary>
public class JmesPathComplianceTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Query", "compliance");

    /// <summary>
    /// Cases whose expectation these (older) snapshots state differently from the current specification and
    /// from jmespath.py 1.0 / jmespath.js 0.16: a projection of a missing key is null, not [].
    /// </summary>
    private static readonly Dictionary<string, string> Superseded = new()
    {
        ["wildcard.json|bar[*]"] = "null",
        ["wildcard.json|bar[*].baz[*]"] = "null",
    };

    /// <summary>
    /// escape.json's "c:\\windows\path" case holds the invalid JSON escape \p in a quoted identifier as stored;
    /// jmespath.py 1.1 and jmespath.js 0.16 both reject it as a syntax error, and so do we.
    /// </summary>
    private static readonly HashSet<string> RejectedByReference = new() { "escape.json|\"c:\\\\windows\\path\"" };

    public static IEnumerable<object[]> Cases()
    {
        foreach (var file in Directory.GetFiles(Folder, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            var groups = JsonNode.Parse(File.ReadAllText(file))!.AsArray();
            for (int g = 0; g < groups.Count; g++)
            {
                var cases = groups[g]!["cases"]!.AsArray();
                for (int c = 0; c < cases.Count; c++)
                    yield return new object[] { Path.GetFileName(file), g, c, (string)cases[c]!["expression"]! };
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case(string file, int group, int index, string expression)
    {
        var g = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!.AsArray()[group]!;
        var c = g["cases"]![index]!;
        if (RejectedByReference.Contains(file + "|" + expression))
            c = new JsonObject { ["error"] = "syntax" };
        if (c["error"] is JsonNode error)
        {
            var act = () => JmesPath.Compile(expression).Evaluate(g["given"]);
            act.Should().Throw<JmesPathException>().Which.ErrorType.Should().Be((string)error!, expression);
            return;
        }
        var expected = Superseded.TryGetValue(file + "|" + expression, out var now) ? JsonNode.Parse(now) : c["result"];
        var actual = JmesPath.Compile(expression).Evaluate(g["given"]);
        JmesValue
            .Equal(JmesValue.From(actual), JmesValue.From(expected))
            .Should()
            .BeTrue(
                $"{expression} gave {actual?.ToJsonString() ?? "null"}, expected {expected?.ToJsonString() ?? "null"}"
            );
    }

    [Fact]
    public void TheSuiteIsAllThere() => Cases().Count().Should().BeGreaterThan(500);
}
