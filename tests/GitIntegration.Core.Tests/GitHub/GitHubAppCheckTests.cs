using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// Test-GitIntegration on app integrations: every stuck-Installing case, and a real check of installed ones, against
/// the stand-in.
/// </summary>
public sealed class GitHubAppCheckTests : StandInStoreTests, IClassFixture<StandInFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public GitHubAppCheckTests(StandInFixture f)
        : base(f, TimeSpan.FromSeconds(5)) { }

    private async Task<Integration> Active(GitHubStandIn.App app)
    {
        var i = Installing(app);
        var found = await new GitHubAppClient(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem)
        ).FindOrganizationInstallationAsync("acme", default);
        return GitHubAppIntegration.RecordInstallation(_store, i.Id, found!);
    }

    /// <summary>What Test-GitIntegration does with one integration: check, then record.</summary>
    private async Task<(GitConnectionResult Result, Integration Stored)> Test(
        Integration i,
        TimeSpan? limit = null,
        GitHubHttp? http = null
    )
    {
        var r = await GitHubAppCheck.VerifyAsync(http ?? _http, i, limit ?? Limit, default);
        r.Name.Should().Be(i.Name);
        r.Type.Should().Be(IntegrationType.GitHubEnterpriseApp);
        return (r, GitHubAppCheck.Record(_store, i, r));
    }

    // ---------------------------------------------------------------- Installing: the seed's three cases, and
    // "installed by now"

    [Fact]
    public async Task Installing_Case1_NoAppYet_WaitingForGitHub()
    {
        var i = GitHubAppIntegration.Change(
            _store,
            Installing(_gh.AddApp()).Id,
            x =>
            {
                x.Properties.Remove(GitHubAppIntegration.AppId);
                x.PrivateKeyPath = null;
            }
        );
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.WaitingForGitHub);
        r.Message.Should().Contain("never created");
        r.Remedy.Should().Contain("Install-GitHubApp");
        stored.Status.Should().Be(IntegrationStatus.Installing, "nothing changed on GitHub");
        stored.LastVerified.Should().NotBeNull();
    }

    [Fact]
    public async Task Installing_Case1_GitHubFailing_WaitingForGitHub()
    {
        var i = Installing(_gh.AddApp());
        for (int n = 0; n < 3; n++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError));
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.WaitingForGitHub);
        r.Message.Should().Contain("502");
        r.Success.Should().BeFalse();
        stored.Status.Should().Be(IntegrationStatus.Installing);
    }

    [Fact]
    public async Task Installing_Case1_SlowGitHub_WaitingForGitHubWithinTheTimeout()
    {
        var i = Installing(_gh.AddApp());
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(4)));
        // GitHub would answer after 4 s: a result that says "within 1 s" is the check's own deadline at work.
        var (r, _) = await Test(i, TimeSpan.FromSeconds(1));
        r.Reason.Should().Be(ConnectionFailure.WaitingForGitHub);
        r.Message.Should().Be("GitHub has not answered yet: GitHub did not answer within 1 s.");
        r.Remedy.Should()
            .Be(
                "Wait and run Test-GitIntegration again; the integration becomes Active once GitHub shows the "
                    + "installation."
            );
    }

    [Fact]
    public async Task Installing_Case2_NotInstalled_GivesTheInstallUrl()
    {
        var app = _gh.AddApp();
        var (r, stored) = await Test(Installing(app));
        r.Reason.Should().Be(ConnectionFailure.AppNotInstalled);
        r.InstallUrl.Should().Be(_gh.HtmlUrl(app) + "/installations/new");
        r.Remedy.Should().Contain(r.InstallUrl);
        stored.Status.Should().Be(IntegrationStatus.Installing);
        r.ToException().ErrorId.Should().Be("AppNotInstalled");
    }

    [Fact]
    public async Task Installing_Case3_AppDeleted()
    {
        var app = _gh.AddApp();
        var i = Installing(app);
        app.Deleted = true;
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.AppDeleted);
        r.Remedy.Should().Contain("-KeepInstallation");
        stored.Status.Should().Be(IntegrationStatus.Failed);
        stored.Properties["FailureReason"].Should().Be("AppDeleted");
    }

    [Fact]
    public async Task Installing_InstalledMeanwhile_BecomesActiveOnReTest()
    {
        var app = _gh.AddApp();
        var i = Installing(app);
        (await Test(i)).Result.Reason.Should().Be(ConnectionFailure.AppNotInstalled);
        // the admin opens the install URL and installs the app
        using (var browser = new HttpClient())
            (await browser.GetAsync(_gh.HtmlUrl(app) + "/installations/new")).EnsureSuccessStatusCode();
        var (r, stored) = await Test(i);
        r.Success.Should().BeTrue(r.Message);
        r.Message.Should()
            .Be(
                $"The app is installed on acme (installation {app.InstallationId}); the integration had not recorded "
                    + $"it yet. It is recorded now. GitHub accepts the app '{app.Slug}' ({app.Id}); it is installed on "
                    + $"acme (installation {app.InstallationId}), all repositories, and issued an installation token."
            );
        r.Account.Should().Be("acme");
        r.Installation!.Id.Should().Be(app.InstallationId!.Value);
        stored.Status.Should().Be(IntegrationStatus.Active);
        GitHubAppIntegration.Long(stored, GitHubAppIntegration.InstallationId).Should().Be(app.InstallationId);
        stored.Properties[GitHubAppIntegration.RepositorySelection].Should().Be("all");
        stored.Properties[GitHubAppIntegration.Account].Should().Be("acme");
    }

    // ---------------------------------------------------------------- installed: a real check

    [Fact]
    public async Task Active_RenamedOnGitHub_StillWorksAndRecordsTheNewNameByAppId()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        var oldSlug = GitHubAppIntegration.Text(i, GitHubAppIntegration.Slug);
        app.Slug = "jira-git-acme-" + app.Id;
        var (r, stored) = await Test(i);
        r.Success.Should().BeTrue(r.Message);
        r.Message.Should()
            .Be(
                $"GitHub accepts the app '{app.Slug}' ({app.Id}); it is installed on acme (installation "
                    + $"{app.InstallationId}), all repositories, and issued an installation token. The app was renamed "
                    + $"on GitHub from '{oldSlug}' to '{app.Slug}'; the new name and page are recorded (the app is "
                    + "known by its id)."
            );
        GitHubAppIntegration.Text(stored, GitHubAppIntegration.Slug).Should().Be(app.Slug);
        GitHubAppIntegration.Text(stored, GitHubAppIntegration.HtmlUrl).Should().Be(_gh.HtmlUrl(app));
        GitHubAppIntegration.Long(stored, GitHubAppIntegration.AppId).Should().Be(app.Id);
        (await Test(stored)).Result.Message.Should().NotContain("renamed on GitHub");
    }

    /// <summary>A record that lacks the app's slug gets it back from GitHub; no rename is claimed.</summary>
    [Fact]
    public async Task Active_WithoutAStoredSlug_RecordsGitHubsWithoutCallingItARename()
    {
        var app = _gh.AddApp(installed: true);
        var i = GitHubAppIntegration.Change(
            _store,
            (await Active(app)).Id,
            x => x.Properties.Remove(GitHubAppIntegration.Slug)
        );
        var (r, stored) = await Test(i);
        r.Message.Should()
            .Be(
                $"GitHub accepts the app '{app.Slug}' ({app.Id}); it is installed on acme (installation "
                    + $"{app.InstallationId}), all repositories, and issued an installation token."
            );
        GitHubAppIntegration.Text(stored, GitHubAppIntegration.Slug).Should().Be(app.Slug);
    }

    [Fact]
    public async Task Active_IsVerifiedWithAJwtTheInstallationAndAToken()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        new GitHubAppClient(_http, GitHubAppIntegration.Credentials(i)!).ForgetTokens();
        var issued = _gh.TokensIssued;
        var requests = _gh.Requests.Count;
        var (r, stored) = await Test(i);
        r.Success.Should().BeTrue(r.Message);
        r.Authenticated.Should().BeTrue();
        r.Message.Should()
            .Be(
                $"GitHub accepts the app '{app.Slug}' ({app.Id}); it is installed on acme (installation "
                    + $"{app.InstallationId}), all repositories, and issued an installation token."
            );
        r.Url.Should().Be(_gh.Host.WebUrl + "acme");
        r.Account.Should().Be("acme");
        r.KeyFingerprint.Should().StartWith("SHA256:");
        r.HostKind.Should().Be(HostKind.GitHubEnterprise);
        _gh.TokensIssued.Should().Be(issued + 1);
        _gh.Requests.Skip(requests)
            .Select(x => x.Method + " " + x.Path)
            .Should()
            .Contain(
                new[]
                {
                    "GET /api/v3/app",
                    $"GET /api/v3/app/installations/{app.InstallationId}",
                    $"POST /api/v3/app/installations/{app.InstallationId}/access_tokens",
                }
            );
        stored.Status.Should().Be(IntegrationStatus.Active);
        stored.LastVerified.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        r.Message.Should().NotContain("ghs_", "no token in the output");
    }

    [Fact]
    public async Task Suspended_SaysSoAndPointsToResume()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        app.Suspended = true;
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.InstallationSuspended);
        r.Message.Should()
            .Be(
                $"The app's installation on acme (installation {app.InstallationId}) is suspended since "
                    + "2024-01-01 00:00 UTC: it cannot read repositories."
            );
        r.Remedy.Should()
            .Be(
                $"Resume-GitHubApp -Name '{i.Name}' (if an organization owner suspended it on GitHub, ask them to "
                    + "unsuspend it there)."
            );
        stored.Status.Should().Be(IntegrationStatus.Suspended);
        stored.Properties["FailureReason"].Should().Be("InstallationSuspended");
        app.Suspended = false;
        var resumed = (await Test(stored)).Stored;
        resumed.Status.Should().Be(IntegrationStatus.Active);
        resumed.Properties.Should().NotContainKey("FailureReason", "the check succeeded");
    }

    [Fact]
    public async Task InstallationRemoved_ThenInstalledAgain_IsRecorded()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        var installed = app.InstallationId;
        app.InstallationId = null;
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.InstallationRemoved);
        r.InstallUrl.Should().Be(_gh.HtmlUrl(app) + "/installations/new");
        r.Message.Should()
            .Be($"The app's installation {installed} on acme was removed on GitHub; the app itself still exists.");
        r.Remedy.Should()
            .Be(
                $"Install the app again at {r.InstallUrl} and run Test-GitIntegration again, or remove the "
                    + $"integration with Remove-GitIntegration -Name '{i.Name}' -KeepInstallation."
            );
        stored.Status.Should().Be(IntegrationStatus.Failed);
        stored.Properties.Should().NotContainKey(GitHubAppIntegration.InstallationId, "nothing is left to uninstall");

        app.InstallationId = 777_001;
        var again = await Test(stored);
        again.Result.Success.Should().BeTrue(again.Result.Message);
        GitHubAppIntegration.Long(again.Stored, GitHubAppIntegration.InstallationId).Should().Be(777_001);
        again.Stored.Status.Should().Be(IntegrationStatus.Active);
    }

    [Fact]
    public async Task InstallationReplacedBehindOurBack_TheNewOneIsFound()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        var installed = app.InstallationId;
        app.InstallationId = 888_002;
        var (r, stored) = await Test(i);
        r.Success.Should().BeTrue(r.Message);
        r.Message.Should()
            .Be(
                $"GitHub accepts the app '{app.Slug}' ({app.Id}); it is installed on acme (installation 888002), all "
                    + $"repositories, and issued an installation token. The installation {installed} was removed on "
                    + "GitHub, but the app was installed again; the new installation is recorded now."
            );
        GitHubAppIntegration.Long(stored, GitHubAppIntegration.InstallationId).Should().Be(888_002);
    }

    [Fact]
    public async Task AppDeletedOnGitHub()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        app.Deleted = true;
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.AppDeleted);
        r.Remedy.Should()
            .Be(
                $"Nothing is left on GitHub to uninstall: Remove-GitIntegration -Name '{i.Name}' -KeepInstallation. "
                    + "Install-GitHubApp creates a new app."
            );
        stored.Status.Should().Be(IntegrationStatus.Failed);
        _gh.JwtRejections.Should().Contain("Integration not found");
    }

    [Fact]
    public async Task RevokedKey_IsRejectedAndPointsToUpdateGitHubAppKey()
    {
        var app = _gh.AddApp(installed: true);
        var i = await Active(app);
        // GitHub re-issued the key and the old one was deleted there: the stand-in's JWT validation refuses ours.
        var reissued = System.Security.Cryptography.RSA.Create(2048);
        app.Keys.Clear();
        app.Keys.Add(reissued);
        var before = _gh.JwtRejections.Count;
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.AppKeyRejected);
        r.Message.Should().Contain(r.KeyFingerprint!);
        r.Remedy.Should()
            .Be(
                "The key was revoked or re-issued on GitHub. Generate a private key on the app's settings page, then: "
                    + $"Update-GitHubAppKey -Name '{i.Name}' -PrivateKeyPath (Read-Host -Prompt 'The downloaded .pem "
                    + "file')"
            );
        stored.Status.Should().Be(IntegrationStatus.Failed);
        _gh.JwtRejections.Skip(before).Should().Contain("A JSON web token could not be decoded");
        r.ToException().Kind.Should().Be(ErrorKind.AuthenticationError);
    }

    [Fact]
    public async Task RevokedKey_WhileInstalling_IsNotMistakenForADeletedApp()
    {
        var app = _gh.AddApp();
        var i = Installing(app);
        app.Keys.Clear();
        app.Keys.Add(System.Security.Cryptography.RSA.Create(2048));
        var (r, _) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.AppKeyRejected);
        r.Remedy.Should().Contain("Update-GitHubAppKey");
    }

    [Fact]
    public async Task RateLimitBeyondTheTimeout_IsRateLimited()
    {
        var i = await Active(_gh.AddApp(installed: true));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.RateLimited, TimeSpan.FromMinutes(30)));
        using var http = new GitHubHttp(_gh.Host, new GitHubHttpOptions { MaxRateLimitWait = TimeSpan.FromSeconds(5) });
        var (r, stored) = await Test(i, http: http);
        r.Reason.Should().Be(ConnectionFailure.RateLimited);
        r.Message.Should().Contain("rate limit");
        r.Remedy.Should().Be("Run Test-GitIntegration again after the reset time.");
        stored.Status.Should().Be(IntegrationStatus.Failed);
    }

    [Fact]
    public async Task ServerErrors_AreGitHubsProblem_AndTheEnterpriseAdministratorIsAsked()
    {
        var i = await Active(_gh.AddApp(installed: true));
        for (int n = 0; n < 3; n++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError, Status: 503));
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.ServiceError, r.Message);
        r.Remedy.Should()
            .Be(
                "GitHub has a problem on its side: check the server's status with its administrator and try "
                    + "again later."
            );
        stored.Status.Should().Be(IntegrationStatus.Failed);
    }

    /// <summary>GitHub's answer when an installation's token lacks a permission ("Resource not accessible by
    /// integration", REST docs: troubleshooting).</summary>
    [Fact]
    public async Task MissingPermission_IsPermissionDenied_AndSaysWhatToCompare()
    {
        var i = await Active(_gh.AddApp(installed: true));
        _gh.Faults.Enqueue(
            new(
                GitHubStandIn.FaultKind.Answer,
                Status: 403,
                Body: "{\"message\":\"Resource not accessible by integration\","
                    + "\"documentation_url\":\"https://docs.github.com/rest/apps/apps#get-the-authenticated-app\"}"
            )
        );
        var (r, stored) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.PermissionDenied, r.Message);
        r.Message.Should()
            .Be(
                "GET app answered 403. GitHub says: \"Resource not accessible by integration\". The app lacks a "
                    + "permission for this, or the installation is suspended (Resume-GitHubApp)."
            );
        r.Remedy.Should()
            .Be(
                "The app lacks a permission it needs: compare its permissions on GitHub with the ones "
                    + "Install-GitHubApp asks for."
            );
        stored.Properties["FailureReason"].Should().Be("PermissionDenied");
    }

    [Fact]
    public async Task SlowGitHub_WhenInstalled_IsATimeout_AndSaysWhereToLookOrHowToWaitLonger()
    {
        var i = await Active(_gh.AddApp(installed: true));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(4)));
        var (r, stored) = await Test(i, TimeSpan.FromSeconds(1));
        r.Reason.Should().Be(ConnectionFailure.Timeout);
        r.Message.Should().Be("GitHub did not answer within 1 s.");
        r.Remedy.Should()
            .Be("Check the network path to 127.0.0.1 (proxy, firewall), or give more time with -TimeoutSeconds.");
        stored.Status.Should().Be(IntegrationStatus.Failed);
    }

    [Fact]
    public async Task InstallationRemoved_WithoutTheAppsPage_PointsToItsInstallButton()
    {
        var app = _gh.AddApp(installed: true);
        var i = GitHubAppIntegration.Change(
            _store,
            (await Active(app)).Id,
            x => x.Properties.Remove(GitHubAppIntegration.HtmlUrl)
        );
        app.InstallationId = null;
        var (r, _) = await Test(i);
        r.Reason.Should().Be(ConnectionFailure.InstallationRemoved);
        r.InstallUrl.Should().BeNull();
        r.Remedy.Should()
            .Be(
                "Install the app again at the app's page (Install App) and run Test-GitIntegration again, or "
                    + $"remove the integration with Remove-GitIntegration -Name '{i.Name}' -KeepInstallation."
            );
    }

    /// <summary>
    /// A host name that no DNS resolves (.invalid is reserved for that, RFC 6761), through the entry point
    /// Test-GitIntegration calls.
    /// </summary>
    [Fact]
    public async Task UnknownHostName_IsNameResolution_AndNamesTheHost()
    {
        var active = await Active(_gh.AddApp(installed: true));
        var i = GitHubAppIntegration.Change(_store, active.Id, x => x.HostUrl = "https://github.acme.invalid");
        var r = GitHubAppCheck.Verify(i, CmdletDefaultTimeout, default);
        r.Reason.Should().Be(ConnectionFailure.NameResolution, r.Message);
        r.Remedy.Should().Be("Check the spelling of the host URL (github.acme.invalid) and this machine's DNS.");
    }

    [Fact]
    public async Task UnreadableKeyFile_SaysWhichFileAndHowToGiveTheKeyAgain()
    {
        var i = await Active(_gh.AddApp(installed: true));
        File.Delete(i.PrivateKeyPath!);
        var e = (
            await FluentActions
                .Awaiting(() => GitHubAppCheck.VerifyAsync(_http, i, Limit, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        e.Message.Should()
            .Be(
                $"The private key of the GitHub App of '{i.Name}' cannot be read: The file '{i.PrivateKeyPath}' "
                    + "does not exist. Give the app's .pem file again, or generate a new key on the app's settings "
                    + $"page: Update-GitHubAppKey -Name '{i.Name}' -PrivateKeyPath (Read-Host -Prompt 'The downloaded "
                    + ".pem file')"
            );
        e.ErrorId.Should().Be(ErrorIds.KeyFileNotFound);
        e.Kind.Should().Be(ErrorKind.ObjectNotFound);
        e.Target.Should().Be(i.PrivateKeyPath);
    }

    /// <summary>Test-GitIntegration's default -TimeoutSeconds.</summary>
    private static readonly TimeSpan CmdletDefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Through the entry point Test-GitIntegration calls, with its client (three retries, backing off from 1 s) and its
    /// default time: every attempt is refused, the retries end well within the time, and the refusal is the reason.
    /// </summary>
    [Fact]
    public async Task ClosedPort_ThroughTheCmdletsEntryPoint_IsConnectionRefused()
    {
        var active = await Active(_gh.AddApp(installed: true));
        var i = GitHubAppIntegration.Change(_store, active.Id, x => x.HostUrl = $"http://127.0.0.1:{Peer.FreePort()}");
        var r = GitHubAppCheck.Verify(i, CmdletDefaultTimeout, default);
        r.Reason.Should().Be(ConnectionFailure.ConnectionRefused, r.Message);
        r.Message.Should().Contain("refused");
        r.Remedy.Should()
            .Be(
                "Check the host URL (127.0.0.1), the proxy and the firewall between here and GitHub; then run "
                    + "Test-GitIntegration again."
            );
        GitHubAppCheck.Record(_store, i, r).Status.Should().Be(IntegrationStatus.Failed);
    }

    /// <summary>
    /// A -TimeoutSeconds shorter than the retries (1, 2 and 4 s apart): the time runs out first, and the result names
    /// the last refusal. 4 s, not less: the first refusal must be seen within it even on a loaded machine.
    /// </summary>
    [Fact]
    public void ClosedPort_WithTheCmdletsClient_AndLittleTime_NamesTheCause()
    {
        var i = GitHubAppIntegration.Change(
            _store,
            Installing(_gh.AddApp()).Id,
            x => x.HostUrl = $"http://127.0.0.1:{Peer.FreePort()}"
        );
        var r = GitHubAppCheck.Verify(i, TimeSpan.FromSeconds(4), default);
        r.Reason.Should().Be(ConnectionFailure.WaitingForGitHub);
        r.Message.Should().Contain("within 4 s").And.Contain("refused");
    }

    [Fact]
    public async Task Cancelling_StopsTheCheck()
    {
        var i = await Active(_gh.AddApp(installed: true));
        // GitHub answers after 4 s, well within the check's own time: only the cancellation can end the check with an
        // exception.
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(4)));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await FluentActions
            .Awaiting(() => GitHubAppCheck.VerifyAsync(_http, i, Limit, stop.Token))
            .Should()
            .ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task UnreadableKey_IsAnErrorNotAResult()
    {
        var i = Installing(_gh.AddApp());
        File.WriteAllText(
            i.PrivateKeyPath!,
            "-----BEGIN RSA PRIVATE KEY-----\nnot base64\n-----END RSA PRIVATE KEY-----\n"
        );
        await FluentActions
            .Awaiting(() => GitHubAppCheck.VerifyAsync(_http, i, Limit, default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
    }
}

/// <summary>Test-GitIntegration against github.com, whose status GitHub publishes.</summary>
public sealed class GitHubComAppCheckTests : IClassFixture<GitHubComFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly TempDir _dir = new();

    public GitHubComAppCheckTests(GitHubComFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ServerErrors_AreGitHubsProblem_AndPointToGitHubsStatusPage()
    {
        var app = _gh.AddApp(installed: true);
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "app-" + app.Id, _gh.Registration(app));
        using var http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions { RetryDelay = TimeSpan.FromMilliseconds(20), MaxRetries = 2 }
        );
        var found = await new GitHubAppClient(
            http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem)
        ).FindOrganizationInstallationAsync("acme", default);
        var active = GitHubAppIntegration.RecordInstallation(store, i.Id, found!);
        for (int n = 0; n < 3; n++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError, Status: 500));
        var r = await GitHubAppCheck.VerifyAsync(http, active, TimeSpan.FromSeconds(20), default);
        r.Reason.Should().Be(ConnectionFailure.ServiceError, r.Message);
        r.Remedy.Should()
            .Be("GitHub has a problem on its side: check https://www.githubstatus.com and try again later.");
        (r.Type, r.HostKind).Should().Be((IntegrationType.GitHubApp, HostKind.GitHub));
    }
}
