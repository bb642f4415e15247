using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;
using Xunit;

namespace GitIntegration.Core.Tests.Putty;

[CollectionDefinition("puttygen")]
public sealed class PuttygenCollection : ICollectionFixture<PuttygenFixture> { }

/// <summary>
/// The matrix against puttygen 0.78, both ways: we read what it writes, it reads what we write.
/// </summary>
[Collection("puttygen")]
public sealed class PuttygenInteropTests
{
    private readonly PuttygenFixture _fx;

    public PuttygenInteropTests(PuttygenFixture fx) => _fx = fx;

    public static IEnumerable<object[]> Cells() => PuttygenFixture.CellNames();

    public static IEnumerable<object[]> WritableCells() =>
        PuttygenFixture.Cells().Where(c => !c.Key.StartsWith("dsa")).Select(c => new object[] { c.Name });

    [Theory]
    [MemberData(nameof(Cells))]
    public void ReadsPuttygenFiles(string cellName)
    {
        var cell = _fx.CellsByName[cellName];
        var path = _fx.Ppk[cellName];
        var expected = _fx.BaseKey(cell.Key);

        var clear = KeyReader.ReadFile(path);
        clear.Format.Should().Be(KeyFormat.Ppk);
        clear.PpkVersion.Should().Be(cell.Version);
        clear.IsEncrypted.Should().Be(cell.Encrypted);
        clear.Cipher.Should().Be(cell.Encrypted ? "aes256-cbc" : null);
        clear
            .Key!.FingerprintSha256.Should()
            .Be(PuttygenFixture.PuttygenFingerprint(path), "the public half is read without the passphrase");
        clear.Key.Comment.Should().Be($"{cell.Key}@puttygen fixture");
        clear.PrivateKeyAvailable.Should().Be(!cell.Encrypted);

        var full = KeyReader.ReadFile(path, PuttygenFixture.Passphrase);
        PuttygenFixture.ShouldBeSamePrivate(full.Key!, expected);
        full.Key!.Comment.Should().Be($"{cell.Key}@puttygen fixture");
    }

    [Theory]
    [MemberData(nameof(WritableCells))]
    public void PuttygenReadsWhatWeWrite(string cellName)
    {
        var cell = _fx.CellsByName[cellName];
        var key = _fx.BaseKey(cell.Key);
        using var dir = new TempDir();
        var ppk = dir["ours.ppk"];
        var text = PpkFormat.Write(key, cell.Encrypted ? PuttygenFixture.Passphrase : null, cell.Options);
        File.WriteAllText(ppk, text);

        text.Should().StartWith($"PuTTY-User-Key-File-{cell.Version}: {key.SshType}\n");
        if (cell.Version == 3 && cell.Encrypted)
            text.Should()
                .Contain(
                    $"Key-Derivation: {cell.Kdf}\nArgon2-Memory: {(cell.Defaults ? 8192 : PpkCell.SmallMemoryKiB)}\n"
                )
                .And.Contain($"Argon2-Parallelism: {cell.Parallelism}\n");
        PuttygenFixture.PuttygenFingerprint(ppk).Should().Be(key.FingerprintSha256);

        // puttygen decrypts and verifies the MAC, then exports the private key, which we read back.
        var exported = dir["exported"];
        Tool.Ok("puttygen", ppk, "--old-passphrase", _fx.PassphraseFile, "-O", "private-openssh", "-o", exported);
        PuttygenFixture.ShouldBeSamePrivate(
            KeyReader.ReadFile(exported, PuttygenFixture.Passphrase).RequirePrivate(),
            key
        );
        if (cell.Encrypted)
            Tool.Run(
                    "puttygen",
                    new[] { ppk, "--old-passphrase", "/dev/null", "-O", "private-openssh", "-o", dir["wrong"] }
                )
                .Exit.Should()
                .NotBe(0, "puttygen must refuse the file without its passphrase");
    }

    [Fact]
    public void DsaIsReadButNotWritten()
    {
        var key = KeyReader.ReadFile(_fx.Ppk["dsa1024-v3-none"]).RequirePrivate();
        PuttygenFixture.ShouldBeSamePrivate(key, _fx.BaseKey("dsa1024"));
        var act = () => PpkFormat.Write(key, null);
        act.Should().Throw<KeyFormatException>().Which.ErrorId.Should().Be(ErrorIds.KeyAlgorithmNotSupported);
    }

