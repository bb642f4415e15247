using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// Bitbucket Data Center (under /rest): a repository's access keys (keys/1.0/projects/{key}/repos/{slug}/ssh), a
/// project's (keys/1.0/projects/{key}/ssh) and the token's user's keys (ssh/1.0/keys), "latest" accepted for
/// "1.0". Atlassian documents schemas but no example bodies, so the answers are instances of the documented
/// schemas (Examples/bitbucket-dc-examples.json), and the requests are checked against their documented fields,
/// plus what an access key needs: key.text and a permission of the right kind (REPO_READ/REPO_WRITE,
/// PROJECT_READ/PROJECT_WRITE). As Data Center: Bearer tokens; errors as {"errors": [{message, exceptionName}]};
/// the limited token answers 401 (Data Center's status for a missing permission too); a key that is a user's cannot
/// become an access key (400), nor another user's (409, documented); lists are paged (start, limit, isLastPage,
/// nextPageStart); the rate-limit faults answer 429 with Retry-After.
/// </summary>
public sealed class BitbucketDataCenterMode : DocumentedMode
{
    private const string RepoKeys = "/keys/latest/projects/{projectKey}/repos/{repositorySlug}/ssh";
    private const string ProjectKeys = "/keys/latest/projects/{projectKey}/ssh";
    private const string UserKeys = "/ssh/latest/keys";
    private static readonly Regex KeysPath = new Regex(
        @"^/keys/(1\.0|latest)/projects/(?<project>[^/]+)(/repos/(?<slug>[^/]+))?/ssh(/(?<key>\d+))?$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UserPath = new Regex(
        @"^/ssh/(1\.0|latest)/keys(/(?<key>\d+))?$",
        RegexOptions.CultureInvariant
    );

    public BitbucketDataCenterMode(StandInHost host)
        : base(host, "bitbucket-dc-examples.json", "/rest/") { }

    public override async Task HandleAsync(HttpContext ctx, string path, string body)
    {
        var token = Bearer(ctx, "Bearer");
        if (token == null || !Host.IsFullToken(token) && token != StandInHost.LimitedToken)
        {
            await Error(
                ctx,
                401,
                "Authentication failed. Please check your credentials and try again.",
                "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"
            );
            return;
        }
        var keys = KeysPath.Match(path);
        var user = UserPath.Match(path);
        if (!keys.Success && !user.Success)
        {
            await Error(ctx, 404, "No resource matches the request.", null);
            return;
        }
        var project = keys.Success ? keys.Groups["project"].Value : null;
        var slug = keys.Success && keys.Groups["slug"].Success ? keys.Groups["slug"].Value : null;
        var scope =
            slug != null ? project + "/" + slug
            : project != null ? "project:" + project
            : "user";
        if (project != null && !ProjectExists(project))
        {
            await Error(
                ctx,
                404,
                $"Project {project} does not exist.",
                "com.atlassian.bitbucket.project.NoSuchProjectException"
            );
            return;
        }
        if (slug != null && !Host.RepositoryExists(project + "/" + slug))
        {
            await Error(
                ctx,
                404,
                $"Repository {project}/{slug} does not exist.",
                "com.atlassian.bitbucket.repository.NoSuchRepositoryException"
            );
            return;
        }
        if (await RateLimitedAsync(ctx, slug != null ? scope : project ?? "user", once => RateLimit(ctx, once)))
            return;
        if (token == StandInHost.LimitedToken)
        {
            Host.Refuse($"{ctx.Request.Method} {path}: the token lacks the admin permission");
            await Error(
                ctx,
                401,
                "You are not permitted to access this resource",
                "com.atlassian.bitbucket.AuthorisationException"
            );
            return;
        }
        var target = slug != null ? "repo:" + scope : scope;
        var operation =
            slug != null ? RepoKeys
            : project != null ? ProjectKeys
            : UserKeys;
        var key = (keys.Success ? keys : user).Groups["key"];
        switch (ctx.Request.Method)
        {
            case "GET" when !key.Success:
                await ListAsync(ctx, target, operation);
                return;
            case "POST" when !key.Success:
                await AddAsync(ctx, target, operation, body);
                return;
            case "DELETE" when key.Success:
                // Documented: 204 whether the key was there or not.
                Host.RemoveKey(target, long.Parse(key.Value, CultureInfo.InvariantCulture));
                await StandInHost.JsonAsync(ctx, 204, null);
                return;
            default:
                await Error(ctx, 405, "Method not allowed.", null);
                return;
        }
    }

    /// <summary>A project exists when a repository given at start (--repository PROJECT/slug) is in it.</summary>
    private bool ProjectExists(string project) =>
        Host.Options.Repositories.Any(r => r.StartsWith(project + "/", StringComparison.OrdinalIgnoreCase));

