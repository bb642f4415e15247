using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git;

/// <summary>One repository to connect: its URL and how to authenticate.</summary>
public sealed class ConnectRequest
{
    public ConnectRequest(GitUrl url, GitAccess access)
    {
        Url = url;
        Access = access;
    }

    public GitUrl Url { get; }
    public GitAccess Access { get; }
    public string? Name { get; set; }

    /// <summary>Clone into this folder once access is verified.</summary>
    public string? CloneTo { get; set; }

    /// <summary>A stored integration verified again: its remedies name Set-GitIntegration.</summary>
    public bool IsStored { get; set; }

    /// <summary>Whose rules the SSH key must meet before anything connects; null checks none.</summary>
    public KeyRequirement? Requirement { get; set; }
}

/// <summary>What Connect-GitRepository is asked besides how to reach the repository.</summary>
public sealed class ConnectOptions
{
    /// <summary>The integration's name; by default the repository's name from the URL.</summary>
    public string? Name { get; set; }

    /// <summary>Whose rules the SSH key must meet before anything connects; null checks none.</summary>
    public KeyRequirement? Requirement { get; set; }

    /// <summary>Clone the repository once access is verified.</summary>
    public bool Clone { get; set; }

    /// <summary>Where the clone goes; by default a folder named after the repository.</summary>
    public string? Destination { get; set; }

    /// <summary>Makes a path absolute (PowerShell's location); by default the process's folder.</summary>
    public Func<string, string> ResolvePath { get; set; } = Path.GetFullPath;
}

/// <summary>
/// Connect-GitRepository and Test-GitIntegration: verify as git ls-remote does (safe to run in parallel),
/// then record the outcome in the store (one locked write per repository).
/// </summary>
public static class RepositoryConnector
{
    /// <summary>The store property that lets a token go to an http:// repository.</summary>
    public const string AllowUnencryptedProperty = "AllowUnencryptedAuthentication";

    /// <summary>
    /// Connect-GitRepository's request for one repository, refused before anything connects when the key file is
    /// missing, a key is given for an HTTPS URL without a token, or the repository is stored under another name
    /// (<paramref name="stored"/>: the store as the command found it).
    /// </summary>
    public static ConnectRequest Prepare(StoreDocument stored, string url, GitAccess access, ConnectOptions options)
    {
        var parsed = GitUrl.Parse(url);
        var keyPath = access.KeyPath;
        if (keyPath != null && !File.Exists(keyPath))
            throw new GitIntegrationException(
                ErrorIds.KeyFileNotFound,
                ErrorKind.ObjectNotFound,
                $"Cannot find the key '{keyPath}'. Check -KeyPath."
            )
            {
                Target = keyPath,
            };
        if (parsed.IsHttp && access.Token == null && keyPath != null)
            throw new GitIntegrationException(
                GitErrorIds.UrlNotConvertible,
                ErrorKind.InvalidArgument,
                $"'{parsed}' is an HTTPS URL, but a key was given: use the SSH URL "
                    + $"({GitUrlConverter.ToSsh(parsed)}), or -Credential with a token."
            )
            {
                Target = parsed.ToString(),
            };
        var request = new ConnectRequest(parsed, access) { Name = options.Name, Requirement = options.Requirement };
        if (options.Clone)
            request.CloneTo = options.ResolvePath(options.Destination ?? parsed.Name);
        RefuseRename(stored, request);
        return request;
    }

    public static GitConnectionResult Verify(ConnectRequest request, CancellationToken cancel = default)
    {
        var result = RefuseKey(request) ?? GitConnection.ListRemote(request.Url, request.Access, cancel);
        result.Name = request.Name ?? request.Url.Name;
        if (result.Success && request.CloneTo != null)
            Clone(request, result, cancel);
        if (request.IsStored)
            result.Remedy = StoredRemedy(request, result);
        return result;
    }

