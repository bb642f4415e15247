using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace GitIntegration.Core.Store
{
    /// <summary>
    /// The cross-process lock around a read-modify-write: an exclusive open of "&lt;store&gt;.lock"
    /// (FileShare.None: a share-mode lock on Windows, flock(2) on Unix). The operating system releases it
    /// when the holder dies, so a lock file left behind by a killed process is stale by construction and
    /// is simply taken over: there is no PID to guess about and no file that has to be deleted by hand.
    /// </summary>
    internal sealed class StoreLock : IDisposable
    {
        private readonly FileStream _stream;

        private StoreLock(FileStream stream) => _stream = stream;

        public static StoreLock Acquire(string lockPath, TimeSpan timeout)
        {
            try { IO.SecureFile.CreateDirectories(Path.GetDirectoryName(lockPath)!); }
            catch (IOException e)
            {
                throw new GitIntegrationException(StoreErrorIds.StoreWriteFailed, ErrorKind.WriteError,
                    $"The store's folder cannot be created: {e.Message} Choose a store path you can write to (-StorePath, " +
                    "or $env:GITINTEGRATION_STORE).", e) { Target = lockPath };
            }
            var clock = Stopwatch.StartNew();
            var rnd = new Random();
            while (true)
            {
                try
                {
                    var fs = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    // For people looking at a stuck lock: who holds it. Not used for decisions.
                    var note = System.Text.Encoding.UTF8.GetBytes($"{Process.GetCurrentProcess().Id} {Environment.MachineName} {DateTimeOffset.UtcNow:o}\n");
                    fs.SetLength(0);
                    fs.Write(note, 0, note.Length);
                    fs.Flush();
                    return new StoreLock(fs);
                }
                catch (IOException) when (clock.Elapsed < timeout)
                {
                    Thread.Sleep(rnd.Next(5, 25));
                }
                catch (IOException e)
                {
                    throw new GitIntegrationException(StoreErrorIds.StoreLocked, ErrorKind.ResourceUnavailable,
                        $"The store is locked by another GitIntegration command (lock file '{lockPath}') and stayed locked for {timeout.TotalSeconds:0.#} s. " +
                        "Wait for that command to finish and try again.", e) { Target = lockPath };
                }
                catch (UnauthorizedAccessException e)
                {
                    throw new GitIntegrationException(StoreErrorIds.StoreLocked, ErrorKind.PermissionDenied,
                        $"The store's lock file '{lockPath}' cannot be opened: {e.Message} Check the folder's permissions.", e) { Target = lockPath };
                }
            }
        }

        public void Dispose() => _stream.Dispose();
    }
}
