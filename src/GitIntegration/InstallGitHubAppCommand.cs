using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Creates a GitHub App for an organization from a manifest, waits until it is installed, and
/// stores the integration.</para>
/// <para type="description">Creates the app with GitHub's own "app from a manifest" steps: a page on this
/// computer (127.0.0.1, a free port) sends the app's settings to the organization's "new GitHub App" page on
/// github.com or on a GitHub Enterprise Server (-HostUrl). You confirm there; GitHub sends the browser back to
/// this computer, and PowerShell fetches the app's id and private key and stores the integration with Status
/// Installing (the key and webhook secret in protected files, never in the YAML). Then the app's installation page
/// opens; once GitHub shows the installation, the integration becomes Active. The browser page only says that
/// PowerShell is finishing the setup: the result, success or error, is in the PowerShell window.</para>
/// <para type="description">Who can do it: an owner of the organization. Only owners can create an app for the
/// organization and install it on all its repositories (on GitHub: the organization's Settings, Developer
/// settings, GitHub Apps). A repository administrator can install it on their own repositories only, and an owner
/// must then approve the permissions it asks for.</para>
/// <para type="description">From a remote session (SSH, PowerShell remoting, a server without a desktop), use
/// -NoBrowser: the addresses to open are printed as warnings instead of opening a browser you cannot see (in
/// PowerShell remoting and without a desktop that happens anyway). The first one is on this computer's 127.0.0.1,
/// so your own browser can reach it only through a tunnel with the same port number on both ends: from your
/// computer run ssh -N -L PORT:127.0.0.1:PORT admin@server with the port printed, then open the printed address
/// in your browser. Without SSH, create the app by hand on GitHub and register it with -AppId
/// and -PrivateKeyPath, which needs no browser on this computer.</para>
/// <para type="description">What must reach what: this computer must reach GitHub's API over HTTPS (api.github.com,
/// or https://SERVER/api/v3 for a GitHub Enterprise Server); if the organization allows only listed IP addresses,
/// add the address this computer reaches GitHub from. GitHub never has to reach this computer: the app is created
/// without webhooks, so there is no public address to open in a firewall. Leave the app's webhook, permissions and
/// private key settings on GitHub as they are; the app is identified by its id, so renaming it breaks
/// nothing.</para>
/// <para type="description">When something fails after you confirmed on GitHub (the key cannot be fetched,
/// GitHub cannot be reached from here, the store cannot be written), GitHub already holds the new app: the error
/// (GitHubAppSetupUnfinished) gives the app's page, or the organization's apps page, and how to finish or delete
/// it. A request that pretends to be GitHub's redirect is reported (GitHubAppCallbackForged) and ignored while the
/// command goes on waiting; the page's address holds a random part that only your browser is given, so other users
/// of the computer cannot load it. The app is kept only if GitHub says it belongs to the organization (otherwise
/// GitHubAppOwnerMismatch names the page where its owner deletes it).</para>
/// <para type="description">With -AppId or -ClientId and -PrivateKeyPath, an app that already exists is registered
/// instead: the key is checked and GitHub must accept it for that app (GET /app).</para>
/// </summary>
/// <example>
/// <code>Install-GitHubApp -Organization acme</code>
/// <para>Creates the app "Jira Git acme" on github.com, opens the browser to confirm and to install it, and returns the
/// Active integration.</para>
/// </example>
/// <example>
/// <code>Install-GitHubApp -Organization platform -HostUrl https://github.example.com -Name 'Jira Git platform' -TimeoutSeconds 1800</code>
/// <para>The same on a GitHub Enterprise Server (API at https://github.example.com/api/v3), giving the admin half an
/// hour to install.</para>
/// </example>
/// <example>
/// <code>Install-GitHubApp -AppId 123456 -PrivateKeyPath ./jira-git.2024-05-01.private-key.pem -Organization acme</code>
/// <para>Registers an app created by hand: the PEM is validated and GitHub must accept it for app 123456.</para>
/// </example>
/// <example>
/// <code>Install-GitHubApp -Organization acme -NoBrowser</code>
/// <para>From an SSH session on a server: prints the address to open, e.g. http://127.0.0.1:41234/...; on your own
/// computer run ssh -N -L 41234:127.0.0.1:41234 admin@server and open that address in your browser.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Install, "GitHubApp", SupportsShouldProcess = true, DefaultParameterSetName = ManifestSet)]
[OutputType(typeof(Integration))]
public sealed class InstallGitHubAppCommand : GitIntegrationCmdlet
{
    private const string ManifestSet = "Manifest";
    private const string ExistingSet = "Existing";
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(3);
    private readonly GitHubWork _gitHub;

