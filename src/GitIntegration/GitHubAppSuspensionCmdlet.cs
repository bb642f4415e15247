using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>Suspend-GitHubApp and Resume-GitHubApp: the same selection and store update, opposite API calls.</summary>
public abstract class GitHubAppSuspensionCmdlet : GitHubAppCmdletBase
{
    /// <summary><para type="description">Names of the app integrations; wildcards are allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public override string[]? Name
    {
        get => base.Name;
        set => base.Name = value;
    }

    /// <summary><para type="description">Returns the updated integration.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private protected abstract bool Suspend { get; }

    /// <summary>Changes each installation.</summary>
    protected override void ProcessRecord()
    {
        var store = OpenStore();
        foreach (var i in SelectApps(store))
        {
            try
            {
                var installation = GitHubAppIntegration.RequireInstallationId(i);
                if (
                    !ShouldProcess(
                        $"{i.Name} (installation {installation} on {i.Organization})",
                        Suspend ? "Suspend the installation" : "Resume the installation"
                    )
                )
                    continue;
                using var http = GitHub.Http(i);
                var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                GitHub.Run(async c =>
                {
                    var call = Suspend ? client.SuspendAsync(installation, c) : client.ResumeAsync(installation, c);
                    await call.ConfigureAwait(false);
                    return true;
                });
                var changed = GitHubAppIntegration.Change(
                    store,
                    i.Id,
                    x => x.Status = Suspend ? IntegrationStatus.Suspended : IntegrationStatus.Active
                );
                if (PassThru)
                    WriteObject(changed);
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, i);
            }
        }
    }
}
