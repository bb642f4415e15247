using System.Diagnostics;
using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.IO;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>Shared SSH connections (ControlMaster) against the real loopback sshd: one handshake per host and identity, failures still exact.</summary>
public sealed class SshMultiplexerTests : IClassFixture<SshServerFixture>
{
    private const int Repositories = 12;
    private readonly SshServerFixture _f;

    public SshMultiplexerTests(SshServerFixture f)
    {
        _f = f;
        for (int i = 0; i < Repositories; i++)
            if (!Directory.Exists(f.Server.Dir[$"repos/m{i}.git"])) Tool.Ok("cp", "-a", f.Server.Dir["repos/app.git"], f.Server.Dir[$"repos/m{i}.git"]);
    }

    private GitAccess Access(TempDir dir, string key, SshMultiplexer mux, string? passphrase = null) => new()
    {
        KeyPath = key, Passphrase = passphrase, KnownHostsPath = _f.TrustingKnownHosts(dir), Timeout = TimeSpan.FromSeconds(20), Multiplexer = mux,
    };

    private IEnumerable<GitUrl> Repos => Enumerable.Range(0, Repositories).Select(i => GitUrl.Parse(_f.Server.Url($"m{i}")));

    /// <summary>How often sshd has accepted this key so far: one line per authenticated TCP connection.</summary>
    private int Logins(string key)
    {
        var fingerprint = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").Split(' ')[1];
        return _f.Server.Log.Split('\n').Count(l => l.Contains("Accepted publickey") && l.Contains(fingerprint));
    }

