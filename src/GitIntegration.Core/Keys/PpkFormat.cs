using System;
using System.Collections.Generic;

namespace GitIntegration.Core.Keys
{
    /// <summary>PuTTY .ppk files. The public half is in clear; the private half is converted by the PuTTY issue's code.</summary>
    internal static class PpkFormat
    {
        public static KeyDocument Read(string text, string? passphrase)
        {
            var lines = text.Split('\n');
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int version = lines[0].StartsWith("PuTTY-User-Key-File-3:", StringComparison.Ordinal) ? 3 : 2;
            string publicB64 = "";
            for (int i = 0; i < lines.Length; i++)
            {
                int colon = lines[i].IndexOf(": ", StringComparison.Ordinal);
                if (colon <= 0) continue;
                var name = lines[i].Substring(0, colon);
                fields[name] = lines[i].Substring(colon + 2).Trim();
                if (name == "Public-Lines" && int.TryParse(fields[name], out var n) && n > 0 && n <= 1024 && i + n < lines.Length)
                    publicB64 = string.Join("", lines, i + 1, n);
            }
            if (publicB64.Length == 0) throw SshReader.Corrupt();
            fields.TryGetValue("Comment", out var comment);
            var key = SshKey.FromPublicBlob(KeyText.Base64(publicB64), comment);
            bool encrypted = fields.TryGetValue("Encryption", out var enc) && enc != "none";
            return new KeyDocument(KeyFormat.Ppk, true, encrypted, key.Algorithm, key) { PpkVersion = version, Cipher = encrypted ? enc : null };
        }
    }
}