    private async Task ListAsync(HttpContext ctx, string target, string operation)
    {
        var limit = Number(ctx.Request.Query["limit"], 25, 1, 1000);
        var start = Number(ctx.Request.Query["start"], 0, 0, int.MaxValue);
        var (items, more) = Page(Host.KeysAt(target), start, limit);
        var page = Example("GET " + operation, "200");
        var template = (JsonObject)page["values"]![0]!;
        page["values"] = new JsonArray(items.Select(k => Render(template.DeepClone(), k, target)).ToArray());
        page["size"] = items.Count;
        page["limit"] = limit;
        page["start"] = start;
        page["isLastPage"] = !more;
        if (more)
            page["nextPageStart"] = start + items.Count;
        else
            page.AsObject().Remove("nextPageStart");
        await StandInHost.JsonAsync(ctx, 200, page);
    }

    private async Task AddAsync(HttpContext ctx, string target, string operation, string body)
    {
        if (CheckRequest(ctx, "POST " + operation, body, out var fields) is string why)
        {
            await Error(ctx, 400, why, "com.atlassian.bitbucket.validation.ArgumentValidationException");
            return;
        }
        var access = target != "user";
        var text = (access ? fields!["key"]?["text"] : fields!["text"])?.GetValue<string>();
        var label = (access ? fields["key"]?["label"] : fields["label"])?.GetValue<string>() ?? "";
        var permission = fields["permission"]?.GetValue<string>();
        var kind = target.StartsWith("project:", StringComparison.Ordinal) ? "PROJECT_" : "REPO_";
        if (text == null || access && permission != kind + "READ" && permission != kind + "WRITE")
        {
            var missing = text == null ? "the key's text" : $"a permission of {kind}READ or {kind}WRITE";
            Host.Refuse($"POST {operation}: {missing} missing");
            await Error(
                ctx,
                400,
                $"The request needs {missing}.",
                "com.atlassian.bitbucket.validation.ArgumentValidationException"
            );
            return;
        }
        if (KeyRefused(operation, text))
        {
            await Error(
                ctx,
                400,
                "The SSH key was not created because the key was not a valid RSA/DSA/ECDSA/"
                    + "Ed25519 key of a supported length.",
                "com.atlassian.bitbucket.ssh.InvalidSshKeyException"
            );
            return;
        }
        // An access key may serve many repositories and projects; a user's key is that user's only.
        var elsewhere = Host.FindKey(text);
        if (elsewhere != null && (elsewhere.Target == "user" || !access || elsewhere.Target == target))
        {
            Host.Refuse($"POST {operation}: key already used at {elsewhere.Target}");
            if (access)
                await Error(
                    ctx,
                    400,
                    "This SSH key is already in use as a personal key.",
                    "com.atlassian.bitbucket.ssh.DuplicateSshKeyException"
                );
            else
                await Error(
                    ctx,
                    409,
                    "The SSH key already exists on the system.",
                    "com.atlassian.bitbucket.ssh.DuplicateSshKeyException"
                );
            return;
        }
        var added = Host.AddKey(target, label, text, readOnly: permission?.EndsWith("_READ") ?? false);
        await StandInHost.JsonAsync(ctx, 201, Render(Example("POST " + operation, "201"), added, target));
    }

    private JsonNode Render(JsonNode template, StandInKey key, string target)
    {
        var repo = target.StartsWith("repo:", StringComparison.Ordinal) ? target.Substring(5).Split('/') : null;
        var project =
            repo?[0] ?? (target.StartsWith("project:", StringComparison.Ordinal) ? target.Substring(8) : null);
        var kind = repo != null ? "REPO_" : "PROJECT_";
        var fields = new (string, JsonNode?)[]
        {
            ("id", key.Id),
            ("text", key.Key),
            ("label", key.Title),
            ("createdDate", Time(key.Created)),
            ("fingerprint", key.Fingerprint.Substring("SHA256:".Length)),
            ("expiryDays", null),
        };
        if (target == "user")
            return Fill(template, fields);
        Fill(template["key"]!, fields);
        return Fill(
            template,
            ("permission", kind + (key.ReadOnly ? "READ" : "WRITE")),
            ("project.key", project),
            ("project.name", project),
            ("repository.slug", repo?[1]),
            ("repository.name", repo?[1]),
            ("repository.project.key", project)
        );
    }

    private static Task Error(HttpContext ctx, int status, string message, string? exception) =>
        StandInHost.JsonAsync(
            ctx,
            status,
            new JsonObject
            {
                ["errors"] = new JsonArray(
                    new JsonObject
                    {
                        ["context"] = null,
                        ["message"] = message,
                        ["exceptionName"] = exception,
                    }
                ),
            }
        );

    private static Task RateLimit(HttpContext ctx, bool once)
    {
        ctx.Response.Headers["Retry-After"] = once ? "1" : "3600";
        return Error(ctx, 429, "You have been rate limited.", null);
    }
}
