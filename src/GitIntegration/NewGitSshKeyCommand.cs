using System.IO;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Generates an SSH key pair in the format the integration demands: RSA, 4096 bits, OpenSSL
/// PEM.</para>
/// <para type="description">Writes the private key to -Path and the public key to -Path.pub, like ssh-keygen. The
/// private key file is written atomically and readable by its owner only (0600 on Unix, an owner-only ACL on Windows).
/// An existing key is never replaced without -Force. Returns the new key's description, whose PublicKey property is
/// ready to paste into the git host.</para>
/// </summary>
/// <example>
/// <code>New-GitSshKey -Path ~/.ssh/jira_git -Comment 'jira@example.com'</code>
/// <para>Creates ~/.ssh/jira_git (RSA 4096, BEGIN RSA PRIVATE KEY) for the integration and ~/.ssh/jira_git.pub for the
/// git host.</para>
/// </example>
/// <example>
/// <code>$key = New-GitSshKey -Path ./deploy_key -Passphrase (Read-Host -AsSecureString 'Passphrase'); $key.PublicKey | Set-Clipboard</code>
/// <para>Creates a passphrase-protected key and copies the public key line, to paste into Bitbucket's or GitHub's SSH
/// keys page.</para>
/// </example>
/// <example>
/// <code>New-GitSshKey -Path ~/.ssh/id_ed25519 -Type Ed25519 -Format OpenSsh</code>
/// <para>Creates an Ed25519 key for personal use with GitHub or GitLab (Ed25519 keys exist only in OpenSSH
/// format).</para>
/// </example>
[Cmdlet(VerbsCommon.New, "GitSshKey", SupportsShouldProcess = true)]
[OutputType(typeof(SshKeyInfo))]
public sealed class NewGitSshKeyCommand : GitIntegrationCmdlet
{
    /// <summary>
    /// <para type="description">Where to write the private key; the public key goes to the same path plus .pub.
    /// Defaults to ~/.ssh/id_rsa (id_ecdsa, id_ed25519 by type).</para>
    /// </summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">The key algorithm: Rsa (the default, and the only one the integration and Azure DevOps
    /// accept), Ecdsa or Ed25519.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("Rsa", "Ecdsa", "Ed25519")]
    public KeyAlgorithm Type { get; set; } = KeyAlgorithm.Rsa;

    /// <summary>
    /// <para type="description">Key size: RSA 2048 to 16384 (default 4096); ECDSA 256, 384 or 521 (default 256). Not
    /// used for Ed25519.</para>
    /// </summary>
    [Parameter]
    public int? Bits { get; set; }

    /// <summary>
    /// <para type="description">Private key format: Pem (OpenSSL PEM, BEGIN RSA PRIVATE KEY; the default) or OpenSsh
    /// (BEGIN OPENSSH PRIVATE KEY).</para>
    /// </summary>
    [Parameter]
    public PrivateKeyFormat Format { get; set; } = PrivateKeyFormat.Pem;

    /// <summary>
    /// <para type="description">Encrypts the private key with this passphrase (PEM: AES-128-CBC like ssh-keygen;
    /// OpenSSH: aes256-ctr with bcrypt, 16 rounds). Without it the key is not encrypted.</para>
    /// </summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>
    /// <para type="description">The comment stored with the key and at the end of the public key line. Defaults to
    /// user@computer.</para>
    /// </summary>
    [Parameter]
    public string? Comment { get; set; }

    /// <summary>
    /// <para type="description">Replaces an existing key at -Path. Without it, an existing key is left untouched and an
    /// error is written.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Generates and writes the key pair.</summary>
    protected override void ProcessRecord()
    {
        var path = ResolveNewPath(
            Path ?? System.IO.Path.Combine(KeyFiles.DefaultFolder, "id_" + Type.ToString().ToLowerInvariant())
        );
        bool exists = File.Exists(path) || File.Exists(path + ".pub");
        if (exists && !Force)
        {
            WriteFailure(
                new GitIntegrationException(
                    ErrorIds.KeyFileExists,
                    ErrorKind.ResourceExists,
                    $"A key already exists at '{path}'. It was left as it is: use -Force to replace it, or "
                        + "choose another -Path."
                )
                {
                    Target = path,
                }
            );
            return;
        }
        var action = exists
            ? $"Replace the existing key with a new {Type} key ({Format})"
            : $"Create a {Type} key pair ({Format})";
        if (!ShouldProcess(path, action))
            return;

        var progress = new ProgressRecord(1, "New-GitSshKey", $"Generating a {Type} key") { PercentComplete = -1 };
        WriteProgress(progress);
        WriteVerbose(
            $"Generating a {Type} key{(Bits is int b ? $" of {b} bits" : "")} in {Format} format at '{path}'."
        );
        try
        {
            WriteObject(KeyFiles.Generate(path, Type, Bits, Format, Plain(Passphrase), Comment, Force));
        }
        catch (GitIntegrationException e)
        {
            WriteFailure(e, path);
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }
}
