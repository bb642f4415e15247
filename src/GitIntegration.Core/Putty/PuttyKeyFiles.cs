using System;
using System.IO;
using System.Threading;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Putty
{
    /// <summary>PuTTY key files on disk: .ppk to PEM/OpenSSH and back.</summary>
    public static class PuttyKeyFiles
    {
        /// <summary>
        /// Reads a key file: a .ppk through <see cref="PpkFormat"/> (so Argon2 reports progress and can be cancelled),
        /// anything else through <see cref="KeyReader"/>.
        /// </summary>
        public static KeyDocument Read(string path, string? passphrase, Action<double>? progress = null, CancellationToken cancellationToken = default)
        {
            var full = Path.GetFullPath(path);
            try
            {
                var text = KeyText.ReadFile(full);
                return text.TrimStart('\uFEFF').StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal)
                    ? PpkFormat.Read(text, passphrase, progress, cancellationToken)
                    : KeyReader.Read(text, passphrase);
            }
            catch (GitIntegrationException e) when (e.Target == null) { e.Target = full; throw; }
        }

        /// <summary>key.ppk → key. Null when the name does not end in .ppk (there is no safe name to derive).</summary>
        public static string? DefaultOpenSshPath(string ppkPath) =>
            ppkPath.EndsWith(".ppk", StringComparison.OrdinalIgnoreCase) ? ppkPath.Substring(0, ppkPath.Length - 4) : null;

        /// <summary>id_rsa → id_rsa.ppk; key.pem or key.key → key.ppk.</summary>
        public static string DefaultPpkPath(string keyPath)
        {
            var ext = Path.GetExtension(keyPath);
            return ext.Equals(".pem", StringComparison.OrdinalIgnoreCase) || ext.Equals(".key", StringComparison.OrdinalIgnoreCase)
                ? Path.ChangeExtension(keyPath, ".ppk")
                : keyPath + ".ppk";
        }

        /// <summary>The integration's format, OpenSSL PEM, except for Ed25519, which exists only in OpenSSH format.</summary>
        public static PrivateKeyFormat DefaultFormat(KeyAlgorithm algorithm) =>
            algorithm == KeyAlgorithm.Ed25519 ? PrivateKeyFormat.OpenSsh : PrivateKeyFormat.Pem;

        /// <summary>
        /// Converts a .ppk file to an owner-only PEM or OpenSSH key at <paramref name="destination"/> plus its .pub.
        /// </summary>
        /// <param name="newPassphrase">null keeps the .ppk's passphrase; "" writes the key unencrypted.</param>
        public static SshKeyInfo ConvertFrom(string path, string? passphrase, PrivateKeyFormat format, string? newPassphrase, string destination, bool overwrite,
            Action<double>? progress = null, CancellationToken cancellationToken = default)
        {
            var doc = Read(path, passphrase, progress, cancellationToken);
            if (doc.Format != KeyFormat.Ppk)
                throw new KeyFormatException(ErrorIds.KeyFormatNotSupported,
                    $"'{path}' is not a PuTTY key (it is {doc.Format}). Use Convert-GitSshKey to change its format.") { Target = path };
            var key = doc.RequirePrivate();
            var effective = Effective(doc, passphrase, newPassphrase);
            var text = KeyWriter.Write(key, format, effective);
            var target = Path.GetFullPath(destination);
            KeyFiles.WriteNew(key, text, target, overwrite);
            return KeyFiles.Written(key, format, effective != null, target);
        }

        /// <summary>Writes any private key the module reads (a .ppk too) as an owner-only .ppk file.</summary>
        /// <param name="newPassphrase">null keeps the key's passphrase; "" writes it unencrypted.</param>
        public static SshKeyInfo ConvertTo(string path, string? passphrase, string? newPassphrase, PpkWriteOptions options, string destination, bool overwrite,
            Action<double>? progress = null, CancellationToken cancellationToken = default)
        {
            var full = Path.GetFullPath(path);
            var doc = Read(full, passphrase, progress, cancellationToken);
            var key = doc.RequirePrivate();
            if (key.Comment.Length == 0) key.Comment = KeyFiles.ReadSiblingPublic(full)?.Comment ?? "";
            var effective = Effective(doc, passphrase, newPassphrase);
            var text = PpkFormat.Write(key, effective, options, progress, cancellationToken);
            var target = Path.GetFullPath(destination);
            SecureFile.WriteAllText(target, text, overwrite);
            var written = new KeyDocument(KeyFormat.Ppk, true, effective != null, key.Algorithm, key)
                { PpkVersion = options.Version, Cipher = effective != null ? "aes256-cbc" : null };
            return SshKeyInfo.From(written, target);
        }

        private static string? Effective(KeyDocument doc, string? passphrase, string? newPassphrase)
        {
            var effective = newPassphrase ?? (doc.IsEncrypted ? passphrase : null);
            return string.IsNullOrEmpty(effective) ? null : effective;
        }
    }
}
