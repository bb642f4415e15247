using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitIntegration.Core.Query;

/// <summary>
/// A RepositoryFilter over 10,000 repository objects shaped like GitHub's documented example (every field GitHub
/// sends). Ours: JmesPathExpression.SelectFrom on the parsed JSON elements (what Get-GitHubAppRepository does:
/// conversion and evaluation). Reference: npm jmespath 0.16.0's search() on the same data, already parsed, timed
/// inside one node process. Same expression, same data, medians of interleaved runs.
/// </summary>
static class JmesPathBench
{
    private const string Filter =
        "[?!archived && size < `500000` && (starts_with(name, 'billing-') || contains(topics, 'jira'))]";

    public static void Run()
    {
        const int count = 10_000,
            runs = 15;
        var data = Repositories(count);
        var json = data.ToJsonString();
        var elements = JsonDocument.Parse(json).RootElement.EnumerateArray().ToArray();
        var expression = JmesPath.Compile(Filter);

        var dir = Path.Combine(Path.GetTempPath(), "gi-bench-jmespath-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "data.json"), json);
            var node = NodeTimes(dir, runs);
            int kept = 0;
            var ours = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                kept = expression.SelectFrom(elements).Count;
                ours.Add(sw.Elapsed.TotalMilliseconds);
            }
            ours.Sort();
            if (kept != node.Kept)
                throw new InvalidOperationException($"we keep {kept} repositories, jmespath.js {node.Kept}");
            Measure.Report(
                $"jmespath: filter {count:N0} repositories (keeps {kept})",
                runs,
                ours[runs / 2],
                "jmespath.js",
                node.Median
            );
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static JsonArray Repositories(int count)
    {
        var file = Path.Combine(
            Measure.RepoRoot(),
            "tests",
            "GitIntegration.Core.Tests",
            "GitHub",
            "Fixtures",
            "github-examples.json"
        );
        var example = JsonNode.Parse(File.ReadAllText(file))!["GET /installation/repositories"]!["200"]![
            "repositories"
        ]![0]!;
        var names = new[] { "billing-", "jira-", "web-", "docs-", "infra-" };
        var topics = new[] { "jira", "api", "legacy", "octocat" };
        var rnd = new Random(42);
        var all = new JsonArray();
        for (int i = 0; i < count; i++)
        {
            var r = example.DeepClone();
            r["id"] = 1_000_000 + i;
            r["name"] = names[i % names.Length] + i;
            r["full_name"] = "acme/" + r["name"];
            r["archived"] = rnd.Next(10) == 0;
            r["private"] = rnd.Next(2) == 0;
            r["size"] = rnd.Next(0, 2_000_000);
            r["topics"] = new JsonArray(
                topics.Where(_ => rnd.Next(3) == 0).Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()
            );
            all.Add(r);
        }
        return all;
    }

    private static (double Median, int Kept) NodeTimes(string dir, int runs)
    {
        var module = Path.Combine(Path.GetTempPath(), "gitintegration-jmespath-0.16.0");
        if (!File.Exists(Path.Combine(module, "node_modules", "jmespath", "package.json")))
            Measure.Tool("npm", "install", "--prefix", module, "--no-audit", "--no-fund", "jmespath@0.16.0");
        File.WriteAllText(
            Path.Combine(dir, "bench.js"),
            $$"""
            const jmespath = require({{JsonSerializer.Serialize(Path.Combine(module, "node_modules", "jmespath"))}});
            const data = JSON.parse(require('fs').readFileSync({{JsonSerializer.Serialize(
                Path.Combine(dir, "data.json")
            )}}, 'utf8'));
            const times = []; let kept = 0;
            for (let i = 0; i < {{runs}}; i++) {
              const t = process.hrtime.bigint();
              kept = jmespath.search(data, {{JsonSerializer.Serialize(Filter)}}).length;
              times.push(Number(process.hrtime.bigint() - t) / 1e6);
            }
            times.sort((a, b) => a - b);
            console.log(JSON.stringify({ median: times[Math.floor(times.length / 2)], kept }));
            """
        );
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(dir, "bench.js"));
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEnd();
        var e = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException("node failed: " + e);
        var r = JsonNode.Parse(o)!;
        return ((double)r["median"]!, (int)r["kept"]!);
    }
}
