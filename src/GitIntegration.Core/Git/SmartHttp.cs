using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Net;

namespace GitIntegration.Core.Git;

/// <summary>
/// Verifies an HTTP(S) repository in process, as <c>git ls-remote</c> does: smart-HTTP ref discovery
/// (<c>GET REPO/info/refs?service=git-upload-pack</c>), the advertisement read to its flush packet. The token
/// travels only in an Authorization header, only to the repository's own scheme, host and port, and over plain
/// http only when the admin allows it. Redirects are followed here, at most <see cref="MaxRedirects"/>.
/// </summary>
public static partial class SmartHttp
{
    internal const int MaxRedirects = 5;

    /// <summary>A larger ref advertisement is refused (a repository with ~400,000 refs still fits).</summary>
    internal const int MaxAdvertisement = 32 * 1024 * 1024;
    private const int MaxErrorBody = 8 * 1024;
    private const string AdvertisementType = "application/x-git-upload-pack-advertisement";

    /// <summary>Reads the repository's refs: proves read access and finds the default branch.</summary>
    public static GitConnectionResult ListRefs(GitUrl url, GitAccess access, CancellationToken cancel = default)
    {
        RefuseUnencrypted(url, access);
        return Task.Run(() => ListRefsAsync(url, access, cancel), cancel).GetAwaiter().GetResult();
    }

    /// <summary>A token never goes over plain http unless the admin allows it.</summary>
    public static void RefuseUnencrypted(GitUrl url, GitAccess access)
    {
        if (url.Transport != GitTransport.Http || access.Token == null)
            return;
        if (access.AllowUnencryptedAuthentication)
            return;
        var https = url.With(transport: GitTransport.Https, clearPort: true);
        throw new GitIntegrationException(
            UnencryptedAuthenticationRefused,
            ErrorKind.SecurityError,
            $"The repository {url} is reached over plain http, which would send the token unencrypted: anyone on "
                + $"the network path could read it. Use the https URL ({https}) if the server offers one; otherwise, "
                + "only on a network you trust, add -AllowUnencryptedAuthentication."
        )
        {
            Target = url.ToString(),
        };
    }