    /// <summary>Runs the calls to GitHub on the pipeline thread.</summary>
    public InstallGitHubAppCommand() => _gitHub = new GitHubWork(this);

    /// <summary><para type="description">The store file (or its folder) to use instead of
    /// $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
    [Parameter]
    public string? StorePath { get; set; }

    /// <summary>Ctrl+C: cancels the wait.</summary>
    protected override void StopProcessing() => _gitHub.Stop();

    private CertificateTrust _trust = new CertificateTrust();

    /// <summary>
    /// <para type="description">The GitHub organization (its login, as in https://github.com/ORG) that owns and
    /// installs the app.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(OrganizationCompleter))]
    public string Organization { get; set; } = "";

    /// <summary>
    /// <para type="description">The GitHub Enterprise Server, e.g. https://github.example.com. Leave it out for
    /// github.com (and GitHub Enterprise Cloud).</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HostUrl { get; set; }

    /// <summary><para type="description">For a GitHub Enterprise Server whose TLS certificate comes from an
    /// internal CA that this computer does not trust: the SHA-256 (or SHA-1) thumbprint of the server's certificate
    /// or of a CA certificate in its chain. Ask the server's administrator for it, or read it from the
    /// CertificateInvalid error and confirm it with them. It is stored with the integration, so later commands for
    /// this app trust the same certificate.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TrustedCertificateThumbprint { get; set; }

    /// <summary>
    /// <para type="description">The app's name on GitHub and the integration's name in the store. Defaults to "Jira Git
    /// ORG". GitHub may ask for another if the name is taken.</para>
    /// </summary>
    [Parameter]
    [ValidateLength(1, 34)]
    public string? Name { get; set; }

    /// <summary>
    /// <para type="description">All (the default) or Selected: what you intend to choose on GitHub's installation page.
    /// GitHub lets only the admin choose there; a different choice is reported as a warning.</para>
    /// </summary>
    [Parameter(ParameterSetName = ManifestSet)]
    [ValidateSet("All", "Selected")]
    public string RepositorySelection { get; set; } = "All";

    /// <summary>
    /// <para type="description">With -RepositorySelection Selected: the repositories to select on the installation
    /// page; those the installation cannot see afterwards are reported.</para>
    /// </summary>
    [Parameter(ParameterSetName = ManifestSet)]
    public string[]? Repository { get; set; }

    /// <summary>
    /// <para type="description">The app's permissions, e.g. @{ contents = 'read'; metadata = 'read'; pull_requests =
    /// 'read' } (the default).</para>
    /// </summary>
    [Parameter(ParameterSetName = ManifestSet)]
    public Hashtable? Permission { get; set; }

    /// <summary><para type="description">How long to wait for the app to be created and installed, in seconds
    /// (default 900). Ctrl+C stops waiting. -TimeoutSec, its former name, still works.</para></summary>
    [Parameter(ParameterSetName = ManifestSet)]
    [Alias("TimeoutSec")]
    [ValidateRange(10, 86400)]
    public int TimeoutSeconds { get; set; } = 900;

    /// <summary><para type="description">Prints the addresses to open instead of starting a browser: for a remote
    /// session, open them in your own browser through an SSH tunnel (see the description).</para></summary>
    [Parameter(ParameterSetName = ManifestSet)]
    public SwitchParameter NoBrowser { get; set; }

