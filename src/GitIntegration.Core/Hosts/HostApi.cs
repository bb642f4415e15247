using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// The HTTP side of a host's key API: JSON requests to paths under the API root through the shared
/// <see cref="RestTransport"/> (timeouts, retries, rate-limit waits, certificate trust), with the host's own
/// headers and authorization added by its prepare callback. Refusals stay answers: the host reads them.
/// </summary>
public sealed class HostApi : IDisposable
{
    /// <summary>The longest answer read from a key API (a page of keys is a few KiB); a longer one is not read.
    /// </summary>
    public const int MaxBody = 4 * 1024 * 1024;

    private readonly RestTransport _transport;
    private readonly Func<HttpRequestMessage, CancellationToken, Task> _prepare;

    public HostApi(
        string name,
        HostConnection connection,
        Func<HttpRequestMessage, CancellationToken, Task> prepare,
        HttpMessageHandler? handler = null
    )
    {
        Connection = connection;
        _prepare = prepare;
        _transport = new RestTransport(
            new RestService
            {
                Name = name,
                RateLimitOwner = "this token",
                RateLimitErrorId = HostErrorIds.RateLimited,
                ServerFaultErrorId = HostErrorIds.ServerError,
                TimeoutErrorId = HostErrorIds.Timeout,
                UnreachableErrorId = HostErrorIds.Unreachable,
            },
            connection.Options,
            handler,
            MaxBody
        );
    }

    public HostConnection Connection { get; }
    public string Name => _transport.Service.Name;

    /// <summary>Sends <paramref name="body"/> (as JSON, when not null) to a path under the API root.</summary>
    public async Task<RestAnswer> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancel)
    {
        var uri = new Uri(Connection.Endpoint.ApiUrl, path.TrimStart('/'));
        var json = body == null ? null : JsonSerializer.Serialize(body);
        return await _transport.SendAsync(method, uri, r => _prepare(r, cancel), json, cancel).ConfigureAwait(false);
    }

    /// <summary>The answer's JSON, or a typed error that says the address is probably not the host's API.</summary>
    public T Json<T>(RestAnswer answer, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(answer.Body) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new GitIntegrationException(
                HostErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                $"{Name} answered {what} with something that is not the expected JSON ({e.Message}). Check the "
                    + "API address: it must be the host's REST API itself, not a proxy or sign-in page.",
                e
            );
        }
    }

    /// <summary>The "message" of a JSON error body, when it has one.</summary>
    public static string? Message(RestAnswer answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer.Body);
            var root = doc.RootElement;
            return
                root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("message", out var m)
                && m.ValueKind == JsonValueKind.String
                ? m.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads pages 1, 2, ... while the answer's Link header names a next one, at most
    /// <paramref name="maxPages"/> (GitHub, GitLab and Gitea page their key lists this way).</summary>
    public static async Task<IReadOnlyList<T>> LinkedPagesAsync<T>(
        int maxPages,
        Func<int, Task<(RestAnswer Answer, IEnumerable<T> Items)>> page
    )
    {
        var all = new List<T>();
        for (var n = 1; n <= maxPages; n++)
        {
            var (answer, items) = await page(n).ConfigureAwait(false);
            all.AddRange(items);
            if (answer.Link == null || !answer.Link.Contains("rel=\"next\""))
                break;
        }
        return all;
    }

    public static bool IsSuccess(RestAnswer a) => (int)a.Status >= 200 && (int)a.Status < 300;

    public static bool Is(RestAnswer a, HttpStatusCode status) => a.Status == status;

    public void Dispose() => _transport.Dispose();
}
