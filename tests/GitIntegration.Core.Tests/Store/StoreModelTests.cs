using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// What the store's model promises its callers: references to secrets compare by what they name, a clone shares
/// nothing mutable, an origin URL is found however it is spelled, and the secrets and keys the store owns are
/// read, found missing, and deleted as real files.
/// </summary>
public sealed class StoreModelTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SecretReferencesAreEqualWhenTheyNameTheSameSecret()
    {
        SecretRef.InVault("v", "n").Should().Be(SecretRef.InVault("v", "n"));
        SecretRef.InVault("v", "n").GetHashCode().Should().Be(SecretRef.InVault("v", "n").GetHashCode());
        SecretRef.InVault("v", "n").Should().NotBe(SecretRef.InVault("v", "m"));
        SecretRef.InVault("v", "n").Should().NotBe(SecretRef.InVault("w", "n"));
        SecretRef.InFile("a.secret").Should().Be(SecretRef.InFile("a.secret"));
        SecretRef.InFile("a.secret").Should().NotBe(SecretRef.InFile("b.secret"));
        SecretRef.InFile("a.secret").Equals((object?)null).Should().BeFalse();
        SecretRef.InFile("a.secret").IsFile.Should().BeTrue();
        SecretRef.InVault("v", "n").IsFile.Should().BeFalse();
        SecretRef.InFile("a.secret").ToString().Should().Be("file:a.secret");
        SecretRef.InVault("Prod Vault", "jira").ToString().Should().Be("vault:Prod Vault/jira");
    }

    [Fact]
    public void AClonedIntegrationSharesNothingThatChanges()
    {
        var a = StoreTests.Sample(12);
        a.WebhookSecretRef = SecretRef.InFile("w.secret");
        var c = a.Clone();
        c.SameSettings(a).Should().BeTrue();
        c.PassphraseRef!.Name = "other";
        c.TokenRef!.File = "other.secret";
        c.WebhookSecretRef!.File = "other.secret";
        c.Properties["appId"] = "1";
        (a.PassphraseRef!.Name, a.TokenRef!.File, a.WebhookSecretRef.File, a.Properties["appId"])
            .Should()
            .Be(("pp-12", "12-token.secret", "w.secret", "12345"));
        c.Properties.Keys.Should().Equal(a.Properties.Keys.OrderBy(k => k, StringComparer.Ordinal));
        new Integration().Clone().PassphraseRef.Should().BeNull();
    }

    public static TheoryData<string, Action<Integration>> OneSettingChanged =>
        new()
        {
            { "id", i => i.Id = Guid.NewGuid() },
            { "name", i => i.Name = "other" },
            { "type", i => i.Type = IntegrationType.Gerrit },
            { "url", i => i.Url = "git@example.com:acme/other.git" },
            { "hostUrl", i => i.HostUrl = "https://other.example.com" },
            { "organization", i => i.Organization = "other" },
            { "privateKeyPath", i => i.PrivateKeyPath = "/keys/other" },
            { "passphrase", i => i.PassphraseRef = SecretRef.InVault("v", "other") },
            { "token", i => i.TokenRef = SecretRef.InFile("other.secret") },
            { "webhookSecret", i => i.WebhookSecretRef = SecretRef.InFile("hook.secret") },
            { "sslVerify", i => i.SslVerify = !i.SslVerify },
            { "requireUserPat", i => i.RequireUserPat = !i.RequireUserPat },
            { "repositoryFilter", i => i.RepositoryFilter = "[?private]" },
            { "status", i => i.Status = IntegrationStatus.Disabled },
            { "property value", i => i.Properties["appId"] = "1" },
            { "property added", i => i.Properties["extra"] = "1" },
            {
                "property renamed",
                i =>
                {
                    i.Properties.Remove("note");
                    i.Properties["notes"] = "x";
                }
            },
        };

    [Theory]
    [MemberData(nameof(OneSettingChanged))]
    public void EverySettingCountsForSameSettings(string setting, Action<Integration> change)
    {
        var a = StoreTests.Sample(12);
        var b = a.Clone();
        b.LastVerified = DateTimeOffset.UnixEpoch;
        b.UpdatedAt = DateTimeOffset.UnixEpoch;
        b.SameSettings(a).Should().BeTrue("timestamps are not settings");
        change(b);
        b.SameSettings(a).Should().BeFalse(setting + " changed");
    }

    [Theory]
    [InlineData("url", true)]
    [InlineData("hostUrl", true)]
    [InlineData("privateKeyPath", true)]
    [InlineData("passphrase", true)]
    [InlineData("token", true)]
    [InlineData("sslVerify", true)]
    [InlineData("name", false)]
    [InlineData("status", false)]
    [InlineData("repositoryFilter", false)]
    public void OnlyTheRepositoryAndCredentialsCountForSameConnection(string setting, bool counts)
    {
        var a = StoreTests.Sample(12);
        var b = a.Clone();
        b.SameConnection(a).Should().BeTrue();
        var change = OneSettingChanged.Single(row => (string)row[0] == setting)[1];
        ((Action<Integration>)change)(b);
        b.SameConnection(a).Should().Be(!counts);
    }

    [Theory]
    [InlineData("git@example.com:acme/repo-1.git")]
    [InlineData("GIT@EXAMPLE.COM:acme/REPO-1")]
    [InlineData("  git@example.com:acme/repo-1.GIT/ ")]
    [InlineData("git@example.com:acme/repo-1/")]
    public void AnOriginIsFoundWithOrWithoutDotGitSlashOrCase(string url)
    {
        var doc = new StoreDocument();
        doc.Integrations.Add(new Integration { Name = "zero", Url = "git@example.com:acme/repo-10.git" });
        doc.Integrations.Add(new Integration { Name = "one", Url = "git@example.com:acme/repo-1.git" });
        doc.FindByUrl(url)!.Name.Should().Be("one");
        doc.Find(doc.Integrations[1].Id)!.Name.Should().Be("one");
    }

    [Fact]
    public void NoOriginFindsNothing()
    {
        var doc = new StoreDocument();
        doc.Integrations.Add(new Integration { Name = "no url" });
        doc.Integrations.Add(new Integration { Name = "empty url (a store edited by hand)", Url = "" });
        doc.FindByUrl(null).Should().BeNull();
        doc.FindByUrl("").Should().BeNull();
        doc.FindByUrl("git@example.com:acme/x.git").Should().BeNull();
        StoreDocument.SameUrl(null, null).Should().BeFalse();
        StoreDocument.NormalizeUrl(" https://example.com/acme/x.git/ ").Should().Be("https://example.com/acme/x");
        doc.Find(Guid.NewGuid()).Should().BeNull();
    }

    [Fact]
    public void AStorePathIsAFileOrAFolderThatHoldsIntegrationsYaml()
    {
        IntegrationStore.Open(_dir["a.yml"]).Path.Should().Be(_dir["a.yml"]);
        IntegrationStore.Open(_dir["b.YAML"]).Path.Should().Be(_dir["b.YAML"]);
        IntegrationStore.Open(_dir["c"]).Path.Should().Be(Path.Combine(_dir["c"], "integrations.yaml"));
        Directory.CreateDirectory(_dir["d.yaml"]);
        IntegrationStore
            .Open(_dir["d.yaml"])
            .Path.Should()
            .Be(Path.Combine(_dir["d.yaml"], "integrations.yaml"), "a folder named like a file is still a folder");
        var s = IntegrationStore.Open(_dir["c"]);
        (s.BackupPath, s.LockPath, s.QueuePath, s.SecretsDirectory, s.KeysDirectory)
            .Should()
            .Be((s.Path + ".bak", s.Path + ".lock", s.Path + ".queue", _dir["c/secrets"], _dir["c/keys"]));
    }

    [Fact]
    public void ASecretIsWrittenReadAndDeletedAsAFileOfTheSecretsFolder()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        var r = store.WriteSecret("one-token", "s3cr3t ☃");
        r.Should().Be(SecretRef.InFile("one-token.secret"));
        File.ReadAllText(Path.Combine(store.SecretsDirectory, "one-token.secret")).Should().Be("s3cr3t ☃");
        store.ReadSecret(r).Should().Be("s3cr3t ☃");
        store.WriteSecret("one-token", "new").Should().Be(r);
        store.ReadSecret(r).Should().Be("new");
        store.DeleteSecret(SecretRef.InVault("v", "one-token")).Should().BeFalse("a vault's entry is the vault's");
        store.DeleteSecret(null).Should().BeFalse();
        store.DeleteSecret(r).Should().BeTrue();
        File.Exists(Path.Combine(store.SecretsDirectory, "one-token.secret")).Should().BeFalse();
        store.DeleteSecret(r).Should().BeFalse("it is gone already");
    }

    [Fact]
    public void AMissingSecretFileSaysToSetItAgain()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        var e = store
            .Invoking(s => s.ReadSecret(SecretRef.InFile("gone.secret")))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind).Should().Be((StoreErrorIds.SecretNotFound, ErrorKind.ObjectNotFound));
        e.Target.Should().Be(Path.Combine(store.SecretsDirectory, "gone.secret"));
        e.Message.Should().Contain("Set-GitIntegration");
    }

    [Fact]
    public void ASecretThatCannotBeReadIsSecretUnreadable()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        store.WriteSecret("x", "y");
        Directory.CreateDirectory(Path.Combine(store.SecretsDirectory, "folder.secret"));
        var e = store
            .Invoking(s => s.ReadSecret(SecretRef.InFile("folder.secret")))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind).Should().Be((StoreErrorIds.SecretUnreadable, ErrorKind.ReadError));
        e.Target.Should().Be(Path.Combine(store.SecretsDirectory, "folder.secret"));
        e.Message.Should()
            .Be(
                $"The secret file '{e.Target}' cannot be read ({e.InnerException!.GetType().Name}). Secrets are "
                    + "protected for the user who wrote them; set the passphrase or token again with "
                    + "Set-GitIntegration as this user."
            );
    }

    [Fact]
    public void AVaultSecretIsReadThroughTheVaultReaderOnly()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        var r = SecretRef.InVault("Prod", "jira");
        var e = store.Invoking(s => s.ReadSecret(r)).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind).Should().Be((StoreErrorIds.VaultNotAvailable, ErrorKind.NotInstalled));
        e.Message.Should()
            .Be(
                "The secret 'jira' is in the SecretManagement vault 'Prod', which cannot be read here. Install "
                    + "Microsoft.PowerShell.SecretManagement and register that vault."
            );
        e.Target.Should().Be("vault:Prod/jira");
        store.VaultReader = (vault, name) => $"{vault}|{name}";
        store.ReadSecret(r).Should().Be("Prod|jira");
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("c:d")]
    [InlineData("nul\0")]
    [InlineData("\0nul")]
    [InlineData("\\ab")]
    [InlineData(":ab")]
    public void ANameThatIsNotAPlainFileNameIsRefused(string name)
    {
        var store = IntegrationStore.Open(_dir["s"]);
        foreach (var act in new Action[] { () => store.WriteSecret(name, "x"), () => store.WriteKey(name, "x") })
        {
            var e = act.Should().Throw<GitIntegrationException>().Which;
            (e.ErrorId, e.Kind, e.Target).Should().Be((ErrorIds.FileWriteFailed, ErrorKind.InvalidArgument, name));
            e.Message.Should()
                .Be($"'{name}' cannot be used as a file name in the store. Use letters, digits, '-', '_' and '.'.");
        }
        Directory.Exists(store.SecretsDirectory).Should().BeFalse();
        Directory.Exists(store.KeysDirectory).Should().BeFalse();
    }

    [Fact]
    public void AStoreFileThatIsNoRegularFileIsRefusedUnread()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        Directory.CreateDirectory(_dir["s"]);
        File.CreateSymbolicLink(store.Path, "/dev/zero");
        var e = store.Invoking(s => s.Load()).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Target).Should().Be((ErrorIds.FileNotRegular, store.Path));
        e.Message.Should()
            .Be(
                $"'{store.Path}' is a character device, not a file; a store is read only from a regular file. Give "
                    + "the path of the store itself."
            );
    }

    [Fact]
    public void AnIntegrationWhoseEntryDoesNotSayOtherwiseChecksCertificates()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        Directory.CreateDirectory(_dir["s"]);
        var id = Guid.NewGuid();
        File.WriteAllText(
            store.Path,
            $"schemaVersion: 1\nintegrations:\n- id: {id}\n  name: by hand\n  url: https://git.example.com/a/b.git\n"
        );
        var i = store.Load().Find(id)!;
        i.SslVerify.Should().BeTrue();
        GitIntegration.Core.Net.CertificateTrust.For(i).SkipCheck.Should().BeFalse();
    }

    [Fact]
    public void AnIntegrationReadsAsItsNameTypeAndOrigin()
    {
        var i = new Integration
        {
            Name = "jira",
            Type = IntegrationType.Ssh,
            Url = "git@example.com:acme/repo.git",
        };
        $"{i}".Should().Be("jira (Ssh) git@example.com:acme/repo.git");
    }

    [Fact]
    public void NamesUpTo128CharactersAreFileNames()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        store.WriteKey(new string('k', 128), "x").Should().Be(Path.Combine(store.KeysDirectory, new string('k', 128)));
        store
            .Invoking(s => s.WriteKey(new string('k', 129), "x"))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.FileWriteFailed);
    }

    [Fact]
    public void TheStoreOwnsTheKeysInItsKeysFolderOnly()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        var key = store.WriteKey("id_app", "KEY");
        store.OwnsKey(key).Should().BeTrue();
        store.OwnsKey(null).Should().BeFalse();
        store.OwnsKey("").Should().BeFalse();
        store.OwnsKey(store.KeysDirectory).Should().BeFalse("the folder itself is no key");
        store.OwnsKey(store.KeysDirectory + "2/id_app").Should().BeFalse("a sibling folder with the same prefix");
        store.OwnsKey(Path.Combine(store.KeysDirectory, "..", "id_app")).Should().BeFalse();
        store.OwnsKey(Path.Combine(store.KeysDirectory, "sub", "..", "id_app")).Should().BeTrue();
        store.OwnsKey(store.KeysDirectory.ToUpperInvariant() + "/id_app").Should().Be(OperatingSystem.IsWindows());
    }

    [Fact]
    public void DeletingWhatAnIntegrationOwnsLeavesOtherFilesAlone()
    {
        var store = IntegrationStore.Open(_dir["s"]);
        var mine = new Integration
        {
            PrivateKeyPath = store.WriteKey("id_mine", "KEY"),
            PassphraseRef = store.WriteSecret("mine-pp", "pp"),
            TokenRef = store.WriteSecret("mine-token", "t"),
            WebhookSecretRef = store.WriteSecret("mine-hook", "h"),
        };
        File.WriteAllText(_dir["elsewhere"], "KEY");
        var other = new Integration
        {
            PrivateKeyPath = _dir["elsewhere"],
            TokenRef = SecretRef.InVault("v", "mine-token"),
        };
        var keep = store.WriteSecret("keep", "k");
        store.DeleteOwned(other);
        File.Exists(_dir["elsewhere"]).Should().BeTrue("a key outside the store is the admin's");
        store.DeleteOwned(mine);
        File.Exists(mine.PrivateKeyPath).Should().BeFalse();
        Directory.GetFiles(store.SecretsDirectory).Should().Equal(Path.Combine(store.SecretsDirectory, "keep.secret"));
        store.ReadSecret(keep).Should().Be("k");
        store.DeleteOwned(mine); // twice: nothing left, no error
    }
}
