using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Rewrites a private key in another format or with another passphrase: the "ssh-keygen -p -m
/// pem" fix.</para>
/// <para type="description">Converts an OpenSSH-format or PKCS#8 key to OpenSSL PEM (what the integration demands) or
/// back, and adds, changes or removes its passphrase. In place, the file is replaced atomically; with -Destination a
/// new file (and its .pub) is written, and an existing one is only replaced with -Force. The private key written is
/// always readable by you only (600): when others could read the key before, a warning says its permissions were
/// tightened. The key itself never changes: its fingerprint stays the same.</para>
/// </summary>
/// <example>
/// <code>Convert-GitSshKey -Path ~/.ssh/id_rsa -Format Pem</code>
/// <para>Turns a key that begins with BEGIN OPENSSH PRIVATE KEY (ssh-keygen's and macOS's default) into BEGIN RSA
/// PRIVATE KEY, in place.</para>
/// </example>
/// <example>
/// <code>Convert-GitSshKey -Path ./id_rsa -Format Pem -Destination ./jira_key -Passphrase $old -RemovePassphrase</code>
/// <para>Writes an unencrypted PEM copy for a service that cannot hold a passphrase, leaving the original
/// untouched.</para>
/// </example>
/// <example>
/// <code>Get-GitSshKey | Where-Object Format -eq OpenSsh | Convert-GitSshKey -Format Pem -WhatIf</code>
/// <para>Shows which keys in ~/.ssh would be converted.</para>
/// </example>
[Cmdlet(VerbsData.Convert, "GitSshKey", SupportsShouldProcess = true, DefaultParameterSetName = KeepSet)]
[OutputType(typeof(SshKeyInfo))]
public sealed class ConvertGitSshKeyCommand : KeyConversionCmdlet
{
    /// <summary>
    /// <para type="description">The private key file to convert. Get-GitSshKey and Get-ChildItem output bind
    /// here.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">The format to write: Pem (OpenSSL PEM, BEGIN RSA/EC PRIVATE KEY) or OpenSsh. By default
    /// an OpenSSH key stays OpenSSH and anything else becomes PEM.</para>
    /// </summary>
    [Parameter(Position = 1)]
    public PrivateKeyFormat? Format { get; set; }

    /// <summary>
    /// <para type="description">Writes to this file (and its .pub) instead of replacing the key in place.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary><para type="description">Replaces an existing -Destination file.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Converts each key.</summary>
    protected override void ProcessRecord()
    {
        var path = ResolveNewPath(Path!);
        var destination = Destination == null ? null : ResolveNewPath(Destination);
        var target = destination ?? path;
        if (destination != null && System.IO.File.Exists(destination) && !Force)
        {
            WriteItemFailure(
                new GitIntegrationException(
                    ErrorIds.KeyFileExists,
                    ErrorKind.ResourceExists,
                    $"'{destination}' already exists and was left as it is. Use -Force to replace it, or choose "
                        + "another -Destination."
                ),
                path
            );
            return;
        }
        var what =
            $"Write the key in {(Format?.ToString() ?? "its format")}"
            + (RemovePassphrase || NewPassphrase != null ? " " + Protection("") : "")
            + (destination == null ? " (in place)" : $" from '{path}'");
        try
        {
            KeyFiles.RefuseConversion(path, Format, destination == null);
            if (!ShouldProcess(target, what))
                return;
            WriteObject(
                KeyFiles.Convert(path, Format, Plain(Passphrase), NewPassphraseText, destination, Force, WriteWarning)
            );
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, path);
        }
    }
}
