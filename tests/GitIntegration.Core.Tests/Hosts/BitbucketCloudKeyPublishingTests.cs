using FluentAssertions;
using GitIntegration.Core.Hosts;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>Bitbucket Cloud's access keys and user SSH keys, against the stand-in playing Atlassian's documented
/// API.</summary>
public sealed class BitbucketCloudKeyPublishingTests : HostKeyPublishingTests
{
    protected override string Mode => "bitbucket-cloud";
    protected override KeyHostType Type => KeyHostType.BitbucketCloud;
    protected override string[] Repositories => new[] { "acme/app", "acme/api" };

    protected override string CloneUrl(string path) => $"git@bitbucket.org:{path}.git";

    protected override string AddRepositoryKeyRequest(string path) => $"POST /2.0/repositories/{path}/deploy-keys ";

    protected override string MissingPermission => "'repository:admin' scope";

    [Fact]
    public async Task An_app_password_goes_as_basic_with_the_user_name()
    {
        var c = HostConnection.WithToken(
            new HostEndpoint(Type, Stand.ApiUrl),
            StandInHost.Token,
            Patient,
            userName: BitbucketCloudMode.UserName
        );
        var r = await Publish(Target(c, "acme/app"), Options(NewKey()));
        r[0].Error.Should().BeNull();
        r[0].Status.Should().Be(KeyPublishStatus.Added);
    }

    [Fact]
    public async Task An_access_key_that_pushes_is_refused_before_anything_is_sent()
    {
        var r = await Publish(Target(Connection(), "acme/app"), new KeyPublishOptions(NewKey()) { AllowWrite = true });
        r[0].Error!.ErrorId.Should().Be(HostErrorIds.TargetNotSupported);
        r[0].Error!.Message.Should().Contain("read-only").And.Contain("-UserKey");
        Stand.Requests.Should().NotContain(x => x.StartsWith("POST "));
    }

    [Fact]
    public async Task A_user_key_goes_to_the_tokens_account_found_with_GET_user()
    {
        var r = await Publish(Target(Connection(), "acme/app", KeyTargetKind.User), Options(NewKey()));
        r[0].Error.Should().BeNull();
        Stand.Requests.Should().Contain(x => x.StartsWith("GET /2.0/user"));
        Stand.Requests.Should().Contain(x => x.StartsWith($"POST /2.0/users/{BitbucketCloudMode.UserUuid}/ssh-keys "));
    }

    [Fact]
    public async Task A_rate_limit_beyond_the_wait_is_KeyHostRateLimited() =>
        await A_rate_limit_beyond_the_wait_is_a_typed_error();
}