    /// <summary>Processes whose command line names the multiplexer's directory (the masters are titled "ssh: PATH [mux]").</summary>
    private static List<string> ProcessesUsing(string dir) =>
        Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)).Select(d =>
        {
            try { return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '); }
            catch (IOException) { return ""; }
            catch (UnauthorizedAccessException) { return ""; }
        }).Where(c => c.Contains(dir)).ToList();

    private static void ShouldEndSoon(string dir)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (ProcessesUsing(dir).Count > 0 && DateTime.UtcNow < until) Thread.Sleep(50);
        ProcessesUsing(dir).Should().BeEmpty("Dispose closes every master");
    }

    [Fact]
    public void ManyRepositoriesCostOneLoginPerKeyAndDisposeLeavesNothingBehind()
    {
        using var dir = new TempDir();
        using var mux = new SshMultiplexer();
        mux.Enabled.Should().BeTrue(mux.DisabledBecause);
        SecureFile.UnixMode(mux.Directory!)!.Value.Should().Be(Convert.ToInt32("700", 8), "whoever reaches a control socket uses the authenticated connection");
        var rsa = Access(dir, _f.RsaPem, mux);
        var ed = Access(dir, _f.Ed25519, mux);
        var (rsaBefore, edBefore) = (Logins(_f.RsaPem), Logins(_f.Ed25519));

        var work = Repos.SelectMany(u => new[] { (u, rsa), (u, ed) }).ToList();
        var results = new GitConnectionResult[work.Count];
        Parallel.For(0, work.Count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = GitConnection.ListRemote(work[i].u, work[i].Item2));

        results.Should().OnlyContain(r => r.Success && r.DefaultBranch == "trunk", string.Join("\n", results.Select(r => r + " " + r.Message)));
        (Logins(_f.RsaPem) - rsaBefore).Should().Be(1, "the first connection per key becomes the master the others use");
        (Logins(_f.Ed25519) - edBefore).Should().Be(1);
        mux.Sockets.Should().HaveCount(2, "two keys: two masters");
        mux.Sockets.Select(Path.GetDirectoryName).Distinct().Should().HaveCount(2, "each identity has its own directory");
        foreach (var sub in mux.Sockets.Select(Path.GetDirectoryName)) SecureFile.UnixMode(sub!)!.Value.Should().Be(Convert.ToInt32("700", 8));
        ProcessesUsing(mux.Directory!).Should().HaveCount(2, "the masters outlive the verifications (ControlPersist)");

        mux.Dispose();
        Directory.Exists(mux.Directory).Should().BeFalse();
        ShouldEndSoon(mux.Directory!);
    }

    [Fact]
    public void LsRemoteReturnsAtOnceThoughItsSshBecameABackgroundMaster()
    {
        using var dir = new TempDir();
        using var mux = new SshMultiplexer();
        var watch = Stopwatch.StartNew();
        var r = GitConnection.ListRemote(Repos.First(), Access(dir, _f.RsaPem, mux));
        r.Success.Should().BeTrue(r.Message);
        // Were git's stdout or stderr pipe held by the master, the call would last until ControlPersist ends it (60 s).
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        mux.Sockets.Should().ContainSingle("the master is still there for the next repository");
    }

    [Fact]
    public void AnotherKeyOrKnownHostsFileNeverUsesTheMasterOfTheFirst()
    {
        using var dir = new TempDir();
        using var other = new TempDir();
        using var mux = new SshMultiplexer();
        var repo = Repos.First();
        GitConnection.ListRemote(repo, Access(dir, _f.RsaPem, mux)).Success.Should().BeTrue();
        mux.Sockets.Should().ContainSingle();

        var stranger = GitConnection.ListRemote(repo, Access(dir, _f.Stranger, mux));
        stranger.Reason.Should().Be(ConnectionFailure.PermissionDenied, "a key the host does not accept never rides on another key's connection");

        var untrusting = new GitAccess { KeyPath = _f.RsaPem, KnownHostsPath = other["empty_known_hosts"], Timeout = TimeSpan.FromSeconds(20), Multiplexer = mux };
        GitConnection.ListRemote(repo, untrusting).Reason.Should().Be(ConnectionFailure.HostKeyUnknown, "trust comes from the caller's own known_hosts");

        var wrong = GitConnection.ListRemote(repo, Access(dir, _f.EncryptedPem, mux, "wrong"));
        wrong.Reason.Should().Be(ConnectionFailure.WrongPassphrase);
        GitConnection.ListRemote(repo, Access(dir, _f.EncryptedPem, mux, SshServerFixture.Passphrase)).Success.Should().BeTrue("the askpass helper also opens a master's key");
        GitConnection.ListRemote(repo, Access(dir, _f.EncryptedPem, mux, "wrong")).Reason.Should().Be(ConnectionFailure.WrongPassphrase,
            "a wrong passphrase is its own identity: it never reaches the master opened with the right one");
        mux.Sockets.Should().HaveCount(2, "only the connections that authenticated became masters");
    }

    [Fact]
    public void ANewHostAcceptedOnceServesTheRepositoriesWaitingForIt()
    {
        using var dir = new TempDir();
        using var mux = new SshMultiplexer();
        var access = new GitAccess { KeyPath = _f.Ed25519, KnownHostsPath = dir["known_hosts"], AcceptNewHostKey = true, Timeout = TimeSpan.FromSeconds(20), Multiplexer = mux };
        var before = Logins(_f.Ed25519);
        var results = Repos.Take(6).AsParallel().WithDegreeOfParallelism(6).Select(u => GitConnection.ListRemote(u, access)).ToList();
        results.Should().OnlyContain(r => r.Success, string.Join("\n", results.Select(r => r + " " + r.Message)));
        File.ReadAllLines(dir["known_hosts"]).Where(l => l.Length > 0).Should().ContainSingle("the first connection trusts the host; the others wait for it");
        (Logins(_f.Ed25519) - before).Should().Be(1);
    }

    [Fact]
    public void TimeoutStillKillsTheProcessTreeAndLeavesNoMasterBehind()
    {
        using var dir = new TempDir();
        using var silent = new SilentServer();
        using var mux = new SshMultiplexer();
        var access = Access(dir, _f.RsaPem, mux);
        access.Timeout = TimeSpan.FromSeconds(3);
        var watch = Stopwatch.StartNew();
        var r = GitConnection.ListRemote(GitUrl.Parse($"ssh://git@127.0.0.1:{silent.Port}/x.git"), access);
        r.Reason.Should().Be(ConnectionFailure.Timeout, r.Message);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(15));
        mux.Sockets.Should().BeEmpty();
        mux.Dispose();
        ShouldEndSoon(mux.Directory!);
    }

    [Fact]
    public async Task SessionsBeyondTheHostsMaxSessionsOpenTheirOwnConnection()
    {
        // sshd allows 10 sessions per connection by default: the 11th and 12th are refused by the master's peer, and ssh
        // then connects on its own. Each session is held open (git-upload-pack waits for our request) until all have answered.
        using var dir = new TempDir();
        using var mux = new SshMultiplexer();
        var access = Access(dir, _f.RsaPem, mux);
        var repo = Repos.First();
        GitConnection.ListRemote(repo, access).Success.Should().BeTrue();
        var before = Logins(_f.RsaPem);
        var args = GitConnection.SshOptions(access).Concat(mux.Options(access))
            .Concat(new[] { "-p", _f.Server.Port.ToString(), "git@127.0.0.1", $"git-upload-pack '{repo.Path}'" }).ToList();
        var sessions = Enumerable.Range(0, 12).Select(_ =>
        {
            var psi = new ProcessStartInfo(Tools.Ssh) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            return Process.Start(psi)!;
        }).ToList();
        try
        {
            var firstLines = await Task.WhenAll(sessions.Select(p => p.StandardOutput.ReadLineAsync())).WaitAsync(TimeSpan.FromSeconds(30));
            firstLines.Should().OnlyContain(l => l != null && l.Contains("HEAD"), "every session gets the ref advertisement");
            (Logins(_f.RsaPem) - before).Should().Be(2, "ten sessions ride on the master, two beyond MaxSessions connect on their own");
        }
        finally
        {
            foreach (var p in sessions)
            {
                p.StandardInput.Close();
                if (!p.WaitForExit(10_000)) p.Kill(true);
                p.Dispose();
            }
        }
    }
}
