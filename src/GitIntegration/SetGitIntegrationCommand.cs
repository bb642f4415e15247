using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Query;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Changes integrations in the store: name, private key, passphrase, token, TLS certificate
    /// trust, repository filter, enabled state.</para>
    /// <para type="description">Changes each integration given by -Name, -Id or from the pipeline in one locked read-modify-write of the store.
    /// A new private key is checked first, as Test-GitSshKey checks it: a key the integration would reject
    /// (OpenSSH format, a public key, a wrong passphrase, an algorithm it does not take) is refused with the reason and the fix, unless -Force.
    /// Passphrases and tokens are stored as protected files in the store's secrets folder (DPAPI on Windows, owner-only on Unix), never in the
    /// YAML; the files they replace are deleted.</para>
    /// </summary>
    /// <example>
    /// <code>Set-GitIntegration billing -PrivateKeyPath ~/.ssh/jira_rsa_2025 -Passphrase (Read-Host -AsSecureString)</code>
    /// <para>Replaces the private SSH key of the billing integration after a new key pair was generated, with its passphrase.</para>
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
        public override string[]? Name { get => base.Name; set => base.Name = value; }

        /// <summary><para type="description">A new name for the integration.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? NewName { get; set; }

        /// <summary><para type="description">The new private SSH key file. It is checked first; a key the integration would reject is refused unless -Force. A GitHub App's key is replaced with Update-GitHubAppKey instead, which checks it with GitHub.</para></summary>
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

        /// <summary><para type="description">A token (personal access token, app password), stored protected in the store's secrets folder.</para></summary>
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

        /// <summary><para type="description">Disables the integration (-Disabled:$false enables it again, as Connected).</para></summary>
        [Parameter]
        public SwitchParameter Disabled { get; set; }

        /// <summary><para type="description">Accepts a private key that the key check rejects, or one protected by a
        /// passphrase that is not given.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">Writes the changed integrations to the pipeline.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private JmesPathExpression? _filter;
        private IReadOnlyList<string>? _thumbprints;

        /// <summary>Refuses an invalid or too expensive -RepositoryFilter, or a malformed thumbprint, before anything
        /// is changed.</summary>
        protected override void BeginProcessing()
        {
            try { _filter = JmesPath.CompileFilter(RepositoryFilter); }
            catch (JmesPathException e) { Fail(e); }
            var thumbprints = TrustedCertificateThumbprint;
            try { _thumbprints = thumbprints == null ? null : CertificateTrust.Normalize(thumbprints); }
            catch (GitIntegrationException e) { Fail(e); }
        }

        /// <summary>Changes each integration.</summary>
        protected override void ProcessRecord()
        {
            var store = OpenStore();
            List<Integration> targets;
            try { targets = Select(store.Load()); }
            catch (GitIntegrationException e) { Fail(e); return; }
            foreach (var target in targets)
            {
                if (!ShouldProcess($"{target.Name} ({target.Id})", "Set integration " + Describe())) continue;
                try { Change(store, target); }
                catch (GitIntegrationException e) { WriteIntegrationFailure(e, target.Name); }
            }
        }

        private string Describe() =>
            string.Join(", ", MyInvocation.BoundParameters.Keys.Where(k => k != nameof(Name) && k != nameof(Id)
                && k != nameof(InputObject) && k != nameof(StorePath)
                && k != nameof(Force) && k != nameof(PassThru) && !CommonParameters.Contains(k) && !OptionalCommonParameters.Contains(k)));

        private void Change(IntegrationStore store, Integration target)
        {
            string? keyPath = PrivateKeyPath == null ? null : ResolveNewPath(PrivateKeyPath);
            if (keyPath != null)
            {
                GitHubAppIntegration.RefuseUncheckedKeyChange(target);
                var warnings = IntegrationKeyRule.Check(store, target, keyPath, Plain(Passphrase), Force, WriteVerbose);
                foreach (var w in warnings) WriteWarning(w);
            }
            var written = new List<SecretRef>();
            SecretRef? passRef = null, tokenRef = null;
            try
            {
                if (Passphrase != null) written.Add(passRef = store.WriteSecret($"{target.Id:N}-passphrase-{Guid.NewGuid().ToString("N").Substring(0, 8)}", Plain(Passphrase)!));
                if (Token != null) written.Add(tokenRef = store.WriteSecret($"{target.Id:N}-token-{Guid.NewGuid().ToString("N").Substring(0, 8)}", Plain(Token)!));
                var bound = MyInvocation.BoundParameters;
                var (before, after) = store.Update(doc =>
                {
                    var i = doc.Find(target.Id) ?? throw new GitIntegrationException(StoreErrorIds.IntegrationNotFound, ErrorKind.ObjectNotFound,
                        $"The integration '{target.Name}' was removed from the store by another command.") { Target = target.Id.ToString() };
                    var old = i.Clone();
                    if (NewName != null) i.Name = NewName;
                    if (keyPath != null) i.PrivateKeyPath = keyPath;
                    if (passRef != null) i.PassphraseRef = passRef;
                    if (tokenRef != null) i.TokenRef = tokenRef;
                    if (bound.ContainsKey(nameof(SkipCertificateCheck))) i.SslVerify = !SkipCertificateCheck.IsPresent;
                    if (_thumbprints != null) CertificateTrust.Store(i, _thumbprints);
                    if (bound.ContainsKey(nameof(AllowUnencryptedAuthentication)))
                    {
                        var key = RepositoryConnector.AllowUnencryptedProperty;
                        if (AllowUnencryptedAuthentication) i.Properties[key] = "true";
                        else i.Properties.Remove(key);
                    }
                    if (RepositoryFilter != null) i.RepositoryFilter = _filter?.Text;
                    if (bound.ContainsKey(nameof(Disabled)))
                        i.Status = Disabled.IsPresent ? IntegrationStatus.Disabled : i.Status == IntegrationStatus.Disabled ? IntegrationStatus.Connected : i.Status;
                    if (!i.SameSettings(old)) i.UpdatedAt = DateTimeOffset.UtcNow;
                    return (old, i.Clone());
                });
                written.Clear();
                if (passRef != null && !passRef.Equals(before.PassphraseRef)) store.DeleteSecret(before.PassphraseRef);
                if (tokenRef != null && !tokenRef.Equals(before.TokenRef)) store.DeleteSecret(before.TokenRef);
                WriteVerbose($"Updated the integration '{after.Name}' ({after.Id}) in '{store.Path}'.");
                if (PassThru) WriteObject(after);
            }
            finally
            {
                foreach (var r in written) store.DeleteSecret(r);
            }
        }
    }
}
