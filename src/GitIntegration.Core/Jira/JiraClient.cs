using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Jira;

/// <summary>Where the Jira is and how to talk to it. The secrets live here only for the calls' headers.</summary>
public sealed class JiraOptions
{
    public JiraOptions(Uri baseUrl) => BaseUrl = baseUrl;

    /// <summary>
    /// Jira's base URL (with its context path, e.g. https://jira.example.com/jira), checked by
    /// <see cref="JiraClient.ParseUrl"/>.
    /// </summary>
    public Uri BaseUrl { get; }
    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>A Jira personal access token (sent as Bearer); used instead of the user name and password.</summary>
    public string? Token { get; set; }
    public bool SkipCertificateCheck { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest answer read; Jira's list of repositories is one response with no paging.</summary>
    public int MaxResponseBytes { get; set; } = 16 << 20;
    public Action<string>? Verbose { get; set; }
}

/// <summary>
/// One repository as Jira's Git Integration app lists it (the fields the module uses; the rest is ignored).
/// </summary>
public sealed class JiraRepository
{
    public int Id { get; set; }
    public string? DisplayName { get; set; }
    public string? Origin { get; set; }
    public string? MainBranch { get; set; }
    public string? RealRoot { get; set; }
    public bool? AbsoluteRoot { get; set; }
    public bool Disabled { get; set; }
    public bool DisableSslVerification { get; set; }
}

/// <summary>
/// The app's repository API, rest/gitplugin/1.0/repository (GET, POST, PUT, DELETE). No retries: a repeated POST could
/// create a repository twice. Redirects are not followed, so a credential never goes to another address.
/// </summary>
public sealed class JiraClient : IDisposable
{
    public const string ApiPath = "rest/gitplugin/1.0/repository";
    public const int MaxRepositories = 100000;
    private readonly HttpClient _client;

