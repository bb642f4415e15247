using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using GitIntegration.Core.Crypto;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace GitIntegration.Core.Keys;

/// <summary>The openssh-key-v1 container (OpenSSH PROTOCOL.key), plain or bcrypt-encrypted.</summary>
internal static class OpenSshFormat
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("openssh-key-v1\0");
    public const string DefaultCipher = "aes256-ctr";
    public const int DefaultRounds = 16;

    /// <summary>
    /// The most bcrypt rounds a file may ask for: ssh-keygen writes 16, guides advise -a 100, and ssh-keygen takes
    /// any -a up to 2^31-1. 256 rounds take about 1.5 s per passphrase tried (1,000 took 6 s to 18 s).
    /// </summary>
    public const int MaxRoundsRead = 256;

    public static KeyDocument Read(byte[] data, string? passphrase)
    {
        if (data.Length < Magic.Length || !data.Take(Magic.Length).SequenceEqual(Magic))
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The OpenSSH key does not start with the openssh-key-v1 signature; it is damaged. Copy it "
                    + "again from its original file."
            );
        var r = new SshReader(data, Magic.Length, data.Length - Magic.Length);
        var cipherName = r.ReadAscii();
        var kdfName = r.ReadAscii();
        var kdfOptions = r.ReadString();
        if (r.ReadUInt32() != 1)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                "The OpenSSH key file holds more than one key, which ssh-keygen never writes. Split it with ssh-keygen."
            );
        var publicKey = SshKey.FromPublicBlob(r.ReadString());
        var section = r.ReadString();

        bool encrypted = cipherName != "none";
        if (encrypted)
        {
            var cipher =
                OpenSshCipher.Find(cipherName)
                ?? throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    $"The OpenSSH key is encrypted with '{SshKey.Printable(cipherName)}', which is not "
                        + "supported. Re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f <file>."
                );
            if (kdfName != "bcrypt")
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    $"The OpenSSH key uses the key derivation '{SshKey.Printable(kdfName)}'; only bcrypt exists "
                        + "in OpenSSH."
                );
            var opts = new SshReader(kdfOptions);
            var salt = opts.ReadString();
            var rounds = opts.ReadUInt32();
            if (rounds == 0 || salt.Length == 0)
                throw SshReader.Corrupt();
            if (rounds > MaxRoundsRead)
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    $"The OpenSSH key asks for {rounds} bcrypt rounds. ssh-keygen writes 16 by default and "
                        + $"guides advise 100; more than {MaxRoundsRead} is refused, because a file can ask for hours "
                        + "of work on every passphrase tried. Re-encrypt it with: ssh-keygen -p -a 100 -f <file>."
                );
            var doc = new KeyDocument(KeyFormat.OpenSsh, true, true, publicKey.Algorithm, publicKey)
            {
                Cipher = cipherName,
                KdfRounds = (int)rounds,
            };
            if (passphrase == null)
                return doc;
            if (passphrase.Length == 0)
                throw KeyReader.WrongPassphrase(); // as OpenSSH: an empty passphrase never opens an encrypted key
            if (section.Length % cipher.BlockSize != 0)
                throw SshReader.Corrupt();
            var tag = r.ReadBytes(cipher.TagLength);
            var keyIv = BcryptPbkdf.DeriveKey(
                Encoding.UTF8.GetBytes(passphrase),
                salt,
                (int)rounds,
                cipher.KeyLength + cipher.IvLength
            );
            try
            {
                section = cipher.Decrypt(keyIv, section.Concat(tag).ToArray());
            }
            catch (CryptographicException)
            {
                throw KeyReader.WrongPassphrase();
            }
            return new KeyDocument(
                KeyFormat.OpenSsh,
                true,
                true,
                publicKey.Algorithm,
                ReadPrivateSection(section, publicKey, true)
            )
            {
                Cipher = cipherName,
                KdfRounds = (int)rounds,
            };
        }
        if (kdfName != "none")
            throw SshReader.Corrupt();
        return new KeyDocument(
            KeyFormat.OpenSsh,
            true,
            false,
            publicKey.Algorithm,
            ReadPrivateSection(section, publicKey, false)
        );
    }

    private static SshKey ReadPrivateSection(byte[] section, SshKey publicKey, bool encrypted)
    {
        var r = new SshReader(section);
        if (r.ReadUInt32() != r.ReadUInt32())
            throw encrypted ? (Exception)KeyReader.WrongPassphrase() : SshReader.Corrupt();
        var type = r.ReadAscii();
        if (type != publicKey.SshType)
            throw SshReader.Corrupt();
        AsymmetricKeyParameter priv = KeyReader.Parse<AsymmetricKeyParameter>(() =>
        {
            switch (type)
            {
                case "ssh-rsa":
                {
                    var n = r.ReadPositiveMpint();
                    var e = r.ReadPositiveMpint();
                    var d = r.ReadPositiveMpint();
                    var iqmp = r.ReadPositiveMpint();
                    var p = r.ReadPositiveMpint();
                    var q = r.ReadPositiveMpint();
                    if (p.SignValue == 0 || q.SignValue == 0)
                        throw SshReader.Corrupt();
                    return new RsaPrivateCrtKeyParameters(
                        n,
                        e,
                        d,
                        p,
                        q,
                        d.Mod(p.Subtract(BigInteger.One)),
                        d.Mod(q.Subtract(BigInteger.One)),
                        iqmp
                    );
                }
                case "ssh-dss":
                {
                    var p = r.ReadPositiveMpint();
                    var q = r.ReadPositiveMpint();
                    var g = r.ReadPositiveMpint();
                    r.ReadPositiveMpint();
                    return new DsaPrivateKeyParameters(r.ReadPositiveMpint(), new DsaParameters(p, q, g));
                }
                case "ssh-ed25519":
                {
                    r.ReadString();
                    var sk = r.ReadString();
                    if (sk.Length != 64)
                        throw SshReader.Corrupt();
                    return new Ed25519PrivateKeyParameters(sk, 0);
                }
                default:
                {
                    var curve = r.ReadAscii();
                    r.ReadString();
                    return EcCurves.PrivateKey(EcCurves.Oid(curve), r.ReadPositiveMpint());
                }
            }
        });
        var comment = r.ReadAscii();
        for (int i = 1; r.Remaining > 0; i++)
            if (r.ReadBytes(1)[0] != (byte)i)
                throw SshReader.Corrupt();
        var key = KeyReader.FromPrivate(priv, comment);
        if (!key.SamePublicKey(publicKey))
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The OpenSSH key's public and private halves do not belong together; the file is damaged. Use "
                    + "another copy of the key."
            );
        return key;
    }

    public static string Write(
        SshKey key,
        string? passphrase,
        int rounds = DefaultRounds,
        string cipherName = DefaultCipher
    )
    {
        var priv = key.Private ?? throw new ArgumentException("A private key is needed.", nameof(key));
        OpenSshCipher? cipher = null;
        if (passphrase != null)
            cipher =
                OpenSshCipher.Find(cipherName)
                ?? throw new ArgumentException($"Unknown cipher {cipherName}.", nameof(cipherName));
        int blockSize = cipher?.BlockSize ?? 8;

        var checkint = BitConverter.ToUInt32(Crypto.Rng.Bytes(4), 0);
        var s = new SshWriter().UInt32(checkint).UInt32(checkint).String(key.SshType);
        switch (priv)
        {
            case RsaPrivateCrtKeyParameters rsa:
                s.Mpint(rsa.Modulus)
                    .Mpint(rsa.PublicExponent)
                    .Mpint(rsa.Exponent)
                    .Mpint(rsa.QInv)
                    .Mpint(rsa.P)
                    .Mpint(rsa.Q);
                break;
            case DsaPrivateKeyParameters dsa:
                var dp = dsa.Parameters;
                s.Mpint(dp.P).Mpint(dp.Q).Mpint(dp.G).Mpint(((DsaPublicKeyParameters)key.Public).Y).Mpint(dsa.X);
                break;
            case ECPrivateKeyParameters ec:
                s.String(key.Curve!).String(((ECPublicKeyParameters)key.Public).Q.GetEncoded(false)).Mpint(ec.D);
                break;
            case Ed25519PrivateKeyParameters ed:
                var pk = ((Ed25519PublicKeyParameters)key.Public).GetEncoded();
                s.String(pk).String(ed.GetEncoded().Concat(pk).ToArray());
                break;
        }
        s.String(key.Comment);
        for (byte i = 1; s.Length % blockSize != 0; i++)
            s.Raw(new[] { i });
        var section = s.ToArray();

        var w = new SshWriter().Raw(Magic);
        if (cipher == null)
        {
            w.String("none")
                .String("none")
                .String(Array.Empty<byte>())
                .UInt32(1)
                .String(key.PublicBlob())
                .String(section);
        }
        else
        {
            var salt = Crypto.Rng.Bytes(16);
            var keyIv = BcryptPbkdf.DeriveKey(
                Encoding.UTF8.GetBytes(passphrase!),
                salt,
                rounds,
                cipher.KeyLength + cipher.IvLength
            );
            var sealedSection = cipher.Encrypt(keyIv, section);
            int bodyLength = sealedSection.Length - cipher.TagLength;
            w.String(cipher.Name)
                .String("bcrypt")
                .String(new SshWriter().String(salt).UInt32((uint)rounds).ToArray())
                .UInt32(1)
                .String(key.PublicBlob())
                .String(sealedSection.Take(bodyLength).ToArray())
                .Raw(sealedSection.Skip(bodyLength).ToArray());
        }
        return PemBlock.Encode("OPENSSH PRIVATE KEY", w.ToArray(), lineLength: 70);
    }
}
