using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.Crypto;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Putty;

/// <summary>
/// The whole sentence each .ppk refusal gives the admin, the write options at and just past each limit, and what
/// an unencrypted .ppk holds byte for byte (puttygen writes the same file).
/// </summary>
[Collection("puttygen")]
public sealed class PpkRefusalsAndLimitsTests
{
    private const string Damaged =
        "The PuTTY key file is damaged: its lines are not in PuTTY's layout (a line is missing, cut or edited). Use "
        + "another copy of the .ppk file.";

    private readonly PuttygenFixture _fx;

    public PpkRefusalsAndLimitsTests(PuttygenFixture fx) => _fx = fx;

    private string Text(string cell) => File.ReadAllText(_fx.Ppk[cell]);

    private static (string Id, string Message) Failure(string text, string? passphrase = PuttygenFixture.Passphrase)
    {
        var act = () => KeyReader.Read(text, passphrase);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        return (e.ErrorId, e.Message);
    }

    private static (string Id, string Message) WriteRefused(SshKey key, PpkWriteOptions options)
    {
        var act = () => PpkFormat.Write(key, "p", options);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        return (e.ErrorId, e.Message);
    }

    [Theory]
    [InlineData(
        "Encryption: aes256-cbc",
        "Encryption: aes128-cbc",
        "The PuTTY key is encrypted with 'aes128-cbc'; PuTTY writes only aes256-cbc. Save it again with a current "
            + "PuTTYgen."
    )]
    [InlineData(
        "PuTTY-User-Key-File-3:",
        "PuTTY-User-Key-File-1:",
        "This PuTTY key is in the format of PuTTY 0.52 and older (version 1). Load it in a current PuTTYgen and save "
            + "it again, then convert it."
    )]
    [InlineData(
        "PuTTY-User-Key-File-3:",
        "PuTTY-User-Key-File-4:",
        "This PuTTY key is in format version 4, newer than PuTTY 0.78 writes (2 and 3 are read). Save it with "
            + "PuTTYgen's 'PPK file version 3' setting."
    )]
    public void AnUnsupportedVariantSaysHowToSaveItAgain(string from, string to, string message)
    {
        var text = Text("rsa2048-v3-argon2id-p1");
        text.Should().Contain(from);
        Failure(text.Replace(from, to)).Should().Be((ErrorIds.KeyFormatNotSupported, message));
    }

