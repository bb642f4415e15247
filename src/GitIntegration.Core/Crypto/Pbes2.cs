using System;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Paddings;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace GitIntegration.Core.Crypto;

/// <summary>
/// PKCS#5 PBES2 decryption (RFC 8018) of an ENCRYPTED PRIVATE KEY, as OpenSSL and ssh-keygen -m PKCS8 write it:
/// PBKDF2 with HMAC-SHA1/224/256/384/512 and AES-CBC or DES-EDE3-CBC.
/// </summary>
internal static class Pbes2
{
    /// <summary>
    /// OpenSSL and ssh-keygen -m PKCS8 write 2,048; OWASP advises 600,000 (HMAC-SHA-256) to 1,300,000 (SHA-1).
    /// 2,000,000 take about 1.5 s; 10,000,000 took 5 s to 15 s, and a file can ask for 2^31-1.
    /// </summary>
    public const int MaxIterations = 2_000_000;

    public sealed class UnsupportedException : Exception
    {
        public UnsupportedException(string what)
            : base(what) { }
    }

    private static ArgumentException Missing(string what) => new ArgumentException($"no {what} parameters");

    /// <summary>Returns the DER PrivateKeyInfo, or null when the passphrase is wrong (bad padding).</summary>
    public static byte[]? Decrypt(EncryptedPrivateKeyInfo info, string passphrase)
    {
        var alg = info.EncryptionAlgorithm;
        if (!PkcsObjectIdentifiers.IdPbeS2.Equals(alg.Algorithm))
            throw new UnsupportedException(alg.Algorithm.Id);
        // BouncyCastle 2 gives null for absent parameters, where 1.8 threw: the caller reports an ArgumentException as
        // damage.
        var pbes2 = PbeS2Parameters.GetInstance(alg.Parameters) ?? throw Missing("PBES2");
        if (!PkcsObjectIdentifiers.IdPbkdf2.Equals(pbes2.KeyDerivationFunc.Algorithm))
            throw new UnsupportedException(pbes2.KeyDerivationFunc.Algorithm.Id);
        var kdf = Pbkdf2Params.GetInstance(pbes2.KeyDerivationFunc.Parameters) ?? throw Missing("PBKDF2");
        var scheme = pbes2.EncryptionScheme;
        var (engine, keyLength) = Cipher(scheme.Algorithm);
        var iv = (Asn1OctetString.GetInstance(scheme.Parameters) ?? throw Missing("cipher")).GetOctets();
        var data = info.GetEncryptedData();
        // An IV of another length is refused by CbcBlockCipher.Init, with an ArgumentException too.
        if (data.Length == 0 || data.Length % engine.GetBlockSize() != 0)
            throw new ArgumentException("The encrypted data is not in whole cipher blocks.");
        // RFC 8018: iterationCount INTEGER (1..MAX).
        if (kdf.IterationCount.SignValue <= 0)
            throw new ArgumentException($"{kdf.IterationCount} PBKDF2 iterations");
        if (kdf.IterationCount.CompareTo(BigInteger.ValueOf(MaxIterations)) > 0)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"The PKCS#8 key asks for {kdf.IterationCount} PBKDF2 iterations. OpenSSL and ssh-keygen write "
                    + $"2048; more than {MaxIterations} is refused, because a file can ask for hours of work on every "
                    + "passphrase tried. Re-encrypt it with: ssh-keygen -p -m pem -f <file>."
            );

        var gen = new Pkcs5S2ParametersGenerator(Prf(kdf.Prf?.Algorithm));
        var password = PbeParametersGenerator.Pkcs5PasswordToUtf8Bytes(passphrase.ToCharArray());
        gen.Init(password, kdf.GetSalt(), kdf.IterationCount.IntValue);
        var key = (KeyParameter)gen.GenerateDerivedMacParameters(keyLength * 8);
        var c = new PaddedBufferedBlockCipher(new CbcBlockCipher(engine), new Pkcs7Padding());
        c.Init(false, new ParametersWithIV(key, iv));
        try
        {
            return c.DoFinal(data);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
    }

    private static (IBlockCipher, int) Cipher(DerObjectIdentifier oid)
    {
        if (NistObjectIdentifiers.IdAes128Cbc.Equals(oid))
            return (new AesEngine(), 16);
        if (NistObjectIdentifiers.IdAes192Cbc.Equals(oid))
            return (new AesEngine(), 24);
        if (NistObjectIdentifiers.IdAes256Cbc.Equals(oid))
            return (new AesEngine(), 32);
        if (PkcsObjectIdentifiers.DesEde3Cbc.Equals(oid))
            return (new DesEdeEngine(), 24);
        throw new UnsupportedException(oid.Id);
    }

    private static IDigest Prf(DerObjectIdentifier? oid)
    {
        if (oid == null || PkcsObjectIdentifiers.IdHmacWithSha1.Equals(oid))
            return new Sha1Digest();
        if (PkcsObjectIdentifiers.IdHmacWithSha224.Equals(oid))
            return new Sha224Digest();
        if (PkcsObjectIdentifiers.IdHmacWithSha256.Equals(oid))
            return new Sha256Digest();
        if (PkcsObjectIdentifiers.IdHmacWithSha384.Equals(oid))
            return new Sha384Digest();
        if (PkcsObjectIdentifiers.IdHmacWithSha512.Equals(oid))
            return new Sha512Digest();
        throw new UnsupportedException(oid.Id);
    }
}
