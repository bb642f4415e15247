using System;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Replaces a GitHub App integration's private key with a re-issued one, after GitHub has
/// accepted it.</para>
/// <para type="description">Reads the new key (it must be an RSA private key),
/// signs a JWT with it and asks GitHub for the app (GET /app): only when GitHub accepts the
/// key for the same app id does it replace the stored key (atomically, owner-only). A key of another app, or one GitHub
/// does not know, is refused and the stored key stays. The stored key is not needed: a deleted or damaged key file
/// is replaced the same way. Delete the old key on GitHub afterwards.</para>
/// </summary>
/// <example>
/// <code>Update-GitHubAppKey -Name acme-app -PrivateKeyPath ~/Downloads/jira-git-acme.2025-01-31.private-key.pem</code>
/// <para>Replaces the key of acme-app with the one just generated on the app's settings page.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ~/Downloads/*.private-key.pem | Select-Object -Last 1 | Update-GitHubAppKey -Name acme-app -PassThru</code>
/// <para>Uses the newest downloaded key and returns the updated integration.</para>
/// </example>
[Cmdlet(VerbsData.Update, "GitHubAppKey", SupportsShouldProcess = true)]
[OutputType(typeof(Integration))]
public sealed class UpdateGitHubAppKeyCommand : GitIntegrationCmdlet
{
    private readonly GitHubWork _gitHub;

    /// <summary>Runs the calls to GitHub on the pipeline thread.</summary>
    public UpdateGitHubAppKeyCommand() => _gitHub = new GitHubWork(this);

    /// <summary><para type="description">The store file (or its folder) to use instead of
    /// $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
    [Parameter]
    public string? StorePath { get; set; }

    /// <summary>Ctrl+C: cancels the wait.</summary>
    protected override void StopProcessing() => _gitHub.Stop();

    /// <summary><para type="description">The name of the app integration whose key is replaced.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    public string Name { get; set; } = "";

    /// <summary>
    /// <para type="description">The new private key (.pem from the app's settings page, Private keys → Generate a
    /// private key).</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName")]
    [ArgumentCompleter(typeof(KeyPathCompleter))]
    public string PrivateKeyPath { get; set; } = "";

    /// <summary><para type="description">Returns the updated integration.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Checks and replaces the key.</summary>
    protected override void ProcessRecord()
    {
        var store = IntegrationStoreAccess.Open(this, StorePath);
        var path = ResolvePaths(new[] { PrivateKeyPath }, literal: true).FirstOrDefault();
        if (path == null)
            return;
        var exact = new[] { WildcardPattern.Escape(Name) };
        var named = IntegrationStoreAccess.Select(store.Load(), exact, null, e => WriteFailure(e));
        foreach (var i in IntegrationStoreAccess.Apps(named, exact, (e, x) => WriteFailure(e, x)))
        {
            try
            {
                if (
                    !ShouldProcess(
                        $"{i.Name} (app {GitHubAppIntegration.Text(i, GitHubAppIntegration.AppId)})",
                        $"Replace the app's private key with '{path}'"
                    )
                )
                    continue;
                var pem = KeyFiles.ReadText(path);
                using var http = _gitHub.Http(i);
                var updated = _gitHub.Run(c => GitHubAppIntegration.ReplaceKeyAsync(store, http, i, pem, c));
                WriteVerbose(
                    "GitHub accepted the new key for app "
                        + $"{GitHubAppIntegration.Text(updated, GitHubAppIntegration.AppId)}; it replaced the stored "
                        + "one."
                );
                if (PassThru)
                    WriteObject(updated);
            }
            catch (GitIntegrationException e)
            {
                WriteFailure(e, i);
            }
        }
    }
}
