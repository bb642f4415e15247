using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>Install-GitHubApp's name for a new app, decided in Core against the store it will be written to.</summary>
public sealed class GitHubAppNameTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public GitHubAppNameTests() => _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WithoutANameTheAppIsJiraGitAndTheOrganization()
    {
        GitHubAppIntegration.NewName(_store.Load(), "acme", null).Should().Be("Jira Git acme");
    }

    [Fact]
    public void TheDefaultIsCutToGitHubs34Characters()
    {
        // GitHub logins run to 39 characters; "Jira Git " leaves 25 of them.
        var organization = "a-very-long-organization-login-of-39-ch";
        var name = GitHubAppIntegration.NewName(_store.Load(), organization, null);
        name.Should().Be("Jira Git a-very-long-organization-").And.HaveLength(GitHubAppIntegration.MaxNameLength);
        GitHubAppIntegration
            .NewName(_store.Load(), "org-of-25-characters-abcd", null)
            .Should()
            .HaveLength(34, "a default that fits exactly is kept whole")
            .And.EndWith("abcd");
    }

    [Fact]
    public void AGivenNameIsKeptAsGiven()
    {
        GitHubAppIntegration.NewName(_store.Load(), "acme", "Jira [eu]").Should().Be("Jira [eu]");
        var longest = new string('n', 34);
        GitHubAppIntegration.NewName(_store.Load(), "acme", longest).Should().Be(longest);
    }

    [Fact]
    public void ANameGitHubWouldRefuseIsRefusedBeforeGitHubIsAsked()
    {
        foreach (var name in new[] { new string('n', 35), "" })
        {
            var e = FluentActions
                .Invoking(() => GitHubAppIntegration.NewName(_store.Load(), "acme", name))
                .Should()
                .Throw<GitIntegrationException>()
                .Which;
            e.ErrorId.Should().Be(GitHubErrorIds.AppNameInvalid);
            e.Kind.Should().Be(ErrorKind.InvalidArgument);
            e.Message.Should().Contain("-Name");
        }
    }

    [Fact]
    public void ANameTheStoreHoldsInAnyCaseIsTaken()
    {
        _store.Update(d =>
        {
            d.Integrations.Add(new Integration { Name = "JIRA GIT ACME", Url = "git@example.com:a/b.git" });
            return 0;
        });
        foreach (var given in new[] { null, "jira git acme" })
        {
            var e = FluentActions
                .Invoking(() => GitHubAppIntegration.NewName(_store.Load(), "acme", given))
                .Should()
                .Throw<GitIntegrationException>()
                .Which;
            e.ErrorId.Should().Be(StoreErrorIds.IntegrationNameTaken);
            e.Message.Should().Contain("Choose another -Name");
        }
        GitHubAppIntegration.NewName(_store.Load(), "acme", "Jira Git acme 2").Should().Be("Jira Git acme 2");
        GitHubAppIntegration.NewName(_store.Load(), "globex", null).Should().Be("Jira Git globex");
    }
}
