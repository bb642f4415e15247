using FluentAssertions;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Math;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// Key text as admins paste or point at it (authorized_keys lines, RFC 4716 exports, OpenSSL's public and encrypted
/// files), read as ssh-keygen and openssl read it, and the whole sentence of each refusal.
/// </summary>
public sealed class KeyReaderTextTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public KeyReaderTextTests(SshKeygenFixture fx) => _fx = fx;

    private const string NotAKey =
        "This is not an SSH key in any known format (PEM, PKCS#8, OpenSSH, PuTTY .ppk, or a public key line). Check "
        + "that you gave the key file itself.";

    private const string Damaged =
        "The key data is truncated or malformed. Copy the key again from its original file, without editing it.";

    private string Pub(string name) => File.ReadAllText(_fx.Keys[name] + ".pub").Trim();

    [Fact]
    public void AnEmptyKeySaysWhatToGive()
    {
        KeyRefusal
            .Of(" \n")
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotRecognized,
                    "The key is empty. Give the path of a key file, or paste the whole key including its BEGIN and "
                        + "END lines."
                )
            );
    }

    [Fact]
    public void KeyTextInsideABinaryFileIsNotTakenForAKey()
    {
        var pem = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"]);
        KeyRefusal.Of("\0" + pem).Should().Be((ErrorIds.KeyFormatNotRecognized, NotAKey));
        KeyRefusal.Of(pem + "\0\0").Should().Be((ErrorIds.KeyFormatNotRecognized, NotAKey));
    }

    [Fact]
    public void AKeyCutBeforeItsEndLineSaysToCopyTheLastLine()
    {
        var pem = File.ReadAllText(_fx.Keys["rsa-2048-PEM"]);
        KeyRefusal
            .Of(pem[..pem.IndexOf("-----END", StringComparison.Ordinal)])
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The key's BEGIN line has no matching END line: the key was cut while copying. Copy the whole "
                        + "key, including its last line."
                )
            );
    }

    [Fact]
    public void AFileThatFailsToReadNamesItself()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["id"], "not a key");
        var act = () => KeyReader.ReadFile(dir["id"]);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Target).Should().Be((ErrorIds.KeyFormatNotRecognized, dir["id"]));
    }

    [Theory]
    [InlineData("-pubout")]
    [InlineData("-RSAPublicKey_out")]
    public void AnOpenSslPublicKeyIsReadAsSshKeygenImportsIt(string output)
    {
        using var dir = new TempDir();
        var pem = _fx.Keys["rsa-2048-PEM"];
        Tool.Ok("openssl", "rsa", "-in", pem, output, "-out", dir["pub.pem"]);
        var doc = KeyReader.ReadFile(dir["pub.pem"]);
        (doc.Format, doc.IsPrivate, doc.IsEncrypted).Should().Be((KeyFormat.PublicPem, false, false));
        var imported = Tool.Ok("ssh-keygen", "-i", "-m", output == "-pubout" ? "PKCS8" : "PEM", "-f", dir["pub.pem"]);
        doc.Key!.PublicKeyLine.Should().Be(imported.Trim());
    }

    [Fact]
    public void AnX509CertificateSaysWhichFileToGive()
    {
        using var dir = new TempDir();
        Tool.Ok(
            "openssl",
            "req",
            "-x509",
            "-key",
            _fx.Keys["rsa-2048-PEM"],
            "-subj",
            "/CN=test",
            "-days",
            "1",
            "-out",
            dir["cert.pem"]
        );
        KeyRefusal
            .Of(File.ReadAllText(dir["cert.pem"]))
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "This is an X.509 certificate, not an SSH key. Give the SSH private key file (New-GitSshKey makes "
                        + "one)."
                )
            );
    }

    [Fact]
    public void AnEncryptedPemNamesItsCipherWithOrWithoutThePassphrase()
    {
        var path = _fx.Keys["rsa-2048-PEM-enc"];
        var cipher = File.ReadAllLines(path).Single(l => l.StartsWith("DEK-Info: "))[10..].Split(',')[0];
        KeyReader.ReadFile(path).Cipher.Should().Be(cipher);
        KeyReader.ReadFile(path, SshKeygenFixture.Passphrase).Cipher.Should().Be(cipher);
    }

    [Fact]
    public void AWrongPassphraseSaysToCheckIt()
    {
        KeyRefusal
            .Of(File.ReadAllText(_fx.Keys["ecdsa-256-PEM-enc"]), "wrong")
            .Should()
            .Be(
                (
                    ErrorIds.WrongPassphrase,
                    "The passphrase is wrong: the key could not be decrypted with it. Check the passphrase (it is "
                        + "case-sensitive) and try again."
                )
            );
    }

    [Fact]
    public void APkcs8KeyEncryptedWithAnOldSchemeSaysHowToReEncrypt()
    {
        using var dir = new TempDir();
        Tool.Ok(
            "openssl",
            "pkcs8",
            "-topk8",
            "-v1",
            "PBE-SHA1-3DES",
            "-in",
            _fx.Keys["ecdsa-256-PEM"],
            "-passout",
            "pass:secret",
            "-out",
            dir["k.p8"]
        );
        // 1.2.840.113549.1.12.1.3 is pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292, appendix C).
        KeyRefusal
            .Of(File.ReadAllText(dir["k.p8"]), "secret")
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "The PKCS#8 key is encrypted with a scheme that is not supported (1.2.840.113549.1.12.1.3). "
                        + "Re-encrypt it with: ssh-keygen -p -m pem -f <file>."
                )
            );
    }

    [Fact]
    public void APublicKeyBlockThatDoesNotDecodeIsDamaged()
    {
        KeyRefusal
            .Of("-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n")
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The key's content is damaged and cannot be decoded. Copy the key again from its original file."
                )
            );
    }

    /// <summary>A traditional DSA PEM: SEQUENCE of version, p, q, g, y, x.</summary>
    private static string DsaPem(BigInteger p, BigInteger q, BigInteger g)
    {
        var x = BigInteger.ValueOf(12345);
        var der = new DerSequence(
            DerInteger.Zero,
            new DerInteger(p),
            new DerInteger(q),
            new DerInteger(g),
            new DerInteger(g.ModPow(x, p)),
            new DerInteger(x)
        ).GetDerEncoded();
        return "-----BEGIN DSA PRIVATE KEY-----\n"
            + Convert.ToBase64String(der, Base64FormattingOptions.InsertLineBreaks)
            + "\n-----END DSA PRIVATE KEY-----\n";
    }

    [Fact]
    public void ADsaKeyIsReadUpTo3072BitsAsInOpenSsh()
    {
        // A 3,072-bit group from sshd's moduli file: a safe prime p = 2q + 1 (its size column says 3071), where 4
        // generates the subgroup of order q. Only the size check is under test, so a 3,073-bit p need not be prime.
        var hex = File.ReadLines("/etc/ssh/moduli")
            .Select(l => l.Split(' '))
            .First(f => f.Length == 7 && f[4] == "3071")[6];
        var p = new BigInteger(hex, 16);
        var q = p.ShiftRight(1);
        KeyReader.Read(DsaPem(p, q, BigInteger.ValueOf(4))).Key!.Bits.Should().Be(3072);
        var over = BigInteger.One.ShiftLeft(3072).Add(BigInteger.One);
        KeyRefusal
            .Of(DsaPem(over, q, BigInteger.ValueOf(4)))
            .Should()
            .Be(
                (
                    ErrorIds.KeyTooLarge,
                    "The key is larger than SSH allows (RSA 16384 bits, DSA 3072 bits). Generate a new key with "
                        + "New-GitSshKey."
                )
            );
    }

    [Fact]
    public void AnAuthorizedKeysFileIsReadFromItsFirstKeyLineAsSshKeygenDoes()
    {
        using var dir = new TempDir();
        var text = "# deploy keys\n\n" + Pub("ed25519-256-OpenSSH") + "\n" + Pub("rsa-2048-OpenSSH") + "\n";
        File.WriteAllText(dir["authorized_keys"], text);
        var doc = KeyReader.ReadFile(dir["authorized_keys"]);
        (doc.Format, doc.IsPrivate, doc.IsEncrypted).Should().Be((KeyFormat.PublicOpenSsh, false, false));
        Fingerprint.Line(doc.Key!).Should().Be(SshKeygenFixture.Fingerprint(dir["authorized_keys"]).Split('\n')[0]);

        KeyRefusal.Of("# only a comment\n").Should().Be((ErrorIds.KeyFormatNotRecognized, NotAKey));
    }

    [Fact]
    public void AQuotedOptionWithSpacesIsOneOptionAsInSshd()
    {
        // A forced command that mentions a key type: inside the quotes it is part of the option, not the key.
        using var dir = new TempDir();
        var line = "command=\"/usr/bin/logger ssh-rsa login\",no-pty " + Pub("ed25519-256-OpenSSH");
        File.WriteAllText(dir["authorized_keys"], line + "\n");
        Fingerprint.Line(KeyReader.Read(line).Key!).Should().Be(SshKeygenFixture.Fingerprint(dir["authorized_keys"]));
    }

    [Fact]
    public void ACommentWithSpacesIsKeptWholeAndExtraSpacesBeforeTheKeyAreIgnored()
    {
        using var dir = new TempDir();
        var fields = Pub("ecdsa-256-OpenSSH").Split(' ');
        var line = fields[0] + "  " + fields[1] + " build server key";
        File.WriteAllText(dir["k.pub"], line + "\n");
        var key = KeyReader.Read(line).Key!;
        key.Comment.Should().Be("build server key");
        Fingerprint.Line(key).Should().Be(SshKeygenFixture.Fingerprint(dir["k.pub"]));
    }

    [Fact]
    public void ACertificateSaysWhichKeyToGive()
    {
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir["ca"]);
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir["user"]);
        Tool.Ok("ssh-keygen", "-q", "-s", dir["ca"], "-I", "user", dir["user.pub"]);
        KeyRefusal
            .Of(File.ReadAllText(dir["user-cert.pub"]))
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "This is an OpenSSH certificate, not a key. Give the private key file the certificate was issued "
                        + "for."
                )
            );
    }

    [Fact]
    public void AHardwareKeySaysToGenerateAFileKey()
    {
        KeyRefusal
            .Of("sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t yubikey")
            .Should()
            .Be(
                (
                    ErrorIds.KeyAlgorithmNotSupported,
                    "This key lives on a hardware security key (FIDO), which a server cannot use. Generate a file key "
                        + "with New-GitSshKey."
                )
            );
    }

    [Fact]
    public void AnRfc4716KeyWithoutACommentHasNone()
    {
        using var dir = new TempDir();
        var rfc = Tool.Ok("ssh-keygen", "-e", "-f", _fx.Keys["ed25519-256-OpenSSH"] + ".pub");
        var bare = string.Join("\n", rfc.Split('\n').Where(l => !l.StartsWith("Comment:")));
        File.WriteAllText(dir["k.rfc"], bare);
        var doc = KeyReader.Read(bare);
        (doc.Format, doc.IsPrivate, doc.IsEncrypted).Should().Be((KeyFormat.PublicRfc4716, false, false));
        doc.Key!.Comment.Should().BeEmpty();
        doc.Key.PublicKeyLine.Should().Be(Tool.Ok("ssh-keygen", "-i", "-f", dir["k.rfc"]).Trim());
    }

    [Fact]
    public void AnRfc4716KeyCutBeforeItsEndLineSaysToCopyAllOfIt()
    {
        var rfc = Tool.Ok("ssh-keygen", "-e", "-f", _fx.Keys["ed25519-256-OpenSSH"] + ".pub");
        KeyRefusal
            .Of(rfc[..rfc.IndexOf("---- END", StringComparison.Ordinal)])
            .Should()
            .Be(
                (ErrorIds.KeyCorrupt, "The SSH2 public key has no END line: it was cut while copying. Copy all of it.")
            );
    }
}
