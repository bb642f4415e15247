using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace GitIntegration.Core.IO;

/// <summary>
/// Reads the files a user names (keys, .ppk, bulk imports, known_hosts, a GitHub App's PEM, the store): regular
/// files only, and never more than a limit counted in bytes actually read. The length a file system reports is
/// no bound: /dev/zero reports 0 and never ends, and opening a FIFO waits for a writer, so the type is checked
/// before the file is opened (opening some devices has effects of its own) and again on the open handle.
/// </summary>
public static class InputFile
{
    /// <param name="what">What the file is to the user ("key file", "bulk import file"), for messages.</param>
    /// <param name="tooLarge">The error for a file over <paramref name="maxBytes"/>; FileTooLarge if null.</param>
    public static byte[] ReadAllBytes(
        string path,
        string what,
        int maxBytes,
        Func<GitIntegrationException>? tooLarge = null
    )
    {
        var full = Path.GetFullPath(path);
        try
        {
            RequireRegular(full, what, KindOf(full));
            var share = FileShare.ReadWrite | FileShare.Delete;
            using var fs = new FileStream(full, FileMode.Open, FileAccess.Read, share, 1);
            RequireRegular(full, what, KindOf(fs.SafeFileHandle));
            var content = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int n;
            while ((n = fs.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (content.Length + n > maxBytes)
                    throw tooLarge?.Invoke()
                        ?? new GitIntegrationException(
                            ErrorIds.FileTooLarge,
                            ErrorKind.LimitsExceeded,
                            $"The {what} '{full}' is larger than {Size(maxBytes)}, more than any {what} needs; "
                                + $"it was not read. Check that the path names the {what} itself."
                        )
                        {
                            Target = full,
                        };
                content.Write(chunk, 0, n);
            }
            return content.ToArray();
        }
        // .NET Framework refuses Windows device paths (\\.\) with NotSupportedException or ArgumentException.
        catch (Exception e)
            when (e is IOException
                || e is UnauthorizedAccessException
                || e is NotSupportedException
                || e is ArgumentException
            )
        {
            throw new GitIntegrationException(
                ErrorIds.FileReadFailed,
                ErrorKind.ReadError,
                $"The {what} '{full}' cannot be read: {e.Message}",
                e
            )
            {
                Target = full,
            };
        }
    }

    /// <summary>The file as text: UTF-8 unless a byte order mark says otherwise (as File.ReadAllText).</summary>
    public static string ReadAllText(
        string path,
        string what,
        int maxBytes,
        Func<GitIntegrationException>? tooLarge = null
    )
    {
        var bytes = ReadAllBytes(path, what, maxBytes, tooLarge);
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, true);
        return reader.ReadToEnd();
    }

    private static void RequireRegular(string path, string what, string? kind)
    {
        if (kind != null)
            throw new GitIntegrationException(
                ErrorIds.FileNotRegular,
                ErrorKind.InvalidArgument,
                $"'{path}' is {kind}, not a file; a {what} is read only from a regular file. "
                    + $"Give the path of the {what} itself."
            )
            {
                Target = path,
            };
    }

    private static string Size(int bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB"
        : bytes % (1 << 10) == 0 ? $"{bytes >> 10} KiB"
        : $"{bytes} bytes";

    /// <summary>Null for a regular file (or a missing one: opening it says so); else what it is.</summary>
    private static string? KindOf(string path)
    {
        if (SecureFile.IsWindows)
            return File.Exists(path) || !Directory.Exists(path) ? null : "a folder";
        return UnixStat.Of(path) is { } status ? Describe(status.Mode) : null;
    }

    private static string? KindOf(SafeFileHandle handle)
    {
        if (SecureFile.IsWindows)
            return Native.GetFileType(handle) switch
            {
                Native.FileTypeDisk => null,
                Native.FileTypeChar => "a device",
                Native.FileTypePipe => "a pipe",
                _ => "not a file on disk",
            };
        return UnixStat.Of(handle) is { } status
            ? Describe(status.Mode)
            : throw new IOException($"fstat failed with errno {Marshal.GetLastWin32Error()}.");
    }

    private static string? Describe(int mode) =>
        (mode & UnixStat.TypeMask) switch
        {
            UnixStat.RegularFile => null,
            UnixStat.Directory => "a folder",
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => "not a regular file",
        };

    private static class Native
    {
        public const int FileTypeDisk = 1,
            FileTypeChar = 2,
            FileTypePipe = 3;

        [DllImport("kernel32.dll", SetLastError = true)]
        public static extern int GetFileType(SafeFileHandle handle);
    }
}
