using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitIntegration.Core.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// GitHub on 127.0.0.1, as strict as its documentation, in one of two modes. <see cref="Mode.Enterprise"/>: a GitHub
/// Enterprise Server (web at /, REST at /api/v3) whose JWT issuer must be the app id ("iss: the application ID of your
/// GitHub App", GHES 3.13 and before; <see cref="EnterpriseAcceptsClientId"/> plays the later releases, which also take
/// the client id). <see cref="Mode.GitHubCom"/>: github.com, the web pages on one port and api.github.com's paths (no
/// /api/v3) on another, issuer the client id or the app id. Answers with GitHub's documented example bodies
/// (Fixtures/github-examples.json), validates every JWT with Microsoft's validator against the app's public keys (not
/// our code), validates app manifests (url required, name at most 34 characters and unique), paginates with Link
/// headers, and can be told to misbehave: primary rate limits (403 or 429 with x-ratelimit-remaining 0), secondary
/// ones (403 or 429 with retry-after; a 429 with neither), 5xx, slowness, dropped connections, "installation not found
/// yet".
/// </summary>
public sealed class GitHubStandIn : IAsyncDisposable
{
    public enum Mode
    {
        Enterprise,
        GitHubCom,
    }

    public enum FaultKind
    {
        RateLimited,
        SecondaryRateLimit,
        BareRateLimit,
        ServerError,
        Slow,
        Drop,

        /// <summary>Answers with <see cref="Fault.Status"/> and <see cref="Fault.Body"/> (JSON) instead.</summary>
        Answer,
    }

    /// <summary>
    /// A misbehaviour for the next API request; <paramref name="Status"/> is the rate limits' 403 or 429, the
    /// ServerError's 5xx (502 unless a 5xx is given), or the status of an Answer with <paramref name="Body"/>.
    /// </summary>
    public sealed record Fault(FaultKind Kind, TimeSpan Value = default, int Status = 403, string Body = "");

    public sealed class App
    {
        public long Id;
        public string ClientId = "";
        public string Slug = "";
        public string Name = "";
        public string Organization = "";

        /// <summary>Organization, or User for an app created on a user's own settings page.</summary>
        public string OwnerType = "Organization";
        public List<RSA> Keys = new();
        public string Pem = "";
        public string? WebhookSecret;
        public bool Deleted;
        public long? InstallationId;
        public bool Suspended;
        public int NotFoundPolls;
        public List<string> Repositories = new();

        /// <summary>The installation's permissions, when a test sets them (else the documented example's).</summary>
        public Dictionary<string, string>? Permissions;
        public string? Manifest;
    }

    private static readonly JsonObject Examples = (JsonObject)
        JsonNode.Parse(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GitHub", "Fixtures", "github-examples.json"))
        )!;
    private readonly WebApplication _web;
    private long _nextId = 100;
    private readonly ConcurrentDictionary<string, (App App, string State, string Redirect)> _codes = new();
    private readonly ConcurrentDictionary<string, (App App, DateTimeOffset Expires)> _tokens = new();

    public ConcurrentDictionary<long, App> Apps { get; } = new();
    public ConcurrentQueue<Fault> Faults { get; } = new();

    /// <summary>Every API request: method, path, User-Agent, X-GitHub-Api-Version.</summary>
    public ConcurrentQueue<(string Method, string Path, string? UserAgent, string? ApiVersion)> Requests { get; } =
        new();

    /// <summary>The Accept header of every API request, in the order of <see cref="Requests"/>.</summary>
    public ConcurrentQueue<string> AcceptHeaders { get; } = new();

    /// <summary>
    /// The Content-Type of every API request ("" without a body), in the order of <see cref="Requests"/>.
    /// </summary>
    public ConcurrentQueue<string> ContentTypes { get; } = new();

    /// <summary>The expires_at of the last installation token issued (GitHub gives it to the second).</summary>
    public DateTimeOffset LastTokenExpiresAt;

    /// <summary>Why each rejected JWT was rejected (GitHub's messages).</summary>
    public ConcurrentQueue<string> JwtRejections { get; } = new();

    /// <summary>Why each manifest was refused (the errors GitHub's "new app" page shows).</summary>
    public ConcurrentQueue<string> ManifestRejections { get; } = new();

    /// <summary>Enterprise mode only: play a release that takes the client id as the issuer too.</summary>
    public bool EnterpriseAcceptsClientId { get; set; }
    public int TokensIssued;
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Who the browser is signed in as: the owner of apps created on the personal "new app" page.</summary>
    public string SignedInUser { get; set; } = "octocat";

