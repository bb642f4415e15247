using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Lists the repositories a GitHub App integration can read, as GitHub reports them to its installation.</para>
    /// <para type="description">Reads GET /installation/repositories with an installation access token (cached until shortly before it
    /// expires), following every page. -RepositoryName narrows the list with wildcards on the name or owner/name.</para>
    /// </summary>
    /// <example>
    /// <code>Get-GitHubAppRepository acme-app | Format-Table FullName, Private, DefaultBranch</code>
    /// <para>Lists every repository the installation of acme-app can read.</para>
    /// </example>
    /// <example>
    /// <code>Get-GitHubAppRepository acme-app -RepositoryName 'billing-*' | Measure-Object</code>
    /// <para>Counts the billing repositories the app sees, to check an "Only select repositories" installation.</para>
    /// </example>
    [Cmdlet(VerbsCommon.Get, "GitHubAppRepository", DefaultParameterSetName = "Name")]
    [OutputType(typeof(GitHubAppRepository))]
    public sealed class GetGitHubAppRepositoryCommand : GitHubAppCmdletBase
    {
        /// <summary><para type="description">Names of the app integrations (wildcards allowed); all app integrations without it.</para></summary>
        [Parameter(Position = 0, ParameterSetName = "Name")]
        [ArgumentCompleter(typeof(IntegrationNameCompleter))]
        [SupportsWildcards]
        public string[]? Name { get; set; }

        /// <summary><para type="description">Ids of the integrations; Get-GitIntegration output binds here.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
        public Guid[]? Id { get; set; }

        /// <summary><para type="description">Only repositories whose name or owner/name matches one of these wildcard patterns.</para></summary>
        [Parameter]
        [SupportsWildcards]
        public string[]? RepositoryName { get; set; }

        /// <summary>Lists each installation's repositories.</summary>
        protected override void ProcessRecord()
        {
            var store = OpenStore();
            var patterns = Array.ConvertAll(RepositoryName ?? Array.Empty<string>(), p => new WildcardPattern(p, WildcardOptions.IgnoreCase));
            foreach (var i in SelectApps(store, Name, Id))
            {
                try
                {
                    var installation = GitHubAppIntegration.RequireInstallationId(i);
                    if (!string.IsNullOrEmpty(i.RepositoryFilter))
                        WriteWarning($"'{i.Name}' has the RepositoryFilter '{i.RepositoryFilter}' (a JMESPath expression), which this command does not evaluate: the list is unfiltered. Use -RepositoryName.");
                    using var http = Http(GitHubAppIntegration.Host(i));
                    var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                    foreach (var r in Run(c => client.GetRepositoriesAsync(installation, c)))
                    {
                        if (patterns.Length > 0 && !Array.Exists(patterns, p => p.IsMatch(r.Name) || p.IsMatch(r.FullName))) continue;
                        r.IntegrationName = i.Name;
                        WriteObject(r);
                    }
                }
                catch (GitIntegrationException e) { WriteFailure(e, i); }
            }
        }
    }
}
