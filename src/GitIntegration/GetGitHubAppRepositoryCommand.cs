using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Query;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Lists the repositories a GitHub App integration can read, as GitHub reports them to its
/// installation.</para>
/// <para type="description">Reads GET /installation/repositories with an installation access token (cached until
/// shortly before it expires), following every page, then applies the integration's RepositoryFilter: a JMESPath
/// expression (https://jmespath.org) evaluated on the array of repository objects exactly as GitHub returns them (every
/// field: name, full_name, private, archived, fork, size, topics, visibility, language, pushed_at...). The filter must
/// return repositories, e.g. [?!archived &amp;&amp; size &lt; `500000`]; a projection such as [].name is an error.
/// -Filter tries another expression without storing it, -IgnoreFilter lists everything the app can read.
/// -RepositoryName narrows the result further with wildcards on the name or owner/name.</para>
/// </summary>
/// <example>
/// <code>Get-GitHubAppRepository acme-app | Format-Table FullName, Private, DefaultBranch</code>
/// <para>Lists every repository the installation of acme-app can read.</para>
/// </example>
/// <example>
/// <code>Get-GitHubAppRepository acme-app -RepositoryName 'billing-*' | Measure-Object</code>
/// <para>Counts the billing repositories the app sees, to check an "Only select repositories" installation.</para>
/// </example>
/// <example>
/// <code>Get-GitHubAppRepository acme-app -Filter "[?!archived &amp;&amp; contains(topics, 'jira')]"</code>
/// <para>Tries a filter ad hoc (nothing is stored): only active repositories tagged with the topic jira.</para>
/// </example>
/// <example>
/// <code>Set-GitIntegration acme-app -RepositoryFilter "[?size &lt; `1000000` &amp;&amp; !fork]"; Get-GitHubAppRepository acme-app</code>
/// <para>Keeps thousands of heavy repositories and forks out of the integration, then shows what it connects
/// now.</para>
/// </example>
/// <example>
/// <code>Get-GitHubAppRepository acme-app -IgnoreFilter | Measure-Object</code>
/// <para>Counts every repository the installation can read, whatever the stored filter says.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitHubAppRepository", DefaultParameterSetName = "Name")]
[OutputType(typeof(GitHubAppRepository))]
public sealed class GetGitHubAppRepositoryCommand : GitHubAppCmdletBase
{
    /// <summary>
    /// <para type="description">Only repositories whose name or owner/name matches one of these wildcard
    /// patterns.</para>
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? RepositoryName { get; set; }

    /// <summary>
    /// <para type="description">A JMESPath filter used instead of the integration's RepositoryFilter, e.g.
    /// "[?starts_with(name, 'billing-')]"; it is not stored (Set-GitIntegration -RepositoryFilter stores one).</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>
    /// <para type="description">Lists every repository the installation can read, without the integration's
    /// RepositoryFilter.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IgnoreFilter { get; set; }

    private JmesPathExpression? _filter;

    /// <summary>Compiles -Filter once: an invalid expression stops the command before any call to GitHub.</summary>
    protected override void BeginProcessing()
    {
        if (Filter != null && IgnoreFilter)
            Fail(
                new GitIntegrationException(
                    GitHubErrorIds.FilterConflict,
                    ErrorKind.InvalidArgument,
                    "Give -Filter or -IgnoreFilter, not both."
                )
            );
        if (Filter != null)
        {
            try
            {
                _filter = JmesPath.Compile(Filter);
            }
            catch (JmesPathException e)
            {
                Fail(e);
            }
        }
    }

    /// <summary>Lists each installation's repositories.</summary>
    protected override void ProcessRecord()
    {
        var store = OpenStore();
        var patterns = Array.ConvertAll(
            RepositoryName ?? Array.Empty<string>(),
            p => new WildcardPattern(p, WildcardOptions.IgnoreCase)
        );
        foreach (var i in SelectApps(store))
        {
            try
            {
                var installation = GitHubAppIntegration.RequireInstallationId(i);
                var filter = IgnoreFilter ? null : _filter ?? JmesPath.CompileFilter(i.RepositoryFilter);
                using var http = GitHub.Http(i);
                var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
                var all = GitHub.Run(c => client.GetRepositoriesAsync(installation, c));
                var repositories = filter == null ? all : GitHubAppIntegration.Filter(all, filter);
                if (filter != null)
                    WriteVerbose(
                        $"'{i.Name}': the filter {filter} keeps {repositories.Count} of {all.Count} repositories."
                    );
                foreach (var r in repositories)
                {
                    if (patterns.Length > 0 && !Array.Exists(patterns, p => p.IsMatch(r.Name) || p.IsMatch(r.FullName)))
                        continue;
                    r.IntegrationName = i.Name;
                    WriteObject(r);
                }
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, i);
            }
        }
    }
}
