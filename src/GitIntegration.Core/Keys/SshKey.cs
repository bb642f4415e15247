using System;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace GitIntegration.Core.Keys;

public enum KeyAlgorithm
{
    Unknown,
    Rsa,
    Dsa,
    Ecdsa,
    Ed25519,
}

/// <summary>
/// Key material: a public key and, when known, its private half. Never emitted to a user as is;
/// SshKeyInfo is the secret-free description.
/// </summary>
public sealed class SshKey
{
    private byte[]? _blob;

    public SshKey(AsymmetricKeyParameter publicKey, AsymmetricKeyParameter? privateKey, string? comment = null)
    {
        Public = publicKey ?? throw new ArgumentNullException(nameof(publicKey));
        Private = privateKey;
        Comment = comment ?? "";
        switch (publicKey)
        {
            case RsaKeyParameters rsa:
                Algorithm = KeyAlgorithm.Rsa;
                SshType = "ssh-rsa";
                Bits = rsa.Modulus.BitLength;
                break;
            case DsaPublicKeyParameters dsa:
                Algorithm = KeyAlgorithm.Dsa;
                SshType = "ssh-dss";
                Bits = dsa.Parameters.P.BitLength;
                break;
            case ECPublicKeyParameters ec:
                Algorithm = KeyAlgorithm.Ecdsa;
                Curve =
                    EcCurves.NameOf(ec.PublicKeyParamSet)
                    ?? throw new KeyFormatException(
                        ErrorIds.KeyAlgorithmNotSupported,
                        "Only the ECDSA curves nistp256, nistp384 and nistp521 are used by SSH. Generate a new "
                            + "key with New-GitSshKey."
                    );
                SshType = "ecdsa-sha2-" + Curve;
                Bits = EcCurves.BitsOf(Curve);
                break;
            case Ed25519PublicKeyParameters _:
                Algorithm = KeyAlgorithm.Ed25519;
                SshType = "ssh-ed25519";
                Bits = 256;
                break;
            default:
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    "This key type is not used by SSH. Use an RSA, ECDSA or Ed25519 key (New-GitSshKey makes one)."
                );
        }
        if (Bits > (Algorithm == KeyAlgorithm.Dsa ? MaxDsaBits : KeyGenerator.MaxRsaBits))
            throw TooLarge();
    }

    /// <summary>
    /// RSA beyond OpenSSH's 16384 bits, DSA beyond FIPS 186's largest group (3072; ssh-keygen itself lists larger), is
    /// refused before any arithmetic on it.
    /// </summary>
    internal const int MaxDsaBits = 3072;

    internal static KeyFormatException TooLarge() =>
        new KeyFormatException(
            ErrorIds.KeyTooLarge,
            "The key is larger than SSH allows (RSA 16384 bits, DSA 3072 bits). Generate a new key with New-GitSshKey."
        );

    public AsymmetricKeyParameter Public { get; }
    public AsymmetricKeyParameter? Private { get; }
    public bool HasPrivate => Private != null;
    public KeyAlgorithm Algorithm { get; }

    /// <summary>The SSH algorithm name: ssh-rsa, ssh-dss, ecdsa-sha2-nistp256..., ssh-ed25519.</summary>
    public string SshType { get; }
    public int Bits { get; }
    public string? Curve { get; }
    public string Comment { get; set; }

    /// <summary>ssh-keygen's short type name, as in "(RSA)" and the randomart title.</summary>
    public string ShortType =>
        Algorithm switch
        {
            KeyAlgorithm.Rsa => "RSA",
            KeyAlgorithm.Dsa => "DSA",
            KeyAlgorithm.Ecdsa => "ECDSA",
            _ => "ED25519",
        };

    public byte[] PublicBlob() => (byte[])(_blob ??= EncodePublicBlob()).Clone();

    public string PublicKeyBase64 => Convert.ToBase64String(_blob ??= EncodePublicBlob());

    /// <summary>The authorized_keys line, as <c>ssh-keygen -y</c> prints it.</summary>
    public string PublicKeyLine =>
        Comment.Length == 0 ? $"{SshType} {PublicKeyBase64}" : $"{SshType} {PublicKeyBase64} {Comment}";

    public string FingerprintSha256
    {
        get
        {
            using var sha = SHA256.Create();
            return "SHA256:" + Convert.ToBase64String(sha.ComputeHash(_blob ??= EncodePublicBlob())).TrimEnd('=');
        }
    }

    public string FingerprintMd5
    {
        get
        {
            using var md5 = MD5.Create();
            return "MD5:"
                + string.Join(":", md5.ComputeHash(_blob ??= EncodePublicBlob()).Select(b => b.ToString("x2")));
        }
    }

    public bool SamePublicKey(SshKey other) => PublicBlob().SequenceEqual(other.PublicBlob());

    private byte[] EncodePublicBlob()
    {
        var w = new SshWriter().String(SshType);
        switch (Public)
        {
            case RsaKeyParameters rsa:
                w.Mpint(rsa.Exponent).Mpint(rsa.Modulus);
                break;
            case DsaPublicKeyParameters dsa:
                w.Mpint(dsa.Parameters.P).Mpint(dsa.Parameters.Q).Mpint(dsa.Parameters.G).Mpint(dsa.Y);
                break;
            case ECPublicKeyParameters ec:
                w.String(Curve!).String(ec.Q.GetEncoded(false));
                break;
            case Ed25519PublicKeyParameters ed:
                w.String(ed.GetEncoded());
                break;
        }
        return w.ToArray();
    }

    /// <summary>Decodes a public key blob (the base64 part of an authorized_keys line).</summary>
    public static SshKey FromPublicBlob(byte[] blob, string? comment = null)
    {
        var r = new SshReader(blob);
        var key = ReadPublic(r, r.ReadAscii(), comment);
        if (r.Remaining != 0)
            throw SshReader.Corrupt();
        return key;
    }

    /// <summary>Reads the public fields that follow the type name, as laid out in key blobs.</summary>
    internal static SshKey ReadPublic(SshReader r, string type, string? comment) =>
        KeyReader.Parse(() => new SshKey(ReadPublicParameters(r, type), null, comment));

    private static AsymmetricKeyParameter ReadPublicParameters(SshReader r, string type)
    {
        AsymmetricKeyParameter pub;
        switch (type)
        {
            case "ssh-rsa":
            {
                var e = r.ReadPositiveMpint();
                var n = r.ReadPositiveMpint();
                // Before BouncyCastle's checks of the modulus, which call a larger one damaged.
                if (n.BitLength > KeyGenerator.MaxRsaBits)
                    throw TooLarge();
                pub = KeyReader.WithoutCompositenessTest(() => new RsaKeyParameters(false, n, e));
                break;
            }
            case "ssh-dss":
            {
                var p = r.ReadPositiveMpint();
                var q = r.ReadPositiveMpint();
                var g = r.ReadPositiveMpint();
                var y = r.ReadPositiveMpint();
                pub = new DsaPublicKeyParameters(y, new DsaParameters(p, q, g));
                break;
            }
            case "ssh-ed25519":
            {
                var pk = r.ReadString();
                if (pk.Length != 32)
                    throw SshReader.Corrupt();
                pub = new Ed25519PublicKeyParameters(pk, 0);
                break;
            }
            default:
                if (type.StartsWith("ecdsa-sha2-", StringComparison.Ordinal))
                {
                    var curve = r.ReadAscii();
                    if (type != "ecdsa-sha2-" + curve)
                        throw SshReader.Corrupt();
                    pub = EcCurves.PublicKey(curve, r.ReadString());
                    break;
                }
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    $"The key type '{Printable(type)}' is not supported. Use an RSA, ECDSA or Ed25519 key "
                        + "(New-GitSshKey makes one)."
                );
        }
        return pub;
    }

    internal static string Printable(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s.Take(64))
            sb.Append(c >= 0x20 && c < 0x7f ? c : '?');
        return sb.ToString();
    }
}

