using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Jira;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Sends the store's integrations to Git Integration for Jira on a Jira Data Center or Server:
/// adds what Jira lacks, updates what differs, and, only with -RemoveMissing, removes what the store does not
/// have.</para>
/// <para type="description">Lists the app's repositories with its REST API (rest/gitplugin/1.0/repository) and matches
/// them to the integrations by origin. An integration Jira lacks is added; one whose name, origin, disabled state, SSL
/// verification or main branch differs is updated (its clone in Jira stays where it is); one that is the same is
/// Unchanged, so publishing again changes nothing. Only verified integrations go (status Connected after
/// Test-GitIntegration or Connect-GitRepository); -IncludeUntested sends the others too. GitHub App integrations cannot
/// be created through this API and are Skipped.
/// A token goes with its repository in the API's pat field, over https, and is never written anywhere. The API has no
/// field for an SSH private key: the app uses one set of SSH keys for all repositories, added on Jira's Git ➜ SSH Keys
/// page, so the command names the key files to add there and never sends them. With -RemoveMissing, repositories Jira
/// has and the store does not are removed from the app's configuration (their files in Jira are kept); each removal
/// asks for confirmation unless -Force.
/// Returns one result per integration or removed repository: Name, Origin, Action (Created, Updated, Unchanged,
/// Removed, Skipped, Failed), JiraId and Reason. -WhatIf shows the plan. A credential that Jira refuses, an account
/// that is not a Jira administrator, a Jira without the app, or a certificate that is not trusted stops the command; a
/// repository Jira refuses fails alone, with Jira's message.</para>
/// </summary>
/// <example>
/// <code>Publish-GitIntegration -JiraUrl https://jira.example.com -Credential (Get-Credential)</code>
/// <para>Adds to Jira every verified integration it lacks and updates those that differ.</para>
/// </example>
/// <example>
/// <code>Publish-GitIntegration -JiraUrl https://jira.example.com -Token $pat -RemoveMissing -WhatIf</code>
/// <para>Shows what publishing would add, update and remove, without changing Jira.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration billing* | Publish-GitIntegration -JiraUrl https://jira.example.com -Token $pat -ThrottleLimit 8</code>
/// <para>Publishes only the integrations whose names start with billing, eight calls to Jira at a time.</para>
/// </example>
[Cmdlet(
    VerbsData.Publish,
    "GitIntegration",
    SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = CredentialSet
)]
[OutputType(typeof(JiraSyncResult))]
public sealed class PublishGitIntegrationCommand : JiraCmdletBase
{
    /// <summary>
    /// <para type="description">Integrations from Get-GitIntegration. Without them, every integration of the store is
    /// published.</para>
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public Integration[]? InputObject { get; set; }

    /// <summary>
    /// <para type="description">Also publishes integrations that are not verified (never checked, or failed their last
    /// check).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeUntested { get; set; }

    /// <summary>
    /// <para type="description">Removes from Jira the repositories whose origin no integration of the store has (all of
    /// the store, whatever was piped in). Jira's clone files are kept.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter RemoveMissing { get; set; }

