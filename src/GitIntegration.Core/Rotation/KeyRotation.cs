using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Rotation;

/// <summary>How a rotation reaches the repositories and tells how it goes.</summary>
public sealed class KeyRotationOptions
{
    /// <summary>known_hosts, host-key trust, timeout and the shared SSH connections of the
    /// verifications.</summary>
    public GitAccess Template { get; set; } = new GitAccess();

    /// <summary>A token of the git host that may add and remove keys; null uses each integration's stored
    /// token.</summary>
    public string? Token { get; set; }

    /// <summary>The git host's type and API root, for a server the module cannot recognise from its URL.</summary>
    public KeyHostType? HostType { get; set; }

    public Uri? ApiUrl { get; set; }

    /// <summary>Publishes the new keys as keys of the token's user instead of deploy keys of the
    /// repositories.</summary>
    public bool UserKey { get; set; }

    /// <summary>How patient the host's API client is (timeouts, retries, rate-limit waits).</summary>
    public RestOptions Rest { get; set; } = new RestOptions();

    /// <summary>
    /// Rotates integrations again that an unfinished rotation has already rotated (by default they are left as
    /// they are until the others of that rotation are done).
    /// </summary>
    public bool Restart { get; set; }

    /// <summary>How many integrations move at the same time.</summary>
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>Called, from any thread, each time an integration reaches a step.</summary>
    public Action<KeyRotationResult>? StepReached { get; set; }

    /// <summary>Called, from any thread, once an integration has gone as far as it goes in this run.</summary>
    public Action<KeyRotationResult>? Finished { get; set; }

    /// <summary>Called, from any thread, with what the admin should know (a key rule's warning).</summary>
    public Action<string>? Warning { get; set; }

    /// <summary>Called, from any thread, with what is being done.</summary>
    public Action<string>? Verbose { get; set; }
}

/// <summary>
/// Rotates the SSH keys of integrations (Update-GitIntegrationKey). For each one: a new key pair like its current
/// key (type, size, format, passphrase; RSA 4096 PEM at least) is written beside it under a name that replaces
/// nothing; its public key is published where the repository lives; the repository is read with it; the
/// integration is switched to it; then, once every integration has moved, the old public key is taken off the git
/// host unless another integration still uses that key. Each step reached is recorded in the integration's
/// properties, so a second run finds the new key and goes on from there; an integration whose step fails keeps its
/// old key, and the others move. The integrations of one run are one rotation: those that completed are left as
/// they are by the runs that finish the others, and their records go once all of them have completed.
/// </summary>
public static class KeyRotation
{
    /// <summary>The store properties a rotation under way keeps; they are removed once it completes.</summary>
    public const string StepProperty = "RotationStep";
    public const string NewKeyPathProperty = "RotationNewKeyPath";
    public const string NewKeyFingerprintProperty = "RotationNewKeyFingerprint";
    public const string OldKeyPathProperty = "RotationOldKeyPath";
    public const string OldKeyFingerprintProperty = "RotationOldKeyFingerprint";
    public const string OldPublicKeyProperty = "RotationOldPublicKey";

    /// <summary>The rotation (one run, and the runs that finish it) the integration belongs to.</summary>
    public const string BatchProperty = "RotationId";

    /// <summary>
    /// Rotates the keys of <paramref name="integrations"/>, up to <see cref="KeyRotationOptions.ThrottleLimit"/> at
    /// a time, and returns one result per integration, in their order.
    /// </summary>
    public static async Task<IReadOnlyList<KeyRotationResult>> RotateAsync(
        IntegrationStore store,
        IReadOnlyList<Integration> integrations,
        KeyRotationOptions options,
        CancellationToken cancel
    )
    {
        var run = new Run(store, options, cancel);
        var moved = await run.ForEach(integrations, run.Move).ConfigureAwait(false);
        await run.ForEach(moved.Where(m => m.State != null).ToList(), run.TakeOldKeyOff).ConfigureAwait(false);
        run.CloseFinishedRotations();
        return moved.Select(m => m.Result).ToList();
    }

