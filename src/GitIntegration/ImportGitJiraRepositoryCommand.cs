using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Jira;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Brings the repositories Git Integration for Jira has into the integration store, so an
/// existing Jira setup can be verified, exported, moved or have its keys rotated.</para>
/// <para type="description">Lists the app's repositories with its REST API and imports each as an integration: name,
/// origin, type (from the origin), SSL verification, status (Disabled when Jira has it disabled) and main branch (when
/// not the app's default, master). Repositories are matched to the store by origin: one the store already has and that
/// Jira has the same is Unchanged, so importing again changes nothing; one that differs is Skipped unless -Update. Jira
/// never returns credentials: give an SSH repository its key afterwards with Set-GitIntegration -PrivateKeyPath, then
/// verify it with Test-GitIntegration. Returns one result per repository (Row, Name, Action, Error).</para>
/// </summary>
/// <example>
/// <code>Import-GitJiraRepository -JiraUrl https://jira.example.com -Credential (Get-Credential) -StorePath ./jira-prod</code>
/// <para>Copies the repositories of the production Jira into a new store folder.</para>
/// </example>
/// <example>
/// <code>Import-GitJiraRepository -JiraUrl https://jira.example.com -Token $pat -Update -WhatIf</code>
/// <para>Shows what importing would create and change in the store, without changing it.</para>
/// </example>
[Cmdlet(VerbsData.Import, "GitJiraRepository", SupportsShouldProcess = true, DefaultParameterSetName = CredentialSet)]
[OutputType(typeof(ImportResult))]
public sealed class ImportGitJiraRepositoryCommand : JiraCmdletBase
{
    /// <summary>
    /// <para type="description">Changes integrations the store has whose settings differ from Jira's. Without it, they
    /// are Skipped.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Update { get; set; }

    /// <summary>
    /// <para type="description">The store file (or its folder) to import into instead of $env:GITINTEGRATION_STORE or
    /// the per-user default.</para>
    /// </summary>
    [Parameter]
    public string? StorePath { get; set; }

    /// <summary>Lists Jira's repositories and imports them in one store write.</summary>
    protected override void EndProcessing()
    {
        var store = IntegrationStoreAccess.Open(this, StorePath);
        List<ImportRow> rows;
        using (var client = OpenJira())
            rows = JiraSync.ToRows(ListJira(client));
        bool dryRun = !ShouldProcess(store.Path, $"Import {rows.Count} repositories from Jira at {JiraUrl}");
        if (dryRun && !MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            return;
        const string activity = "Importing Jira's repositories";
        var options = new ImportOptions
        {
            Update = Update,
            DryRun = dryRun,
            Progress = (n, count) =>
                WriteProgress(
                    new ProgressRecord(1, activity, $"Repository {n + 1} of {count}")
                    {
                        PercentComplete = count == 0 ? 100 : (int)(100L * n / count),
                    }
                ),
        };
        IList<ImportResult> results;
        try
        {
            results = IntegrationImport.Run(store, rows, options);
        }
        catch (GitIntegrationException e)
        {
            Fail(e, store.Path);
            return;
        }
        finally
        {
            WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        foreach (var r in results)
        {
            if (r.Action == ImportAction.Failed && r.Exception != null)
                WriteFailure(
                    new GitIntegrationException(r.Exception.ErrorId, r.Exception.Kind, r.Error!, r.Exception),
                    r.Name
                );
            WriteObject(r);
        }
        WriteVerbose(
            $"{(dryRun ? "Would import" : "Imported")} {results.Count(r => r.Action == ImportAction.Created)} new and "
                + $"{results.Count(r => r.Action == ImportAction.Updated)} changed integration(s) into '{store.Path}'."
        );
    }
}
