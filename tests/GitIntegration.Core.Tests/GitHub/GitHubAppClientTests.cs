using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// The app client as a runbook meets it: which id the JWT names on each kind of GitHub, which keys it takes, when an
/// installation token is reused or renewed, and GitHub refusing a lookup.
/// </summary>
public sealed class GitHubAppClientTests : IClassFixture<StandInFixture>, IClassFixture<GitHubComFixture>, IDisposable
{
    private readonly GitHubStandIn _enterprise;
    private readonly GitHubStandIn _gitHubCom;
    private readonly GitHubHttp _enterpriseHttp;
    private readonly GitHubHttp _gitHubComHttp;
    private readonly TempDir _dir = new();

    public GitHubAppClientTests(StandInFixture enterprise, GitHubComFixture gitHubCom)
    {
        _enterprise = enterprise.GitHub;
        _gitHubCom = gitHubCom.GitHub;
        foreach (var gh in new[] { _enterprise, _gitHubCom })
        {
            gh.Faults.Clear();
            gh.EnterpriseAcceptsClientId = false;
            gh.TokenLifetime = TimeSpan.FromHours(1);
        }
        _enterpriseHttp = enterprise.Client(TimeSpan.FromSeconds(30));
        _gitHubComHttp = gitHubCom.Client(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        _enterpriseHttp.Dispose();
        _gitHubComHttp.Dispose();
        _dir.Dispose();
    }

    // GitHub: iss is "the client ID or application ID of your GitHub App. Use of the client ID is recommended."
    // Enterprise Server 3.13 and before take only the application ID.
    [Theory]
    [InlineData(true, true, true, false, "app id")]
    [InlineData(true, true, false, false, "app id")]
    [InlineData(true, false, true, true, "client id")]
    [InlineData(false, true, true, false, "client id")]
    [InlineData(false, true, false, false, "app id")]
    public async Task TheJwtNamesTheAppAsEachKindOfGitHubAccepts(
        bool enterprise,
        bool giveAppId,
        bool giveClientId,
        bool serverTakesClientId,
        string expected
    )
    {
        var (gh, http) = enterprise ? (_enterprise, _enterpriseHttp) : (_gitHubCom, _gitHubComHttp);
        gh.EnterpriseAcceptsClientId = serverTakesClientId;
        var app = gh.AddApp();
        var credentials = GitHubAppCredentials.FromPem(
            giveAppId ? app.Id : 0,
            giveClientId ? app.ClientId : null,
            app.Pem
        );
        var client = new GitHubAppClient(http, credentials);
        (await client.GetAppAsync(default)).Id.Should().Be(app.Id);
        var issuer = expected == "app id" ? app.Id.ToString() : app.ClientId;
        client.Issuer.Should().Be(issuer);
        new JsonWebToken(gh.LastJwt).GetPayloadValue<string>("iss").Should().Be(issuer, "what GitHub received");
    }

    // Install-GitHubApp -ClientId '' is no client id: github.com is then asked with the app id.
    [Fact]
    public async Task AnEmptyClientIdIsNoClientId()
    {
        var app = _gitHubCom.AddApp();
        var credentials = GitHubAppCredentials.FromPem(app.Id, "", app.Pem);
        credentials.ClientId.Should().BeNull();
        (await new GitHubAppClient(_gitHubComHttp, credentials).GetAppAsync(default)).Id.Should().Be(app.Id);
        new JsonWebToken(_gitHubCom.LastJwt).GetPayloadValue<string>("iss").Should().Be(app.Id.ToString());
        FluentActions
            .Invoking(() => GitHubAppCredentials.FromPem(0, "", app.Pem))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.AppIdRequired, "an empty client id and no app id name no app");
    }

