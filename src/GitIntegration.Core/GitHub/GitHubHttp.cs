using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.GitHub
{
    /// <summary>How patient the client is with GitHub.</summary>
    public sealed class GitHubHttpOptions
    {
        /// <summary>Each request, each attempt.</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>Retries after a 5xx answer, a network fault or a timeout.</summary>
        public int MaxRetries { get; set; } = 3;
        /// <summary>The first retry's delay; it doubles on each retry.</summary>
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
        /// <summary>The longest wait for a rate limit to reset; a later reset is an error.</summary>
        public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);
        public string UserAgent { get; set; } = "GitIntegration-PowerShell/" + typeof(GitHubHttp).Assembly.GetName().Version!.ToString(3);
        /// <summary>Which server certificates are accepted (a GitHub Enterprise Server with an internal CA).</summary>
        public CertificateTrust Trust { get; set; } = new CertificateTrust();
        /// <summary>Told what the client waits for and why (never a secret).</summary>
        public Action<string>? Verbose { get; set; }
    }

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
            try { return JsonSerializer.Deserialize<T>(Body) ?? throw new JsonException("null"); }
            catch (JsonException e)
            {
                throw new GitIntegrationException(GitHubErrorIds.UnexpectedResponse, ErrorKind.InvalidData,
                    $"GitHub answered with something that is not the expected JSON ({e.Message}). Check the host URL: it must be the GitHub server itself, not a proxy page.", e);
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
                    return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
                }
                catch (JsonException) { return null; }
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
        private readonly HttpClient _client;

        public GitHubHttp(GitHubHost host, GitHubHttpOptions? options = null, HttpMessageHandler? handler = null)
        {
            Host = host;
            Options = options ?? new GitHubHttpOptions();
            _client = handler == null
                ? new HttpClient(Options.Trust.CreateHandler(followRedirects: true)) : new HttpClient(handler, false);
            _client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // each attempt has its own timeout
        }

        public GitHubHost Host { get; }
        public GitHubHttpOptions Options { get; }

        /// <summary>
        /// Sends one request and returns GitHub's answer, whatever its status, after the retries and
        /// rate-limit waits. <paramref name="authorization"/> is asked again for each attempt, so a JWT is
        /// always fresh.
        /// </summary>
        public async Task<GitHubResponse> SendAsync(HttpMethod method, string pathOrUrl, Func<Task<string?>>? authorization,
            object? body, CancellationToken cancel)
        {
            var uri = Resolve(pathOrUrl);
            var json = body == null ? null : JsonSerializer.Serialize(body);
            int retries = 0, rateWaits = 0;
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.UserAgent.ParseAdd(Options.UserAgent);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.Add("X-GitHub-Api-Version", ApiVersion);
                var auth = authorization == null ? null : await authorization().ConfigureAwait(false);
                if (auth != null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", auth);
                if (json != null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");

                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                attempt.CancelAfter(Options.Timeout);
                string? fault;
                try
                {
                    using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token).ConfigureAwait(false);
                    var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    var wait = RateLimitWait(response, status);
                    if (wait is TimeSpan w)
                    {
                        if (w > Options.MaxRateLimitWait || ++rateWaits > 3)
                            throw new GitIntegrationException(GitHubErrorIds.RateLimited, ErrorKind.LimitsExceeded,
                                $"GitHub's rate limit for this app is used up until {DateTimeOffset.Now + w:HH:mm:ss} ({Math.Ceiling(w.TotalMinutes)} min). Run the command again after that time.") { Target = uri.ToString() };
                        Verbose($"GitHub's rate limit is reached ({method} {uri.AbsolutePath} answered {status}); waiting {Math.Ceiling(w.TotalSeconds)} s for it to reset.");
                        await Task.Delay(w, cancel).ConfigureAwait(false);
                        continue;
                    }
                    if (status < 500) return new GitHubResponse(response.StatusCode, text, NextLink(response));
                    fault = $"GitHub answered {status} {response.ReasonPhrase}";
                    if (retries >= Options.MaxRetries)
                        throw new GitIntegrationException(GitHubErrorIds.ServerError, ErrorKind.ResourceUnavailable,
                            $"{fault} to {method} {uri.AbsolutePath}, {retries + 1} times. GitHub has a problem on its side; check https://www.githubstatus.com (or the server's status) and try again later.") { Target = uri.ToString() };
                }
                catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
                {
                    fault = $"GitHub did not answer within {Options.Timeout.TotalSeconds:0.#} s";
                    if (retries >= Options.MaxRetries)
                        throw new GitIntegrationException(GitHubErrorIds.Timeout, ErrorKind.OperationTimeout,
                            $"{fault} to {method} {uri.AbsolutePath}, {retries + 1} times. Check the network path to {uri.Host} (proxy, firewall) and try again.") { Target = uri.ToString() };
                }
                catch (HttpRequestException e) when (Options.Trust.Rejection is string rejection)
                {
                    // A certificate does not mend itself: no retry.
                    throw new GitIntegrationException(CertificateTrust.CertificateInvalid, ErrorKind.SecurityError,
                        $"{rejection} Install its CA certificate in this machine's trust store; or, once the " +
                        "server's administrator confirms the SHA-256 thumbprint above, trust it with " +
                        "-TrustedCertificateThumbprint.", e)
                    { Target = uri.ToString() };
                }
                catch (HttpRequestException e)
                {
                    fault = $"cannot reach {uri.Host} ({Innermost(e)})";
                    if (retries >= Options.MaxRetries)
                        throw new GitIntegrationException(GitHubErrorIds.Unreachable, ErrorKind.ConnectionError,
                            $"Cannot reach {uri.Host}: {Innermost(e)}. Check the host name, the proxy and the firewall.", e) { Target = uri.ToString() };
                }
                var delay = TimeSpan.FromTicks(Options.RetryDelay.Ticks << retries++);
                Verbose($"{fault}; retry {retries} of {Options.MaxRetries} in {delay.TotalSeconds:0.##} s.");
                await Task.Delay(delay, cancel).ConfigureAwait(false);
            }
        }

        /// <summary>Sends a request that must succeed; GitHub's refusals become typed errors that say what to do.</summary>
        public async Task<GitHubResponse> SendOkAsync(HttpMethod method, string pathOrUrl, Func<Task<string?>>? authorization, object? body, CancellationToken cancel)
        {
            var r = await SendAsync(method, pathOrUrl, authorization, body, cancel).ConfigureAwait(false);
            if (!r.IsSuccess) throw Error(r, method, pathOrUrl);
            return r;
        }

        /// <summary>Every page of a list: follows the Link header's rel="next" until there is none.</summary>
        public async Task<List<T>> GetAllPagesAsync<T>(string path, Func<Task<string?>> authorization, Func<GitHubResponse, IEnumerable<T>> items, CancellationToken cancel)
        {
            var all = new List<T>();
            string? next = path + (path.Contains("?") ? "&" : "?") + "per_page=100";
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
                    return new GitIntegrationException(GitHubErrorIds.Unauthorized, ErrorKind.AuthenticationError,
                        $"{what} GitHub did not accept the app's credentials: check the app id and that the private key is a current key of this app (Update-GitHubAppKey replaces it).");
                case 403:
                    return new GitIntegrationException(GitHubErrorIds.Forbidden, ErrorKind.PermissionDenied,
                        $"{what} The app lacks a permission for this, or the installation is suspended (Resume-GitHubApp).");
                case 404:
                    return new GitIntegrationException(GitHubErrorIds.NotFound, ErrorKind.ObjectNotFound,
                        $"{what} It does not exist on GitHub, or the app cannot see it.");
                default:
                    return new GitIntegrationException(GitHubErrorIds.Rejected, ErrorKind.InvalidOperation, what);
            }
        }

        private Uri Resolve(string pathOrUrl) =>
            Uri.TryCreate(pathOrUrl, UriKind.Absolute, out var abs) && (abs.Scheme == "https" || abs.Scheme == "http")
                ? abs
                : new Uri(Host.ApiUrl, pathOrUrl.TrimStart('/'));

        /// <summary>GitHub's rate-limit answers: 403/429 with retry-after, or with x-ratelimit-remaining 0 (then wait for x-ratelimit-reset).</summary>
        private static TimeSpan? RateLimitWait(HttpResponseMessage response, int status)
        {
            if (status != 403 && status != 429) return null;
            if (Header(response, "Retry-After") is string ra && int.TryParse(ra, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                return TimeSpan.FromSeconds(Math.Max(1, seconds));
            if (Header(response, "x-ratelimit-remaining") == "0" &&
                long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.None, CultureInfo.InvariantCulture, out var reset))
            {
                var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
                return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
            }
            return status == 429 ? TimeSpan.FromSeconds(60) : (TimeSpan?)null;
        }

        private static Uri? NextLink(HttpResponseMessage response)
        {
            if (Header(response, "Link") is not string link) return null;
            foreach (var part in link.Split(','))
            {
                var pieces = part.Split(';');
                if (pieces.Skip(1).Any(p => p.Trim() == "rel=\"next\""))
                    return new Uri(pieces[0].Trim().TrimStart('<').TrimEnd('>'));
            }
            return null;
        }

        private static string? Header(HttpResponseMessage r, string name) =>
            r.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        private static string Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e.Message;
        }

        private void Verbose(string message) => Options.Verbose?.Invoke(message);

        public void Dispose() => _client.Dispose();
    }
}
