using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.GitHub;

/// <summary>What the long GitHub App commands tell their user while they wait (never a secret).</summary>
public interface IGitHubProgress
{
    void Status(string status);
    void Verbose(string message);

    /// <summary>Something the user must read or act on (a URL to open by hand).</summary>
    void Say(string message);

    /// <summary>A problem that does not stop the command (it goes on waiting).</summary>
    void Error(GitIntegrationException error);
}

/// <summary>
/// Opens a URL in the user's browser; false when there is none (a remote session, a server without a desktop).
/// </summary>
public delegate bool BrowserOpener(Uri url);

/// <summary>The app to create: GitHub's app manifest (docs: "Registering a GitHub App from a manifest").</summary>
public sealed class GitHubAppManifest
{
    /// <summary>What the integration reads: code, pull requests, metadata.</summary>
    public static readonly IReadOnlyDictionary<string, string> DefaultPermissions = new Dictionary<string, string>
    {
        ["contents"] = "read",
        ["metadata"] = "read",
        ["pull_requests"] = "read",
    };

    public GitHubAppManifest(string organization, string name)
    {
        Organization = organization;
        Name = name;
    }

    public string Organization { get; }
    public string Name { get; }
    public IDictionary<string, string> Permissions { get; set; } =
        new Dictionary<string, string>(DefaultPermissions.ToDictionary(p => p.Key, p => p.Value));
    public IList<string> Events { get; set; } = new List<string>();

    /// <summary>The permissions to ask for, as -Permission gives them; one without a level is read.</summary>
    public void SetPermissions(IDictionary permissions) =>
        Permissions = permissions
            .Cast<DictionaryEntry>()
            .ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "read");

    internal string ToJson(GitHubHost host, Uri redirectUrl) =>
        JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["name"] = Name,
                ["url"] = new Uri(host.WebUrl, Uri.EscapeDataString(Organization)).ToString(),
                ["description"] =
                    "Reads the organization's repositories for the Git Integration for Jira (created by the "
                    + "GitIntegration PowerShell module).",
                ["redirect_url"] = redirectUrl.ToString(),
                ["public"] = false,
                ["default_permissions"] = Permissions,
                ["default_events"] = Events,
            }
        );
}

/// <summary>
/// GitHub's manifest flow: a page on 127.0.0.1 posts the manifest (with a random state) to the
/// organization's "new app" page; GitHub redirects back with a code; the code is exchanged for the app
/// and its key, which is kept only if the app belongs to the organization.
/// </summary>
public static class GitHubManifestFlow
{
    /// <summary>Forged callbacks reported as errors; more are only counted in the verbose stream.</summary>
    private const int MaxReportedForgeries = 5;

