using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>
/// What every host's key API must do, against the host stand-in playing that host from its documented examples and
/// request fields, which writes the keys it accepts into an authorized_keys file. One subclass per host gives the
/// mode, the clone URLs and the host's own words; the host-specific cases live in the subclass.
/// </summary>
public abstract class HostKeyPublishingTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();

    protected StandInHost Stand { get; private set; } = null!;
    protected string AuthorizedKeys => _dir["authorized_keys"];

    protected abstract string Mode { get; }
    protected abstract KeyHostType Type { get; }

    /// <summary>Repositories that exist, as the stand-in names them (the clone URL's path).</summary>
    protected abstract string[] Repositories { get; }
    protected abstract string CloneUrl(string path);

    /// <summary>The request line of a key added to a repository, as the stand-in logs it ("POST /... ").</summary>
    protected abstract string AddRepositoryKeyRequest(string path);

    /// <summary>The scope or permission the limited token's error must name.</summary>
    protected abstract string MissingPermission { get; }

    public virtual async Task InitializeAsync()
    {
        File.WriteAllText(AuthorizedKeys, "");
        var options = new StandInOptions { Mode = Mode, AuthorizedKeys = AuthorizedKeys };
        options.Repositories.AddRange(Repositories);
        Stand = await StandInHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await Stand.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    protected virtual HostConnection Connection(string token = StandInHost.Token) =>
        HostConnection.WithToken(new HostEndpoint(Type, Stand.ApiUrl), token, Patient);

    protected static RestOptions Patient =>
        new()
        {
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetries = 1,
            MaxRateLimitWait = TimeSpan.FromSeconds(5),
        };

    protected KeyPublication Target(
        HostConnection c,
        string path,
        KeyTargetKind kind = KeyTargetKind.Repository,
        string? project = null
    ) => new(new KeyTarget(kind, GitUrl.Parse(CloneUrl(path)), project), c);

    protected static KeyPublishOptions Options(SshKey key) =>
        new(key) { Clock = () => new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero) };

    protected static SshKey NewKey() => KeyGenerator.Generate(KeyAlgorithm.Ed25519, comment: "me@laptop");

    protected Task<IReadOnlyList<KeyPublishResult>> Publish(KeyPublication item, KeyPublishOptions options) =>
        KeyPublishing.PublishAsync(new[] { item }, options, null, default);

    protected string Line(SshKey key) => $"{key.SshType} {key.PublicKeyBase64}";

    [Fact]
    public async Task Publishes_a_read_only_key_once_and_writes_it_where_sshd_reads_it()
    {
        var key = NewKey();
        var c = Connection();
        var path = Repositories[0];
        var first = await Publish(Target(c, path), Options(key));

        first[0].Error.Should().BeNull();
        first[0].Status.Should().Be(KeyPublishStatus.Added);
        first[0].ReadOnly.Should().BeTrue();
        first[0].KeyId.Should().NotBeNullOrEmpty();
        Stand.Keys.Single().ReadOnly.Should().BeTrue();
        Stand.Keys.Single().Title.Should().EndWith("(key for the Jira git integration, 2026-12-01)");
        File.ReadAllLines(AuthorizedKeys).Should().Equal(Line(key));
        Stand.Requests.Should().Contain(r => r.StartsWith(AddRepositoryKeyRequest(path)));
        Stand.Requests.Should().NotContain(r => r.StartsWith("refused"));

        key.Comment = "another comment";
        var again = await Publish(Target(c, path), Options(key));
        again[0].Error.Should().BeNull();
        again[0].Status.Should().Be(KeyPublishStatus.AlreadyPresent);
        again[0].KeyId.Should().Be(first[0].KeyId);
        Stand.Requests.Count(r => r.StartsWith("POST ")).Should().Be(1);
        File.ReadAllLines(AuthorizedKeys).Should().HaveCount(1);
    }

    [Fact]
    public async Task Unpublishes_by_fingerprint_and_takes_the_line_out_of_authorized_keys()
    {
        var key = NewKey();
        var c = Connection();
        await Publish(Target(c, Repositories[0]), Options(key));

        var removed = await KeyPublishing.UnpublishAsync(
            new[] { Target(c, Repositories[0]) },
            Options(key),
            null,
            default
        );
        removed[0].Error.Should().BeNull();
        removed[0].Status.Should().Be(KeyPublishStatus.Removed);
        File.ReadAllText(AuthorizedKeys).Should().BeEmpty();
        Stand.Keys.Should().BeEmpty();

        var again = await KeyPublishing.UnpublishAsync(
            new[] { Target(c, Repositories[0]) },
            Options(key),
            null,
            default
        );
        again[0].Status.Should().Be(KeyPublishStatus.NotPresent);
        Stand.Requests.Count(r => r.StartsWith("DELETE ")).Should().Be(1);
    }

    [Fact]
    public async Task A_user_key_is_the_token_users_and_is_removed_again()
    {
        var key = NewKey();
        var c = Connection();
        var r = await Publish(Target(c, Repositories[0], KeyTargetKind.User), Options(key));
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        Stand.Keys.Single().Target.Should().Be("user");
        File.ReadAllLines(AuthorizedKeys).Should().Equal(Line(key));

        var removed = await KeyPublishing.UnpublishAsync(
            new[] { Target(c, Repositories[0], KeyTargetKind.User) },
            Options(key),
            null,
            default
        );
        removed[0].Status.Should().Be(KeyPublishStatus.Removed);
        File.ReadAllText(AuthorizedKeys).Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_repository_is_its_own_typed_error_and_the_others_go_on()
    {
        var c = Connection();
        var results = await KeyPublishing.PublishAsync(
            new[] { Target(c, Repositories[0]), Target(c, Missing) },
            Options(NewKey()),
            null,
            default
        );
        results[0].Status.Should().Be(KeyPublishStatus.Added);
        var e = results[1].Error!;
        e.ErrorId.Should().Be(HostErrorIds.RepositoryNotFound);
        e.Kind.Should().Be(ErrorKind.ObjectNotFound);
        e.Message.Should().Contain(Missing);
        e.Target.Should().Be(CloneUrl(Missing));
    }

    protected virtual string Missing => Repositories[0] + "-missing";

    [Fact]
    public async Task A_token_without_the_scope_is_told_which_one()
    {
        var r = await Publish(Target(Connection(StandInHost.LimitedToken), Repositories[0]), Options(NewKey()));
        var e = r[0].Error!;
        e.ErrorId.Should().Be(HostErrorIds.ScopeMissing);
        e.Kind.Should().Be(ErrorKind.PermissionDenied);
        e.Message.Should().Contain(MissingPermission).And.Contain(Repositories[0]);
        File.ReadAllText(AuthorizedKeys).Should().BeEmpty();
    }

    [Fact]
    public async Task A_token_the_host_does_not_know_is_unauthorized()
    {
        var r = await Publish(Target(Connection("not-a-token"), Repositories[0]), Options(NewKey()));
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.Unauthorized);
        r[0].Error!.Kind.Should().Be(ErrorKind.AuthenticationError);
    }

    [Fact]
    public async Task A_users_key_cannot_also_be_a_repository_key()
    {
        var key = NewKey();
        var c = Connection();
        (await Publish(Target(c, Repositories[0], KeyTargetKind.User), Options(key)))[0].Error.Should().BeNull();

        var r = await Publish(Target(c, Repositories[0]), Options(key));
        var e = r[0].Error!;
        e.ErrorId.Should().Be(HostErrorIds.KeyInUse);
        e.Kind.Should().Be(ErrorKind.ResourceExists);
        e.Message.Should().Contain(Repositories[0]).And.Contain("New-GitSshKey");
        File.ReadAllLines(AuthorizedKeys).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_key_type_the_host_refuses_is_named()
    {
        Stand.Behaviour = new StandInBehaviour { RefusedKeyTypes = { "ssh-ed25519" } };
        var r = await Publish(Target(Connection(), Repositories[0]), Options(NewKey()));
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.KeyTypeRefused);
        r[0].Error!.Kind.Should().Be(ErrorKind.InvalidData);
        r[0].Error!.Message.Should().Contain("refuses this key");
    }

    /// <summary>For the hosts that document a rate limit: one that resets later than the client may wait is a typed
    /// error, and nothing is written.</summary>
    protected async Task A_rate_limit_beyond_the_wait_is_a_typed_error()
    {
        Stand.Behaviour = new StandInBehaviour { RateLimited = { RateLimitScope } };
        var r = await Publish(Target(Connection(), Repositories[0]), Options(NewKey()));
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.RateLimited);
        r[0].Error!.Kind.Should().Be(ErrorKind.LimitsExceeded);
        File.ReadAllText(AuthorizedKeys).Should().BeEmpty();
    }

    /// <summary>What the stand-in's rate-limit faults name for the first repository.</summary>
    protected virtual string RateLimitScope => Repositories[0];
}
