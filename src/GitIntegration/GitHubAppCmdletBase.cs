using System.Collections.Generic;
using System.Management.Automation;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// What the cmdlets that act on GitHub App integrations share: the selection of every integration cmdlet, narrowed
/// to apps, and Core's GitHub calls run on the pipeline thread (<see cref="GitHubWork"/>).
/// </summary>
public abstract class GitHubAppCmdletBase : IntegrationSelectionCmdlet
{
    private protected GitHubAppCmdletBase() => GitHub = new GitHubWork(this);

    private protected GitHubWork GitHub { get; }

    /// <summary>
    /// The app integrations this record names (wildcards), or all of them; other integrations asked for by
    /// themselves are reported.
    /// </summary>
    private protected List<Integration> SelectApps(IntegrationStore store) =>
        IntegrationStoreAccess.Apps(
            Select(store.Load()),
            Name ?? (Named ? null : new[] { "*" }),
            (e, i) => WriteFailure(e, i)
        );

    /// <summary>Ctrl+C: cancels the wait.</summary>
    protected override void StopProcessing() => GitHub.Stop();
}
