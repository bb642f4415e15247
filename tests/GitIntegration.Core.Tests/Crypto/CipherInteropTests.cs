using FluentAssertions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Crypto;

/// <summary>
/// Every cipher and PBKDF2 hash the key readers accept, with files written by openssl and ssh-keygen: ssh-keygen
/// writes PEM only with AES-128-CBC and PKCS#8 only with AES-256-CBC and HMAC-SHA-256, so the other branches of
/// LegacyPemEncryption, Pbes2 and OpenSshCipher are met here, read by us and (where we write them) read back by the
/// tool.
/// </summary>
public sealed class CipherInteropTests : IDisposable
{
    private const string Passphrase = "cipher test";
    private readonly TempDir _dir = new();
    private readonly string _plainEc;
    private readonly string _publicLine;

    public CipherInteropTests()
    {
        Peer.Require("openssl", "openssl");
        _plainEc = _dir["ec.pem"];
        Tool.Ok("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", _plainEc);
        _publicLine = PublicOf(_plainEc, "");
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>"type base64" as ssh-keygen -y prints it: the tool's reading of the key file.</summary>
    private static string PublicOf(string path, string passphrase)
    {
        var y = Tool.Ok("ssh-keygen", "-y", "-P", passphrase, "-f", path).Trim().Split(' ');
        return y[0] + " " + y[1];
    }

    [Theory]
    [InlineData("-aes128", "AES-128-CBC")]
    [InlineData("-aes192", "AES-192-CBC")]
    [InlineData("-aes256", "AES-256-CBC")]
    [InlineData("-des3", "DES-EDE3-CBC")]
    public void LegacyPemOfEveryCipherIsReadAndWrittenLikeOpenssl(string opensslCipher, string dekName)
    {
        var theirs = _dir["theirs.pem"];
        Tool.Ok("openssl", "ec", "-in", _plainEc, opensslCipher, "-passout", "pass:" + Passphrase, "-out", theirs);
        var text = File.ReadAllText(theirs);
        text.Should().Contain("DEK-Info: " + dekName + ",");

        var doc = KeyReader.Read(text, Passphrase);
        doc.Cipher.Should().Be(dekName);
        doc.RequirePrivate().PublicKeyLine.Should().Be(_publicLine);
        FluentActions
            .Invoking(() => KeyReader.Read(text, "not " + Passphrase))
            .Should()
            .Throw<KeyPassphraseException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.WrongPassphrase);

        // Our file with the same cipher (named in lower case, as a user may type it) is opened by ssh-keygen.
        var ours = _dir["ours.pem"];
        var written = KeyWriter.Write(doc.Key!, PrivateKeyFormat.Pem, "new pass", dekName.ToLowerInvariant());
        SecureFile.WriteAllText(ours, written, overwrite: false);
        File.ReadAllText(ours).Should().Contain("DEK-Info: " + dekName + ",");
        PublicOf(ours, "new pass").Should().Be(_publicLine);
        Tool.Run("ssh-keygen", new[] { "-y", "-P", "wrong", "-f", ours }).Exit.Should().NotBe(0);
    }

    [Theory]
    [InlineData("aes-128-cbc", "hmacWithSHA1")]
    [InlineData("aes-192-cbc", "hmacWithSHA224")]
    [InlineData("aes-256-cbc", "hmacWithSHA256")]
    [InlineData("aes-256-cbc", "hmacWithSHA384")]
    [InlineData("des3", "hmacWithSHA512")]
    public void EncryptedPkcs8OfEveryCipherAndHashIsRead(string cipher, string prf)
    {
        var path = _dir["key.p8"];
        Tool.Ok(
            "openssl",
            "pkcs8",
            "-topk8",
            "-in",
            _plainEc,
            "-out",
            path,
            "-v2",
            cipher,
            "-v2prf",
            prf,
            "-passout",
            "pass:" + Passphrase
        );
        var text = File.ReadAllText(path);

        var doc = KeyReader.Read(text, Passphrase);
        doc.Format.Should().Be(KeyFormat.Pkcs8);
        doc.RequirePrivate().PublicKeyLine.Should().Be(_publicLine);
        PublicOf(path, Passphrase).Should().Be(_publicLine, "ssh-keygen reads the same file as the same key");
        FluentActions
            .Invoking(() => KeyReader.Read(text, "not " + Passphrase))
            .Should()
            .Throw<KeyPassphraseException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.WrongPassphrase);
    }

    [Theory]
    [InlineData("aes128-ctr")]
    [InlineData("aes192-ctr")]
    [InlineData("aes256-ctr")]
    [InlineData("aes128-cbc")]
    [InlineData("aes192-cbc")]
    [InlineData("aes256-cbc")]
    [InlineData("aes128-gcm@openssh.com")]
    [InlineData("aes256-gcm@openssh.com")]
    [InlineData("chacha20-poly1305@openssh.com")]
    [InlineData("3des-cbc")]
    public void OpenSshKeysOfEveryCipherAreReadAndWrittenLikeSshKeygen(string cipher)
    {
        var path = _dir["id"];
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-Z", cipher, "-N", Passphrase, "-C", "c", "-f", path);

        var doc = KeyReader.ReadFile(path, Passphrase);
        doc.Cipher.Should().Be(cipher);
        var key = doc.RequirePrivate();
        key.PublicKeyLine.Should().Be(PublicOf(path, Passphrase) + " c");
        FluentActions
            .Invoking(() => KeyReader.ReadFile(path, "not " + Passphrase))
            .Should()
            .Throw<KeyPassphraseException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.WrongPassphrase);
        if (cipher == "3des-cbc")
            return; // read only, as the other tools do now

        var ours = _dir["ours"];
        SecureFile.WriteAllText(ours, OpenSshFormat.Write(key, "new pass", 16, cipher), overwrite: false);
        KeyReader.ReadFile(ours, "new pass").Cipher.Should().Be(cipher);
        PublicOf(ours, "new pass").Should().Be(PublicOf(path, Passphrase), "ssh-keygen opens our file");
        Tool.Run("ssh-keygen", new[] { "-y", "-P", "wrong", "-f", ours }).Exit.Should().NotBe(0);
    }
}
