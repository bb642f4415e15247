using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// Bitbucket Cloud (API 2.0): a repository's access keys (/repositories/{workspace}/{repo_slug}/deploy-keys, always
/// read-only) and the token's user's SSH keys (/users/{uuid}/ssh-keys). An access token goes as Bearer; an app
/// password or API token with the account's user name (-Credential) as Basic. Docs:
/// https://developer.atlassian.com/cloud/bitbucket/rest/api-group-deployments/ and api-group-ssh/.
/// </summary>
public sealed class BitbucketCloudKeyHost : RestKeyHost
{
    private string? _userUuid;

    public BitbucketCloudKeyHost(HostConnection connection, HttpMessageHandler? handler = null)
        : base(
            "Bitbucket Cloud",
            connection,
            (request, token) =>
            {
                request.Headers.Authorization = connection.UserName is string user
                    ? new AuthenticationHeaderValue(
                        "Basic",
                        Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + token))
                    )
                    : new AuthenticationHeaderValue("Bearer", token);
                return Task.CompletedTask;
            },
            handler
        ) { }

    public override void Check(KeyTarget target)
    {
        if (target.Kind == KeyTargetKind.Project)
            throw target.NotSupported(
                "Project keys are Bitbucket Data Center's; on Bitbucket Cloud publish the key to the repository "
                    + $"'{target.RepositoryPath}' (an access key) or to the token's user."
            );
        if (target.Kind == KeyTargetKind.Repository && target.RepositoryPath.Split('/').Length != 2)
            throw target.NotSupported(
                $"'{target.Url}' does not name a Bitbucket Cloud repository as WORKSPACE/REPOSITORY. Use the "
                    + "clone URL Bitbucket shows, e.g. git@bitbucket.org:acme/app.git."
            );
    }

    public override async Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel)
    {
        var keys = await KeysAsync(target, cancel).ConfigureAwait(false);
        var all = new List<HostedKey>();
        for (var page = 1; page <= MaxPages; page++)
        {
            var path = keys + "?pagelen=100&page=" + page.ToString(CultureInfo.InvariantCulture);
            var answer = await CallAsync(HttpMethod.Get, path, null, target, "list the keys of", Refused, cancel)
                .ConfigureAwait(false);
            var list = Api.Json<Page>(answer, "the list of keys");
            all.AddRange((list.Values ?? new List<BitbucketKey>()).Select(k => k.ToHosted(target)));
            if (list.Next == null)
                break;
        }
        return all;
    }

    public override async Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel)
    {
        if (target.Kind == KeyTargetKind.Repository && !key.ReadOnly)
            throw target.NotSupported(
                $"Bitbucket Cloud's access keys are read-only, so '{target.RepositoryPath}' cannot get a key "
                    + "that pushes. Publish it without -AllowWrite, or as a user key (-UserKey) of an account that "
                    + "may push."
            );
        var path = await KeysAsync(target, cancel).ConfigureAwait(false);
        var answer = await CallAsync(
                HttpMethod.Post,
                path,
                new { key = key.PublicKey, label = key.Title },
                target,
                "add a key to",
                Refused,
                cancel
            )
            .ConfigureAwait(false);
        return Api.Json<BitbucketKey>(answer, "the new key").ToHosted(target);
    }

    public override async Task RemoveAsync(KeyTarget target, string id, CancellationToken cancel)
    {
        var path = await KeysAsync(target, cancel).ConfigureAwait(false);
        await CallAsync(
                HttpMethod.Delete,
                path + "/" + Id(id, target, uuid: true),
                null,
                target,
                "remove a key from",
                Refused,
                cancel
            )
            .ConfigureAwait(false);
    }

    private async Task<string> KeysAsync(KeyTarget target, CancellationToken cancel)
    {
        if (target.Kind == KeyTargetKind.Repository)
            return "repositories/" + string.Join("/", target.RepositoryPath.Split('/').Select(Escape)) + "/deploy-keys";
        if (_userUuid == null)
        {
            var answer = await CallAsync(HttpMethod.Get, "user", null, target, "read the account of", Refused, cancel)
                .ConfigureAwait(false);
            _userUuid =
                Api.Json<Account>(answer, "the token's account").Uuid
                ?? throw new GitIntegrationException(
                    HostErrorIds.UnexpectedResponse,
                    ErrorKind.InvalidData,
                    "Bitbucket Cloud did not say which account the token belongs to. Check the API address."
                );
        }
        return "users/" + Escape(_userUuid) + "/ssh-keys";
    }

    private static GitIntegrationException Refused(Refusal r)
    {
        var user = r.Target.Kind == KeyTargetKind.User;
        var needs = user
            ? "The token needs the 'account:write' scope (an app password: Account write)."
            : "The token needs the 'repository:admin' scope (an app password: Repositories admin), and its "
                + "account must be an admin of the repository.";
        switch (r.Status)
        {
            case 401:
                return r.Unauthorized();
            case 403:
                return r.ScopeMissing(needs);
            case 404 when !user:
                return r.NotFound(needs);
            case 400 when r.SaidAny("already"):
                return r.InUse(
                    "Bitbucket Cloud already has this key, on this repository, another account or "
                        + "as another kind of key; it takes an SSH key once per account."
                );
            case 400 when r.SaidAny("key"):
                return r.TypeRefused("it accepts Ed25519, ECDSA and RSA keys (RSA of 2048 bits or more; no DSA).");
            default:
                return r.Rejected();
        }
    }

    private sealed class Page
    {
        [JsonPropertyName("values")]
        public List<BitbucketKey>? Values { get; set; }

        [JsonPropertyName("next")]
        public string? Next { get; set; }
    }

    private sealed class Account
    {
        [JsonPropertyName("uuid")]
        public string? Uuid { get; set; }
    }

    private sealed class BitbucketKey
    {
        [JsonPropertyName("id")]
        public long? Id { get; set; }

        [JsonPropertyName("uuid")]
        public string? Uuid { get; set; }

        [JsonPropertyName("key")]
        public string? Key { get; set; }

        [JsonPropertyName("label")]
        public string? Label { get; set; }

        public HostedKey ToHosted(KeyTarget target) =>
            new HostedKey
            {
                Id = Uuid ?? Id?.ToString(CultureInfo.InvariantCulture) ?? "",
                Key = Key ?? "",
                Title = Label,
                ReadOnly = target.Kind == KeyTargetKind.Repository ? true : (bool?)null,
            };
    }
}
