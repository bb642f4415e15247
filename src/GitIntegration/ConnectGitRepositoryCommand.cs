using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Connects a repository: verifies read access as git ls-remote does, then stores the
/// integration as Connected.</para>
/// <para type="description">What "verify the connection" checks by hand, as one scriptable command. Over SSH it uses
/// the private key (-KeyPath or a key object from Get-GitSshKey) and its passphrase, in PowerShell itself (neither ssh
/// nor git is needed), never interactively, host keys checked strictly; over HTTPS it reads the repository's list of
/// refs itself (git is not needed), sending the token in -Credential only in the Authorization header, only to the
/// repository's own address (never to a server a redirect points to), and never over plain http unless
/// -AllowUnencryptedAuthentication is given.
/// On success the integration is written to the store with Status Connected, LastVerified, the default branch and ref
/// counts, and returned.
/// On failure nothing is stored and the error says exactly why (PermissionDenied with where to add the key,
/// HostKeyUnknown, Timeout with the port-443 alternative, AuthenticationFailed, CertificateInvalid with the
/// certificate's subject and issuer, RepositoryNotFound...); with -Force it is stored as Failed.
/// Before anything connects, an SSH key is checked against the integration's rule (a private RSA key in OpenSSL PEM),
/// as Test-GitSshKey checks it: a key the integration would reject (OpenSSH format, Ed25519...) is refused with
/// KeyRejectedByIntegrationRule and the command that fixes it, unless -Requirement names a laxer rule (GitHub, GitLab,
/// Bitbucket, Any) for a host that accepts it.
/// Connecting a URL that is already stored updates that integration; under another -Name it is refused
/// (UrlStoredUnderOtherName):
/// Set-GitIntegration -NewName renames. Piped repositories are verified in parallel, up to -ThrottleLimit; the error of
/// one names its URL, which is also the error's TargetObject.
/// The repositories on one SSH host with one key share one connection: the key authenticates once per host, not once
/// per repository, and the connection is closed when the command ends. Only -Clone runs git.</para>
/// </summary>
/// <example>
/// <code>Connect-GitRepository -Url git@bitbucket.org:team/app.git -KeyPath ~/.ssh/jira_rsa -Passphrase (Read-Host -AsSecureString)</code>
/// <para>Connects one repository with the integration's RSA PEM key and returns the stored integration.</para>
/// </example>
/// <example>
/// <code>Import-Csv repos.csv | Connect-GitRepository -KeyPath ~/.ssh/jira_rsa -ThrottleLimit 8</code>
/// <para>Connects every repository of a CSV with Url (and optional Name) columns, eight at a time; each one is its own
/// result or error.</para>
/// </example>
/// <example>
/// <code>Connect-GitRepository -Url https://git.example.com/scm/ops/tools.git -Credential (Get-Credential svc-jira) -SkipCertificateCheck</code>
/// <para>Connects over HTTPS with a personal access token as the password, to a test server with a self-signed
/// certificate.</para>
/// </example>
/// <example>
/// <code>$thumbprint = '3F9A6C0E5B2D4A718E2C9F04B6D1A3E57C8B9D0F1A2B3C4D5E6F708192A3C21B'  # as its admin said
/// Connect-GitRepository -Url https://git.corp.example/ops/tools.git -Credential (Get-Credential svc-jira) `
///     -TrustedCertificateThumbprint $thumbprint</code>
/// <para>Connects to an internal server whose certificate comes from the company's own CA, which this computer
/// does not trust: the thumbprint (of the server's certificate or of the CA's) is the one its administrator
/// confirmed. It is stored with the integration, so Test-GitIntegration trusts the same certificate later.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "GitRepository", SupportsShouldProcess = true, DefaultParameterSetName = KeySet)]
[OutputType(typeof(Integration))]
public sealed class ConnectGitRepositoryCommand : GitIntegrationCmdlet, IDisposable
{
    private const string KeySet = "Key";
    private const string TokenSet = "Token";
    private Throttled<GitConnectionResult>? _work;
    private IntegrationStore? _store;
    private StoreDocument? _stored;
    private SshConnections? _ssh;
    private int _queued,
        _finished;

