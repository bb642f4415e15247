using System;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// Bitbucket Cloud (api.bitbucket.org/2.0's paths, under /2.0): a repository's access keys
/// (/repositories/{workspace}/{repo_slug}/deploy-keys) and a user's SSH keys (/users/{selected_user}/ssh-keys,
/// the user found with GET /user), answered with the examples of Atlassian's OpenAPI description
/// (Examples/bitbucket-cloud-examples.json) and checked against its documented request fields. As Bitbucket: the
/// token comes as Bearer, or as Basic with the user name "standin-user" (an app password); errors have the
/// documented "error" shape; a user's key cannot be an access key nor another account's; the limited token lacks
/// repository:admin / account:write (403); lists are paged (pagelen, page, next); the rate-limit faults answer
/// 429 "Rate limit for this resource has been exceeded", without Retry-After (Bitbucket documents none).
/// </summary>
public sealed class BitbucketCloudMode : DocumentedMode
{
    public const string UserName = "standin-user";
    public const string UserUuid = "{00000000-0000-4000-8000-000000000001}";
    private const string RepoKeys = "/repositories/{workspace}/{repo_slug}/deploy-keys";
    private const string UserKeys = "/users/{selected_user}/ssh-keys";
    private static readonly Regex RepoPath = new Regex(
        @"^/repositories/(?<repo>[^/]+/[^/]+)/deploy-keys(/(?<key>[^/]+))?$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UserPath = new Regex(
        @"^/users/(?<user>[^/]+)/ssh-keys(/(?<key>[^/]+))?$",
        RegexOptions.CultureInvariant
    );

    public BitbucketCloudMode(StandInHost host)
        : base(host, "bitbucket-cloud-examples.json", "/2.0/") { }

    public override async Task HandleAsync(HttpContext ctx, string path, string body)
    {
        var token = Bearer(ctx, "Bearer") ?? Basic(ctx);
        if (token == null || !Host.IsFullToken(token) && token != StandInHost.LimitedToken)
        {
            await Error(ctx, 401, "Invalid credentials");
            return;
        }
        if (path == "/user" && ctx.Request.Method == "GET")
        {
            await StandInHost.JsonAsync(
                ctx,
                200,
                Fill(
                    Example("GET /user", "200"),
                    ("uuid", UserUuid),
                    ("type", "user"),
                    ("display_name", "Stand-in User")
                )
            );
            return;
        }
        var repoMatch = RepoPath.Match(path);
        var userMatch = UserPath.Match(path);
        if (!repoMatch.Success && !userMatch.Success)
        {
            await Error(ctx, 404, "Resource not found");
            return;
        }
        var repo = repoMatch.Success ? repoMatch.Groups["repo"].Value : null;
        if (repo != null && !Host.RepositoryExists(repo))
        {
            await Error(ctx, 404, $"Repository {repo} not found");
            return;
        }
        if (userMatch.Success && userMatch.Groups["user"].Value != UserUuid)
        {
            await Error(ctx, 404, $"User {userMatch.Groups["user"].Value} not found");
            return;
        }
        if (await RateLimitedAsync(ctx, repo ?? "user", _ => RateLimit(ctx)))
            return;
        if (token == StandInHost.LimitedToken)
        {
            Host.Refuse($"{ctx.Request.Method} {path}: the token lacks the scope");
            await StandInHost.JsonAsync(
                ctx,
                403,
                new JsonObject
                {
                    ["type"] = "error",
                    ["error"] = new JsonObject
                    {
                        ["message"] = "Your credentials lack one or more required privilege scopes.",
                        ["detail"] = new JsonObject
                        {
                            ["granted"] = new JsonArray(JsonValue.Create(repo != null ? "repository" : "account")),
                            ["required"] = new JsonArray(
                                JsonValue.Create(repo != null ? "repository:admin" : "account:write")
                            ),
                        },
                    },
                }
            );
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
                var id = repo != null ? Parse(key.Value) : FromUuid(Uri.UnescapeDataString(key.Value));
                if (id is long n && Host.RemoveKey(target, n))
                    await StandInHost.JsonAsync(ctx, 204, null);
                else
                    await Error(ctx, 404, "Key not found");
                return;
            default:
                await Error(ctx, 405, "Method not allowed");
                return;
        }
    }

