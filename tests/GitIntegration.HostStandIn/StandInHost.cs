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

namespace GitIntegration.HostStandIn;

public sealed class StandInOptions
{
    /// <summary>Which host it plays: a name of <see cref="StandInModes"/>.</summary>
    public string Mode { get; set; } = "github";

    /// <summary>The loopback sshd's authorized_keys: a key added is appended, a key removed is taken out.</summary>
    public string? AuthorizedKeys { get; set; }
    public bool Https { get; set; }

    /// <summary>The repositories that exist ("acme/app"); any other is not found.</summary>
    public List<string> Repositories { get; } = new List<string>();

    /// <summary>More tokens that may do everything, besides <see cref="StandInHost.Token"/>.</summary>
    public List<string> Tokens { get; } = new List<string>();

    /// <summary>In process: tokens another stand-in issued (a GitHub App's installation tokens).</summary>
    public Func<string, bool>? AcceptToken { get; set; }
}

/// <summary>A key the stand-in holds: at a repository ("repo:acme/app"), the user ("user"), a project
/// ("project:OPS").</summary>
public sealed class StandInKey
{
    public long Id { get; set; }
    public string Target { get; set; } = "";
    public string Title { get; set; } = "";

    /// <summary>"TYPE BASE64", as received without a comment.</summary>
    public string Key { get; set; } = "";
    public bool ReadOnly { get; set; }
    public string Fingerprint { get; set; } = "";
    public DateTimeOffset Created { get; set; }
}

/// <summary>Faults a test asks for (POST /standin/behaviour from another process, or
/// <see cref="StandInHost.Behaviour"/>).</summary>
public sealed class StandInBehaviour
{
    /// <summary>Repositories whose every request answers "rate limit exceeded" until an hour from now.</summary>
    public List<string> RateLimited { get; set; } = new List<string>();

    /// <summary>Repositories whose next request answers 429 with retry-after: 1 (then as usual).</summary>
    public List<string> RateLimitOnce { get; set; } = new List<string>();

    /// <summary>How long each API answer takes, in milliseconds (to see how many requests overlap).</summary>
    public int StallMilliseconds { get; set; }

    /// <summary>Key types (ssh-dss, ssh-rsa...) the host refuses as invalid.</summary>
    public List<string> RefusedKeyTypes { get; set; } = new List<string> { "ssh-dss" };
}

/// <summary>
/// A git host's SSH key API on 127.0.0.1, played by one of <see cref="StandInModes"/>: the state (repositories,
/// keys, tokens, faults) is common, each mode speaks its host's paths and shapes. Every request is logged as
/// "METHOD path?query body" (never a header, so never a token), every refusal as "refused: why".
/// Tokens: <see cref="Token"/> may do everything, <see cref="LimitedToken"/> lacks the scope/permission for keys.
/// </summary>
public sealed class StandInHost : IAsyncDisposable
{
    public const string Token = "standin-token-0123456789abcdef";
    public const string LimitedToken = "standin-limited-token-0123456789";

    private readonly WebApplication _app;
    private readonly object _gate = new object();
    private readonly List<string> _log = new List<string>();
    private readonly List<StandInKey> _keys = new List<StandInKey>();
    private readonly HashSet<string> _repositories;
    private long _nextId = 1001;
    private int _inFlight;
    private int _maxInFlight;

    private StandInHost(WebApplication app, StandInOptions options)
    {
        _app = app;
        Options = options;
        _repositories = new HashSet<string>(options.Repositories, StringComparer.OrdinalIgnoreCase);
        Mode = StandInModes.Create(options.Mode, this);
    }

    public StandInOptions Options { get; }
    public IStandInMode Mode { get; }

    /// <summary>The server's root (http://127.0.0.1:PORT/).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The mode's REST API root (what a client is given as the API address).</summary>
    public Uri ApiUrl => new Uri(Url, Mode.ApiPath.TrimStart('/'));
    public X509Certificate2? Certificate { get; private set; }
    public StandInBehaviour Behaviour { get; set; } = new StandInBehaviour();

