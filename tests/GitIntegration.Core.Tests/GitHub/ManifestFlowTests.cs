using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// What a browser, GitHub and another client on this computer see of the manifest flow's page on 127.0.0.1: the exact
/// HTTP answers of its small server (whatever the request looks like, however it arrives), the form that posts the
/// manifest, the pages it answers with, and what the admin reads in PowerShell meanwhile.
/// </summary>
public sealed class ManifestFlowTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;
    private readonly TempDir _dir = new();

    /// <summary>GitHub App names are unique across GitHub, and the stand-in enforces it: one name per test.</summary>
    private readonly string _name = "Jira Git " + Guid.NewGuid().ToString("N")[..8];

    private static readonly TimeSpan Generous = StandInFixture.FlowTimeout;

    public ManifestFlowTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = f.Client(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// Creates an app for acme, the browser played by <paramref name="open"/>; returns the flow's refusal.
    /// </summary>
    private async Task<GitIntegrationException> RefusedAsync(BrowserOpener open, TimeSpan timeout) =>
        (
            await FluentActions
                .Awaiting(() =>
                    GitHubManifestFlow.CreateAppAsync(
                        _http,
                        new GitHubAppManifest("acme", _name),
                        open,
                        new Recorder(),
                        timeout,
                        default
                    )
                )
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;

    // ---------------------------------------------------------------- the listener's answers, byte for byte

    /// <summary>
    /// The whole answer as it goes on the wire: RFC 9110's reason phrase, the body's length in bytes (UTF-8), a page
    /// no cache keeps, no other site frames, that leaks no address in a Referer, on a connection that then closes.
    /// </summary>
    private static string Wire(int status, string reason, string body) =>
        $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nCache-Control: no-store\r\nX-Frame-Options: DENY\r\n"
        + "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
        + body;

    /// <summary>
    /// Sends a request in the pieces given, each after the one before has had time to arrive on its own, and reads the
    /// answer to its end; <paramref name="halfClose"/> then says "no more" as a client that gives up does.
    /// </summary>
    private static async Task<string> Raw(int port, string[] pieces, bool halfClose = false)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        for (int i = 0; i < pieces.Length; i++)
        {
            if (i > 0)
                await Task.Delay(50);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(pieces[i]));
        }
        if (halfClose)
            tcp.Client.Shutdown(SocketShutdown.Send);
        try
        {
            return await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync();
        }
        catch (IOException)
        {
            return "(cut off)";
        }
    }

    private static Task<string> Raw(int port, string request) => Raw(port, new[] { request });

    /// <summary>A listener whose handler answers by path and keeps every request it sees.</summary>
    private sealed class Served : IAsyncDisposable
    {
        public readonly LoopbackListener Listener;
        public readonly ConcurrentQueue<LoopbackListener.Request> Seen = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<string> _serving;

        public Served(TimeSpan? deadline = null)
        {
            Listener = new LoopbackListener(deadline);
            _serving = Listener.ServeUntilAsync<string>(
                r =>
                {
                    Seen.Enqueue(r);
                    return r.Path switch
                    {
                        "/missing" => (404, "Not found", null),
                        "/elsewhere" => (421, "Misdirected request", null),
                        "/refused" => (400, "Refused", null),
                        _ => (200, "Grüße from " + r.Path, null),
                    };
                },
                _stop.Token
            );
        }

        public int Port => Listener.Port;
        public string Host => "Host: " + Listener.Authority;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await FluentActions.Awaiting(() => _serving).Should().ThrowAsync<OperationCanceledException>();
            Listener.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Each_answer_has_its_reason_its_length_in_bytes_and_the_headers_that_keep_the_page_private()
    {
        await using var s = new Served();
        string Get(string path) => $"GET {path} HTTP/1.1\r\n{s.Host}\r\n\r\n";

        (await Raw(s.Port, Get("/page"))).Should().Be(Wire(200, "OK", "Grüße from /page"));
        (await Raw(s.Port, Get("/missing"))).Should().Be(Wire(404, "Not Found", "Not found"));
        (await Raw(s.Port, Get("/elsewhere"))).Should().Be(Wire(421, "Misdirected Request", "Misdirected request"));
        (await Raw(s.Port, Get("/refused"))).Should().Be(Wire(400, "Bad Request", "Refused"));

        // and a real HTTP client reads it as such
        using var http = new HttpClient();
        var answer = await http.GetAsync(new Uri(s.Listener.BaseUrl, "page"));
        answer.StatusCode.Should().Be(HttpStatusCode.OK);
        answer.ReasonPhrase.Should().Be("OK");
        answer.Headers.CacheControl!.NoStore.Should().BeTrue();
        answer.Headers.ConnectionClose.Should().BeTrue();
        answer.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        (await answer.Content.ReadAsStringAsync()).Should().Be("Grüße from /page");
    }

    [Theory]
    [InlineData("GET /page\r\n")]
    [InlineData("GET /page HTTP/1.1 extra\r\n")]
    [InlineData("GET  /page HTTP/1.1\r\n")]
    public async Task A_request_line_that_is_not_method_target_version_is_answered_400(string line)
    {
        await using var s = new Served();
        (await Raw(s.Port, $"{line}{s.Host}\r\n\r\n")).Should().Be(Wire(400, "Bad Request", "Bad request"));
        s.Seen.Should().BeEmpty("the flow never sees it");
    }

    [Fact]
    public async Task The_Host_is_the_single_Host_header_trimmed_and_the_query_is_form_decoded()
    {
        await using var s = new Served();
        var a = s.Listener.Authority;
        await Raw(
            s.Port,
            $"GET /one?a=x+y%2Bz&b%3D=1&=skip&flag&c=%E2%82%AC HTTP/1.1\r\nhost:  {a} \r\nNo colon\r\n\r\n"
        );
        await Raw(s.Port, $"POST /two HTTP/1.1\r\nHost: {a}\r\nHost: {a}\r\n\r\n");
        await Raw(s.Port, "GET /three HTTP/1.1\r\nX-Host: x\r\n\r\n");

        var seen = s.Seen.ToArray();
        seen.Select(r => (r.Method, r.Path, r.Host))
            .Should()
            .Equal(("GET", "/one", a), ("POST", "/two", (string?)null), ("GET", "/three", (string?)null));
        seen[0]
            .Query.Should()
            .BeEquivalentTo(
                new Dictionary<string, string>
                {
                    ["a"] = "x y+z",
                    ["b="] = "1",
                    ["c"] = "€",
                }
            );
        seen[1].Query.Should().BeEmpty();
    }

    [Fact]
    public async Task A_head_of_64_KiB_is_served_and_one_that_does_not_end_within_64_KiB_is_answered_400()
    {
        // A short deadline: without the size check the listener would wait for more until it, and answer nothing.
        await using var s = new Served(TimeSpan.FromSeconds(2));
        var start = $"GET /big HTTP/1.1\r\n{s.Host}\r\nX-Pad: ";
        var full = start + new string('a', 64 * 1024 - start.Length - 4) + "\r\n\r\n";
        full.Length.Should().Be(64 * 1024);
        (await Raw(s.Port, full)).Should().Be(Wire(200, "OK", "Grüße from /big"));
        var unended = start + new string('a', 64 * 1024 - start.Length);
        (await Raw(s.Port, unended)).Should().Be(Wire(400, "Bad Request", "Bad request"));
        s.Seen.Should().ContainSingle();
    }

    [Theory]
    [InlineData("GET /split HTTP/1.1\r\n{host}\r")]
    [InlineData("GET /split HTTP/1.1\r\n{host}\r\n")]
    [InlineData("GET /split HTTP/1.1\r\n{host}\r\n\r")]
    public async Task A_request_that_arrives_in_pieces_split_inside_its_blank_line_is_served(string first)
    {
        await using var s = new Served();
        first = first.Replace("{host}", s.Host);
        var whole = $"GET /split HTTP/1.1\r\n{s.Host}\r\n\r\n";
        var pieces = new[] { "GE", first[2..], whole[first.Length..] };
        (await Raw(s.Port, pieces)).Should().Be(Wire(200, "OK", "Grüße from /split"));
    }

    [Fact]
    public async Task A_client_that_stops_sending_before_its_blank_line_is_answered_400_at_once()
    {
        // A deadline far longer than the test: the answer comes from the end of what was sent, not from the deadline.
        await using var s = new Served(TimeSpan.FromMinutes(5));
        var answer = Raw(s.Port, new[] { $"GET /page HTTP/1.1\r\n{s.Host}\r\n" }, halfClose: true);
        (await answer.WaitAsync(Generous)).Should().Be(Wire(400, "Bad Request", "Bad request"));
    }

    [Fact]
    public async Task More_connections_one_after_another_than_are_served_at_once_are_all_answered()
    {
        await using var s = new Served();
        for (int i = 0; i < 40; i++)
            (await Raw(s.Port, $"GET /n{i} HTTP/1.1\r\n{s.Host}\r\n\r\n").WaitAsync(Generous))
                .Should()
                .Be(Wire(200, "OK", $"Grüße from /n{i}"));
    }

    [Fact]
    public async Task Thirty_two_clients_that_send_nothing_hold_the_next_one_back_until_one_of_them_goes()
    {
        // Another local user could open connections without end; each costs a task and a 64 KiB buffer.
        await using var s = new Served(TimeSpan.FromMinutes(5));
        var idle = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 32; i++)
            {
                idle.Add(new TcpClient());
                await idle[i].ConnectAsync(IPAddress.Loopback, s.Port);
            }
            // The kernel completes the connection; the listener accepts it only when a slot is free.
            var next = Raw(s.Port, $"GET /next HTTP/1.1\r\n{s.Host}\r\n\r\n");
            (await Task.WhenAny(next, Task.Delay(500))).Should().NotBeSameAs(next, "32 connections are being served");
            idle[0].Dispose();
            (await next.WaitAsync(Generous)).Should().Be(Wire(200, "OK", "Grüße from /next"));
        }
        finally
        {
            idle.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_listener_let_go_of_without_serving_frees_its_port()
    {
        var listener = new LoopbackListener();
        var port = listener.Port;
        listener.Dispose();
        using var tcp = new TcpClient();
        (
            await FluentActions
                .Awaiting(() => tcp.ConnectAsync(IPAddress.Loopback, port))
                .Should()
                .ThrowAsync<SocketException>()
        )
            .Which.SocketErrorCode.Should()
            .Be(SocketError.ConnectionRefused);
    }

    // ---------------------------------------------------------------- the flow's pages and what the admin reads

    private static string Done(string text) =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Install-GitHubApp</title></head><body><p>"
        + WebUtility.HtmlEncode(text)
        + "</p></body></html>";

    private static readonly string ForgedPage = Done(
        "This request did not come from GitHub's redirect for the app creation started by Install-GitHubApp. It was "
            + "ignored."
    );

    private static readonly string SentBack = Done(
        "GitHub sent the app back. PowerShell is finishing the setup: see the PowerShell window for the result. You "
            + "can close this page."
    );

    /// <summary>The browser's part: loads the page, posts its form to GitHub, follows GitHub's redirect back.</summary>
    private static async Task<HttpResponseMessage> Confirm(HttpClient http, string page)
    {
        var action = WebUtility.HtmlDecode(Regex.Match(page, "action=\"([^\"]+)\"").Groups[1].Value);
        var manifest = WebUtility.HtmlDecode(Regex.Match(page, "name=\"manifest\" value=\"([^\"]*)\"").Groups[1].Value);
        var posted = await http.PostAsync(
            action,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["manifest"] = manifest })
        );
        posted.StatusCode.Should().Be(HttpStatusCode.Redirect);
        return await http.GetAsync(posted.Headers.Location);
    }

    private IEnumerable<(string Method, string Path)> Conversions() =>
        _gh.Requests.Where(r => r.Path.EndsWith("/conversions")).Select(r => (r.Method, r.Path));

    [Fact]
    public async Task The_page_posts_the_manifest_GitHub_requires_and_the_callback_page_sends_the_user_to_PowerShell()
    {
        var name = "Jira <&\"> " + Guid.NewGuid().ToString("N")[..8];
        var progress = new Recorder();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Uri? start = null;
        string page = "",
            back = "";
        Task visiting = Task.CompletedTask;
        BrowserOpener open = url =>
        {
            start = url;
            visiting = Task.Run(async () =>
            {
                page = await http.GetStringAsync(url);
                var answer = await Confirm(http, page);
                answer.StatusCode.Should().Be(HttpStatusCode.OK);
                back = await answer.Content.ReadAsStringAsync();
            });
            return true;
        };
        var conversionsBefore = Conversions().Count();

        var app = await GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", name),
            open,
            progress,
            Generous,
            default
        );
        await visiting;

        // the page: a form that posts the manifest to the organization's "new app" page with a 256-bit state
        var listener = start!.GetLeftPart(UriPartial.Authority) + "/";
        start.AbsolutePath.Should().MatchRegex("^/[0-9a-f]{32}/$", "an address nobody else can guess");
        var action = WebUtility.HtmlDecode(Regex.Match(page, "action=\"([^\"]+)\"").Groups[1].Value);
        var state = Regex.Match(action, "state=(.*)$").Groups[1].Value;
        state.Should().MatchRegex("^[0-9a-f]{64}$");
        // drawn from a random source: a state or address of one repeated digit (zero bytes) could be guessed
        state.Distinct().Should().HaveCountGreaterThan(1);
        start.AbsolutePath.Trim('/').Distinct().Should().HaveCountGreaterThan(1);
        action.Should().Be($"{_gh.BaseUrl}organizations/acme/settings/apps/new?state={state}");
        var json = WebUtility.HtmlDecode(Regex.Match(page, "name=\"manifest\" value=\"([^\"]*)\"").Groups[1].Value);
        page.Should()
            .Be(
                "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Create the GitHub App</title></head><body>"
                    + $"<form id=\"manifest\" method=\"post\" action=\"{WebUtility.HtmlEncode(action)}\"><input "
                    + $"type=\"hidden\" name=\"manifest\" value=\"{WebUtility.HtmlEncode(json)}\"><p>Creating the "
                    + $"GitHub App <b>{WebUtility.HtmlEncode(name)}</b> for <b>acme</b>.</p><button type=\"submit\">"
                    + "Continue to GitHub</button></form><script>document.getElementById('manifest').submit();"
                    + "</script></body></html>"
            );

        // the manifest: every field of GitHub's "Registering a GitHub App from a manifest" that the app needs
        var m = JsonDocument.Parse(json).RootElement;
        m.EnumerateObject()
            .Select(p => p.Name)
            .Should()
            .BeEquivalentTo(
                "name",
                "url",
                "description",
                "redirect_url",
                "public",
                "default_permissions",
                "default_events"
            );
        m.GetProperty("name").GetString().Should().Be(name);
        m.GetProperty("url").GetString().Should().Be($"{_gh.BaseUrl}acme");
        m.GetProperty("description")
            .GetString()
            .Should()
            .Be(
                "Reads the organization's repositories for the Git Integration for Jira (created by the GitIntegration "
                    + "PowerShell module)."
            );
        m.GetProperty("redirect_url").GetString().Should().Be(new Uri(start, "callback").ToString());
        m.GetProperty("public").GetBoolean().Should().BeFalse();
        m.GetProperty("default_permissions")
            .Deserialize<Dictionary<string, string>>()
            .Should()
            .BeEquivalentTo(
                new Dictionary<string, string>
                {
                    ["contents"] = "read",
                    ["metadata"] = "read",
                    ["pull_requests"] = "read",
                }
            );
        m.GetProperty("default_events").GetArrayLength().Should().Be(0);

        // GitHub's redirect back: a page that sends the user to PowerShell, and one exchange of the code
        back.Should().Be(SentBack);
        Conversions().Skip(conversionsBefore).Should().ContainSingle().Which.Method.Should().Be("POST");
        var created = _gh.Apps[app.Id];
        created.Name.Should().Be(name);
        progress
            .Verbose.Should()
            .Equal(
                $"Listening on {listener} for GitHub's redirect; the manifest goes to "
                    + $"{_gh.BaseUrl}organizations/acme/settings/apps/new.",
                $"Opened the page that creates the app ({listener}...) in the browser.",
                $"GitHub created the app {app.Id} ('{created.Slug}', {_gh.HtmlUrl(created)})."
            );
        progress
            .Statuses.Should()
            .Equal(
                $"Waiting for you to create the app on {_gh.BaseUrl.Host}",
                "Exchanging GitHub's code for the app's credentials"
            );
        progress.Said.Should().BeEmpty();
        progress.Errors.Should().BeEmpty();

        // the flow is over: nothing listens there any more
        using var late = new TcpClient();
        await FluentActions
            .Awaiting(() => late.ConnectAsync(IPAddress.Loopback, start.Port))
            .Should()
            .ThrowAsync<SocketException>();
    }

    /// <summary>
    /// Without a browser (none here, or one that cannot start) the admin is told what to open, and how from another
    /// computer.
    /// </summary>
    [Fact]
    public async Task Without_a_browser_the_admin_reads_the_address_to_open_and_how_to_forward_the_port()
    {
        var progress = new Recorder();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Uri? start = null;
        BrowserOpener open = url =>
        {
            start = url;
            throw new InvalidOperationException("no browser");
        };
        var creating = GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", _name),
            open,
            progress,
            Generous,
            default
        );
        await Confirm(http, await http.GetStringAsync(start!));
        await creating;

        progress
            .Said.Should()
            .Equal(
                $"To create the app '{_name}' in acme, open {start} in a browser on this computer and confirm on "
                    + $"GitHub. From another computer, forward the port first (ssh -N -L {start!.Port}:127.0.0.1:"
                    + $"{start.Port} <this computer>), then open the address there."
            );
        progress.Verbose.Should().NotContain(v => v.StartsWith("Opened"));
    }

    /// <summary>
    /// What reaches the page besides GitHub's redirect, as another program on this computer could send it: each is
    /// answered exactly, reported with what was wrong with it (the first five as errors, the rest in verbose), and its
    /// code never goes to GitHub; the real redirect then finishes the flow.
    /// </summary>
    [Fact]
    public async Task Each_request_besides_GitHubs_redirect_is_answered_and_reported_with_what_was_wrong()
    {
        var progress = new Recorder();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var answers = new List<string>();
        Uri? start = null;
        string state = "";
        Task visiting = Task.CompletedTask;
        BrowserOpener open = url =>
        {
            start = url;
            visiting = Task.Run(async () =>
            {
                var page = await http.GetStringAsync(url);
                state = Regex.Match(WebUtility.HtmlDecode(page), "state=([0-9a-f]+)").Groups[1].Value;
                var host = $"Host: 127.0.0.1:{url.Port}\r\n";
                var path = url.AbsolutePath;
                async Task Send(string head) => answers.Add(await Raw(url.Port, head + "\r\n"));
                await Send($"GET {path} HTTP/1.1\r\nHost: evil host\u007f.example:{url.Port}\r\n");
                await Send($"POST {path} HTTP/1.1\r\n{host}Content-Length: 0\r\n");
                await Send($"GET /elsewhere?state=x HTTP/1.1\r\n{host}");
                await Send($"GET {path}callback?code=abc&state={state[..32]} HTTP/1.1\r\n{host}");
                await Send($"GET {path}callback?code=abc&state= HTTP/1.1\r\n{host}");
                var wrong = state[..63] + (state[63] == '0' ? '1' : '0');
                await Send($"GET {path}callback?code=abc&state={wrong} HTTP/1.1\r\n{host}");
                await Send($"GET {path}callback?state={state}&code= HTTP/1.1\r\n{host}");
                await Send($"GET {path}callback?state={state}&code={new string('c', 257)} HTTP/1.1\r\n{host}");
                await Send($"POST {path}callback?code=abc&state={state} HTTP/1.1\r\n{host}Content-Length: 0\r\n");
                await Send($"GET /{new string('p', 79)}?code=abc HTTP/1.1\r\n{host}");
                (await Confirm(http, page)).StatusCode.Should().Be(HttpStatusCode.OK);
            });
            return true;
        };
        var conversionsBefore = Conversions().Count();

        var app = await GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", _name),
            open,
            progress,
            Generous,
            default
        );
        await visiting;

        var authority = $"127.0.0.1:{start!.Port}";
        var listener = $"http://{authority}/";
        answers
            .Should()
            .Equal(
                new[]
                {
                    Wire(421, "Misdirected Request", "Misdirected request"),
                    Wire(404, "Not Found", "Not found"),
                }.Concat(Enumerable.Repeat(Wire(400, "Bad Request", ForgedPage), 8))
            );
        var bad = "its state is not the one sent to GitHub with the manifest";
        var whats = new[]
        {
            "it was sent to /elsewhere, not to the address GitHub was given",
            bad,
            bad,
            bad,
            "it carried no code",
            "it carried no code",
            $"it was sent to {start.AbsolutePath}callback, not to the address GitHub was given",
            $"it was sent to /{new string('p', 79)}, not to the address GitHub was given",
        };
        progress
            .Errors.Select(e => (e.ErrorId, e.Kind, e.Target, e.Message))
            .Should()
            .Equal(
                whats
                    .Take(5)
                    .Select(w =>
                        (
                            GitHubErrorIds.CallbackForged,
                            ErrorKind.SecurityError,
                            (string?)listener,
                            $"A request that looks like GitHub's redirect reached {listener} but did not come from it: "
                                + $"{w}. It was ignored, and Install-GitHubApp goes on waiting for GitHub. If you did "
                                + "not send it, another program or user on this computer tried to hand it an app of "
                                + "their own."
                        )
                    )
            );
        progress
            .Verbose.Should()
            .ContainInOrder(
                new[]
                {
                    $"Refused a request addressed to the host 'evil host?.example:{start.Port}', not {authority}.",
                }.Concat(whats.Skip(5).Select((w, i) => $"Ignored forged callback number {i + 6}: {w}."))
            );
        app.Owner!.Login.Should().Be("acme");
        Conversions().Skip(conversionsBefore).Should().ContainSingle("only GitHub's own code is exchanged");
    }

    /// <summary>A code of up to 256 characters is GitHub's and goes to GitHub; GitHub refusing it is told.</summary>
    [Fact]
    public async Task A_code_of_256_characters_is_exchanged_and_its_refusal_says_codes_are_single_use()
    {
        var code = new string('c', 256);
        using var http = new HttpClient();
        Task<string> back = Task.FromResult("");
        BrowserOpener open = url =>
        {
            back = Task.Run(async () =>
            {
                var page = WebUtility.HtmlDecode(await http.GetStringAsync(url));
                var state = Regex.Match(page, "state=([0-9a-f]+)").Groups[1].Value;
                return await http.GetStringAsync(new Uri(url, $"callback?state={state}&code={code}"));
            });
            return true;
        };
        var e = await RefusedAsync(open, Generous);
        (await back).Should().Be(SentBack);
        _gh.Requests.Should()
            .Contain(r => r.Method == "POST" && r.Path == _gh.ApiPath($"app-manifests/{code}/conversions"));
        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.InnerException.Should()
            .BeOfType<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.ManifestDeclined);
    }

    [Fact]
    public async Task Nobody_confirming_in_time_says_nothing_was_created_and_how_to_get_more_time()
    {
        var e = await RefusedAsync(_ => true, TimeSpan.FromMilliseconds(300));
        e.ErrorId.Should().Be(GitHubErrorIds.ManifestTimeout);
        e.Kind.Should().Be(ErrorKind.OperationTimeout);
        e.Message.Should()
            .Be(
                "The app was not created within 0.3 s: GitHub did not redirect back. Nothing was created on "
                    + "GitHub. Run Install-GitHubApp again (a larger -TimeoutSeconds gives more time); with "
                    + "-NoBrowser it prints the address to open by hand."
            );
    }

    /// <summary>Ctrl+C (the pipeline stopping) is a cancellation, not a timeout.</summary>
    [Fact]
    public async Task A_cancelled_flow_is_cancelled_not_timed_out()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        await FluentActions
            .Awaiting(() =>
                GitHubManifestFlow.CreateAppAsync(
                    _http,
                    new GitHubAppManifest("acme", _name),
                    _ => true,
                    new Recorder(),
                    Generous,
                    cancel.Token
                )
            )
            .Should()
            .ThrowAsync<OperationCanceledException>();
    }

    /// <summary>
    /// A server or proxy whose answer to the exchange lacks the app's id or page: nothing can be stored.
    /// </summary>
    [Theory]
    [InlineData("\"slug\":\"octoapp\",\"html_url\":\"https://github.com/apps/octoapp\"")]
    [InlineData("\"id\":4242,\"slug\":\"octoapp\"")]
    public async Task An_exchange_answer_without_the_app_id_or_page_is_refused(string fields)
    {
        var pem = JsonSerializer.Serialize(_gh.AddApp().Pem);
        _gh.Faults.Enqueue(
            new(
                GitHubStandIn.FaultKind.Answer,
                Status: 201,
                Body: $"{{{fields},\"owner\":{{\"login\":\"acme\",\"type\":\"Organization\"}},\"pem\":{pem}}}"
            )
        );
        var browser = new PlayedBrowser(_gh, true);
        var e = await RefusedAsync(browser.Open, Generous);
        await browser.Visiting;
        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.Kind.Should().Be(ErrorKind.InvalidData);
        e.InnerException.Should()
            .BeOfType<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.UnexpectedResponse);
        e.Message.Should()
            .StartWith(
                "The GitHub App setup did not finish: GitHub's answer to the code exchange lacks the app id, html_url "
                    + "or key. Check -HostUrl and the server's version. "
            );
    }

    // ---------------------------------------------------------------- the installation

    [Fact]
    public async Task Install_stores_the_integration_says_so_and_records_the_installation_made_in_the_browser()
    {
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, true);
        var (integration, installation) = await GitHubManifestFlow.InstallAsync(
            store,
            _http,
            new GitHubAppManifest("acme", _name),
            browser.Open,
            progress,
            Generous,
            TimeSpan.FromMilliseconds(20),
            default
        );
        await browser.Visiting;
        var app = _gh.Apps.Values.Single(a => a.Name == _name);
        installation.Id.Should().Be(app.InstallationId);
        integration.Status.Should().Be(IntegrationStatus.Active);
        store.Load().Find(integration.Id)!.Status.Should().Be(IntegrationStatus.Active);
        var install = $"{_gh.HtmlUrl(app)}/installations/new";
        progress
            .Verbose.Should()
            .ContainInOrder(
                $"Stored the integration '{_name}' ({integration.Id}) with Status Installing.",
                $"Opened {install} in the browser."
            );
    }

    [Fact]
    public async Task Waiting_for_an_installation_says_where_to_install_shows_the_time_waited_and_what_to_run_later()
    {
        var app = _gh.AddApp();
        var client = new GitHubAppClient(_http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        var install = $"{_gh.HtmlUrl(app)}/installations/new";
        var progress = new Recorder();
        var e = (
            await FluentActions
                .Awaiting(() =>
                    GitHubManifestFlow.WaitForInstallationAsync(
                        client,
                        "acme",
                        _gh.HtmlUrl(app),
                        _ => false,
                        progress,
                        TimeSpan.FromMilliseconds(200),
                        TimeSpan.FromMilliseconds(20),
                        default
                    )
                )
                .Should()
                .ThrowAsync<GitIntegrationException>()
        ).Which;
        progress
            .Said.Should()
            .Equal($"Install the app on acme: open {install}, choose the repositories, and click Install.");

        // GitHub answers 404 twice before the installation shows: the admin sees how long it has been waiting
        var later = _gh.AddApp(installed: true);
        later.NotFoundPolls = 2;
        var waited = new Recorder();
        var installation = await GitHubManifestFlow.WaitForInstallationAsync(
            new GitHubAppClient(_http, GitHubAppCredentials.FromPem(later.Id, null, later.Pem)),
            "acme",
            _gh.HtmlUrl(later),
            _ => true,
            waited,
            Generous,
            TimeSpan.FromMilliseconds(20),
            default
        );
        installation.Id.Should().Be(later.InstallationId);
        waited
            .Statuses.Should()
            .NotBeEmpty()
            .And.OnlyContain(s => Regex.IsMatch(s, @"^Waiting for the app to be installed on acme \(\d\d:\d\d\)$"));
        e.ErrorId.Should().Be(GitHubErrorIds.InstallationTimeout);
        e.Kind.Should().Be(ErrorKind.OperationTimeout);
        e.Message.Should()
            .Be(
                $"The app exists but was not installed on acme within 0.2 s. Install it at {install}, then run "
                    + "Get-GitHubAppInstallation for this integration: it records the installation and makes the "
                    + "integration Active."
            );
    }
}
