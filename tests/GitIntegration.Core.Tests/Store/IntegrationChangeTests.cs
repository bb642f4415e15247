using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Query;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>Set-GitIntegration's edit: what each setting does; how secrets are named, replaced, rolled back.</summary>
public sealed class IntegrationChangeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public IntegrationChangeTests() => _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);

    public void Dispose() => _dir.Dispose();

    private Integration Add(Integration i)
    {
        i.Url ??= "https://git.example.com/a/b.git";
        _store.Update(d =>
        {
            d.Integrations.Add(i);
            return 0;
        });
        return _store.Load().Find(i.Id)!;
    }

    private string[] SecretFiles() =>
        Directory.Exists(_store.SecretsDirectory) ? Directory.GetFiles(_store.SecretsDirectory) : Array.Empty<string>();

    [Fact]
    public void ANewTokenGetsANewFileAndTheOldOneIsDeleted()
    {
        var i = Add(new Integration { Name = "gitlab" });
        var first = new IntegrationChange { Token = "glpat-one" }.Apply(_store, i);
        var firstFile = SecretFiles().Should().ContainSingle().Which;
        Path.GetFileName(firstFile).Should().StartWith($"{i.Id:N}-token-");

        var second = new IntegrationChange { Token = "glpat-two", Passphrase = "open sesame" }.Apply(_store, first);
        second.TokenRef.Should().NotBe(first.TokenRef);
        File.Exists(firstFile).Should().BeFalse("the replaced token's file is deleted");
        _store.ReadSecret(second.TokenRef!).Should().Be("glpat-two");
        _store.ReadSecret(second.PassphraseRef!).Should().Be("open sesame");
        SecretFiles().Should().HaveCount(2);
        File.ReadAllText(_store.Path).Should().NotContain("glpat-two").And.NotContain("open sesame");
        second.PassphraseRef!.File.Should().StartWith($"{i.Id:N}-passphrase-");

        var third = new IntegrationChange { Passphrase = "new sesame" }.Apply(_store, second);
        _store.ReadSecret(third.PassphraseRef!).Should().Be("new sesame");
        SecretFiles()
            .Select(Path.GetFileName)
            .Should()
            .BeEquivalentTo(
                new[] { third.TokenRef!.File, third.PassphraseRef!.File },
                "the old passphrase's file goes"
            );

        var renamed = new IntegrationChange { NewName = "gitlab eu" }.Apply(_store, third);
        _store.ReadSecret(renamed.PassphraseRef!).Should().Be("new sesame", "secrets not given stay as they are");
        _store.ReadSecret(renamed.TokenRef!).Should().Be("glpat-two");
    }

    [Fact]
    public void AnIntegrationRemovedMeanwhileKeepsNoNewSecretFile()
    {
        var gone = new Integration { Name = "gone", Url = "https://git.example.com/a/b.git" };
        var e = FluentActions
            .Invoking(() => new IntegrationChange { Token = "glpat-x", Passphrase = "p" }.Apply(_store, gone))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((StoreErrorIds.IntegrationNotFound, ErrorKind.ObjectNotFound, gone.Id.ToString()));
        e.Message.Should().Be("The integration 'gone' was removed from the store by another command.");
        SecretFiles().Should().BeEmpty();
    }

    [Fact]
    public void EachSettingChangesOnlyWhenGiven()
    {
        var i = Add(new Integration { Name = "old", RepositoryFilter = "[?!archived]" });
        var verbose = new List<string>();
        var after = new IntegrationChange
        {
            NewName = "new",
            SkipCertificateCheck = true,
            AllowUnencryptedAuthentication = true,
            Disabled = true,
        }.Apply(_store, i, null, verbose.Add);
        (after.Name, after.SslVerify, after.Status, after.RepositoryFilter)
            .Should()
            .Be(("new", false, IntegrationStatus.Disabled, "[?!archived]"));
        verbose.Should().Equal($"Updated the integration 'new' ({i.Id}) in '{_store.Path}'.");
        PlainHttpAllowed(after).Should().BeTrue("its token may now go to an http:// URL");

        after = new IntegrationChange
        {
            SkipCertificateCheck = false,
            AllowUnencryptedAuthentication = false,
            Disabled = false,
            RepositoryFilter = "",
        }.Apply(_store, after);
        (after.Name, after.SslVerify, after.Status, after.RepositoryFilter)
            .Should()
            .Be(("new", true, IntegrationStatus.Connected, (string?)null));
        after.Properties.Should().NotContainKey(RepositoryConnector.AllowUnencryptedProperty);
        PlainHttpAllowed(after).Should().BeFalse();
    }

    /// <summary>Whether the integration's next connection may send its token over plain http.</summary>
    private bool PlainHttpAllowed(Integration i) =>
        RepositoryConnector.RequestFor(_store, i, new GitAccess()).Access.AllowUnencryptedAuthentication;

    [Fact]
    public void TrustedThumbprintsAreStoredAsTheAdminCopiedThemAndAnEmptyListRemovesThem()
    {
        // As openssl x509 -fingerprint -sha256 prints it, and as Get-ChildItem Cert: shows a SHA-1 thumbprint.
        var sha256 = string.Join(":", Enumerable.Range(0, 32).Select(n => $"{n * 7 % 256:x2}"));
        var sha1 = "0123456789abcdef0123456789abcdef01234567";
        var i = Add(new Integration { Name = "ghes" });
        var trusted = new IntegrationChange { TrustedCertificateThumbprints = new[] { sha256, sha1 } }.Apply(_store, i);
        CertificateTrust
            .For(trusted)
            .Thumbprints.Should()
            .Equal(sha256.Replace(":", "").ToUpperInvariant(), sha1.ToUpperInvariant());
        CertificateTrust
            .For(new IntegrationChange { NewName = "ghes 2" }.Apply(_store, trusted))
            .Thumbprints.Should()
            .HaveCount(2);

        var removed = new IntegrationChange { TrustedCertificateThumbprints = Array.Empty<string>() }.Apply(_store, i);
        CertificateTrust.For(removed).Thumbprints.Should().BeEmpty();
        removed.Properties.Should().NotContainKey(CertificateTrust.ThumbprintProperty);
    }

    [Fact]
    public void EnablingLeavesAStatusOtherThanDisabledAndNoChangeKeepsUpdatedAt()
    {
        var i = Add(new Integration { Name = "failed", Status = IntegrationStatus.Failed });
        var after = new IntegrationChange { Disabled = false }.Apply(_store, i);
        after.Status.Should().Be(IntegrationStatus.Failed);
        after.UpdatedAt.Should().Be(i.UpdatedAt);
    }

    [Fact]
    public void AnInvalidFilterIsRefusedBeforeAnythingChanges()
    {
        var i = Add(new Integration { Name = "f" });
        var change = new IntegrationChange
        {
            NewName = "g",
            Token = "t",
            RepositoryFilter = "[?",
        };
        FluentActions
            .Invoking(change.Check)
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(JmesPathErrorIds.Invalid);
        FluentActions.Invoking(() => change.Apply(_store, i)).Should().Throw<GitIntegrationException>();
        _store.Load().Integrations.Single().Name.Should().Be("f");
        SecretFiles().Should().BeEmpty();
    }

    [Fact]
    public void AGitHubAppsKeyIsNotChangedHere()
    {
        var i = Add(new Integration { Name = "app", Type = IntegrationType.GitHubApp });
        FluentActions
            .Invoking(() => new IntegrationChange { PrivateKeyPath = _dir["new.pem"] }.Apply(_store, i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitHubErrorIds.KeyChangeNeedsGitHub);
    }

    [Fact]
    public void ForceSetsALockedKeyWithTheRulesWarning()
    {
        var locked = _dir["locked"];
        var (exit, _, err) = Tool.Run(
            "ssh-keygen",
            new[] { "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "open sesame", "-f", locked }
        );
        exit.Should().Be(0, err);
        var i = Add(new Integration { Name = "ssh", Url = "git@git.example.com:a/b.git" });
        FluentActions
            .Invoking(() => new IntegrationChange { PrivateKeyPath = locked }.Apply(_store, i))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.PassphraseRequired);
        _store.Load().Integrations.Single().PrivateKeyPath.Should().BeNull();

        var warnings = new List<string>();
        var after = new IntegrationChange { PrivateKeyPath = locked, Force = true }.Apply(_store, i, warnings.Add);
        after.PrivateKeyPath.Should().Be(locked);
        warnings.Should().Contain(w => w.Contains("protected by a passphrase"));
    }

    [Fact]
    public void PropertiesAreSetAndRemovedWithTheEditAndOthersStay()
    {
        var i = Add(new Integration { Name = "app" });
        i = new IntegrationChange
        {
            Properties = new Dictionary<string, string?> { ["Kept"] = "1", ["Gone"] = "2" },
        }.Apply(_store, i);
        var after = new IntegrationChange
        {
            NewName = "renamed",
            Properties = new Dictionary<string, string?> { ["Gone"] = null, ["New"] = "3" },
        }.Apply(_store, i);
        after.Properties.Should().BeEquivalentTo(new Dictionary<string, string> { ["Kept"] = "1", ["New"] = "3" });
        _store.Load().Find(i.Id)!.Properties.Should().BeEquivalentTo(after.Properties);
        after.Name.Should().Be("renamed");
    }
}