    /// <summary><para type="description">The id of an existing app (its settings page shows "App ID").</para></summary>
    [Parameter(ParameterSetName = ExistingSet, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, long.MaxValue)]
    public long AppId { get; set; }

    /// <summary>
    /// <para type="description">The client id of an existing app (Iv1... or Iv23...), instead of or with -AppId.</para>
    /// </summary>
    [Parameter(ParameterSetName = ExistingSet, ValueFromPipelineByPropertyName = true)]
    public string? ClientId { get; set; }

    /// <summary>
    /// <para type="description">The existing app's private key (.pem downloaded from its settings page). It is copied
    /// into the store's protected keys folder.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ExistingSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string PrivateKeyPath { get; set; } = "";

    /// <summary>Creates or registers the app.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            var host = GitHubHost.FromHostUrl(HostUrl);
            _trust = new CertificateTrust(false, TrustedCertificateThumbprint);
            var store = IntegrationStoreAccess.Open(this, StorePath);
            var name = GitHubAppIntegration.NewName(store.Load(), Organization, Name);
            if (ParameterSetName == ExistingSet)
                RegisterExisting(store, host, name);
            else
                CreateFromManifest(store, host, name);
        }
        catch (GitIntegrationException e)
        {
            WriteFailure(e, Organization);
        }
    }

    private void CreateFromManifest(IntegrationStore store, GitHubHost host, string name)
    {
        if (!ShouldProcess($"{Organization} on {host.WebUrl.Host}", $"Create the GitHub App '{name}' and install it"))
            return;
        var manifest = new GitHubAppManifest(Organization, name);
        if (Permission != null)
            manifest.SetPermissions(Permission);
        BrowserOpener open =
            NoBrowser || Host.Name == "ServerRemoteHost"
                ? (BrowserOpener)(_ => false)
                : GitHubManifestFlow.OpenSystemBrowser;
        var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
        using var http = _gitHub.Http(host, _trust);
        var (integration, installation) = _gitHub.Run(c =>
            GitHubManifestFlow.InstallAsync(store, http, manifest, open, _gitHub, timeout, PollInterval, c)
        );
        var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(integration));
        CheckSelection(client, installation);
        WriteObject(integration);
    }

    private void CheckSelection(GitHubAppClient client, GitHubAppInstallation installation)
    {
        var difference = GitHubManifestFlow.SelectionDifference(installation, RepositorySelection);
        if (difference != null)
            WriteWarning(difference);
        if (Repository == null || Repository.Length == 0)
            return;
        var unseen = _gitHub.Run(c => GitHubManifestFlow.UnseenRepositoriesAsync(client, installation, Repository, c));
        if (unseen != null)
            WriteWarning(unseen);
    }

    private void RegisterExisting(IntegrationStore store, GitHubHost host, string name)
    {
        var path = ResolvePaths(new[] { PrivateKeyPath }, literal: true).FirstOrDefault();
        if (path == null)
            return;
        if (
            !ShouldProcess(
                $"{Organization} on {host.WebUrl.Host}",
                $"Register the existing GitHub App {(AppId > 0 ? AppId.ToString() : ClientId)} as '{name}'"
            )
        )
            return;
        using var http = _gitHub.Http(host, _trust);
        var (integration, installation) = _gitHub.Run(c =>
            GitHubAppIntegration.RegisterAsync(store, http, Organization, name, AppId, ClientId, path, c)
        );
        var page = GitHubAppIntegration.Text(integration, GitHubAppIntegration.HtmlUrl);
        if (installation == null && page != null)
            WriteWarning(
                $"The app is not installed on {Organization} yet: install it at "
                    + $"{GitHubHost.InstallUrl(page)}, then run Get-GitHubAppInstallation -Name '{name}'."
            );
        WriteObject(integration);
    }
}
