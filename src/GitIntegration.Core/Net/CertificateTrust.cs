using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Net;

/// <summary>
/// Which TLS server certificates a connection accepts: the machine's trust store, plus certificates the admin
/// trusts by thumbprint (the server's own, or a CA certificate the server sends with it), or none checked at all
/// (-SkipCertificateCheck). A refusal is remembered with the certificate's subject, issuer and what was wrong.
/// </summary>
public sealed partial class CertificateTrust
{
    /// <summary>The store property of an integration's trusted thumbprints (comma-separated hex).</summary>
    public const string ThumbprintProperty = "TrustedCertificateThumbprint";

    // Chain problems a trusted thumbprint answers for.
    private const X509ChainStatusFlags Vouched =
        X509ChainStatusFlags.UntrustedRoot
        | X509ChainStatusFlags.PartialChain
        | X509ChainStatusFlags.RevocationStatusUnknown
        | X509ChainStatusFlags.OfflineRevocation;

    private readonly object _gate = new object();
    private string? _rejection;

    public CertificateTrust(bool skipCheck = false, IEnumerable<string>? thumbprints = null)
    {
        SkipCheck = skipCheck;
        Thumbprints = Normalize(thumbprints ?? Array.Empty<string>());
    }

    public bool SkipCheck { get; }

    /// <summary>SHA-256 (64 hex digits) or SHA-1 (40) thumbprints, upper case, without separators.</summary>
    public IReadOnlyList<string> Thumbprints { get; }

    /// <summary>Why the last certificate was refused (whole sentences), or null.</summary>
    public string? Rejection
    {
        get
        {
            lock (_gate)
                return _rejection;
        }
    }

    /// <summary>The trust an integration was stored with: its SslVerify and its trusted thumbprints.</summary>
    public static CertificateTrust For(Integration i)
    {
        var stored = i.Properties.TryGetValue(ThumbprintProperty, out var t) ? t.Split(',') : null;
        try
        {
            return new CertificateTrust(!i.SslVerify, stored);
        }
        catch (GitIntegrationException e)
        {
            // A store edited by hand: say which integration, and how to repair it.
            throw e.Retold(
                $"The integration '{i.Name}' stores a thumbprint that cannot be used: {e.Message} Set it again with "
                    + $"{IntegrationRemedy.TrustThumbprint(i.Name)}.",
                i.Name
            );
        }
    }

    /// <summary>Stores the thumbprints with the integration (none removes the property).</summary>
    public static void Store(Integration i, IReadOnlyList<string> thumbprints)
    {
        if (thumbprints.Count == 0)
            i.Properties.Remove(ThumbprintProperty);
        else
            i.Properties[ThumbprintProperty] = string.Join(",", thumbprints);
    }

    /// <summary>
    /// Thumbprints as an admin copies them (certutil, Get-ChildItem Cert:, openssl x509 -fingerprint): hex with
    /// or without colons or spaces, any case. Anything that is not a SHA-256 or SHA-1 thumbprint is refused.
    /// </summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> thumbprints)
    {
        var result = new List<string>();
        foreach (var raw in thumbprints)
        {
            var t = new string((raw ?? "").Where(c => c != ':' && c != ' ' && c != '-').ToArray()).ToUpperInvariant();
            if (t.Length == 0)
                continue;
            if ((t.Length != 64 && t.Length != 40) || !t.All(Uri.IsHexDigit))
                throw new GitIntegrationException(
                    ThumbprintInvalid,
                    ErrorKind.InvalidArgument,
                    $"'{raw}' is not a certificate thumbprint. Give the certificate's SHA-256 thumbprint "
                        + "(64 hexadecimal digits, e.g. from openssl x509 -noout -fingerprint -sha256 -in server.crt) "
                        + "or its SHA-1 thumbprint (40 digits, the Thumbprint that Get-ChildItem Cert:\\ shows)."
                )
                {
                    Target = raw,
                };
            if (!result.Contains(t))
                result.Add(t);
        }
        return result;
    }

