using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Hosts;

public enum KeyPublishStatus
{
    Added,
    AlreadyPresent,
    Removed,
    NotPresent,
    Failed,
}

/// <summary>One repository (or user, or project) to publish a key to or take it off, and the host to ask.</summary>
public sealed class KeyPublication
{
    public KeyPublication(KeyTarget target, HostConnection host, string? name = null)
    {
        Target = target;
        Host = host;
        Name = name;
    }

    public KeyTarget Target { get; }

    /// <summary>Publications that share one connection object share one HTTP client.</summary>
    public HostConnection Host { get; }

    /// <summary>The integration's name, when the repository came from one (it goes in the default title).</summary>
    public string? Name { get; }

    /// <summary>The URL as the admin gave it (a CSV row's, an integration's), echoed in the result.</summary>
    public string? GivenUrl { get; set; }
}

/// <summary>What is published: the public key, and how.</summary>
public sealed class KeyPublishOptions
{
    public KeyPublishOptions(SshKey key)
    {
        Key = key;
    }

    /// <summary>The key (its public half is what is sent).</summary>
    public SshKey Key { get; }

    /// <summary>The private key's file, for the remedy of a key in use elsewhere; optional.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The title; by default "NAME (key for the Jira git integration, yyyy-MM-dd)".</summary>
    public string? Title { get; set; }

    /// <summary>A deploy key that may push (default: read only).</summary>
    public bool AllowWrite { get; set; }
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Today, for default titles (tests fix it).</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.Now;
}

/// <summary>The outcome for one publication: what happened, or the error that stopped it.</summary>
public sealed class KeyPublishResult
{
    /// <summary>The repository URL (as given); bound by Connect-GitRepository's -Url.</summary>
    public string Url { get; set; } = "";

    /// <summary>The integration's name, or the repository's; bound by Connect-GitRepository's -Name.</summary>
    public string Name { get; set; } = "";
    public KeyHostType Host { get; set; }
    public Uri? ApiUrl { get; set; }
    public KeyTargetKind TargetKind { get; set; }

    /// <summary>The target as the host names it: "acme/app", "the token's user", "project OPS".</summary>
    public string Target { get; set; } = "";
    public string Fingerprint { get; set; } = "";
    public string? Title { get; set; }
    public string? KeyId { get; set; }
    public bool? ReadOnly { get; set; }
    public KeyPublishStatus Status { get; set; }
    public GitIntegrationException? Error { get; set; }
}

/// <summary>
/// Puts a public key where repositories live, and takes it off: idempotent by the key's SHA256 fingerprint (a key
/// already there, whatever its title or comment, is AlreadyPresent, never added twice), up to ThrottleLimit
/// targets at once, one result per target, in the order given; a failure is that target's result, never the
/// others'.
/// </summary>
public static class KeyPublishing
{
    public const string DefaultPurpose = "key for the Jira git integration";

