using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Jira;

public enum JiraSyncAction
{
    Created,
    Updated,
    Unchanged,
    Removed,
    Skipped,
    Failed,
}

/// <summary>What publishing did to one integration or one repository of Jira's.</summary>
public sealed class JiraSyncResult
{
    public string? Name { get; set; }
    public string? Origin { get; set; }
    public JiraSyncAction Action { get; set; }

    /// <summary>The repository's id in Jira, when known.</summary>
    public int? JiraId { get; set; }

    /// <summary>The store integration's id (none for a repository only Jira has).</summary>
    public Guid? IntegrationId { get; set; }

    /// <summary>Why it was skipped or failed, or which fields an update changed.</summary>
    public string? Reason { get; set; }
    public GitIntegrationException? Exception { get; set; }
}

/// <summary>
/// One planned step of a publish: what it would do (Created, Updated, Removed) or what it already is.
/// </summary>
public sealed class JiraChange
{
    internal JiraChange(JiraSyncAction action, Integration? integration, JiraRepository? existing)
    {
        Action = action;
        Integration = integration;
        Existing = existing;
    }

    public JiraSyncAction Action { get; }
    public Integration? Integration { get; }
    public JiraRepository? Existing { get; }

    /// <summary>The Jira fields an update changes.</summary>
    public IReadOnlyList<string> Differences { get; internal set; } = Array.Empty<string>();
    public GitIntegrationException? Exception { get; internal set; }

    public string Name => Integration?.Name ?? Existing?.DisplayName ?? Existing?.Origin ?? "";
    public string? Origin => Integration?.Url ?? Existing?.Origin;
    public bool IsWork =>
        Action == JiraSyncAction.Created || Action == JiraSyncAction.Updated || Action == JiraSyncAction.Removed;

    /// <summary>The -WhatIf and -Confirm wording.</summary>
    public string Describe() =>
        Action == JiraSyncAction.Created ? "Add to Jira"
        : Action == JiraSyncAction.Updated
            ? $"Update in Jira (repository {Existing!.Id}: {string.Join(", ", Differences)})"
        : Action == JiraSyncAction.Removed
            ? $"Remove from Jira (repository {Existing!.Id}), which the store does not have"
        : Action.ToString();

    public JiraSyncResult Result(JiraSyncAction action, int? jiraId = null, GitIntegrationException? e = null) =>
        new JiraSyncResult
        {
            Name = Name,
            Origin = Origin,
            Action = action,
            JiraId = jiraId ?? Existing?.Id,
            IntegrationId = Integration?.Id,
            Reason =
                e?.Message
                ?? (action == JiraSyncAction.Updated ? "Changed: " + string.Join(", ", Differences) + "." : null),
            Exception = e,
        };
}

public sealed class JiraPlanOptions
{
    /// <summary>Publish integrations that were never verified, or failed their last check.</summary>
    public bool IncludeUnverified { get; set; }

    /// <summary>Plan the removal of Jira's repositories whose origin no integration of the store has.</summary>
    public bool RemoveMissing { get; set; }
}

/// <summary>
/// Publishing the store to Jira and pulling Jira's repositories into the store. Integrations and Jira's repositories
/// are matched by origin (ignoring case, a trailing ".git" or "/"), never by id: ids differ from one Jira to another.
/// </summary>
public static class JiraSync
{
    /// <summary>The branch the app uses when none is given (documented); not worth a property in the store.</summary>
    public const string DefaultMainBranch = "master";
    public const string MainBranchProperty = "mainBranch";
    public const string UserNameProperty = "username";