    /// <summary>The last JWT accepted (for the independent node check).</summary>
    public string? LastJwt;

    private GitHubStandIn(WebApplication web, Mode mode)
    {
        _web = web;
        Kind = mode;
    }

    public Mode Kind { get; }

    /// <summary>The web pages (github.com, or the Enterprise Server's address).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>
    /// The REST root: BaseUrl + api/v3/ on Enterprise, a port of its own (api.github.com) on github.com.
    /// </summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>
    /// The host as the module resolves it: from the address on Enterprise, the github.com seam otherwise.
    /// </summary>
    public GitHubHost Host =>
        Kind == Mode.Enterprise ? GitHubHost.FromHostUrl(BaseUrl.ToString()) : GitHubHost.StandIn(BaseUrl, ApiUrl);

    /// <summary>The path a REST call arrives at, as <see cref="Requests"/> records it.</summary>
    public string ApiPath(string path) => ApiUrl.AbsolutePath + path.TrimStart('/');

    /// <summary>
    /// Starts on a free port (github.com mode: the API on a second one); with <paramref name="https"/>, the first
    /// over HTTPS (as an Enterprise Server with an internal CA).
    /// </summary>
    public static async Task<GitHubStandIn> StartAsync(
        Mode mode = Mode.Enterprise,
        Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions? https = null
    )
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(
                IPAddress.Loopback,
                0,
                l =>
                {
                    if (https != null)
                        l.UseHttps(https);
                }
            );
            if (mode == Mode.GitHubCom)
                o.Listen(IPAddress.Loopback, 0);
        });
        var web = builder.Build();
        var s = new GitHubStandIn(web, mode);
        s.Map(web);
        await web.StartAsync();
        var addresses = web
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.Select(a => new Uri(a.EndsWith('/') ? a : a + "/"))
            .ToList();
        s.BaseUrl = addresses[0];
        s.ApiUrl = mode == Mode.Enterprise ? new Uri(s.BaseUrl, "api/v3/") : addresses[1];
        return s;
    }

    /// <summary>
    /// Whether a request came to the REST API; on github.com its path is routed as /api/v3/... inside.
    /// </summary>
    private bool IsApi(HttpContext ctx)
    {
        if (Kind == Mode.Enterprise)
            return ctx.Request.Path.StartsWithSegments("/api/v3");
        if (ctx.Connection.LocalPort != ApiUrl.Port)
            return false;
        ctx.Request.Path = "/api/v3" + ctx.Request.Path;
        return true;
    }

    /// <summary>An app that exists on the stand-in, with a fresh RSA key; returns it and its PEM.</summary>
    /// <summary>Whether GitHub issued this installation token (and it has not expired).</summary>
    public bool IsInstallationToken(string token) =>
        _tokens.TryGetValue(token, out var issued) && issued.Expires > DateTimeOffset.UtcNow;

    public App AddApp(string organization = "acme", bool installed = false, int repositories = 3)
    {
        var id = Interlocked.Increment(ref _nextId);
        var rsa = RSA.Create(2048);
        var app = new App
        {
            Id = id,
            ClientId = "Iv23li" + Convert.ToHexString(RandomNumberGenerator.GetBytes(5)).ToLowerInvariant(),
            Slug = "jira-git-" + id,
            Name = "Jira Git " + id,
            Organization = organization,
            Pem = rsa.ExportRSAPrivateKeyPem(),
            WebhookSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant(),
        };
        app.Keys.Add(rsa);
        app.Repositories.AddRange(Enumerable.Range(1, repositories).Select(i => $"repo-{i:000}"));
        if (installed)
            app.InstallationId = id * 10;
        Apps[id] = app;
        return app;
    }

    /// <summary>What GitHub's "Generate a private key" does: a second valid key for the app.</summary>
    public string AddKey(App app)
    {
        var rsa = RSA.Create(2048);
        app.Keys.Add(rsa);
        return rsa.ExportRSAPrivateKeyPem();
    }

    public string HtmlUrl(App app) => new Uri(BaseUrl, "apps/" + app.Slug).ToString();

    /// <summary>
    /// What the manifest conversion hands over for this app (to store it without playing the whole flow).
    /// </summary>
    public GitHubAppRegistration Registration(App app) =>
        new()
        {
            Id = app.Id,
            ClientId = app.ClientId,
            Slug = app.Slug,
            HtmlUrl = HtmlUrl(app),
            Pem = app.Pem,
            WebhookSecret = app.WebhookSecret,
        };

    private void Map(WebApplication web)
    {
        web.Use(
            async (ctx, next) =>
            {
                var sent = ctx.Request.Path.Value!;
                if (IsApi(ctx))
                {
                    var headers = ctx.Request.Headers;
                    Requests.Enqueue(
                        (
                            ctx.Request.Method,
                            sent,
                            headers.UserAgent.ToString(),
                            headers["X-GitHub-Api-Version"].FirstOrDefault()
                        )
                    );
                    AcceptHeaders.Enqueue(headers.Accept.ToString());
                    ContentTypes.Enqueue(headers.ContentType.ToString());
                    if (Faults.TryDequeue(out var f))
                    {
                        switch (f.Kind)
                        {
                            case FaultKind.Drop:
                                ctx.Abort();
                                return;
                            case FaultKind.Slow:
                                await Task.Delay(f.Value);
                                break;
                            case FaultKind.Answer:
                                ctx.Response.StatusCode = f.Status;
                                ctx.Response.ContentType = "application/json; charset=utf-8";
                                await ctx.Response.WriteAsync(f.Body);
                                return;
                            case FaultKind.ServerError:
                                await Error(ctx, f.Status >= 500 ? f.Status : 502, "Server Error");
                                return;
                            case FaultKind.RateLimited:
                                // Primary: 403 or 429, x-ratelimit-remaining 0, wait until x-ratelimit-reset (epoch
                                // seconds).
                                ctx.Response.Headers["x-ratelimit-limit"] = "5000";
                                ctx.Response.Headers["x-ratelimit-remaining"] = "0";
                                ctx.Response.Headers["x-ratelimit-used"] = "5000";
                                ctx.Response.Headers["x-ratelimit-resource"] = "core";
                                ctx.Response.Headers["x-ratelimit-reset"] = DateTimeOffset
                                    .UtcNow.Add(f.Value)
                                    .ToUnixTimeSeconds()
                                    .ToString();
                                await Error(ctx, f.Status, "API rate limit exceeded for installation ID 1.");
                                return;
                            case FaultKind.SecondaryRateLimit:
                                // Secondary: 403 or 429 with retry-after (seconds), remaining not 0.
                                ctx.Response.Headers["retry-after"] = ((int)f.Value.TotalSeconds).ToString();
                                ctx.Response.Headers["x-ratelimit-remaining"] = "4990";
                                await Error(
                                    ctx,
                                    f.Status,
                                    "You have exceeded a secondary rate limit. Please wait a few minutes "
                                        + "before you try again."
                                );
                                return;
                            case FaultKind.BareRateLimit:
                                // Neither retry-after nor remaining 0: GitHub's docs say wait at least one minute.
                                ctx.Response.Headers["x-ratelimit-remaining"] = "4990";
                                await Error(
                                    ctx,
                                    f.Status,
                                    "You have exceeded a secondary rate limit. "
                                        + "Please wait a few minutes before you try again."
                                );
                                return;
                        }
                    }
                }
                else if (ctx.Request.Path.StartsWithSegments("/api/v3"))
                {
                    await Error(ctx, 404, "Not Found");
                    return;
                }
                await next();
            }
        );
        web.UseRouting(); // after the API paths of github.com mode are routed as /api/v3/...

        // --- web: the manifest flow and the installation page
        web.MapPost(
            "/organizations/{org}/settings/apps/new",
            (HttpContext ctx, string org) => CreateFromManifest(ctx, org, "Organization")
        );
        web.MapPost(
            "/settings/apps/new",
            (Delegate)((HttpContext ctx) => CreateFromManifest(ctx, SignedInUser, "User"))
        );
        web.MapGet(
            "/apps/{slug}/installations/new",
            (string slug) =>
            {
                var app = Apps.Values.Single(a => a.Slug == slug && !a.Deleted);
                app.InstallationId = app.Id * 10;
                return Results.Content("<p>Installed</p>", "text/html");
            }
        );

        // --- REST
        var api = web.MapGroup("/api/v3");
        api.MapPost(
            "/app-manifests/{code}/conversions",
            (string code) =>
            {
                if (!_codes.TryRemove(code, out var c))
                    return Problem(404, "Not Found");
                var body = Example("POST /app-manifests/{code}/conversions", "201");
                Describe(body, c.App);
                body["pem"] = c.App.Pem;
                body["webhook_secret"] = c.App.WebhookSecret;
                return Json(201, body);
            }
        );
        api.MapGet(
            "/app",
            (HttpContext ctx) =>
                WithApp(
                    ctx,
                    app =>
                    {
                        var body = Example("GET /app", "200");
                        Describe(body, app);
                        return Json(200, body);
                    }
                )
        );
        api.MapGet(
            "/app/installations",
            (HttpContext ctx) =>
                WithApp(
                    ctx,
                    app =>
                    {
                        var list = new JsonArray();
                        if (app.InstallationId != null)
                            list.Add(Installation(app));
                        return Json(200, list);
                    }
                )
        );
        api.MapGet(
            "/app/installations/{id:long}",
            (HttpContext ctx, long id) => WithInstallation(ctx, id, app => Json(200, Installation(app)))
        );
        api.MapGet(
            "/orgs/{org}/installation",
            (HttpContext ctx, string org) =>
                WithApp(
                    ctx,
                    app =>
                    {
                        if (app.NotFoundPolls > 0)
                        {
                            app.NotFoundPolls--;
                            return Problem(404, "Not Found");
                        }
                        return app.InstallationId != null && app.Organization == org
                            ? Json(200, Installation(app))
                            : Problem(404, "Not Found");
                    }
                )
        );
        api.MapPost(
            "/app/installations/{id:long}/access_tokens",
            (HttpContext ctx, long id) =>
                WithInstallation(
                    ctx,
                    id,
                    app =>
                    {
                        if (app.Suspended)
                            return Problem(403, "This installation has been suspended");
                        var body = Example("POST /app/installations/{installation_id}/access_tokens", "201");
                        var token =
                            "ghs_"
                            + Convert
                                .ToBase64String(RandomNumberGenerator.GetBytes(30))
                                .TrimEnd('=')
                                .Replace('+', 'x')
                                .Replace('/', 'y');
                        var expires = DateTimeOffset.UtcNow + TokenLifetime;
                        _tokens[token] = (app, expires);
                        Interlocked.Increment(ref TokensIssued);
                        body["token"] = token;
                        body["expires_at"] = expires.ToString("yyyy-MM-ddTHH:mm:ssZ");
                        LastTokenExpiresAt = DateTimeOffset.Parse(
                            (string)body["expires_at"]!,
                            System.Globalization.CultureInfo.InvariantCulture
                        );
                        body["repository_selection"] = "all";
                        body.Remove("repositories");
                        return Json(201, body);
                    }
                )
        );
        api.MapPut(
            "/app/installations/{id:long}/suspended",
            (HttpContext ctx, long id) =>
                WithInstallation(
                    ctx,
                    id,
                    app =>
                    {
                        app.Suspended = true;
                        return Results.StatusCode(204);
                    }
                )
        );
        api.MapDelete(
            "/app/installations/{id:long}/suspended",
            (HttpContext ctx, long id) =>
                WithInstallation(
                    ctx,
                    id,
                    app =>
                    {
                        app.Suspended = false;
                        return Results.StatusCode(204);
                    }
                )
        );
        api.MapDelete(
            "/app/installations/{id:long}",
            (HttpContext ctx, long id) =>
                WithInstallation(
                    ctx,
                    id,
                    app =>
                    {
                        app.InstallationId = null;
                        app.Suspended = false;
                        return Results.StatusCode(204);
                    }
                )
        );
        api.MapGet(
            "/installation/repositories",
            (HttpContext ctx) =>
            {
                var auth = ctx.Request.Headers.Authorization.ToString();
                if (
                    !auth.StartsWith("Bearer ")
                    || !_tokens.TryGetValue(auth[7..], out var t)
                    || t.Expires < DateTimeOffset.UtcNow
                    || t.App.InstallationId == null
                )
                    return Problem(401, "Bad credentials");
                if (t.App.Suspended)
                    return Problem(403, "This installation has been suspended");
                int perPage = int.TryParse(ctx.Request.Query["per_page"], out var pp) ? Math.Clamp(pp, 1, 100) : 30;
                int page = int.TryParse(ctx.Request.Query["page"], out var p) ? Math.Max(1, p) : 1;
                var names = t.App.Repositories;
                int last = Math.Max(1, (names.Count + perPage - 1) / perPage);
                var body = Example("GET /installation/repositories", "200");
                var template = body["repositories"]![0]!;
                var repos = new JsonArray();
                foreach (var (name, i) in names.Skip((page - 1) * perPage).Take(perPage).Select((n, i) => (n, i)))
                {
                    var r = template.DeepClone();
                    r["id"] = 1000 + (page - 1) * perPage + i;
                    r["name"] = name;
                    r["full_name"] = $"{t.App.Organization}/{name}";
                    r["private"] = name.EndsWith('2');
                    r["html_url"] = new Uri(BaseUrl, $"{t.App.Organization}/{name}").ToString();
                    r["clone_url"] = new Uri(BaseUrl, $"{t.App.Organization}/{name}.git").ToString();
                    repos.Add(r);
                }
                body["total_count"] = names.Count;
                body["repositories"] = repos;
                var links = new List<string>();
                string Link(int n, string rel) =>
                    $"<{new Uri(ApiUrl, "installation/repositories")}?per_page={perPage}&page={n}>; rel=\"{rel}\"";
                // GitHub's order ("Using pagination in the REST API"): prev, next, last, first.
                if (page > 1)
                    links.Add(Link(page - 1, "prev"));
                if (page < last)
                {
                    links.Add(Link(page + 1, "next"));
                    links.Add(Link(last, "last"));
                }
                if (page > 1)
                    links.Add(Link(1, "first"));
                if (links.Count > 0)
                    ctx.Response.Headers["Link"] = string.Join(", ", links);
                return Json(200, body);
            }
        );
    }

    /// <summary>
    /// GitHub's "new app" page after the user confirms: the app, owned by the page's account, and a redirect with a
    /// code.
    /// </summary>
    private async Task<IResult> CreateFromManifest(HttpContext ctx, string owner, string ownerType)
    {
        var form = await ctx.Request.ReadFormAsync();
        var (manifest, refused) = CheckManifest(form["manifest"].ToString(), owner);
        if (refused != null)
        {
            ManifestRejections.Enqueue(refused);
            var page = $"<p class=\"flash-error\">{System.Net.WebUtility.HtmlEncode(refused)}</p>";
            return Results.Content(page, "text/html", statusCode: 422);
        }
        var app = AddApp(owner, installed: false);
        app.OwnerType = ownerType;
        app.Name = manifest!["name"]!.GetValue<string>();
        app.Slug = Slug(app.Name);
        app.Manifest = form["manifest"];
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
        var state = ctx.Request.Query["state"].ToString();
        _codes[code] = (app, state, manifest["redirect_url"]!.GetValue<string>());
        return Results.Redirect($"{manifest["redirect_url"]}?code={code}&state={Uri.EscapeDataString(state)}");
    }

    /// <summary>
    /// GitHub's rules for a manifest ("Registering a GitHub App from a manifest", "Registering a GitHub App"): valid
    /// JSON; url required; hook_attributes.url required when hook_attributes is given; a name of at most 34 characters
    /// that is unique across GitHub and is not another account's name (the owner's own is allowed).
    /// </summary>
    private (JsonNode? Manifest, string? Refused) CheckManifest(string text, string owner)
    {
        JsonNode? m;
        try
        {
            m = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return (null, "Invalid GitHub App configuration: the manifest is not JSON.");
        }
        if (m is not JsonObject o)
            return (null, "Invalid GitHub App configuration: the manifest is not a JSON object.");
        if (Text(o, "url") is not string url || !Uri.TryCreate(url, UriKind.Absolute, out _))
            return (null, "Url can't be blank");
        if (o["hook_attributes"] is JsonObject hook && Text(hook, "url") == null)
            return (null, "Hook url can't be blank");
        if (Text(o, "name") is not string name)
            return (null, "Name can't be blank");
        if (name.Length > 34)
            return (null, "Name is too long (maximum is 34 characters)");
        var slug = Slug(name);
        var accounts = Apps
            .Values.Select(a => a.Organization)
            .Append(SignedInUser)
            .Where(a => !a.Equals(owner, StringComparison.OrdinalIgnoreCase));
        var apps = Apps.Values.Where(a => !a.Deleted);
        if (apps.Any(a => a.Slug == slug || Slug(a.Name) == slug) || accounts.Any(a => Slug(a) == slug))
            return (null, "Name has already been taken");
        return (m, null);
    }

    private static string? Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;

    /// <summary>The name as GitHub shows it: lowercase, runs of other characters replaced by '-'.</summary>
    public static string Slug(string name) =>
        System.Text.RegularExpressions.Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    private IResult WithInstallation(HttpContext ctx, long id, Func<App, IResult> then) =>
        WithApp(ctx, app => app.InstallationId == id ? then(app) : Problem(404, "Not Found"));

    /// <summary>
    /// GitHub's JWT rules, checked with Microsoft.IdentityModel (independent of the code under test).
    /// </summary>
    private IResult WithApp(HttpContext ctx, Func<App, IResult> then)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        var jwt = auth.StartsWith("Bearer ") ? auth[7..] : "";
        var (app, why) = Validate(jwt);
        if (app == null)
        {
            JwtRejections.Enqueue(why!);
            return Problem(401, why!);
        }
        LastJwt = jwt;
        return then(app);
    }

    private (App? App, string? Why) Validate(string jwt)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(jwt);
        }
        catch (Exception)
        {
            return (null, "A JSON web token could not be decoded");
        }
        if (token.Alg != "RS256")
            return (null, "A JSON web token could not be decoded");
        var iss = token.TryGetPayloadValue<object>("iss", out var i) ? i?.ToString() : null;
        var byClientId = Kind == Mode.GitHubCom || EnterpriseAcceptsClientId;
        var app = Apps.Values.FirstOrDefault(a => (byClientId && a.ClientId == iss) || a.Id.ToString() == iss);
        if (app == null || app.Deleted)
            return (null, "Integration not found");
        var handler = new JsonWebTokenHandler();
        var valid = app.Keys.Any(k =>
            handler
                .ValidateTokenAsync(
                    jwt,
                    new TokenValidationParameters
                    {
                        IssuerSigningKey = new RsaSecurityKey(k.ExportParameters(false)),
                        ValidAlgorithms = new[] { "RS256" },
                        ValidateIssuer = false,
                        ValidateAudience = false,
                        ValidateLifetime = false,
                        RequireExpirationTime = false,
                    }
                )
                .Result.IsValid
        );
        if (!valid)
            return (null, "A JSON web token could not be decoded");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (!token.TryGetPayloadValue<long>("iat", out var iat) || iat > now)
            return (null, "'Issued at' claim ('iat') must be an Integer representing a time in the past");
        if (!token.TryGetPayloadValue<long>("exp", out var exp) || exp <= now)
            return (
                null,
                "'Expiration time' claim ('exp') must be a numeric value representing the future time at which "
                    + "the assertion expires"
            );
        if (exp - iat > 600 || exp > now + 600)
            return (null, "'Expiration time' claim ('exp') is too far in the future");
        return (app, null);
    }

    private JsonObject Installation(App app)
    {
        var body = Example("GET /orgs/{org}/installation", "200");
        body["id"] = app.InstallationId;
        body["app_id"] = app.Id;
        body["app_slug"] = app.Slug;
        body["account"]!["login"] = app.Organization;
        body["target_type"] = "Organization";
        body["repository_selection"] = "all";
        body["html_url"] = new Uri(
            BaseUrl,
            $"organizations/{app.Organization}/settings/installations/{app.InstallationId}"
        ).ToString();
        body["suspended_at"] = app.Suspended ? "2024-01-01T00:00:00Z" : null;
        if (app.Permissions != null)
            body["permissions"] = JsonSerializer.SerializeToNode(app.Permissions);
        return body;
    }

    private void Describe(JsonObject body, App app)
    {
        body["id"] = app.Id;
        body["slug"] = app.Slug;
        body["client_id"] = app.ClientId;
        body["name"] = app.Name;
        body["owner"]!["login"] = app.Organization;
        body["owner"]!["type"] = app.OwnerType;
        body["html_url"] = HtmlUrl(app);
    }

    private static JsonObject Example(string operation, string status) =>
        (JsonObject)Examples[operation]![status]!.DeepClone();

    private static IResult Json(int status, JsonNode body) =>
        Results.Text(body.ToJsonString(), "application/json; charset=utf-8", statusCode: status);

    private static IResult Problem(int status, string message) =>
        Json(
            status,
            new JsonObject
            {
                ["message"] = message,
                ["documentation_url"] = "https://docs.github.com/rest",
                ["status"] = status.ToString(),
            }
        );

    private static Task Error(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(
            JsonSerializer.Serialize(
                new
                {
                    message,
                    documentation_url = "https://docs.github.com/rest",
                    status = status.ToString(),
                }
            )
        );
    }

    public async ValueTask DisposeAsync()
    {
        await _web.StopAsync();
        await _web.DisposeAsync();
    }
}
