using System;
using System.Globalization;
using System.IO;
using System.Threading;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git
{
    /// <summary>One repository to connect: its URL and how to authenticate.</summary>
    public sealed class ConnectRequest
    {
        public ConnectRequest(GitUrl url, GitAccess access) { Url = url; Access = access; }
        public GitUrl Url { get; }
        public GitAccess Access { get; }
        public string? Name { get; set; }
        /// <summary>Clone into this folder once access is verified.</summary>
        public string? CloneTo { get; set; }
    }

    /// <summary>
    /// Connect-GitRepository and Test-GitIntegration: verify with a real git ls-remote (safe to run in parallel),
    /// then record the outcome in the store (one locked write per repository).
    /// </summary>
    public static class RepositoryConnector
    {
        public static GitConnectionResult Verify(ConnectRequest request, CancellationToken cancel = default)
        {
            var result = GitConnection.ListRemote(request.Url, request.Access, cancel);
            result.Name = request.Name ?? request.Url.Name;
            if (result.Success && request.CloneTo != null) Clone(request, result, cancel);
            return result;
        }

        private static void Clone(ConnectRequest request, GitConnectionResult result, CancellationToken cancel)
        {
            var r = GitConnection.Clone(request.Url, request.Access, request.CloneTo!, cancel);
            if (!r.Success) { result.Reason = r.Reason; result.Message = r.Message; result.Remedy = r.Remedy; }
        }

        /// <summary>
        /// Writes the integration (a new one, or the one already stored for this URL) with the verification's outcome.
        /// A failed verification is stored only when <paramref name="force"/> is set, as Status Failed.
        /// </summary>
        public static Integration Save(IntegrationStore store, ConnectRequest request, GitConnectionResult result, bool force)
        {
            if (!result.Success && !force) throw result.ToException();
            var access = request.Access;
            var url = request.Url.ToString();
            SecretRef? passRef = null, tokenRef = null;
            var stamp = Guid.NewGuid().ToString("N").Substring(0, 8);
            try
            {
                if (access.Passphrase != null) passRef = store.WriteSecret($"{result.Name}-passphrase-{stamp}", access.Passphrase);
                if (access.Token != null) tokenRef = store.WriteSecret($"{result.Name}-token-{stamp}", access.Token);
                var (saved, replaced) = store.Update(doc =>
                {
                    var i = doc.FindByUrl(url);
                    var old = i?.Clone();
                    if (i == null) { i = new Integration { Url = url }; doc.Integrations.Add(i); }
                    i.Name = request.Name ?? old?.Name ?? result.Name!;
                    i.Type = TypeOf(request.Url, result.HostKind);
                    i.HostUrl = request.Url.IsHttp ? $"https://{request.Url.Host}" : request.Url.Host;
                    i.PrivateKeyPath = access.KeyPath != null ? Path.GetFullPath(access.KeyPath) : null;
                    i.PassphraseRef = passRef;
                    i.TokenRef = tokenRef;
                    i.SslVerify = !access.SkipSslVerification;
                    Record(i, result);
                    i.UpdatedAt = DateTimeOffset.UtcNow;
                    return (i.Clone(), old);
                });
                passRef = tokenRef = null;
                if (replaced != null)
                {
                    if (!Equals(replaced.PassphraseRef, saved.PassphraseRef)) store.DeleteSecret(replaced.PassphraseRef);
                    if (!Equals(replaced.TokenRef, saved.TokenRef)) store.DeleteSecret(replaced.TokenRef);
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

        /// <summary>How to reach a stored integration again: its key and the secrets its references point to.</summary>
        public static ConnectRequest RequestFor(IntegrationStore store, Integration integration, GitAccess template)
        {
            if (string.IsNullOrEmpty(integration.Url))
                throw new GitIntegrationException(StoreErrorIds.IntegrationNotFound, ErrorKind.InvalidOperation,
                    $"The integration '{integration.Name}' has no repository URL (a {integration.Type} integration is verified by its own cmdlets).") { Target = integration.Name };
            var access = new GitAccess
            {
                KeyPath = integration.PrivateKeyPath,
                Passphrase = integration.PassphraseRef != null ? store.ReadSecret(integration.PassphraseRef) : null,
                Token = integration.TokenRef != null ? store.ReadSecret(integration.TokenRef) : null,
                UserName = integration.Properties.TryGetValue("UserName", out var u) ? u : null,
                SkipSslVerification = !integration.SslVerify,
                KnownHostsPath = template.KnownHostsPath,
                AcceptNewHostKey = template.AcceptNewHostKey,
                Timeout = template.Timeout,
                Connections = template.Connections,
            };
            return new ConnectRequest(GitUrl.Parse(integration.Url), access) { Name = integration.Name };
        }

        /// <summary>Stores a re-verification's outcome: Status, LastVerified and what ls-remote found.</summary>
        public static Integration Update(IntegrationStore store, Integration integration, GitConnectionResult result) =>
            store.Update(doc =>
            {
                var i = doc.Find(integration.Id) ?? throw new GitIntegrationException(StoreErrorIds.IntegrationNotFound, ErrorKind.ObjectNotFound,
                    $"The integration '{integration.Name}' was removed from the store by another command.") { Target = integration.Id.ToString() };
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
            if (result.User != null && result.Url.StartsWith("https", StringComparison.Ordinal)) Set(i, "UserName", result.User);
        }

        private static void Set(Integration i, string key, string? value)
        {
            if (value == null) i.Properties.Remove(key);
            else i.Properties[key] = value;
        }

        private static IntegrationType TypeOf(GitUrl url, HostKind kind) => kind switch
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
}
