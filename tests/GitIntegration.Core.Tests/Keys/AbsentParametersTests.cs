using FluentAssertions;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.Servers;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// BouncyCastle 2 answers GetInstance(null) with null where 1.8 threw. Keys made by openssl, then stripped of an
/// optional ASN.1 field, must still be reported as damaged (KeyCorrupt), never crash with a NullReferenceException.
/// </summary>
public sealed class AbsentParametersTests : IDisposable
{
    private readonly TempDir _dir = new();

    public AbsentParametersTests() => Peer.Require("openssl", "openssl");

    public void Dispose() => _dir.Dispose();

    private static string Pem(string label, Asn1Encodable body)
    {
        var base64 = Convert.ToBase64String(body.GetDerEncoded(), Base64FormattingOptions.InsertLineBreaks);
        return $"-----BEGIN {label}-----\n{base64}\n-----END {label}-----\n";
    }

    private static byte[] Body(string pemText) =>
        Convert.FromBase64String(
            string.Concat(
                pemText.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))
            )
        );

    private static void Damaged(string text, string? passphrase) =>
        FluentActions
            .Invoking(() => KeyReader.Read(text, passphrase))
            .Should()
            .Throw<KeyFormatException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.KeyCorrupt);

    [Fact]
    public void An_EC_key_without_its_curve_parameters_is_damaged()
    {
        Tool.Ok("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", _dir["ec.pem"]);
        var text = File.ReadAllText(_dir["ec.pem"]);
        KeyReader.Read(text).Key!.Private.Should().NotBeNull("the key as openssl wrote it is read");
        var ec = ECPrivateKeyStructure.GetInstance(Asn1Object.FromByteArray(Body(text)));
        var stripped = new ECPrivateKeyStructure(256, ec.GetKey(), ec.PublicKey, null);
        Damaged(Pem("EC PRIVATE KEY", stripped), null);
    }

    [Theory]
    [InlineData("pbes2")]
    [InlineData("pbkdf2")]
    [InlineData("iv")]
    public void An_encrypted_PKCS8_key_without_a_parameter_block_is_damaged(string absent)
    {
        Tool.Ok("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", _dir["k.pem"]);
        Tool.Ok(
            "openssl",
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            _dir["k.pem"],
            "-passout",
            "pass:pw",
            "-out",
            _dir["k.p8"]
        );
        var text = File.ReadAllText(_dir["k.p8"]);
        KeyReader.Read(text, "pw").Key!.Private.Should().NotBeNull("the key as openssl wrote it is read");
        var info = EncryptedPrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(Body(text)));
        var pbes2 = PbeS2Parameters.GetInstance(info.EncryptionAlgorithm.Parameters);
        var kdf =
            absent == "pbkdf2" ? new KeyDerivationFunc(PkcsObjectIdentifiers.IdPbkdf2, null) : pbes2.KeyDerivationFunc;
        // Written as plain sequences: BouncyCastle's own classes refuse to build some of these.
        Asn1Encodable scheme =
            absent == "iv" ? new DerSequence(pbes2.EncryptionScheme.Algorithm) : pbes2.EncryptionScheme;
        var alg =
            absent == "pbes2"
                ? new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2)
                : new AlgorithmIdentifier(PkcsObjectIdentifiers.IdPbeS2, new DerSequence(kdf, scheme));
        Damaged(Pem("ENCRYPTED PRIVATE KEY", new EncryptedPrivateKeyInfo(alg, info.GetEncryptedData())), "pw");
    }
}