    /// <summary>
    /// <para type="description">Removes without asking for each repository (with -RemoveMissing).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">How many calls to Jira run at the same time.</para></summary>
    [Parameter]
    [ValidateRange(1, 32)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>
    /// <para type="description">The store file (or its folder) instead of $env:GITINTEGRATION_STORE or the per-user
    /// default.</para>
    /// </summary>
    [Parameter]
    public string? StorePath { get; set; }

    private readonly List<Guid> _piped = new List<Guid>();
    private bool _selecting;
    private Throttled<JiraSyncResult>? _work;
    private int _done,
        _total;

    /// <summary>Collects the piped integrations.</summary>
    protected override void ProcessRecord()
    {
        if (InputObject == null)
            return;
        _selecting = true;
        foreach (var i in InputObject)
            _piped.Add(i.Id);
    }

    /// <summary>Plans, confirms and carries out the changes.</summary>
    protected override void EndProcessing()
    {
        var store = IntegrationStoreAccess.Open(this, StorePath);
        StoreDocument doc = null!;
        try
        {
            doc = store.Load();
        }
        catch (GitIntegrationException e)
        {
            Fail(e, store.Path);
        }
        var selected =
            _selecting || MyInvocation.ExpectingInput
                ? doc.Integrations.Where(i => _piped.Contains(i.Id)).ToList()
                : doc.Integrations;
        using var client = OpenJira();
        var plan = JiraSync.Plan(
            selected,
            doc,
            ListJira(client),
            new JiraPlanOptions { IncludeUnverified = IncludeUntested, RemoveMissing = RemoveMissing }
        );

        var approved = new List<JiraChange>();
        var tokens = new Dictionary<Guid, string?>();
        foreach (var change in plan)
        {
            if (!change.IsWork)
            {
                WriteResult(change.Result(change.Action, null, change.Exception));
                continue;
            }
            if (!ShouldProcess($"'{change.Name}' ({change.Origin})", change.Describe()))
                continue;
            if (change.Action == JiraSyncAction.Removed && !ConfirmRemoval(change))
                continue;
            if (change.Integration is Integration i && i.TokenRef != null)
            {
                try
                {
                    tokens[i.Id] = store.ReadSecret(i.TokenRef);
                }
                catch (GitIntegrationException e)
                {
                    WriteResult(change.Result(JiraSyncAction.Failed, null, e));
                    continue;
                }
            }
            approved.Add(change);
        }
        WarnAboutSshKeys(approved);

        _total = approved.Count;
        using (_work = new Throttled<JiraSyncResult>(ThrottleLimit))
        {
            foreach (var change in approved)
                _work.Add(
                    cancel =>
                        JiraSync
                            .ApplyAsync(client, change, i => tokens.TryGetValue(i.Id, out var t) ? t : null, cancel)
                            .GetAwaiter()
                            .GetResult(),
                    Emit
                );
            _work.Drain(block: true);
        }
        WriteProgress(new ProgressRecord(1, Activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    private const string Activity = "Publishing integrations to Jira";

    private void Emit(Func<JiraSyncResult> finished)
    {
        JiraSyncResult r;
        try
        {
            r = finished();
        }
        catch (GitIntegrationException e)
        {
            _work!.Cancel();
            Fail(e, JiraUrl);
            return;
        }
        _done++;
        WriteProgress(
            new ProgressRecord(1, Activity, $"{_done} of {_total}: {r.Action} '{r.Name}'")
            {
                PercentComplete = (int)(100L * _done / Math.Max(1, _total)),
            }
        );
        WriteResult(r);
    }

    private void WriteResult(JiraSyncResult r)
    {
        if (r.Action == JiraSyncAction.Failed && r.Exception != null)
            WriteFailure(r.Exception, r.Name);
        else if (r.Action == JiraSyncAction.Skipped)
            WriteVerbose(r.Reason ?? $"'{r.Name}' skipped.");
        WriteObject(r);
    }

    /// <summary>
    /// A removal is confirmed by -Force or -Confirm:$false; otherwise the user is asked, and a session that cannot ask
    /// refuses.
    /// </summary>
    private bool ConfirmRemoval(JiraChange change)
    {
        if (
            Force
            || MyInvocation.BoundParameters.TryGetValue("Confirm", out var c) && c is SwitchParameter s && !s.IsPresent
        )
            return true;
        try
        {
            return ShouldContinue(
                $"Remove the repository '{change.Name}' ({change.Origin}) from Jira at {JiraUrl}? The store has "
                    + "no integration with this origin.",
                "Remove from Jira"
            );
        }
        catch (Exception e)
            when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException)
        {
            WriteFailure(
                new GitIntegrationException(
                    JiraErrorIds.RemoveNotConfirmed,
                    ErrorKind.OperationStopped,
                    $"'{change.Name}' ({change.Origin}) was not removed from Jira: this session cannot ask for "
                        + "confirmation. Add -Force to remove without asking."
                )
                {
                    Target = change.Name,
                }
            );
            return false;
        }
    }

    private void WarnAboutSshKeys(List<JiraChange> approved)
    {
        var keys = approved
            .Where(c => c.Action == JiraSyncAction.Created && c.Integration?.PrivateKeyPath != null)
            .Select(c => c.Integration!.PrivateKeyPath!)
            .Distinct()
            .ToList();
        foreach (var key in keys)
            WriteWarning(
                $"Jira's repository API has no field for an SSH private key, so '{key}' was not sent. Add it "
                    + "once on Jira's Git ➜ SSH Keys page (the app uses one set of keys for all repositories), or "
                    + "Jira cannot fetch the repositories that use it."
            );
    }

    /// <summary>Ctrl+C: cancels the calls to Jira still running.</summary>
    protected override void StopProcessing() => _work?.Cancel();
}
