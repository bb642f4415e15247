using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>A GitHub Enterprise Server stand-in shared by a test class.</summary>
public class StandInFixture : IAsyncLifetime
{
    protected virtual GitHubStandIn.Mode Mode => GitHubStandIn.Mode.Enterprise;
    public GitHubStandIn GitHub { get; private set; } = null!;

    public async Task InitializeAsync() => GitHub = await GitHubStandIn.StartAsync(Mode);

    public async Task DisposeAsync() => await GitHub.DisposeAsync();

    /// <summary>
    /// How long a test waits for a manifest flow or an installation that takes well under a second: 30 s, or what
    /// GI_TEST_FLOW_SECONDS says. tests/mutation.sh sets 5: a mutant that makes a flow miss its callback then fails
    /// each test in 5 s instead of costing Stryker its whole timeout.
    /// </summary>
    public static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("GI_TEST_FLOW_SECONDS"), out var s) ? s : 30
    );

    /// <summary>A client of the stand-in that retries a failed request twice, 20 ms apart.</summary>
    public GitHubHttp Client(TimeSpan timeout) =>
        new(
            GitHub.Host,
            new GitHubHttpOptions
            {
                Timeout = timeout,
                RetryDelay = TimeSpan.FromMilliseconds(20),
                MaxRetries = 2,
            }
        );
}

/// <summary>
/// A test class's share of the stand-in: its faults cleared, a client with the given timeout, a store of its own, and
/// an app integration added to that store as Install-GitHubApp leaves it.
/// </summary>
public abstract class StandInStoreTests : IDisposable
{
    protected readonly GitHubStandIn _gh;
    protected readonly GitHubHttp _http;
    protected readonly TempDir _dir = new();
    protected readonly IntegrationStore _store;

    protected StandInStoreTests(StandInFixture f, TimeSpan timeout)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = f.Client(timeout);
        _store = IntegrationStore.Open(_dir["store.yaml"]);
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    protected Integration Installing(GitHubStandIn.App app) =>
        GitHubAppIntegration.Add(_store, _gh.Host, "acme", "app-" + app.Id, _gh.Registration(app));
}

/// <summary>A github.com stand-in (api.github.com's paths on a port of their own) shared by a test class.</summary>
public sealed class GitHubComFixture : StandInFixture
{
    protected override GitHubStandIn.Mode Mode => GitHubStandIn.Mode.GitHubCom;
}

/// <summary>Messages the flow gives its user, collected.</summary>
public sealed class Recorder : IGitHubProgress
{
    public readonly List<string> Statuses = new(),
        Verbose = new(),
        Said = new();
    public readonly List<GitIntegrationException> Errors = new();

    public void Status(string status)
    {
        lock (this)
            Statuses.Add(status);
    }

    public void Verbose_(string m)
    {
        lock (this)
            Verbose.Add(m);
    }

    void IGitHubProgress.Verbose(string message) => Verbose_(message);

    public void Say(string message)
    {
        lock (this)
            Said.Add(message);
    }

    public void Error(GitIntegrationException error)
    {
        lock (this)
            Errors.Add(error);
    }
}

/// <summary>The GitHub App client against a GitHub Enterprise Server.</summary>
public sealed class GitHubAppTests : GitHubAppTestsBase<StandInFixture>
{
    public GitHubAppTests(StandInFixture f)
        : base(f) { }
}

/// <summary>The same tests against github.com: api.github.com's paths, the client id as the JWT issuer.</summary>
public sealed class GitHubAppTestsOnGitHubCom : GitHubAppTestsBase<GitHubComFixture>
{
    public GitHubAppTestsOnGitHubCom(GitHubComFixture f)
        : base(f) { }
}

