using System.Diagnostics;

/// <summary>Times work repeatedly and reports the median, with the reference tool measured the same way.</summary>
public static class Measure
{
    /// <summary>
    /// Runs the two sides alternately, so that load from elsewhere falls on both alike; returns the medians.
    /// </summary>
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

    public static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>The repository's root: the folder holding GitIntegration.sln, found upward from the program.</summary>
    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "GitIntegration.sln")))
                return d.FullName;
        throw new DirectoryNotFoundException("GitIntegration.sln not found above the program (run it from the repo)");
    }

    public static void Tool(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} failed");
    }

    public static void Report(string what, int runs, double ours, string tool, double theirs) =>
        Console.WriteLine(
            $"{what, -48} runs {runs, 3}  ours {ours, 9:F1} ms  {tool, -14} {theirs, 9:F1} ms  ratio "
                + $"{ours / theirs, 5:F2}x"
        );
}
