using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Suspend the installation of GitHub App integrations.</para>
/// <para type="description">Suspends the app's installation on the organization (PUT
/// /app/installations/{id}/suspended): GitHub refuses its tokens until it is resumed. This is the recommended way, from
/// the owner side; the integration's Status becomes Suspended.</para>
/// </summary>
/// <example>
/// <code>Suspend-GitHubApp acme-app</code>
/// <para>Suspends the installation of the integration acme-app, for example during a GitHub maintenance or an
/// audit.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitHubApp | Suspend-GitHubApp -PassThru</code>
/// <para>Does it for every github.com app integration and returns the updated integrations.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Suspend, "GitHubApp", SupportsShouldProcess = true, DefaultParameterSetName = "Name")]
[OutputType(typeof(Integration))]
public sealed class SuspendGitHubAppCommand : GitHubAppSuspensionCmdlet
{
    private protected override bool Suspend => true;
}
