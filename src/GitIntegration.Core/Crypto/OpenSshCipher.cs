#nullable enable
using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitIntegration.Core.Crypto;

/// <summary>
/// Encrypts and decrypts the private section of an OpenSSH "openssh-key-v1" private key file,
/// for every cipher ssh-keygen can write (plus "3des-cbc", read only, and "none").
/// </summary>
/// <remarks>
/// Key material: OpenSSH derives <see cref="KeyMaterialLength"/> (= KeyLength + IvLength) bytes with
/// bcrypt_pbkdf and splits them into the key (first KeyLength bytes) and the IV (the rest).
/// Ciphertext layout: the length-prefixed encrypted string of the file holds only the encrypted
/// section (a multiple of <see cref="BlockSize"/>); for AEAD ciphers the <see cref="TagLength"/>-byte
/// tag follows that string, outside its length. <see cref="Decrypt"/> takes, and <see cref="Encrypt"/>
/// returns, section || tag.
/// Instances are immutable and thread-safe.
/// </remarks>
public sealed class OpenSshCipher
{
    private enum Kind
    {
        None,
        AesCtr,
        AesCbc,
        AesGcm,
        ChaCha20Poly1305,
        TripleDesCbc,
    }

    private static readonly OpenSshCipher[] All =
    {
        // name, kind, key, iv, block, tag, can encrypt — the values of OpenSSH's cipher.c,
        // with iv = cipher_ivlen() (the block size when the table says 0, except chacha).
        new OpenSshCipher("aes128-ctr", Kind.AesCtr, 16, 16, 16, 0, true),
        new OpenSshCipher("aes192-ctr", Kind.AesCtr, 24, 16, 16, 0, true),
        new OpenSshCipher("aes256-ctr", Kind.AesCtr, 32, 16, 16, 0, true),
        new OpenSshCipher("aes128-cbc", Kind.AesCbc, 16, 16, 16, 0, true),
        new OpenSshCipher("aes192-cbc", Kind.AesCbc, 24, 16, 16, 0, true),
        new OpenSshCipher("aes256-cbc", Kind.AesCbc, 32, 16, 16, 0, true),
        new OpenSshCipher("aes128-gcm@openssh.com", Kind.AesGcm, 16, 12, 16, 16, true),
        new OpenSshCipher("aes256-gcm@openssh.com", Kind.AesGcm, 32, 12, 16, 16, true),
        new OpenSshCipher("chacha20-poly1305@openssh.com", Kind.ChaCha20Poly1305, 64, 0, 8, 16, true),
        new OpenSshCipher("3des-cbc", Kind.TripleDesCbc, 24, 8, 8, 0, false),
        // Unencrypted keys: kdfname "none", no key material; the section is padded to 8.
        new OpenSshCipher("none", Kind.None, 0, 0, 8, 0, true),
    };

    private static readonly IReadOnlyList<string> AllNames = Array.AsReadOnly(Array.ConvertAll(All, c => c.Name));

    private readonly Kind _kind;

    private OpenSshCipher(
        string name,
        Kind kind,
        int keyLength,
        int ivLength,
        int blockSize,
        int tagLength,
        bool canEncrypt
    )
    {
        Name = name;
        _kind = kind;
        KeyLength = keyLength;
        IvLength = ivLength;
        BlockSize = blockSize;
        TagLength = tagLength;
        CanEncrypt = canEncrypt;
    }

    /// <summary>All cipher names this class knows, as written in key files.</summary>
    public static IReadOnlyList<string> Names => AllNames;

    /// <summary>The cipher with this exact (case-sensitive) OpenSSH name, or null if unsupported.</summary>
    public static OpenSshCipher? Find(string name)
    {
        if (name is null)
            throw new ArgumentNullException(nameof(name));
        foreach (var c in All)
        {
            if (string.Equals(c.Name, name, StringComparison.Ordinal))
                return c;
        }
        return null;
    }

    /// <summary>The OpenSSH cipher name, e.g. "aes256-ctr".</summary>
    public string Name { get; }

    /// <summary>Key bytes taken from the start of the bcrypt_pbkdf output.</summary>
    public int KeyLength { get; }

    /// <summary>IV bytes taken after the key (0 for chacha20-poly1305, 12 for AES-GCM).</summary>
    public int IvLength { get; }

