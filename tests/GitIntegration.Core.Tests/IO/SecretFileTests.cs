using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.IO;

/// <summary>
/// Secret files and the folders that hold them, on a machine shared with another local user: owner-only from the
/// instant they exist whatever the umask, and a store folder others can change is refused.
/// </summary>
public sealed class SecretFileTests
{
    private const int Owner600 = 0x180,
        Owner700 = 0x1C0,
        Public644 = 0x1A4;

    /// <summary>What the writer created under <paramref name="dir"/>.</summary>
    private static List<Creation> Under(TempDir dir, List<Creation> created) =>
        created.Where(c => c.Path.StartsWith(dir.Path + "/", StringComparison.Ordinal)).ToList();

    [Theory]
    [InlineData("000")]
    [InlineData("022")]
    public void ASecretFileIsOwnerOnlyFromItsFirstInstant(string umask)
    {
        using var dir = new TempDir();
        var (_, created) = SecondProcess.Traced(umask, "write", dir["id_rsa"], "-----BEGIN RSA PRIVATE KEY-----");

        var files = Under(dir, created);
        files.Should().NotBeEmpty();
        // Created with more than 0600 and narrowed afterwards, another user could open it in between and read it later.
        files.Should().OnlyContain(c => c.Mode == Owner600 && c.Exclusive, string.Join("\n", files));
        SecondProcess.Mode(dir["id_rsa"]).Should().Be(Owner600);
        File.ReadAllText(dir["id_rsa"]).Should().Be("-----BEGIN RSA PRIVATE KEY-----");
        Attacker.Try("cat \"$1\"", dir["id_rsa"]).Should().BeFalse();
    }

    [Fact]
    public void APublicFileIsReadableButNeverWritableByOthersEvenUnderUmask000()
    {
        using var dir = new TempDir();
        var (_, created) = SecondProcess.Traced("000", "write", dir["id_rsa.pub"], "ssh-rsa AAAA", "public");

        Under(dir, created)
            .Should()
            .OnlyContain(c => c.Mode == Public644, "whoever could rewrite a .pub would have the admin paste their key");
        SecondProcess.Mode(dir["id_rsa.pub"]).Should().Be(Public644);
        Attacker.Try("echo 'ssh-rsa EVIL' > \"$1\"", dir["id_rsa.pub"]).Should().BeFalse();
    }

    [Theory]
    [InlineData("000")]
    [InlineData("022")]
    [InlineData("277")]
    public void EveryFolderItCreatesIsOwnerOnlyWhateverTheUmask(string umask)
    {
        using var dir = new TempDir();
        var (_, created) = SecondProcess.Traced(umask, "folders", dir["a/b/c"]);

        Under(dir, created).Select(c => c.Path).Should().Equal(dir["a"], dir["a/b"], dir["a/b/c"]);
        Under(dir, created).Should().OnlyContain(c => c.Mode == Owner700, "mkdir asks for 0700: umask only takes bits");
        foreach (var d in new[] { "a", "a/b", "a/b/c" })
            SecondProcess.Mode(dir[d]).Should().Be(Owner700, d);
    }

    [Fact]
    public void UnderUmask000AnotherUserCannotReplaceTheStoreOrItsSecrets()
    {
        using var dir = new TempDir();
        var store = dir["gi/integrations.yaml"];
        var (_, created) = SecondProcess.Traced("000", "secret", store, "jira-token", "ghp_s3cret");

        // The attacks: drop an integrations.yaml that points at the attacker's host and key, or read the token.
        Attacker.Try("echo 'integrations: []' > \"$1.new\" && mv \"$1.new\" \"$1\"", store).Should().BeFalse();
        Attacker.Try("echo x > \"$1/evil.secret\"", dir["gi/secrets"]).Should().BeFalse();
        Attacker.Try("cat \"$1\"/*", dir["gi/secrets"]).Should().BeFalse();
        IntegrationStore.Open(store).Load().Integrations.Should().ContainSingle(i => i.Name == "jira-token");
        var mine = Under(dir, created);
        var folders = mine.Where(c => c.Call.StartsWith("mkdir")).ToList();
        folders.Select(c => c.Path).Should().BeEquivalentTo(dir["gi"], dir["gi/secrets"], store + ".queue");
        folders.Should().OnlyContain(c => c.Mode == Owner700, string.Join("\n", mine));
        // The lock file and the queue's tickets hold no secret, and their folder keeps others out.
        var files = mine.Where(c => !c.Call.StartsWith("mkdir"))
            .Where(c => !c.Path.EndsWith(".lock") && !c.Path.Contains(".queue/"))
            .ToList();
        files.Should().OnlyContain(c => c.Mode == Owner600 && c.Exclusive, string.Join("\n", mine));
    }