    private static async Task<GitConnectionResult> ListRefsAsync(GitUrl url, GitAccess access, CancellationToken cancel)
    {
        var result = new GitConnectionResult
        {
            Url = url.ToString(),
            HostName = url.Host,
            Port = url.EffectivePort,
            User = access.UserName,
            HostKind = HostProfiles.For(url).Kind,
        };
        var started = DateTime.UtcNow;
        var trust = new CertificateTrust(access.SkipSslVerification, access.TrustedCertificateThumbprints);
        var origin = Origin(new Uri(url.ToString()));
        var refs = url.With(user: "", path: url.Path.TrimEnd('/') + "/info/refs");
        var target = new Uri(refs + "?service=git-upload-pack");
        Uri? elsewhere = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        limit.CancelAfter(access.Timeout);
        try
        {
            using var client = new HttpClient(trust.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            for (int hops = 0; ; hops++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, target);
                // Hosts serve the smart protocol (and not a login page) to a client that says it is git.
                request.Headers.TryAddWithoutValidation("User-Agent", "git/2.0 (GitIntegration-PowerShell)");
                request.Headers.TryAddWithoutValidation("Pragma", "no-cache");
                if (access.Token != null && Origin(target) == origin)
                    request.Headers.Authorization = new AuthenticationHeaderValue(
                        "Basic",
                        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{access.UserName ?? "git"}:{access.Token}"))
                    );
                var sent = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
                using var response = await sent.ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status >= 300 && status < 400 && response.Headers.Location != null)
                {
                    if (hops == MaxRedirects)
                        return GitConnection.Fail(
                            result,
                            ConnectionFailure.ConnectionFailed,
                            $"The repository {url} redirects more than {MaxRedirects} times "
                                + $"(last to {Redacted(target)}).",
                            "Use the clone URL the repository's page shows, which needs no redirect."
                        );
                    target = new Uri(target, response.Headers.Location);
                    if (target.Scheme != Uri.UriSchemeHttps && target.Scheme != Uri.UriSchemeHttp)
                        return GitConnection.Fail(
                            result,
                            ConnectionFailure.ConnectionFailed,
                            $"The repository {url} redirects to {Redacted(target)}, which is not a web address.",
                            null
                        );
                    if (Origin(target) != origin)
                        elsewhere = target;
                    continue;
                }
                await Read(response, url, access, result, elsewhere, limit.Token).ConfigureAwait(false);
                return result;
            }
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return GitConnection.Fail(
                result,
                ConnectionFailure.Timeout,
                $"No answer from {Authority(url)} for the repository {url} within "
                    + $"{access.Timeout.TotalSeconds:0.#} s.",
                $"Check the host name and port ({url.EffectivePort}), and the firewalls and proxies between here "
                    + "and the server; or give more time with -TimeoutSeconds."
            );
        }
        catch (HttpRequestException e)
        {
            return Unreachable(e, url, trust, result);
        }
        catch (IOException e)
        {
            return Unreachable(e, url, trust, result);
        }
        finally
        {
            result.Duration = DateTime.UtcNow - started;
        }
    }

    private static async Task Read(
        HttpResponseMessage response,
        GitUrl url,
        GitAccess access,
        GitConnectionResult result,
        Uri? elsewhere,
        CancellationToken cancel
    )
    {
        var status = (int)response.StatusCode;
        var host = Authority(url);
        var moved = elsewhere == null ? "" : $" after a redirect to {Redacted(elsewhere)}, where the token is not sent";
        if (status == 200)
        {
            var type = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(type, AdvertisementType, StringComparison.OrdinalIgnoreCase))
            {
                GitConnection.Fail(
                    result,
                    ConnectionFailure.RepositoryNotFound,
                    $"{host} answered for the repository {url}{moved} with "
                        + $"{type ?? "a reply without a content type"}, not with git's list of refs: is this a git "
                        + "repository? The server does not speak git's smart HTTP protocol there.",
                    "Check the URL: copy the clone URL (usually ending in .git) from the repository's page."
                );
                return;
            }
            using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            try
            {
                await ReadAdvertisement(body, result, cancel).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                var reason =
                    !e.Message.StartsWith("ERR ", StringComparison.Ordinal) ? ConnectionFailure.ConnectionFailed
                    : e.Message.IndexOf("denied", StringComparison.OrdinalIgnoreCase) >= 0
                        ? ConnectionFailure.RepositoryAccessDenied
                    : ConnectionFailure.RepositoryNotFound;
                GitConnection.Fail(
                    result,
                    reason,
                    $"{host} answered for the repository {url} with {e.Message}.",
                    "Check the repository path and your access to it with the server's administrator."
                );
                return;
            }
            result.Authenticated = true;
            var who = access.Token != null ? $" as '{access.UserName ?? "git"}'" : "";
            result.Message =
                $"Read the refs of {url}{who}: {result.BranchCount} branches, {result.TagCount} tags"
                + (result.DefaultBranch != null ? $", default branch {result.DefaultBranch}." : ".");
            return;
        }
        var said = await HostMessage(response).ConfigureAwait(false);
        var quoted = said != null ? $" The server says: \"{said}\"" : "";
        var token = access.Token != null;
        var user = access.UserName ?? "git";
        switch (status)
        {
            case 401:
                GitConnection.Fail(
                    result,
                    ConnectionFailure.AuthenticationFailed,
                    (
                        token
                            ? $"{host} did not accept the credentials of '{user}' for the repository {url}"
                            : $"{host} asks for credentials to read the repository {url}"
                    ) + $"{moved} (HTTP 401).{quoted}",
                    token
                        ? "Check the user name and token in -Credential: the token must be valid, unexpired "
                            + "and allowed to read repositories."
                        : "Pass the user name and a personal access token (as the password) with -Credential."
                );
                return;
            case 403:
                GitConnection.Fail(
                    result,
                    ConnectionFailure.AuthenticationFailed,
                    $"{host} refused access to the repository {url}{moved} (HTTP 403).{quoted}",
                    "The token may be valid but lack the right to read repositories (a scope such as repo or "
                        + "read_repository), or its account may not read this repository. Check the token's scopes and "
                        + "the account's access."
                );
                return;
            case 404:
                GitConnection.Fail(
                    result,
                    ConnectionFailure.RepositoryNotFound,
                    $"{host} has no repository at {url}{moved} (HTTP 404), or none these credentials may see: "
                        + "GitHub, GitLab and other hosts answer 404 also when the repository exists but the account "
                        + $"may not read it.{quoted}",
                    "Check the repository path (copy the clone URL from the repository's page), then check that "
                        + (
                            token
                                ? "the token's account has read access to it."
                                : "it is public, or pass a token with -Credential."
                        )
                );
                return;
            default:
                var server = status >= 500;
                GitConnection.Fail(
                    result,
                    server ? ConnectionFailure.ServiceError : ConnectionFailure.ConnectionFailed,
                    $"{host} answered {status} {response.ReasonPhrase} for the repository {url}{moved}.{quoted}",
                    server
                        ? "The server has a problem on its side: try again later, or ask its administrator."
                        : "Check the URL: copy the clone URL from the repository's page."
                );
                return;
        }
    }

    /// <summary>
    /// The service header ("# service=git-upload-pack", then a flush), then one ref per pkt-line up to the flush:
    /// the first carries the capabilities after a NUL, among them symref=HEAD:refs/heads/NAME.
    /// </summary>
    internal static async Task ReadAdvertisement(Stream body, GitConnectionResult result, CancellationToken cancel)
    {
        try
        {
            await ReadRefs(new PktLineReader(body, MaxAdvertisement), result, cancel).ConfigureAwait(false);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("a list of refs cut short before its end");
        }
    }

    private static async Task ReadRefs(PktLineReader reader, GitConnectionResult result, CancellationToken cancel)
    {
        var line = await reader.NextAsync(cancel).ConfigureAwait(false);
        if (line != null && line.StartsWith("# service=", StringComparison.Ordinal))
        {
            if (line != "# service=git-upload-pack")
                throw new InvalidDataException($"the wrong service header '{Shorten(line)}'");
            if (await reader.NextAsync(cancel).ConfigureAwait(false) != null)
                throw new InvalidDataException("no flush packet after the service header");
            line = await reader.NextAsync(cancel).ConfigureAwait(false);
        }
        if (line == "version 1")
            line = await reader.NextAsync(cancel).ConfigureAwait(false);
        var refs = new List<string>();
        for (; line != null; line = await reader.NextAsync(cancel).ConfigureAwait(false))
        {
            if (line.StartsWith("ERR ", StringComparison.Ordinal))
                throw new InvalidDataException(Shorten(line, 300));
            var nul = line.IndexOf('\0');
            var refPart = nul < 0 ? line : line.Substring(0, nul);
            var space = refPart.IndexOf(' ');
            if (space != 40 && space != 64)
                throw new InvalidDataException($"a line that is not a ref ('{Shorten(refPart)}')");
            refs.Add(line);
        }
        GitConnection.ReadAdvertisement(refs, result);
    }

    /// <summary>What the server said in an error reply (GitLab's, Bitbucket's texts), as text or JSON.</summary>
    private static async Task<string?> HostMessage(HttpResponseMessage response)
    {
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        var json = type.EndsWith("json", StringComparison.OrdinalIgnoreCase);
        if (!json && !type.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            return null;
        using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new byte[MaxErrorBody];
        int read = 0,
            n;
        while (
            read < buffer.Length
            && (n = await body.ReadAsync(buffer, read, buffer.Length - read).ConfigureAwait(false)) > 0
        )
            read += n;
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        if (json && (text = JsonMessage(text)!) == null)
            return null;
        text = string.Join(" ", text.Split(new[] { ' ', '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length == 0 ? null : Shorten(text, 300);
    }

    /// <summary>{"message": "..."} (GitHub, GitLab), {"errors": [{"message": "..."}]} (Bitbucket Server).</summary>
    private static string? JsonMessage(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return null;
            if (root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                return m.GetString();
            if (
                root.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array
                && errors.GetArrayLength() > 0
                && errors[0].ValueKind == JsonValueKind.Object
                && errors[0].TryGetProperty("message", out var em)
                && em.ValueKind == JsonValueKind.String
            )
                return em.GetString();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static GitConnectionResult Unreachable(
        Exception e,
        GitUrl url,
        CertificateTrust trust,
        GitConnectionResult result
    )
    {
        var host = Authority(url);
        if (trust.Rejection is string rejection)
            return GitConnection.Fail(
                result,
                ConnectionFailure.CertificateInvalid,
                $"Cannot verify the repository {url}. {rejection}",
                "The server's TLS certificate is not trusted here. Install its CA certificate in the machine's "
                    + "trust store; or, once the server's administrator confirms the SHA-256 thumbprint above, trust "
                    + "it for this integration with -TrustedCertificateThumbprint. For a test server only, use "
                    + "-SkipCertificateCheck."
            );
        for (var x = e.InnerException; x != null; x = x.InnerException)
        {
            if (x is AuthenticationException)
                return GitConnection.Fail(
                    result,
                    ConnectionFailure.ConnectionFailed,
                    $"The TLS handshake with {host} for the repository {url} failed: {Innermost(e)}.",
                    "The server and this computer share no TLS version or cipher, or something between them "
                        + "(a proxy) interferes."
                );
            if (x is SocketException s && Classify(s.SocketErrorCode) is ConnectionFailure reason)
                return Socket(reason, url, result);
            if (x is WebException w) // .NET Framework (Windows PowerShell 5.1)
            {
                if (w.Status == WebExceptionStatus.NameResolutionFailure)
                    return Socket(ConnectionFailure.NameResolution, url, result);
                if (w.Status == WebExceptionStatus.ConnectFailure && w.InnerException is not SocketException)
                    return Socket(ConnectionFailure.ConnectionRefused, url, result);
            }
        }
        return GitConnection.Fail(
            result,
            ConnectionFailure.ConnectionFailed,
            $"Cannot read the repository {url} from {host}: {Innermost(e)}.",
            Check(url)
        );
    }

    private static ConnectionFailure? Classify(SocketError error) =>
        error switch
        {
            SocketError.ConnectionRefused => ConnectionFailure.ConnectionRefused,
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => ConnectionFailure.NameResolution,
            SocketError.TimedOut => ConnectionFailure.Timeout,
            _ => null,
        };

    private static GitConnectionResult Socket(ConnectionFailure reason, GitUrl url, GitConnectionResult result)
    {
        var check = Check(url);
        return reason switch
        {
            ConnectionFailure.NameResolution => GitConnection.Fail(
                result,
                reason,
                $"The host name '{url.Host}' of the repository {url} cannot be resolved.",
                $"Check the spelling of '{url.Host}' and this computer's DNS (Resolve-DnsName {url.Host})."
            ),
            ConnectionFailure.Timeout => GitConnection.Fail(
                result,
                reason,
                $"No answer from {Authority(url)} for the repository {url}: the connection timed out.",
                check
            ),
            _ => GitConnection.Fail(
                result,
                reason,
                $"{Authority(url)} refused the connection for the repository {url}: nothing listens on port "
                    + $"{url.EffectivePort} there.",
                check
            ),
        };
    }

    private static string Check(GitUrl url) =>
        $"Check the host name and port ({url.EffectivePort}), and the firewalls and proxies between here and "
        + "the server.";

    private static string Origin(Uri uri) => $"{uri.Scheme}://{uri.Host.Trim('[', ']').ToLowerInvariant()}:{uri.Port}";

    private static string Authority(GitUrl url) => url.Port == null ? url.Host : $"{url.Host}:{url.EffectivePort}";

    /// <summary>A redirect target without user information or query, which may carry secrets.</summary>
    private static string Redacted(Uri uri) =>
        uri.GetComponents(UriComponents.Scheme | UriComponents.HostAndPort | UriComponents.Path, UriFormat.UriEscaped);

    private static string Shorten(string s, int max = 60) => s.Length <= max ? s : s.Substring(0, max) + "…";

    private static string Innermost(Exception e) => HttpFailure.Innermost(e).TrimEnd('.');
}
