using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitIntegration.Core.Query;

/// <summary>
/// Repositories as GitHub lists them (GET /installation/repositories: every field, about 5.6 KB each), on which a
/// RepositoryFilter's cost is measured before it is stored. The template is GitHub's documented example repository
/// (npm @octokit/openapi 23.0.2, MIT licence); names, visibility, size, topics and the rest vary, so that filters
/// keep some and drop others as they would on an organization.
/// </summary>
internal static class SyntheticRepositories
{
    public const int Count = 200;

    private static readonly Lazy<JsonElement[]> Repositories = new Lazy<JsonElement[]>(Make);

    public static JsonElement[] All => Repositories.Value;

    private static JsonElement[] Make()
    {
        JsonNode template;
        var type = typeof(SyntheticRepositories);
        using (var s = type.Assembly.GetManifestResourceStream(type.Namespace + ".github-repository.json")!)
        using (var reader = new StreamReader(s))
            template = JsonNode.Parse(reader.ReadToEnd())!;
        string[] prefixes = { "billing-", "web-", "api-", "jira-", "infra-", "docs-", "", "legacy-" };
        string[] topics = { "jira", "api", "web", "billing", "infra", "legacy" };
        string?[] languages = { "C#", "Go", "TypeScript", "Java", null };
        var all = new JsonArray();
        for (int n = 0; n < Count; n++)
        {
            var r = template.DeepClone();
            var name = prefixes[n % prefixes.Length] + "service-" + n;
            bool isPrivate = n % 3 != 0;
            r["id"] = 100_000 + n;
            r["name"] = name;
            r["full_name"] = "acme/" + name;
            r["private"] = isPrivate;
            r["visibility"] = isPrivate ? "private" : "public";
            r["archived"] = n % 7 == 0;
            r["fork"] = n % 11 == 0;
            r["size"] = n * 7919 % 2_000_000;
            r["stargazers_count"] = n % 50;
            r["language"] = languages[n % languages.Length];
            var t = new JsonArray();
            for (int k = 0; k < n % 4; k++)
                t.Add(topics[(n + k) % topics.Length]);
            r["topics"] = t;
            all.Add(r);
        }
        return JsonDocument.Parse(all.ToJsonString()).RootElement.EnumerateArray().ToArray();
    }
}
