using System;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Hosts;

/// <summary>
/// Publishing deploy keys with a GitHub App integration instead of a personal token: the installation's access
/// token, renewed as it expires. GitHub lets an installation token manage deploy keys only when the app has the
/// administration permission (read and write); an installation without it is refused before any key is sent.
/// </summary>
public static class GitHubAppKeyAccess
{
    public const string Permission = "the administration permission (read and write)";

    /// <summary>Where the app's repositories' keys are managed: its GitHub's REST API.</summary>
    public static HostEndpoint Endpoint(Integration app)
    {
        var host = GitHubAppIntegration.Host(app);
        return new HostEndpoint(host.IsEnterprise ? KeyHostType.GitHubEnterprise : KeyHostType.GitHub, host.ApiUrl);
    }

    /// <summary>
    /// A connection that authenticates as the app's installation on <paramref name="endpoint"/>, after checking
    /// that the installation has the administration permission (read and write).
    /// </summary>
    public static async Task<HostConnection> ConnectAsync(
        Integration app,
        GitHubHttp http,
        HostEndpoint endpoint,
        RestOptions options,
        CancellationToken cancel
    )
    {
        var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(app));
        var installationId = GitHubAppIntegration.RequireInstallationId(app);
        var installation = await client.GetInstallationAsync(installationId, cancel).ConfigureAwait(false);
        string? level = null;
        installation.Permissions?.TryGetValue("administration", out level);
        if (level != "write")
            throw new GitIntegrationException(
                HostErrorIds.ScopeMissing,
                ErrorKind.PermissionDenied,
                $"The GitHub App of the integration '{app.Name}' cannot add deploy keys: its installation on "
                    + $"{app.Organization} has {(level == null ? "no" : "only " + level)} administration permission, "
                    + $"and GitHub needs {Permission} for deploy keys. Grant it in the app's settings (Permissions & "
                    + "events, Repository permissions, Administration: Read and write), approve the new permission on "
                    + "the organization's installation, and run the command again; or publish with a token (-Token)."
            )
            {
                Target = app.Name,
            };
        return new HostConnection(endpoint, c => client.GetInstallationTokenAsync(installationId, c), options)
        {
            AppPermission = Permission,
        };
    }
}