    [Fact]
    public void AKeyThatIsNotRsaIsRefusedWithWhereToGetTheAppsKey()
    {
        var app = _enterprise.AddApp();
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", _dir["ed"]);
        // The key type as ssh-keygen names it: "256 SHA256:... comment (ED25519)".
        var type = Regex.Match(Tool.Ok("ssh-keygen", "-l", "-f", _dir["ed"]).Trim(), @"\((\w+)\)$").Groups[1].Value;
        type.Should().NotBeEmpty();
        var e = FluentActions
            .Invoking(() => GitHubAppCredentials.FromPem(app.Id, null, File.ReadAllText(_dir["ed"])))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.KeyNotRsa, ErrorKind.InvalidData));
        e.Message.Should()
            .Be(
                $"This is a {type} key; GitHub App keys are RSA. Use the .pem file downloaded from the app's settings "
                    + "page (Private keys → Generate a private key)."
            );
    }

    // Only "not installed" (404) is an answer of its own; an app GitHub no longer knows is an error that says so.
    [Fact]
    public async Task LookingForTheInstallationOfADeletedAppIsRefused()
    {
        var app = _enterprise.AddApp();
        var client = new GitHubAppClient(_enterpriseHttp, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        (await client.FindOrganizationInstallationAsync("acme", default)).Should().BeNull("not installed yet");
        app.Deleted = true;
        var e = (
            await FluentActions
                .Awaiting(() => client.FindOrganizationInstallationAsync("acme", default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.Unauthorized, ErrorKind.AuthenticationError));
        e.Message.Should()
            .Be(
                "GET orgs/acme/installation answered 401. GitHub says: \"Integration not found\". GitHub did not "
                    + "accept the app's credentials: check the app id and that the private key is a current key of "
                    + "this app (Update-GitHubAppKey replaces it)."
            );
    }

    [Fact]
    public async Task ForgettingTokensForgetsThisAppsOnly()
    {
        var (a, b) = (_enterprise.AddApp(installed: true), _enterprise.AddApp(installed: true));
        var clientA = new GitHubAppClient(_enterpriseHttp, GitHubAppCredentials.FromPem(a.Id, null, a.Pem));
        var clientB = new GitHubAppClient(_enterpriseHttp, GitHubAppCredentials.FromPem(b.Id, null, b.Pem));
        var tokenA = await clientA.GetInstallationTokenAsync(a.InstallationId!.Value, default);
        var tokenB = await clientB.GetInstallationTokenAsync(b.InstallationId!.Value, default);
        clientA.ForgetTokens();
        var issued = _enterprise.TokensIssued;
        (await clientB.GetInstallationTokenAsync(b.InstallationId!.Value, default)).Should().Be(tokenB);
        _enterprise.TokensIssued.Should().Be(issued, "the other app's token is still cached");
        var newA = await clientA.GetInstallationTokenAsync(a.InstallationId!.Value, default);
        newA.Should().NotBe(tokenA);
        _enterprise.TokensIssued.Should().Be(issued + 1);
        _enterprise.IsInstallationToken(newA).Should().BeTrue();
    }

    // A token is reused until TokenRenewal before GitHub's expires_at, and renewed from that instant on. The clock is
    // the client's own; the JWT it signs must still be accepted, so the clock stays within seconds of the real one.
    [Fact]
    public async Task ATokenIsRenewedWhenTheRenewalMarginBegins()
    {
        _enterprise.TokenLifetime = GitHubAppClient.TokenRenewal + TimeSpan.FromSeconds(30);
        var app = _enterprise.AddApp(installed: true);
        DateTimeOffset? now = null;
        var client = new GitHubAppClient(
            _enterpriseHttp,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            () => now ?? DateTimeOffset.UtcNow
        );
        var id = app.InstallationId!.Value;
        var first = await client.GetInstallationTokenAsync(id, default);
        var renewal = _enterprise.LastTokenExpiresAt - GitHubAppClient.TokenRenewal;
        now = renewal - TimeSpan.FromSeconds(1);
        (await client.GetInstallationTokenAsync(id, default)).Should().Be(first, "a second before the margin");
        now = renewal;
        var renewed = await client.GetInstallationTokenAsync(id, default);
        renewed.Should().NotBe(first, "the margin has begun");
        _enterprise.IsInstallationToken(renewed).Should().BeTrue();
    }
}
