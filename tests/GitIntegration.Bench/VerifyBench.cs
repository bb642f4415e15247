using System.Diagnostics;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests;
using GitIntegration.Core.Tests.Servers;

/// <summary>
/// Connect-GitRepository's verification (git ls-remote over SSH) of 50 repositories on the loopback sshd, one at a time and
/// eight at a time, with shared SSH connections (the cmdlets' default) and without, beside the same 50 plain `git ls-remote`
/// calls run by hand in sequence (the reference), with their own handshakes and over one ControlMaster.
/// </summary>
static class VerifyBench
{
    public static void Run()
    {
        const int count = 50;
        using var server = new SshGitServer();
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", dir["key"]);
        server.Authorize(SshGitServer.GitUser, File.ReadAllText(dir["key.pub"]).Trim());
        var first = server.CreateRepository("r0");
        for (int i = 1; i < count; i++) Tool.Ok("cp", "-a", first, server.Dir[$"repos/r{i}.git"]);
        File.WriteAllText(dir["kh"], server.KnownHostsLine + "\n");
        var urls = Enumerable.Range(0, count).Select(i => GitUrl.Parse(server.Url($"r{i}"))).ToList();
        var access = new GitAccess { KeyPath = dir["key"], KnownHostsPath = dir["kh"], Timeout = TimeSpan.FromSeconds(60) };

        // One run of the cmdlets' work: a multiplexer per invocation (created, used, disposed), or none.
        Sample Ours(int throttle, bool share) => Sample.Of(() =>
        {
            using var mux = share ? new SshMultiplexer() : null;
            var run = new GitAccess { KeyPath = access.KeyPath, KnownHostsPath = access.KnownHostsPath, Timeout = access.Timeout, Multiplexer = mux };
            var failed = 0;
            Parallel.ForEach(urls, new ParallelOptions { MaxDegreeOfParallelism = throttle }, u =>
            {
                if (!RepositoryConnector.Verify(new ConnectRequest(u, run)).Success) Interlocked.Increment(ref failed);
            });
            if (failed > 0) throw new InvalidOperationException($"{failed} verifications failed: {server.Log}");
        });

        // The same listings by hand: git ls-remote one after the other, each with its own ssh handshake, or all over one ControlMaster.
        Sample Reference(bool share) => Sample.Of(() =>
        {
            var ssh = $"ssh -F none -i {dir["key"]} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={dir["kh"]}";
            if (share) ssh += $" -o ControlMaster=auto -o ControlPath={dir.Path}/%C -o ControlPersist=10";
            foreach (var u in urls)
            {
                var psi = new ProcessStartInfo("git") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
                psi.ArgumentList.Add("ls-remote");
                psi.ArgumentList.Add(u.ToString());
                psi.Environment["GIT_SSH_COMMAND"] = ssh;
                using var p = Process.Start(psi)!;
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException("git ls-remote failed: " + p.StandardError.ReadToEnd());
            }
            if (share) Tool.Ok("ssh", "-o", $"ControlPath={dir.Path}/%C", "-p", server.Port.ToString(), "-O", "exit", "git@127.0.0.1");
        });

        Ours(8, share: true); // warm-up: JIT, page cache, sshd's first forks
        var reference = Reference(share: false);
        var referenceShared = Reference(share: true);
        var one = Ours(1, share: false);
        var eight = Ours(8, share: false);
        var oneShared = Ours(1, share: true);
        var eightShared = Ours(8, share: true);
        Console.WriteLine($"verify {count} repositories over SSH on 127.0.0.1 ({Environment.ProcessorCount} cores; CPU = whole machine's busy time / {count})");
        void Line(string what, Sample s, string ratio = "") =>
            Console.WriteLine($"  {what,-48}: {s.Seconds,6:F2} s  {1000 * s.Seconds / count,6:F1} ms/repo  CPU {1000 * s.CpuSeconds / count,6:F1} ms/repo  {ratio}");
        Line("git ls-remote by hand, sequential", reference);
        Line("git ls-remote by hand, sequential, ControlMaster", referenceShared);
        Line("ours, not shared, ThrottleLimit 1", one, $"({one.Seconds / reference.Seconds:F2}x the reference)");
        Line("ours, not shared, ThrottleLimit 8", eight, $"(speed-up {one.Seconds / eight.Seconds:F2}x over ThrottleLimit 1)");
        Line("ours, shared (default), ThrottleLimit 1", oneShared, $"({oneShared.Seconds / referenceShared.Seconds:F2}x the ControlMaster reference)");
        Line("ours, shared (default), ThrottleLimit 8", eightShared, $"(speed-up {oneShared.Seconds / eightShared.Seconds:F2}x over ThrottleLimit 1)");
        Console.WriteLine($"  ThrottleLimit 1 not shared -> ThrottleLimit 8 shared (default) : {one.Seconds / eightShared.Seconds:F2}x");
    }

    /// <summary>Wall time and the machine's busy CPU time (all processes, from /proc/stat: sshd's too) of one run.</summary>
    private readonly record struct Sample(double Seconds, double CpuSeconds)
    {
        public static Sample Of(Action work)
        {
            var cpu = BusyJiffies();
            var w = Stopwatch.StartNew();
            work();
            return new Sample(w.Elapsed.TotalSeconds, (BusyJiffies() - cpu) / 100.0); // USER_HZ is 100 on Linux
        }

        private static long BusyJiffies()
        {
            if (!File.Exists("/proc/stat")) return 0;
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]; // user nice system irq softirq steal (not idle, iowait; guest is inside user)
        }
    }
}
