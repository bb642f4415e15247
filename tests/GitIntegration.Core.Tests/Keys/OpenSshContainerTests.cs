using System.Buffers.Binary;
using System.Text;
using FluentAssertions;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// ssh-keygen's OpenSSH key files with one field of the container (OpenSSH PROTOCOL.key) changed: each damage is
/// refused as ssh-keygen refuses it, with the whole sentence the admin reads.
/// </summary>
public sealed class OpenSshContainerTests : IClassFixture<SshKeygenFixture>
{
    private const string Damaged =
        "The key data is truncated or malformed. Copy the key again from its original file, without editing it.";

    private readonly SshKeygenFixture _fx;

    public OpenSshContainerTests(SshKeygenFixture fx) => _fx = fx;

    /// <summary>The fields of the container, in file order; the private section is split into its fields too.</summary>
    private sealed class Container
    {
        public byte[] Magic = Array.Empty<byte>();
        public string Cipher = "",
            Kdf = "";
        public byte[] KdfOptions = Array.Empty<byte>();
        public uint Keys;
        public byte[] PublicBlob = Array.Empty<byte>();

        /// <summary>
        /// The private section as SSH strings/uint32s; for an unencrypted key: check1, check2, type, ...
        /// </summary>
        public byte[] Section = Array.Empty<byte>();

