using System;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Store;

/// <summary>
/// Removes an integration (Remove-GitIntegration): a GitHub App is uninstalled from its organization first
/// unless kept, then the entry leaves the store and the secret and key files the store owns are deleted.
/// </summary>
public static class IntegrationRemoval
{
    /// <summary>What a removal did.</summary>
    public sealed class Outcome
    {
        /// <summary>The entry taken out of the store; null when another command had removed it meanwhile.</summary>
        public Integration? Removed { get; internal set; }

        /// <summary>Null when no uninstall was tried; else whether GitHub still had the installation.</summary>
        public bool? Uninstalled { get; internal set; }
    }

    /// <summary>Whether removing <paramref name="i"/> uninstalls its GitHub App first.</summary>
    public static bool Uninstalls(Integration i, bool keepInstallation) =>
        GitHubAppIntegration.IsApp(i)
        && !keepInstallation
        && GitHubAppIntegration.Long(i, GitHubAppIntegration.InstallationId) != null;

    /// <summary>What removing <paramref name="i"/> does, in the words a confirmation prompt uses.</summary>
    public static string Action(Integration i, bool keepInstallation) =>
        Uninstalls(i, keepInstallation)
            ? $"Remove integration and uninstall its GitHub App from {i.Organization}"
            : "Remove integration";

    /// <summary>
    /// Removes <paramref name="i"/>. If GitHub cannot be reached for the uninstall, the error is thrown and the
    /// integration is kept. <paramref name="http"/> talks to GitHub; null opens one for the integration's host.
    /// </summary>
    public static async Task<Outcome> RemoveAsync(
        IntegrationStore store,
        Integration i,
        bool keepInstallation,
        GitHubHttp? http,
        CancellationToken cancel
    )
    {
        var outcome = new Outcome();
        if (Uninstalls(i, keepInstallation))
        {
            var own = http == null ? Open(i) : null;
            try
            {
                outcome.Uninstalled = await GitHubAppIntegration
                    .UninstallAsync(own ?? http!, i, cancel)
                    .ConfigureAwait(false);
            }
            finally
            {
                own?.Dispose();
            }
        }
        outcome.Removed = store.Update(d => d.Find(i.Id) is Integration x && d.Integrations.Remove(x) ? x : null);
        if (outcome.Removed != null)
            store.DeleteOwned(outcome.Removed);
        return outcome;
    }

    private static GitHubHttp Open(Integration i) =>
        new GitHubHttp(GitHubAppIntegration.Host(i), new GitHubHttpOptions { Trust = CertificateTrust.For(i) });
}
