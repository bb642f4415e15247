using System;
using System.Collections.Generic;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Query;

namespace GitIntegration.Core.Store;

/// <summary>
/// An edit of stored integrations (Set-GitIntegration): each setting left null stays as it is. A new key must pass
/// <see cref="IntegrationKeyRule"/>; a passphrase or token goes to a new protected file, the one it replaces is
/// deleted once the store points to the new one, and a new file is deleted again when the edit fails.
/// </summary>
public sealed class IntegrationChange
{
    public string? NewName { get; set; }

    /// <summary>The new private key file, a full path.</summary>
    public string? PrivateKeyPath { get; set; }

    public string? Passphrase { get; set; }
    public string? Token { get; set; }
    public bool? SkipCertificateCheck { get; set; }

    /// <summary>Thumbprints to trust instead of those stored; empty removes them.</summary>
    public IReadOnlyList<string>? TrustedCertificateThumbprints { get; set; }

    public bool? AllowUnencryptedAuthentication { get; set; }

    /// <summary>A JMESPath repository filter; empty removes it.</summary>
    public string? RepositoryFilter { get; set; }

    public bool? Disabled { get; set; }

    /// <summary>Store properties to set with the edit; a null value removes the property.</summary>
    public IDictionary<string, string?>? Properties { get; set; }

    /// <summary>Accepts a key the key rule rejects, with a warning.</summary>
    public bool Force { get; set; }

    private JmesPathExpression? _filter;
    private IReadOnlyList<string>? _thumbprints;
    private bool _checked;

    /// <summary>
    /// Refuses an invalid or too expensive repository filter or a malformed thumbprint, so that nothing is
    /// changed with them. <see cref="Apply"/> checks too; this is for checking once before many integrations.
    /// </summary>
    public void Check()
    {
        _filter = JmesPath.CompileFilter(RepositoryFilter);
        var thumbprints = TrustedCertificateThumbprints;
        _thumbprints = thumbprints == null ? null : CertificateTrust.Normalize(thumbprints);
        _checked = true;
    }

    /// <summary>
    /// Applies the edit to <paramref name="target"/> in one locked read-modify-write of the store and returns the
    /// integration as stored now. <paramref name="warning"/> hears why a key was accepted anyway (Force).
    /// </summary>
    public Integration Apply(
        IntegrationStore store,
        Integration target,
        Action<string>? warning = null,
        Action<string>? verbose = null
    )
    {
        if (!_checked)
            Check();
        if (PrivateKeyPath != null)
        {
            GitHubAppIntegration.RefuseUncheckedKeyChange(target);
            foreach (var w in IntegrationKeyRule.Check(store, target, PrivateKeyPath, Passphrase, Force, verbose))
                warning?.Invoke(w);
        }
        var written = new List<SecretRef>();
        SecretRef? passRef = null,
            tokenRef = null;
        try
        {
            if (Passphrase != null)
                written.Add(passRef = store.WriteSecret(SecretName(target, "passphrase"), Passphrase));
            if (Token != null)
                written.Add(tokenRef = store.WriteSecret(SecretName(target, "token"), Token));
            var (before, after) = store.Update(doc =>
            {
                var i =
                    doc.Find(target.Id)
                    ?? throw new GitIntegrationException(
                        StoreErrorIds.IntegrationNotFound,
                        ErrorKind.ObjectNotFound,
                        $"The integration '{target.Name}' was removed from the store by another command."
                    )
                    {
                        Target = target.Id.ToString(),
                    };
                var old = i.Clone();
                Edit(i, passRef, tokenRef);
                if (!i.SameSettings(old))
                    i.UpdatedAt = DateTimeOffset.UtcNow;
                return (old, i.Clone());
            });
            written.Clear();
            if (passRef != null && !passRef.Equals(before.PassphraseRef))
                store.DeleteSecret(before.PassphraseRef);
            if (tokenRef != null && !tokenRef.Equals(before.TokenRef))
                store.DeleteSecret(before.TokenRef);
            verbose?.Invoke($"Updated the integration '{after.Name}' ({after.Id}) in '{store.Path}'.");
            return after;
        }
        finally
        {
            foreach (var r in written)
                store.DeleteSecret(r);
        }
    }

    private void Edit(Integration i, SecretRef? passRef, SecretRef? tokenRef)
    {
        if (NewName != null)
            i.Name = NewName;
        if (PrivateKeyPath != null)
            i.PrivateKeyPath = PrivateKeyPath;
        if (passRef != null)
            i.PassphraseRef = passRef;
        if (tokenRef != null)
            i.TokenRef = tokenRef;
        if (SkipCertificateCheck is bool skip)
            i.SslVerify = !skip;
        if (_thumbprints != null)
            CertificateTrust.Store(i, _thumbprints);
        var allowKey = RepositoryConnector.AllowUnencryptedProperty;
        if (AllowUnencryptedAuthentication == true)
            i.Properties[allowKey] = "true";
        else if (AllowUnencryptedAuthentication == false)
            i.Properties.Remove(allowKey);
        if (RepositoryFilter != null)
            i.RepositoryFilter = _filter?.Text;
        if (Disabled == true)
            i.Status = IntegrationStatus.Disabled;
        else if (Disabled == false && i.Status == IntegrationStatus.Disabled)
            i.Status = IntegrationStatus.Connected;
        foreach (var p in Properties ?? new Dictionary<string, string?>())
            if (p.Value == null)
                i.Properties.Remove(p.Key);
            else
                i.Properties[p.Key] = p.Value;
    }

    /// <summary>A new file name for each secret: the old one stays until the store points elsewhere.</summary>
    private static string SecretName(Integration i, string what) =>
        $"{i.Id:N}-{what}-{Guid.NewGuid().ToString("N").Substring(0, 8)}";
}
