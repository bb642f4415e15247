using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Git;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// Bitbucket Data Center and Server: a repository's access keys (/rest/keys/1.0/projects/{key}/repos/{slug}/ssh,
/// REPO_READ or REPO_WRITE), a project's (/rest/keys/1.0/projects/{key}/ssh, PROJECT_READ or PROJECT_WRITE) and the
/// token's user's keys (/rest/ssh/1.0/keys), with an HTTP access token as Bearer. The API root is the server's
/// /rest/. Docs: https://developer.atlassian.com/server/bitbucket/rest/ (Authentication).
/// </summary>
public sealed class BitbucketDataCenterKeyHost : RestKeyHost
{
    public BitbucketDataCenterKeyHost(HostConnection connection, HttpMessageHandler? handler = null)
        : base("Bitbucket Data Center", connection, null, handler) { }

    /// <summary>The REST root of the server a clone URL points at: https://HOST[/context]/rest/ (an HTTPS clone
    /// URL keeps its context path before /scm/; an SSH one, on port 7999, has none).</summary>
    public static Uri DefaultApiUrl(GitUrl url)
    {
        var path = url.Path;
        var scm = url.IsHttp ? path.IndexOf("/scm/", StringComparison.Ordinal) : -1;
        var context = scm > 0 ? path.Substring(0, scm) : "";
        var port = url.IsHttp && url.Port is int p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "";
        return new Uri($"https://{KeyHosts.UrlHost(url)}{port}{context}/rest/");
    }

    public override void Check(KeyTarget target)
    {
        if (target.Kind != KeyTargetKind.User && Parts(target) == null)
            throw target.NotSupported(
                $"'{target.Url}' does not name a Bitbucket Data Center repository as PROJECT/REPOSITORY. Use the "
                    + "clone URL Bitbucket shows, e.g. ssh://git@bitbucket.example.com:7999/OPS/tools.git."
            );
    }

