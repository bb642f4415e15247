using System;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Explains why a key would be rejected: offline (format, algorithm, passphrase) or by a git host
/// (-Url, -HostName).</para>
/// <para type="description">Checks a key offline against a requirement (by default the integration's rule: a private
/// RSA key in OpenSSL PEM).
/// Returns a result with IsValid and Findings; each finding has a stable Id, a Severity, a plain-English Message and a
/// Remedy, a command that fixes it. With -Quiet, returns only $true or $false.
/// With -Url or -HostName it logs in to the git host with the key like ssh -T (in PowerShell itself: no ssh needed,
/// never interactive, host keys checked strictly against the module's known_hosts) and returns Authenticated, the
/// Account the host greets, or one Reason:
/// PermissionDenied (with where to add the key), HostKeyUnknown, HostKeyChanged, ConnectionRefused or Timeout (with the
/// host's port-443 alternative), NameResolution, WrongPassphrase, PassphraseRequired or KeyRejectedByIntegrationRule
/// (the host accepts the key, the integration would not).</para>
/// </summary>
/// <example>
/// <code>Test-GitSshKey -Path ~/.ssh/id_rsa | Select-Object -ExpandProperty Findings</code>
/// <para>Why the integration says "SSH key format is invalid": for a key made by a recent ssh-keygen or on macOS, the
/// finding is OpenSshFormat, with the remedy Convert-GitSshKey -Path ~/.ssh/id_rsa -Format Pem.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-GitSshKey -Path $keyPath -Requirement AzureDevOps -Quiet)) { throw "Key not usable with Azure DevOps" }</code>
/// <para>A guard in a runbook: Azure DevOps accepts RSA keys only.</para>
/// </example>
/// <example>
/// <code>Test-GitSshKey -Path ~/.ssh/jira_rsa -Url git@bitbucket.org:team/app.git</code>
/// <para>"Verify the connection": Authenticated and the account, or why not (e.g. PermissionDenied: add the public key
/// at bitbucket.org/account/settings/ssh-keys).</para>
/// </example>
/// <example>
/// <code>Test-GitSshKey -Path ./svc_rsa -HostName git.example.com -Port 7999 -AcceptNewHostKey -Passphrase $pass</code>
/// <para>A first connection to a Bitbucket Server: its host key is trusted and recorded (compare it first with
/// Get-GitHostKey).</para>
/// </example>
/// <example>
/// <code>Get-Clipboard -Raw | ForEach-Object { Test-GitSshKey -KeyText $_ }</code>
/// <para>Checks a pasted key, even one flattened onto one line or wrapped in quotes.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "GitSshKey", DefaultParameterSetName = PathSet)]
[OutputType(typeof(KeyTestResult), typeof(GitConnectionResult), typeof(bool))]
public sealed class TestGitSshKeyCommand : GitIntegrationCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string TextSet = "Text";
    private const string UrlSet = "Url";
    private const string HostSet = "HostName";

    /// <summary>
    /// <para type="description">The key file to check; wildcards are allowed. Get-GitSshKey output binds here by its
    /// Path.</para>
    /// </summary>
    [Parameter(
        Mandatory = true,
        Position = 0,
        ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true,
        ParameterSetName = PathSet
    )]
    [Parameter(Position = 0, ParameterSetName = UrlSet)]
    [Parameter(Position = 0, ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string[]? Path { get; set; }

    /// <summary>
    /// <para type="description">A repository's clone URL: log in to its host with the key (like ssh -T). An HTTPS URL
    /// is tried as its SSH form.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = UrlSet)]
    [Alias("Origin", "CloneUrl")]
    [ValidateNotNullOrEmpty]
    public string? Url { get; set; }

    /// <summary><para type="description">A git host to log in to with the key (like ssh -T git@HOST).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>
    /// <para type="description">The SSH port of -HostName; by default the host profile's (22, 7999 for Bitbucket
    /// Server...).</para>
    /// </summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int? Port { get; set; }

    /// <summary>
    /// <para type="description">The SSH login of -HostName; by default the host profile's (git).</para>
    /// </summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    /// <summary>
    /// <para type="description">Trusts the host's key on a first connection and records it; a changed key is never
    /// accepted.</para>
    /// </summary>
    [Parameter(ParameterSetName = UrlSet)]
    [Parameter(ParameterSetName = HostSet)]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>
    /// <para type="description">The known_hosts file to check host keys against; by default the module's own, next to
    /// the store.</para>
    /// </summary>
    [Parameter(ParameterSetName = UrlSet)]
    [Parameter(ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary><para type="description">How long the login may take, in seconds.</para></summary>
    [Parameter(ParameterSetName = UrlSet)]
    [Parameter(ParameterSetName = HostSet)]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    private System.Threading.CancellationTokenSource? _stop;

    /// <summary>
    /// <para type="description">The key file to check, taken exactly as written. Get-ChildItem output binds
    /// here.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>
    /// <para type="description">The key itself, as text: pasted, read from a vault or a TSV cell. CRLF, quotes, literal
    /// \n and keys flattened onto one line are accepted.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = TextSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyText { get; set; }

    /// <summary>
    /// <para type="description">The key's passphrase, to check that it opens the key and to check the key
    /// itself.</para>
    /// </summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>
    /// <para type="description">Whose rules apply: Integration (private RSA key in OpenSSL PEM; the default), GitHub,
    /// GitLab, Bitbucket, AzureDevOps (RSA only) or Any.</para>
    /// </summary>
    [Parameter]
    public KeyRequirement Requirement { get; set; } = KeyRequirement.Integration;

    /// <summary><para type="description">Returns only $true (no error findings) or $false.</para></summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Checks each key.</summary>
    protected override void ProcessRecord()
    {
        var passphrase = Plain(Passphrase);
        if (ParameterSetName == UrlSet || ParameterSetName == HostSet)
        {
            TestLogin(passphrase);
            return;
        }
        if (ParameterSetName == TextSet)
        {
            Emit(KeyDiagnostics.TestText(KeyText!, passphrase, Requirement));
            return;
        }
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (var p in ResolvePaths(literal ? LiteralPath : Path, literal))
        {
            WriteVerbose($"Checking '{p}' against the {Requirement} requirement.");
            Emit(KeyDiagnostics.TestFile(p, passphrase, Requirement));
        }
    }

    private void TestLogin(string? passphrase)
    {
        string? key = null;
        if (Path != null)
        {
            foreach (var p in ResolvePaths(Path, literal: false))
            {
                key = p;
                break;
            }
            if (key == null)
                return;
        }
        try
        {
            var url =
                ParameterSetName == UrlSet
                    ? GitUrl.Parse(Url)
                    : new GitUrl(GitTransport.Ssh, User ?? "git", HostName!.ToLowerInvariant(), Port, "/");
            var access = new GitAccess
            {
                KeyPath = key,
                Passphrase = passphrase,
                AcceptNewHostKey = AcceptNewHostKey,
                Requirement = Requirement,
                KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : KnownHosts.DefaultPath,
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            };
            WriteVerbose(
                $"Logging in to {url.Host} port {url.EffectivePort} as ssh -T does, with "
                    + $"{(key ?? "the default keys")}; host keys from '{access.KnownHostsPath}'."
            );
            using (_stop = new System.Threading.CancellationTokenSource())
            {
                var result = GitConnection.TestSsh(url, access, _stop.Token);
                if (result.Negotiated != null)
                    WriteVerbose($"SSH {result.Negotiated}.");
                WriteVerbose($"{result.Reason}: {result.Message}");
                if (Quiet)
                    WriteObject(result.Success);
                else
                    WriteObject(result);
            }
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, Url ?? HostName!);
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>Ctrl+C: ends the login.</summary>
    protected override void StopProcessing()
    {
        try
        {
            _stop?.Cancel();
        }
        catch (ObjectDisposedException) { }
    }

    private void Emit(KeyTestResult result)
    {
        foreach (var f in result.Findings)
            WriteVerbose($"{f.Severity} {f.Id}: {f.Message}");
        if (Quiet)
            WriteObject(result.IsValid);
        else
            WriteObject(result);
    }
}
