using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Resume the installation of GitHub App integrations.</para>
    /// <para type="description">Resumes a suspended installation (DELETE /app/installations/{id}/suspended); the integration's Status becomes Active again.</para>
    /// </summary>
    /// <example>
    /// <code>Resume-GitHubApp acme-app</code>
    /// <para>Resumes the installation suspended with Suspend-GitHubApp (or on the GitHub web page).</para>
    /// </example>
    /// <example>
    /// <code>Get-GitIntegration -Type GitHubApp | Resume-GitHubApp -PassThru</code>
    /// <para>Does it for every github.com app integration and returns the updated integrations.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Resume, "GitHubApp", SupportsShouldProcess = true, DefaultParameterSetName = "Name")]
    [OutputType(typeof(Integration))]
    public sealed class ResumeGitHubAppCommand : GitHubAppCmdletBase
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
                    if (!ShouldProcess($"{i.Name} (installation {installation} on {i.Organization})", "Resume the installation")) continue;
                    using var http = Http(GitHubAppIntegration.Host(i));
                    var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                    Run(async c => { await client.ResumeAsync(installation, c).ConfigureAwait(false); return true; });
                    var changed = GitHubAppIntegration.Change(store, i.Id, x => x.Status = IntegrationStatus.Active);
                    if (PassThru) WriteObject(changed);
                }
                catch (GitIntegrationException e) { WriteFailure(e, i); }
            }
        }
    }
}
