using System.Text;
using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// In-process smart-HTTP verification against nginx + git-http-backend over TLS on 127.0.0.1 (self-signed certificate
/// for IP 127.0.0.1), and a header-recording listener standing for other hosts.
/// </summary>
public sealed class SmartHttpTests : IClassFixture<HttpsFixture>
{
    private readonly HttpsFixture _f;

    public SmartHttpTests(HttpsFixture f) => _f = f;

    private static GitAccess Access(
        string? token = HttpsFixture.Token,
        bool skip = false,
        params string[] thumbprints
    ) =>
        new()
        {
            UserName = HttpsFixture.User,
            Token = token,
            SkipSslVerification = skip,
            TrustedCertificateThumbprints = thumbprints,
            Timeout = TimeSpan.FromSeconds(60),
        };

    private static GitConnectionResult List(string url, GitAccess access) =>
        GitConnection.ListRemote(GitUrl.Parse(url), access);

    /// <summary>The fingerprint as openssl prints it (AB:CD:...), which must be accepted as typed.</summary>
    private string Fingerprint(string digest) =>
        Tool.Ok("openssl", "x509", "-in", _f.Server.CertificatePath, "-noout", "-fingerprint", "-" + digest)
            .Trim()
            .Split('=')[1];

    [Fact]
    public void SelfSignedCertificateIsCertificateInvalidWithSubjectIssuerAndThumbprint()
    {
        var url = _f.Server.Url("web");
        var r = List(url, Access());
        r.Reason.Should().Be(ConnectionFailure.CertificateInvalid, r.Message);
        r.Message.Should()
            .Contain(url)
            .And.Contain("subject 'CN=127.0.0.1'")
            .And.Contain("issued by 'CN=127.0.0.1'")
            .And.Contain(Fingerprint("sha256").Replace(":", ""))
            .And.Contain("UntrustedRoot");
        r.Message.Should().NotContain("network");
        r.Remedy.Should().Contain("-TrustedCertificateThumbprint").And.Contain("-SkipCertificateCheck");
        r.ToException().ErrorId.Should().Be("CertificateInvalid");
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("sha1")]
    public void CertificateTrustedByThumbprintConnects(string digest)
    {
        var r = List(_f.Server.Url("web"), Access(thumbprints: Fingerprint(digest)));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.DefaultBranch.Should().Be("main");
        r.BranchCount.Should().Be(1);
    }

    [Fact]
    public void AnotherThumbprintDoesNotVouchForTheCertificate()
    {
        var r = List(_f.Server.Url("web"), Access(thumbprints: new string('A', 64)));
        r.Reason.Should().Be(ConnectionFailure.CertificateInvalid);
        r.Message.Should().Contain("Neither it nor a certificate of its chain has a trusted thumbprint");
    }

    [Fact]
    public void NameMismatchSaysWhichNameTheCertificateHas()
    {
        var url = $"https://localhost:{_f.Server.Port}/web.git";
        var r = List(url, Access());
        r.Reason.Should().Be(ConnectionFailure.CertificateInvalid, r.Message);
        r.Message.Should().Contain("not made out to the name 'localhost'").And.Contain("127.0.0.1");
        // The server's own certificate, pinned, is trusted under the name the admin uses.
        List(url, Access(thumbprints: Fingerprint("sha256"))).Reason.Should().Be(ConnectionFailure.None);
    }

    [Fact]
    public void SkipCertificateCheckConnects() =>
        List(_f.Server.Url("web"), Access(skip: true)).Reason.Should().Be(ConnectionFailure.None);

    [Fact]
    public void WrongOrMissingTokenIsAuthenticationFailedNamingTheRepository()
    {
        var url = _f.Server.Url("web");
        var wrong = List(url, Access("wrong-token", skip: true));
        wrong.Reason.Should().Be(ConnectionFailure.AuthenticationFailed);
        wrong
            .Message.Should()
            .Contain(url)
            .And.Contain("401")
            .And.Contain($"'{HttpsFixture.User}'")
            .And.NotContain("wrong-token");
        var none = List(url, Access(token: null, skip: true));
        none.Reason.Should().Be(ConnectionFailure.AuthenticationFailed);
        none.Remedy.Should().Contain("-Credential");
    }

    [Fact]
    public void MissingRepositoryIsRepositoryNotFoundWithBothPossibilities()
    {
        var url = _f.Server.Url("missing");
        var r = List(url, Access(skip: true));
        r.Reason.Should().Be(ConnectionFailure.RepositoryNotFound, r.Message);
        r.Message.Should().Contain(url).And.Contain("404").And.Contain("may not read it");
    }

