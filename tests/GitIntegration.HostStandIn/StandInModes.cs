using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace GitIntegration.HostStandIn;

/// <summary>One host's API, played over the stand-in's common state.</summary>
public interface IStandInMode
{
    /// <summary>Where the REST API is under the server's root: "/" (api.github.com), "/api/v3/" (GHES).</summary>
    string ApiPath { get; }

    /// <summary>Answers one request; <paramref name="path"/> is relative to <see cref="ApiPath"/>, with a
    /// leading "/".</summary>
    Task HandleAsync(HttpContext context, string path, string body);
}

/// <summary>The hosts the stand-in can play, by the name --mode takes. A new host adds its line here.</summary>
public static class StandInModes
{
    private static readonly Dictionary<string, Func<StandInHost, IStandInMode>> Modes = new Dictionary<
        string,
        Func<StandInHost, IStandInMode>
    >(StringComparer.OrdinalIgnoreCase)
    {
        ["github"] = host => new GitHubMode(host, "/"),
        ["github-enterprise"] = host => new GitHubMode(host, "/api/v3/"),
        ["gitlab"] = host => new GitLabMode(host),
        ["bitbucket-cloud"] = host => new BitbucketCloudMode(host),
        ["bitbucket-dc"] = host => new BitbucketDataCenterMode(host),
        ["gitea"] = host => new GiteaMode(host),
    };

    public static IEnumerable<string> Names => Modes.Keys.OrderBy(k => k, StringComparer.Ordinal);

    public static IStandInMode Create(string name, StandInHost host) =>
        Modes.TryGetValue(name, out var create)
            ? create(host)
            : throw new ArgumentException($"Unknown mode '{name}'; the modes are {string.Join(", ", Names)}.");
}
