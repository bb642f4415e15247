using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GitIntegration.Core.IO;
using GitIntegration.Core.Putty;

namespace GitIntegration.Core.Keys;

/// <summary>Whose rules a key is checked against.</summary>
public enum KeyRequirement
{
    /// <summary>The integration's rule: a private RSA key in OpenSSL PEM.</summary>
    Integration,
    GitHub,
    GitLab,
    Bitbucket,

    /// <summary>Azure DevOps and TFS: RSA only.</summary>
    AzureDevOps,

    /// <summary>Any private key an SSH client can use.</summary>
    Any,
}

public enum FindingSeverity
{
    Information,
    Warning,
    Error,
}

public sealed class KeyFinding
{
    public KeyFinding(string id, FindingSeverity severity, string message, string remedy)
    {
        Id = id;
        Severity = severity;
        Message = message;
        Remedy = remedy;
    }

    /// <summary>Stable identifier, for scripts to test.</summary>
    public string Id { get; }
    public FindingSeverity Severity { get; }
    public string Message { get; }

    /// <summary>
    /// A command of this module (or the platform's) that fixes it, ready to paste: it asks for what only the
    /// admin knows.
    /// </summary>
    public string Remedy { get; }

    /// <summary>The finding and its fix in one sentence, as a warning or an error message quotes it.</summary>
    public string WithFix => $"{Message} Fix: {Remedy}";

    public override string ToString() => $"{Severity} {Id}: {Message}";
}

public sealed class KeyTestResult
{
    public string? Path { get; set; }
    public KeyRequirement Requirement { get; set; }
    public bool IsValid => Findings.All(f => f.Severity != FindingSeverity.Error);
    public SshKeyInfo? Key { get; set; }
    public IReadOnlyList<KeyFinding> Findings { get; set; } = Array.Empty<KeyFinding>();

    public override string ToString() => $"{Path ?? "(text)"}: {(IsValid ? "valid" : "invalid")}";
}

/// <summary>Offline diagnosis of a key against a requirement: why would it be rejected?</summary>
public static partial class KeyDiagnostics
{
    public static KeyTestResult TestFile(string path, string? passphrase, KeyRequirement requirement)
    {
        var full = System.IO.Path.GetFullPath(path);
        var findings = new List<KeyFinding>();
        var result = new KeyTestResult { Path = full, Requirement = requirement };
        if (!File.Exists(full))
        {
            findings.Add(
                new KeyFinding(
                    Ids.NotFound,
                    FindingSeverity.Error,
                    $"There is no file at '{full}'.",
                    ListKeys(Directory.Exists(full) ? full : null)
                )
            );
            result.Findings = findings;
            return result;
        }
        string text;
        try
        {
            text = KeyText.ReadFile(full);
        }
        catch (GitIntegrationException e)
        {
            return Failed(result, e, full);
        }
        Check(result, findings, text, passphrase, full);
        if (findings.All(f => f.Id != Ids.PublicKeyGiven))
            CheckFile(findings, full, result.Key);
        result.Findings = findings;
        return result;
    }

    public static KeyTestResult TestText(string text, string? passphrase, KeyRequirement requirement)
    {
        var findings = new List<KeyFinding>();
        var result = new KeyTestResult { Requirement = requirement };
        Check(result, findings, text, passphrase, null);
        result.Findings = findings;
        return result;
    }

    private static KeyTestResult Failed(KeyTestResult result, GitIntegrationException e, string? path)
    {
        var id = e.ErrorId switch
        {
            ErrorIds.KeyFormatNotRecognized or ErrorIds.FileNotRegular => Ids.NotAKey,
            ErrorIds.KeyFormatNotSupported or ErrorIds.KeyAlgorithmNotSupported or ErrorIds.KeyTooLarge =>
                Ids.Unsupported,
            _ => Ids.Corrupt,
        };
        // A wrong passphrase never comes here: it is a KeyPassphraseException, which Check reports itself.
        string remedy = e.ErrorId == ErrorIds.FileNotRegular ? ListKeys(null) : NewRsaKey(path, ".new");
        result.Findings = new[] { new KeyFinding(id, FindingSeverity.Error, e.Message, remedy) };
        return result;
    }

