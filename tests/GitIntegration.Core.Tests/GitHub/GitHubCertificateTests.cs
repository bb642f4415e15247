using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>A GitHub Enterprise Server whose certificate comes from an internal CA: the stand-in over HTTPS.</summary>
public sealed class GitHubCertificateTests : IAsyncLifetime
{
    private static readonly X509Certificate2 Root = Certificate("CN=Acme Internal Root CA", null, ca: true);
    private readonly X509Certificate2 _ca = Certificate("CN=Acme Issuing CA", Root, ca: true);
    private X509Certificate2 _server = null!;
    private GitHubStandIn _gh = null!;
    private readonly TempDir _dir = new();

    /// <summary>A certificate for 127.0.0.1 signed by <paramref name="issuer"/> (self-signed without one).</summary>
    private static X509Certificate2 Certificate(string subject, X509Certificate2? issuer, bool ca = false)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        if (!ca)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        var from = DateTimeOffset.UtcNow.Date.AddDays(-1);
        var made =
            issuer == null
                ? request.CreateSelfSigned(from, from.AddDays(30))
                : request
                    .Create(issuer, from, from.AddDays(20), RandomNumberGenerator.GetBytes(8))
                    .CopyWithPrivateKey(key);
        // Kestrel wants a key it can use after this method: a PKCS#12 round trip gives it one.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }

    public async Task InitializeAsync()
    {
        _server = Certificate("CN=github.acme.internal", _ca);
        // As servers are set up: the server's certificate and its issuing CA's (the root stays with the clients).
        _gh = await GitHubStandIn.StartAsync(
            https: new() { ServerCertificate = _server, ServerCertificateChain = new X509Certificate2Collection(_ca) }
        );
    }

    public async Task DisposeAsync()
    {
        await _gh.DisposeAsync();
        _dir.Dispose();
    }

    private Integration Installed(params string[] thumbprints)
    {
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var app = _gh.AddApp(installed: true);
        return GitHubAppIntegration.Add(
            store,
            _gh.Host,
            "acme",
            "app-" + app.Id,
            _gh.Registration(app),
            new CertificateTrust(false, thumbprints)
        );
    }

    [Fact]
    public void UntrustedCertificateIsCertificateInvalidNotANetworkProblem()
    {
        _gh.Host.WebUrl.Scheme.Should().Be("https");
        var i = Installed();
        var r = GitHubAppCheck.Verify(i, TimeSpan.FromSeconds(30), default);
        r.Reason.Should().Be(ConnectionFailure.CertificateInvalid, r.Message);
        r.Message.Should()
            .Contain("subject 'CN=github.acme.internal'")
            .And.Contain("issued by 'CN=Acme Issuing CA'")
            .And.Contain(CertificateTrust.Sha256(_server));
        r.Remedy.Should()
            .Be(
                $"Install the CA certificate of {_gh.Host.WebUrl.Host} in this machine's trust store; or, once the "
                    + "server's administrator confirms the thumbprint, trust it: Set-GitIntegration -Name "
                    + $"'{i.Name}' -TrustedCertificateThumbprint (Read-Host -Prompt 'SHA-256 thumbprint')"
            );
    }

    [Fact]
    public async Task TheClientDoesNotRetryACertificateAndSaysHowToTrustIt()
    {
        var patient = new GitHubHttpOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromSeconds(30) };
        using var http = new GitHubHttp(_gh.Host, patient);
        var call = () => http.SendAsync(HttpMethod.Get, "app", null, null, default);
        (await call.Should().ThrowAsync<GitIntegrationException>())
            .Which.ErrorId.Should()
            .Be(CertificateTrust.CertificateInvalid);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TrustedServerOrCaThumbprintConnects(bool trustTheCa)
    {
        var trusted = trustTheCa ? CertificateTrust.Sha256(_ca) : _server.Thumbprint;
        var i = Installed(trusted);
        i.Properties[CertificateTrust.ThumbprintProperty].Should().Be(trusted.ToUpperInvariant());
        var r = GitHubAppCheck.Verify(i, TimeSpan.FromSeconds(30), default);
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.Authenticated.Should().BeTrue();
    }

    [Fact]
    public async Task RemovingTheIntegrationUninstallsTheAppThroughTheCertificateTrustStoredWithIt()
    {
        var store = IntegrationStore.Open(_dir["store.yaml"]);
        var app = _gh.AddApp(installed: true);
        var trust = new CertificateTrust(false, new[] { CertificateTrust.Sha256(_ca) });
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "app", _gh.Registration(app), trust);
        using (var http = new GitHubHttp(_gh.Host, new GitHubHttpOptions { Trust = trust }))
        {
            var client = new GitHubAppClient(http, GitHubAppIntegration.RequireCredentials(i));
            var installation = await client.FindOrganizationInstallationAsync("acme", default);
            i = GitHubAppIntegration.RecordInstallation(store, i.Id, installation!);
        }

        // As Remove-GitIntegration does it: no connection given, the integration's own host and trust are used.
        var outcome = await IntegrationRemoval.RemoveAsync(store, i, keepInstallation: false, http: null, default);
        outcome.Uninstalled.Should().BeTrue();
        app.InstallationId.Should().BeNull("the app was uninstalled on the server");
        outcome.Removed!.Id.Should().Be(i.Id);
        store.Load().Integrations.Should().BeEmpty();
    }
}
