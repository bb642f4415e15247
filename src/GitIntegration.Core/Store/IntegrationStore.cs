using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using GitIntegration.Core.IO;

namespace GitIntegration.Core.Store;

/// <summary>
/// The integration store: one YAML file (<see cref="Path"/>) plus, beside it, a <c>secrets</c> folder
/// (passphrases and tokens: DPAPI for the current user on Windows, 0600 files on Unix) and a <c>keys</c>
/// folder (private keys that arrived inline, owner-only). Reads need no lock (writes are atomic renames);
/// <see cref="Update{T}(Func{StoreDocument, T})"/> is read-modify-write under a cross-process lock. Every folder of
/// the store is created owner-only, and a store folder that someone else can change is refused
/// (<see cref="RequirePrivateFolders"/>).
/// </summary>
public sealed class IntegrationStore
{
    public const string EnvironmentVariable = "GITINTEGRATION_STORE";
    public const string DefaultFileName = "integrations.yaml";
    private static readonly byte[] Entropy = Encoding.UTF8.GetBytes("GitIntegration.Store.Secret");

    private IntegrationStore(string path)
    {
        Path = path;
        var dir = System.IO.Path.GetDirectoryName(path)!;
        SecretsDirectory = System.IO.Path.Combine(dir, "secrets");
        KeysDirectory = System.IO.Path.Combine(dir, "keys");
    }

    public string Path { get; }
    public string BackupPath => Path + ".bak";
    public string LockPath => Path + ".lock";

    /// <summary>The folder where writers wait their turn for the lock (one ticket file per waiting writer).</summary>
    public string QueuePath => Path + ".queue";
    public string SecretsDirectory { get; }
    public string KeysDirectory { get; }

    /// <summary>How long <see cref="Update{T}(Func{StoreDocument, T})"/> waits for another process's write.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads a SecretManagement entry (vault, name) → secret. Core has no PowerShell, so the cmdlet layer
    /// supplies this; without it a vault reference cannot be read.
    /// </summary>
    public Func<string, string, string>? VaultReader { get; set; }

