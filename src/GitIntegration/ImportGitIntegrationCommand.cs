using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Imports integrations from a TSV, CSV, YAML or JSON file, or from objects on the pipeline, in
/// one store write.</para>
/// <para type="description">Reads the integration's bulk TSV layout (a header row; a blank id creates; origin is
/// required; a PEM key pasted in double quotes keeps its line breaks; CRLF or LF), CSV saved by Excel (BOM, ';' or
/// ','), YAML and JSON as written by Export-GitIntegration, and objects from Import-Csv or Get-GitIntegration. Rows
/// are matched to existing integrations by id, then by origin: a row that matches and changes nothing is Unchanged,
/// so re-importing a file changes nothing; a row that would change an existing integration is Skipped unless -Update.
/// Every private key a row gives, inline or as privateKeyPath, is checked with its passphrase against the
/// integration's rule (as Test-GitSshKey checks it; -Requirement for a laxer one): a missing file, a wrong passphrase
/// or a key the integration would reject (OpenSSH format, Ed25519...) fails the row with the reason and the fix.
/// Inline keys are written owner-only to the store's keys folder; inline passphrases, tokens and GitHub App webhook
/// secrets become protected secret files, and the files an updated row no longer uses are deleted. A GitHub App whose
/// PEM key was re-issued on GitHub is updated this way: export it with -IncludeSecrets, paste the new PEM in double
/// quotes in place of the old one, and import with -Update (then Test-GitIntegration proves GitHub accepts it). Each
/// row yields a result (Row, Name, Action, Status, Reason, Error); a bad row is a non-terminating error naming its
/// row (also its TargetObject) and the others go on, unless -Atomic, which imports all rows or none. Under -WhatIf
/// the Action says what would happen (WouldCreate, WouldUpdate) and nothing is written.</para>
/// <para type="description">An import checks files, not connections: a row it creates or whose repository, key or
/// secrets it changes has Status Unverified (unless the row gives its status, as an export being restored does).
/// -Verify then checks every imported row the way Connect-GitRepository does (git ls-remote with the key or token;
/// GitHub Apps with GitHub), -ThrottleLimit at a time, and records Connected or Failed; a row that fails is also an
/// error with the reason (RepositoryNotFound, PermissionDenied...). Test-GitIntegration does the same later.</para>
/// </summary>
/// <example>
/// <code>Import-GitIntegration -Path repos.tsv</code>
/// <para>Creates the integrations listed in a TSV exported from the integration's Bulk Change page or edited in a
/// spreadsheet.</para>
/// </example>
/// <example>
/// <code>Import-Csv repos.csv -Delimiter ';' | Import-GitIntegration -Update -Atomic</code>
/// <para>Creates or updates the integrations from an Excel sheet, all or nothing.</para>
/// </example>
/// <example>
/// <code>Import-GitIntegration gha.tsv -Update -WhatIf</code>
/// <para>Shows, row by row, what importing a re-issued GitHub App PEM key would change, without changing
/// anything.</para>
/// </example>
/// <example>
/// <code>Import-GitIntegration repos.tsv -Verify -ThrottleLimit 8 | Where-Object Status -ne Connected</code>
/// <para>Imports the rows and verifies each repository, eight at a time, then lists the rows that do not work, with the
/// reason.</para>
/// </example>
[Cmdlet(VerbsData.Import, "GitIntegration", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(ImportResult))]
public sealed class ImportGitIntegrationCommand : GitIntegrationCmdlet
{
    private const string PathSet = "Path";
    private const string ObjectSet = "InputObject";

    /// <summary><para type="description">The file to import.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [Alias("PSPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">Rows as objects (Import-Csv output, hashtables, Get-GitIntegration output): their
    /// property names are the columns.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    public PSObject? InputObject { get; set; }

    /// <summary>
    /// <para type="description">Tsv, Csv, Yaml or Json. By default taken from the file's extension.</para>
    /// </summary>
    [Parameter(ParameterSetName = PathSet)]
    public BulkFormat? Format { get; set; }

    /// <summary>
    /// <para type="description">Changes integrations that already exist (matched by id, then origin). Without it, such
    /// rows are Skipped.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Update { get; set; }

    /// <summary><para type="description">All or nothing: if any row fails, no row is imported.</para></summary>
    [Parameter]
    public SwitchParameter Atomic { get; set; }

    /// <summary><para type="description">Whose rules the rows' private keys must meet: Integration (a private RSA key
    /// in OpenSSL PEM; the default), GitHub, GitLab, Bitbucket, AzureDevOps (RSA only) or Any, as in
    /// Test-GitSshKey.</para></summary>
    [Parameter]
    public KeyRequirement Requirement { get; set; } = KeyRequirement.Integration;

    /// <summary><para type="description">Verifies every imported row after the import, as Connect-GitRepository
    /// verifies a repository, and records its Status (Connected or Failed; for a GitHub App, Active, Suspended or
    /// Failed).</para></summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    /// <summary><para type="description">With -Verify: how many rows are verified at the same time.</para></summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>
    /// <para type="description">With -Verify: how long one row's verification may take, in seconds.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary><para type="description">With -Verify: trusts an SSH host key on a first connection and records it; a
    /// changed key is never accepted.</para></summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary><para type="description">With -Verify: the known_hosts file for SSH host keys; by default the module's
    /// own, next to the store.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>
    /// <para type="description">The store file (or its folder) to import into instead of $env:GITINTEGRATION_STORE or
    /// the per-user default.</para>
    /// </summary>
    [Parameter]
    public string? StorePath { get; set; }

