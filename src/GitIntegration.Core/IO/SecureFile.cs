using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.AccessControl;
using System.Security.Principal;
using System.Text;
using GitIntegration.Core.Keys;
using Microsoft.Win32.SafeHandles;

namespace GitIntegration.Core.IO;

/// <summary>
/// Files and folders that hold secrets: owner-only from the instant they exist (created 0600 or 0700 on Unix
/// whatever the umask, with a protected ACL granting only the current user on Windows), written to a temporary
/// file, flushed, then renamed over the target so a reader sees the old file or the new one, never a half-written
/// one.
/// </summary>
public static class SecureFile
{
    private const int OwnerReadWrite = 0x180; // 0600
    private const int OwnerAll = 0x1C0; // 0700
    private const int PublicRead = 0x1A4; // 0644

    public static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public static void WriteAllText(
        string path,
        string content,
        bool overwrite,
        bool ownerOnly = true,
        string? backupPath = null
    ) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(content), overwrite, ownerOnly, backupPath);

    /// <param name="ownerOnly">False for what others may read (a .pub, an export without secrets): 0644 on Unix,
    /// the folder's inherited ACL on Windows.</param>
    /// <param name="backupPath">Keep the file being replaced under this name: moved there (Windows) or linked there
    /// (Unix), so keeping it costs no second write.</param>
    public static void WriteAllBytes(
        string path,
        byte[] content,
        bool overwrite,
        bool ownerOnly = true,
        string? backupPath = null
    )
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!overwrite && File.Exists(full))
            throw new GitIntegrationException(
                ErrorIds.KeyFileExists,
                ErrorKind.ResourceExists,
                $"'{full}' already exists and was left as it is. Use -Force to replace it, or choose another path."
            )
            {
                Target = full,
            };
        var random = Guid.NewGuid().ToString("N").Substring(0, 8);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{random}.tmp");
        try
        {
            CreateDirectories(dir);
            using (var fs = CreateNew(temp, ownerOnly))
            {
                fs.Write(content, 0, content.Length);
                fs.Flush(true);
            }
            Replace(temp, full, overwrite, backupPath == null ? null : Path.GetFullPath(backupPath));
        }
        catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new GitIntegrationException(
                ErrorIds.FileWriteFailed,
                ErrorKind.WriteError,
                $"'{full}' could not be written: {e.Message}",
                e
            )
            {
                Target = full,
            };
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Creates a file that must not exist yet (never following a link planted in its place), owner-only or
    /// readable by others as asked, with those permissions from its first instant: open(2) with the mode on Unix,
    /// the ACL passed to CreateFile on Windows. Nobody else can open it while it is being written.
    /// </summary>
    public static FileStream CreateNew(string path, bool ownerOnly = true)
    {
        if (IsWindows)
        {
            if (!ownerOnly)
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            return new FileInfo(path).Create(
                FileMode.CreateNew,
                FileSystemRights.Write,
                FileShare.None,
                4096,
                FileOptions.None,
                OwnerOnlyFile()
            );
        }
        // The umask can only take bits away from the mode, so the file is never more open than this.
        int fd = Native.open(path, Native.CreateExclusiveForWriting, ownerOnly ? OwnerReadWrite : PublicRead);
        if (fd < 0)
            throw Native.Error("open", path);
        return new FileStream(new SafeFileHandle(new IntPtr(fd), ownsHandle: true), FileAccess.Write);
    }

    private static void Replace(string temp, string target, bool overwrite, string? backup)
    {
        if (IsWindows)
        {
            if (File.Exists(target))
            {
                if (!overwrite)
                    throw new IOException($"'{target}' appeared while it was being written.");
                File.Replace(temp, target, backup, true);
            }
            else
                File.Move(temp, target);
            return;
        }
        if (backup != null && File.Exists(target))
            LinkBackup(target, backup);
        // rename(2) replaces atomically; link(2) refuses to replace, so "no overwrite" holds even against a race.
        int rc = overwrite ? Native.rename(temp, target) : Native.link(temp, target);
        if (rc != 0)
            throw Native.Error(overwrite ? "rename" : "link", target);
        if (!overwrite)
            File.Delete(temp);
    }

    /// <summary>
    /// Unix: makes <paramref name="backup"/> a second name of <paramref name="target"/>'s current content (link to a
    /// temporary name, then rename over the old backup), so the rename that follows leaves the old version there.
    /// Where links are not supported (FAT, some network shares) the content is copied instead, owner-only.
    /// </summary>
    private static void LinkBackup(string target, string backup)
    {
        var random = Guid.NewGuid().ToString("N").Substring(0, 8);
        var temp = Path.Combine(Path.GetDirectoryName(backup)!, $".{Path.GetFileName(backup)}.{random}.tmp");
        if (Native.link(target, temp) != 0)
        {
            WriteAllBytes(backup, File.ReadAllBytes(target), overwrite: true);
            return;
        }
        if (Native.rename(temp, backup) != 0)
        {
            var e = Native.Error("rename", backup);
            TryDelete(temp);
            throw e;
        }
    }

    /// <summary>Sets Unix permission bits (0700: a script only its owner runs); does nothing on Windows.</summary>
    public static void SetUnixMode(string path, int mode)
    {
        if (!IsWindows && Native.chmod(path, mode) != 0)
            throw Native.Error("chmod", path);
    }

    /// <summary>
    /// Creates a folder that only its owner can enter (mkdir with mode 0700, an owner-only ACL on Windows), so it
    /// is never open to others, not even for an instant. Fails when the path exists: a folder someone else prepared
    /// (in a shared place such as /tmp) is never taken for ours.
    /// </summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (IsWindows)
        {
            if (Directory.Exists(path) || File.Exists(path))
                throw new IOException($"'{path}' already exists.");
            new DirectoryInfo(path).Create(OwnerOnlyDirectory());
            return;
        }
        if (Native.mkdir(path, OwnerAll) != 0)
            throw Native.Error("mkdir", path);
        // A umask such as 0277 takes the owner's own bits away; give them back (the folder is new and ours).
        if (UnixMode(path) != OwnerAll)
            SetUnixMode(path, OwnerAll);
    }

    /// <summary>
    /// Makes sure a folder exists; each missing part of its path is created owner-only (see
    /// <see cref="CreatePrivateDirectory"/>). Folders that exist already are left as they are.
    /// </summary>
    public static void CreateDirectories(string path)
    {
        var missing = new Stack<string>();
        for (var d = Path.GetFullPath(path); d != null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
            missing.Push(d);
        while (missing.Count > 0)
        {
            var d = missing.Pop();
            try
            {
                CreatePrivateDirectory(d);
            }
            catch (IOException) when (Directory.Exists(d)) { } // created meanwhile by another of our processes
        }
    }

    /// <summary>Unix permission bits of a file or folder (e.g. 0x180 for 0600), or null on Windows.</summary>
    public static int? UnixMode(string path) => IsWindows ? null : Native.Stat(path).Mode & 0xFFF;

    /// <summary>
    /// True when no one but the current user may open the file (root, SYSTEM and the administrators, who can open
    /// anything, do not count).
    /// </summary>
    public static bool IsOwnerOnly(string path)
    {
        if (!IsWindows)
            return (UnixMode(path)!.Value & 0x3F) == 0;
        return new FileInfo(path)
            .GetAccessControl()
            .GetAccessRules(true, true, typeof(SecurityIdentifier))
            .Cast<FileSystemAccessRule>()
            .All(r =>
                r.AccessControlType == AccessControlType.Deny || Trusted((SecurityIdentifier)r.IdentityReference)
            );
    }

    /// <summary>
    /// The account that owns a folder when it is not the current user (nor root or the administrators), else null:
    /// that account can change what is in the folder whatever its permissions.
    /// </summary>
    public static string? OtherOwner(string path)
    {
        if (!IsWindows)
        {
            var uid = Native.Stat(path).Owner;
            return uid == Native.geteuid() || uid == 0 ? null : $"uid {uid}";
        }
        var owner = new DirectoryInfo(path).GetAccessControl().GetOwner(typeof(SecurityIdentifier));
        return owner is SecurityIdentifier sid && !Trusted(sid) ? Account(sid) : null;
    }

    /// <summary>
    /// Who else may write to a folder ("permissions 777", or the accounts its ACL lets write), or null when no one:
    /// ssh's StrictModes.
    /// </summary>
    public static string? OthersWhoCanWrite(string path)
    {
        if (!IsWindows)
        {
            var mode = Native.Stat(path).Mode;
            return (mode & 0x12) == 0 ? null : $"permissions {System.Convert.ToString(mode & 0x1FF, 8)}";
        }
        var writers = ForeignWriters(new DirectoryInfo(path).GetAccessControl()).Select(Account).ToList();
        return writers.Count == 0 ? null : string.Join(", ", writers);
    }

    /// <summary>The command that makes the folders writable by this user only, to paste into PowerShell.</summary>
    public static string MakePrivateCommand(IEnumerable<string> folders)
    {
        if (!IsWindows)
            return "chmod 700 " + string.Join(" ", folders.Select(PowerShellCommand.Quote));
        var me = PowerShellCommand.Quote(WindowsIdentity.GetCurrent().Name + ":(OI)(CI)F");
        return string.Join(
            "; ",
            folders.Select(f =>
            {
                var others = ForeignWriters(new DirectoryInfo(f).GetAccessControl())
                    .Select(s => PowerShellCommand.Quote("*" + s.Value))
                    .ToList();
                return $"icacls {PowerShellCommand.Quote(f)} /inheritance:r /grant:r {me}"
                    + (others.Count > 0 ? " /remove:g " + string.Join(" ", others) : "");
            })
        );
    }

    /// <summary>True for a folder (not a link to one) that the current user owns.</summary>
    internal static bool IsOwnFolder(string path)
    {
        if (IsWindows)
        {
            var info = new DirectoryInfo(path);
            if (!info.Exists || (info.Attributes & FileAttributes.ReparsePoint) != 0)
                return false;
            var sid = info.GetAccessControl().GetOwner(typeof(SecurityIdentifier));
            return WindowsIdentity.GetCurrent().User!.Equals(sid);
        }
        var (mode, owner) = Native.Stat(path, followLinks: false);
        return (mode & UnixStat.TypeMask) == UnixStat.Directory && owner == Native.geteuid();
    }

    private static IEnumerable<SecurityIdentifier> ForeignWriters(DirectorySecurity acl)
    {
        const FileSystemRights Writes =
            FileSystemRights.WriteData
            | FileSystemRights.AppendData
            | FileSystemRights.Delete
            | FileSystemRights.DeleteSubdirectoriesAndFiles
            | FileSystemRights.ChangePermissions
            | FileSystemRights.TakeOwnership;
        return acl.GetAccessRules(true, true, typeof(SecurityIdentifier))
            .Cast<FileSystemAccessRule>()
            .Where(r =>
                r.AccessControlType == AccessControlType.Allow
                && (r.FileSystemRights & Writes) != 0
                && (r.PropagationFlags & PropagationFlags.InheritOnly) == 0
            )
            .Select(r => (SecurityIdentifier)r.IdentityReference)
            .Where(s => !Trusted(s))
            .Distinct();
    }

    private static bool Trusted(SecurityIdentifier sid) =>
        sid.Equals(WindowsIdentity.GetCurrent().User!)
        || sid.IsWellKnown(WellKnownSidType.LocalSystemSid)
        || sid.IsWellKnown(WellKnownSidType.BuiltinAdministratorsSid);

    private static string Account(SecurityIdentifier sid)
    {
        try
        {
            return sid.Translate(typeof(NTAccount)).Value;
        }
        catch (IdentityNotMappedException)
        {
            return sid.Value;
        }
    }

    private static FileSecurity OwnerOnlyFile()
    {
        var me = WindowsIdentity.GetCurrent().User!;
        var sec = new FileSecurity();
        sec.SetAccessRuleProtection(true, false);
        sec.SetOwner(me);
        sec.AddAccessRule(new FileSystemAccessRule(me, FileSystemRights.FullControl, AccessControlType.Allow));
        return sec;
    }

    private static DirectorySecurity OwnerOnlyDirectory()
    {
        var me = WindowsIdentity.GetCurrent().User!;
        var sec = new DirectorySecurity();
        sec.SetAccessRuleProtection(true, false);
        sec.SetOwner(me);
        var inherited = InheritanceFlags.ContainerInherit | InheritanceFlags.ObjectInherit;
        sec.AddAccessRule(
            new FileSystemAccessRule(
                me,
                FileSystemRights.FullControl,
                inherited,
                PropagationFlags.None,
                AccessControlType.Allow
            )
        );
        return sec;
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
                File.Delete(path);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open(string path, int flags, int mode);

        [DllImport("libc", SetLastError = true)]
        public static extern int chmod(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        public static extern int rename(string from, string to);

        [DllImport("libc", SetLastError = true)]
        public static extern int link(string from, string to);

        [DllImport("libc", SetLastError = true)]
        public static extern int mkdir(string path, int mode);

        [DllImport("libc")]
        public static extern uint geteuid();

        /// <summary>O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, whose values differ between Linux and macOS.</summary>
        public static int CreateExclusiveForWriting =>
            RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                ? 0x1 | 0x200 | 0x800 | 0x1000000
                : 0x1 | 0x40 | 0x80 | 0x80000;

        public static (int Mode, uint Owner) Stat(string path, bool followLinks = true) =>
            UnixStat.Of(path, followLinks) ?? throw Error("stat", path);

        public static IOException Error(string call, string path)
        {
            var errno = Marshal.GetLastWin32Error();
            // On Unix, .NET words an errno as strerror(3) does ("Permission denied").
            var why = new System.ComponentModel.Win32Exception(errno).Message;
            return errno == 2
                ? new FileNotFoundException($"'{path}' does not exist.", path)
                : new IOException($"'{path}': {why} ({call}).");
        }
    }
}
