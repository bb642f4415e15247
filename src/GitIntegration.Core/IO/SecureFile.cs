using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;
using System.Text;

namespace GitIntegration.Core.IO
{
    /// <summary>
    /// Writes files that hold secrets: owner-only from the first byte (0600 on Unix, a protected ACL
    /// granting only the current user on Windows), flushed to disk, then renamed over the target so a
    /// reader sees the old file or the new one, never a half-written one.
    /// </summary>
    public static class SecureFile
    {
        public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void WriteAllText(string path, string content, bool overwrite, bool ownerOnly = true, string? permissionsFrom = null,
            string? backupPath = null) =>
            WriteAllBytes(path, new UTF8Encoding(false).GetBytes(content), overwrite, ownerOnly, permissionsFrom, backupPath);

        /// <param name="permissionsFrom">Give the new file this file's permissions instead of owner-only (in-place rewrites).</param>
        /// <param name="backupPath">Keep the file being replaced under this name: moved there (Windows) or linked there (Unix),
        /// so keeping it costs no second write.</param>
        public static void WriteAllBytes(string path, byte[] content, bool overwrite, bool ownerOnly = true, string? permissionsFrom = null,
            string? backupPath = null)
        {
            var full = Path.GetFullPath(path);
            var dir = Path.GetDirectoryName(full)!;
            if (!overwrite && File.Exists(full))
                throw new GitIntegrationException(ErrorIds.KeyFileExists, ErrorKind.ResourceExists,
                    $"'{full}' already exists and was left as it is. Use -Force to replace it, or choose another path.") { Target = full };
            var temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                Directory.CreateDirectory(dir);
                using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    if (ownerOnly) RestrictToOwner(temp);
                    if (permissionsFrom != null) CopyPermissions(permissionsFrom, temp);
                    fs.Write(content, 0, content.Length);
                    fs.Flush(true);
                }
                Replace(temp, full, overwrite, backupPath == null ? null : Path.GetFullPath(backupPath));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw new GitIntegrationException(ErrorIds.FileWriteFailed, ErrorKind.WriteError,
                    $"'{full}' could not be written: {e.Message}", e) { Target = full };
            }
            catch
            {
                TryDelete(temp);
                throw;
            }
        }

        private static void Replace(string temp, string target, bool overwrite, string? backup)
        {
            if (IsWindows)
            {
                if (File.Exists(target))
                {
                    if (!overwrite) throw new IOException($"'{target}' appeared while it was being written.");
                    File.Replace(temp, target, backup, true);
                }
                else File.Move(temp, target);
                return;
            }
            if (backup != null && File.Exists(target)) LinkBackup(target, backup);
            // rename(2) replaces atomically; link(2) refuses to replace, so "no overwrite" holds even against a race.
            int rc = overwrite ? Native.rename(temp, target) : Native.link(temp, target);
            if (rc != 0) throw new IOException($"{(overwrite ? "rename" : "link")} failed with errno {Marshal.GetLastWin32Error()}.");
            if (!overwrite) File.Delete(temp);
        }

        /// <summary>
        /// Unix: makes <paramref name="backup"/> a second name of <paramref name="target"/>'s current content (link to a
        /// temporary name, then rename over the old backup), so the rename that follows leaves the old version there.
        /// Where links are not supported (FAT, some network shares) the content is copied instead.
        /// </summary>
        private static void LinkBackup(string target, string backup)
        {
            var temp = Path.Combine(Path.GetDirectoryName(backup)!, "." + Path.GetFileName(backup) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            if (Native.link(target, temp) != 0)
            {
                WriteAllBytes(backup, File.ReadAllBytes(target), overwrite: true, permissionsFrom: target);
                return;
            }
            if (Native.rename(temp, backup) != 0)
            {
                var errno = Marshal.GetLastWin32Error();
                TryDelete(temp);
                throw new IOException($"rename to '{backup}' failed with errno {errno}.");
            }
        }

        /// <summary>Makes a file readable and writable by its owner only.</summary>
        public static void RestrictToOwner(string path)
        {
            if (IsWindows)
            {
                var sec = new FileSecurity();
                sec.SetAccessRuleProtection(true, false);
                var me = WindowsIdentity.GetCurrent().User!;
                sec.SetOwner(me);
                sec.AddAccessRule(new FileSystemAccessRule(me, FileSystemRights.FullControl, AccessControlType.Allow));
                new FileInfo(path).SetAccessControl(sec);
            }
            else if (Native.chmod(path, 0x180 /* 0600 */) != 0)
            {
                throw new IOException($"chmod 600 failed with errno {Marshal.GetLastWin32Error()}.");
            }
        }

        /// <summary>Sets Unix permission bits (e.g. 0700 for a script only its owner may run); does nothing on Windows.</summary>
        public static void SetUnixMode(string path, int mode)
        {
            if (!IsWindows && Native.chmod(path, mode) != 0)
                throw new IOException($"chmod failed with errno {Marshal.GetLastWin32Error()}.");
        }

        /// <summary>
        /// Unix: creates a directory that only its owner can enter (mkdir with mode 0700, so it is never briefly open to others);
        /// fails when the path exists. Windows has no use for it here and is refused.
        /// </summary>
        public static void CreatePrivateDirectory(string path)
        {
            if (IsWindows) throw new PlatformNotSupportedException("Owner-only directories are created with mkdir(2) on Unix only.");
            if (Native.mkdir(path, 0x1C0 /* 0700 */) != 0)
                throw new IOException($"mkdir '{path}' failed with errno {Marshal.GetLastWin32Error()}.");
        }

        /// <summary>Unix permission bits of a file, or null on Windows.</summary>
        public static int? UnixMode(string path)
        {
            return IsWindows ? null : Native.GetMode(path);
        }

        public static void CopyPermissions(string from, string to)
        {
            var mode = UnixMode(from);
            if (mode != null) Native.chmod(to, mode.Value & 0xFFF);
            else if (IsWindows) new FileInfo(to).SetAccessControl(new FileInfo(from).GetAccessControl());
        }

        private static void TryDelete(string path)
        {
            try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private static class Native
        {
            [DllImport("libc", SetLastError = true)] public static extern int chmod(string path, int mode);
            [DllImport("libc", SetLastError = true)] public static extern int rename(string from, string to);
            [DllImport("libc", SetLastError = true)] public static extern int link(string from, string to);
            [DllImport("libc", SetLastError = true)] public static extern int mkdir(string path, int mode);

            public static int? GetMode(string path)
            {
                // File.GetUnixFileMode is .NET 7+; this assembly also runs on .NET Framework, so reach it by reflection when present.
                var m = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });
                return m == null ? (int?)null : Convert.ToInt32(m.Invoke(null, new object[] { path }));
            }
        }
    }
}