    /// <summary>
    /// What fixes a stored integration: its secrets and settings change with Set-GitIntegration, since
    /// Test-GitIntegration has no -Passphrase, -Credential or -SkipCertificateCheck.
    /// </summary>
    private static string? StoredRemedy(ConnectRequest request, GitConnectionResult result)
    {
        var name = result.Name ?? "";
        switch (result.Reason)
        {
            case ConnectionFailure.PassphraseRequired:
            case ConnectionFailure.WrongPassphrase:
                return "Store the key's passphrase: " + IntegrationRemedy.Passphrase(name, request.Access.KeyPath);
            case ConnectionFailure.AuthenticationFailed:
                return "The token must be valid and allowed to read repositories. Store a new one: "
                    + IntegrationRemedy.Token(name);
            case ConnectionFailure.CertificateInvalid:
                return "The server's TLS certificate is not trusted here. Install its CA certificate in the "
                    + "machine's trust store, or, once the server's administrator confirms the thumbprint, trust "
                    + "it: "
                    + IntegrationRemedy.TrustThumbprint(name)
                    + "; for a test server only: "
                    + IntegrationRemedy.SkipCertificateCheck(name);
            default:
                return result.Remedy;
        }
    }

    /// <summary>
    /// The key checked offline against <see cref="ConnectRequest.Requirement"/> (Test-GitSshKey's diagnosis), so a key
    /// the integration would reject is refused before the host is asked, whatever the host would say.
    /// </summary>
    private static GitConnectionResult? RefuseKey(ConnectRequest request)
    {
        var keyPath = request.Access.KeyPath;
        if (request.Requirement is not KeyRequirement requirement || keyPath == null || !request.Url.IsSsh)
            return null;
        var test = KeyDiagnostics.TestFile(keyPath, request.Access.Passphrase, requirement);
        var errors = test.Findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (errors.Count == 0)
            return null;
        bool wrongPassphrase = errors.Any(f => f.Id == KeyDiagnostics.Ids.WrongPassphrase);
        var why = string.Join(" ", errors.Select(f => f.Message));
        var fix = string.Join("; ", errors.Select(f => f.Remedy).Where(r => r != null).Distinct());
        return new GitConnectionResult
        {
            Name = request.Name ?? request.Url.Name,
            Url = request.Url.ToString(),
            HostName = request.Url.Host,
            Port = request.Url.EffectivePort,
            HostKind = HostProfiles.For(request.Url).Kind,
            Reason = wrongPassphrase
                ? ConnectionFailure.WrongPassphrase
                : ConnectionFailure.KeyRejectedByIntegrationRule,
            Message = wrongPassphrase
                ? $"The key '{test.Path}' cannot be opened, so no connection was tried: {why}"
                : $"The key '{test.Path}' breaks the {requirement} rule, so no connection was tried: {why} To connect "
                    + "it anyway, for a git host that accepts it, add -Requirement Any (or GitHub, GitLab, Bitbucket).",
            Remedy = fix.Length > 0 ? fix : null,
        };
    }

    private static void Clone(ConnectRequest request, GitConnectionResult result, CancellationToken cancel)
    {
        GitConnectionResult r;
        try
        {
            r = GitConnection.Clone(request.Url, request.Access, request.CloneTo!, cancel);
        }
        catch (GitIntegrationException e) when (e.ErrorId == GitErrorIds.ToolNotInstalled)
        {
            throw e.Retold(
                $"The repository {request.Url} is verified, "
                    + $"but it cannot be cloned: {e.Message} git is needed only for -Clone; without -Clone the "
                    + "repository is verified and stored without it.",
                e.Target
            );
        }
        if (!r.Success)
        {
            result.Reason = r.Reason;
            result.Message = r.Message;
            result.Remedy = r.Remedy;
        }
        var pinned = request.Access.TrustedCertificateThumbprints?.Count > 0;
        if (r.Reason == ConnectionFailure.CertificateInvalid && pinned)
            result.Remedy =
                "The repository was verified with the certificate trusted by thumbprint, but git, "
                + "which -Clone runs, trusts only its own certificate store: install the server's CA certificate "
                + "there, then clone.";
    }

