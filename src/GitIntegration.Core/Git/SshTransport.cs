using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Crypto.Parameters;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;
using Renci.SshNet.Security.Cryptography;
using Sha = System.Security.Cryptography.HashAlgorithmName;

namespace GitIntegration.Core.Git;

/// <summary>
/// The SSH connections of one command (Connect-GitRepository, Test-GitIntegration over many repositories): one
/// authenticated connection per host, login, key and known_hosts, shared by every repository, with at most
/// <see cref="MaxChannels"/> checks at once on it (sshd's MaxSessions is 10 by default). A connection that drops
/// under a check is replaced once by a fresh one; a login that fails is not tried again for the other repositories.
/// Everything runs in this process: no ssh, no socket file, nothing that outlives <see cref="Dispose"/>.
/// </summary>
public sealed class SshConnections : IDisposable
{
    /// <summary>Channels open at once on one connection: under OpenSSH's default MaxSessions (10).</summary>
    public const int MaxChannels = 8;

    private readonly object _lock = new object();
    private readonly Dictionary<string, Shared> _shared = new Dictionary<string, Shared>(StringComparer.Ordinal);
    private bool _disposed;

    private sealed class Shared
    {
        public readonly object Gate = new object();
        public readonly SemaphoreSlim Channels = new SemaphoreSlim(MaxChannels);
        public SshLogin? Login;
        public SshFailure? Failure;
    }

    private int _logins;

    private readonly Dictionary<string, Lazy<object>> _opened = new Dictionary<string, Lazy<object>>(
        StringComparer.Ordinal
    );

    /// <summary>
    /// Opens a key file (or judges it) once for the whole command, however many repositories use it: reading and
    /// decrypting a key costs more than a check on an open connection. A failure is remembered too. The key's size
    /// and time of change are part of what is remembered, so a key replaced meanwhile is read again.
    /// </summary>
    internal T Once<T>(string what, string path, string? passphrase, Func<T> open)
    {
        var file = new FileInfo(path);
        var stamp = file.Exists ? file.Length + "@" + file.LastWriteTimeUtc.Ticks : "-";
        var key = string.Join("\n", what, file.FullName, stamp, passphrase ?? "\0");
        Lazy<object> lazy;
        lock (_lock)
            if (!_opened.TryGetValue(key, out lazy!))
                _opened[key] = lazy = new Lazy<object>(() => open()!, LazyThreadSafetyMode.ExecutionAndPublication);
        return (T)lazy.Value;
    }

    /// <summary>How many SSH logins (handshakes) this command has made.</summary>
    public int Logins => _logins;

    /// <summary>Runs <paramref name="work"/> on the shared connection of <paramref name="target"/>, once more on a
    /// fresh one if it drops.</summary>
    internal T Use<T>(SshTarget target, Func<SshLogin, T> work, CancellationToken cancel)
    {
        var shared = For(target.Identity);
        shared.Channels.Wait(cancel);
        try
        {
            var login = Connected(shared, target, broken: null, cancel);
            try
            {
                return work(login);
            }
            catch (Exception e) when (SshLogin.IsDrop(e))
            {
                cancel.ThrowIfCancellationRequested();
                return work(Connected(shared, target, broken: login, cancel));
            }
        }
        finally
        {
            shared.Channels.Release();
        }
    }

    private Shared For(string identity)
    {
        lock (_lock)
        {
            if (_disposed)
                throw new ObjectDisposedException(nameof(SshConnections));
            if (!_shared.TryGetValue(identity, out var s))
                _shared[identity] = s = new Shared();
            return s;
        }
    }

    private SshLogin Connected(Shared shared, SshTarget target, SshLogin? broken, CancellationToken cancel)
    {
        lock (shared.Gate)
        {
            if (shared.Failure != null)
                throw shared.Failure.For(shared.Failure.Url!, target.Url);
            if (broken != null && ReferenceEquals(shared.Login, broken))
            {
                broken.Dispose();
                shared.Login = null;
            }
            if (shared.Login != null && shared.Login.Client.IsConnected)
                return shared.Login;
            shared.Login?.Dispose();
            shared.Login = null;
            try
            {
                Interlocked.Increment(ref _logins);
                return shared.Login = SshLogin.Connect(target, cancel);
            }
            catch (SshFailure f)
            {
                f.Url = target.Url;
                shared.Failure = f;
                throw;
            }
        }
    }

