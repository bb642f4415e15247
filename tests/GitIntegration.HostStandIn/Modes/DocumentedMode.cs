using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>
/// What the GitLab, Bitbucket and Gitea modes share: their host's documented examples
/// (Examples/&lt;host&gt;-examples.json, from tests/GitIntegration.Core.Tests/Hosts/Fixtures), the check of a
/// request body against the documented fields, answers built from the documented bodies, and the faults.
/// </summary>
public abstract class DocumentedMode : IStandInMode
{
    private readonly JsonObject _examples;

    protected DocumentedMode(StandInHost host, string examples, string apiPath)
    {
        Host = host;
        _examples = StandInHost.Examples(examples);
        ApiPath = apiPath;
    }

    protected StandInHost Host { get; }
    public string ApiPath { get; }

    public abstract Task HandleAsync(HttpContext context, string path, string body);

    /// <summary>The documented body of an operation's answer (a copy to fill in).</summary>
    protected JsonNode Example(string operation, string status) =>
        _examples[operation]!["responses"]![status]!["value"]!.DeepClone();

    /// <summary>The documented example's first item, for a list.</summary>
    protected JsonObject Item(string operation, string status, Func<JsonNode, JsonArray> items) =>
        (JsonObject)items(Example(operation, status))[0]!.DeepClone();

    /// <summary>Null when the body has only documented fields of their documented types, the required ones
    /// included (and the same inside each documented object field); else why not, logged as a refusal.</summary>
    protected string? CheckRequest(HttpContext ctx, string operation, string body, out JsonObject? fields)
    {
        fields = null;
        var shape = _examples[operation]!["shape"]!.AsObject();
        var why =
            ctx.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true
                ? StandInHost.CheckBody(body, shape, out fields)
                : "Content-Type is not application/json";
        if (why == null && shape["nested"] is JsonObject nested)
            foreach (var (name, inner) in nested)
                if (fields![name] is JsonObject value)
                    why ??= StandInHost.CheckBody(value.ToJsonString(), inner!.AsObject(), out _) is string w
                        ? $"in '{name}': {w}"
                        : null;
        if (why != null)
            Host.Refuse($"{ctx.Request.Method} {operation}: {why}");
        return why;
    }

    /// <summary>Sets the fields the template has (and only those), at any depth given as "a.b".</summary>
    protected static JsonNode Fill(JsonNode template, params (string Path, JsonNode? Value)[] values)
    {
        foreach (var (path, value) in values)
        {
            var parts = path.Split('.');
            var node = template as JsonObject;
            for (var i = 0; i < parts.Length - 1 && node != null; i++)
                node = node[parts[i]] as JsonObject;
            if (node != null && node.ContainsKey(parts[^1]))
                node[parts[^1]] = value?.DeepClone();
        }
        return template;
    }

    protected static string Time(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>The token of an "Authorization: SCHEME TOKEN" header, for one of the schemes.</summary>
    protected static string? Bearer(HttpContext ctx, params string[] schemes)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        foreach (var scheme in schemes)
            if (auth.StartsWith(scheme + " ", StringComparison.OrdinalIgnoreCase))
                return auth.Substring(scheme.Length + 1);
        return null;
    }

    /// <summary>Whether the host refuses this key line (malformed, or of a refused type), logged as such.</summary>
    protected bool KeyRefused(string operation, string line)
    {
        var type = line.Trim().Split(' ')[0];
        if (StandInHost.IsPublicKeyLine(line) && !Host.Behaviour.RefusedKeyTypes.Contains(type))
            return false;
        Host.Refuse($"POST {operation}: key type {type} refused");
        return true;
    }

    /// <summary>The rate-limit faults: <paramref name="answer"/> writes the host's 429 (true: the short one, to
    /// wait out).</summary>
    protected async Task<bool> RateLimitedAsync(HttpContext ctx, string scope, Func<bool, Task> answer)
    {
        if (Host.TakeRateLimitOnce(scope))
            await answer(true);
        else if (Host.IsRateLimited(scope))
            await answer(false);
        else
            return false;
        return true;
    }

    /// <summary>A page of a list: the items, and whether more follow.</summary>
    protected static (List<T> Items, bool More) Page<T>(List<T> all, int skip, int take) =>
        (all.Skip(skip).Take(take).ToList(), skip + take < all.Count);

    protected static int Number(string? text, int fallback, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? Math.Clamp(n, min, max)
            : fallback;

    protected static JsonNode? Node(object? value) => JsonSerializer.SerializeToNode(value);
}
