using System;
using System.Globalization;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Git;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;
using static GitIntegration.Core.Git.GitConnection;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// Test-GitIntegration for a GitHub App integration. One that is not installed yet is explained (the three
/// stuck-Installing cases), or recorded when it is installed by now. An installed one is verified for real: GitHub
/// accepts the app's JWT (GET /app), the installation still exists and is not suspended (GET /app/installations/{id}),
/// and an installation token is issued. The outcome is a <see cref="GitConnectionResult"/>, like a repository's.
/// </summary>
public static class GitHubAppCheck
{
    private static readonly TimeSpan LongestAttempt = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Checks with GitHub's host from the integration, within <paramref name="timeout"/> in all (retries and rate-limit
    /// waits included).
    /// </summary>
    public static GitConnectionResult Verify(Integration integration, TimeSpan timeout, CancellationToken cancel)
    {
        string? lastFault = null;
        using var http = new GitHubHttp(
            GitHubAppIntegration.Host(integration),
            new GitHubHttpOptions
            {
                Timeout = timeout < LongestAttempt ? timeout : LongestAttempt,
                MaxRateLimitWait = timeout,
                Verbose = m => lastFault = m,
                Trust = CertificateTrust.For(integration),
            }
        );
        return VerifyAsync(http, integration, timeout, cancel, () => lastFault).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The check itself. A key that cannot be read from the store throws (like a repository's missing secret);
    /// everything GitHub says, or fails to say, becomes the result's Reason, Message and Remedy.
    /// </summary>
    /// <param name="lastFault">The client's last complaint (its Verbose message), named when time runs out.</param>
    public static async Task<GitConnectionResult> VerifyAsync(
        GitHubHttp http,
        Integration i,
        TimeSpan timeout,
        CancellationToken cancel,
        Func<string?>? lastFault = null
    )
    {
        var installationId = GitHubAppIntegration.Long(i, GitHubAppIntegration.InstallationId);
        var credentials =
            installationId == null ? GitHubAppIntegration.Credentials(i) : GitHubAppIntegration.RequireCredentials(i);
        var host = http.Host;
        var result = new GitConnectionResult
        {
            Name = i.Name,
            Type = i.Type,
            Url = i.Url ?? host.WebUrl.ToString(),
            HostName = host.WebUrl.Host,
            Port = host.WebUrl.Port,
            HostKind = host.IsEnterprise ? HostKind.GitHubEnterprise : HostKind.GitHub,
            KeyFingerprint = credentials?.PublicKey.FingerprintSha256,
        };
        var started = DateTime.UtcNow;
        // Only GitHub's part is timed and classified: a key the store cannot read has thrown already, like a
        // repository's missing secret.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(timeout);
        try
        {
            if (installationId == null)
                await ExplainAsync(http, i, credentials, result, limit.Token).ConfigureAwait(false);
            else
                await CheckInstalledAsync(http, i, credentials!, installationId.Value, result, limit.Token)
                    .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            var last = lastFault?.Invoke();
            var why =
                $"GitHub did not answer within {timeout.TotalSeconds:0.#} "
                + $"s{(last != null ? $" (last: {last.TrimEnd('.')})" : "")}.";
            if (result.Installation == null && installationId == null)
                Fail(result, ConnectionFailure.WaitingForGitHub, "GitHub has not answered yet: " + why, WaitRemedy);
            else
                Fail(
                    result,
                    ConnectionFailure.Timeout,
                    why,
                    $"Check the network path to {host.WebUrl.Host} (proxy, firewall), or give more time with "
                        + "-TimeoutSeconds."
                );
        }
        catch (GitIntegrationException e)
        {
            var reason = ReasonFor(e);
            Fail(result, reason, e.Message, RemedyFor(reason, i, host));
        }
        finally
        {
            result.Duration = DateTime.UtcNow - started;
        }
        return result;
    }

    private const string WaitRemedy =
        "Wait and run Test-GitIntegration again; the integration becomes Active once GitHub shows the installation.";

    private static async Task ExplainAsync(
        GitHubHttp http,
        Integration i,
        GitHubAppCredentials? credentials,
        GitConnectionResult result,
        CancellationToken cancel
    )
    {
        var x = await GitHubAppLifecycle
            .ExplainInstallingAsync(
                http,
                credentials,
                i.Organization ?? "",
                GitHubAppIntegration.Text(i, GitHubAppIntegration.HtmlUrl),
                cancel
            )
            .ConfigureAwait(false);
        result.InstallUrl = x.InstallUrl?.ToString();
        switch (x.Case)
        {
            case InstallingCase.Installed:
                await CheckInstallationAsync(
                        new GitHubAppClient(http, credentials!),
                        i,
                        x.Installation!,
                        x.Message + " It is recorded now.",
                        result,
                        cancel
                    )
                    .ConfigureAwait(false);
                return;
            case InstallingCase.WaitingForGitHub:
                Fail(result, ConnectionFailure.WaitingForGitHub, x.Message, x.Remedy);
                return;
            case InstallingCase.NotInstalled:
                Fail(result, ConnectionFailure.AppNotInstalled, x.Message, x.Remedy);
                return;
            case InstallingCase.AppDeleted:
                Fail(result, ConnectionFailure.AppDeleted, x.Message, x.Remedy);
                return;
            default:
                Fail(result, ConnectionFailure.AppKeyRejected, x.Message, x.Remedy);
                return;
        }
    }

    private static async Task CheckInstalledAsync(
        GitHubHttp http,
        Integration i,
        GitHubAppCredentials credentials,
        long installationId,
        GitConnectionResult result,
        CancellationToken cancel
    )
    {
        var app = result.App = await GitHubAppLifecycle.VerifyAsync(http, credentials, cancel).ConfigureAwait(false);
        var client = new GitHubAppClient(http, credentials);
        var slug = GitHubAppIntegration.Text(i, GitHubAppIntegration.Slug);
        GitHubAppInstallation? installation;
        try
        {
            installation = await client.GetInstallationAsync(installationId, cancel).ConfigureAwait(false);
        }
        catch (GitIntegrationException e) when (e.ErrorId == GitHubErrorIds.NotFound)
        {
            installation = null;
        }
        var note = "";
        if (installation == null)
        {
            // Uninstalled on GitHub; an organization owner may have installed the app again since (a new installation
            // id).
            installation = await client
                .FindOrganizationInstallationAsync(i.Organization ?? "", cancel)
                .ConfigureAwait(false);
            if (installation == null)
            {
                var html = GitHubAppIntegration.Text(i, GitHubAppIntegration.HtmlUrl);
                result.InstallUrl = html != null ? GitHubHost.InstallUrl(html).ToString() : null;
                Fail(
                    result,
                    ConnectionFailure.InstallationRemoved,
                    $"The app's installation {installationId} on {i.Organization} was removed on GitHub; the "
                        + "app itself still exists.",
                    RemedyFor(ConnectionFailure.InstallationRemoved, i, http.Host, result.InstallUrl)
                );
                return;
            }
            note =
                $" The installation {installationId} was removed on GitHub, but the app was installed again; "
                + "the new installation is recorded now.";
        }
        if (app.Slug != null && slug != null && app.Slug != slug)
            note +=
                $" The app was renamed on GitHub from '{slug}' to '{app.Slug}'; the new name and page are "
                + "recorded (the app is known by its id).";
        await CheckInstallationAsync(client, i, installation, null, result, cancel, note).ConfigureAwait(false);
    }

    private static async Task CheckInstallationAsync(
        GitHubAppClient client,
        Integration i,
        GitHubAppInstallation installation,
        string? found,
        GitConnectionResult result,
        CancellationToken cancel,
        string note = ""
    )
    {
        result.Installation = installation;
        result.Account = installation.Account?.Login;
        var where = $"{installation.Account?.Login ?? i.Organization} (installation {installation.Id})";
        if (installation.IsSuspended)
        {
            Fail(
                result,
                ConnectionFailure.InstallationSuspended,
                $"The app's installation on {where} is suspended since "
                    + $"{installation.SuspendedAt:yyyy-MM-dd HH:mm} UTC: it cannot read repositories.{note}",
                RemedyFor(ConnectionFailure.InstallationSuspended, i, client.Http.Host)
            );
            return;
        }
        await client.GetInstallationTokenAsync(installation.Id, cancel).ConfigureAwait(false);
        result.Authenticated = true;
        var slug = result.App?.Slug ?? GitHubAppIntegration.Text(i, GitHubAppIntegration.Slug);
        result.Message =
            (found != null ? found + " " : "")
            + $"GitHub accepts the app{(slug != null ? " '" + slug + "'" : "")} "
            + $"({GitHubAppIntegration.Text(i, GitHubAppIntegration.AppId)}); it is installed on {where}, "
            + $"{installation.RepositorySelection ?? "some"} repositories, and issued an installation "
            + $"token.{note}";
    }

    /// <summary>
    /// Stores a check's outcome: Status (Active, Suspended, Failed; still Installing while GitHub has not answered or
    /// the app is not installed), LastVerified, the installation GitHub reported, and FailureReason like a
    /// repository's.
    /// </summary>
    public static Integration Record(IntegrationStore store, Integration integration, GitConnectionResult result) =>
        GitHubAppIntegration.Change(
            store,
            integration.Id,
            i =>
            {
                if (result.App is GitHubApp app)
                    GitHubAppIntegration.Describe(i, app.Id, app.ClientId, app.Slug, app.HtmlUrl);
                if (result.Installation != null)
                    GitHubAppIntegration.SetInstallation(i, result.Installation);
                else if (result.Reason == ConnectionFailure.InstallationRemoved)
                    i.Properties.Remove(GitHubAppIntegration.InstallationId);
                switch (result.Reason)
                {
                    case ConnectionFailure.None:
                        i.Status = IntegrationStatus.Active;
                        break;
                    case ConnectionFailure.InstallationSuspended:
                        i.Status = IntegrationStatus.Suspended;
                        break;
                    case ConnectionFailure.WaitingForGitHub:
                    case ConnectionFailure.AppNotInstalled:
                        break;
                    default:
                        i.Status = IntegrationStatus.Failed;
                        break;
                }
                i.LastVerified = DateTimeOffset.UtcNow;
                if (result.Success)
                    i.Properties.Remove("FailureReason");
                else
                    i.Properties["FailureReason"] = result.Reason.ToString();
            }
        );

    private static ConnectionFailure ReasonFor(GitIntegrationException e)
    {
        switch (e.ErrorId)
        {
            case GitHubErrorIds.AppDeleted:
                return ConnectionFailure.AppDeleted;
            case GitHubErrorIds.KeyRejected:
            case GitHubErrorIds.KeyOfAnotherApp:
            case GitHubErrorIds.Unauthorized:
                return ConnectionFailure.AppKeyRejected;
            case GitHubErrorIds.RateLimited:
                return ConnectionFailure.RateLimited;
            case GitHubErrorIds.ServerError:
                return ConnectionFailure.ServiceError;
            case GitHubErrorIds.Timeout:
                return ConnectionFailure.Timeout;
            case GitHubErrorIds.Forbidden:
                return ConnectionFailure.PermissionDenied;
            case CertificateTrust.CertificateInvalid:
                return ConnectionFailure.CertificateInvalid;
            case GitHubErrorIds.Unreachable:
                for (Exception? x = e.InnerException; x != null; x = x.InnerException)
                {
                    if (x is SocketException s)
                        return s.SocketErrorCode == SocketError.ConnectionRefused ? ConnectionFailure.ConnectionRefused
                            : s.SocketErrorCode == SocketError.HostNotFound
                            || s.SocketErrorCode == SocketError.TryAgain
                            || s.SocketErrorCode == SocketError.NoData
                                ? ConnectionFailure.NameResolution
                            : ConnectionFailure.ConnectionFailed;
                }
                return ConnectionFailure.ConnectionFailed;
            default:
                return ConnectionFailure.ConnectionFailed;
        }
    }

    private static string RemedyFor(ConnectionFailure reason, Integration i, GitHubHost host, string? installUrl = null)
    {
        string Named(string command) => new PowerShellCommand(command).Literal("Name", i.Name);
        switch (reason)
        {
            case ConnectionFailure.AppDeleted:
                return "Nothing is left on GitHub to uninstall: "
                    + Named("Remove-GitIntegration")
                    + " -KeepInstallation. "
                    + "Install-GitHubApp creates a new app.";
            case ConnectionFailure.AppKeyRejected:
                return "The key was revoked or re-issued on GitHub. Generate a private key on the app's "
                    + "settings page, then: "
                    + new PowerShellCommand("Update-GitHubAppKey")
                        .Literal("Name", i.Name)
                        .Ask("PrivateKeyPath", "The downloaded .pem file");
            case ConnectionFailure.InstallationRemoved:
                return $"Install the app again at {installUrl ?? "the app's page (Install App)"} and run "
                    + "Test-GitIntegration again, or remove the integration with "
                    + Named("Remove-GitIntegration")
                    + " -KeepInstallation.";
            case ConnectionFailure.InstallationSuspended:
                return $"{Named("Resume-GitHubApp")} (if an organization owner suspended it on GitHub, "
                    + "ask them to unsuspend it there).";
            case ConnectionFailure.RateLimited:
                return "Run Test-GitIntegration again after the reset time.";
            case ConnectionFailure.ServiceError:
                var status = host.IsEnterprise
                    ? "the server's status with its administrator"
                    : "https://www.githubstatus.com";
                return $"GitHub has a problem on its side: check {status} and try again later.";
            case ConnectionFailure.CertificateInvalid:
                return $"Install the CA certificate of {host.WebUrl.Host} in this machine's trust store; or, "
                    + "once the server's administrator confirms the thumbprint, trust it: "
                    + IntegrationRemedy.TrustThumbprint(i.Name);
            case ConnectionFailure.NameResolution:
                return $"Check the spelling of the host URL ({host.WebUrl.Host}) and this machine's DNS.";
            case ConnectionFailure.PermissionDenied:
                return "The app lacks a permission it needs: compare its permissions on GitHub with the ones "
                    + "Install-GitHubApp asks for.";
            default:
                return $"Check the host URL ({host.WebUrl.Host}), the proxy and the firewall between here and "
                    + "GitHub; then run Test-GitIntegration again.";
        }
    }
}