    private static void Check(
        KeyTestResult result,
        List<KeyFinding> findings,
        string text,
        string? passphrase,
        string? path
    )
    {
        var req = result.Requirement;
        KeyDocument doc;
        try
        {
            doc = KeyReader.Read(text, null, path);
        }
        catch (GitIntegrationException e)
        {
            findings.AddRange(Failed(result, e, path).Findings);
            return;
        }

        if (!doc.IsPrivate)
        {
            var privatePath =
                path != null && path.EndsWith(".pub", StringComparison.OrdinalIgnoreCase)
                    ? path.Substring(0, path.Length - 4)
                    : null;
            bool exists = privatePath != null && File.Exists(privatePath);
            findings.Add(
                new KeyFinding(
                    Ids.PublicKeyGiven,
                    FindingSeverity.Error,
                    exists
                        ? "This is the public half of the key. Give the integration the private key file "
                            + $"'{privatePath}'; the public key belongs on the git host."
                        : "This is a public key. The integration needs the private key (the file without "
                            + ".pub); the public key belongs on the git host.",
                    exists
                        ? new PowerShellCommand("Test-GitSshKey").Arg("LiteralPath", privatePath!)
                        : ListKeys(path != null ? System.IO.Path.GetDirectoryName(path) : null)
                )
            );
            result.Key = SshKeyInfo.From(doc, path);
            return;
        }

        // Decrypt when we can: everything below is more precise with the private key in hand.
        if (doc.IsEncrypted && passphrase != null)
        {
            try
            {
                doc = KeyReader.Read(text, passphrase, path);
            }
            catch (KeyPassphraseException)
            {
                findings.Add(
                    new KeyFinding(
                        Ids.WrongPassphrase,
                        FindingSeverity.Error,
                        "The passphrase does not open this key. Check it (it is case-sensitive) and try again; "
                            + "a lost passphrase cannot be recovered, so a forgotten one means a new key "
                            + "(New-GitSshKey).",
                        Retry(path)
                    )
                );
            }
            catch (GitIntegrationException e)
            {
                findings.AddRange(Failed(result, e, path).Findings);
                return;
            }
        }
        else if (doc.IsEncrypted)
        {
            findings.Add(
                new KeyFinding(
                    Ids.PassphraseNotGiven,
                    FindingSeverity.Warning,
                    "The key is protected by a passphrase, which was not given, so the key itself was not "
                        + "checked. The integration will ask for the passphrase too.",
                    Retry(path)
                )
            );
        }

        var sibling = path != null ? KeyFiles.ReadSiblingPublic(path) : null;
        result.Key = SshKeyInfo.From(
            doc,
            path,
            doc.Key == null ? sibling : null,
            sibling != null && (doc.Key == null || doc.Key.SamePublicKey(sibling)) ? path + ".pub" : null
        );

        switch (doc.Format)
        {
            case KeyFormat.OpenSsh when req == KeyRequirement.Integration:
                findings.Add(
                    new KeyFinding(
                        Ids.OpenSshFormat,
                        FindingSeverity.Error,
                        "The key is in OpenSSH format (BEGIN OPENSSH PRIVATE KEY), which ssh-keygen and macOS "
                            + "write by default; the integration needs OpenSSL PEM (BEGIN RSA PRIVATE KEY).",
                        ToPem(doc, path)
                    )
                );
                break;
            case KeyFormat.Pkcs8 when req == KeyRequirement.Integration:
                findings.Add(
                    new KeyFinding(
                        Ids.Pkcs8Format,
                        FindingSeverity.Error,
                        "The key is in PKCS#8 form (BEGIN PRIVATE KEY); the integration needs OpenSSL PEM "
                            + "(BEGIN RSA PRIVATE KEY).",
                        ToPem(doc, path)
                    )
                );
                break;
            case KeyFormat.Ppk:
                // Only the integration reads the file itself; a git host sees the public key, and this module's
                // connections convert a .ppk on the fly.
                findings.Add(
                    new KeyFinding(
                        Ids.PuttyFormat,
                        req == KeyRequirement.Integration ? FindingSeverity.Error : FindingSeverity.Warning,
                        "This is a PuTTY key (.ppk). Git and the integration need it converted: PuTTYgen's "
                            + "Conversions > Export OpenSSH key, or this module's ConvertFrom-PuttyKey.",
                        FromPutty(doc, path, req)
                    )
                );
                break;
        }

        var algorithm = result.Key.Algorithm;
        if (algorithm == KeyAlgorithm.Dsa)
        {
            findings.Add(
                new KeyFinding(
                    Ids.DsaDeprecated,
                    req == KeyRequirement.Any ? FindingSeverity.Warning : FindingSeverity.Error,
                    "DSA keys are obsolete: OpenSSH disabled them in 2015 and git hosts refuse them. Generate "
                        + "a new key.",
                    NewRsaKey(path, ".new")
                )
            );
        }
        else if (algorithm != KeyAlgorithm.Unknown && !Allowed(req).Contains(algorithm))
        {
            findings.Add(
                new KeyFinding(
                    Ids.AlgorithmNotAllowed,
                    FindingSeverity.Error,
                    $"{Describe(req)} accepts "
                        + $"{string.Join(" or ", Allowed(req).Select(a => a.ToString().ToUpperInvariant()))} keys "
                        + $"only; this is an {algorithm.ToString().ToUpperInvariant()} key. Generate an RSA key.",
                    NewRsaKey(path, ".rsa")
                )
            );
        }
        if (algorithm == KeyAlgorithm.Rsa && result.Key.Bits is int bits)
        {
            if (bits < 2048)
                findings.Add(
                    new KeyFinding(
                        Ids.KeyTooSmall,
                        FindingSeverity.Error,
                        $"The RSA key has {bits} bits, below the 2048 that NIST has required since 2013: a git "
                            + "host may refuse it (GitLab's administrators can set a minimum), and OpenSSH refuses "
                            + "keys under 1024 bits (RequiredRSASize). The integration's setup guide makes RSA keys "
                            + "of 4096 bits; generate one.",
                        NewRsaKey(path, ".new")
                    )
                );
            else if (bits < 3072)
                findings.Add(
                    new KeyFinding(
                        Ids.KeySizeMinimum,
                        FindingSeverity.Warning,
                        $"The RSA key has {bits} bits: accepted, but the integration's setup guide makes RSA keys "
                            + "of 4096 bits, and a new key should have as many.",
                        NewRsaKey(path, ".new")
                    )
                );
        }
        if (doc.Key != null && sibling != null && !doc.Key.SamePublicKey(sibling))
            findings.Add(
                new KeyFinding(
                    Ids.PublicKeyMismatch,
                    FindingSeverity.Error,
                    $"'{path}.pub' holds a different key than '{path}'. The git host would be given the wrong "
                        + "public key.",
                    $"({Open("Get-GitSshKey", doc, path)}).PublicKey | "
                        + new PowerShellCommand("Set-Content").Arg("LiteralPath", path + ".pub")
                )
            );
    }

