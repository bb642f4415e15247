using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

public sealed class GitUrlTests
{
    [Theory]
    // form, transport, user, host, port, path, profile
    [InlineData(
        "git@github.com:org/repo.git",
        GitTransport.Ssh,
        "git",
        "github.com",
        22,
        "org/repo.git",
        HostKind.GitHub
    )]
    [InlineData(
        "ssh://git@ssh.github.com:443/org/repo.git",
        GitTransport.Ssh,
        "git",
        "ssh.github.com",
        443,
        "/org/repo.git",
        HostKind.GitHub
    )]
    [InlineData(
        "https://github.com/org/repo",
        GitTransport.Https,
        null,
        "github.com",
        443,
        "/org/repo",
        HostKind.GitHub
    )]
    [InlineData(
        "https://user:secret@bitbucket.org/team/repo.git",
        GitTransport.Https,
        "user",
        "bitbucket.org",
        443,
        "/team/repo.git",
        HostKind.BitbucketCloud
    )]
    [InlineData(
        "ssh://git@altssh.bitbucket.org:443/team/repo.git",
        GitTransport.Ssh,
        "git",
        "altssh.bitbucket.org",
        443,
        "/team/repo.git",
        HostKind.BitbucketCloud
    )]
    [InlineData(
        "git@gitlab.com:group/sub/repo.git",
        GitTransport.Ssh,
        "git",
        "gitlab.com",
        22,
        "group/sub/repo.git",
        HostKind.GitLab
    )]
    [InlineData(
        "git@ssh.dev.azure.com:v3/org/project/repo",
        GitTransport.Ssh,
        "git",
        "ssh.dev.azure.com",
        22,
        "v3/org/project/repo",
        HostKind.AzureDevOps
    )]
    [InlineData(
        "https://org@dev.azure.com/org/project/_git/repo",
        GitTransport.Https,
        "org",
        "dev.azure.com",
        443,
        "/org/project/_git/repo",
        HostKind.AzureDevOps
    )]
    [InlineData(
        "ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/MyDemoRepo",
        GitTransport.Ssh,
        "APKAEIBAERJR2EXAMPLE",
        "git-codecommit.us-east-2.amazonaws.com",
        22,
        "/v1/repos/MyDemoRepo",
        HostKind.AwsCodeCommit
    )]
    [InlineData(
        "ssh://jdoe@review.example.com:29418/project",
        GitTransport.Ssh,
        "jdoe",
        "review.example.com",
        29418,
        "/project",
        HostKind.Gerrit
    )]
    [InlineData(
        "https://gitblit.example.com/r/team/repo.git",
        GitTransport.Https,
        null,
        "gitblit.example.com",
        443,
        "/r/team/repo.git",
        HostKind.GitBlit
    )]
    [InlineData(
        "ssh://git@bitbucket.example.com:7999/proj/repo.git",
        GitTransport.Ssh,
        "git",
        "bitbucket.example.com",
        7999,
        "/proj/repo.git",
        HostKind.BitbucketServer
    )]
    [InlineData(
        "https://bitbucket.example.com/scm/proj/repo.git",
        GitTransport.Https,
        null,
        "bitbucket.example.com",
        443,
        "/scm/proj/repo.git",
        HostKind.BitbucketServer
    )]
    [InlineData(
        "git@acme.beanstalkapp.com:/acme/site.git",
        GitTransport.Ssh,
        "git",
        "acme.beanstalkapp.com",
        22,
        "/acme/site.git",
        HostKind.Beanstalk
    )]
    [InlineData(
        "ssh://git@[::1]:2222/srv/repo.git",
        GitTransport.Ssh,
        "git",
        "[::1]",
        2222,
        "/srv/repo.git",
        HostKind.Generic
    )]
    [InlineData(
        "  'git@host.example:repo.git'  ",
        GitTransport.Ssh,
        "git",
        "host.example",
        22,
        "repo.git",
        HostKind.Generic
    )]
    public void ParsesEveryFormTheHostsUse(
        string text,
        GitTransport transport,
        string? user,
        string host,
        int port,
        string path,
        HostKind kind
    )
    {
        var u = GitUrl.Parse(text);
        u.Transport.Should().Be(transport);
        u.User.Should().Be(user);
        u.Host.Should().Be(host);
        u.EffectivePort.Should().Be(port);
        u.Path.Should().Be(path);
        HostProfiles.For(u).Kind.Should().Be(kind);
        u.ToString().Should().NotContain("secret", "a password in a URL is never kept");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a url")]
    [InlineData("C:\\repos\\x")]
    [InlineData("https://")]
    [InlineData("ssh://git@host:99999/x")]
    public void RejectsWhatIsNotAGitUrl(string text)
    {
        var act = () => GitUrl.Parse(text);
        act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(GitErrorIds.UrlNotRecognized);
    }

    [Theory]
    [InlineData("https://github.com/org/repo", "git@github.com:org/repo.git")]
    [InlineData("https://github.com/org/repo.git", "git@github.com:org/repo.git")]
    [InlineData("https://jdoe@bitbucket.org/team/repo.git", "git@bitbucket.org:team/repo.git")]
    [InlineData("https://gitlab.com/group/sub/repo.git", "git@gitlab.com:group/sub/repo.git")]
    [InlineData("https://dev.azure.com/org/project/_git/repo", "git@ssh.dev.azure.com:v3/org/project/repo")]
    [InlineData("https://org@dev.azure.com/org/project/_git/repo", "git@ssh.dev.azure.com:v3/org/project/repo")]
    [InlineData(
        "https://org.visualstudio.com/DefaultCollection/project/_git/repo",
        "git@ssh.dev.azure.com:v3/org/project/repo"
    )]
    [InlineData(
        "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo",
        "ssh://git-codecommit.eu-west-1.amazonaws.com/v1/repos/demo"
    )]
    [InlineData(
        "https://bitbucket.example.com/scm/proj/repo.git",
        "ssh://git@bitbucket.example.com:7999/proj/repo.git"
    )]
    [InlineData("https://gitblit.example.com/r/team/repo.git", "ssh://gitblit.example.com:29418/team/repo.git")]
    [InlineData("https://acme.git.beanstalkapp.com/site.git", "git@acme.beanstalkapp.com:/acme/site.git")]
    [InlineData(
        "https://tfs.example.com/tfs/DefaultCollection/Proj/_git/Repo",
        "ssh://tfs.example.com:22/tfs/DefaultCollection/Proj/_ssh/Repo"
    )]
    [InlineData("git@github.com:org/repo.git", "git@github.com:org/repo.git")]
    public void ConvertsHttpsToSsh(string https, string ssh) =>
        GitUrlConverter.ToSsh(GitUrl.Parse(https)).ToString().Should().Be(ssh);

    [Fact]
    public void ConvertsToSshWithTheLoginAndPortGiven()
    {
        GitUrlConverter
            .ToSsh(
                GitUrl.Parse("https://git-codecommit.us-east-2.amazonaws.com/v1/repos/demo"),
                user: "APKAEIBAERJR2EXAMPLE"
            )
            .ToString()
            .Should()
            .Be("ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/demo");
        GitUrlConverter
            .ToSsh(GitUrl.Parse("https://review.example.com/a/tools/build"), user: "jdoe", kind: HostKind.Gerrit)
            .ToString()
            .Should()
            .Be("ssh://jdoe@review.example.com:29418/tools/build");
        GitUrlConverter
            .ToSsh(GitUrl.Parse("https://git.example.com/org/repo"), port: 2222)
            .ToString()
            .Should()
            .Be("ssh://git@git.example.com:2222/org/repo.git");
    }

    [Theory]
    [InlineData("git@github.com:org/repo.git", "https://github.com/org/repo.git")]
    [InlineData("ssh://git@ssh.github.com:443/org/repo.git", "https://github.com/org/repo.git")]
    [InlineData("ssh://git@altssh.bitbucket.org:443/team/repo.git", "https://bitbucket.org/team/repo.git")]
    [InlineData("git@ssh.dev.azure.com:v3/org/project/repo", "https://dev.azure.com/org/project/_git/repo")]
    [InlineData(
        "ssh://KEY@git-codecommit.us-east-2.amazonaws.com/v1/repos/demo",
        "https://git-codecommit.us-east-2.amazonaws.com/v1/repos/demo"
    )]
    [InlineData(
        "ssh://git@bitbucket.example.com:7999/proj/repo.git",
        "https://bitbucket.example.com/scm/proj/repo.git"
    )]
    [InlineData("ssh://jdoe@review.example.com:29418/tools/build", "https://review.example.com/tools/build")]
    [InlineData("git@acme.beanstalkapp.com:/acme/site.git", "https://acme.git.beanstalkapp.com/site.git")]
    [InlineData("https://user:pw@github.com/org/repo.git", "https://github.com/org/repo.git")]
    public void ConvertsSshToHttps(string ssh, string https) =>
        GitUrlConverter.ToHttps(GitUrl.Parse(ssh)).ToString().Should().Be(https);

    [Theory]
    [InlineData("git@github.com:org/repo.git", "ssh://git@ssh.github.com:443/org/repo.git")]
    [InlineData("https://bitbucket.org/team/repo.git", "ssh://git@altssh.bitbucket.org:443/team/repo.git")]
    [InlineData("git@gitlab.com:g/r.git", "ssh://git@altssh.gitlab.com:443/g/r.git")]
    public void OffersThePort443Alternative(string url, string alt) =>
        GitUrlConverter.ToPort443(GitUrl.Parse(url))!.ToString().Should().Be(alt);

    [Fact]
    public void HasNoPort443AlternativeWhereTheHostHasNone() =>
        GitUrlConverter.ToPort443(GitUrl.Parse("git@ssh.dev.azure.com:v3/o/p/r")).Should().BeNull();

    [Fact]
    public void AzureDevOpsUrlsThatAreNotRepositoriesAreRefusedClearly()
    {
        var act = () => GitUrlConverter.ToSsh(GitUrl.Parse("https://dev.azure.com/org/project"));
        act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(GitErrorIds.UrlNotConvertible);
    }

    [Fact]
    public void HttpsToSshToHttpsIsTheIdentityOnAGenericHost()
    {
        var segment = Gen.Elements("a", "repo", "my-org", "x_y", "v1", "Team.Name")
            .ListOf()
            .Where(l => l.Count is > 0 and < 5);
        Prop.ForAll(
                segment.ToArbitrary(),
                parts =>
                {
                    var https = GitUrl.Parse($"https://git.example.com/{string.Join('/', parts)}.git");
                    var ssh = GitUrlConverter.ToSsh(https);
                    GitUrl.Parse(ssh.ToString()).Should().Be(ssh);
                    GitUrlConverter.ToHttps(ssh).Should().Be(https);
                }
            )
            .QuickCheckThrowOnFailure();
    }
}

public sealed class HostProfileTests
{
    [Fact]
    public void EveryKindHasOneProfileWithSourcesAndAPlaceToAddTheKey()
    {
        foreach (var kind in Enum.GetValues<HostKind>())
        {
            var p = HostProfiles.All.Should().ContainSingle(x => x.Kind == kind).Subject;
            p.Sources.Should()
                .NotBeEmpty()
                .And.OnlyContain(s => s.StartsWith("http"), $"{kind}: every value has its documentation");
            p.AddKeyPage.Should().NotBeNullOrWhiteSpace();
            p.KeyTypes.Should().NotBeEmpty();
            p.SshPort.Should().BeInRange(1, 65535);
        }
        HostProfiles.Get(HostKind.AzureDevOps).KeyTypes.Should().Equal(KeyAlgorithm.Rsa);
        HostProfiles.Get(HostKind.AzureDevOpsServer).KeyTypes.Should().Equal(KeyAlgorithm.Rsa);
    }

