using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using GitIntegration.Core.Crypto;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace GitIntegration.Core.Keys;

/// <summary>How <see cref="PpkFormat.Write"/> protects a .ppk file; the defaults are puttygen's.</summary>
public sealed class PpkWriteOptions
{
    /// <summary>3 (PuTTY 0.75 and later, Argon2) or 2 (older PuTTY, WinSCP, FileZilla).</summary>
    public int Version { get; set; } = 3;
    public Argon2Type KeyDerivation { get; set; } = Argon2Type.Argon2id;

    /// <summary>What PuTTYgen writes.</summary>
    public const int DefaultMemoryKiB = 8192;
    public int MemoryKiB { get; set; } = DefaultMemoryKiB;

    /// <summary>
    /// Argon2 passes; null chooses them like puttygen: as many as take about <see cref="TimeMilliseconds"/>.
    /// </summary>
    public int? Passes { get; set; }
    public int Parallelism { get; set; } = 1;
    public int TimeMilliseconds { get; set; } = 100;
}

/// <summary>
/// PuTTY's key file, versions 2 and 3 (PuTTY manual, appendix C "PPK file format"). The public half is in
/// clear; the private half may be encrypted with AES-256-CBC, keyed from SHA-1 (v2) or Argon2 (v3), and
/// the whole is authenticated by Private-MAC (HMAC-SHA-1 for v2, HMAC-SHA-256 for v3).
/// </summary>
public static class PpkFormat
{
    // What a file may ask Argon2 for, checked before anything is allocated. PuTTYgen writes 8192 KiB, one lane,
    // and as many passes as take 0.1 s on the machine that saves the key (34 on this project's machines; a machine
    // several times faster picks the next Fibonacci numbers, 89 or 144). puttygen --ppk-param takes any memory
    // and passes (4 GiB ran out of memory, 2^32-1 passes ran until stopped), so the caps are 32 times PuTTYgen's
    // memory and 256 passes at its memory: a hostile file then costs about 1.5 s and 400 MB, where 1 GiB and 8
    // passes cost 7 s to 28 s and 1.2 GB per read.

    /// <summary>The most memory a .ppk may ask Argon2 for: 256 MiB, 32 times what PuTTYgen writes.</summary>
    public const int MaxMemoryKiB = 256 * 1024;

    /// <summary>Memory (KiB) times passes: 256 passes at PuTTYgen's 8192 KiB, 8 at the most memory.</summary>
    public const long MaxWork = PpkWriteOptions.DefaultMemoryKiB * 256L;
    private const string Aes = "aes256-cbc";
    private const int MaxLines = 1024;
    private const int LineLength = 64;

    private static readonly string[] Algorithms =
    {
        "ssh-rsa",
        "ssh-dss",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "ssh-ed25519",
    };

