using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>One loopback sshd + git-shell and the keys the tests log in with, made once for the class.</summary>
public sealed class SshServerFixture : IDisposable
{
    public const string Passphrase = "s3cret pass'phrase \"&|$";
    public SshGitServer Server { get; } = new();
    public TempDir Keys { get; } = new();
    public string RsaPem => Keys["rsa-pem"];
    public string Ed25519 => Keys["ed25519"];
    public string EncryptedPem => Keys["rsa-pem-enc"];
    public string Stranger => Keys["stranger"];

    public SshServerFixture()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "rsa", "-f", RsaPem);
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ed", "-f", Ed25519);
        Tool.Ok(
            "ssh-keygen",
            "-q",
            "-t",
            "rsa",
            "-b",
            "2048",
            "-m",
            "PEM",
            "-N",
            Passphrase,
            "-C",
            "enc",
            "-f",
            EncryptedPem
        );
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stranger", "-f", Stranger);
        Server.Authorize(
            SshGitServer.GitUser,
            new[] { RsaPem, Ed25519, EncryptedPem }.Select(k => File.ReadAllText(k + ".pub").Trim()).ToArray()
        );
        Server.CreateRepository("app", branch: "trunk", tag: "v1.0");
    }

    /// <summary>A known_hosts that already trusts the server, as after a first accepted connection.</summary>
    public string TrustingKnownHosts(TempDir dir)
    {
        File.WriteAllText(dir["known_hosts"], Server.KnownHostsLine + "\n");
        return dir["known_hosts"];
    }

    public void Dispose()
    {
        Server.Dispose();
        Keys.Dispose();
    }
}

public sealed class SshConnectionTests : IClassFixture<SshServerFixture>
{
    private readonly SshServerFixture _f;

    public SshConnectionTests(SshServerFixture f) => _f = f;

    private GitAccess Access(TempDir dir, string key, string? passphrase = null, KeyRequirement? rule = null) =>
        new()
        {
            KeyPath = key,
            Passphrase = passphrase,
            KnownHostsPath = _f.TrustingKnownHosts(dir),
            Timeout = TimeSpan.FromSeconds(60),
            Requirement = rule,
        };

    private GitUrl Repo => GitUrl.Parse(_f.Server.Url("app"));

