using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Rotation;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.Servers;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Rotation;

/// <summary>
/// Key rotation end to end: the host stand-in playing GitHub writes the keys it holds into the loopback sshd's
/// authorized_keys, so that a key is published when sshd lets it in, and taken off when sshd refuses it, as OpenSSH's
/// own client sees it.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private readonly SshGitServer _sshd = new();

    // GitHub names a repository OWNER/NAME: the repositories live at /OWNER/NAME.git, which sshd reads as that path.
    private readonly string _owner = "gi-rotate-" + Guid.NewGuid().ToString("N").Substring(0, 8);
    private readonly IntegrationStore _store;
    private StandInHost _gh = null!;

    public KeyRotationTests() => _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);

    private string AuthorizedKeys => _sshd.Dir["keys/git"];

    public async Task InitializeAsync()
    {
        File.WriteAllText(AuthorizedKeys, "");
        var template = _sshd.CreateRepository("template");
        Directory.CreateDirectory("/" + _owner);
        foreach (var name in new[] { "app", "api", "web" })
            Tool.Ok("cp", "-a", template, $"/{_owner}/{name}.git");
        File.WriteAllText(_dir["known_hosts"], _sshd.KnownHostsLine + "\n");
        var options = new StandInOptions { Mode = "github", AuthorizedKeys = AuthorizedKeys };
        options.Repositories.AddRange(new[] { "app", "api", "web" }.Select(n => $"{_owner}/{n}"));
        _gh = await StandInHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await _gh.DisposeAsync();

    public void Dispose()
    {
        Directory.Delete("/" + _owner, recursive: true);
        _sshd.Dispose();
        _dir.Dispose();
    }

    /// <summary>An integration as Publish-GitSshKey and Connect-GitRepository leave it: its own key,
    /// published.</summary>
    private Integration Connected(string name, string type = "rsa", string? passphrase = null)
    {
        var key = _dir[$"ssh/{name}"];
        Directory.CreateDirectory(_dir["ssh"]);
        var args = new List<string> { "-q", "-t", type, "-N", passphrase ?? "", "-C", name + "@jira", "-f", key };
        if (type == "rsa")
            args.AddRange(new[] { "-b", "2048", "-m", "PEM" });
        Tool.Ok("ssh-keygen", args.ToArray());
        _gh.AddKey($"repo:{_owner}/{name}", "old", File.ReadAllText(key + ".pub"), readOnly: true);
        var i = new Integration
        {
            Name = name,
            Type = IntegrationType.Ssh,
            Url = $"ssh://git@127.0.0.1:{_sshd.Port}/{_owner}/{name}.git",
            PrivateKeyPath = key,
        };
        if (passphrase != null)
            i.PassphraseRef = _store.WriteSecret(name + "-passphrase", passphrase);
        _store.Update(d =>
        {
            d.Integrations.Add(i);
            return 0;
        });
        return _store.Load().Find(i.Id)!;
    }

    private async Task<IReadOnlyList<KeyRotationResult>> Rotate(params Integration[] integrations)
    {
        using var connections = new SshConnections();
        var options = new KeyRotationOptions
        {
            Template = new GitAccess
            {
                KnownHostsPath = _dir["known_hosts"],
                Timeout = TimeSpan.FromSeconds(60),
                Connections = connections,
            },
            Token = StandInHost.Token,
            HostType = KeyHostType.GitHub,
            ApiUrl = _gh.ApiUrl,
            Rest = new RestOptions { RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 1 },
            ThrottleLimit = 8,
        };
        return await KeyRotation.RotateAsync(_store, integrations, options, default);
    }

    /// <summary>A login with OpenSSH's own client: whether sshd lets <paramref name="key"/> in.</summary>
    private bool LogsIn(string key)
    {
        var (_, _, err) = Tool.Run(
            "ssh",
            new[]
            {
                "-F",
                "none",
                "-i",
                key,
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                $"UserKnownHostsFile={_dir["known_hosts"]}",
                "-p",
                _sshd.Port.ToString(),
                "-T",
                "git@127.0.0.1",
            }
        );
        if (err.Contains("Interactive git shell"))
            return true;
        err.Should().Contain("Permission denied (publickey)", "a refusal is the only other answer expected");
        return false;
    }

    private Integration Stored(Integration i) => _store.Load().Find(i.Id)!;

    private static string Fingerprint(string key) =>
        Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub").Split(' ')[1];

    [Fact]
    public async Task EachIntegrationMovesToANewKeyOnTheHostAndSshdRefusesTheOldOne()
    {
        var all = new[] { Connected("app"), Connected("api"), Connected("web") };

        var results = await Rotate(all);

        results
            .Select(r => (r.Name, r.Step, r.Reason))
            .Should()
            .Equal(all.Select(i => (i.Name, KeyRotationStep.Completed, (string?)null)));
        foreach (var i in all)
        {
            var now = Stored(i);
            var fresh = i.PrivateKeyPath + ".new";
            now.PrivateKeyPath.Should().Be(fresh);
            now.Status.Should().Be(IntegrationStatus.Connected);
            now.Properties.Keys.Should()
                .NotContain(k => k.StartsWith("Rotation"), "a finished rotation leaves no trace");
            SecureFile.UnixMode(fresh)!.Value.Should().Be(Convert.ToInt32("600", 8));
            var info = KeyFiles.Inspect(fresh).Info;
            (info.Algorithm, info.Bits, info.Format)
                .Should()
                .Be(
                    (KeyAlgorithm.Rsa, 4096, KeyFormat.Pem),
                    "a 2048-bit key is replaced by one of the 4096 bits the integration asks for"
                );
            info.Comment.Should().Be(i.Name + "@jira");
            _gh.KeysAt($"repo:{_owner}/{i.Name}").Select(k => k.Fingerprint).Should().Equal(Fingerprint(fresh));
            LogsIn(fresh).Should().BeTrue();
            LogsIn(i.PrivateKeyPath!).Should().BeFalse("the old key is off the host, so sshd refuses it");
        }
        results[0].OldKeyFingerprint.Should().Be(Fingerprint(all[0].PrivateKeyPath!));
        results[0].NewKeyFingerprint.Should().Be(Fingerprint(all[0].PrivateKeyPath + ".new"));
    }

    [Fact]
    public async Task AFailedPublishKeepsTheOldKeyAndTheSameCommandAgainFinishesWithTheKeyItMade()
    {
        var app = Connected("app");
        var api = Connected("api");
        _gh.Behaviour.RateLimited.Add($"{_owner}/api");

        var first = await Rotate(app, api);

        first[0].Step.Should().Be(KeyRotationStep.Completed);
        first[1].Step.Should().Be(KeyRotationStep.Generated);
        first[1].Reason.Should().Be(HostErrorIds.RateLimited);
        first[1].Error!.Message.Should().Contain("'api'").And.Contain("stays on its old key");
        Stored(api).PrivateKeyPath.Should().Be(api.PrivateKeyPath);
        LogsIn(api.PrivateKeyPath!).Should().BeTrue("the integration that failed still works with its old key");
        LogsIn(api.PrivateKeyPath + ".new").Should().BeFalse();
        var made = Fingerprint(api.PrivateKeyPath + ".new");

        _gh.Behaviour.RateLimited.Clear();
        var second = await Rotate(app, api);

        second.Select(r => r.Step).Should().Equal(KeyRotationStep.Completed, KeyRotationStep.Completed);
        second[0].NewKeyPath.Should().BeNull("app was rotated already: the second run leaves it as it is");
        Stored(app).PrivateKeyPath.Should().Be(app.PrivateKeyPath + ".new");
        second[1].NewKeyFingerprint.Should().Be(made, "the second run goes on with the key the first one made");
        File.Exists(api.PrivateKeyPath + ".new2").Should().BeFalse("no third key");
        Stored(api).PrivateKeyPath.Should().Be(api.PrivateKeyPath + ".new");
        LogsIn(api.PrivateKeyPath!).Should().BeFalse();
        Stored(app)
            .Properties.Keys.Should()
            .NotContain(
                k => k.StartsWith("Rotation"),
                "once all of a rotation's integrations are done, its records go"
            );

        var third = await Rotate(app);
        third[0].NewKeyPath.Should().Be(app.PrivateKeyPath + ".new.new", "a new rotation rotates it again");
    }

    [Fact]
    public async Task AnOldKeyAnotherIntegrationStillUsesStaysOnTheHostUntilThatOneMovesToo()
    {
        var app = Connected("app");
        var web = Connected("web");
        _store.Update(d => d.Find(web.Id)!.PrivateKeyPath = app.PrivateKeyPath);
        _gh.AddKey($"repo:{_owner}/web", "shared", File.ReadAllText(app.PrivateKeyPath + ".pub"), readOnly: true);

        var first = await Rotate(app);

        first[0].Step.Should().Be(KeyRotationStep.Switched);
        first[0].Reason.Should().Be(KeyRotationErrorIds.OldKeyStillUsed);
        first[0].Error.Should().BeNull("nothing failed: the old key waits for 'web'");
        first[0].Message.Should().Contain("'web'");
        Stored(app).PrivateKeyPath.Should().Be(app.PrivateKeyPath + ".new");
        _gh.KeysAt($"repo:{_owner}/app").Should().HaveCount(2);
        LogsIn(app.PrivateKeyPath!).Should().BeTrue("'web' still logs in with it");

        var second = await Rotate(app, Stored(web));

        second.Select(r => r.Step).Should().Equal(KeyRotationStep.Completed, KeyRotationStep.Completed);
        Stored(web).PrivateKeyPath.Should().Be(app.PrivateKeyPath + ".new2", "the name app's new key took is skipped");
        LogsIn(app.PrivateKeyPath!).Should().BeFalse();
    }

    [Fact]
    public async Task AKeyKeepsItsTypeFormatAndStoredPassphrase()
    {
        var ed = Connected("app", "ed25519", passphrase: "open sesame");

        var results = await Rotate(ed);

        results[0].Step.Should().Be(KeyRotationStep.Completed, results[0].Message);
        var fresh = ed.PrivateKeyPath + ".new";
        FluentActions.Invoking(() => KeyReader.ReadFile(fresh, "wrong")).Should().Throw<KeyPassphraseException>();
        KeyReader
            .ReadFile(fresh, "open sesame")
            .RequirePrivate()
            .FingerprintSha256.Should()
            .Be(results[0].NewKeyFingerprint);
        var info = KeyFiles.Inspect(fresh, "open sesame").Info;
        (info.Algorithm, info.Format, info.IsEncrypted).Should().Be((KeyAlgorithm.Ed25519, KeyFormat.OpenSsh, true));
        Stored(ed).PassphraseRef.Should().Be(ed.PassphraseRef, "the stored passphrase opens the new key too");
    }

    [Fact]
    public async Task AKeyTheRepositoryDoesNotTakeLeavesTheIntegrationOnItsOldKey()
    {
        var app = Connected("app");
        // The host accepts the key, but the repository is gone from the SSH server: the check with the new key fails.
        Directory.Move($"/{_owner}/app.git", $"/{_owner}/moved.git");

        var results = await Rotate(app);

        results[0].Step.Should().Be(KeyRotationStep.Published);
        results[0].Reason.Should().Be(nameof(ConnectionFailure.RepositoryNotFound));
        results[0].Error!.Message.Should().Contain("'app' stays on its old key");
        Stored(app).PrivateKeyPath.Should().Be(app.PrivateKeyPath);
        Stored(app).Properties[KeyRotation.StepProperty].Should().Be(nameof(KeyRotationStep.Published));
    }

    [Fact]
    public async Task AnIntegrationWithoutAnSshKeyIsNamedAndNothingIsWritten()
    {
        var https = new Integration
        {
            Name = "web-https",
            Type = IntegrationType.Https,
            Url = "https://git.example.com/a/b.git",
        };
        _store.Update(d =>
        {
            d.Integrations.Add(https);
            return 0;
        });

        var results = await Rotate(https);

        results[0].Reason.Should().Be(KeyRotationErrorIds.NoSshKey);
        results[0].Error!.Message.Should().Contain("'web-https'");
        _gh.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa, 2048, KeyFormat.Pem, KeyAlgorithm.Rsa, 4096, PrivateKeyFormat.Pem)]
    [InlineData(KeyAlgorithm.Rsa, 8192, KeyFormat.OpenSsh, KeyAlgorithm.Rsa, 8192, PrivateKeyFormat.OpenSsh)]
    [InlineData(KeyAlgorithm.Rsa, 4096, KeyFormat.Ppk, KeyAlgorithm.Rsa, 4096, PrivateKeyFormat.Pem)]
    [InlineData(KeyAlgorithm.Ecdsa, 384, KeyFormat.Pem, KeyAlgorithm.Ecdsa, 384, PrivateKeyFormat.Pem)]
    [InlineData(KeyAlgorithm.Ed25519, 256, KeyFormat.OpenSsh, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh)]
    [InlineData(KeyAlgorithm.Dsa, 1024, KeyFormat.Pem, KeyAlgorithm.Rsa, 4096, PrivateKeyFormat.Pem)]
    public void TheNewKeyIsLikeTheOldOneAtLeastAsStrongAsTheIntegrationAsks(
        KeyAlgorithm algorithm,
        int bits,
        KeyFormat format,
        KeyAlgorithm newAlgorithm,
        int? newBits,
        PrivateKeyFormat newFormat
    ) =>
        KeyRotation
            .Like(
                new SshKeyInfo
                {
                    Algorithm = algorithm,
                    Bits = bits,
                    Format = format,
                }
            )
            .Should()
            .Be((newAlgorithm, newBits, newFormat));
}
