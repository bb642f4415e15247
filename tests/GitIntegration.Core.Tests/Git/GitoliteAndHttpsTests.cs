using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

public sealed class GitoliteFixture : IDisposable
{
    public TempDir Keys { get; } = new();
    public GitoliteServer Server { get; }
    public string AliceKey => Keys["alice"];

    public GitoliteFixture()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", "alice", "-f", AliceKey);
        Server = new GitoliteServer(new Dictionary<string, string> { ["alice"] = File.ReadAllText(AliceKey + ".pub") });
    }

    public void Dispose()
    {
        Server.Dispose();
        Keys.Dispose();
    }
}

public sealed class GitoliteTests : IClassFixture<GitoliteFixture>
{
    private readonly GitoliteFixture _f;

    public GitoliteTests(GitoliteFixture f) => _f = f;

    private GitAccess Access(TempDir dir)
    {
        File.WriteAllText(dir["kh"], _f.Server.Ssh.KnownHostsLine + "\n");
        return new GitAccess
        {
            KeyPath = _f.AliceKey,
            KnownHostsPath = dir["kh"],
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    [Fact]
    public void GreetingGivesTheAccountName()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(GitUrl.Parse(_f.Server.Url("testing")), Access(dir));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message + _f.Server.Ssh.Log);
        r.Account.Should().Be("alice");
    }

    [Fact]
    public void ReadableRepositoryIsListed()
    {
        using var dir = new TempDir();
        var r = GitConnection.ListRemote(GitUrl.Parse(_f.Server.Url("testing")), Access(dir));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.BranchCount.Should().Be(0, "gitolite's new repositories are empty");
    }

    [Fact]
    public void RepositoryTheUserMayNotReadIsAccessDenied()
    {
        using var dir = new TempDir();
        var r = GitConnection.ListRemote(GitUrl.Parse(_f.Server.Url("secret")), Access(dir));
        r.Reason.Should().Be(ConnectionFailure.RepositoryAccessDenied, r.Message);
        r.Authenticated.Should().BeTrue();
        r.Remedy.Should().Contain("read access");
    }

    [Fact]
    public void OverOneSharedConnectionAForbiddenRepositoryIsStillItsOwnError()
    {
        using var dir = new TempDir();
        using var connections = new SshConnections();
        var access = Access(dir);
        access.Connections = connections;
        var logins = _f.Server.Ssh.SettledLog().Split('\n').Count(l => l.Contains("Accepted publickey"));
        var results = new[] { "testing", "secret", "testing", "secret" }
            .AsParallel()
            .AsOrdered()
            .Select(repo => GitConnection.ListRemote(GitUrl.Parse(_f.Server.Url(repo)), access))
            .ToList();
        results
            .Select(r => r.Reason)
            .Should()
            .Equal(
                ConnectionFailure.None,
                ConnectionFailure.RepositoryAccessDenied,
                ConnectionFailure.None,
                ConnectionFailure.RepositoryAccessDenied
            );
        connections.Logins.Should().Be(1);
        connections.Dispose();
        _f.Server.Ssh.SettledLog()
            .Split('\n')
            .Count(l => l.Contains("Accepted publickey"))
            .Should()
            .Be(logins + 1, "all four went over one connection");
    }
}

public sealed class HttpsFixture : IDisposable
{
    public const string User = "integration";
    public const string Token = "glpat-Zx9&token with spaces";

    /// <summary>Another host (another port) that /away/REPO on the server redirects to.</summary>
    public HeaderRecorder Elsewhere { get; } = new(401, "text/plain", "HTTP Basic: Access denied");
    public HttpsGitServer Server { get; }

    public HttpsFixture()
    {
        Server = new HttpsGitServer(User, Token, Elsewhere.BaseUrl);
        Server.CreateRepository("web", branch: "main");
    }

    public void Dispose()
    {
        Server.Dispose();
        Elsewhere.Dispose();
    }
}

public sealed class HttpsTests : IClassFixture<HttpsFixture>
{
    private readonly HttpsFixture _f;

    public HttpsTests(HttpsFixture f) => _f = f;

    private GitConnectionResult List(string token, bool skipSsl) =>
        GitConnection.ListRemote(
            GitUrl.Parse(_f.Server.Url("web")),
            new GitAccess
            {
                UserName = HttpsFixture.User,
                Token = token,
                SkipSslVerification = skipSsl,
                Timeout = TimeSpan.FromSeconds(20),
            }
        );

    [Fact]
    public void GoodTokenListsTheRepository()
    {
        var r = List(HttpsFixture.Token, skipSsl: true);
        r.Reason.Should().Be(ConnectionFailure.None, r.Message);
        r.DefaultBranch.Should().Be("main");
        r.BranchCount.Should().Be(1);
        r.Url.Should().NotContain("token");
    }

    [Fact]
    public void BadTokenIsAuthenticationFailed()
    {
        var r = List("wrong-token", skipSsl: true);
        r.Reason.Should().Be(ConnectionFailure.AuthenticationFailed, r.Message);
        r.Message.Should().NotContain("wrong-token");
    }

    [Fact]
    public void SelfSignedCertificateFailsWhenVerifiedAndWorksWhenVerificationIsOff()
    {
        List(HttpsFixture.Token, skipSsl: false).Reason.Should().Be(ConnectionFailure.CertificateInvalid);
        List(HttpsFixture.Token, skipSsl: true).Reason.Should().Be(ConnectionFailure.None);
    }
}
