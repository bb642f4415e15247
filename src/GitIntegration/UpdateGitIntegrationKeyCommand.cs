using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Net;
using GitIntegration.Core.Rotation;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Rotates the SSH keys of integrations: a new key on the git host, verified, switched to,
/// and the old key taken off the host.</para>
/// <para type="description">For each integration given by -Name or from Get-GitIntegration: generates a new key
/// pair like its current key (same type, size and format; RSA 4096 OpenSSL PEM at least, as the integration
/// demands; encrypted with the integration's stored passphrase if it has one) beside the old key, under a name that
/// replaces nothing (jira_git.new, then jira_git.new2...), readable by you only. It then adds the new public key
/// where the repository lives (as Publish-GitSshKey does), reads the repository with the new key (as
/// Test-GitIntegration does), switches the integration to it (as Set-GitIntegration -PrivateKeyPath does), and
/// finally takes the old public key off the git host. The old key file stays on disk.</para>
/// <para type="description">An integration where a step fails keeps its old, working key and gets an error that
/// names it; the others move. Each step reached is recorded with the integration, so running the same command
/// again finishes what is left with the key it made the first time. The old key is left on the host while another
/// integration still uses it, with a warning that names that integration. One result per integration says which
/// step it reached (Generated, Published, Verified, Switched, Completed) and why it stopped (Reason, Message).
/// -WhatIf changes nothing: no file, no request to a host, no change in the store.</para>
/// </summary>
/// <example>
/// <code>Update-GitIntegrationKey -Name billing, 'payments-*' -Token (Read-Host -AsSecureString 'Token')</code>
/// <para>Rotates the keys of billing and of every payments integration, with a token that may manage their
/// keys.</para>
/// </example>
/// <example>
/// <code>$rotated = Get-GitIntegration -Type Ssh | Update-GitIntegrationKey -ThrottleLimit 8
/// $rotated | Where-Object Step -ne Completed | Format-Table Name, Step, Reason</code>
/// <para>Rotates every SSH integration, eight at a time, and shows those that did not finish, with the
/// reason.</para>
/// </example>
/// <example>
/// <code>Update-GitIntegrationKey -Name 'payments-*' -WhatIf</code>
/// <para>Shows which integrations would get a new key, without changing anything.</para>
/// </example>
[Cmdlet(VerbsData.Update, "GitIntegrationKey", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(KeyRotationResult))]
public sealed class UpdateGitIntegrationKeyCommand : IntegrationSelectionCmdlet
{
    /// <summary><para type="description">Names of the integrations whose keys are rotated; wildcards are
    /// allowed.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public override string[]? Name
    {
        get => base.Name;
        set => base.Name = value;
    }

    /// <summary><para type="description">A token of the git host that may add and remove keys of the
    /// repositories (GitHub: a token with the repository's administration permission). Without it, each
    /// integration's stored token is used.</para></summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary><para type="description">The git host's type (GitHub, GitHubEnterprise...), for a server whose
    /// name does not tell it; give -ApiUrl with it.</para></summary>
    [Parameter]
    public KeyHostType? HostType { get; set; }

    /// <summary><para type="description">The git host's REST API root, e.g.
    /// https://github.example.com/api/v3, for a self-managed server.</para></summary>
    [Parameter]
    public Uri? ApiUrl { get; set; }

    /// <summary><para type="description">Publishes the new keys as keys of the token's user account instead of
    /// deploy keys of each repository.</para></summary>
    [Parameter]
    public SwitchParameter UserKey { get; set; }

    /// <summary><para type="description">Rotates again integrations that an unfinished rotation has already
    /// rotated (by default they are left as they are until the other integrations of that rotation are
    /// done).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">How many integrations are rotated at the same time.</para></summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary><para type="description">How long one verification of a repository, or one request to the git
    /// host, may take, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary><para type="description">The known_hosts file for SSH host keys; by default the module's own,
    /// next to the store.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary><para type="description">Does not check the TLS certificate of the git host's API (a test
    /// server only).</para></summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">Trusts the git host API's TLS certificate, or a CA certificate in its
    /// chain, by SHA-256 (or SHA-1) thumbprint: for a self-managed server whose CA this computer does not
    /// trust.</para></summary>
    [Parameter]
    public string[]? TrustedCertificateThumbprint { get; set; }

