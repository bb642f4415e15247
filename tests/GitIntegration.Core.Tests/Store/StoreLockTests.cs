using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// The store's queue and lock file as another writer sees them: a ticket held open ahead of this writer makes it wait
/// (and time out), a ticket behind it or left by a dead writer does not, and the lock file tells whoever looks at a
/// stuck lock which process holds it.
/// </summary>
public sealed class StoreLockTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public StoreLockTests()
    {
        _store = IntegrationStore.Open(_dir["integrations.yaml"]);
        _store.Update(d => 0); // the queue folder exists from here on
        Directory.CreateDirectory(_store.QueuePath);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A ticket of a writer that is alive (held open exclusively, as StoreLock holds its own).</summary>
    private FileStream LiveTicket(string name) =>
        new(Path.Combine(_store.QueuePath, name), FileMode.CreateNew, FileAccess.Write, FileShare.None);

    [Fact]
    public void AWriterAheadInTheQueueIsWaitedForUntilTheTimeout()
    {
        using (LiveTicket("0000000000000000001-1-00000000"))
        {
            _store.LockTimeout = TimeSpan.FromMilliseconds(300);
            var e = _store.Invoking(s => s.Update(d => 0)).Should().Throw<GitIntegrationException>().Which;
            (e.ErrorId, e.Kind, e.Target)
                .Should()
                .Be((StoreErrorIds.StoreLocked, ErrorKind.ResourceUnavailable, _store.LockPath));
            e.Message.Should().Contain($"(lock file '{_store.LockPath}') and this one waited its turn for 0.3 s");
        }
        // Its writer is gone (the ticket is no longer held): the next writer deletes the ticket and goes first.
        _store.LockTimeout = TimeSpan.Zero;
        _store.Update(d => 0);
        Directory.GetFiles(_store.QueuePath).Should().BeEmpty("the dead writer's ticket and this one's are gone");
    }

    [Fact]
    public void ALockHeldByAWriterThatDoesNotQueueIsWaitedForUntilTheTimeout()
    {
        // An older version of the module takes the lock file without a ticket.
        using (new FileStream(_store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            _store.LockTimeout = TimeSpan.FromMilliseconds(300);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var e = _store.Invoking(s => s.Update(d => 0)).Should().Throw<GitIntegrationException>().Which;
            clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300), "it waits its turn first");
            (e.ErrorId, e.Kind, e.Target)
                .Should()
                .Be((StoreErrorIds.StoreLocked, ErrorKind.ResourceUnavailable, _store.LockPath));
            e.Message.Should()
                .Be(
                    $"The store is locked by other GitIntegration commands (lock file '{_store.LockPath}') and this "
                        + "one waited its turn for 0.3 s. Wait for those commands to finish and try again."
                );
        }
        _store.Update(d => 0);
        Directory.GetFiles(_store.QueuePath).Should().BeEmpty("the ticket of the writer that gave up is gone");
    }

    [Fact]
    public void AWriterBehindInTheQueueDoesNotHoldThisOneUp()
    {
        using var behind = LiveTicket("9999999999999999999-1-00000000");
        _store.LockTimeout = TimeSpan.Zero;
        _store.Update(d =>
        {
            d.Integrations.Add(new Integration { Name = "first" });
            return 0;
        });
        _store.Load().Integrations.Should().ContainSingle(i => i.Name == "first");
        File.Exists(behind.Name).Should().BeTrue("a live writer's ticket is never deleted");
    }

    [Fact]
    public void TheLockFileNamesTheProcessThatHoldsIt()
    {
        File.WriteAllText(_store.LockPath, new string('x', 500) + "\n"); // a longer note left by an earlier holder
        var note = _store.Update(d =>
        {
            // cat takes no lock: it reads what a person would.
            var (exit, text, _) = Tool.Run("cat", new[] { _store.LockPath });
            exit.Should().Be(0);
            return text;
        });
        var started = DateTimeOffset.UtcNow;
        var m = Regex.Match(note, @"^(\d+) (\S+) (\S+)\n$");
        m.Success.Should().BeTrue($"the note is one line '<pid> <machine> <time>', not '{note}'");
        m.Groups[1].Value.Should().Be(Environment.ProcessId.ToString());
        m.Groups[2].Value.Should().Be(Environment.MachineName);
        DateTimeOffset.Parse(m.Groups[3].Value).Should().BeOnOrBefore(started);
    }
}