    /// <summary>
    /// Writes the integration (a new one, or the one already stored for this URL) with the verification's outcome.
    /// A failed verification is stored only when <paramref name="force"/> is set, as Status Failed.
    /// </summary>
    public static Integration Save(
        IntegrationStore store,
        ConnectRequest request,
        GitConnectionResult result,
        bool force
    )
    {
        if (!result.Success && !force)
            throw result.ToException();
        var access = request.Access;
        var url = request.Url.ToString();
        SecretRef? passRef = null,
            tokenRef = null;
        var stamp = Guid.NewGuid().ToString("N").Substring(0, 8);
        try
        {
            if (access.Passphrase != null)
                passRef = store.WriteSecret($"{result.Name}-passphrase-{stamp}", access.Passphrase);
            if (access.Token != null)
                tokenRef = store.WriteSecret($"{result.Name}-token-{stamp}", access.Token);
            var (saved, replaced) = store.Update(doc =>
            {
                RefuseRename(doc, request);
                var i = doc.FindByUrl(url);
                var old = i?.Clone();
                if (i == null)
                {
                    i = new Integration { Url = url };
                    doc.Integrations.Add(i);
                }
                i.Name = old?.Name ?? request.Name ?? result.Name!;
                i.Type = TypeOf(request.Url, result.HostKind);
                i.HostUrl = request.Url.IsHttp ? $"https://{request.Url.Host}" : request.Url.Host;
                i.PrivateKeyPath = access.KeyPath != null ? Path.GetFullPath(access.KeyPath) : null;
                i.PassphraseRef = passRef;
                i.TokenRef = tokenRef;
                i.SslVerify = !access.SkipSslVerification;
                CertificateTrust.Store(i, access.TrustedCertificateThumbprints ?? Array.Empty<string>());
                var plain = access.AllowUnencryptedAuthentication && request.Url.Transport == GitTransport.Http;
                Set(i, AllowUnencryptedProperty, plain ? "true" : null);
                Record(i, result);
                i.UpdatedAt = DateTimeOffset.UtcNow;
                return (i.Clone(), old);
            });
            passRef = tokenRef = null;
            if (replaced != null)
            {
                if (!Equals(replaced.PassphraseRef, saved.PassphraseRef))
                    store.DeleteSecret(replaced.PassphraseRef);
                if (!Equals(replaced.TokenRef, saved.TokenRef))
                    store.DeleteSecret(replaced.TokenRef);
            }
            return saved;
        }
        finally
        {
            // Secrets written for a store update that did not happen.
            store.DeleteSecret(passRef);
            store.DeleteSecret(tokenRef);
        }
    }

    /// <summary>
    /// Refuses to connect a stored repository under another name: renaming by reconnecting would surprise whoever
    /// finds the integration gone from under its old name. Set-GitIntegration -NewName renames.
    /// </summary>
    public static void RefuseRename(StoreDocument doc, ConnectRequest request)
    {
        var stored = doc.FindByUrl(request.Url.ToString());
        if (stored == null || request.Name == null || stored.Name == request.Name)
            return;
        throw new GitIntegrationException(
            StoreErrorIds.UrlStoredUnderOtherName,
            ErrorKind.ResourceExists,
            $"'{request.Url}' is already stored as the integration '{stored.Name}', so it was not connected as "
                + $"'{request.Name}'. To reconnect it, leave out -Name or give -Name "
                + $"{PowerShellCommand.Quote(stored.Name)}; to rename it: Set-GitIntegration -Name "
                + $"{IntegrationRemedy.Name(stored.Name)} -NewName {PowerShellCommand.Quote(request.Name)}"
        )
        {
            Target = request.Url.ToString(),
        };
    }

