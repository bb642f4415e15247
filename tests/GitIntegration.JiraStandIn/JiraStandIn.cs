using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitIntegration.JiraStandIn;

/// <summary>
/// Jira with Git Integration for Jira's repository API as documented (see jira-gitplugin-api.md): GET/POST/PUT/DELETE
/// /rest/gitplugin/1.0/repository, admins only for writes, state in memory. Users: admin (password admin-secret, a Jira
/// administrator), dev (dev-secret, not an administrator), and the admin's personal access token
/// <see cref="AdminToken"/>.
/// <see cref="Behaviour"/> makes it play an old or missing app, reject a field, or stall; /standin/* lets a test
/// process do the same.
/// </summary>
public sealed class StandInJira : IAsyncDisposable
{
    public const string AdminToken = "NjQ4OTk0MTQ3NzY1OpJiraStandInAdminPat";
    public const string Api = "/rest/gitplugin/1.0/repository";

    /// <summary>
    /// Fields of Add New Repository (and Update's "id"), plus the credential fields of the public Repository model.
    /// </summary>
    public static readonly HashSet<string> DocumentedFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "id",
        "displayName",
        "origin",
        "mainBranch",
        "realRoot",
        "absoluteRoot",
        "disabled",
        "enableFetches",
        "sendCommitEmails",
        "maxMinsToCommitEmail",
        "global",
        "projectMappingIds",
        "revisionIndexing",
        "gitViewerEnabled",
        "disableSslVerification",
        "smartCommitsEnabled",
        "commitsValidationRequired",
        "tagsFilter",
        "showAllTags",
        "sourcesDiffViewEnabled",
        "username",
        "password",
        "pat",
    };

    private readonly WebApplication _app;
    private readonly object _gate = new object();
    private readonly SortedDictionary<int, JsonObject> _repos = new SortedDictionary<int, JsonObject>();
    private readonly List<string> _log = new List<string>();
    private int _nextId = 1;

    private StandInJira(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    public X509Certificate2 Certificate { get; private set; } = null!;
    public StandInBehaviour Behaviour { get; set; } = new StandInBehaviour();

    /// <summary>
    /// Every request as "METHOD path body" (bodies as received, so a test can look for what must never be sent).
    /// </summary>
    public List<string> Requests
    {
        get
        {
            lock (_gate)
                return _log.ToList();
        }
    }

    public static async Task<StandInJira> StartAsync(bool https = true, string contextPath = "")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var cert = https ? SelfSigned() : null;
        builder.WebHost.ConfigureKestrel(k =>
            k.Listen(
                IPAddress.Loopback,
                0,
                l =>
                {
                    if (cert != null)
                        l.UseHttps(cert);
                }
            )
        );
        var app = builder.Build();
        var jira = new StandInJira(app) { Certificate = cert! };
        app.Run(jira.Handle);
        await app.StartAsync().ConfigureAwait(false);
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        jira.Url = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + contextPath + "/");
        return jira;
    }

    /// <summary>Repositories as GET lists them.</summary>
    public List<JsonObject> Repositories
    {
        get
        {
            lock (_gate)
                return _repos.Values.Select(r => (JsonObject)r.DeepClone()).ToList();
        }
    }

    /// <summary>
    /// Adds a repository as the app's own UI would (for tests that start from an existing Jira setup).
    /// </summary>
    public int Seed(string origin, string? displayName = null, bool disabled = false)
    {
        lock (_gate)
            return Add(
                new JsonObject
                {
                    ["origin"] = origin,
                    ["displayName"] = displayName,
                    ["disabled"] = disabled,
                }
            );
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=jira-stand-in", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var c = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pfx), null);
    }

    private async Task Handle(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        lock (_gate)
            _log.Add($"{ctx.Request.Method} {path}{ctx.Request.QueryString} {body}");
        if (path.StartsWith("/standin/", StringComparison.Ordinal))
        {
            await Control(ctx, path, body).ConfigureAwait(false);
            return;
        }

        var b = Behaviour;
        if (b.StallSeconds > 0)
            await Task.Delay(TimeSpan.FromSeconds(b.StallSeconds), ctx.RequestAborted).ConfigureAwait(false);
        var prefix = Url.AbsolutePath.TrimEnd('/');
        if (b.AppMissing || path != prefix + Api)
        {
            // Jira's own page for a REST path no plugin serves (the app missing, disabled, or too old for this API).
            ctx.Response.StatusCode = 404;
            ctx.Response.ContentType = "text/html;charset=UTF-8";
            await ctx
                .Response.WriteAsync("<html><body><h1>Oops, you've found a dead link.</h1></body></html>")
                .ConfigureAwait(false);
            return;
        }
        var user = Authenticate(ctx.Request.Headers.Authorization.ToString());
        if (user == null)
        {
            ctx.Response.StatusCode = 401;
            ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"protected-area\"";
            await Json(
                    ctx,
                    401,
                    new JsonObject { ["message"] = "Client must be authenticated to access this resource." }
                )
                .ConfigureAwait(false);
            return;
        }
        if (ctx.Request.Method != "GET" && user != "admin")
        {
            await Json(
                    ctx,
                    403,
                    new JsonObject { ["message"] = "You do not have the permission to see the specified resource." }
                )
                .ConfigureAwait(false);
            return;
        }
        switch (ctx.Request.Method)
        {
            case "GET":
                await Json(
                        ctx,
                        200,
                        new JsonObject
                        {
                            ["success"] = true,
                            ["repositories"] = new JsonArray(Repositories.Select(r => (JsonNode)r).ToArray()),
                        }
                    )
                    .ConfigureAwait(false);
                return;
            case "POST":
            case "PUT":
                await Write(ctx, body, ctx.Request.Method == "PUT").ConfigureAwait(false);
                return;
            case "DELETE":
                var idText = ctx.Request.Query["id"].ToString();
                bool removed;
                lock (_gate)
                    removed = int.TryParse(idText, out var id) && _repos.Remove(id);
                await Json(ctx, 200, removed ? new JsonObject { ["success"] = true } : NoSuchRepository(idText))
                    .ConfigureAwait(false);
                return;
            default:
                ctx.Response.StatusCode = 405;
                return;
        }
    }

    private async Task Write(HttpContext ctx, string body, bool update)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request == null)
        {
            await Json(ctx, 400, Failure("The request body is not a JSON object.", "Send JSON.")).ConfigureAwait(false);
            return;
        }
        var unknown = request.Select(kv => kv.Key).FirstOrDefault(k => !DocumentedFields.Contains(k));
        if (unknown != null)
        {
            await Json(ctx, 400, Failure($"Unrecognized field \"{unknown}\"", "Remove it.")).ConfigureAwait(false);
            return;
        }
        if (Behaviour.RejectField is string rejected && request.ContainsKey(rejected))
        {
            await Json(
                    ctx,
                    400,
                    Failure(
                        $"The value of {rejected} is not valid for this repository",
                        $"Correct {rejected} and try again."
                    )
                )
                .ConfigureAwait(false);
            return;
        }
        if (string.IsNullOrWhiteSpace(request["origin"]?.GetValue<string>()))
        {
            await Json(ctx, 400, Failure("origin is required", "Specify the repository origin URL."))
                .ConfigureAwait(false);
            return;
        }
        if (request.ContainsKey("realRoot") != request.ContainsKey("absoluteRoot"))
        {
            await Json(
                    ctx,
                    400,
                    Failure("realRoot and absoluteRoot must be defined together", "Specify both or neither.")
                )
                .ConfigureAwait(false);
            return;
        }
        JsonObject answer;
        lock (_gate)
        {
            if (!update)
                answer = new JsonObject { ["success"] = true, ["id"] = Add(request) };
            else if (request["id"]?.GetValue<int>() is int id && _repos.TryGetValue(id, out var current))
            {
                foreach (var kv in request.Where(kv => !IsSecret(kv.Key)))
                    current[kv.Key] = kv.Value?.DeepClone();
                answer = new JsonObject { ["success"] = true };
            }
            else
                answer = NoSuchRepository(request["id"]?.ToJsonString() ?? "");
        }
        await Json(ctx, 200, answer).ConfigureAwait(false);
    }

    private int Add(JsonObject request)
    {
        var id = _nextId++;
        var name = request["displayName"]?.GetValue<string>() ?? "repo";
        var repo = new JsonObject
        {
            ["id"] = id,
            ["displayName"] = name,
            ["origin"] = request["origin"]?.GetValue<string>(),
            ["mainBranch"] = "master",
            ["root"] = $"../data/git-plugin/{id}_{name}",
            ["realRoot"] = $"{id}_{name}",
            ["absoluteRoot"] = false,
            ["disabled"] = false,
            ["enableFetches"] = true,
            ["sendCommitEmails"] = true,
            ["maxMinsToCommitEmail"] = 1440,
            ["global"] = true,
            ["hosted"] = false,
            ["initDate"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["revisionIndexing"] = true,
            ["revisionCacheSize"] = 10000,
            ["gitViewerEnabled"] = true,
            ["disableSslVerification"] = false,
            ["smartCommitsEnabled"] = true,
            ["commitsValidationRequired"] = true,
            ["tagsFilter"] = "",
            ["showAllTags"] = true,
            ["supportsExternalApi"] = false,
            ["sourcesDiffViewEnabled"] = true,
            ["limitGitData"] = true,
        };
        foreach (var kv in request.Where(kv => !IsSecret(kv.Key) && kv.Key != "id"))
            repo[kv.Key] = kv.Value?.DeepClone();
        _repos[id] = repo;
        return id;
    }

    // The app keeps credentials, and never lists them.
    private static bool IsSecret(string field) => field == "pat" || field == "password" || field == "username";

    private static string? Authenticate(string header)
    {
        if (header == "Bearer " + AdminToken)
            return "admin";
        if (!header.StartsWith("Basic ", StringComparison.Ordinal))
            return null;
        string pair;
        try
        {
            pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Substring(6)));
        }
        catch (FormatException)
        {
            return null;
        }
        return pair == "admin:admin-secret" ? "admin"
            : pair == "dev:dev-secret" ? "dev"
            : null;
    }

    private static JsonObject NoSuchRepository(string id) =>
        Failure($"Repository with id={id} does not exist", "Please try again with an existing repository id.");

    private static JsonObject Failure(string error, string advice) =>
        new JsonObject
        {
            ["success"] = false,
            ["error"] = error,
            ["advice"] = advice,
        };

    private static async Task Json(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json;charset=UTF-8";
        await ctx.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }

    /// <summary>
    /// For a test in another process: POST /standin/behaviour {appMissing, rejectField, stallSeconds}; GET
    /// /standin/requests.
    /// </summary>
    private async Task Control(HttpContext ctx, string path, string body)
    {
        if (path == "/standin/behaviour" && ctx.Request.Method == "POST")
        {
            Behaviour =
                JsonSerializer.Deserialize<StandInBehaviour>(
                    body,
                    new JsonSerializerOptions(JsonSerializerDefaults.Web)
                ) ?? new StandInBehaviour();
            await Json(ctx, 200, new JsonObject { ["success"] = true }).ConfigureAwait(false);
        }
        else if (path == "/standin/requests")
            await Json(
                    ctx,
                    200,
                    new JsonObject
                    {
                        ["requests"] = new JsonArray(Requests.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
                    }
                )
                .ConfigureAwait(false);
        else
            ctx.Response.StatusCode = 404;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Certificate?.Dispose();
    }
}

public sealed class StandInBehaviour
{
    /// <summary>
    /// Answer every API call with Jira's 404 page, as a Jira without the app (or with one too old) does.
    /// </summary>
    public bool AppMissing { get; set; }

    /// <summary>
    /// Refuse a write whose body has this field, with the app's { success: false, error, advice } answer.
    /// </summary>
    public string? RejectField { get; set; }

    /// <summary>Wait this long before answering (timeouts).</summary>
    public int StallSeconds { get; set; }
}
