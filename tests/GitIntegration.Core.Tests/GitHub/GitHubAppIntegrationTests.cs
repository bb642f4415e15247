using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// A GitHub App integration as the store keeps it: its key is changed only through GitHub, a record that lost its
/// app id or key file is explained rather than crashing, and names are refused with what to do next.
/// </summary>
public sealed class GitHubAppIntegrationTests : StandInStoreTests, IClassFixture<StandInFixture>
{
    public GitHubAppIntegrationTests(StandInFixture f)
        : base(f, TimeSpan.FromSeconds(30)) { }

    /// <summary>
    /// Set-GitIntegration -PrivateKeyPath on an app (github.com's or a server's): refused, nothing changed.
    /// </summary>
    [Theory]
    [InlineData(IntegrationType.GitHubApp)]
    [InlineData(IntegrationType.GitHubEnterpriseApp)]
    public void SetGitIntegration_DoesNotSwapAnAppsKey_AndGivesTheCommandThatChecksItWithGitHub(IntegrationType type)
    {
        var i = GitHubAppIntegration.Change(_store, Installing(_gh.AddApp()).Id, x => x.Type = type);
        var pem = _dir["new.pem"];
        File.WriteAllText(pem, _gh.AddKey(_gh.Apps[GitHubAppIntegration.Long(i, GitHubAppIntegration.AppId)!.Value]));
        var e = FluentActions
            .Invoking(() => new IntegrationChange { PrivateKeyPath = pem }.Apply(_store, i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((GitHubErrorIds.KeyChangeNeedsGitHub, ErrorKind.InvalidOperation, i.Name));
        e.Message.Should()
            .Be(
                $"'{i.Name}' is a GitHub App integration: its private key is replaced with Update-GitHubAppKey, "
                    + $"which checks the new key with GitHub first. Run: Update-GitHubAppKey -Name '{i.Name}' "
                    + "-PrivateKeyPath (Read-Host -Prompt 'The app''s new .pem file')"
            );
        _store.Load().Find(i.Id)!.PrivateKeyPath.Should().Be(i.PrivateKeyPath);
    }

    /// <summary>
    /// A record that lost its app id, or its key path, is an app GitHub never handed over: the commands that need the
    /// app say so, and Test-GitIntegration explains it, instead of failing on what is missing.
    /// </summary>
    [Theory]
    [InlineData(GitHubAppIntegration.AppId)]
    [InlineData("PrivateKeyPath")]
    public async Task AnAppWithoutItsIdOrKeyInTheStore_IsExplained_NotACrash(string lost)
    {
        var i = GitHubAppIntegration.Change(
            _store,
            Installing(_gh.AddApp()).Id,
            x =>
            {
                if (lost == "PrivateKeyPath")
                    x.PrivateKeyPath = null;
                else
                    x.Properties.Remove(lost);
            }
        );
        var e = FluentActions
            .Invoking(() => GitHubAppIntegration.RequireCredentials(i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target).Should().Be((GitHubErrorIds.NotInstalled, ErrorKind.InvalidOperation, i.Name));
        e.Message.Should()
            .Be(
                $"The integration '{i.Name}' has no GitHub App yet: its creation never finished. Test-GitIntegration "
                    + "explains its state; Remove-GitIntegration removes it."
            );
        var r = await GitHubAppCheck.VerifyAsync(_http, i, TimeSpan.FromSeconds(20), default);
        r.Reason.Should().Be(ConnectionFailure.WaitingForGitHub, r.Message);
        r.Message.Should().StartWith("GitHub has not answered yet: the app was never created");
    }

    /// <summary>
    /// A key file replaced by something far larger than a key: the reader's own reason, then how to give the app's key
    /// again.
    /// </summary>
    [Fact]
    public void AnOversizedKeyFile_SaysWhyAndHowToGiveTheKeyAgain()
    {
        var i = Installing(_gh.AddApp());
        File.WriteAllText(i.PrivateKeyPath!, new string('A', 1024 * 1024));
        var e = FluentActions
            .Invoking(() => GitHubAppIntegration.RequireCredentials(i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        var reader = (GitIntegrationException)e.InnerException!;
        reader.ErrorId.Should().Be(ErrorIds.KeyTooLarge);
        (e.ErrorId, e.Kind, e.Target).Should().Be((reader.ErrorId, reader.Kind, i.PrivateKeyPath));
        e.Message.Should()
            .Be(
                $"The private key of the GitHub App of '{i.Name}' cannot be read: {reader.Message} Give the app's .pem "
                    + $"file again, or generate a new key on the app's settings page: Update-GitHubAppKey -Name "
                    + $"'{i.Name}' -PrivateKeyPath (Read-Host -Prompt 'The downloaded .pem file')"
            );
    }

    [Fact]
    public void InstallGitHubApp_RefusesANameGitHubWouldNotTake_OrOneTheStoreHolds()
    {
        var tooLong = new string('x', GitHubAppIntegration.MaxNameLength + 1);
        var e = FluentActions
            .Invoking(() => GitHubAppIntegration.NewName(_store.Load(), "acme", tooLong))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target).Should().Be((GitHubErrorIds.AppNameInvalid, ErrorKind.InvalidArgument, tooLong));
        e.Message.Should()
            .Be($"The app name '{tooLong}' has 35 characters; GitHub takes 1 to 34. Give a shorter -Name.");

        var taken = Installing(_gh.AddApp());
        var t = FluentActions
            .Invoking(() => GitHubAppIntegration.NewName(_store.Load(), "acme", taken.Name.ToUpperInvariant()))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (t.ErrorId, t.Kind).Should().Be((StoreErrorIds.IntegrationNameTaken, ErrorKind.ResourceExists));
        t.Message.Should()
            .Be(
                $"An integration named '{taken.Name.ToUpperInvariant()}' already exists. Choose another -Name, or "
                    + "remove the old one with Remove-GitIntegration."
            );
    }
}
