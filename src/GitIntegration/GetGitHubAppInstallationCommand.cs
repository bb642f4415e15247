using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Gets the installation of each GitHub App integration from GitHub: account, repository
/// selection, suspension.</para>
/// <para type="description">Asks GitHub (as the app, with a JWT) for the installation of each app integration. An
/// integration still Installing whose app has been installed meanwhile records the installation and becomes Active, so
/// running this after installing the app by hand finishes Install-GitHubApp's work. An integration whose status no
/// longer matches GitHub (suspended or resumed on the GitHub web page) is brought in line.</para>
/// </summary>
/// <example>
/// <code>Get-GitHubAppInstallation</code>
/// <para>Lists the installations of every GitHub App integration in the store.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Status Installing -Type GitHubApp | Get-GitHubAppInstallation</code>
/// <para>Checks the integrations stuck in Installing; those installed meanwhile become Active.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitHubAppInstallation", DefaultParameterSetName = "Name")]
[OutputType(typeof(GitHubAppInstallation))]
public sealed class GetGitHubAppInstallationCommand : GitHubAppCmdletBase
{
    /// <summary>Gets each installation.</summary>
    protected override void ProcessRecord()
    {
        var store = OpenStore();
        foreach (var i in SelectApps(store))
        {
            try
            {
                using var http = GitHub.Http(i);
                var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                var id = GitHubAppIntegration.Long(i, GitHubAppIntegration.InstallationId);
                var installation = id is long known
                    ? GitHub.Run(c => client.GetInstallationAsync(known, c))
                    : GitHub.Run(c => client.FindOrganizationInstallationAsync(i.Organization ?? "", c))
                        ?? throw new GitIntegrationException(
                            GitHubErrorIds.NotInstalled,
                            ErrorKind.ObjectNotFound,
                            $"The app of '{i.Name}' is not installed on {i.Organization}. Install it at "
                                + $"{GitHubAppIntegration.InstallPage(i)} and run this again."
                        )
                        {
                            Target = i.Name,
                        };
                var status = installation.IsSuspended ? IntegrationStatus.Suspended : IntegrationStatus.Active;
                if (id == null || i.Status != status)
                {
                    GitHubAppIntegration.RecordInstallation(store, i.Id, installation);
                    WriteVerbose($"'{i.Name}' is now {status} (installation {installation.Id}).");
                }
                installation.IntegrationName = i.Name;
                WriteObject(installation);
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, i);
            }
        }
    }
}
