using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// What New-, Get- and Convert-GitSshKey rely on in Core: the sizes and curves a key is generated with (as ssh-keygen
/// reports them), what a folder search lists, and the refusals and defaults of a conversion.
/// </summary>
public sealed class KeyFilesTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Refused(Action act) =>
        FluentActions.Invoking(act).Should().Throw<GitIntegrationException>().Which.ErrorId;

    /// <summary>ssh-keygen -l of the .pub: "bits SHA256:... comment (TYPE)".</summary>
    private static string[] Listed(string pub) => Tool.Ok("ssh-keygen", "-l", "-f", pub).Trim().Split(' ');

    [Theory]
    [InlineData(KeyAlgorithm.Ecdsa, null, "256", "(ECDSA)")]
    [InlineData(KeyAlgorithm.Ecdsa, 384, "384", "(ECDSA)")]
    [InlineData(KeyAlgorithm.Ecdsa, 521, "521", "(ECDSA)")]
    [InlineData(KeyAlgorithm.Ed25519, 256, "256", "(ED25519)")]
    [InlineData(KeyAlgorithm.Rsa, 2056, "2056", "(RSA)")]
    public void GeneratedKeysHaveTheSizeSshKeygenReports(
        KeyAlgorithm algorithm,
        int? bits,
        string listedBits,
        string type
    )
    {
        var path = _dir["key"];
        var format = algorithm == KeyAlgorithm.Ed25519 ? PrivateKeyFormat.OpenSsh : PrivateKeyFormat.Pem;
        var info = KeyFiles.Generate(path, algorithm, bits, format, null, null, overwrite: false);

        var listed = Listed(path + ".pub");
        listed[0].Should().Be(listedBits);
        listed[^1].Should().Be(type);
        info.Bits.Should().Be(int.Parse(listedBits));
        info.FingerprintSha256.Should().Be(listed[1]);
        info.Comment.Should().Be(Environment.UserName + "@" + Environment.MachineName, "ssh-keygen's default comment");
        listed[2].Should().Be(info.Comment);
    }

    [Fact]
    public void AnRsaKeyIs4096BitsUnlessAskedOtherwise()
    {
        var key = KeyGenerator.Generate(KeyAlgorithm.Rsa);
        key.Bits.Should().Be(4096);
        key.Private.Should().NotBeNull();
    }

    [Theory]
    [InlineData(KeyAlgorithm.Rsa, 2040)]
    [InlineData(KeyAlgorithm.Rsa, 2052)]
    [InlineData(KeyAlgorithm.Rsa, 16392)]
    [InlineData(KeyAlgorithm.Ecdsa, 512)]
    [InlineData(KeyAlgorithm.Ed25519, 255)]
    [InlineData(KeyAlgorithm.Dsa, 1024)]
    [InlineData(KeyAlgorithm.Unknown, null)]
    public void SizesAndTypesSshKeygenWouldNotMakeAreRefused(KeyAlgorithm algorithm, int? bits)
    {
        Refused(() => KeyGenerator.Generate(algorithm, bits)).Should().Be(ErrorIds.InvalidKeyParameters);
    }

    [Fact]
    public void GenerateNeverReplacesAKeyOrItsPublicHalfWithoutOverwrite()
    {
        var path = _dir["id"];
        File.WriteAllText(path + ".pub", "someone else's public key");
        Refused(() => KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false))
            .Should()
            .Be(ErrorIds.KeyFileExists);
        File.Exists(path).Should().BeFalse();
        File.ReadAllText(path + ".pub").Should().Be("someone else's public key");

        var info = KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, "pw", "c", true);
        info.IsEncrypted.Should().BeTrue();
        info.Format.Should().Be(KeyFormat.OpenSsh);
        info.PublicKeyPath.Should().Be(path + ".pub");
        Tool.Ok("ssh-keygen", "-y", "-P", "pw", "-f", path).Trim().Should().Be(info.PublicKey);
        Refused(() => KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false))
            .Should()
            .Be(ErrorIds.KeyFileExists);
        Refused(() => KeyFiles.Generate(_dir["ed"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.Pem, null, "c", false))
            .Should()
            .Be(ErrorIds.KeyFormatNotSupported);
    }

    [Fact]
    public void FindListsPrivateKeysAndOnlyTheOrphanPublicOnes()
    {
        var sub = Directory.CreateDirectory(_dir["sub"]).FullName;
        KeyFiles.Generate(_dir["a"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "a", false);
        KeyFiles.Generate(_dir["b"], KeyAlgorithm.Ecdsa, 256, PrivateKeyFormat.Pem, null, "b", false);
        File.Delete(_dir["b"]); // b.pub is an orphan now
        var c = Path.Combine(sub, "c");
        KeyFiles.Generate(c, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false);
        File.WriteAllText(_dir["known_hosts"], File.ReadAllText(_dir["a.pub"])); // a key line, but never a key file
        File.WriteAllText(_dir["notes.txt"], "not a key");
        File.WriteAllText(
            _dir["damaged"],
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn!!\n-----END OPENSSH PRIVATE KEY-----\n"
        );
        File.WriteAllText(_dir["huge"], new string('A', KeyText.MaxKeyFileBytes + 1));

        var found = KeyFiles.Find(_dir.Path, recurse: false).ToList();
        found.Select(f => Path.GetFileName(f.Path)).Should().Equal("a", "damaged", "b.pub");
        found[0].Info!.IsPrivate.Should().BeTrue();
        found[0].Info!.PublicKeyPath.Should().Be(_dir["a.pub"]);
        found[1].Info.Should().BeNull();
        found[1].Error!.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        found[2].Info!.IsPrivate.Should().BeFalse();
        found[2].Info!.Comment.Should().Be("b");

        KeyFiles
            .Find(_dir.Path, recurse: true)
            .Select(f => f.Path)
            .Should()
            .Contain(Path.Combine(sub, "c"))
            .And.NotContain(Path.Combine(sub, "c.pub"));
    }

    [Fact]
    public void ConvertInPlaceMakesALooseKeyOwnerOnlyAndSaysSo()
    {
        var path = _dir["id"];
        var made = KeyFiles.Generate(path, KeyAlgorithm.Ecdsa, 256, PrivateKeyFormat.OpenSsh, null, "mine", false);
        Tool.Ok("chmod", "644", path);
        var warnings = new List<string>();

        var info = KeyFiles.Convert(path, null, null, "pw", null, overwrite: false, warnings.Add);

        info.Format.Should().Be(KeyFormat.OpenSsh, "an OpenSSH key stays OpenSSH unless a format is given");
        info.IsEncrypted.Should().BeTrue();
        info.FingerprintSha256.Should().Be(made.FingerprintSha256);
        warnings.Should().ContainSingle().Which.Should().Contain("permissions 644").And.Contain("(600)");
        SecureFile.UnixMode(path).Should().Be(0x180);
        Tool.Ok("ssh-keygen", "-y", "-P", "pw", "-f", path).Trim().Should().Be(made.PublicKey);

        warnings.Clear();
        info = KeyFiles.Convert(path, PrivateKeyFormat.Pem, "pw", "", null, overwrite: false, warnings.Add);
        warnings.Should().BeEmpty("the key was owner-only already");
        info.IsEncrypted.Should().BeFalse();
        File.ReadAllText(path).Should().StartWith("-----BEGIN EC PRIVATE KEY-----\n");
        var y = Tool.Ok("ssh-keygen", "-y", "-P", "", "-f", path).Trim();
        made.PublicKey.Should().StartWith(y, "PEM has no comment");

        // Any format but OpenSSH becomes PEM by default, keeping its passphrase.
        var p8 = _dir["p8"];
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PKCS8", "-N", "old pass", "-f", p8);
        KeyFiles
            .Convert(p8, null, "old pass", null, _dir["p8.pem"], overwrite: false)
            .Format.Should()
            .Be(KeyFormat.Pem);
        File.ReadAllText(_dir["p8.pem"]).Should().Contain("Proc-Type: 4,ENCRYPTED");
        Tool.Ok("ssh-keygen", "-y", "-P", "old pass", "-f", _dir["p8.pem"]).Should().StartWith("ecdsa-sha2-nistp256 ");
    }

    [Fact]
    public void ConversionsThatCannotBeWrittenAreRefusedBeforeThePassphrase()
    {
        var ed = _dir["ed"];
        KeyFiles.Generate(ed, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, "secret", "e", false);
        Refused(() => KeyFiles.RefuseConversion(ed, PrivateKeyFormat.Pem, inPlace: false))
            .Should()
            .Be(ErrorIds.KeyFormatNotSupported);
        KeyFiles.RefuseConversion(ed, PrivateKeyFormat.OpenSsh, inPlace: true);
        KeyFiles.RefuseConversion(ed, null, inPlace: true);

        var ppk = _dir["key.ppk"];
        File.WriteAllText(ppk, PpkFormat.Write(KeyGenerator.Generate(KeyAlgorithm.Ecdsa, 256, "p"), null));
        Refused(() => KeyFiles.RefuseConversion(ppk, PrivateKeyFormat.Pem, inPlace: true))
            .Should()
            .Be(ErrorIds.KeyFormatNotSupported);
        KeyFiles.RefuseConversion(ppk, PrivateKeyFormat.Pem, inPlace: false);
    }

    [Fact]
    public void AKeyWithoutCommentIsListedLikeSshKeygenDoes()
    {
        var key = KeyGenerator.Generate(KeyAlgorithm.Ed25519, null, "");
        var pub = _dir["nc.pub"];
        File.WriteAllText(pub, key.PublicKeyLine + "\n");
        key.PublicKeyLine.Should().NotEndWith(" ");
        Fingerprint.Line(key).Should().Be(Tool.Ok("ssh-keygen", "-l", "-f", pub).Trim()).And.Contain(" no comment ");
        SshKeyInfo
            .From(new KeyDocument(KeyFormat.PublicOpenSsh, false, false, key.Algorithm, key), pub)
            .Comment.Should()
            .BeNull("an empty comment is shown as none");
    }

    [Theory]
    [InlineData("build server  key")]
    [InlineData("ops\tteam \"quoted  part\"")]
    public void ACommentIsReadWithItsInnerSpacesAsSshKeygenListsIt(string comment)
    {
        var key = KeyGenerator.Generate(KeyAlgorithm.Ed25519, null, "");
        var pub = _dir["spaced.pub"];
        File.WriteAllText(pub, key.PublicKeyLine + "  " + comment + "\n");

        var read = KeyFiles.Inspect(pub).Info.Comment;

        read.Should().Be(comment);
        Tool.Ok("ssh-keygen", "-l", "-f", pub).Should().Contain(" " + comment + " (ED25519)");
    }
}
