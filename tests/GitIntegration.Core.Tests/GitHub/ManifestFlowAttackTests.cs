using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// The manifest flow's page on 127.0.0.1 under attack from another client on the same computer: one that does not know
/// the address the browser was given (another local user), one that sends a code for an app of its own, a web page
/// that points its own name at 127.0.0.1 (DNS rebinding), and one that sends its request a byte at a time.
/// </summary>
public sealed class ManifestFlowAttackTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;

    /// <summary>GitHub App names are unique across GitHub, and the stand-in enforces it: one name per test.</summary>
    private readonly string _name = "Jira Git " + Guid.NewGuid().ToString("N")[..8];

    public ManifestFlowAttackTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = f.Client(TimeSpan.FromSeconds(30));
    }

    public void Dispose() => _http.Dispose();

    private static readonly TimeSpan Generous = StandInFixture.FlowTimeout;

    private bool Converted(string code) =>
        _gh.Requests.Any(r => r.Path == _gh.ApiPath($"app-manifests/{code}/conversions"));

    /// <summary>
    /// What another local user does: creates an app of its own whose redirect is this listener, and takes the code.
    /// </summary>
    private async Task<string> AttackersCode(HttpClient http, Uri listener, string state)
    {
        var name = "evil " + Guid.NewGuid().ToString("N")[..8];
        var manifest =
            $"{{\"name\":\"{name}\",\"url\":\"https://"
            + $"evil.example\",\"redirect_url\":\"{listener}callback\",\"public\":false}}";
        var posted = await http.PostAsync(
            new Uri(_gh.BaseUrl, $"organizations/evil/settings/apps/new?state={state}"),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["manifest"] = manifest })
        );
        posted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        return Regex.Match(posted.Headers.Location!.Query, "code=([0-9a-f]+)").Groups[1].Value;
    }

    [Fact]
    public async Task Another_local_client_gets_neither_the_page_nor_the_state_and_its_code_is_never_exchanged()
    {
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, true);
        string? attackerCode = null;
        HttpStatusCode? rootStatus = null,
            forgedStatus = null;
        string rootPage = "";
        browser.Before = async url =>
        {
            // The attacker knows the port (it can scan for it), not the path the browser was given.
            var listener = new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            var root = await http.GetAsync(listener);
            rootStatus = root.StatusCode;
            rootPage = await root.Content.ReadAsStringAsync();
            var stolen = Regex.Match(WebUtility.HtmlDecode(rootPage), @"[?&]state=([0-9a-f]+)");
            attackerCode = await AttackersCode(http, listener, stolen.Success ? stolen.Groups[1].Value : "unknown");
            var state = stolen.Success ? stolen.Groups[1].Value : "unknown";
            forgedStatus = (
                await http.GetAsync(new Uri(listener, $"callback?code={attackerCode}&state={state}"))
            ).StatusCode;
        };

        var registration = await GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", _name),
            browser.Open,
            progress,
            Generous,
            default
        );

        rootStatus
            .Should()
            .Be(HttpStatusCode.NotFound, "the page is served only under the address given to the browser");
        rootPage.Should().NotContain("state").And.NotContain("manifest");
        forgedStatus.Should().NotBe(HttpStatusCode.OK);
        registration.Owner!.Login.Should().Be("acme", "the app stored is the one the user created, not the attacker's");
        Converted(attackerCode!).Should().BeFalse("the attacker's code never reached GitHub's conversion");
        await browser.Visiting;
        progress
            .Errors.Select(e => e.ErrorId)
            .Should()
            .Contain(GitHubErrorIds.CallbackForged, "the forged callback is reported, and the flow went on");
        progress
            .Errors.Should()
            .OnlyContain(e => e.ErrorId == GitHubErrorIds.CallbackForged && e.Kind == ErrorKind.SecurityError);
    }

    [Fact]
    public async Task A_page_that_points_its_own_name_at_127_0_0_1_is_refused_even_on_the_secret_path()
    {
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, true);
        string? page = null,
            callback = null;
        browser.Before = async url =>
        {
            // DNS rebinding: the browser sends the attacker's host name, even to the right port and path.
            page = await RawGet(url.Port, url.AbsolutePath, $"rebind.example:{url.Port}");
            callback = await RawGet(
                url.Port,
                url.AbsolutePath + "callback?code=abc&state=def",
                $"rebind.example:{url.Port}"
            );
        };

        var registration = await GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", _name),
            browser.Open,
            progress,
            Generous,
            default
        );
        await browser.Visiting;

        page.Should().StartWith("HTTP/1.1 421").And.NotContain("manifest");
        callback.Should().StartWith("HTTP/1.1 400");
        progress
            .Errors.Should()
            .ContainSingle(e => e.Message.Contains("rebind.example"))
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.CallbackForged);
        registration.Owner!.Login.Should().Be("acme");
    }

    private static async Task<string> RawGet(int port, string target, string host)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(
            Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        );
        return await new StreamReader(stream).ReadToEndAsync();
    }

    [Theory]
    [InlineData("/organizations/evil/settings/apps/new", "evil", "organizations/evil/settings/apps/")]
    [InlineData("/settings/apps/new", "octocat", "settings/apps/")]
    public async Task A_code_for_an_app_someone_else_owns_is_not_kept_and_the_error_names_the_page_to_delete_it(
        string postTo,
        string owner,
        string settings
    )
    {
        var browser = new PlayedBrowser(_gh, true) { PostTo = postTo };
        var e = (
            await FluentActions
                .Awaiting(() =>
                    GitHubManifestFlow.CreateAppAsync(
                        _http,
                        new GitHubAppManifest("acme", _name),
                        browser.Open,
                        new Recorder(),
                        Generous,
                        default
                    )
                )
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        await browser.Visiting;

        var app = _gh.Apps.Values.Single(a =>
            a.Organization == owner && a.Name == _name && e.Message.Contains(_gh.HtmlUrl(a))
        );
        e.ErrorId.Should().Be(GitHubErrorIds.AppOwnerMismatch);
        e.Kind.Should().Be(ErrorKind.SecurityError);
        e.Message.Should()
            .Contain($"'{owner}'")
            .And.Contain("'acme'")
            .And.Contain("must be deleted")
            .And.Contain(new Uri(_gh.BaseUrl, settings + app.Slug).ToString())
            .And.NotContain(app.Pem);
        e.Target.Should().Be(_gh.HtmlUrl(app));
    }

    /// <summary>
    /// Clients that connect first and then send their request a byte a second, reconnecting whenever they are cut off,
    /// as a local user who wants to hold the flow would: the browser that comes after them is served all the same.
    /// </summary>
    [Fact]
    public async Task Clients_that_drip_their_request_a_byte_at_a_time_cannot_hold_the_flow()
    {
        using var stop = new CancellationTokenSource();
        var drippers = new List<Task>();
        var browser = new PlayedBrowser(_gh, true);
        var connected = 0;
        browser.Before = async url =>
        {
            for (int i = 0; i < 3; i++)
                drippers.Add(Drip(url.Port, () => Interlocked.Increment(ref connected), stop.Token));
            while (Volatile.Read(ref connected) < 3)
                await Task.Delay(10);
        };

        var clock = Stopwatch.StartNew();
        GitHubAppRegistration registration;
        try
        {
            registration = await GitHubManifestFlow.CreateAppAsync(
                _http,
                new GitHubAppManifest("acme", _name),
                browser.Open,
                new Recorder(),
                Generous,
                default
            );
        }
        finally
        {
            stop.Cancel();
            await Task.WhenAll(drippers);
        }
        var took = clock.Elapsed;
        await browser.Visiting;

        registration
            .Owner!.Login.Should()
            .Be("acme", $"the flow finished while the drippers kept at it ({took.TotalSeconds:0.0} s)");
    }

    private static async Task Drip(int port, Action connected, CancellationToken stop)
    {
        bool first = true;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                var stream = tcp.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n"));
                if (first)
                {
                    first = false;
                    connected();
                }
                while (!stop.IsCancellationRequested)
                {
                    await Task.Delay(1000, stop);
                    await stream.WriteAsync(new[] { (byte)'X' }, stop);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception e) when (e is IOException || e is SocketException)
            {
                await Task.Delay(50); // cut off: connect again
            }
        }
    }

    [Fact]
    public async Task The_listener_serves_side_by_side_and_cuts_a_request_that_does_not_arrive_in_time()
    {
        // Side by side: a complete request is answered while a slow one is still open (a deadline long enough not to
        // matter).
        using (var listener = new LoopbackListener(TimeSpan.FromMinutes(5)))
        using (var stop = new CancellationTokenSource())
        {
            using var slow = new TcpClient();
            await slow.ConnectAsync(IPAddress.Loopback, listener.Port);
            await slow.GetStream().WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n"));
            var serving = listener.ServeUntilAsync<string>(r => (200, "ok", null), stop.Token);
            (await RawGet(listener.Port, "/other", listener.Authority)).Should().StartWith("HTTP/1.1 200");
            slow.Client.Poll(0, SelectMode.SelectRead)
                .Should()
                .BeFalse("the slow request is still open: the other did not wait for it to end");
            stop.Cancel();
            await FluentActions.Awaiting(() => serving).Should().ThrowAsync<OperationCanceledException>();
        }

        // One result only: a request that arrives after it (a replayed callback) never reaches the handler.
        using (var listener = new LoopbackListener())
        {
            int handled = 0;
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, listener.Port);
            var serving = listener.ServeUntilAsync<string>(
                r => (200, "ok", Interlocked.Increment(ref handled) > 0 ? "done" : null),
                default
            );
            (await RawGet(listener.Port, "/callback", listener.Authority)).Should().StartWith("HTTP/1.1 200");
            try
            {
                var stream = late.GetStream();
                await stream.WriteAsync(
                    Encoding.ASCII.GetBytes($"GET /callback HTTP/1.1\r\nHost: {listener.Authority}\r\n\r\n")
                );
                (await new StreamReader(stream).ReadToEndAsync()).Should().NotStartWith("HTTP/1.1 200");
            }
            catch (IOException) { } // or it was closed first
            (await serving.WaitAsync(Generous)).Should().Be("done");
            handled.Should().Be(1);
        }

        // The deadline is for the whole request: a byte every 200 ms does not extend it.
        using (var listener = new LoopbackListener(TimeSpan.FromSeconds(1)))
        using (var stop = new CancellationTokenSource())
        {
            var serving = listener.ServeUntilAsync<string>(r => (200, "ok", null), stop.Token);
            using var slow = new TcpClient();
            await slow.ConnectAsync(IPAddress.Loopback, listener.Port);
            var stream = slow.GetStream();
            var clock = Stopwatch.StartNew();
            var cut = false;
            while (!cut && clock.Elapsed < Generous)
            {
                try
                {
                    await stream.WriteAsync(new[] { (byte)'G' });
                    await Task.Delay(200);
                    // closed by the
                    // listener
                    cut = slow.Client.Poll(0, SelectMode.SelectRead) && slow.Client.Available == 0;
                }
                catch (IOException)
                {
                    cut = true;
                }
            }
            cut.Should().BeTrue("the listener closes a connection whose request is not complete at its deadline");
            stop.Cancel();
            await FluentActions.Awaiting(() => serving).Should().ThrowAsync<OperationCanceledException>();
        }
    }
}
