using System;
using System.Linq;
using GitIntegration.Core.Git;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// Azure DevOps has no REST API that adds an SSH public key (its keys are added by hand on the user's settings
/// page), so publishing to it is an error that names that page, for the organization the clone URL belongs to.
/// Docs: https://learn.microsoft.com/azure/devops/repos/git/use-ssh-keys-to-authenticate.
/// </summary>
public static class AzureDevOpsKeyPage
{
    /// <summary>The page where the key is added: https://dev.azure.com/{organization}/_usersSettings/keys for
    /// Azure DevOps Services; the server's own user settings for Azure DevOps Server.</summary>
    public static string For(GitUrl url)
    {
        var host = url.Host.ToLowerInvariant();
        var segments = url.Path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        string? org = null;
        if (
            (host == "ssh.dev.azure.com" || host == "vs-ssh.visualstudio.com")
            && segments.Length > 1
            && segments[0] == "v3"
        )
            org = segments[1];
        else if (host == "dev.azure.com" && segments.Length > 0)
            org = segments[0];
        else if (host.EndsWith(".visualstudio.com", StringComparison.Ordinal) && host != "vs-ssh.visualstudio.com")
            org = host.Substring(0, host.Length - ".visualstudio.com".Length);
        if (org != null && org.All(c => char.IsLetterOrDigit(c) || c == '-' || c == '_' || c == '.'))
            return $"https://dev.azure.com/{org}/_usersSettings/keys";
        return HostProfiles.For(url).Kind == HostKind.AzureDevOpsServer
            ? HostProfiles.Get(HostKind.AzureDevOpsServer).AddKeyPageFor(url.Host)
            : "https://dev.azure.com/{your organization}/_usersSettings/keys";
    }

    /// <summary>The error for a repository on Azure DevOps: no API, and the page where the key goes.</summary>
    public static GitIntegrationException NoKeyApi(GitUrl url) =>
        new GitIntegrationException(
            HostErrorIds.NoKeyApi,
            ErrorKind.NotImplemented,
            $"Azure DevOps has no API that adds an SSH key, so '{url}' cannot get one from here. Add the public "
                + $"key yourself on {For(url)} (User settings > SSH public keys > New Key); Azure DevOps accepts RSA "
                + "keys only."
        )
        {
            Target = url.ToString(),
        };
}