    [Fact]
    public void RsaPemKeyAuthenticatesAndPassesTheIntegrationRule()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.RsaPem, rule: KeyRequirement.Integration));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message + " " + _f.Server.Log);
        r.Authenticated.Should().BeTrue();
        r.KeyFingerprint.Should().Be(SshKeygenFixtureFingerprint(_f.RsaPem));
    }

    [Fact]
    public void Ed25519OpenSshKeyAuthenticatesButBreaksTheIntegrationRule()
    {
        using var dir = new TempDir();
        GitConnection
            .TestSsh(Repo, Access(dir, _f.Ed25519, rule: KeyRequirement.Any))
            .Reason.Should()
            .Be(ConnectionFailure.None);
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.Ed25519, rule: KeyRequirement.Integration));
        r.Authenticated.Should().BeTrue();
        r.Reason.Should().Be(ConnectionFailure.KeyRejectedByIntegrationRule);
        r.Remedy.Should().Contain("New-GitSshKey", "an Ed25519 key cannot become RSA: a new key is the fix");
    }

    [Fact]
    public void EncryptedPemOpensWithTheRightPassphraseInProcess()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.EncryptedPem, SshServerFixture.Passphrase));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.Authenticated.Should().BeTrue();
    }

    [Theory]
    [InlineData(null)]
    [InlineData(SshServerFixture.Passphrase)]
    public void APuttyKeyAuthenticatesWithNothingWrittenToDisk(string? passphrase)
    {
        Peer.Require("puttygen", "putty-tools");
        using var dir = new TempDir();
        var ppk = dir["jira.ppk"];
        var args = new List<string> { _f.RsaPem, "-O", "private", "-o", ppk };
        if (passphrase != null)
        {
            File.WriteAllText(dir["pass"], passphrase);
            args.AddRange(new[] { "--new-passphrase", dir["pass"], "--ppk-param", "passes=1" });
        }
        Tool.Ok("puttygen", args.ToArray());
        var before = Directory.GetFileSystemEntries(Path.GetTempPath(), $"gi-{Environment.ProcessId}-*").Length;

        var r = GitConnection.ListRemote(Repo, Access(dir, ppk, passphrase));

        r.Reason.Should().Be(ConnectionFailure.None, r.Message + " " + _f.Server.Log);
        r.DefaultBranch.Should().Be("trunk");
        r.KeyFingerprint.Should().Be(SshKeygenFixtureFingerprint(_f.RsaPem));
        Directory
            .GetFileSystemEntries(Path.GetTempPath(), $"gi-{Environment.ProcessId}-*")
            .Should()
            .HaveCount(before, "the key is opened in this process: no copy for ssh, no helper");
    }

    [Fact]
    public void EncryptedPemWithTheWrongPassphraseSaysSo()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.EncryptedPem, "wrong"));
        r.Reason.Should().Be(ConnectionFailure.WrongPassphrase);
        r.Authenticated.Should().BeFalse();
        GitConnection
            .TestSsh(Repo, Access(dir, _f.EncryptedPem))
            .Reason.Should()
            .Be(ConnectionFailure.PassphraseRequired);
    }

    [Fact]
    public void KeyNotInAuthorizedKeysIsPermissionDeniedWithWhereToAddIt()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.Stranger));
        r.Reason.Should().Be(ConnectionFailure.PermissionDenied);
        r.Message.Should().Contain($"'{Repo}'").And.Contain("Permission denied (publickey)");
        r.Remedy.Should().Contain("authorized_keys").And.Contain(SshKeygenFixtureFingerprint(_f.Stranger));
    }

    [Fact]
    public void UnknownHostIsRefusedWithItsFingerprintThenTrustedOnlyWithAcceptNewHostKey()
    {
        using var dir = new TempDir();
        var access = new GitAccess
        {
            KeyPath = _f.RsaPem,
            KnownHostsPath = dir["kh"],
            Timeout = TimeSpan.FromSeconds(60),
        };
        var r = GitConnection.TestSsh(Repo, access);
        r.Reason.Should().Be(ConnectionFailure.HostKeyUnknown);
        r.Message.Should().Contain(_f.Server.HostKeyFingerprint);
        File.Exists(dir["kh"]).Should().BeFalse("nothing is trusted without being asked");

        access.AcceptNewHostKey = true;
        GitConnection.TestSsh(Repo, access).Reason.Should().Be(ConnectionFailure.None);
        File.ReadAllText(dir["kh"]).Should().Contain(_f.Server.KnownHostsLine.Split(' ')[2]);
        access.AcceptNewHostKey = false;
        GitConnection.TestSsh(Repo, access).Reason.Should().Be(ConnectionFailure.None, "the key is now known");
    }

    [Fact]
    public void ChangedHostKeyIsAHardErrorShowingBothFingerprints()
    {
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir["other"]);
        File.WriteAllText(dir["kh"], $"[127.0.0.1]:{_f.Server.Port} {File.ReadAllText(dir["other.pub"]).Trim()}\n");
        var old = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", dir["other.pub"]).Split(' ')[1];
        var access = new GitAccess
        {
            KeyPath = _f.RsaPem,
            KnownHostsPath = dir["kh"],
            AcceptNewHostKey = true,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var r = GitConnection.TestSsh(Repo, access);
        r.Reason.Should().Be(ConnectionFailure.HostKeyChanged);
        r.Message.Should().Contain(old).And.Contain(_f.Server.HostKeyFingerprint).And.Contain($"'{Repo}'");
        File.ReadAllText(dir["kh"])
            .Should()
            .NotContain(_f.Server.HostKeyPublic.Split(' ')[1], "-AcceptNewHostKey never overrides a changed key");
    }

    [Fact]
    public void ClosedPortIsConnectionRefused()
    {
        using var dir = new TempDir();
        var url = GitUrl.Parse($"ssh://git@127.0.0.1:{Peer.FreePort()}/x.git");
        var r = GitConnection.TestSsh(url, Access(dir, _f.RsaPem));
        r.Reason.Should().Be(ConnectionFailure.ConnectionRefused);
        r.Message.Should().Contain($"'{url}'");
    }

    [Fact]
    public void ListenerThatNeverAnswersIsATimeout()
    {
        using var dir = new TempDir();
        using var silent = new SilentServer();
        var access = Access(dir, _f.RsaPem);
        access.Timeout = TimeSpan.FromSeconds(4);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = GitConnection.TestSsh(GitUrl.Parse($"ssh://git@127.0.0.1:{silent.Port}/x.git"), access);
        r.Reason.Should().Be(ConnectionFailure.Timeout, r.Message);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "a hang guard only");
    }

    [Fact]
    public void UnresolvableHostIsNameResolution()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(GitUrl.Parse("git@no-such-host.invalid:x.git"), Access(dir, _f.RsaPem));
        r.Reason.Should().Be(ConnectionFailure.NameResolution);
    }

    [Fact]
    public void LsRemoteFindsTheDefaultBranchAndCountsRefs()
    {
        using var dir = new TempDir();
        var r = GitConnection.ListRemote(Repo, Access(dir, _f.EncryptedPem, SshServerFixture.Passphrase));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.DefaultBranch.Should().Be("trunk");
        r.BranchCount.Should().Be(1);
        r.TagCount.Should().Be(1);
    }

    [Fact]
    public void LsRemoteOfAMissingRepositoryIsRepositoryNotFound()
    {
        using var dir = new TempDir();
        var r = GitConnection.ListRemote(GitUrl.Parse(_f.Server.Url("missing")), Access(dir, _f.RsaPem));
        r.Reason.Should().Be(ConnectionFailure.RepositoryNotFound, r.Message);
        r.Authenticated.Should().BeTrue();
        r.Message.Should()
            .Contain($"'{_f.Server.Url("missing")}'", "the message names the repository")
            .And.Contain(
                $"\"fatal: '{_f.Server.Dir["repos/missing.git"]}' does not appear to be a git repository\"",
                "and quotes git's own words"
            );
    }

    [Fact]
    public void HostKeyScanReportsTheServersKeyAndWhetherItIsKnown()
    {
        using var dir = new TempDir();
        var keys = HostKeyScanner.Scan(
            "127.0.0.1",
            _f.Server.Port,
            TimeSpan.FromSeconds(5),
            _f.TrustingKnownHosts(dir)
        );
        keys.Should().ContainSingle();
        keys[0].Fingerprint.Should().Be(_f.Server.HostKeyFingerprint);
        keys[0].KeyType.Should().Be("ssh-ed25519");
        keys[0].IsKnown.Should().BeTrue();
        keys[0].MatchesPublished.Should().BeNull("127.0.0.1 is no public service");
    }

    [Theory]
    [InlineData("KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1", "ed25519")]
    [InlineData("HostKeyAlgorithms ssh-rsa", "rsa")]
    public void AServerThatOffersOnlySha1IsRefused(string config, string hostKeyType)
    {
        using var server = SshGitServer.WithConfig(config, hostKeyType);
        server.Authorize(SshGitServer.GitUser, File.ReadAllText(_f.RsaPem + ".pub").Trim());
        using var dir = new TempDir();
        File.WriteAllText(dir["kh"], server.KnownHostsLine + "\n");
        var r = GitConnection.TestSsh(
            GitUrl.Parse($"ssh://git@127.0.0.1:{server.Port}/x.git"),
            new GitAccess
            {
                KeyPath = _f.RsaPem,
                KnownHostsPath = dir["kh"],
                Timeout = TimeSpan.FromSeconds(60),
            }
        );
        r.Reason.Should().Be(ConnectionFailure.ConnectionFailed, r.Message);
        r.Authenticated.Should().BeFalse();
        server.Log.Should().NotContain("Accepted publickey");
    }

    [Fact]
    public void AnRsaKeyNeverSignsWithSha1()
    {
        // The server accepts RSA keys only with ssh-rsa (SHA-1) signatures: our key offers rsa-sha2-512 and
        // rsa-sha2-256 only.
        using var server = SshGitServer.WithConfig("PubkeyAcceptedAlgorithms ssh-rsa");
        server.Authorize(SshGitServer.GitUser, File.ReadAllText(_f.RsaPem + ".pub").Trim());
        using var dir = new TempDir();
        File.WriteAllText(dir["kh"], server.KnownHostsLine + "\n");
        var r = GitConnection.TestSsh(
            GitUrl.Parse($"ssh://git@127.0.0.1:{server.Port}/x.git"),
            new GitAccess
            {
                KeyPath = _f.RsaPem,
                KnownHostsPath = dir["kh"],
                Timeout = TimeSpan.FromSeconds(60),
            }
        );
        r.Reason.Should().Be(ConnectionFailure.PermissionDenied, r.Message);
        server.Log.Should().NotContain("Accepted publickey");
    }

    [Fact]
    public void TheNegotiatedAlgorithmsAreNamedAndNoneIsSha1()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(Repo, Access(dir, _f.RsaPem));
        r.Negotiated.Should()
            .MatchRegex("^key exchange (mlkem768x25519|sntrup761x25519|curve25519)\\S*, host key ssh-ed25519$");
        r.Negotiated.Should().NotContain("sha1");
    }

    private static string SshKeygenFixtureFingerprint(string path) =>
        Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", path).Split(' ')[1];
}