    private readonly List<Integration> _chosen = new List<Integration>();
    private readonly CancellationTokenSource _stop = new CancellationTokenSource();
    private readonly BlockingCollection<Action> _pipeline = new BlockingCollection<Action>();
    private IntegrationStore? _store;

    private CertificateTrust? _trust;

    /// <summary>Opens the store once for the pipeline; refuses a malformed thumbprint before anything is
    /// done.</summary>
    protected override void BeginProcessing()
    {
        _store = OpenStore();
        try
        {
            _trust = new CertificateTrust(SkipCertificateCheck, TrustedCertificateThumbprint);
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
        }
    }

    /// <summary>Collects the integrations confirmed for rotation.</summary>
    protected override void ProcessRecord()
    {
        List<Integration> targets;
        try
        {
            targets = Select(_store!.Load());
        }
        catch (GitIntegrationException e)
        {
            Fail(e);
            return;
        }
        foreach (var i in targets)
            if (
                !_chosen.Exists(c => c.Id == i.Id)
                && ShouldProcess(
                    $"{i.Name} ({i.Url})",
                    $"Rotate the SSH key '{i.PrivateKeyPath}': publish a new key, verify the repository with it, "
                        + "switch to it and take the old key off the git host"
                )
            )
                _chosen.Add(i);
    }

    /// <summary>Rotates the keys, writing results, progress and messages as they come.</summary>
    protected override void EndProcessing()
    {
        if (_chosen.Count == 0)
            return;
        using var ssh = new SshConnections();
        var progress = new ProgressRecord(1, "Update-GitIntegrationKey", "Rotating keys") { PercentComplete = 0 };
        var finished = 0;
        var options = new KeyRotationOptions
        {
            Template = new GitAccess
            {
                KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : KnownHosts.For(_store!),
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
                Connections = ssh,
            },
            Token = Plain(Token),
            HostType = HostType,
            ApiUrl = ApiUrl,
            UserKey = UserKey,
            Rest = new RestOptions { Trust = _trust!, Timeout = TimeSpan.FromSeconds(TimeoutSeconds) },
            Restart = Force,
            ThrottleLimit = ThrottleLimit,
            StepReached = r =>
            {
                var step = r.Step;
                OnPipeline(() =>
                {
                    progress.StatusDescription = $"{r.Name}: {step}";
                    WriteProgress(progress);
                });
            },
            Finished = r =>
                OnPipeline(() =>
                {
                    progress.PercentComplete = 100 * ++finished / _chosen.Count;
                    WriteProgress(progress);
                    if (r.Error != null)
                        WriteIntegrationFailure(r.Error, r.Name);
                    WriteObject(r);
                }),
            Warning = m => OnPipeline(() => WriteWarning(m)),
            Verbose = m => OnPipeline(() => WriteVerbose(m)),
        };
        ReadVaultsOnPipeline(_store!);
        var work = Task.Run(() => KeyRotation.RotateAsync(_store!, _chosen, options, _stop.Token));
        work.ContinueWith(_ => _pipeline.CompleteAdding(), TaskScheduler.Default);
        try
        {
            foreach (var write in _pipeline.GetConsumingEnumerable())
                write();
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            _stop.Cancel();
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
    }

    /// <summary>Ctrl+C: stops the rotation; each integration keeps the step it reached.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Writes from the rotation's threads go through the pipeline thread, the only one allowed.</summary>
    private void OnPipeline(Action write)
    {
        try
        {
            _pipeline.Add(write);
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>A passphrase in a SecretManagement vault is read through PowerShell, on the pipeline
    /// thread.</summary>
    private void ReadVaultsOnPipeline(IntegrationStore store)
    {
        var read = store.VaultReader!;
        var pipelineThread = Thread.CurrentThread;
        store.VaultReader = (vault, name) =>
        {
            if (Thread.CurrentThread == pipelineThread)
                return read(vault, name);
            var answer = new TaskCompletionSource<string>();
            OnPipeline(() =>
            {
                try
                {
                    answer.SetResult(read(vault, name));
                }
                catch (Exception e)
                {
                    answer.SetException(e);
                }
            });
            answer.Task.Wait(_stop.Token);
            return answer.Task.GetAwaiter().GetResult();
        };
    }
}
