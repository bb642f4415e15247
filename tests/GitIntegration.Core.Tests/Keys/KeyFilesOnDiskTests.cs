using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.IO;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// The files New-, Get- and Convert-GitSshKey leave on disk, checked against what ssh-keygen makes and reads, and
/// the whole sentence (with the file it names) of each refusal.
/// </summary>
public sealed class KeyFilesOnDiskTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static GitIntegrationException Refusal(Action act) =>
        FluentActions.Invoking(act).Should().Throw<GitIntegrationException>().Which;

    /// <summary>A .pub made by ssh-keygen in this process: its mode is what the umask leaves of 0644.</summary>
    private int SshKeygenPubMode()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", _dir["ref"]);
        return SecondProcess.Mode(_dir["ref.pub"]);
    }

    [Fact]
    public void TheDefaultFolderIsTheUsersSshFolder()
    {
        KeyFiles.DefaultFolder.Should().Be(Path.Combine(Environment.GetEnvironmentVariable("HOME")!, ".ssh"));
    }

    [Fact]
    public void AGeneratedKeyIsWrittenAsSshKeygenWritesIt()
    {
        var path = _dir["id"];
        var info = KeyFiles.Generate(path, KeyAlgorithm.Ecdsa, 256, PrivateKeyFormat.Pem, null, "me@host", false);

        info.Format.Should().Be(KeyFormat.Pem);
        info.IsPrivate.Should().BeTrue();
        File.ReadAllText(path).Should().StartWith("-----BEGIN EC PRIVATE KEY-----\n");
        // ssh-keygen -y derives the public line from the private key; the .pub holds it with the comment.
        var derived = Tool.Ok("ssh-keygen", "-y", "-f", path).TrimEnd('\n');
        File.ReadAllText(path + ".pub").Should().Be(derived + " me@host\n");
        SecondProcess.Mode(path).Should().Be(0x180);
        SecondProcess.Mode(path + ".pub").Should().Be(SshKeygenPubMode());
    }

    [Fact]
    public void AnEd25519KeyIsNotGeneratedInPemForm()
    {
        var path = _dir["ed"];
        var e = Refusal(() =>
            KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.Pem, null, "", false)
        );
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "An Ed25519 key has no OpenSSL PEM form. Use -Format OpenSsh, or -Type Rsa for the integration's "
                        + "PEM format."
                )
            );
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void AnExistingKeyIsNamedAndLeftAsItIs()
    {
        var path = _dir["id"];
        File.WriteAllText(path, "mine");
        var e = Refusal(() =>
            KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "", false)
        );
        (e.ErrorId, e.Kind, e.Target, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFileExists,
                    ErrorKind.ResourceExists,
                    path,
                    $"A key already exists at '{path}'. It was left as it is: use -Force to replace it, or choose "
                        + "another -Path."
                )
            );
        File.ReadAllText(path).Should().Be("mine");
    }

    [Fact]
    public void FindPassesOverTheFilesOfTheSshFolderThatHoldKeyLinesButAreNotKeys()
    {
        KeyFiles.Generate(_dir["id"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "me", false);
        var line = File.ReadAllText(_dir["id.pub"]);
        foreach (var name in new[] { "known_hosts.old", "config", "authorized_keys", "authorized_keys2" })
            File.WriteAllText(_dir[name], line);
        foreach (var name in new[] { "environment", "rc" })
            File.WriteAllText(_dir[name], line);

        KeyFiles.Find(_dir.Path, recurse: false).Select(f => Path.GetFileName(f.Path)).Should().Equal("id");
    }

    [Fact]
    public void FindLooksIntoSubfoldersOnlyWhenAskedTo()
    {
        Directory.CreateDirectory(_dir["team/ops"]);
        KeyFiles.Generate(_dir["top"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "t", false);
        KeyFiles.Generate(
            _dir["team/ops/deploy"],
            KeyAlgorithm.Ed25519,
            null,
            PrivateKeyFormat.OpenSsh,
            null,
            "d",
            false
        );

        KeyFiles.Find(_dir.Path, recurse: false).Select(f => f.Path).Should().Equal(_dir["top"]);
        KeyFiles
            .Find(_dir.Path, recurse: true)
            .Select(f => f.Path)
            .Should()
            .Equal(_dir["team/ops/deploy"], _dir["top"]);
    }

    [Fact]
    public void FindListsABackupCopyBesideTheKey()
    {
        // "deploy.old" is four characters longer than "deploy": it is a key of its own, not deploy's .pub.
        KeyFiles.Generate(_dir["deploy"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "d", false);
        File.Copy(_dir["deploy"], _dir["deploy.old"]);
        KeyFiles
            .Find(_dir.Path, recurse: false)
            .Select(f => Path.GetFileName(f.Path))
            .Should()
            .Equal("deploy", "deploy.old");
    }

    [Fact]
    public void FindListsAKeyFileOfTheLargestSizeReadAndPassesOverALargerOne()
    {
        var key = KeyGenerator.Generate(KeyAlgorithm.Ed25519, null, "big");
        string Padded(int size) => key.PublicKeyLine + new string('\n', size - key.PublicKeyLine.Length);
        File.WriteAllText(_dir["at.pub"], Padded(KeyText.MaxKeyFileBytes));
        File.WriteAllText(_dir["over.pub"], Padded(KeyText.MaxKeyFileBytes + 1));
        new FileInfo(_dir["at.pub"]).Length.Should().Be(KeyText.MaxKeyFileBytes);

        var found = KeyFiles.Find(_dir.Path, recurse: false).ToList();
        found.Select(f => Path.GetFileName(f.Path)).Should().Equal("at.pub");
        found[0].Info!.FingerprintSha256.Should().Be(key.FingerprintSha256);
    }

    [Fact]
    public void APemKeyTakesTheCommentOfItsPublicHalfAndAnOpenSshKeyKeepsItsOwn()
    {
        // ssh-keygen -l of a private key shows the comment of the .pub beside it: PEM has no place for one.
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-C", "from the pub", "-f", _dir["pem"]);
        KeyFiles.Inspect(_dir["pem"]).Info.Comment.Should().Be("from the pub");
        SshKeygenFixture.Fingerprint(_dir["pem"]).Should().Contain(" from the pub ");

        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "inside", "-f", _dir["ossh"]);
        var pub = File.ReadAllText(_dir["ossh.pub"]);
        File.WriteAllText(_dir["ossh.pub"], pub.Replace(" inside", " edited pub"));
        KeyFiles.Inspect(_dir["ossh"]).Info.Comment.Should().Be("inside");
    }

    [Fact]
    public void APubFileThatHoldsAPrivateKeyIsNotTakenForThePublicHalf()
    {
        KeyFiles.Generate(_dir["id"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false);
        File.Copy(_dir["id"], _dir["id.pub"], overwrite: true);
        KeyFiles.ReadSiblingPublic(_dir["id"]).Should().BeNull();
        KeyFiles.Inspect(_dir["id"]).Info.PublicKeyPath.Should().BeNull();
    }

    [Fact]
    public void APuttyKeyIsNotConvertedInPlace()
    {
        var ppk = _dir["key.ppk"];
        File.WriteAllText(ppk, PpkFormat.Write(KeyGenerator.Generate(KeyAlgorithm.Ecdsa, 256, "p"), null));
        var e = Refusal(() => KeyFiles.RefuseConversion(ppk, PrivateKeyFormat.Pem, inPlace: true));
        (e.ErrorId, e.Target, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    ppk,
                    $"'{ppk}' is a PuTTY key; converting it in place would leave PEM text in a .ppk file. Use "
                        + $"ConvertFrom-PuttyKey -Path '{ppk}', which writes the key beside it."
                )
            );
    }

    [Fact]
    public void AnEd25519KeyIsNotConvertedToPem()
    {
        var ed = _dir["ed"];
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", ed);
        var e = Refusal(() => KeyFiles.RefuseConversion(ed, PrivateKeyFormat.Pem, inPlace: false));
        (e.ErrorId, e.Target, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    ed,
                    $"'{ed}' holds an Ed25519 key, which has no OpenSSL PEM form; it can only be written in OpenSSH "
                        + "format (-Format OpenSsh). If the integration demands PEM, use an RSA key."
                )
            );
    }

    [Fact]
    public void ConvertingAPemKeyToOpenSshCarriesTheCommentOfItsPub()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-C", "ops@host", "-f", _dir["pem"]);
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-m", "PEM", "-N", "", "-f", _dir["bare"]);
        File.Delete(_dir["bare.pub"]);

        KeyFiles.Convert(_dir["pem"], PrivateKeyFormat.OpenSsh, null, null, _dir["out"], overwrite: false);
        KeyFiles.Convert(_dir["bare"], PrivateKeyFormat.OpenSsh, null, null, _dir["bout"], overwrite: false);

        // The comment is inside the OpenSSH file now: ssh-keygen shows it with no .pub beside it.
        File.Delete(_dir["out.pub"]);
        File.Delete(_dir["bout.pub"]);
        SshKeygenFixture.Fingerprint(_dir["out"]).Should().EndWith(" ops@host (ECDSA)");
        SshKeygenFixture.Fingerprint(_dir["bout"]).Should().EndWith("  (ECDSA)", "a key without a comment has none");
    }

    [Fact]
    public void AConvertedKeyIsWrittenWithItsPubBesideIt()
    {
        var made = KeyFiles.Generate(_dir["id"], KeyAlgorithm.Ecdsa, 256, PrivateKeyFormat.OpenSsh, null, "c", false);
        var info = KeyFiles.Convert(_dir["id"], PrivateKeyFormat.Pem, null, null, _dir["out"], overwrite: false);

        (info.IsPrivate, info.Format, info.PublicKeyPath).Should().Be((true, KeyFormat.Pem, _dir["out.pub"]));
        File.ReadAllText(_dir["out.pub"]).Should().Be(Tool.Ok("ssh-keygen", "-y", "-f", _dir["id"]));
        SecondProcess.Mode(_dir["out.pub"]).Should().Be(SshKeygenPubMode());
        info.FingerprintSha256.Should().Be(made.FingerprintSha256);
    }

    [Fact]
    public void AConvertedKeyDoesNotClaimAPubOfAnotherKey()
    {
        KeyFiles.Generate(_dir["id"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false);
        KeyFiles.Generate(_dir["other"], KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "o", false);
        File.Copy(_dir["other.pub"], _dir["out.pub"]);

        var info = KeyFiles.Convert(_dir["id"], PrivateKeyFormat.OpenSsh, null, null, _dir["out"], overwrite: false);

        info.PublicKeyPath.Should().BeNull();
        File.ReadAllText(_dir["out.pub"]).Should().Be(File.ReadAllText(_dir["other.pub"]));
    }

    [Fact]
    public void APathThatDiffersOnlyInCaseIsAnotherFileOnLinux()
    {
        var made = KeyFiles.Generate(
            _dir["key"],
            KeyAlgorithm.Ed25519,
            null,
            PrivateKeyFormat.OpenSsh,
            null,
            "",
            false
        );
        var before = File.ReadAllText(_dir["key"]);

        KeyFiles.Convert(_dir["key"], null, null, "pw", _dir["KEY"], overwrite: false);

        File.ReadAllText(_dir["key"]).Should().Be(before);
        Tool.Ok("ssh-keygen", "-y", "-P", "pw", "-f", _dir["KEY"]).Trim().Should().Be(made.PublicKey);
    }

    [Fact]
    public void APassphraseGivenForAnUnencryptedKeyDoesNotEncryptTheConvertedOne()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", _dir["id"]);
        var info = KeyFiles.Convert(_dir["id"], PrivateKeyFormat.Pem, "unneeded", null, _dir["out"], false);
        info.IsEncrypted.Should().BeFalse();
        File.ReadAllText(_dir["out"]).Should().NotContain("ENCRYPTED");
        Tool.Ok("ssh-keygen", "-y", "-P", "", "-f", _dir["out"]).Should().StartWith("ecdsa-sha2-nistp256 ");
    }

    [Fact]
    public void ConvertingALooseKeyInPlaceWarnsInWholeSentences()
    {
        var path = _dir["id"];
        KeyFiles.Generate(path, KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh, null, "c", false);
        Tool.Ok("chmod", "640", path);
        var warnings = new List<string>();
        KeyFiles.Convert(path, null, null, "pw", null, overwrite: false, warnings.Add);
        warnings
            .Should()
            .Equal(
                $"Others could read or change '{path}' (permissions 640). The converted key is readable by you only "
                    + "now (600); anyone who read it before may hold a copy."
            );
    }
}
