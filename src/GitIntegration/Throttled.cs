using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration
{
    /// <summary>
    /// Runs pipeline items' slow work (git, ssh) on up to N threads while the results are written back on the pipeline
    /// thread, the only one allowed to call WriteObject. Cancel() (StopProcessing) kills the running child processes.
    /// </summary>
    internal sealed class Throttled<TResult> : IDisposable
    {
        private readonly SemaphoreSlim _slots;
        private readonly BlockingCollection<Func<TResult>> _done = new BlockingCollection<Func<TResult>>();
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private int _running;

        public Throttled(int limit) => _slots = new SemaphoreSlim(Math.Max(1, limit));

        public CancellationToken Token => _cancel.Token;

        /// <summary>Queues work; blocks while all slots are busy, handing finished results to <paramref name="emit"/> meanwhile.</summary>
        public void Add(Func<CancellationToken, TResult> work, Action<Func<TResult>> emit)
        {
            while (!_slots.Wait(50, _cancel.Token)) Drain(emit, block: false);
            Interlocked.Increment(ref _running);
            Task.Run(() =>
            {
                try
                {
                    var r = work(_cancel.Token);
                    _done.Add(() => r);
                }
                catch (Exception e) { _done.Add(() => throw e); }
                finally
                {
                    Interlocked.Decrement(ref _running);
                    _slots.Release();
                }
            });
            Drain(emit, block: false);
        }

        /// <summary>Hands over finished results; with <paramref name="block"/>, waits for all the work queued.</summary>
        public void Drain(Action<Func<TResult>> emit, bool block)
        {
            while (true)
            {
                if (_done.TryTake(out var r)) { emit(r); continue; }
                if (!block || (Volatile.Read(ref _running) == 0 && _done.Count == 0)) return;
                if (_done.TryTake(out r, 50, _cancel.Token)) emit(r);
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
}