/// <summary>The three NIST curves SSH uses, by their SSH names.</summary>
internal static class EcCurves
{
    private static readonly (string Name, DerObjectIdentifier Oid, int Bits)[] Table =
    {
        ("nistp256", SecObjectIdentifiers.SecP256r1, 256),
        ("nistp384", SecObjectIdentifiers.SecP384r1, 384),
        ("nistp521", SecObjectIdentifiers.SecP521r1, 521),
    };

    public static string? NameOf(DerObjectIdentifier? oid) => Table.FirstOrDefault(t => t.Oid.Equals(oid)).Name;

    public static int BitsOf(string name) => Table.First(t => t.Name == name).Bits;

    public static DerObjectIdentifier Oid(string name)
    {
        foreach (var t in Table)
            if (t.Name == name)
                return t.Oid;
        throw new KeyFormatException(
            ErrorIds.KeyAlgorithmNotSupported,
            $"The ECDSA curve '{SshKey.Printable(name)}' is not supported; SSH uses nistp256, nistp384 and nistp521."
        );
    }

    public static ECDomainParameters Domain(DerObjectIdentifier oid)
    {
        X9ECParameters x9 = SecNamedCurves.GetByOid(oid);
        return new ECNamedDomainParameters(oid, x9.Curve, x9.G, x9.N, x9.H, x9.GetSeed());
    }

    public static ECPublicKeyParameters PublicKey(string name, byte[] point)
    {
        var oid = Oid(name);
        try
        {
            // DecodePoint refuses a point off the curve, and ECPublicKeyParameters the point at infinity.
            return new ECPublicKeyParameters("EC", Domain(oid).Curve.DecodePoint(point), oid);
        }
        catch (ArgumentException e)
        {
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The ECDSA public point is invalid; the key is corrupt. Copy it again from its original file.",
                e
            );
        }
    }

    public static ECPrivateKeyParameters PrivateKey(DerObjectIdentifier oid, BigInteger d)
    {
        var dom = Domain(oid);
        if (d.SignValue <= 0 || d.CompareTo(dom.N) >= 0)
            throw SshReader.Corrupt();
        return new ECPrivateKeyParameters("EC", d, oid);
    }

    public static ECPublicKeyParameters PublicFromPrivate(ECPrivateKeyParameters priv)
    {
        var q = priv.Parameters.G.Multiply(priv.D).Normalize();
        return new ECPublicKeyParameters("EC", q, priv.PublicKeyParamSet);
    }
}