    /// <summary>
    /// The type, size and format of <paramref name="old"/>, raised to what the integration asks for: RSA of
    /// at least 4096 bits in OpenSSL PEM unless the key was in OpenSSH format; DSA becomes RSA.
    /// </summary>
    internal static (KeyAlgorithm, int?, PrivateKeyFormat) Like(SshKeyInfo old)
    {
        var openSsh = old.Format == KeyFormat.OpenSsh ? PrivateKeyFormat.OpenSsh : PrivateKeyFormat.Pem;
        return old.Algorithm switch
        {
            KeyAlgorithm.Ed25519 => (KeyAlgorithm.Ed25519, null, PrivateKeyFormat.OpenSsh),
            KeyAlgorithm.Ecdsa => (KeyAlgorithm.Ecdsa, old.Bits, openSsh),
            KeyAlgorithm.Rsa => (KeyAlgorithm.Rsa, Math.Max(old.Bits ?? 0, 4096), openSsh),
            _ => (KeyAlgorithm.Rsa, 4096, PrivateKeyFormat.Pem),
        };
    }

    /// <summary>What a rotation under way has recorded in the integration.</summary>
    private sealed class State
    {
        public KeyRotationStep Step;
        public string Batch = "";
        public string NewKeyPath = "";
        public string NewKeyFingerprint = "";
        public string OldKeyPath = "";
        public string OldKeyFingerprint = "";
        public string OldPublicKey = "";

        public static State? Read(Integration i)
        {
            var p = i.Properties;
            if (!p.TryGetValue(StepProperty, out var step) || !Enum.TryParse(step, out KeyRotationStep s))
                return null;
            var state = new State { Step = s };
            if (!p.TryGetValue(BatchProperty, out state.Batch!))
                return null;
            if (s == KeyRotationStep.Completed)
                return state;
            if (
                !p.TryGetValue(NewKeyPathProperty, out state.NewKeyPath!)
                || !p.TryGetValue(NewKeyFingerprintProperty, out state.NewKeyFingerprint!)
                || !p.TryGetValue(OldKeyPathProperty, out state.OldKeyPath!)
                || !p.TryGetValue(OldKeyFingerprintProperty, out state.OldKeyFingerprint!)
                || !p.TryGetValue(OldPublicKeyProperty, out state.OldPublicKey!)
            )
                return null;
            return state;
        }

        /// <summary>What is recorded: once completed, only the step and the rotation it belongs to.</summary>
        public Dictionary<string, string?> Properties()
        {
            var done = Step == KeyRotationStep.Completed;
            return new Dictionary<string, string?>
            {
                [StepProperty] = Step.ToString(),
                [BatchProperty] = Batch,
                [NewKeyPathProperty] = done ? null : NewKeyPath,
                [NewKeyFingerprintProperty] = done ? null : NewKeyFingerprint,
                [OldKeyPathProperty] = done ? null : OldKeyPath,
                [OldKeyFingerprintProperty] = done ? null : OldKeyFingerprint,
                [OldPublicKeyProperty] = done ? null : OldPublicKey,
            };
        }

        /// <summary>Every record of a rotation removed.</summary>
        public static Dictionary<string, string?> None() =>
            new State().Properties().Keys.ToDictionary(k => k, k => (string?)null);
    }

    private sealed class Moved
    {
        public Moved(KeyRotationResult result, State? state)
        {
            Result = result;
            State = state;
        }

        public KeyRotationResult Result { get; }

        /// <summary>Set when the integration was switched and its old key waits to be taken off.</summary>
        public State? State { get; }
    }

    private sealed class Run
    {
        private readonly IntegrationStore _store;
        private readonly KeyRotationOptions _options;
        private readonly CancellationToken _cancel;
        private readonly HashSet<string> _reserved = new HashSet<string>(StringComparer.Ordinal);
        private readonly string _batch = Guid.NewGuid().ToString("N");
        private readonly ConcurrentDictionary<string, bool> _batches = new ConcurrentDictionary<string, bool>();