public abstract class GitHubAppTestsBase<TFixture> : IClassFixture<TFixture>, IDisposable
    where TFixture : StandInFixture
{
    private readonly GitHubStandIn _gh;
    private readonly List<string> _verbose = new();
    private readonly GitHubHttp _http;
    private readonly TempDir _dir = new();
    private bool OnGitHubCom => _gh.Kind == GitHubStandIn.Mode.GitHubCom;

    protected GitHubAppTestsBase(TFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _gh.EnterpriseAcceptsClientId = false;
        _gh.TokenLifetime = TimeSpan.FromHours(1);
        _http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(5),
                RetryDelay = TimeSpan.FromMilliseconds(20),
                MaxRetries = 2,
                MaxRateLimitWait = TimeSpan.FromSeconds(5),
                Verbose = m =>
                {
                    lock (_verbose)
                        _verbose.Add(m);
                },
            }
        );
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private GitHubAppClient Client(GitHubStandIn.App app, bool byClientId = false) =>
        new(_http, GitHubAppCredentials.FromPem(byClientId ? 0 : app.Id, byClientId ? app.ClientId : null, app.Pem));

    // ---------------------------------------------------------------- host, JWT

    [Fact]
    public void JwtClaimsFollowGitHubsRules()
    {
        var app = _gh.AddApp();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var client = new GitHubAppClient(_http, GitHubAppCredentials.FromPem(app.Id, app.ClientId, app.Pem), () => now);
        var parts = client.CreateJwt().Split('.');
        parts.Should().HaveCount(3);
        JsonDocument.Parse(B64(parts[0])).RootElement.GetProperty("alg").GetString().Should().Be("RS256");
        var claims = JsonDocument.Parse(B64(parts[1])).RootElement;
        claims.GetProperty("iat").GetInt64().Should().Be(now.ToUnixTimeSeconds() - 60);
        (claims.GetProperty("exp").GetInt64() - now.ToUnixTimeSeconds()).Should().BeInRange(1, 600);
        (claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64()).Should().BeLessThanOrEqualTo(600);
        // github.com: the client id it recommends; Enterprise Server: the app id, which every release accepts.
        claims.GetProperty("iss").GetString().Should().Be(OnGitHubCom ? app.ClientId : app.Id.ToString());
    }

    private static string B64(string s) =>
        Encoding.UTF8.GetString(
            Convert.FromBase64String(s.Replace('-', '+').Replace('_', '/').PadRight((s.Length + 3) / 4 * 4, '='))
        );

    [Fact]
    public async Task StandInAcceptsOurJwtAndSendsVersionedHeaders()
    {
        var app = _gh.AddApp();
        var got = await Client(app).GetAppAsync(default);
        got.Id.Should().Be(app.Id);
        got.Slug.Should().Be(app.Slug);
        got.Permissions.Should().ContainKey("contents", "the body is GitHub's documented example");
        _gh.Requests.Should()
            .OnlyContain(r =>
                r.ApiVersion == GitHubHttp.ApiVersion && r.UserAgent!.StartsWith("GitIntegration-PowerShell/")
            );
        _gh.Requests.Should().Contain(r => r.Path == _gh.ApiPath("app"));
    }

    [Fact]
    public async Task OnlyTheClientIdIsKnown_TheIssuerRuleOfTheHostDecides()
    {
        var app = _gh.AddApp();
        if (!OnGitHubCom)
        {
            // Enterprise Server 3.13 and before take only the app id as issuer: a client id names no app there.
            (
                await FluentActions
                    .Awaiting(() =>
                        GitHubAppLifecycle.VerifyAsync(
                            _http,
                            GitHubAppCredentials.FromPem(0, app.ClientId, app.Pem),
                            default
                        )
                    )
                    .Should()
                    .ThrowAsync<GitIntegrationException>()
            )
                .Which.ErrorId.Should()
                .Be(GitHubErrorIds.AppDeleted);
            _gh.EnterpriseAcceptsClientId = true; // later releases take it, as github.com does
        }
        (await Client(app, byClientId: true).GetAppAsync(default)).Id.Should().Be(app.Id);
        // Install-GitHubApp -ClientId alone: the check of the key takes the app GitHub names, whose id is not known
        // yet.
        (await GitHubAppLifecycle.VerifyAsync(_http, GitHubAppCredentials.FromPem(0, app.ClientId, app.Pem), default))
            .Id.Should()
            .Be(app.Id);
    }

    [Fact]
    public async Task NodeJsonwebtokenVerifiesOurJwt()
    {
        var node = JsonWebTokenTool.Folder();
        var app = _gh.AddApp();
        var client = new GitHubAppClient(_http, GitHubAppCredentials.FromPem(app.Id, app.ClientId, app.Pem));
        var jwt = client.CreateJwt();
        var pub = System.Security.Cryptography.RSA.Create();
        pub.ImportFromPem(app.Pem);
        File.WriteAllText(_dir["pub.pem"], pub.ExportSubjectPublicKeyInfoPem());
        var script =
            "const jwt=require('jsonwebtoken');const fs=require('fs');const "
            + "c=jwt.verify(process.argv[2],fs.readFileSync(process.argv[3]),{algorithms:['RS256'],issuer:process"
            + ".argv[4],maxAge:'10m'});const "
            + "now=Math.floor(Date.now()/1000);if(!(c.iat<=now-59&&c.exp-c.iat<=600&&c.exp>now))throw new "
            + "Error('claims '+JSON.stringify(c));console.log('ok '+c.iss)";
        File.WriteAllText(Path.Combine(node, "check.js"), script);
        var issuer = OnGitHubCom ? app.ClientId : app.Id.ToString();
        var (exit, o, e) = Tool.Run("node", new[] { Path.Combine(node, "check.js"), jwt, _dir["pub.pem"], issuer });
        (exit, o.Trim()).Should().Be((0, "ok " + issuer), e);
        // and node refuses a tampered token, so the check can fail
        var tampered = jwt[..^4] + (jwt[^4] == 'A' ? 'B' : 'A') + jwt[^3..];
        Tool.Run("node", new[] { Path.Combine(node, "check.js"), tampered, _dir["pub.pem"], issuer })
            .Exit.Should()
            .NotBe(0);
    }

    [Fact]
    public async Task JwtFromAWrongOrExpiredKeyIsRefusedLikeGitHub()
    {
        var app = _gh.AddApp();
        var stranger = System.Security.Cryptography.RSA.Create(2048).ExportRSAPrivateKeyPem();
        var wrong = new GitHubAppClient(_http, GitHubAppCredentials.FromPem(app.Id, null, stranger));
        var e = await FluentActions
            .Awaiting(() => wrong.GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.Unauthorized);
        e.Which.Message.Should().Contain("A JSON web token could not be decoded");

        var late = new GitHubAppClient(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            () => DateTimeOffset.UtcNow.AddMinutes(-30)
        );
        (await FluentActions.Awaiting(() => late.GetAppAsync(default)).Should().ThrowAsync<GitIntegrationException>())
            .Which.Message.Should()
            .Contain("'Expiration time' claim ('exp')");
        var early = new GitHubAppClient(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            () => DateTimeOffset.UtcNow.AddMinutes(5)
        );
        (await FluentActions.Awaiting(() => early.GetAppAsync(default)).Should().ThrowAsync<GitIntegrationException>())
            .Which.Message.Should()
            .Contain("'Issued at' claim ('iat')");
    }

    // ---------------------------------------------------------------- HTTP behaviour

    // GitHub documents both limits as 403 or 429: the primary one with x-ratelimit-remaining 0 (wait for
    // x-ratelimit-reset), the secondary one with retry-after (wait that many seconds).
    [Theory]
    [InlineData(GitHubStandIn.FaultKind.RateLimited, 403)]
    [InlineData(GitHubStandIn.FaultKind.RateLimited, 429)]
    [InlineData(GitHubStandIn.FaultKind.SecondaryRateLimit, 403)]
    [InlineData(GitHubStandIn.FaultKind.SecondaryRateLimit, 429)]
    public async Task RateLimitIsWaitedOutWithAVerboseMessage(GitHubStandIn.FaultKind kind, int status)
    {
        var app = _gh.AddApp();
        _gh.Faults.Enqueue(new(kind, TimeSpan.FromSeconds(1), status));
        var started = DateTime.UtcNow;
        (await Client(app).GetAppAsync(default)).Id.Should().Be(app.Id);
        (DateTime.UtcNow - started)
            .Should()
            .BeGreaterThan(TimeSpan.FromSeconds(0.9), "the client waited for the limit");
        _verbose
            .Should()
            .ContainSingle(m => m.Contains("rate limit") && m.Contains($"answered {status}") && m.Contains("waiting"));
    }

    [Theory]
    [InlineData(GitHubStandIn.FaultKind.RateLimited, 403)]
    [InlineData(GitHubStandIn.FaultKind.RateLimited, 429)]
    [InlineData(GitHubStandIn.FaultKind.SecondaryRateLimit, 403)]
    [InlineData(GitHubStandIn.FaultKind.SecondaryRateLimit, 429)]
    public async Task ARateLimitBeyondTheBoundIsAnErrorWithTheResetTime(GitHubStandIn.FaultKind kind, int status)
    {
        var app = _gh.AddApp();
        _gh.Faults.Enqueue(new(kind, TimeSpan.FromMinutes(30), status));
        var e = await FluentActions
            .Awaiting(() => Client(app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.RateLimited);
        e.Which.Kind.Should().Be(ErrorKind.LimitsExceeded);
        // retry-after 1800 is 30 min; a reset 30 min ahead is waited for one second more
        e.Which.Message.Should().Contain(kind == GitHubStandIn.FaultKind.RateLimited ? "(31 min)" : "(30 min)");
    }

    [Fact]
    public async Task ServerErrorsAndDroppedConnectionsAreRetried()
    {
        var app = _gh.AddApp();
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Drop));
        (await Client(app).GetAppAsync(default)).Id.Should().Be(app.Id);
        _verbose.Where(m => m.Contains("retry")).Should().HaveCount(2);
    }

    [Fact]
    public async Task AnAnswerThatTakesTooLongIsAskedAgain()
    {
        var app = _gh.AddApp();
        using var http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(5),
                MaxRetries = 1,
                RetryDelay = TimeSpan.FromMilliseconds(10),
            }
        );
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(30)));
        var client = new GitHubAppClient(http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        (await client.GetAppAsync(default)).Id.Should().Be(app.Id, "the second attempt is answered");
    }

    [Fact]
    public async Task PersistentServerErrorsEndInAnError()
    {
        var app = _gh.AddApp();
        for (int i = 0; i < 3; i++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError));
        var e = await FluentActions
            .Awaiting(() => Client(app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.ServerError);
        _gh.Faults.Should().BeEmpty("three attempts were made: the first and two retries");
    }

    [Fact]
    public async Task ASlowGitHubTimesOut()
    {
        var app = _gh.AddApp();
        using var http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromMilliseconds(300),
                MaxRetries = 1,
                RetryDelay = TimeSpan.FromMilliseconds(10),
            }
        );
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(2)));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Slow, TimeSpan.FromSeconds(2)));
        var client = new GitHubAppClient(http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        (await FluentActions.Awaiting(() => client.GetAppAsync(default)).Should().ThrowAsync<GitIntegrationException>())
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.Timeout);
    }

    // ---------------------------------------------------------------- tokens, repositories, suspend

    [Fact]
    public async Task InstallationTokensAreCachedUntilShortlyBeforeTheyExpire()
    {
        var app = _gh.AddApp(installed: true);
        var client = Client(app);
        var before = _gh.TokensIssued;
        var t1 = await client.GetInstallationTokenAsync(app.InstallationId!.Value, default);
        var t2 = await client.GetInstallationTokenAsync(app.InstallationId!.Value, default);
        t2.Should().Be(t1);
        (_gh.TokensIssued - before).Should().Be(1);

        var short_ = _gh.AddApp(installed: true);
        _gh.TokenLifetime = TimeSpan.FromMinutes(4); // inside the renewal margin: never reused
        var c2 = Client(short_);
        var a = await c2.GetInstallationTokenAsync(short_.InstallationId!.Value, default);
        var b = await c2.GetInstallationTokenAsync(short_.InstallationId!.Value, default);
        a.Should().NotBe(b);
    }

    [Fact]
    public async Task RepositoriesComeFromEveryPage()
    {
        var app = _gh.AddApp(installed: true, repositories: 230);
        var repos = await Client(app).GetRepositoriesAsync(app.InstallationId!.Value, default);
        repos.Select(r => r.Name).Should().Equal(app.Repositories);
        repos[0].FullName.Should().Be("acme/repo-001");
        _gh.Requests.Count(r => r.Path == _gh.ApiPath("installation/repositories")).Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public async Task SuspendAndResume()
    {
        var app = _gh.AddApp(installed: true);
        var client = Client(app);
        var id = app.InstallationId!.Value;
        await client.SuspendAsync(id, default);
        (await client.GetInstallationAsync(id, default)).IsSuspended.Should().BeTrue();
        (
            await FluentActions
                .Awaiting(() => client.GetRepositoriesAsync(id, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        )
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.Forbidden);
        await client.ResumeAsync(id, default);
        (await client.GetInstallationAsync(id, default)).IsSuspended.Should().BeFalse();
        (await client.GetRepositoriesAsync(id, default)).Should().HaveCount(3);
    }

    // ---------------------------------------------------------------- keys

    [Fact]
    public async Task AReissuedKeyIsAcceptedAndAWrongKeyRefused()
    {
        var app = _gh.AddApp();
        var other = _gh.AddApp();
        var reissued = _gh.AddKey(app);
        (await GitHubAppLifecycle.VerifyNewKeyAsync(_http, app.Id, null, reissued, default)).Id.Should().Be(app.Id);

        var stranger = System.Security.Cryptography.RSA.Create(2048).ExportRSAPrivateKeyPem();
        (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyNewKeyAsync(_http, app.Id, null, stranger, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        )
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.KeyRejected);
        // A valid key of another app, given with that app's client id. github.com takes the client id as the issuer and
        // accepts the token, as the other app: we refuse it. Enterprise Server is asked with the app id: it refuses the
        // key.
        (
            await FluentActions
                .Awaiting(() => GitHubAppLifecycle.VerifyNewKeyAsync(_http, app.Id, other.ClientId, other.Pem, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        )
            .Which.ErrorId.Should()
            .Be(OnGitHubCom ? GitHubErrorIds.KeyOfAnotherApp : GitHubErrorIds.KeyRejected);
        var ed = Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", _dir["ed"]);
        FluentActions
            .Invoking(() => GitHubAppCredentials.FromPem(app.Id, null, File.ReadAllText(_dir["ed"])))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.KeyNotRsa);
    }

    [Fact]
    public async Task StoredKeyIsReplacedOnlyByAnAcceptedKey()
    {
        var app = _gh.AddApp(installed: true);
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "acme-app", Registration(app));
        var before = File.ReadAllText(i.PrivateKeyPath!);
        var stranger = System.Security.Cryptography.RSA.Create(2048).ExportRSAPrivateKeyPem();
        await FluentActions
            .Awaiting(() => GitHubAppIntegration.ReplaceKeyAsync(store, _http, i, stranger, default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        File.ReadAllText(i.PrivateKeyPath!).Should().Be(before, "a refused key changes nothing");
        var reissued = _gh.AddKey(app);
        var after = await GitHubAppIntegration.ReplaceKeyAsync(store, _http, i, reissued, default);
        File.ReadAllText(after.PrivateKeyPath!).Should().Be(reissued);
        File.ReadAllText(store.Path).Should().NotContain("PRIVATE KEY").And.NotContain(app.WebhookSecret!);
    }

    /// <summary>
    /// The stored key's file was deleted or overwritten: Test-GitIntegration sends the admin to Update-GitHubAppKey,
    /// which must not need the file it replaces.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("not a key")]
    public async Task ALostOrDamagedStoredKeyIsReplacedByAReissuedOne(string? damage)
    {
        var app = _gh.AddApp(installed: true);
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "acme-app", Registration(app));
        if (damage == null)
            File.Delete(i.PrivateKeyPath!);
        else
            File.WriteAllText(i.PrivateKeyPath!, damage);
        FluentActions.Invoking(() => GitHubAppIntegration.Credentials(i)).Should().Throw<GitIntegrationException>();
        var reissued = _gh.AddKey(app);
        var after = await GitHubAppIntegration.ReplaceKeyAsync(store, _http, i, reissued, default);
        File.ReadAllText(after.PrivateKeyPath!).Should().Be(reissued);
        var client = new GitHubAppClient(_http, GitHubAppIntegration.Credentials(after)!);
        (await client.GetAppAsync(default)).Id.Should().Be(app.Id);
    }

    private GitHubAppRegistration Registration(GitHubStandIn.App app) => _gh.Registration(app);

    // ---------------------------------------------------------------- stuck Installing, uninstall

    [Fact]
    public async Task Installing_Case1_GitHubHasNotAnswered()
    {
        var none = await GitHubAppLifecycle.ExplainInstallingAsync(_http, null, "acme", null, default);
        none.Case.Should().Be(InstallingCase.WaitingForGitHub);

        var app = _gh.AddApp();
        for (int i = 0; i < 3; i++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError));
        var down = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        down.Case.Should().Be(InstallingCase.WaitingForGitHub);
        down.Message.Should().Contain("502");
    }

    [Fact]
    public async Task Installing_Case2_AppExistsButIsNotInstalled()
    {
        var app = _gh.AddApp();
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.NotInstalled);
        x.InstallUrl!.ToString().Should().Be(_gh.HtmlUrl(app) + "/installations/new");
        x.Remedy.Should().Contain(x.InstallUrl.ToString());
    }

    [Fact]
    public async Task Installing_Case3_AppWasDeletedOnGitHub()
    {
        var app = _gh.AddApp(installed: true);
        app.Deleted = true;
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.AppDeleted);
        x.Message.Should().Contain("deleted");
        x.Remedy.Should().Contain("-KeepInstallation");
    }

    [Fact]
    public async Task Installing_InstalledMeanwhileIsRecognised()
    {
        var app = _gh.AddApp(installed: true);
        var x = await GitHubAppLifecycle.ExplainInstallingAsync(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem),
            "acme",
            _gh.HtmlUrl(app),
            default
        );
        x.Case.Should().Be(InstallingCase.Installed);
        x.Installation!.Id.Should().Be(app.InstallationId);
    }

    /// <summary>An app installed on acme and its integration, Active in <paramref name="store"/>.</summary>
    private async Task<(GitHubStandIn.App App, Integration Integration)> InstalledAsync(
        IntegrationStore store,
        string name
    )
    {
        var app = _gh.AddApp(installed: true);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", name, Registration(app));
        var installation = await Client(app).FindOrganizationInstallationAsync("acme", default);
        return (app, GitHubAppIntegration.RecordInstallation(store, i.Id, installation!));
    }

    [Fact]
    public async Task RemovingTheIntegrationUninstallsTheAppUnlessKept()
    {
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var (app, i) = await InstalledAsync(store, "one");
        i.Status.Should().Be(IntegrationStatus.Active);
        var secretFiles = Directory.GetFiles(store.SecretsDirectory);
        secretFiles.Should().HaveCount(1, "the webhook secret is a protected file");

        IntegrationRemoval.Action(i, keepInstallation: false).Should().Contain("uninstall its GitHub App from acme");
        var outcome = await IntegrationRemoval.RemoveAsync(store, i, false, _http, default);
        outcome.Uninstalled.Should().BeTrue();
        outcome.Removed!.Id.Should().Be(i.Id);
        app.InstallationId.Should().BeNull("the app was uninstalled on GitHub");
        store.Load().Integrations.Should().BeEmpty();
        File.Exists(i.PrivateKeyPath).Should().BeFalse();
        Directory.GetFiles(store.SecretsDirectory).Should().BeEmpty();

        var (kept, k) = await InstalledAsync(store, "two");
        IntegrationRemoval.Action(k, keepInstallation: true).Should().Be("Remove integration");
        (await IntegrationRemoval.RemoveAsync(store, k, true, _http, default)).Uninstalled.Should().BeNull();
        kept.InstallationId.Should().NotBeNull();
    }

    [Fact]
    public async Task RemovingAnAppWhoseKeyIsLost_KeepsItAndSaysHowToRemoveItWithoutUninstalling()
    {
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var (app, i) = await InstalledAsync(store, "lost");
        File.Delete(i.PrivateKeyPath!);
        var e = (
            await FluentActions
                .Awaiting(() => IntegrationRemoval.RemoveAsync(store, i, false, _http, default))
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((ErrorIds.KeyFileNotFound, ErrorKind.ObjectNotFound, i.PrivateKeyPath));
        e.Message.Should()
            .Be(
                $"The private key of the GitHub App of 'lost' cannot be read: The file '{i.PrivateKeyPath}' does not "
                    + "exist. Give the app's .pem file again, or generate a new key on the app's settings page: "
                    + "Update-GitHubAppKey -Name 'lost' -PrivateKeyPath (Read-Host -Prompt 'The downloaded .pem "
                    + "file'). To remove the integration and leave the app installed on GitHub: Remove-GitIntegration "
                    + "-Name 'lost' -KeepInstallation"
            );
        store.Load().Integrations.Should().ContainSingle(x => x.Id == i.Id);
        app.InstallationId.Should().NotBeNull();

        var kept = await IntegrationRemoval.RemoveAsync(store, i, keepInstallation: true, _http, default);
        (kept.Removed!.Id, kept.Uninstalled).Should().Be((i.Id, (bool?)null));
        store.Load().Integrations.Should().BeEmpty();
    }

    // ---------------------------------------------------------------- the manifest flow, end to end

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ManifestFlowEndToEnd(bool browserAvailable)
    {
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, browserAvailable);
        var manifest = new GitHubAppManifest("acme", "Jira Git acme " + browserAvailable);
        var opener = new BrowserOpener(browser.Open);
        using var stop = new CancellationTokenSource();
        var watcher = browserAvailable
            ? Task.CompletedTask
            : Task.Run(async () =>
            {
                // no browser: the user reads each printed URL and opens it by hand
                int seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    string[] said;
                    lock (progress)
                        said = progress.Said.Skip(seen).ToArray();
                    seen += said.Length;
                    foreach (
                        var m in said.Select(s => Regex.Match(s, @"http://127\.0\.0\.1:\d+/\S*")).Where(m => m.Success)
                    )
                        await browser.Visit(new Uri(m.Value.TrimEnd(',', '.')));
                    await Task.Delay(20);
                }
            });

        var registration = await GitHubManifestFlow.CreateAppAsync(
            _http,
            manifest,
            opener,
            progress,
            StandInFixture.FlowTimeout,
            default
        );
        browser.ForgedCallbackStatus.Should().Be(400, "a redirect with another state is refused");
        progress
            .Errors.Should()
            .ContainSingle()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.CallbackForged, "the forged redirect is reported, and the flow went on");
        var app = _gh.Apps[registration.Id];
        registration.Pem.Should().Be(app.Pem);
        registration.WebhookSecret.Should().Be(app.WebhookSecret);
        JsonDocument
            .Parse(app.Manifest!)
            .RootElement.GetProperty("default_permissions")
            .GetProperty("contents")
            .GetString()
            .Should()
            .Be("read");

        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "acme-app-" + browserAvailable, registration);
        store.Load().Find(i.Id)!.Status.Should().Be(IntegrationStatus.Installing);

        app.NotFoundPolls = 2; // GitHub answers 404 twice before the installation shows
        var client = new GitHubAppClient(_http, GitHubAppIntegration.Credentials(store.Load().Find(i.Id)!)!);
        var installation = await GitHubManifestFlow.WaitForInstallationAsync(
            client,
            "acme",
            registration.HtmlUrl!,
            opener,
            progress,
            StandInFixture.FlowTimeout,
            TimeSpan.FromMilliseconds(50),
            default
        );
        installation.Id.Should().Be(app.InstallationId);
        var active = GitHubAppIntegration.RecordInstallation(store, i.Id, installation);
        active.Status.Should().Be(IntegrationStatus.Active);
        active.Properties[GitHubAppIntegration.InstallationId].Should().Be(app.InstallationId.ToString());
        active.Properties[GitHubAppIntegration.Account].Should().Be("acme");
        stop.Cancel();
        await watcher;
        if (!browserAvailable)
            progress.Said.Should().Contain(s => s.Contains("/installations/new"));
        File.ReadAllText(store.Path).Should().NotContain("PRIVATE KEY").And.NotContain(app.WebhookSecret!);
    }

    [Fact]
    public async Task OurManifestIsOneGitHubAccepts_AndGitHubsRulesAreEnforced()
    {
        var redirect = new Uri("http://127.0.0.1:9/flow/callback");
        async Task<(int Status, string? Refused)> Post(string manifest)
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            var before = _gh.ManifestRejections.Count;
            var r = await http.PostAsync(
                new Uri(_gh.BaseUrl, "organizations/acme/settings/apps/new?state=s"),
                new FormUrlEncodedContent(new Dictionary<string, string> { ["manifest"] = manifest })
            );
            return ((int)r.StatusCode, _gh.ManifestRejections.Skip(before).SingleOrDefault());
        }
        var name = "Jira Git " + Guid.NewGuid().ToString("N")[..8];
        var ours = new GitHubAppManifest("acme", name).ToJson(_gh.Host, redirect);
        (await Post(ours)).Should().Be((302, (string?)null), ours);
        JsonDocument
            .Parse(ours)
            .RootElement.GetProperty("url")
            .GetString()
            .Should()
            .Be(new Uri(_gh.BaseUrl, "acme").ToString());

        (await Post(ours)).Should().Be((422, "Name has already been taken"));
        var noUrl = new GitHubAppManifest("acme", name + "x")
            .ToJson(_gh.Host, redirect)
            .Replace("\"url\"", "\"homepage\"");
        (await Post(noUrl)).Should().Be((422, "Url can't be blank"));
        (await Post(new GitHubAppManifest("acme", new string('n', 35)).ToJson(_gh.Host, redirect)))
            .Should()
            .Be((422, "Name is too long (maximum is 34 characters)"));
        (await Post(new GitHubAppManifest("acme", new string('n', 34)).ToJson(_gh.Host, redirect)))
            .Status.Should()
            .Be(302);
        (await Post(new GitHubAppManifest("acme", "Octocat").ToJson(_gh.Host, redirect)))
            .Should()
            .Be((422, "Name has already been taken"), "another account's name");
    }

    [Fact]
    public async Task ManifestFlowTimesOutWhenNobodyCreatesTheApp()
    {
        var e = await FluentActions
            .Awaiting(() =>
                GitHubManifestFlow.CreateAppAsync(
                    _http,
                    new GitHubAppManifest("acme", "x"),
                    _ => true,
                    new Recorder(),
                    TimeSpan.FromMilliseconds(300),
                    default
                )
            )
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.ManifestTimeout);
    }

    [Fact]
    public async Task WaitingForTheInstallationTimesOutWithTheInstallUrl()
    {
        var app = _gh.AddApp();
        var e = await FluentActions
            .Awaiting(() =>
                GitHubManifestFlow.WaitForInstallationAsync(
                    Client(app),
                    "acme",
                    _gh.HtmlUrl(app),
                    _ => true,
                    new Recorder(),
                    TimeSpan.FromMilliseconds(200),
                    TimeSpan.FromMilliseconds(50),
                    default
                )
            )
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.InstallationTimeout);
        e.Which.Message.Should().Contain(_gh.HtmlUrl(app) + "/installations/new");
    }

    [Fact]
    public async Task AFailureAfterTheAppIsStoredSaysHowToFinishOrUndo()
    {
        var store = IntegrationStore.Open(_dir["unfinished.yaml"]);
        var browser = new PlayedBrowser(_gh, true);
        // GitHub created the app; by the time the install page opens it no longer answers this computer.
        BrowserOpener opener = url =>
        {
            if (!url.AbsolutePath.EndsWith("/installations/new"))
                return browser.Open(url);
            for (int n = 0; n < 10; n++)
                _gh.Faults.Enqueue(new GitHubStandIn.Fault(GitHubStandIn.FaultKind.ServerError));
            return false;
        };
        var manifest = new GitHubAppManifest("acme", "Jira Git [eu]");
        var e = (
            await FluentActions
                .Awaiting(() =>
                    GitHubManifestFlow.InstallAsync(
                        store,
                        _http,
                        manifest,
                        opener,
                        new Recorder(),
                        StandInFixture.FlowTimeout,
                        TimeSpan.FromMilliseconds(50),
                        default
                    )
                )
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        _gh.Faults.Clear();

        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.Kind.Should().Be(ErrorKind.ResourceUnavailable, "the kind of what failed: GitHub's 5xx");
        e.InnerException.Should()
            .BeOfType<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.ServerError);
        var i = store.Load().Integrations.Should().ContainSingle().Which;
        i.Status.Should().Be(IntegrationStatus.Installing);
        var html = GitHubAppIntegration.Text(i, GitHubAppIntegration.HtmlUrl)!;
        var slug = GitHubAppIntegration.Text(i, GitHubAppIntegration.Slug)!;
        e.Message.Should()
            .Contain($"exists on GitHub ({html})")
            .And.Contain(
                $"install the app at {html}/installations/new, then run "
                    + "Get-GitHubAppInstallation -Name 'Jira Git `[eu`]'"
            )
            .And.Contain(
                "run Remove-GitIntegration -Name 'Jira Git `[eu`]' and delete the app at "
                    + $"{_gh.BaseUrl}organizations/acme/settings/apps/{slug} (Advanced, Delete GitHub App)"
            );
    }
}

