using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Git;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Turns a repository's HTTPS clone URL into its SSH clone URL, the way the host writes
/// it.</para>
/// <para type="description">The "change your remote from HTTPS to SSH" step, done right for each host:
/// git@host:org/repo.git for GitHub, GitLab and Bitbucket Cloud; git@ssh.dev.azure.com:v3/ORG/PROJECT/REPO for Azure
/// DevOps; ssh://git@host:7999/PROJ/REPO.git for Bitbucket Server; port 29418 for Gerrit and GitBlit; the SSH key ID as
/// login for AWS CodeCommit. Credentials in the HTTPS URL are dropped.
/// A pure conversion: nothing is contacted or written. An SSH URL is returned as it is.</para>
/// </summary>
/// <example>
/// <code>git remote set-url origin (ConvertTo-GitSshUrl (git remote get-url origin))</code>
/// <para>Switches a working copy's remote from HTTPS to SSH, as the Bitbucket guide asks before connecting with a
/// key.</para>
/// </example>
/// <example>
/// <code>Import-Csv repos.csv | ConvertTo-GitSshUrl</code>
/// <para>Converts the Url column of a list of repositories.</para>
/// </example>
/// <example>
/// <code>ConvertTo-GitSshUrl https://git-codecommit.us-east-2.amazonaws.com/v1/repos/MyDemoRepo -User APKAEIBAERJR2EXAMPLE</code>
/// <para>AWS CodeCommit logs in with the SSH key ID that IAM shows for the uploaded key.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "GitSshUrl")]
[OutputType(typeof(string))]
public sealed class ConvertToGitSshUrlCommand : GitIntegrationCmdlet
{
    /// <summary><para type="description">The clone URL to convert (any form git accepts).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Origin", "CloneUrl")]
    [ValidateNotNullOrEmpty]
    public string[]? Url { get; set; }

    /// <summary>
    /// <para type="description">The SSH login, when it is personal: the SSH key ID on AWS CodeCommit, the account on
    /// Gerrit or GitBlit.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary>
    /// <para type="description">The SSH port, when the server does not use its product's default.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>
    /// <para type="description">The kind of host, when the URL does not tell (a Gerrit server's HTTPS URL looks like
    /// any other).</para>
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
                WriteObject(GitUrlConverter.ToSsh(GitUrl.Parse(u), User, Port, HostKind).ToString());
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, u);
            }
        }
    }
}
