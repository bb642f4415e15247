using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>Bitbucket Data Center's repository, project and user keys, against the stand-in playing its documented
/// schemas.</summary>
public sealed class BitbucketDataCenterKeyPublishingTests : HostKeyPublishingTests
{
    protected override string Mode => "bitbucket-dc";
    protected override KeyHostType Type => KeyHostType.BitbucketDataCenter;
    protected override string[] Repositories => new[] { "OPS/tools", "OPS/deploy" };

    protected override string CloneUrl(string path) => $"ssh://git@bitbucket.example.com:7999/{path}.git";

    protected override string AddRepositoryKeyRequest(string path) =>
        $"POST /rest/keys/1.0/projects/{path.Split('/')[0]}/repos/{path.Split('/')[1]}/ssh ";

    protected override string MissingPermission => "Repository admin";

    [Fact]
    public async Task A_repository_key_is_REPO_READ_and_allow_write_makes_it_REPO_WRITE()
    {
        var c = Connection();
        await Publish(Target(c, "OPS/tools"), Options(NewKey()));
        await Publish(Target(c, "OPS/deploy"), new KeyPublishOptions(NewKey()) { AllowWrite = true });
        Stand
            .Requests.Should()
            .Contain(x =>
                x.StartsWith(AddRepositoryKeyRequest("OPS/tools")) && x.Contains("\"permission\":\"REPO_READ\"")
            );
        Stand
            .Requests.Should()
            .Contain(x =>
                x.StartsWith(AddRepositoryKeyRequest("OPS/deploy")) && x.Contains("\"permission\":\"REPO_WRITE\"")
            );
    }

    [Fact]
    public async Task A_project_key_serves_the_project_with_PROJECT_READ()
    {
        var key = NewKey();
        var r = await Publish(Target(Connection(), "OPS/tools", KeyTargetKind.Project), Options(key));
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        Stand.Keys.Single().Target.Should().Be("project:OPS");
        Stand
            .Requests.Should()
            .Contain(x =>
                x.StartsWith("POST /rest/keys/1.0/projects/OPS/ssh ") && x.Contains("\"permission\":\"PROJECT_READ\"")
            );
        File.ReadAllLines(AuthorizedKeys).Should().Equal(Line(key));
    }

    [Fact]
    public async Task An_https_clone_url_finds_the_rest_root_under_its_context_path()
    {
        // Under a context path the URL does not say it is Bitbucket's: the type is given, the address is found.
        var url = GitUrl.Parse("https://bitbucket.example.com/bitbucket/scm/OPS/tools.git");
        KeyHosts
            .Resolve(url, KeyHostType.BitbucketDataCenter)
            .Should()
            .Be(
                new HostEndpoint(
                    KeyHostType.BitbucketDataCenter,
                    new Uri("https://bitbucket.example.com/bitbucket/rest/")
                )
            );
        var r = await Publish(
            new KeyPublication(
                new KeyTarget(
                    KeyTargetKind.Repository,
                    GitUrl.Parse("https://bitbucket.example.com/scm/OPS/tools.git")
                ),
                Connection()
            ),
            Options(NewKey())
        );
        r[0].Error.Should().BeNull();
        Stand.Requests.Should().Contain(x => x.StartsWith(AddRepositoryKeyRequest("OPS/tools")));
    }

    [Fact]
    public async Task A_rate_limit_beyond_the_wait_is_KeyHostRateLimited() =>
        await A_rate_limit_beyond_the_wait_is_a_typed_error();

    [Fact]
    public async Task A_short_rate_limit_is_waited_out()
    {
        Stand.Behaviour = new StandInBehaviour { RateLimitOnce = { "OPS/deploy" } };
        var r = await Publish(Target(Connection(), "OPS/deploy"), Options(NewKey()));
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
    }
}
