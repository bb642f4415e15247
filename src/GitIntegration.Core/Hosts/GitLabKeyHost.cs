using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// GitLab.com and self-managed GitLab (API v4): a project's deploy keys (/projects/:id/deploy_keys, can_push) and
/// the token's user's keys (/user/keys). The project id is its URL-encoded path, subgroups included. Docs:
/// https://docs.gitlab.com/api/deploy_keys/ and https://docs.gitlab.com/api/user_keys/.
/// </summary>
public sealed class GitLabKeyHost : RestKeyHost
{
    public GitLabKeyHost(HostConnection connection, HttpMessageHandler? handler = null)
        : base("GitLab", connection, null, handler) { }

    public override void Check(KeyTarget target)
    {
        if (target.Kind == KeyTargetKind.Project)
            throw target.NotSupported(
                $"GitLab has no project-wide keys other than a project's deploy keys; publish the key to the "
                    + $"repository '{target.RepositoryPath}' (a deploy key) or to the token's user."
            );
        if (target.Kind == KeyTargetKind.Repository && !target.RepositoryPath.Contains("/"))
            throw target.NotSupported(
                $"'{target.Url}' does not name a GitLab project as GROUP/PROJECT. Use the clone URL GitLab "
                    + "shows, e.g. git@gitlab.com:acme/tools/app.git."
            );
    }

    public override Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel) =>
        ListLinkedPagesAsync<GitLabKey>(Keys(target), "per_page=100", target, k => k.ToHosted(), Refused, cancel);

    public override async Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel)
    {
        object body =
            target.Kind == KeyTargetKind.User
                ? new { title = key.Title, key = key.PublicKey }
                : new
                {
                    title = key.Title,
                    key = key.PublicKey,
                    can_push = !key.ReadOnly,
                };
        var answer = await CallAsync(HttpMethod.Post, Keys(target), body, target, "add a key to", Refused, cancel)
            .ConfigureAwait(false);
        return Api.Json<GitLabKey>(answer, "the new key").ToHosted();
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
        target.Kind == KeyTargetKind.User ? "user/keys" : "projects/" + Escape(target.RepositoryPath) + "/deploy_keys";

    private static GitIntegrationException Refused(Refusal r)
    {
        var user = r.Target.Kind == KeyTargetKind.User;
        var needs =
            "The token needs the 'api' scope, and for a deploy key its account needs the Maintainer "
            + "role (or Owner) in the project.";
        switch (r.Status)
        {
            case 401:
                return r.Unauthorized();
            case 403:
                return r.ScopeMissing(
                    r.SaidAny("scope")
                        ? "The token needs the 'api' scope: create a personal, group or project access token with "
                            + "it."
                    : user ? "The token cannot manage its user's SSH keys; it needs the 'api' scope."
                    : needs
                );
            case 404 when !user:
                return r.NotFound(needs);
            // GitLab takes a key once as a user key; a deploy key already in another project is simply joined.
            case 400 when r.SaidAny("has already been taken"):
                return r.InUse(
                    user
                        ? "GitLab already has this key, as another account's key or as a deploy key; it takes a key "
                            + "once as a user key."
                        : "GitLab already has this key as a user's SSH key, so it cannot also be a deploy key."
                );
            case 400 when r.SaidAny("key"):
                return r.TypeRefused(
                    "it accepts the key types its administrator allows (by default RSA of "
                        + "2048 bits or more, ECDSA and Ed25519; never DSA on GitLab.com)."
                );
            default:
                return r.Rejected();
        }
    }

    private sealed class GitLabKey
    {
        [JsonPropertyName("id")]
        public long Id { get; set; }

        [JsonPropertyName("key")]
        public string? Key { get; set; }

        [JsonPropertyName("title")]
        public string? Title { get; set; }

        [JsonPropertyName("can_push")]
        public bool? CanPush { get; set; }

        public HostedKey ToHosted() =>
            new HostedKey
            {
                Id = Id.ToString(CultureInfo.InvariantCulture),
                Key = Key ?? "",
                Title = Title,
                ReadOnly = !CanPush,
            };
    }
}