    [Fact]
    public void TokenOverPlainHttpIsRefusedUnlessAllowed()
    {
        var url = GitUrl.Parse($"http://127.0.0.1:{_f.Server.HttpPort}/web.git");
        var refused = () => GitConnection.ListRemote(url, Access());
        refused
            .Should()
            .Throw<GitIntegrationException>()
            .Where(e =>
                e.ErrorId == SmartHttp.UnencryptedAuthenticationRefused
                && e.Message.Contains(url.ToString())
                && e.Message.Contains("-AllowUnencryptedAuthentication")
            );
        GitConnection
            .ListRemote(url, Access(token: null))
            .Reason.Should()
            .Be(ConnectionFailure.AuthenticationFailed, "no token, nothing to protect");
        var allowed = Access();
        allowed.AllowUnencryptedAuthentication = true;
        GitConnection.ListRemote(url, allowed).Reason.Should().Be(ConnectionFailure.None);
    }

    [Fact]
    public void RedirectOnTheSameServerKeepsTheToken()
    {
        var r = List($"https://127.0.0.1:{_f.Server.Port}/old/web.git", Access(skip: true));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.DefaultBranch.Should().Be("main");
    }

    [Fact]
    public void RedirectToAnotherPortDoesNotCarryTheToken()
    {
        var before = _f.Elsewhere.Requests.Count;
        var r = List($"https://127.0.0.1:{_f.Server.Port}/away/web.git", Access(skip: true));
        var received = _f.Elsewhere.Requests.Skip(before).ToList();
        received
            .Should()
            .ContainSingle()
            .Which.Should()
            .StartWith("GET /web.git/info/refs?service=git-upload-pack ")
            .And.NotContainEquivalentOf("Authorization");
        r.Reason.Should().Be(ConnectionFailure.AuthenticationFailed);
        r.Message.Should()
            .Contain($"after a redirect to {_f.Elsewhere.BaseUrl}/web.git/info/refs, where the token is not sent")
            .And.Contain("The server says: \"HTTP Basic: Access denied\"");
    }

    [Fact]
    public void TheRecorderSeesTheTokenWhenItIsTheRepositorysOwnHost()
    {
        // The other side of the test above: the recorder does record an Authorization header sent to it.
        using var own = new HeaderRecorder(401);
        var access = Access();
        access.AllowUnencryptedAuthentication = true;
        List(own.BaseUrl + "/web.git", access);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{HttpsFixture.User}:{HttpsFixture.Token}"));
        own.Requests.Should().ContainSingle().Which.Should().Contain("Authorization: Basic " + basic);
    }

    [Fact]
    public void WebPageWhereARepositoryWasExpectedIsNotAGitRepository()
    {
        using var page = new HeaderRecorder(200, "text/html", "<html>Sign in</html>");
        var r = List(page.BaseUrl + "/team/app.git", Access(token: null));
        r.Reason.Should().Be(ConnectionFailure.RepositoryNotFound);
        r.Message.Should().Contain("text/html").And.Contain("is this a git repository?");
    }

    [Fact]
    public void MalformedAdvertisementIsRefusedNotMisread()
    {
        using var bad = new HeaderRecorder(
            200,
            "application/x-git-upload-pack-advertisement",
            "001e# service=git-upload-pack\n0000zzzz"
        );
        var r = List(bad.BaseUrl + "/x.git", Access(token: null));
        r.Reason.Should().Be(ConnectionFailure.ConnectionFailed);
        r.Message.Should().Contain("malformed packet");
    }

    [Fact]
    public void HostErrorTextIsQuoted()
    {
        using var gitlab = new HeaderRecorder(
            403,
            "application/json",
            "{\"message\":\"You are not allowed to download code from this project.\"}"
        );
        var r = List(gitlab.BaseUrl + "/team/app.git", Access(token: null));
        r.Reason.Should().Be(ConnectionFailure.AuthenticationFailed);
        r.Message.Should().Contain("403").And.Contain("\"You are not allowed to download code from this project.\"");
    }

    [Fact]
    public void ConnectionRefusedNameResolutionAndTimeoutAreTheirOwnReasons()
    {
        var closed = Peer.FreePort();
        List($"https://127.0.0.1:{closed}/x.git", Access()).Reason.Should().Be(ConnectionFailure.ConnectionRefused);
        var dns = List("https://no-such-host.invalid/x.git", Access());
        dns.Reason.Should().Be(ConnectionFailure.NameResolution, dns.Message);
        dns.Message.Should().Contain("no-such-host.invalid");
        using var silent = new HeaderRecorder { Silent = true };
        var access = Access(token: null);
        access.Timeout = TimeSpan.FromSeconds(2);
        var slow = List(silent.BaseUrl + "/x.git", access);
        slow.Reason.Should().Be(ConnectionFailure.Timeout);
        slow.Message.Should().Contain(silent.BaseUrl + "/x.git");
    }

    [Fact]
    public void AStoredThumbprintThatIsNotOneNamesTheIntegrationAndTheRepair()
    {
        var i = new Integration { Name = "ops" };
        i.Properties[CertificateTrust.ThumbprintProperty] = "AB:CD";
        var read = () => CertificateTrust.For(i);
        read.Should()
            .Throw<GitIntegrationException>()
            .Where(e =>
                e.ErrorId == CertificateTrust.ThumbprintInvalid
                && e.Message.Contains("'ops'")
                && e.Message.Contains("Set-GitIntegration -Name 'ops'")
            );
    }
}