    /// <summary>
    /// Opens the store at <paramref name="path"/> (a .yaml/.yml file, or a folder that holds
    /// integrations.yaml); without one, $env:GITINTEGRATION_STORE, then the per-user default.
    /// Nothing is created until the first write.
    /// </summary>
    public static IntegrationStore Open(string? path = null)
    {
        if (string.IsNullOrWhiteSpace(path))
            path = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(path))
            return new IntegrationStore(DefaultPath());
        var full = System.IO.Path.GetFullPath(path);
        var ext = System.IO.Path.GetExtension(full);
        bool isFile =
            !Directory.Exists(full)
            && (
                ext.Equals(".yaml", StringComparison.OrdinalIgnoreCase)
                || ext.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            );
        return new IntegrationStore(isFile ? full : System.IO.Path.Combine(full, DefaultFileName));
    }

    /// <summary>
    /// LocalApplicationData\GitIntegration on Windows; $XDG_CONFIG_HOME (or ~/.config)/GitIntegration on Unix.
    /// </summary>
    public static string DefaultPath()
    {
        string root;
        if (SecureFile.IsWindows)
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        else
        {
            root = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") ?? "";
            if (!System.IO.Path.IsPathRooted(root))
                root = System.IO.Path.Combine(
                    Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                    ".config"
                );
        }
        return System.IO.Path.Combine(root, "GitIntegration", DefaultFileName);
    }

    /// <summary>The current contents; an empty store when the file does not exist yet.</summary>
    public StoreDocument Load()
    {
        RequirePrivateFolders();
        var text = ReadText();
        if (text == null)
            return new StoreDocument();
        using var reader = new StringReader(text);
        return StoreYaml.Read(reader, Path);
    }

    /// <summary>
    /// Read-modify-write under the store lock (taken in arrival order): loads the current store, lets
    /// <paramref name="change"/> edit it, and writes it back (temp file, flush, rename) only if it changed. The
    /// previous version becomes the .bak by a link or rename, not by writing it again. A store that does not parse
    /// throws before <paramref name="change"/> runs and is never rewritten.
    /// </summary>
    public T Update<T>(Func<StoreDocument, T> change) => Update(change, null);

    /// <param name="queued">Called once this writer is in line for the lock (tests measure the order with it).</param>
    internal T Update<T>(Func<StoreDocument, T> change, Action? queued)
    {
        RequirePrivateFolders();
        using (StoreLock.Acquire(LockPath, QueuePath, LockTimeout, queued))
        {
            var before = ReadText();
            var doc = before == null ? new StoreDocument() : StoreYaml.Read(new StringReader(before), Path);
            var result = change(doc);
            var after = StoreYaml.Write(doc);
            if (after != (before ?? StoreYaml.Write(new StoreDocument())))
                SecureFile.WriteAllText(Path, after, overwrite: true, backupPath: BackupPath);
            return result;
        }
    }

    /// <summary>Far more than any store holds (an integration takes about 1 KB).</summary>
    public const int MaxFileBytes = 256 << 20;

    private string? ReadText() => File.Exists(Path) ? InputFile.ReadAllText(Path, "store", MaxFileBytes) : null;

    // ---------------------------------------------------------------- secrets and keys

    /// <summary>
    /// Stores a passphrase or token as a protected file in the secrets folder (replacing one of the same
    /// name) and returns its reference. <paramref name="name"/> is a file name such as "&lt;id&gt;-token".
    /// </summary>
    public SecretRef WriteSecret(string name, string secret)
    {
        var file = SafeName(name) + ".secret";
        RequirePrivateFolders();
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (SecureFile.IsWindows)
            bytes = ProtectedData.Protect(bytes, Entropy, DataProtectionScope.CurrentUser);
        SecureFile.WriteAllBytes(System.IO.Path.Combine(SecretsDirectory, file), bytes, overwrite: true);
        return SecretRef.InFile(file);
    }

    public string ReadSecret(SecretRef secretRef)
    {
        if (!secretRef.IsFile)
        {
            if (VaultReader == null)
                throw new GitIntegrationException(
                    StoreErrorIds.VaultNotAvailable,
                    ErrorKind.NotInstalled,
                    $"The secret '{secretRef.Name}' is in the SecretManagement vault '{secretRef.Vault}', which "
                        + "cannot be read here. Install Microsoft.PowerShell.SecretManagement and register that "
                        + "vault."
                )
                {
                    Target = secretRef.ToString(),
                };
            return VaultReader(secretRef.Vault!, secretRef.Name!);
        }
        var path = SecretPath(secretRef);
        RequirePrivateFolders();
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (SecureFile.IsWindows)
                bytes = ProtectedData.Unprotect(bytes, Entropy, DataProtectionScope.CurrentUser);
            return Encoding.UTF8.GetString(bytes);
        }
        catch (Exception e) when (e is FileNotFoundException || e is DirectoryNotFoundException)
        {
            throw new GitIntegrationException(
                StoreErrorIds.SecretNotFound,
                ErrorKind.ObjectNotFound,
                $"The secret file '{path}' is missing. Set the passphrase or token again with Set-GitIntegration.",
                e
            )
            {
                Target = path,
            };
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is CryptographicException)
        {
            throw new GitIntegrationException(
                StoreErrorIds.SecretUnreadable,
                ErrorKind.ReadError,
                $"The secret file '{path}' cannot be read ({e.GetType().Name}). Secrets are protected for the "
                    + "user who wrote them; set the passphrase or token again with Set-GitIntegration as this user.",
                e
            )
            {
                Target = path,
            };
        }
    }

    /// <summary>
    /// Deletes a secret the store owns (a file reference); a vault entry belongs to its vault and is left alone.
    /// </summary>
    public bool DeleteSecret(SecretRef? secretRef)
    {
        if (secretRef == null || !secretRef.IsFile)
            return false;
        var path = SecretPath(secretRef);
        if (!File.Exists(path))
            return false;
        File.Delete(path);
        return true;
    }

    /// <summary>Writes an inline private key into the keys folder (owner-only) and returns its path.</summary>
    public string WriteKey(string name, string keyText)
    {
        var path = System.IO.Path.Combine(KeysDirectory, SafeName(name));
        RequirePrivateFolders();
        SecureFile.WriteAllText(path, keyText, overwrite: true);
        return path;
    }

    /// <summary>
    /// True when <paramref name="path"/> is a key file in this store's keys folder (so the store owns it).
    /// </summary>
    public bool OwnsKey(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return false;
        var dir =
            System.IO.Path.GetFullPath(KeysDirectory).TrimEnd(System.IO.Path.DirectorySeparatorChar)
            + System.IO.Path.DirectorySeparatorChar;
        return System
            .IO.Path.GetFullPath(path)
            .StartsWith(dir, SecureFile.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>Deletes the secrets and key files the integration owns (after it left the store).</summary>
    public void DeleteOwned(Integration integration)
    {
        DeleteSecret(integration.PassphraseRef);
        DeleteSecret(integration.TokenRef);
        DeleteSecret(integration.WebhookSecretRef);
        if (OwnsKey(integration.PrivateKeyPath) && File.Exists(integration.PrivateKeyPath))
            File.Delete(integration.PrivateKeyPath);
    }

    /// <summary>
    /// Refuses a store whose folder (or its secrets or keys folder) someone else can change, as ssh's StrictModes
    /// refuses a loose ~/.ssh: whoever can write there can swap integrations.yaml for one that points at their own
    /// key or host. Missing folders are fine: they are created owner-only when first written.
    /// </summary>
    private void RequirePrivateFolders()
    {
        var folders = new[] { System.IO.Path.GetDirectoryName(Path)!, SecretsDirectory, KeysDirectory }
            .Where(Directory.Exists)
            .ToList();
        foreach (var dir in folders)
            if (SecureFile.OtherOwner(dir) is string owner)
                throw new GitIntegrationException(
                    StoreErrorIds.StoreFolderNotPrivate,
                    ErrorKind.SecurityError,
                    $"The store folder '{dir}' belongs to another user ({owner}), who can change what is in "
                        + "it whatever its permissions, so it is not used. Use a store folder of your own: "
                        + "-StorePath, or $env:GITINTEGRATION_STORE."
                )
                {
                    Target = dir,
                };
        var loose = folders
            .Select(d => (Dir: d, Who: SecureFile.OthersWhoCanWrite(d)))
            .Where(x => x.Who != null)
            .ToList();
        if (loose.Count == 0)
            return;
        var fix = SecureFile.MakePrivateCommand(loose.Select(x => x.Dir));
        throw new GitIntegrationException(
            StoreErrorIds.StoreFolderNotPrivate,
            ErrorKind.SecurityError,
            $"The store folder '{loose[0].Dir}' can be written by other users ({loose[0].Who}), who could "
                + "replace integrations.yaml or a key in it, so it is not used. Make it yours alone, then run the "
                + $"command again: {fix}"
        )
        {
            Target = loose[0].Dir,
        };
    }

    private string SecretPath(SecretRef r) => System.IO.Path.Combine(SecretsDirectory, SafeName(r.File!));

    private static string SafeName(string name)
    {
        if (
            name.Length == 0
            || name.Length > 128
            || name == "."
            || name == ".."
            || name.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0
            || name.IndexOfAny(new[] { '/', '\\', ':' }) >= 0
        )
            throw new GitIntegrationException(
                ErrorIds.FileWriteFailed,
                ErrorKind.InvalidArgument,
                $"'{name}' cannot be used as a file name in the store. Use letters, digits, '-', '_' and '.'."
            )
            {
                Target = name,
            };
        return name;
    }
}
