using System.Collections;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// What Install-GitHubApp leaves to Core, against the GitHub stand-in: registering an app created by hand
/// (-AppId/-ClientId), the permissions a new app asks for, and how an installation differs from the one intended.
/// </summary>
public sealed class GitHubAppRegisterTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public GitHubAppRegisterTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = f.Client(TimeSpan.FromSeconds(30));
        _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private string PemFile(string pem)
    {
        var path = _dir[Guid.NewGuid().ToString("N") + ".pem"];
        File.WriteAllText(path, pem);
        return path;
    }

    [Fact]
    public async Task AnInstalledAppIsStoredActiveWithItsInstallation()
    {
        var app = _gh.AddApp(installed: true);
        var (integration, installation) = await GitHubAppIntegration.RegisterAsync(
            _store,
            _http,
            "acme",
            "by hand",
            app.Id,
            null,
            PemFile(app.Pem),
            default
        );

        installation!.Id.Should().Be(app.InstallationId);
        integration.Status.Should().Be(IntegrationStatus.Active);
        var stored = _store.Load().Integrations.Should().ContainSingle().Subject;
        stored.Name.Should().Be("by hand");
        GitHubAppIntegration.Long(stored, GitHubAppIntegration.AppId).Should().Be(app.Id);
        GitHubAppIntegration.Text(stored, GitHubAppIntegration.ClientId).Should().Be(app.ClientId);
        GitHubAppIntegration.Long(stored, GitHubAppIntegration.InstallationId).Should().Be(app.InstallationId);
        File.ReadAllText(stored.PrivateKeyPath!).Should().Be(app.Pem, "the key is copied into the store");
        stored.PrivateKeyPath.Should().StartWith(_store.KeysDirectory);
    }

    [Fact]
    public async Task AnAppNotInstalledYetIsStoredInstalling()
    {
        var app = _gh.AddApp(installed: false);
        var (integration, installation) = await GitHubAppIntegration.RegisterAsync(
            _store,
            _http,
            "acme",
            "later",
            app.Id,
            null,
            PemFile(app.Pem),
            default
        );

        installation.Should().BeNull();
        integration.Status.Should().Be(IntegrationStatus.Installing);
        GitHubAppIntegration
            .Text(integration, GitHubAppIntegration.HtmlUrl)
            .Should()
            .NotBeNullOrEmpty("the cmdlet names the page where the app is installed");
    }

    [Fact]
    public async Task AKeyGitHubRefusesForThatAppIsNeverStored()
    {
        var app = _gh.AddApp(installed: true);
        var other = _gh.AddApp(installed: true);
        var e = (
            await FluentActions
                .Awaiting(() =>
                    GitHubAppIntegration.RegisterAsync(
                        _store,
                        _http,
                        "acme",
                        "wrong key",
                        app.Id,
                        null,
                        PemFile(other.Pem),
                        default
                    )
                )
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;

        e.ErrorId.Should().BeOneOf(GitHubErrorIds.KeyRejected, GitHubErrorIds.KeyOfAnotherApp);
        _store.Load().Integrations.Should().BeEmpty();
        var keys = Directory.Exists(_store.KeysDirectory) ? Directory.GetFiles(_store.KeysDirectory) : [];
        keys.Should().BeEmpty("the key of an app GitHub refused is not kept");
    }

    [Fact]
    public void PermissionsAreAskedAsGivenAndWithoutALevelAsRead()
    {
        var manifest = new GitHubAppManifest("acme", "Jira Git acme");
        manifest.Permissions.Should().BeEquivalentTo(GitHubAppManifest.DefaultPermissions);
        manifest.SetPermissions(new Hashtable { ["contents"] = "write", ["issues"] = null });
        manifest
            .Permissions.Should()
            .BeEquivalentTo(new Dictionary<string, string> { ["contents"] = "write", ["issues"] = "read" });
    }

    [Fact]
    public async Task AnInstallationOtherThanIntendedIsTold()
    {
        var app = _gh.AddApp(installed: true, repositories: 3);
        var client = new GitHubAppClient(_http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        var installation = (await client.FindOrganizationInstallationAsync("acme", default))!;

        GitHubManifestFlow.SelectionDifference(installation, "All").Should().BeNull("GitHub says 'all'");
        GitHubManifestFlow
            .SelectionDifference(installation, "Selected")
            .Should()
            .Be($"The app was installed on all repositories, not Selected. Change it on {installation.HtmlUrl}.");

        (
            await GitHubManifestFlow.UnseenRepositoriesAsync(
                client,
                installation,
                new[] { "acme/repo-001", "REPO-002", "repo-003" },
                default
            )
        )
            .Should()
            .BeNull();
        (
            await GitHubManifestFlow.UnseenRepositoriesAsync(
                client,
                installation,
                new[] { "acme/repo-001", "gone", "acme/missing" },
                default
            )
        )
            .Should()
            .Be($"The installation cannot see gone, acme/missing. Add them on {installation.HtmlUrl}.");
    }
}