        /// <summary>The other integrations' keys, read once for the whole run.</summary>
        private readonly ConcurrentDictionary<string, string?> _fingerprints = new ConcurrentDictionary<
            string,
            string?
        >(StringComparer.Ordinal);

        public Run(IntegrationStore store, KeyRotationOptions options, CancellationToken cancel)
        {
            _store = store;
            _options = options;
            _cancel = cancel;
        }

        public async Task<List<TResult>> ForEach<T, TResult>(IReadOnlyList<T> items, Func<T, Task<TResult>> work)
        {
            using var slots = new SemaphoreSlim(Math.Max(1, _options.ThrottleLimit));
            var tasks = items
                .Select(async item =>
                {
                    await slots.WaitAsync(_cancel).ConfigureAwait(false);
                    try
                    {
                        return await Task.Run(() => work(item), _cancel).ConfigureAwait(false);
                    }
                    finally
                    {
                        slots.Release();
                    }
                })
                .ToList();
            return (await Task.WhenAll(tasks).ConfigureAwait(false)).ToList();
        }

        /// <summary>Takes one integration from wherever it stands to Switched.</summary>
        public async Task<Moved> Move(Integration given)
        {
            var result = new KeyRotationResult
            {
                Name = given.Name,
                Id = given.Id,
                Url = given.Url,
            };
            try
            {
                var i = Current(given);
                RequireSshKey(i);
                var passphrase = i.PassphraseRef != null ? _store.ReadSecret(i.PassphraseRef) : null;
                var state = Resume(i, passphrase);
                if (state?.Step == KeyRotationStep.Completed)
                {
                    result.Step = KeyRotationStep.Completed;
                    result.Message =
                        $"The key of the integration '{i.Name}' was rotated already by a rotation "
                        + "that others have not finished; it is left as it is. Add -Force to rotate it again.";
                    _options.Verbose?.Invoke(result.Message);
                    _options.Finished?.Invoke(result);
                    return new Moved(result, null);
                }
                if (state == null)
                {
                    state = Generate(i, passphrase);
                    i = Record(i, state, KeyRotationStep.Generated);
                }
                Report(result, state, state.Step);
                if (state.Step < KeyRotationStep.Published)
                {
                    await Publish(i, state).ConfigureAwait(false);
                    i = Record(i, state, KeyRotationStep.Published);
                    Report(result, state, KeyRotationStep.Published);
                }
                if (state.Step < KeyRotationStep.Switched)
                {
                    var verified = Verify(i, state);
                    Report(result, state, KeyRotationStep.Verified);
                    Switch(i, state, verified);
                    Report(result, state, KeyRotationStep.Switched);
                }
                return new Moved(result, state);
            }
            catch (GitIntegrationException e)
            {
                Stopped(result, e);
                return new Moved(result, null);
            }
        }

        /// <summary>
        /// Takes the old public key off the git host, unless another integration still uses the old key: then
        /// the result says which, and a later run takes it off once they have moved.
        /// </summary>
        public async Task<KeyRotationResult> TakeOldKeyOff(Moved moved)
        {
            var (result, state) = (moved.Result, moved.State!);
            try
            {
                var doc = _store.Load();
                var i = doc.Find(result.Id) ?? throw Gone(result.Name, result.Id);
                var users = doc.Integrations.Where(o => o.Id != i.Id && Uses(o, state)).Select(o => o.Name).ToList();
                if (users.Count > 0)
                {
                    result.Reason = KeyRotationErrorIds.OldKeyStillUsed;
                    result.Message =
                        $"The integration '{i.Name}' uses its new key '{state.NewKeyPath}' now. "
                        + $"Its old key '{state.OldKeyPath}' was left on the git host because "
                        + $"{Names(users)} still {(users.Count == 1 ? "uses" : "use")} it. Rotate "
                        + $"{(users.Count == 1 ? "that integration" : "those integrations")} too, then run the "
                        + "same command again: it takes the old key off.";
                    _options.Warning?.Invoke(result.Message);
                    _options.Finished?.Invoke(result);
                    return result;
                }
                await Unpublish(i, state).ConfigureAwait(false);
                Record(i, state, KeyRotationStep.Completed);
                Report(result, state, KeyRotationStep.Completed);
                _options.Finished?.Invoke(result);
            }
            catch (GitIntegrationException e)
            {
                Stopped(result, e);
            }
            return result;
        }