    public static async Task<GitHubAppRegistration> CreateAppAsync(
        GitHubHttp http,
        GitHubAppManifest manifest,
        BrowserOpener openBrowser,
        IGitHubProgress progress,
        TimeSpan timeout,
        CancellationToken cancel
    )
    {
        var state = RandomHex(32);
        using var listener = new LoopbackListener();
        // The page and the callback live under a path that only the browser is given: another local user, or a web
        // page, that finds the port gets 404 everywhere else, so it learns neither the state nor where to send a code.
        var start = new Uri(listener.BaseUrl, RandomHex(16) + "/");
        var redirect = new Uri(start, "callback");
        var action = http.Host.ManifestUrl(manifest.Organization, state);
        var page = FormPage(action, manifest.ToJson(http.Host, redirect), manifest);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(timeout);
        progress.Verbose(
            $"Listening on {listener.BaseUrl} for GitHub's redirect; the manifest goes to "
                + $"{action.GetLeftPart(UriPartial.Path)}."
        );
        Open(
            openBrowser,
            start,
            progress,
            $"To create the app '{manifest.Name}' in {manifest.Organization}, open {start} in a browser on this "
                + "computer and confirm on GitHub. From another computer, forward the port first (ssh -N -L "
                + $"{listener.Port}:127.0.0.1:{listener.Port} <this computer>), then open the address there.",
            $"Opened the page that creates the app ({listener.BaseUrl}...) in the browser."
        );
        progress.Status($"Waiting for you to create the app on {http.Host.WebUrl.Host}");

        int forgeries = 0;
        (int, string, string?) Forged(string what)
        {
            if (++forgeries <= MaxReportedForgeries)
                progress.Error(CallbackForged(listener.BaseUrl, what));
            else
                progress.Verbose($"Ignored forged callback number {forgeries}: {what}.");
            return (
                400,
                Done(
                    "This request did not come from GitHub's redirect for the app creation started by "
                        + "Install-GitHubApp. It was ignored."
                ),
                null
            );
        }

        string code;
        try
        {
            // The listener stops at the first callback it accepts, so the state is good for one code only.
            code = await listener
                .ServeUntilAsync<string>(
                    r =>
                    {
                        var callbackShaped = r.Query.ContainsKey("code") || r.Query.ContainsKey("state");
                        if (!string.Equals(r.Host, listener.Authority, StringComparison.OrdinalIgnoreCase))
                        {
                            // DNS rebinding: a web page that points its own name at 127.0.0.1 sends that name as the
                            // Host.
                            var to = $"addressed to the host '{Shown(r.Host)}', not {listener.Authority}";
                            if (callbackShaped)
                                return Forged("it was " + to);
                            progress.Verbose($"Refused a request {to}.");
                            return (421, "Misdirected request", null);
                        }
                        if (r.Method == "GET" && r.Path == start.AbsolutePath)
                            return (200, page, null);
                        if (r.Method != "GET" || r.Path != redirect.AbsolutePath)
                            return callbackShaped
                                ? Forged($"it was sent to {Shown(r.Path)}, not to the address GitHub was given")
                                : (404, "Not found", null);
                        if (!r.Query.TryGetValue("state", out var s) || !FixedTimeEquals(s, state))
                            return Forged("its state is not the one sent to GitHub with the manifest");
                        if (!r.Query.TryGetValue("code", out var c) || c.Length == 0 || c.Length > 256)
                            return Forged("it carried no code");
                        // GitHub has created the app, but PowerShell has yet to fetch its key: success is told there.
                        return (
                            200,
                            Done(
                                "GitHub sent the app back. PowerShell is finishing the setup: see the "
                                    + "PowerShell window for the result. You can close this page."
                            ),
                            c
                        );
                    },
                    deadline.Token
                )
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new GitIntegrationException(
                GitHubErrorIds.ManifestTimeout,
                ErrorKind.OperationTimeout,
                $"The app was not created within {timeout.TotalSeconds:0.#} s: GitHub did not redirect back. "
                    + "Nothing was created on GitHub. Run Install-GitHubApp again (a larger -TimeoutSeconds gives "
                    + "more time); with -NoBrowser it prints the address to open by hand."
            );
        }

        try
        {
            return await ConvertAsync(http, manifest, code, progress, cancel).ConfigureAwait(false);
        }
        catch (GitIntegrationException e) when (e.ErrorId != GitHubErrorIds.AppOwnerMismatch)
        {
            throw Unfinished(e, http.Host, manifest.Organization, null, null);
        }
    }