    /// <summary>
    /// Reads .ppk text. Without a passphrase an encrypted file yields its public half; an unencrypted one is
    /// always verified and read whole. <paramref name="progress"/> follows Argon2 (v3, encrypted).
    /// </summary>
    public static KeyDocument Read(
        string text,
        string? passphrase,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var lines = new Lines(text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n'));
        var (version, algorithm) = ReadHeader(lines.Next());
        var encryption = lines.Field("Encryption");
        if (encryption != "none" && encryption != Aes)
            throw Unsupported(
                $"The PuTTY key is encrypted with '{SshKey.Printable(encryption)}'; PuTTY writes only "
                    + "aes256-cbc. Save it again with a current PuTTYgen."
            );
        bool encrypted = encryption != "none";
        var comment = lines.Field("Comment");
        var publicBlob = lines.Base64Block("Public-Lines");
        var publicKey = SshKey.FromPublicBlob(publicBlob, comment);
        if (publicKey.SshType != algorithm)
            throw Corrupt();

        Argon2Type kdf = Argon2Type.Argon2id;
        int memory = 0,
            passes = 0,
            parallelism = 0;
        byte[] salt = Array.Empty<byte>();
        if (version == 3 && encrypted)
        {
            var kdfName = lines.Field("Key-Derivation");
            kdf = kdfName switch
            {
                "Argon2id" => Argon2Type.Argon2id,
                "Argon2i" => Argon2Type.Argon2i,
                "Argon2d" => Argon2Type.Argon2d,
                _ => throw Unsupported(
                    $"The PuTTY key uses the key derivation '{SshKey.Printable(kdfName)}'; PuTTY knows only "
                        + "Argon2id, Argon2i and Argon2d. Save it again with a current PuTTYgen."
                ),
            };
            memory = lines.Number("Argon2-Memory");
            passes = lines.Number("Argon2-Passes");
            parallelism = lines.Number("Argon2-Parallelism");
            salt = Hex(lines.Field("Argon2-Salt"));
            CheckCost(memory, passes);
        }
        var privateBlob = lines.Base64Block("Private-Lines");
        var mac = Hex(lines.Field("Private-MAC"));
        if (
            mac.Length != (version == 2 ? 20 : 32)
            || encrypted && (privateBlob.Length == 0 || privateBlob.Length % 16 != 0)
        )
            throw Corrupt();

        var doc = new KeyDocument(KeyFormat.Ppk, true, encrypted, publicKey.Algorithm, publicKey)
        {
            PpkVersion = version,
            Cipher = encrypted ? encryption : null,
        };
        if (encrypted && passphrase == null)
            return doc;

        var secret = encrypted ? passphrase! : "";
        byte[] plain;
        var (cipherKey, macKey) =
            version == 2 ? V2Keys(secret)
            : encrypted ? V3Keys(secret, kdf, salt, memory, passes, parallelism, progress, cancellationToken)
            : (Array.Empty<byte>(), Array.Empty<byte>());
        try
        {
            plain = encrypted ? OpenSshCipher.Find(Aes)!.Decrypt(cipherKey, privateBlob) : privateBlob;
            var expected = Mac(version, macKey, algorithm, encryption, comment, publicBlob, plain);
            if (!Org.BouncyCastle.Utilities.Arrays.FixedTimeEquals(expected, mac))
            {
                // With the right passphrase the private half still decodes to the public key: then only the clear lines
                // were edited.
                if (encrypted && TryReadPrivate(plain, publicKey) == null)
                    throw WrongPassphrase();
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    "The PuTTY key file was modified after PuTTYgen saved it (its Private-MAC does not match; "
                        + "an edited comment is enough). Use an unedited copy of the .ppk file."
                );
            }
        }
        finally
        {
            Array.Clear(cipherKey, 0, cipherKey.Length);
            Array.Clear(macKey, 0, macKey.Length);
        }
        var key =
            TryReadPrivate(plain, publicKey)
            ?? throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The PuTTY key's private half does not belong to its public half; the file is damaged. Use "
                    + "another copy of the key."
            );
        return new KeyDocument(KeyFormat.Ppk, true, encrypted, key.Algorithm, key)
        {
            PpkVersion = version,
            Cipher = doc.Cipher,
        };
    }

    /// <summary>Encodes a private key as a .ppk file. A null or empty passphrase writes it unencrypted.</summary>
    public static string Write(
        SshKey key,
        string? passphrase,
        PpkWriteOptions? options = null,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var o = options ?? new PpkWriteOptions();
        if (key.Private == null)
            throw new KeyFormatException(
                ErrorIds.KeyIsPublic,
                "A public key cannot be written as a PuTTY private key. Read the private key file instead."
            );
        if (key.Algorithm == KeyAlgorithm.Dsa)
            throw new KeyFormatException(
                ErrorIds.KeyAlgorithmNotSupported,
                "DSA keys are obsolete and are not written as .ppk files. Generate an RSA key with New-GitSshKey."
            );
        if (o.Version != 2 && o.Version != 3)
            throw InvalidOptions("The PPK version must be 2 or 3.");
        if (string.IsNullOrEmpty(passphrase))
            passphrase = null;
        bool encrypted = passphrase != null;
        if (encrypted && o.Version == 3)
        {
            if (o.Parallelism < 1 || o.Parallelism > Argon2.MaxParallelism)
                throw InvalidOptions($"Argon2 parallelism must be between 1 and {Argon2.MaxParallelism}.");
            if (o.MemoryKiB < 8 * o.Parallelism || o.MemoryKiB > MaxMemoryKiB)
                throw InvalidOptions(
                    $"Argon2 memory must be between {8 * o.Parallelism} KiB (8 per thread) and {MaxMemoryKiB} KiB."
                );
            var maxPasses = Math.Min(Argon2.MaxIterations, MaxWork / o.MemoryKiB);
            if (o.Passes is int p && (p < 1 || p > maxPasses))
                throw InvalidOptions(
                    $"Argon2 passes must be between 1 and {maxPasses} with {o.MemoryKiB} KiB of memory."
                );
        }

        var encryption = encrypted ? Aes : "none";
        var comment = new string(key.Comment.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        var plain = PrivateBlob(key);
        if (encrypted && plain.Length % 16 != 0)
            plain = plain.Concat(Rng.Bytes(16 - plain.Length % 16)).ToArray();

        var sb = new StringBuilder();
        sb.Append("PuTTY-User-Key-File-").Append(o.Version).Append(": ").Append(key.SshType).Append('\n');
        sb.Append("Encryption: ").Append(encryption).Append('\n');
        sb.Append("Comment: ").Append(comment).Append('\n');
        var publicBlob = key.PublicBlob();
        AppendBlock(sb, "Public-Lines", publicBlob);

        byte[] cipherKey = Array.Empty<byte>(),
            macKey = Array.Empty<byte>();
        try
        {
            if (o.Version == 2)
            {
                (cipherKey, macKey) = V2Keys(passphrase ?? "");
            }
            else if (encrypted)
            {
                var salt = Rng.Bytes(16);
                int passes =
                    o.Passes
                    ?? ChoosePasses(o.KeyDerivation, o.MemoryKiB, o.Parallelism, o.TimeMilliseconds, cancellationToken);
                sb.Append("Key-Derivation: ").Append(o.KeyDerivation).Append('\n');
                sb.Append("Argon2-Memory: ").Append(o.MemoryKiB.ToString(CultureInfo.InvariantCulture)).Append('\n');
                sb.Append("Argon2-Passes: ").Append(passes.ToString(CultureInfo.InvariantCulture)).Append('\n');
                sb.Append("Argon2-Parallelism: ")
                    .Append(o.Parallelism.ToString(CultureInfo.InvariantCulture))
                    .Append('\n');
                sb.Append("Argon2-Salt: ").Append(ToHex(salt)).Append('\n');
                (cipherKey, macKey) = V3Keys(
                    passphrase!,
                    o.KeyDerivation,
                    salt,
                    o.MemoryKiB,
                    passes,
                    o.Parallelism,
                    progress,
                    cancellationToken
                );
            }
            AppendBlock(sb, "Private-Lines", encrypted ? OpenSshCipher.Find(Aes)!.Encrypt(cipherKey, plain) : plain);
            sb.Append("Private-MAC: ")
                .Append(ToHex(Mac(o.Version, macKey, key.SshType, encryption, comment, publicBlob, plain)))
                .Append('\n');
            return sb.ToString();
        }
        finally
        {
            Array.Clear(cipherKey, 0, cipherKey.Length);
            Array.Clear(macKey, 0, macKey.Length);
            Array.Clear(plain, 0, plain.Length);
        }
    }

    /// <summary>
    /// puttygen's choice of passes: Fibonacci numbers of passes, timed, until one run takes the wanted time
    /// (PuTTY crypto/argon2.c, argon2_choose_passes); capped so that the file stays within what is read.
    /// </summary>
    public static int ChoosePasses(
        Argon2Type type,
        int memoryKiB,
        int parallelism,
        int milliseconds,
        CancellationToken cancellationToken = default
    )
    {
        var salt = new byte[16];
        int a = 1,
            b = 1;
        while (true)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Argon2.Hash(type, salt, salt, memoryKiB, b, parallelism, 80, cancellationToken: cancellationToken);
            if (
                sw.ElapsedMilliseconds >= milliseconds
                || a + b > Argon2.MaxIterations
                || (long)(a + b) * memoryKiB > MaxWork
            )
                return b;
            (a, b) = (b, a + b);
        }
    }

    private static (int Version, string Algorithm) ReadHeader(string line)
    {
        const string prefix = "PuTTY-User-Key-File-";
        int colon = line.IndexOf(": ", StringComparison.Ordinal);
        if (
            !line.StartsWith(prefix, StringComparison.Ordinal)
            || colon < 0
            || !int.TryParse(
                line.Substring(prefix.Length, colon - prefix.Length),
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var version
            )
        )
            throw Corrupt();
        if (version < 2)
            throw Unsupported(
                "This PuTTY key is in the format of PuTTY 0.52 and older (version 1). Load it in a current "
                    + "PuTTYgen and save it again, then convert it."
            );
        if (version > 3)
            throw Unsupported(
                $"This PuTTY key is in format version {version}, newer than PuTTY 0.78 writes (2 and 3 are "
                    + "read). Save it with PuTTYgen's 'PPK file version 3' setting."
            );
        var algorithm = line.Substring(colon + 2);
        if (!Algorithms.Contains(algorithm))
            throw new KeyFormatException(
                ErrorIds.KeyAlgorithmNotSupported,
                $"The PuTTY key is of type '{SshKey.Printable(algorithm)}', which is not supported. Use an RSA, "
                    + "ECDSA or Ed25519 key (New-GitSshKey makes one)."
            );
        return (version, algorithm);
    }

    private static void CheckCost(int memory, int passes)
    {
        if (memory > MaxMemoryKiB || (long)memory * passes > MaxWork)
            throw Unsupported(
                $"The PuTTY key asks Argon2 for {memory} KiB of memory and {passes} passes. "
                    + "PuTTYgen writes 8192 KiB and as many passes as take 0.1 s (about 30 to 150); a file may ask for "
                    + $"at most {MaxMemoryKiB} KiB and {MaxWork / PpkWriteOptions.DefaultMemoryKiB} passes at 8192 KiB "
                    + $"(memory × passes at most {MaxWork}), because a file can ask for minutes of work on every "
                    + "read. Save the key again in PuTTYgen with its default key derivation settings "
                    + "(Key > Parameters for saving key files)."
            );
    }

    private static (byte[] CipherKey, byte[] MacKey) V2Keys(string passphrase)
    {
        var pass = Encoding.UTF8.GetBytes(passphrase);
        using var sha1 = SHA1.Create();
        byte[] Hash(byte[] prefix) => sha1.ComputeHash(prefix.Concat(pass).ToArray());
        var keyIv = Hash(new byte[] { 0, 0, 0, 0 })
            .Concat(Hash(new byte[] { 0, 0, 0, 1 }))
            .Take(32)
            .Concat(new byte[16])
            .ToArray();
        var macKey = Hash(Encoding.ASCII.GetBytes("putty-private-key-file-mac-key"));
        Array.Clear(pass, 0, pass.Length);
        return (keyIv, macKey);
    }

    /// <summary>Argon2 output: cipher key (32) and IV (16), then the MAC key (32).</summary>
    private static (byte[] CipherKey, byte[] MacKey) V3Keys(
        string passphrase,
        Argon2Type type,
        byte[] salt,
        int memory,
        int passes,
        int parallelism,
        Action<double>? progress,
        CancellationToken cancellationToken
    )
    {
        var pass = Encoding.UTF8.GetBytes(passphrase);
        byte[] h;
        try
        {
            h = Argon2.Hash(
                type,
                pass,
                salt,
                memory,
                passes,
                parallelism,
                80,
                progress: progress,
                cancellationToken: cancellationToken
            );
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                $"The PuTTY key's Argon2 settings are impossible ({SshKey.Printable(e.ParamName ?? "")} out of "
                    + "range); the file is damaged. Use another copy of the key.",
                e
            );
        }
        finally
        {
            Array.Clear(pass, 0, pass.Length);
        }
        var keys = (h.Take(48).ToArray(), h.Skip(48).ToArray());
        Array.Clear(h, 0, h.Length);
        return keys;
    }

    private static byte[] Mac(
        int version,
        byte[] macKey,
        string algorithm,
        string encryption,
        string comment,
        byte[] publicBlob,
        byte[] plain
    )
    {
        var data = new SshWriter()
            .String(algorithm)
            .String(encryption)
            .String(comment)
            .String(publicBlob)
            .String(plain)
            .ToArray();
        using HMAC hmac = version == 2 ? new HMACSHA1(macKey) : (HMAC)new HMACSHA256(macKey);
        return hmac.ComputeHash(data);
    }

    private static byte[] PrivateBlob(SshKey key)
    {
        var w = new SshWriter();
        switch (key.Private)
        {
            case RsaPrivateCrtKeyParameters rsa:
                w.Mpint(rsa.Exponent).Mpint(rsa.P).Mpint(rsa.Q).Mpint(rsa.QInv);
                break;
            case ECPrivateKeyParameters ec:
                w.Mpint(ec.D);
                break;
            case Ed25519PrivateKeyParameters ed:
                w.String(ed.GetEncoded());
                break;
            default:
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    "This key type cannot be written as a .ppk file. Use an RSA, ECDSA or Ed25519 key."
                );
        }
        return w.ToArray();
    }

    /// <summary>
    /// The key from the private blob (padding ignored), or null when it is not the private half of
    /// <paramref name="publicKey"/>.
    /// </summary>
    private static SshKey? TryReadPrivate(byte[] plain, SshKey publicKey)
    {
        try
        {
            var r = new SshReader(plain);
            AsymmetricKeyParameter priv = KeyReader.Parse<AsymmetricKeyParameter>(() =>
            {
                switch (publicKey.Public)
                {
                    case RsaKeyParameters pub:
                    {
                        var d = r.ReadPositiveMpint();
                        var p = r.ReadPositiveMpint();
                        var q = r.ReadPositiveMpint();
                        r.ReadPositiveMpint(); // iqmp: recomputed below rather than trusted
                        if (
                            p.CompareTo(BigInteger.One) <= 0
                            || q.CompareTo(BigInteger.One) <= 0
                            || !p.Multiply(q).Equals(pub.Modulus)
                        )
                            throw SshReader.Corrupt();
                        return new RsaPrivateCrtKeyParameters(
                            pub.Modulus,
                            pub.Exponent,
                            d,
                            p,
                            q,
                            d.Mod(p.Subtract(BigInteger.One)),
                            d.Mod(q.Subtract(BigInteger.One)),
                            q.ModInverse(p)
                        );
                    }
                    case DsaPublicKeyParameters dsa:
                        return new DsaPrivateKeyParameters(r.ReadPositiveMpint(), dsa.Parameters);
                    case ECPublicKeyParameters ec:
                        return EcCurves.PrivateKey(ec.PublicKeyParamSet, r.ReadPositiveMpint());
                    default:
                        var sk = r.ReadString();
                        if (sk.Length != 32)
                            throw SshReader.Corrupt();
                        return new Ed25519PrivateKeyParameters(sk, 0);
                }
            });
            var key = KeyReader.FromPrivate(priv, publicKey.Comment);
            return key.SamePublicKey(publicKey) ? key : null;
        }
        catch (KeyFormatException)
        {
            return null;
        }
    }

    private static void AppendBlock(StringBuilder sb, string name, byte[] data)
    {
        var b64 = Convert.ToBase64String(data);
        int count = (b64.Length + LineLength - 1) / LineLength;
        sb.Append(name).Append(": ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (int i = 0; i < b64.Length; i += LineLength)
            sb.Append(b64, i, Math.Min(LineLength, b64.Length - i)).Append('\n');
    }

    private static string ToHex(byte[] b) => Org.BouncyCastle.Utilities.Encoders.Hex.ToHexString(b);

    private static byte[] Hex(string s)
    {
        if (s.Length % 2 != 0 || s.Any(c => !Uri.IsHexDigit(c)))
            throw Corrupt();
        return Org.BouncyCastle.Utilities.Encoders.Hex.Decode(s);
    }

    private static KeyPassphraseException WrongPassphrase() =>
        new KeyPassphraseException(
            ErrorIds.WrongPassphrase,
            "Wrong passphrase or the file was modified: the PuTTY key's Private-MAC does not match. Check the "
                + "passphrase (it is case-sensitive); if it is right, use an unedited copy of the .ppk file."
        );

    private static KeyFormatException Unsupported(string message) =>
        new KeyFormatException(ErrorIds.KeyFormatNotSupported, message);

    private static GitIntegrationException InvalidOptions(string message) =>
        new GitIntegrationException(ErrorIds.InvalidKeyParameters, ErrorKind.InvalidArgument, message);

    private static KeyFormatException Corrupt() =>
        new KeyFormatException(
            ErrorIds.KeyCorrupt,
            "The PuTTY key file is damaged: its lines are not in PuTTY's layout (a line is missing, cut or "
                + "edited). Use another copy of the .ppk file."
        );

    /// <summary>The lines of the file, read in PuTTY's fixed order.</summary>
    private sealed class Lines
    {
        private readonly string[] _lines;
        private int _next;

        public Lines(string[] lines) => _lines = lines;

        public string Next() => _next < _lines.Length ? _lines[_next++] : throw Corrupt();

        /// <summary>The value of the next line, which must be "<paramref name="name"/>: value".</summary>
        public string Field(string name)
        {
            var line = Next();
            if (!line.StartsWith(name + ": ", StringComparison.Ordinal))
                throw Corrupt();
            return line.Substring(name.Length + 2);
        }

        public int Number(string name)
        {
            if (!int.TryParse(Field(name).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw Corrupt();
            return n;
        }

        public byte[] Base64Block(string name)
        {
            int count = Number(name);
            if (count > MaxLines)
                throw Corrupt();
            var sb = new StringBuilder();
            for (int i = 0; i < count; i++)
                sb.Append(Next());
            return KeyText.Base64(sb.ToString());
        }
    }
}