    private static void CheckFile(List<KeyFinding> findings, string path, SshKeyInfo? key)
    {
        if (key == null || !key.IsPrivate)
            return;
        var mode = SecureFile.UnixMode(path);
        if (mode is int m && (m & 0x3F) != 0)
            findings.Add(
                new KeyFinding(
                    Ids.PermissionsTooOpen,
                    FindingSeverity.Warning,
                    $"Others can read this private key (permissions {System.Convert.ToString(m & 0x1FF, 8)}); "
                        + "ssh refuses such a key with 'UNPROTECTED PRIVATE KEY FILE'.",
                    $"chmod 600 {PowerShellCommand.Quote(path)}"
                )
            );
    }

    public static KeyAlgorithm[] Allowed(KeyRequirement requirement) =>
        requirement switch
        {
            KeyRequirement.Integration or KeyRequirement.AzureDevOps => new[] { KeyAlgorithm.Rsa },
            _ => new[] { KeyAlgorithm.Rsa, KeyAlgorithm.Ecdsa, KeyAlgorithm.Ed25519 },
        };

    private static string Describe(KeyRequirement r) =>
        r switch
        {
            KeyRequirement.Integration => "The integration",
            KeyRequirement.AzureDevOps => "Azure DevOps",
            _ => r.ToString(),
        };

