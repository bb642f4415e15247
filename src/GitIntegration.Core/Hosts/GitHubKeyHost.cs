using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// GitHub and GitHub Enterprise Server: a repository's deploy keys (/repos/{owner}/{repo}/keys, read_only) and the
/// token's user's keys (/user/keys). Docs: https://docs.github.com/rest/deploy-keys/deploy-keys and
/// https://docs.github.com/rest/users/keys.
/// </summary>
public sealed class GitHubKeyHost : IKeyHost
{
    /// <summary>Pages of 100 keys read at most (GitHub allows far fewer keys per repository).</summary>
    private const int MaxPages = 20;

    private readonly HostApi _api;

    public GitHubKeyHost(HostConnection connection, HttpMessageHandler? handler = null)
    {
        Type = connection.Endpoint.Type;
        _api = new HostApi(
            Type == KeyHostType.GitHub ? "GitHub" : "GitHub Enterprise Server",
            connection,
            async (request, cancel) =>
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
                request.Headers.Add("X-GitHub-Api-Version", GitHubHttp.ApiVersion);
                var token = await connection.Token(cancel).ConfigureAwait(false);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            },
            handler
        );
    }

    public KeyHostType Type { get; }
    public Uri ApiUrl => _api.Connection.Endpoint.ApiUrl;

    public void Check(KeyTarget target)
    {
        if (target.Kind == KeyTargetKind.Project)
            throw target.NotSupported(
                $"GitHub has no project keys; publish the key to the repository '{target.RepositoryPath}' (a "
                    + "deploy key) or to the token's user."
            );
        if (target.Kind == KeyTargetKind.Repository && target.RepositoryPath.Split('/').Length != 2)
            throw target.NotSupported(
                $"'{target.Url}' does not name a GitHub repository as OWNER/REPOSITORY. Use the clone URL "
                    + "GitHub shows, e.g. git@github.com:acme/app.git."
            );
    }

    public async Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel)
    {
        return await HostApi
            .LinkedPagesAsync(
                MaxPages,
                async page =>
                {
                    var path = Keys(target) + "?per_page=100&page=" + page.ToString(CultureInfo.InvariantCulture);
                    var answer = await _api.SendAsync(HttpMethod.Get, path, null, cancel).ConfigureAwait(false);
                    if (!HostApi.IsSuccess(answer))
                        throw Refused(answer, target, "list the keys of");
                    var keys = _api.Json<List<GitHubKey>>(answer, "the list of keys");
                    return (answer, keys.Select(k => k.ToHosted()));
                }
            )
            .ConfigureAwait(false);
    }

    public async Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel)
    {
        object body =
            target.Kind == KeyTargetKind.User
                ? new { title = key.Title, key = key.PublicKey }
                : new
                {
                    title = key.Title,
                    key = key.PublicKey,
                    read_only = key.ReadOnly,
                };
        var answer = await _api.SendAsync(HttpMethod.Post, Keys(target), body, cancel).ConfigureAwait(false);
        if (!HostApi.IsSuccess(answer))
            throw Refused(answer, target, "add a key to");
        return _api.Json<GitHubKey>(answer, "the new key").ToHosted();
    }

    public async Task RemoveAsync(KeyTarget target, string id, CancellationToken cancel)
    {
        var answer = await _api.SendAsync(
                HttpMethod.Delete,
                Keys(target) + "/" + Uri.EscapeDataString(id),
                null,
                cancel
            )
            .ConfigureAwait(false);
        // 404: someone removed it since it was listed; the outcome is the one wanted.
        if (!HostApi.IsSuccess(answer) && (int)answer.Status != 404)
            throw Refused(answer, target, "remove a key from");
    }

    private static string Keys(KeyTarget target) =>
        target.Kind == KeyTargetKind.User
            ? "user/keys"
            : "repos/" + string.Join("/", target.RepositoryPath.Split('/').Select(Uri.EscapeDataString)) + "/keys";

    /// <summary>GitHub's refusals as errors an admin can act on: the repository, and what is missing.</summary>
    private GitIntegrationException Refused(RestAnswer answer, KeyTarget target, string action)
    {
        var status = (int)answer.Status;
        var said = HostApi.Message(answer) is string m ? $" {_api.Name} says: \"{m}\"." : "";
        var where = target.Kind == KeyTargetKind.User ? "the token's user" : $"'{target.RepositoryPath}'";
        var head = $"Could not {action} {where} on {_api.Name} ({status}).{said}";
        var url = target.Url.ToString();
        var message = HostApi.Message(answer) ?? "";
        switch (status)
        {
            case 401:
                return new GitIntegrationException(
                    HostErrorIds.Unauthorized,
                    ErrorKind.AuthenticationError,
                    $"{head} The token is not valid (expired, revoked or mistyped): create a new one and pass it "
                        + "with -Token."
                )
                {
                    Target = url,
                };
            case 403:
                return new GitIntegrationException(
                    HostErrorIds.ScopeMissing,
                    ErrorKind.PermissionDenied,
                    $"{head} {Missing(answer, target)}"
                )
                {
                    Target = url,
                };
            case 404 when target.Kind == KeyTargetKind.Repository:
                return new GitIntegrationException(
                    HostErrorIds.RepositoryNotFound,
                    ErrorKind.ObjectNotFound,
                    $"{head} The repository does not exist, or the token cannot see it or administer it: check "
                        + "the URL, and that the token's account is an admin of the repository. "
                        + Missing(answer, target)
                )
                {
                    Target = url,
                };
            case 404:
                return new GitIntegrationException(
                    HostErrorIds.ScopeMissing,
                    ErrorKind.PermissionDenied,
                    $"{head} {Missing(answer, target)}"
                )
                {
                    Target = url,
                };
            case 422
                when message.IndexOf("in use", StringComparison.OrdinalIgnoreCase) >= 0
                    || answer.Body.IndexOf("already in use", StringComparison.OrdinalIgnoreCase) >= 0:
                return InUse(head, target);
            case 422 when answer.Body.IndexOf("\"key\"", StringComparison.Ordinal) >= 0:
                return new GitIntegrationException(
                    HostErrorIds.KeyTypeRefused,
                    ErrorKind.InvalidData,
                    $"{head} {_api.Name} refuses this key: it accepts Ed25519, ECDSA and RSA keys (no DSA). "
                        + "Generate one with New-GitSshKey."
                )
                {
                    Target = url,
                };
            default:
                return new GitIntegrationException(HostErrorIds.Rejected, ErrorKind.InvalidOperation, head)
                {
                    Target = url,
                };
        }
    }

    private GitIntegrationException InUse(string head, KeyTarget target)
    {
        var text =
            target.Kind == KeyTargetKind.Repository
                ? $"{head} {_api.Name} lets a deploy key serve one repository only, and this key is "
                    + "already a deploy key of another repository (or a user's key). Use one key per "
                    + "repository, or publish this key once as a user key (-UserKey) of an account that can "
                    + "read all the repositories."
                : $"{head} This key is already used by another account, or as a deploy key; {_api.Name} takes a key "
                    + "once. Use a key of its own for this account.";
        return new GitIntegrationException(HostErrorIds.KeyInUse, ErrorKind.ResourceExists, text)
        {
            Target = target.Url.ToString(),
        };
    }

    /// <summary>What the token lacks, from GitHub's X-Accepted-* headers where it sends them.</summary>
    private string Missing(RestAnswer answer, KeyTarget target)
    {
        var user = target.Kind == KeyTargetKind.User;
        if (_api.Connection.AppPermission is string permission)
            return $"The GitHub App needs {permission}: grant it in the app's settings (Permissions & events), "
                + "then approve the new permission on the organization's installation.";
        var accepted = answer.Header("X-Accepted-OAuth-Scopes");
        var scope =
            !string.IsNullOrEmpty(accepted) ? accepted
            : user ? "write:public_key"
            : "repo";
        var fine = answer.Header("X-Accepted-GitHub-Permissions");
        var finePermission =
            !string.IsNullOrEmpty(fine) ? fine
            : user ? "the 'Git SSH keys' account permission (read and write)"
            : "the 'Administration' repository permission (read and write)";
        var has = answer.Header("X-OAuth-Scopes") is string s ? $" (it has: {(s.Length > 0 ? s : "none")})" : "";
        return $"The token needs the '{scope}' scope{has} for a classic personal access token, or "
            + $"{finePermission} for a fine-grained one"
            + (user ? "." : ", and its account must be an admin of the repository.");
    }

    public void Dispose() => _api.Dispose();

    private sealed class GitHubKey
    {
        [JsonPropertyName("id")]
        public long Id { get; set; }

        [JsonPropertyName("key")]
        public string? Key { get; set; }

        [JsonPropertyName("title")]
        public string? Title { get; set; }

        [JsonPropertyName("read_only")]
        public bool? ReadOnly { get; set; }

        public HostedKey ToHosted() =>
            new HostedKey
            {
                Id = Id.ToString(CultureInfo.InvariantCulture),
                Key = Key ?? "",
                Title = Title,
                ReadOnly = ReadOnly,
            };
    }
}