    /// <summary>Closes every connection.</summary>
    public void Dispose()
    {
        List<Shared> all;
        lock (_lock)
        {
            _disposed = true;
            all = _shared.Values.ToList();
            _shared.Clear();
        }
        foreach (var s in all)
            lock (s.Gate)
            {
                s.Login?.Dispose();
                s.Login = null;
            }
    }
}

/// <summary>
/// Where to log in and with what: the host, the login, the key (opened by our key reader), the trust file.
/// </summary>
internal sealed class SshTarget
{
    public SshTarget(GitUrl url, string user, GitAccess access, IReadOnlyList<SshKey> keys)
    {
        Url = url;
        User = user;
        Access = access;
        Keys = keys;
    }

    public GitUrl Url { get; }
    public string User { get; }
    public GitAccess Access { get; }
    public IReadOnlyList<SshKey> Keys { get; }

    /// <summary>Connections are shared only between checks that would log in exactly alike.</summary>
    public string Identity =>
        string.Join(
            "\n",
            Url.Host,
            Url.EffectivePort.ToString(CultureInfo.InvariantCulture),
            User,
            string.Join(",", Keys.Select(k => k.PublicKeyBase64)),
            Path.GetFullPath(Access.KnownHostsPath),
            Access.AcceptNewHostKey ? "accept" : "strict"
        );
}

/// <summary>A failed login: the reason, in whole sentences, and the host key the server presented if any.</summary>
internal sealed class SshFailure : Exception
{
    public SshFailure(ConnectionFailure reason, string message, string? remedy = null, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Remedy = remedy;
    }

    /// <summary>The same failure told for another repository of the same host and key.</summary>
    public SshFailure For(GitUrl from, GitUrl to) =>
        new SshFailure(Reason, Message.Replace($"'{from}'", $"'{to}'"), Remedy, this)
        {
            HostKeyFingerprint = HostKeyFingerprint,
            Url = to,
        };

    public GitUrl? Url { get; set; }

    public ConnectionFailure Reason { get; }
    public string? Remedy { get; }
    public string? HostKeyFingerprint { get; set; }
}

/// <summary>
/// One authenticated SSH connection (SSH.NET), with SHA-1 key exchanges and ssh-rsa signatures removed.
/// </summary>
internal sealed class SshLogin : IDisposable
{
    private SshLogin(SshClient client, string negotiated, string? hostKey)
    {
        Client = client;
        Negotiated = negotiated;
        HostKeyFingerprint = hostKey;
    }

    public SshClient Client { get; }

    /// <summary>"key exchange X, host key Y", for -Verbose.</summary>
    public string Negotiated { get; }
    public string? HostKeyFingerprint { get; }

    public void Dispose() => Client.Dispose();

    /// <summary>
    /// SHA-1 key exchanges; ssh-rsa, which signs with SHA-1; certificates, which known_hosts never pins here.
    /// </summary>
    internal static bool IsWeakKeyExchange(string name) => name.EndsWith("-sha1", StringComparison.Ordinal);

    internal static bool IsRefusedHostKeyAlgorithm(string name) =>
        name == "ssh-rsa" || name == "ssh-dss" || name.IndexOf("-cert-v0", StringComparison.Ordinal) >= 0;

    /// <summary>
    /// The known_hosts key type a host key algorithm presents (rsa-sha2-512 presents an ssh-rsa key).
    /// </summary>
    internal static string KeyTypeOf(string algorithm) =>
        algorithm.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? "ssh-rsa" : algorithm;

    internal static ConnectionInfo Info(string host, int port, string user, TimeSpan timeout, AuthenticationMethod auth)
    {
        var info = new ConnectionInfo(host, port, user, auth)
        {
            Timeout = timeout,
            MaxSessions = SshConnections.MaxChannels,
        };
        foreach (var name in info.KeyExchangeAlgorithms.Keys.Where(IsWeakKeyExchange).ToList())
            info.KeyExchangeAlgorithms.Remove(name, out _);
        foreach (var name in info.HostKeyAlgorithms.Keys.Where(IsRefusedHostKeyAlgorithm).ToList())
            info.HostKeyAlgorithms.Remove(name, out _);
        return info;
    }

