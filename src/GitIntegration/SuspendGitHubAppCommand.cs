using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Suspend the installation of GitHub App integrations.</para>
    /// <para type="description">Suspends the app's installation on the organization (PUT /app/installations/{id}/suspended): GitHub refuses its tokens until it is resumed. This is the recommended way, from the owner side; the integration's Status becomes Suspended.</para>
    /// </summary>
    /// <example>
    /// <code>Suspend-GitHubApp acme-app</code>
    /// <para>Suspends the installation of the integration acme-app, for example during a GitHub maintenance or an audit.</para>
    /// </example>
    /// <example>
    /// <code>Get-GitIntegration -Type GitHubApp | Suspend-GitHubApp -PassThru</code>
    /// <para>Does it for every github.com app integration and returns the updated integrations.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Suspend, "GitHubApp", SupportsShouldProcess = true, DefaultParameterSetName = "Name")]
    [OutputType(typeof(Integration))]
    public sealed class SuspendGitHubAppCommand : GitHubAppCmdletBase
    {
        /// <summary><para type="description">Names of the app integrations (wildcards allowed).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
        [ArgumentCompleter(typeof(IntegrationNameCompleter))]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary><para type="description">Ids of the integrations; Get-GitIntegration output binds here.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
        public Guid[]? Id { get; set; }

        /// <summary><para type="description">Returns the updated integration.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Changes each installation.</summary>
        protected override void ProcessRecord()
        {
            var store = OpenStore();
            foreach (var i in SelectApps(store, Name, Id))
            {
                try
                {
                    var installation = GitHubAppIntegration.RequireInstallationId(i);
                    if (!ShouldProcess($"{i.Name} (installation {installation} on {i.Organization})", "Suspend the installation")) continue;
                    using var http = Http(GitHubAppIntegration.Host(i));
                    var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                    Run(async c => { await client.SuspendAsync(installation, c).ConfigureAwait(false); return true; });
                    var changed = GitHubAppIntegration.Change(store, i.Id, x => x.Status = IntegrationStatus.Suspended);
                    if (PassThru) WriteObject(changed);
                }
                catch (GitIntegrationException e) { WriteFailure(e, i); }
            }
        }
    }
}
