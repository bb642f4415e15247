using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// What the admin reads when an app command fails half-way: GitHub answering the code exchange or a list in a way
/// that cannot be used, an app created on GitHub that no key here belongs to, an integration that is not ready for
/// the command, the store changed meanwhile, and forged callbacks beyond the ones reported.
/// </summary>
public sealed class GitHubAppFailureTests : StandInStoreTests, IClassFixture<StandInFixture>
{
    private static readonly TimeSpan Generous = StandInFixture.FlowTimeout;

    /// <summary>GitHub App names are unique across GitHub, and the stand-in enforces it: one name per test.</summary>
    private readonly string _name = "Jira Git " + Guid.NewGuid().ToString("N")[..8];

    public GitHubAppFailureTests(StandInFixture f)
        : base(f, TimeSpan.FromSeconds(30)) { }

    private string OrganizationApps => $"{_gh.BaseUrl}organizations/acme/settings/apps";

    private GitHubAppClient Client(GitHubStandIn.App app) =>
        new(_http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));

    /// <summary>The next API request is answered with this status and JSON body.</summary>
    private void Answer(int status, string json) =>
        _gh.Faults.Enqueue(new(GitHubStandIn.FaultKind.Answer, Status: status, Body: json));

    private static async Task<GitIntegrationException> Refused(Func<Task> act) =>
        (await act.Should().ThrowAsync<GitIntegrationException>()).Which;

    private async Task<GitIntegrationException> CreateAppFails(PlayedBrowser browser, Recorder? progress = null)
    {
        var e = await Refused(() =>
            GitHubManifestFlow.CreateAppAsync(
                _http,
                new GitHubAppManifest("acme", _name),
                browser.Open,
                progress ?? new Recorder(),
                Generous,
                default
            )
        );
        await browser.Visiting;
        return e;
    }

    private string NoAppKeptHere =>
        "GitHub created the app when you confirmed it, so an app may now exist in acme that nothing here holds a key "
        + $"for: look for it at {OrganizationApps}. To finish, delete the app at {OrganizationApps} (Advanced, Delete "
        + "GitHub App), then run Install-GitHubApp again (GitHub keeps app names unique: without deleting it, give "
        + "another -Name).";

    // ---------------------------------------------------------------- the code exchange

    /// <summary>GitHub's 404 for a used or expired code, and a proxy's answer that says nothing.</summary>
    [Theory]
    [InlineData(
        404,
        "{\"message\":\"Not Found\",\"documentation_url\":\"https://docs.github.com/rest\"}",
        "404: Not Found"
    )]
    [InlineData(422, "", "422")]
    public async Task A_refused_code_says_codes_are_single_use_and_where_the_app_created_may_be(
        int status,
        string json,
        string shown
    )
    {
        Answer(status, json);
        var e = await CreateAppFails(new PlayedBrowser(_gh, true));
        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.Kind.Should().Be(ErrorKind.InvalidOperation);
        e.Message.Should()
            .Be(
                $"The GitHub App setup did not finish: GitHub refused the app code ({shown}). Codes are "
                    + "single-use and expire after one hour: run Install-GitHubApp again. "
                    + NoAppKeptHere
            );
        e.Target.Should().Be(OrganizationApps);
    }

    /// <summary>An older server, or a proxy, whose answer to the exchange has no key: nothing can be stored.</summary>
    [Fact]
    public async Task An_exchange_answer_without_the_key_is_refused_and_says_where_the_app_may_be()
    {
        Answer(
            201,
            "{\"id\":4242,\"slug\":\"octoapp\",\"name\":\"Octocat "
                + "App\",\"html_url\":\"https://github.com/apps/"
                + "octoapp\",\"owner\":{\"login\":\"acme\",\"type\":\"Organization\"}}"
        );
        var e = await CreateAppFails(new PlayedBrowser(_gh, true));
        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.Kind.Should().Be(ErrorKind.InvalidData);
        e.Message.Should()
            .Be(
                "The GitHub App setup did not finish: GitHub's answer to the code exchange lacks the app id, html_url "
                    + "or key. Check -HostUrl and the server's version. "
                    + NoAppKeptHere
            );
    }

    [Fact]
    public async Task An_app_whose_owner_GitHub_does_not_name_is_not_kept()
    {
        Answer(
            201,
            "{\"id\":4243,\"slug\":\"octoapp\",\"name\":\"Octocat "
                + "App\",\"html_url\":\"https://github.com/apps/"
                + $"octoapp\",\"owner\":null,\"pem\":{System.Text.Json.JsonSerializer.Serialize(_gh.AddApp().Pem)}}}"
        );
        var e = await CreateAppFails(new PlayedBrowser(_gh, true));
        e.ErrorId.Should().Be(GitHubErrorIds.AppOwnerMismatch);
        e.Message.Should()
            .Be(
                "The code GitHub's redirect brought back is for the app 'Octocat App' "
                    + "(https://github.com/apps/octoapp) owned by nobody GitHub named, not by the organization "
                    + "'acme', so it was not stored. An app was created that must be deleted: its owner deletes it "
                    + "at https://github.com/apps/octoapp (Advanced, Delete GitHub App). If you did not create it, "
                    + "another program or user on this computer sent that code. Run Install-GitHubApp again."
            );
    }

    /// <summary>
    /// The store took another integration of the same name while the admin was on GitHub's page: the app exists on
    /// GitHub, and its key is not kept.
    /// </summary>
    [Fact]
    public async Task A_name_taken_in_the_store_meanwhile_leaves_an_app_on_GitHub_and_says_how_to_delete_it()
    {
        GitHubAppIntegration.Add(_store, _gh.Host, "acme", _name, _gh.Registration(_gh.AddApp()));
        var browser = new PlayedBrowser(_gh, true);
        var e = await Refused(() =>
            GitHubManifestFlow.InstallAsync(
                _store,
                _http,
                new GitHubAppManifest("acme", _name),
                browser.Open,
                new Recorder(),
                Generous,
                TimeSpan.FromMilliseconds(50),
                default
            )
        );
        await browser.Visiting;
        var app = _gh.Apps.Values.Single(a => a.Name == _name);
        e.ErrorId.Should().Be(GitHubErrorIds.SetupUnfinished);
        e.Kind.Should().Be(ErrorKind.ResourceExists);
        e.Message.Should()
            .Be(
                $"The GitHub App setup did not finish: An integration named '{_name}' already exists. Choose another "
                    + $"-Name, or remove the old one with Remove-GitIntegration. The app '{_name}' exists on GitHub "
                    + $"({_gh.HtmlUrl(app)}), but nothing here holds its key. To finish, delete the app at "
                    + $"{OrganizationApps}/{app.Slug} (Advanced, Delete GitHub App), then run Install-GitHubApp again."
            );
        _store.Load().Integrations.Should().ContainSingle("only the integration that was there");
    }

    // ---------------------------------------------------------------- forged callbacks

    private static async Task<string> RawGet(int port, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await new StreamReader(stream).ReadToEndAsync();
    }

    private static string Forged(Uri listener, string what) =>
        $"A request that looks like GitHub's redirect reached {listener.GetLeftPart(UriPartial.Authority)}/ but did "
        + $"not come from it: {what}. It was ignored, and Install-GitHubApp goes on waiting for GitHub. If you did not "
        + "send it, another program or user on this computer tried to hand it an app of their own.";

    /// <summary>
    /// A callback with the right state but no code is forged too; past the fifth, forgeries are only counted in the
    /// verbose stream (so a flood cannot bury the output), and the flow still finishes with GitHub's redirect.
    /// </summary>
    [Fact]
    public async Task A_callback_without_a_code_is_reported_and_forgeries_past_the_fifth_are_counted_in_verbose()
    {
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, true);
        Uri? start = null;
        browser.Before = async url =>
        {
            start = url;
            using var http = new HttpClient();
            var page = WebUtility.HtmlDecode(await http.GetStringAsync(url));
            var state = Regex.Match(page, @"[?&]state=([0-9a-f]+)").Groups[1].Value;
            state.Should().NotBeEmpty();
            (await http.GetAsync(new Uri(url, $"callback?state={state}")))
                .StatusCode.Should()
                .Be(HttpStatusCode.BadRequest);
            for (int n = 0; n < 5; n++)
                (await http.GetAsync(new Uri(url, "callback?code=abc&state=0")))
                    .StatusCode.Should()
                    .Be(HttpStatusCode.BadRequest);
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
        registration.Owner!.Login.Should().Be("acme");
        progress.Errors.Should().HaveCount(5);
        progress.Errors[0].Message.Should().Be(Forged(start!, "it carried no code"));
        progress
            .Verbose.Should()
            .Contain("Ignored forged callback number 6: its state is not the one sent to GitHub with the manifest.");
    }

    [Fact]
    public async Task A_callback_without_a_Host_header_or_to_a_long_path_is_reported_fit_to_print()
    {
        var progress = new Recorder();
        var browser = new PlayedBrowser(_gh, true);
        Uri? start = null;
        var longPath = "/" + new string('a', 100);
        browser.Before = async url =>
        {
            start = url;
            var hostless = await RawGet(
                url.Port,
                "GET /callback?code=abc&state=def HTTP/1.1\r\nConnection: close\r\n\r\n"
            );
            hostless.Should().StartWith("HTTP/1.1 400");
            var host = $"Host: 127.0.0.1:{url.Port}";
            var misrouted = await RawGet(
                url.Port,
                $"GET {longPath}?code=abc HTTP/1.1\r\n{host}\r\nConnection: close\r\n\r\n"
            );
            misrouted.Should().StartWith("HTTP/1.1 400");
        };
        await GitHubManifestFlow.CreateAppAsync(
            _http,
            new GitHubAppManifest("acme", _name),
            browser.Open,
            progress,
            Generous,
            default
        );
        await browser.Visiting;
        var authority = $"127.0.0.1:{start!.Port}";
        progress
            .Errors[0]
            .Message.Should()
            .Be(Forged(start, $"it was addressed to the host '(none)', not {authority}"));
        progress
            .Errors[1]
            .Message.Should()
            .Be(Forged(start, $"it was sent to {longPath[..80]}..., not to the address GitHub was given"));
    }

    // ---------------------------------------------------------------- integrations not ready for a command

    [Fact]
    public void An_app_not_installed_yet_says_where_to_install_it_and_what_to_run_then()
    {
        var app = _gh.AddApp();
        var i = Installing(app);
        var e = FluentActions
            .Invoking(() => GitHubAppIntegration.RequireInstallationId(i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        e.ErrorId.Should().Be(GitHubErrorIds.NotInstalled);
        e.Kind.Should().Be(ErrorKind.InvalidOperation);
        e.Message.Should()
            .Be(
                $"The app of '{i.Name}' is not installed on acme yet. Install it at "
                    + $"{_gh.HtmlUrl(app)}/installations/new, then run Get-GitHubAppInstallation -Name '{i.Name}'."
            );
        var pageless = GitHubAppIntegration.Change(
            _store,
            i.Id,
            x => x.Properties.Remove(GitHubAppIntegration.HtmlUrl)
        );
        FluentActions
            .Invoking(() => GitHubAppIntegration.RequireInstallationId(pageless))
            .Should()
            .Throw<GitIntegrationException>()
            .WithMessage(
                $"The app of '{i.Name}' is not installed on acme yet. Install it at the app's page, then run "
                    + $"Get-GitHubAppInstallation -Name '{i.Name}'."
            );
    }

    /// <summary>Update-GitHubAppKey on an integration whose app GitHub never handed over.</summary>
    [Fact]
    public async Task A_new_key_for_an_integration_without_an_app_says_its_creation_never_finished()
    {
        var app = _gh.AddApp();
        var i = GitHubAppIntegration.Change(
            _store,
            Installing(app).Id,
            x => x.Properties.Remove(GitHubAppIntegration.AppId)
        );
        var e = await Refused(() => GitHubAppIntegration.ReplaceKeyAsync(_store, _http, i, _gh.AddKey(app), default));
        e.ErrorId.Should().Be(GitHubErrorIds.NotInstalled);
        e.Kind.Should().Be(ErrorKind.InvalidOperation);
        e.Message.Should()
            .Be(
                $"The integration '{i.Name}' has no GitHub App yet: its creation never finished. Test-GitIntegration "
                    + "explains its state; Remove-GitIntegration removes it."
            );
    }

    /// <summary>
    /// Update-GitHubAppKey while another command removes the integration: the new key file is not left behind.
    /// </summary>
    [Fact]
    public async Task A_new_key_for_an_integration_removed_meanwhile_is_not_kept()
    {
        var app = _gh.AddApp(installed: true);
        var i = Installing(app);
        var keys = Path.GetDirectoryName(i.PrivateKeyPath)!;
        _store.Update(d => d.Integrations.RemoveAll(x => x.Id == i.Id));
        var before = Directory.GetFiles(keys);
        var e = await Refused(() => GitHubAppIntegration.ReplaceKeyAsync(_store, _http, i, _gh.AddKey(app), default));
        e.ErrorId.Should().Be(StoreErrorIds.IntegrationNotFound);
        e.Kind.Should().Be(ErrorKind.ObjectNotFound);
        e.Message.Should()
            .Be("The integration was removed from the store meanwhile. Get-GitIntegration lists what is there.");
        Directory.GetFiles(keys).Should().BeEquivalentTo(before, "the new key's file was deleted again");
    }

    // ---------------------------------------------------------------- answers that cannot be used

    [Fact]
    public async Task A_token_answer_without_a_token_says_to_try_again()
    {
        var app = _gh.AddApp(installed: true);
        var client = Client(app);
        client.ForgetTokens();
        Answer(201, "{\"expires_at\":\"2030-01-01T00:00:00Z\",\"permissions\":{\"contents\":\"read\"}}");
        var e = await Refused(() => client.GetInstallationTokenAsync(app.InstallationId!.Value, default));
        e.ErrorId.Should().Be(GitHubErrorIds.UnexpectedResponse);
        e.Kind.Should().Be(ErrorKind.InvalidData);
        e.Message.Should()
            .Be(
                "GitHub answered the token request without a token. Try again; if it persists, check the app on GitHub."
            );
    }

    /// <summary>A proxy that answers "null": Install-GitHubApp -AppId stores nothing.</summary>
    [Fact]
    public async Task An_answer_that_is_null_names_the_host_url_and_nothing_is_registered()
    {
        var app = _gh.AddApp();
        var key = _dir["app.pem"];
        File.WriteAllText(key, app.Pem);
        Answer(200, "null");
        var e = await Refused(() =>
            GitHubAppIntegration.RegisterAsync(_store, _http, "acme", _name, app.Id, null, key, default)
        );
        e.ErrorId.Should().Be(GitHubErrorIds.UnexpectedResponse);
        e.Message.Should()
            .Be(
                "GitHub answered with something that is not the expected JSON (null). Check the host URL: it must be "
                    + "the GitHub server itself, not a proxy page."
            );
        _store.Load().Integrations.Should().BeEmpty();
    }

    /// <summary>Install-GitHubApp for an app created by hand, given neither its id nor its client id.</summary>
    [Fact]
    public async Task Registering_an_app_without_its_id_or_client_id_says_where_to_find_them()
    {
        var key = _dir["app.pem"];
        File.WriteAllText(key, _gh.AddApp().Pem);
        var requests = _gh.Requests.Count;
        var e = await Refused(() =>
            GitHubAppIntegration.RegisterAsync(_store, _http, "acme", _name, 0, null, key, default)
        );
        e.ErrorId.Should().Be(GitHubErrorIds.AppIdRequired);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Message.Should()
            .Be("Give the app's id (-AppId) or client id (-ClientId): both are on the app's settings page on GitHub.");
        _gh.Requests.Count.Should().Be(requests, "GitHub is not asked");
        _store.Load().Integrations.Should().BeEmpty();
    }

    [Theory]
    [InlineData("{\"total_count\":1,\"repositories\":[null]}", "null repository")]
    [InlineData("{\"total_count\":1}", null)]
    [InlineData("{\"total_count\":1,\"repositories\":{}}", null)]
    public async Task A_repository_list_that_cannot_be_read_says_to_try_again(string json, string? why)
    {
        var app = _gh.AddApp(installed: true);
        var client = Client(app);
        await client.GetInstallationTokenAsync(app.InstallationId!.Value, default);
        Answer(200, json);
        var e = await Refused(() => client.GetRepositoriesAsync(app.InstallationId!.Value, default));
        e.ErrorId.Should().Be(GitHubErrorIds.UnexpectedResponse);
        e.Kind.Should().Be(ErrorKind.InvalidData);
        e.Message.Should().StartWith("GitHub's list of repositories could not be read (");
        e.Message.Should().EndWith("). Try again; if it persists, check the host URL.");
        if (why != null)
            e.Message.Should()
                .Be(
                    $"GitHub's list of repositories could not be read ({why}). Try again; if it persists, check "
                        + "the host URL."
                );
    }

    /// <summary>
    /// While Install-GitHubApp waits for the installation, GitHub refusing the lookup is an error, not "installed".
    /// </summary>
    [Theory]
    [InlineData(
        "{\"message\":\"Resource not accessible by integration\"}",
        " GitHub says: \"Resource not accessible by integration\"."
    )]
    [InlineData("<html><body>Forbidden</body></html>", "")]
    public async Task Waiting_for_the_installation_stops_at_a_refusal(string body, string said)
    {
        var app = _gh.AddApp();
        Answer(403, body);
        var e = await Refused(() =>
            GitHubManifestFlow.WaitForInstallationAsync(
                Client(app),
                "acme",
                _gh.HtmlUrl(app),
                _ => true,
                new Recorder(),
                Generous,
                TimeSpan.FromMilliseconds(20),
                default
            )
        );
        e.ErrorId.Should().Be(GitHubErrorIds.Forbidden);
        e.Message.Should()
            .Be(
                $"GET orgs/acme/installation answered 403.{said} The app lacks a permission for this, or the "
                    + "installation is suspended (Resume-GitHubApp)."
            );
    }
}
