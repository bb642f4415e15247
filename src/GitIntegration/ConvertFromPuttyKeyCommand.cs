using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using GitIntegration.Core;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Converts a PuTTY key (.ppk) to OpenSSL PEM, the format the integration demands: PuTTYgen's
/// "Export OpenSSH key", from a script.</para>
/// <para type="description">Reads PuTTY key files of version 2 and 3 (RSA, ECDSA, Ed25519 and DSA; unencrypted, or
/// encrypted with AES-256 and Argon2 as PuTTYgen writes them) and writes the private key next to the .ppk under the
/// same name without the extension (key.ppk becomes key and key.pub), readable by its owner only. RSA and ECDSA keys
/// are written as OpenSSL PEM (BEGIN RSA PRIVATE KEY); Ed25519 keys exist only in OpenSSH format and are written so,
/// with a warning, since the integration needs an RSA key. The new file keeps the .ppk's passphrase unless
/// -NewPassphrase or -RemovePassphrase says otherwise. An existing file is only replaced with -Force. Returns the
/// written key's description, ready for Test-GitSshKey.</para>
/// </summary>
/// <example>
/// <code>Get-ChildItem C:\keys\*.ppk | ConvertFrom-PuttyKey -Passphrase (Read-Host -AsSecureString 'Passphrase') | Test-GitSshKey</code>
/// <para>Converts every PuTTYgen key in C:\keys to PEM and checks that the integration will accept each one, instead of
/// exporting them one at a time with PuTTYgen's Conversions menu.</para>
/// </example>
/// <example>
/// <code>ConvertFrom-PuttyKey -Path .\jira.ppk -Destination .\jira.pem -Passphrase $p -RemovePassphrase</code>
/// <para>Writes an unencrypted PEM copy of a PuTTYgen key, to upload to Git Integration for Jira's SSH keys
/// page.</para>
/// </example>
/// <example>
/// <code>ConvertFrom-PuttyKey -Path ~/.ssh/laptop.ppk -Format OpenSsh -WhatIf</code>
/// <para>Shows where the OpenSSH-format key would be written, without asking for the passphrase or writing
/// anything.</para>
/// </example>
[Cmdlet(VerbsData.ConvertFrom, "PuttyKey", SupportsShouldProcess = true, DefaultParameterSetName = KeepSet)]
[OutputType(typeof(SshKeyInfo))]
public sealed class ConvertFromPuttyKeyCommand : KeyConversionCmdlet
{
    private readonly CancellationTokenSource _stop = new CancellationTokenSource();

    /// <summary>
    /// <para type="description">The .ppk file to convert. Get-ChildItem and Get-GitSshKey output bind here, and so do
    /// paths piped as strings.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">The format to write: Pem (OpenSSL PEM, BEGIN RSA/EC PRIVATE KEY; the default, and what
    /// the integration needs) or OpenSsh (BEGIN OPENSSH PRIVATE KEY). Ed25519 keys can only be written as
    /// OpenSsh.</para>
    /// </summary>
    [Parameter]
    public PrivateKeyFormat? Format { get; set; }

    /// <summary>
    /// <para type="description">Where to write the private key (its public key goes to the same path plus .pub).
    /// Defaults to the .ppk's path without the .ppk extension.</para>
    /// </summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary><para type="description">Replaces an existing key file at the destination.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Converts each .ppk file.</summary>
    protected override void ProcessRecord()
    {
        var path = ResolveNewPath(Path!);
        try
        {
            var plan = PuttyKeyFiles.PlanConvertFrom(
                path,
                Format,
                Destination != null ? ResolveNewPath(Destination) : null,
                Force,
                WriteWarning
            );
            var clear = plan.Source;
            var format = plan.Format;
            var destination = plan.Destination;
            var encryption = Protection(clear.IsEncrypted ? "with the .ppk's passphrase" : "without a passphrase");
            if (
                !ShouldProcess(
                    destination,
                    $"Write the {clear.Algorithm} key of '{path}' in {format} format, {encryption}"
                )
            )
                return;

            WriteVerbose(
                $"Converting '{path}' (PPK version {clear.PpkVersion}, "
                    + $"{(clear.IsEncrypted ? clear.Cipher : "unencrypted")}) to {format} at '{destination}'."
            );
            var info = Argon2Progress.Run(
                this,
                "ConvertFrom-PuttyKey",
                path,
                clear.IsEncrypted && clear.PpkVersion == 3 && Passphrase != null,
                progress =>
                    PuttyKeyFiles.ConvertFrom(
                        path,
                        Plain(Passphrase),
                        format,
                        NewPassphraseText,
                        destination,
                        Force,
                        progress,
                        _stop.Token
                    )
            );
            WriteObject(info);
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, path);
        }
    }

    /// <summary>Ctrl+C stops Argon2 between slices.</summary>
    protected override void StopProcessing() => _stop.Cancel();
}
