using System;
using System.Collections.Generic;
using GitIntegration.Core.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitIntegration.Core.Keys;

/// <summary>The private key formats this module writes.</summary>
public enum PrivateKeyFormat
{
    /// <summary>OpenSSL PEM (BEGIN RSA/EC PRIVATE KEY): what the integration demands.</summary>
    Pem,

    /// <summary>OpenSSH's own format (BEGIN OPENSSH PRIVATE KEY), ssh-keygen's default.</summary>
    OpenSsh,
}

public static class KeyWriter
{
    public const string DefaultPemCipher = "AES-128-CBC";

    /// <summary>Encodes a private key. A null passphrase writes it unencrypted.</summary>
    public static string Write(
        SshKey key,
        PrivateKeyFormat format,
        string? passphrase,
        string? pemCipher = null,
        int? rounds = null
    )
    {
        if (key.Private == null)
            throw new KeyFormatException(
                ErrorIds.KeyIsPublic,
                "A public key cannot be written as a private key file. Read the private key file instead."
            );
        if (passphrase != null && passphrase.Length == 0)
            passphrase = null;
        if (format == PrivateKeyFormat.OpenSsh)
            return OpenSshFormat.Write(key, passphrase, rounds ?? OpenSshFormat.DefaultRounds);
        return WritePem(key, passphrase, pemCipher ?? DefaultPemCipher);
    }

    private static string WritePem(SshKey key, string? passphrase, string cipher)
    {
        string label;
        byte[] der;
        switch (key.Private)
        {
            case RsaPrivateCrtKeyParameters rsa:
                label = "RSA PRIVATE KEY";
                der = new RsaPrivateKeyStructure(
                    rsa.Modulus,
                    rsa.PublicExponent,
                    rsa.Exponent,
                    rsa.P,
                    rsa.Q,
                    rsa.DP,
                    rsa.DQ,
                    rsa.QInv
                ).GetDerEncoded();
                break;
            case ECPrivateKeyParameters ec:
                label = "EC PRIVATE KEY";
                var q = ((ECPublicKeyParameters)key.Public).Q.GetEncoded(false);
                der = new ECPrivateKeyStructure(
                    ec.Parameters.N.BitLength,
                    ec.D,
                    new DerBitString(q),
                    new X962Parameters(ec.PublicKeyParamSet)
                ).GetDerEncoded();
                break;
            case DsaPrivateKeyParameters dsa:
                label = "DSA PRIVATE KEY";
                var p = dsa.Parameters;
                der = new DerSequence(
                    DerInteger.Zero,
                    new DerInteger(p.P),
                    new DerInteger(p.Q),
                    new DerInteger(p.G),
                    new DerInteger(((DsaPublicKeyParameters)key.Public).Y),
                    new DerInteger(dsa.X)
                ).GetDerEncoded();
                break;
            default:
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    "An Ed25519 key has no OpenSSL PEM form; it can only be written in OpenSSH format (-Format "
                        + "OpenSsh). If the integration demands PEM, use an RSA key."
                );
        }
        if (passphrase == null)
            return PemBlock.Encode(label, der);
        if (!LegacyPemEncryption.IsSupported(cipher))
            throw new ArgumentException(
                $"PEM cipher must be one of {string.Join(", ", LegacyPemEncryption.Ciphers)}.",
                nameof(cipher)
            );
        var (data, iv) = LegacyPemEncryption.Encrypt(cipher, passphrase, der);
        return PemBlock.Encode(
            label,
            data,
            new[]
            {
                new KeyValuePair<string, string>("Proc-Type", "4,ENCRYPTED"),
                new KeyValuePair<string, string>(
                    "DEK-Info",
                    cipher.ToUpperInvariant()
                        + ","
                        + Org.BouncyCastle.Utilities.Encoders.Hex.ToHexString(iv).ToUpperInvariant()
                ),
            }
        );
    }
}
