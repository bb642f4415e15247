using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.Net;

/// <summary>How patient a REST client is with its server.</summary>
public class RestOptions
{
    /// <summary>Each request, each attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a 5xx answer, a network fault or a timeout.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; it doubles on each retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for a rate limit to reset; a later reset is an error.</summary>
    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromMinutes(2);
    public string UserAgent { get; set; } =
        "GitIntegration-PowerShell/" + typeof(RestOptions).Assembly.GetName().Version!.ToString(3);

    /// <summary>Which server certificates are accepted (a self-managed server with an internal CA).</summary>
    public CertificateTrust Trust { get; set; } = new CertificateTrust();

    /// <summary>Told what the client waits for and why (never a secret).</summary>
    public Action<string>? Verbose { get; set; }
}

/// <summary>Who a <see cref="RestTransport"/> talks to, as its faults name it, and those faults' ids.</summary>
public sealed class RestService
{
    /// <summary>The server as messages name it: "GitHub", "GitLab".</summary>
    public string Name { get; set; } = "";

    /// <summary>Whose rate limit it is, as the message says it: "this app", "this token".</summary>
    public string RateLimitOwner { get; set; } = "this token";

    /// <summary>Where the admin checks that the server is up, for a message after repeated 5xx answers.</summary>
    public string StatusPage { get; set; } = "the server's status page";
    public string RateLimitErrorId { get; set; } = "";
    public string ServerFaultErrorId { get; set; } = "";
    public string TimeoutErrorId { get; set; } = "";
    public string UnreachableErrorId { get; set; } = "";
}

/// <summary>An answer from the server, whatever its status (below 500).</summary>
public sealed class RestAnswer
{
    internal RestAnswer(HttpStatusCode status, string body, IReadOnlyDictionary<string, string> headers)
    {
        Status = status;
        Body = body;
        Headers = headers;
    }

    public HttpStatusCode Status { get; }
    public string Body { get; }

    /// <summary>The response's headers (the first value of each), by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The Link header (pagination), if any.</summary>
    public string? Link => Header("Link");

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// One request to a REST API, with a timeout on every attempt, retries with backoff on 5xx and network faults, and
/// a bounded wait for the server's rate limit to reset (403/429 with Retry-After, or x-ratelimit-remaining 0 and
/// x-ratelimit-reset). Shared by the GitHub client and the git hosts' key APIs; the caller adds its headers.
/// </summary>
public sealed class RestTransport : IDisposable
{
    private readonly HttpClient _client;

    /// <param name="maxResponseBytes">The longest answer read (a bigger one fails as a network fault); by
    /// default HttpClient's limit.</param>
    public RestTransport(
        RestService service,
        RestOptions options,
        HttpMessageHandler? handler = null,
        long? maxResponseBytes = null
    )
    {
        Service = service;
        Options = options;
        _client =
            handler == null
                ? new HttpClient(Options.Trust.CreateHandler(followRedirects: true))
                : new HttpClient(handler, false);
        _client.Timeout = System.Threading.Timeout.InfiniteTimeSpan; // each attempt has its own timeout
        if (maxResponseBytes is long max)
            _client.MaxResponseContentBufferSize = max;
    }

    public RestService Service { get; }
    public RestOptions Options { get; }

