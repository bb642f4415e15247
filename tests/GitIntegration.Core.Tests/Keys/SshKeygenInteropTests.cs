using FluentAssertions;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// Keys ssh-keygen writes are read by us with its fingerprints; keys we write are read by ssh-keygen.
/// </summary>
public sealed class SshKeygenInteropTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public SshKeygenInteropTests(SshKeygenFixture fx) => _fx = fx;

    public static IEnumerable<object[]> FixtureNames() =>
        SshKeygenFixture.Specs().Select(s => new object[] { s.Name, s.Encrypted });

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void ReadsSshKeygenKeysWithItsFingerprints(string name, bool encrypted)
    {
        var path = _fx.Keys[name];
        var doc = KeyReader.ReadFile(path, encrypted ? SshKeygenFixture.Passphrase : null);
        doc.IsPrivate.Should().BeTrue();
        doc.IsEncrypted.Should().Be(encrypted);
        doc.PrivateKeyAvailable.Should().BeTrue();
        var key = doc.Key!;
        // ssh-keygen -l reads the .pub beside the key, so it shows the comment even for PEM.
        key.Comment = KeyFiles.ReadSiblingPublic(path)!.Comment;
        Fingerprint.Line(key, file: path + ".pub").Should().Be(SshKeygenFixture.Fingerprint(path));
        Fingerprint.Line(key, md5: true, file: path + ".pub").Should().Be(SshKeygenFixture.Fingerprint(path, "md5"));
        var expected = Tool.Ok("ssh-keygen", "-y", "-P", encrypted ? SshKeygenFixture.Passphrase : "", "-f", path)
            .Trim();
        expected.Should().StartWith(key.SshType + " " + key.PublicKeyBase64);
        doc.Format.Should()
            .Be(
                name.Contains("PEM") ? KeyFormat.Pem
                : name.Contains("PKCS8") ? KeyFormat.Pkcs8
                : KeyFormat.OpenSsh
            );
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void ReadsPublicHalfWithoutPassphraseWhereTheFormatAllows(string name, bool encrypted)
    {
        var doc = KeyReader.ReadFile(_fx.Keys[name]);
        doc.PrivateKeyAvailable.Should().Be(!encrypted);
        if (doc.Format == KeyFormat.OpenSsh)
            doc.Key.Should().NotBeNull("the OpenSSH format stores the public key in clear");
        var pub = KeyReader.ReadFile(_fx.Keys[name] + ".pub");
        pub.IsPrivate.Should().BeFalse();
        pub.Key!.FingerprintSha256.Should().Be(SshKeygenFixture.Fingerprint(_fx.Keys[name] + ".pub").Split(' ')[1]);
    }

    /// <summary>Only the encrypted keys: a key without a passphrase has no wrong one.</summary>
    public static IEnumerable<object[]> EncryptedNames() =>
        SshKeygenFixture.Specs().Where(s => s.Encrypted).Select(s => new object[] { s.Name });

    [Theory]
    [MemberData(nameof(EncryptedNames))]
    public void WrongPassphraseIsReportedAsSuch(string name)
    {
        var act = () => KeyReader.ReadFile(_fx.Keys[name], "not the passphrase");
        act.Should().Throw<KeyPassphraseException>().Which.ErrorId.Should().Be(ErrorIds.WrongPassphrase);
    }

    [Fact]
    public void RandomArtMatchesSshKeygen()
    {
        foreach (
            var name in new[]
            {
                "rsa-2048-PEM",
                "ecdsa-521-OpenSSH",
                "ed25519-256-OpenSSH",
                "rsa-4096-OpenSSH-rounds64",
            }
        )
        {
            var path = _fx.Keys[name];
            var key = KeyReader.ReadFile(path, SshKeygenFixture.Passphrase).Key!;
            key.Comment = KeyFiles.ReadSiblingPublic(path)!.Comment;
            foreach (var md5 in new[] { false, true })
            {
                var lines = Tool.Ok("ssh-keygen", "-lv", "-E", md5 ? "md5" : "sha256", "-f", path)
                    .TrimEnd('\n')
                    .Split('\n');
                lines[0].Should().Be(Fingerprint.Line(key, md5, path + ".pub"));
                string.Join("\n", lines.Skip(1)).Should().Be(Fingerprint.RandomArt(key, md5));
            }
        }
    }

    // A cell of the picture stops counting at 14 visits ('^'); about 1 key in 200 has a cell visited 15 times or more.
    // Among 4,000 keys the chance that none has is below 1 in 10^8.
    [Fact]
    public void RandomArtOfThousandsOfKeysMatchesSshKeygen()
    {
        using var dir = new TempDir();
        var keys = Enumerable.Range(0, 4000).Select(i => KeyGenerator.Generate(KeyAlgorithm.Ed25519, null, $"k{i}"));
        var ours = keys.Select(k => (k.PublicKeyLine, Art: Fingerprint.RandomArt(k))).ToList();
        File.WriteAllLines(dir["keys"], ours.Select(k => k.PublicKeyLine));

        var theirs = Tool.Ok("ssh-keygen", "-lv", "-f", dir["keys"]).TrimEnd('\n').Split('\n');
        theirs.Length.Should().Be(4000 * 12, "each key is a fingerprint line and an 11-line picture");
        for (int i = 0; i < ours.Count; i++)
            string.Join("\n", theirs.Skip(i * 12 + 1).Take(11)).Should().Be(ours[i].Art);
        ours.Should().Contain(k => k.Art.Contains('^'), "some cell reached the last count");
    }

    public static IEnumerable<object[]> WriteMatrix()
    {
        var types = new (KeyAlgorithm, int?)[]
        {
            (KeyAlgorithm.Rsa, 2048),
            (KeyAlgorithm.Rsa, 4096),
            (KeyAlgorithm.Ecdsa, 256),
            (KeyAlgorithm.Ecdsa, 384),
            (KeyAlgorithm.Ecdsa, 521),
            (KeyAlgorithm.Ed25519, null),
        };
        foreach (var (alg, bits) in types)
        foreach (var fmt in new[] { PrivateKeyFormat.Pem, PrivateKeyFormat.OpenSsh })
        foreach (var enc in new[] { false, true })
            if (!(alg == KeyAlgorithm.Ed25519 && fmt == PrivateKeyFormat.Pem))
                yield return new object[] { alg, bits!, fmt, enc };
    }

    [Theory]
    [MemberData(nameof(WriteMatrix))]
    public void SshKeygenReadsTheKeysWeWrite(KeyAlgorithm algorithm, int? bits, PrivateKeyFormat format, bool encrypted)
    {
        using var dir = new TempDir();
        var path = dir["key"];
        var info = KeyFiles.Generate(
            path,
            algorithm,
            bits,
            format,
            encrypted ? SshKeygenFixture.Passphrase : null,
            "we@test",
            overwrite: false
        );
        var text = File.ReadAllText(path);
        text.Should()
            .StartWith(
                format == PrivateKeyFormat.OpenSsh ? "-----BEGIN OPENSSH PRIVATE KEY-----"
                : algorithm == KeyAlgorithm.Rsa ? "-----BEGIN RSA PRIVATE KEY-----"
                : "-----BEGIN EC PRIVATE KEY-----"
            );
        if (encrypted && format == PrivateKeyFormat.Pem)
            text.Should().Contain("Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,");
        var y = Tool.Ok("ssh-keygen", "-y", "-P", encrypted ? SshKeygenFixture.Passphrase : "", "-f", path).Trim();
        info.PublicKey.Should().StartWith(y.Split(' ')[0] + " " + y.Split(' ')[1]);
        File.ReadAllText(path + ".pub").Trim().Should().Be(info.PublicKey);
        SshKeygenFixture.Fingerprint(path + ".pub").Should().Contain(info.FingerprintSha256!);
        if (!OperatingSystem.IsWindows())
            (File.GetUnixFileMode(path) & (UnixFileMode)0x1FF)
                .Should()
                .Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (encrypted)
            Tool.Run("ssh-keygen", new[] { "-y", "-P", "wrong", "-f", path }).Exit.Should().NotBe(0);
    }

    [Theory]
    [InlineData("rsa-2048-OpenSSH-enc", PrivateKeyFormat.Pem)]
    [InlineData("ecdsa-384-PKCS8-enc", PrivateKeyFormat.Pem)]
    [InlineData("rsa-3072-PEM", PrivateKeyFormat.OpenSsh)]
    [InlineData("dsa-1024-PEM", PrivateKeyFormat.OpenSsh)]
    [InlineData("dsa-1024-OpenSSH", PrivateKeyFormat.Pem)]
    [InlineData("ed25519-256-OpenSSH-chacha20-poly1305@openssh.com", PrivateKeyFormat.OpenSsh)]
    public void ConvertKeepsTheKeyAndSshKeygenAgrees(string name, PrivateKeyFormat format)
    {
        using var dir = new TempDir();
        var src = _fx.Keys[name];
        var dest = dir["converted"];
        var before = SshKeygenFixture.Fingerprint(src + ".pub").Split(' ')[1];
        var encrypted = name.EndsWith("enc") || name.Contains('@');
        var info = KeyFiles.Convert(
            src,
            format,
            encrypted ? SshKeygenFixture.Passphrase : null,
            newPassphrase: "new pass",
            dest,
            overwrite: false
        );
        info.FingerprintSha256.Should().Be(before);
        Tool.Ok("ssh-keygen", "-y", "-P", "new pass", "-f", dest).Should().Contain(info.PublicKey!.Split(' ')[1]);
        KeyFiles.Convert(dest, null, "new pass", newPassphrase: "", null, overwrite: false);
        Tool.Ok("ssh-keygen", "-y", "-P", "", "-f", dest).Should().Contain(info.PublicKey!.Split(' ')[1]);
        KeyReader.ReadFile(dest).IsEncrypted.Should().BeFalse();
    }
}
