using System.IO;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Describes SSH keys: format, algorithm, size, encryption, fingerprints and the public key
/// line.</para>
/// <para type="description">Reads keys in every format ssh-keygen, OpenSSL and PuTTYgen write (PEM, PKCS#8, OpenSSH,
/// .ppk, public key lines and RFC 4716), from files or folders (by default the user's ~/.ssh). Fingerprints are the
/// ones ssh-keygen -l prints. A folder lists its private keys, and .pub files whose private key is not there; files
/// that are not keys are passed over.</para>
/// </summary>
/// <example>
/// <code>Get-GitSshKey</code>
/// <para>Lists the keys in ~/.ssh with their format: a key in OpenSsh format is the one the integration rejects.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem C:\keys -Filter *.ppk | Get-GitSshKey | Select-Object Path, FingerprintSha256</code>
/// <para>Shows the fingerprints of PuTTY keys, without their passphrases (the public half of a .ppk is stored in
/// clear).</para>
/// </example>
/// <example>
/// <code>(Get-GitSshKey ~/.ssh/jira_git).PublicKey | Set-Clipboard</code>
/// <para>Copies the public key line, to paste into the git host's SSH keys page.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitSshKey", DefaultParameterSetName = PathSet)]
[OutputType(typeof(SshKeyInfo))]
public sealed class GetGitSshKeyCommand : GitIntegrationCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>
    /// <para type="description">Key files or folders; wildcards are allowed. Defaults to ~/.ssh.</para>
    /// </summary>
    [Parameter(
        Position = 0,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true,
        ParameterSetName = PathSet
    )]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string[]? Path { get; set; }

    /// <summary>
    /// <para type="description">Key files or folders, taken exactly as written (no wildcards). Get-ChildItem output
    /// binds here.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary><para type="description">Also searches the subfolders of a folder.</para></summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>
    /// <para type="description">Opens an encrypted key to describe it fully. An encrypted PEM key hides even its size
    /// and fingerprint without it (unless its .pub file sits beside it).</para>
    /// </summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>Describes each key.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var paths = literal ? LiteralPath : Path ?? new[] { KeyFiles.DefaultFolder };
        if (!literal && Path == null && !Directory.Exists(KeyFiles.DefaultFolder))
            return;
        foreach (var p in ResolvePaths(paths, literal))
        {
            if (Directory.Exists(p))
            {
                WriteVerbose($"Searching '{p}' for keys{(Recurse ? " and its subfolders" : "")}.");
                foreach (var (file, info, error) in KeyFiles.Find(p, Recurse))
                {
                    if (info != null)
                        WriteObject(info);
                    else
                        WriteFailure(error!, file);
                }
                continue;
            }
            try
            {
                WriteObject(KeyFiles.Inspect(p, Plain(Passphrase)).Info);
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, p);
            }
        }
    }
}