    /// <summary>
    /// Sends one request and returns the answer, after the retries and rate-limit waits. <paramref name="prepare"/>
    /// is called for each attempt (headers, authorization), so a short-lived token is always fresh.
    /// </summary>
    public async Task<RestAnswer> SendAsync(
        HttpMethod method,
        Uri uri,
        Func<HttpRequestMessage, Task> prepare,
        string? json,
        CancellationToken cancel
    )
    {
        var name = Service.Name;
        int retries = 0,
            rateWaits = 0;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.UserAgent.ParseAdd(Options.UserAgent);
            await prepare(request).ConfigureAwait(false);
            if (json != null)
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");

            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            attempt.CancelAfter(Options.Timeout);
            string? fault;
            try
            {
                using var response = await _client
                    .SendAsync(request, HttpCompletionOption.ResponseContentRead, attempt.Token)
                    .ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var status = (int)response.StatusCode;
                var wait = RateLimitWait(response, status);
                if (wait is TimeSpan w)
                {
                    if (w > Options.MaxRateLimitWait || ++rateWaits > 3)
                        throw new GitIntegrationException(
                            Service.RateLimitErrorId,
                            ErrorKind.LimitsExceeded,
                            $"{name}'s rate limit for {Service.RateLimitOwner} is used up until "
                                + $"{DateTimeOffset.Now + w:HH:mm:ss} ({Math.Ceiling(w.TotalMinutes)} min). "
                                + "Run the command again after that time."
                        )
                        {
                            Target = uri.ToString(),
                        };
                    Verbose(
                        $"{name}'s rate limit is reached ({method} {uri.AbsolutePath} answered {status}); "
                            + $"waiting {Math.Ceiling(w.TotalSeconds)} s for it to reset."
                    );
                    await Task.Delay(w, cancel).ConfigureAwait(false);
                    continue;
                }
                if (status < 500)
                    return new RestAnswer(response.StatusCode, text, Headers(response));
                fault = $"{name} answered {status} {response.ReasonPhrase}";
                if (retries >= Options.MaxRetries)
                    throw new GitIntegrationException(
                        Service.ServerFaultErrorId,
                        ErrorKind.ResourceUnavailable,
                        $"{fault} to {method} {uri.AbsolutePath}, {retries + 1} times. {name} has a problem on "
                            + $"its side; check {Service.StatusPage} and try again later."
                    )
                    {
                        Target = uri.ToString(),
                    };
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                fault = $"{name} did not answer within {Options.Timeout.TotalSeconds:0.#} s";
                if (retries >= Options.MaxRetries)
                    throw new GitIntegrationException(
                        Service.TimeoutErrorId,
                        ErrorKind.OperationTimeout,
                        $"{fault} to {method} {uri.AbsolutePath}, {retries + 1} times. Check the network path "
                            + $"to {uri.Host} (proxy, firewall) and try again."
                    )
                    {
                        Target = uri.ToString(),
                    };
            }
            catch (HttpRequestException e) when (Options.Trust.Rejection is string rejection)
            {
                // A certificate does not mend itself: no retry.
                throw new GitIntegrationException(
                    CertificateTrust.CertificateInvalid,
                    ErrorKind.SecurityError,
                    $"{rejection} Install its CA certificate in this machine's trust store; or, once the "
                        + "server's administrator confirms the SHA-256 thumbprint above, trust it with "
                        + "-TrustedCertificateThumbprint.",
                    e
                )
                {
                    Target = uri.ToString(),
                };
            }
            catch (HttpRequestException e)
            {
                fault = $"cannot reach {uri.Host} ({HttpFailure.Innermost(e)})";
                if (retries >= Options.MaxRetries)
                    throw new GitIntegrationException(
                        Service.UnreachableErrorId,
                        ErrorKind.ConnectionError,
                        $"Cannot reach {uri.Host}: {HttpFailure.Innermost(e)}. Check the host name, the proxy and the "
                            + "firewall.",
                        e
                    )
                    {
                        Target = uri.ToString(),
                    };
            }
            var delay = TimeSpan.FromTicks(Options.RetryDelay.Ticks << retries++);
            Verbose($"{fault}; retry {retries} of {Options.MaxRetries} in {delay.TotalSeconds:0.##} s.");
            await Task.Delay(delay, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rate-limit answers: 403/429 with retry-after, or with x-ratelimit-remaining 0 (then wait for
    /// x-ratelimit-reset).
    /// </summary>
    private static TimeSpan? RateLimitWait(HttpResponseMessage response, int status)
    {
        if (status != 403 && status != 429)
            return null;
        if (
            Header(response, "Retry-After") is string ra
            && int.TryParse(ra, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        )
            return TimeSpan.FromSeconds(Math.Max(1, seconds));
        if (
            Header(response, "x-ratelimit-remaining") == "0"
            && long.TryParse(
                Header(response, "x-ratelimit-reset"),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var reset
            )
        )
        {
            var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
            return wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait;
        }
        return status == 429 ? TimeSpan.FromSeconds(60) : (TimeSpan?)null;
    }

    private static IReadOnlyDictionary<string, string> Headers(HttpResponseMessage r)
    {
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var h in r.Headers.Concat(r.Content.Headers))
            all[h.Key] = h.Value.FirstOrDefault() ?? "";
        return all;
    }

    private static string? Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private void Verbose(string message) => Options.Verbose?.Invoke(message);

    public void Dispose() => _client.Dispose();
}
