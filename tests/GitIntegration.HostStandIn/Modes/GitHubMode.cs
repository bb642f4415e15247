using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// GitHub (api.github.com's paths) or GitHub Enterprise Server (/api/v3): deploy keys
/// (/repos/{owner}/{repo}/keys) and the token's user's keys (/user/keys), answered with the examples of GitHub's
/// REST description (Examples/github-examples.json) and checked against its documented request fields
/// (Examples/github-requests.json). As GitHub: a User-Agent is required, the token comes as "Bearer" or "token",
/// a key serves one repository or one account only (422 "key is already in use"), lists are paged (per_page, page,
/// Link), the limited token lacks the administration permission (403 with X-Accepted-GitHub-Permissions), and
/// the rate-limit faults answer as GitHub's primary (403, x-ratelimit-*) and secondary (429, retry-after) limits.
/// </summary>
public sealed class GitHubMode : IStandInMode
{
    private const string Docs = "https://docs.github.com/rest/deploy-keys/deploy-keys";
    private static readonly JsonObject Examples = StandInHost.Examples("github-examples.json");
    private static readonly JsonObject RequestShapes = StandInHost.Examples("github-requests.json");
    private static readonly Regex RepoKeys = new Regex(
        @"^/repos/(?<repo>[^/]+/[^/]+)/keys(/(?<id>[^/]+))?$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UserKeys = new Regex(@"^/user/keys(/(?<id>[^/]+))?$", RegexOptions.CultureInvariant);

    private readonly StandInHost _host;

    public GitHubMode(StandInHost host, string apiPath)
    {
        _host = host;
        ApiPath = apiPath;
    }

    public string ApiPath { get; }

    public async Task HandleAsync(HttpContext ctx, string path, string body)
    {
        var request = ctx.Request;
        if (string.IsNullOrEmpty(request.Headers.UserAgent.ToString()))
        {
            await Error(
                ctx,
                403,
                "Request forbidden by administrative rules. Please make sure your request "
                    + "has a User-Agent header "
                    + "(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required)."
            );
            return;
        }
        var version = request.Headers["X-GitHub-Api-Version"].ToString();
        if (version.Length > 0 && version != "2022-11-28")
        {
            await Error(ctx, 400, $"API version {version} is not supported.");
            return;
        }
        var auth = request.Headers.Authorization.ToString();
        var token =
            auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth.Substring(7)
            : auth.StartsWith("token ", StringComparison.Ordinal) ? auth.Substring(6)
            : null;
        if (token == null)
        {
            await Error(ctx, 401, "Requires authentication");
            return;
        }
        if (!_host.IsFullToken(token) && token != StandInHost.LimitedToken)
        {
            await Error(ctx, 401, "Bad credentials");
            return;
        }

        var repoMatch = RepoKeys.Match(path);
        var userMatch = UserKeys.Match(path);
        if (!repoMatch.Success && !userMatch.Success)
        {
            await Error(ctx, 404, "Not Found");
            return;
        }
        var repo = repoMatch.Success ? repoMatch.Groups["repo"].Value : null;
        var target = repo != null ? "repo:" + repo : "user";
        var id = (repoMatch.Success ? repoMatch : userMatch).Groups["id"];
        if (repo != null && !_host.RepositoryExists(repo))
        {
            await Error(ctx, 404, "Not Found");
            return;
        }
        if (await RateLimitedAsync(ctx, repo ?? "user"))
            return;
        if (token == StandInHost.LimitedToken)
        {
            _host.Refuse($"{request.Method} {path}: the token lacks the permission");
            ctx.Response.Headers["X-Accepted-GitHub-Permissions"] =
                repo != null ? "administration=write" : "git_ssh_keys=write";
            await Error(ctx, 403, "Resource not accessible by personal access token");
            return;
        }
        var operation = repo != null ? "/repos/{owner}/{repo}/keys" : "/user/keys";
        switch (request.Method)
        {
            case "GET" when !id.Success:
                await ListAsync(ctx, target, operation);
                return;
            case "POST" when !id.Success:
                await AddAsync(ctx, target, operation, body, repo != null);
                return;
            case "DELETE" when id.Success:
                var removed =
                    long.TryParse(id.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    && _host.RemoveKey(target, n);
                if (removed)
                    await StandInHost.JsonAsync(ctx, 204, null);
                else
                    await Error(ctx, 404, "Not Found");
                return;
            default:
                await Error(ctx, 404, "Not Found");
                return;
        }
    }

    private async Task ListAsync(HttpContext ctx, string target, string operation)
    {
        var perPage = Number(ctx.Request.Query["per_page"], 30, 1, 100);
        var page = Number(ctx.Request.Query["page"], 1, 1, int.MaxValue);
        var keys = _host.KeysAt(target);
        var template = (JsonObject)Examples["GET " + operation]!["200"]![0]!;
        var items = keys.Skip((page - 1) * perPage).Take(perPage).Select(k => (JsonNode)Render(template, k, target));
        var last = Math.Max(1, (keys.Count + perPage - 1) / perPage);
        if (page < last)
        {
            var self = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.Path}?per_page={perPage}";
            ctx.Response.Headers["Link"] =
                $"<{self}&page={page + 1}>; rel=\"next\", <{self}&page={last}>; rel=\"last\"";
        }
        await StandInHost.JsonAsync(ctx, 200, new JsonArray(items.ToArray()));
    }

    private async Task AddAsync(HttpContext ctx, string target, string operation, string body, bool deployKey)
    {
        if (!ctx.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) ?? true)
        {
            _host.Refuse($"POST {operation}: Content-Type is '{ctx.Request.ContentType}', not application/json");
            await Error(ctx, 415, "Unsupported 'Content-Type' header.");
            return;
        }
        var why = StandInHost.CheckBody(body, RequestShapes["POST " + operation]!.AsObject(), out var fields);
        if (why != null)
        {
            _host.Refuse($"POST {operation}: {why}");
            await Error(ctx, 422, "Invalid request.\n\n" + why);
            return;
        }
        var line = fields!["key"]!.GetValue<string>();
        var type = line.Trim().Split(' ')[0];
        if (!StandInHost.IsPublicKeyLine(line) || _host.Behaviour.RefusedKeyTypes.Contains(type))
        {
            _host.Refuse($"POST {operation}: key type {type} refused");
            await Invalid(ctx, "key is invalid. You must supply a key in OpenSSH public key format");
            return;
        }
        if (_host.FindKey(line) is StandInKey there)
        {
            _host.Refuse($"POST {operation}: key already in use at {there.Target}");
            await Invalid(ctx, "key is already in use");
            return;
        }
        var title = fields["title"]?.GetValue<string>() ?? "";
        var readOnly = deployKey && (fields["read_only"]?.GetValue<bool>() ?? false);
        var key = _host.AddKey(target, title, line, readOnly);
        var template = (JsonObject)Examples["POST " + operation]!["201"]!;
        await StandInHost.JsonAsync(ctx, 201, Render(template, key, target));
    }