        /// <summary>
        /// Removes the records of the rotations this run took part in whose integrations have all completed, so
        /// that the next run rotates them again.
        /// </summary>
        public void CloseFinishedRotations()
        {
            var doc = _store.Load();
            foreach (var batch in _batches.Keys)
            {
                var members = doc.Integrations.Where(i => State.Read(i)?.Batch == batch).ToList();
                if (members.Any(i => State.Read(i)!.Step != KeyRotationStep.Completed))
                    continue;
                foreach (var i in members)
                {
                    try
                    {
                        new IntegrationChange { Properties = State.None() }.Apply(_store, i);
                    }
                    catch (GitIntegrationException e) when (e.ErrorId == StoreErrorIds.IntegrationNotFound) { }
                }
            }
        }

        private void Stopped(KeyRotationResult result, GitIntegrationException e)
        {
            result.Error = e;
            result.Reason = e.ErrorId;
            result.Message = e.Message;
            _options.Finished?.Invoke(result);
        }

        private void Report(KeyRotationResult result, State state, KeyRotationStep step)
        {
            state.Step = step;
            result.Step = step;
            result.OldKeyPath = state.OldKeyPath;
            result.OldKeyFingerprint = state.OldKeyFingerprint;
            result.NewKeyPath = state.NewKeyPath;
            result.NewKeyFingerprint = state.NewKeyFingerprint;
            _options.StepReached?.Invoke(result);
        }

        private Integration Current(Integration given) =>
            _store.Load().Find(given.Id) ?? throw Gone(given.Name, given.Id);

        private static GitIntegrationException Gone(string name, Guid id) =>
            new GitIntegrationException(
                StoreErrorIds.IntegrationNotFound,
                ErrorKind.ObjectNotFound,
                $"The integration '{name}' ({id}) is no longer in the store: another command removed it."
            )
            {
                Target = name,
            };

        private static void RequireSshKey(Integration i)
        {
            if (!string.IsNullOrEmpty(i.Url) && GitUrl.Parse(i.Url!).IsSsh && !string.IsNullOrEmpty(i.PrivateKeyPath))
                return;
            throw new GitIntegrationException(
                KeyRotationErrorIds.NoSshKey,
                ErrorKind.InvalidOperation,
                $"The integration '{i.Name}' ({i.Type}, {i.Url}) does not reach its repository with an SSH key, "
                    + "so it has no key to rotate. A token is replaced with Set-GitIntegration -Token, a GitHub App's "
                    + "key with Update-GitHubAppKey."
            )
            {
                Target = i.Name,
            };
        }

        /// <summary>
        /// The rotation this integration has under way, when what it recorded still holds: its key is the old
        /// (or, once switched, the new) one and the new key file is the key it made. Otherwise it starts again.
        /// </summary>
        private State? Resume(Integration i, string? passphrase)
        {
            var state = State.Read(i);
            if (state == null)
                return null;
            _batches[state.Batch] = true;
            if (state.Step == KeyRotationStep.Completed)
                return _options.Restart ? null : state;
            var expected = state.Step < KeyRotationStep.Switched ? state.OldKeyPath : state.NewKeyPath;
            if (
                !SamePath(i.PrivateKeyPath, expected)
                || Fingerprint(state.NewKeyPath, passphrase) != state.NewKeyFingerprint
            )
            {
                _options.Verbose?.Invoke(
                    $"'{i.Name}': the rotation recorded before no longer matches its key "
                        + $"or '{state.NewKeyPath}'; it starts again from its key '{i.PrivateKeyPath}'."
                );
                return null;
            }
            _options.Verbose?.Invoke(
                $"'{i.Name}': going on with the new key '{state.NewKeyPath}' from step " + $"{state.Step}."
            );
            return state;
        }

