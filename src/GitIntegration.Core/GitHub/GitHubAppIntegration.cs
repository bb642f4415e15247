using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// A GitHub App integration in the store: ids, slug and links in the YAML (Properties), the PEM in the
/// store's keys folder and the webhook secret in its secrets folder (<see cref="Integration.WebhookSecretRef"/>),
/// never in the YAML. The app is identified by its id; the slug and html_url are kept for links only.
/// </summary>
public static class GitHubAppIntegration
{
    public const string AppId = "appId";
    public const string ClientId = "clientId";
    public const string Slug = "appSlug";
    public const string HtmlUrl = "appHtmlUrl";
    public const string InstallationId = "installationId";
    public const string RepositorySelection = "repositorySelection";
    public const string Account = "account";

    public static bool IsApp(Integration i) =>
        i.Type == IntegrationType.GitHubApp || i.Type == IntegrationType.GitHubEnterpriseApp;

    /// <summary>
    /// An app's key is replaced only after GitHub accepts it (Update-GitHubAppKey): a PEM swapped in unchecked would
    /// break every token until someone notices.
    /// </summary>
    public static void RefuseUncheckedKeyChange(Integration i)
    {
        if (!IsApp(i))
            return;
        throw new GitIntegrationException(
            GitHubErrorIds.KeyChangeNeedsGitHub,
            ErrorKind.InvalidOperation,
            $"'{i.Name}' is a GitHub App integration: its private key is replaced with Update-GitHubAppKey, "
                + "which checks the new key with GitHub first. Run: "
                + new PowerShellCommand("Update-GitHubAppKey")
                    .Literal("Name", i.Name)
                    .Ask("PrivateKeyPath", "The app's new .pem file")
        )
        {
            Target = i.Name,
        };
    }

    public static GitHubHost Host(Integration i) => GitHubHost.FromHostUrl(i.HostUrl);

    public static long? Long(Integration i, string key) =>
        i.Properties.TryGetValue(key, out var v)
        && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : (long?)null;

    public static string? Text(Integration i, string key) => i.Properties.TryGetValue(key, out var v) ? v : null;

    /// <summary>The app's credentials, or null while the integration has no app yet (GitHub never answered).</summary>
    public static GitHubAppCredentials? Credentials(Integration i)
    {
        var appId = Long(i, AppId);
        if (appId == null || string.IsNullOrEmpty(i.PrivateKeyPath))
            return null;
        string pem;
        try
        {
            pem = KeyFiles.ReadText(i.PrivateKeyPath!);
        }
        catch (GitIntegrationException e)
        {
            // The key reader's own advice for a missing file (list your SSH keys) does not fit an app's key.
            var why =
                e.ErrorId == ErrorIds.KeyFileNotFound ? $"The file '{i.PrivateKeyPath}' does not exist." : e.Message;
            throw e.Retold(
                $"The private key of the GitHub App of '{i.Name}' cannot be read: {why} Give the app's .pem "
                    + "file again, or generate a new key on the app's settings page: "
                    + new PowerShellCommand("Update-GitHubAppKey")
                        .Literal("Name", i.Name)
                        .Ask("PrivateKeyPath", "The downloaded .pem file"),
                i.PrivateKeyPath
            );
        }
        return GitHubAppCredentials.FromPem(appId.Value, Text(i, ClientId), pem);
    }

    /// <summary>
    /// The credentials of an app that has them; otherwise the error that explains the Installing state.
    /// </summary>
    public static GitHubAppCredentials RequireCredentials(Integration i) => Credentials(i) ?? throw NoAppYet(i);

    private static GitIntegrationException NoAppYet(Integration i) =>
        new GitIntegrationException(
            GitHubErrorIds.NotInstalled,
            ErrorKind.InvalidOperation,
            $"The integration '{i.Name}' has no GitHub App yet: its creation never finished. "
                + "Test-GitIntegration explains its state; Remove-GitIntegration removes it."
        )
        {
            Target = i.Name,
        };

    public static long RequireInstallationId(Integration i) =>
        Long(i, InstallationId)
        ?? throw new GitIntegrationException(
            GitHubErrorIds.NotInstalled,
            ErrorKind.InvalidOperation,
            $"The app of '{i.Name}' is not installed on {i.Organization} yet. Install it at {InstallPage(i)}, "
                + $"then run Get-GitHubAppInstallation -Name '{i.Name}'."
        )
        {
            Target = i.Name,
        };

    /// <summary>
    /// Where the admin installs the app, for a message: its installation page when the store knows it.
    /// </summary>
    public static string InstallPage(Integration i) =>
        Text(i, HtmlUrl) is string u ? GitHubHost.InstallUrl(u).ToString() : "the app's page";

