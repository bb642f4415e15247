using System.Management.Automation;
using System.Security;

namespace GitIntegration;

/// <summary>
/// The passphrase parameters of the cmdlets that rewrite a key file (Convert-GitSshKey, ConvertFrom-PuttyKey,
/// ConvertTo-PuttyKey): the key's passphrase, and a new one or none for the file written. Without -NewPassphrase
/// or -RemovePassphrase (the default set) the written key keeps the passphrase it had.
/// </summary>
public abstract class KeyConversionCmdlet : GitIntegrationCmdlet
{
    private protected const string KeepSet = "KeepPassphrase";
    private protected const string NewSet = "NewPassphrase";
    private protected const string RemoveSet = "RemovePassphrase";

    /// <summary><para type="description">The key's current passphrase, when it has one. The written key keeps it
    /// unless -NewPassphrase or -RemovePassphrase is given.</para></summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary><para type="description">Encrypts the written key with this passphrase instead of the current
    /// one.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = NewSet)]
    public SecureString? NewPassphrase { get; set; }

    /// <summary><para type="description">Writes the key without a passphrase, for a service that cannot hold
    /// one.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = RemoveSet)]
    public SwitchParameter RemovePassphrase { get; set; }

    /// <summary>The passphrase for the written key: "" for none, null to keep the key's own.</summary>
    private protected string? NewPassphraseText => RemovePassphrase ? "" : Plain(NewPassphrase);

    /// <summary>How the written key is protected, for -WhatIf and -Confirm.</summary>
    private protected string Protection(string keep) =>
        RemovePassphrase ? "without a passphrase"
        : NewPassphrase != null ? "with a new passphrase"
        : keep;
}
