using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// What a git host answers to <c>ssh -T</c>: its exact text, the stream and exit status it uses, and what we must read
/// from it.
/// </summary>
public sealed record HostGreeting(
    string Id,
    string Text,
    int ExitCode,
    bool ToStandardOutput,
    string? Account,
    HostKind Host
)
{
    public override string ToString() => Id;

    /// <summary>
    /// The hosts' own texts: GitHub "Testing your SSH connection" (docs.github.com; stderr, exit 1); GitLab "Verify
    /// that you can connect" (docs.gitlab.com, gitlab-shell's discover command: stdout, exit 0, "Anonymous" for a
    /// deploy key); Bitbucket Cloud "Test Bitbucket Cloud service credentials" (support.atlassian.com: exit 0) and its
    /// earlier "logged in as" form; Gerrit's NoShell.java (CRLF on stderr, exit 127); gitolite's info command. Names
    /// carry dots, dashes, at signs and spaces on purpose.
    /// </summary>
    public static readonly HostGreeting[] All =
    {
        new(
            "github",
            "Hi octo-cat! You've successfully authenticated, but GitHub does not provide shell access.\n",
            1,
            false,
            "octo-cat",
            HostKind.GitHubEnterprise
        ),
        new(
            "github-deploy-key",
            "Hi octo-org/web.app! You've successfully authenticated, but GitHub does not provide shell access.\n",
            1,
            false,
            "octo-org/web.app",
            HostKind.GitHubEnterprise
        ),
        new("gitlab", "Welcome to GitLab, @jane.doe-smith!\n", 0, true, "jane.doe-smith", HostKind.GitLabSelfManaged),
        new("gitlab-deploy-key", "Welcome to GitLab, Anonymous!\n", 0, true, null, HostKind.GitLabSelfManaged),
        new(
            "bitbucket",
            "authenticated via ssh key.\n\nYou can use git to connect to Bitbucket. Shell access is disabled.\n",
            0,
            false,
            null,
            HostKind.BitbucketCloud
        ),
        new(
            "bitbucket-logged-in",
            "logged in as paul.smith@vtsw.\n\nYou can use git or hg to connect to Bitbucket. Shell access is "
                + "disabled.\n",
            0,
            false,
            "paul.smith@vtsw",
            HostKind.BitbucketCloud
        ),
        new(
            "gerrit",
            "\r\n  ****    Welcome to Gerrit Code Review    ****\r\n\r\n  Hi Trent Mick, you have successfully "
                + "connected over SSH.\r\n\r\n  Unfortunately, interactive shells are disabled.\r\n  To clone a "
                + "hosted Git repository, use:\r\n\r\n  git clone "
                + "ssh://trent.mick@review.example.com:29418/REPOSITORY_NAME.git\r\n\r\n",
            127,
            false,
            "trent.mick",
            HostKind.Gerrit
        ),
        new(
            "gitolite",
            "hello first.last@example.com, this is gitolite@git.example.com running gitolite3 3.6.12-1 "
                + "(Debian) on git 2.39.5\n\n R W\tapp\n R  \tvendor/not-found\n",
            0,
            false,
            "first.last@example.com",
            HostKind.Gitolite
        ),
    };

    public static HostGreeting Get(string id) => All.Single(g => g.Id == id);
}

/// <summary>
/// One loopback sshd where each host's greeting sits behind its own key (forced command), plus a plain git-shell login.
/// </summary>
public sealed class GreetingServerFixture : IDisposable
{
    public SshGitServer Server { get; } = new(SshGitServer.GitUser, SshGitServer.GateUser);
    public TempDir Keys { get; } = new();
    public string PlainKey => Keys["plain"];
    public string Stranger => Keys["stranger"];

    public string KeyOf(string id) => Keys[id];

    public GreetingServerFixture()
    {
        var lines = new List<string>();
        foreach (var g in HostGreeting.All)
            lines.Add(Server.GateLine(NewKey(g.Id), g.Text, g.ExitCode, g.ToStandardOutput));
        Server.Authorize(SshGitServer.GateUser, lines.ToArray());
        Server.Authorize(SshGitServer.GitUser, NewKey("plain"));
        NewKey("stranger");
        Server.CreateRepository("app", owner: SshGitServer.GateUser);
    }

