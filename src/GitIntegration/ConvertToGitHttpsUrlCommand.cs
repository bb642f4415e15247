using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Git;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Turns a repository's SSH clone URL into its HTTPS clone URL, the way the host writes
/// it.</para>
/// <para type="description">The reverse of ConvertTo-GitSshUrl, for when port 22 is blocked and a token is the way in:
/// Azure DevOps v3 paths become https://dev.azure.com/ORG/PROJECT/_git/REPO, Bitbucket Server's port 7999 becomes
/// /scm/, the port-443 SSH endpoints (ssh.github.com, altssh.bitbucket.org) map back to their main host. A pure
/// conversion: nothing is contacted or written.</para>
/// </summary>
/// <example>
/// <code>ConvertTo-GitHttpsUrl git@ssh.dev.azure.com:v3/contoso/web/site</code>
/// <para>Returns https://dev.azure.com/contoso/web/_git/site, to connect with a personal access token instead of a
/// key.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration | Where-Object Status -eq Failed | ConvertTo-GitHttpsUrl</code>
/// <para>The HTTPS URLs of the integrations whose SSH connection fails, to try them over HTTPS.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "GitHttpsUrl")]
[OutputType(typeof(string))]
public sealed class ConvertToGitHttpsUrlCommand : GitIntegrationCmdlet
{
    /// <summary><para type="description">The clone URL to convert (any form git accepts).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Origin", "CloneUrl")]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>
    /// <para type="description">The kind of host, when the URL does not tell (GitBlit and Gerrit both use port
    /// 29418).</para>
    /// </summary>
    [Parameter]
    public HostKind? HostKind { get; set; }

    /// <summary>Converts each URL.</summary>
    protected override void ProcessRecord()
    {
        foreach (var u in Url!)
        {
            try
            {
                WriteObject(GitUrlConverter.ToHttps(GitUrl.Parse(u), HostKind).ToString());
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, u);
            }
        }
    }
}