    /// <summary>
    /// Install-GitHubApp's manifest path: creates the app, stores the integration (Installing), waits for the
    /// app's installation and records it. A failure after GitHub created the app says what was left where.
    /// </summary>
    public static async Task<(Integration Integration, GitHubAppInstallation Installation)> InstallAsync(
        IntegrationStore store,
        GitHubHttp http,
        GitHubAppManifest manifest,
        BrowserOpener openBrowser,
        IGitHubProgress progress,
        TimeSpan timeout,
        TimeSpan pollInterval,
        CancellationToken cancel
    )
    {
        var app = await CreateAppAsync(http, manifest, openBrowser, progress, timeout, cancel).ConfigureAwait(false);
        var organization = manifest.Organization;
        Integration integration;
        try
        {
            integration = GitHubAppIntegration.Add(
                store,
                http.Host,
                organization,
                manifest.Name,
                app,
                http.Options.Trust
            );
        }
        catch (GitIntegrationException e)
        {
            throw Unfinished(e, http.Host, organization, app, null);
        }
        progress.Verbose($"Stored the integration '{integration.Name}' ({integration.Id}) with Status Installing.");
        try
        {
            var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(integration));
            var installation = await WaitForInstallationAsync(
                    client,
                    organization,
                    app.HtmlUrl!,
                    openBrowser,
                    progress,
                    timeout,
                    pollInterval,
                    cancel
                )
                .ConfigureAwait(false);
            return (GitHubAppIntegration.RecordInstallation(store, integration.Id, installation), installation);
        }
        catch (GitIntegrationException e) when (e.ErrorId != GitHubErrorIds.InstallationTimeout)
        {
            throw Unfinished(e, http.Host, organization, app, integration.Name);
        }
    }

    private static async Task<GitHubAppRegistration> ConvertAsync(
        GitHubHttp http,
        GitHubAppManifest manifest,
        string code,
        IGitHubProgress progress,
        CancellationToken cancel
    )
    {
        progress.Status("Exchanging GitHub's code for the app's credentials");
        var r = await http.SendAsync(
                HttpMethod.Post,
                $"app-manifests/{Uri.EscapeDataString(code)}/conversions",
                null,
                null,
                cancel
            )
            .ConfigureAwait(false);
        if (!r.IsSuccess)
            throw new GitIntegrationException(
                GitHubErrorIds.ManifestDeclined,
                ErrorKind.InvalidOperation,
                $"GitHub refused the app code ({(int)r.Status}{(r.Message is string m ? ": " + m : "")}). Codes "
                    + "are single-use and expire after one hour: run Install-GitHubApp again."
            );
        var app = r.Json<GitHubAppRegistration>();
        if (app.Id <= 0 || string.IsNullOrEmpty(app.Pem) || string.IsNullOrEmpty(app.HtmlUrl))
            throw new GitIntegrationException(
                GitHubErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                "GitHub's answer to the code exchange lacks the app id, html_url or key. Check -HostUrl and "
                    + "the server's version."
            );
        if (!string.Equals(app.Owner?.Login, manifest.Organization, StringComparison.OrdinalIgnoreCase))
            throw OwnerMismatch(http.Host, manifest.Organization, app);
        progress.Verbose($"GitHub created the app {app.Id} ('{app.Slug}', {app.HtmlUrl}).");
        return app;
    }

    /// <summary>
    /// A failure after GitHub created the app: the app may be left on GitHub with no key here to use it. Says
    /// where it is (its page when known, else the organization's apps page) and how to finish or undo.
    /// </summary>
    private static GitIntegrationException Unfinished(
        GitIntegrationException e,
        GitHubHost host,
        string organization,
        GitHubAppRegistration? app,
        string? stored
    )
    {
        var apps = host.OrganizationAppsUrl(organization);
        var settings =
            app?.Owner != null && !string.IsNullOrEmpty(app.Slug)
                ? host.AppSettingsUrl(app.Owner, app.Slug!).ToString()
                : apps.ToString();
        var delete = $"delete the app at {settings} (Advanced, Delete GitHub App)";
        string what;
        if (app == null)
            what =
                $"GitHub created the app when you confirmed it, so an app may now exist in {organization} "
                + $"that nothing here holds a key for: look for it at {apps}. To finish, {delete}, then run "
                + "Install-GitHubApp again (GitHub keeps app names unique: without deleting it, give another -Name).";
        else if (stored == null)
            what =
                $"The app '{app.Name ?? app.Slug}' exists on GitHub ({app.HtmlUrl}), but nothing here "
                + $"holds its key. To finish, {delete}, then run Install-GitHubApp again.";
        else
            what =
                $"The app '{app.Name ?? app.Slug}' exists on GitHub ({app.HtmlUrl}) and the integration "
                + $"'{stored}' is stored with Status Installing. To finish, install the app at "
                + $"{GitHubHost.InstallUrl(app.HtmlUrl!)}, then run Get-GitHubAppInstallation -Name "
                + $"{IntegrationRemedy.Name(stored)}. To undo, run Remove-GitIntegration -Name "
                + $"{IntegrationRemedy.Name(stored)} and {delete}.";
        return new GitIntegrationException(
            GitHubErrorIds.SetupUnfinished,
            e.Kind,
            $"The GitHub App setup did not finish: {e.Message} {what}",
            e
        )
        {
            Target = app?.HtmlUrl ?? apps.ToString(),
        };
    }

    /// <summary>What another program sent, fit to print: printable ASCII only, at most 80 characters.</summary>
    private static string Shown(string? text)
    {
        if (text == null)
            return "(none)";
        var clean = new string(text.Select(ch => ch >= ' ' && ch < 127 ? ch : '?').Take(80).ToArray());
        return text.Length > 80 ? clean + "..." : clean;
    }

    private static GitIntegrationException CallbackForged(Uri listener, string what) =>
        new GitIntegrationException(
            GitHubErrorIds.CallbackForged,
            ErrorKind.SecurityError,
            $"A request that looks like GitHub's redirect reached {listener} but did not come from it: {what}. "
                + "It was ignored, and Install-GitHubApp goes on waiting for GitHub. If you did not send it, another "
                + "program or user on this computer tried to hand it an app of their own."
        )
        {
            Target = listener.ToString(),
        };

    /// <summary>The code was for someone else's app: it is not stored, and its owner should delete it.</summary>
    private static GitIntegrationException OwnerMismatch(
        GitHubHost host,
        string organization,
        GitHubAppRegistration app
    )
    {
        var owner = app.Owner?.Login;
        var page =
            owner == null || string.IsNullOrEmpty(app.Slug)
                ? app.HtmlUrl
                : host.AppSettingsUrl(app.Owner!, app.Slug!).ToString();
        return new GitIntegrationException(
            GitHubErrorIds.AppOwnerMismatch,
            ErrorKind.SecurityError,
            $"The code GitHub's redirect brought back is for the app '{app.Name ?? app.Slug}' ({app.HtmlUrl}) "
                + $"owned by {(owner == null ? "nobody GitHub named" : $"'{owner}'")}, not by the organization "
                + $"'{organization}', so it was not stored. An app was created that must be deleted: its owner "
                + $"deletes it at {page} (Advanced, Delete GitHub App). If you did not create it, another program or "
                + "user on this computer sent that code. Run Install-GitHubApp again."
        )
        {
            Target = app.HtmlUrl,
        };
    }

    /// <summary>
    /// How the installation made on GitHub's page differs from the repository selection intended (All or
    /// Selected): only the admin chooses there, so the difference is told, not changed. Null when none.
    /// </summary>
    public static string? SelectionDifference(GitHubAppInstallation installation, string intended) =>
        string.Equals(installation.RepositorySelection, intended, StringComparison.OrdinalIgnoreCase)
            ? null
            : $"The app was installed on {installation.RepositorySelection} repositories, not {intended}. "
                + $"Change it on {installation.HtmlUrl}.";

    /// <summary>The repositories intended (NAME or OWNER/NAME) it cannot see; null when none.</summary>
    public static async Task<string?> UnseenRepositoriesAsync(
        GitHubAppClient client,
        GitHubAppInstallation installation,
        IReadOnlyCollection<string> repositories,
        CancellationToken cancel
    )
    {
        var seen = (await client.GetRepositoriesAsync(installation.Id, cancel).ConfigureAwait(false))
            .Select(r => r.Name)
            .ToList();
        var missing = repositories
            .Where(r => !seen.Contains(r.Split('/').Last(), StringComparer.OrdinalIgnoreCase))
            .ToList();
        return missing.Count == 0
            ? null
            : $"The installation cannot see {string.Join(", ", missing)}. Add them on {installation.HtmlUrl}.";
    }

    /// <summary>
    /// Opens the app's installation page and waits until GET /orgs/{org}/installation shows the installation.
    /// </summary>
    public static async Task<GitHubAppInstallation> WaitForInstallationAsync(
        GitHubAppClient client,
        string organization,
        string appHtmlUrl,
        BrowserOpener openBrowser,
        IGitHubProgress progress,
        TimeSpan timeout,
        TimeSpan pollInterval,
        CancellationToken cancel
    )
    {
        var install = GitHubHost.InstallUrl(appHtmlUrl);
        Open(
            openBrowser,
            install,
            progress,
            $"Install the app on {organization}: open {install}, choose the repositories, and click Install.",
            $"Opened {install} in the browser."
        );
        var started = Stopwatch.StartNew();
        while (true)
        {
            var found = await client.FindOrganizationInstallationAsync(organization, cancel).ConfigureAwait(false);
            if (found != null)
                return found;
            if (started.Elapsed >= timeout)
                throw new GitIntegrationException(
                    GitHubErrorIds.InstallationTimeout,
                    ErrorKind.OperationTimeout,
                    $"The app exists but was not installed on {organization} within {timeout.TotalSeconds:0.#} "
                        + $"s. Install it at {install}, then run Get-GitHubAppInstallation for this integration: it "
                        + "records the installation and makes the integration Active."
                );
            progress.Status($"Waiting for the app to be installed on {organization} ({started.Elapsed:mm\\:ss})");
            await Task.Delay(pollInterval, cancel).ConfigureAwait(false);
        }
    }

    private static void Open(
        BrowserOpener openBrowser,
        Uri url,
        IGitHubProgress progress,
        string instruction,
        string opened
    )
    {
        bool done;
        try
        {
            done = openBrowser(url);
        }
        catch (Exception e)
            when (e is System.ComponentModel.Win32Exception
                || e is InvalidOperationException
                || e is PlatformNotSupportedException
            )
        {
            done = false;
        }
        if (done)
            progress.Verbose(opened);
        else
            progress.Say(instruction);
    }

    /// <summary>
    /// Opens the system's browser: none in a session without a desktop, where the caller prints the URL instead.
    /// </summary>
    public static bool OpenSystemBrowser(Uri url)
    {
        ProcessStartInfo psi;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            psi = new ProcessStartInfo(url.ToString()) { UseShellExecute = true };
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
            psi = new ProcessStartInfo("open", url.ToString()) { UseShellExecute = false };
        else
        {
            if (
                string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
                && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"))
            )
                return false;
            psi = new ProcessStartInfo("xdg-open", url.ToString()) { UseShellExecute = false };
        }
        using var p = Process.Start(psi);
        return p != null || psi.UseShellExecute;
    }

    private static string FormPage(Uri action, string manifestJson, GitHubAppManifest manifest) =>
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Create the GitHub "
        + "App</title></head><body><form id=\"manifest\" method=\"post\" "
        + $"action=\"{WebUtility.HtmlEncode(action.ToString())}\"><input type=\"hidden\" name=\"manifest\" "
        + $"value=\"{WebUtility.HtmlEncode(manifestJson)}\"><p>Creating the GitHub App "
        + $"<b>{WebUtility.HtmlEncode(manifest.Name)}</b> for "
        + $"<b>{WebUtility.HtmlEncode(manifest.Organization)}</b>.</p><button type=\"submit\">Continue to "
        + "GitHub</button></form><script>document.getElementById('manifest').submit();</script></body></html>";

    private static string Done(string text) =>
        "<!DOCTYPE html><html><head><meta "
        + $"charset=\"utf-8\"><title>Install-GitHubApp</title></head><body><p>{WebUtility.HtmlEncode(text)}</p></"
        + "body></html>";

    internal static string RandomHex(int bytes)
    {
        var b = new byte[bytes];
        using (var rng = RandomNumberGenerator.Create())
            rng.GetBytes(b);
        return string.Concat(b.Select(x => x.ToString("x2")));
    }

    private static bool FixedTimeEquals(string a, string b)
    {
        var x = Encoding.UTF8.GetBytes(a);
        var y = Encoding.UTF8.GetBytes(b);
        int diff = x.Length ^ y.Length;
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            diff |= x[i] ^ y[i];
        return diff == 0;
    }
}
