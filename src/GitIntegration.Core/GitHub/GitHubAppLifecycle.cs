using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// The three ways an app integration stays Installing (never created, never installed, deleted), plus "it is
/// installed now".
/// </summary>
public enum InstallingCase
{
    /// <summary>Case 1: GitHub has not answered yet (the app was never created, or GitHub cannot be reached).</summary>
    WaitingForGitHub,

    /// <summary>Case 2: the app exists but is not installed on the organization.</summary>
    NotInstalled,

    /// <summary>Case 3: the app was deleted on GitHub.</summary>
    AppDeleted,

    /// <summary>The app exists, but GitHub no longer accepts the stored key (revoked or re-issued).</summary>
    KeyRejected,

    /// <summary>The app is installed: the integration only needs to record it.</summary>
    Installed,
}

/// <summary>Why an integration is Installing and what to do about it.</summary>
public sealed class InstallingExplanation
{
    internal InstallingExplanation(
        InstallingCase @case,
        string message,
        string? remedy,
        Uri? installUrl = null,
        GitHubAppInstallation? installation = null
    )
    {
        Case = @case;
        Message = message;
        Remedy = remedy;
        InstallUrl = installUrl;
        Installation = installation;
    }

    public InstallingCase Case { get; }

    /// <summary>What happened.</summary>
    public string Message { get; }

    /// <summary>What to do about it; null when nothing needs doing.</summary>
    public string? Remedy { get; }
    public Uri? InstallUrl { get; }
    public GitHubAppInstallation? Installation { get; }
}

/// <summary>
/// The app's life cycle after creation: verification of credentials and keys, uninstall, stuck states explained.
/// </summary>
public static class GitHubAppLifecycle
{
    /// <summary>
    /// Proves the credentials with GET /app (the JWT is signed with the key) and returns the app. When an
    /// app id is known, the answer must be that app: a key of another app is refused.
    /// </summary>
    public static async Task<GitHubApp> VerifyAsync(
        GitHubHttp http,
        GitHubAppCredentials credentials,
        CancellationToken cancel
    )
    {
        var client = new GitHubAppClient(http, credentials);
        var r = await http.SendAsync(
                HttpMethod.Get,
                "app",
                () => Task.FromResult<string?>(client.CreateJwt()),
                null,
                cancel
            )
            .ConfigureAwait(false);
        if (r.Status == HttpStatusCode.Unauthorized || r.Status == HttpStatusCode.NotFound)
            throw Refused(r, credentials);
        if (!r.IsSuccess)
            throw GitHubHttp.Error(r, HttpMethod.Get, "app");
        var app = r.Json<GitHubApp>();
        if (credentials.AppId > 0 && app.Id != credentials.AppId)
            throw new GitIntegrationException(
                GitHubErrorIds.KeyOfAnotherApp,
                ErrorKind.SecurityError,
                $"This key belongs to app {app.Id} ('{app.Slug}'), not to app {credentials.AppId}. Use a key "
                    + $"generated on app {credentials.AppId}'s settings page."
            );
        return app;
    }

    /// <summary>
    /// GitHub refuses an app's JWT in two ways: "Integration not found" (no app with that id: deleted, or a wrong id)
    /// or a token it cannot verify (the key is not a current key of the app).
    /// </summary>
    private static GitIntegrationException Refused(GitHubResponse r, GitHubAppCredentials credentials)
    {
        var who = credentials.AppId > 0 ? $"app {credentials.AppId}" : $"the app with client id {credentials.ClientId}";
        var said = r.Message is string m ? $" (\"{m}\")" : "";
        if (
            r.Status == HttpStatusCode.NotFound
            || r.Message?.IndexOf("Integration not found", StringComparison.OrdinalIgnoreCase) >= 0
        )
            return new GitIntegrationException(
                GitHubErrorIds.AppDeleted,
                ErrorKind.ObjectNotFound,
                $"GitHub has no {who}{said}: the app was deleted on GitHub, or the id is wrong. Check the id on "
                    + "the app's settings page; if the app is gone, remove the integration with "
                    + "Remove-GitIntegration -KeepInstallation."
            );
        return new GitIntegrationException(
            GitHubErrorIds.KeyRejected,
            ErrorKind.AuthenticationError,
            $"GitHub refused a token signed with this key for {who}{said}. The key is not a current key of that "
                + "app (it was revoked or re-issued): generate a key on the app's settings page (Private keys) and "
                + $"give it with Update-GitHubAppKey. Key fingerprint: {credentials.PublicKey.FingerprintSha256}."
        );
    }