/// <summary>
/// The test plays the browser: it loads the local page, posts its form to GitHub, follows the redirect, and clicks
/// Install.
/// </summary>
public sealed class PlayedBrowser
{
    private readonly GitHubStandIn _gh;
    private readonly bool _available;
    public int? ForgedCallbackStatus;

    /// <summary>
    /// Where the form goes instead of the page's own action (the user picked another account on GitHub).
    /// </summary>
    public string? PostTo;

    /// <summary>
    /// Runs when the flow opens its page, before the browser loads it (the tests' attackers act here).
    /// </summary>
    public Func<Uri, Task>? Before;

    /// <summary>The last visit started by <see cref="Open"/>: awaiting it surfaces what went wrong in it.</summary>
    public Task Visiting = Task.CompletedTask;

    public PlayedBrowser(GitHubStandIn gh, bool available)
    {
        _gh = gh;
        _available = available;
    }

    public bool Open(Uri url)
    {
        if (!_available)
            return false;
        var before =
            url.AbsolutePath.EndsWith("/installations/new") || Before == null ? Task.CompletedTask : Before(url);
        Visiting = Task.Run(async () =>
        {
            await before;
            await Visit(url);
        });
        return true;
    }

    public async Task Visit(Uri url)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        if (url.AbsolutePath.EndsWith("/installations/new"))
        {
            (await http.GetAsync(url)).EnsureSuccessStatusCode();
            return;
        }
        var page = await http.GetStringAsync(url);
        var action = System.Net.WebUtility.HtmlDecode(
            Regex.Match(page, "<form[^>]*action=\"([^\"]+)\"").Groups[1].Value
        );
        var manifest = System.Net.WebUtility.HtmlDecode(
            Regex.Match(page, "name=\"manifest\" value=\"([^\"]*)\"").Groups[1].Value
        );
        Regex.IsMatch(page, "method=\"post\"").Should().BeTrue();
        new Uri(action).AbsolutePath.Should().Be("/organizations/acme/settings/apps/new");
        if (PostTo != null)
            action = new UriBuilder(action) { Path = PostTo }.Uri.ToString();
        // someone else's redirect first: wrong state
        var redirect = JsonDocument.Parse(manifest).RootElement.GetProperty("redirect_url").GetString();
        ForgedCallbackStatus = (int)(await http.GetAsync($"{redirect}?code=forged&state=0000")).StatusCode;
        var posted = await http.PostAsync(
            action,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["manifest"] = manifest })
        );
        ((int)posted.StatusCode).Should().Be(302);
        var back = await http.GetAsync(posted.Headers.Location);
        back.EnsureSuccessStatusCode();
    }
}

