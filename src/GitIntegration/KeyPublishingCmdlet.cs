using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// What Publish-GitSshKey and Unpublish-GitSshKey share: each piped repository becomes a publication (its host
/// recognised from the URL, its token from -Token or its stored integration), confirmed with ShouldProcess; at the
/// end Core's operation runs over all of them, its results and errors written here as they finish.
/// </summary>
public abstract class KeyPublishingCmdlet : GitIntegrationCmdlet, IDisposable
{
    private protected const string RepositorySet = "Repository";
    private protected const string UserSet = "User";
    private protected const string ProjectSet = "Project";
    private readonly CancellationTokenSource _stop = new CancellationTokenSource();
    private readonly Dictionary<string, (SshKey Key, List<KeyPublication> Items)> _byKey = new Dictionary<
        string,
        (SshKey, List<KeyPublication>)
    >(StringComparer.Ordinal);
    private readonly Dictionary<string, HostConnection> _connections = new Dictionary<string, HostConnection>();
    private readonly ConcurrentQueue<string> _verbose = new ConcurrentQueue<string>();
    private RestOptions? _options;
    private IntegrationStore? _store;
    private HostConnection? _app;

    /// <summary><para type="description">The repository's clone URL, in any form git accepts (SSH, scp-like,
    /// HTTPS). Import-Csv rows bind by a Url, Origin or CloneUrl column; integrations (Get-GitIntegration,
    /// Connect-GitRepository) by their Url.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Origin", "CloneUrl")]
    [ValidateNotNullOrEmpty]
    public string? Url { get; set; }

    /// <summary><para type="description">The SSH key: the private key file (its public half comes from the .pub
    /// beside it, or from the key itself) or the .pub file. Only the public key is sent. An integration piped in
    /// brings its own (PrivateKeyPath).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("KeyPath", "PrivateKeyPath", "FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string? Path { get; set; }

