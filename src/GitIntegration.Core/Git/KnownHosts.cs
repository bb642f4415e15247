using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace GitIntegration.Core.Git;

/// <summary>
/// A server's host key, as the server presents it, with whether the service publishes that fingerprint.
/// </summary>
public sealed class GitHostKey
{
    public string HostName { get; set; } = "";
    public int Port { get; set; } = 22;

    /// <summary>ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa...</summary>
    public string KeyType { get; set; } = "";
    public int Bits { get; set; }
    public string Fingerprint { get; set; } = "";

    /// <summary>
    /// True when the fingerprint is one the service publishes; false when it publishes others; null when it publishes
    /// none.
    /// </summary>
    public bool? MatchesPublished { get; set; }

    /// <summary>Where the published fingerprints come from, when there are some.</summary>
    public string? PublishedSource { get; set; }

    /// <summary>True when this very key is already trusted in the known_hosts file checked.</summary>
    public bool IsKnown { get; set; }
    public string PublicKey { get; set; } = "";

    public override string ToString() => $"{KeyType} {Fingerprint}";

    internal static GitHostKey From(string host, int port, string type, string base64)
    {
        var key = SshKey.FromPublicBlob(Convert.FromBase64String(base64));
        var published = HostProfiles.PublishedKeys(host).ToList();
        var profile = HostProfiles.All.FirstOrDefault(p => p.HostNames.Contains(host));
        return new GitHostKey
        {
            HostName = host,
            Port = port,
            KeyType = type,
            Bits = key.Bits,
            Fingerprint = key.FingerprintSha256,
            PublicKey = base64,
            MatchesPublished =
                published.Count == 0 ? (bool?)null : published.Any(p => p.Fingerprint == key.FingerprintSha256),
            PublishedSource = published.Count == 0 ? null : profile?.Sources[0],
        };
    }
}

/// <summary>
/// An OpenSSH known_hosts file: plain and hashed (|1|salt|hash) host names, [host]:port, comma lists and wildcards.
/// The module keeps its own (next to the store) so that a connection never depends on, or changes, the user's ~/.ssh.
/// </summary>
public static class KnownHosts
{
    /// <summary>
    /// The module's own known_hosts, next to the store (-StorePath, $env:GITINTEGRATION_STORE, or the per-user
    /// default).
    /// </summary>
    public static string DefaultPath => For(Store.IntegrationStore.Open());

    public static string For(Store.IntegrationStore store) =>
        Path.Combine(Path.GetDirectoryName(store.Path)!, "known_hosts");

    /// <summary>How ssh names a host in known_hosts: bare on port 22, [host]:port otherwise.</summary>
    public static string Name(string host, int port) =>
        port == 22 ? host : $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The keys a file trusts for the host (revoked and CA lines are not host keys and are left out).
    /// </summary>
    public static IReadOnlyList<(string Type, string Base64)> Find(string path, string host, int port)
    {
        if (!File.Exists(path))
            return Array.Empty<(string, string)>();
        var name = Name(host, port);
        var found = new List<(string, string)>();
        foreach (var raw in Read(path).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == '@')
                continue;
            var f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 3)
                continue;
            if (Matches(f[0], name))
                found.Add((f[1], f[2]));
        }
        return found;
    }

    public static void Add(string path, IEnumerable<GitHostKey> keys)
    {
        try
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
            IO.SecureFile.CreateDirectories(dir);
            var lines = keys.Select(k => $"{Name(k.HostName, k.Port)} {k.KeyType} {k.PublicKey}").ToList();
            var existing = File.Exists(path) ? Read(path) : "";
            if (existing.Length > 0 && !existing.EndsWith("\n", StringComparison.Ordinal))
                existing += "\n";
            // Not a secret, but the file decides whom we trust: written atomically and owner-only like ~/.ssh.
            IO.SecureFile.WriteAllText(path, existing + string.Join("\n", lines) + "\n", overwrite: true);
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            throw new GitIntegrationException(
                GitErrorIds.KnownHostsWriteFailed,
                ErrorKind.WriteError,
                $"Cannot add the host key to '{path}': {e.Message}. Check that the folder is writable, or pass "
                    + "-KnownHostsPath.",
                e
            )
            {
                Target = path,
            };
        }
    }

    /// <summary>Far more than any real known_hosts (100,000 RSA host keys take about 60 MB).</summary>
    public const int MaxFileBytes = 64 << 20;

    private static string Read(string path) => IO.InputFile.ReadAllText(path, "known_hosts file", MaxFileBytes);

    private static bool Matches(string patterns, string name)
    {
        if (patterns.StartsWith("|1|", StringComparison.Ordinal))
        {
            var parts = patterns.Split('|');
            if (parts.Length != 4)
                return false;
            try
            {
                using var h = new HMACSHA1(Convert.FromBase64String(parts[2]));
                return Convert.ToBase64String(h.ComputeHash(Encoding.ASCII.GetBytes(name))) == parts[3];
            }
            catch (FormatException)
            {
                return false;
            }
        }
        bool match = false;
        foreach (var p in patterns.Split(','))
        {
            var negated = p.StartsWith("!", StringComparison.Ordinal);
            var pattern = negated ? p.Substring(1) : p;
            var regex = "^" + Regex.Escape(pattern.ToLowerInvariant()).Replace(@"\*", ".*").Replace(@"\?", ".") + "$";
            if (Regex.IsMatch(name.ToLowerInvariant(), regex))
            {
                if (negated)
                    return false;
                match = true;
            }
        }
        return match;
    }
}