    private async Task ListAsync(HttpContext ctx, string target, string operation)
    {
        var pagelen = Number(ctx.Request.Query["pagelen"], 10, 1, 100);
        var page = Number(ctx.Request.Query["page"], 1, 1, int.MaxValue);
        var all = Host.KeysAt(target);
        var (items, more) = Page(all, (page - 1) * pagelen, pagelen);
        var list = Example("GET " + operation, "200");
        var template = (JsonObject)list["values"]![0]!;
        list["values"] = new JsonArray(items.Select(k => Render(template.DeepClone(), k, target)).ToArray());
        list["pagelen"] = pagelen;
        list["page"] = page;
        list["size"] = all.Count;
        if (more)
            list["next"] =
                $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{ctx.Request.Path}"
                + $"?pagelen={pagelen}&page={page + 1}";
        await StandInHost.JsonAsync(ctx, 200, list);
    }

    private async Task AddAsync(HttpContext ctx, string target, string operation, string body)
    {
        if (CheckRequest(ctx, "POST " + operation, body, out var fields) is string why)
        {
            await Error(ctx, 400, why);
            return;
        }
        var line = fields!["key"]?.GetValue<string>() ?? "";
        if (KeyRefused(operation, line))
        {
            await Error(ctx, 400, "The key is not a valid SSH public key of a supported type.");
            return;
        }
        // An access key may serve many repositories; a user's key is that account's only.
        var elsewhere = Host.FindKey(line);
        if (elsewhere != null && (elsewhere.Target == "user" || target == "user" || elsewhere.Target == target))
        {
            Host.Refuse($"POST {operation}: key already used at {elsewhere.Target}");
            await Error(ctx, 400, "This SSH key is already in use, on this repository or by an account.");
            return;
        }
        var label = fields["label"]?.GetValue<string>() ?? "";
        var added = Host.AddKey(target, label, line, readOnly: target != "user");
        var status = target == "user" ? "201" : "200";
        var template = Example("POST " + operation, status);
        await StandInHost.JsonAsync(
            ctx,
            int.Parse(status, CultureInfo.InvariantCulture),
            Render(template, added, target)
        );
    }

    private JsonNode Render(JsonNode template, StandInKey key, string target)
    {
        var repo = target.StartsWith("repo:", StringComparison.Ordinal) ? target.Substring(5) : null;
        var self =
            repo != null
                ? new Uri(Host.ApiUrl, $"repositories/{repo}/deploy-keys/{key.Id}").ToString()
                : new Uri(Host.ApiUrl, $"users/{UserUuid}/ssh-keys/{Uuid(key.Id)}").ToString();
        return Fill(
            template,
            ("id", key.Id),
            ("uuid", Uuid(key.Id)),
            ("key", key.Key),
            ("label", key.Title),
            ("comment", ""),
            ("created_on", Time(key.Created)),
            ("last_used", null),
            ("fingerprint", key.Fingerprint.Substring("SHA256:".Length)),
            ("links.self.href", self),
            ("repository.full_name", repo),
            ("repository.name", repo?.Split('/')[1]),
            ("owner.uuid", UserUuid),
            ("owner.display_name", "Stand-in User")
        );
    }

    private static string Uuid(long id) =>
        "{00000000-0000-4000-8000-" + id.ToString("D12", CultureInfo.InvariantCulture) + "}";

    private static long? FromUuid(string text)
    {
        var m = Regex.Match(text, @"^\{?00000000-0000-4000-8000-(\d{12})\}?$", RegexOptions.CultureInvariant);
        return m.Success ? Parse(m.Groups[1].Value) : null;
    }

    private static long? Parse(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The app password of "Basic standin-user:PASSWORD"; any other user name is refused.</summary>
    private static string? Basic(HttpContext ctx)
    {
        var encoded = Bearer(ctx, "Basic");
        if (encoded == null)
            return null;
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)).Split(':', 2);
            return pair.Length == 2 && pair[0] == UserName ? pair[1] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Bitbucket's documented error shape.</summary>
    private static Task Error(HttpContext ctx, int status, string message) =>
        StandInHost.JsonAsync(
            ctx,
            status,
            new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["message"] = message },
            }
        );

    private static Task RateLimit(HttpContext ctx)
    {
        ctx.Response.Headers["X-RateLimit-Limit"] = "1000";
        ctx.Response.Headers["X-RateLimit-Resource"] = "api";
        ctx.Response.Headers["X-RateLimit-NearLimit"] = "true";
        return Error(ctx, 429, "Rate limit for this resource has been exceeded");
    }
}
