using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Git;

public enum HostKind
{
    Generic,
    GitHub,
    GitHubEnterprise,
    GitLab,
    GitLabSelfManaged,
    BitbucketCloud,
    BitbucketServer,
    AzureDevOps,
    AzureDevOpsServer,
    AwsCodeCommit,
    Gerrit,
    GitBlit,
    Gitolite,
    Beanstalk,
}

/// <summary>A host key fingerprint a service publishes in its documentation.</summary>
public sealed class PublishedHostKey
{
    public PublishedHostKey(string type, string fingerprint)
    {
        Type = type;
        Fingerprint = fingerprint;
    }

    /// <summary>The SSH key type, as ssh-keyscan names it (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa).</summary>
    public string Type { get; }
    public string Fingerprint { get; }

    public override string ToString() => $"{Type} {Fingerprint}";
}

/// <summary>
/// What the module knows about a kind of git host. Every value comes from the documentation in <see cref="Sources"/>.
/// </summary>
public sealed class HostProfile
{
    public HostKind Kind { get; set; }
    public string DisplayName { get; set; } = "";

    /// <summary>Host names of the public service (exact, lower case); empty for self-hosted products.</summary>
    public IReadOnlyList<string> HostNames { get; set; } = Array.Empty<string>();

    /// <summary>The SSH login the clone URL uses; null when it is personal (the account or key ID).</summary>
    public string? SshUser { get; set; } = "git";
    public int SshPort { get; set; } = 22;

    /// <summary>Where SSH answers on port 443 when port 22 is blocked, if the service offers that.</summary>
    public string? Port443Host { get; set; }
    public IReadOnlyList<KeyAlgorithm> KeyTypes { get; set; } =
        new[] { KeyAlgorithm.Ed25519, KeyAlgorithm.Ecdsa, KeyAlgorithm.Rsa };

    /// <summary>Where the public key is added ({host} stands for the server's name).</summary>
    public string AddKeyPage { get; set; } = "";
    public IReadOnlyList<PublishedHostKey> HostKeys { get; set; } = Array.Empty<PublishedHostKey>();

    /// <summary>The documentation each value above was taken from.</summary>
    public IReadOnlyList<string> Sources { get; set; } = Array.Empty<string>();

    public string AddKeyPageFor(string host) => AddKeyPage.Replace("{host}", host);

    public override string ToString() => DisplayName;
}

/// <summary>The reviewed table of host profiles, and how a URL finds its profile.</summary>
public static class HostProfiles
{
    private static readonly KeyAlgorithm[] RsaOnly = { KeyAlgorithm.Rsa };

