using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Store;

/// <summary>What an import did with a row; under -WhatIf, WouldCreate and WouldUpdate say what it would.</summary>
public enum ImportAction
{
    Created,
    Updated,
    Unchanged,
    Skipped,
    Failed,
    WouldCreate,
    WouldUpdate,
}

/// <summary>What happened to one imported row.</summary>
public sealed class ImportResult
{
    public int Row { get; set; }
    public string? Name { get; set; }
    public Guid? Id { get; set; }
    public ImportAction Action { get; set; }

    /// <summary>The integration's status after the import (Unverified) or -Verify (Connected, Failed...).</summary>
    public IntegrationStatus? Status { get; set; }

    /// <summary>Why the row failed or did not verify, as a stable word: a key finding (OpenSshFormat,
    /// WrongPassphrase, KeyFileNotFound...), a connection failure (RepositoryNotFound...) or an error id.</summary>
    public string? Reason { get; set; }
    public string? Error { get; set; }

    /// <summary>The failure behind <see cref="Error"/> (its ErrorId and kind), for the cmdlet's error record.</summary>
    public GitIntegrationException? Exception { get; set; }
}

public sealed class ImportOptions
{
    /// <summary>
    /// Change integrations that already exist (matched by id, then origin); without it they are Skipped.
    /// </summary>
    public bool Update { get; set; }

    /// <summary>All or nothing: one failed row and nothing is imported.</summary>
    public bool Atomic { get; set; }

    /// <summary>Work out the results without writing the store or any secret (-WhatIf).</summary>
    public bool DryRun { get; set; }

    /// <summary>Whose rules the rows' private keys must meet.</summary>
    public KeyRequirement Requirement { get; set; } = KeyRequirement.Integration;

    /// <summary>Makes a privateKeyPath absolute (PowerShell's location, ~); by default the process's folder.</summary>
    public Func<string, string> ResolvePath { get; set; } = Path.GetFullPath;

    /// <summary>Called before each row (row index from 0, row count).</summary>
    public Action<int, int>? Progress { get; set; }
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
}

/// <summary>
/// Imports rows into the store in one read-modify-write. Keys and secrets that arrive inline are written to
/// new owner-only files first and referenced; files left behind by a failed or atomic-aborted import are
/// deleted, and files that an update replaced are deleted once the store is written.
/// </summary>
public static class IntegrationImport
{
    public static IList<ImportResult> Run(IntegrationStore store, IReadOnlyList<ImportRow> rows, ImportOptions options)
    {
        var written = new List<string>();
        var replaced = new List<Integration>();
        var keys = new Dictionary<(string, string?), KeyTestResult>();
        var results = new List<ImportResult>();
        try
        {
            Func<StoreDocument, int> work = doc =>
            {
                var snapshot = doc.Integrations.Select(i => i.Clone()).ToList();
                var seen = new Dictionary<Guid, int>();
                var index = new Index(doc);
                for (int n = 0; n < rows.Count; n++)
                {
                    options.Progress?.Invoke(n, rows.Count);
                    results.Add(ImportOne(store, doc, index, rows[n], options, seen, written, replaced, keys));
                }
                var failed = results.FirstOrDefault(r => r.Action == ImportAction.Failed);
                if (options.Atomic && failed != null)
                {
                    doc.Integrations.Clear();
                    doc.Integrations.AddRange(snapshot);
                    foreach (
                        var r in results.Where(r =>
                            r.Action == ImportAction.Created || r.Action == ImportAction.Updated
                        )
                    )
                    {
                        r.Action = ImportAction.Skipped;
                        r.Error = $"Not imported: -Atomic was given and row {failed.Row} failed.";
                    }
                    Cleanup(written);
                    replaced.Clear();
                }
                return 0;
            };
            if (options.DryRun)
                work(store.Load());
            else
                store.Update(work);
        }
        catch
        {
            Cleanup(written);
            throw;
        }
        var after = replaced.Count > 0 ? store.Load() : null;
        foreach (var old in replaced)
            DeleteReplaced(store, old, after!);
        if (options.DryRun)
            foreach (var r in results)
                r.Action =
                    r.Action == ImportAction.Created ? ImportAction.WouldCreate
                    : r.Action == ImportAction.Updated ? ImportAction.WouldUpdate
                    : r.Action;
        return results;
    }

    /// <summary>Integrations by id and by origin, so matching 10,000 rows is not 10,000 scans of the store.</summary>
    private sealed class Index
    {
        private readonly Dictionary<Guid, Integration> _byId = new Dictionary<Guid, Integration>();
        private readonly Dictionary<string, Integration> _byUrl = new Dictionary<string, Integration>(
            StringComparer.OrdinalIgnoreCase
        );

        public Index(StoreDocument doc)
        {
            foreach (var i in doc.Integrations)
                Add(i);
        }