    public static async Task<StandInHost> StartAsync(StandInOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var cert = options.Https ? SelfSigned() : null;
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
        var host = new StandInHost(app, options) { Certificate = cert };
        app.Run(host.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app
            .Services.GetRequiredService<IServer>()
            .Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        host.Url = new Uri(address.Replace("[::]", "127.0.0.1").TrimEnd('/') + "/");
        return host;
    }

    /// <summary>Every request as "METHOD path?query body", and every refusal as "refused: why".</summary>
    public List<string> Requests
    {
        get
        {
            lock (_gate)
                return _log.ToList();
        }
    }

    public List<StandInKey> Keys
    {
        get
        {
            lock (_gate)
                return _keys.ToList();
        }
    }

    /// <summary>The most API requests that were being answered at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>A token that may do everything (not <see cref="LimitedToken"/>).</summary>
    public bool IsFullToken(string token) =>
        token == Token || Options.Tokens.Contains(token) || Options.AcceptToken?.Invoke(token) == true;

    public bool RepositoryExists(string path)
    {
        lock (_gate)
            return _repositories.Contains(path);
    }

    public void AddRepository(string path)
    {
        lock (_gate)
            _repositories.Add(path);
    }

    public void Refuse(string why)
    {
        lock (_gate)
            _log.Add("refused: " + why);
    }

    public List<StandInKey> KeysAt(string target)
    {
        lock (_gate)
            return _keys.Where(k => k.Target.Equals(target, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>Where else this key is (by fingerprint), or null.</summary>
    public StandInKey? FindKey(string keyLine)
    {
        var fingerprint = Fingerprint(keyLine);
        lock (_gate)
            return _keys.FirstOrDefault(k => k.Fingerprint == fingerprint);
    }

    /// <summary>Holds the key and appends it to the sshd's authorized_keys.</summary>
    public StandInKey AddKey(string target, string title, string keyLine, bool readOnly)
    {
        var parts = keyLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var key = new StandInKey
        {
            Target = target,
            Title = title,
            Key = parts[0] + " " + parts[1],
            ReadOnly = readOnly,
            Fingerprint = Fingerprint(keyLine),
            Created = DateTimeOffset.UtcNow,
        };
        lock (_gate)
        {
            key.Id = _nextId++;
            _keys.Add(key);
            if (Options.AuthorizedKeys is string file)
                File.AppendAllText(file, key.Key + "\n");
        }
        return key;
    }

    /// <summary>Removes the key and its line in authorized_keys (unless another target holds the key).</summary>
    public bool RemoveKey(string target, long id)
    {
        lock (_gate)
        {
            var key = _keys.FirstOrDefault(k =>
                k.Id == id && k.Target.Equals(target, StringComparison.OrdinalIgnoreCase)
            );
            if (key == null)
                return false;
            _keys.Remove(key);
            if (Options.AuthorizedKeys is string file && File.Exists(file) && !_keys.Any(k => k.Key == key.Key))
            {
                var kept = File.ReadAllLines(file).Where(l => !l.Trim().StartsWith(key.Key, StringComparison.Ordinal));
                File.WriteAllLines(file + ".tmp", kept);
                File.Move(file + ".tmp", file, true);
            }
            return true;
        }
    }

    /// <summary>Takes one "rate limit once" fault for this repository, if one is set.</summary>
    public bool TakeRateLimitOnce(string repository)
    {
        lock (_gate)
            return Behaviour.RateLimitOnce.Remove(repository);
    }

    public bool IsRateLimited(string repository)
    {
        lock (_gate)
            return Behaviour.RateLimited.Contains(repository, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>ssh-keygen -l -E sha256's fingerprint of "TYPE BASE64", computed here, not by the module.
    /// </summary>
    public static string Fingerprint(string keyLine)
    {
        var parts = keyLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(parts[1]))).TrimEnd('=');
    }

    /// <summary>Whether "TYPE BASE64" is a well-formed public key line whose blob names the same type.</summary>
    public static bool IsPublicKeyLine(string? keyLine)
    {
        var parts = (keyLine ?? "").Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
            return false;
        try
        {
            var blob = Convert.FromBase64String(parts[1]);
            if (blob.Length < 4)
                return false;
            var length = (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3];
            return length > 0 && length <= blob.Length - 4 && Encoding.ASCII.GetString(blob, 4, length) == parts[0];
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The documented request body check: a JSON object, no field the documentation does not list, each field
    /// of its documented JSON type, the required ones present. Null when good, else why not.
    /// </summary>
    public static string? CheckBody(string body, JsonObject documented, out JsonObject? request)
    {
        request = null;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException) { }
        if (request == null)
            return "the body is not a JSON object";
        var properties = documented["properties"]!.AsObject();
        foreach (var (name, value) in request)
        {
            if (!properties.TryGetPropertyValue(name, out var type))
                return $"undocumented field '{name}'";
            var kind = value?.GetValueKind();
            var ok = type!.GetValue<string>() switch
            {
                "string" => kind == JsonValueKind.String,
                "boolean" => kind == JsonValueKind.True || kind == JsonValueKind.False,
                "integer" or "number" => kind == JsonValueKind.Number,
                "array" => kind == JsonValueKind.Array,
                "object" => kind == JsonValueKind.Object,
                _ => true,
            };
            if (!ok)
                return $"field '{name}' is not of type {type}";
        }
        foreach (var required in documented["required"]!.AsArray())
            if (!request.ContainsKey(required!.GetValue<string>()))
                return $"required field '{required}' is missing";
        return null;
    }

    /// <summary>A documented example, loaded from Examples/ beside the stand-in.</summary>
    public static JsonObject Examples(string file) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Examples", file)))!;

    public static async Task JsonAsync(HttpContext ctx, int status, JsonNode? body)
    {
        ctx.Response.StatusCode = status;
        if (body == null)
            return;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "";
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
            body = await reader.ReadToEndAsync().ConfigureAwait(false);
        if (path.StartsWith("/standin/", StringComparison.Ordinal))
        {
            await ControlAsync(ctx, path, body).ConfigureAwait(false);
            return;
        }
        lock (_gate)
            _log.Add($"{ctx.Request.Method} {path}{ctx.Request.QueryString} {body}".TrimEnd());
        var api = "/" + Mode.ApiPath.Trim('/');
        if (!path.StartsWith(api, StringComparison.Ordinal))
        {
            await JsonAsync(ctx, 404, new JsonObject { ["message"] = "Not Found" }).ConfigureAwait(false);
            return;
        }
        var relative = "/" + path.Substring(api.Length).TrimStart('/');
        var now = Interlocked.Increment(ref _inFlight);
        lock (_gate)
            _maxInFlight = Math.Max(_maxInFlight, now);
        try
        {
            var stall = Behaviour.StallMilliseconds;
            if (stall > 0)
                await Task.Delay(stall).ConfigureAwait(false);
            await Mode.HandleAsync(ctx, relative, body).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// For a test in another process: POST /standin/behaviour (a <see cref="StandInBehaviour"/>), GET
    /// /standin/requests, GET /standin/keys, POST /standin/repositories {"path": "acme/app"}.
    /// </summary>
    private async Task ControlAsync(HttpContext ctx, string path, string body)
    {
        var web = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        if (path == "/standin/behaviour" && ctx.Request.Method == "POST")
        {
            var behaviour = JsonSerializer.Deserialize<StandInBehaviour>(body, web) ?? new StandInBehaviour();
            lock (_gate)
                Behaviour = behaviour;
            await JsonAsync(ctx, 200, new JsonObject { ["ok"] = true }).ConfigureAwait(false);
        }
        else if (path == "/standin/repositories" && ctx.Request.Method == "POST")
        {
            AddRepository(JsonNode.Parse(body)!["path"]!.GetValue<string>());
            await JsonAsync(ctx, 200, new JsonObject { ["ok"] = true }).ConfigureAwait(false);
        }
        else if (path == "/standin/requests")
            await JsonAsync(
                    ctx,
                    200,
                    new JsonObject
                    {
                        ["requests"] = new JsonArray(Requests.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
                    }
                )
                .ConfigureAwait(false);
        else if (path == "/standin/keys")
            await JsonAsync(ctx, 200, JsonSerializer.SerializeToNode(new { keys = Keys }, web)).ConfigureAwait(false);
        else
            ctx.Response.StatusCode = 404;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=host-stand-in", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        using var c = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(c.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Certificate?.Dispose();
    }
}
