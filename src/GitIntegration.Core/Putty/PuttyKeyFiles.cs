using System;
using System.IO;
using System.Threading;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Putty;

/// <summary>PuTTY key files on disk: .ppk to PEM/OpenSSH and back.</summary>
public static class PuttyKeyFiles
{
    /// <summary>
    /// Reads a key file: a .ppk through <see cref="PpkFormat"/> (so Argon2 reports progress and can be cancelled),
    /// anything else through <see cref="KeyReader"/>.
    /// </summary>
    public static KeyDocument Read(
        string path,
        string? passphrase,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var full = Path.GetFullPath(path);
        try
        {
            var text = KeyText.ReadFile(full);
            return text.TrimStart('\uFEFF').StartsWith("PuTTY-User-Key-File-", StringComparison.Ordinal)
                ? PpkFormat.Read(text, passphrase, progress, cancellationToken)
                : KeyReader.Read(text, passphrase);
        }
        catch (GitIntegrationException e) when (e.Target == null)
        {
            e.Target = full;
            throw;
        }
    }

    /// <summary>key.ppk → key. Null when the name does not end in .ppk (there is no safe name to derive).</summary>
    public static string? DefaultOpenSshPath(string ppkPath) =>
        ppkPath.EndsWith(".ppk", StringComparison.OrdinalIgnoreCase) ? ppkPath.Substring(0, ppkPath.Length - 4) : null;

    /// <summary>id_rsa → id_rsa.ppk; key.pem or key.key → key.ppk.</summary>
    public static string DefaultPpkPath(string keyPath)
    {
        var ext = Path.GetExtension(keyPath);
        return
            ext.Equals(".pem", StringComparison.OrdinalIgnoreCase)
            || ext.Equals(".key", StringComparison.OrdinalIgnoreCase)
            ? Path.ChangeExtension(keyPath, ".ppk")
            : keyPath + ".ppk";
    }

    /// <summary>
    /// The integration's format, OpenSSL PEM, except for Ed25519, which exists only in OpenSSH format.
    /// </summary>
    public static PrivateKeyFormat DefaultFormat(KeyAlgorithm algorithm) =>
        algorithm == KeyAlgorithm.Ed25519 ? PrivateKeyFormat.OpenSsh : PrivateKeyFormat.Pem;

    /// <summary>What ConvertFrom-PuttyKey will write, decided before the passphrase is asked for.</summary>
    public sealed class FromPlan
    {
        internal FromPlan(KeyDocument source, PrivateKeyFormat format, string destination)
        {
            Source = source;
            Format = format;
            Destination = destination;
        }

        /// <summary>The .ppk read without its passphrase: type, version, protection, no private key.</summary>
        public KeyDocument Source { get; }

        public PrivateKeyFormat Format { get; }
        public string Destination { get; }
    }

