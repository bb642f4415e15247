using System.Diagnostics;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests;
using GitIntegration.Core.Tests.Servers;

/// <summary>
/// Connect-GitRepository's verification (git ls-remote over SSH) of 50 repositories on the loopback sshd, one at a time and
/// eight at a time, beside the same 50 plain `git ls-remote` calls run by hand in sequence (the reference).
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

        double Ours(int throttle)
        {
            var w = Stopwatch.StartNew();
            var failed = 0;
            Parallel.ForEach(urls, new ParallelOptions { MaxDegreeOfParallelism = throttle }, u =>
            {
                if (!RepositoryConnector.Verify(new ConnectRequest(u, access)).Success) Interlocked.Increment(ref failed);
            });
            if (failed > 0) throw new InvalidOperationException($"{failed} verifications failed: {server.Log}");
            return w.Elapsed.TotalSeconds;
        }

        double Reference()
        {
            var ssh = $"ssh -F none -i {dir["key"]} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={dir["kh"]}";
            var w = Stopwatch.StartNew();
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
            return w.Elapsed.TotalSeconds;
        }

        Ours(8); // warm-up: JIT, page cache, sshd's first forks
        var reference = Reference();
        var one = Ours(1);
        var eight = Ours(8);
        Console.WriteLine($"verify {count} repositories over SSH on 127.0.0.1 ({Environment.ProcessorCount} cores)");
        Console.WriteLine($"  git ls-remote by hand, sequential : {reference,6:F2} s");
        Console.WriteLine($"  ours, ThrottleLimit 1             : {one,6:F2} s   ({one / reference:F2}x the reference)");
        Console.WriteLine($"  ours, ThrottleLimit 8             : {eight,6:F2} s   ({eight / reference:F2}x the reference)");
        Console.WriteLine($"  speed-up ThrottleLimit 8 vs 1     : {one / eight:F2}x");
    }
}