    private string NewKey(string name)
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", Keys[name]);
        return File.ReadAllText(Keys[name] + ".pub").Trim();
    }

    public GitAccess Access(TempDir dir, string key)
    {
        File.WriteAllText(dir["known_hosts"], Server.KnownHostsLine + "\n");
        return new GitAccess
        {
            KeyPath = key,
            KnownHostsPath = dir["known_hosts"],
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public void Dispose()
    {
        Server.Dispose();
        Keys.Dispose();
    }
}

public sealed class GreetingTests : IClassFixture<GreetingServerFixture>
{
    private readonly GreetingServerFixture _f;

    public GreetingTests(GreetingServerFixture f) => _f = f;

    public static TheoryData<string> Hosts => new(HostGreeting.All.Select(g => g.Id));

    private GitUrl GateUrl => GitUrl.Parse(_f.Server.Url("app", SshGitServer.GateUser));

    [Theory, MemberData(nameof(Hosts))]
    public void EveryHostsGreetingAuthenticatesNamesTheAccountAndTheProduct(string id)
    {
        var g = HostGreeting.Get(id);
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(GateUrl, _f.Access(dir, _f.KeyOf(id)));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message + " " + _f.Server.Log);
        r.Authenticated.Should().BeTrue();
        r.Account.Should().Be(g.Account);
        r.HostKind.Should().Be(g.Host, "127.0.0.1 is in no profile: the greeting tells which product answers");
        r.Message.Should().Contain(HostProfiles.Get(g.Host).DisplayName);
    }

    [Fact]
    public void PlainGitShellHasNoGreetingButTheKeyWasAccepted()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(GitUrl.Parse(_f.Server.Url("app")), _f.Access(dir, _f.PlainKey));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message + " " + _f.Server.Log);
        r.Authenticated.Should()
            .BeTrue("git-shell answers 'Interactive git shell is not enabled' only after the login");
        r.Account.Should().BeNull();
        r.HostKind.Should().Be(HostKind.Generic);
    }

    [Fact]
    public void KeyTheGateDoesNotKnowIsDeniedWithNoAccount()
    {
        using var dir = new TempDir();
        var r = GitConnection.TestSsh(GateUrl, _f.Access(dir, _f.Stranger));
        r.Reason.Should().Be(ConnectionFailure.PermissionDenied);
        r.Authenticated.Should().BeFalse();
        r.Account.Should().BeNull();
    }

    [Fact]
    public void GreetingQuotedInABannerBeforeTheLoginIsNoGreeting()
    {
        using var dir = new TempDir();
        File.WriteAllText(_f.Server.BannerPath, HostGreeting.Get("github").Text);
        try
        {
            var r = GitConnection.TestSsh(GateUrl, _f.Access(dir, _f.Stranger));
            r.Reason.Should().Be(ConnectionFailure.PermissionDenied, r.Message + " " + _f.Server.Log);
            r.Account.Should().BeNull();
            r.HostKind.Should().Be(HostKind.Generic);
        }
        finally
        {
            File.Delete(_f.Server.BannerPath);
        }
    }

    [Theory, InlineData("github"), InlineData("gerrit")]
    public void GitWorksThroughTheSameKeyBehindTheGreeting(string id)
    {
        using var dir = new TempDir();
        var r = GitConnection.ListRemote(GateUrl, _f.Access(dir, _f.KeyOf(id)));
        r.Reason.Should().Be(ConnectionFailure.None, r.Message + " " + _f.Server.Log);
        r.DefaultBranch.Should().Be("main");
        r.BranchCount.Should().Be(1);
    }
}

/// <summary>
/// The parser alone, over the variants a server can send: line ends, names, and texts that are not greetings.
/// </summary>
public sealed class GreetingParserTests
{
    public static TheoryData<string> Hosts => new(HostGreeting.All.Select(g => g.Id));

    [Theory, MemberData(nameof(Hosts))]
    public void EachGreetingReadsTheSameWithCrLfAndWithLf(string id)
    {
        var g = HostGreeting.Get(id);
        foreach (
            var text in new[]
            {
                g.Text,
                g.Text.Replace("\r\n", "\n"),
                g.Text.Replace("\r\n", "\n").Replace("\n", "\r\n"),
            }
        )
            GitConnection.ReadGreeting(text).Should().Be((g.Host, g.Account), text);
    }

    [Theory]
    [InlineData(
        "Hi a-b-c! You've successfully authenticated, but GitHub does not provide shell access.",
        HostKind.GitHubEnterprise,
        "a-b-c"
    )]
    [InlineData("Welcome to GitLab, @group_bot_1234!", HostKind.GitLabSelfManaged, "group_bot_1234")]
    [InlineData("logged in as tutorials.", HostKind.BitbucketCloud, "tutorials")]
    [InlineData(
        "PTY allocation request failed on channel 0\nlogged in as jo.doe.\r\nYou can use git or hg to connect "
            + "to Bitbucket. Shell access is disabled.",
        HostKind.BitbucketCloud,
        "jo.doe"
    )]
    [InlineData("You can use git to connect to Bitbucket. Shell access is disabled", HostKind.BitbucketCloud, null)]
    [InlineData(
        "You can use git or hg to connect to Bitbucket. Shell access is disabled.",
        HostKind.BitbucketCloud,
        null
    )]
    [InlineData(
        "hello alice, this is gitolite@host running gitolite3 v3.6.13 on git 2.43.0\n\n R W\ttesting",
        HostKind.Gitolite,
        "alice"
    )]
    [InlineData(
        "  Hi 方朋, you have successfully connected over SSH.\r\n\r\n  Unfortunately, interactive shells are "
            + "disabled.\r\n",
        HostKind.Gerrit,
        "方朋"
    )]
    public void NamesWithDotsDashesAndNoCloneLine(string text, HostKind host, string? account) =>
        GitConnection.ReadGreeting(text).Should().Be((host, account));

    [Theory]
    [InlineData(
        "fatal: Interactive git shell is not enabled.\nhint: ~/git-shell-commands should exist and have read "
            + "and execute access.\n"
    )]
    [InlineData("git@127.0.0.1: Permission denied (publickey).\n")]
    [InlineData("remote: Shell access is not supported.\nshell request failed on channel 0\n")]
    [InlineData("")]
    public void TextsThatAreNoGreeting(string text) => GitConnection.ReadGreeting(text).Should().BeNull();
}
