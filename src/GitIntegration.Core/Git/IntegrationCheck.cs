using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git;

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
    public static Func<CancellationToken, GitConnectionResult>? Prepare(
        IntegrationStore store,
        Integration integration,
        GitAccess template,
        KeyRequirement? requirement = null
    )
    {
        if (GitHubAppIntegration.IsApp(integration))
            return cancel => GitHubAppCheck.Verify(integration, template.Timeout, cancel);
        if (string.IsNullOrEmpty(integration.Url))
            return null;
        var request = RepositoryConnector.RequestFor(store, integration, template);
        request.Requirement = requirement;
        return cancel => RepositoryConnector.Verify(request, cancel);
    }

    /// <summary>Stores a check's outcome: Status, LastVerified and what the check found.</summary>
    public static Integration Record(IntegrationStore store, Integration integration, GitConnectionResult result)
    {
        result.Type = integration.Type;
        return GitHubAppIntegration.IsApp(integration)
            ? GitHubAppCheck.Record(store, integration, result)
            : RepositoryConnector.Update(store, integration, result);
    }
}

/// <summary>How repositories are reached when they are verified: host keys, known_hosts, time limit.</summary>
public sealed class VerificationOptions
{
    /// <summary>Trust a host key on a first connection and record it; a changed key is never accepted.</summary>
    public bool AcceptNewHostKey { get; set; }

    /// <summary>The known_hosts file; null for the module's own, next to the store.</summary>
    public string? KnownHostsPath { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whose rules a repository's key must meet before it connects; null checks none.</summary>
    public KeyRequirement? Requirement { get; set; }

    /// <summary>
    /// Access with these options, sharing <paramref name="connections"/>; the caller adds keys and tokens.
    /// </summary>
    public GitAccess Access(IntegrationStore store, SshConnections? connections) =>
        new GitAccess
        {
            AcceptNewHostKey = AcceptNewHostKey,
            KnownHostsPath = KnownHostsPath ?? KnownHosts.For(store),
            Timeout = Timeout,
            Connections = connections,
        };
}

/// <summary>
/// Test-GitIntegration and Import-GitIntegration -Verify: stored integrations checked (<see cref="Prepare"/> on the
/// caller's thread, the check on any, <see cref="Finish"/> on the caller's again) and each outcome recorded. The
/// repositories on one SSH host with one key share one connection until <see cref="Dispose"/>.
/// </summary>
public sealed class IntegrationVerifier : IDisposable
{
    private readonly IntegrationStore _store;
    private readonly SshConnections _ssh = new SshConnections();
    private readonly GitAccess _template;
    private readonly KeyRequirement? _requirement;

    public IntegrationVerifier(IntegrationStore store, VerificationOptions options)
    {
        _store = store;
        _template = options.Access(store, _ssh);
        _requirement = options.Requirement;
    }

    /// <summary>True until an integration could not be checked, or was checked and does not work.</summary>
    public bool AllVerified { get; private set; } = true;

    /// <summary>The check of <paramref name="integration"/>, or null when it has no URL to verify.</summary>
    public Func<CancellationToken, GitConnectionResult>? Prepare(Integration integration)
    {
        try
        {
            return IntegrationCheck.Prepare(_store, integration, _template, _requirement);
        }
        catch (GitIntegrationException)
        {
            AllVerified = false;
            throw;
        }
    }

    /// <summary>Records the outcome of a check (or its failure, which is thrown again).</summary>
    public GitConnectionResult Finish(Integration integration, Func<GitConnectionResult> finished) =>
        Complete(integration, finished, out _);

    private GitConnectionResult Complete(
        Integration integration,
        Func<GitConnectionResult> finished,
        out Integration recorded
    )
    {
        try
        {
            var result = finished();
            recorded = IntegrationCheck.Record(_store, integration, result);
            AllVerified &= result.Success;
            return result;
        }
        catch (GitIntegrationException)
        {
            AllVerified = false;
            throw;
        }
    }

    /// <summary>
    /// The rows of an import that -Verify checks, with their integrations as stored now: those created, updated or
    /// found unchanged, unless the integration is Disabled or gone.
    /// </summary>
    public List<(ImportResult Row, Integration Integration)> ImportedRows(IEnumerable<ImportResult> results)
    {
        var doc = _store.Load();
        var imported = new[] { ImportAction.Created, ImportAction.Updated, ImportAction.Unchanged };
        var rows = new List<(ImportResult, Integration)>();
        foreach (var row in results.Where(r => r.Id != null && imported.Contains(r.Action)))
        {
            var integration = doc.Find(row.Id!.Value);
            if (integration != null && integration.Status != IntegrationStatus.Disabled)
                rows.Add((row, integration));
        }
        return rows;
    }

    /// <summary>
    /// Records a row's check: its Status, and when it does not verify its Reason and Error too; then the failure,
    /// for the caller's error record, or null.
    /// </summary>
    public GitIntegrationException? FinishRow(
        ImportResult row,
        Integration integration,
        Func<GitConnectionResult> finished
    )
    {
        try
        {
            var result = Complete(integration, finished, out var recorded);
            row.Status = recorded.Status;
            return result.Success ? null : NotVerified(row, result.ToException());
        }
        catch (GitIntegrationException e)
        {
            return NotVerified(row, e);
        }
    }

    /// <summary>A row that did not verify: its Reason is the failure's id and its Error names the row.</summary>
    public static GitIntegrationException NotVerified(ImportResult row, GitIntegrationException e)
    {
        row.Reason = e.ErrorId;
        row.Error = $"Row {row.Row}: {e.Message}";
        return e;
    }

    /// <summary>Closes the shared SSH connections (also from Ctrl+C, to stop the checks that use them).</summary>
    public void Dispose() => _ssh.Dispose();
}