    public override async Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel)
    {
        var all = new List<HostedKey>();
        var start = 0;
        for (var page = 1; page <= MaxPages; page++)
        {
            var path = Keys(target) + "?limit=100&start=" + start.ToString(CultureInfo.InvariantCulture);
            var answer = await CallAsync(HttpMethod.Get, path, null, target, "list the keys of", Refused, cancel)
                .ConfigureAwait(false);
            var list = Api.Json<Page>(answer, "the list of keys");
            all.AddRange((list.Values ?? new List<AccessKey>()).Select(k => k.ToHosted()));
            if (list.IsLastPage != false || list.NextPageStart is not int next || next <= start)
                break;
            start = next;
        }
        return all;
    }

    public override async Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel)
    {
        var write = target.Kind == KeyTargetKind.Project ? "PROJECT_WRITE" : "REPO_WRITE";
        var read = target.Kind == KeyTargetKind.Project ? "PROJECT_READ" : "REPO_READ";
        object body =
            target.Kind == KeyTargetKind.User
                ? new { text = key.PublicKey, label = key.Title }
                : new
                {
                    key = new { text = key.PublicKey, label = key.Title },
                    permission = key.ReadOnly ? read : write,
                };
        var answer = await CallAsync(HttpMethod.Post, Keys(target), body, target, "add a key to", Refused, cancel)
            .ConfigureAwait(false);
        return target.Kind == KeyTargetKind.User
            ? Api.Json<SshKey>(answer, "the new key").ToHosted(null)
            : Api.Json<AccessKey>(answer, "the new key").ToHosted();
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

    /// <summary>The project key and repository slug: the last two segments of the clone URL's path
    /// (/scm/OPS/tools.git over HTTPS, /OPS/tools.git over SSH); a project target may name its project.</summary>
    private static (string Project, string Slug)? Parts(KeyTarget target)
    {
        var segments = target.RepositoryPath.Split('/').Where(s => s.Length > 0).ToArray();
        if (target.Kind == KeyTargetKind.Project && !string.IsNullOrEmpty(target.Project))
            return (target.Project!, "");
        return segments.Length >= 2
            ? (segments[segments.Length - 2], segments[segments.Length - 1])
            : ((string, string)?)null;
    }

    private static string Keys(KeyTarget target)
    {
        if (target.Kind == KeyTargetKind.User)
            return "ssh/1.0/keys";
        var (project, slug) = Parts(target)!.Value;
        return "keys/1.0/projects/"
            + Escape(project)
            + (target.Kind == KeyTargetKind.Project ? "" : "/repos/" + Escape(slug))
            + "/ssh";
    }

    private static GitIntegrationException Refused(Refusal r)
    {
        var needs = r.Target.Kind switch
        {
            KeyTargetKind.User => "The token needs the account's write permission (a personal HTTP access "
                + "token with Write).",
            KeyTargetKind.Project => "The token needs Project admin permission on the project (a personal or "
                + "project HTTP access token with Project admin).",
            _ => "The token needs Repository admin permission on the repository (a personal, project or "
                + "repository HTTP access token with Repository admin).",
        };
        switch (r.Status)
        {
            // Data Center answers 401 both to a bad token and to a token without the permission.
            case 401 when r.SaidAny("permission", "not permitted", "insufficient"):
                return r.ScopeMissing(needs);
            case 401:
                return r.Unauthorized();
            case 403:
                return r.ScopeMissing(needs);
            case 404 when r.Target.Kind == KeyTargetKind.Project:
                return r.NotFound($"The project '{r.Target}' does not exist or the token cannot see it. {needs}");
            case 404 when r.Target.Kind == KeyTargetKind.Repository:
                return r.NotFound(needs);
            case 409:
                return r.InUse(
                    "Bitbucket Data Center already has this key as another user's key; a key is "
                        + "either one user's or an access key."
                );
            case 400 when r.SaidAny("already"):
                return r.InUse(
                    "Bitbucket Data Center already has this key as a user's key, so it cannot also "
                        + "be an access key."
                );
            case 400 when r.SaidAny("key"):
                return r.TypeRefused(
                    "it accepts RSA, ECDSA and Ed25519 keys of the lengths its administrator "
                        + "allows (DSA is refused by default)."
                );
            default:
                return r.Rejected();
        }
    }

    private sealed class Page
    {
        [JsonPropertyName("values")]
        public List<AccessKey>? Values { get; set; }

        [JsonPropertyName("isLastPage")]
        public bool? IsLastPage { get; set; }

        [JsonPropertyName("nextPageStart")]
        public int? NextPageStart { get; set; }
    }

    /// <summary>An access key (repository or project), or, in a user's list, the key itself.</summary>
    private sealed class AccessKey
    {
        [JsonPropertyName("key")]
        public SshKey? Key { get; set; }

        [JsonPropertyName("permission")]
        public string? Permission { get; set; }

        // A user's key list holds the keys themselves.
        [JsonPropertyName("id")]
        public int? Id { get; set; }

        [JsonPropertyName("text")]
        public string? Text { get; set; }

        [JsonPropertyName("label")]
        public string? Label { get; set; }

        public HostedKey ToHosted() =>
            Key != null
                ? Key.ToHosted(Permission)
                : new SshKey
                {
                    Id = Id,
                    Text = Text,
                    Label = Label,
                }.ToHosted(null);
    }

    private sealed class SshKey
    {
        [JsonPropertyName("id")]
        public int? Id { get; set; }

        [JsonPropertyName("text")]
        public string? Text { get; set; }

        [JsonPropertyName("label")]
        public string? Label { get; set; }

        public HostedKey ToHosted(string? permission) =>
            new HostedKey
            {
                Id = Id?.ToString(CultureInfo.InvariantCulture) ?? "",
                Key = Text ?? "",
                Title = Label,
                ReadOnly = permission == null ? (bool?)null : permission.EndsWith("_READ", StringComparison.Ordinal),
            };
    }
}