    public static SshLogin Connect(SshTarget target, CancellationToken cancel)
    {
        var url = target.Url;
        var access = target.Access;
        var sources = target.Keys.Select(k => (IPrivateKeySource)new KeySource(k)).ToArray();
        var auth = new PrivateKeyAuthenticationMethod(target.User, sources);
        var info = Info(url.Host, url.EffectivePort, target.User, access.Timeout, auth);
        // Like OpenSSH, ask first for the key types known_hosts already pins for this host.
        var known = KnownHosts.Find(access.KnownHostsPath, url.Host, url.EffectivePort);
        int position = 0;
        foreach (var name in info.HostKeyAlgorithms.Keys.ToList())
            if (known.Any(k => k.Type == KeyTypeOf(name)))
                info.HostKeyAlgorithms.SetPosition(name, position++);

        var check = new HostKeyCheck(url, access, known);
        var client = new SshClient(info);
        client.HostKeyReceived += check.Received;
        try
        {
            // Synchronous: each wait has SSH.NET's time limit and runs on this thread, so a busy thread pool cannot
            // delay it. Ctrl+C closes the socket under it.
            using (cancel.Register(client.Dispose))
                client.Connect();
            cancel.ThrowIfCancellationRequested();
            var negotiated =
                $"key exchange {info.CurrentKeyExchangeAlgorithm}, host key {info.CurrentHostKeyAlgorithm}";
            return new SshLogin(client, negotiated, check.Presented?.Fingerprint);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            client.Dispose();
            var failure = check.Failure ?? Classify(e, url, target.User);
            failure.HostKeyFingerprint ??= check.Presented?.Fingerprint;
            throw failure;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a check failed because its channel or connection went away (sshd dropping a busy connection, a
    /// channel refused over MaxSessions), rather than because of what the server answered.
    /// </summary>
    internal static bool IsDrop(Exception e) =>
        e is SshConnectionException
        || e is SshException && !(e is SshAuthenticationException)
        || e is SocketException
        || e is IOException
        || e is InvalidOperationException;

    private static SshFailure Classify(Exception e, GitUrl url, string user)
    {
        while (e is AggregateException a && a.InnerException != null)
            e = a.InnerException;
        var name = KnownHosts.Name(url.Host, url.EffectivePort);
        switch (e)
        {
            case SocketException s when s.SocketErrorCode == SocketError.ConnectionRefused:
                return new SshFailure(
                    ConnectionFailure.ConnectionRefused,
                    $"Nothing accepts connections on {url.Host} port {url.EffectivePort}, so '{url}' cannot be "
                        + "reached.",
                    inner: e
                );
            case SocketException s
                when s.SocketErrorCode == SocketError.HostNotFound
                    || s.SocketErrorCode == SocketError.NoData
                    || s.SocketErrorCode == SocketError.TryAgain:
                return new SshFailure(
                    ConnectionFailure.NameResolution,
                    $"The host name '{url.Host}' of '{url}' cannot be resolved ({s.Message.TrimEnd('.')}).",
                    inner: e
                );
            case SocketException s when s.SocketErrorCode == SocketError.TimedOut:
            case SshOperationTimeoutException _:
                return new SshFailure(
                    ConnectionFailure.Timeout,
                    $"{name} did not answer in time, so '{url}' was not checked.",
                    inner: e
                );
            case SshAuthenticationException _:
                return new SshFailure(
                    ConnectionFailure.PermissionDenied,
                    $"{name} refused the key for '{user}' (Permission denied (publickey)), so '{url}' cannot be read.",
                    inner: e
                );
            default:
                return new SshFailure(
                    ConnectionFailure.ConnectionFailed,
                    $"The SSH connection to {name} for '{url}' failed: {e.Message.TrimEnd('.')}.",
                    inner: e
                );
        }
    }

    /// <summary>
    /// Decides inside SSH.NET's HostKeyReceived: a key known_hosts pins is trusted; another key for a known host is a
    /// change, never trusted; a new host is trusted when its key is one the service publishes or -AcceptNewHostKey says
    /// so, and is then recorded.
    /// </summary>
    private sealed class HostKeyCheck
    {
        private readonly GitUrl _url;
        private readonly GitAccess _access;
        private readonly IReadOnlyList<(string Type, string Base64)> _known;

        public HostKeyCheck(GitUrl url, GitAccess access, IReadOnlyList<(string Type, string Base64)> known)
        {
            _url = url;
            _access = access;
            _known = known;
        }

        public GitHostKey? Presented { get; private set; }
        public SshFailure? Failure { get; private set; }

        public void Received(object? sender, HostKeyEventArgs e)
        {
            e.CanTrust = false;
            try
            {
                var key = Presented = HostKeyScanner.Describe(_url.Host, _url.EffectivePort, e.HostKey);
                if (_known.Any(k => k.Type == key.KeyType && k.Base64 == key.PublicKey))
                {
                    e.CanTrust = true;
                    return;
                }
                var name = KnownHosts.Name(_url.Host, _url.EffectivePort);
                var path = _access.KnownHostsPath;
                if (_known.Count > 0)
                {
                    var before = string.Join(
                        ", ",
                        _known.Select(k =>
                            $"{k.Type} {SshKey.FromPublicBlob(Convert.FromBase64String(k.Base64)).FingerprintSha256}"
                        )
                    );
                    Failure = new SshFailure(
                        ConnectionFailure.HostKeyChanged,
                        $"The host key of {name} has changed: {path} trusts {before}, but the server now "
                            + $"presents {key}. This can be an attack (someone between you and the server) or a "
                            + $"reinstalled server; '{_url}' was not contacted.",
                        "Do not connect until the server's administrator confirms the new key. If they do, "
                            + $"remove the old entry (ssh-keygen -f \"{path}\" -R \"{name}\") and connect again with "
                            + "-AcceptNewHostKey."
                    );
                    return;
                }
                if (key.MatchesPublished == false)
                {
                    Failure = new SshFailure(
                        ConnectionFailure.HostKeyUnknown,
                        $"{name} presents {key}, which is not among the fingerprints "
                            + $"{HostProfiles.For(_url).DisplayName} publishes ({key.PublishedSource}); '{_url}' was "
                            + "not contacted.",
                        "Do not connect: something between you and the service (a proxy inspecting SSH, or an "
                            + "attacker) answers in its name. Ask your network team."
                    );
                    return;
                }
                if (key.MatchesPublished == true || _access.AcceptNewHostKey)
                {
                    KnownHosts.Add(path, new[] { key });
                    e.CanTrust = true;
                    return;
                }
                Failure = new SshFailure(
                    ConnectionFailure.HostKeyUnknown,
                    $"{name} is not in {path}; the server presents {key}. '{_url}' was not contacted.",
                    "Compare the fingerprint with the one the server's administrator publishes (Get-GitHostKey), "
                        + "then run again with -AcceptNewHostKey."
                );
            }
            catch (GitIntegrationException x)
            {
                Failure = new SshFailure(ConnectionFailure.ConnectionFailed, x.Message, inner: x);
            }
        }
    }

    /// <summary>
    /// A private key opened by our own key reader, handed to SSH.NET as an object: never a file or a passphrase.
    /// RSA signs with rsa-sha2-512 or rsa-sha2-256 only.
    /// </summary>
    private sealed class KeySource : IPrivateKeySource
    {
        public KeySource(SshKey key)
        {
            var k = ToSshNet(key);
            HostKeyAlgorithms = k is RsaKey rsa
                ? new[]
                {
                    new KeyHostAlgorithm("rsa-sha2-512", rsa, new RsaDigitalSignature(rsa, Sha.SHA512)),
                    new KeyHostAlgorithm("rsa-sha2-256", rsa, new RsaDigitalSignature(rsa, Sha.SHA256)),
                }
                : new[] { new KeyHostAlgorithm(k.ToString(), k) };
        }

        public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; }
    }

    internal static Key ToSshNet(SshKey key)
    {
        switch (key.Private)
        {
            case RsaPrivateCrtKeyParameters rsa:
                return new RsaKey(
                    Big(rsa.Modulus),
                    Big(rsa.PublicExponent),
                    Big(rsa.Exponent),
                    Big(rsa.P),
                    Big(rsa.Q),
                    Big(rsa.QInv)
                );
            case ECPrivateKeyParameters ec:
                var size = (EcCurves.BitsOf(key.Curve!) + 7) / 8;
                var d = ec.D.ToByteArrayUnsigned();
                var padded = new byte[size];
                Buffer.BlockCopy(d, 0, padded, size - d.Length, d.Length);
                return new EcdsaKey(key.Curve!, ((ECPublicKeyParameters)key.Public).Q.GetEncoded(false), padded);
            case Ed25519PrivateKeyParameters ed:
                var publicKey = ((Ed25519PublicKeyParameters)key.Public).GetEncoded();
                return new ED25519Key(ed.GetEncoded().Concat(publicKey).ToArray());
            default:
                throw new KeyFormatException(
                    ErrorIds.KeyAlgorithmNotSupported,
                    $"A {key.ShortType} key cannot log in: OpenSSH and every git host refuse DSA keys. "
                        + "Generate a new key with New-GitSshKey."
                );
        }
    }

    private static System.Numerics.BigInteger Big(Org.BouncyCastle.Math.BigInteger value)
    {
        var bytes = value.ToByteArrayUnsigned();
        Array.Reverse(bytes);
        return new System.Numerics.BigInteger(bytes.Concat(new byte[] { 0 }).ToArray());
    }
}

/// <summary>
/// What one channel brings back: the greeting of <c>ssh -T</c>, or the refs <c>git ls-remote</c> lists.
/// </summary>
internal static class SshChannels
{
    /// <summary>Far more than any host's greeting; the rest is not read.</summary>
    private const int MaxGreetingBytes = 64 << 10;

    /// <summary>The ref advertisement of a repository with a million refs is about 60 MB.</summary>
    internal const int MaxAdvertisementBytes = 64 << 20;

    /// <summary>
    /// Asks for a shell without a terminal, as <c>ssh -T</c> does, and reads what the host writes on both streams until
    /// it closes the channel. A host that keeps a real shell open has authenticated the key all the same: at the time
    /// limit the shell is closed and the text so far is the answer.
    /// </summary>
    public static string Greeting(SshClient client, TimeSpan timeout, CancellationToken cancel)
    {
        var output = new BoundedBuffer(MaxGreetingBytes);
        var errors = new BoundedBuffer(MaxGreetingBytes);
        using var stopped = new ManualResetEventSlim();
        using var input = new SilentInput();
        using var shell = client.CreateShellNoTerminal(input, output, errors, 4096);
        shell.Stopped += (_, __) => stopped.Set();
        try
        {
            shell.Start();
        }
        catch (SshException e) when (e.Message.IndexOf("shell was not accepted", StringComparison.Ordinal) >= 0)
        {
            return ""; // logged in: a host may refuse shells without a word
        }
        try
        {
            stopped.Wait(timeout, cancel);
        }
        finally
        {
            if (!stopped.IsSet)
                shell.Stop();
        }
        return errors.Text + "\n" + output.Text;
    }

    /// <summary>
    /// What <c>git-upload-pack</c> answered: the advertised refs, or the server's words when it refused.
    /// </summary>
    public sealed class Advertisement
    {
        public List<string> Lines { get; } = new List<string>();
        public bool Complete { get; set; }
        public string? Error { get; set; }
        public string Errors { get; set; } = "";
        public int? ExitStatus { get; set; }
    }

    /// <summary>
    /// Runs <c>git-upload-pack '&lt;path&gt;'</c> as git ls-remote does, reads the ref advertisement (pkt-lines up to
    /// the flush packet, bounded in size), then answers with a flush packet of its own: nothing wanted, the server
    /// ends.
    /// </summary>
    public static Advertisement ListRefs(SshClient client, GitUrl url, TimeSpan timeout, CancellationToken cancel)
    {
        var result = new Advertisement();
        using var command = client.CreateCommand("git-upload-pack " + Quote(RemotePath(url)));
        command.CommandTimeout = timeout;
        var run = command.ExecuteAsync(cancel);
        // Read here, not on a pool thread (which a loaded machine hands out slowly): at the time limit, or on
        // cancel, SSH.NET ends the command and its output, which ends this read.
        ReadPackets(command.OutputStream, result);
        // The flush packet ends git-upload-pack. No EOF follows: sent while the server closes the channel, an EOF
        // reaches a channel sshd has already freed, and sshd drops the whole connection ("ieof packet referred to
        // nonexistent channel"). The stream is disposed only once the channel is closed, when it sends nothing.
        var stdin = result.Complete ? command.CreateInputStream() : null;
        try
        {
            stdin?.Write(Flush, 0, Flush.Length);
            if (!run.Wait(Milliseconds(timeout + timeout), cancel))
                throw new SshOperationTimeoutException("git-upload-pack did not end.");
            run.GetAwaiter().GetResult();
        }
        catch (SshOperationTimeoutException)
        {
            throw new SshFailure(
                ConnectionFailure.Timeout,
                $"{KnownHosts.Name(url.Host, url.EffectivePort)} did not list the refs of '{url}' "
                    + $"within {timeout.TotalSeconds:0} seconds."
            );
        }
        finally
        {
            stdin?.Dispose();
        }
        result.ExitStatus = command.ExitStatus;
        result.Errors = ReadAtMost(command.ExtendedOutputStream, MaxGreetingBytes);
        return result;
    }

    private static readonly byte[] Flush = Encoding.ASCII.GetBytes("0000");

    private static int Milliseconds(TimeSpan t) => (int)Math.Min(int.MaxValue, t.TotalMilliseconds);

    /// <summary>The path git sends: as written in an scp-like URL, from the root in an ssh:// URL ("~user/..." stays
    /// relative).</summary>
    internal static string RemotePath(GitUrl url) =>
        !url.IsScpLike && url.Path.StartsWith("/~", StringComparison.Ordinal) ? url.Path.Substring(1) : url.Path;

    /// <summary>git's sq_quote: single quotes, with ' and ! taken out of them.</summary>
    internal static string Quote(string s) => "'" + s.Replace("'", "'\\''").Replace("!", "'\\!'") + "'";

    private static void ReadPackets(Stream stream, Advertisement result)
    {
        var reader = new PktLineReader(stream, MaxAdvertisementBytes);
        try
        {
            for (var line = reader.Next(); line != null; line = reader.Next())
            {
                if (line.StartsWith("ERR ", StringComparison.Ordinal))
                {
                    result.Error = line.Substring(4);
                    return;
                }
                result.Lines.Add(line);
            }
            result.Complete = true;
        }
        // A server that refuses (no such repository, no access) ends without a flush and says why on stderr.
        catch (EndOfStreamException) { }
    }

    private static string ReadAtMost(Stream s, int max)
    {
        var buffer = new BoundedBuffer(max);
        var chunk = new byte[4096];
        int n;
        while ((n = s.Read(chunk, 0, chunk.Length)) > 0)
            buffer.Write(chunk, 0, n);
        return buffer.Text;
    }

    /// <summary>Keeps the first bytes written, drops the rest: a chatty server cannot fill our memory.</summary>
    private sealed class BoundedBuffer : MemoryStream
    {
        private readonly int _max;

        public BoundedBuffer(int max) => _max = max;

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (this)
            {
                var room = (int)Math.Max(0, _max - Length);
                if (room > 0)
                    base.Write(buffer, offset, Math.Min(room, count));
            }
        }

        public string Text
        {
            get
            {
                lock (this)
                    return Encoding.UTF8.GetString(GetBuffer(), 0, (int)Length);
            }
        }
    }

    /// <summary>Standard input that never delivers a byte (SSH.NET's shell would send an empty read again and again).
    /// </summary>
    private sealed class SilentInput : Stream
    {
        private readonly TaskCompletionSource<int> _never = new TaskCompletionSource<int>();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => 0;
        public override long Position
        {
            get => 0;
            set { }
        }

        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) => _never.Task.GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellation) =>
            _never.Task;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _never.TrySetResult(0);
            base.Dispose(disposing);
        }
    }
}