    // Remedies. A key given as text has no file to act on: the command asks for the file the key is saved in.

    private static PowerShellCommand KeyFile(string command, string parameter, string? path) =>
        path != null
            ? new PowerShellCommand(command).Arg(parameter, path)
            : new PowerShellCommand(command).Ask(parameter, "Key file");

    private static PowerShellCommand Open(string command, KeyDocument doc, string? path)
    {
        var c = KeyFile(command, "LiteralPath", path);
        return doc.IsEncrypted ? c.Secret("Passphrase") : c;
    }

    /// <summary>The check again, with the passphrase typed at the prompt.</summary>
    private static string Retry(string? path) => KeyFile("Test-GitSshKey", "LiteralPath", path).Secret("Passphrase");

    /// <summary>The keys of a folder, or of ~/.ssh.</summary>
    private static string ListKeys(string? folder) =>
        folder != null
            ? new PowerShellCommand("Get-GitSshKey").Arg("LiteralPath", folder)
            : new PowerShellCommand("Get-GitSshKey");

    /// <summary>
    /// A new key in the integration's format, beside the old one (or in ~/.ssh), under a name no file has yet: the
    /// old key stays where it is until the new one is on the git host.
    /// </summary>
    private static string NewRsaKey(string? path, string suffix)
    {
        var target = path != null ? path + suffix : System.IO.Path.Combine(KeyFiles.DefaultFolder, "jira_rsa");
        return new PowerShellCommand("New-GitSshKey")
            .Arg("Path", FreeName(target))
            .Arg("Type", KeyAlgorithm.Rsa)
            .Arg("Bits", 4096);
    }

    /// <summary>
    /// An RSA key is converted in place (same key, same fingerprint), and so is one whose type its encryption hides
    /// (encrypted PKCS#8: the conversion opens it); any other needs a new RSA key.
    /// </summary>
    private static string ToPem(KeyDocument doc, string? path)
    {
        if (doc.Algorithm != KeyAlgorithm.Rsa && doc.Algorithm != KeyAlgorithm.Unknown)
            return NewRsaKey(path, ".rsa");
        var c = KeyFile("Convert-GitSshKey", "Path", path).Arg("Format", PrivateKeyFormat.Pem);
        return doc.IsEncrypted ? c.Secret("Passphrase") : c;
    }

    private static string FromPutty(KeyDocument doc, string? path, KeyRequirement req)
    {
        if (req == KeyRequirement.Integration && doc.Algorithm != KeyAlgorithm.Rsa)
            return NewRsaKey(path, ".rsa");
        var c = new PowerShellCommand("ConvertFrom-PuttyKey");
        var destination = path == null ? null : FreeName(PuttyKeyFiles.DefaultOpenSshPath(path) ?? path + ".pem");
        c = path == null ? c.Ask("Path", "PuTTY key file") : c.Arg("Path", path).Arg("Destination", destination!);
        return doc.IsEncrypted ? c.Secret("Passphrase") : c;
    }

    /// <summary>
    /// <paramref name="path"/>, or path2, path3... when a key (or its .pub) is already there, or the name is in
    /// <paramref name="reserved"/> (names taken meanwhile by work running beside this one).
    /// </summary>
    internal static string FreeName(string path, ICollection<string>? reserved = null)
    {
        var name = path;
        for (
            int i = 2;
            i < 100
                && (
                    File.Exists(name)
                    || File.Exists(name + ".pub")
                    || Directory.Exists(name)
                    || reserved?.Contains(name) == true
                );
            i++
        )
            name = path + i;
        return name;
    }
}
