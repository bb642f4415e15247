using System;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// Where a GitHub lives: github.com (web https://github.com, API https://api.github.com) or a
/// GitHub Enterprise Server (web https://HOST, API https://HOST/api/v3).
/// </summary>
public sealed class GitHubHost
{
    public static readonly GitHubHost GitHubCom = new GitHubHost(
        new Uri("https://github.com/"),
        new Uri("https://api.github.com/"),
        false
    );

    /// <summary>
    /// Where github.com is reached: GitHubCom, except in the Pester tests, which point it (through reflection) at a
    /// stand-in that answers with api.github.com's paths. Nothing in the module changes it.
    /// </summary>
    internal static GitHubHost GitHubComEndpoint = GitHubCom;

    /// <summary>A github.com played by a test's stand-in: web pages at <paramref name="web"/>, REST at
    /// <paramref name="api"/>.</summary>
    internal static GitHubHost StandIn(Uri web, Uri api) => new GitHubHost(web, api, false);

    private GitHubHost(Uri webUrl, Uri apiUrl, bool isEnterprise)
    {
        WebUrl = webUrl;
        ApiUrl = apiUrl;
        IsEnterprise = isEnterprise;
    }

    public Uri WebUrl { get; }

    /// <summary>The REST API root, always ending with a slash.</summary>
    public Uri ApiUrl { get; }
    public bool IsEnterprise { get; }

    /// <summary>
    /// github.com when <paramref name="hostUrl"/> is empty or github.com; otherwise a GitHub Enterprise
    /// Server at that address. Plain http is accepted for a loopback address only.
    /// </summary>
    public static GitHubHost FromHostUrl(string? hostUrl)
    {
        if (string.IsNullOrWhiteSpace(hostUrl))
            return GitHubComEndpoint;
        var text = hostUrl!.Trim();
        if (text.IndexOf("://", StringComparison.Ordinal) < 0)
            text = "https://" + text;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
            throw Invalid(hostUrl, "is not a web address");
        if (uri.Scheme == "http" && !uri.IsLoopback)
            throw Invalid(hostUrl, "uses http; GitHub Enterprise Server is reached over https");
        var host = uri.Host.ToLowerInvariant();
        if (host == "github.com" || host == "www.github.com" || host == "api.github.com")
            return GitHubComEndpoint;
        var web = new UriBuilder(uri.Scheme, uri.Host, uri.Port).Uri;
        return new GitHubHost(web, new Uri(web, "api/v3/"), true);
    }

    /// <summary>The host URL as the store keeps it: empty for github.com.</summary>
    public string? HostUrl => IsEnterprise ? WebUrl.GetLeftPart(UriPartial.Authority) : null;

    /// <summary>The page that creates an app from a manifest, owned by the organization.</summary>
    public Uri ManifestUrl(string organization, string state) =>
        new Uri(
            WebUrl,
            $"organizations/{Uri.EscapeDataString(organization)}/settings/apps/new?state={Uri.EscapeDataString(state)}"
        );

    /// <summary>
    /// The app's settings page, where its owner deletes it: in the organization's settings, or the user's.
    /// </summary>
    public Uri AppSettingsUrl(GitHubAccount owner, string slug)
    {
        var organization = string.Equals(owner.Type, "Organization", StringComparison.OrdinalIgnoreCase);
        var settings = organization ? $"organizations/{Uri.EscapeDataString(owner.Login)}/settings/" : "settings/";
        return new Uri(WebUrl, settings + "apps/" + Uri.EscapeDataString(slug));
    }

    /// <summary>The organization's list of its GitHub Apps (Settings, Developer settings, GitHub Apps).</summary>
    public Uri OrganizationAppsUrl(string organization) =>
        new Uri(WebUrl, $"organizations/{Uri.EscapeDataString(organization)}/settings/apps");

    /// <summary>The page where an admin installs the app (from the app's html_url, which names it by slug).</summary>
    public static Uri InstallUrl(string appHtmlUrl) => new Uri(appHtmlUrl.TrimEnd('/') + "/installations/new");

    public override string ToString() => WebUrl.ToString();

    private static GitIntegrationException Invalid(string? value, string why) =>
        new GitIntegrationException(
            GitHubErrorIds.HostUrlInvalid,
            ErrorKind.InvalidArgument,
            $"The host URL '{value}' {why}. Give the address of the GitHub Enterprise Server, e.g. "
                + "https://github.example.com, or leave -HostUrl out for github.com."
        )
        {
            Target = value,
        };
}
