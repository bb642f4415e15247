using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GitIntegration.Core.IO;

namespace GitIntegration.Core.Keys;

/// <summary>Key files on disk: inspect, find, generate, convert.</summary>
public static class KeyFiles
{
    /// <summary>Files in ~/.ssh that are never keys; skipped when a folder is searched.</summary>
    private static readonly string[] NotKeys =
    {
        "known_hosts",
        "known_hosts.old",
        "config",
        "authorized_keys",
        "authorized_keys2",
        "environment",
        "rc",
    };

    public static string DefaultFolder =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh");

    /// <summary>
    /// The text of a key file (a GitHub App's PEM, a key exported with an integration): a regular file of at most
    /// 256 KiB, decoded as the key readers decode it (UTF-16 from Windows PowerShell's Out-File included).
    /// </summary>
    public static string ReadText(string path) => KeyText.ReadFile(Path.GetFullPath(path));

    /// <summary>Reads a key file and describes it, using a matching sibling .pub where there is one.</summary>
    public static (KeyDocument Document, SshKeyInfo Info) Inspect(string path, string? passphrase = null)
    {
        var full = Path.GetFullPath(path);
        var doc = KeyReader.ReadFile(full, passphrase);
        var sibling = doc.IsPrivate ? ReadSiblingPublic(full) : null;
        string? pubPath = null;
        SshKey? publicHalf = null;
        if (sibling != null && (doc.Key == null || doc.Key.SamePublicKey(sibling)))
        {
            pubPath = full + ".pub";
            publicHalf = sibling;
            if (doc.Key != null && doc.Key.Comment.Length == 0)
                doc.Key.Comment = sibling.Comment;
        }
        return (doc, SshKeyInfo.From(doc, full, publicHalf, pubPath));
    }

    /// <summary>The key in path + ".pub", or null when there is none or it is not a public key.</summary>
    public static SshKey? ReadSiblingPublic(string privatePath)
    {
        var pub = privatePath + ".pub";
        if (!File.Exists(pub))
            return null;
        try
        {
            var d = KeyReader.ReadFile(pub);
            return d.IsPrivate ? null : d.Key;
        }
        catch (GitIntegrationException)
        {
            return null;
        }
    }

    /// <summary>
    /// The keys in a folder: private keys, and .pub files only where their private key is absent.
    /// Files that are not keys (sockets, FIFOs and devices too) are passed over; damaged keys come back with their
    /// error.
    /// </summary>
    public static IEnumerable<(string Path, SshKeyInfo? Info, GitIntegrationException? Error)> Find(
        string folder,
        bool recurse
    )
    {
        var files = Directory
            .EnumerateFiles(folder, "*", recurse ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => !NotKeys.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        var privateSeen = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<(string, SshKeyInfo?, GitIntegrationException?)>();
        foreach (
            var f in files
                .Where(f => !f.EndsWith(".pub", StringComparison.OrdinalIgnoreCase))
                .Concat(files.Where(f => f.EndsWith(".pub", StringComparison.OrdinalIgnoreCase)))
        )
        {
            if (
                f.EndsWith(".pub", StringComparison.OrdinalIgnoreCase)
                && privateSeen.Contains(f.Substring(0, f.Length - 4))
            )
                continue;
            if (new FileInfo(f).Length > KeyText.MaxKeyFileBytes)
                continue;
            try
            {
                var (doc, info) = Inspect(f);
                if (doc.IsPrivate)
                    privateSeen.Add(f);
                results.Add((f, info, null));
            }
            catch (GitIntegrationException e)
                when (e.ErrorId == ErrorIds.KeyFormatNotRecognized
                    || e.ErrorId == ErrorIds.FileReadFailed
                    || e.ErrorId == ErrorIds.FileNotRegular
                ) { }
            catch (GitIntegrationException e)
            {
                results.Add((f, null, e));
            }
        }
        return results;
    }

    /// <summary>Generates a key pair and writes it like ssh-keygen: path (owner-only) and path.pub.</summary>
    public static SshKeyInfo Generate(
        string path,
        KeyAlgorithm algorithm,
        int? bits,
        PrivateKeyFormat format,
        string? passphrase,
        string? comment,
        bool overwrite
    )
    {
        var full = Path.GetFullPath(path);
        if (algorithm == KeyAlgorithm.Ed25519 && format == PrivateKeyFormat.Pem)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                "An Ed25519 key has no OpenSSL PEM form. Use -Format OpenSsh, or -Type Rsa for the "
                    + "integration's PEM format."
            );
        if (!overwrite && (File.Exists(full) || File.Exists(full + ".pub")))
            throw new GitIntegrationException(
                ErrorIds.KeyFileExists,
                ErrorKind.ResourceExists,
                $"A key already exists at '{full}'. It was left as it is: use -Force to replace it, or choose "
                    + "another -Path."
            )
            {
                Target = full,
            };
        var key = KeyGenerator.Generate(algorithm, bits, comment ?? DefaultComment());
        SecureFile.WriteAllText(full, KeyWriter.Write(key, format, passphrase), overwrite);
        SecureFile.WriteAllText(full + ".pub", key.PublicKeyLine + "\n", overwrite, ownerOnly: false);
        var doc = new KeyDocument(
            format == PrivateKeyFormat.Pem ? KeyFormat.Pem : KeyFormat.OpenSsh,
            true,
            !string.IsNullOrEmpty(passphrase),
            algorithm,
            key
        );
        return SshKeyInfo.From(doc, full, null, full + ".pub");
    }

