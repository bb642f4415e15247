using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GitIntegration.Core.Store;

/// <summary>
/// The flat shape of an integration in every bulk format (TSV, CSV, YAML and JSON rows, pipeline objects):
/// column name → text. Type-specific properties travel as "property.&lt;name&gt;" columns. Secrets appear
/// only as inline values (privateKey, passphrase, token) and only when the export asked for them.
/// </summary>
public static class IntegrationRecord
{
    public const string PropertyPrefix = "property.";
    public const string Id = "id",
        Name = "name",
        Type = "type",
        Origin = "origin",
        HostUrl = "hostUrl",
        Organization = "organization",
        PrivateKeyPath = "privateKeyPath",
        PrivateKey = "privateKey",
        PassphraseVault = "passphraseVault",
        PassphraseName = "passphraseName",
        Passphrase = "passphrase",
        TokenVault = "tokenVault",
        TokenName = "tokenName",
        Token = "token",
        WebhookSecretVault = "webhookSecretVault",
        WebhookSecretName = "webhookSecretName",
        WebhookSecret = "webhookSecret",
        SslVerify = "sslVerify",
        RequireUserPat = "requireUserPat",
        RepositoryFilter = "repositoryFilter",
        Status = "status",
        LastVerified = "lastVerified",
        CreatedAt = "createdAt",
        UpdatedAt = "updatedAt";

    /// <summary>The columns in export order.</summary>
    public static readonly string[] Columns =
    {
        Id,
        Name,
        Type,
        Origin,
        HostUrl,
        Organization,
        PrivateKeyPath,
        PrivateKey,
        PassphraseVault,
        PassphraseName,
        Passphrase,
        TokenVault,
        TokenName,
        Token,
        WebhookSecretVault,
        WebhookSecretName,
        WebhookSecret,
        SslVerify,
        RequireUserPat,
        RepositoryFilter,
        Status,
        LastVerified,
        CreatedAt,
        UpdatedAt,
    };

    /// <summary>
    /// Columns a delimited export has only when some row uses them: the inline secrets, and the GitHub App's webhook
    /// secret.
    /// </summary>
    private static readonly HashSet<string> Occasional = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        PrivateKey,
        Passphrase,
        Token,
        WebhookSecretVault,
        WebhookSecretName,
        WebhookSecret,
    };

    public static readonly HashSet<string> BooleanColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        SslVerify,
        RequireUserPat,
    };

    /// <summary>
    /// Other names people's files use for a column (the integration's own TSV says "origin"; Get-GitIntegration says
    /// "Url").
    /// </summary>
    public static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>(
        StringComparer.OrdinalIgnoreCase
    )
    {
        ["url"] = Origin,
        ["displayName"] = Name,
        ["privateKeyFile"] = PrivateKeyPath,
        ["sslverify"] = SslVerify,
    };

    /// <summary>The known column a header names, or null (unknown columns are reported once and ignored).</summary>
    public static string? Canonical(string header)
    {
        var h = header.Trim();
        if (h.StartsWith(PropertyPrefix, StringComparison.OrdinalIgnoreCase) && h.Length > PropertyPrefix.Length)
            return PropertyPrefix + h.Substring(PropertyPrefix.Length);
        foreach (var c in Columns)
            if (string.Equals(c, h, StringComparison.OrdinalIgnoreCase))
                return c;
        return Aliases.TryGetValue(h, out var a) ? a : null;
    }

    /// <param name="readSecret">Given only for -IncludeSecrets: reads a file-held secret. Vault references travel as
    /// names either way.</param>
    public static Dictionary<string, string?> From(
        Integration i,
        Func<SecretRef, string>? readSecret,
        Func<string, string>? readKey
    )
    {
        var r = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [Id] = i.Id.ToString("D"),
            [Name] = i.Name,
            [Type] = i.Type.ToString(),
            [Origin] = i.Url,
            [HostUrl] = i.HostUrl,
            [Organization] = i.Organization,
            [PrivateKeyPath] = i.PrivateKeyPath,
            [SslVerify] = i.SslVerify ? "true" : "false",
            [RequireUserPat] = i.RequireUserPat ? "true" : "false",
            [RepositoryFilter] = i.RepositoryFilter,
            [Status] = i.Status.ToString(),
            [LastVerified] = i.LastVerified?.ToString("o", CultureInfo.InvariantCulture),
            [CreatedAt] = i.CreatedAt.ToString("o", CultureInfo.InvariantCulture),
            [UpdatedAt] = i.UpdatedAt.ToString("o", CultureInfo.InvariantCulture),
        };
        PutRef(r, i.PassphraseRef, PassphraseVault, PassphraseName, Passphrase, readSecret);
        PutRef(r, i.TokenRef, TokenVault, TokenName, Token, readSecret);
        PutRef(r, i.WebhookSecretRef, WebhookSecretVault, WebhookSecretName, WebhookSecret, readSecret);
        if (readKey != null && !string.IsNullOrEmpty(i.PrivateKeyPath))
            r[PrivateKey] = readKey(i.PrivateKeyPath!);
        foreach (var p in i.Properties)
            r[PropertyPrefix + p.Key] = p.Value;
        return r;
    }

    private static void PutRef(
        Dictionary<string, string?> r,
        SecretRef? s,
        string vault,
        string name,
        string inline,
        Func<SecretRef, string>? read
    )
    {
        if (s == null)
            return;
        if (!s.IsFile)
        {
            r[vault] = s.Vault;
            r[name] = s.Name;
        }
        else if (read != null)
            r[inline] = read(s);
    }

    /// <summary>
    /// The export columns for a set of records: the fixed ones that occur, then the property columns sorted.
    /// </summary>
    public static List<string> HeaderFor(IEnumerable<IDictionary<string, string?>> records, bool allFixed)
    {
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in records)
        foreach (var kv in r)
            if (kv.Value != null)
                used.Add(kv.Key);
        var header = Columns.Where(c => allFixed && !Occasional.Contains(c) || used.Contains(c)).ToList();
        header.AddRange(
            used.Where(k => k.StartsWith(PropertyPrefix, StringComparison.OrdinalIgnoreCase))
                .OrderBy(k => k, StringComparer.Ordinal)
        );
        return header;
    }
}
