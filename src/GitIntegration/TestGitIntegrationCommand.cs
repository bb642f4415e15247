using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using GitIntegration.Core;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Re-verifies stored integrations (repositories as git ls-remote does, GitHub Apps with
/// GitHub) and updates their Status and LastVerified.</para>
/// <para type="description">For each repository integration (by -Name, -Id or from Get-GitIntegration), connects again
/// with the stored key, passphrase or token, and returns a result: Success, Reason, Message and Remedy, the default
/// branch and ref counts. The integration's Status becomes Connected or Failed and LastVerified is set. An HTTPS
/// repository is checked with the certificate trust stored with it (-SkipCertificateCheck,
/// -TrustedCertificateThumbprint of Connect-GitRepository or Set-GitIntegration); git is not needed.</para>
/// <para type="description">A GitHub App integration is checked with GitHub: GitHub must accept the app's key, the
/// installation must still exist and not be suspended, and an installation token must be issued (Status Active,
/// Suspended or Failed; Reason AppDeleted, AppKeyRejected, InstallationRemoved, InstallationSuspended, RateLimited...
/// with the remedy). One still Installing is explained: GitHub has not answered yet (WaitingForGitHub), the app exists
/// but is not installed (AppNotInstalled, with the install URL in InstallUrl and Remedy), or the app was deleted on
/// GitHub (AppDeleted). Once it is installed, the next Test-GitIntegration records the installation and makes it
/// Active.</para>
/// <para type="description">Integrations are verified in parallel, up to -ThrottleLimit, each within -TimeoutSeconds.
/// With -Quiet, returns only $true when every one is verified. Reason is also the ErrorId a script can rely on. The
/// repositories on one SSH host with one key share one connection: the key authenticates once per host, and the
/// connection is closed when the command ends.</para>
/// </summary>
/// <example>
/// <code>Test-GitIntegration | Where-Object { -not $_.Success } | Format-Table Name, Reason, Remedy -Wrap</code>
/// <para>A morning check: which repositories and apps stopped working, and what to do about each.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-GitIntegration billing -Quiet)) { throw 'billing repository unreachable' }</code>
/// <para>A guard in a runbook after rotating the billing key with Set-GitIntegration.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitHubApp -Status Installing | Test-GitIntegration | Format-List Name, Reason, Message, Remedy, InstallUrl</code>
/// <para>Explains each app integration stuck in Installing (the three troubleshooting cases); the ones installed
/// meanwhile become Active.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "GitIntegration", DefaultParameterSetName = NameSet)]
[OutputType(typeof(GitConnectionResult), typeof(bool))]
public sealed class TestGitIntegrationCommand : IntegrationSelectionCmdlet, IDisposable
{
    private IntegrationStore? _store;
    private Throttled<GitConnectionResult>? _work;
    private IntegrationVerifier? _verifier;

    /// <summary>
    /// <para type="description">Trusts an SSH host key on a first connection and records it; a changed key is never
    /// accepted.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter AcceptNewHostKey { get; set; }

    /// <summary><para type="description">How many integrations are verified at the same time.</para></summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 4;

    /// <summary>
    /// <para type="description">How long one verification may take, in seconds (for an app: every call to GitHub,
    /// retries and rate-limit waits included).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// <para type="description">The known_hosts file for SSH host keys; by default the module's own, next to the
    /// store.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary>
    /// <para type="description">Returns only $true when every integration is verified (repositories connect, apps are
    /// installed and working), else $false.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <summary>Opens the store once for the pipeline.</summary>
    protected override void BeginProcessing()
    {
        _store = OpenStore();
        _work = new Throttled<GitConnectionResult>(ThrottleLimit);
        _verifier = new IntegrationVerifier(
            _store,
            new VerificationOptions
            {
                AcceptNewHostKey = AcceptNewHostKey,
                KnownHostsPath = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : null,
                Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            }
        );
        WriteVerbose(
            $"Repositories on one SSH host with one key share one connection, {SshConnections.MaxChannels} "
                + "checks at a time."
        );
    }

    /// <summary>Queues each integration's verification.</summary>
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
        foreach (var integration in targets)
        {
            Func<CancellationToken, GitConnectionResult>? check;
            try
            {
                check = _verifier!.Prepare(integration);
            }
            catch (GitIntegrationException e)
            {
                WriteIntegrationFailure(e, integration.Name);
                continue;
            }
            if (check == null)
            {
                WriteVerbose($"'{integration.Name}' ({integration.Type}) has no repository URL; skipped.");
                continue;
            }
            WriteVerbose(
                GitHubAppIntegration.IsApp(integration)
                    ? $"Verifying the GitHub App of '{integration.Name}' with "
                        + $"{(string.IsNullOrEmpty(integration.HostUrl) ? "github.com" : integration.HostUrl)}"
                        + "."
                    : $"Verifying '{integration.Name}': reading the refs of {integration.Url}."
            );
            _work!.Add(check, finished => Emit(integration, finished));
        }
    }

    /// <summary>Waits for the verifications still running.</summary>
    protected override void EndProcessing()
    {
        _work?.Drain(block: true);
        _work?.Dispose();
        _verifier?.Dispose();
        if (Quiet)
            WriteObject(_verifier?.AllVerified ?? true);
    }

    /// <summary>Ctrl+C: stops the checks, cancels the calls to GitHub and closes the shared SSH connections.</summary>
    protected override void StopProcessing()
    {
        _work?.Cancel();
        _verifier?.Dispose();
    }

    /// <summary>Closes the shared SSH connections when the pipeline ends early (an error or Ctrl+C).</summary>
    public void Dispose() => _verifier?.Dispose();

    private void Emit(Integration integration, Func<GitConnectionResult> finished)
    {
        try
        {
            var result = _verifier!.Finish(integration, finished);
            if (result.Negotiated != null)
                WriteVerbose($"{result.Url}: SSH {result.Negotiated}.");
            if (!Quiet)
                WriteObject(result);
        }
        catch (GitIntegrationException e)
        {
            WriteIntegrationFailure(e, integration.Name);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
    }
}
