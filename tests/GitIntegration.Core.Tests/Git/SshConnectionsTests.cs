using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// Shared in-process SSH connections against the real loopback sshd: one login per host and key, failures still exact.
/// </summary>
public sealed class SshConnectionsTests : IClassFixture<SshServerFixture>
{
    private const int Repositories = 12;
    private readonly SshServerFixture _f;

    public SshConnectionsTests(SshServerFixture f)
    {
        _f = f;
        for (int i = 0; i < Repositories; i++)
            if (!Directory.Exists(f.Server.Dir[$"repos/m{i}.git"]))
                Tool.Ok("cp", "-a", f.Server.Dir["repos/app.git"], f.Server.Dir[$"repos/m{i}.git"]);
    }

    private GitAccess Access(TempDir dir, string key, SshConnections connections, string? passphrase = null) =>
        new()
        {
            KeyPath = key,
            Passphrase = passphrase,
            KnownHostsPath = _f.TrustingKnownHosts(dir),
            Timeout = TimeSpan.FromSeconds(60),
            Connections = connections,
        };

    private IEnumerable<GitUrl> Repos =>
        Enumerable.Range(0, Repositories).Select(i => GitUrl.Parse(_f.Server.Url($"m{i}")));

    /// <summary>
    /// How often sshd has accepted this key so far: one line per authenticated TCP connection. Read once the
    /// connections have ended (dispose the SshConnections first), so that every login is in the log.
    /// </summary>
    private int Logins(string key)
    {
        var fingerprint = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").Split(' ')[1];
        return _f
            .Server.SettledLog()
            .Split('\n')
            .Count(l => l.Contains("Accepted publickey") && l.Contains(fingerprint));
    }

    [Fact]
    public void ManyRepositoriesCostOneLoginPerKey()
    {
        using var dir = new TempDir();
        using var connections = new SshConnections();
        var rsa = Access(dir, _f.RsaPem, connections);
        var ed = Access(dir, _f.Ed25519, connections);
        var (rsaBefore, edBefore) = (Logins(_f.RsaPem), Logins(_f.Ed25519));

        var work = Repos.SelectMany(u => new[] { (u, rsa), (u, ed) }).ToList();
        var results = new GitConnectionResult[work.Count];
        Parallel.For(
            0,
            work.Count,
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = GitConnection.ListRemote(work[i].u, work[i].Item2)
        );

        results
            .Should()
            .OnlyContain(
                r => r.Success && r.DefaultBranch == "trunk" && r.TagCount == 1,
                string.Join("\n", results.Select(r => r + " " + r.Message))
            );
        connections.Dispose();
        (Logins(_f.RsaPem) - rsaBefore).Should().Be(1, "every repository rides on the key's one connection");
        (Logins(_f.Ed25519) - edBefore).Should().Be(1);
        connections.Logins.Should().Be(2);
    }

    [Fact]
    public void MoreChecksAtOnceThanSshdsMaxSessionsStillShareOneConnection()
    {
        // sshd refuses an 11th session on one connection: were more than 10 channels opened at once, the refused ones
        // would need a second connection (a retry) or fail.
        using var dir = new TempDir();
        using var connections = new SshConnections();
        var access = Access(dir, _f.RsaPem, connections);
        var before = Logins(_f.RsaPem);
        var work = Enumerable.Range(0, 3).SelectMany(_ => Repos).ToList();
        var results = work.AsParallel()
            .WithDegreeOfParallelism(24)
            .Select(u => GitConnection.ListRemote(u, access))
            .ToList();
        results.Should().OnlyContain(r => r.Success, string.Join("\n", results.Select(r => r + " " + r.Message)));
        connections.Dispose();
        (Logins(_f.RsaPem) - before)
            .Should()
            .Be(1, "no session was refused: at most " + SshConnections.MaxChannels + " run at once\n" + _f.Server.Log);
    }

