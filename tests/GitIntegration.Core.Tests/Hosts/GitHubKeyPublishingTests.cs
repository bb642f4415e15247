using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>
/// KeyPublishing against the host stand-in playing GitHub (its documented examples and request fields), which writes
/// the keys it accepts into an authorized_keys file: what the module publishes is what an sshd would let in.
/// </summary>
public sealed class GitHubKeyPublishingTests : IAsyncLifetime, IDisposable
{
    private readonly TempDir _dir = new();
    private StandInHost _gh = null!;
    private string AuthorizedKeys => _dir["authorized_keys"];

    public async Task InitializeAsync()
    {
        File.WriteAllText(AuthorizedKeys, "");
        var options = new StandInOptions { Mode = "github", AuthorizedKeys = AuthorizedKeys };
        options.Repositories.AddRange(new[] { "acme/app", "acme/api", "acme/web", "acme/busy" });
        _gh = await StandInHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await _gh.DisposeAsync();

    public void Dispose() => _dir.Dispose();

    private HostConnection Connection(string token = StandInHost.Token, TimeSpan? maxWait = null) =>
        HostConnection.WithToken(new HostEndpoint(KeyHostType.GitHub, _gh.ApiUrl), token, new RestOptions
        {
            RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 1,
            MaxRateLimitWait = maxWait ?? TimeSpan.FromSeconds(5),
        });

    private static KeyPublication Repo(HostConnection c, string path, KeyTargetKind kind = KeyTargetKind.Repository) =>
        new(new KeyTarget(kind, GitUrl.Parse($"git@github.com:{path}.git")), c);

    private static KeyPublishOptions Options(SshKey key) =>
        new(key) { Clock = () => new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero) };

    private static SshKey NewKey() => KeyGenerator.Generate(KeyAlgorithm.Ed25519, comment: "me@laptop");

    [Fact]
    public async Task Publishes_a_read_only_deploy_key_once_and_writes_it_where_sshd_reads_it()
    {
        var key = NewKey();
        var c = Connection();
        var first = await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);

        first.Should().ContainSingle();
        first[0].Error.Should().BeNull();
        first[0].Status.Should().Be(KeyPublishStatus.Added);
        first[0].ReadOnly.Should().BeTrue();
        first[0].Title.Should().Be("app (key for the Jira git integration, 2026-12-01)");
        first[0].Fingerprint.Should().Be(StandInHost.Fingerprint(key.PublicKeyLine));
        first[0].KeyId.Should().Be(_gh.Keys.Single().Id.ToString());
        File.ReadAllLines(AuthorizedKeys).Should().Equal($"{key.SshType} {key.PublicKeyBase64}");
        _gh.Requests.Should()
            .Contain(r => r.StartsWith("POST /repos/acme/app/keys ") && r.Contains("\"read_only\":true"));
        _gh.Requests.Should().NotContain(r => r.StartsWith("refused"));