    /// <summary>The private section is padded (bytes 1, 2, 3, ...) to a multiple of this.</summary>
    public int BlockSize { get; }

    /// <summary>Authentication tag bytes appended after the encrypted section (0 if not AEAD).</summary>
    public int TagLength { get; }

    /// <summary>The number of bytes to ask bcrypt_pbkdf for: KeyLength + IvLength.</summary>
    public int KeyMaterialLength => KeyLength + IvLength;

    /// <summary>True for ciphers with an authentication tag.</summary>
    public bool IsAead => TagLength > 0;

    /// <summary>False for legacy ciphers kept for reading only (3des-cbc).</summary>
    public bool CanEncrypt { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Decrypts an encrypted private section. <paramref name="encrypted"/> is the content of the
    /// encrypted string followed by the tag for AEAD ciphers.
    /// </summary>
    /// <returns>The plaintext section (encrypted.Length - TagLength bytes), starting with the two checkints.</returns>
    /// <exception cref="ArgumentException">Wrong key material length, or the data is not a positive multiple of the
    /// block size (plus tag).</exception>
    /// <exception cref="CryptographicException">The AEAD tag does not match (normally: wrong passphrase).</exception>
    public byte[] Decrypt(byte[] keyAndIv, byte[] encrypted)
    {
        if (encrypted is null)
            throw new ArgumentNullException(nameof(encrypted));
        CheckKeyMaterial(keyAndIv);
        int length = encrypted.Length - TagLength;
        CheckSectionLength(length, nameof(encrypted));
        return Process(false, keyAndIv, encrypted, length);
    }

    /// <summary>
    /// Encrypts a private section that is already padded to <see cref="BlockSize"/>.
    /// </summary>
    /// <returns>The encrypted section followed by the tag (AEAD ciphers).</returns>
    /// <exception cref="NotSupportedException">The cipher is read-only (<see cref="CanEncrypt"/> is false).</exception>
    /// <exception cref="ArgumentException">Wrong key material length, or the section is not a positive multiple of the
    /// block size.</exception>
    public byte[] Encrypt(byte[] keyAndIv, byte[] plain)
    {
        if (plain is null)
            throw new ArgumentNullException(nameof(plain));
        if (!CanEncrypt)
            throw new NotSupportedException($"Writing keys encrypted with {Name} is not supported.");
        CheckKeyMaterial(keyAndIv);
        CheckSectionLength(plain.Length, nameof(plain));
        return Process(true, keyAndIv, plain, plain.Length);
    }

    private void CheckKeyMaterial(byte[] keyAndIv)
    {
        if (keyAndIv is null)
            throw new ArgumentNullException(nameof(keyAndIv));
        if (keyAndIv.Length != KeyMaterialLength)
            throw new ArgumentException(
                $"{Name} needs {KeyMaterialLength} bytes of key material (key {KeyLength} + IV {IvLength}), got "
                    + $"{keyAndIv.Length}.",
                nameof(keyAndIv)
            );
    }

    private void CheckSectionLength(int length, string paramName)
    {
        if (length < BlockSize || length % BlockSize != 0)
            throw new ArgumentException(
                $"The {Name} private section must be a positive multiple of {BlockSize} bytes"
                    + (TagLength > 0 ? $" followed by a {TagLength}-byte tag." : "."),
                paramName
            );
    }

    private byte[] Process(bool encrypt, byte[] keyAndIv, byte[] input, int length)
    {
        var key = new byte[KeyLength];
        var iv = new byte[IvLength];
        Buffer.BlockCopy(keyAndIv, 0, key, 0, KeyLength);
        Buffer.BlockCopy(keyAndIv, KeyLength, iv, 0, IvLength);
        try
        {
            switch (_kind)
            {
                case Kind.None:
                    var copy = new byte[length];
                    Buffer.BlockCopy(input, 0, copy, 0, length);
                    return copy;
                case Kind.AesCtr:
                    return RunBlockCipher(new SicBlockCipher(new AesEngine()), encrypt, key, iv, input, length);
                case Kind.AesCbc:
                    return RunBlockCipher(new CbcBlockCipher(new AesEngine()), encrypt, key, iv, input, length);
                case Kind.TripleDesCbc:
                    return RunBlockCipher(new CbcBlockCipher(new DesEdeEngine()), encrypt, key, iv, input, length);
                case Kind.AesGcm:
                    return RunGcm(encrypt, key, iv, input, length);
                case Kind.ChaCha20Poly1305:
                    return RunChaChaPoly(encrypt, key, input, length);
                default:
                    throw new InvalidOperationException("Unknown cipher kind.");
            }
        }
        finally
        {
            Array.Clear(key, 0, key.Length);
            Array.Clear(iv, 0, iv.Length);
        }
    }

    private static byte[] RunBlockCipher(
        IBlockCipher cipher,
        bool encrypt,
        byte[] key,
        byte[] iv,
        byte[] input,
        int length
    )
    {
        cipher.Init(encrypt, new ParametersWithIV(new KeyParameter(key), iv));
        int bs = cipher.GetBlockSize();
        var output = new byte[length];
        for (int off = 0; off < length; off += bs)
            cipher.ProcessBlock(input, off, output, off);
        return output;
    }

    // OpenSSH sets the whole 12-byte IV (EVP_CTRL_GCM_SET_IV_FIXED, -1) and the first message uses it
    // unchanged (EVP_CTRL_GCM_IV_GEN increments only afterwards). The key file has no AAD.
    private byte[] RunGcm(bool encrypt, byte[] key, byte[] iv, byte[] input, int length)
    {
        var gcm = new GcmBlockCipher(new AesEngine());
        gcm.Init(encrypt, new AeadParameters(new KeyParameter(key), TagLength * 8, iv, null));
        int inLength = encrypt ? length : length + TagLength;
        var output = new byte[gcm.GetOutputSize(inLength)];
        try
        {
            // GetOutputSize is exact here: length + tag to encrypt, length to decrypt.
            gcm.DoFinal(output, gcm.ProcessBytes(input, 0, inLength, output, 0));
            return output;
        }
        catch (InvalidCipherTextException e)
        {
            Array.Clear(output, 0, output.Length);
            throw new CryptographicException("The authentication tag of the private key does not match.", e);
        }
    }

    // cipher-chachapoly.c with seqnr 0 and aadlen 0: original ChaCha20 (64-bit nonce = BE64(seqnr) = 0,
    // 64-bit block counter) keyed with the FIRST 32 key bytes ("main" key; the second 32 bytes are the
    // packet-length key, unused here). Block 0's first 32 keystream bytes are the Poly1305 key; the payload
    // is XORed with the keystream starting at block 1; the tag is Poly1305 over the ciphertext alone.
    private byte[] RunChaChaPoly(bool encrypt, byte[] key, byte[] input, int length)
    {
        var mainKey = new byte[32];
        var block0 = new byte[64];
        var polyKey = new byte[32];
        Buffer.BlockCopy(key, 0, mainKey, 0, 32);
        try
        {
            var chacha = new ChaChaEngine(20);
            chacha.Init(true, new ParametersWithIV(new KeyParameter(mainKey), new byte[8]));
            chacha.ProcessBytes(block0, 0, 64, block0, 0); // keystream block 0, counter now 1
            Buffer.BlockCopy(block0, 0, polyKey, 0, 32);

            if (!encrypt)
            {
                var expected = Poly1305Tag(polyKey, input, length);
                if (!FixedTimeEquals(expected, 0, input, length, TagLength))
                    throw new CryptographicException("The authentication tag of the private key does not match.");
            }

            var output = new byte[encrypt ? length + TagLength : length];
            chacha.ProcessBytes(input, 0, length, output, 0);

            if (encrypt)
            {
                var tag = Poly1305Tag(polyKey, output, length);
                Buffer.BlockCopy(tag, 0, output, length, TagLength);
            }
            return output;
        }
        finally
        {
            Array.Clear(mainKey, 0, mainKey.Length);
            Array.Clear(block0, 0, block0.Length);
            Array.Clear(polyKey, 0, polyKey.Length);
        }
    }

    private static byte[] Poly1305Tag(byte[] polyKey, byte[] data, int length)
    {
        var mac = new Poly1305();
        mac.Init(new KeyParameter(polyKey));
        mac.BlockUpdate(data, 0, length);
        var tag = new byte[mac.GetMacSize()];
        mac.DoFinal(tag, 0);
        return tag;
    }

    private static bool FixedTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int length)
    {
        int diff = 0;
        for (int i = 0; i < length; i++)
            diff |= a[aOff + i] ^ b[bOff + i];
        return diff == 0;
    }
}
