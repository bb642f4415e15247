using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Hosts;

/// <summary>Which host's API a repository's keys are managed through.</summary>
public sealed class HostEndpoint
{
    public HostEndpoint(KeyHostType type, Uri apiUrl)
    {
        Type = type;
        ApiUrl = apiUrl.AbsoluteUri.EndsWith("/", StringComparison.Ordinal) ? apiUrl : new Uri(apiUrl + "/");
    }

    public KeyHostType Type { get; }

    /// <summary>The REST API root, ending with a slash.</summary>
    public Uri ApiUrl { get; }

    public override string ToString() => $"{Type} {ApiUrl}";

    public override bool Equals(object? obj) => obj is HostEndpoint e && e.Type == Type && e.ApiUrl == ApiUrl;

    public override int GetHashCode() => Type.GetHashCode() ^ ApiUrl.GetHashCode();
}

/// <summary>
/// An endpoint with its credentials and client options. The token is asked for each request (a GitHub App's
/// installation token renews itself); it is never written anywhere but the Authorization header.
/// </summary>
public sealed class HostConnection
{
    public HostConnection(
        HostEndpoint endpoint,
        Func<CancellationToken, Task<string>> token,
        RestOptions? options = null,
        string? userName = null
    )
    {
        Endpoint = endpoint;
        Token = token;
        Options = options ?? new RestOptions();
        UserName = userName;
    }

    /// <summary>A connection with a fixed token (a personal access token).</summary>
    public static HostConnection WithToken(
        HostEndpoint endpoint,
        string token,
        RestOptions? options = null,
        string? userName = null
    ) => new HostConnection(endpoint, _ => Task.FromResult(token), options, userName);

    public HostEndpoint Endpoint { get; }
    public Func<CancellationToken, Task<string>> Token { get; }
    public RestOptions Options { get; }

    /// <summary>For hosts that pair the token with a user name (Bitbucket Cloud's app passwords).</summary>
    public string? UserName { get; }

    /// <summary>What a missing permission is called, to name it in errors: "the administration permission
    /// (read and write)" for a GitHub App; null for a personal token (the host's scopes are named).</summary>
    public string? AppPermission { get; set; }
}

/// <summary>A host the module can publish keys to: what it is, which host profiles it covers, how its API is
/// found from a clone URL, and how it is created.</summary>
public sealed class KeyHostRegistration
{
    public KeyHostRegistration(
        KeyHostType type,
        IReadOnlyList<HostKind> kinds,
        Func<GitUrl, Uri> defaultApiUrl,
        Func<HostConnection, IKeyHost> create
    )
    {
        Type = type;
        Kinds = kinds;
        DefaultApiUrl = defaultApiUrl;
        Create = create;
    }

    public KeyHostType Type { get; }
    public IReadOnlyList<HostKind> Kinds { get; }
    public Func<GitUrl, Uri> DefaultApiUrl { get; }
    public Func<HostConnection, IKeyHost> Create { get; }
}

/// <summary>The hosts with a key API, and how a repository URL finds its host.</summary>
public static class KeyHosts
{
    // One entry per host type; a new host adds its line here.
    private static readonly List<KeyHostRegistration> Registered = new List<KeyHostRegistration>
    {
        new KeyHostRegistration(
            KeyHostType.GitHub,
            new[] { HostKind.GitHub },
            _ => GitHubHost.GitHubComEndpoint.ApiUrl,
            c => new GitHubKeyHost(c)
        ),
        new KeyHostRegistration(
            KeyHostType.GitHubEnterprise,
            new[] { HostKind.GitHubEnterprise },
            url => new Uri(WebRoot(url), "api/v3/"),
            c => new GitHubKeyHost(c)
        ),
        new KeyHostRegistration(
            KeyHostType.GitLab,
            new[] { HostKind.GitLab, HostKind.GitLabSelfManaged },
            url =>
                url.Host == "altssh.gitlab.com"
                    ? new Uri("https://gitlab.com/api/v4/")
                    : new Uri(WebRoot(url), "api/v4/"),
            c => new GitLabKeyHost(c)
        ),
        new KeyHostRegistration(
            KeyHostType.BitbucketCloud,
            new[] { HostKind.BitbucketCloud },
            _ => new Uri("https://api.bitbucket.org/2.0/"),
            c => new BitbucketCloudKeyHost(c)
        ),
        new KeyHostRegistration(
            KeyHostType.BitbucketDataCenter,
            new[] { HostKind.BitbucketServer },
            BitbucketDataCenterKeyHost.DefaultApiUrl,
            c => new BitbucketDataCenterKeyHost(c)
        ),
        new KeyHostRegistration(
            KeyHostType.Gitea,
            Array.Empty<HostKind>(),
            url => new Uri(WebRoot(url), "api/v1/"),
            c => new GiteaKeyHost(c)
        ),
    };