    [Fact]
    public void ConvertFromRefusesWhatItCannotWriteBeforeAskingForThePassphrase()
    {
        using var dir = new TempDir();
        var ed = dir["ed.ppk"];
        File.Copy(_fx.Ppk["ed25519-v3-argon2d-p1"], ed);
        var rsa = dir["rsa.key"];
        File.Copy(_fx.Ppk["rsa2048-v3-argon2id-p1"], rsa);
        string Refused(Action act) =>
            FluentActions.Invoking(act).Should().Throw<GitIntegrationException>().Which.ErrorId;

        Refused(() => PuttyKeyFiles.PlanConvertFrom(ed, PrivateKeyFormat.Pem, null, false))
            .Should()
            .Be(ErrorIds.KeyFormatNotSupported, "Ed25519 has no PEM form");
        Refused(() => PuttyKeyFiles.PlanConvertFrom(rsa, null, null, false))
            .Should()
            .Be(ErrorIds.InvalidKeyParameters, "a name without .ppk gives no destination");
        PuttyKeyFiles.PlanConvertFrom(rsa, null, dir["rsa.pem"], false).Format.Should().Be(PrivateKeyFormat.Pem);
        File.WriteAllText(dir["ed"], "already there");
        Refused(() => PuttyKeyFiles.PlanConvertFrom(ed, null, null, false)).Should().Be(ErrorIds.KeyFileExists);
        PuttyKeyFiles.PlanConvertFrom(ed, PrivateKeyFormat.OpenSsh, null, true).Destination.Should().Be(dir["ed"]);
        var (exit, _, err) = Tool.Run(
            "ssh-keygen",
            new[] { "-q", "-t", "ed25519", "-N", "", "-f", dir["openssh.ppk"] }
        );
        exit.Should().Be(0, err);
        Refused(() => PuttyKeyFiles.PlanConvertFrom(dir["openssh.ppk"], null, dir["out"], false))
            .Should()
            .Be(ErrorIds.KeyFormatNotSupported, "an OpenSSH key is not a PuTTY key whatever its name");
    }

    [Theory]
    [InlineData("rsa2048-v3-argon2id-p1", "BEGIN RSA PRIVATE KEY")]
    [InlineData("rsa4096-v2-aes", "BEGIN RSA PRIVATE KEY")]
    [InlineData("ecdsa521-v3-argon2i-p2", "BEGIN EC PRIVATE KEY")]
    [InlineData("ecdsa256-v2-none", "BEGIN EC PRIVATE KEY")]
    [InlineData("ed25519-v3-argon2d-p1", "BEGIN OPENSSH PRIVATE KEY")]
    public void ConvertFromWritesKeysSshKeygenUses(string cellName, string begin)
    {
        var cell = _fx.CellsByName[cellName];
        using var dir = new TempDir();
        var ppk = dir["key.ppk"];
        File.Copy(_fx.Ppk[cellName], ppk);
        var key = KeyReader.ReadFile(ppk).Key!;
        var warnings = new List<string>();
        var plan = PuttyKeyFiles.PlanConvertFrom(ppk, null, null, false, warnings.Add);
        var destination = plan.Destination;
        warnings.Should().HaveCount(key.Algorithm == KeyAlgorithm.Ed25519 ? 1 : 0, "only Ed25519 is not PEM");
        double lastProgress = 0;

        var info = PuttyKeyFiles.ConvertFrom(
            ppk,
            PuttygenFixture.Passphrase,
            plan.Format,
            null,
            destination,
            false,
            p => lastProgress = p
        );

        destination.Should().Be(dir["key"]);
        info.Path.Should().Be(destination);
        info.PublicKeyPath.Should().Be(destination + ".pub");
        info.IsEncrypted.Should().Be(cell.Encrypted, "the .ppk's passphrase is kept");
        info.FingerprintSha256.Should().Be(key.FingerprintSha256);
        if (cell.Version == 3 && cell.Encrypted)
            lastProgress.Should().Be(1.0);
        File.ReadAllText(destination).Should().Contain(begin);
        SecureFile.UnixMode(destination).Should().Be(0x180, "the private key is owner-only (0600)");
        var pass = cell.Encrypted ? PuttygenFixture.Passphrase : "";
        Tool.Ok("ssh-keygen", "-y", "-P", pass, "-f", destination)
            .Trim()
            .Split(' ')[1]
            .Should()
            .Be(key.PublicKeyBase64, "ssh-keygen opens the converted key");
        Tool.Ok("ssh-keygen", "-l", "-f", destination + ".pub").Should().Contain(key.FingerprintSha256);

        var again = () =>
            PuttyKeyFiles.ConvertFrom(
                ppk,
                PuttygenFixture.Passphrase,
                PrivateKeyFormat.OpenSsh,
                "",
                destination,
                false
            );
        again.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(ErrorIds.KeyFileExists);
        var plain = PuttyKeyFiles.ConvertFrom(
            ppk,
            PuttygenFixture.Passphrase,
            PrivateKeyFormat.OpenSsh,
            "",
            destination,
            true
        );
        plain.IsEncrypted.Should().BeFalse();
        Tool.Ok("ssh-keygen", "-y", "-P", "", "-f", destination).Trim().Split(' ')[1].Should().Be(key.PublicKeyBase64);
    }