    [Fact]
    public void AKeyTypePuttyMakesButSshDoesNotUseIsNamed()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "ed448", "-o", dir["ed448.ppk"], "--new-passphrase", "/dev/null");
        Failure(File.ReadAllText(dir["ed448.ppk"]), null)
            .Should()
            .Be(
                (
                    ErrorIds.KeyAlgorithmNotSupported,
                    "The PuTTY key is of type 'ssh-ed448', which is not supported. Use an RSA, ECDSA or Ed25519 key "
                        + "(New-GitSshKey makes one)."
                )
            );
    }

    [Fact]
    public void AWrongPassphraseAndAnEditedCommentAreToldApart()
    {
        var text = Text("rsa2048-v3-argon2id-p1");
        Failure(text, "not the passphrase")
            .Should()
            .Be(
                (
                    ErrorIds.WrongPassphrase,
                    "Wrong passphrase or the file was modified: the PuTTY key's Private-MAC does not match. Check the "
                        + "passphrase (it is case-sensitive); if it is right, use an unedited copy of the .ppk file."
                )
            );
        Failure(text.Replace("@puttygen fixture", "@edited"))
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The PuTTY key file was modified after PuTTYgen saved it (its Private-MAC does not match; an "
                        + "edited comment is enough). Use an unedited copy of the .ppk file."
                )
            );
    }

    [Fact]
    public void ACutEncryptedPrivateHalfIsDamagedEvenWithoutAPassphrase()
    {
        // AES-CBC output is whole 16-byte blocks: one base64 quantum less (1 to 3 bytes) is a cut file.
        var text = Text("rsa2048-v2-aes");
        var lines = text.Split('\n').ToList();
        var count = int.Parse(lines.Single(l => l.StartsWith("Private-Lines: "))[15..]);
        var last = lines.FindIndex(l => l.StartsWith("Private-Lines: ")) + count;
        lines[last] = lines[last][..^4];
        Failure(string.Join("\n", lines), null).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Theory]
    [InlineData("Private-MAC: [0-9a-f]", "Private-MAC: g")]
    [InlineData("Argon2-Salt: [0-9a-f]", "Argon2-Salt: z")]
    [InlineData("Argon2-Memory: 64", "Argon2-Memory: 6x")]
    [InlineData("Argon2-Passes: 2", "Argon2-Passes: -2")]
    public void AFieldThatIsNotHexOrANumberIsDamage(string from, string to)
    {
        var text = Text("ed25519-v3-argon2id-p1");
        text.Should().MatchRegex(from);
        Failure(new Regex(from).Replace(text, to, 1)).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Fact]
    public void Argon2SettingsArgon2CannotRunAreDamageNamingTheSetting()
    {
        var text = Text("ed25519-v3-argon2id-p1").Replace("Argon2-Parallelism: 1\n", "Argon2-Parallelism: 0\n");
        Failure(text)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The PuTTY key's Argon2 settings are impossible (parallelism out of range); the file is damaged. "
                        + "Use another copy of the key."
                )
            );
    }

    /// <summary>A string in the SSH wire encoding (RFC 4251 §5): uint32 length, then the bytes.</summary>
    private static byte[] SshString(byte[] b) => new SshWriter().String(b).ToArray();

    /// <summary>
    /// An unencrypted version 3 .ppk with the given private half, sealed with the Private-MAC the PuTTY manual
    /// (appendix C.3) prescribes: HMAC-SHA-256 with an empty key over type, encryption, comment, public and private
    /// halves, each as an SSH string.
    /// </summary>
    private static string UnencryptedV3(string type, string comment, byte[] publicBlob, byte[] privateBlob)
    {
        static string Block(string name, byte[] data)
        {
            var b64 = Convert.ToBase64String(data);
            var lines = Enumerable
                .Range(0, (b64.Length + 63) / 64)
                .Select(i => b64.Substring(i * 64, Math.Min(64, b64.Length - i * 64)));
            return $"{name}: {lines.Count()}\n" + string.Concat(lines.Select(l => l + "\n"));
        }
        var data = new[] { type, "none", comment }
            .Select(s => SshString(Encoding.UTF8.GetBytes(s)))
            .Concat(new[] { SshString(publicBlob), SshString(privateBlob) })
            .SelectMany(b => b)
            .ToArray();
        using var hmac = new HMACSHA256(Array.Empty<byte>());
        return $"PuTTY-User-Key-File-3: {type}\nEncryption: none\nComment: {comment}\n"
            + Block("Public-Lines", publicBlob)
            + Block("Private-Lines", privateBlob)
            + $"Private-MAC: {Convert.ToHexString(hmac.ComputeHash(data)).ToLowerInvariant()}\n";
    }

    [Fact]
    public void APrivateHalfOfAnotherKeyWithAValidMacIsRefused()
    {
        var key = _fx.BaseKey("ed25519");
        var other = KeyGenerator.Generate(KeyAlgorithm.Ed25519);
        var seed = ((Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters)other.Private!).GetEncoded();
        var text = UnencryptedV3("ssh-ed25519", "c", key.PublicBlob(), SshString(seed));
        Failure(text, null)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The PuTTY key's private half does not belong to its public half; the file is damaged. Use "
                        + "another copy of the key."
                )
            );
    }

    [Fact]
    public void APpkOf1024PrivateLinesIsReadAndOneLineMoreIsRefused()
    {
        // Private-Lines is capped at 1,024 lines of 64 characters (48 KiB); PuTTY ignores what follows the key.
        var key = _fx.BaseKey("ed25519");
        var seed = ((Org.BouncyCastle.Crypto.Parameters.Ed25519PrivateKeyParameters)key.Private!).GetEncoded();
        byte[] Padded(int lines) => SshString(seed).Concat(new byte[lines * 48 - 36]).ToArray();

        var atLimit = UnencryptedV3("ssh-ed25519", "c", key.PublicBlob(), Padded(1024));
        atLimit.Should().Contain("Private-Lines: 1024\n");
        PuttygenFixture.ShouldBeSamePrivate(PpkFormat.Read(atLimit, null).Key!, key);
        using var dir = new TempDir();
        File.WriteAllText(dir["k.ppk"], atLimit);
        Tool.Ok("puttygen", "-l", dir["k.ppk"]).Should().Contain(key.FingerprintSha256);

        var over = UnencryptedV3("ssh-ed25519", "c", key.PublicBlob(), Padded(1025));
        over.Should().Contain("Private-Lines: 1025\n");
        Failure(over, null).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Theory]
    [InlineData("ed25519", 3)]
    [InlineData("ecdsa384", 3)]
    [InlineData("rsa2048", 3)]
    [InlineData("ed25519", 2)]
    [InlineData("rsa2048", 2)]
    public void AnUnencryptedPpkIsTheFilePuttygenWrites(string name, int version)
    {
        // Without a passphrase nothing is random: puttygen's file for the same key is the oracle, byte for byte.
        // The Argon2 settings are not used then, so settings that would be refused with a passphrase are ignored.
        var options = new PpkWriteOptions
        {
            Version = version,
            Parallelism = 0,
            MemoryKiB = 1,
        };
        PpkFormat.Write(_fx.BaseKey(name), null, options).Should().Be(Text($"{name}-v{version}-none"));
    }

    [Fact]
    public void ControlCharactersInACommentAreWrittenAsSpaces()
    {
        using var dir = new TempDir();
        var key = _fx.BaseKey("ed25519");
        key.Comment = "line one\nline two\ttabbed";
        File.WriteAllText(dir["k.ppk"], PpkFormat.Write(key, null, new PpkWriteOptions()));
        Tool.Ok("puttygen", dir["k.ppk"], "-O", "public-openssh")
            .Trim()
            .Should()
            .Be(key.PublicKeyLine.Split(' ')[0] + " " + key.PublicKeyLine.Split(' ')[1] + " line one line two tabbed");
        PpkFormat.Read(File.ReadAllText(dir["k.ppk"]), null).Key!.Comment.Should().Be("line one line two tabbed");
    }

    [Fact]
    public void ADsaKeyIsNotWrittenAsAPpk()
    {
        var act = () => PpkFormat.Write(_fx.BaseKey("dsa1024"), null);
        var e = act.Should().Throw<KeyFormatException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.KeyAlgorithmNotSupported,
                    "DSA keys are obsolete and are not written as .ppk files. Generate an RSA key with New-GitSshKey."
                )
            );
    }

    [Fact]
    public void OnlyVersions2And3AreWritten()
    {
        WriteRefused(_fx.BaseKey("ed25519"), new PpkWriteOptions { Version = 1 })
            .Should()
            .Be((ErrorIds.InvalidKeyParameters, "The PPK version must be 2 or 3."));
    }

    [Fact]
    public void Argon2ParallelismIsAcceptedUpTo255Threads()
    {
        using var dir = new TempDir();
        var key = _fx.BaseKey("ecdsa256");
        var options = new PpkWriteOptions
        {
            Parallelism = 255,
            MemoryKiB = 8 * 255,
            Passes = 1,
        };
        File.WriteAllText(dir["k.ppk"], PpkFormat.Write(key, PuttygenFixture.Passphrase, options));
        File.ReadAllText(dir["k.ppk"]).Should().Contain("Argon2-Parallelism: 255\n");
        _fx.OpenedByPuttygen(dir).SamePublicKey(key).Should().BeTrue();

        options.Parallelism = 256;
        options.MemoryKiB = 8 * 256;
        WriteRefused(key, options)
            .Should()
            .Be((ErrorIds.InvalidKeyParameters, "Argon2 parallelism must be between 1 and 255."));
    }

    [Fact]
    public void Argon2MemoryIsAcceptedFrom8KiBPerThread()
    {
        var key = _fx.BaseKey("ed25519");
        var options = new PpkWriteOptions
        {
            Parallelism = 2,
            MemoryKiB = 16,
            Passes = 1,
        };
        PpkFormat.Read(PpkFormat.Write(key, "p", options), "p").Key!.SamePublicKey(key).Should().BeTrue();
        options.MemoryKiB = 15;
        WriteRefused(key, options)
            .Should()
            .Be((ErrorIds.InvalidKeyParameters, "Argon2 memory must be between 16 KiB (8 per thread) and 262144 KiB."));
    }

    [Fact]
    public void Argon2MemoryIsAcceptedUpTo256MiB()
    {
        var key = _fx.BaseKey("ed25519");
        var options = new PpkWriteOptions { MemoryKiB = PpkFormat.MaxMemoryKiB, Passes = 1 };
        PpkFormat.Write(key, "p", options).Should().Contain("Argon2-Memory: 262144\n");
        options.MemoryKiB = PpkFormat.MaxMemoryKiB + 1;
        WriteRefused(key, options)
            .Should()
            .Be((ErrorIds.InvalidKeyParameters, "Argon2 memory must be between 8 KiB (8 per thread) and 262144 KiB."));
    }

    [Fact]
    public void Argon2PassesAreAcceptedUpToTheCap()
    {
        using var dir = new TempDir();
        var key = _fx.BaseKey("ed25519");
        var options = new PpkWriteOptions { MemoryKiB = 64, Passes = 1000 };
        File.WriteAllText(dir["k.ppk"], PpkFormat.Write(key, PuttygenFixture.Passphrase, options));
        File.ReadAllText(dir["k.ppk"]).Should().Contain("Argon2-Passes: 1000\n");
        PuttygenFixture.ShouldBeSamePrivate(_fx.OpenedByPuttygen(dir), key);
    }

    [Fact]
    public void NoTimeToSpendChoosesOnePass()
    {
        PpkFormat.ChoosePasses(Argon2Type.Argon2id, 8, 1, 0).Should().Be(1);
        // One pass over 8 MiB takes milliseconds on any machine: a 1 ms budget is spent by the first try.
        PpkFormat.ChoosePasses(Argon2Type.Argon2id, 8192, 1, 1).Should().Be(1);
    }

    [Fact]
    public void NoEndOfTimeStopsAtTheLastPassCountWithinTheCap()
    {
        // Passes grow as 1, 2, 3, 5, 8..., each the sum of the two before; 987 is the last within Argon2's 1,000.
        // 8 KiB keeps the whole series to milliseconds.
        PpkFormat.ChoosePasses(Argon2Type.Argon2id, 8, 1, int.MaxValue).Should().Be(987);
    }
}
