using FluentAssertions;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// The whole sentence New-GitSshKey gives for a size or type it does not make, and what the key object shows of a
/// key whose private half is encrypted.
/// </summary>
public sealed class KeyGeneratorAndInfoTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public KeyGeneratorAndInfoTests(SshKeygenFixture fx) => _fx = fx;

    [Theory]
    [InlineData(KeyAlgorithm.Ed25519, 255, "Ed25519 keys have a fixed size; leave -Bits out.")]
    [InlineData(
        KeyAlgorithm.Dsa,
        null,
        "Only RSA, ECDSA and Ed25519 keys can be generated (DSA is obsolete and refused by current SSH servers)."
    )]
    [InlineData(
        KeyAlgorithm.Rsa,
        2040,
        "RSA keys must be 2048 to 16384 bits, a multiple of 8; 4096 is what the integration recommends."
    )]
    [InlineData(
        KeyAlgorithm.Ecdsa,
        512,
        "ECDSA keys are 256, 384 or 521 bits (the curves nistp256, nistp384, nistp521)."
    )]
    public void ASizeOrTypeThatIsNotMadeSaysWhatIs(KeyAlgorithm algorithm, int? bits, string message)
    {
        var act = () => KeyGenerator.Generate(algorithm, bits);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind, e.Message).Should().Be((ErrorIds.InvalidKeyParameters, ErrorKind.InvalidArgument, message));
    }

    // BouncyCastle 2 spends three Miller-Rabin rounds on every RSA modulus (about 130 ms at 4,096 bits); our readers
    // skip that one test, as ssh-keygen does, and only for their own work: on the same thread afterwards it is on.
    [Fact]
    public void AnRsaModulusIsNotTestedForPrimalityAsSshKeygenDoesNotAndTheSettingStaysOurs()
    {
        using var dir = new TempDir();
        var prime = BigInteger.ProbablePrime(2048, new Random(7));
        var e = BigInteger.ValueOf(65537);
        var blob = new SshWriter().String("ssh-rsa").Mpint(e).Mpint(prime).ToArray();
        var line = "ssh-rsa " + Convert.ToBase64String(blob) + " prime";
        File.WriteAllText(dir["prime.pub"], line + "\n");

        var key = KeyReader.Read(line).Key!;
        SshKeygenFixture.Fingerprint(dir["prime.pub"]).Should().Be(Fingerprint.Line(key));
        Properties.GetThreadProperty(Properties.RsaMaxMRTests).Should().BeNull();
        FluentActions
            .Invoking(() => new RsaKeyParameters(false, prime, e))
            .Should()
            .Throw<ArgumentException>()
            .WithMessage("RSA modulus is not composite*");
    }

    [Fact]
    public void AnEcdsaKeyMadeWithoutACommentHasNone()
    {
        using var dir = new TempDir();
        var key = KeyGenerator.Generate(KeyAlgorithm.Ecdsa);
        key.Comment.Should().BeEmpty();
        File.WriteAllText(dir["k.pub"], key.PublicKeyLine + "\n");
        SshKeygenFixture
            .Fingerprint(dir["k.pub"])
            .Should()
            .Be($"256 {key.FingerprintSha256} no comment (ECDSA)")
            .And.Be(Fingerprint.Line(key));
    }

    [Fact]
    public void AnEncryptedPkcs8KeyIsDescribedFromItsPubAsSshKeygenDoes()
    {
        // PKCS#8 hides even the key type until decrypted: the .pub beside it tells what ssh-keygen -l shows.
        var path = _fx.Keys["ecdsa-256-PKCS8-enc"];
        var info = KeyFiles.Inspect(path).Info;
        (info.Algorithm, info.Bits, info.IsEncrypted, info.PublicKeyPath)
            .Should()
            .Be((KeyAlgorithm.Ecdsa, 256, true, path + ".pub"));
        SshKeygenFixture.Fingerprint(path).Should().StartWith($"256 {info.FingerprintSha256} ");
        info.ToString().Should().Be(path, "a key object reads as its file's path");

        var unnamed = SshKeyInfo.From(KeyReader.Read(File.ReadAllText(path + ".pub")), null);
        unnamed.ToString().Should().Be(info.FingerprintSha256, "without a file a key reads as its fingerprint");
        SshKeyInfo
            .From(KeyReader.ReadFile(path), null)
            .ToString()
            .Should()
            .Be("Pkcs8", "with neither, the format is all there is to show");
    }
}