        public void Add(Integration i)
        {
            _byId[i.Id] = i;
            if (i.Url != null && !_byUrl.ContainsKey(StoreDocument.NormalizeUrl(i.Url)))
                _byUrl[StoreDocument.NormalizeUrl(i.Url)] = i;
        }

        /// <summary>A row's update: the next row for the same id or URL finds the updated integration.</summary>
        public void Replace(Integration old, Integration now)
        {
            if (old.Url != null && _byUrl.TryGetValue(StoreDocument.NormalizeUrl(old.Url), out var o) && o == old)
                _byUrl.Remove(StoreDocument.NormalizeUrl(old.Url));
            Add(now);
        }

        public Integration? Find(Guid id) => _byId.TryGetValue(id, out var i) ? i : null;

        public Integration? FindByUrl(string url) =>
            _byUrl.TryGetValue(StoreDocument.NormalizeUrl(url), out var i) ? i : null;
    }

    private static ImportResult ImportOne(
        IntegrationStore store,
        StoreDocument doc,
        Index index,
        ImportRow row,
        ImportOptions o,
        Dictionary<Guid, int> seen,
        List<string> written,
        List<Integration> replaced,
        Dictionary<(string, string?), KeyTestResult> keys
    )
    {
        var result = new ImportResult { Row = row.Row };
        var mine = new List<string>();
        string? F(string column) =>
            row.Fields.TryGetValue(column, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;
        result.Name = F(IntegrationRecord.Name);
        try
        {
            if (row.Error != null)
                throw RowError(row.Error);
            var origin =
                F(IntegrationRecord.Origin)?.Trim()
                ?? throw RowError("'origin' is empty; every row needs the repository's URL.");
            Guid? id = null;
            if (F(IntegrationRecord.Id) is string idText)
            {
                if (!Guid.TryParse(idText, out var g))
                    throw RowError($"id '{idText}' is not a GUID. Leave id blank to create a new integration.");
                id = g;
                if (seen.TryGetValue(g, out var other))
                    throw new GitIntegrationException(
                        BulkErrorIds.ImportDuplicateId,
                        ErrorKind.InvalidData,
                        $"id {g} is also on row {other}; each integration can appear once."
                    );
                seen[g] = row.Row;
            }
            var existing = (id is Guid gid ? index.Find(gid) : null) ?? (id == null ? index.FindByUrl(origin) : null);
            var now = o.Clock();
            var i =
                existing?.Clone()
                ?? new Integration
                {
                    Id = id ?? Guid.NewGuid(),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
            i.Url = origin;
            Apply(i, row.Fields, F, existing == null, o);
            if (existing == null && string.IsNullOrEmpty(i.Name))
                i.Name = NameFrom(origin);
            if (existing == null && F(IntegrationRecord.Type) == null)
                i.Type = TypeFrom(origin);
            result.Id = i.Id;
            result.Name = i.Name;

            var passphrase = F(IntegrationRecord.Passphrase);
            if (passphrase != null)
                i.PassphraseRef = Secret(store, i, existing?.PassphraseRef, "passphrase", passphrase, o, mine);
            if (F(IntegrationRecord.Token) is string token)
                i.TokenRef = Secret(store, i, existing?.TokenRef, "token", token, o, mine);
            if (F(IntegrationRecord.WebhookSecret) is string webhook)
                i.WebhookSecretRef = Secret(store, i, existing?.WebhookSecretRef, "webhook", webhook, o, mine);
            if (F(IntegrationRecord.PrivateKey) != null || F(IntegrationRecord.PrivateKeyPath) != null)
                passphrase ??= i.PassphraseRef != null ? TryRead(store, i.PassphraseRef) : null;
            if (F(IntegrationRecord.PrivateKey) is string pem)
            {
                Refuse(IntegrationRecord.PrivateKey, KeyDiagnostics.TestText(pem, passphrase, o.Requirement), result);
                // The same key already on disk (re-import, same machine) is kept where it is; otherwise it becomes a
                // store-owned file.
                if (SameFileContent(existing?.PrivateKeyPath, pem))
                    i.PrivateKeyPath = existing!.PrivateKeyPath;
                else if (!SameFileContent(i.PrivateKeyPath, pem))
                    i.PrivateKeyPath = o.DryRun
                        ? "(new key file)"
                        : Track(
                            mine,
                            store.WriteKey($"{i.Id:N}-{Guid.NewGuid().ToString("N").Substring(0, 8)}.key", pem)
                        );
            }
            else if (
                i.PrivateKeyPath != null
                && (F(IntegrationRecord.PrivateKeyPath) != null || F(IntegrationRecord.Passphrase) != null)
            )
            {
                var key = (i.PrivateKeyPath!, passphrase);
                if (!keys.TryGetValue(key, out var test))
                    keys[key] = test = KeyDiagnostics.TestFile(key.Item1, passphrase, o.Requirement);
                Refuse($"{IntegrationRecord.PrivateKeyPath} '{i.PrivateKeyPath}'", test, result);
            }
            // A status the row gives is kept (an export being restored); else nothing has verified the row yet.
            if (F(IntegrationRecord.Status) == null)
                i.Status =
                    existing != null && (existing.Status == IntegrationStatus.Disabled || i.SameConnection(existing))
                        ? existing.Status
                        : IntegrationStatus.Unverified;
            result.Status = i.Status;

            if (existing == null)
            {
                doc.Integrations.Add(i);
                index.Add(i);
                result.Action = ImportAction.Created;
            }
            else if (i.SameSettings(existing))
                result.Action = ImportAction.Unchanged;
            else if (!o.Update)
            {
                result.Action = ImportAction.Skipped;
                result.Status = existing.Status;
                result.Exception = new GitIntegrationException(
                    BulkErrorIds.ImportRowSkipped,
                    ErrorKind.ResourceExists,
                    $"'{existing.Name}' ({existing.Id}) already exists and differs from row {row.Row}; use "
                        + "-Update to change it."
                );
                result.Error = result.Exception.Message;
                Cleanup(mine);
            }
            else
            {
                i.UpdatedAt = now;
                doc.Integrations[doc.Integrations.IndexOf(existing)] = i;
                index.Replace(existing, i);
                replaced.Add(existing);
                result.Action = ImportAction.Updated;
            }
        }
        catch (GitIntegrationException e)
        {
            result.Action = ImportAction.Failed;
            result.Status = null;
            result.Reason ??= e.ErrorId;
            result.Exception = e;
            result.Error = $"Row {row.Row}: {e.Message}";
            Cleanup(mine);
        }
        written.AddRange(mine);
        return result;
    }

    /// <summary>Fails the row when its key breaks the rule; the first error finding's Id is the row's Reason.</summary>
    private static void Refuse(string what, KeyTestResult test, ImportResult result)
    {
        var errors = test.Findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (errors.Count == 0)
            return;
        result.Reason = errors[0].Id;
        var whose = test.Requirement == KeyRequirement.Integration ? "integration" : test.Requirement + " rule";
        throw new GitIntegrationException(
            BulkErrorIds.ImportKeyRejected,
            ErrorKind.InvalidData,
            $"{what} is not a key the {whose} accepts: " + string.Join(" ", errors.Select(f => f.WithFix))
        );
    }

    private static void Apply(
        Integration i,
        IDictionary<string, string?> fields,
        Func<string, string?> f,
        bool creating,
        ImportOptions o
    )
    {
        if (f(IntegrationRecord.Name) is string name)
            i.Name = name.Trim();
        if (f(IntegrationRecord.Type) is string type)
            i.Type = ParseEnum<IntegrationType>(IntegrationRecord.Type, type);
        if (f(IntegrationRecord.HostUrl) is string host)
            i.HostUrl = host.Trim();
        if (f(IntegrationRecord.Organization) is string org)
            i.Organization = org.Trim();
        if (f(IntegrationRecord.PrivateKeyPath) is string keyPath)
            i.PrivateKeyPath = o.ResolvePath(keyPath.Trim());
        if (Ref(f, IntegrationRecord.PassphraseVault, IntegrationRecord.PassphraseName) is SecretRef pr)
            i.PassphraseRef = pr;
        if (Ref(f, IntegrationRecord.TokenVault, IntegrationRecord.TokenName) is SecretRef tr)
            i.TokenRef = tr;
        if (Ref(f, IntegrationRecord.WebhookSecretVault, IntegrationRecord.WebhookSecretName) is SecretRef wr)
            i.WebhookSecretRef = wr;
        if (f(IntegrationRecord.SslVerify) is string ssl)
            i.SslVerify = ParseBool(IntegrationRecord.SslVerify, ssl);
        if (f(IntegrationRecord.RequireUserPat) is string pat)
            i.RequireUserPat = ParseBool(IntegrationRecord.RequireUserPat, pat);
        if (f(IntegrationRecord.RepositoryFilter) is string filter)
            i.RepositoryFilter = Query.JmesPath.CompileFilter(filter)?.Text;
        if (f(IntegrationRecord.Status) is string status)
            i.Status = ParseEnum<IntegrationStatus>(IntegrationRecord.Status, status);
        if (f(IntegrationRecord.LastVerified) is string verified)
            i.LastVerified = ParseTime(IntegrationRecord.LastVerified, verified);
        if (creating && f(IntegrationRecord.CreatedAt) is string created)
            i.CreatedAt = ParseTime(IntegrationRecord.CreatedAt, created);
        if (creating && f(IntegrationRecord.UpdatedAt) is string updated)
            i.UpdatedAt = ParseTime(IntegrationRecord.UpdatedAt, updated);
        foreach (var kv in fields)
            if (
                kv.Key.StartsWith(IntegrationRecord.PropertyPrefix, StringComparison.Ordinal)
                && !string.IsNullOrEmpty(kv.Value)
            )
                i.Properties[kv.Key.Substring(IntegrationRecord.PropertyPrefix.Length)] = kv.Value!;
    }

    private static SecretRef? Ref(Func<string, string?> f, string vaultColumn, string nameColumn)
    {
        string? vault = f(vaultColumn),
            name = f(nameColumn);
        if (vault == null && name == null)
            return null;
        if (vault == null || name == null)
            throw RowError($"'{vaultColumn}' and '{nameColumn}' go together; give both or neither.");
        return SecretRef.InVault(vault, name);
    }

    /// <summary>
    /// Keeps the current secret file when it already holds this value (re-import changes nothing); else writes a new
    /// one.
    /// </summary>
    private static SecretRef Secret(
        IntegrationStore store,
        Integration i,
        SecretRef? current,
        string kind,
        string value,
        ImportOptions o,
        List<string> written
    )
    {
        if (current != null && current.IsFile && !o.DryRun && TryRead(store, current) == value)
            return current;
        if (o.DryRun)
            return SecretRef.InFile("(new secret)");
        var r = store.WriteSecret($"{i.Id:N}-{kind}-{Guid.NewGuid().ToString("N").Substring(0, 8)}", value);
        written.Add(Path.Combine(store.SecretsDirectory, r.File!));
        return r;
    }

    private static string? TryRead(IntegrationStore store, SecretRef r)
    {
        try
        {
            return store.ReadSecret(r);
        }
        catch (GitIntegrationException)
        {
            return null;
        }
    }

    private static bool SameFileContent(string? path, string text)
    {
        try
        {
            return path != null && File.Exists(path) && Normalize(KeyFiles.ReadText(path)) == Normalize(text);
        }
        catch (GitIntegrationException)
        {
            return false;
        }
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n").Trim();

    private static string Track(List<string> written, string path)
    {
        written.Add(path);
        return path;
    }

    /// <summary>
    /// After the store is written: the old integration's owned files that the update no longer references.
    /// </summary>
    private static void DeleteReplaced(IntegrationStore store, Integration old, StoreDocument after)
    {
        var now = after.Find(old.Id);
        if (now == null)
            return;
        if (old.PassphraseRef != null && !old.PassphraseRef.Equals(now.PassphraseRef))
            store.DeleteSecret(old.PassphraseRef);
        if (old.TokenRef != null && !old.TokenRef.Equals(now.TokenRef))
            store.DeleteSecret(old.TokenRef);
        if (old.WebhookSecretRef != null && !old.WebhookSecretRef.Equals(now.WebhookSecretRef))
            store.DeleteSecret(old.WebhookSecretRef);
        if (
            old.PrivateKeyPath != now.PrivateKeyPath
            && store.OwnsKey(old.PrivateKeyPath)
            && File.Exists(old.PrivateKeyPath)
        )
            File.Delete(old.PrivateKeyPath);
    }

    private static void Cleanup(List<string> files)
    {
        foreach (var f in files)
            try
            {
                if (File.Exists(f))
                    File.Delete(f);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        files.Clear();
    }

    internal static string NameFrom(string origin)
    {
        var s = origin.TrimEnd('/');
        var cut = Math.Max(s.LastIndexOf('/'), s.LastIndexOf(':'));
        s = s.Substring(cut + 1);
        return s.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? s.Substring(0, s.Length - 4) : s;
    }

    internal static IntegrationType TypeFrom(string origin) =>
        origin.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || origin.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? IntegrationType.Https
        : origin.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase) || origin.Contains("@") ? IntegrationType.Ssh
        : IntegrationType.Generic;

    private static T ParseEnum<T>(string column, string s)
        where T : struct =>
        Enum.TryParse<T>(s.Trim(), true, out var v) && Enum.IsDefined(typeof(T), v)
            ? v
            : throw RowError($"{column} '{s}' is not one of {string.Join(", ", Enum.GetNames(typeof(T)))}.");

    private static bool ParseBool(string column, string s)
    {
        switch (s.Trim().ToLowerInvariant())
        {
            case "true":
            case "yes":
            case "1":
            case "y":
                return true;
            case "false":
            case "no":
            case "0":
            case "n":
                return false;
            default:
                throw RowError($"{column} '{s}' is not true or false.");
        }
    }

    private static DateTimeOffset ParseTime(string column, string s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw RowError($"{column} '{s}' is not a date and time (use ISO 8601, e.g. 2024-05-01T10:00:00Z).");

    private static GitIntegrationException RowError(string message) =>
        new GitIntegrationException(BulkErrorIds.ImportRowInvalid, ErrorKind.InvalidData, message);
}
