using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>Suspend-GitHubApp and Resume-GitHubApp: the same selection and store update, opposite API calls.</summary>
    public abstract class GitHubAppSuspensionCmdlet : GitHubAppCmdletBase
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

        private protected abstract bool Suspend { get; }

        /// <summary>Changes each installation.</summary>
        protected override void ProcessRecord()
        {
            var store = OpenStore();
            foreach (var i in SelectApps(store, Name, Id))
            {
                try
                {
                    var installation = GitHubAppIntegration.RequireInstallationId(i);
                    if (!ShouldProcess($"{i.Name} (installation {installation} on {i.Organization})", Suspend ? "Suspend the installation" : "Resume the installation")) continue;
                    using var http = Http(i);
                    var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                    Run(async c => { await (Suspend ? client.SuspendAsync(installation, c) : client.ResumeAsync(installation, c)).ConfigureAwait(false); return true; });
                    var changed = GitHubAppIntegration.Change(store, i.Id, x => x.Status = Suspend ? IntegrationStatus.Suspended : IntegrationStatus.Active);
                    if (PassThru) WriteObject(changed);
                }
                catch (GitIntegrationException e) { WriteFailure(e, i); }
            }
        }
    }
}
