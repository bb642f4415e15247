using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Net;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>
    /// What the GitHub App cmdlets share: -Name/-Id/-StorePath selection of app integrations, and running
    /// Core's asynchronous calls on the pipeline thread (progress, verbose and messages are queued by the
    /// worker and written here; Ctrl+C cancels).
    /// </summary>
    public abstract class GitHubAppCmdletBase : GitIntegrationCmdlet, IGitHubProgress
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentQueue<(char Kind, object Item)> _messages = new ConcurrentQueue<(char, object)>();
        private ProgressRecord? _progress;

        /// <summary><para type="description">The store file (or its folder) to use instead of $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
        [Parameter]
        public string? StorePath { get; set; }

        private protected IntegrationStore OpenStore() => IntegrationStoreAccess.Open(this, StorePath);

        /// <summary>The app integrations named (wildcards) or given by id; other integrations given by name or id are reported.</summary>
        private protected List<Integration> SelectApps(IntegrationStore store, string[]? names, Guid[]? ids)
        {
            var result = new List<Integration>();
            foreach (var i in IntegrationStoreAccess.Select(store.Load(), names ?? (ids == null ? new[] { "*" } : null), ids, e => WriteFailure(e)))
            {
                if (GitHubAppIntegration.IsApp(i)) result.Add(i);
                else if (names == null || !Array.Exists(names, WildcardPattern.ContainsWildcardCharacters))
                    WriteFailure(new GitIntegrationException("NotAGitHubApp", ErrorKind.InvalidArgument,
                        $"'{i.Name}' is a {i.Type} integration, not a GitHub App. Get-GitIntegration -Type GitHubApp,GitHubEnterpriseApp lists the apps.") { Target = i.Name }, i);
            }
            return result;
        }

        private protected GitHubHttp Http(GitHubHost host, CertificateTrust trust) =>
            new GitHubHttp(host, new GitHubHttpOptions { Verbose = ((IGitHubProgress)this).Verbose, Trust = trust });

        /// <summary>A client for a stored app's GitHub, with the certificate trust stored with it.</summary>
        private protected GitHubHttp Http(Integration app) =>
            Http(GitHubAppIntegration.Host(app), CertificateTrust.For(app));

        /// <summary>Runs Core's work to the end, writing its progress and messages meanwhile; Core's errors come back as they are.</summary>
        private protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var task = Task.Run(() => work(_stop.Token));
            try
            {
                while (!task.Wait(100)) Drain();
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
                // Writing a message can stop the command (-ErrorAction Stop on a problem the work only reported): stop the work too.
                if (!task.IsCompleted)
                {
                    _stop.Cancel();
                    try { task.Wait(); } catch (AggregateException) { }
                }
                if (_progress != null)
                {
                    _progress.RecordType = ProgressRecordType.Completed;
                    WriteProgress(_progress);
                    _progress = null;
                }
            }
        }

        private void Drain()
        {
            while (_messages.TryDequeue(out var m))
            {
                switch (m.Kind)
                {
                    case 'p':
                        _progress ??= new ProgressRecord(6, MyInvocation.MyCommand.Name, (string)m.Item);
                        _progress.StatusDescription = (string)m.Item;
                        WriteProgress(_progress);
                        break;
                    case 'v': WriteVerbose((string)m.Item); break;
                    case 'e': WriteFailure((GitIntegrationException)m.Item); break;
                    default: WriteWarning((string)m.Item); break;
                }
            }
        }

        void IGitHubProgress.Status(string status) => _messages.Enqueue(('p', status));
        void IGitHubProgress.Verbose(string message) => _messages.Enqueue(('v', message));
        void IGitHubProgress.Say(string message) => _messages.Enqueue(('s', message));
        void IGitHubProgress.Error(GitIntegrationException error) => _messages.Enqueue(('e', error));

        /// <summary>Ctrl+C: cancels the wait.</summary>
        protected override void StopProcessing() => _stop.Cancel();
    }
}