        /// <summary>A key pair like the current one, beside it, under a name that replaces nothing.</summary>
        private State Generate(Integration i, string? passphrase)
        {
            var oldPath = Path.GetFullPath(i.PrivateKeyPath!);
            SshKeyInfo old;
            try
            {
                old = KeyFiles.Inspect(oldPath, passphrase).Info;
            }
            catch (GitIntegrationException e)
            {
                throw e.Retold(
                    $"The key of the integration '{i.Name}' cannot be read, so nothing was rotated: {e.Message}",
                    oldPath
                );
            }
            var (algorithm, bits, format) = Like(old);
            string newPath;
            lock (_reserved)
            {
                newPath = KeyDiagnostics.FreeName(oldPath + ".new", _reserved);
                _reserved.Add(newPath);
            }
            _options.Verbose?.Invoke(
                $"'{i.Name}': generating a {algorithm}{(bits != null ? " " + bits : "")} "
                    + $"key ({format}) at '{newPath}' to replace '{oldPath}'."
            );
            var made = KeyFiles.Generate(newPath, algorithm, bits, format, passphrase, old.Comment, overwrite: false);
            _batches[_batch] = true;
            return new State
            {
                Batch = _batch,
                NewKeyPath = newPath,
                NewKeyFingerprint = made.FingerprintSha256!,
                OldKeyPath = oldPath,
                OldKeyFingerprint = old.FingerprintSha256!,
                OldPublicKey = old.PublicKey!,
            };
        }

        private Integration Record(Integration i, State state, KeyRotationStep step)
        {
            state.Step = step;
            return new IntegrationChange { Properties = state.Properties() }.Apply(_store, i);
        }

        private GitConnectionResult Verify(Integration i, State state)
        {
            var request = RepositoryConnector.RequestFor(_store, i, _options.Template);
            request.Access.KeyPath = state.NewKeyPath;
            _options.Verbose?.Invoke($"'{i.Name}': reading the refs of {i.Url} with the new key.");
            var result = RepositoryConnector.Verify(request, _cancel);
            if (result.Success)
                return result;
            var e = result.ToException();
            throw e.Retold(
                $"The repository {i.Url} could not be read "
                    + $"with the new key '{state.NewKeyPath}', so the integration '{i.Name}' stays on its old key "
                    + $"'{state.OldKeyPath}': {e.Message}",
                i.Name
            );
        }

        /// <summary>
        /// The integration uses the new key from now on, with the verification's outcome recorded. The key rule
        /// is not asked to refuse it: it is like the current key (an Ed25519 key for a host that takes it stays
        /// Ed25519), and the repository has just accepted it.
        /// </summary>
        private void Switch(Integration i, State state, GitConnectionResult verified)
        {
            state.Step = KeyRotationStep.Switched;
            var after = new IntegrationChange
            {
                PrivateKeyPath = state.NewKeyPath,
                Properties = state.Properties(),
                Force = true,
            }.Apply(_store, i, _options.Verbose, _options.Verbose);
            RepositoryConnector.Update(_store, after, verified);
        }

        /// <summary>Whether <paramref name="other"/> reaches its repository with the old key.</summary>
        private bool Uses(Integration other, State state)
        {
            if (string.IsNullOrEmpty(other.PrivateKeyPath))
                return false;
            return SamePath(other.PrivateKeyPath, state.OldKeyPath)
                || _fingerprints.GetOrAdd(Path.GetFullPath(other.PrivateKeyPath), p => Fingerprint(p, null))
                    == state.OldKeyFingerprint;
        }