    public JiraClient(JiraOptions options, HttpMessageHandler? handler = null)
    {
        Options = options;
        var h = handler ?? new CertificateTrust(options.SkipCertificateCheck).CreateHandler();
        _client = new HttpClient(h, handler == null) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public JiraOptions Options { get; }

    /// <summary>
    /// Checks a -JiraUrl: an absolute http(s) address, not Jira Cloud, https unless <paramref name="allowUnencrypted"/>
    /// (a password or token over plain http can be read on the way).
    /// </summary>
    public static Uri ParseUrl(string? text, bool allowUnencrypted)
    {
        var t = (text ?? "").Trim();
        if (
            !Uri.TryCreate(t, UriKind.Absolute, out var uri)
            || (uri.Scheme != "https" && uri.Scheme != "http")
            || uri.Host.Length == 0
        )
            throw new GitIntegrationException(
                JiraErrorIds.UrlInvalid,
                ErrorKind.InvalidArgument,
                $"'{t}' is not a Jira address. Give the base URL Jira shows under Administration ➜ System ➜ "
                    + "Base URL, e.g. https://jira.example.com."
            )
            {
                Target = t,
            };
        var host = uri.Host.ToLowerInvariant();
        if (
            host.EndsWith(".atlassian.net", StringComparison.Ordinal)
            || host.EndsWith(".jira.com", StringComparison.Ordinal)
        )
            throw new GitIntegrationException(
                JiraErrorIds.CloudNotSupported,
                ErrorKind.NotImplemented,
                $"'{uri.Host}' is a Jira Cloud site. Git Integration for Jira Cloud has no REST API for "
                    + "repositories, so nothing can be sent to it from here. Export the integrations with "
                    + "Export-GitIntegration -Format Tsv and upload the file on the app's Manage repositories ➜ Bulk "
                    + "Change page."
            )
            {
                Target = t,
            };
        if (uri.Scheme == "http" && !allowUnencrypted)
            throw new GitIntegrationException(
                JiraErrorIds.UnencryptedRefused,
                ErrorKind.SecurityError,
                $"'{t}' uses http, which would send the Jira password or token readable on the network. Use the "
                    + "https address; only on a trusted network add -AllowUnencryptedAuthentication."
            )
            {
                Target = t,
            };
        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>Every repository the app has (GET, no projectKey).</summary>
    public async Task<IReadOnlyList<JiraRepository>> ListAsync(CancellationToken cancel)
    {
        using var doc = await SendAsync(HttpMethod.Get, ApiPath, null, cancel).ConfigureAwait(false);
        if (!doc.RootElement.TryGetProperty("repositories", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Unexpected("GET", "it has no \"repositories\" list");
        if (list.GetArrayLength() > MaxRepositories)
            throw new GitIntegrationException(
                JiraErrorIds.ResponseTooLarge,
                ErrorKind.LimitsExceeded,
                $"Jira at {Options.BaseUrl} lists {list.GetArrayLength()} repositories, more than the "
                    + $"{MaxRepositories} this command handles at once."
            );
        var result = new List<JiraRepository>();
        foreach (var e in list.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Object || !(Int(e, "id") is int id))
                throw Unexpected("GET", "a repository has no numeric id");
            result.Add(
                new JiraRepository
                {
                    Id = id,
                    DisplayName = Str(e, "displayName"),
                    Origin = Str(e, "origin"),
                    MainBranch = Str(e, "mainBranch"),
                    RealRoot = Str(e, "realRoot"),
                    AbsoluteRoot = Bool(e, "absoluteRoot"),
                    Disabled = Bool(e, "disabled") ?? false,
                    DisableSslVerification = Bool(e, "disableSslVerification") ?? false,
                }
            );
        }
        return result;
    }

    /// <summary>
    /// Adds a repository; the id Jira answers with, when it gives one (the documentation shows no answer).
    /// </summary>
    public async Task<int?> CreateAsync(IDictionary<string, object?> body, CancellationToken cancel)
    {
        using var doc = await SendAsync(HttpMethod.Post, ApiPath, body, cancel).ConfigureAwait(false);
        return Int(doc.RootElement, "id")
            ?? (
                doc.RootElement.TryGetProperty("repository", out var r) && r.ValueKind == JsonValueKind.Object
                    ? Int(r, "id")
                    : null
            );
    }

    /// <summary>Replaces a repository's settings; the body carries its "id".</summary>
    public async Task UpdateAsync(IDictionary<string, object?> body, CancellationToken cancel)
    {
        using var _ = await SendAsync(HttpMethod.Put, ApiPath, body, cancel).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes a repository from the app's configuration. Never with deleteFiles=true: that erases clones at absolute
    /// paths.
    /// </summary>
    public async Task DeleteAsync(int id, CancellationToken cancel)
    {
        using var _ = await SendAsync(
                HttpMethod.Delete,
                ApiPath + "?id=" + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                null,
                cancel
            )
            .ConfigureAwait(false);
    }

    private async Task<JsonDocument> SendAsync(
        HttpMethod method,
        string path,
        IDictionary<string, object?>? body,
        CancellationToken cancel
    )
    {
        var uri = new Uri(Options.BaseUrl, path);
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.ParseAdd(
            "GitIntegration-PowerShell/" + typeof(JiraClient).Assembly.GetName().Version!.ToString(3)
        );
        if (Options.Token != null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Options.Token);
        else if (Options.UserName != null)
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(Options.UserName + ":" + Options.Password))
            );
        // Jira's XSRF check refuses form-like writes without it; a JSON body with this header passes.
        request.Headers.Add("X-Atlassian-Token", "no-check");
        if (body != null)
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        Options.Verbose?.Invoke($"{method} {uri.GetLeftPart(UriPartial.Path)}");

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        attempt.CancelAfter(Options.Timeout);
        int status;
        string text;
        try
        {
            using var response = await _client
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token)
                .ConfigureAwait(false);
            status = (int)response.StatusCode;
            if (status >= 300 && status < 400)
                throw Rejected(
                    method,
                    uri,
                    status,
                    $"it redirects to {response.Headers.Location}. Give that address (the Base URL Jira shows) "
                        + "as -JiraUrl."
                );
            text = await ReadBounded(response, attempt.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            throw new GitIntegrationException(
                JiraErrorIds.Timeout,
                ErrorKind.OperationTimeout,
                $"Jira at {Options.BaseUrl} did not answer {method} within {Options.Timeout.TotalSeconds:0.#} "
                    + "s. Check that Jira is up and reachable (proxy, firewall), or allow more time with "
                    + "-TimeoutSeconds."
            )
            {
                Target = uri.ToString(),
            };
        }
        catch (HttpRequestException e) when (Find<AuthenticationException>(e) is AuthenticationException tls)
        {
            throw new GitIntegrationException(
                JiraErrorIds.CertificateInvalid,
                ErrorKind.SecurityError,
                $"Jira at {uri.Host} presented a certificate this machine does not trust ({tls.Message}). Add "
                    + "the certificate authority that issued it to the machine's trusted roots; for a test server "
                    + "only, add -SkipCertificateCheck.",
                e
            )
            {
                Target = uri.ToString(),
            };
        }
        catch (HttpRequestException e)
        {
            throw new GitIntegrationException(
                JiraErrorIds.Unreachable,
                ErrorKind.ConnectionError,
                $"Cannot reach Jira at {Options.BaseUrl}: {HttpFailure.Innermost(e)}. Check the address, the "
                    + "proxy and the firewall.",
                e
            )
            {
                Target = uri.ToString(),
            };
        }
        return Interpret(method, uri, status, text);
    }

    private async Task<string> ReadBounded(HttpResponseMessage response, CancellationToken cancel)
    {
        if (response.Content.Headers.ContentLength > Options.MaxResponseBytes)
            throw TooLarge();
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, 0, chunk.Length, cancel).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > Options.MaxResponseBytes)
                throw TooLarge();
            buffer.Write(chunk, 0, n);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private GitIntegrationException TooLarge() =>
        new GitIntegrationException(
            JiraErrorIds.ResponseTooLarge,
            ErrorKind.LimitsExceeded,
            $"Jira at {Options.BaseUrl} answered with more than {Options.MaxResponseBytes >> 20} MiB, more than "
                + "its repository list can be. Check that -JiraUrl is Jira's base URL and not a proxy or another "
                + "site."
        );

    private JsonDocument Interpret(HttpMethod method, Uri uri, int status, string text)
    {
        var who = Options.Token != null ? "the personal access token" : $"the user '{Options.UserName}'";
        if (status == 401)
            throw new GitIntegrationException(
                JiraErrorIds.Unauthorized,
                ErrorKind.AuthenticationError,
                $"Jira at {Options.BaseUrl} did not accept {who} (401). Check the user name and password, or "
                    + "that the token is current; after several failed logins Jira asks for a CAPTCHA: log in once "
                    + "in a browser."
            )
            {
                Target = uri.ToString(),
            };
        if (status == 403)
            throw new GitIntegrationException(
                JiraErrorIds.NotJiraAdmin,
                ErrorKind.PermissionDenied,
                $"Jira at {Options.BaseUrl} refused {method} (403): {who} is not a Jira administrator. Only "
                    + "Jira administrators can add, change or remove the app's repositories; use an administrator's "
                    + "credential."
            )
            {
                Target = uri.ToString(),
            };
        if (status == 404 && !LooksLikeAppAnswer(text))
            throw new GitIntegrationException(
                JiraErrorIds.AppNotFound,
                ErrorKind.NotInstalled,
                $"Jira at {Options.BaseUrl} has no {ApiPath} (404): Git Integration for Jira is not installed "
                    + "or enabled there, or its version predates the repository REST API. Install or update the app "
                    + "under Manage apps, check that -JiraUrl is Jira's base URL, or export a TSV with "
                    + "Export-GitIntegration for the app's Bulk Change page."
            )
            {
                Target = uri.ToString(),
            };
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            if (status >= 400)
                throw Rejected(method, uri, status, "its answer is not JSON.");
            throw Unexpected(method.Method, "it is not JSON (a login page or a proxy answered?)");
        }
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw Unexpected(method.Method, "it is not a JSON object");
        }
        var success =
            doc.RootElement.TryGetProperty("success", out var s)
            && (s.ValueKind == JsonValueKind.True || s.ValueKind == JsonValueKind.String && s.GetString() == "true");
        if (status >= 400 || !success)
        {
            var said = Str(doc.RootElement, "error") ?? Str(doc.RootElement, "message");
            var advice = Str(doc.RootElement, "advice");
            doc.Dispose();
            throw Rejected(
                method,
                uri,
                status,
                said == null
                    ? "it gave no reason."
                    : $"Jira says: \"{said}\"{(advice != null ? $" (\"{advice}\")" : "")}."
            );
        }
        return doc;
    }

    private static bool LooksLikeAppAnswer(string text) =>
        text.TrimStart().StartsWith("{", StringComparison.Ordinal) && text.Contains("\"success\"");

    private GitIntegrationException Rejected(HttpMethod method, Uri uri, int status, string why) =>
        new GitIntegrationException(
            JiraErrorIds.Rejected,
            ErrorKind.InvalidOperation,
            $"Jira at {Options.BaseUrl} refused {method} {ApiPath} ({status}): {why}"
        )
        {
            Target = uri.ToString(),
        };

    private GitIntegrationException Unexpected(string method, string why) =>
        new GitIntegrationException(
            JiraErrorIds.UnexpectedResponse,
            ErrorKind.InvalidData,
            $"Jira at {Options.BaseUrl} answered {method} {ApiPath} with something the app does not send: "
                + $"{why}. Check that -JiraUrl is Jira's base URL and that no proxy or single sign-on page stands in "
                + "front of its REST API."
        );

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && (v.ValueKind == JsonValueKind.True || v.ValueKind == JsonValueKind.False)
            ? v.GetBoolean()
            : (bool?)null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i
            : (int?)null;

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (var x = e; x != null; x = x.InnerException)
            if (x is T t)
                return t;
        return null;
    }

    public void Dispose() => _client.Dispose();
}