/// <summary>node's jsonwebtoken package, installed once per machine in a temp folder (npm).</summary>
public static class JsonWebTokenTool
{
    private static readonly Lazy<string> Dir = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitintegration-jsonwebtoken");
        if (File.Exists(Path.Combine(dir, "node_modules", "jsonwebtoken", "package.json")))
            return dir;
        if (!Tool.Exists("node") || !Tool.Exists("npm"))
            throw new InvalidOperationException(
                "node and npm are needed to check JWTs with jsonwebtoken (tests/run-all.sh installs them)."
            );
        Directory.CreateDirectory(dir);
        var (exit, o, e) = Tool.Run(
            "npm",
            new[] { "install", "--prefix", dir, "--no-audit", "--no-fund", "jsonwebtoken@9" }
        );
        if (exit != 0)
            throw new InvalidOperationException("npm install jsonwebtoken failed: " + e + o);
        return dir;
    });

    public static string Folder() => Dir.Value;
}

/// <summary>Which GitHub a host URL names, and where its API is.</summary>
public sealed class GitHubHostTests
{
    [Theory]
    [InlineData(null, "https://github.com/", "https://api.github.com/", false)]
    [InlineData("github.com", "https://github.com/", "https://api.github.com/", false)]
    [InlineData("https://ghe.example.com", "https://ghe.example.com/", "https://ghe.example.com/api/v3/", true)]
    [InlineData("ghe.example.com:8443", "https://ghe.example.com:8443/", "https://ghe.example.com:8443/api/v3/", true)]
    public void HostUrlGivesTheApiBase(string? hostUrl, string web, string api, bool enterprise)
    {
        var h = GitHubHost.FromHostUrl(hostUrl);
        (h.WebUrl.ToString(), h.ApiUrl.ToString(), h.IsEnterprise).Should().Be((web, api, enterprise));
    }

