using FluentAssertions;
using GitIntegration.Core.Hosts;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>GitLab's deploy keys and user keys, against the stand-in playing GitLab's documented API.</summary>
public sealed class GitLabKeyPublishingTests : HostKeyPublishingTests
{
    protected override string Mode => "gitlab";
    protected override KeyHostType Type => KeyHostType.GitLab;
    protected override string[] Repositories => new[] { "acme/tools/app", "acme/api" };

    protected override string CloneUrl(string path) => $"git@gitlab.example.com:{path}.git";

    protected override string AddRepositoryKeyRequest(string path) =>
        $"POST /api/v4/projects/{Uri.EscapeDataString(path)}/deploy_keys ";

    protected override string MissingPermission => "'api' scope";

    [Fact]
    public async Task The_project_is_named_by_its_encoded_path_and_allow_write_sets_can_push()
    {
        var r = await Publish(
            Target(Connection(), "acme/tools/app"),
            new Core.Hosts.KeyPublishOptions(NewKey()) { AllowWrite = true, Title = "ci push key" }
        );
        r[0].Error.Should().BeNull();
        r[0].ReadOnly.Should().BeFalse();
        Stand
            .Requests.Should()
            .Contain(x =>
                x.StartsWith("POST /api/v4/projects/acme%2Ftools%2Fapp/deploy_keys ")
                && x.Contains("\"can_push\":true")
                && x.Contains("\"title\":\"ci push key\"")
            );
        Stand.Keys.Single().ReadOnly.Should().BeFalse();
    }

    [Fact]
    public async Task A_deploy_key_another_project_has_is_joined_to_this_one()
    {
        var key = NewKey();
        var c = Connection();
        (await Publish(Target(c, "acme/tools/app"), Options(key)))[0].Status.Should().Be(KeyPublishStatus.Added);
        var second = await Publish(Target(c, "acme/api"), Options(key));
        second[0].Error.Should().BeNull();
        second[0].Status.Should().Be(KeyPublishStatus.Added);
        Stand.Keys.Select(k => k.Target).Should().BeEquivalentTo("repo:acme/tools/app", "repo:acme/api");
    }

    [Fact]
    public async Task A_private_token_header_is_accepted_as_GitLab_does()
    {
        // GitLab takes the token as PRIVATE-TOKEN or as Bearer; the module sends Bearer, which also fits OAuth tokens.
        var r = await Publish(Target(Connection(), "acme/api"), Options(NewKey()));
        r[0].Error.Should().BeNull();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Stand.ApiUrl, "user/keys"));
        request.Headers.Add("PRIVATE-TOKEN", StandInHost.Token);
        (await http.SendAsync(request)).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_rate_limit_beyond_the_wait_is_KeyHostRateLimited() =>
        await A_rate_limit_beyond_the_wait_is_a_typed_error();

    [Fact]
    public async Task A_short_rate_limit_is_waited_out()
    {
        Stand.Behaviour = new StandInBehaviour { RateLimitOnce = { "acme/api" } };
        var r = await Publish(Target(Connection(), "acme/api"), Options(NewKey()));
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
        Stand.Requests.Count(x => x.StartsWith("GET /api/v4/projects/acme%2Fapi/deploy_keys")).Should().Be(2);
    }
}
