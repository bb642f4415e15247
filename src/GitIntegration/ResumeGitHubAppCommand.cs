using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Resume the installation of GitHub App integrations.</para>
/// <para type="description">Resumes a suspended installation (DELETE /app/installations/{id}/suspended); the
/// integration's Status becomes Active again.</para>
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
public sealed class ResumeGitHubAppCommand : GitHubAppSuspensionCmdlet
{
    private protected override bool Suspend => false;
}
