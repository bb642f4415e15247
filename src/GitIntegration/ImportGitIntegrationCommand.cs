using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Imports integrations from a TSV, CSV, YAML or JSON file, or from objects on the pipeline, in one store write.</para>
    /// <para type="description">Reads the integration's bulk TSV layout (a header row; a blank id creates; origin is required; a PEM key
    /// pasted in double quotes keeps its line breaks; CRLF or LF), CSV saved by Excel (BOM, ';' or ','), YAML and JSON as written by
    /// Export-GitIntegration, and objects from Import-Csv or Get-GitIntegration. Rows are matched to existing integrations by id, then by
    /// origin: a row that matches and changes nothing is Unchanged, so re-importing a file changes nothing; a row that would change an
    /// existing integration is Skipped unless -Update. Inline private keys are checked with the key engine and written owner-only to the store's
    /// keys folder; inline passphrases, tokens and GitHub App webhook secrets become protected secret files, and the files an updated row no
    /// longer uses are deleted. A GitHub App whose PEM key was re-issued on GitHub is updated this way: export it with -IncludeSecrets, paste the
    /// new PEM in double quotes in place of the old one, and import with -Update (then Test-GitIntegration proves GitHub accepts it). Each row yields a result (Row, Name, Action, Error); a bad row
    /// is a non-terminating error naming its row and the others go on, unless -Atomic, which imports all rows or none.</para>
    /// </summary>
    /// <example>
    /// <code>Import-GitIntegration -Path repos.tsv</code>
    /// <para>Creates the integrations listed in a TSV exported from the integration's Bulk Change page or edited in a spreadsheet.</para>
    /// </example>
    /// <example>
    /// <code>Import-Csv repos.csv -Delimiter ';' | Import-GitIntegration -Update -Atomic</code>
    /// <para>Creates or updates the integrations from an Excel sheet, all or nothing.</para>
    /// </example>
    /// <example>
    /// <code>Import-GitIntegration gha.tsv -Update -WhatIf</code>
    /// <para>Shows, row by row, what importing a re-issued GitHub App PEM key would change, without changing anything.</para>
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

        /// <summary><para type="description">Rows as objects (Import-Csv output, hashtables, Get-GitIntegration output): their property names are the columns.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">Tsv, Csv, Yaml or Json. By default taken from the file's extension.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        public BulkFormat? Format { get; set; }

        /// <summary><para type="description">Changes integrations that already exist (matched by id, then origin). Without it, such rows are Skipped.</para></summary>
        [Parameter]
        public SwitchParameter Update { get; set; }

        /// <summary><para type="description">All or nothing: if any row fails, no row is imported.</para></summary>
        [Parameter]
        public SwitchParameter Atomic { get; set; }

        /// <summary><para type="description">The store file (or its folder) to import into instead of $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
        [Parameter]
        public string? StorePath { get; set; }

        private readonly List<ImportRow> _rows = new List<ImportRow>();
        private readonly List<string> _unknown = new List<string>();
        private string _source = "pipeline";

        /// <summary>Reads the file, or collects a pipeline object as a row.</summary>
        protected override void ProcessRecord()
        {
            if (ParameterSetName == PathSet)
            {
                var file = ResolvePaths(new[] { Path! }, literal: false).FirstOrDefault();
                if (file == null) return;
                try
                {
                    var format = Format ?? BulkFiles.FromExtension(file);
                    _source = file;
                    _rows.AddRange(BulkFiles.ReadFile(file, format, out var unknown));
                    _unknown.AddRange(unknown);
                }
                catch (GitIntegrationException e) { Fail(e, file); }
                return;
            }
            var row = new ImportRow { Row = _rows.Count + 1 };
            var o = InputObject!.BaseObject;
            if (o is Integration i)
                foreach (var kv in IntegrationRecord.From(i, null, null)) BulkFiles.Put(row, _unknown, kv.Key, kv.Value);
            else if (o is IDictionary d)
                foreach (DictionaryEntry kv in d) BulkFiles.Put(row, _unknown, kv.Key?.ToString() ?? "", kv.Value?.ToString());
            else
                foreach (var p in InputObject.Properties) BulkFiles.Put(row, _unknown, p.Name, SafeValue(p));
            _rows.Add(row);
        }

        private static string? SafeValue(PSPropertyInfo p)
        {
            try { return p.Value?.ToString(); }
            catch (GetValueException) { return null; }
        }

        /// <summary>Imports every row in one store write and reports each.</summary>
        protected override void EndProcessing()
        {
            if (_unknown.Count > 0)
                WriteWarning($"These columns are not integration fields and were ignored: {string.Join(", ", _unknown.Distinct())}.");
            var store = IntegrationStoreAccess.Open(this, StorePath);
            bool dryRun = !ShouldProcess(store.Path, $"Import {_rows.Count} row(s) from {_source}");
            if (dryRun && !MyInvocation.BoundParameters.ContainsKey("WhatIf")) return;
            const string activity = "Importing integrations";
            var options = new ImportOptions
            {
                Update = Update, Atomic = Atomic, DryRun = dryRun,
                Progress = (n, count) => WriteProgress(new ProgressRecord(1, activity, $"Row {n + 1} of {count}")
                    { PercentComplete = count == 0 ? 100 : (int)(100L * n / count) }),
            };
            IList<ImportResult> results;
            try { results = IntegrationImport.Run(store, _rows, options); }
            catch (GitIntegrationException e) { Fail(e, store.Path); return; }
            finally { WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed }); }
            foreach (var r in results)
            {
                if (r.Action == ImportAction.Failed && r.Exception != null)
                    WriteError(new ErrorRecord(new GitIntegrationException(r.Exception.ErrorId, r.Exception.Kind, r.Error!, r.Exception),
                        r.Exception.ErrorId, (ErrorCategory)Enum.Parse(typeof(ErrorCategory), r.Exception.Kind.ToString()), $"{_source} row {r.Row}"));
                else if (r.Action != ImportAction.Unchanged) WriteVerbose($"Row {r.Row}: {r.Action} '{r.Name}'{(r.Error != null ? ": " + r.Error : "")}");
                WriteObject(r);
            }
            WriteVerbose($"{(dryRun ? "Would import" : "Imported")} {results.Count(r => r.Action == ImportAction.Created)} new and " +
                $"{results.Count(r => r.Action == ImportAction.Updated)} changed integration(s) into '{store.Path}'.");
        }
    }
}