    public static IReadOnlyList<HostProfile> All { get; } =
        new[]
        {
            new HostProfile
            {
                Kind = HostKind.GitHub,
                DisplayName = "GitHub",
                HostNames = new[] { "github.com", "ssh.github.com" },
                Port443Host = "ssh.github.com",
                AddKeyPage = "https://github.com/settings/keys (or the repository's Settings > Deploy keys)",
                HostKeys = new[]
                {
                    new PublishedHostKey("ssh-ed25519", "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU"),
                    new PublishedHostKey("ecdsa-sha2-nistp256", "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM"),
                    new PublishedHostKey("ssh-rsa", "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"),
                },
                Sources = new[]
                {
                    "https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/"
                        + "githubs-ssh-key-fingerprints",
                    "https://docs.github.com/en/authentication/troubleshooting-ssh/using-ssh-over-the-https-port",
                    "https://docs.github.com/en/authentication/connecting-to-github-with-ssh/"
                        + "adding-a-new-ssh-key-to-your-github-account",
                },
            },
            new HostProfile
            {
                Kind = HostKind.GitHubEnterprise,
                DisplayName = "GitHub Enterprise Server",
                AddKeyPage = "https://{host}/settings/keys",
                Sources = new[]
                {
                    "https://docs.github.com/en/enterprise-server@latest/authentication/"
                        + "connecting-to-github-with-ssh/adding-a-new-ssh-key-to-your-github-account",
                },
            },
            new HostProfile
            {
                Kind = HostKind.GitLab,
                DisplayName = "GitLab.com",
                HostNames = new[] { "gitlab.com", "altssh.gitlab.com" },
                Port443Host = "altssh.gitlab.com",
                AddKeyPage = "https://gitlab.com/-/user_settings/ssh_keys",
                HostKeys = new[]
                {
                    new PublishedHostKey("ssh-ed25519", "SHA256:eUXGGm1YGsMAS7vkcx6JOJdOGHPem5gQp4taiCfCLB8"),
                    new PublishedHostKey("ecdsa-sha2-nistp256", "SHA256:HbW3g8zUjNSksFbqTiUWPWg2Bq1x8xdGUrliXFzSnUw"),
                    new PublishedHostKey("ssh-rsa", "SHA256:ROQFvPThGrW4RuWLoL9tq9I9zJ42fK4XywyRtbOz/EQ"),
                },
                Sources = new[]
                {
                    "https://docs.gitlab.com/user/gitlab_com/#ssh-host-keys-fingerprints",
                    "https://docs.gitlab.com/user/gitlab_com/#alternative-ssh-port",
                    "https://docs.gitlab.com/user/ssh/#supported-ssh-key-types",
                },
            },
            new HostProfile
            {
                Kind = HostKind.GitLabSelfManaged,
                DisplayName = "GitLab CE/EE (self-managed)",
                AddKeyPage = "https://{host}/-/user_settings/ssh_keys",
                Sources = new[] { "https://docs.gitlab.com/user/ssh/" },
            },
            new HostProfile
            {
                Kind = HostKind.BitbucketCloud,
                DisplayName = "Bitbucket Cloud",
                HostNames = new[] { "bitbucket.org", "altssh.bitbucket.org" },
                Port443Host = "altssh.bitbucket.org",
                AddKeyPage =
                    "https://bitbucket.org/account/settings/ssh-keys/ (or the repository's Repository settings "
                    + "> Access keys)",
                HostKeys = new[]
                {
                    new PublishedHostKey("ssh-ed25519", "SHA256:ybgmFkzwOSotHTHLJgHO0QN8L0xErw6vd0VhFA9m3SM"),
                    new PublishedHostKey("ecdsa-sha2-nistp256", "SHA256:FC73VB6C4OQLSCrjEayhMp9UMxS97caD/Yyi2bhW/J0"),
                    new PublishedHostKey("ssh-rsa", "SHA256:46OSHA1Rmj8E8ERTC6xkNcmGOw9oFxYr0WF6zWW8l1E"),
                },
                Sources = new[]
                {
                    "https://bitbucket.org/blog/ssh-host-key-changes",
                    "https://support.atlassian.com/bitbucket-cloud/docs/configure-ssh-and-two-step-verification/",
                    "https://support.atlassian.com/bitbucket-cloud/docs/troubleshoot-ssh-issues/",
                },
            },
            new HostProfile
            {
                Kind = HostKind.BitbucketServer,
                DisplayName = "Bitbucket Server / Data Center",
                SshPort = 7999,
                AddKeyPage = "https://{host}/plugins/servlet/ssh/account/keys",
                Sources = new[]
                {
                    "https://confluence.atlassian.com/bitbucketserver/ssh-user-keys-for-personal-use-776639793.html",
                },
            },
            new HostProfile
            {
                Kind = HostKind.AzureDevOps,
                DisplayName = "Azure DevOps Services",
                HostNames = new[] { "ssh.dev.azure.com", "vs-ssh.visualstudio.com", "dev.azure.com" },
                KeyTypes = RsaOnly,
                AddKeyPage = "https://dev.azure.com/{org}/_usersSettings/keys (User settings > SSH public keys)",
                HostKeys = new[]
                {
                    new PublishedHostKey("ssh-rsa", "SHA256:ohD8VZEXGWo6Ez8GSEJQ9WpafgLFsOfLOtGGQCQo6Og"),
                },
                Sources = new[]
                {
                    "https://learn.microsoft.com/en-us/azure/devops/repos/git/use-ssh-keys-to-authenticate",
                },
            },
            new HostProfile
            {
                Kind = HostKind.AzureDevOpsServer,
                DisplayName = "Azure DevOps Server / TFS",
                KeyTypes = RsaOnly,
                AddKeyPage = "https://{host}/ (User settings > SSH public keys)",
                Sources = new[]
                {
                    "https://learn.microsoft.com/en-us/azure/devops/repos/git/"
                        + "use-ssh-keys-to-authenticate?view=azure-devops-2022",
                },
            },
            new HostProfile
            {
                Kind = HostKind.AwsCodeCommit,
                DisplayName = "AWS CodeCommit",
                SshUser = null,
                KeyTypes = RsaOnly,
                AddKeyPage =
                    "https://console.aws.amazon.com/iam/ (your IAM user > Security credentials > Upload SSH "
                    + "public key; the SSH key ID is the login)",
                Sources = new[]
                {
                    "https://docs.aws.amazon.com/codecommit/latest/userguide/setting-up-ssh-unixes.html",
                },
            },
            new HostProfile
            {
                Kind = HostKind.Gerrit,
                DisplayName = "Gerrit Code Review",
                SshUser = null,
                SshPort = 29418,
                AddKeyPage = "https://{host}/settings/#SSHKeys",
                Sources = new[] { "https://gerrit-review.googlesource.com/Documentation/user-upload.html#ssh" },
            },
            new HostProfile
            {
                Kind = HostKind.GitBlit,
                DisplayName = "GitBlit",
                SshUser = null,
                SshPort = 29418,
                AddKeyPage =
                    "ssh -l USER -p 29418 {host} keys add < key.pub (or the user's profile page, SSH keys tab)",
                Sources = new[] { "http://gitblit.github.io/gitblit/setup_transport_ssh.html" },
            },
            new HostProfile
            {
                Kind = HostKind.Gitolite,
                DisplayName = "Gitolite",
                AddKeyPage =
                    "the gitolite-admin repository: keydir/NAME.pub, then commit and push (ask the gitolite "
                    + "administrator)",
                Sources = new[] { "https://gitolite.com/gitolite/basic-admin.html#addremove-users" },
            },
            new HostProfile
            {
                Kind = HostKind.Beanstalk,
                DisplayName = "Beanstalk",
                AddKeyPage = "https://{host}/ (your Beanstalk profile > SSH keys)",
                Sources = new[]
                {
                    "http://guides.beanstalkapp.com/version-control/tips-for-using-ssh-keys.html",
                    "https://api.beanstalkapp.com/public_key",
                },
            },
            new HostProfile
            {
                Kind = HostKind.Generic,
                DisplayName = "Git server (OpenSSH)",
                AddKeyPage = "the server's authorized_keys for the git account (ask its administrator)",
                Sources = new[] { "https://git-scm.com/book/en/v2/Git-on-the-Server-Setting-Up-the-Server" },
            },
        };

