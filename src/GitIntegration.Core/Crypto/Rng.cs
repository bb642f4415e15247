using System.Security.Cryptography;

namespace GitIntegration.Core.Crypto;

/// <summary>The platform's cryptographic random source (salts, IVs, checkints, key generation).</summary>
internal static class Rng
{
    private static readonly RandomNumberGenerator Source = RandomNumberGenerator.Create();

    public static byte[] Bytes(int count)
    {
        var b = new byte[count];
        lock (Source)
            Source.GetBytes(b);
        return b;
    }

    public static Org.BouncyCastle.Security.SecureRandom Secure() =>
        new Org.BouncyCastle.Security.SecureRandom(new Org.BouncyCastle.Crypto.Prng.CryptoApiRandomGenerator());
}
