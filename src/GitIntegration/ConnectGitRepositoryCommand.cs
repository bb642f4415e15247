using System;
using System.IO;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Connects a repository: verifies access as git ls-remote does, then stores the integration as Connected.</para>
    /// <para type="description">The last step of the seeds' story ("verify the connection") made one scriptable command. Over SSH it uses the private
    /// key (-KeyPath or a key object from Get-GitSshKey) and its passphrase, in PowerShell itself (neither ssh nor git is needed), never interactively, host keys checked
    /// strictly; over HTTPS it uses the token in -Credential, passed to git by environment (never in the URL or on a command line).
    /// On success the integration is written to the store with Status Connected, LastVerified, the default branch and ref counts, and returned.
    /// On failure nothing is stored and the error says exactly why (PermissionDenied with where to add the key, HostKeyUnknown, Timeout with
    /// the port-443 alternative, AuthenticationFailed, CertificateError, RepositoryAccessDenied...); with -Force it is stored as Failed.
    /// Connecting a URL that is already stored updates that integration. Piped repositories are verified in parallel, up to -ThrottleLimit.
    /// The repositories on one SSH host with one key share one connection: the key authenticates once per host, not once per repository,
    /// and the connection is closed when the command ends. Only -Clone runs git.</para>
    /// </summary>
    /// <example>
    /// <code>Connect-GitRepository -Url git@bitbucket.org:team/app.git -KeyPath ~/.ssh/jira_rsa -Passphrase (Read-Host -AsSecureString)</code>
    /// <para>Connects one repository with the integration's RSA PEM key and returns the stored integration.</para>
    /// </example>
    /// <example>
    /// <code>Import-Csv repos.csv | Connect-GitRepository -KeyPath ~/.ssh/jira_rsa -ThrottleLimit 8</code>
    /// <para>Connects every repository of a CSV with Url (and optional Name) columns, eight at a time; each one is its own result or error.</para>
    /// </example>
    /// <example>
    /// <code>Connect-GitRepository -Url https://git.example.com/scm/ops/tools.git -Credential (Get-Credential svc-jira) -SkipCertificateCheck</code>
    /// <para>Connects over HTTPS with a personal access token as the password, to a server with a self-signed certificate.</para>
    /// </example>
    [Cmdlet(VerbsCommunications.Connect, "GitRepository", SupportsShouldProcess = true, DefaultParameterSetName = KeySet)]
    [OutputType(typeof(Integration))]
    public sealed class ConnectGitRepositoryCommand : GitIntegrationCmdlet, IDisposable
    {
        private const string KeySet = "Key";
        private const string TokenSet = "Token";
        private Throttled<(ConnectRequest, GitConnectionResult)>? _work;
        private IntegrationStore? _store;
        private SshConnections? _ssh;
        private int _queued, _finished;

        /// <summary><para type="description">The repository's clone URL (SSH or HTTPS). Import-Csv output binds by a Url, Origin or CloneUrl column.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Origin", "CloneUrl")]
        [ValidateNotNullOrEmpty]
        public string? Url { get; set; }

        /// <summary><para type="description">The name of the integration; by default the repository's name from the URL.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary><para type="description">The private SSH key file.</para></summary>
        [Parameter(ParameterSetName = KeySet)]
        [Alias("PrivateKeyPath")]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyPathCompleter))]
        public string? KeyPath { get; set; }

        /// <summary><para type="description">The private key as an object from Get-GitSshKey or New-GitSshKey (its Path is used).</para></summary>
        [Parameter(ParameterSetName = KeySet)]
        [ValidateNotNull]
        public SshKeyInfo? Key { get; set; }

        /// <summary><para type="description">The passphrase of the private key. It opens the key in this process only, and is stored protected, never in the YAML.</para></summary>
        [Parameter(ParameterSetName = KeySet)]
        public SecureString? Passphrase { get; set; }

        /// <summary><para type="description">For HTTPS: the user name and, as password, the personal access token or app password.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary><para type="description">Does not verify the server's TLS certificate (a self-signed test server);
        /// Get-GitIntegration then shows SslVerify False. -SkipSslVerification, its former name, still works.</para></summary>
        [Parameter]
        [Alias("SkipSslVerification")]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary><para type="description">Trusts the SSH host key on a first connection and records it; a changed key is never accepted.</para></summary>
        [Parameter]
        public SwitchParameter AcceptNewHostKey { get; set; }

        /// <summary><para type="description">Also clones the repository into -Destination once access is verified.</para></summary>
        [Parameter]
        public SwitchParameter Clone { get; set; }

        /// <summary><para type="description">Where -Clone puts the working copy; by default a folder named after the repository in the current location.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Destination { get; set; }

        /// <summary><para type="description">How many repositories are verified at the same time. Over SSH they share one connection per host
        /// and key, with at most 8 checks at once on it (OpenSSH servers allow 10 sessions per connection).</para></summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary><para type="description">Stores the integration even when verification fails, with Status Failed and the reason.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">The known_hosts file for SSH host keys; by default the module's own, next to the store.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KnownHostsPath { get; set; }

        /// <summary><para type="description">How long one verification may take, in seconds.</para></summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSeconds { get; set; } = 60;

        /// <summary><para type="description">The store file (or its folder) instead of $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
        [Parameter]
        public string? StorePath { get; set; }

        /// <summary>Opens the store once for the pipeline.</summary>
        protected override void BeginProcessing()
        {
            _store = IntegrationStoreAccess.Open(this, StorePath);
            _work = new Throttled<(ConnectRequest, GitConnectionResult)>(ThrottleLimit);
            _ssh = new SshConnections();
            WriteVerbose($"Repositories on one SSH host with one key share one connection, {SshConnections.MaxChannels} checks at a time.");
        }

        /// <summary>Queues each repository's verification.</summary>
        protected override void ProcessRecord()
        {
            ConnectRequest request;
            try { request = Build(); }
            catch (GitIntegrationException e) { WriteFailure(e, Url); return; }
            if (!ShouldProcess(request.Url.ToString(), $"Verify access and store the integration '{request.Name ?? request.Url.Name}'")) return;
            _queued++;
            WriteVerbose($"Listing the refs of {request.Url} ({(request.Access.KeyPath != null ? "key " + request.Access.KeyPath : request.Access.Token != null ? "token" : "default credentials")}).");
            _work!.Add(cancel => (request, RepositoryConnector.Verify(request, cancel)), Emit);
        }

        /// <summary>Waits for the verifications still running.</summary>
        protected override void EndProcessing()
        {
            _work?.Drain(Emit, block: true);
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
            var url = GitUrl.Parse(Url);
            var keyPath = KeyPath != null ? ResolveNewPath(KeyPath) : Key?.Path;
            if (keyPath != null && !File.Exists(keyPath))
                throw new GitIntegrationException(ErrorIds.KeyFileNotFound, ErrorKind.ObjectNotFound, $"Cannot find the key '{keyPath}'. Check -KeyPath.") { Target = keyPath };
            if (url.IsHttp && Credential == null && keyPath != null)
                throw new GitIntegrationException(GitErrorIds.UrlNotConvertible, ErrorKind.InvalidArgument,
                    $"'{url}' is an HTTPS URL, but a key was given: use the SSH URL ({GitUrlConverter.ToSsh(url)}), or -Credential with a token.") { Target = url.ToString() };
            var access = new GitAccess
            {
                KeyPath = keyPath,
                Passphrase = Plain(Passphrase),
                UserName = Credential?.UserName,
                Token = Credential != null ? Plain(Credential.Password) : null,
                SkipSslVerification = SkipCertificateCheck,
                AcceptNewHostKey = AcceptNewHostKey,
                KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : KnownHosts.For(_store!),
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                Connections = _ssh,
            };
            var request = new ConnectRequest(url, access) { Name = Name };
            if (Clone) request.CloneTo = ResolveNewPath(Destination ?? url.Name);
            return request;
        }

        private void Emit(Func<(ConnectRequest Request, GitConnectionResult Result)> finished)
        {
            _finished++;
            if (_queued > 1)
                WriteProgress(new ProgressRecord(1, "Connecting repositories", $"{_finished} of {_queued}") { PercentComplete = Math.Min(100, 100 * _finished / _queued) });
            try
            {
                var (request, result) = finished();
                WriteVerbose($"{result.Url}: {result.Reason} {result.Message}{(result.Negotiated != null ? " (SSH " + result.Negotiated + ")" : "")}");
                var saved = RepositoryConnector.Save(_store!, request, result, Force);
                if (!result.Success) WriteWarning($"'{saved.Name}' is stored as Failed ({result.Reason}) because -Force was given: {result.Message}");
                WriteObject(saved);
            }
            catch (GitIntegrationException e) { WriteFailure(e); }
        }
    }
}
