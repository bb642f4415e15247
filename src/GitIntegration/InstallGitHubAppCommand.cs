using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Keys;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Creates a GitHub App for an organization from a manifest, waits until it is installed, and stores the integration.</para>
    /// <para type="description">The manifest flow of GitHub: a page on 127.0.0.1 (a free port) posts the app's manifest to the organization's
    /// "new GitHub App" page on github.com or on a GitHub Enterprise Server (-HostUrl); after you confirm, GitHub redirects back, the code is
    /// exchanged for the app's id, client id and private key, and the integration is stored with Status Installing (the key and webhook
    /// secret in protected files, never in the YAML). The page's address holds a random part that only your browser is given, so
    /// other users of the computer cannot load it; a request that pretends to be GitHub's redirect is reported as a
    /// GitHubAppCallbackForged error and ignored while the command goes on waiting; and the app is kept only if GitHub says it belongs
    /// to the organization (otherwise a GitHubAppOwnerMismatch error names the app's page, where its owner deletes it). Then the app's installation page opens; once GitHub shows the installation the
    /// integration becomes Active. When no browser can be opened (remoting, a server without desktop, -NoBrowser) the URLs are printed as
    /// warnings. With -AppId or -ClientId and -PrivateKeyPath, an app that already exists is registered instead: the key is checked with
    /// the key engine and the credentials with GitHub (GET /app). The app is identified by its id, so renaming it on GitHub breaks nothing.</para>
    /// </summary>
    /// <example>
    /// <code>Install-GitHubApp -Organization acme</code>
    /// <para>Creates the app "Jira Git acme" on github.com, opens the browser to confirm and to install it, and returns the Active integration.</para>
    /// </example>
    /// <example>
    /// <code>Install-GitHubApp -Organization platform -HostUrl https://github.example.com -Name 'Jira Git platform' -TimeoutSeconds 1800</code>
    /// <para>The same on a GitHub Enterprise Server (API at https://github.example.com/api/v3), giving the admin half an hour to install.</para>
    /// </example>
    /// <example>
    /// <code>Install-GitHubApp -AppId 123456 -PrivateKeyPath ./jira-git.2024-05-01.private-key.pem -Organization acme</code>
    /// <para>Registers an app created by hand: the PEM is validated and GitHub must accept it for app 123456.</para>
    /// </example>
    [Cmdlet(VerbsLifecycle.Install, "GitHubApp", SupportsShouldProcess = true, DefaultParameterSetName = ManifestSet)]
    [OutputType(typeof(Integration))]
    public sealed class InstallGitHubAppCommand : GitHubAppCmdletBase
    {
        private const string ManifestSet = "Manifest";
        private const string ExistingSet = "Existing";
        private CertificateTrust _trust = new CertificateTrust();

        /// <summary><para type="description">The GitHub organization (its login, as in https://github.com/ORG) that owns and installs the app.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(OrganizationCompleter))]
        public string Organization { get; set; } = "";

        /// <summary><para type="description">The GitHub Enterprise Server, e.g. https://github.example.com. Leave it out for github.com (and GitHub Enterprise Cloud).</para></summary>
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

        /// <summary><para type="description">The app's name on GitHub and the integration's name in the store. Defaults to "Jira Git ORG". GitHub may ask for another if the name is taken.</para></summary>
        [Parameter]
        [ValidateLength(1, 34)]
        public string? Name { get; set; }

        /// <summary><para type="description">All (the default) or Selected: what you intend to choose on GitHub's installation page. GitHub lets only the admin choose there; a different choice is reported as a warning.</para></summary>
        [Parameter(ParameterSetName = ManifestSet)]
        [ValidateSet("All", "Selected")]
        public string RepositorySelection { get; set; } = "All";

        /// <summary><para type="description">With -RepositorySelection Selected: the repositories to select on the installation page; those the installation cannot see afterwards are reported.</para></summary>
        [Parameter(ParameterSetName = ManifestSet)]
        public string[]? Repository { get; set; }

        /// <summary><para type="description">The app's permissions, e.g. @{ contents = 'read'; metadata = 'read'; pull_requests = 'read' } (the default).</para></summary>
        [Parameter(ParameterSetName = ManifestSet)]
        public Hashtable? Permission { get; set; }

        /// <summary><para type="description">How long to wait for the app to be created and installed, in seconds
        /// (default 900). Ctrl+C stops waiting. -TimeoutSec, its former name, still works.</para></summary>
        [Parameter(ParameterSetName = ManifestSet)]
        [Alias("TimeoutSec")]
        [ValidateRange(10, 86400)]
        public int TimeoutSeconds { get; set; } = 900;

        /// <summary><para type="description">Prints the URLs to open instead of starting a browser (for a remote session).</para></summary>
        [Parameter(ParameterSetName = ManifestSet)]
        public SwitchParameter NoBrowser { get; set; }

        /// <summary><para type="description">The id of an existing app (its settings page shows "App ID").</para></summary>
        [Parameter(ParameterSetName = ExistingSet, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long AppId { get; set; }

        /// <summary><para type="description">The client id of an existing app (Iv1... or Iv23...), instead of or with -AppId.</para></summary>
        [Parameter(ParameterSetName = ExistingSet, ValueFromPipelineByPropertyName = true)]
        public string? ClientId { get; set; }

        /// <summary><para type="description">The existing app's private key (.pem downloaded from its settings page). It is copied into the store's protected keys folder.</para></summary>
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
                var store = OpenStore();
                var fallback = "Jira Git " + Organization;
                var name = Name ?? (fallback.Length > 34 ? fallback.Substring(0, 34) : fallback);
                if (store.Load().Integrations.Any(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase)))
                    throw GitHubAppIntegration.NameTaken(name);
                if (ParameterSetName == ExistingSet) RegisterExisting(store, host, name);
                else CreateFromManifest(store, host, name);
            }
            catch (GitIntegrationException e) { WriteFailure(e, Organization); }
        }

        private void CreateFromManifest(IntegrationStore store, GitHubHost host, string name)
        {
            if (!ShouldProcess($"{Organization} on {host.WebUrl.Host}", $"Create the GitHub App '{name}' and install it")) return;
            var manifest = new GitHubAppManifest(Organization, name);
            if (Permission != null)
                manifest.Permissions = Permission.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => e.Value?.ToString() ?? "read");
            BrowserOpener open = NoBrowser || Host.Name == "ServerRemoteHost" ? (BrowserOpener)(_ => false) : GitHubManifestFlow.OpenSystemBrowser;
            var timeout = TimeSpan.FromSeconds(TimeoutSeconds);
            using var http = Http(host, _trust);
            var registration = Run(c => GitHubManifestFlow.CreateAppAsync(http, manifest, open, this, timeout, c));
            var integration = GitHubAppIntegration.Add(store, host, Organization, name, registration, _trust);
            WriteVerbose($"Stored the integration '{name}' ({integration.Id}) with Status Installing.");
            var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(integration));
            var installation = Run(c => GitHubManifestFlow.WaitForInstallationAsync(client, Organization, registration.HtmlUrl!, open, this, timeout, TimeSpan.FromSeconds(3), c));
            integration = GitHubAppIntegration.RecordInstallation(store, integration.Id, installation);
            CheckSelection(client, installation);
            WriteObject(integration);
        }

        private void CheckSelection(GitHubAppClient client, GitHubAppInstallation installation)
        {
            if (!string.Equals(installation.RepositorySelection, RepositorySelection, StringComparison.OrdinalIgnoreCase))
                WriteWarning($"The app was installed on {installation.RepositorySelection} repositories, not {RepositorySelection}. Change it on {installation.HtmlUrl}.");
            if (Repository == null || Repository.Length == 0) return;
            var seen = Run(c => client.GetRepositoriesAsync(installation.Id, c)).Select(r => r.Name).ToList();
            var missing = Repository.Where(r => !seen.Contains(r.Split('/').Last(), StringComparer.OrdinalIgnoreCase)).ToList();
            if (missing.Count > 0)
                WriteWarning($"The installation cannot see {string.Join(", ", missing)}. Add them on {installation.HtmlUrl}.");
        }

        private void RegisterExisting(IntegrationStore store, GitHubHost host, string name)
        {
            var path = ResolvePaths(new[] { PrivateKeyPath }, literal: true).FirstOrDefault();
            if (path == null) return;
            if (!ShouldProcess($"{Organization} on {host.WebUrl.Host}", $"Register the existing GitHub App {(AppId > 0 ? AppId.ToString() : ClientId)} as '{name}'")) return;
            var pem = KeyFiles.ReadText(path);
            var credentials = GitHubAppCredentials.FromPem(AppId, ClientId, pem);
            using var http = Http(host, _trust);
            var app = Run(c => GitHubAppLifecycle.VerifyAsync(http, credentials, c));
            var integration = GitHubAppIntegration.Add(store, host, Organization, name,
                new GitHubAppRegistration { Id = app.Id, ClientId = app.ClientId ?? ClientId, Slug = app.Slug, HtmlUrl = app.HtmlUrl, Name = app.Name, Pem = pem },
                _trust);
            var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(integration));
            var installation = Run(c => client.FindOrganizationInstallationAsync(Organization, c));
            if (installation != null) integration = GitHubAppIntegration.RecordInstallation(store, integration.Id, installation);
            else if (app.HtmlUrl != null)
                WriteWarning($"The app is not installed on {Organization} yet: install it at {GitHubHost.InstallUrl(app.HtmlUrl)}, then run Get-GitHubAppInstallation -Name '{name}'.");
            WriteObject(integration);
        }
    }
}
