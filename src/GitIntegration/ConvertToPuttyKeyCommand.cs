using System.Management.Automation;
using System.Security;
using System.Threading;
using GitIntegration.Core;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Writes a private key as a PuTTY key file (.ppk) for PuTTY, Pageant, WinSCP or
/// FileZilla.</para>
/// <para type="description">Reads a private key in any format the module reads (OpenSSL PEM, PKCS#8, OpenSSH, or a .ppk
/// to rewrite) and writes it as a PPK file, readable by its owner only: version 3 by default (PuTTY 0.75 and later;
/// AES-256-CBC with Argon2id, 8192 KiB, one thread, and as many passes as take about 0.1 s, as PuTTYgen chooses them),
/// or version 2 with -Version 2 for older PuTTY, WinSCP and FileZilla. The .ppk keeps the key's passphrase unless
/// -NewPassphrase or -RemovePassphrase says otherwise. By default it is written next to the key with the .ppk extension
/// (id_rsa becomes id_rsa.ppk, key.pem becomes key.ppk); an existing file is only replaced with -Force.</para>
/// </summary>
/// <example>
/// <code>ConvertTo-PuttyKey -Path ~/.ssh/jira_git -NewPassphrase (Read-Host -AsSecureString 'Passphrase')</code>
/// <para>Writes ~/.ssh/jira_git.ppk, encrypted, for an admin who connects to the git host with PuTTY or Pageant.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem C:\keys -Filter *.pem | ConvertTo-PuttyKey -Version 2 -Passphrase $p</code>
/// <para>Writes a version 2 .ppk beside each PEM key, for an old WinSCP that cannot read version 3.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "PuttyKey", SupportsShouldProcess = true, DefaultParameterSetName = KeepSet)]
[OutputType(typeof(SshKeyInfo))]
public sealed class ConvertToPuttyKeyCommand : KeyConversionCmdlet
{
    private readonly CancellationTokenSource _stop = new CancellationTokenSource();

    /// <summary>
    /// <para type="description">The private key file to convert. Get-ChildItem and Get-GitSshKey output bind here, and
    /// so do paths piped as strings.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">The PPK format version: 3 (the default, PuTTY 0.75 and later) or 2 (older PuTTY, WinSCP
    /// before 5.19, FileZilla).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(2, 3)]
    public int Version { get; set; } = 3;

    /// <summary><para type="description">The number of Argon2 passes for a version 3 file, 1 to 256 (more would be
    /// refused when the file is read). By default they are chosen like PuTTYgen does: as many as take about 0.1 s
    /// here.</para></summary>
    [Parameter]
    [ValidateRange(1, (int)(PpkFormat.MaxWork / PpkWriteOptions.DefaultMemoryKiB))]
    public int? Passes { get; set; }

    /// <summary>
    /// <para type="description">Where to write the .ppk. Defaults to the key's path with the .ppk extension.</para>
    /// </summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary><para type="description">Replaces an existing .ppk at the destination.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Converts each key.</summary>
    protected override void ProcessRecord()
    {
        var path = ResolveNewPath(Path!);
        var destination = Destination != null ? ResolveNewPath(Destination) : PuttyKeyFiles.DefaultPpkPath(path);
        if (System.IO.File.Exists(destination) && !Force)
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
        var encryption = Protection("keeping the key's passphrase");
        if (!ShouldProcess(destination, $"Write '{path}' as a PPK version {Version} file, {encryption}"))
            return;

        var options = new PpkWriteOptions { Version = Version, Passes = Passes };
        var newPassphrase = NewPassphraseText;
        WriteVerbose(
            $"Writing '{path}' as PPK version {Version}"
                + (
                    Version == 3
                        ? $" (Argon2id, {options.MemoryKiB} KiB, {(Passes?.ToString() ?? "timed")} passes)"
                        : ""
                )
                + $" to '{destination}'."
        );
        try
        {
            bool argon2 = Version == 3 && !RemovePassphrase && (NewPassphrase != null || Passphrase != null);
            WriteObject(
                Argon2Progress.Run(
                    this,
                    "ConvertTo-PuttyKey",
                    path,
                    argon2,
                    progress =>
                        PuttyKeyFiles.ConvertTo(
                            path,
                            Plain(Passphrase),
                            newPassphrase,
                            options,
                            destination,
                            Force,
                            progress,
                            _stop.Token
                        )
                )
            );
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, path);
        }
    }

    /// <summary>Ctrl+C stops Argon2 between slices.</summary>
    protected override void StopProcessing() => _stop.Cancel();
}
