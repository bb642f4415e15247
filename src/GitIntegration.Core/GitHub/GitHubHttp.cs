using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.GitHub;

/// <summary>How patient the client is with GitHub.</summary>
public sealed class GitHubHttpOptions : RestOptions { }

/// <summary>An answer from GitHub: status, body text (JSON), and the Link header's next page.</summary>
public sealed class GitHubResponse
{
    internal GitHubResponse(HttpStatusCode status, string body, Uri? nextPage)
    {
        Status = status;
        Body = body;
        NextPage = nextPage;
    }

    public HttpStatusCode Status { get; }
    public string Body { get; }
    public Uri? NextPage { get; }
    public bool IsSuccess => (int)Status >= 200 && (int)Status < 300;

    public T Json<T>()
    {
        try
        {
            return JsonSerializer.Deserialize<T>(Body) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new GitIntegrationException(
                GitHubErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                $"GitHub answered with something that is not the expected JSON ({e.Message}). Check the host "
                    + "URL: it must be the GitHub server itself, not a proxy page.",
                e
            );
        }
    }

    /// <summary>GitHub's own error message ({"message": ...}), when the body has one.</summary>
    public string? Message
    {
        get
        {
            try
            {
                using var doc = JsonDocument.Parse(Body);
                return
                    doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("message", out var m)
                    ? m.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

/// <summary>
/// The REST client: versioned headers, a timeout on every attempt, retries with backoff on 5xx and
/// network faults, waits (bounded) for GitHub's rate limit to reset, Link-header pagination.
/// </summary>
public sealed class GitHubHttp : IDisposable
{
    public const string ApiVersion = "2022-11-28";
    private static readonly RestService GitHub = new RestService
    {
        Name = "GitHub",
        RateLimitOwner = "this app",
        StatusPage = "https://www.githubstatus.com (or the server's status)",
        RateLimitErrorId = GitHubErrorIds.RateLimited,
        ServerFaultErrorId = GitHubErrorIds.ServerError,
        TimeoutErrorId = GitHubErrorIds.Timeout,
        UnreachableErrorId = GitHubErrorIds.Unreachable,
    };

    private readonly RestTransport _transport;

    public GitHubHttp(GitHubHost host, GitHubHttpOptions? options = null, HttpMessageHandler? handler = null)
    {
        Host = host;
        Options = options ?? new GitHubHttpOptions();
        _transport = new RestTransport(GitHub, Options, handler);
    }

    public GitHubHost Host { get; }
    public GitHubHttpOptions Options { get; }

    /// <summary>
    /// Sends one request and returns GitHub's answer, whatever its status, after the retries and
    /// rate-limit waits. <paramref name="authorization"/> is asked again for each attempt, so a JWT is
    /// always fresh.
    /// </summary>
    public async Task<GitHubResponse> SendAsync(
        HttpMethod method,
        string pathOrUrl,
        Func<Task<string?>>? authorization,
        object? body,
        CancellationToken cancel
    )
    {
        var uri = Resolve(pathOrUrl);
        var json = body == null ? null : JsonSerializer.Serialize(body);
        var answer = await _transport
            .SendAsync(
                method,
                uri,
                async request =>
                {
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                    request.Headers.Add("X-GitHub-Api-Version", ApiVersion);
                    var auth = authorization == null ? null : await authorization().ConfigureAwait(false);
                    if (auth != null)
                        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", auth);
                },
                json,
                cancel
            )
            .ConfigureAwait(false);
        return new GitHubResponse(answer.Status, answer.Body, NextLink(answer.Link));
    }

    /// <summary>Sends a request that must succeed; GitHub's refusals become typed errors that say what to do.</summary>
    public async Task<GitHubResponse> SendOkAsync(
        HttpMethod method,
        string pathOrUrl,
        Func<Task<string?>>? authorization,
        object? body,
        CancellationToken cancel
    )
    {
        var r = await SendAsync(method, pathOrUrl, authorization, body, cancel).ConfigureAwait(false);
        if (!r.IsSuccess)
            throw Error(r, method, pathOrUrl);
        return r;
    }

    /// <summary>
    /// Every page of a list (<paramref name="path"/> without a query): follows the Link header's rel="next" until
    /// there is none.
    /// </summary>
    public async Task<List<T>> GetAllPagesAsync<T>(
        string path,
        Func<Task<string?>> authorization,
        Func<GitHubResponse, IEnumerable<T>> items,
        CancellationToken cancel
    )
    {
        var all = new List<T>();
        string? next = path + "?per_page=100";
        while (next != null)
        {
            var page = await SendOkAsync(HttpMethod.Get, next, authorization, null, cancel).ConfigureAwait(false);
            all.AddRange(items(page));
            next = page.NextPage?.ToString();
        }
        return all;
    }

    internal static GitIntegrationException Error(GitHubResponse r, HttpMethod method, string path)
    {
        var said = r.Message is string m ? $" GitHub says: \"{m}\"." : "";
        var what = $"{method} {path} answered {(int)r.Status}.{said}";
        switch ((int)r.Status)
        {
            case 401:
                return new GitIntegrationException(
                    GitHubErrorIds.Unauthorized,
                    ErrorKind.AuthenticationError,
                    $"{what} GitHub did not accept the app's credentials: check the app id and that the private "
                        + "key is a current key of this app (Update-GitHubAppKey replaces it)."
                );
            case 403:
                return new GitIntegrationException(
                    GitHubErrorIds.Forbidden,
                    ErrorKind.PermissionDenied,
                    $"{what} The app lacks a permission for this, or the installation is suspended (Resume-GitHubApp)."
                );
            case 404:
                return new GitIntegrationException(
                    GitHubErrorIds.NotFound,
                    ErrorKind.ObjectNotFound,
                    $"{what} It does not exist on GitHub, or the app cannot see it."
                );
            default:
                return new GitIntegrationException(GitHubErrorIds.Rejected, ErrorKind.InvalidOperation, what);
        }
    }

    // An absolute URL (a Link header's next page) stays as it is: Uri ignores the base then.
    private Uri Resolve(string pathOrUrl) => new Uri(Host.ApiUrl, pathOrUrl.TrimStart('/'));

    private static Uri? NextLink(string? link)
    {
        if (link == null)
            return null;
        foreach (var part in link.Split(','))
        {
            var pieces = part.Split(';');
            if (pieces.Skip(1).Any(p => p.Trim() == "rel=\"next\""))
                return new Uri(pieces[0].Trim().TrimStart('<').TrimEnd('>'));
        }
        return null;
    }

    public void Dispose() => _transport.Dispose();
}