    [Fact]
    public void TheStoreKeepsTheAddressOfAnEnterpriseServerOnly()
    {
        GitHubHost.FromHostUrl("https://ghe.example.com:8443/x").HostUrl.Should().Be("https://ghe.example.com:8443");
        GitHubHost.FromHostUrl("github.com").HostUrl.Should().BeNull();
    }

    [Fact]
    public void PlainHttpIsRefusedExceptOnLoopback()
    {
        GitHubHost.FromHostUrl("http://localhost:8080").ApiUrl.ToString().Should().Be("http://localhost:8080/api/v3/");
        var act = () => GitHubHost.FromHostUrl("http://ghe.example.com");
        act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(GitHubErrorIds.HostUrlInvalid);
        GitHubHost.FromHostUrl("http://127.0.0.1:8080").ApiUrl.ToString().Should().Be("http://127.0.0.1:8080/api/v3/");
        GitHubHost.FromHostUrl("http://[::1]:8080").ApiUrl.ToString().Should().Be("http://[::1]:8080/api/v3/");
        act.Should()
            .Throw<GitIntegrationException>()
            .Which.Message.Should()
            .StartWith(
                "The host URL 'http://ghe.example.com' uses http; GitHub Enterprise Server is reached over https."
            );
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("GitHub.com")]
    [InlineData("https://www.github.com/")]
    [InlineData("https://API.github.com/")]
    [InlineData(" github.com ")]
    public void EveryNameOfGitHubComIsGitHubCom(string hostUrl)
    {
        var h = GitHubHost.FromHostUrl(hostUrl);
        h.Should().BeSameAs(GitHubHost.GitHubCom);
        h.HostUrl.Should().BeNull();
        h.ToString().Should().Be("https://github.com/");
    }

