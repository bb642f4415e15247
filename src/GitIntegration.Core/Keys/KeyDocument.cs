namespace GitIntegration.Core.Keys;

public enum KeyFormat
{
    Unknown,

    /// <summary>OpenSSL "traditional" PEM: BEGIN RSA/EC/DSA PRIVATE KEY (PKCS#1, SEC1).</summary>
    Pem,

    /// <summary>BEGIN PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY.</summary>
    Pkcs8,

    /// <summary>BEGIN OPENSSH PRIVATE KEY (openssh-key-v1).</summary>
    OpenSsh,

    /// <summary>PuTTY .ppk, version 2 or 3.</summary>
    Ppk,

    /// <summary>An authorized_keys / .pub line.</summary>
    PublicOpenSsh,

    /// <summary>RFC 4716: ---- BEGIN SSH2 PUBLIC KEY ----.</summary>
    PublicRfc4716,

    /// <summary>BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY.</summary>
    PublicPem,
}

/// <summary>
/// A key as read from text: its format and protection, and the key itself as far as it could be
/// read (an encrypted PEM hides even the public half until the passphrase is given).
/// </summary>
public sealed class KeyDocument
{
    public KeyDocument(KeyFormat format, bool isPrivate, bool isEncrypted, KeyAlgorithm algorithm, SshKey? key)
    {
        Format = format;
        IsPrivate = isPrivate;
        IsEncrypted = isEncrypted;
        Algorithm = key?.Algorithm ?? algorithm;
        Key = key;
    }

    public KeyFormat Format { get; }
    public bool IsPrivate { get; }
    public bool IsEncrypted { get; }
    public KeyAlgorithm Algorithm { get; }
    public SshKey? Key { get; }

    /// <summary>The cipher protecting the private key, as the format names it (AES-128-CBC, aes256-ctr...).</summary>
    public string? Cipher { get; set; }

    /// <summary>The bcrypt rounds of an encrypted OpenSSH key.</summary>
    public int? KdfRounds { get; set; }

    /// <summary>The PPK file version (2 or 3).</summary>
    public int? PpkVersion { get; set; }

    public bool PrivateKeyAvailable => Key?.HasPrivate == true;

    /// <summary>The key with its private half, or the error that says why it is not available.</summary>
    public SshKey RequirePrivate()
    {
        if (!IsPrivate)
            throw new KeyFormatException(
                ErrorIds.KeyIsPublic,
                "This is a public key. A private key is needed here: use the file without the .pub extension."
            );
        if (Key == null || !Key.HasPrivate)
            throw new KeyPassphraseException(
                ErrorIds.PassphraseRequired,
                "The private key is protected by a passphrase. Give it with -Passphrase (Read-Host -AsSecureString)."
            );
        return Key;
    }
}
