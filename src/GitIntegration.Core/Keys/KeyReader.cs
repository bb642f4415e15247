using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using GitIntegration.Core.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace GitIntegration.Core.Keys;

/// <summary>Reads a key in any supported format, detecting the format from the text.</summary>
public static class KeyReader
{
    public static KeyDocument ReadFile(string path, string? passphrase = null)
    {
        try
        {
            return Read(KeyText.ReadFile(path), passphrase, path);
        }
        catch (GitIntegrationException e) when (e.Target == null)
        {
            e.Target = path;
            throw;
        }
    }

    /// <summary>
    /// Reads key text. Without a passphrase an encrypted key yields what is readable in clear (its
    /// public half where the format stores one); with a wrong one, <see cref="KeyPassphraseException"/>.
    /// </summary>
    public static KeyDocument Read(string text, string? passphrase = null) => Read(text, passphrase, null);

    /// <param name="file">The file the text was read from, named in messages; null for pasted text.</param>
    internal static KeyDocument Read(string text, string? passphrase, string? file)
    {
        var t = KeyText.Normalize(text);
        if (t.Length == 0)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotRecognized,
                "The key is empty. Give the path of a key file, or paste the whole key including its BEGIN and "
                    + "END lines."
            );
        if (t.IndexOf('\0') >= 0)
            throw NotRecognized();
        if (t.StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal))
            return PpkFormat.Read(t, passphrase);
        if (t.StartsWith("---- BEGIN SSH2 PUBLIC KEY ----", StringComparison.Ordinal))
            return ReadRfc4716(t);
        // ssh.com's private key file has RFC 4716's four-dash lines, which no PEM reader matches.
        if (t.StartsWith("---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----", StringComparison.Ordinal))
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                "This is an ssh.com (Tectia) private key. Export it in OpenSSH format with ssh-keygen -i, "
                    + "then convert it with Convert-GitSshKey -Format Pem."
            );
        var pem = KeyText.FindPem(t);
        if (pem != null)
            return ReadPem(pem, passphrase);
        if (t.StartsWith("-----BEGIN", StringComparison.Ordinal))
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The key's BEGIN line has no matching END line: the key was cut while copying. Copy the whole "
                    + "key, including its last line."
            );
        return ReadPublicLine(t, file);
    }

    internal static KeyFormatException NotRecognized() =>
        new KeyFormatException(
            ErrorIds.KeyFormatNotRecognized,
            "This is not an SSH key in any known format (PEM, PKCS#8, OpenSSH, PuTTY .ppk, or a public key "
                + "line). Check that you gave the key file itself."
        );

    private static KeyDocument ReadPem(PemBlock pem, string? passphrase)
    {
        switch (pem.Label)
        {
            case "RSA PRIVATE KEY":
            case "EC PRIVATE KEY":
            case "DSA PRIVATE KEY":
                return ReadLegacyPem(pem, passphrase);
            case "PRIVATE KEY":
                return new KeyDocument(
                    KeyFormat.Pkcs8,
                    true,
                    false,
                    KeyAlgorithm.Unknown,
                    FromPrivate(Parse(() => PrivateKeyFactory.CreateKey(pem.Body)), "")
                );
            case "ENCRYPTED PRIVATE KEY":
                return ReadEncryptedPkcs8(pem, passphrase);
            case "OPENSSH PRIVATE KEY":
                return OpenSshFormat.Read(pem.Body, passphrase);
            case "PUBLIC KEY":
                return new KeyDocument(
                    KeyFormat.PublicPem,
                    false,
                    false,
                    KeyAlgorithm.Unknown,
                    new SshKey(Parse(() => PublicKeyFactory.CreateKey(pem.Body)), null)
                );
            case "RSA PUBLIC KEY":
                return new KeyDocument(
                    KeyFormat.PublicPem,
                    false,
                    false,
                    KeyAlgorithm.Rsa,
                    Parse(() =>
                    {
                        var s = RsaPublicKeyStructure.GetInstance(Asn1Object.FromByteArray(pem.Body));
                        return new SshKey(new RsaKeyParameters(false, s.Modulus, s.PublicExponent), null);
                    })
                );
            case "CERTIFICATE":
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    "This is an X.509 certificate, not an SSH key. Give the SSH private key file "
                        + "(New-GitSshKey makes one)."
                );
            default:
                if (pem.Label.Contains("PGP"))
                    throw new KeyFormatException(
                        ErrorIds.KeyFormatNotSupported,
                        "This is a PGP key, not an SSH key. Generate an SSH key with New-GitSshKey."
                    );
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    $"A PEM block labelled '{SshKey.Printable(pem.Label)}' is not an SSH private key. Give the "
                        + "SSH private key file (New-GitSshKey makes one)."
                );
        }
    }

    private static KeyDocument ReadLegacyPem(PemBlock pem, string? passphrase)
    {
        var algorithm =
            pem.Label.StartsWith("RSA") ? KeyAlgorithm.Rsa
            : pem.Label.StartsWith("EC") ? KeyAlgorithm.Ecdsa
            : KeyAlgorithm.Dsa;
        bool encrypted =
            pem.Headers.TryGetValue("Proc-Type", out var procType)
            && procType.EndsWith("ENCRYPTED", StringComparison.OrdinalIgnoreCase);
        var body = pem.Body;
        string? cipher = null;
        if (encrypted)
        {
            if (!pem.Headers.TryGetValue("DEK-Info", out var dek) || dek.Split(',').Length != 2)
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    "The encrypted PEM key has no valid DEK-Info line. Copy the key again, with its header lines."
                );
            var parts = dek.Split(',');
            cipher = parts[0].ToUpperInvariant();
            if (!LegacyPemEncryption.IsSupported(cipher))
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    $"The PEM key is encrypted with {SshKey.Printable(cipher)}, which is not supported "
                        + "(AES-128/192/256-CBC and DES-EDE3-CBC are). Re-encrypt it with: ssh-keygen -p -m pem -f "
                        + "<file>."
                );
            byte[] iv;
            try
            {
                iv = Org.BouncyCastle.Utilities.Encoders.Hex.Decode(parts[1]);
            }
            catch (Exception e)
            {
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    "The DEK-Info line of the encrypted PEM key is damaged. Copy the key again from its original file.",
                    e
                );
            }
            if (!LegacyPemEncryption.Fits(cipher, iv, body))
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    $"The encrypted PEM key is damaged: its IV or its encrypted body has the wrong length for {cipher} "
                        + "(a line was cut or edited). Copy the key again from its original file."
                );
            if (passphrase == null)
                return new KeyDocument(KeyFormat.Pem, true, true, algorithm, null) { Cipher = cipher };
            body = LegacyPemEncryption.Decrypt(cipher, iv, passphrase, body) ?? throw WrongPassphrase();
        }
        SshKey key;
        try
        {
            key = FromPrivate(ParseTraditional(algorithm, body), "");
        }
        catch (GitIntegrationException) when (encrypted)
        {
            throw WrongPassphrase();
        }
        return new KeyDocument(KeyFormat.Pem, true, encrypted, algorithm, key) { Cipher = cipher };
    }

    private static KeyFormatException ExplicitCurve() =>
        new KeyFormatException(
            ErrorIds.KeyFormatNotSupported,
            "This EC key spells out its curve parameters instead of naming the curve, which SSH does not accept. "
                + "Convert it with: openssl ec -in <file> -param_enc named_curve."
        );

    private static AsymmetricKeyParameter ParseTraditional(KeyAlgorithm algorithm, byte[] der) =>
        Parse<AsymmetricKeyParameter>(() =>
        {
            var seq = Asn1Sequence.GetInstance(Asn1Object.FromByteArray(der));
            switch (algorithm)
            {
                case KeyAlgorithm.Rsa:
                    var r = RsaPrivateKeyStructure.GetInstance(seq);
                    return new RsaPrivateCrtKeyParameters(
                        r.Modulus,
                        r.PublicExponent,
                        r.PrivateExponent,
                        r.Prime1,
                        r.Prime2,
                        r.Exponent1,
                        r.Exponent2,
                        r.Coefficient
                    );
                case KeyAlgorithm.Ecdsa:
                    var ec = ECPrivateKeyStructure.GetInstance(seq);
                    // BouncyCastle 2 gives null for absent parameters, where 1.8 threw.
                    var p = X962Parameters.GetInstance(ec.Parameters) ?? throw SshReader.Corrupt();
                    if (!p.IsNamedCurve)
                        throw ExplicitCurve();
                    return EcCurves.PrivateKey((DerObjectIdentifier)p.Parameters, ec.GetKey());
                default:
                    if (seq.Count != 6)
                        throw SshReader.Corrupt();
                    var v = seq.OfType<DerInteger>().Select(i => i.PositiveValue).ToArray();
                    if (v.Length != 6)
                        throw SshReader.Corrupt();
                    return new DsaPrivateKeyParameters(v[5], new DsaParameters(v[1], v[2], v[3]));
            }
        });

    private static KeyDocument ReadEncryptedPkcs8(PemBlock pem, string? passphrase)
    {
        if (passphrase == null)
            return new KeyDocument(KeyFormat.Pkcs8, true, true, KeyAlgorithm.Unknown, null);
        var info = Parse(() => EncryptedPrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(pem.Body)));
        byte[]? der;
        try
        {
            der = Pbes2.Decrypt(info, passphrase);
        }
        catch (Pbes2.UnsupportedException e)
        {
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                "The PKCS#8 key is encrypted with a scheme that is not supported "
                    + $"({SshKey.Printable(e.Message)}). Re-encrypt it with: ssh-keygen -p -m pem -f <file>."
            );
        }
        catch (Exception e)
            when (e is ArgumentException
                || e is InvalidCastException
                || e is InvalidOperationException
                || e is IndexOutOfRangeException
            )
        {
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The encrypted PKCS#8 key is damaged: its encryption parameters or its encrypted data cannot be "
                    + "used. Copy the key again from its original file.",
                e
            );
        }
        if (der == null)
            throw WrongPassphrase();
        AsymmetricKeyParameter priv;
        try
        {
            priv = WithoutCompositenessTest(() => PrivateKeyFactory.CreateKey(der));
        }
        catch (Exception e) when (!(e is OutOfMemoryException))
        {
            throw WrongPassphrase();
        }
        return new KeyDocument(KeyFormat.Pkcs8, true, true, KeyAlgorithm.Unknown, FromPrivate(priv, ""));
    }

    /// <summary>Builds the key from its private half, deriving the public half.</summary>
    internal static SshKey FromPrivate(AsymmetricKeyParameter priv, string comment) =>
        Parse(() => new SshKey(PublicOf(priv), priv, comment));

    private static AsymmetricKeyParameter PublicOf(AsymmetricKeyParameter priv)
    {
        AsymmetricKeyParameter pub;
        switch (priv)
        {
            case RsaPrivateCrtKeyParameters rsa:
                pub = WithoutCompositenessTest(() => new RsaKeyParameters(false, rsa.Modulus, rsa.PublicExponent));
                break;
            case ECPrivateKeyParameters ec:
                // A named curve SSH does not use is refused by SshKey, as for a public key.
                if (ec.PublicKeyParamSet == null)
                    throw ExplicitCurve();
                pub = EcCurves.PublicFromPrivate(ec);
                break;
            case Ed25519PrivateKeyParameters ed:
                pub = ed.GeneratePublicKey();
                break;
            case DsaPrivateKeyParameters dsa:
                if (dsa.Parameters.P.BitLength > SshKey.MaxDsaBits)
                    throw SshKey.TooLarge();
                pub = new DsaPublicKeyParameters(dsa.Parameters.G.ModPow(dsa.X, dsa.Parameters.P), dsa.Parameters);
                break;
            default:
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    "This key type is not used by SSH. Use an RSA, ECDSA or Ed25519 key (New-GitSshKey makes one)."
                );
        }
        return pub;
    }

    internal static KeyPassphraseException WrongPassphrase() =>
        new KeyPassphraseException(
            ErrorIds.WrongPassphrase,
            "The passphrase is wrong: the key could not be decrypted with it. Check the passphrase (it is "
                + "case-sensitive) and try again."
        );

    /// <summary>Runs a parser from a library, turning whatever it throws on bad input into our own error.</summary>
    /// <summary>
    /// Runs <paramref name="make"/> without BouncyCastle 2's test that an RSA modulus is composite: three Miller-Rabin
    /// rounds, about 130 ms at 4,096 bits for every RSA key object built, where ssh-keygen makes none. Its cheap checks
    /// of the modulus (odd, no small factor, at most 16,384 bits) stay; the setting is this thread's, for this call.
    /// </summary>
    internal static T WithoutCompositenessTest<T>(Func<T> make) =>
        Properties.WithThreadProperty(Properties.RsaMaxMRTests, "0", make);

    internal static T Parse<T>(Func<T> parse)
    {
        // BouncyCastle 2's GetInstance answers null for absent input, where 1.8 threw: that is damage too.
        try
        {
            return WithoutCompositenessTest(parse) ?? throw new ArgumentException("nothing to decode");
        }
        catch (GitIntegrationException)
        {
            throw;
        }
        catch (Exception e)
            when (e is ArgumentException
                || e is InvalidOperationException
                || e is System.IO.IOException
                || e is FormatException
                || e is InvalidCastException
                || e is IndexOutOfRangeException
                || e is NullReferenceException
                || e is ArithmeticException
                || e is SecurityUtilityException
                || e is CryptoException
                || e is NotSupportedException
            )
        {
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The key's content is damaged and cannot be decoded. Copy the key again from its original file.",
                e
            );
        }
    }

    private static readonly HashSet<string> PublicTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ssh-rsa",
        "ssh-dss",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
    };

    /// <summary>An authorized_keys line: [options] type base64 [comment].</summary>
    private static KeyDocument ReadPublicLine(string text, string? file)
    {
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("#")) ?? "";
        var tokens = Tokenize(line);
        for (int i = 0; i < tokens.Count; i++)
        {
            var tok = tokens[i].Text;
            if (tok.Contains("-cert-v01@openssh.com"))
                throw new KeyFormatException(
                    ErrorIds.KeyFormatNotSupported,
                    "This is an OpenSSH certificate, not a key. Give the private key file the certificate was "
                        + "issued for."
                );
            if (tok.StartsWith("sk-", StringComparison.Ordinal))
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    "This key lives on a hardware security key (FIDO), which a server cannot use. Generate a "
                        + "file key with New-GitSshKey."
                );
            if (!PublicTypes.Contains(tok) || i + 1 >= tokens.Count)
                continue;
            // The comment is the rest of the line as written, inner spaces kept, as ssh-keygen reads it.
            var comment = i + 2 < tokens.Count ? line.Substring(tokens[i + 2].Start) : "";
            var key = SshKey.FromPublicBlob(KeyText.Base64(tokens[i + 1].Text), comment);
            if (key.SshType != tok)
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    $"The public key line in {(file == null ? "the pasted text" : $"'{file}'")} says '{tok}' but "
                        + $"holds an {key.SshType} key: it was edited or pieced together from two keys. Copy the "
                        + "line again, whole, from the key's .pub file."
                );
            return new KeyDocument(KeyFormat.PublicOpenSsh, false, false, key.Algorithm, key);
        }
        throw NotRecognized();
    }

    private static List<(string Text, int Start)> Tokenize(string line)
    {
        var tokens = new List<(string, int)>();
        int start = -1;
        bool quoted = false;
        for (int i = 0; i <= line.Length; i++)
        {
            var c = i < line.Length ? line[i] : ' ';
            // As sshd reads an options field: \" is a quote inside a value, " opens or closes a value.
            bool escaped = c == '\\' && i + 1 < line.Length && line[i + 1] == '"';
            if (c == '"')
                quoted = !quoted;
            if (i < line.Length && (quoted || escaped || (c != ' ' && c != '\t')))
            {
                if (start < 0)
                    start = i;
                if (escaped)
                    i++;
                continue;
            }
            if (start >= 0)
                tokens.Add((line.Substring(start, i - start), start));
            start = -1;
        }
        return tokens;
    }

    /// <summary>RFC 4716 §3: headers (with backslash continuation), then the base64 blob.</summary>
    private static KeyDocument ReadRfc4716(string text)
    {
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();
        int end = lines.FindIndex(l => l == "---- END SSH2 PUBLIC KEY ----");
        if (end < 0)
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The SSH2 public key has no END line: it was cut while copying. Copy all of it."
            );
        string comment = "";
        var body = new StringBuilder();
        for (int i = 1; i < end; i++)
        {
            var l = lines[i];
            int colon = l.IndexOf(':');
            if (colon > 0 && body.Length == 0)
            {
                var value = l.Substring(colon + 1).Trim();
                while (value.EndsWith("\\") && i + 1 < end)
                    value = value.Substring(0, value.Length - 1) + lines[++i];
                if (l.Substring(0, colon).Equals("Comment", StringComparison.OrdinalIgnoreCase))
                    comment = value.Trim('"');
                continue;
            }
            body.Append(l);
        }
        var key = SshKey.FromPublicBlob(KeyText.Base64(body.ToString()), comment);
        return new KeyDocument(KeyFormat.PublicRfc4716, false, false, key.Algorithm, key);
    }
}
