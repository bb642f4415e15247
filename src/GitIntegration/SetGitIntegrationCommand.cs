using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Changes integrations in the store: name, private key, passphrase, token, TLS certificate
/// trust, repository filter, enabled state.</para>
/// <para type="description">Changes each integration given by -Name, -Id or from the pipeline in one locked
/// read-modify-write of the store.
/// A new private key is checked first, as Test-GitSshKey checks it: a key the integration would reject
/// (OpenSSH format, a public key, a wrong passphrase, an algorithm it does not take) is refused with the reason and the
/// fix, unless -Force.
/// Passphrases and tokens are stored as protected files in the store's secrets folder (DPAPI on Windows, owner-only on
/// Unix), never in the YAML; the files they replace are deleted.</para>
/// </summary>
/// <example>
/// <code>Set-GitIntegration billing -PrivateKeyPath ~/.ssh/jira_rsa_2025 -Passphrase (Read-Host -AsSecureString)</code>
/// <para>Replaces the private SSH key of the billing integration after a new key pair was generated, with its
/// passphrase.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitLab | Set-GitIntegration -Token $newPat -PassThru</code>
/// <para>Rotates the personal access token of every GitLab integration and shows the result.</para>
/// </example>
/// <example>
/// <code>Set-GitIntegration legacy-* -Disabled -WhatIf</code>
/// <para>Shows which integrations would be disabled, without changing the store.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "GitIntegration", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(Integration))]
public sealed class SetGitIntegrationCommand : IntegrationSelectionCmdlet
{
    /// <summary><para type="description">Names of the integrations to change; wildcards are allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public override string[]? Name
    {
        get => base.Name;
        set => base.Name = value;
    }

    /// <summary><para type="description">A new name for the integration.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    /// <summary>
    /// <para type="description">The new private SSH key file. It is checked first; a key the integration would reject
    /// is refused unless -Force. A GitHub App's key is replaced with Update-GitHubAppKey instead, which checks it with
    /// GitHub.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string? PrivateKeyPath { get; set; }

    /// <summary><para type="description">The passphrase of the private key, stored protected in the store's
    /// secrets folder.
    /// The integration is never asked for it, so a new key protected by a passphrase is refused without it
    /// (PassphraseRequired) unless one is already stored for the integration or -Force is given.</para></summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>
    /// <para type="description">A token (personal access token, app password), stored protected in the store's secrets
    /// folder.</para>
    /// </summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary><para type="description">Stops verifying the server's TLS certificate (a self-signed test server);
    /// Get-GitIntegration then shows SslVerify False. -SkipCertificateCheck:$false verifies it again.</para></summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">Trusts the TLS certificate of the integration's server (HTTPS repository
    /// or GitHub Enterprise Server), or a CA certificate in its chain, by SHA-256 (or SHA-1) thumbprint: for an
    /// internal server whose CA this computer does not trust. Replaces the thumbprints stored before; an empty list
    /// (@()) removes them.</para></summary>
    [Parameter]
    [AllowEmptyCollection]
    public string[]? TrustedCertificateThumbprint { get; set; }

    /// <summary><para type="description">Lets the stored token go to an http:// (unencrypted) repository URL, where
    /// anyone on the network path can read it. -AllowUnencryptedAuthentication:$false refuses it
    /// again.</para></summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary><para type="description">The JMESPath filter (https://jmespath.org) that limits which repositories
    /// the integration connects, applied to the list of repository objects as GitHub returns them, e.g.
    /// "[?!archived &amp;&amp; size &lt; `1000000`]"; it must return repositories. An invalid expression is refused
    /// (RepositoryFilterInvalid) and nothing is stored. So is one too expensive to run on an organization of 10,000
    /// repositories (RepositoryFilterTooExpensive), such as one that copies the list ([@,@][]); a filter that keeps
    /// some of the repositories it is given is far below that. An empty string removes the filter.</para></summary>
    [Parameter]
    [AllowEmptyString]
    public string? RepositoryFilter { get; set; }

    /// <summary>
    /// <para type="description">Disables the integration (-Disabled:$false enables it again, as Connected).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Disabled { get; set; }

    /// <summary><para type="description">Accepts a private key that the key check rejects, or one protected by a
    /// passphrase that is not given.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">Writes the changed integrations to the pipeline.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private IntegrationChange? _change;

    /// <summary>Refuses an invalid or too expensive -RepositoryFilter, or a malformed thumbprint, before anything
    /// is changed.</summary>
    protected override void BeginProcessing()
    {
        var bound = MyInvocation.BoundParameters;
        _change = new IntegrationChange
        {
            NewName = NewName,
            PrivateKeyPath = PrivateKeyPath == null ? null : ResolveNewPath(PrivateKeyPath),
            Passphrase = Plain(Passphrase),
            Token = Plain(Token),
            SkipCertificateCheck = bound.ContainsKey(nameof(SkipCertificateCheck))
                ? SkipCertificateCheck.IsPresent
                : (bool?)null,
            TrustedCertificateThumbprints = TrustedCertificateThumbprint,
            AllowUnencryptedAuthentication = bound.ContainsKey(nameof(AllowUnencryptedAuthentication))
                ? AllowUnencryptedAuthentication.IsPresent
                : (bool?)null,
            RepositoryFilter = RepositoryFilter,
            Disabled = bound.ContainsKey(nameof(Disabled)) ? Disabled.IsPresent : (bool?)null,
            Force = Force,
        };
        try
        {
            _change.Check();
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
        }
    }

    /// <summary>Changes each integration.</summary>
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
            if (!ShouldProcess($"{target.Name} ({target.Id})", "Set integration " + Describe()))
                continue;
            try
            {
                var after = _change!.Apply(store, target, WriteWarning, WriteVerbose);
                if (PassThru)
                    WriteObject(after);
            }
            catch (GitIntegrationException e)
            {
                WriteIntegrationFailure(e, target.Name);
            }
        }
    }

    private string Describe() =>
        string.Join(
            ", ",
            MyInvocation.BoundParameters.Keys.Where(k =>
                k != nameof(Name)
                && k != nameof(Id)
                && k != nameof(InputObject)
                && k != nameof(StorePath)
                && k != nameof(Force)
                && k != nameof(PassThru)
                && !CommonParameters.Contains(k)
                && !OptionalCommonParameters.Contains(k)
            )
        );
}
