using System;
using System.Threading;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git
{
    /// <summary>
    /// Verifying a stored integration, for Test-GitIntegration and Import-GitIntegration -Verify: a repository the way
    /// Connect-GitRepository verifies it (<see cref="RepositoryConnector.Verify"/>), a GitHub App with GitHub
    /// (<see cref="GitHubAppCheck"/>), and the outcome recorded in the store.
    /// </summary>
    public static class IntegrationCheck
    {
        /// <summary>
        /// The check of <paramref name="integration"/>, to run on any thread, or null when there is nothing to verify (no
        /// repository URL). Its secrets are read here, on the caller's thread: a vault is read through PowerShell.
        /// </summary>
        public static Func<CancellationToken, GitConnectionResult>? Prepare(IntegrationStore store, Integration integration,
            GitAccess template, KeyRequirement? requirement = null)
        {
            if (GitHubAppIntegration.IsApp(integration)) return cancel => GitHubAppCheck.Verify(integration, template.Timeout, cancel);
            if (string.IsNullOrEmpty(integration.Url)) return null;
            var request = RepositoryConnector.RequestFor(store, integration, template);
            request.Requirement = requirement;
            return cancel => RepositoryConnector.Verify(request, cancel);
        }

        /// <summary>Stores a check's outcome: Status, LastVerified and what the check found.</summary>
        public static Integration Record(IntegrationStore store, Integration integration, GitConnectionResult result)
        {
            result.Type = integration.Type;
            return GitHubAppIntegration.IsApp(integration) ? GitHubAppCheck.Record(store, integration, result)
                : RepositoryConnector.Update(store, integration, result);
        }
    }
}
