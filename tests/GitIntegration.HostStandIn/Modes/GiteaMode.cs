using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// Gitea and Forgejo (API v1 under /api/v1): a repository's deploy keys (/repos/{owner}/{repo}/keys, read_only)
/// and the token's user's keys (/user/keys). Gitea's swagger documents schemas but no example bodies, so the
/// answers are instances of DeployKey and PublicKey (Examples/gitea-examples.json), and requests are checked
/// against CreateKeyOption. As Gitea: "Authorization: token" (or Bearer); errors as {"message", "url"}; the
/// refusals of its HandleAddKeyError (422 "This key has already been added to this repository", "Key content
/// has been used as non-deploy key") and HandleCheckKeyStringError (422 "Invalid key content: ..."); the limited
/// token lacks the write:repository / write:user scope (403); lists are paged (page, limit, Link,
/// X-Total-Count). Gitea documents no API rate limit, so the rate-limit faults are not played.
/// </summary>
public sealed class GiteaMode : DocumentedMode
{
    private const string RepoKeys = "/repos/{owner}/{repo}/keys";
    private const string UserKeys = "/user/keys";
    private static readonly Regex RepoPath = new Regex(
        @"^/repos/(?<repo>[^/]+/[^/]+)/keys(/(?<key>[^/]+))?$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UserPath = new Regex(@"^/user/keys(/(?<key>[^/]+))?$", RegexOptions.CultureInvariant);

    public GiteaMode(StandInHost host)
        : base(host, "gitea-examples.json", "/api/v1/") { }

    public override async Task HandleAsync(HttpContext ctx, string path, string body)
    {
        var token = Bearer(ctx, "token", "Bearer");
        if (token == null || !Host.IsFullToken(token) && token != StandInHost.LimitedToken)
        {
            await Error(ctx, 401, token == null ? "token is required" : "invalid token");
            return;
        }
        var repoMatch = RepoPath.Match(path);
        var userMatch = UserPath.Match(path);
        if (!repoMatch.Success && !userMatch.Success)
        {
            await Error(ctx, 404, "The target couldn't be found.");
            return;
        }
        var repo = repoMatch.Success ? repoMatch.Groups["repo"].Value : null;
        if (repo != null && !Host.RepositoryExists(repo))
        {
            await Error(ctx, 404, "The target couldn't be found.");
            return;
        }
        var write = ctx.Request.Method != "GET";
        if (token == StandInHost.LimitedToken)
        {
            var scope = (write ? "write:" : "read:") + (repo != null ? "repository" : "user");
            Host.Refuse($"{ctx.Request.Method} {path}: the token lacks {scope}");
            await Error(ctx, 403, $"token does not have at least one of required scope(s): [{scope}]");
            return;
        }
        var target = repo != null ? "repo:" + repo : "user";
        var operation = repo != null ? RepoKeys : UserKeys;
        var key = (repoMatch.Success ? repoMatch : userMatch).Groups["key"];
        switch (ctx.Request.Method)
        {
            case "GET" when !key.Success:
                await ListAsync(ctx, target, operation);
                return;
            case "POST" when !key.Success:
                await AddAsync(ctx, target, operation, body);
                return;
            case "DELETE" when key.Success:
                var removed =
                    long.TryParse(key.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    && Host.RemoveKey(target, n);
                if (removed)
                    await StandInHost.JsonAsync(ctx, 204, null);
                else
                    await Error(ctx, 404, "The target couldn't be found.");
                return;
            default:
                await Error(ctx, 405, "Method Not Allowed");
                return;
        }
    }

    private async Task ListAsync(HttpContext ctx, string target, string operation)
    {
        var limit = Number(ctx.Request.Query["limit"], 30, 1, 50);
        var page = Number(ctx.Request.Query["page"], 1, 1, int.MaxValue);
        var all = Host.KeysAt(target);
        var (items, more) = Page(all, (page - 1) * limit, limit);
        var template = Item("GET " + operation, "200", n => n.AsArray());
        ctx.Response.Headers["X-Total-Count"] = all.Count.ToString(CultureInfo.InvariantCulture);
        if (more)
        {
            var next =
                $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{ctx.Request.Path}"
                + $"?limit={limit}&page={page + 1}";
            ctx.Response.Headers["Link"] = $"<{next}>; rel=\"next\"";
        }
        var list = items.Select(k => Render(template.DeepClone(), k, target)).ToArray();
        await StandInHost.JsonAsync(ctx, 200, new JsonArray(list));
    }

    private async Task AddAsync(HttpContext ctx, string target, string operation, string body)
    {
        if (CheckRequest(ctx, "POST " + operation, body, out var fields) is string why)
        {
            await Error(ctx, 422, why);
            return;
        }
        var line = fields!["key"]!.GetValue<string>();
        if (KeyRefused(operation, line))
        {
            await Error(ctx, 422, $"Invalid key content: key type {line.Trim().Split(' ')[0]} is not allowed");
            return;
        }
        // A deploy key may serve many repositories; a user's key is that user's only.
        var elsewhere = Host.FindKey(line);
        if (elsewhere != null && (elsewhere.Target == "user" || target == "user" || elsewhere.Target == target))
        {
            Host.Refuse($"POST {operation}: key already used at {elsewhere.Target}");
            await Error(
                ctx,
                422,
                elsewhere.Target == target && target != "user"
                    ? "This key has already been added to this repository"
                    : "Key content has been used as non-deploy key"
            );
            return;
        }
        var readOnly = target != "user" && (fields["read_only"]?.GetValue<bool>() ?? false);
        var added = Host.AddKey(target, fields["title"]!.GetValue<string>(), line, readOnly);
        await StandInHost.JsonAsync(ctx, 201, Render(Example("POST " + operation, "201"), added, target));
    }

    private JsonNode Render(JsonNode template, StandInKey key, string target)
    {
        var path = target == "user" ? "user/keys/" : $"repos/{target.Substring(5)}/keys/";
        return Fill(
            template,
            ("id", key.Id),
            ("key_id", key.Id),
            ("key", key.Key),
            ("title", key.Title),
            ("fingerprint", key.Fingerprint),
            ("read_only", key.ReadOnly),
            ("created_at", Time(key.Created)),
            ("url", new Uri(Host.ApiUrl, path + key.Id.ToString(CultureInfo.InvariantCulture)).ToString()),
            ("key_type", "user"),
            ("repository.full_name", target == "user" ? null : target.Substring(5))
        );
    }

    /// <summary>Gitea's APIError: {"message", "url"}.</summary>
    private Task Error(HttpContext ctx, int status, string message) =>
        StandInHost.JsonAsync(
            ctx,
            status,
            new JsonObject { ["message"] = message, ["url"] = new Uri(Host.ApiUrl, "../swagger").ToString() }
        );
}