    /// <summary>
    /// Writes an app that GitHub just created (or that was registered) with Status Installing: the key and webhook
    /// secret go to protected files.
    /// </summary>
    public static Integration Add(
        IntegrationStore store,
        GitHubHost host,
        string organization,
        string name,
        GitHubAppRegistration app,
        CertificateTrust? trust = null
    )
    {
        var i = new Integration
        {
            Name = name,
            Type = host.IsEnterprise ? IntegrationType.GitHubEnterpriseApp : IntegrationType.GitHubApp,
            HostUrl = host.HostUrl,
            Organization = organization,
            Url = new Uri(host.WebUrl, Uri.EscapeDataString(organization)).ToString(),
            Status = IntegrationStatus.Installing,
        };
        Describe(i, app.Id, app.ClientId, app.Slug, app.HtmlUrl);
        if (trust != null)
            CertificateTrust.Store(i, trust.Thumbprints);
        i.PrivateKeyPath = store.WriteKey(KeyFileName(i), app.Pem!);
        if (!string.IsNullOrEmpty(app.WebhookSecret))
            i.WebhookSecretRef = store.WriteSecret($"{i.Id:N}-webhook", app.WebhookSecret!);
        try
        {
            return store.Update(d =>
            {
                if (d.Integrations.Any(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase)))
                    throw NameTaken(name);
                d.Integrations.Add(i);
                return i;
            });
        }
        catch
        {
            store.DeleteOwned(i);
            throw;
        }
    }

    /// <summary>
    /// Install-GitHubApp -AppId/-ClientId: registers an app created by hand. Only once GitHub accepts its key for
    /// that app (GET /app) is it stored, with Status Installing; an installation on the organization, when there
    /// is one, is recorded at once (Active). Returns the integration and that installation (null: not installed).
    /// </summary>
    public static async Task<(Integration Integration, GitHubAppInstallation? Installation)> RegisterAsync(
        IntegrationStore store,
        GitHubHttp http,
        string organization,
        string name,
        long appId,
        string? clientId,
        string privateKeyPath,
        CancellationToken cancel
    )
    {
        var pem = KeyFiles.ReadText(privateKeyPath);
        var credentials = GitHubAppCredentials.FromPem(appId, clientId, pem);
        var app = await GitHubAppLifecycle.VerifyAsync(http, credentials, cancel).ConfigureAwait(false);
        var registration = new GitHubAppRegistration
        {
            Id = app.Id,
            ClientId = app.ClientId ?? clientId,
            Slug = app.Slug,
            HtmlUrl = app.HtmlUrl,
            Name = app.Name,
            Pem = pem,
        };
        var integration = Add(store, http.Host, organization, name, registration, http.Options.Trust);
        var client = new GitHubAppClient(http, RequireCredentials(integration));
        var installation = await client.FindOrganizationInstallationAsync(organization, cancel).ConfigureAwait(false);
        if (installation != null)
            integration = RecordInstallation(store, integration.Id, installation);
        return (integration, installation);
    }

    /// <summary>The longest name GitHub gives an app.</summary>
    public const int MaxNameLength = 34;

    /// <summary>
    /// The name of a new app, on GitHub and in the store: the one given, or "Jira Git ORG" cut to GitHub's
    /// <see cref="MaxNameLength"/> characters. A name the store already holds (in any case) is refused before
    /// GitHub is asked; GitHub, which wants app names unique across all its users, may still ask for another on
    /// its page.
    /// </summary>
    public static string NewName(StoreDocument doc, string organization, string? name)
    {
        var chosen = name ?? Shortened("Jira Git " + organization);
        if (chosen.Length == 0 || chosen.Length > MaxNameLength)
            throw new GitIntegrationException(
                GitHubErrorIds.AppNameInvalid,
                ErrorKind.InvalidArgument,
                $"The app name '{chosen}' has {chosen.Length} characters; GitHub takes 1 to {MaxNameLength}. "
                    + "Give a shorter -Name."
            )
            {
                Target = chosen,
            };
        if (doc.Integrations.Any(i => string.Equals(i.Name, chosen, StringComparison.OrdinalIgnoreCase)))
            throw NameTaken(chosen);
        return chosen;
    }

    private static string Shortened(string name) =>
        name.Length > MaxNameLength ? name.Substring(0, MaxNameLength) : name;

    public static GitIntegrationException NameTaken(string name) =>
        new GitIntegrationException(
            StoreErrorIds.IntegrationNameTaken,
            ErrorKind.ResourceExists,
            $"An integration named '{name}' already exists. Choose another -Name, or remove the old one with "
                + "Remove-GitIntegration."
        )
        {
            Target = name,
        };

    /// <summary>
    /// Records the installation: Status Active (Suspended when GitHub says so), with installation id, selection and
    /// account.
    /// </summary>
    public static Integration RecordInstallation(IntegrationStore store, Guid id, GitHubAppInstallation installation) =>
        Change(
            store,
            id,
            i =>
            {
                SetInstallation(i, installation);
                i.Status = installation.IsSuspended ? IntegrationStatus.Suspended : IntegrationStatus.Active;
                i.LastVerified = DateTimeOffset.UtcNow;
            }
        );

    /// <summary>The installation's id, repository selection and account, as GitHub reported them.</summary>
    public static void SetInstallation(Integration i, GitHubAppInstallation installation)
    {
        i.Properties[InstallationId] = installation.Id.ToString(CultureInfo.InvariantCulture);
        if (installation.RepositorySelection != null)
            i.Properties[RepositorySelection] = installation.RepositorySelection;
        if (installation.Account?.Login is string login)
            i.Properties[Account] = login;
    }

    /// <summary>
    /// Refreshes what may change on GitHub (slug, html_url after a rename), keyed by the app id that does not.
    /// </summary>
    public static void Describe(Integration i, long appId, string? clientId, string? slug, string? htmlUrl)
    {
        i.Properties[AppId] = appId.ToString(CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(clientId))
            i.Properties[ClientId] = clientId!;
        if (!string.IsNullOrEmpty(slug))
            i.Properties[Slug] = slug!;
        if (!string.IsNullOrEmpty(htmlUrl))
            i.Properties[HtmlUrl] = htmlUrl!;
    }

    public static Integration Change(IntegrationStore store, Guid id, Action<Integration> change) =>
        store.Update(d =>
        {
            var i =
                d.Find(id)
                ?? throw new GitIntegrationException(
                    StoreErrorIds.IntegrationNotFound,
                    ErrorKind.ObjectNotFound,
                    "The integration was removed from the store meanwhile. Get-GitIntegration lists what is there."
                )
                {
                    Target = id.ToString(),
                };
            change(i);
            i.UpdatedAt = DateTimeOffset.UtcNow;
            return i.Clone();
        });

    /// <summary>
    /// Replaces the app's key with a re-issued one, after GitHub accepted it for the same app
    /// (<see cref="GitHubAppLifecycle.VerifyNewKeyAsync"/>). The new key gets a new file; the old one, when the
    /// store owns it, is deleted once the store points to the new one.
    /// </summary>
    public static async Task<Integration> ReplaceKeyAsync(
        IntegrationStore store,
        GitHubHttp http,
        Integration i,
        string newPem,
        CancellationToken cancel
    )
    {
        // The stored key is not read: it may be the missing or damaged file this new key replaces.
        var appId = Long(i, AppId) ?? throw NoAppYet(i);
        var clientId = Text(i, ClientId);
        var app = await GitHubAppLifecycle
            .VerifyNewKeyAsync(http, appId, clientId, newPem, cancel)
            .ConfigureAwait(false);
        var path = store.WriteKey(KeyFileName(i), newPem);
        new GitHubAppClient(http, GitHubAppCredentials.FromPem(appId, clientId, newPem)).ForgetTokens();
        string? oldPath = null;
        Integration updated;
        try
        {
            updated = Change(
                store,
                i.Id,
                x =>
                {
                    oldPath = x.PrivateKeyPath;
                    x.PrivateKeyPath = path;
                    Describe(x, app.Id, app.ClientId, app.Slug, app.HtmlUrl);
                    x.LastVerified = DateTimeOffset.UtcNow;
                }
            );
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        if (oldPath != path && store.OwnsKey(oldPath) && File.Exists(oldPath))
            File.Delete(oldPath!);
        return updated;
    }

    /// <summary>
    /// A new name for each key, so a replaced key is never overwritten before the store points elsewhere.
    /// </summary>
    private static string KeyFileName(Integration i) =>
        $"{i.Id:N}-github-app-{Guid.NewGuid().ToString("N").Substring(0, 8)}.pem";

    /// <summary>
    /// Uninstalls the integration's app from its organization (DELETE /app/installations/{id}) so nothing is
    /// left behind on GitHub. False when there was nothing to uninstall (never installed, or already gone).
    /// </summary>
    public static async Task<bool> UninstallAsync(GitHubHttp http, Integration i, CancellationToken cancel)
    {
        if (!(Long(i, InstallationId) is long installation))
            return false;
        GitHubAppCredentials? creds;
        try
        {
            creds = Credentials(i);
        }
        catch (GitIntegrationException e)
        {
            // Uninstalling signs in as the app; without its key the entry can still go, the app left installed.
            throw e.Retold(
                $"{e.Message.TrimEnd('.')}. To remove the integration and leave the app installed on GitHub: "
                    + new PowerShellCommand("Remove-GitIntegration").Literal("Name", i.Name).Switch("KeepInstallation"),
                e.Target
            );
        }
        return creds != null
            && await GitHubAppLifecycle
                .UninstallAsync(new GitHubAppClient(http, creds), installation, cancel)
                .ConfigureAwait(false);
    }

    /// <summary>
    /// The repositories a RepositoryFilter keeps, evaluated on GitHub's JSON for them (see
    /// <see cref="Query.JmesPathExpression.SelectFrom"/>).
    /// </summary>
    public static IReadOnlyList<GitHubAppRepository> Filter(
        IReadOnlyList<GitHubAppRepository> repositories,
        Query.JmesPathExpression filter
    )
    {
        var raw = new System.Text.Json.JsonElement[repositories.Count];
        for (int n = 0; n < raw.Length; n++)
            raw[n] = repositories[n].Raw;
        var kept = filter.SelectFrom(raw);
        var result = new List<GitHubAppRepository>(kept.Count);
        foreach (var n in kept)
            result.Add(repositories[n]);
        return result;
    }
}
