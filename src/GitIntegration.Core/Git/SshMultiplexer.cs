using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using GitIntegration.Core.IO;

namespace GitIntegration.Core.Git
{
    /// <summary>
    /// Shares one authenticated SSH connection per host, user and identity among the ssh processes of one command
    /// (OpenSSH's ControlMaster): verifying hundreds of repositories on one host costs one handshake instead of hundreds,
    /// which hosts such as GitHub, that throttle bursts of SSH connections, also prefer.
    /// </summary>
    /// <remarks>
    /// Anyone who can reach a control socket can use the authenticated connection, so the sockets live in an owner-only
    /// directory made for this object, one subdirectory per identity (key, passphrase, known_hosts): different keys or
    /// trust files never share a connection. The first connection to a host authenticates alone and becomes the master;
    /// the others wait for it, then use it. When it fails, no socket exists and each connection authenticates on its own,
    /// so every failure is still reported for its own repository. When a host refuses more sessions on one connection
    /// (sshd's MaxSessions, 10 by default), ssh opens a connection of its own for that one. <see cref="Dispose"/> closes
    /// every master; ControlPersist ends a forgotten one shortly after its last use. Off on Windows, whose OpenSSH has no
    /// ControlMaster, and when no short enough socket path can be made.
    /// </remarks>
    public sealed class SshMultiplexer : IDisposable
    {
        /// <summary>How long an idle master outlives its last session: a backstop for when Dispose never runs.</summary>
        public static readonly TimeSpan Persist = TimeSpan.FromSeconds(60);

        // sun_path holds 104 bytes on macOS and BSD (108 on Linux); ssh binds "<ControlPath>.<16 random characters>" first,
        // and %C expands to 40 hexadecimal digits.
        private const int MaxSocketPath = 103;
        private const int SocketNameLength = 40 + 17;
        private const int IdentityNameLength = 4;

        private readonly object _lock = new object();
        private readonly Dictionary<(string? Key, string? Passphrase, string KnownHosts), string> _identities = new Dictionary<(string?, string?, string), string>();
        private readonly Dictionary<string, ManualResetEventSlim> _gates = new Dictionary<string, ManualResetEventSlim>(StringComparer.Ordinal);
        private bool _disposed;

        /// <summary>Makes the socket directory under the temporary folder (or /tmp when that path would be too long).</summary>
        public SshMultiplexer() : this(new[] { Path.GetTempPath(), "/tmp" }) { }

        internal SshMultiplexer(IEnumerable<string> parents)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) { DisabledBecause = "Windows' OpenSSH cannot share connections (no ControlMaster)."; return; }
            foreach (var parent in parents)
            {
                var longest = Path.Combine(Path.GetFullPath(parent), new string('x', TemporaryFolders.MaxNameLength));
                // ssh reads ControlPath as a config value: '%' would be expanded, blanks and quotes would split it.
                if (longest.Length + 2 + IdentityNameLength + SocketNameLength > MaxSocketPath ||
                    longest.IndexOfAny(new[] { '%', ' ', '\t', '"', '\'' }) >= 0) continue;
                try
                {
                    Directory = TemporaryFolders.Create(parent);
                    return;
                }
                catch (IOException) { }
                catch (EntryPointNotFoundException) { }
                catch (DllNotFoundException) { }
            }
            DisabledBecause = "no temporary folder gives a control socket path short enough (104 bytes at most).";
        }

        /// <summary>The owner-only directory holding the control sockets; null when multiplexing is off.</summary>
        public string? Directory { get; }

        public bool Enabled => Directory != null;

        /// <summary>Why multiplexing is off (for -Verbose); null when it is on.</summary>
        public string? DisabledBecause { get; }

        /// <summary>What -Verbose says about it.</summary>
        public string Description => Enabled
            ? $"SSH connections to one host with one key are shared (control sockets in {Directory})."
            : $"SSH connections are not shared: {DisabledBecause}";

        /// <summary>The control sockets of the masters running now.</summary>
        public IReadOnlyList<string> Sockets
        {
            get
            {
                if (Directory == null || !System.IO.Directory.Exists(Directory)) return Array.Empty<string>();
                return System.IO.Directory.EnumerateFiles(Directory, "*", SearchOption.AllDirectories)
                    .Where(f => Path.GetFileName(f).Length == 40).ToList(); // not the ".XXXX" names ssh binds before renaming
            }
        }

        /// <summary>The ssh options that route a connection through the master of its identity.</summary>
        internal IReadOnlyList<string> Options(GitAccess access)
        {
            var dir = IdentityDirectory(access);
            if (dir == null) return Array.Empty<string>();
            return new[]
            {
                "-o", "ControlMaster=auto",
                "-o", "ControlPath=" + dir + "/%C",
                "-o", "ControlPersist=" + ((int)Persist.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            };
        }

        /// <summary>
        /// Lets the first connection to a host (for one identity) run alone, so that it becomes the master the others use,
        /// rather than every parallel connection authenticating at once. Dispose the returned lease when that connection ends.
        /// </summary>
        internal IDisposable? Enter(GitAccess access, GitUrl url, CancellationToken cancel)
        {
            var dir = IdentityDirectory(access);
            if (dir == null) return null;
            var key = $"{dir}|{url.User}@{url.Host}:{url.EffectivePort}";
            ManualResetEventSlim gate;
            lock (_lock)
            {
                if (!_gates.TryGetValue(key, out gate!))
                {
                    _gates[key] = gate = new ManualResetEventSlim();
                    return new Lease(gate);
                }
            }
            gate.Wait(cancel);
            return null;
        }

        private sealed class Lease : IDisposable
        {
            private readonly ManualResetEventSlim _gate;
            public Lease(ManualResetEventSlim gate) => _gate = gate;
            public void Dispose() => _gate.Set();
        }

        private string? IdentityDirectory(GitAccess access)
        {
            if (Directory == null) return null;
            var id = (access.KeyPath != null ? Path.GetFullPath(access.KeyPath) : null, access.Passphrase, Path.GetFullPath(access.KnownHostsPath));
            lock (_lock)
            {
                if (_disposed) return null;
                if (_identities.TryGetValue(id, out var dir)) return dir;
                if (_identities.Count >= 9999) return null;
                dir = Path.Combine(Directory, _identities.Count.ToString(CultureInfo.InvariantCulture));
                try { SecureFile.CreatePrivateDirectory(dir); }
                catch (IOException) { return null; }
                return _identities[id] = dir;
            }
        }

        /// <summary>Closes every master (<c>ssh -O exit</c>) and deletes the socket directory.</summary>
        public void Dispose()
        {
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
            }
            if (Directory == null) return;
            foreach (var socket in Sockets)
            {
                try { ChildProcess.Run(Tools.Ssh, new[] { "-F", "none", "-o", "ControlPath=" + socket, "-O", "exit", "gitintegration" }, null, TimeSpan.FromSeconds(5)); }
                catch (GitIntegrationException) { }
            }
            // A master unlinks its socket as it exits, which can race with the deletion: try again briefly.
            for (int i = 0; i < 5 && System.IO.Directory.Exists(Directory); i++)
            {
                try { System.IO.Directory.Delete(Directory, recursive: true); }
                catch (IOException) { Thread.Sleep(50); }
                catch (UnauthorizedAccessException) { return; }
            }
            lock (_lock) foreach (var gate in _gates.Values) gate.Set();
        }
    }
}
