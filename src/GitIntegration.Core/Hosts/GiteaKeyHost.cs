using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// Gitea and Forgejo (API v1): a repository's deploy keys (/repos/{owner}/{repo}/keys, read_only) and the token's
/// user's keys (/user/keys), with "Authorization: token TOKEN". Docs: the server's own /api/swagger.
/// </summary>
public sealed class GiteaKeyHost : RestKeyHost
{
    public GiteaKeyHost(HostConnection connection, HttpMessageHandler? handler = null)
        : base(
            "Gitea",
            connection,
            (request, token) =>
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("token", token);
                return Task.CompletedTask;
            },
            handler
        ) { }

    public override void Check(KeyTarget target)
    {
        if (target.Kind == KeyTargetKind.Project)
            throw target.NotSupported(
                $"Gitea has no project keys; publish the key to the repository '{target.RepositoryPath}' (a "
                    + "deploy key) or to the token's user."
            );
        if (target.Kind == KeyTargetKind.Repository && target.RepositoryPath.Split('/').Length != 2)
            throw target.NotSupported(
                $"'{target.Url}' does not name a Gitea repository as OWNER/REPOSITORY. Use the clone URL Gitea "
                    + "shows, e.g. git@gitea.example.com:acme/app.git."
            );
    }

    public override Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel) =>
        ListLinkedPagesAsync<GiteaKey>(Keys(target), "limit=50", target, k => k.ToHosted(target), Refused, cancel);

    public override async Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel)
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
        var answer = await CallAsync(HttpMethod.Post, Keys(target), body, target, "add a key to", Refused, cancel)
            .ConfigureAwait(false);
        return Api.Json<GiteaKey>(answer, "the new key").ToHosted(target);
    }

    public override Task RemoveAsync(KeyTarget target, string id, CancellationToken cancel) =>
        CallAsync(
            HttpMethod.Delete,
            Keys(target) + "/" + Id(id, target),
            null,
            target,
            "remove a key from",
            Refused,
            cancel
        );

    private static string Keys(KeyTarget target) =>
        target.Kind == KeyTargetKind.User
            ? "user/keys"
            : "repos/" + string.Join("/", target.RepositoryPath.Split('/').Select(Escape)) + "/keys";

    private static GitIntegrationException Refused(Refusal r)
    {
        var user = r.Target.Kind == KeyTargetKind.User;
        var scope = user ? "write:user" : "write:repository";
        var needs =
            $"The token needs the '{scope}' scope"
            + (user ? "." : ", and its account must be an admin of the repository.");
        switch (r.Status)
        {
            case 401:
                return r.Unauthorized();
            case 403:
                return r.ScopeMissing(needs);
            case 404 when !user:
                return r.NotFound(needs);
            case 422 when r.SaidAny("already been added", "used as non-deploy key", "has been used", "same name"):
                return r.InUse(
                    r.SaidAny("non-deploy")
                        ? "Gitea already has this key as a user's key, so it cannot also be a deploy key."
                        : "Gitea already has this key, or a key with this title, on the repository or the account; "
                            + "give another -Title, or remove the old key first."
                );
            case 422 when r.SaidAny("key content", "verify key"):
                return r.TypeRefused(
                    "it accepts the key types and sizes its administrator allows (by default "
                        + "Ed25519, ECDSA and RSA of 3072 bits or more; no DSA)."
                );
            default:
                return r.Rejected();
        }
    }

    private sealed class GiteaKey
    {
        [JsonPropertyName("id")]
        public long Id { get; set; }

        [JsonPropertyName("key")]
        public string? Key { get; set; }

        [JsonPropertyName("title")]
        public string? Title { get; set; }

        [JsonPropertyName("read_only")]
        public bool? ReadOnly { get; set; }

        public HostedKey ToHosted(KeyTarget target) =>
            new HostedKey
            {
                Id = Id.ToString(CultureInfo.InvariantCulture),
                Key = Key ?? "",
                Title = Title,
                ReadOnly = target.Kind == KeyTargetKind.User ? null : ReadOnly,
            };
    }
}