    /// <summary>Adds the key to every target where it is not there yet.</summary>
    public static Task<IReadOnlyList<KeyPublishResult>> PublishAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult>? finished,
        CancellationToken cancel
    ) => RunAsync(items, options, finished, PublishOneAsync, cancel);

    /// <summary>Removes the key (by fingerprint) from every target that has it.</summary>
    public static Task<IReadOnlyList<KeyPublishResult>> UnpublishAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult>? finished,
        CancellationToken cancel
    ) => RunAsync(items, options, finished, UnpublishOneAsync, cancel);

    /// <summary>The title a key gets unless one is given: what it is for, and since when.</summary>
    public static string DefaultTitle(KeyPublication item, DateTimeOffset now) =>
        $"{item.Name ?? item.Target.Url.Name} ({DefaultPurpose}, "
        + $"{now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})";

    /// <summary>
    /// The public key to publish for a key file: the file itself when it is a public key; else the .pub beside
    /// the private key when it is the same key; else the private key's public half (an encrypted PEM key needs its
    /// passphrase for that). The private key itself is never sent anywhere.
    /// </summary>
    public static SshKey ReadPublicKey(string path, string? passphrase = null)
    {
        var full = Path.GetFullPath(path);
        var doc = KeyReader.ReadFile(full, passphrase);
        var sibling = doc.IsPrivate ? KeyFiles.ReadSiblingPublic(full) : null;
        if (sibling != null && (doc.Key == null || doc.Key.SamePublicKey(sibling)))
            return sibling;
        if (doc.Key != null)
            return doc.Key;
        throw new GitIntegrationException(
            HostErrorIds.PublicKeyUnavailable,
            ErrorKind.InvalidArgument,
            $"The key '{full}' is encrypted and has no {Path.GetFileName(full)}.pub beside it, so its public "
                + "half cannot be read without the passphrase. Give the passphrase with -Passphrase (Read-Host "
                + $"-AsSecureString), or put the public key in '{full}.pub'."
        )
        {
            Target = full,
        };
    }

    /// <summary>The SHA256 fingerprint of a key as a host lists it ("TYPE BASE64 [comment]"), or null.</summary>
    public static string? FingerprintOf(string publicKeyLine)
    {
        var parts = (publicKeyLine ?? "").Trim().Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[1].Length > 16384)
            return null;
        try
        {
            return SshKey.FromPublicBlob(Convert.FromBase64String(parts[1])).FingerprintSha256;
        }
        catch (FormatException)
        {
            return null;
        }
        catch (GitIntegrationException)
        {
            return null;
        }
    }

    private static async Task<IReadOnlyList<KeyPublishResult>> RunAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult>? finished,
        Func<IKeyHost, KeyPublication, KeyPublishOptions, CancellationToken, Task<KeyPublishResult>> one,
        CancellationToken cancel
    )
    {
        var list = items.ToList();
        var results = new KeyPublishResult[list.Count];
        var hosts = new Dictionary<HostConnection, IKeyHost>();
        using var slots = new SemaphoreSlim(Math.Max(1, options.ThrottleLimit));
        try
        {
            foreach (var item in list)
                if (!hosts.ContainsKey(item.Host))
                    hosts[item.Host] = KeyHosts.Create(item.Host);
            var tasks = list.Select(
                    async (item, i) =>
                    {
                        await slots.WaitAsync(cancel).ConfigureAwait(false);
                        try
                        {
                            KeyPublishResult r;
                            try
                            {
                                hosts[item.Host].Check(item.Target);
                                r = await one(hosts[item.Host], item, options, cancel).ConfigureAwait(false);
                            }
                            catch (GitIntegrationException e)
                            {
                                r = Result(item, options, KeyPublishStatus.Failed);
                                r.Error = Named(WithRemedy(e, item, options), r.Url);
                            }
                            results[i] = r;
                            finished?.Invoke(r);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }
                )
                .ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            return results;
        }
        finally
        {
            foreach (var h in hosts.Values)
                h.Dispose();
        }
    }

    private static async Task<KeyPublishResult> PublishOneAsync(
        IKeyHost host,
        KeyPublication item,
        KeyPublishOptions options,
        CancellationToken cancel
    )
    {
        var existing = await FindAsync(host, item, options, cancel).ConfigureAwait(false);
        if (existing != null)
        {
            var present = Result(item, options, KeyPublishStatus.AlreadyPresent);
            Describe(present, existing);
            return present;
        }
        var title = string.IsNullOrWhiteSpace(options.Title) ? DefaultTitle(item, options.Clock()) : options.Title!;
        var line = $"{options.Key.SshType} {options.Key.PublicKeyBase64}";
        var added = await host.AddAsync(item.Target, new NewHostedKey(title, line, !options.AllowWrite), cancel)
            .ConfigureAwait(false);
        var r = Result(item, options, KeyPublishStatus.Added);
        Describe(r, added);
        r.Title ??= title;
        return r;
    }

    private static async Task<KeyPublishResult> UnpublishOneAsync(
        IKeyHost host,
        KeyPublication item,
        KeyPublishOptions options,
        CancellationToken cancel
    )
    {
        var existing = await FindAsync(host, item, options, cancel).ConfigureAwait(false);
        if (existing == null)
            return Result(item, options, KeyPublishStatus.NotPresent);
        await host.RemoveAsync(item.Target, existing.Id, cancel).ConfigureAwait(false);
        var r = Result(item, options, KeyPublishStatus.Removed);
        Describe(r, existing);
        return r;
    }

    private static async Task<HostedKey?> FindAsync(
        IKeyHost host,
        KeyPublication item,
        KeyPublishOptions options,
        CancellationToken cancel
    )
    {
        var fingerprint = options.Key.FingerprintSha256;
        var keys = await host.ListAsync(item.Target, cancel).ConfigureAwait(false);
        return keys.FirstOrDefault(k => FingerprintOf(k.Key) == fingerprint);
    }

    /// <summary>
    /// A key in use elsewhere: the command that makes this repository a key of its own, beside the given key
    /// (~/.ssh/jira_git and git@host:acme/app.git give ~/.ssh/jira_git_app), ready to paste.
    /// </summary>
    private static GitIntegrationException WithRemedy(
        GitIntegrationException e,
        KeyPublication item,
        KeyPublishOptions options
    )
    {
        if (e.ErrorId != HostErrorIds.KeyInUse)
            return e;
        var given = options.KeyPath ?? Path.Combine(KeyFiles.DefaultFolder, "jira_git");
        var path = Path.Combine(
            Path.GetDirectoryName(Path.GetFullPath(given)) ?? KeyFiles.DefaultFolder,
            $"{Path.GetFileNameWithoutExtension(given)}_{item.Target.Url.Name}"
        );
        var remedy = new PowerShellCommand("New-GitSshKey").Arg("Path", KeyDiagnostics.FreeName(path));
        return e.Retold(
            $"{e.Message} A key for this repository: {remedy}; then publish it here and connect the repository "
                + "with it.",
            e.Target
        );
    }

    /// <summary>The error as one repository's: its message names the URL given, its target is that URL.</summary>
    private static GitIntegrationException Named(GitIntegrationException e, string url)
    {
        var quoted = "'" + url + "'";
        if (e.Message.IndexOf(quoted, StringComparison.Ordinal) < 0)
            return e.Retold($"{quoted}: {e.Message}", url);
        e.Target = url;
        return e;
    }

    private static void Describe(KeyPublishResult r, HostedKey key)
    {
        r.KeyId = key.Id;
        r.Title = key.Title;
        r.ReadOnly = key.ReadOnly;
    }

    private static KeyPublishResult Result(KeyPublication item, KeyPublishOptions options, KeyPublishStatus status) =>
        new KeyPublishResult
        {
            Url = item.GivenUrl ?? item.Target.Url.ToString(),
            Name = item.Name ?? item.Target.Url.Name,
            Host = item.Host.Endpoint.Type,
            ApiUrl = item.Host.Endpoint.ApiUrl,
            TargetKind = item.Target.Kind,
            Target = item.Target.ToString(),
            Fingerprint = options.Key.FingerprintSha256,
            Status = status,
        };
}