    /// <summary>A handler that checks certificates by these rules; the caller follows redirects.</summary>
    public HttpClientHandler CreateHandler(bool followRedirects = false)
    {
        var handler = new HttpClientHandler
        {
            AllowAutoRedirect = followRedirects,
            UseCookies = false,
            UseDefaultCredentials = false,
        };
        // .NET Framework (Windows PowerShell 5.1) may default to TLS 1.0; .NET Core leaves it to the system.
        if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            handler.SslProtocols = SslProtocols.Tls12 | (SslProtocols)12288; // 12288: TLS 1.3, where Windows has it
        handler.ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) =>
            Validate(request.RequestUri?.Host ?? "", certificate, chain, errors);
        return handler;
    }

    internal bool Validate(string host, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (SkipCheck || errors == SslPolicyErrors.None)
            return true;
        if (certificate != null && Thumbprints.Count > 0 && Vouches(certificate, chain, errors))
            return true;
        lock (_gate)
            _rejection = Describe(host, certificate, chain, errors);
        return false;
    }

    /// <summary>
    /// A trusted thumbprint stands in for the machine's trust store: the chain may end in an unknown root. The
    /// server's own certificate, pinned, may name another host; a trusted CA certificate vouches only for the
    /// names it issued. An expired, revoked or badly signed certificate stays refused.
    /// </summary>
    private bool Vouches(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var flags =
            chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (f, s) => f | s.Status)
            ?? X509ChainStatusFlags.NoError;
        if ((flags & ~Vouched) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return false;
        if (Trusted(certificate))
            return true;
        var issuers =
            chain?.ChainElements.Cast<X509ChainElement>().Skip(1).Select(e => e.Certificate)
            ?? Enumerable.Empty<X509Certificate2>();
        return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && issuers.Any(Trusted);
    }

    private bool Trusted(X509Certificate2 c) =>
        Thumbprints.Contains(Sha256(c)) || Thumbprints.Contains(c.Thumbprint.ToUpperInvariant());

    public static string Sha256(X509Certificate c)
    {
        using var sha = SHA256.Create();
        return BitConverter.ToString(sha.ComputeHash(c.GetRawCertData())).Replace("-", "");
    }

    private string Describe(string host, X509Certificate2? c, X509Chain? chain, SslPolicyErrors errors)
    {
        if (c == null)
            return $"{host} presented no TLS certificate.";
        var s = new StringBuilder(
            $"The TLS certificate of {host} is not trusted: subject '{c.Subject}', "
                + $"issued by '{c.Issuer}', valid {c.NotBefore:yyyy-MM-dd} to {c.NotAfter:yyyy-MM-dd}, "
                + $"SHA-256 thumbprint {Sha256(c)}."
        );
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            s.Append($" It is not made out to the name '{host}': it names {Names(c)}.");
        var problems = (chain?.ChainStatus ?? Array.Empty<X509ChainStatus>())
            .Where(x => x.Status != X509ChainStatusFlags.NoError)
            .Select(x => $"{x.Status} ({x.StatusInformation.Trim().TrimEnd('.')})")
            .Distinct()
            .ToList();
        if (problems.Count > 0)
            s.Append($" Its chain does not verify: {string.Join("; ", problems)}.");
        else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            s.Append(" Its chain does not verify.");
        if (Thumbprints.Count > 0)
            s.Append(
                " Neither it nor a certificate of its chain has a trusted thumbprint "
                    + $"({string.Join(", ", Thumbprints)})."
            );
        return s.ToString();
    }

    private static string Names(X509Certificate2 c)
    {
        var san = c.Extensions.Cast<X509Extension>().FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        var names = san != null ? san.Format(false) : "";
        return names.Length > 0 ? names : "CN=" + c.GetNameInfo(X509NameType.SimpleName, false);
    }
}
