using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// GitLab (API v4 under /api/v4): a project's deploy keys (/projects/:id/deploy_keys, the id being the URL-encoded
/// path, %2F and all) and the token's user's keys (/user/keys), answered with the bodies of GitLab's API pages
/// (Examples/gitlab-examples.json) and checked against their attribute tables. As GitLab: the token comes as
/// PRIVATE-TOKEN or "Authorization: Bearer"; a key another project has is joined to this one, a user's key
/// cannot become a deploy key nor another user's (400 "has already been taken", GitLab's documented body); the
/// limited token lacks the api scope (403 insufficient_scope); lists are paged (per_page, page, Link, X-Next-Page);
/// the rate-limit faults answer 429 with Retry-After and the RateLimit-* headers.
/// </summary>
public sealed class GitLabMode : DocumentedMode
{
    private const string ProjectKeys = "/projects/:id/deploy_keys";
    private static readonly Regex ProjectPath = new Regex(
        @"^/projects/(?<id>[^/]+)/deploy_keys(/(?<key>[^/]+))?$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UserPath = new Regex(@"^/user/keys(/(?<key>[^/]+))?$", RegexOptions.CultureInvariant);

    public GitLabMode(StandInHost host)
        : base(host, "gitlab-examples.json", "/api/v4/") { }

    public override async Task HandleAsync(HttpContext ctx, string path, string body)
    {
        var header = ctx.Request.Headers["PRIVATE-TOKEN"].ToString();
        var token = header.Length > 0 ? header : Bearer(ctx, "Bearer");
        if (token == null || !Host.IsFullToken(token) && token != StandInHost.LimitedToken)
        {
            await StandInHost.JsonAsync(ctx, 401, new JsonObject { ["message"] = "401 Unauthorized" });
            return;
        }
        var project = ProjectPath.Match(path);
        var user = UserPath.Match(path);
        if (!project.Success && !user.Success)
        {
            await StandInHost.JsonAsync(ctx, 404, new JsonObject { ["error"] = "404 Not Found" });
            return;
        }
        var repo = project.Success ? Uri.UnescapeDataString(project.Groups["id"].Value) : null;
        if (repo != null && !Host.RepositoryExists(repo))
        {
            await StandInHost.JsonAsync(ctx, 404, new JsonObject { ["message"] = "404 Project Not Found" });
            return;
        }
        if (await RateLimitedAsync(ctx, repo ?? "user", once => RateLimit(ctx, once)))
            return;
        if (token == StandInHost.LimitedToken)
        {
            Host.Refuse($"{ctx.Request.Method} {path}: the token lacks the api scope");
            await StandInHost.JsonAsync(
                ctx,
                403,
                new JsonObject
                {
                    ["error"] = "insufficient_scope",
                    ["error_description"] = "The request requires higher privileges than provided by the access token.",
                    ["scope"] = "api",
                }
            );
            return;
        }
        var target = repo != null ? "repo:" + repo : "user";
        var operation = repo != null ? ProjectKeys : "/user/keys";
        var key = (project.Success ? project : user).Groups["key"];
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
                    await StandInHost.JsonAsync(ctx, 404, new JsonObject { ["message"] = "404 Not Found" });
                return;
            default:
                await StandInHost.JsonAsync(ctx, 405, new JsonObject { ["error"] = "405 Method Not Allowed" });
                return;
        }
    }

    private async Task ListAsync(HttpContext ctx, string target, string operation)
    {
        var perPage = Number(ctx.Request.Query["per_page"], 20, 1, 100);
        var page = Number(ctx.Request.Query["page"], 1, 1, int.MaxValue);
        var (items, more) = Page(Host.KeysAt(target), (page - 1) * perPage, perPage);
        var template = Item("GET " + operation, "200", n => n.AsArray());
        if (more)
        {
            var next =
                $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{ctx.Request.Path}"
                + $"?per_page={perPage}&page={page + 1}";
            ctx.Response.Headers["Link"] = $"<{next}>; rel=\"next\"";
            ctx.Response.Headers["X-Next-Page"] = (page + 1).ToString(CultureInfo.InvariantCulture);
        }
        var list = items.Select(k => Render(template.DeepClone(), k, target)).ToArray();
        await StandInHost.JsonAsync(ctx, 200, new JsonArray(list));
    }

    private async Task AddAsync(HttpContext ctx, string target, string operation, string body)
    {
        if (CheckRequest(ctx, "POST " + operation, body, out var fields) is string why)
        {
            await StandInHost.JsonAsync(ctx, 400, new JsonObject { ["error"] = why });
            return;
        }
        var line = fields!["key"]!.GetValue<string>();
        if (KeyRefused(operation, line))
        {
            await Invalid(ctx, "key", "type is forbidden. Must be RSA, ECDSA, or ED25519");
            return;
        }
        // A deploy key may serve many projects (GitLab joins it); a user's key is that user's only.
        var elsewhere = Host.FindKey(line);
        if (elsewhere != null && (elsewhere.Target == "user" || target == "user" || elsewhere.Target == target))
        {
            Host.Refuse($"POST {operation}: key already taken at {elsewhere.Target}");
            await StandInHost.JsonAsync(ctx, 400, Example("POST /user/keys", "400"));
            return;
        }
        var canPush = fields["can_push"]?.GetValue<bool>() ?? false;
        var added = Host.AddKey(target, fields["title"]!.GetValue<string>(), line, readOnly: !canPush);
        var template = Example("POST " + operation, "201");
        // The documented POST /user/keys body has no id; GitLab's GET example of the same key documents one.
        if (target == "user")
            template["id"] = 0;
        await StandInHost.JsonAsync(ctx, 201, Render(template, added, target));
    }

    private static JsonNode Render(JsonNode template, StandInKey key, string target) =>
        Fill(
            template,
            ("id", key.Id),
            ("title", key.Title),
            ("key", key.Key),
            ("created_at", Time(key.Created)),
            ("expires_at", null),
            ("fingerprint_sha256", key.Fingerprint),
            ("can_push", target == "user" ? null : (JsonNode)!key.ReadOnly)
        );

    /// <summary>GitLab's validation error: {"message": {"field": ["what"]}}.</summary>
    private static Task Invalid(HttpContext ctx, string field, string what) =>
        StandInHost.JsonAsync(
            ctx,
            400,
            new JsonObject { ["message"] = new JsonObject { [field] = new JsonArray(JsonValue.Create(what)) } }
        );

    private static Task RateLimit(HttpContext ctx, bool once)
    {
        var wait = once ? 1 : 3600;
        var reset = DateTimeOffset.UtcNow.AddSeconds(wait);
        var h = ctx.Response.Headers;
        h["RateLimit-Name"] = "throttle_authenticated_api";
        h["RateLimit-Limit"] = "60";
        h["RateLimit-Observed"] = "67";
        h["RateLimit-Remaining"] = "0";
        h["RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        h["RateLimit-ResetTime"] = reset.ToString("r", CultureInfo.InvariantCulture);
        h["Retry-After"] = wait.ToString(CultureInfo.InvariantCulture);
        ctx.Response.StatusCode = 429;
        ctx.Response.ContentType = "text/plain";
        return ctx.Response.WriteAsync("Retry later\n");
    }
}