public sealed class RepositoryConnectorTests : IClassFixture<SshServerFixture>
{
    private readonly SshServerFixture _f;

    public RepositoryConnectorTests(SshServerFixture f) => _f = f;

    [Fact]
    public void ConnectStoresAVerifiedIntegrationAndReverifyUpdatesIt()
    {
        using var dir = new TempDir();
        var store = Core.Store.IntegrationStore.Open(dir["store"]);
        var access = new GitAccess
        {
            KeyPath = _f.EncryptedPem,
            Passphrase = SshServerFixture.Passphrase,
            KnownHostsPath = _f.TrustingKnownHosts(dir),
        };
        var request = new ConnectRequest(GitUrl.Parse(_f.Server.Url("app")), access);
        var saved = RepositoryConnector.Save(store, request, RepositoryConnector.Verify(request), force: false);

        saved.Name.Should().Be("app");
        saved.Status.Should().Be(Core.Store.IntegrationStatus.Connected);
        saved.Properties["DefaultBranch"].Should().Be("trunk");
        saved.PassphraseRef.Should().NotBeNull();
        File.ReadAllText(store.Path).Should().NotContain(SshServerFixture.Passphrase);
        store.ReadSecret(saved.PassphraseRef!).Should().Be(SshServerFixture.Passphrase);

        // Connecting the same URL again updates it: one integration, not two.
        RepositoryConnector.Save(store, request, RepositoryConnector.Verify(request), force: false);
        store.Load().Integrations.Should().ContainSingle();

        var again = RepositoryConnector.RequestFor(
            store,
            store.Load().Integrations[0],
            new GitAccess { KnownHostsPath = access.KnownHostsPath }
        );
        var updated = RepositoryConnector.Update(store, saved, RepositoryConnector.Verify(again));
        updated.Status.Should().Be(Core.Store.IntegrationStatus.Connected);
        updated.LastVerified.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void FailedVerificationStoresNothingUnlessForced()
    {
        using var dir = new TempDir();
        var store = Core.Store.IntegrationStore.Open(dir["store"]);
        var request = new ConnectRequest(
            GitUrl.Parse(_f.Server.Url("app")),
            new GitAccess { KeyPath = _f.Stranger, KnownHostsPath = _f.TrustingKnownHosts(dir) }
        );
        var result = RepositoryConnector.Verify(request);
        var act = () => RepositoryConnector.Save(store, request, result, force: false);
        act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be("PermissionDenied");
        store.Load().Integrations.Should().BeEmpty();

        var forced = RepositoryConnector.Save(store, request, result, force: true);
        forced.Status.Should().Be(Core.Store.IntegrationStatus.Failed);
        forced.Properties["FailureReason"].Should().Be("PermissionDenied");
    }

    [Fact]
    public void CloneFollowsAVerifiedConnection()
    {
        using var dir = new TempDir();
        var request = new ConnectRequest(
            GitUrl.Parse(_f.Server.Url("app")),
            new GitAccess { KeyPath = _f.RsaPem, KnownHostsPath = _f.TrustingKnownHosts(dir) }
        )
        {
            CloneTo = dir["clone"],
        };
        RepositoryConnector.Verify(request).Success.Should().BeTrue();
        File.ReadAllText(Path.Combine(dir["clone"], "file.txt")).Should().Be("commit 0\n");
    }
}
