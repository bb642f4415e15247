using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.HostStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>Gitea's (and Forgejo's) deploy keys and user keys, against the stand-in playing Gitea's swagger.</summary>
public sealed class GiteaKeyPublishingTests : HostKeyPublishingTests
{
    protected override string Mode => "gitea";
    protected override KeyHostType Type => KeyHostType.Gitea;
    protected override string[] Repositories => new[] { "acme/app", "acme/api" };

    protected override string CloneUrl(string path) => $"git@gitea.example.com:{path}.git";

    protected override string AddRepositoryKeyRequest(string path) => $"POST /api/v1/repos/{path}/keys ";

    protected override string MissingPermission => "'write:repository' scope";

    [Fact]
    public async Task Read_only_is_sent_as_Gitea_documents_it_and_allow_write_clears_it()
    {
        var c = Connection();
        await Publish(Target(c, "acme/app"), Options(NewKey()));
        await Publish(Target(c, "acme/api"), new KeyPublishOptions(NewKey()) { AllowWrite = true });
        Stand
            .Requests.Should()
            .Contain(x => x.StartsWith(AddRepositoryKeyRequest("acme/app")) && x.Contains("\"read_only\":true"));
        Stand
            .Requests.Should()
            .Contain(x => x.StartsWith(AddRepositoryKeyRequest("acme/api")) && x.Contains("\"read_only\":false"));
    }

    [Fact]
    public void A_Gitea_server_is_named_by_its_type_and_its_api_defaults_to_api_v1()
    {
        var url = GitUrl.Parse("git@git.example.com:acme/app.git");
        KeyHosts
            .Resolve(url, KeyHostType.Gitea)
            .Should()
            .Be(new HostEndpoint(KeyHostType.Gitea, new Uri("https://git.example.com/api/v1/")));
        var e = Assert.Throws<GitIntegrationException>(() => KeyHosts.Resolve(url));
        e.ErrorId.Should().Be(HostErrorIds.HostNotRecognized);
        e.Message.Should().Contain("-HostType");
    }
}
