using System;
using System.Text;

namespace GitIntegration.Core.Keys;

/// <summary>What a user sees of a key: everything but the secret. The pipeline object of the key cmdlets.</summary>
public sealed class SshKeyInfo
{
    public string? Path { get; set; }
    public bool IsPrivate { get; set; }
    public KeyAlgorithm Algorithm { get; set; }
    public int? Bits { get; set; }
    public string? Curve { get; set; }
    public KeyFormat Format { get; set; }
    public bool IsEncrypted { get; set; }
    public string? Comment { get; set; }
    public string? FingerprintSha256 { get; set; }
    public string? FingerprintMd5 { get; set; }

    /// <summary>The one-line public key, ready to paste into a git host.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The .pub file beside the private key, when it holds the same key.</summary>
    public string? PublicKeyPath { get; set; }
    public string? Cipher { get; set; }

    public override string ToString() => Path ?? FingerprintSha256 ?? Format.ToString();

    /// <summary>
    /// Describes a read key; <paramref name="publicHalf"/> stands in when the document hides it (encrypted PEM).
    /// </summary>
    public static SshKeyInfo From(
        KeyDocument doc,
        string? path,
        SshKey? publicHalf = null,
        string? publicKeyPath = null
    )
    {
        var key = doc.Key ?? publicHalf;
        return new SshKeyInfo
        {
            Path = path,
            IsPrivate = doc.IsPrivate,
            Algorithm = key?.Algorithm ?? doc.Algorithm,
            Bits = key?.Bits,
            Curve = key?.Curve,
            Format = doc.Format,
            IsEncrypted = doc.IsEncrypted,
            Comment = key?.Comment is { Length: > 0 } c ? c : null,
            FingerprintSha256 = key?.FingerprintSha256,
            FingerprintMd5 = key?.FingerprintMd5,
            PublicKey = key?.PublicKeyLine,
            PublicKeyPath = publicKeyPath,
            Cipher = doc.Cipher,
        };
    }
}

/// <summary>ssh-keygen's fingerprint line and randomart ("drunken bishop", OpenSSH sshkey.c).</summary>
public static class Fingerprint
{
    private const int SizeX = 17,
        SizeY = 9;
    private const string Symbols = " .o+=*BOX@%&#/^SE";

    /// <summary>
    /// As <c>ssh-keygen -l</c> prints: bits, fingerprint, comment (the file's name when the key has none), (TYPE).
    /// </summary>
    public static string Line(SshKey key, bool md5 = false, string? file = null)
    {
        var fingerprint = md5 ? key.FingerprintMd5 : key.FingerprintSha256;
        var comment = key.Comment.Length > 0 ? key.Comment : file ?? "no comment";
        return $"{key.Bits} {fingerprint} {comment} ({key.ShortType})";
    }

    public static string RandomArt(SshKey key, bool md5 = false)
    {
        byte[] digest;
        using (
            var h = md5
                ? (System.Security.Cryptography.HashAlgorithm)System.Security.Cryptography.MD5.Create()
                : System.Security.Cryptography.SHA256.Create()
        )
            digest = h.ComputeHash(key.PublicBlob());
        var field = new int[SizeX, SizeY];
        int x = SizeX / 2,
            y = SizeY / 2,
            top = Symbols.Length - 1;
        foreach (var b in digest)
        {
            int input = b;
            for (int i = 0; i < 4; i++, input >>= 2)
            {
                x = Math.Min(Math.Max(x + ((input & 1) != 0 ? 1 : -1), 0), SizeX - 1);
                y = Math.Min(Math.Max(y + ((input & 2) != 0 ? 1 : -1), 0), SizeY - 1);
                if (field[x, y] < top - 2)
                    field[x, y]++;
            }
        }
        field[SizeX / 2, SizeY / 2] = top - 1;
        field[x, y] = top;

        var sb = new StringBuilder();
        Border(sb, $"[{key.ShortType} {key.Bits}]"); // "[ED25519 256]" is the longest, within the 17 columns
        for (int row = 0; row < SizeY; row++)
        {
            sb.Append('|');
            for (int col = 0; col < SizeX; col++)
                sb.Append(Symbols[Math.Min(field[col, row], top)]);
            sb.Append("|\n");
        }
        Border(sb, md5 ? "[MD5]" : "[SHA256]");
        return sb.ToString().TrimEnd('\n');
    }

    private static void Border(StringBuilder sb, string label)
    {
        int left = (SizeX - label.Length) / 2;
        sb.Append('+').Append('-', left).Append(label).Append('-', SizeX - left - label.Length).Append("+\n");
    }
}