    [Theory]
    [InlineData("ftp://ghe.example.com")]
    [InlineData("ghe example.com")]
    [InlineData("https://")]
    public void AnAddressThatIsNotAWebAddressIsRefused(string hostUrl)
    {
        var e = FluentActions
            .Invoking(() => GitHubHost.FromHostUrl(hostUrl))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        e.ErrorId.Should().Be(GitHubErrorIds.HostUrlInvalid);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Target.Should().Be(hostUrl);
        e.Message.Should()
            .Be(
                $"The host URL '{hostUrl}' is not a web address. "
                    + "Give the address of the GitHub Enterprise "
                    + "Server, e.g. https://github.example.com, or leave -HostUrl out for github.com."
            );
    }

    [Fact]
    public void AnEnterpriseServerIsItsAddressWithoutPathOrQuery()
    {
        var h = GitHubHost.FromHostUrl(" https://GHE.example.com:8443/orgs/acme?tab=1 ");
        h.WebUrl.ToString().Should().Be("https://ghe.example.com:8443/");
        h.ToString().Should().Be("https://ghe.example.com:8443/");
        h.IsEnterprise.Should().BeTrue();
    }

    [Fact]
    public void PagesOfTheAppAndTheOrganizationAreOnTheWebHost()
    {
        var h = GitHubHost.FromHostUrl("https://ghe.example.com");
        h.ManifestUrl("acme corp", "a&b=c")
            .AbsoluteUri.Should()
            .Be("https://ghe.example.com/organizations/acme%20corp/settings/apps/new?state=a%26b%3Dc");
        h.OrganizationAppsUrl("acme corp")
            .AbsoluteUri.Should()
            .Be("https://ghe.example.com/organizations/acme%20corp/settings/apps");
        h.AppSettingsUrl(new GitHubAccount { Login = "acme", Type = "organization" }, "jira git")
            .AbsoluteUri.Should()
            .Be("https://ghe.example.com/organizations/acme/settings/apps/jira%20git");
        h.AppSettingsUrl(new GitHubAccount { Login = "octocat", Type = "User" }, "jira-git")
            .AbsoluteUri.Should()
            .Be("https://ghe.example.com/settings/apps/jira-git");
        GitHubHost
            .InstallUrl("https://ghe.example.com/github-apps/jira-git/")
            .AbsoluteUri.Should()
            .Be("https://ghe.example.com/github-apps/jira-git/installations/new");
    }
}

/// <summary>The JWT is signed with a private key only.</summary>
public sealed class GitHubJwtTests
{
    [Fact]
    public void APublicKeyOrNoKeyCannotSign()
    {
        var rsa = System.Security.Cryptography.RSA.Create(2048).ExportParameters(false);
        var pub = new Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters(
            false,
            new Org.BouncyCastle.Math.BigInteger(1, rsa.Modulus),
            new Org.BouncyCastle.Math.BigInteger(1, rsa.Exponent)
        );
        FluentActions
            .Invoking(() => GitHubJwt.Create(pub, "1", DateTimeOffset.UtcNow))
            .Should()
            .Throw<ArgumentException>()
            .Which.Message.Should()
            .Be("An RSA private key is needed. (Parameter 'privateKey')");
        FluentActions
            .Invoking(() => GitHubJwt.Create(null!, "1", DateTimeOffset.UtcNow))
            .Should()
            .Throw<ArgumentException>()
            .Which.ParamName.Should()
            .Be("privateKey");
    }
}