        public static Container Parse(string pem)
        {
            var data = Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => l.Length > 0 && l[0] != '-')));
            int at = 15;
            byte[] Next()
            {
                var n = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
                var s = data.AsSpan(at + 4, n).ToArray();
                at += 4 + n;
                return s;
            }
            var c = new Container { Magic = data[..15] };
            c.Cipher = Encoding.ASCII.GetString(Next());
            c.Kdf = Encoding.ASCII.GetString(Next());
            c.KdfOptions = Next();
            c.Keys = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(at));
            at += 4;
            c.PublicBlob = Next();
            c.Section = Next();
            return c;
        }

        public string Pem()
        {
            static byte[] S(byte[] b) => U32((uint)b.Length).Concat(b).ToArray();
            var body = Magic
                .Concat(S(Encoding.ASCII.GetBytes(Cipher)))
                .Concat(S(Encoding.ASCII.GetBytes(Kdf)))
                .Concat(S(KdfOptions))
                .Concat(U32(Keys))
                .Concat(S(PublicBlob))
                .Concat(S(Section))
                .ToArray();
            return "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                + Convert.ToBase64String(body, Base64FormattingOptions.InsertLineBreaks)
                + "\n-----END OPENSSH PRIVATE KEY-----\n";
        }
    }

    private static byte[] U32(uint v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        return b;
    }

    private Container Key(string name) => Container.Parse(File.ReadAllText(_fx.Keys[name]));

    /// <summary>ssh-keygen refuses the same file (it cannot derive the public key from it).</summary>
    private static void SshKeygenRefuses(string pem, string passphrase = "")
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["k"], pem);
        Tool.Ok("chmod", "600", dir["k"]);
        Tool.Run("ssh-keygen", new[] { "-y", "-P", passphrase, "-f", dir["k"] }).Exit.Should().NotBe(0);
    }

    [Fact]
    public void AnotherSignatureIsDamageThatSaysToCopyTheKeyAgain()
    {
        var c = Key("ed25519-256-OpenSSH");
        c.Magic = Encoding.ASCII.GetBytes("openssh-key-v2\0");
        SshKeygenRefuses(c.Pem());
        KeyRefusal
            .Of(c.Pem())
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The OpenSSH key does not start with the openssh-key-v1 signature; it is damaged. Copy it again "
                        + "from its original file."
                )
            );
    }

    [Fact]
    public void TheSignatureAloneIsACutKey()
    {
        var pem =
            "-----BEGIN OPENSSH PRIVATE KEY-----\n"
            + Convert.ToBase64String(Encoding.ASCII.GetBytes("openssh-key-v1\0"))
            + "\n-----END OPENSSH PRIVATE KEY-----\n";
        KeyRefusal.Of(pem).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void AFileOfTwoKeysSaysToSplitIt()
    {
        var c = Key("ed25519-256-OpenSSH");
        c.Keys = 2;
        SshKeygenRefuses(c.Pem());
        KeyRefusal
            .Of(c.Pem())
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "The OpenSSH key file holds more than one key, which ssh-keygen never writes. Split it with "
                        + "ssh-keygen."
                )
            );
    }

    [Fact]
    public void AnUnknownCipherSaysHowToReEncrypt()
    {
        var c = Key("ed25519-256-OpenSSH-enc");
        c.Cipher = "twofish-cbc";
        SshKeygenRefuses(c.Pem(), SshKeygenFixture.Passphrase);
        KeyRefusal
            .Of(c.Pem(), SshKeygenFixture.Passphrase)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "The OpenSSH key is encrypted with 'twofish-cbc', which is not supported. Re-encrypt it with: "
                        + "ssh-keygen -p -Z aes256-ctr -f <file>."
                )
            );
    }

    private static Container WithRounds(Container c, uint rounds)
    {
        var salt = c.KdfOptions.AsSpan(4, (int)BinaryPrimitives.ReadUInt32BigEndian(c.KdfOptions)).ToArray();
        c.KdfOptions = U32((uint)salt.Length).Concat(salt).Concat(U32(rounds)).ToArray();
        return c;
    }

    [Fact]
    public void BcryptRoundsAreReadUpTo256AndMoreAreRefusedWithHowToReEncrypt()
    {
        // ssh-keygen writes aes256-ctr and 16 rounds by default; both are shown before any passphrase is asked.
        var doc = KeyReader.Read(Key("ed25519-256-OpenSSH-enc").Pem());
        (doc.Cipher, doc.KdfRounds).Should().Be(("aes256-ctr", 16));

        KeyReader.Read(WithRounds(Key("ed25519-256-OpenSSH-enc"), 256).Pem()).KdfRounds.Should().Be(256);
        KeyRefusal
            .Of(WithRounds(Key("ed25519-256-OpenSSH-enc"), 257).Pem(), SshKeygenFixture.Passphrase)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "The OpenSSH key asks for 257 bcrypt rounds. ssh-keygen writes 16 by default and guides advise "
                        + "100; more than 256 is refused, because a file can ask for hours of work on every passphrase "
                        + "tried. Re-encrypt it with: ssh-keygen -p -a 100 -f <file>."
                )
            );
    }

    /// <summary>The private section of an unencrypted key with bytes at <paramref name="offset"/> replaced.</summary>
    private Container Patched(string name, int offset, params byte[] bytes)
    {
        var c = Key(name);
        bytes.CopyTo(c.Section, offset);
        return c;
    }

    [Fact]
    public void MismatchedCheckWordsInAnUnencryptedKeyAreDamageNotAWrongPassphrase()
    {
        var c = Key("ed25519-256-OpenSSH");
        c.Section[7] ^= 1;
        SshKeygenRefuses(c.Pem());
        KeyRefusal.Of(c.Pem()).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void APrivateSectionOfAnotherTypeIsDamage()
    {
        // check1, check2, then the type: "ssh-ed25519" becomes "ssh-ed25518".
        var c = Patched("ed25519-256-OpenSSH", 8 + 4 + 10, (byte)'8');
        Encoding.ASCII.GetString(c.Section, 12, 11).Should().Be("ssh-ed25518");
        SshKeygenRefuses(c.Pem());
        KeyRefusal.Of(c.Pem()).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void WrongPaddingIsDamageAsInSshKeygen()
    {
        // The section ends with the padding bytes 1, 2, 3, ... up to the cipher's block size (8 when unencrypted).
        var c = Key("ecdsa-256-OpenSSH");
        c.Section[^1].Should().BeInRange(1, 7);
        c.Section[^1] ^= 0x40;
        SshKeygenRefuses(c.Pem());
        KeyRefusal.Of(c.Pem()).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void AnEncryptedSectionCutShortOfWholeBlocksIsDamage()
    {
        // aes256-ctr decrypts any length, so only the block count tells that the last byte of padding is gone.
        var c = Key("ed25519-256-OpenSSH-enc");
        c.Section = c.Section[..^1];
        SshKeygenRefuses(c.Pem(), SshKeygenFixture.Passphrase);
        KeyRefusal.Of(c.Pem(), SshKeygenFixture.Passphrase).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void AZeroPrimeIsDamage()
    {
        // An RSA private section: check1, check2, type, n, e, d, iqmp, p, q, comment, padding.
        var c = Key("rsa-2048-OpenSSH");
        var fields = new List<byte[]>();
        int at = 8;
        for (int i = 0; i < 8; i++)
        {
            var n = (int)BinaryPrimitives.ReadUInt32BigEndian(c.Section.AsSpan(at));
            fields.Add(c.Section.AsSpan(at + 4, n).ToArray());
            at += 4 + n;
        }
        fields[5] = Array.Empty<byte>(); // p = 0
        var section = c.Section[..8].Concat(fields.SelectMany(f => U32((uint)f.Length).Concat(f))).ToList();
        for (byte pad = 1; section.Count % 8 != 0; pad++)
            section.Add(pad);
        c.Section = section.ToArray();
        // ssh-keygen -y derives the public key from n and e alone; signing needs p, so the key is unusable.
        KeyRefusal.Of(c.Pem()).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void APublicHalfOfAnotherKeyIsRefusedAsMismatched()
    {
        var c = Key("ed25519-256-OpenSSH");
        c.PublicBlob = Key("ed25519-256-OpenSSH-aes128-ctr").PublicBlob;
        KeyRefusal
            .Of(c.Pem())
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The OpenSSH key's public and private halves do not belong together; the file is damaged. Use "
                        + "another copy of the key."
                )
            );
    }

    /// <summary>
    /// The two check words are one random 32-bit number, which tells a wrong passphrase from a right one: with a byte
    /// of it always zero, 1 in 2^24 wrong passphrases would pass. The chance that one byte is zero in all 16 keys
    /// written here is 2^-128.
    /// </summary>
    [Fact]
    public void TheCheckWordsWeWriteAreAll32BitsRandom()
    {
        var key = KeyReader.ReadFile(_fx.Keys["ed25519-256-OpenSSH"]).RequirePrivate();
        var checks = Enumerable
            .Range(0, 16)
            .Select(_ => Container.Parse(KeyWriter.Write(key, PrivateKeyFormat.OpenSsh, null)).Section)
            .Select(s => (BinaryPrimitives.ReadUInt32BigEndian(s), BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(4))))
            .ToList();
        checks.Should().OnlyContain(c => c.Item1 == c.Item2);
        for (int shift = 0; shift < 32; shift += 8)
            checks.Should().Contain(c => (c.Item1 >> shift & 0xFF) != 0, $"the byte at bit {shift} is random");
        checks.Select(c => c.Item1).Distinct().Should().HaveCount(16);
    }

    [Fact]
    public void RoundsAndPemCipherAskedForAreWritten()
    {
        using var dir = new TempDir();
        var key = KeyReader.ReadFile(_fx.Keys["ecdsa-256-OpenSSH"]).RequirePrivate();

        File.WriteAllText(dir["o"], KeyWriter.Write(key, PrivateKeyFormat.OpenSsh, "pw", rounds: 20));
        KeyReader.ReadFile(dir["o"]).KdfRounds.Should().Be(20);

        File.WriteAllText(dir["p"], KeyWriter.Write(key, PrivateKeyFormat.Pem, "pw", "AES-256-CBC"));
        File.ReadAllText(dir["p"]).Should().Contain("\nDEK-Info: AES-256-CBC,");
        Tool.Ok("chmod", "600", dir["o"], dir["p"]);
        Tool.Ok("ssh-keygen", "-y", "-P", "pw", "-f", dir["o"]).Should().StartWith(key.PublicKeyLine.Split(' ')[0]);
        Tool.Ok("ssh-keygen", "-y", "-P", "pw", "-f", dir["p"]).Should().StartWith(key.PublicKeyLine.Split(' ')[0]);
    }

    [Theory]
    [InlineData("ecdsa-384-PEM")]
    [InlineData("rsa-2048-PEM")]
    public void AnUnencryptedPemIsTheFileSshKeygenWrites(string name)
    {
        // ssh-keygen -m PEM writes through OpenSSL (EC public point uncompressed): nothing in it is random.
        var key = KeyReader.ReadFile(_fx.Keys[name]).RequirePrivate();
        KeyWriter.Write(key, PrivateKeyFormat.Pem, null).Should().Be(File.ReadAllText(_fx.Keys[name]));
    }

    [Fact]
    public void AnEd25519KeyIsNotWrittenAsPem()
    {
        var key = KeyReader.ReadFile(_fx.Keys["ed25519-256-OpenSSH"]).RequirePrivate();
        var act = () => KeyWriter.Write(key, PrivateKeyFormat.Pem, null);
        var e = act.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    "An Ed25519 key has no OpenSSL PEM form; it can only be written in OpenSSH format (-Format "
                        + "OpenSsh). If the integration demands PEM, use an RSA key."
                )
            );
    }

    [Fact]
    public void APemCipherOutsideTheSupportedOnesIsAnArgumentError()
    {
        var key = KeyReader.ReadFile(_fx.Keys["ecdsa-256-OpenSSH"]).RequirePrivate();
        var act = () => KeyWriter.Write(key, PrivateKeyFormat.Pem, "pw", "DES-CBC");
        act.Should()
            .Throw<ArgumentException>()
            .Which.Message.Should()
            .Be("PEM cipher must be one of AES-128-CBC, AES-192-CBC, AES-256-CBC, DES-EDE3-CBC. (Parameter 'cipher')");
    }
}
