using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>Which host's API a clone URL is published through, and Azure DevOps, which has none.</summary>
public sealed class KeyHostRecognitionTests
{
    [Theory]
    [InlineData("git@gitlab.com:acme/tools/app.git", KeyHostType.GitLab, "https://gitlab.com/api/v4/")]
    [InlineData("https://gitlab.com/acme/app.git", KeyHostType.GitLab, "https://gitlab.com/api/v4/")]
    [InlineData("ssh://git@altssh.gitlab.com:443/acme/app.git", KeyHostType.GitLab, "https://gitlab.com/api/v4/")]
    [InlineData("git@gitlab.example.com:acme/app.git", KeyHostType.GitLab, "https://gitlab.example.com/api/v4/")]
    [InlineData("git@bitbucket.org:acme/app.git", KeyHostType.BitbucketCloud, "https://api.bitbucket.org/2.0/")]
    [InlineData(
        "https://someone@bitbucket.org/acme/app.git",
        KeyHostType.BitbucketCloud,
        "https://api.bitbucket.org/2.0/"
    )]
    [InlineData(
        "ssh://git@bb.example.com:7999/OPS/tools.git",
        KeyHostType.BitbucketDataCenter,
        "https://bb.example.com/rest/"
    )]
    [InlineData(
        "https://bb.example.com:8443/scm/OPS/tools.git",
        KeyHostType.BitbucketDataCenter,
        "https://bb.example.com:8443/rest/"
    )]
    public void A_clone_url_finds_its_hosts_api(string url, KeyHostType type, string api) =>
        KeyHosts.Resolve(GitUrl.Parse(url)).Should().Be(new HostEndpoint(type, new Uri(api)));

    [Fact]
    public void A_self_managed_server_on_any_name_is_reached_through_its_type_and_api_url()
    {
        var url = GitUrl.Parse("git@code.example.com:acme/app.git");
        KeyHosts
            .Resolve(url, KeyHostType.GitLab, new Uri("https://code.example.com/gitlab/api/v4"))
            .Should()
            .Be(new HostEndpoint(KeyHostType.GitLab, new Uri("https://code.example.com/gitlab/api/v4/")));
        KeyHosts
            .Resolve(url, KeyHostType.BitbucketDataCenter)
            .ApiUrl.Should()
            .Be(new Uri("https://code.example.com/rest/"));
    }

    [Theory]
    [InlineData("git@ssh.dev.azure.com:v3/contoso/Fabrikam/app", "contoso")]
    [InlineData("https://contoso@dev.azure.com/contoso/Fabrikam/_git/app", "contoso")]
    [InlineData("https://contoso.visualstudio.com/Fabrikam/_git/app", "contoso")]
    [InlineData("contoso@vs-ssh.visualstudio.com:v3/contoso/Fabrikam/app", "contoso")]
    public void Azure_DevOps_has_no_key_api_and_the_error_names_the_page_of_the_organization(string url, string org)
    {
        var e = Assert.Throws<GitIntegrationException>(() => KeyHosts.Resolve(GitUrl.Parse(url)));
        e.ErrorId.Should().Be(HostErrorIds.NoKeyApi);
        e.Kind.Should().Be(ErrorKind.NotImplemented);
        e.Message.Should().Contain($"https://dev.azure.com/{org}/_usersSettings/keys");
        e.Target.Should().Be(GitUrl.Parse(url).ToString());
    }
}