    /// <summary>
    /// Reads the clear half of the .ppk at <paramref name="path"/> (so -WhatIf needs no passphrase and Argon2 does
    /// not run) and decides the format (<see cref="DefaultFormat"/> unless given) and the destination
    /// (<see cref="DefaultOpenSshPath"/> unless given). Refuses a file that is not a .ppk, an Ed25519 key asked
    /// for in PEM, a name with no default destination, and an existing destination unless
    /// <paramref name="overwrite"/>. <paramref name="warning"/> hears when the key is not written as the
    /// integration wants it.
    /// </summary>
    public static FromPlan PlanConvertFrom(
        string path,
        PrivateKeyFormat? format,
        string? destination,
        bool overwrite,
        Action<string>? warning = null
    )
    {
        var clear = Read(path, null);
        if (clear.Format != KeyFormat.Ppk)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"'{path}' is not a PuTTY key (it is {clear.Format}). Use Convert-GitSshKey to change its format."
            )
            {
                Target = path,
            };
        var chosen = format ?? DefaultFormat(clear.Algorithm);
        if (clear.Algorithm == KeyAlgorithm.Ed25519 && chosen == PrivateKeyFormat.Pem)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"'{path}' holds an Ed25519 key, which has no OpenSSL PEM form. Use -Format OpenSsh, "
                    + "or an RSA key for the integration."
            )
            {
                Target = path,
            };
        if (format == null && chosen != PrivateKeyFormat.Pem)
            warning?.Invoke(
                $"'{path}' holds an Ed25519 key, which has no OpenSSL PEM form: it is written in "
                    + "OpenSSH format. The integration needs an RSA key (New-GitSshKey makes one)."
            );
        var target =
            destination
            ?? DefaultOpenSshPath(path)
            ?? throw new GitIntegrationException(
                ErrorIds.InvalidKeyParameters,
                ErrorKind.InvalidArgument,
                $"'{path}' does not end in .ppk, so there is no name to derive for the converted key. "
                    + "Give one with -Destination."
            )
            {
                Target = path,
            };
        if (File.Exists(target) && !overwrite)
            throw new GitIntegrationException(
                ErrorIds.KeyFileExists,
                ErrorKind.ResourceExists,
                $"'{target}' already exists and was left as it is. Use -Force to replace it, "
                    + "or choose another -Destination."
            )
            {
                Target = target,
            };
        return new FromPlan(clear, chosen, target);
    }

    /// <summary>
    /// Converts a .ppk file to an owner-only PEM or OpenSSH key at <paramref name="destination"/> plus its .pub.
    /// </summary>
    /// <param name="newPassphrase">null keeps the .ppk's passphrase; "" writes the key unencrypted.</param>
    public static SshKeyInfo ConvertFrom(
        string path,
        string? passphrase,
        PrivateKeyFormat format,
        string? newPassphrase,
        string destination,
        bool overwrite,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var doc = Read(path, passphrase, progress, cancellationToken);
        if (doc.Format != KeyFormat.Ppk)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"'{path}' is not a PuTTY key (it is {doc.Format}). Use Convert-GitSshKey to change its format."
            )
            {
                Target = path,
            };
        var key = doc.RequirePrivate();
        var effective = Effective(doc, passphrase, newPassphrase);
        var text = KeyWriter.Write(key, format, effective);
        var target = Path.GetFullPath(destination);
        KeyFiles.WriteNew(key, text, target, overwrite);
        return KeyFiles.Written(key, format, effective != null, target);
    }

    /// <summary>Writes any private key the module reads (a .ppk too) as an owner-only .ppk file.</summary>
    /// <param name="newPassphrase">null keeps the key's passphrase; "" writes it unencrypted.</param>
    public static SshKeyInfo ConvertTo(
        string path,
        string? passphrase,
        string? newPassphrase,
        PpkWriteOptions options,
        string destination,
        bool overwrite,
        Action<double>? progress = null,
        CancellationToken cancellationToken = default
    )
    {
        var full = Path.GetFullPath(path);
        var doc = Read(full, passphrase, progress, cancellationToken);
        var key = doc.RequirePrivate();
        if (key.Comment.Length == 0)
            key.Comment = KeyFiles.ReadSiblingPublic(full)?.Comment ?? "";
        var effective = Effective(doc, passphrase, newPassphrase);
        var text = PpkFormat.Write(key, effective, options, progress, cancellationToken);
        var target = Path.GetFullPath(destination);
        SecureFile.WriteAllText(target, text, overwrite);
        var written = new KeyDocument(KeyFormat.Ppk, true, effective != null, key.Algorithm, key)
        {
            PpkVersion = options.Version,
            Cipher = effective != null ? "aes256-cbc" : null,
        };
        return SshKeyInfo.From(written, target);
    }

    private static string? Effective(KeyDocument doc, string? passphrase, string? newPassphrase)
    {
        var effective = newPassphrase ?? (doc.IsEncrypted ? passphrase : null);
        return string.IsNullOrEmpty(effective) ? null : effective;
    }
}
