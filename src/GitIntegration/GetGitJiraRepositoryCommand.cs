using System.Management.Automation;
using GitIntegration.Core.Jira;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Lists the repositories that Git Integration for Jira has on a Jira Data Center or Server, as
/// integration objects.</para>
/// <para type="description">Calls the app's repository REST API (rest/gitplugin/1.0/repository) and returns each
/// repository as the same kind of object Get-GitIntegration returns, with two more properties: JiraUrl (the Jira it
/// came from) and JiraId (its id there).
/// Jira never returns credentials, so these objects have no key, passphrase or token. Import-GitJiraRepository brings
/// them into the store; comparing them with Get-GitIntegration's shows what Jira lacks. Jira Cloud has no such API: for
/// it, use Export-GitIntegration -Format Tsv and the app's Bulk Change page.</para>
/// </summary>
/// <example>
/// <code>Get-GitJiraRepository -JiraUrl https://jira.example.com -Credential (Get-Credential)</code>
/// <para>Lists the repositories connected in Jira, with their name, type, status and origin.</para>
/// </example>
/// <example>
/// <code>$jira = Get-GitJiraRepository -JiraUrl https://jira.example.com -Token $pat
/// Compare-Object (Get-GitIntegration).Url $jira.Url</code>
/// <para>Shows which origins only the store has (&lt;=) and which only Jira has (=&gt;), with a personal access token
/// in $pat.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitJiraRepository", DefaultParameterSetName = CredentialSet)]
[OutputType(typeof(Integration))]
public sealed class GetGitJiraRepositoryCommand : JiraCmdletBase
{
    /// <summary>Lists Jira's repositories.</summary>
    protected override void EndProcessing()
    {
        using var client = OpenJira();
        foreach (var r in ListJira(client))
        {
            var o = PSObject.AsPSObject(JiraSync.ToIntegration(r));
            o.Properties.Add(new PSNoteProperty("JiraUrl", client.Options.BaseUrl.ToString()));
            o.Properties.Add(new PSNoteProperty("JiraId", r.Id));
            WriteObject(o);
        }
    }
}
