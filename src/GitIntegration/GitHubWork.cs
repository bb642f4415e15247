using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// Runs Core's asynchronous GitHub calls for a cmdlet on its pipeline thread: progress, verbose and messages are
/// queued by the worker and written here; <see cref="Stop"/> (the cmdlet's StopProcessing, Ctrl+C) cancels.
/// </summary>
internal sealed class GitHubWork : IGitHubProgress
{
    private readonly PSCmdlet _cmdlet;
    private readonly CancellationTokenSource _stop = new CancellationTokenSource();
    private readonly ConcurrentQueue<(char Kind, object Item)> _messages = new ConcurrentQueue<(char, object)>();
    private ProgressRecord? _progress;

    public GitHubWork(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public GitHubHttp Http(GitHubHost host, CertificateTrust trust) =>
        new GitHubHttp(host, new GitHubHttpOptions { Verbose = ((IGitHubProgress)this).Verbose, Trust = trust });

    /// <summary>A client for a stored app's GitHub, with the certificate trust stored with it.</summary>
    public GitHubHttp Http(Integration app) => Http(GitHubAppIntegration.Host(app), CertificateTrust.For(app));

    /// <summary>
    /// Runs Core's work to the end, writing its progress and messages meanwhile; Core's errors come back as they are.
    /// </summary>
    public T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(() => work(_stop.Token));
        try
        {
            while (!task.Wait(100))
                Drain();
            Drain();
            return task.GetAwaiter().GetResult();
        }
        catch (AggregateException e) when (e.InnerException != null)
        {
            Drain();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            // Writing a message can stop the command (-ErrorAction Stop on a problem the work only reported): stop the
            // work too.
            if (!task.IsCompleted)
            {
                _stop.Cancel();
                try
                {
                    task.Wait();
                }
                catch (AggregateException) { }
            }
            if (_progress != null)
            {
                _progress.RecordType = ProgressRecordType.Completed;
                _cmdlet.WriteProgress(_progress);
                _progress = null;
            }
        }
    }

    /// <summary>Ctrl+C: cancels the wait.</summary>
    public void Stop() => _stop.Cancel();

    private void Drain()
    {
        while (_messages.TryDequeue(out var m))
        {
            switch (m.Kind)
            {
                case 'p':
                    _progress ??= new ProgressRecord(6, _cmdlet.MyInvocation.MyCommand.Name, (string)m.Item);
                    _progress.StatusDescription = (string)m.Item;
                    _cmdlet.WriteProgress(_progress);
                    break;
                case 'v':
                    _cmdlet.WriteVerbose((string)m.Item);
                    break;
                case 'e':
                    _cmdlet.WriteError(GitIntegrationCmdlet.ToErrorRecord((GitIntegrationException)m.Item));
                    break;
                default:
                    _cmdlet.WriteWarning((string)m.Item);
                    break;
            }
        }
    }

    void IGitHubProgress.Status(string status) => _messages.Enqueue(('p', status));

    void IGitHubProgress.Verbose(string message) => _messages.Enqueue(('v', message));

    void IGitHubProgress.Say(string message) => _messages.Enqueue(('s', message));

    void IGitHubProgress.Error(GitIntegrationException error) => _messages.Enqueue(('e', error));
}
