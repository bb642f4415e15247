using System.Diagnostics;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests;
using GitIntegration.Core.Tests.Servers;

/// <summary>
/// Connect-GitRepository's verification of 50 repositories on one loopback sshd at the default settings (ThrottleLimit
/// 4, one shared in-process SSH connection), interleaved in one run with the same 50 listings by hand: git ls-remote
/// one after the other, each with its own ssh handshake, and all over one ControlMaster. Then one cold check: the first
/// Test-GitSshKey -Url in a fresh pwsh against ssh -T. Goal from the issue: at least 2x faster than ls-remote over a
/// ControlMaster, and one handshake for all 50.
/// </summary>
static class VerifyBench
{
    public static void Run()
    {
        const int count = 50,
            rounds = 5;
        using var server = new SshGitServer();
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", dir["key"]);
        server.Authorize(SshGitServer.GitUser, File.ReadAllText(dir["key.pub"]).Trim());
        var first = server.CreateRepository("r0");
        for (int i = 1; i < count; i++)
            Tool.Ok("cp", "-a", first, server.Dir[$"repos/r{i}.git"]);
        File.WriteAllText(dir["kh"], server.KnownHostsLine + "\n");
        var urls = Enumerable.Range(0, count).Select(i => GitUrl.Parse(server.Url($"r{i}"))).ToList();
        int logins = 0;

        // One run of the cmdlet's work: its connections created, used by every repository, disposed.
        void Ours()
        {
            using var connections = new SshConnections();
            var run = new GitAccess
            {
                KeyPath = dir["key"],
                KnownHostsPath = dir["kh"],
                Timeout = TimeSpan.FromSeconds(60),
                Connections = connections,
            };
            var failed = 0;
            Parallel.ForEach(
                urls,
                new ParallelOptions { MaxDegreeOfParallelism = 4 },
                u =>
                {
                    if (!RepositoryConnector.Verify(new ConnectRequest(u, run)).Success)
                        Interlocked.Increment(ref failed);
                }
            );
            if (failed > 0)
                throw new InvalidOperationException($"{failed} verifications failed: {server.Log}");
            logins = connections.Logins;
        }

        var ssh =
            $"ssh -F none -i {dir["key"]} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes "
            + $"-o UserKnownHostsFile={dir["kh"]}";
        void Reference(bool share)
        {
            var command = share
                ? ssh + $" -o ControlMaster=auto -o ControlPath={dir.Path}/%C -o ControlPersist=10"
                : ssh;
            foreach (var u in urls)
            {
                var psi = new ProcessStartInfo("git")
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                psi.ArgumentList.Add("ls-remote");
                psi.ArgumentList.Add(u.ToString());
                psi.Environment["GIT_SSH_COMMAND"] = command;
                using var p = Process.Start(psi)!;
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0)
                    throw new InvalidOperationException("git ls-remote failed: " + p.StandardError.ReadToEnd());
            }
            if (share)
                Tool.Ok(
                    "ssh",
                    "-o",
                    $"ControlPath={dir.Path}/%C",
                    "-p",
                    server.Port.ToString(),
                    "-O",
                    "exit",
                    "git@127.0.0.1"
                );
        }

        Ours(); // warm-up: JIT, page cache, sshd's first forks
        var ours = new List<double>();
        var plain = new List<double>();
        var master = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            ours.Add(Seconds(Ours));
            plain.Add(Seconds(() => Reference(share: false)));
            master.Add(Seconds(() => Reference(share: true)));
        }
        var (o, p0, m) = (Measure.Median(ours), Measure.Median(plain), Measure.Median(master));
        Console.WriteLine(
            $"verify: {count} repositories on 127.0.0.1, medians of {rounds} interleaved rounds "
                + $"({Environment.ProcessorCount} cores)"
        );
        Console.WriteLine(
            $"  ours (ThrottleLimit 4, shared connection)         : {o, 6:F2} s  {1000 * o / count, 6:F1} "
                + $"ms/repo  SSH logins: {logins}"
        );
        Console.WriteLine(
            $"  git ls-remote by hand, own handshake each        : {p0, 6:F2} s  {1000 * p0 / count, 6:F1} "
                + $"ms/repo  ours is {p0 / o:F2}x faster"
        );
        Console.WriteLine(
            $"  git ls-remote by hand, one ControlMaster          : {m, 6:F2} s  {1000 * m / count, 6:F1} "
                + $"ms/repo  ours is {m / o:F2}x faster (goal >= 2)"
        );

        Cold(server, dir);
    }

    /// <summary>
    /// The first check of a session: a fresh pwsh imports the module and runs Test-GitSshKey -Url, beside ssh -T.
    /// </summary>
    private static void Cold(SshGitServer server, TempDir dir)
    {
        const int runs = 5;
        var root = Measure.RepoRoot();
        var module = Path.Combine(root, "out", "GitIntegration");
        if (!File.Exists(Path.Combine(module, "GitIntegration.psd1")))
        {
            Console.WriteLine(
                $"  cold check skipped: {module} is missing (run pwsh -NoProfile -File build.ps1 first)."
            );
            return;
        }
        var pwsh = ImportBench.FindPwsh(root);
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");
        var url = server.Url("r0");
        var script =
            $"Import-Module '{module}'; if (-not (Test-GitSshKey -Path '{dir["key"]}' -Url '{url}' "
            + $"-KnownHostsPath '{dir["kh"]}' -Requirement Any -Quiet)) {{ exit 1 }}";
        void Ours() => Tool.Ok(pwsh, "-NoProfile", "-NonInteractive", "-Command", script);
        void Ssh()
        {
            var (exit, _, err) = Tool.Run(
                "ssh",
                new[]
                {
                    "-F",
                    "none",
                    "-i",
                    dir["key"],
                    "-o",
                    "IdentitiesOnly=yes",
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "StrictHostKeyChecking=yes",
                    "-o",
                    $"UserKnownHostsFile={dir["kh"]}",
                    "-p",
                    server.Port.ToString(),
                    "-T",
                    "git@127.0.0.1",
                }
            );
            if (!err.Contains("Interactive git shell"))
                throw new InvalidOperationException($"ssh -T failed ({exit}): {err}");
        }
        void Bare() => Tool.Ok(pwsh, "-NoProfile", "-NonInteractive", "-Command", "exit 0");
        Ours();
        var (ours, theirs) = Measure.Interleaved(runs, Ours, Ssh);
        var (bare, _) = Measure.Interleaved(runs, Bare, () => { });
        Console.WriteLine(
            $"  cold check, medians of {runs}: fresh pwsh + Import-Module + Test-GitSshKey -Url {ours, 7:F0} ms; "
                + $"ssh -T {theirs, 6:F0} ms; ratio {ours / theirs:F1}x"
        );
        Console.WriteLine(
            $"    of which pwsh's own start-up (pwsh -Command 'exit 0'): {bare, 7:F0} ms; "
                + $"the module's part: {ours - bare, 6:F0} ms ({(ours - bare) / theirs:F1}x ssh -T)"
        );
    }

    private static double Seconds(Action work)
    {
        var w = Stopwatch.StartNew();
        work();
        return w.Elapsed.TotalSeconds;
    }
}
