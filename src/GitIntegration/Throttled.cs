using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration;

/// <summary>
/// Runs pipeline items' slow work (git, ssh) on up to N threads while the results are written back on the pipeline
/// thread, the only one allowed to call WriteObject. Each item's result (or exception) goes to the emit given with it,
/// so the error of one item can name that item. Cancel() (StopProcessing) kills the running child processes.
/// </summary>
internal sealed class Throttled<TResult> : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly BlockingCollection<Action> _done = new BlockingCollection<Action>();
    private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
    private int _running;

    public Throttled(int limit) => _slots = new SemaphoreSlim(Math.Max(1, limit));

    public CancellationToken Token => _cancel.Token;

    /// <summary>
    /// Queues work; blocks while all slots are busy, handing finished results to their emits meanwhile.
    /// </summary>
    public void Add(Func<CancellationToken, TResult> work, Action<Func<TResult>> emit)
    {
        while (!_slots.Wait(50, _cancel.Token))
            Drain(block: false);
        Interlocked.Increment(ref _running);
        Task.Run(() =>
        {
            try
            {
                var r = work(_cancel.Token);
                _done.Add(() => emit(() => r));
            }
            catch (Exception e)
            {
                _done.Add(() => emit(() => throw e));
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                _slots.Release();
            }
        });
        Drain(block: false);
    }

    /// <summary>Hands over finished results; with <paramref name="block"/>, waits for all the work queued.</summary>
    public void Drain(bool block)
    {
        while (true)
        {
            if (_done.TryTake(out var emit))
            {
                emit();
                continue;
            }
            if (!block || (Volatile.Read(ref _running) == 0 && _done.Count == 0))
                return;
            if (_done.TryTake(out emit, 50, _cancel.Token))
                emit();
        }
    }

    public void Cancel() => _cancel.Cancel();

    public void Dispose()
    {
        _cancel.Dispose();
        _slots.Dispose();
        _done.Dispose();
    }
}