    [Fact]
    public void Ed25519CannotBecomePem()
    {
        using var dir = new TempDir();
        var act = () =>
            PuttyKeyFiles.ConvertFrom(_fx.Ppk["ed25519-v2-none"], null, PrivateKeyFormat.Pem, null, dir["out"], false);
        act.Should().Throw<KeyFormatException>().Which.Message.Should().Contain("OpenSSH");
        File.Exists(dir["out"]).Should().BeFalse();
    }

    [Fact]
    public void ConvertToWritesAPpkNextToTheKeyThatPuttygenOpens()
    {
        using var dir = new TempDir();
        var source = dir["id_rsa"];
        File.Copy(_fx.Base["rsa2048"], source);
        var destination = PuttyKeyFiles.DefaultPpkPath(source);
        var info = PuttyKeyFiles.ConvertTo(
            source,
            null,
            PuttygenFixture.Passphrase,
            new PpkWriteOptions { Passes = 1 },
            destination,
            false
        );

        destination.Should().Be(dir["id_rsa.ppk"]);
        info.Format.Should().Be(KeyFormat.Ppk);
        info.IsEncrypted.Should().BeTrue();
        info.Cipher.Should().Be("aes256-cbc");
        SecureFile.UnixMode(destination).Should().Be(0x180);
        Tool.Ok("puttygen", destination, "--old-passphrase", _fx.PassphraseFile, "-O", "fingerprint")
            .Should()
            .Contain(info.FingerprintSha256);

        // A v3 .ppk rewritten as v2 for old tools keeps its passphrase and key.
        var v2 = PuttyKeyFiles.ConvertTo(
            destination,
            PuttygenFixture.Passphrase,
            null,
            new PpkWriteOptions { Version = 2 },
            dir["old.ppk"],
            false
        );
        v2.IsEncrypted.Should().BeTrue();
        File.ReadAllText(dir["old.ppk"]).Should().StartWith("PuTTY-User-Key-File-2: ssh-rsa");
        Tool.Ok(
            "puttygen",
            dir["old.ppk"],
            "--old-passphrase",
            _fx.PassphraseFile,
            "-O",
            "private-openssh",
            "-o",
            dir["back"]
        );
        PuttygenFixture.ShouldBeSamePrivate(
            KeyReader.ReadFile(dir["back"], PuttygenFixture.Passphrase).RequirePrivate(),
            _fx.BaseKey("rsa2048")
        );
    }

    [Fact]
    public void GetAndTestGitSshKeyDescribePpkFilesWithoutThePassphrase()
    {
        var path = _fx.Ppk["rsa4096-v3-argon2id-p1-default"];
        var (doc, info) = KeyFiles.Inspect(path);
        info.Format.Should().Be(KeyFormat.Ppk);
        info.IsEncrypted.Should().BeTrue();
        info.Bits.Should().Be(4096);
        info.FingerprintSha256.Should().Be(PuttygenFixture.PuttygenFingerprint(path));
        doc.PrivateKeyAvailable.Should().BeFalse();

        var found = KeyFiles.Find(_fx.Dir.Path, false).Where(f => f.Path.EndsWith(".ppk")).ToList();
        found
            .Should()
            .HaveCount(PuttygenFixture.Cells().Count())
            .And.OnlyContain(f => f.Info != null && f.Info.Format == KeyFormat.Ppk);

        var test = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration);
        test.Findings.Should()
            .Contain(f => f.Id == KeyDiagnostics.Ids.PuttyFormat && f.Remedy!.Contains("ConvertFrom-PuttyKey"));
    }
}