/// <summary>
/// Reads a server's host keys as ssh-keyscan does, in this process: one key exchange per key type (Ed25519, ECDSA,
/// RSA), each stopped as soon as the server has shown its key. No login, no trust decision.
/// </summary>
public static class HostKeyScanner
{
    private static readonly string[][] Families =
    {
        new[] { "ssh-ed25519" },
        new[] { "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" },
        new[] { "rsa-sha2-512", "rsa-sha2-256" },
    };

    public static IReadOnlyList<GitHostKey> Scan(string host, int port, TimeSpan timeout, string? knownHostsPath = null)
    {
        var scans = Families.Select(f => Task.Run(() => ScanOne(host, port, timeout, f))).ToArray();
        Task.WaitAll(scans);
        var keys = scans.Select(t => t.Result.Key).OfType<GitHostKey>().ToList();
        if (keys.Count == 0)
        {
            var why = scans.Select(t => t.Result.Error).FirstOrDefault(e => e != null) ?? "it sent no host key";
            throw new GitIntegrationException(
                GitErrorIds.HostKeyScanFailed,
                ErrorKind.ConnectionError,
                $"Cannot read the SSH host keys of {KnownHosts.Name(host, port)}: {why}. Check the host name "
                    + "and port, and that SSH is reachable from here."
            )
            {
                Target = KnownHosts.Name(host, port),
            };
        }
        if (knownHostsPath != null)
        {
            var known = KnownHosts.Find(knownHostsPath, host, port);
            foreach (var k in keys)
                k.IsKnown = known.Any(x => x.Type == k.KeyType && x.Base64 == k.PublicKey);
        }
        return keys;
    }

    private static (GitHostKey? Key, string? Error) ScanOne(
        string host,
        int port,
        TimeSpan timeout,
        string[] algorithms
    )
    {
        var info = SshLogin.Info(host, port, "ssh-keyscan", timeout, new NoneAuthenticationMethod("ssh-keyscan"));
        foreach (var name in info.HostKeyAlgorithms.Keys.Where(n => !algorithms.Contains(n)).ToList())
            info.HostKeyAlgorithms.Remove(name, out _);
        GitHostKey? key = null;
        using var client = new SshClient(info);
        client.HostKeyReceived += (_, e) =>
        {
            e.CanTrust = false; // seen, and the exchange ends here
            try
            {
                key = Describe(host, port, e.HostKey);
            }
            catch (GitIntegrationException) { }
        };
        try
        {
            client.Connect();
        }
        catch (Exception e) when (!(e is OutOfMemoryException))
        {
            if (key != null)
                return (key, null);
            if (e is SocketException s && s.SocketErrorCode == SocketError.ConnectionRefused)
                return (null, "the connection was refused");
            if (
                e is SocketException r
                && (r.SocketErrorCode == SocketError.HostNotFound || r.SocketErrorCode == SocketError.TryAgain)
            )
                return (null, "the host name cannot be resolved");
            if (e is SshOperationTimeoutException)
                return (null, "it did not answer in time");
            return (null, e.Message.TrimEnd('.'));
        }
        return (key, null);
    }

    /// <summary>A host key as the server sent it (its SSH public key blob).</summary>
    internal static GitHostKey Describe(string host, int port, byte[] blob)
    {
        var key = SshKey.FromPublicBlob(blob);
        return GitHostKey.From(host, port, key.SshType, Convert.ToBase64String(blob));
    }
}
