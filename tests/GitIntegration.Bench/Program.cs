using System.Diagnostics;
using GitIntegration.Core.Keys;

// Our timings beside the reference tool's for the same work, in one run, and their ratio.
// Usage: dotnet run -c Release --project tests/GitIntegration.Bench -- [scenario ...]   (no scenario: all)
var scenarios = new Dictionary<string, Action>
{
    ["keys"] = KeyBench.Run,
};
var chosen = args.Length == 0 ? scenarios.Keys.ToArray() : args;
foreach (var name in chosen)
{
    if (!scenarios.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown scenario '{name}'. Known: {string.Join(", ", scenarios.Keys)}");
        return 2;
    }
    run();
}
return 0;

/// <summary>Times work repeatedly and reports the median, with the reference tool measured the same way.</summary>
public static class Measure
{
    /// <summary>Runs the two sides alternately, so that load from elsewhere falls on both alike; returns the medians.</summary>
    public static (double Ours, double Theirs) Interleaved(int runs, Action ours, Action theirs)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            a.Add(Time(ours));
            b.Add(Time(theirs));
        }
        return (Median(a), Median(b));
    }

    private static double Time(Action work)
    {
        var sw = Stopwatch.StartNew();
        work();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }

    public static void Tool(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed");
    }

    public static void Report(string what, int runs, double ours, string tool, double theirs) =>
        Console.WriteLine($"{what,-48} runs {runs,3}  ours {ours,9:F1} ms  {tool,-14} {theirs,9:F1} ms  ratio {ours / theirs,5:F2}x");
}

public static class KeyBench
{
    public static void Run()
    {
        var dir = Directory.CreateTempSubdirectory("gi-bench-").FullName;
        try
        {
            Console.WriteLine($"keys: medians; ratio = ours / reference (below 1 is faster). {Environment.ProcessorCount} cores.");
            // Generation: RSA-4096 varies a lot run to run (prime search), so take many runs.
            const int genRuns = 25;
            KeyGenerator.Generate(KeyAlgorithm.Rsa, 2048); // warm-up: JIT and the platform provider
            int n = 0;
            var (ours, theirs) = Measure.Interleaved(genRuns,
                () => KeyFiles.Generate(Path.Combine(dir, $"ours{n}"), KeyAlgorithm.Rsa, 4096, PrivateKeyFormat.Pem, null, "", false),
                () => Measure.Tool("ssh-keygen", "-q", "-t", "rsa", "-b", "4096", "-m", "PEM", "-N", "", "-f", Path.Combine(dir, $"gen{n++}")));
            Measure.Report("RSA-4096 generation + write (PEM)", genRuns, ours, "ssh-keygen", theirs);

            // Decoding an encrypted OpenSSH key: bcrypt (16 rounds) dominates.
            foreach (var (type, bits) in new[] { ("ed25519", "256"), ("rsa", "4096") })
            {
                var key = Path.Combine(dir, $"enc-{type}");
                Measure.Tool("ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "bench pass", "-a", "16", "-f", key);
                const int runs = 15;
                KeyReader.ReadFile(key, "bench pass");
                (ours, theirs) = Measure.Interleaved(runs, () => KeyReader.ReadFile(key, "bench pass"),
                    () => Measure.Tool("ssh-keygen", "-y", "-P", "bench pass", "-f", key));
                Measure.Report($"OpenSSH aes256-ctr/bcrypt-16 decode ({type})", runs, ours, "ssh-keygen -y", theirs);
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}
