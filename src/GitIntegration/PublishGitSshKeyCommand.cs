using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Adds the public half of an SSH key where repositories live: as a deploy key of each
/// repository, or as a key of the token's account.</para>
/// <para type="description">What "add the public key to your git host" means, done for every repository from a
/// script. The host is recognised from the repository URL: github.com, gitlab.com (and a
/// server whose name starts with gitlab.), bitbucket.org, Bitbucket Data Center (SSH port 7999 or a /scm/ path); a
/// server whose name starts with github. is GitHub Enterprise Server; -HostType (GitLab, BitbucketDataCenter,
/// Gitea...) and -ApiUrl name any other. Azure DevOps has no API for SSH keys: the error names the page where the
/// key is added, and -CopyToClipboard puts it on the clipboard. The key is added read-only unless -AllowWrite
/// is given, with a title that says what it is for and since when ("app (key for the Jira git integration,
/// 2026-12-01)") unless -Title is given. A key already there, with the same SHA256 fingerprint whatever its title
/// or comment, is reported AlreadyPresent and never added twice, so the command can run again safely.
/// Each repository gives one result (Url, Name, Host, TargetKind, Fingerprint, Title, KeyId, Status) or one error
/// that names it: KeyHostScopeMissing (the token lacks a scope or permission: it is named),
/// KeyHostRepositoryNotFound, KeyAlreadyInUse (GitHub lets a deploy key serve one repository only: use one key
/// per repository, or -UserKey), KeyTypeRefusedByHost, KeyHostRateLimited. The results bind to
/// Connect-GitRepository, which then verifies each repository with the key. Only the public key is sent; the
/// token goes only in the Authorization header, over https.</para>
/// </summary>
/// <example>
/// <code>Import-Csv repos.csv | Publish-GitSshKey -Path ~/.ssh/jira_git -Token $t |
///     Connect-GitRepository -KeyPath ~/.ssh/jira_git</code>
/// <para>Adds the integration's key as a read-only deploy key of every repository in the CSV (a Url column;
/// HostType and ApiUrl columns for a self-managed server), then connects each one with it. $t is the host's
/// token, from Read-Host -AsSecureString or a vault.</para>
/// </example>
/// <example>
/// <code>Publish-GitSshKey -Url git@github.com:acme/app.git -Path ~/.ssh/jira_git -Token $t -WhatIf</code>
/// <para>Shows what would be added, and where, without contacting GitHub.</para>
/// </example>
/// <example>
/// <code>Publish-GitSshKey -Url git@github.example.com:ops/tools.git -Path ~/.ssh/jira_git -Token $t -UserKey `
///     -Title 'Jira (svc-jira)'</code>
/// <para>Adds the key once to the account of the token on a GitHub Enterprise Server, for every repository that
/// account can read.</para>
/// </example>
/// <example>
/// <code>Publish-GitSshKey -Url ssh://git@bitbucket.example.com:7999/OPS/tools.git -Path ~/.ssh/jira_git `
///     -Token $t -ProjectKey</code>
/// <para>Adds the key once as a read-only access key of the Bitbucket Data Center project OPS, for all its
/// repositories (the token needs Project admin).</para>
/// </example>
[Cmdlet(
    VerbsData.Publish,
    "GitSshKey",
    SupportsShouldProcess = true,
    ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = RepositorySet
)]
[OutputType(typeof(KeyPublishResult))]
public sealed class PublishGitSshKeyCommand : KeyPublishingCmdlet
{
    /// <summary><para type="description">The deploy key may also push. By default it is read-only, which is all the
    /// integration needs.</para></summary>
    [Parameter(ParameterSetName = RepositorySet)]
    [Parameter(ParameterSetName = ProjectSet)]
    public SwitchParameter AllowWrite { get; set; }

    /// <summary><para type="description">The key's title on the host; by default the integration's (or
    /// repository's) name, what the key is for, and today's date.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 200)]
    public string? Title { get; set; }

    /// <summary><para type="description">For a repository on Azure DevOps, which has no API for SSH keys: puts the
    /// public key on the clipboard, to paste on the page the error names (User settings > SSH public keys). Fails
    /// with ClipboardUnavailable where there is no clipboard (a runbook; Linux without xclip).</para></summary>
    [Parameter]
    public SwitchParameter CopyToClipboard { get; set; }

    private string? _copied;

    /// <summary>Azure DevOps has no key API: the key goes on the clipboard when asked, then the error says
    /// where to paste it.</summary>
    protected override void ProcessRecord()
    {
        if (CopyToClipboard && Url != null && Path != null && ToAzureDevOps(Url))
        {
            var path = ResolveNewPath(Path);
            try
            {
                if (_copied != path)
                {
                    Clipboard.Set(this, KeyPublishing.ReadPublicKey(path, Plain(Passphrase)).PublicKeyLine, path);
                    WriteWarning($"The public key of '{path}' is on the clipboard: paste it on the page below.");
                    _copied = path;
                }
            }
            catch (Core.GitIntegrationException e)
            {
                WriteItemFailure(e, Url);
            }
        }
        base.ProcessRecord();
    }

    private bool ToAzureDevOps(string url)
    {
        if (HostType == KeyHostType.AzureDevOps)
            return true;
        if (HostType != null || !Core.Git.GitUrl.TryParse(url, out var parsed))
            return false;
        var kind = Core.Git.HostProfiles.For(parsed!).Kind;
        return kind == Core.Git.HostKind.AzureDevOps || kind == Core.Git.HostKind.AzureDevOpsServer;
    }

    private protected override string Action(KeyPublication item, SshKey key) =>
        $"Add the public key {key.FingerprintSha256} as "
        + (
            UserKey ? "a key of the token's account"
            : ProjectKey ? (AllowWrite ? "a project access key that may push" : "a read-only project access key")
            : AllowWrite ? "a deploy key that may push"
            : "a read-only deploy key"
        );

    private protected override KeyPublishOptions Options(SshKey key, string keyPath)
    {
        var options = base.Options(key, keyPath);
        options.Title = Title;
        options.AllowWrite = AllowWrite;
        return options;
    }

    private protected override Task<IReadOnlyList<KeyPublishResult>> RunAsync(
        IEnumerable<KeyPublication> items,
        KeyPublishOptions options,
        Action<KeyPublishResult> finished,
        CancellationToken cancel
    ) => KeyPublishing.PublishAsync(items, options, finished, cancel);
}
