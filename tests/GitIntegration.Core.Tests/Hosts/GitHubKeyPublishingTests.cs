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
        HostConnection.WithToken(
            new HostEndpoint(KeyHostType.GitHub, _gh.ApiUrl),
            token,
            new RestOptions
            {
                RetryDelay = TimeSpan.FromMilliseconds(20),
                MaxRetries = 1,
                MaxRateLimitWait = maxWait ?? TimeSpan.FromSeconds(5),
            }
        );

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
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/app", KeyTargetKind.User) },
            Options(key),
            null,
            default
        );
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        r[0].TargetKind.Should().Be(KeyTargetKind.User);
        _gh.Requests.Should().Contain(x => x.StartsWith("POST /user/keys ") && !x.Contains("read_only"));
        _gh.Keys.Single().Target.Should().Be("user");
    }

    [Fact]
    public async Task Allow_write_sends_read_only_false()
    {
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/app") },
            new KeyPublishOptions(NewKey()) { AllowWrite = true, Title = "ci push key" },
            null,
            default
        );
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
        var results = await KeyPublishing.PublishAsync(
            new[] { Repo(c, "acme/app"), Repo(c, "acme/missing") },
            Options(key),
            r =>
            {
                lock (finished)
                    finished.Add(r.Target);
            },
            default
        );

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
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(StandInHost.LimitedToken), "acme/app") },
            Options(NewKey()),
            null,
            default
        );
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

        var second = await KeyPublishing.PublishAsync(
            new[] { Repo(c, "acme/api") },
            new KeyPublishOptions(key) { KeyPath = "/keys/jira_git" },
            null,
            default
        );
        var e = second[0].Error!;
        e.ErrorId.Should().Be(HostErrorIds.KeyInUse);
        e.Kind.Should().Be(ErrorKind.ResourceExists);
        e.Message.Should()
            .Contain("acme/api")
            .And.Contain("one key per repository")
            .And.Contain("New-GitSshKey -Path '/keys/jira_git_api'");
    }

    [Fact]
    public async Task A_key_type_the_host_refuses_is_named()
    {
        _gh.Behaviour = new StandInBehaviour { RefusedKeyTypes = { "ssh-ed25519" } };
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/app") },
            Options(NewKey()),
            null,
            default
        );
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.KeyTypeRefused);
        r[0].Error!.Kind.Should().Be(ErrorKind.InvalidData);
    }

    [Fact]
    public async Task A_rate_limit_that_resets_later_than_the_wait_allows_is_a_typed_error()
    {
        _gh.Behaviour = new StandInBehaviour { RateLimited = { "acme/busy" } };
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/busy") },
            Options(NewKey()),
            null,
            default
        );
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.RateLimited);
        r[0].Error!.Kind.Should().Be(ErrorKind.LimitsExceeded);
        r[0].Error!.Message.Should().Contain("rate limit");
    }

    [Fact]
    public async Task A_secondary_rate_limit_is_waited_out_as_the_GitHub_client_does()
    {
        _gh.Behaviour = new StandInBehaviour { RateLimitOnce = { "acme/web" } };
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/web") },
            Options(NewKey()),
            null,
            default
        );
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        _gh.Requests.Count(x => x.StartsWith("GET /repos/acme/web/keys")).Should().Be(2);
    }

    [Fact]
    public async Task A_key_on_a_later_page_of_the_list_is_found_and_not_added_again()
    {
        for (var i = 0; i < 130; i++)
        {
            var other = KeyGenerator.Generate(KeyAlgorithm.Ed25519);
            _gh.AddKey("repo:acme/app", "key " + i, $"{other.SshType} {other.PublicKeyBase64}", true);
        }
        var key = NewKey();
        _gh.AddKey("repo:acme/app", "set by hand", $"{key.SshType} {key.PublicKeyBase64}", true);

        var r = await KeyPublishing.PublishAsync(new[] { Repo(Connection(), "acme/app") }, Options(key), null, default);
        r[0].Status.Should().Be(KeyPublishStatus.AlreadyPresent);
        r[0].Title.Should().Be("set by hand");
        _gh.Requests.Should().Contain(x => x.StartsWith("GET /repos/acme/app/keys?per_page=100&page=2"));
        _gh.Requests.Should().NotContain(x => x.StartsWith("POST "));
    }

    [Fact]
    public async Task GitHub_Enterprise_Server_is_reached_under_api_v3()
    {
        var options = new StandInOptions { Mode = "github-enterprise" };
        options.Repositories.Add("ops/tools");
        await using var ghes = await StandInHost.StartAsync(options);
        ghes.ApiUrl.AbsolutePath.Should().Be("/api/v3/");
        var c = HostConnection.WithToken(
            new HostEndpoint(KeyHostType.GitHubEnterprise, ghes.ApiUrl),
            StandInHost.Token
        );
        var item = new KeyPublication(
            new KeyTarget(KeyTargetKind.Repository, GitUrl.Parse("git@github.example.com:ops/tools.git")),
            c,
            "tools-jira"
        );

        var r = await KeyPublishing.PublishAsync(new[] { item }, Options(NewKey()), null, default);
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        r[0].Title.Should().StartWith("tools-jira (");
        ghes.Requests.Should().Contain(x => x.StartsWith("POST /api/v3/repos/ops/tools/keys "));
    }

    [Fact]
    public async Task The_stand_in_refuses_a_body_that_GitHub_does_not_document()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_gh.ApiUrl, "repos/acme/app/keys"))
        {
            Content = new StringContent(
                "{\"key\":\"ssh-ed25519 AAAA\",\"readonly\":true}",
                System.Text.Encoding.UTF8,
                "application/json"
            ),
        };
        request.Headers.UserAgent.ParseAdd("test/1");
        request.Headers.Authorization = new("Bearer", StandInHost.Token);
        using var answer = await http.SendAsync(request);
        ((int)answer.StatusCode).Should().Be(422);
        _gh.Requests.Should().Contain("refused: POST /repos/{owner}/{repo}/keys: undocumented field 'readonly'");
    }

    [Fact]
    public async Task A_project_key_is_refused_on_GitHub_before_anything_is_sent()
    {
        var r = await KeyPublishing.PublishAsync(
            new[] { Repo(Connection(), "acme/app", KeyTargetKind.Project) },
            Options(NewKey()),
            null,
            default
        );
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.TargetNotSupported);
        _gh.Requests.Should().BeEmpty();
    }

    [Fact]
    public void The_public_key_comes_from_the_pub_beside_the_key_or_from_the_key_itself()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "me@laptop", "-f", _dir["other"]);
        var expected = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", _dir["other"]).Split(' ')[1];
        KeyPublishing.ReadPublicKey(_dir["other"]).FingerprintSha256.Should().Be(expected);
        KeyPublishing.ReadPublicKey(_dir["other"] + ".pub").FingerprintSha256.Should().Be(expected);
        File.Delete(_dir["other"] + ".pub");
        KeyPublishing.ReadPublicKey(_dir["other"]).FingerprintSha256.Should().Be(expected);
    }

    [Fact]
    public void An_encrypted_pem_key_without_its_pub_needs_the_passphrase_and_says_so()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret pass", "-f", _dir["locked"]);
        var expected = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", _dir["locked"] + ".pub").Split(' ')[1];
        File.Delete(_dir["locked"] + ".pub");
        var act = () => KeyPublishing.ReadPublicKey(_dir["locked"]);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(HostErrorIds.PublicKeyUnavailable);
        e.Message.Should().Contain("-Passphrase").And.Contain(_dir["locked"]);
        KeyPublishing.ReadPublicKey(_dir["locked"], "secret pass").FingerprintSha256.Should().Be(expected);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task No_more_repositories_than_the_throttle_limit_are_asked_at_once(int limit)
    {
        var names = Enumerable.Range(1, 8).Select(i => $"acme/r{i}").ToList();
        names.ForEach(_gh.AddRepository);
        _gh.Behaviour = new StandInBehaviour { StallMilliseconds = 150 };
        // Taking a key off eight repositories asks each for its keys: eight slow requests to spread over the slots.
        var r = await KeyPublishing.UnpublishAsync(
            names.Select(n => Repo(Connection(), n)),
            new KeyPublishOptions(NewKey()) { ThrottleLimit = limit },
            null,
            default
        );
        r.Should().OnlyContain(x => x.Status == KeyPublishStatus.NotPresent);
        _gh.MaxInFlight.Should().BeLessThanOrEqualTo(limit);
        _gh.Requests.Count(x => x.StartsWith("GET ")).Should().Be(8);
    }

    [Fact]
    public void A_key_is_the_same_key_whatever_its_comment_or_spacing()
    {
        var key = NewKey();
        var fingerprint = key.FingerprintSha256;
        KeyPublishing.FingerprintOf($"{key.SshType} {key.PublicKeyBase64}").Should().Be(fingerprint);
        KeyPublishing.FingerprintOf($"  {key.SshType}\t{key.PublicKeyBase64}  someone@else  ").Should().Be(fingerprint);
        KeyPublishing.FingerprintOf($"{key.SshType} {NewKey().PublicKeyBase64} me@laptop").Should().NotBe(fingerprint);
        KeyPublishing.FingerprintOf("ssh-ed25519 not-base64!").Should().BeNull();
        KeyPublishing.FingerprintOf("").Should().BeNull();
    }

    [Fact]
    public async Task An_answer_bigger_than_a_key_api_gives_is_not_read()
    {
        var endpoint = new HostEndpoint(KeyHostType.GitHub, new Uri("https://api.example.test/"));
        var c = HostConnection.WithToken(endpoint, "t", new RestOptions { MaxRetries = 0 });
        using var host = new GitHubKeyHost(c, new Huge());
        var target = new KeyTarget(KeyTargetKind.User, GitUrl.Parse("git@github.com:a/b.git"));
        var act = () => host.ListAsync(target, default);
        (await act.Should().ThrowAsync<GitIntegrationException>()).Which.Message.Should().Contain("buffer");
    }

    /// <summary>A server that answers with 8 MiB of JSON.</summary>
    private sealed class Huge : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancel) =>
            Task.FromResult(
                new HttpResponseMessage(System.Net.HttpStatusCode.OK)
                {
                    Content = new StringContent("[" + new string(' ', 8 * 1024 * 1024) + "]"),
                }
            );
    }
}
