using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.IO;

/// <summary>
/// What a killed PowerShell leaves in the temporary folder: never a key in clear, and nothing once the module runs
/// again.
/// </summary>
public sealed class TemporaryFolderTests
{
    [DllImport("libc", SetLastError = true)] private static extern int kill(int pid, int sig);

    private static int DeadProcessId()
    {
        using var p = Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void TheSweepDeletesOnlyThisUsersFoldersWhoseProcessIsGone()
    {
        using var parent = new TempDir();
        using var sleeper = Process.Start("sleep", "60")!;
        try
        {
            var dead = DeadProcessId();
            string Make(string name)
            {
                SecureFile.CreatePrivateDirectory(parent[name]);
                File.WriteAllText(Path.Combine(parent[name], "askpass.sh"), "#!/bin/sh\n");
                return parent[name];
            }
            var left = Make($"gi-{dead}-0a1b2c");
            var mine = Make($"gi-{Environment.ProcessId}-0a1b2c");
            var running = Make($"gi-{sleeper.Id}-0a1b2c");
            var others = Make($"gi-{dead}-3d4e5f");
            Peer.RequireUser(Attacker.User);
            Tool.Ok("chown", "-R", Attacker.User, others);
            var unrelated = Make("gi-0a1b2c3d4e");
            var victim = Make("victim");
            File.CreateSymbolicLink(parent[$"gi-{dead}-666666"], victim);

            TemporaryFolders.SweepStale(parent.Path).Should().Be(1);

            Directory.Exists(left).Should().BeFalse("its process is gone");
            foreach (var kept in new[] { mine, running, others, unrelated, victim })
                Directory.Exists(kept).Should().BeTrue(kept);
            File.Exists(Path.Combine(victim, "askpass.sh")).Should().BeTrue("a link is never followed");
        }
        finally { Peer.Stop(sleeper); }
    }

    [Fact]
    public void AConnectionKilledWithAPuttyKeyLeavesNoKeyInClearAndTheNextStartClearsItsFolders()
    {
        Peer.Require("puttygen", "putty-tools");
        using var keys = new TempDir();
        using var tmp = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", keys["rsa"]);
        Tool.Ok("puttygen", keys["rsa"], "-O", "private", "-o", keys["rsa.ppk"]);
        File.WriteAllText(keys["kh"], "");
        // A server that takes the connection and never answers: ssh waits for its banner until the process is killed.
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var url = $"ssh://git@127.0.0.1:{port}/x.git";
        using var p = SecondProcess.Start("022", tmp.Path, "ls-remote", url, keys["rsa.ppk"], keys["kh"], "99");
        try
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (!KeyFilesUnder(tmp.Path).Any() && DateTime.UtcNow < until && !p.HasExited) Thread.Sleep(50);
            var copies = KeyFilesUnder(tmp.Path).ToList();
            copies.Should().NotBeEmpty("ssh is given a copy of the PuTTY key: " +
                (p.HasExited ? p.StandardError.ReadToEnd() : "still running"));
            kill(p.Id, 9).Should().Be(0);
            p.WaitForExit();
            foreach (var ssh in ProcessesUsing(tmp.Path)) kill(ssh, 9);

            foreach (var copy in KeyFilesUnder(tmp.Path))
                KeyReader.ReadFile(copy).IsEncrypted.Should().BeTrue($"'{copy}' outlived its process");

            using var next = SecondProcess.Start("022", tmp.Path, "temp");
            next.WaitForExit(60_000).Should().BeTrue();
            next.ExitCode.Should().Be(0, next.StandardError.ReadToEnd());
            Directory.GetFileSystemEntries(tmp.Path).Should().BeEmpty("the next start deletes what was left");
        }
        finally
        {
            Peer.Stop(p);
            silent.Stop();
        }
    }

    /// <summary>Key files the module put there: gi-* files, and files in gi-* folders.</summary>
    private static IEnumerable<string> KeyFilesUnder(string dir) =>
        Directory.EnumerateFiles(dir, "gi-*")
            .Concat(Directory.EnumerateDirectories(dir, "gi-*").SelectMany(Directory.EnumerateFiles)).Where(f =>
        {
            try { return File.ReadAllText(f).Contains("PRIVATE KEY-----"); }
            catch (IOException) { return false; }
        });

    private static List<int> ProcessesUsing(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var n) ? n : 0, Dir: d)).Where(x => x.Pid > 0)
            .Where(x =>
            {
                try { return File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Contains(text); }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            }).Select(x => x.Pid).ToList();
}
