using System;
using System.Linq;

namespace GitIntegration.Core.Git;

/// <summary>
/// HTTPS ↔ SSH clone URLs, written the way each host's own "Clone" button writes them
/// (Azure DevOps v3 paths, Bitbucket Server's /scm/ and port 7999, GitBlit's /r/ and port 29418...).
/// </summary>
public static class GitUrlConverter
{
    public static GitUrl ToSsh(GitUrl url, string? user = null, int? port = null, HostKind? kind = null)
    {
        var profile = kind != null ? HostProfiles.Get(kind.Value) : HostProfiles.For(url);
        if (url.IsSsh)
            return user == null && port == null
                ? url
                : url.With(user: user, port: port, scpLike: port == null && url.IsScpLike);
        if (!url.IsHttp)
            throw NotConvertible(url, "SSH");
        var path = url.Path.TrimStart('/');
        var login = user ?? profile.SshUser;
        switch (profile.Kind)
        {
            case HostKind.AzureDevOps:
            {
                // https://dev.azure.com/ORG/PROJECT/_git/REPO or
                // https://ORG.visualstudio.com[/DefaultCollection]/PROJECT/_git/REPO
                var parts = path.Split('/').Where(p => p.Length > 0).ToList();
                if (url.Host.EndsWith(".visualstudio.com", StringComparison.Ordinal))
                {
                    parts.Insert(0, url.Host.Substring(0, url.Host.IndexOf('.')));
                    if (parts.Count > 1 && parts[1].Equals("DefaultCollection", StringComparison.OrdinalIgnoreCase))
                        parts.RemoveAt(1);
                }
                var git = parts.IndexOf("_git");
                if (git != 2 || parts.Count != 4)
                    throw NotConvertible(
                        url,
                        "SSH",
                        "an Azure DevOps URL reads https://dev.azure.com/ORG/PROJECT/_git/REPO"
                    );
                return new GitUrl(
                    GitTransport.Ssh,
                    login,
                    "ssh.dev.azure.com",
                    port,
                    $"v3/{parts[0]}/{parts[1]}/{parts[3]}",
                    scpLike: port == null
                );
            }
            case HostKind.AzureDevOpsServer:
                return new GitUrl(
                    GitTransport.Ssh,
                    user,
                    url.Host,
                    port ?? profile.SshPort,
                    "/" + path.Replace("/_git/", "/_ssh/")
                );
            case HostKind.AwsCodeCommit:
                return new GitUrl(GitTransport.Ssh, user, url.Host, port, "/" + path);
            case HostKind.BitbucketServer:
            {
                var scm = url.Path.IndexOf("/scm/", StringComparison.Ordinal);
                var rest = scm >= 0 ? url.Path.Substring(scm + 5) : path;
                return new GitUrl(GitTransport.Ssh, login, url.Host, port ?? profile.SshPort, "/" + WithGit(rest));
            }
            case HostKind.GitBlit:
                return new GitUrl(
                    GitTransport.Ssh,
                    login,
                    url.Host,
                    port ?? profile.SshPort,
                    "/" + WithGit(path.StartsWith("r/", StringComparison.Ordinal) ? path.Substring(2) : path)
                );
            case HostKind.Gerrit:
                // Gerrit serves authenticated HTTP under /a/; over SSH the project name is the whole path.
                return new GitUrl(
                    GitTransport.Ssh,
                    login,
                    url.Host,
                    port ?? profile.SshPort,
                    "/" + (path.StartsWith("a/", StringComparison.Ordinal) ? path.Substring(2) : path)
                );
            case HostKind.Beanstalk:
            {
                // https://ACCOUNT.git.beanstalkapp.com/REPO.git -> git@ACCOUNT.beanstalkapp.com:/ACCOUNT/REPO.git
                var account = url.Host.Substring(0, url.Host.IndexOf('.'));
                return new GitUrl(
                    GitTransport.Ssh,
                    login,
                    $"{account}.beanstalkapp.com",
                    port,
                    $"/{account}/{WithGit(path)}",
                    scpLike: port == null
                );
            }
            default:
                return port == null || port == 22
                    ? new GitUrl(GitTransport.Ssh, login, url.Host, null, WithGit(path), scpLike: true)
                    : new GitUrl(GitTransport.Ssh, login, url.Host, port, "/" + WithGit(path));
        }
    }

    public static GitUrl ToHttps(GitUrl url, HostKind? kind = null)
    {
        var profile = kind != null ? HostProfiles.Get(kind.Value) : HostProfiles.For(url);
        if (url.IsHttp)
            return new GitUrl(GitTransport.Https, null, url.Host, url.Port == 443 ? null : url.Port, url.Path);
        if (!url.IsSsh)
            throw NotConvertible(url, "HTTPS");
        var path = url.Path.TrimStart('/');
        switch (profile.Kind)
        {
            case HostKind.AzureDevOps:
            {
                var parts = path.Split('/');
                if (parts.Length != 4 || parts[0] != "v3")
                    throw NotConvertible(
                        url,
                        "HTTPS",
                        "an Azure DevOps SSH URL reads git@ssh.dev.azure.com:v3/ORG/PROJECT/REPO"
                    );
                return Https("dev.azure.com", $"/{parts[1]}/{parts[2]}/_git/{parts[3]}");
            }
            case HostKind.AzureDevOpsServer:
                return Https(url.Host, "/" + path.Replace("/_ssh/", "/_git/"));
            case HostKind.BitbucketServer:
                return Https(url.Host, "/scm/" + WithGit(path));
            case HostKind.GitBlit:
                return Https(url.Host, "/r/" + WithGit(path));
            case HostKind.Gerrit:
            case HostKind.AwsCodeCommit:
                return Https(url.Host, "/" + path);
            case HostKind.Beanstalk:
            {
                var account = url.Host.Substring(0, url.Host.IndexOf('.'));
                var repo = path.StartsWith(account + "/", StringComparison.Ordinal)
                    ? path.Substring(account.Length + 1)
                    : path;
                return Https($"{account}.git.beanstalkapp.com", "/" + WithGit(repo));
            }
            default:
            {
                // The port-443 SSH endpoints serve the same repositories as the main host.
                var host = profile.Port443Host == url.Host ? profile.HostNames[0] : url.Host;
                return Https(host, "/" + WithGit(path));
            }
        }
    }

    /// <summary>The same repository through the host's SSH-over-443 endpoint, when the host has one.</summary>
    public static GitUrl? ToPort443(GitUrl url)
    {
        var profile = HostProfiles.For(url);
        if (profile.Port443Host == null)
            return null;
        var ssh = ToSsh(url);
        return new GitUrl(
            GitTransport.Ssh,
            ssh.User ?? profile.SshUser,
            profile.Port443Host,
            443,
            "/" + ssh.Path.TrimStart('/')
        );
    }

    private static GitUrl Https(string host, string path) => new GitUrl(GitTransport.Https, null, host, null, path);

    private static string WithGit(string path)
    {
        path = path.TrimEnd('/');
        return path.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? path : path + ".git";
    }

    private static GitIntegrationException NotConvertible(GitUrl url, string to, string? hint = null) =>
        new GitIntegrationException(
            GitErrorIds.UrlNotConvertible,
            ErrorKind.InvalidArgument,
            $"Cannot write '{url}' as an {to} URL{(hint != null ? ": " + hint : "")}. Copy the {to} clone URL "
                + "from the repository's page instead."
        )
        {
            Target = url.ToString(),
        };
}
