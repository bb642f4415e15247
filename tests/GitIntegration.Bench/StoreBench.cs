using System.Diagnostics;
using System.Text;
using GitIntegration.Core.Store;
using YamlDotNet.Serialization;

/// <summary>
/// The integration store at 10,000 integrations: import a 10,000-row TSV into an empty store, load the store, filter
/// it.
/// Reference: YamlDotNet's generic deserializer loading the same file into dictionaries (what a naive store would do).
/// Goals from issue 4: import &lt; 2 s, load &lt; 0.3 s, peak memory &lt; 200 MB.
/// </summary>
static class StoreBench
{
    public static void Run()
    {
        const int count = 10_000;
        var dir = Path.Combine(Path.GetTempPath(), "gi-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var tsv = new StringBuilder(
                "id\tname\ttype\torigin\thostUrl\torganization\tsslVerify\trepositoryFilter\tproperty.appId\r\n"
            );
            for (int i = 0; i < count; i++)
                tsv.Append(
                    $"\trepo-{i}\t{(i % 3 == 0 ? "GitLab" : "Ssh")}\tgit@git.acme.test:team{i % 50}/"
                        + $"repo-{i}.git\thttps://git.acme.test\tteam{i % 50}\ttrue\t[?name != 'x']\t{i}\r\n"
                );
            var store = IntegrationStore.Open(Path.Combine(dir, "integrations.yaml"));

            var w = Stopwatch.StartNew();
            var rows = BulkFiles.Read(tsv.ToString(), BulkFormat.Tsv, "bench.tsv", out _);
            var results = IntegrationImport.Run(store, rows, new ImportOptions());
            var import = w.Elapsed.TotalSeconds;
            if (results.Count(r => r.Action == ImportAction.Created) != count)
                throw new InvalidOperationException("import failed");

            var loads = new List<double>();
            StoreDocument doc = null!;
            for (int k = 0; k < 5; k++)
            {
                w.Restart();
                doc = store.Load();
                loads.Add(w.Elapsed.TotalSeconds);
            }
            if (doc.Integrations.Count != count)
                throw new InvalidOperationException("load lost integrations");

            w.Restart();
            var pattern = new System.Text.RegularExpressions.Regex(
                "^repo-1.*5$",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase
            );
            var hits = doc.Integrations.Where(i => i.Type == IntegrationType.GitLab && pattern.IsMatch(i.Name)).Count();
            var filter = w.Elapsed.TotalSeconds;

            var refLoads = new List<double>();
            var text = File.ReadAllText(store.Path);
            var yaml = new DeserializerBuilder().Build();
            for (int k = 0; k < 5; k++)
            {
                w.Restart();
                yaml.Deserialize<Dictionary<string, object>>(text);
                refLoads.Add(w.Elapsed.TotalSeconds);
            }

            var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024);
            Console.WriteLine($"store file: {new FileInfo(store.Path).Length / 1024} KiB, {count} integrations");
            Console.WriteLine($"import {count} TSV rows into an empty store: {import:0.000} s (goal < 2 s)");
            Console.WriteLine(
                $"load: first {loads[0]:0.000} s, best {loads.Min():0.000} s (goal < 0.3 s); YamlDotNet generic "
                    + $"deserializer: first {refLoads[0]:0.000} s, best {refLoads.Min():0.000} s; ratio "
                    + $"{loads.Min() / refLoads.Min():0.00}"
            );
            Console.WriteLine($"filter (type and name pattern, {hits} hits): {filter * 1000:0.0} ms");
            Console.WriteLine($"peak working set: {peak:0} MB (goal < 200 MB)");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