    [Fact]
    public void AnotherKeyOrKnownHostsFileNeverUsesTheConnectionOfTheFirst()
    {
        using var dir = new TempDir();
        using var other = new TempDir();
        using var connections = new SshConnections();
        var repo = Repos.First();
        GitConnection.ListRemote(repo, Access(dir, _f.RsaPem, connections)).Success.Should().BeTrue();

        var stranger = GitConnection.ListRemote(repo, Access(dir, _f.Stranger, connections));
        stranger
            .Reason.Should()
            .Be(
                ConnectionFailure.PermissionDenied,
                "a key the host does not accept never rides on another key's connection"
            );

        var untrusting = new GitAccess
        {
            KeyPath = _f.RsaPem,
            KnownHostsPath = other["empty_known_hosts"],
            Timeout = TimeSpan.FromSeconds(60),
            Connections = connections,
        };
        GitConnection
            .ListRemote(repo, untrusting)
            .Reason.Should()
            .Be(ConnectionFailure.HostKeyUnknown, "trust comes from the caller's own known_hosts");

        GitConnection
            .ListRemote(repo, Access(dir, _f.EncryptedPem, connections, "wrong"))
            .Reason.Should()
            .Be(ConnectionFailure.WrongPassphrase);
        GitConnection
            .ListRemote(repo, Access(dir, _f.EncryptedPem, connections, SshServerFixture.Passphrase))
            .Success.Should()
            .BeTrue();
        GitConnection
            .ListRemote(repo, Access(dir, _f.EncryptedPem, connections, "wrong"))
            .Reason.Should()
            .Be(
                ConnectionFailure.WrongPassphrase,
                "a wrong passphrase never reaches the connection opened with the right one"
            );
    }

    [Fact]
    public void ANewHostAcceptedOnceServesTheRepositoriesWaitingForIt()
    {
        using var dir = new TempDir();
        using var connections = new SshConnections();
        var access = new GitAccess
        {
            KeyPath = _f.Ed25519,
            KnownHostsPath = dir["known_hosts"],
            AcceptNewHostKey = true,
            Timeout = TimeSpan.FromSeconds(60),
            Connections = connections,
        };
        var before = Logins(_f.Ed25519);
        var results = Repos
            .Take(6)
            .AsParallel()
            .WithDegreeOfParallelism(6)
            .Select(u => GitConnection.ListRemote(u, access))
            .ToList();
        results.Should().OnlyContain(r => r.Success, string.Join("\n", results.Select(r => r + " " + r.Message)));
        File.ReadAllLines(dir["known_hosts"])
            .Where(l => l.Length > 0)
            .Should()
            .ContainSingle("the first connection trusts the host; the others wait for it");
        connections.Dispose();
        (Logins(_f.Ed25519) - before).Should().Be(1);
    }

    [Fact]
    public void AConnectionDroppedByTheServerIsReplacedAndNoRepositoryFails()
    {
        using var dir = new TempDir();
        using var connections = new SshConnections();
        var access = Access(dir, _f.RsaPem, connections);
        var repo = Repos.First();
        GitConnection.ListRemote(repo, access).Success.Should().BeTrue();
        // sshd runs one process per connection under the listener: killing them drops our shared connection.
        foreach (var child in _f.Server.ConnectionProcesses())
            Tool.Run("kill", new[] { "-9", child.ToString() });
        var before = Logins(_f.RsaPem);

        var results = Repos
            .AsParallel()
            .WithDegreeOfParallelism(4)
            .Select(u => GitConnection.ListRemote(u, access))
            .ToList();

        results.Should().OnlyContain(r => r.Success, string.Join("\n", results.Select(r => r + " " + r.Message)));
        connections.Dispose();
        (Logins(_f.RsaPem) - before).Should().Be(1, "one fresh connection replaces the dropped one");
    }

    [Fact]
    public void TimeoutEndsTheCheck()
    {
        using var dir = new TempDir();
        using var silent = new SilentServer();
        using var connections = new SshConnections();
        var access = Access(dir, _f.RsaPem, connections);
        access.Timeout = TimeSpan.FromSeconds(3);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = GitConnection.ListRemote(GitUrl.Parse($"ssh://git@127.0.0.1:{silent.Port}/x.git"), access);
        r.Reason.Should().Be(ConnectionFailure.Timeout, r.Message);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "a hang guard only");
    }
}