    [Theory]
    [InlineData(HostKind.GitHub, 3)]
    [InlineData(HostKind.GitLab, 3)]
    [InlineData(HostKind.BitbucketCloud, 3)]
    [InlineData(HostKind.AzureDevOps, 1)]
    public void PublicServicesCarryTheirPublishedHostKeys(HostKind kind, int count)
    {
        var p = HostProfiles.Get(kind);
        p.HostKeys.Should()
            .HaveCount(count)
            .And.OnlyContain(k => k.Fingerprint.StartsWith("SHA256:") && k.Fingerprint.Length == 50);
        p.HostKeys.Select(k => k.Type).Should().OnlyHaveUniqueItems();
        p.HostNames.Should().NotBeEmpty();
    }

    /// <summary>
    /// Host keys the services publish as known_hosts lines (GitHub's fingerprints page, bitbucket.org/site/ssh,
    /// GitLab's docs): their fingerprints, computed here and by ssh-keygen, must be the ones in the table — a typo
    /// cannot hide.
    /// </summary>
    [Theory]
    [InlineData("github.com", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")]
    [InlineData(
        "github.com",
        "ecdsa-sha2-nistp256 "
            + "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6"
            + "CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg="
    )]
    [InlineData(
        "github.com",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhG"
            + "eYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/"
            + "hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7"
            + "Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDY"
            + "irYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/"
            + "YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk="
    )]
    [InlineData(
        "bitbucket.org",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQDQeJzhupRu0u0cdegZIa8e86EG2qOCsIsD1Xw0xSeiPDlCr7kq97NLmMbpKTX6Es"
            + "c30NuoqEEHCuc7yWtwp8dI76EEEB1VqY9QJq6vk+aySyboD5QF61I/"
            + "1WeTwu+deCbgKMGbUijeXhtfbxSxm6JwGrXrhBdofTsbKRUsrN1WoNgUa8uqN1Vx6WAJw1JHPhglEGGHea6QICwJOAr/6mrui/"
            + "oB7pkaWKHj3z7d1IC4KWLtY47elvjbaTlkN04Kc/5LFEirorGYVbt15kAUlqGM65pk6ZBxtaO3+30LVlORZkxOh+LKL/BvbZ/"
            + "iRNhItLqNyieoQj/uh/7Iv4uyH/cV/0b4WDSd3DptigWq84lJubb9t/"
            + "DnZlrJazxyDCulTmKdOR7vs9gMTo+uoIrPSb8ScTtvw65+odKAlBj59dhnVp9zd7QUojOpXlL62Aw56U4oO+FALuevvMjiWeavKhJq"
            + "lR7i5n9srYcrNV7ttmDw7kf/97P5zauIhxcjX+xHv4M="
    )]
    [InlineData(
        "bitbucket.org",
        "ecdsa-sha2-nistp256 "
            + "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPIQmuzMBuKdWeF4+a2sjSSpBK0iqitSQ+5BM9KhpexuGt20Jp"
            + "TVM7u5BDZngncgrqDMbWdxMWWOGtZ9UgbqgZE="
    )]
    [InlineData("bitbucket.org", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIazEu89wgQZ4bqs3d63QSMzYVa0MuJ2e2gKTKqu+UUO")]
    [InlineData("gitlab.com", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAfuCHKVTjquxvt6CM6tdG4SLp1Btn/nOeHHE5UOzRdf")]
    [InlineData(
        "gitlab.com",
        "ecdsa-sha2-nistp256 "
            + "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBFSMqzJeV9rUzU4kWitGjeR4PWSa29SPqJ1fVkhtj3Hw9xjLVX"
            + "VYrU9QlYWrOLXBpQ6KWjbjTDTdDkoohFzgbEY="
    )]
    public void PublishedKeysHaveThePublishedFingerprints(string host, string line)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["k.pub"], line + "\n");
        var byKeygen = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", dir["k.pub"]).Split(' ')[1];
        var type = line.Split(' ')[0];
        var key = GitHostKey.From(host, 22, type, line.Split(' ')[1]);
        key.Fingerprint.Should().Be(byKeygen);
        key.MatchesPublished.Should().BeTrue();
        HostProfiles.PublishedKeys(host).Should().Contain(k => k.Type == type && k.Fingerprint == byKeygen);
    }
}
