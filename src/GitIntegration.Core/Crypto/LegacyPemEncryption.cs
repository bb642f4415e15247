using System;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitIntegration.Core.Crypto;

/// <summary>
/// OpenSSL's traditional PEM encryption (Proc-Type: 4,ENCRYPTED + DEK-Info): a CBC cipher keyed by
/// EVP_BytesToKey(MD5, passphrase, first 8 bytes of the IV, 1 iteration), PKCS#7 padding.
/// </summary>
internal static class LegacyPemEncryption
{
    public static readonly string[] Ciphers = { "AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "DES-EDE3-CBC" };

    public static bool IsSupported(string cipher) => Array.IndexOf(Ciphers, cipher.ToUpperInvariant()) >= 0;

    private static (IBlockCipher Engine, int KeyLength) Create(string cipher)
    {
        switch (cipher.ToUpperInvariant())
        {
            case "AES-128-CBC":
                return (new AesEngine(), 16);
            case "AES-192-CBC":
                return (new AesEngine(), 24);
            case "AES-256-CBC":
                return (new AesEngine(), 32);
            case "DES-EDE3-CBC":
                return (new DesEdeEngine(), 24);
            default:
                throw new ArgumentException("unsupported cipher", nameof(cipher));
        }
    }

    internal static byte[] BytesToKey(byte[] password, byte[] salt, int length)
    {
        var key = new byte[length];
        using var md5 = MD5.Create();
        byte[] prev = Array.Empty<byte>();
        for (int done = 0; done < length; )
        {
            var input = new byte[prev.Length + password.Length + 8];
            Buffer.BlockCopy(prev, 0, input, 0, prev.Length);
            Buffer.BlockCopy(password, 0, input, prev.Length, password.Length);
            Buffer.BlockCopy(salt, 0, input, prev.Length + password.Length, 8);
            prev = md5.ComputeHash(input);
            int n = Math.Min(prev.Length, length - done);
            Buffer.BlockCopy(prev, 0, key, done, n);
            done += n;
        }
        return key;
    }

    /// <summary>
    /// False when the IV is not one block of the cipher or the data not whole blocks: the file was cut.
    /// </summary>
    public static bool Fits(string cipher, byte[] iv, byte[] data)
    {
        int block = Create(cipher).Engine.GetBlockSize();
        return iv.Length == block && data.Length > 0 && data.Length % block == 0;
    }

    /// <summary>
    /// Returns null when the padding is wrong, which almost always means a wrong passphrase. The IV and data
    /// <see cref="Fits"/> the cipher.
    /// </summary>
    public static byte[]? Decrypt(string cipher, byte[] iv, string passphrase, byte[] data)
    {
        var (engine, keyLength) = Create(cipher);
        var key = BytesToKey(Encoding.UTF8.GetBytes(passphrase), iv, keyLength);
        var c = new PaddedBufferedBlockCipher(new CbcBlockCipher(engine), new Pkcs7Padding());
        c.Init(false, new ParametersWithIV(new KeyParameter(key), iv));
        try
        {
            return c.DoFinal(data);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }

    public static (byte[] Data, byte[] Iv) Encrypt(string cipher, string passphrase, byte[] plain)
    {
        var (engine, keyLength) = Create(cipher);
        var iv = Rng.Bytes(engine.GetBlockSize());
        var key = BytesToKey(Encoding.UTF8.GetBytes(passphrase), iv, keyLength);
        var c = new PaddedBufferedBlockCipher(new CbcBlockCipher(engine), new Pkcs7Padding());
        c.Init(true, new ParametersWithIV(new KeyParameter(key), iv));
        return (c.DoFinal(plain), iv);
    }
}
