using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace GitIntegration.Core.IO
{
    /// <summary>
    /// The module's temporary folders (the askpass helper, ssh's control sockets, a PuTTY key's one-time copy):
    /// owner-only, named gi-PID-RANDOM after the process that made them. That process deletes them when it is done;
    /// when it was killed first, the next process of the module that makes one deletes those whose process is gone.
    /// </summary>
    public static class TemporaryFolders
    {
        /// <summary>The longest folder name: "gi-", a process id of up to 10 digits, "-", 6 hex digits.</summary>
        public const int MaxNameLength = 20;

        private static readonly Regex OurName = new Regex("^gi-(?<pid>[0-9]{1,10})-[0-9a-f]{6}$");
        private static readonly HashSet<string> Swept = new HashSet<string>(StringComparer.Ordinal);
        private static readonly int Me = Process.GetCurrentProcess().Id;

        /// <summary>Makes an owner-only folder in <paramref name="parent"/>, by default the temporary folder.</summary>
        public static string Create(string? parent = null)
        {
            parent = Path.GetFullPath(parent ?? Path.GetTempPath());
            lock (Swept) if (Swept.Add(parent)) SweepStale(parent);
            var dir = Path.Combine(parent, $"gi-{Me}-{Guid.NewGuid().ToString("N").Substring(0, 6)}");
            SecureFile.CreatePrivateDirectory(dir);
            return dir;
        }

        /// <summary>Deletes a folder made by <see cref="Create"/>; a failure leaves it to the next sweep.</summary>
        public static void Delete(string dir)
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>
        /// Deletes the folders under <paramref name="parent"/> that a process of this user made and left behind (it is
        /// no longer running). Folders of running processes, of other users, and links are left alone. Returns how many
        /// went.
        /// </summary>
        public static int SweepStale(string parent)
        {
            int deleted = 0;
            IEnumerable<string> candidates;
            try { candidates = Directory.EnumerateDirectories(parent, "gi-*"); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return 0; }
            foreach (var dir in candidates)
            {
                var m = OurName.Match(Path.GetFileName(dir));
                if (!m.Success || !int.TryParse(m.Groups["pid"].Value, out var pid)) continue;
                if (pid == Me || IsRunning(pid)) continue;
                try { if (!SecureFile.IsOwnFolder(dir)) continue; }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { continue; }
                Delete(dir);
                if (!Directory.Exists(dir)) deleted++;
            }
            return deleted;
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using (Process.GetProcessById(pid)) return true;
            }
            catch (ArgumentException) { return false; }
            catch (InvalidOperationException) { return false; }
        }
    }
}
