using System;
using System.Collections.Generic;
using System.Linq;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Store;

/// <summary>
/// Set-GitIntegration's rule for a new private key: a key the integration could not use (the wrong format, a
/// public key, a wrong passphrase, or a passphrase it would never be given) is refused with the reason and the
/// command that fixes it, unless forced.
/// </summary>
public static class IntegrationKeyRule
{
    /// <summary>
    /// Checks <paramref name="keyPath"/> for <paramref name="target"/> with <paramref name="passphrase"/>, or the
    /// passphrase the store already holds for it. Returns the warnings to show; throws when the key is refused.
    /// </summary>
    public static IReadOnlyList<string> Check(
        IntegrationStore store,
        Integration target,
        string keyPath,
        string? passphrase,
        bool force,
        Action<string>? verbose = null
    )
    {
        if (passphrase == null && target.PassphraseRef != null)
        {
            try
            {
                passphrase = store.ReadSecret(target.PassphraseRef);
            }
            catch (GitIntegrationException e)
            {
                verbose?.Invoke("The stored passphrase could not be read: " + e.Message);
            }
        }
        verbose?.Invoke($"Checking the key '{keyPath}' against the integration's rules.");
        var test = KeyDiagnostics.TestFile(keyPath, passphrase, KeyRequirement.Integration);
        var warnings = test
            .Findings.Where(f => f.Severity == FindingSeverity.Warning && f.Id != KeyDiagnostics.Ids.PassphraseNotGiven)
            .Select(f => f.WithFix)
            .ToList();
        var errors = test.Findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        // The integration is never asked for a passphrase: without one stored, an encrypted key is unusable.
        var locked = test.Findings.Any(f => f.Id == KeyDiagnostics.Ids.PassphraseNotGiven);
        if (errors.Count == 0 && !locked)
            return warnings;
        var message = $"The key '{keyPath}' would be rejected by the integration '{target.Name}':";
        foreach (var f in errors)
            message += " " + f.WithFix + ".";
        if (locked)
            message +=
                " The key is protected by a passphrase, which was neither given nor stored for the "
                + "integration, so the integration could not open it.";
        if (force)
        {
            warnings.Add(message + " It is set anyway because -Force was given.");
            return warnings;
        }
        if (errors.Count > 0)
            throw new GitIntegrationException(
                errors[0].Id,
                ErrorKind.InvalidData,
                message + " Use -Force to set it anyway."
            )
            {
                Target = keyPath,
            };
        throw new GitIntegrationException(
            ErrorIds.PassphraseRequired,
            ErrorKind.InvalidArgument,
            message
                + " Use -Force to set it anyway, or store it with its passphrase: "
                + IntegrationRemedy.Passphrase(target.Name, keyPath)
        )
        {
            Target = keyPath,
        };
    }
}

/// <summary>Commands that fix a stored integration, as they are pasted into PowerShell.</summary>
public static class IntegrationRemedy
{
    /// <summary>
    /// The -Name argument that selects exactly this integration: quoted, with the characters -Name reads as
    /// wildcards escaped.
    /// </summary>
    public static string Name(string name) => PowerShellCommand.QuoteLiteral(name);

    /// <summary>Stores the integration's key with its passphrase (the key is checked with it on the way).</summary>
    public static string Passphrase(string name, string? keyPath) =>
        $"Set-GitIntegration -Name {Name(name)}"
        + (keyPath != null ? $" -PrivateKeyPath {PowerShellCommand.Quote(keyPath)}" : "")
        + " -Passphrase (Read-Host -AsSecureString)";

    /// <summary>Stores a new token for the integration.</summary>
    public static string Token(string name) =>
        $"Set-GitIntegration -Name {Name(name)} -Token (Read-Host -AsSecureString)";

    /// <summary>Trusts one certificate (the server's or its issuing CA's) for the integration.</summary>
    public static string TrustThumbprint(string name) =>
        $"Set-GitIntegration -Name {Name(name)} -TrustedCertificateThumbprint "
        + "(Read-Host -Prompt 'SHA-256 thumbprint')";

    /// <summary>Stops checking the server's certificate for the integration.</summary>
    public static string SkipCertificateCheck(string name) =>
        $"Set-GitIntegration -Name {Name(name)} -SkipCertificateCheck";
}
