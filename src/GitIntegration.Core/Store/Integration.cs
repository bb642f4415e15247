using System;
using System.Collections.Generic;
using System.Linq;

namespace GitIntegration.Core.Store;

public enum IntegrationType
{
    Ssh,
    Https,
    GitHubApp,
    GitHubEnterpriseApp,
    GitLab,
    AzureDevOps,
    Bitbucket,
    Gerrit,
    Gitolite,
    AwsCodeCommit,
    Generic,
}

/// <summary>
/// Where an integration stands. Connected and Failed are what the last verification found (Active and Suspended
/// for a GitHub App); Unverified is an integration imported or changed by an import that nothing has verified since.
/// </summary>
public enum IntegrationStatus
{
    Connected,
    Failed,
    Installing,
    Active,
    Suspended,
    Disabled,
    Unverified,
}

/// <summary>
/// Where a secret (passphrase, token) lives: a SecretManagement vault entry (<see cref="Vault"/> +
/// <see cref="Name"/>) or a protected file in the store's secrets folder (<see cref="File"/>).
/// The store holds only this reference, never the secret.
/// </summary>
public sealed class SecretRef : IEquatable<SecretRef>
{
    public string? Vault { get; set; }
    public string? Name { get; set; }

    /// <summary>File name inside the store's secrets folder.</summary>
    public string? File { get; set; }

    public bool IsFile => File != null;

    public static SecretRef InVault(string vault, string name) => new SecretRef { Vault = vault, Name = name };

    public static SecretRef InFile(string file) => new SecretRef { File = file };

    public bool Equals(SecretRef? other) =>
        other != null && other.Vault == Vault && other.Name == Name && other.File == File;

    public override bool Equals(object? obj) => Equals(obj as SecretRef);

    public override int GetHashCode() =>
        (Vault ?? "").GetHashCode() ^ (Name ?? "").GetHashCode() ^ (File ?? "").GetHashCode();

    public override string ToString() => IsFile ? "file:" + File : $"vault:{Vault}/{Name}";
}

/// <summary>
/// One connected repository or app with references to its credentials. Type-specific data (GitHub App
/// ids, installation ids...) goes in <see cref="Properties"/>, written in ordinal key order.
/// </summary>
public sealed class Integration
{
    public Guid Id { get; set; } = Guid.NewGuid();
    public string Name { get; set; } = "";
    public IntegrationType Type { get; set; } = IntegrationType.Generic;

    /// <summary>The repository's origin (clone URL); the TSV calls it <c>origin</c>.</summary>
    public string? Url { get; set; }
    public string? HostUrl { get; set; }
    public string? Organization { get; set; }
    public string? PrivateKeyPath { get; set; }
    public SecretRef? PassphraseRef { get; set; }
    public SecretRef? TokenRef { get; set; }

    /// <summary>A GitHub App's webhook secret (GitHub hands it over with the app's key).</summary>
    public SecretRef? WebhookSecretRef { get; set; }
    public bool SslVerify { get; set; } = true;
    public bool RequireUserPat { get; set; }
    public string? RepositoryFilter { get; set; }
    public IntegrationStatus Status { get; set; } = IntegrationStatus.Connected;
    public DateTimeOffset? LastVerified { get; set; }
    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;
    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;
    public IDictionary<string, string> Properties { get; set; } =
        new SortedDictionary<string, string>(StringComparer.Ordinal);

    public Integration Clone()
    {
        var c = (Integration)MemberwiseClone();
        c.PassphraseRef = Copy(PassphraseRef);
        c.TokenRef = Copy(TokenRef);
        c.WebhookSecretRef = Copy(WebhookSecretRef);
        c.Properties = new SortedDictionary<string, string>(Properties, StringComparer.Ordinal);
        return c;
    }

    /// <summary>Same configuration, ignoring timestamps: what makes a re-import "Unchanged".</summary>
    /// <summary>Same repository and credentials: what a verification's outcome depends on.</summary>
    public bool SameConnection(Integration o) =>
        Url == o.Url
        && HostUrl == o.HostUrl
        && PrivateKeyPath == o.PrivateKeyPath
        && Equals(PassphraseRef, o.PassphraseRef)
        && Equals(TokenRef, o.TokenRef)
        && SslVerify == o.SslVerify;

    public bool SameSettings(Integration o) =>
        Id == o.Id
        && Name == o.Name
        && Type == o.Type
        && Url == o.Url
        && HostUrl == o.HostUrl
        && Organization == o.Organization
        && PrivateKeyPath == o.PrivateKeyPath
        && Equals(PassphraseRef, o.PassphraseRef)
        && Equals(TokenRef, o.TokenRef)
        && Equals(WebhookSecretRef, o.WebhookSecretRef)
        && SslVerify == o.SslVerify
        && RequireUserPat == o.RequireUserPat
        && RepositoryFilter == o.RepositoryFilter
        && Status == o.Status
        && Properties.Count == o.Properties.Count
        && Properties.All(p => o.Properties.TryGetValue(p.Key, out var v) && v == p.Value);

    public override string ToString() => $"{Name} ({Type}) {Url}";

    private static SecretRef? Copy(SecretRef? r) =>
        r == null
            ? null
            : new SecretRef
            {
                Vault = r.Vault,
                Name = r.Name,
                File = r.File,
            };
}

/// <summary>The whole store file: a schema version and the integrations, in file order.</summary>
public sealed class StoreDocument
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; set; } = CurrentSchemaVersion;
    public List<Integration> Integrations { get; } = new List<Integration>();

    public Integration? Find(Guid id) => Integrations.FirstOrDefault(i => i.Id == id);

    /// <summary>Matches by origin URL, ignoring case and a trailing ".git" or "/".</summary>
    public Integration? FindByUrl(string? url) =>
        string.IsNullOrEmpty(url) ? null : Integrations.FirstOrDefault(i => SameUrl(i.Url, url));

    public static bool SameUrl(string? a, string? b) =>
        a != null && b != null && string.Equals(NormalizeUrl(a), NormalizeUrl(b), StringComparison.OrdinalIgnoreCase);

    /// <summary>The form of an origin URL that <see cref="SameUrl"/> compares (with OrdinalIgnoreCase).</summary>
    public static string NormalizeUrl(string url)
    {
        var u = url.Trim().TrimEnd('/');
        return u.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? u.Substring(0, u.Length - 4) : u;
    }
}
