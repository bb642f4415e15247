using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Hosts;
using Xunit;

namespace GitIntegration.Core.Tests.Hosts;

/// <summary>Which host's key API a repository URL leads to, in every form GitUrl parses.</summary>
public sealed class KeyHostsTests
{
    [Theory]
    [InlineData("git@github.com:acme/app.git")]
    [InlineData("ssh://git@github.com/acme/app.git")]
    [InlineData("ssh://git@ssh.github.com:443/acme/app.git")]
    [InlineData("https://github.com/acme/app.git")]
    [InlineData("https://user@github.com/acme/app")]
    public void GitHub_com_in_any_form_is_api_github_com(string url)
    {
        var e = KeyHosts.Resolve(GitUrl.Parse(url));
        e.Type.Should().Be(KeyHostType.GitHub);
        e.ApiUrl.Should().Be(GitHubHost.GitHubComEndpoint.ApiUrl);
        new KeyTarget(KeyTargetKind.Repository, GitUrl.Parse(url)).RepositoryPath.Should().Be("acme/app");
    }

    [Theory]
    [InlineData("git@github.example.com:ops/tools.git", "https://github.example.com/api/v3/")]
    [InlineData("ssh://git@github.example.com:2222/ops/tools.git", "https://github.example.com/api/v3/")]
    [InlineData("https://github.example.com/ops/tools.git", "https://github.example.com/api/v3/")]
    [InlineData("https://github.example.com:8443/ops/tools.git", "https://github.example.com:8443/api/v3/")]
    public void A_server_named_github_is_GitHub_Enterprise_Server_at_api_v3(string url, string api)
    {
        var e = KeyHosts.Resolve(GitUrl.Parse(url));
        e.Type.Should().Be(KeyHostType.GitHubEnterprise);
        e.ApiUrl.Should().Be(new Uri(api));
    }

    [Fact]
    public void A_self_managed_server_is_named_by_type_and_api_url()
    {
        var e = KeyHosts.Resolve(
            GitUrl.Parse("ssh://git@10.0.0.5:2222/ops/tools.git"),
            KeyHostType.GitHubEnterprise,
            new Uri("https://git.corp.example/api/v3")
        );
        e.Type.Should().Be(KeyHostType.GitHubEnterprise);
        e.ApiUrl.Should().Be(new Uri("https://git.corp.example/api/v3/"));
    }

    [Fact]
    public void An_unknown_server_says_how_to_name_its_host()
    {
        var act = () => KeyHosts.Resolve(GitUrl.Parse("git@git.corp.example:ops/tools.git"));
        var e = act.Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(HostErrorIds.HostNotRecognized);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Message.Should()
            .Contain("git@git.corp.example:ops/tools.git")
            .And.Contain("-HostType")
            .And.Contain("-ApiUrl");
    }

    [Theory]
    [InlineData("git@ssh.dev.azure.com:v3/contoso/web/site")]
    [InlineData("https://dev.azure.com/contoso/web/_git/site")]
    public void Azure_DevOps_has_no_key_api_and_the_error_gives_the_page(string url)
    {
        var act = () => KeyHosts.Resolve(GitUrl.Parse(url));
        var e = act.Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(HostErrorIds.NoKeyApi);
        e.Message.Should().Contain("_usersSettings/keys");
    }

    [Theory]
    [InlineData("http://github.example.com/api/v3")]
    [InlineData("ftp://github.example.com/api/v3")]
    public void A_token_never_goes_to_an_api_url_without_tls(string api)
    {
        var act = () =>
            KeyHosts.Resolve(
                GitUrl.Parse("git@github.example.com:ops/tools.git"),
                KeyHostType.GitHubEnterprise,
                new Uri(api)
            );
        act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(HostErrorIds.ApiUrlInvalid);
    }

    [Fact]
    public void Http_is_allowed_on_loopback_only()
    {
        KeyHosts
            .Resolve(
                GitUrl.Parse("git@github.example.com:ops/tools.git"),
                KeyHostType.GitHubEnterprise,
                new Uri("http://127.0.0.1:8080/api/v3")
            )
            .ApiUrl.Port.Should()
            .Be(8080);
    }
}