    /// <summary><para type="description">The passphrase of an encrypted private key that has no .pub beside it, to
    /// read its public half.</para></summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary><para type="description">The host's access token, as a SecureString (Read-Host -AsSecureString, or
    /// from a vault). On GitHub: a classic token with the repo scope (write:public_key for -UserKey), or a
    /// fine-grained one with the Administration repository permission (read and write). On GitLab: the api scope
    /// (and the Maintainer role). On Bitbucket Cloud: an access token with repository:admin (account:write for
    /// -UserKey). On Bitbucket Data Center: an HTTP access token with Repository admin (Project admin for
    /// -ProjectKey). On Gitea: write:repository (write:user for -UserKey). Without it, an integration piped in
    /// gives its stored token.</para></summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary><para type="description">The name of a GitHub App integration (Install-GitHubApp) whose
    /// installation manages the deploy keys instead of a personal token. The app needs the administration
    /// permission (read and write); without it the command stops before any key is sent, and says so.</para>
    /// </summary>
    [Parameter(ParameterSetName = RepositorySet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    public string? GitHubApp { get; set; }

    /// <summary><para type="description">The key goes to the account the token belongs to (Settings ➜ SSH keys), so
    /// it reaches every repository that account can read, instead of being a deploy key of each repository.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = UserSet)]
    public SwitchParameter UserKey { get; set; }

    /// <summary><para type="description">Bitbucket Data Center: the key becomes an access key of the repository's
    /// project (Project settings ➜ Access keys), so it reaches every repository of the project.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = ProjectSet)]
    public SwitchParameter ProjectKey { get; set; }

    /// <summary><para type="description">The kind of host, for a self-managed server whose name does not say it
    /// (github.example.com is recognised as GitHub Enterprise Server): GitHub, GitHubEnterprise, GitLab,
    /// BitbucketCloud, BitbucketDataCenter, Gitea. Give -ApiUrl with it. A CSV of repositories on several
    /// servers can give both as columns (HostType, ApiUrl).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public KeyHostType? HostType { get; set; }

    /// <summary><para type="description">The host's REST API address, for a self-managed server, e.g.
    /// https://github.example.com/api/v3. By default it follows from the repository URL.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? ApiUrl { get; set; }

    /// <summary><para type="description">The name of the integration the key is for; it goes in the key's title.
    /// Integrations and CSV rows with a Name column bind it.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary><para type="description">Integrations, as Get-GitIntegration and Connect-GitRepository write them:
    /// each gives its URL, name and key, and its stored token when -Token is not given.</para></summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    public Integration[]? InputObject { get; set; }

    /// <summary><para type="description">How many repositories are handled at the same time.</para></summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary><para type="description">Does not verify the host's TLS certificate (a test server). Anyone between
    /// you and the host could read the token.</para></summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">Trusts the host's TLS certificate, or a CA certificate in its chain, by
    /// its SHA-256 thumbprint (64 hexadecimal digits; a 40-digit SHA-1 thumbprint also works), for a server whose
    /// CA this computer does not trust.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TrustedCertificateThumbprint { get; set; }

    /// <summary><para type="description">How long each call to the host may take, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><para type="description">The store of the integrations whose stored tokens are used, instead of
    /// $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
    [Parameter]
    public string? StorePath { get; set; }

    private protected abstract string Action(KeyPublication item, SshKey key);

    private protected abstract Task<IReadOnlyList<KeyPublishResult>> RunAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult> finished,
        CancellationToken cancel
    );

    private protected virtual bool Confirmed(string url, string action) => ShouldProcess(url, action);

    private protected virtual KeyPublishOptions Options(SshKey key, string keyPath) =>
        new KeyPublishOptions(key) { KeyPath = keyPath, ThrottleLimit = ThrottleLimit };

    /// <summary>The client options every host connection shares: certificate trust, timeout, verbose.</summary>
    protected override void BeginProcessing()
    {
        CertificateTrust trust = null!;
        try
        {
            trust = new CertificateTrust(SkipCertificateCheck, TrustedCertificateThumbprint);
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
        }
        _options = new RestOptions
        {
            Trust = trust,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            Verbose = _verbose.Enqueue,
        };
    }

    /// <summary>Reads the key, recognises the host, confirms, and queues the repository.</summary>
    protected override void ProcessRecord()
    {
        var url = Url!;
        try
        {
            var keyPath = ResolveNewPath(Path!);
            if (!_byKey.TryGetValue(keyPath, out var group))
                _byKey[keyPath] = group = (
                    KeyPublishing.ReadPublicKey(keyPath, Plain(Passphrase)),
                    new List<KeyPublication>()
                );
            var gitUrl = GitUrl.Parse(url);
            var endpoint = KeyHosts.Resolve(gitUrl, HostType, ApiUrl);
            var kind =
                UserKey ? KeyTargetKind.User
                : ProjectKey ? KeyTargetKind.Project
                : KeyTargetKind.Repository;
            var item = new KeyPublication(new KeyTarget(kind, gitUrl), Connection(endpoint, url), Name)
            {
                GivenUrl = url,
            };
            if (!Confirmed(url, Action(item, group.Key)))
                return;
            group.Items.Add(item);
        }
        catch (GitIntegrationException e)
        {
            WriteItemFailure(e, url);
        }
    }

    /// <summary>Runs Core's operation over the queued repositories, one call per key.</summary>
    protected override void EndProcessing()
    {
        var total = _byKey.Values.Sum(g => g.Items.Count);
        var done = 0;
        var progress = new ProgressRecord(7, MyInvocation.MyCommand.Name, $"{total} repositories");
        foreach (var entry in _byKey.Where(g => g.Value.Items.Count > 0))
        {
            var finished = new ConcurrentQueue<KeyPublishResult>();
            var options = Options(entry.Value.Key, entry.Key);
            var task = Task.Run(() => RunAsync(entry.Value.Items, options, finished.Enqueue, _stop.Token));
            void Drain()
            {
                while (_verbose.TryDequeue(out var message))
                    WriteVerbose(message);
                while (finished.TryDequeue(out var r))
                {
                    progress.StatusDescription = $"{++done} of {total}: {r.Url}";
                    progress.PercentComplete = 100 * done / total;
                    WriteProgress(progress);
                    if (r.Error != null)
                        WriteItemFailure(r.Error, r.Url);
                    else
                        WriteObject(r);
                }
            }
            try
            {
                while (!task.Wait(100))
                    Drain();
                Drain();
            }
            catch (AggregateException e) when (e.InnerException is OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (AggregateException e) when (e.InnerException is GitIntegrationException g)
            {
                Fail(g);
            }
        }
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }

    /// <summary>Ctrl+C: cancels the calls still running.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose() => _stop.Dispose();

    /// <summary>
    /// The stored GitHub App's installation, on its GitHub (or -ApiUrl); an app that cannot manage deploy keys
    /// stops the command.
    /// </summary>
    private HostConnection AppConnection()
    {
        _store ??= IntegrationStoreAccess.Open(this, StorePath);
        var app = _store
            .Load()
            .Integrations.FirstOrDefault(i => string.Equals(i.Name, GitHubApp, StringComparison.OrdinalIgnoreCase));
        if (app == null)
            Fail(
                new GitIntegrationException(
                    StoreErrorIds.IntegrationNotFound,
                    ErrorKind.ObjectNotFound,
                    $"There is no integration '{GitHubApp}' in the store. Get-GitIntegration -Type "
                        + "GitHubApp,GitHubEnterpriseApp lists the GitHub Apps."
                )
                {
                    Target = GitHubApp,
                }
            );
        if (!GitHubAppIntegration.IsApp(app!))
            Fail(
                new GitIntegrationException(
                    GitHubErrorIds.NotAGitHubApp,
                    ErrorKind.InvalidArgument,
                    $"'{app!.Name}' is a {app.Type} integration, not a GitHub App. Get-GitIntegration -Type "
                        + "GitHubApp,GitHubEnterpriseApp lists the apps."
                )
                {
                    Target = GitHubApp,
                }
            );
        var endpoint =
            ApiUrl != null
                ? new HostEndpoint(HostType ?? GitHubAppKeyAccess.Endpoint(app!).Type, ApiUrl)
                : GitHubAppKeyAccess.Endpoint(app!);
        var http = new GitHubHttp(
            GitHubAppIntegration.Host(app!),
            new GitHubHttpOptions
            {
                Trust = CertificateTrust.For(app!),
                Timeout = _options!.Timeout,
                Verbose = _verbose.Enqueue,
            }
        );
        try
        {
            return GitHubAppKeyAccess
                .ConnectAsync(app!, http, endpoint, _options, _stop.Token)
                .GetAwaiter()
                .GetResult();
        }
        catch (GitIntegrationException e)
        {
            http.Dispose();
            Fail(e, GitHubApp);
            throw;
        }
    }

    /// <summary>One connection per host and token, so that repositories on one host share one client.</summary>
    private HostConnection Connection(HostEndpoint endpoint, string url)
    {
        if (GitHubApp != null)
            return _app ??= AppConnection();
        string token;
        string source;
        if (Token != null)
        {
            token = Plain(Token)!;
            source = "token";
        }
        else if (InputObject?.FirstOrDefault(i => i.TokenRef != null)?.TokenRef is SecretRef stored)
        {
            _store ??= IntegrationStoreAccess.Open(this, StorePath);
            token = _store.ReadSecret(stored);
            source = stored.ToString();
        }
        else
            throw new GitIntegrationException(
                HostErrorIds.TokenRequired,
                ErrorKind.InvalidArgument,
                $"A token of {endpoint.Type} is needed to publish keys to '{url}'. Give it with -Token "
                    + "(Read-Host -AsSecureString), or pipe in an integration that stores one."
            )
            {
                Target = url,
            };
        var id = $"{endpoint}|{source}";
        if (!_connections.TryGetValue(id, out var c))
            _connections[id] = c = HostConnection.WithToken(endpoint, token, _options);
        return c;
    }
}
