using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Takes an SSH public key off the repositories (deploy keys) or the token's account, so
/// that it no longer opens them.</para>
/// <para type="description">The key is found by its SHA256 fingerprint, whatever its title: each repository
/// reports Removed, or NotPresent when the key was not there (so running it again is safe). It asks first
/// (ConfirmImpact High): -Force or -Confirm:$false does not ask, -WhatIf only reports. Errors name the repository
/// as Publish-GitSshKey's do.</para>
/// </summary>
/// <example>
/// <code>Import-Csv repos.csv | Unpublish-GitSshKey -Path ~/.ssh/old_jira_git -Token $t -Force</code>
/// <para>Removes an old key from every repository in the CSV, after a new one has been published and
/// verified.</para>
/// </example>
/// <example>
/// <code>Unpublish-GitSshKey -Url git@github.com:acme/app.git -Path ~/.ssh/jira_git -Token $t -UserKey `
///     -WhatIf</code>
/// <para>Shows that the key would be taken off the token's account, without contacting GitHub.</para>
/// </example>
[Cmdlet(
    VerbsData.Unpublish,
    "GitSshKey",
    SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = RepositorySet
)]
[OutputType(typeof(KeyPublishResult))]
public sealed class UnpublishGitSshKeyCommand : KeyPublishingCmdlet
{
    /// <summary><para type="description">Does not ask before removing the key.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override string Action(KeyPublication item, SshKey key) =>
        $"Remove the public key {key.FingerprintSha256} from "
        + (
            UserKey ? "the token's account"
            : ProjectKey ? "the project's access keys"
            : "the repository's deploy keys"
        );

    // -Force skips the confirmation that ConfirmImpact High asks for; -WhatIf still only reports.
    private protected override bool Confirmed(string url, string action) =>
        Force && !MyInvocation.BoundParameters.ContainsKey("WhatIf") || ShouldProcess(url, action);

    private protected override Task<IReadOnlyList<KeyPublishResult>> RunAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult> finished,
        CancellationToken cancel
    ) => KeyPublishing.UnpublishAsync(items, options, finished, cancel);
}
