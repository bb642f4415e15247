using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using GitIntegration.Core.Query;
using Xunit;

namespace GitIntegration.Core.Tests.Query;

/// <summary>
/// Random expressions from the JMESPath grammar over random GitHub-like repository lists, evaluated by us and by
/// npm jmespath 0.16.0 (the reference JavaScript implementation) in one node process for the whole run.
/// The generator stays where the specification is the same for both (ordering only between numbers, ASCII text) and
/// avoids two jmespath.js 0.16 bugs found here: '@' followed by more (e.g. @[0]) inside function arguments is split
/// into two arguments, the empty raw string '' misbehaves inside filters, min_by/max_by return null for string keys
/// (the compliance suite's min_by(people, &amp;age_str) case), an unterminated 'raw string is accepted, starts_with is
/// lastIndexOf(prefix) === 0 (false for "acme/a2" and 'a'), and &lt; &lt;= &gt; &gt;= compare any types the JavaScript
/// way.
/// </summary>
public sealed class JmesPathDifferentialTests
{
    private static readonly int Cases = int.TryParse(Environment.GetEnvironmentVariable("GI_FUZZ_CASES"), out var n)
        ? n
        : 500;

    private static readonly string[] Names = { "repo", "billing-api", "Hello-World", "jira-sync", "docs", "a" };
    private static readonly string[] Topics = { "jira", "api", "octocat", "legacy" };

    private static Gen<JsonNode> Repository() =>
        from name in Gen.Elements(Names)
        from suffix in Gen.Choose(0, 9)
        from isPrivate in Gen.Elements(true, false)
        from archived in Gen.Elements(true, false)
        from size in Gen.Choose(0, 2_000_000)
        from stars in Gen.Choose(0, 50)
        from topics in Gen.SubListOf(Topics)
        from language in Gen.Elements<string?>("C#", "Go", null)
        from owner in Gen.Elements("acme", "octocat")
        from license in Gen.Elements<string?>("MIT", "Apache-2.0", null)
        select (JsonNode)
            new JsonObject
            {
                ["id"] = 1000 + suffix,
                ["name"] = name + suffix,
                ["full_name"] = owner + "/" + name + suffix,
                ["private"] = isPrivate,
                ["archived"] = archived,
                ["fork"] = !isPrivate && archived,
                ["size"] = size,
                ["stargazers_count"] = stars,
                ["topics"] = new JsonArray(topics.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
                ["language"] = language,
                ["visibility"] = isPrivate ? "private" : "public",
                ["owner"] = new JsonObject { ["login"] = owner, ["type"] = "Organization" },
                ["license"] = license == null ? null : new JsonObject { ["spdx_id"] = license },
            };

    private static Gen<string> Text() => Gen.Elements("repo", "a", "billing", "jira", "acme/", "Hello", "x1");

    /// <summary>
    /// Texts that occur at most once in a generated name (jmespath.js's starts_with is lastIndexOf(prefix) === 0).
    /// </summary>
    private static Gen<string> Prefix() => Gen.Elements("repo", "billing", "jira", "acme/", "Hello", "x1", "octocat/");

    private static Gen<string> Number() => Gen.Elements("0", "1", "50", "1000", "1000000", "-1", "2.5");

    private static Gen<string> NumericField() => Gen.Elements("size", "stargazers_count", "id");

    private static Gen<string> StringField() => Gen.Elements("name", "full_name", "visibility", "owner.login");

    private static Gen<string> AnyField() =>
        Gen.Elements(
            "name",
            "private",
            "archived",
            "fork",
            "size",
            "topics",
            "language",
            "license",
            "license.spdx_id",
            "owner",
            "missing"
        );

    private static Gen<string> Condition(int depth)
    {
        var leaf = Gen.OneOf(
            from f in StringField()
            from t in Text()
            from op in Gen.Elements("==", "!=")
            select $"{f} {op} '{t}'",
            from f in NumericField()
            from v in Number()
            from op in Gen.Elements("<", "<=", ">", ">=", "==", "!=")
            select $"{f} {op} `{v}`",
            from f in Gen.Elements("starts_with", "ends_with", "contains")
            from s in StringField()
            from t in Prefix()
            select $"{f}({s}, '{t}')",
            from t in Text()
            select $"contains(topics, '{t}')",
            from f in AnyField()
            select f,
            from f in AnyField()
            select "!" + f,
            from f in AnyField()
            from g in AnyField()
            select $"{f} == {g}",
            from f in AnyField()
            select $"type({f}) == 'string'",
            from v in Number()
            select $"length(topics) >= `{v}`",
            from f in AnyField()
            select $"length({f}) > `0`", // a type error unless f is a string, array or object
            from t in Text()
            select $"starts_with(size, '{t}')", // always a type error
            from f in AnyField()
            select $"not_null({f}, `false`)"
        );
        if (depth <= 0)
            return leaf;
        return Gen.Frequency(
            (4, leaf),
            (
                1,
                from a in Condition(depth - 1)
                from b in Condition(depth - 1)
                from op in Gen.Elements("&&", "||")
                select $"{a} {op} {b}"
            ),
            (1, from a in Condition(depth - 1) select $"!({a})")
        );
    }

    private static Gen<string> Expression() =>
        from c in Condition(2)
        from form in Gen.Elements(
            "[?C]",
            "[?C].name",
            "[?C] | length(@)",
            "[?C] | [0].full_name",
            "sort_by([?C], &size)[].name",
            "[?C] | max_by(@, &stargazers_count).name",
            "[?C] | min_by(@, &stargazers_count).id",
            "[?C].{n: name, t: topics[0]}",
            "[?C][].topics[]",
            "[?C].[name, size]",
            "join(',', [?C].name)",
            "sum([?C].size)",
            "avg([?C].size)",
            "[?C] | [1:3].name",
            "[?C] | [::-1].id",
            "map(&length(topics), [?C])",
            "sort([?C].name)",
            "reverse([?C].id)",
            "[?C] | keys([0] || `{}`)",
            "[?C] | values([0].owner || `{}`)",
            "[?C] | merge(`{}`, [0] || `{}`).name",
            "[?C] | to_array(@)[0].name",
            "to_string([?C].size)",
            "[?C].license.spdx_id",
            "[?C] | @[-1].name",
            "[?C] | not_null([5], [0]).name",
            "length([?C]) > `2` && [0].name || 'none'"
        )
        from cut in Gen.Frequency((9, Gen.Constant(-1)), (1, Gen.Choose(1, 12)))
        let e = form.Replace("C", c)
        let cutAt = cut < 0 || cut >= e.Length ? e.Length : e.Length - cut
        let cutExpression = e.Substring(0, cutAt)
        // jmespath.js takes an unterminated 'raw string to the end of the expression, and accepts a trailing '.'
        // (syntax.json: "foo." is an error); the specification and we refuse both.
        select cutExpression.Count(ch => ch == '\'') % 2 == 0 && !cutExpression.EndsWith('.') ? cutExpression : e;

    private sealed record Case(string Expression, JsonArray Data);

    [Fact]
    public void WeAgreeWithJmespathJs()
    {
        var gen =
            from e in Expression()
            from repos in Gen.ListOf(Repository()).Select(l => l.Take(8).ToArray())
            select new Case(e, new JsonArray(repos));
        var cases = gen.Sample(Cases, 30).ToArray();
        cases.Should().HaveCount(Cases);
        var theirs = JmespathJs.Run(
            cases.Select(c => new JsonObject { ["expression"] = c.Expression, ["data"] = c.Data.DeepClone() })
        );
        theirs.Should().HaveCount(cases.Length);
        var disagreements = new List<string>();
        int errors = 0;
        for (int i = 0; i < cases.Length; i++)
        {
            string ours;
            JsonNode? ourResult = null;
            try
            {
                ourResult = JmesPath.Compile(cases[i].Expression).Evaluate(cases[i].Data);
                ours = "ok";
            }
            catch (JmesPathException e)
            {
                ours = "error " + e.ErrorType;
            }
            var t = theirs[i]!;
            bool theyFailed = t["error"] != null;
            if (theyFailed)
                errors++;
            bool agree = theyFailed
                ? ours != "ok"
                : ours == "ok" && JmesValue.Equal(JmesValue.From(ourResult), JmesValue.From(t["result"]));
            if (!agree)
                disagreements.Add(
                    $"{cases[i].Expression}\n  data: {cases[i].Data.ToJsonString()}\n  ours: "
                        + $"{(ours == "ok" ? ourResult?.ToJsonString() ?? "null" : ours)}\n  jmespath.js: "
                        + $"{t.ToJsonString()}"
                );
        }
        disagreements
            .Should()
            .BeEmpty(
                $"we must agree with jmespath.js on all {cases.Length} cases:\n"
                    + string.Join("\n", disagreements.Take(10))
            );
        errors
            .Should()
            .BeGreaterThan(
                0,
                "some generated cases are errors (type errors, cut expressions), so errors are compared too"
            );
        errors.Should().BeLessThan(cases.Length / 2, "most cases evaluate");
    }
}

/// <summary>
/// npm jmespath 0.16.0 in a temp folder (installed once per machine), run once for a whole batch of cases.
/// </summary>
public static class JmespathJs
{
    private const string Script = """
        const jmespath = require('jmespath');
        const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(l => l.length);
        const out = [];
        for (const l of lines) {
          const c = JSON.parse(l);
          try {
            const r = jmespath.search(c.data, c.expression);
            out.push(JSON.stringify({ result: r === undefined ? null : r }));
          }
          catch (e) { out.push(JSON.stringify({ error: String(e.name || 'Error') + ': ' + e.message })); }
        }
        process.stdout.write(out.join('\n') + '\n');
        """;

