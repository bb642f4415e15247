using FluentAssertions;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// Files people give that are not keys SSH can use, made by the real tools that write them (openssl, puttygen,
/// ssh-keygen): each is refused with its own error id and the whole sentence that says what to do.
/// </summary>
public sealed class KeyReaderRefusalsTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public KeyReaderRefusalsTests(SshKeygenFixture fx) => _fx = fx;

    private static KeyFormatException Refusal(string text, string? passphrase = null)
    {
        var act = () => KeyReader.Read(text, passphrase);
        return act.Should().Throw<KeyFormatException>().Which;
    }

    private static string OpenSsl(TempDir dir, string name, params string[] args)
    {
        Tool.Ok("openssl", args.Take(1).Concat(new[] { "-out", dir[name] }).Concat(args.Skip(1)).ToArray());
        return File.ReadAllText(dir[name]);
    }

    [Fact]
    public void AnSshComKeyFromPuttygenIsNamedWithItsConversion()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "rsa", "-b", "2048", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        Tool.Ok("puttygen", dir["key.ppk"], "-O", "private-sshcom", "-o", dir["key.sshcom"]);
        var e = Refusal(File.ReadAllText(dir["key.sshcom"]));
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        e.Message.Should()
            .Be(
                "This is an ssh.com (Tectia) private key. Export it in OpenSSH format with ssh-keygen -i, "
                    + "then convert it with Convert-GitSshKey -Format Pem."
            );
        // The export the message gives makes a key that is read.
        KeyReader.Read(Tool.Ok("ssh-keygen", "-i", "-f", dir["key.sshcom"])).Algorithm.Should().Be(KeyAlgorithm.Rsa);
    }

    [Fact]
    public void APemBlockOfAnotherKindIsNamedByItsLabel()
    {
        using var dir = new TempDir();
        var e = Refusal(OpenSsl(dir, "ec.pem", "ecparam", "-name", "prime256v1"));
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        e.Message.Should()
            .Be(
                "A PEM block labelled 'EC PARAMETERS' is not an SSH private key. Give the SSH private key file "
                    + "(New-GitSshKey makes one)."
            );
    }

    private string EncryptedPem() => File.ReadAllText(_fx.Keys["rsa-2048-PEM-enc"]);

    private static string DekInfo(string pem) => pem.Split('\n').Single(l => l.StartsWith("DEK-Info: "));

    [Fact]
    public void AnEncryptedPemWithoutItsDekInfoLineSaysToCopyTheHeadersToo()
    {
        var pem = EncryptedPem();
        var e = Refusal(pem.Replace(DekInfo(pem) + "\n", ""), SshKeygenFixture.Passphrase);
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        e.Message.Should()
            .Be("The encrypted PEM key has no valid DEK-Info line. Copy the key again, with its header lines.");
    }

    [Fact]
    public void AnEncryptedPemWithADamagedIvSaysToCopyItAgain()
    {
        var pem = EncryptedPem();
        var dek = DekInfo(pem);
        var e = Refusal(pem.Replace(dek, dek[..^2] + "zz"), SshKeygenFixture.Passphrase);
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        e.Message.Should()
            .Be("The DEK-Info line of the encrypted PEM key is damaged. Copy the key again from its original file.");
    }

    // A cut file is damage, not a wrong passphrase: asked again and again for the passphrase, the admin would never
    // find out. It is told even when no passphrase is given.
    [Theory]
    [InlineData("the IV one byte short", null)]
    [InlineData("the body one base64 quantum short", null)]
    [InlineData("the body one base64 quantum short", SshKeygenFixture.Passphrase)]
    [InlineData("the body empty", SshKeygenFixture.Passphrase)]
    public void AnEncryptedPemThatWasCutIsDamagedNotAWrongPassphrase(string cut, string? passphrase)
    {
        var pem = EncryptedPem();
        var dek = DekInfo(pem);
        var lines = pem.Split('\n').ToList();
        int end = lines.FindIndex(l => l.StartsWith("-----END "));
        var damaged = cut switch
        {
            "the IV one byte short" => pem.Replace(dek, dek[..^2]),
            "the body one base64 quantum short" => string.Join(
                "\n",
                lines.Take(end - 1).Append(lines[end - 1][..^4]).Concat(lines.Skip(end))
            ),
            _ => string.Join("\n", lines.Take(lines.IndexOf(dek) + 2).Concat(lines.Skip(end))),
        };
        damaged.Should().NotBe(pem);
        var e = Refusal(damaged, passphrase);
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        e.Message.Should()
            .Be(
                "The encrypted PEM key is damaged: its IV or its encrypted body has the wrong length for AES-128-CBC "
                    + "(a line was cut or edited). Copy the key again from its original file."
            );
    }

    [Fact]
    public void APemEncryptedWithAnUnsupportedCipherSaysHowToReEncrypt()
    {
        using var dir = new TempDir();
        // openssl's traditional RSA output, encrypted with Camellia: a cipher OpenSSH does not write.
        var pem = OpenSsl(dir, "rsa.pem", "genrsa", "-traditional", "-camellia128", "-passout", "pass:secret", "1024");
        DekInfo(pem).Should().StartWith("DEK-Info: CAMELLIA-128-CBC,");
        var e = Refusal(pem, "secret");
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        e.Message.Should()
            .Be(
                "The PEM key is encrypted with CAMELLIA-128-CBC, which is not supported (AES-128/192/256-CBC and "
                    + "DES-EDE3-CBC are). Re-encrypt it with: ssh-keygen -p -m pem -f <file>."
            );
    }

    [Theory]
    [InlineData("traditional")]
    [InlineData("pkcs8")] // it said "Only the ECDSA curves nistp256, ..." of a nistp256 key
    public void AnEcKeyWithExplicitCurveParametersSaysHowToNameTheCurve(string form)
    {
        using var dir = new TempDir();
        var pem = OpenSsl(
            dir,
            "ec.pem",
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-param_enc",
            "explicit"
        );
        if (form == "pkcs8")
            pem = OpenSsl(dir, "ec.p8", "pkcs8", "-topk8", "-nocrypt", "-in", dir["ec.pem"]);
        var e = Refusal(pem);
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        e.Message.Should()
            .Be(
                "This EC key spells out its curve parameters instead of naming the curve, which SSH does not "
                    + "accept. Convert it with: openssl ec -in <file> -param_enc named_curve."
            );
        // The command the message gives makes a key that is read.
        var given = dir[form == "pkcs8" ? "ec.p8" : "ec.pem"];
        Tool.Ok("openssl", "ec", "-in", given, "-param_enc", "named_curve", "-out", dir["named.pem"]);
        KeyReader.ReadFile(dir["named.pem"]).Algorithm.Should().Be(KeyAlgorithm.Ecdsa);
    }

    [Theory]
    [InlineData("traditional")]
    [InlineData("pkcs8")]
    [InlineData("public")]
    public void AnEcKeyOnACurveSshDoesNotUseIsRefused(string form)
    {
        using var dir = new TempDir();
        var pem = OpenSsl(dir, "k1.pem", "ecparam", "-name", "secp256k1", "-genkey", "-noout");
        if (form == "pkcs8")
            pem = OpenSsl(dir, "k1.p8", "pkcs8", "-topk8", "-nocrypt", "-in", dir["k1.pem"]);
        if (form == "public")
            pem = OpenSsl(dir, "k1.pub", "ec", "-pubout", "-in", dir["k1.pem"]);
        var e = Refusal(pem);
        e.ErrorId.Should().Be(ErrorIds.KeyAlgorithmNotSupported);
        e.Message.Should()
            .Be(
                "Only the ECDSA curves nistp256, nistp384 and nistp521 are used by SSH. Generate a new key with "
                    + "New-GitSshKey."
            );
    }

    [Theory]
    [InlineData("ed448", false)]
    [InlineData("x25519", false)]
    [InlineData("ed448", true)]
    public void AKeyTypeSshDoesNotUseIsRefused(string algorithm, bool publicHalf)
    {
        using var dir = new TempDir();
        var pem = OpenSsl(dir, "key.pem", "genpkey", "-algorithm", algorithm);
        if (publicHalf)
            pem = OpenSsl(dir, "key.pub", "pkey", "-pubout", "-in", dir["key.pem"]);
        var e = Refusal(pem);
        e.ErrorId.Should().Be(ErrorIds.KeyAlgorithmNotSupported);
        e.Message.Should()
            .Be("This key type is not used by SSH. Use an RSA, ECDSA or Ed25519 key (New-GitSshKey makes one).");
    }

    [Theory]
    [InlineData("rsa-3072-PKCS8", null)]
    [InlineData("ecdsa-256-PKCS8-enc", SshKeygenFixture.Passphrase)]
    public void APkcs8KeyHasNoCommentAsSshKeygenShows(string name, string? passphrase)
    {
        // PKCS#8 has no place for a comment: ssh-keygen -y prints the public key line without one.
        var path = _fx.Keys[name];
        var line = Tool.Ok("ssh-keygen", "-y", "-P", passphrase ?? "", "-f", path).Trim();
        KeyReader.ReadFile(path, passphrase).Key!.PublicKeyLine.Should().Be(line);
    }

    /// <summary>An ssh-keygen OpenSSH key with bytes of its container replaced (same length).</summary>
    private string PatchedOpenSsh(string name, string from, string to, int occurrence = 0)
    {
        var pem = File.ReadAllText(_fx.Keys[name]);
        var body = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && l[0] != '-')));
        var latin = System.Text.Encoding.Latin1.GetString(body);
        var at = -1;
        for (int i = 0; i <= occurrence; i++)
            at = latin.IndexOf(from, at + 1, StringComparison.Ordinal);
        at.Should().BeGreaterThan(0);
        var patched = System.Text.Encoding.Latin1.GetBytes(latin[..at] + to + latin[(at + from.Length)..]);
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + Convert.ToBase64String(patched)
            + "\n-----END OPENSSH PRIVATE KEY-----\n";
    }

    [Fact]
    public void AnOpenSshKeyWithAnotherKeyDerivationIsNamed()
    {
        var e = Refusal(PatchedOpenSsh("ed25519-256-OpenSSH-enc", "bcrypt", "scrypt"), SshKeygenFixture.Passphrase);
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "The OpenSSH key uses the key derivation 'scrypt'; only bcrypt exists in OpenSSH."
                )
            );
    }

    [Fact]
    public void AnOpenSshKeyWithZeroBcryptRoundsIsDamaged()
    {
        // kdfoptions: string salt (16 bytes), uint32 rounds (16): the rounds follow the salt.
        var rounds = "\0\0\0\u0010";
        var e = Refusal(PatchedOpenSsh("ed25519-256-OpenSSH-enc", rounds, "\0\0\0\0", 1), SshKeygenFixture.Passphrase);
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
    }

    [Fact]
    public void AnOpenSshKeyWithAKdfButNoCipherIsDamaged()
    {
        // An unencrypted key names the cipher "none" and the key derivation "none".
        var e = Refusal(PatchedOpenSsh("ed25519-256-OpenSSH", "none", "nope", 1));
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
    }

    [Fact]
    public void AnEmptyPassphraseNeverOpensAnEncryptedOpenSshKeyAsInSshKeygen()
    {
        var path = _fx.Keys["ed25519-256-OpenSSH-enc"];
        Tool.Run("ssh-keygen", new[] { "-y", "-P", "", "-f", path }).Exit.Should().NotBe(0);
        var act = () => KeyReader.ReadFile(path, "");
        act.Should().Throw<KeyPassphraseException>().Which.ErrorId.Should().Be(ErrorIds.WrongPassphrase);
    }

    [Fact]
    public void APublicKeyIsRefusedWhereThePrivateOneIsNeeded()
    {
        var doc = KeyReader.ReadFile(_fx.Keys["ed25519-256-OpenSSH"] + ".pub");
        var need = () => doc.RequirePrivate();
        var e = need.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyIsPublic,
                    "This is a public key. A private key is needed here: use the file without the .pub extension."
                )
            );
        var write = () => KeyWriter.Write(doc.Key!, PrivateKeyFormat.OpenSsh, null);
        e = write.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyIsPublic,
                    "A public key cannot be written as a private key file. Read the private key file instead."
                )
            );
    }

    [Fact]
    public void AnUnknownKeyTypeIsNamedWithoutTheTerminalControlCharactersItCarries()
    {
        // A type that clears the screen and retitles the window when printed: the message shows '?' for each
        // control character, so a hostile key cannot rewrite what the admin's console shows.
        var type = "x-\u001b[2J\u001b]0;ok\u0007\u007f";
        var name = System.Text.Encoding.ASCII.GetBytes(type);
        var blob = new byte[] { 0, 0, 0, (byte)name.Length }
            .Concat(name)
            .Concat(new byte[] { 0, 0, 0, 1, 7 });
        var e = Refusal("ssh-rsa " + Convert.ToBase64String(blob.ToArray()) + " bob@example");
        e.ErrorId.Should().Be(ErrorIds.KeyAlgorithmNotSupported);
        e.Message.Should()
            .Be(
                "The key type 'x-?[2J?]0;ok??' is not supported. Use an RSA, ECDSA or Ed25519 key "
                    + "(New-GitSshKey makes one)."
            );
    }

    private static void SshKeygenRefuses(string path)
    {
        var (exit, _, err) = Tool.Run("ssh-keygen", new[] { "-l", "-f", path });
        (exit, err.Trim()).Should().Be((255, $"{path} is not a public key file."));
    }

    [Theory]
    [InlineData("ed25519-256-OpenSSH", "ssh-rsa")]
    [InlineData("ecdsa-256-OpenSSH", "ecdsa-sha2-nistp384")]
    [InlineData("rsa-2048-OpenSSH", "ssh-dss")]
    public void APublicKeyLineThatSaysAnotherTypeThanItsKeyIsRefusedAsSshKeygenRefusesIt(string name, string says)
    {
        using var dir = new TempDir();
        var line = File.ReadAllText(_fx.Keys[name] + ".pub").Trim();
        var type = line.Split(' ')[0];
        var edited = says + line[type.Length..];
        File.WriteAllText(dir["id.pub"], edited + "\n");
        SshKeygenRefuses(dir["id.pub"]);

        var read = () => KeyReader.ReadFile(dir["id.pub"]);
        var e = read.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Target, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    dir["id.pub"],
                    $"The public key line in '{dir["id.pub"]}' says '{says}' but holds an {type} key: it was "
                        + "edited or pieced together from two keys. Copy the line again, whole, from the key's .pub "
                        + "file."
                )
            );
        Refusal(edited)
            .Message.Should()
            .Be(
                $"The public key line in the pasted text says '{says}' but holds an {type} key: it was edited or "
                    + "pieced together from two keys. Copy the line again, whole, from the key's .pub file."
            );
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("infinity")]
    public void AnEcdsaPublicKeyWhosePointIsNotOnItsCurveIsRefusedAsSshKeygenRefusesIt(string damage)
    {
        using var dir = new TempDir();
        var parts = File.ReadAllText(_fx.Keys["ecdsa-256-OpenSSH"] + ".pub").Split(' ');
        var blob = Convert.FromBase64String(parts[1]);
        // The blob ends with the point: string (uint32 65) 04 X Y. A bit of Y flipped leaves the curve; a point
        // of the single byte 00 is the point at infinity, which no key is.
        if (damage == "flipped")
            blob[^1] ^= 1;
        else
            blob = blob[..^69].Concat(new byte[] { 0, 0, 0, 1, 0 }).ToArray();
        File.WriteAllText(dir["id.pub"], $"{parts[0]} {Convert.ToBase64String(blob)}\n");
        SshKeygenRefuses(dir["id.pub"]);

        var e = Refusal(File.ReadAllText(dir["id.pub"]));
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The ECDSA public point is invalid; the key is corrupt. Copy it again from its original file."
                )
            );
    }

    [Theory]
    [InlineData("zero")]
    [InlineData("order")]
    public void AnEcdsaPrivateKeyOutsideItsCurvesRangeIsRefusedAsSshKeygenRefusesIt(string scalar)
    {
        // The private scalar d must lie in 1..n-1 (n the order of the curve's base point): 0 and n are no keys.
        using var dir = new TempDir();
        var pem = File.ReadAllText(_fx.Keys["ecdsa-256-PEM"]);
        var der = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && l[0] != '-')));
        var fields = Asn1Sequence.GetInstance(der).ToArray();
        var n = SecNamedCurves.GetByName("secp256r1").N;
        fields[1] = new DerOctetString(scalar == "zero" ? new byte[32] : n.ToByteArrayUnsigned());
        var damaged =
            "-----BEGIN EC PRIVATE KEY-----\n"
            + Convert.ToBase64String(new DerSequence(fields).GetEncoded())
            + "\n-----END EC PRIVATE KEY-----\n";
        File.WriteAllText(dir["id"], damaged);
        Tool.Ok("chmod", "600", dir["id"]);
        Tool.Run("ssh-keygen", new[] { "-y", "-f", dir["id"] }).Exit.Should().NotBe(0);

        var e = Refusal(damaged);
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The key data is truncated or malformed. Copy the key again from its original file, without "
                        + "editing it."
                )
            );
    }

    private const string Malformed =
        "The key data is truncated or malformed. Copy the key again from its original file, without editing it.";

    private static byte[] Wire(params object[] fields) =>
        fields.Aggregate(new SshWriter(), (w, f) => f is string t ? w.String(t) : w.String((byte[])f)).ToArray();

    /// <summary>An odd number of exactly <paramref name="bits"/> bits with no prime factor under 1000.</summary>
    private static byte[] Modulus(int bits)
    {
        var n = System.Numerics.BigInteger.One << (bits - 1);
        for (n += 1; Enumerable.Range(2, 998).Any(p => n % p == 0); n += 2) { }
        return n.ToByteArray(isUnsigned: true, isBigEndian: true).Prepend((byte)0).ToArray();
    }

    /// <summary>Writes the line to a .pub file and checks that ssh-keygen lists it, or refuses it.</summary>
    private static string PublicLine(TempDir dir, string type, byte[] blob, bool keygenAccepts)
    {
        var line = $"{type} {Convert.ToBase64String(blob)}";
        File.WriteAllText(dir["id.pub"], line + "\n");
        if (keygenAccepts)
            Tool.Ok("ssh-keygen", "-l", "-f", dir["id.pub"]);
        else
            SshKeygenRefuses(dir["id.pub"]);
        return line;
    }

    [Fact]
    public void AnRsaKeyOfSixteenThousandBitsIsTheLargestReadAsInSshKeygen()
    {
        using var dir = new TempDir();
        var e = new byte[] { 1, 0, 1 };
        var line = PublicLine(dir, "ssh-rsa", Wire("ssh-rsa", e, Modulus(16384)), keygenAccepts: true);
        KeyReader.Read(line).Key!.Bits.Should().Be(16384);

        line = PublicLine(dir, "ssh-rsa", Wire("ssh-rsa", e, Modulus(16385)), keygenAccepts: false);
        (Refusal(line).ErrorId, Refusal(line).Message)
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
    public void APublicKeyWithBytesAfterItsFieldsIsRefusedAsSshKeygenRefusesIt()
    {
        using var dir = new TempDir();
        var parts = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Split(' ');
        var blob = Convert.FromBase64String(parts[1]).Append((byte)0).ToArray();
        var e = Refusal(PublicLine(dir, parts[0], blob, keygenAccepts: false));
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Malformed));
    }

    [Fact]
    public void AnRsaKeyWithANegativeExponentIsRefusedAsSshKeygenRefusesIt()
    {
        using var dir = new TempDir();
        var blob = Wire("ssh-rsa", new byte[] { 0x80, 1 }, Modulus(2048));
        var e = Refusal(PublicLine(dir, "ssh-rsa", blob, keygenAccepts: false));
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Malformed));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ALengthWithAHighByteSetIsRefusedAsSshKeygenRefusesIt(int at)
    {
        // The type name's length, 11, with byte 0 or 1 of its four set: a length past the end of the key.
        using var dir = new TempDir();
        var parts = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Split(' ');
        var blob = Convert.FromBase64String(parts[1]);
        blob[at] = 1;
        var e = Refusal(PublicLine(dir, parts[0], blob, keygenAccepts: false));
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Malformed));
    }

    [Fact]
    public void AnEcdsaKeyOnACurveNamedByItsOidIsRefusedAsSshKeygenRefusesIt()
    {
        // RFC 5656 names other curves by OID: 1.3.132.0.10 is secp256k1, which SSH implementations do not use.
        using var dir = new TempDir();
        var point = Convert.FromBase64String(File.ReadAllText(_fx.Keys["ecdsa-256-OpenSSH"] + ".pub").Split(' ')[1]);
        var blob = Wire("ecdsa-sha2-1.3.132.0.10", "1.3.132.0.10", point[^65..]);
        PublicLine(dir, "ecdsa-sha2-1.3.132.0.10", blob, keygenAccepts: false);
        var e = Refusal("ecdsa-sha2-nistp256 " + Convert.ToBase64String(blob));
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyAlgorithmNotSupported,
                    "The ECDSA curve '1.3.132.0.10' is not supported; SSH uses nistp256, nistp384 and nistp521."
                )
            );
    }

    [Fact]
    public void AnEncryptedOpenSshKeyCutShortOfItsTagIsRefusedAsSshKeygenRefusesIt()
    {
        // AES-GCM keeps a 16-byte authentication tag after the encrypted part: the file ends without it.
        using var dir = new TempDir();
        var pem = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH-aes256-gcm@openssh.com"]);
        var body = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && l[0] != '-')));
        var cut =
            "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + Convert.ToBase64String(body[..^16])
            + "\n-----END OPENSSH PRIVATE KEY-----\n";
        File.WriteAllText(dir["id"], cut);
        Tool.Ok("chmod", "600", dir["id"]);
        Tool.Run("ssh-keygen", new[] { "-y", "-P", SshKeygenFixture.Passphrase, "-f", dir["id"] })
            .Exit.Should()
            .NotBe(0);
        var e = Refusal(cut, SshKeygenFixture.Passphrase);
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Malformed));
    }

    [Fact]
    public void AKeyFileThatIsNotThereIsNamedWithWhereToLook()
    {
        using var dir = new TempDir();
        var read = () => KeyReader.ReadFile(dir["id_rsa"]);
        var e = read.Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind, e.Target, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFileNotFound,
                    ErrorKind.ObjectNotFound,
                    dir["id_rsa"],
                    $"The key file '{dir["id_rsa"]}' does not exist. Check the path, or list your keys with "
                        + "Get-GitSshKey."
                )
            );
    }

    [Fact]
    public void AFileOrTextLargerThanAnyKeyIsRefusedUnread()
    {
        using var dir = new TempDir();
        var big = new string('A', KeyText.MaxKeyFileBytes + 1);
        File.WriteAllText(dir["big"], big);
        var read = () => KeyReader.ReadFile(dir["big"]);
        var e = read.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyTooLarge,
                    $"'{dir["big"]}' is larger than any SSH key file (256 KiB at most). Give the path of the key "
                        + "itself."
                )
            );
        e = Refusal(big);
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyTooLarge,
                    "The text is larger than any SSH key file (256 KiB at most). Give the path of the key itself."
                )
            );
        // 256 KiB itself is within the bound: that text is judged, and is no key.
        Refusal(big[1..]).ErrorId.Should().Be(ErrorIds.KeyFormatNotRecognized);
    }
}