    /// <summary>The documented example with this key's fields; fields the example lacks are not added.</summary>
    private JsonObject Render(JsonObject template, StandInKey key, string target)
    {
        var o = (JsonObject)template.DeepClone();
        var path = target == "user" ? "user/keys/" : $"repos/{target.Substring(5)}/keys/";
        void Set(string name, JsonNode? value)
        {
            if (o.ContainsKey(name))
                o[name] = value;
        }
        Set("id", key.Id);
        Set("key", key.Key);
        Set("title", key.Title);
        Set("read_only", key.ReadOnly);
        Set("url", new Uri(_host.ApiUrl, path + key.Id.ToString(CultureInfo.InvariantCulture)).ToString());
        Set("created_at", key.Created.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        Set("last_used", null);
        Set("added_by", "standin-admin");
        return o;
    }

    private async Task<bool> RateLimitedAsync(HttpContext ctx, string repository)
    {
        var headers = ctx.Response.Headers;
        if (_host.TakeRateLimitOnce(repository))
        {
            headers["retry-after"] = "1";
            await Error(
                ctx,
                429,
                "You have exceeded a secondary rate limit. Please wait a few minutes " + "before you try again."
            );
            return true;
        }
        if (!_host.IsRateLimited(repository))
            return false;
        headers["x-ratelimit-limit"] = "5000";
        headers["x-ratelimit-remaining"] = "0";
        headers["x-ratelimit-used"] = "5000";
        headers["x-ratelimit-reset"] = DateTimeOffset
            .UtcNow.AddHours(1)
            .ToUnixTimeSeconds()
            .ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-resource"] = "core";
        await Error(ctx, 403, "API rate limit exceeded for user ID 1.");
        return true;
    }

    private static int Number(string? text, int fallback, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, min, max)
            : fallback;

    /// <summary>GitHub's basic-error shape.</summary>
    private static Task Error(HttpContext ctx, int status, string message) =>
        StandInHost.JsonAsync(
            ctx,
            status,
            new JsonObject
            {
                ["message"] = message,
                ["documentation_url"] = Docs,
                ["status"] = status.ToString(CultureInfo.InvariantCulture),
            }
        );

    /// <summary>GitHub's 422 Validation Failed, with the key field's error.</summary>
    private static Task Invalid(HttpContext ctx, string message) =>
        StandInHost.JsonAsync(
            ctx,
            422,
            new JsonObject
            {
                ["message"] = "Validation Failed",
                ["errors"] = new JsonArray(
                    new JsonObject
                    {
                        ["resource"] = "PublicKey",
                        ["code"] = "custom",
                        ["field"] = "key",
                        ["message"] = message,
                    }
                ),
                ["documentation_url"] = Docs,
                ["status"] = "422",
            }
        );
}
