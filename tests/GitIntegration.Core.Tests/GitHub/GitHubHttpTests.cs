using System.Net.Http;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// The REST client's patience, in the cases GitHub documents: which answers are retried, how long a rate limit is
/// waited for and how often, how pages are followed. A wait is observed through the verbose message that announces it
/// and then cancelled, so no test sleeps through a rate limit.
/// </summary>
public sealed class GitHubHttpTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly List<string> _verbose = new();
    private readonly CancellationTokenSource _cancel = new();

    public GitHubHttpTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
    }

    public void Dispose() => _cancel.Dispose();

    /// <summary>A client that cancels its request as soon as it announces a rate-limit wait.</summary>
    private GitHubHttp Http(TimeSpan maxRateLimitWait, int maxRetries = 3, bool cancelOnWait = false) =>
        new(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(30),
                MaxRetries = maxRetries,
                RetryDelay = TimeSpan.FromMilliseconds(10),
                MaxRateLimitWait = maxRateLimitWait,
                Verbose = m =>
                {
                    lock (_verbose)
                        _verbose.Add(m);
                    if (cancelOnWait && m.Contains("waiting"))
                        _cancel.Cancel();
                },
            }
        );

    private static GitHubAppClient Client(GitHubHttp http, GitHubStandIn.App app) =>
        new(http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));

    private int ApiRequests(string path) => _gh.Requests.Count(r => r.Path == _gh.ApiPath(path));

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task EveryServerErrorIsRetried(int status)
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError, Status: status));
        (await Client(http, app).GetAppAsync(default)).Id.Should().Be(app.Id);
        _verbose.Should().ContainSingle().Which.Should().StartWith($"GitHub answered {status} ");
    }

    [Fact]
    public async Task RetriesWaitTwiceAsLongEachTimeAndStopAfterTheLimit()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5), maxRetries: 3);
        for (int i = 0; i < 4; i++)
            _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.ServerError, Status: 500));
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.ServerError);
        e.Which.Kind.Should().Be(ErrorKind.ResourceUnavailable);
        e.Which.Message.Should()
            .Be(
                "GitHub answered 500 Internal Server Error to GET /api/v3/app, 4 times. GitHub has a problem on its "
                    + "side; check https://www.githubstatus.com (or the server's status) and try again later."
            );
        _verbose
            .Should()
            .Equal(
                "GitHub answered 500 Internal Server Error; retry 1 of 3 in 0.01 s.",
                "GitHub answered 500 Internal Server Error; retry 2 of 3 in 0.02 s.",
                "GitHub answered 500 Internal Server Error; retry 3 of 3 in 0.04 s."
            );
        _gh.Faults.Should().BeEmpty();
    }

    [Fact]
    public async Task AClientErrorIsAnsweredAtOnceWithoutRetry()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        var before = ApiRequests("app/installations/999999");
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetInstallationAsync(999999, default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.NotFound);
        ApiRequests("app/installations/999999").Should().Be(before + 1);
        _verbose.Should().BeEmpty();
    }

    // GitHub: "If you receive a rate limit error [and] the retry-after response header is [absent] and
    // x-ratelimit-remaining is not 0, you should wait at least one minute before retrying."
    [Fact]
    public async Task ABare429IsWaitedOutForAMinute()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromMinutes(2), cancelOnWait: true);
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.BareRateLimit, Status: 429));
        await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(_cancel.Token))
            .Should()
            .ThrowAsync<OperationCanceledException>();
        _verbose
            .Should()
            .ContainSingle()
            .Which.Should()
            .Be("GitHub's rate limit is reached (GET /api/v3/app answered 429); waiting 60 s for it to reset.");
    }

    [Fact]
    public async Task ABare429IsAnErrorWhenAMinuteIsMoreThanTheBound()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(30));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.BareRateLimit, Status: 429));
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.RateLimited);
        e.Which.Message.Should().Contain("(1 min)");
        _verbose.Should().BeEmpty();
    }

    [Fact]
    public async Task ABare403IsAPermissionErrorNotARateLimit()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromMinutes(2));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.BareRateLimit, Status: 403));
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.Forbidden);
        e.Which.Kind.Should().Be(ErrorKind.PermissionDenied);
        _verbose.Should().BeEmpty();
    }

    [Theory]
    [InlineData(GitHubStandIn.FaultKind.SecondaryRateLimit, 0)] // retry-after: 0
    [InlineData(GitHubStandIn.FaultKind.RateLimited, -30)] // x-ratelimit-reset already past
    public async Task ALimitThatHasAlreadyResetIsWaitedForOneSecond(GitHubStandIn.FaultKind kind, int seconds)
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromMinutes(2), cancelOnWait: true);
        _gh.Faults.Enqueue(new(kind, TimeSpan.FromSeconds(seconds), 429));
        await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(_cancel.Token))
            .Should()
            .ThrowAsync<OperationCanceledException>();
        _verbose.Should().ContainSingle().Which.Should().EndWith("waiting 1 s for it to reset.");
    }

    [Fact]
    public async Task ASecondaryLimitIsWaitedForAsLongAsRetryAfterSays()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromMinutes(2), cancelOnWait: true);
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.SecondaryRateLimit, TimeSpan.FromSeconds(42), 403));
        await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(_cancel.Token))
            .Should()
            .ThrowAsync<OperationCanceledException>();
        _verbose
            .Should()
            .ContainSingle()
            .Which.Should()
            .Be("GitHub's rate limit is reached (GET /api/v3/app answered 403); waiting 42 s for it to reset.");
    }

    // Three waits (of one second each here) are waited out; a fourth limit in a row is an error, not a fourth wait.
    [Fact]
    public async Task AtMostThreeRateLimitsAreWaitedOutPerRequest()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromMinutes(2));
        var limit = new GitHubStandIn.Fault(GitHubStandIn.FaultKind.SecondaryRateLimit, TimeSpan.Zero, 429);
        for (int i = 0; i < 4; i++)
            _gh.Faults.Enqueue(limit);
        var before = ApiRequests("app");
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        e.Which.ErrorId.Should().Be(GitHubErrorIds.RateLimited);
        ApiRequests("app").Should().Be(before + 4);
        _verbose.Should().HaveCount(3).And.OnlyContain(m => m.Contains("waiting 1 s"));

        _verbose.Clear();
        for (int i = 0; i < 3; i++)
            _gh.Faults.Enqueue(limit);
        (await Client(http, app).GetAppAsync(default)).Id.Should().Be(app.Id, "three limits in a row are waited out");
        _verbose.Should().HaveCount(3);
    }

    // GitHub lists the links of a middle page as prev, next, last, first: "next" is not the first of them.
    [Fact]
    public async Task PagesAreFollowedByTheLinkHeadersNextLinkOnly()
    {
        var app = _gh.AddApp(installed: true, repositories: 250);
        using var http = Http(TimeSpan.FromSeconds(5));
        var before = ApiRequests("installation/repositories");
        var repos = await Client(http, app).GetRepositoriesAsync(app.InstallationId!.Value, default);
        repos.Select(r => r.Name).Should().Equal(app.Repositories);
        ApiRequests("installation/repositories").Should().Be(before + 3, "100 per page: pages 1, 2 and 3");
    }

    [Fact]
    public async Task APathWithALeadingSlashIsUnderTheApiRootAndAnAbsoluteUrlIsUsedAsIs()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        var client = Client(http, app);
        Func<Task<string?>> jwt = () => Task.FromResult<string?>(client.CreateJwt());
        var r = await http.SendOkAsync(HttpMethod.Get, "/app", jwt, null, default);
        r.Json<GitHubApp>().Id.Should().Be(app.Id);
        r.Message.Should().BeNull("a success has no message");
        var absolute = new Uri(_gh.ApiUrl, "app/installations").AbsoluteUri;
        var list = await http.SendOkAsync(HttpMethod.Get, absolute, jwt, null, default);
        list.Status.Should().Be(System.Net.HttpStatusCode.OK);
        list.Message.Should().BeNull("an array has no message");
        list.NextPage.Should().BeNull();
    }

    [Fact]
    public async Task AnAnswerThatIsNotJsonIsUnexpectedResponse()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        // A web page where the API was expected, as a proxy's login page would be.
        var page = await http.SendOkAsync(HttpMethod.Get, _gh.HtmlUrl(app) + "/installations/new", null, null, default);
        page.Message.Should().BeNull();
        var e = FluentActions.Invoking(() => page.Json<GitHubApp>()).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.UnexpectedResponse, ErrorKind.InvalidData));
        e.Message.Should().Contain("not the expected JSON").And.Contain("Check the host URL");
    }

    [Fact]
    public async Task GitHubsOwnMessageIsQuotedInTheError()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        var r = await http.SendAsync(HttpMethod.Get, "app/installations/4242", null, null, default);
        (r.IsSuccess, r.Status).Should().Be((false, System.Net.HttpStatusCode.Unauthorized));
        r.Message.Should().Be("A JSON web token could not be decoded");
        var e = GitHubHttp.Error(r, HttpMethod.Get, "app/installations/4242");
        (e.ErrorId, e.Kind).Should().Be((GitHubErrorIds.Unauthorized, ErrorKind.AuthenticationError));
        e.Message.Should()
            .StartWith(
                "GET app/installations/4242 answered 401. "
                    + "GitHub says: \"A JSON web token could not be decoded\". GitHub did not"
            );
    }

    [Fact]
    public async Task ALimitBeyondTheBoundSaysUntilWhenItLasts()
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.SecondaryRateLimit, TimeSpan.FromHours(2), 403));
        var asked = DateTimeOffset.Now;
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        var until = System.Text.RegularExpressions.Regex.Match(
            e.Which.Message,
            @"^GitHub's rate limit for this app is used up until (\d\d:\d\d:\d\d) \(120 min\)\. "
                + @"Run the command again after that time\.$"
        );
        until.Success.Should().BeTrue(e.Which.Message);
        // The local time of day two hours on (a minute either way for a slow machine, across midnight too).
        var ahead =
            (TimeSpan.Parse(until.Groups[1].Value) - asked.TimeOfDay + TimeSpan.FromDays(1)).TotalMinutes % (24 * 60);
        ahead.Should().BeInRange(119, 121);
        e.Which.Target.Should().Be(new Uri(_gh.ApiUrl, "app").ToString());
    }

    // The refusals a GitHub App meets, each with the sentence that tells the admin what to do next, and whatever GitHub
    // said about it. A 3xx is not a success: only 2xx is.
    [Theory]
    [InlineData(
        401,
        "{\"message\":\"Bad credentials\"}",
        GitHubErrorIds.Unauthorized,
        ErrorKind.AuthenticationError,
        "GET app answered 401. GitHub says: \"Bad credentials\". GitHub did not accept the app's credentials: check "
            + "the app id and that the private key is a current key of this app (Update-GitHubAppKey replaces it)."
    )]
    [InlineData(
        404,
        "{\"message\":\"Not Found\"}",
        GitHubErrorIds.NotFound,
        ErrorKind.ObjectNotFound,
        "GET app answered 404. GitHub says: \"Not Found\". It does not exist on GitHub, or the app cannot see it."
    )]
    [InlineData(
        422,
        "{\"message\":\"Validation Failed\"}",
        GitHubErrorIds.Rejected,
        ErrorKind.InvalidOperation,
        "GET app answered 422. GitHub says: \"Validation Failed\"."
    )]
    [InlineData(300, "[]", GitHubErrorIds.Rejected, ErrorKind.InvalidOperation, "GET app answered 300.")]
    public async Task ARefusalSaysWhatGitHubAnsweredAndWhatToDo(
        int status,
        string body,
        string id,
        ErrorKind kind,
        string message
    )
    {
        var app = _gh.AddApp();
        using var http = Http(TimeSpan.FromSeconds(5));
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Answer, Status: status, Body: body));
        var e = await FluentActions
            .Awaiting(() => Client(http, app).GetAppAsync(default))
            .Should()
            .ThrowAsync<GitIntegrationException>();
        (e.Which.ErrorId, e.Which.Kind, e.Which.Message).Should().Be((id, kind, message));
        _verbose.Should().BeEmpty("a refusal is not retried");
    }

    // GitHub: "Setting [Accept] to application/vnd.github+json is recommended." None of the app's requests has a body
    // (the token request's is optional): none says it has one.
    [Fact]
    public async Task EveryRequestAsksForGitHubsJsonMediaTypeAndSendsNoBody()
    {
        var app = _gh.AddApp(installed: true, repositories: 120);
        using var http = Http(TimeSpan.FromSeconds(5));
        var before = (_gh.AcceptHeaders.Count, _gh.ContentTypes.Count);
        (await Client(http, app).GetRepositoriesAsync(app.InstallationId!.Value, default)).Should().HaveCount(120);
        _gh.AcceptHeaders.Skip(before.Item1)
            .Should()
            .HaveCount(3)
            .And.OnlyContain(a => a == "application/vnd.github+json");
        _gh.ContentTypes.Skip(before.Item2).Should().Equal("", "", "");
    }
}