    public static HostProfile Get(HostKind kind) => All.First(p => p.Kind == kind);

    private static readonly Regex CodeCommitHost = new Regex(
        @"^git-codecommit(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$",
        RegexOptions.CultureInvariant
    );

    /// <summary>
    /// The profile a URL belongs to: by the public services' host names first, then by the shape of the URL.
    /// </summary>
    public static HostProfile For(GitUrl url)
    {
        var host = url.Host;
        var known = All.FirstOrDefault(p => p.HostNames.Contains(host));
        if (known != null)
            return known;
        if (host.EndsWith(".visualstudio.com", StringComparison.Ordinal))
            return Get(HostKind.AzureDevOps);
        if (CodeCommitHost.IsMatch(host))
            return Get(HostKind.AwsCodeCommit);
        if (host.EndsWith(".beanstalkapp.com", StringComparison.Ordinal))
            return Get(HostKind.Beanstalk);
        var path = url.Path;
        if (url.IsSsh && url.EffectivePort == 7999)
            return Get(HostKind.BitbucketServer);
        if (url.IsHttp && path.StartsWith("/scm/", StringComparison.Ordinal))
            return Get(HostKind.BitbucketServer);
        if (path.Contains("/_git/") || path.Contains("/_ssh/"))
            return Get(HostKind.AzureDevOpsServer);
        if (url.IsHttp && path.StartsWith("/r/", StringComparison.Ordinal))
            return Get(HostKind.GitBlit);
        if (url.IsSsh && url.EffectivePort == 29418)
            return Get(HostKind.Gerrit);
        if (host.StartsWith("github.", StringComparison.Ordinal))
            return Get(HostKind.GitHubEnterprise);
        if (host.StartsWith("gitlab.", StringComparison.Ordinal))
            return Get(HostKind.GitLabSelfManaged);
        return Get(HostKind.Generic);
    }

    /// <summary>The published key of that type for that host, or null when the service publishes none.</summary>
    public static IEnumerable<PublishedHostKey> PublishedKeys(string host) =>
        All.Where(p => p.HostNames.Contains(host.ToLowerInvariant())).SelectMany(p => p.HostKeys);
}
