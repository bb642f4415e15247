using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>The store against real concurrent and killed processes (tests/GitIntegration.StoreWriter).</summary>
public class StoreProcessTests
{
    private static readonly string Writer = Path.Combine(AppContext.BaseDirectory, "GitIntegration.StoreWriter.dll");

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Writer);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>
    /// Lost writes and starved writers, with no clock in the verdict so that a loaded machine cannot fail it: each
    /// writer waits as long as it takes (lock timeout 10 min) and reports how many writes went in while it was in line.
    /// The lock is taken in arrival order, so that is at most one per other process; a lock that lets a writer that has
    /// just written take it again (as one that is polled does) lets whole batches go ahead, which is how, under load, a
    /// writer waited past the 30 s timeout.
    /// </summary>
    [Fact]
    public async Task Eight_processes_adding_fifty_each_lose_nothing_and_wait_their_turn()
    {
        const int processes = 8,
            writes = 50;
        using var t = new TempDir();
        var path = t["integrations.yaml"];
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var clock = Stopwatch.StartNew();
        var procs = Enumerable
            .Range(0, processes)
            .Select(n => Start("add", path, writes.ToString(), "p" + n, "600"))
            .ToList();
        var reports = new List<string>();
        foreach (var p in procs)
        {
            var output = p.StandardOutput.ReadToEndAsync(deadline.Token);
            var err = await p.StandardError.ReadToEndAsync(deadline.Token);
            await p.WaitForExitAsync(deadline.Token);
            p.ExitCode.Should().Be(0, err);
            reports.Add((await output).Trim());
        }
        var elapsed = clock.Elapsed;

        var doc = IntegrationStore.Open(path).Load();
        doc.Integrations.Select(i => i.Name)
            .Should()
            .BeEquivalentTo(
                Enumerable.Range(0, processes).SelectMany(n => Enumerable.Range(0, writes).Select(k => $"p{n}-{k}")),
                "no write is lost"
            );
        var overtaken = reports
            .Select(r => int.Parse(Regex.Match(r, @"^overtaken (\d+) slowest (\d+)$").Groups[1].Value))
            .ToList();
        overtaken
            .Should()
            .OnlyContain(
                n => n <= processes - 1,
                $"while a writer is in line each other process writes at most once ({elapsed.TotalSeconds:0.0} "
                    + $"s in all; {string.Join("; ", reports)})"
            );
        File.Exists(path + ".lock").Should().BeTrue("the lock file stays; the OS lock on it is what counts");
        Directory.GetFiles(path + ".queue").Should().BeEmpty("every writer left the queue");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private const int SIGKILL = 9,
        SIGCONT = 18,
        SIGSTOP = 19;

    [Fact]
    public void A_writer_killed_between_temp_write_and_rename_leaves_the_old_or_the_new_store()
    {
        if (OperatingSystem.IsWindows())
            return; // SIGSTOP sampling is POSIX; the rename path it proves is the Unix one
        using var t = new TempDir();
        var path = t["integrations.yaml"];
        var storeTemp = new Regex(@"^\.integrations\.yaml\.[0-9a-f]{8}\.tmp$");
        var rnd = new Random(4);
        for (int round = 0; round < 4; round++)
        {
            var p = Start("churn", path, "300");
            p.StandardOutput.ReadLine().Should().NotBeNull("the writer completes a first write");
            // Freeze the writer at random moments until it is caught with its temp file written but not yet renamed,
            // then kill it.
            bool caught = false;
            var clock = Stopwatch.StartNew();
            while (!caught && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                kill(p.Id, SIGSTOP).Should().Be(0);
                caught = Directory.GetFiles(t.Path).Any(f => storeTemp.IsMatch(Path.GetFileName(f)));
                kill(p.Id, caught ? SIGKILL : SIGCONT);
                if (!caught)
                    Thread.Sleep(rnd.Next(0, 4));
            }
            p.WaitForExit();
            caught
                .Should()
                .BeTrue("the writer must be caught between temp write and rename for this test to mean anything");

            var doc = IntegrationStore.Open(path).Load(); // throws if the store were partial
            doc.Integrations.Should().HaveCount(300);
            doc.Integrations.Select(i => i.Properties["gen"])
                .Distinct()
                .Should()
                .ContainSingle("one whole version of the store");
            // The next writer takes the lock at once: the dead holder's lock was released with its process. With no
            // time to wait, a lock still held would be StoreLocked.
            var next = IntegrationStore.Open(path);
            next.LockTimeout = TimeSpan.Zero;
            next.Update(d => 0);
            foreach (var tmp in Directory.GetFiles(t.Path, "*.tmp"))
                File.Delete(tmp);
        }
    }

    [Fact]
    public void A_held_lock_times_out_with_StoreLocked()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t["s.yaml"]);
        store.LockTimeout = TimeSpan.FromMilliseconds(300);
        store.Update(_ =>
        {
            var other = IntegrationStore.Open(t["s.yaml"]);
            other.LockTimeout = TimeSpan.FromMilliseconds(300);
            other
                .Invoking(o => o.Update(d => 0))
                .Should()
                .Throw<GitIntegrationException>()
                .Which.ErrorId.Should()
                .Be(StoreErrorIds.StoreLocked);
            return 0;
        });
    }
}
