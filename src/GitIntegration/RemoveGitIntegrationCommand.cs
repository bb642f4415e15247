using System;
using System.Collections.Generic;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Removes integrations from the store, with the secrets and key files the store holds for them.</para>
    /// <para type="description">Removes each integration given by -Name, -Id or from the pipeline, asking first (ConfirmImpact High; -Force or
    /// -Confirm:$false for runbooks). The passphrase and token files and inline-imported key files it owned are deleted too. Entries in a
    /// SecretManagement vault and key files elsewhere (such as ~/.ssh) belong to their owners and are left alone.</para>
    /// </summary>
    /// <example>
    /// <code>Remove-GitIntegration old-billing</code>
    /// <para>Removes the integration named old-billing after confirmation.</para>
    /// </example>
    /// <example>
    /// <code>Get-GitIntegration -Type GitHubApp -Status Installing | Remove-GitIntegration -Force</code>
    /// <para>Removes the GitHub App integrations stuck in Installing status without prompting, as the GitHub App guide advises.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Remove, "GitIntegration", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = NameSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveGitIntegrationCommand : GitIntegrationCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        /// <summary><para type="description">Names of the integrations to remove; wildcards are allowed.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NameSet)]
        [ArgumentCompleter(typeof(IntegrationNameCompleter))]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary><para type="description">Ids of the integrations to remove. Get-GitIntegration output binds here.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
        public Guid[]? Id { get; set; }

        /// <summary><para type="description">Removes without asking for confirmation.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">The store file (or its folder) to change instead of $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
        [Parameter]
        public string? StorePath { get; set; }

        /// <summary>Removes each integration.</summary>
        protected override void ProcessRecord()
        {
            var store = IntegrationStoreAccess.Open(this, StorePath);
            List<Integration> targets;
            try { targets = IntegrationStoreAccess.Select(store.Load(), Name, Id, e => WriteFailure(e)); }
            catch (GitIntegrationException e) { Fail(e); return; }
            foreach (var target in targets)
            {
                // -Force skips the confirmation that ConfirmImpact High asks for; -WhatIf still only reports.
                bool whatIf = MyInvocation.BoundParameters.ContainsKey("WhatIf");
                if (!(Force && !whatIf) && !ShouldProcess($"{target.Name} ({target.Id}, {target.Url})", "Remove integration")) continue;
                try
                {
                    var removed = store.Update(doc =>
                    {
                        var i = doc.Find(target.Id);
                        if (i != null) doc.Integrations.Remove(i);
                        return i;
                    });
                    if (removed == null) continue;
                    store.DeleteOwned(removed);
                    WriteVerbose($"Removed the integration '{removed.Name}' ({removed.Id}) from '{store.Path}'.");
                }
                catch (GitIntegrationException e) { WriteFailure(e, target); }
            }
        }
    }
}