        // The same key again, even with another comment: found by fingerprint, not added twice.
        key.Comment = "another comment";
        var again = await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);
        again[0].Status.Should().Be(KeyPublishStatus.AlreadyPresent);
        again[0].KeyId.Should().Be(first[0].KeyId);
        _gh.Requests.Count(r => r.StartsWith("POST ")).Should().Be(1);
        File.ReadAllLines(AuthorizedKeys).Should().HaveCount(1);
    }

    [Fact]
    public async Task Unpublishes_by_fingerprint_and_takes_the_line_out_of_authorized_keys()
    {
        var key = NewKey();
        var c = Connection();
        await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);

        var removed = await KeyPublishing.UnpublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);
        removed[0].Status.Should().Be(KeyPublishStatus.Removed);
        File.ReadAllText(AuthorizedKeys).Should().BeEmpty();
        _gh.Keys.Should().BeEmpty();

        var again = await KeyPublishing.UnpublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);
        again[0].Status.Should().Be(KeyPublishStatus.NotPresent);
        _gh.Requests.Count(r => r.StartsWith("DELETE ")).Should().Be(1);
    }

    [Fact]
    public async Task A_user_key_goes_to_the_users_keys_without_read_only()
    {
        var key = NewKey();
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/app", KeyTargetKind.User) },
            Options(key), null, default);
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        r[0].TargetKind.Should().Be(KeyTargetKind.User);
        _gh.Requests.Should().Contain(x => x.StartsWith("POST /user/keys ") && !x.Contains("read_only"));
        _gh.Keys.Single().Target.Should().Be("user");
    }

    [Fact]
    public async Task Allow_write_sends_read_only_false()
    {
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/app") },
            new KeyPublishOptions(NewKey()) { AllowWrite = true, Title = "ci push key" }, null, default);
        r[0].ReadOnly.Should().BeFalse();
        r[0].Title.Should().Be("ci push key");
        _gh.Keys.Single().ReadOnly.Should().BeFalse();
    }

    [Fact]
    public async Task Each_repository_gets_its_own_result_and_error_in_the_order_given()
    {
        var key = NewKey();
        var c = Connection();
        var finished = new List<string>();
        var results = await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/app"), Repo(c, "acme/missing") },
            Options(key), r => { lock (finished) finished.Add(r.Target); }, default);

        results[0].Status.Should().Be(KeyPublishStatus.Added);
        results[1].Status.Should().Be(KeyPublishStatus.Failed);
        results[1].Error!.ErrorId.Should().Be(HostErrorIds.RepositoryNotFound);
        results[1].Error!.Kind.Should().Be(ErrorKind.ObjectNotFound);
        results[1].Error!.Message.Should().Contain("acme/missing");
        results[1].Error!.Target.Should().Be("git@github.com:acme/missing.git");
        finished.Should().BeEquivalentTo("acme/app", "acme/missing");
    }

    [Fact]
    public async Task A_token_without_the_permission_is_told_which_one()
    {
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(StandInHost.LimitedToken), "acme/app") },
            Options(NewKey()), null, default);
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.ScopeMissing);
        r[0].Error!.Kind.Should().Be(ErrorKind.PermissionDenied);
        r[0].Error!.Message.Should().Contain("administration=write").And.Contain("acme/app");
    }

    [Fact]
    public async Task A_deploy_key_used_by_another_repository_is_refused_with_one_key_per_repository()
    {
        var key = NewKey();
        var c = Connection();
        var results = await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/app") }, Options(key), null, default);
        results[0].Status.Should().Be(KeyPublishStatus.Added);

        var second = await KeyPublishing.PublishAsync(new[] { Repo(c, "acme/api") },
            new KeyPublishOptions(key) { KeyPath = "/keys/jira_git" }, null, default);
        var e = second[0].Error!;
        e.ErrorId.Should().Be(HostErrorIds.KeyInUse);
        e.Kind.Should().Be(ErrorKind.ResourceExists);
        e.Message.Should().Contain("acme/api").And.Contain("one key per repository")
            .And.Contain("New-GitSshKey -Path '/keys/jira_git_api'");
    }

    [Fact]
    public async Task A_key_type_the_host_refuses_is_named()
    {
        _gh.Behaviour = new StandInBehaviour { RefusedKeyTypes = { "ssh-ed25519" } };
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/app") }, Options(NewKey()), null,
            default);
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.KeyTypeRefused);
        r[0].Error!.Kind.Should().Be(ErrorKind.InvalidData);
    }

    [Fact]
    public async Task A_rate_limit_that_resets_later_than_the_wait_allows_is_a_typed_error()
    {
        _gh.Behaviour = new StandInBehaviour { RateLimited = { "acme/busy" } };
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/busy") }, Options(NewKey()), null,
            default);
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.RateLimited);
        r[0].Error!.Kind.Should().Be(ErrorKind.LimitsExceeded);
        r[0].Error!.Message.Should().Contain("rate limit");
    }

    [Fact]
    public async Task A_secondary_rate_limit_is_waited_out_as_the_GitHub_client_does()
    {
        _gh.Behaviour = new StandInBehaviour { RateLimitOnce = { "acme/web" } };
        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/web") }, Options(NewKey()), null,
            default);
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        _gh.Requests.Count(x => x.StartsWith("GET /repos/acme/web/keys")).Should().Be(2);
    }
}