    /// <summary>
    /// Checks a re-issued key before it replaces the stored one: it must read as RSA and GitHub must
    /// accept it for the same app.
    /// </summary>
    public static Task<GitHubApp> VerifyNewKeyAsync(
        GitHubHttp http,
        long appId,
        string? clientId,
        string newPem,
        CancellationToken cancel
    ) => VerifyAsync(http, GitHubAppCredentials.FromPem(appId, clientId, newPem), cancel);

    /// <summary>
    /// Uninstalls the app from the organization so nothing is left behind. False when it was not
    /// installed any more (404): there is nothing to undo.
    /// </summary>
    public static async Task<bool> UninstallAsync(GitHubAppClient client, long installationId, CancellationToken cancel)
    {
        var path = $"app/installations/{installationId}";
        var r = await client
            .Http.SendAsync(HttpMethod.Delete, path, () => Task.FromResult<string?>(client.CreateJwt()), null, cancel)
            .ConfigureAwait(false);
        client.ForgetTokens();
        if (r.Status == HttpStatusCode.NotFound)
            return false;
        if (!r.IsSuccess)
            throw GitHubHttp.Error(r, HttpMethod.Delete, path);
        return true;
    }

    /// <summary>
    /// Says which stuck-Installing case an integration is in. <paramref name="credentials"/> is null when the
    /// integration never received its app from GitHub.
    /// </summary>
    public static async Task<InstallingExplanation> ExplainInstallingAsync(
        GitHubHttp http,
        GitHubAppCredentials? credentials,
        string organization,
        string? appHtmlUrl,
        CancellationToken cancel
    )
    {
        if (credentials == null)
            return new InstallingExplanation(
                InstallingCase.WaitingForGitHub,
                "GitHub has not answered yet: the app was never created (the browser step of Install-GitHubApp "
                    + "did not finish), so nothing exists on GitHub for this integration.",
                "If Install-GitHubApp is still running, finish the steps in the browser. Otherwise remove the "
                    + "integration with Remove-GitIntegration and run Install-GitHubApp again."
            );
        var install = appHtmlUrl != null ? GitHubHost.InstallUrl(appHtmlUrl) : null;
        try
        {
            await VerifyAsync(http, credentials, cancel).ConfigureAwait(false);
            var found = await new GitHubAppClient(http, credentials)
                .FindOrganizationInstallationAsync(organization, cancel)
                .ConfigureAwait(false);
            if (found != null)
                return new InstallingExplanation(
                    InstallingCase.Installed,
                    $"The app is installed on {organization} (installation {found.Id}); the integration had not "
                        + "recorded it yet.",
                    null,
                    install,
                    found
                );
            return new InstallingExplanation(
                InstallingCase.NotInstalled,
                $"The app exists on GitHub but is not installed on {organization}.",
                $"Install it at {install?.ToString() ?? "the app's page (Install App)"}, then run "
                    + "Test-GitIntegration again: the integration becomes Active. To give up instead, "
                    + "Remove-GitIntegration removes the integration; delete the app on GitHub (organization "
                    + "settings, Developer settings) so it is not left behind.",
                install
            );
        }
        catch (GitIntegrationException e) when (e.ErrorId == GitHubErrorIds.AppDeleted)
        {
            return new InstallingExplanation(
                InstallingCase.AppDeleted,
                $"The app {credentials.AppId} was deleted on GitHub: GitHub does not know it any more.",
                "Nothing is left to uninstall: remove the integration with Remove-GitIntegration -KeepInstallation."
            );
        }
        catch (GitIntegrationException e)
            when (e.ErrorId == GitHubErrorIds.KeyRejected || e.ErrorId == GitHubErrorIds.KeyOfAnotherApp)
        {
            return new InstallingExplanation(
                InstallingCase.KeyRejected,
                e.Message,
                "Generate a private key on the app's settings page and give it with Update-GitHubAppKey; then "
                    + "run Test-GitIntegration again.",
                install
            );
        }
        catch (GitIntegrationException e) when (IsTransient(e))
        {
            return new InstallingExplanation(
                InstallingCase.WaitingForGitHub,
                $"GitHub has not answered yet: {e.Message}",
                "Wait and run Test-GitIntegration again; the integration becomes Active once the installation is seen."
            );
        }
    }

    /// <summary>
    /// Failures that say nothing about the app: GitHub could not be asked (network, timeout, 5xx, rate limit).
    /// </summary>
    public static bool IsTransient(GitIntegrationException e) =>
        e.ErrorId == GitHubErrorIds.Unreachable
        || e.ErrorId == GitHubErrorIds.Timeout
        || e.ErrorId == GitHubErrorIds.ServerError
        || e.ErrorId == GitHubErrorIds.RateLimited;
}
