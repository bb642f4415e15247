using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Git;

namespace GitIntegration.Core.Hosts;

/// <summary>The git hosts whose REST API can add an SSH public key.</summary>
public enum KeyHostType
{
    GitHub,
    GitHubEnterprise,
    GitLab,
    BitbucketCloud,
    BitbucketDataCenter,
    Gitea,
    AzureDevOps,
}

/// <summary>Where on the host the key goes.</summary>
public enum KeyTargetKind
{
    /// <summary>A deploy key (GitHub, GitLab, Gitea), access key (Bitbucket) of one repository.</summary>
    Repository,

    /// <summary>A key of the account the token belongs to: it reaches every repository that account can.</summary>
    User,

    /// <summary>A project's access key (Bitbucket Data Center): every repository of the project.</summary>
    Project,
}

/// <summary>
/// A place for keys on a host: a repository (by its path in the clone URL), the token's user, or a project.
/// The host reads the path its own way (GitLab's subgroups, Bitbucket Data Center's /scm/PROJECT/repo).
/// </summary>
public sealed class KeyTarget
{
    public KeyTarget(KeyTargetKind kind, GitUrl url, string? project = null)
    {
        Kind = kind;
        Url = url;
        Project = project;
    }

    public KeyTargetKind Kind { get; }

    /// <summary>The repository URL the target was derived from (also for a user or project key).</summary>
    public GitUrl Url { get; }

    /// <summary>The repository path as the URL has it, without ".git": "acme/app", "scm/OPS/tools".</summary>
    public string RepositoryPath => Url.RepositoryPath;

    /// <summary>For <see cref="KeyTargetKind.Project"/>: the project key, when not taken from the URL.</summary>
    public string? Project { get; }

    /// <summary>The refusal of this target by a host that has no place for it, in the host's words.</summary>
    public GitIntegrationException NotSupported(string message) =>
        new(HostErrorIds.TargetNotSupported, ErrorKind.InvalidArgument, message) { Target = Url.ToString() };

    public override string ToString() =>
        Kind switch
        {
            KeyTargetKind.User => "the token's user",
            KeyTargetKind.Project => "project " + (Project ?? RepositoryPath),
            _ => RepositoryPath,
        };
}

/// <summary>A key as the host lists it.</summary>
public sealed class HostedKey
{
    /// <summary>The host's id for the key (a number on most hosts), used to remove it.</summary>
    public string Id { get; set; } = "";
    public string? Title { get; set; }

    /// <summary>The public key as the host returns it ("ssh-rsa AAAA...", maybe with a comment).</summary>
    public string Key { get; set; } = "";

    /// <summary>True for a read-only key, false when it may push; null where the host has no such notion.</summary>
    public bool? ReadOnly { get; set; }
}

/// <summary>The key to add: its title, its public key line, and whether it may push.</summary>
public sealed class NewHostedKey
{
    public NewHostedKey(string title, string publicKey, bool readOnly)
    {
        Title = title;
        PublicKey = publicKey;
        ReadOnly = readOnly;
    }

    public string Title { get; }

    /// <summary>"TYPE BASE64" (no comment: the title says what it is).</summary>
    public string PublicKey { get; }
    public bool ReadOnly { get; }
}

/// <summary>
/// One host's key API, bound to an API address and a token. Implementations turn the host's refusals into
/// <see cref="GitIntegrationException"/>s with the ids of <see cref="HostErrorIds"/> (see <see cref="HostApi"/>,
/// which does the HTTP, the retries and the rate limits). Register a new host in <see cref="KeyHosts"/>.
/// </summary>
public interface IKeyHost : IDisposable
{
    KeyHostType Type { get; }

    /// <summary>The REST API root (ends with a slash).</summary>
    Uri ApiUrl { get; }

    /// <summary>Refuses a target the host has no place for (a project key on GitHub) or a path it cannot read.
    /// </summary>
    void Check(KeyTarget target);
    Task<IReadOnlyList<HostedKey>> ListAsync(KeyTarget target, CancellationToken cancel);
    Task<HostedKey> AddAsync(KeyTarget target, NewHostedKey key, CancellationToken cancel);
    Task RemoveAsync(KeyTarget target, string id, CancellationToken cancel);
}