    /// <summary>How to reach a stored integration again: its key and the secrets its references point to.</summary>
    public static ConnectRequest RequestFor(IntegrationStore store, Integration integration, GitAccess template)
    {
        if (string.IsNullOrEmpty(integration.Url))
            throw new GitIntegrationException(
                StoreErrorIds.IntegrationNotFound,
                ErrorKind.InvalidOperation,
                $"The integration '{integration.Name}' has no repository URL (a {integration.Type} integration "
                    + "is verified by its own cmdlets)."
            )
            {
                Target = integration.Name,
            };
        var access = new GitAccess
        {
            KeyPath = integration.PrivateKeyPath,
            Passphrase = integration.PassphraseRef != null ? store.ReadSecret(integration.PassphraseRef) : null,
            Token = integration.TokenRef != null ? store.ReadSecret(integration.TokenRef) : null,
            UserName = integration.Properties.TryGetValue("UserName", out var u) ? u : null,
            SkipSslVerification = !integration.SslVerify,
            TrustedCertificateThumbprints = CertificateTrust.For(integration).Thumbprints,
            AllowUnencryptedAuthentication =
                integration.Properties.TryGetValue(AllowUnencryptedProperty, out var plain) && plain == "true",
            KnownHostsPath = template.KnownHostsPath,
            AcceptNewHostKey = template.AcceptNewHostKey,
            Timeout = template.Timeout,
            Connections = template.Connections,
        };
        return new ConnectRequest(GitUrl.Parse(integration.Url), access) { Name = integration.Name, IsStored = true };
    }

    /// <summary>Stores a re-verification's outcome: Status, LastVerified and what ls-remote found.</summary>
    public static Integration Update(IntegrationStore store, Integration integration, GitConnectionResult result) =>
        store.Update(doc =>
        {
            var i =
                doc.Find(integration.Id)
                ?? throw new GitIntegrationException(
                    StoreErrorIds.IntegrationNotFound,
                    ErrorKind.ObjectNotFound,
                    $"The integration '{integration.Name}' was removed from the store by another command."
                )
                {
                    Target = integration.Id.ToString(),
                };
            Record(i, result);
            return i.Clone();
        });

    private static void Record(Integration i, GitConnectionResult result)
    {
        i.Status = result.Success ? IntegrationStatus.Connected : IntegrationStatus.Failed;
        i.LastVerified = DateTimeOffset.UtcNow;
        Set(i, "HostKind", result.HostKind.ToString());
        Set(i, "FailureReason", result.Success ? null : result.Reason.ToString());
        Set(i, "Account", result.Account);
        if (result.Success)
        {
            Set(i, "DefaultBranch", result.DefaultBranch);
            Set(i, "BranchCount", result.BranchCount?.ToString(CultureInfo.InvariantCulture));
            Set(i, "TagCount", result.TagCount?.ToString(CultureInfo.InvariantCulture));
        }
        // http:// too: a repository allowed unencrypted authentication is tested again with the same user.
        if (result.User != null && result.Url.StartsWith("http", StringComparison.Ordinal))
            Set(i, "UserName", result.User);
    }

    private static void Set(Integration i, string key, string? value)
    {
        if (value == null)
            i.Properties.Remove(key);
        else
            i.Properties[key] = value;
    }

    private static IntegrationType TypeOf(GitUrl url, HostKind kind) =>
        kind switch
        {
            HostKind.GitLab or HostKind.GitLabSelfManaged => IntegrationType.GitLab,
            HostKind.AzureDevOps or HostKind.AzureDevOpsServer => IntegrationType.AzureDevOps,
            HostKind.BitbucketCloud or HostKind.BitbucketServer => IntegrationType.Bitbucket,
            HostKind.Gerrit => IntegrationType.Gerrit,
            HostKind.Gitolite => IntegrationType.Gitolite,
            HostKind.AwsCodeCommit => IntegrationType.AwsCodeCommit,
            _ => url.IsSsh ? IntegrationType.Ssh : IntegrationType.Https,
        };
}