    /// <summary>
    /// <para type="description">The repository's clone URL (SSH or HTTPS). Import-Csv output binds by a Url, Origin or
    /// CloneUrl column.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Origin", "CloneUrl")]
    [ValidateNotNullOrEmpty]
    public string? Url { get; set; }

    /// <summary>
    /// <para type="description">The name of the integration; by default the repository's name from the URL.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary><para type="description">The private SSH key file.</para></summary>
    [Parameter(ParameterSetName = KeySet)]
    [Alias("PrivateKeyPath")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string? KeyPath { get; set; }

    /// <summary>
    /// <para type="description">The private key as an object from Get-GitSshKey or New-GitSshKey (its Path is
    /// used).</para>
    /// </summary>
    [Parameter(ParameterSetName = KeySet)]
    [ValidateNotNull]
    public SshKeyInfo? Key { get; set; }

    /// <summary>
    /// <para type="description">The passphrase of the private key. It opens the key in this process only, and is stored
    /// protected, never in the YAML.</para>
    /// </summary>
    [Parameter(ParameterSetName = KeySet)]
    public SecureString? Passphrase { get; set; }

    /// <summary><para type="description">Whose rules the SSH key must meet before anything connects: Integration (a
    /// private RSA key in OpenSSL PEM; the default), GitHub, GitLab, Bitbucket, AzureDevOps (RSA only) or Any, as in
    /// Test-GitSshKey.</para></summary>
    [Parameter(ParameterSetName = KeySet)]
    public KeyRequirement Requirement { get; set; } = KeyRequirement.Integration;

    /// <summary>
    /// <para type="description">For HTTPS: the user name and, as password, the personal access token or app
    /// password.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary><para type="description">Does not verify the server's TLS certificate (a self-signed test server);
    /// Get-GitIntegration then shows SslVerify False. -SkipSslVerification, its former name, still
    /// works.</para></summary>
    [Parameter]
    [Alias("SkipSslVerification")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">For HTTPS: trusts the server's TLS certificate, or a CA certificate in its
    /// chain, by its SHA-256 thumbprint (64 hexadecimal digits; a 40-digit SHA-1 thumbprint also works), for an
    /// internal server whose CA this computer does not trust. A CertificateInvalid error shows the certificate's
    /// SHA-256 thumbprint: confirm it with the server's administrator before trusting it. Stored with the
    /// integration (Properties.TrustedCertificateThumbprint).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TrustedCertificateThumbprint { get; set; }

    /// <summary><para type="description">Sends the token of -Credential to an http:// (unencrypted) repository URL,
    /// where anyone on the network path can read it. Without it, such a URL with -Credential is refused
    /// (UnencryptedAuthenticationRefused). Stored with the integration, so Test-GitIntegration may do the same
    /// later.</para></summary>
    [Parameter(ParameterSetName = TokenSet)]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary>
    /// <para type="description">Trusts the SSH host key on a first connection and records it; a changed key is never
    /// accepted.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary>
    /// <para type="description">Also clones the repository into -Destination once access is verified.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Clone { get; set; }

    /// <summary>
    /// <para type="description">Where -Clone puts the working copy; by default a folder named after the repository in
    /// the current location.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary><para type="description">How many repositories are verified at the same time. Over SSH they share one
    /// connection per host and key, with at most 8 checks at once on it (OpenSSH servers allow 10 sessions per
    /// connection).</para></summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>
    /// <para type="description">Stores the integration even when verification fails, with Status Failed and the
    /// reason.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// <para type="description">The known_hosts file for SSH host keys; by default the module's own, next to the
    /// store.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary><para type="description">How long one verification may take, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// <para type="description">The store file (or its folder) instead of $env:GITINTEGRATION_STORE or the per-user
    /// default.</para>
    /// </summary>
    [Parameter]
    public string? StorePath { get; set; }

    /// <summary>Opens the store once for the pipeline.</summary>
    protected override void BeginProcessing()
    {
        _store = IntegrationStoreAccess.Open(this, StorePath);
        _work = new Throttled<GitConnectionResult>(ThrottleLimit);
        try
        {
            _stored = _store.Load();
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
        }
        _ssh = new SshConnections();
        WriteVerbose(
            $"Repositories on one SSH host with one key share one connection, {SshConnections.MaxChannels} "
                + "checks at a time."
        );
    }

    /// <summary>Queues each repository's verification.</summary>
    protected override void ProcessRecord()
    {
        ConnectRequest request;
        try
        {
            request = Build();
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, Url!);
            return;
        }
        if (
            !ShouldProcess(
                request.Url.ToString(),
                $"Verify access and store the integration '{request.Name ?? request.Url.Name}'"
            )
        )
            return;
        _queued++;
        var access =
            request.Access.KeyPath != null ? "key " + request.Access.KeyPath
            : request.Access.Token != null ? "token"
            : "default credentials";
        WriteVerbose($"Reading the refs of {request.Url} ({access}).");
        _work!.Add(cancel => RepositoryConnector.Verify(request, cancel), finished => Emit(request, finished));
    }

    /// <summary>Waits for the verifications still running.</summary>
    protected override void EndProcessing()
    {
        _work?.Drain(block: true);
        _work?.Dispose();
        _ssh?.Dispose();
    }

    /// <summary>Ctrl+C: stops the checks, kills a running clone and closes the shared connections.</summary>
    protected override void StopProcessing()
    {
        _work?.Cancel();
        _ssh?.Dispose();
    }

    /// <summary>Closes the shared SSH connections when the pipeline ends early (an error or Ctrl+C).</summary>
    public void Dispose() => _ssh?.Dispose();

    private ConnectRequest Build()
    {
        var verification = new VerificationOptions
        {
            AcceptNewHostKey = AcceptNewHostKey,
            KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : null,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        };
        var access = verification.Access(_store!, _ssh);
        access.KeyPath = KeyPath != null ? ResolveNewPath(KeyPath) : Key?.Path;
        access.Passphrase = Plain(Passphrase);
        access.UserName = Credential?.UserName;
        access.Token = Credential != null ? Plain(Credential.Password) : null;
        access.SkipSslVerification = SkipCertificateCheck;
        access.TrustedCertificateThumbprints = CertificateTrust.Normalize(
            TrustedCertificateThumbprint ?? new string[0]
        );
        access.AllowUnencryptedAuthentication = AllowUnencryptedAuthentication;
        var options = new ConnectOptions
        {
            Name = Name,
            Requirement = Requirement,
            Clone = Clone,
            Destination = Destination,
            ResolvePath = ResolveNewPath,
        };
        return RepositoryConnector.Prepare(_stored!, Url!, access, options);
    }

    private void Emit(ConnectRequest request, Func<GitConnectionResult> finished)
    {
        _finished++;
        if (_queued > 1)
            WriteProgress(
                new ProgressRecord(1, "Connecting repositories", $"{_finished} of {_queued}")
                {
                    PercentComplete = Math.Min(100, 100 * _finished / _queued),
                }
            );
        try
        {
            var result = finished();
            var ssh = result.Negotiated != null ? " (SSH " + result.Negotiated + ")" : "";
            WriteVerbose($"{result.Url}: {result.Reason} {result.Message}{ssh}");
            var saved = RepositoryConnector.Save(_store!, request, result, Force);
            if (!result.Success)
                WriteWarning(
                    $"'{saved.Name}' is stored as Failed ({result.Reason}) because -Force was given: {result.Message}"
                );
            WriteObject(saved);
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, request.Url.ToString());
        }
    }
}
