using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;

namespace GitIntegration.Core.Store;

/// <summary>
/// The cross-process lock around a read-modify-write, taken in arrival order.
/// <para>Exclusion: an exclusive open of "&lt;store&gt;.lock" (FileShare.None: a share-mode lock on Windows, flock(2)
/// on Unix). The operating system releases it when the holder dies, so a lock file left behind by a killed process is
/// stale by construction: there is no PID to guess about and no file that has to be deleted by hand.</para>
/// <para>Order: a writer first puts a ticket in "&lt;store&gt;.queue", a file named by the time it arrived and held
/// open exclusively like the lock, and takes the lock only when no live ticket is older. Without the queue, a writer
/// that has just released the lock takes it again before the sleeping waiters wake, and under load a waiter sat behind
/// whole batches of other processes' writes until it timed out. A dead writer's ticket is no longer held, so the writer
/// behind it deletes it and moves up.</para>
/// </summary>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly FileStream _ticket;

    private StoreLock(FileStream ticket, FileStream lockStream)
    {
        _ticket = ticket;
        _lock = lockStream;
    }

    /// <param name="queued">Called once the ticket is in the queue (tests measure the order with it).</param>
    public static StoreLock Acquire(string lockPath, string queuePath, TimeSpan timeout, Action? queued = null)
    {
        try
        {
            IO.SecureFile.CreateDirectories(Path.GetDirectoryName(lockPath)!);
        }
        catch (IOException e)
        {
            throw new GitIntegrationException(
                StoreErrorIds.StoreWriteFailed,
                ErrorKind.WriteError,
                $"The store's folder cannot be created: {e.Message} Choose a store path you can write to (-StorePath, "
                    + "or $env:GITINTEGRATION_STORE).",
                e
            )
            {
                Target = lockPath,
            };
        }
        var clock = Stopwatch.StartNew();
        var rnd = new Random();
        var name = $"{DateTime.UtcNow.Ticks:D19}-{Process.GetCurrentProcess().Id}-{rnd.Next():x8}";
        var ticket = Wait(() => TakeTicket(queuePath, name), clock, timeout, lockPath);
        try
        {
            queued?.Invoke();
            int ahead;
            while ((ahead = LiveTicketsBefore(queuePath, name)) > 0)
            {
                if (clock.Elapsed >= timeout)
                    throw Locked(lockPath, timeout, null);
                if (!File.Exists(ticket.Name))
                {
                    // A writer that looked at the ticket in the instant between its creation and its lock took it for a
                    // dead writer's: put it back, same name, same place.
                    ticket.Dispose();
                    ticket = Wait(() => TakeTicket(queuePath, name), clock, timeout, lockPath);
                }
                // The next in line looks often; those further back less, so waiting costs little CPU.
                Thread.Sleep(Math.Min(50, 2 * ahead) + rnd.Next(0, 3));
            }
            // Normally free now; a writer that does not queue (an older version of the module) may still hold it.
            var lockStream = Wait(() => OpenExclusive(lockPath, FileMode.OpenOrCreate), clock, timeout, lockPath);
            // For people looking at a stuck lock: who holds it. Not used for decisions.
            var note = System.Text.Encoding.UTF8.GetBytes(
                $"{Process.GetCurrentProcess().Id} {Environment.MachineName} {DateTimeOffset.UtcNow:o}\n"
            );
            lockStream.SetLength(0);
            lockStream.Write(note, 0, note.Length);
            lockStream.Flush();
            return new StoreLock(ticket, lockStream);
        }
        catch
        {
            ticket.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock, then leaves the queue, so the next in line finds the lock free.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        _ticket.Dispose();
    }

    private static FileStream TakeTicket(string queuePath, string name)
    {
        IO.SecureFile.CreateDirectories(queuePath);
        return new FileStream(
            Path.Combine(queuePath, name),
            FileMode.CreateNew,
            FileAccess.Write,
            FileShare.None,
            1,
            FileOptions.DeleteOnClose
        );
    }

    // The folders exist: Acquire made the lock's, TakeTicket the queue's.
    private static FileStream OpenExclusive(string path, FileMode mode) =>
        new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);

    /// <summary>
    /// How many tickets are older than <paramref name="name"/>: 0 when none belongs to a live writer. Looks for the
    /// first live one only, deleting dead writers' tickets on the way.
    /// </summary>
    private static int LiveTicketsBefore(string queuePath, string name)
    {
        var older = Directory
            .GetFiles(queuePath)
            .Where(p => string.CompareOrdinal(Path.GetFileName(p), name) < 0)
            .ToList();
        foreach (var path in older)
        {
            try
            {
                // Opening it exclusively succeeds only when nobody holds it: its writer is gone.
                OpenExclusive(path, FileMode.Open).Dispose();
                File.Delete(path);
            }
            catch (FileNotFoundException) { } // its writer finished meanwhile
            catch (DirectoryNotFoundException) { }
            catch (IOException)
            {
                return older.Count;
            }
            catch (UnauthorizedAccessException)
            {
                return older.Count;
            }
        }
        return 0;
    }

    /// <summary>Retries <paramref name="open"/> while the file is held by another writer, until the timeout.</summary>
    private static FileStream Wait(Func<FileStream> open, Stopwatch clock, TimeSpan timeout, string lockPath)
    {
        var rnd = new Random();
        while (true)
        {
            try
            {
                return open();
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                Thread.Sleep(rnd.Next(2, 10));
            }
            catch (IOException e)
            {
                throw Locked(lockPath, timeout, e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new GitIntegrationException(
                    StoreErrorIds.StoreLocked,
                    ErrorKind.PermissionDenied,
                    $"The store's lock file '{lockPath}' or its queue cannot be opened: {e.Message} Check the "
                        + "folder's permissions.",
                    e
                )
                {
                    Target = lockPath,
                };
            }
        }
    }

    private static GitIntegrationException Locked(string lockPath, TimeSpan timeout, Exception? inner) =>
        new GitIntegrationException(
            StoreErrorIds.StoreLocked,
            ErrorKind.ResourceUnavailable,
            $"The store is locked by other GitIntegration commands (lock file '{lockPath}') and this one waited "
                + $"its turn for {timeout.TotalSeconds:0.#} s. Wait for those commands to finish and try again.",
            inner
        )
        {
            Target = lockPath,
        };
}