    private static readonly Lazy<string> Dir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitintegration-jmespath-0.16.0");
        if (!File.Exists(Path.Combine(dir, "node_modules", "jmespath", "package.json")))
        {
            if (!Tool.Exists("node") || !Tool.Exists("npm"))
                throw new InvalidOperationException(
                    "node and npm are needed to compare with jmespath.js (tests/run-all.sh installs them)."
                );
            Directory.CreateDirectory(dir);
            var (exit, o, e) = Tool.Run(
                "npm",
                new[] { "install", "--prefix", dir, "--no-audit", "--no-fund", "jmespath@0.16.0" }
            );
            if (exit != 0)
                throw new InvalidOperationException("npm install jmespath@0.16.0 failed: " + e + o);
        }
        File.WriteAllText(Path.Combine(dir, "batch.js"), Script);
        return dir;
    });

    public static string Folder() => Dir.Value;

    /// <summary>One node process: each case is {expression, data}; each answer {result} or {error}.</summary>
    public static JsonArray Run(IEnumerable<JsonObject> cases)
    {
        var input = new StringBuilder();
        foreach (var c in cases)
            input.Append(c.ToJsonString()).Append('\n');
        var (exit, o, e) = Tool.Run("node", new[] { Path.Combine(Folder(), "batch.js") }, input.ToString());
        if (exit != 0)
            throw new InvalidOperationException("node failed: " + e);
        return new JsonArray(
            o.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)).ToArray()
        );
    }
}
