using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.GitHub;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>
/// Deploy keys published with a GitHub App integration's installation token: the app's GitHub (the GitHub stand-in,
/// which issues the tokens and says what the installation may do) and the keys API (the host stand-in, which takes
/// only tokens that GitHub issued).
/// </summary>
public sealed class GitHubAppKeyPublishingTests : IClassFixture<StandInFixture>, IAsyncLifetime, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;
    private StandInHost _keys = null!;

    public GitHubAppKeyPublishingTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = new GitHubHttp(_gh.Host, new GitHubHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(20) });
        _store = IntegrationStore.Open(_dir["store.yaml"]);
    }

    public async Task InitializeAsync()
    {
        var options = new StandInOptions { Mode = "github-enterprise", AcceptToken = _gh.IsInstallationToken };
        options.Repositories.Add("acme/app");
        _keys = await StandInHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await _keys.DisposeAsync();

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task<Integration> ActiveApp(Dictionary<string, string>? permissions)
    {
        var app = _gh.AddApp(installed: true);
        app.Permissions = permissions;
        var i = GitHubAppIntegration.Add(_store, _gh.Host, "acme", "app-" + app.Id, _gh.Registration(app));
        var found = await new GitHubAppClient(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem)
        ).FindOrganizationInstallationAsync("acme", default);
        return GitHubAppIntegration.RecordInstallation(_store, i.Id, found!);
    }

    private HostEndpoint KeysApi => new(KeyHostType.GitHubEnterprise, _keys.ApiUrl);

    [Fact]
    public async Task An_app_with_the_administration_permission_publishes_with_its_installation_token()
    {
        var app = await ActiveApp(new() { ["administration"] = "write", ["metadata"] = "read" });
        var connection = await GitHubAppKeyAccess.ConnectAsync(app, _http, KeysApi, new RestOptions(), default);
        var item = new KeyPublication(
            new KeyTarget(KeyTargetKind.Repository, GitUrl.Parse("git@github.example.com:acme/app.git")),
            connection,
            app.Name
        );

        var r = await KeyPublishing.PublishAsync(
            new[] { item },
            new KeyPublishOptions(KeyGenerator.Generate(KeyAlgorithm.Ed25519)),
            null,
            default
        );
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        _keys.Keys.Should().ContainSingle();
        _gh.Requests.Should().Contain(x => x.Path.EndsWith("/access_tokens"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("read")]
    public async Task An_app_without_write_administration_is_told_which_permission_before_a_key_is_sent(string? level)
    {
        var permissions = new Dictionary<string, string> { ["contents"] = "read", ["metadata"] = "read" };
        if (level != null)
            permissions["administration"] = level;
        var app = await ActiveApp(permissions);
        var act = () => GitHubAppKeyAccess.ConnectAsync(app, _http, KeysApi, new RestOptions(), default);
        var e = (await act.Should().ThrowAsync<GitIntegrationException>()).Which;
        e.ErrorId.Should().Be(HostErrorIds.ScopeMissing);
        e.Kind.Should().Be(ErrorKind.PermissionDenied);
        e.Message.Should().Contain(app.Name).And.Contain("administration permission (read and write)");
        _keys.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_token_the_app_did_not_get_is_refused_by_the_keys_api()
    {
        var connection = HostConnection.WithToken(KeysApi, "ghs_not_issued_by_github");
        var item = new KeyPublication(
            new KeyTarget(KeyTargetKind.Repository, GitUrl.Parse("git@github.example.com:acme/app.git")),
            connection
        );
        var r = await KeyPublishing.PublishAsync(
            new[] { item },
            new KeyPublishOptions(KeyGenerator.Generate(KeyAlgorithm.Ed25519)),
            null,
            default
        );
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.Unauthorized);
    }
}