    public static List<JiraChange> Plan(
        IEnumerable<Integration> selected,
        StoreDocument store,
        IReadOnlyList<JiraRepository> jira,
        JiraPlanOptions options
    )
    {
        var byOrigin = new Dictionary<string, JiraRepository>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in jira)
            if (!string.IsNullOrEmpty(r.Origin) && !byOrigin.ContainsKey(StoreDocument.NormalizeUrl(r.Origin!)))
                byOrigin[StoreDocument.NormalizeUrl(r.Origin!)] = r;
        var changes = new List<JiraChange>();
        var planned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var i in selected)
        {
            var skip = WhyNot(i, options);
            if (skip != null)
            {
                changes.Add(new JiraChange(JiraSyncAction.Skipped, i, null) { Exception = skip });
                continue;
            }
            var key = StoreDocument.NormalizeUrl(i.Url!);
            if (!planned.Add(key))
                continue; // the same repository twice in the input: one result
            if (!byOrigin.TryGetValue(key, out var existing))
            {
                changes.Add(new JiraChange(JiraSyncAction.Created, i, null));
                continue;
            }
            var diff = Differences(i, existing);
            changes.Add(
                new JiraChange(diff.Count == 0 ? JiraSyncAction.Unchanged : JiraSyncAction.Updated, i, existing)
                {
                    Differences = diff,
                }
            );
        }
        if (options.RemoveMissing)
            foreach (var r in jira)
                if (r.Origin == null || store.FindByUrl(r.Origin) == null)
                    changes.Add(new JiraChange(JiraSyncAction.Removed, null, r));
        return changes;
    }

    private static GitIntegrationException? WhyNot(Integration i, JiraPlanOptions o)
    {
        if (
            i.Type == IntegrationType.GitHubApp
            || i.Type == IntegrationType.GitHubEnterpriseApp
            || string.IsNullOrWhiteSpace(i.Url)
        )
            return new GitIntegrationException(
                JiraErrorIds.NotPublishable,
                ErrorKind.NotImplemented,
                $"'{i.Name}' is a {i.Type} integration, which Jira's repository REST API cannot create. Connect "
                    + "it in Jira, or export it with Export-GitIntegration -Format Tsv for the app's Bulk Change "
                    + "page."
            )
            {
                Target = i.Name,
            };
        if (!o.IncludeUnverified && (i.Status != IntegrationStatus.Connected || i.LastVerified == null))
            return new GitIntegrationException(
                JiraErrorIds.NotVerified,
                ErrorKind.InvalidOperation,
                $"'{i.Name}' is not verified (status "
                    + $"{i.Status}{(i.LastVerified == null ? ", never verified" : "")}), so it was not sent to Jira. "
                    + $"Verify it with Test-GitIntegration -Name {IntegrationRemedy.Name(i.Name)}, or publish it as "
                    + "it is with Publish-GitIntegration -IncludeUntested."
            )
            {
                Target = i.Name,
            };
        return null;
    }

    /// <summary>The Jira fields where the store's integration and Jira's repository differ.</summary>
    public static List<string> Differences(Integration i, JiraRepository r)
    {
        var d = new List<string>();
        if (!string.Equals(i.Name, r.DisplayName, StringComparison.Ordinal))
            d.Add("displayName");
        if (!string.Equals(i.Url, r.Origin, StringComparison.Ordinal))
            d.Add("origin");
        if ((i.Status == IntegrationStatus.Disabled) != r.Disabled)
            d.Add("disabled");
        if (!i.SslVerify != r.DisableSslVerification)
            d.Add("disableSslVerification");
        if (
            i.Properties.TryGetValue(MainBranchProperty, out var branch)
            && branch != (r.MainBranch ?? DefaultMainBranch)
        )
            d.Add("mainBranch");
        return d;
    }

    /// <summary>
    /// The documented request body. A token goes as "pat" (with "username" when the store has one); an SSH private key
    /// never goes: the API has no field for one. An update sends back Jira's realRoot/absoluteRoot so the clone stays
    /// where it is.
    /// </summary>
    public static Dictionary<string, object?> Body(Integration i, JiraRepository? existing, string? token)
    {
        var b = new Dictionary<string, object?>
        {
            ["displayName"] = i.Name,
            ["origin"] = i.Url,
            ["disabled"] = i.Status == IntegrationStatus.Disabled,
            ["disableSslVerification"] = !i.SslVerify,
        };
        if (i.Properties.TryGetValue(MainBranchProperty, out var branch))
            b["mainBranch"] = branch;
        else if (existing?.MainBranch != null)
            b["mainBranch"] = existing.MainBranch;
        if (token != null)
        {
            b["pat"] = token;
            if (i.Properties.TryGetValue(UserNameProperty, out var user))
                b["username"] = user;
        }
        if (existing != null)
        {
            b["id"] = existing.Id;
            if (existing.RealRoot != null && existing.AbsoluteRoot != null)
            {
                b["realRoot"] = existing.RealRoot;
                b["absoluteRoot"] = existing.AbsoluteRoot;
            }
        }
        return b;
    }

    /// <summary>
    /// Carries out one planned change. A refusal of this one repository becomes a Failed result; what stops every
    /// change (see <see cref="StopsTheRun"/>) is thrown.
    /// </summary>
    public static async Task<JiraSyncResult> ApplyAsync(
        JiraClient client,
        JiraChange change,
        Func<Integration, string?> token,
        CancellationToken cancel
    )
    {
        try
        {
            switch (change.Action)
            {
                case JiraSyncAction.Created:
                    var id = await client
                        .CreateAsync(Body(change.Integration!, null, token(change.Integration!)), cancel)
                        .ConfigureAwait(false);
                    return change.Result(JiraSyncAction.Created, id);
                case JiraSyncAction.Updated:
                    await client
                        .UpdateAsync(Body(change.Integration!, change.Existing, token(change.Integration!)), cancel)
                        .ConfigureAwait(false);
                    return change.Result(JiraSyncAction.Updated);
                case JiraSyncAction.Removed:
                    await client.DeleteAsync(change.Existing!.Id, cancel).ConfigureAwait(false);
                    return change.Result(JiraSyncAction.Removed);
                default:
                    return change.Result(change.Action, null, change.Exception);
            }
        }
        catch (GitIntegrationException e) when (!StopsTheRun(e))
        {
            var named = e.Retold($"'{change.Name}' ({change.Origin}): {e.Message}", change.Name);
            return change.Result(JiraSyncAction.Failed, null, named);
        }
    }

    /// <summary>
    /// Failures that no other repository would escape: the credential, the app, the address, the certificate.
    /// </summary>
    public static bool StopsTheRun(GitIntegrationException e) =>
        e.ErrorId == JiraErrorIds.Unauthorized
        || e.ErrorId == JiraErrorIds.NotJiraAdmin
        || e.ErrorId == JiraErrorIds.AppNotFound
        || e.ErrorId == JiraErrorIds.CertificateInvalid
        || e.ErrorId == JiraErrorIds.Unreachable
        || e.ErrorId == JiraErrorIds.UnexpectedResponse;

    /// <summary>
    /// Jira's repository as the store would hold it (what Get-GitJiraRepository shows). Never has a secret: Jira lists
    /// none.
    /// </summary>
    public static Integration ToIntegration(JiraRepository r)
    {
        var origin = r.Origin ?? "";
        var i = new Integration
        {
            Id = Guid.Empty,
            Name = string.IsNullOrEmpty(r.DisplayName) ? IntegrationImport.NameFrom(origin) : r.DisplayName!,
            Type = IntegrationImport.TypeFrom(origin),
            Url = r.Origin,
            SslVerify = !r.DisableSslVerification,
            Status = r.Disabled ? IntegrationStatus.Disabled : IntegrationStatus.Connected,
        };
        if (r.MainBranch != null && r.MainBranch != DefaultMainBranch)
            i.Properties[MainBranchProperty] = r.MainBranch;
        return i;
    }

    /// <summary>
    /// Import rows for Jira's repositories, without ids, so each is matched to the store by origin: pulling twice
    /// changes nothing, and an integration the store already has keeps its id, type, key and verification.
    /// </summary>
    public static List<ImportRow> ToRows(IReadOnlyList<JiraRepository> jira)
    {
        var rows = new List<ImportRow>();
        foreach (var r in jira)
        {
            var i = ToIntegration(r);
            var row = new ImportRow { Row = rows.Count + 1 };
            if (!string.IsNullOrEmpty(r.Origin))
                row.Fields[IntegrationRecord.Origin] = r.Origin;
            else
                row.Error =
                    $"Jira's repository {r.Id} ('{r.DisplayName}') has no origin, so it cannot be matched or "
                    + "connected.";
            row.Fields[IntegrationRecord.Name] = i.Name;
            row.Fields[IntegrationRecord.SslVerify] = i.SslVerify ? "true" : "false";
            row.Fields[IntegrationRecord.Status] = i.Status.ToString();
            foreach (var p in i.Properties)
                row.Fields[IntegrationRecord.PropertyPrefix + p.Key] = p.Value;
            rows.Add(row);
        }
        return rows;
    }
}
