using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitIntegration.Core.GitHub;

/// <summary>What identifies a GitHub App to GitHub: its id and/or client id and its private key.</summary>
public sealed class GitHubAppCredentials
{
    private GitHubAppCredentials(long appId, string? clientId, RsaKeyParameters key, SshKey sshKey)
    {
        AppId = appId;
        ClientId = clientId;
        Key = key;
        PublicKey = sshKey;
    }

    /// <summary>0 when only the client id is known yet.</summary>
    public long AppId { get; }
    public string? ClientId { get; }
    internal RsaKeyParameters Key { get; }

    /// <summary>The key pair (its fingerprint tells keys apart; GitHub shows the SHA256 one).</summary>
    public SshKey PublicKey { get; }

    /// <summary>
    /// Reads the app's private key (the PEM GitHub hands out, or any format the key engine reads) and checks it is RSA.
    /// </summary>
    public static GitHubAppCredentials FromPem(long appId, string? clientId, string pem)
    {
        if (appId <= 0 && string.IsNullOrEmpty(clientId))
            throw new GitIntegrationException(
                GitHubErrorIds.AppIdRequired,
                ErrorKind.InvalidArgument,
                "Give the app's id (-AppId) or client id (-ClientId): both are on the app's settings page on GitHub."
            );
        var key = KeyReader.Read(pem).RequirePrivate();
        if (key.Algorithm != KeyAlgorithm.Rsa || key.Private is not RsaKeyParameters rsa)
            throw new KeyFormatException(
                GitHubErrorIds.KeyNotRsa,
                $"This is a {key.ShortType} key; GitHub App keys are RSA. Use the .pem file downloaded from the "
                    + "app's settings page (Private keys → Generate a private key)."
            );
        return new GitHubAppCredentials(appId, string.IsNullOrEmpty(clientId) ? null : clientId, rsa, key);
    }
}

/// <summary>
/// Calls the API as a GitHub App (JWT) and as one of its installations (installation access tokens,
/// cached until shortly before they expire).
/// </summary>
public sealed class GitHubAppClient
{
    /// <summary>A token is renewed this long before GitHub's expires_at.</summary>
    public static readonly TimeSpan TokenRenewal = TimeSpan.FromMinutes(5);
    private static readonly ConcurrentDictionary<string, InstallationToken> Tokens =
        new ConcurrentDictionary<string, InstallationToken>();

    public GitHubAppClient(GitHubHttp http, GitHubAppCredentials credentials, Func<DateTimeOffset>? clock = null)
    {
        Http = http;
        Credentials = credentials;
        Now = clock ?? (() => DateTimeOffset.UtcNow);
    }

    public GitHubHttp Http { get; }
    public GitHubAppCredentials Credentials { get; }
    private Func<DateTimeOffset> Now { get; }

    /// <summary>
    /// The JWT's issuer: the client id on github.com (GitHub's recommendation), the app id on GitHub
    /// Enterprise Server, whose older releases accept only the app id.
    /// </summary>
    public string Issuer =>
        Credentials.ClientId != null && (!Http.Host.IsEnterprise || Credentials.AppId <= 0)
            ? Credentials.ClientId
            : Credentials.AppId.ToString(CultureInfo.InvariantCulture);

    public string CreateJwt() => GitHubJwt.Create(Credentials.Key, Issuer, Now());

    private Func<Task<string?>> AsApp => () => Task.FromResult<string?>(CreateJwt());

    public async Task<GitHubApp> GetAppAsync(CancellationToken cancel) =>
        (await Http.SendOkAsync(HttpMethod.Get, "app", AsApp, null, cancel).ConfigureAwait(false)).Json<GitHubApp>();

    /// <summary>The app's installation on an organization, or null while there is none (404).</summary>
    public async Task<GitHubAppInstallation?> FindOrganizationInstallationAsync(
        string organization,
        CancellationToken cancel
    )
    {
        var path = $"orgs/{Uri.EscapeDataString(organization)}/installation";
        var r = await Http.SendAsync(HttpMethod.Get, path, AsApp, null, cancel).ConfigureAwait(false);
        if (r.Status == HttpStatusCode.NotFound)
            return null;
        if (!r.IsSuccess)
            throw GitHubHttp.Error(r, HttpMethod.Get, path);
        return r.Json<GitHubAppInstallation>();
    }

    public async Task<GitHubAppInstallation> GetInstallationAsync(long installationId, CancellationToken cancel) =>
        (
            await Http.SendOkAsync(HttpMethod.Get, $"app/installations/{installationId}", AsApp, null, cancel)
                .ConfigureAwait(false)
        ).Json<GitHubAppInstallation>();

    public Task SuspendAsync(long installationId, CancellationToken cancel) =>
        Http.SendOkAsync(HttpMethod.Put, $"app/installations/{installationId}/suspended", AsApp, null, cancel);

    public Task ResumeAsync(long installationId, CancellationToken cancel) =>
        Http.SendOkAsync(HttpMethod.Delete, $"app/installations/{installationId}/suspended", AsApp, null, cancel);

    /// <summary>
    /// An installation access token: from the cache while it has more than <see cref="TokenRenewal"/>
    /// left, else a new one. Its length and format are GitHub's business.
    /// </summary>
    public async Task<string> GetInstallationTokenAsync(long installationId, CancellationToken cancel)
    {
        var key = TokenKey(installationId);
        if (Tokens.TryGetValue(key, out var cached) && cached.ExpiresAt - TokenRenewal > Now())
            return cached.Token;
        var r = await Http.SendOkAsync(
                HttpMethod.Post,
                $"app/installations/{installationId}/access_tokens",
                AsApp,
                null,
                cancel
            )
            .ConfigureAwait(false);
        var token = r.Json<InstallationToken>();
        if (string.IsNullOrEmpty(token.Token))
            throw new GitIntegrationException(
                GitHubErrorIds.UnexpectedResponse,
                ErrorKind.InvalidData,
                "GitHub answered the token request without a token. Try again; if it persists, check the app on GitHub."
            );
        Tokens[key] = token;
        return token.Token;
    }

    /// <summary>
    /// Every repository the installation can read, all pages (each keeps GitHub's JSON, for a RepositoryFilter).
    /// </summary>
    public Task<List<GitHubAppRepository>> GetRepositoriesAsync(long installationId, CancellationToken cancel) =>
        Http.GetAllPagesAsync(
            "installation/repositories",
            async () => await GetInstallationTokenAsync(installationId, cancel).ConfigureAwait(false),
            RepositoryPage.Parse,
            cancel
        );

    /// <summary>Forgets the cached tokens of this app (after a key change or uninstall).</summary>
    public void ForgetTokens()
    {
        var prefix = TokenKey(0).Substring(0, TokenKey(0).Length - 1);
        foreach (var k in Tokens.Keys)
            if (k.StartsWith(prefix, StringComparison.Ordinal))
                Tokens.TryRemove(k, out _);
    }

    private string TokenKey(long installationId) =>
        $"{Http.Host.ApiUrl}|{Credentials.AppId}|{Credentials.ClientId}|{installationId}";
}
