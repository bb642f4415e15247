using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace GitIntegration.Core.Keys;

/// <summary>A PEM block: its label, RFC 1421 headers and decoded body.</summary>
internal sealed class PemBlock
{
    private readonly string? _bodyText;
    private byte[]? _body;

    public PemBlock(string label, IDictionary<string, string> headers, string bodyText)
    {
        Label = label;
        Headers = headers;
        _bodyText = bodyText;
    }

    public string Label { get; }
    public IDictionary<string, string> Headers { get; }

    /// <summary>Decoded on first use, so that the label can be judged before a damaged body is.</summary>
    public byte[] Body => _body ??= KeyText.Base64(_bodyText!);

    public static string Encode(
        string label,
        byte[] body,
        IEnumerable<KeyValuePair<string, string>>? headers = null,
        int lineLength = 64
    )
    {
        var sb = new StringBuilder();
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        if (headers != null)
        {
            bool any = false;
            foreach (var h in headers)
            {
                sb.Append(h.Key).Append(": ").Append(h.Value).Append('\n');
                any = true;
            }
            if (any)
                sb.Append('\n');
        }
        var b64 = Convert.ToBase64String(body);
        for (int i = 0; i < b64.Length; i += lineLength)
            sb.Append(b64, i, Math.Min(lineLength, b64.Length - i)).Append('\n');
        sb.Append("-----END ").Append(label).Append("-----\n");
        return sb.ToString();
    }
}

/// <summary>
/// Turns what people actually paste or save into clean text: BOMs and UTF-16 (Windows PowerShell's
/// Out-File), CRLF, surrounding blanks and quotes, literal \n escapes, PEM flattened onto one line.
/// </summary>
internal static class KeyText
{
    /// <summary>Larger than any real key file (an RSA-16384 PEM is about 12 KB).</summary>
    public const int MaxKeyFileBytes = 256 * 1024;

    private static readonly Regex Armor = new Regex(
        @"-----\s*BEGIN ([A-Z0-9 ]+?)\s*-----(.*?)-----\s*END \1\s*-----",
        RegexOptions.Singleline | RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(2)
    );

    private static readonly Regex Header = new Regex(
        @"\G\s*([A-Za-z][A-Za-z0-9-]*):[ \t]*([^\s]+)",
        RegexOptions.CultureInvariant,
        TimeSpan.FromSeconds(2)
    );

    public static string ReadFile(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new GitIntegrationException(
                ErrorIds.KeyFileNotFound,
                ErrorKind.ObjectNotFound,
                $"The key file '{path}' does not exist. Check the path, or list your keys with Get-GitSshKey."
            )
            {
                Target = path,
            };
        return Decode(IO.InputFile.ReadAllBytes(path, "key file", MaxKeyFileBytes, () => TooLarge(path)));
    }

    public static KeyFormatException TooLarge(string? what) =>
        new KeyFormatException(
            ErrorIds.KeyTooLarge,
            $"{(what == null ? "The text" : $"'{what}'")} is larger than any SSH key file "
                + $"({MaxKeyFileBytes / 1024} KiB at most). Give the path of the key itself."
        );

    public static string Decode(byte[] bytes)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
            return Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2);
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
            return Encoding.BigEndianUnicode.GetString(bytes, 2, bytes.Length - 2);
        // A UTF-8 byte order mark stays in the text: Normalize removes it, as from pasted text.
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Cleans pasted text; the result is what format detection sees.</summary>
    public static string Normalize(string text)
    {
        if (text.Length > MaxKeyFileBytes)
            throw TooLarge(null);
        var t = text.Replace("\uFEFF", "").Trim();
        // A key copied out of JSON, YAML or a TSV cell: quoted, with escaped or doubled characters.
        while (t.Length >= 2 && (t[0] == '"' && t[t.Length - 1] == '"' || t[0] == '\'' && t[t.Length - 1] == '\''))
            t = t.Substring(1, t.Length - 2).Trim();
        // Only the formats made of lines can have had their line breaks escaped; a public key line's options or
        // comment may hold a real backslash-n (command="printf '\\n'").
        if (
            t.Contains("-----BEGIN ")
            || t.Contains("---- BEGIN ")
            || t.StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal)
        )
            t = t.Replace("\\r\\n", "\n").Replace("\\n", "\n").Replace("\\r", "\n");
        return t.Replace("\r\n", "\n").Replace('\r', '\n');
    }

    /// <summary>Finds the first PEM block, tolerating headers and body flattened onto one line.</summary>
    public static PemBlock? FindPem(string text)
    {
        Match m;
        try
        {
            m = Armor.Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        if (!m.Success)
            return null;
        var inner = m.Groups[2].Value;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int pos = 0;
        for (var h = Header.Match(inner, 0); h.Success; h = Header.Match(inner, pos))
        {
            headers[h.Groups[1].Value] = h.Groups[2].Value;
            pos = h.Index + h.Length;
        }
        return new PemBlock(m.Groups[1].Value, headers, inner.Substring(pos));
    }

    public static byte[] Base64(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
                continue;
            if (
                !(
                    c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '+'
                    || c == '/'
                    || c == '='
                )
            )
                throw new KeyFormatException(
                    ErrorIds.KeyCorrupt,
                    "The key contains characters that cannot be part of it (a line was edited or mangled while "
                        + "copying). Copy the key again from its original file."
                );
            sb.Append(c);
        }
        try
        {
            return Convert.FromBase64String(sb.ToString());
        }
        catch (FormatException e)
        {
            throw new KeyFormatException(
                ErrorIds.KeyCorrupt,
                "The key's base64 text is incomplete or damaged (a line is missing or was cut). Copy the key "
                    + "again from its original file.",
                e
            );
        }
    }
}
