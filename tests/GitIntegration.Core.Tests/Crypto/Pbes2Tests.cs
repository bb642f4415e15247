using FluentAssertions;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Tests.Keys;
using GitIntegration.Core.Tests.Servers;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Xunit;

namespace GitIntegration.Core.Tests.Crypto;

/// <summary>
/// Encrypted PKCS#8 keys (PBES2) that openssl writes and we cannot read, and ones whose numbers were damaged: each
/// refused with its own id and whole sentence, never taken for a wrong passphrase.
/// </summary>
public sealed class Pbes2Tests : IDisposable
{
    private const string Passphrase = "pw";
    private readonly TempDir _dir = new();

    public Pbes2Tests()
    {
        Peer.Require("openssl", "openssl");
        Tool.Ok("openssl", "genpkey", "-algorithm", "ed25519", "-out", _dir["k.pem"]);
    }

    public void Dispose() => _dir.Dispose();

    private string Pkcs8(params string[] options)
    {
        var args = new[] { "pkcs8", "-topk8", "-in", _dir["k.pem"], "-passout", "pass:" + Passphrase };
        Tool.Ok("openssl", args.Concat(options).Concat(new[] { "-out", _dir["k.p8"] }).ToArray());
        return File.ReadAllText(_dir["k.p8"]);
    }

    [Theory]
    [InlineData("-scrypt", "1.3.6.1.4.1.11591.4.11")] // scrypt instead of PBKDF2
    [InlineData("-v2 camellia-128-cbc", "1.2.392.200011.61.1.1.1.2")]
    [InlineData("-v2 aes-256-cbc -v2prf hmacWithMD5", "1.2.840.113549.2.6")]
    public void AnEncryptionWeCannotReadIsNamedWithHowToReEncrypt(string options, string oid)
    {
        KeyRefusal
            .Of(Pkcs8(options.Split(' ')), Passphrase)
            .Should()
            .Be(
                (
                    ErrorIds.KeyFormatNotSupported,
                    $"The PKCS#8 key is encrypted with a scheme that is not supported ({oid}). Re-encrypt it with: "
                        + "ssh-keygen -p -m pem -f <file>."
                )
            );
    }

    [Fact]
    public void OneIterationIsRead()
    {
        KeyReader.Read(Pkcs8("-v2", "aes-256-cbc", "-iter", "1"), Passphrase).Key!.Private.Should().NotBeNull();
    }

    [Theory]
    [InlineData("0 iterations")]
    [InlineData("-1 iterations")]
    [InlineData("an IV of 8 bytes")]
    [InlineData("the encrypted data one byte short")]
    [InlineData("no encrypted data")]
    public void DamagedNumbersAreDamageNotAWrongPassphrase(string damage)
    {
        var der = Convert.FromBase64String(string.Concat(Pkcs8("-v2", "aes-256-cbc").Split('\n').Where(IsBase64)));
        var info = EncryptedPrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(der));
        var pbes2 = PbeS2Parameters.GetInstance(info.EncryptionAlgorithm.Parameters);
        var kdf = Pbkdf2Params.GetInstance(pbes2.KeyDerivationFunc.Parameters);
        var iv = Asn1OctetString.GetInstance(pbes2.EncryptionScheme.Parameters).GetOctets();
        var data = info.GetEncryptedData();
        var iterations = kdf.IterationCount.IntValue;
        // Written as plain sequences: BouncyCastle's own classes refuse to build some of these.
        string Rebuilt()
        {
            var kdfParams = new DerSequence(new DerOctetString(kdf.GetSalt()), DerInteger.ValueOf(iterations), kdf.Prf);
            var scheme = new DerSequence(pbes2.EncryptionScheme.Algorithm, new DerOctetString(iv));
            var alg = new AlgorithmIdentifier(
                PkcsObjectIdentifiers.IdPbeS2,
                new DerSequence(new DerSequence(PkcsObjectIdentifiers.IdPbkdf2, kdfParams), scheme)
            );
            var body = new EncryptedPrivateKeyInfo(alg, data).GetDerEncoded();
            return "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + Convert.ToBase64String(body, Base64FormattingOptions.InsertLineBreaks)
                + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
        }
        KeyReader.Read(Rebuilt(), Passphrase).Key!.Private.Should().NotBeNull("rebuilt undamaged, the key is read");
        switch (damage)
        {
            case "0 iterations":
                iterations = 0;
                break;
            case "-1 iterations":
                iterations = -1;
                break;
            case "an IV of 8 bytes":
                iv = iv[..8];
                break;
            case "the encrypted data one byte short":
                data = data[..^1];
                break;
            default:
                data = Array.Empty<byte>();
                break;
        }

        KeyRefusal
            .Of(Rebuilt(), Passphrase)
            .Should()
            .Be(
                (
                    ErrorIds.KeyCorrupt,
                    "The encrypted PKCS#8 key is damaged: its encryption parameters or its encrypted data cannot be "
                        + "used. Copy the key again from its original file."
                )
            );
    }

    private static bool IsBase64(string line) => line.Length > 0 && !line.StartsWith("-----", StringComparison.Ordinal);
}
