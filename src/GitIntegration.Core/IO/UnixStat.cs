using System;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace GitIntegration.Core.IO;

/// <summary>
/// stat(2) on Linux and macOS through the runtime's own shim (libSystem.Native, in every .NET Core 3.0 and later):
/// its FileStatus begins with int32 Flags, Mode, Uid, Gid on every Unix, where libc's struct stat differs by OS and
/// architecture. Mode's S_IFMT bits are POSIX's.
/// </summary>
internal static class UnixStat
{
    public const int TypeMask = 0xF000,
        RegularFile = 0x8000,
        Directory = 0x4000;

    /// <summary>
    /// The type and permission bits and the owner, or null when stat fails (errno in GetLastWin32Error).
    /// </summary>
    public static (int Mode, uint Owner)? Of(string path, bool followLinks = true)
    {
        var status = new byte[StatusBytes];
        return (followLinks ? Stat(path, status) : LStat(path, status)) == 0 ? Decode(status) : null;
    }

    /// <summary>The same for an open file.</summary>
    public static (int Mode, uint Owner)? Of(SafeFileHandle handle)
    {
        var status = new byte[StatusBytes];
        return FStat(handle, status) == 0 ? Decode(status) : null;
    }

    // Far larger than the whole FileStatus.
    private const int StatusBytes = 1024;

    private static (int Mode, uint Owner) Decode(byte[] status) =>
        (BitConverter.ToInt32(status, 4), BitConverter.ToUInt32(status, 8));

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
    private static extern int Stat(string path, byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
    private static extern int LStat(string path, byte[] status);

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_FStat", SetLastError = true)]
    private static extern int FStat(SafeFileHandle fd, byte[] status);
}