    /// <summary>
    /// The refusals of <see cref="Convert"/> that need no passphrase (read from the key's clear part), so that
    /// -WhatIf reports what the real run would refuse instead of promising it.
    /// </summary>
    public static void RefuseConversion(string path, PrivateKeyFormat? format, bool inPlace)
    {
        var full = Path.GetFullPath(path);
        var doc = KeyReader.ReadFile(full);
        if (inPlace && doc.Format == KeyFormat.Ppk)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"'{full}' is a PuTTY key; converting it in place would leave PEM text in a .ppk file. "
                    + $"Use {new PowerShellCommand("ConvertFrom-PuttyKey").Arg("Path", full)}, which writes the key "
                    + "beside it."
            )
            {
                Target = full,
            };
        if (format == PrivateKeyFormat.Pem && doc.Algorithm == KeyAlgorithm.Ed25519)
            throw new KeyFormatException(
                ErrorIds.KeyFormatNotSupported,
                $"'{full}' holds an Ed25519 key, which has no OpenSSL PEM form; it can only be written in OpenSSH "
                    + "format (-Format OpenSsh). If the integration demands PEM, use an RSA key."
            )
            {
                Target = full,
            };
    }

    /// <summary>
    /// Rewrites a private key in another format and/or with another passphrase: in place (atomically) or to a new
    /// file. Either way the result is owner-only; when others could read the key before, <paramref name="warning"/>
    /// says so.
    /// </summary>
    /// <param name="format">null keeps an OpenSSH key in OpenSSH format and writes anything else as PEM.</param>
    /// <param name="newPassphrase">null keeps the current passphrase; "" removes it.</param>
    public static SshKeyInfo Convert(
        string path,
        PrivateKeyFormat? format,
        string? passphrase,
        string? newPassphrase,
        string? destination,
        bool overwrite,
        Action<string>? warning = null
    )
    {
        var full = Path.GetFullPath(path);
        RefuseConversion(full, format, destination == null);
        var doc = KeyReader.ReadFile(full, passphrase);
        var key = doc.RequirePrivate();
        var fmt = format ?? (doc.Format == KeyFormat.OpenSsh ? PrivateKeyFormat.OpenSsh : PrivateKeyFormat.Pem);
        if (key.Comment.Length == 0)
            key.Comment = ReadSiblingPublic(full)?.Comment ?? "";
        var target = destination == null ? full : Path.GetFullPath(destination);
        bool inPlace = string.Equals(
            target,
            full,
            SecureFile.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal
        );
        var effective = newPassphrase ?? (doc.IsEncrypted ? passphrase : null);
        if (effective?.Length == 0)
            effective = null;
        var text = KeyWriter.Write(key, fmt, effective);
        if (inPlace)
        {
            var mode = SecureFile.UnixMode(full);
            var bits = mode != null ? "permissions " + System.Convert.ToString(mode.Value & 0x1FF, 8) : "its ACL";
            var loose = SecureFile.IsOwnerOnly(full) ? null : bits;
            SecureFile.WriteAllText(full, text, overwrite: true);
            if (loose != null)
                warning?.Invoke(
                    $"Others could read or change '{full}' ({loose}). The converted key is readable "
                        + $"by you only now{(mode != null ? " (600)" : "")}; anyone who read it before may hold a copy."
                );
        }
        else
            WriteNew(key, text, target, overwrite);
        return Written(key, fmt, effective != null, target);
    }

    /// <summary>
    /// Writes converted key text to a new owner-only file, and its .pub unless another one is there and may not be
    /// replaced.
    /// </summary>
    internal static void WriteNew(SshKey key, string text, string target, bool overwrite)
    {
        SecureFile.WriteAllText(target, text, overwrite);
        if (overwrite || !File.Exists(target + ".pub"))
            SecureFile.WriteAllText(target + ".pub", key.PublicKeyLine + "\n", overwrite: true, ownerOnly: false);
    }

    /// <summary>
    /// Describes a key just written to <paramref name="target"/>, with its .pub when that holds the same key.
    /// </summary>
    internal static SshKeyInfo Written(SshKey key, PrivateKeyFormat format, bool encrypted, string target)
    {
        var written = new KeyDocument(
            format == PrivateKeyFormat.Pem ? KeyFormat.Pem : KeyFormat.OpenSsh,
            true,
            encrypted,
            key.Algorithm,
            key
        );
        var pub = ReadSiblingPublic(target);
        return SshKeyInfo.From(written, target, null, pub != null && pub.SamePublicKey(key) ? target + ".pub" : null);
    }

    private static string DefaultComment()
    {
        try
        {
            return Environment.UserName + "@" + Environment.MachineName;
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }
}