    public static IReadOnlyList<KeyHostRegistration> All => Registered;

    /// <summary>
    /// The host of a repository: <paramref name="type"/> and <paramref name="apiUrl"/> when given (a self-managed
    /// server on a name the module cannot guess), otherwise recognised from the URL through the host profiles.
    /// </summary>
    public static HostEndpoint Resolve(GitUrl url, KeyHostType? type = null, Uri? apiUrl = null)
    {
        if (apiUrl != null)
            CheckApiUrl(apiUrl);
        var profile = HostProfiles.For(url);
        var registration = type is KeyHostType t
            ? Registered.FirstOrDefault(r => r.Type == t)
            : Registered.FirstOrDefault(r => r.Kinds.Contains(profile.Kind));
        if (registration == null)
        {
            if (
                type == KeyHostType.AzureDevOps
                || profile.Kind == HostKind.AzureDevOps
                || profile.Kind == HostKind.AzureDevOpsServer
            )
                throw AzureDevOpsKeyPage.NoKeyApi(url);
            if (type is KeyHostType missing)
                throw new GitIntegrationException(
                    HostErrorIds.HostNotRecognized,
                    ErrorKind.NotImplemented,
                    $"Publishing keys to {missing} is not available in this version of the module; add the "
                        + $"key to '{url}' on the host's own page."
                )
                {
                    Target = url.ToString(),
                };
            throw new GitIntegrationException(
                HostErrorIds.HostNotRecognized,
                ErrorKind.InvalidArgument,
                $"The host of '{url}' ({profile.DisplayName}) is not one whose key API the module knows from "
                    + "its name. For a self-managed server, give its type and API address, e.g. -HostType "
                    + "GitHubEnterprise -ApiUrl https://github.example.com/api/v3, or -HostType GitLab -ApiUrl "
                    + "https://git.example.com/api/v4."
            )
            {
                Target = url.ToString(),
            };
        }
        return new HostEndpoint(registration.Type, apiUrl ?? registration.DefaultApiUrl(url));
    }

    /// <summary>The host's API client for a connection.</summary>
    public static IKeyHost Create(HostConnection connection) =>
        Registered.First(r => r.Type == connection.Endpoint.Type).Create(connection);

    /// <summary>The host name of a clone URL as a web address's authority ([::1] for IPv6).</summary>
    public static string UrlHost(GitUrl url) => url.Host.Contains(":") ? $"[{url.Host}]" : url.Host;

    /// <summary>
    /// The web server of a clone URL: https on its host, and on its port when the URL is an HTTPS one that names a
    /// port (an SSH port says nothing about the web server's).
    /// </summary>
    public static Uri WebRoot(GitUrl url)
    {
        var host = UrlHost(url);
        var port =
            url.Transport == GitTransport.Https && url.Port is int p
                ? ":" + p.ToString(CultureInfo.InvariantCulture)
                : "";
        return new Uri($"https://{host}{port}/");
    }

    private static void CheckApiUrl(Uri apiUrl)
    {
        var loopback = apiUrl.IsLoopback || IPAddress.TryParse(apiUrl.Host, out var ip) && IPAddress.IsLoopback(ip);
        if (!apiUrl.IsAbsoluteUri || !(apiUrl.Scheme == "https" || apiUrl.Scheme == "http" && loopback))
            throw new GitIntegrationException(
                HostErrorIds.ApiUrlInvalid,
                ErrorKind.InvalidArgument,
                $"The API address '{apiUrl}' is not an https address. Give the server's REST API root, e.g. "
                    + "https://github.example.com/api/v3 (a token is only ever sent over https)."
            )
            {
                Target = apiUrl.ToString(),
            };
    }
}
