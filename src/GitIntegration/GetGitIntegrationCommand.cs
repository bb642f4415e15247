using System;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Lists the integrations in the store: repositories and apps connected with their credential
/// references.</para>
/// <para type="description">Reads the integration store (by default the per-user store, or $env:GITINTEGRATION_STORE,
/// or -StorePath) and returns its integrations, filtered by name (wildcards), id, type and status. No secret is ever
/// returned: passphrases and tokens appear as references to a vault entry or to a protected file.
/// A store that cannot be parsed stops the command with an error naming its line and column; a store folder that
/// another user owns or can write to stops it with the command that makes the folder yours alone.</para>
/// </summary>
/// <example>
/// <code>Get-GitIntegration</code>
/// <para>Lists every integration with its type, status and origin URL.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitHubApp -Status Installing</code>
/// <para>Finds the GitHub App integrations stuck in Installing status, the troubleshooting case of the GitHub App
/// guide.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration billing* | Set-GitIntegration -PrivateKeyPath ~/.ssh/jira_rsa_2025 -Passphrase (Read-Host -AsSecureString)</code>
/// <para>Replaces the private SSH key of every integration whose name starts with billing, with its
/// passphrase.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitIntegration", DefaultParameterSetName = NameSet)]
[OutputType(typeof(Integration))]
public sealed class GetGitIntegrationCommand : IntegrationSelectionCmdlet
{
    /// <summary>
    /// <para type="description">Only integrations of these types (Ssh, Https, GitHubApp, GitLab...).</para>
    /// </summary>
    [Parameter]
    public IntegrationType[]? Type { get; set; }

    /// <summary><para type="description">Only integrations in these states (Connected, Failed, Installing, Active,
    /// Suspended, Disabled, Unverified: imported and not verified since).</para></summary>
    [Parameter]
    public IntegrationStatus[]? Status { get; set; }

    private StoreDocument? _doc;

    /// <summary>Writes the matching integrations.</summary>
    protected override void ProcessRecord()
    {
        if (_doc == null)
        {
            var store = OpenStore();
            WriteVerbose($"Reading the integration store '{store.Path}'.");
            try
            {
                _doc = store.Load();
            }
            catch (GitIntegrationException e)
            {
                Fail(e);
                return;
            }
        }
        foreach (var i in Select(_doc))
            if ((Type == null || Type.Contains(i.Type)) && (Status == null || Status.Contains(i.Status)))
                WriteObject(i);
    }
}
