using System;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace GitIntegration.Core.Keys;

public static class KeyGenerator
{
    public const int MinRsaBits = 2048;
    public const int MaxRsaBits = 16384;

    /// <summary>Generates a key. For ECDSA, <paramref name="bits"/> picks the curve (256, 384 or 521).</summary>
    public static SshKey Generate(KeyAlgorithm algorithm, int? bits = null, string? comment = null)
    {
        switch (algorithm)
        {
            case KeyAlgorithm.Rsa:
                return GenerateRsa(bits ?? 4096, comment);
            case KeyAlgorithm.Ecdsa:
                return GenerateEcdsa(bits ?? 256, comment);
            case KeyAlgorithm.Ed25519:
                if (bits != null && bits != 256)
                    throw BadBits("Ed25519 keys have a fixed size; leave -Bits out.");
                var gen = new Ed25519KeyPairGenerator();
                gen.Init(new Ed25519KeyGenerationParameters(Crypto.Rng.Secure()));
                var pair = gen.GenerateKeyPair();
                return new SshKey(pair.Public, pair.Private, comment);
            default:
                throw new GitIntegrationException(
                    ErrorIds.InvalidKeyParameters,
                    ErrorKind.InvalidArgument,
                    "Only RSA, ECDSA and Ed25519 keys can be generated (DSA is obsolete and refused by current "
                        + "SSH servers)."
                );
        }
    }

    private static SshKey GenerateRsa(int bits, string? comment)
    {
        if (bits < MinRsaBits || bits > MaxRsaBits || bits % 8 != 0)
            throw BadBits(
                $"RSA keys must be {MinRsaBits} to {MaxRsaBits} bits, a multiple of 8; 4096 is what the "
                    + "integration recommends."
            );
        // The platform generator (OpenSSL or CNG) is several times faster than BouncyCastle's.
        using var rsa = RSA.Create();
        rsa.KeySize = bits;
        var p = rsa.ExportParameters(true);
        return KeyReader.WithoutCompositenessTest(() =>
        {
            var priv = new RsaPrivateCrtKeyParameters(
                Pos(p.Modulus),
                Pos(p.Exponent),
                Pos(p.D),
                Pos(p.P),
                Pos(p.Q),
                Pos(p.DP),
                Pos(p.DQ),
                Pos(p.InverseQ)
            );
            return new SshKey(new RsaKeyParameters(false, priv.Modulus, priv.PublicExponent), priv, comment);
        });
    }

    private static SshKey GenerateEcdsa(int bits, string? comment)
    {
        string curve = bits switch
        {
            256 => "nistp256",
            384 => "nistp384",
            521 => "nistp521",
            _ => "",
        };
        if (curve.Length == 0)
            throw BadBits("ECDSA keys are 256, 384 or 521 bits (the curves nistp256, nistp384, nistp521).");
        using var ec = ECDsa.Create(
            bits switch
            {
                256 => ECCurve.NamedCurves.nistP256,
                384 => ECCurve.NamedCurves.nistP384,
                _ => ECCurve.NamedCurves.nistP521,
            }
        );
        var p = ec.ExportParameters(true);
        var priv = EcCurves.PrivateKey(EcCurves.Oid(curve), Pos(p.D));
        return KeyReader.FromPrivate(priv, comment ?? "");
    }

    private static BigInteger Pos(byte[]? b) =>
        new BigInteger(1, b ?? throw new CryptographicException("The platform returned an incomplete key."));

    private static GitIntegrationException BadBits(string message) =>
        new GitIntegrationException(ErrorIds.InvalidKeyParameters, ErrorKind.InvalidArgument, message);
}
