using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Removes integrations from the store, with the secrets and key files the store holds for
/// them.</para>
/// <para type="description">Removes each integration given by -Name, -Id or from the pipeline, asking first
/// (ConfirmImpact High; -Force or -Confirm:$false for runbooks). The passphrase and token files and inline-imported key
/// files it owned are deleted too. Entries in a SecretManagement vault and key files elsewhere (such as ~/.ssh) belong
/// to their owners and are left alone. A GitHub App integration is uninstalled from its organization first (DELETE
/// /app/installations/{id}), so no installation is left behind on GitHub; -KeepInstallation opts out. If GitHub cannot
/// be reached the integration is kept and an error says so.</para>
/// </summary>
/// <example>
/// <code>Remove-GitIntegration old-billing</code>
/// <para>Removes the integration named old-billing after confirmation.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitHubApp -Status Installing | Remove-GitIntegration -Force</code>
/// <para>Removes the GitHub App integrations stuck in Installing status without prompting, as the GitHub App guide
/// advises.</para>
/// </example>
[Cmdlet(
    VerbsCommon.Remove,
    "GitIntegration",
    SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = NameSet
)]
[OutputType(typeof(void))]
public sealed class RemoveGitIntegrationCommand : IntegrationSelectionCmdlet
{
    /// <summary><para type="description">Names of the integrations to remove; wildcards are allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public override string[]? Name
    {
        get => base.Name;
        set => base.Name = value;
    }

    /// <summary><para type="description">Removes without asking for confirmation.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// <para type="description">For a GitHub App integration: leaves the app installed on the organization (by default
    /// it is uninstalled).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter KeepInstallation { get; set; }

    private readonly CancellationTokenSource _stop = new CancellationTokenSource();

    /// <summary>Ctrl+C: stops waiting for GitHub.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Removes each integration.</summary>
    protected override void ProcessRecord()
    {
        var store = OpenStore();
        List<Integration> targets;
        try
        {
            targets = Select(store.Load());
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
            return;
        }
        foreach (var target in targets)
        {
            // -Force skips the confirmation that ConfirmImpact High asks for; -WhatIf still only reports.
            bool whatIf = MyInvocation.BoundParameters.ContainsKey("WhatIf");
            var action = IntegrationRemoval.Action(target, KeepInstallation);
            if (!(Force && !whatIf) && !ShouldProcess($"{target.Name} ({target.Id}, {target.Url})", action))
                continue;
            try
            {
                var outcome = IntegrationRemoval
                    .RemoveAsync(store, target, KeepInstallation, null, _stop.Token)
                    .GetAwaiter()
                    .GetResult();
                if (outcome.Uninstalled == true)
                    WriteVerbose($"Uninstalled the GitHub App of '{target.Name}' from {target.Organization}.");
                else if (outcome.Uninstalled == false)
                    WriteVerbose($"The GitHub App of '{target.Name}' was no longer installed.");
                if (outcome.Removed is Integration removed)
                    WriteVerbose($"Removed the integration '{removed.Name}' ({removed.Id}) from '{store.Path}'.");
            }
            catch (GitIntegrationException e)
            {
                WriteIntegrationFailure(e, target.Name);
            }
        }
    }
}