    [Fact]
    public void AStoreFolderOthersCanWriteIsRefusedWithACommandThatFixesIt()
    {
        using var dir = new TempDir();
        var store = IntegrationStore.Open(dir["gi/integrations.yaml"]);
        var token = store.WriteSecret("token", "ghp_s3cret");
        Tool.Ok("chmod", "777", dir["gi"]);
        Tool.Ok("chmod", "775", dir["gi/secrets"]);

        var e = store.Invoking(s => s.Load()).Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(StoreErrorIds.StoreFolderNotPrivate);
        (e.Kind, e.Target).Should().Be((ErrorKind.SecurityError, dir["gi"]));
        e.Message.Should().Contain("permissions 777");
        var remedy = $"chmod 700 '{dir["gi"]}' '{dir["gi/secrets"]}'";
        e.Message.Should()
            .Be(
                $"The store folder '{dir["gi"]}' can be written by other users (permissions 777), who could replace "
                    + "integrations.yaml or a key in it, so it is not used. Make it yours alone, then run the command "
                    + $"again: {remedy}"
            );
        store
            .Invoking(s => s.ReadSecret(token))
            .Should()
            .Throw<GitIntegrationException>("a token others could have replaced is not sent anywhere")
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.StoreFolderNotPrivate);
        store
            .Invoking(s => s.Update(d => 0))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.StoreFolderNotPrivate);
        store.Invoking(s => s.WriteSecret("other", "x")).Should().Throw<GitIntegrationException>();
        File.Exists(store.Path).Should().BeFalse("nothing is written into a folder others can change");

        Tool.Ok("sh", "-c", remedy); // pasted as printed
        store.Load().Integrations.Should().BeEmpty();
        store.Update(d => 0);
    }

    [Fact]
    public void AStoreFolderThatCannotBeMadeIsATypedError()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["taken"], "a file where the store's folder would go");
        var store = IntegrationStore.Open(dir["taken/gi/integrations.yaml"]);

        var e = store.Invoking(s => s.Update(d => 0)).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((StoreErrorIds.StoreWriteFailed, ErrorKind.WriteError, store.LockPath));
        e.Message.Should()
            .StartWith("The store's folder cannot be created: ")
            .And.Contain(dir["taken"])
            .And.EndWith(" Choose a store path you can write to (-StorePath, or $env:GITINTEGRATION_STORE).");
    }

    [Fact]
    public void AStoreFolderOfAnotherUserIsRefusedWhateverItsPermissions()
    {
        using var dir = new TempDir();
        var store = IntegrationStore.Open(dir["gi/integrations.yaml"]);
        store.Update(d => 0);
        Peer.RequireUser(Attacker.User);
        Tool.Ok("chown", Attacker.User, dir["gi"]);
        var uid = Tool.Ok("id", "-u", Attacker.User).Trim();

        var e = store.Invoking(s => s.Load()).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((StoreErrorIds.StoreFolderNotPrivate, ErrorKind.SecurityError, dir["gi"]));
        e.Message.Should()
            .Be(
                $"The store folder '{dir["gi"]}' belongs to another user (uid {uid}), who can change what is in "
                    + "it whatever its permissions, so it is not used. Use a store folder of your own: -StorePath, or "
                    + "$env:GITINTEGRATION_STORE."
            );
    }
}