    private readonly List<ImportRow> _rows = new List<ImportRow>();
    private readonly List<string> _unknown = new List<string>();
    private string _source = "pipeline";
    private Throttled<GitConnectionResult>? _work;

    /// <summary>Reads the file, or collects a pipeline object as a row.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            var file = ResolvePaths(new[] { Path! }, literal: false).FirstOrDefault();
            if (file == null)
                return;
            try
            {
                var format = Format ?? BulkFiles.FromExtension(file);
                _source = file;
                _rows.AddRange(BulkFiles.ReadFile(file, format, out var unknown));
                _unknown.AddRange(unknown);
            }
            catch (GitIntegrationException e)
            {
                Fail(e, file);
            }
            return;
        }
        var item = InputObject!;
        _rows.Add(
            BulkFiles.RowFrom(
                _rows.Count + 1,
                item.BaseObject,
                () => item.Properties.Select(p => new KeyValuePair<string, string?>(p.Name, SafeValue(p))),
                _unknown
            )
        );
    }

    private static string? SafeValue(PSPropertyInfo p)
    {
        try
        {
            return p.Value?.ToString();
        }
        catch (GetValueException)
        {
            return null;
        }
    }

    /// <summary>Imports every row in one store write and reports each.</summary>
    protected override void EndProcessing()
    {
        if (_unknown.Count > 0)
            WriteWarning(
                $"These columns are not integration fields and were ignored: {string.Join(", ", _unknown.Distinct())}."
            );
        var store = IntegrationStoreAccess.Open(this, StorePath);
        bool dryRun = !ShouldProcess(store.Path, $"Import {_rows.Count} row(s) from {_source}");
        if (dryRun && !MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            return;
        const string activity = "Importing integrations";
        var options = new ImportOptions
        {
            Update = Update,
            Atomic = Atomic,
            DryRun = dryRun,
            Requirement = Requirement,
            ResolvePath = ResolveNewPath,
            Progress = (n, count) =>
                WriteProgress(
                    new ProgressRecord(1, activity, $"Row {n + 1} of {count}")
                    {
                        PercentComplete = count == 0 ? 100 : (int)(100L * n / count),
                    }
                ),
        };
        IList<ImportResult> results;
        try
        {
            results = IntegrationImport.Run(store, _rows, options);
        }
        catch (GitIntegrationException e)
        {
            Fail(e, store.Path);
            return;
        }
        finally
        {
            WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        if (Verify && !dryRun)
            VerifyRows(store, results);
        foreach (var r in results)
        {
            if (r.Action == ImportAction.Failed && r.Exception != null)
                WriteRowError(r, r.Exception);
            else if (r.Action != ImportAction.Unchanged)
                WriteVerbose($"Row {r.Row}: {r.Action} '{r.Name}'{(r.Error != null ? ": " + r.Error : "")}");
            WriteObject(r);
        }
        int Count(ImportAction a, ImportAction wouldBe) => results.Count(r => r.Action == a || r.Action == wouldBe);
        var created = Count(ImportAction.Created, ImportAction.WouldCreate);
        var updated = Count(ImportAction.Updated, ImportAction.WouldUpdate);
        WriteVerbose(
            $"{(dryRun ? "Would import" : "Imported")} {created} new and {updated} changed integration(s) "
                + $"into '{store.Path}'."
        );
    }

    /// <summary>Ctrl+C: stops the verifications still running.</summary>
    protected override void StopProcessing() => _work?.Cancel();

    private void WriteRowError(ImportResult r, GitIntegrationException e)
    {
        var row = $"{_source} row {r.Row}";
        WriteFailure(e.Retold(r.Error!, row), row);
    }

    /// <summary>
    /// -Verify: each imported row checked as Test-GitIntegration checks it, the outcome recorded on its row.
    /// </summary>
    private void VerifyRows(IntegrationStore store, IList<ImportResult> results)
    {
        using var verifier = new IntegrationVerifier(
            store,
            new VerificationOptions
            {
                AcceptNewHostKey = AcceptNewHostKey,
                KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : null,
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                Requirement = Requirement,
            }
        );
        var rows = verifier.ImportedRows(results);
        int done = 0;
        const string activity = "Verifying imported integrations";
        using (_work = new Throttled<GitConnectionResult>(ThrottleLimit))
        {
            foreach (var (r, i) in rows)
            {
                Func<CancellationToken, GitConnectionResult>? check;
                try
                {
                    check = verifier.Prepare(i);
                }
                catch (GitIntegrationException e)
                {
                    WriteRowError(r, IntegrationVerifier.NotVerified(r, e));
                    continue;
                }
                if (check == null)
                    continue;
                WriteVerbose($"Row {r.Row}: verifying '{i.Name}' ({i.Url}).");
                _work.Add(
                    check,
                    finished =>
                    {
                        WriteProgress(
                            new ProgressRecord(2, activity, $"{++done} of {rows.Count}")
                            {
                                PercentComplete = 100 * done / rows.Count,
                            }
                        );
                        var failure = verifier.FinishRow(r, i, finished);
                        if (failure != null)
                            WriteRowError(r, failure);
                    }
                );
            }
            _work.Drain(block: true);
        }
        WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
