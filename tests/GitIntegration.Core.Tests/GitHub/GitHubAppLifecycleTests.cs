using FluentAssertions;
using GitIntegration.Core.GitHub;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// The app's life cycle against an Enterprise Server stand-in: what a refused or foreign key is called and what the
/// admin is told to do, uninstalling twice, and each stuck-Installing case with its remedy.
/// </summary>
public sealed class GitHubAppLifecycleTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;

    public GitHubAppLifecycleTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _gh.EnterpriseAcceptsClientId = false;
        _http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(30),
                RetryDelay = TimeSpan.FromMilliseconds(10),
                MaxRetries = 1,
                MaxRateLimitWait = TimeSpan.FromSeconds(5),
            }
        );
    }

    public void Dispose() => _http.Dispose();

    private static GitHubAppCredentials Credentials(GitHubStandIn.App app, string? pem = null) =>
        GitHubAppCredentials.FromPem(app.Id, null, pem ?? app.Pem);

    private static string Stranger() => System.Security.Cryptography.RSA.Create(2048).ExportRSAPrivateKeyPem();

    [Fact]
    public async Task AKeyGitHubCannotVerifyIsKeyRejectedWithItsFingerprint()
    {
        var app = _gh.AddApp();
        var credentials = Credentials(app, Stranger());
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyAsync(_http, credentials, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.KeyRejected, ErrorKind.AuthenticationError));
        e.Message.Should()
            .Be(
                $"GitHub refused a token signed with this key for app {app.Id} "
                    + "(\"A JSON web token could not be decoded\"). The key is not a current key of that app (it was "
                    + "revoked or re-issued): generate a key on the app's settings page (Private keys) and give it "
                    + $"with Update-GitHubAppKey. Key fingerprint: {credentials.PublicKey.FingerprintSha256}."
            );
    }

    [Fact]
    public async Task AnAppGitHubDoesNotKnowIsAppDeleted()
    {
        var app = _gh.AddApp();
        app.Deleted = true;
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyAsync(_http, Credentials(app), default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.AppDeleted, ErrorKind.ObjectNotFound));
        e.Message.Should()
            .Be(
                $"GitHub has no app {app.Id} (\"Integration not found\"): the app was deleted on GitHub, or the id is "
                    + "wrong. Check the id on the app's settings page; if the app is gone, remove the integration "
                    + "with Remove-GitIntegration -KeepInstallation."
            );
    }

    [Fact]
    public async Task AnyOtherRefusalOfGetAppIsGitHubsOwnError()
    {
        var app = _gh.AddApp();
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.BareRateLimit, Status: 403));
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyAsync(_http, Credentials(app), default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.Forbidden, ErrorKind.PermissionDenied));
        e.Message.Should().StartWith("GET app answered 403.");
    }

    [Fact]
    public async Task AKeyOfAnotherAppIsRefusedOnGitHubCom()
    {
        await using var com = await GitHubStandIn.StartAsync(GitHubStandIn.Mode.GitHubCom);
        using var http = new GitHubHttp(com.Host);
        var app = com.AddApp();
        var other = com.AddApp();
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyNewKeyAsync(http, app.Id, other.ClientId, other.Pem, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.KeyOfAnotherApp, ErrorKind.SecurityError));
        e.Message.Should()
            .Be(
                $"This key belongs to app {other.Id} ('{other.Slug}'), not to app {app.Id}. "
                    + $"Use a key generated on app {app.Id}'s settings page."
            );
        (await GitHubAppLifecycle.VerifyNewKeyAsync(http, other.Id, other.ClientId, other.Pem, default))
            .Id.Should()
            .Be(other.Id);
    }

    [Fact]
    public async Task UninstallingTwiceFindsNothingTheSecondTime()
    {
        var app = _gh.AddApp(installed: true);
        var id = app.InstallationId!.Value;
        var client = new GitHubAppClient(_http, Credentials(app));
        (await GitHubAppLifecycle.UninstallAsync(client, id, default)).Should().BeTrue();
        app.InstallationId.Should().BeNull();
        (await GitHubAppLifecycle.UninstallAsync(client, id, default)).Should().BeFalse();
    }

    [Fact]
    public async Task AKeyRefusedForAClientIdNamesTheClientId()
    {
        var app = _gh.AddApp();
        _gh.EnterpriseAcceptsClientId = true;
        var credentials = GitHubAppCredentials.FromPem(0, app.ClientId, Stranger());
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyAsync(_http, credentials, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        e.ErrorId.Should().Be(GitHubErrorIds.KeyRejected);
        e.Message.Should()
            .StartWith($"GitHub refused a token signed with this key for the app with client id {app.ClientId} (");
        // With its own key, the app GitHub names is the app: no app id is known yet to compare it with.
        var own = GitHubAppCredentials.FromPem(0, app.ClientId, app.Pem);
        (await GitHubAppLifecycle.VerifyAsync(_http, own, default)).Id.Should().Be(app.Id);
    }

    [Fact]
    public async Task AfterUninstallingNoCachedTokenIsUsed()
    {
        var app = _gh.AddApp(installed: true);
        var id = app.InstallationId!.Value;
        var client = new GitHubAppClient(_http, Credentials(app));
        var before = await client.GetInstallationTokenAsync(id, default);
        (await GitHubAppLifecycle.UninstallAsync(client, id, default)).Should().BeTrue();
        app.InstallationId = id; // installed again, as the same installation
        var issued = _gh.TokensIssued;
        (await client.GetInstallationTokenAsync(id, default)).Should().NotBe(before);
        _gh.TokensIssued.Should().Be(issued + 1, "the old installation's token was forgotten");
    }

    [Fact]
    public async Task UninstallingWithARefusedKeyIsAnError()
    {
        var app = _gh.AddApp(installed: true);
        var client = new GitHubAppClient(_http, Credentials(app, Stranger()));
        var id = app.InstallationId!.Value;
        (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.UninstallAsync(client, id, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        )
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.Unauthorized);
        app.InstallationId.Should().NotBeNull();
    }

    [Fact]
    public async Task AnIntegrationWithoutAnAppIsWaitingForGitHub()
    {
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(_http, null, "acme", "https://x/apps/y", default);
        x.Case.Should().Be(InstallingCase.WaitingForGitHub);
        (x.InstallUrl, x.Installation).Should().Be(((Uri?)null, (GitHubAppInstallation?)null));
        x.Message.Should()
            .Be(
                "GitHub has not answered yet: the app was never created (the browser step of Install-GitHubApp did "
                    + "not finish), so nothing exists on GitHub for this integration."
            );
        x.Remedy.Should()
            .Be(
                "If Install-GitHubApp is still running, finish the steps in the browser. Otherwise remove the "
                    + "integration with Remove-GitIntegration and run Install-GitHubApp again."
            );
    }

    [Fact]
    public async Task AnAppNotInstalledWithoutItsPageSaysWhereToInstallIt()
    {
        var app = _gh.AddApp();
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(_http, Credentials(app), "acme", null, default);
        x.Case.Should().Be(InstallingCase.NotInstalled);
        x.InstallUrl.Should().BeNull();
        x.Message.Should().Be("The app exists on GitHub but is not installed on acme.");
        x.Remedy.Should()
            .Be(
                "Install it at the app's page (Install App), then run Test-GitIntegration again: the integration "
                    + "becomes Active. To give up instead, Remove-GitIntegration removes the integration; delete the "
                    + "app on GitHub (organization settings, Developer settings) so it is not left behind."
            );
    }

    [Fact]
    public async Task AnInstalledAppIsReportedWithItsInstallation()
    {
        var app = _gh.AddApp(installed: true);
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            Credentials(app),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.Installed);
        x.Remedy.Should().BeNull("nothing needs doing");
        x.Message.Should()
            .Be(
                $"The app is installed on acme (installation {app.InstallationId}); "
                    + "the integration had not recorded it yet."
            );
        x.InstallUrl!.AbsoluteUri.Should().Be(_gh.HtmlUrl(app) + "/installations/new");
    }

    [Fact]
    public async Task ARefusedKeyIsItsOwnCaseWithTheKeyRemedy()
    {
        var app = _gh.AddApp();
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            Credentials(app, Stranger()),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.KeyRejected);
        x.Message.Should().StartWith("GitHub refused a token signed with this key");
        x.Remedy.Should()
            .Be(
                "Generate a private key on the app's settings page and give it with Update-GitHubAppKey; then run "
                    + "Test-GitIntegration again."
            );
        x.InstallUrl!.AbsoluteUri.Should().Be(_gh.HtmlUrl(app) + "/installations/new");
    }

    [Fact]
    public async Task ADeletedAppNeedsOnlyTheIntegrationRemoved()
    {
        var app = _gh.AddApp(installed: true);
        app.Deleted = true;
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            Credentials(app),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.AppDeleted);
        x.Message.Should().Be($"The app {app.Id} was deleted on GitHub: GitHub does not know it any more.");
        x.Remedy.Should()
            .Be("Nothing is left to uninstall: remove the integration with Remove-GitIntegration -KeepInstallation.");
        x.InstallUrl.Should().BeNull();
    }

    [Fact]
    public async Task AGitHubThatCannotBeAskedIsWaitedFor()
    {
        var app = _gh.AddApp();
        for (int i = 0; i < 2; i++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError, Status: 503));
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            Credentials(app),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.WaitingForGitHub);
        x.Message.Should().StartWith("GitHub has not answered yet: GitHub answered 503 Service Unavailable");
        x.Remedy.Should()
            .Be(
                "Wait and run Test-GitIntegration again; the integration becomes Active once the installation is seen."
            );
    }

    [Theory]
    [InlineData(GitHubErrorIds.Unreachable, true)]
    [InlineData(GitHubErrorIds.Timeout, true)]
    [InlineData(GitHubErrorIds.ServerError, true)]
    [InlineData(GitHubErrorIds.RateLimited, true)]
    [InlineData(GitHubErrorIds.Unauthorized, false)]
    [InlineData(GitHubErrorIds.NotFound, false)]
    [InlineData(GitHubErrorIds.KeyRejected, false)]
    public void OnlyFailuresToAskGitHubAreTransient(string id, bool transient)
    {
        var e = new GitIntegrationException(id, ErrorKind.InvalidOperation, "x");
        GitHubAppLifecycle.IsTransient(e).Should().Be(transient);
    }
}
