using System.Globalization;
using GitIntegration.Core.Tests;

/// <summary>
/// Import-Module of the built module folder (out/GitIntegration, from build.ps1) in a fresh pwsh process, beside
/// Import-Module of Microsoft.PowerShell.PSResourceGet, the binary module that ships with pwsh 7.6. Timed inside the
/// child, so pwsh's own start-up is left out; then the first command call (Get-Command -Module), and the whole process
/// as seen from here. Goal from the issue: no slower than PSResourceGet's import.
/// </summary>
static class ImportBench
{
    private const string Reference = "Microsoft.PowerShell.PSResourceGet";

    private sealed record Sample(double Import, double FirstCall, int Commands, string Version);

    public static void Run()
    {
        const int runs = 15;
        var root = Measure.RepoRoot();
        var module = Path.Combine(root, "out", "GitIntegration");
        if (!File.Exists(Path.Combine(module, "GitIntegration.psd1")))
            throw new InvalidOperationException($"{module} is missing: run pwsh -NoProfile -File build.ps1 first.");
        var pwsh = FindPwsh(root);
        // Inherited by every pwsh started below, so that none of them spends a timing on telemetry or an update check.
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");

        // Both by path: by name, Import-Module first searches PSModulePath, which the path to ours would skip.
        // Not Join-Path: a cmdlet before the stopwatch auto-loads its module, warming up Import-Module for one side.
        var ours = Script($"'{module.Replace("'", "''")}'", "GitIntegration");
        var theirs = Script($"[IO.Path]::Combine($PSHOME, 'Modules', '{Reference}')", Reference);
        Sample Child(string script)
        {
            var f = Tool.Ok(pwsh, "-NoProfile", "-NonInteractive", "-Command", script).Trim().Split(' ');
            var c = CultureInfo.InvariantCulture;
            return new Sample(double.Parse(f[0], c), double.Parse(f[1], c), int.Parse(f[2], c), f[3]);
        }

        var (warmOurs, warmTheirs) = (Child(ours), Child(theirs)); // warm-up: the page cache
        if (warmOurs.Commands == 0 || warmTheirs.Commands == 0)
            throw new InvalidOperationException($"no commands imported: {warmOurs.Commands}, {warmTheirs.Commands}");
        var a = new List<Sample>();
        var b = new List<Sample>();
        var (oursWall, theirsWall) = Measure.Interleaved(runs, () => a.Add(Child(ours)), () => b.Add(Child(theirs)));

        Console.WriteLine(
            $"import: medians of {runs} fresh pwsh {warmOurs.Version} processes each, alternating; "
                + $"ratio = ours / {Reference} (goal: at most 1). {Environment.ProcessorCount} cores."
        );
        Console.WriteLine($"  ours: {module} ({warmOurs.Commands} commands); theirs: {warmTheirs.Commands} commands");
        double Median(List<Sample> s, Func<Sample, double> of) => Measure.Median(s.Select(of).ToList());
        Measure.Report(
            "Import-Module (timed inside pwsh)",
            runs,
            Median(a, s => s.Import),
            "PSResourceGet",
            Median(b, s => s.Import)
        );
        Measure.Report(
            "Import-Module + Get-Command -Module (inside)",
            runs,
            Median(a, s => s.FirstCall),
            "PSResourceGet",
            Median(b, s => s.FirstCall)
        );
        Measure.Report("whole pwsh process, start-up included (wall)", runs, oursWall, "PSResourceGet", theirsWall);
    }

    // Prints "<import ms> <import + first call ms> <commands> <pwsh version>", the numbers in the invariant culture.
    private static string Script(string path, string name) =>
        $$"""
            $ErrorActionPreference = 'Stop'; $path = {{path}}; $c = [Globalization.CultureInfo]::InvariantCulture
            $sw = [Diagnostics.Stopwatch]::StartNew()
            Import-Module $path
            $import = $sw.Elapsed.TotalMilliseconds
            $commands = @(Get-Command -Module {{name}}).Count
            $first = $sw.Elapsed.TotalMilliseconds
            "$($import.ToString($c)) $($first.ToString($c)) $commands $($PSVersionTable.PSVersion)"
            """;

    internal static string FindPwsh(string root)
    {
        var exe = OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh";
        var chosen = Environment.GetEnvironmentVariable("GITINTEGRATION_PWSH");
        if (!string.IsNullOrEmpty(chosen))
            return File.Exists(chosen)
                ? chosen
                : throw new FileNotFoundException($"GITINTEGRATION_PWSH={chosen}: no such file");
        if (Tool.Exists(exe))
            return exe;
        var local = Path.Combine(root, ".tools", "pwsh", exe);
        if (File.Exists(local))
            return local;
        throw new InvalidOperationException(
            "pwsh 7.6 not found (GITINTEGRATION_PWSH, PATH, .tools/pwsh): "
                + "`bash build.sh` installs it into .tools/pwsh."
        );
    }
}