        /// <summary>The SHA256 fingerprint of a key file (its .pub helps an encrypted one); null if
        /// unreadable.</summary>
        private static string? Fingerprint(string path, string? passphrase)
        {
            try
            {
                return KeyFiles.Inspect(path, passphrase).Info.FingerprintSha256;
            }
            catch (GitIntegrationException)
            {
                return null;
            }
        }

        private static bool SamePath(string? a, string? b) =>
            a != null
            && b != null
            && string.Equals(
                Path.GetFullPath(a),
                Path.GetFullPath(b),
                IO.SecureFile.IsWindows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal
            );

        private static string Names(IReadOnlyList<string> names) =>
            (names.Count == 1 ? "the integration " : "the integrations ")
            + string.Join(", ", names.Take(5).Select(n => "'" + n + "'"))
            + (names.Count > 5 ? $" and {names.Count - 5} more" : "");

        private Task Publish(Integration i, State state)
        {
            var key = KeyReader.ReadFile(state.NewKeyPath + ".pub").Key!;
            _options.Verbose?.Invoke($"'{i.Name}': publishing the new key {state.NewKeyFingerprint} for {i.Url}.");
            return OnHost(
                KeyPublishing.PublishAsync,
                i,
                key,
                state.NewKeyPath,
                $"The new key "
                    + $"'{state.NewKeyPath}' of the integration '{i.Name}' could not be published, so the integration "
                    + $"stays on its old key '{state.OldKeyPath}'; run the same command again once this is fixed:"
            );
        }

        private Task Unpublish(Integration i, State state)
        {
            var key = KeyReader.Read(state.OldPublicKey, null).Key!;
            _options.Verbose?.Invoke($"'{i.Name}': taking the old key {state.OldKeyFingerprint} off for {i.Url}.");
            return OnHost(
                KeyPublishing.UnpublishAsync,
                i,
                key,
                state.OldKeyPath,
                $"The integration '{i.Name}' "
                    + $"uses its new key '{state.NewKeyPath}' now, but its old key '{state.OldKeyPath}' could not be "
                    + "taken off the git host; run the same command again once this is fixed:"
            );
        }

        /// <summary>Publishes or unpublishes <paramref name="key"/> where the integration's repository lives; the
        /// host's refusal is thrown.</summary>
        private async Task OnHost(
            Func<
                IEnumerable<KeyPublication>,
                KeyPublishOptions,
                Action<KeyPublishResult>?,
                CancellationToken,
                Task<IReadOnlyList<KeyPublishResult>>
            > operation,
            Integration i,
            SshKey key,
            string keyPath,
            string failure
        )
        {
            var url = GitUrl.Parse(i.Url!);
            var token =
                _options.Token
                ?? (i.TokenRef != null ? _store.ReadSecret(i.TokenRef) : null)
                ?? throw new GitIntegrationException(
                    HostErrorIds.TokenRequired,
                    ErrorKind.InvalidArgument,
                    $"The integration '{i.Name}' has no token stored, and none was given, so its key cannot be "
                        + "published. Give a token of the git host that may manage its keys with -Token."
                )
                {
                    Target = i.Name,
                };
            var host = HostConnection.WithToken(
                KeyHosts.Resolve(url, _options.HostType, _options.ApiUrl),
                token,
                _options.Rest
            );
            var kind = _options.UserKey ? KeyTargetKind.User : KeyTargetKind.Repository;
            var item = new KeyPublication(new KeyTarget(kind, url), host, i.Name) { GivenUrl = i.Url };
            var results = await operation(
                    new[] { item },
                    new KeyPublishOptions(key) { KeyPath = keyPath },
                    null,
                    _cancel
                )
                .ConfigureAwait(false);
            if (results[0].Error is GitIntegrationException e)
                throw e.Retold(failure + " " + e.Message, i.Name);
        }
    }
}
