using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// What the key APIs of GitLab, Bitbucket and Gitea share: the HTTP client bound to the connection, paging, and the
/// refusals an admin can act on (each names the repository, what the host said and what to do).
/// </summary>
public abstract class RestKeyHost : IKeyHost
{
    /// <summary>Pages read at most when listing keys (hosts allow far fewer keys per repository).</summary>
    protected const int MaxPages = 20;

    protected RestKeyHost(
        string name,
        HostConnection connection,
        Func<HttpRequestMessage, string, Task>? authorize,
        HttpMessageHandler? handler
    )
    {
        Type = connection.Endpoint.Type;
        Api = new HostApi(
            name,
            connection,
            async (request, cancel) =>
            {
                request.Headers.Accept.ParseAdd("application/json");
                var token = await connection.Token(cancel).ConfigureAwait(false);
                if (string.IsNullOrEmpty(token))
                    throw new GitIntegrationException(
                        HostErrorIds.TokenRequired,
                        ErrorKind.InvalidArgument,
                        $"{name} needs a token to manage keys. Pass one with -Token."
                    );
                if (authorize != null)
                    await authorize(request, token).ConfigureAwait(false);
                else
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                        "Bearer",
                        token
                    );
            },
            handler
        );
    }

    protected HostApi Api { get; }
    public KeyHostType Type { get; }
    public Uri ApiUrl => Api.Connection.Endpoint.ApiUrl;

    public abstract void Check(KeyTarget target);
    public abstract Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel);
    public abstract Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel);
    public abstract Task RemoveAsync(KeyTarget target, string id, CancellationToken cancel);

    /// <summary>Sends a request and returns its answer when it succeeded, or throws what <paramref name="refused"/>
    /// makes of it. A 404 on a removal is a success: the key is gone, which is what was wanted.</summary>
    protected async Task<RestAnswer> CallAsync(
        HttpMethod method,
        string path,
        object? body,
        KeyTarget target,
        string action,
        Func<Refusal, GitIntegrationException> refused,
        CancellationToken cancel
    )
    {
        var answer = await Api.SendAsync(method, path, body, cancel).ConfigureAwait(false);
        if (HostApi.IsSuccess(answer) || method == HttpMethod.Delete && (int)answer.Status == 404)
            return answer;
        throw refused(new Refusal(Api.Name, answer, target, action, ErrorMessage(answer)));
    }

    /// <summary>The keys at a target, page by page while the Link header names a next page (GitLab, Gitea);
    /// <paramref name="pageSize"/> is the host's page-size query, e.g. "per_page=100".</summary>
    protected Task<IReadOnlyList<HostedKey>> ListLinkedPagesAsync<TKey>(
        string keysPath,
        string pageSize,
        KeyTarget target,
        Func<TKey, HostedKey> hosted,
        Func<Refusal, GitIntegrationException> refused,
        CancellationToken cancel
    ) =>
        HostApi.LinkedPagesAsync(
            MaxPages,
            async page =>
            {
                var path = $"{keysPath}?{pageSize}&page={page.ToString(CultureInfo.InvariantCulture)}";
                var answer = await CallAsync(HttpMethod.Get, path, null, target, "list the keys of", refused, cancel)
                    .ConfigureAwait(false);
                return (answer, Api.Json<List<TKey>>(answer, "the list of keys").Select(hosted));
            }
        );

    /// <summary>The host's own words from an error body: "message" (GitLab, Gitea), "error.message" (Bitbucket
    /// Cloud), "errors[0].message" (Bitbucket Data Center); GitLab's validation objects are flattened.</summary>
    public static string? ErrorMessage(RestAnswer answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer.Body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            if (
                root.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0
                && errors[0].ValueKind == JsonValueKind.Object
                && errors[0].TryGetProperty("message", out var first)
            )
                return Flatten(first);
            if (
                root.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("message", out var inner)
            )
                return Flatten(inner);
            if (root.TryGetProperty("message", out var message))
                return Flatten(message);
            return root.TryGetProperty("error_description", out var d) ? Flatten(d) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Flatten(JsonElement e)
    {
        var text = e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Array => string.Join("; ", e.EnumerateArray().Select(Flatten)),
            JsonValueKind.Object => string.Join("; ", e.EnumerateObject().Select(p => p.Name + " " + Flatten(p.Value))),
            _ => null,
        };
        return text == null || text.Length <= 500 ? text : text.Substring(0, 500) + "...";
    }

    /// <summary>The number in a host's id, checked before it goes into a path.</summary>
    protected static string Id(string id, KeyTarget target, bool uuid = false)
    {
        var ok =
            id.Length > 0
            && id.Length <= 64
            && id.All(c => char.IsDigit(c) || uuid && (c == '-' || c == '{' || c == '}' || char.IsLetter(c)));
        if (!ok)
            throw new GitIntegrationException(
                HostErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                $"The key id '{id}' is not one the host gives; nothing was removed from {target}."
            )
            {
                Target = target.Url.ToString(),
            };
        return Uri.EscapeDataString(id);
    }

    protected static string Escape(string segment) => Uri.EscapeDataString(segment);

    public void Dispose() => Api.Dispose();

    /// <summary>A refused request, and the typed errors it can become.</summary>
    protected sealed class Refusal
    {
        internal Refusal(string host, RestAnswer answer, KeyTarget target, string action, string? said)
        {
            Host = host;
            Answer = answer;
            Target = target;
            Said = said ?? "";
            var where = target.Kind == KeyTargetKind.User ? "the token's user" : $"'{target}'";
            Head =
                $"Could not {action} {where} on {host} ({(int)answer.Status})."
                + (said != null ? $" {host} says: \"{said}\"." : "");
        }

        public string Host { get; }
        public RestAnswer Answer { get; }
        public KeyTarget Target { get; }
        public int Status => (int)Answer.Status;
        public string Said { get; }
        public string Head { get; }

        public bool SaidAny(params string[] words) =>
            words.Any(w => Said.IndexOf(w, StringComparison.OrdinalIgnoreCase) >= 0);

        private GitIntegrationException Error(string hostErrorId, ErrorKind kind, string text) =>
            new GitIntegrationException(hostErrorId, kind, $"{Head} {text}") { Target = Target.Url.ToString() };

        public GitIntegrationException Unauthorized() =>
            Error(
                HostErrorIds.Unauthorized,
                ErrorKind.AuthenticationError,
                "The token is not valid (expired, revoked or mistyped): create a new " + "one and pass it with -Token."
            );

        public GitIntegrationException ScopeMissing(string needs) =>
            Error(HostErrorIds.ScopeMissing, ErrorKind.PermissionDenied, needs);

        public GitIntegrationException NotFound(string needs) =>
            Error(
                HostErrorIds.RepositoryNotFound,
                ErrorKind.ObjectNotFound,
                "The repository does not exist, or the token cannot see it: check the URL, "
                    + $"and that the token's account has access to it. {needs}"
            );

        /// <summary>The key is already used where the host allows it once (publishing adds the New-GitSshKey
        /// line that makes a key for this repository).</summary>
        public GitIntegrationException InUse(string why) => Error(HostErrorIds.KeyInUse, ErrorKind.ResourceExists, why);

        public GitIntegrationException TypeRefused(string accepts) =>
            Error(
                HostErrorIds.KeyTypeRefused,
                ErrorKind.InvalidData,
                $"{Host} refuses this key: {accepts} Generate an accepted one with "
                    + "New-GitSshKey (RSA 4096 by default)."
            );

        public GitIntegrationException Rejected() =>
            new GitIntegrationException(HostErrorIds.Rejected, ErrorKind.InvalidOperation, Head)
            {
                Target = Target.Url.ToString(),
            };
    }
}
