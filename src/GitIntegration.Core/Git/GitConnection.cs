using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git;

/// <summary>Why a connection failed: one precise reason, each with its own remedy.</summary>
public enum ConnectionFailure
{
    None,
    PermissionDenied,
    HostKeyUnknown,
    HostKeyChanged,
    ConnectionRefused,
    Timeout,
    NameResolution,
    WrongPassphrase,
    PassphraseRequired,
    KeyRejectedByIntegrationRule,
    RepositoryNotFound,
    RepositoryAccessDenied,
    CertificateInvalid,
    AuthenticationFailed,
    ConnectionFailed,

    // GitHub App integrations (Test-GitIntegration); the first three are the seed's stuck-Installing cases 1 to 3.
    WaitingForGitHub,
    AppNotInstalled,
    AppDeleted,
    AppKeyRejected,
    InstallationRemoved,
    InstallationSuspended,
    RateLimited,
    ServiceError,
}

/// <summary>
/// How to reach and authenticate to a repository. Secrets live here only for the call; they never reach a command line.
/// </summary>
public sealed class GitAccess
{
    /// <summary>The private key for SSH; null uses the SSH client's default keys and agent.</summary>
    public string? KeyPath { get; set; }
    public string? Passphrase { get; set; }

    /// <summary>
    /// HTTPS: the user name sent with the token (any name works for GitHub and Azure DevOps; Bitbucket wants the
    /// account's).
    /// </summary>
    public string? UserName { get; set; }
    public string? Token { get; set; }
    public bool SkipSslVerification { get; set; }

    /// <summary>HTTPS: server certificates (or their issuers) trusted by SHA-256 or SHA-1 thumbprint.</summary>
    public IReadOnlyList<string>? TrustedCertificateThumbprints { get; set; }

    /// <summary>Sends a token over plain http:// (-AllowUnencryptedAuthentication); refused otherwise.</summary>
    public bool AllowUnencryptedAuthentication { get; set; }
    public string KnownHostsPath { get; set; } = KnownHosts.DefaultPath;
    public bool AcceptNewHostKey { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whose key rules apply once the host accepts the key; null checks none.</summary>
    public KeyRequirement? Requirement { get; set; }

    /// <summary>Shares SSH connections with the other verifications of the same command; null connects alone.</summary>
    public SshConnections? Connections { get; set; }
}

/// <summary>
/// The outcome of an SSH login test, of a git ls-remote, or of a GitHub App integration's check (Test-GitIntegration):
/// authenticated or not, and why. For an app, Url is the organization's page, Account the installation's account
/// and KeyFingerprint the app key's.
/// </summary>
public sealed class GitConnectionResult
{
    /// <summary>
    /// The integration's name (Connect-GitRepository, Test-GitIntegration); null for a plain login test.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>The integration's type (Test-GitIntegration); null for a plain login test.</summary>
    public IntegrationType? Type { get; set; }
    public string Url { get; set; } = "";
    public string HostName { get; set; } = "";
    public int Port { get; set; }
    public string? User { get; set; }
    public HostKind HostKind { get; set; }
    public bool Authenticated { get; set; }

    /// <summary>
    /// The account the host greeted (GitHub "Hi NAME!", GitLab "@NAME", Bitbucket, gitolite "hello NAME", Gerrit).
    /// </summary>
    public string? Account { get; set; }
    public ConnectionFailure Reason { get; set; }
    public bool Success => Reason == ConnectionFailure.None;
    public string? Message { get; set; }
    public string? Remedy { get; set; }
    public string? KeyFingerprint { get; set; }
    public string? HostKeyFingerprint { get; set; }

    /// <summary>The SSH key exchange and host key algorithm the connection agreed on (for -Verbose).</summary>
    public string? Negotiated { get; set; }
    public string? DefaultBranch { get; set; }
    public int? BranchCount { get; set; }
    public int? TagCount { get; set; }

    /// <summary>A GitHub App's installation as GitHub describes it now; null when it is not installed.</summary>
    public GitHubAppInstallation? Installation { get; set; }

    /// <summary>
    /// The app as GitHub describes it now (slug and page change on a rename); recorded by the app check.
    /// </summary>
    internal GitHubApp? App { get; set; }

    /// <summary>Where an organization admin installs a GitHub App that is not installed.</summary>
    public string? InstallUrl { get; set; }
    public TimeSpan Duration { get; set; }

    public override string ToString() => $"{Url}: {(Success ? "OK" : Reason.ToString())}";

    /// <summary>The failure as an exception, for callers that report errors rather than results.</summary>
    public GitIntegrationException ToException()
    {
        var kind = Reason switch
        {
            ConnectionFailure.PermissionDenied => ErrorKind.PermissionDenied,
            ConnectionFailure.RepositoryAccessDenied => ErrorKind.PermissionDenied,
            ConnectionFailure.HostKeyUnknown => ErrorKind.SecurityError,
            ConnectionFailure.HostKeyChanged => ErrorKind.SecurityError,
            ConnectionFailure.CertificateInvalid => ErrorKind.SecurityError,
            ConnectionFailure.Timeout => ErrorKind.OperationTimeout,
            ConnectionFailure.WrongPassphrase => ErrorKind.AuthenticationError,
            ConnectionFailure.PassphraseRequired => ErrorKind.AuthenticationError,
            ConnectionFailure.AuthenticationFailed => ErrorKind.AuthenticationError,
            ConnectionFailure.KeyRejectedByIntegrationRule => ErrorKind.InvalidData,
            ConnectionFailure.RepositoryNotFound => ErrorKind.ObjectNotFound,
            ConnectionFailure.WaitingForGitHub => ErrorKind.ResourceUnavailable,
            ConnectionFailure.AppNotInstalled => ErrorKind.NotInstalled,
            ConnectionFailure.AppDeleted => ErrorKind.ObjectNotFound,
            ConnectionFailure.AppKeyRejected => ErrorKind.AuthenticationError,
            ConnectionFailure.InstallationRemoved => ErrorKind.ObjectNotFound,
            ConnectionFailure.InstallationSuspended => ErrorKind.ResourceUnavailable,
            ConnectionFailure.RateLimited => ErrorKind.LimitsExceeded,
            ConnectionFailure.ServiceError => ErrorKind.ResourceUnavailable,
            _ => ErrorKind.ConnectionError,
        };
        return new GitIntegrationException(
            ConnectionErrorIds.For(Reason),
            kind,
            Remedy == null ? Message ?? Reason.ToString() : $"{Message} {Remedy}"
        )
        {
            Target = Url,
        };
    }
}

/// <summary>
/// Checks a repository or a login. Over SSH everything runs in this process (SSH.NET, with our own key reader):
/// host keys checked against the module's known_hosts, the greeting read as <c>ssh -T</c> gets it, the repository
/// verified as <c>git ls-remote</c> does. git runs only to clone, and for HTTPS.
/// </summary>
public static class GitConnection
{
    /// <summary>Logs in like <c>ssh -T git@host</c> and reads the host's greeting.</summary>
    public static GitConnectionResult TestSsh(GitUrl url, GitAccess access, CancellationToken cancel = default) =>
        OverSsh(GitUrlConverter.ToSsh(url), access, greet: true, cancel);

    /// <summary>
    /// Lists the remote's refs as <c>git ls-remote --symref</c> does: proves read access and finds the default branch.
    /// </summary>
    public static GitConnectionResult ListRemote(GitUrl url, GitAccess access, CancellationToken cancel = default) =>
        url.IsSsh ? OverSsh(url, access, greet: false, cancel) : SmartHttp.ListRefs(url, access, cancel);

    /// <summary>
    /// Clones into <paramref name="destination"/> (which must not exist or be empty), with the same trust and
    /// credentials.
    /// </summary>
    public static GitConnectionResult Clone(
        GitUrl url,
        GitAccess access,
        string destination,
        CancellationToken cancel = default
    ) =>
        // A clone takes longer than a listing: the time limit covers connecting, not the transfer.
        RunGit(
            url,
            access,
            new[] { "clone", "--quiet", "--", url.ToString(), Path.GetFullPath(destination) },
            TimeSpan.FromHours(2),
            cancel
        );

    private static GitConnectionResult NewResult(GitUrl url, GitAccess access, HostProfile profile) =>
        new GitConnectionResult
        {
            Url = url.ToString(),
            HostName = url.Host,
            Port = url.EffectivePort,
            User = url.IsSsh ? SshUser(url, profile) : access.UserName,
            HostKind = profile.Kind,
        };

    /// <summary>The login: the URL's, the host's usual one (git), or, as ssh does, the local user's name.</summary>
    private static string SshUser(GitUrl url, HostProfile profile) =>
        url.User ?? profile.SshUser ?? Environment.UserName;

    private static GitConnectionResult OverSsh(GitUrl url, GitAccess access, bool greet, CancellationToken cancel)
    {
        var profile = HostProfiles.For(url);
        var result = NewResult(url, access, profile);
        var started = DateTime.UtcNow;
        try
        {
            using var own = access.Connections == null ? new SshConnections() : null;
            var connections = access.Connections ?? own!;
            var keys = OpenKeys(access, connections, result, out var rules);
            if (keys == null)
                return result;
            var target = new SshTarget(url, result.User!, access, keys);
            try
            {
                if (greet)
                {
                    var text = connections.Use(
                        target,
                        login => Noted(result, login, () => SshChannels.Greeting(login.Client, access.Timeout, cancel)),
                        cancel
                    );
                    result.Authenticated = true;
                    var greeting = ReadGreeting(text);
                    result.Account = greeting?.Account;
                    // The greeting names the product behind a host name the table does not know (self-hosted GitLab,
                    // GitHub Enterprise, Gerrit).
                    if (greeting?.Host is HostKind greeted && profile.HostNames.Count == 0)
                        result.HostKind = (profile = HostProfiles.Get(greeted)).Kind;
                }
                else
                {
                    var refs = connections.Use(
                        target,
                        login =>
                            Noted(result, login, () => SshChannels.ListRefs(login.Client, url, access.Timeout, cancel)),
                        cancel
                    );
                    result.Authenticated = true;
                    if (!refs.Complete)
                        return Refused(result, url, profile, refs);
                    ReadAdvertisement(refs.Lines, result);
                }
            }
            catch (SshFailure f)
            {
                result.HostKeyFingerprint ??= f.HostKeyFingerprint;
                return Fail(result, f.Reason, f.Message, f.Remedy ?? RemedyFor(f.Reason, url, profile, result));
            }
            catch (InvalidDataException e)
            {
                result.Authenticated = true;
                return Fail(
                    result,
                    ConnectionFailure.ConnectionFailed,
                    $"'{url}' did not answer as a git server does: it sent {e.Message}.",
                    RemedyFor(ConnectionFailure.ConnectionFailed, url, profile, result)
                );
            }
            catch (Exception e) when (SshLogin.IsDrop(e) && !cancel.IsCancellationRequested)
            {
                return Fail(
                    result,
                    ConnectionFailure.ConnectionFailed,
                    $"The SSH connection to {KnownHosts.Name(url.Host, url.EffectivePort)} dropped twice while "
                        + $"checking '{url}' ({e.Message.TrimEnd('.')}).",
                    "Run the command again; if it keeps failing, ask the server's administrator to look at its SSH log."
                );
            }
            return Succeeded(result, rules, profile, url);
        }
        finally
        {
            result.Duration = DateTime.UtcNow - started;
        }
    }

    private static T Noted<T>(GitConnectionResult result, SshLogin login, Func<T> work)
    {
        result.Negotiated = login.Negotiated;
        result.HostKeyFingerprint = login.HostKeyFingerprint;
        return work();
    }

    /// <summary>
    /// Keys ssh would try when none is given: the usual files in ~/.ssh that open without a passphrase.
    /// </summary>
    private static readonly string[] DefaultKeyNames = { "id_ed25519", "id_ecdsa", "id_rsa" };

    /// <summary>
    /// Opens the key with our own reader (PEM, PKCS#8, OpenSSH, PuTTY; the passphrase never leaves this process), or
    /// fills
    /// <paramref name="result"/> with why it cannot be used and returns null.
    /// </summary>
    private static IReadOnlyList<SshKey>? OpenKeys(
        GitAccess access,
        SshConnections connections,
        GitConnectionResult result,
        out KeyTestResult? rules
    )
    {
        rules = null;
        if (access.KeyPath == null)
        {
            var found = new List<SshKey>();
            foreach (var name in DefaultKeyNames)
            {
                var path = Path.Combine(KeyFiles.DefaultFolder, name);
                if (!File.Exists(path))
                    continue;
                try
                {
                    var key = connections.Once("key", path, null, () => KeyReader.ReadFile(path).Key);
                    if (key?.HasPrivate == true)
                        found.Add(key);
                }
                catch (GitIntegrationException) { }
            }
            if (found.Count > 0)
                return found;
            Fail(
                result,
                ConnectionFailure.PermissionDenied,
                $"No key was given for '{result.Url}', and {KeyFiles.DefaultFolder} holds no id_ed25519, "
                    + "id_ecdsa or id_rsa that opens without a passphrase.",
                "Give the key with -Path (Test-GitSshKey) or -KeyPath (Connect-GitRepository), and its "
                    + "-Passphrase if it has one."
            );
            return null;
        }
        var keyPath = Path.GetFullPath(access.KeyPath);
        KeyDocument doc;
        try
        {
            doc = connections.Once(
                "key",
                keyPath,
                access.Passphrase,
                () => KeyFiles.Inspect(keyPath, access.Passphrase).Document
            );
        }
        catch (KeyPassphraseException e)
        {
            Fail(
                result,
                e.ErrorId == ErrorIds.WrongPassphrase
                    ? ConnectionFailure.WrongPassphrase
                    : ConnectionFailure.PassphraseRequired,
                $"{e.Message} ('{result.Url}' was not contacted.)",
                "Pass the key's passphrase with -Passphrase (Read-Host -AsSecureString, or from a vault)."
            );
            return null;
        }
        if (doc.IsEncrypted && access.Passphrase == null)
        {
            Fail(
                result,
                ConnectionFailure.PassphraseRequired,
                $"The key '{keyPath}' is protected by a passphrase, so '{result.Url}' was not contacted.",
                "Pass it with -Passphrase: nothing may prompt for it in an unattended run."
            );
            return null;
        }
        result.KeyFingerprint = (doc.Key ?? KeyFiles.ReadSiblingPublic(keyPath))?.FingerprintSha256;
        if (doc.Key?.HasPrivate != true)
        {
            Fail(
                result,
                ConnectionFailure.PermissionDenied,
                $"'{keyPath}' holds no private key, so it cannot log in to '{result.Url}'.",
                "Give the private key file (the one without .pub); Get-GitSshKey lists the keys in ~/.ssh."
            );
            return null;
        }
        if (doc.Key.Algorithm == KeyAlgorithm.Dsa)
        {
            Fail(
                result,
                ConnectionFailure.PermissionDenied,
                $"'{keyPath}' is a DSA key, which OpenSSH and every git host refuse, so it cannot log in to "
                    + $"'{result.Url}'.",
                "Generate a new key with New-GitSshKey and add its public key on the host."
            );
            return null;
        }
        var requirement = access.Requirement;
        if (requirement != null)
            rules = connections.Once(
                "rules " + requirement,
                keyPath,
                access.Passphrase,
                () => KeyDiagnostics.TestFile(keyPath, access.Passphrase, requirement.Value)
            );
        return new[] { doc.Key };
    }

    private static GitConnectionResult Succeeded(
        GitConnectionResult result,
        KeyTestResult? rules,
        HostProfile profile,
        GitUrl url
    )
    {
        var broken = rules?.Findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (broken?.Count > 0)
            return Fail(
                result,
                ConnectionFailure.KeyRejectedByIntegrationRule,
                $"{(profile.Kind == HostKind.Generic ? url.Host : profile.DisplayName)} accepts the key for "
                    + $"'{url}', but it breaks the {rules!.Requirement} rule: "
                    + $"{string.Join(" ", broken.Select(f => f.Message))}",
                string.Join("; ", broken.Select(f => f.Remedy).Where(x => x != null).Distinct())
            );
        var who = result.Account != null ? " as " + result.Account : "";
        result.Message =
            $"Authenticated to {(profile.Kind == HostKind.Generic ? url.Host : profile.DisplayName)}{who}.";
        return result;
    }

    /// <summary>git-upload-pack ended without listing refs: the server's own words say why.</summary>
    private static GitConnectionResult Refused(
        GitConnectionResult result,
        GitUrl url,
        HostProfile profile,
        SshChannels.Advertisement refs
    )
    {
        var words = new string(
            string.Join(" ", (refs.Error ?? refs.Errors).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
                .Take(500)
                .Select(c => char.IsControl(c) ? '?' : c)
                .ToArray()
        );
        var reason = RemoteReason(words);
        var said =
            words.Length > 0
                ? $"it answered \"{words}\""
                : "git-upload-pack ended with exit status "
                    + $"{refs.ExitStatus?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} and no message";
        var message = reason switch
        {
            ConnectionFailure.RepositoryNotFound =>
                $"The server accepted the key, but has no repository at '{SshChannels.RemotePath(url)}' for "
                    + $"'{url}': {said}.",
            ConnectionFailure.RepositoryAccessDenied =>
                $"The server accepted the key, but may not let it read '{url}': {said}.",
            _ => $"The server accepted the key, but did not list the refs of '{url}': {said}.",
        };
        if (reason == ConnectionFailure.None)
            reason = ConnectionFailure.ConnectionFailed;
        return Fail(result, reason, message, RemedyFor(reason, url, profile, result));
    }

    /// <summary>
    /// The ref advertisement of protocol v0: HEAD's target from the symref capability, branches and tags counted.
    /// </summary>
    internal static void ReadAdvertisement(IEnumerable<string> lines, GitConnectionResult result)
    {
        int branches = 0,
            tags = 0;
        foreach (var line in lines)
        {
            var nul = line.IndexOf('\0');
            var refPart = nul < 0 ? line : line.Substring(0, nul);
            if (nul >= 0)
                foreach (var cap in line.Substring(nul + 1).Split(' '))
                    if (cap.StartsWith("symref=HEAD:", StringComparison.Ordinal))
                    {
                        var target = cap.Substring(12);
                        result.DefaultBranch = target.StartsWith("refs/heads/", StringComparison.Ordinal)
                            ? target.Substring(11)
                            : target;
                    }
            var space = refPart.IndexOf(' ');
            if (space < 0)
                continue;
            var name = refPart.Substring(space + 1);
            if (name.StartsWith("refs/heads/", StringComparison.Ordinal))
                branches++;
            else if (
                name.StartsWith("refs/tags/", StringComparison.Ordinal)
                && !name.EndsWith("^{}", StringComparison.Ordinal)
            )
                tags++;
        }
        result.BranchCount = branches;
        result.TagCount = tags;
    }

    /// <summary>git as a child process: clones, the one thing that still needs git.</summary>
    private static GitConnectionResult RunGit(
        GitUrl url,
        GitAccess access,
        IEnumerable<string> args,
        TimeSpan limit,
        CancellationToken cancel
    )
    {
        var profile = HostProfiles.For(url);
        var result = NewResult(url, access, profile);
        var started = DateTime.UtcNow;
        try
        {
            var git = Tools.Git; // first: git is what a clone needs before anything else
            var env = GitEnvironment(url, access);
            if (url.IsSsh)
            {
                if (access.KeyPath != null && !OpensWithoutPassphrase(access.KeyPath))
                    return Fail(
                        result,
                        ConnectionFailure.PassphraseRequired,
                        $"Cloning '{url}' runs git and its ssh, which could receive the passphrase of "
                            + $"'{access.KeyPath}' only through a helper program or a file, and the module hands a "
                            + "passphrase to neither.",
                        "The connection itself is verified without git. To clone, use a key in OpenSSH or PEM "
                            + "format without a passphrase for this repository, or clone yourself with the key "
                            + "loaded in ssh-agent."
                    );
                env["GIT_SSH_COMMAND"] = ShellJoin(new[] { Tools.Ssh }.Concat(SshOptions(access)));
            }
            var r = ChildProcess.Run(git, args, env, limit, cancel);
            var a = new AttemptResult();
            Classify(r, url, a);
            result.Authenticated = a.Authenticated;
            if (a.Reason != ConnectionFailure.None)
                return Fail(
                    result,
                    a.Reason,
                    $"git could not read '{url}': {a.Message}",
                    RemedyFor(a.Reason, url, profile, result)
                );
            return Succeeded(result, null, profile, url);
        }
        finally
        {
            result.Duration = DateTime.UtcNow - started;
        }
    }

    private static bool OpensWithoutPassphrase(string keyPath)
    {
        try
        {
            var doc = KeyReader.ReadFile(Path.GetFullPath(keyPath));
            return !doc.IsEncrypted && doc.Format != KeyFormat.Ppk;
        }
        catch (GitIntegrationException)
        {
            return false;
        }
    }

    private static Dictionary<string, string?> GitEnvironment(GitUrl url, GitAccess access)
    {
        var env = new Dictionary<string, string?>
        {
            ["LC_ALL"] = "C",
            ["LANGUAGE"] = null, // English messages: they are what gets classified
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GCM_INTERACTIVE"] = "never",
            ["GIT_ASKPASS"] = null,
            ["SSH_ASKPASS"] = null,
        };
        // no helper may pop up a window or answer for
        // us
        var config = new List<(string Key, string Value)> { ("credential.helper", "") };
        if (url.IsHttp)
        {
            if (access.Token != null)
            {
                var basic = Convert.ToBase64String(
                    Encoding.UTF8.GetBytes($"{access.UserName ?? "git"}:{access.Token}")
                );
                config.Add(("http.extraHeader", "Authorization: Basic " + basic));
            }
            if (access.SkipSslVerification)
                config.Add(("http.sslVerify", "false"));
        }
        // GIT_CONFIG_COUNT (git 2.31+) passes configuration by environment: the token never appears on a command line.
        env["GIT_CONFIG_COUNT"] = config.Count.ToString(CultureInfo.InvariantCulture);
        for (int i = 0; i < config.Count; i++)
        {
            env["GIT_CONFIG_KEY_" + i] = config[i].Key;
            env["GIT_CONFIG_VALUE_" + i] = config[i].Value;
        }
        return env;
    }

    /// <summary>
    /// ssh for git clone: never prompts, strict about host keys (the module's known_hosts), only the given key.
    /// </summary>
    internal static IEnumerable<string> SshOptions(GitAccess access)
    {
        var connect = Math.Max(1, (int)Math.Ceiling(access.Timeout.TotalSeconds / 2))
            .ToString(CultureInfo.InvariantCulture);
        var o = new List<string>
        {
            "-F",
            "none",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "UserKnownHostsFile=" + access.KnownHostsPath,
            "-o",
            "UpdateHostKeys=no",
            "-o",
            "PreferredAuthentications=publickey",
            "-o",
            "RequestTTY=no",
            "-o",
            "ConnectTimeout=" + connect,
        };
        if (access.KeyPath != null)
            o.AddRange(
                new[] { "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", Path.GetFullPath(access.KeyPath) }
            );
        return o;
    }

    private sealed class AttemptResult
    {
        public ConnectionFailure Reason;
        public bool Authenticated;
        public string Message = "";
    }

    /// <summary>
    /// What each host says to <c>ssh -T</c> once it has accepted the key, from its documentation (the texts are
    /// replayed by tests/GitIntegration.Core.Tests/Git/GreetingTests.cs on a real sshd). The kind is the product that
    /// greets so, as it is called when it answers under a host name the profile table does not know (a self-hosted
    /// GitHub is Enterprise).
    /// </summary>
    private static readonly (Regex Pattern, HostKind Host)[] Greetings =
    {
        // docs.github.com "Testing your SSH connection", on standard error, exit status 1; a deploy key is greeted as
        // OWNER/REPO.
        (Greeting(@"Hi (?<n>[^!\s]+)! You've successfully authenticated"), HostKind.GitHubEnterprise),
        // docs.gitlab.com "Verify that you can connect" (gitlab-shell's discover command), on standard output, exit
        // status 0; a deploy key is greeted as "Anonymous", without an at sign.
        (Greeting(@"Welcome to GitLab, (?:@(?<n>[^!\s]+)|Anonymous)!"), HostKind.GitLabSelfManaged),
        // Bitbucket Cloud, exit status 0: "authenticated via ssh key." today (support.atlassian.com "Test Bitbucket
        // Cloud service credentials"), "logged in as NAME." before (NAME may hold dots and at signs), then "You can use
        // git [or hg] to connect to Bitbucket. Shell access is disabled."
        (
            Greeting(
                @"logged in as (?<n>\S+?)\.(?=\s|$)|authenticated via ssh key\."
                    + @"|You can use git (?:or hg )?to connect to Bitbucket\. Shell access is disabled"
            ),
            HostKind.BitbucketCloud
        ),
        // gitolite's info command: "hello NAME, this is USER@HOST running gitolite3 VERSION on git VERSION".
        (Greeting(@"(?m)^hello (?<n>[^,\s]+), this is "), HostKind.Gitolite),
        // Gerrit's NoShell (CRLF lines on standard error, exit status 127): "Hi FULL NAME, you have successfully
        // connected over SSH." and later "git clone ssh://USERNAME@HOST:29418/REPOSITORY_NAME.git". The user name is
        // the account; the full name (which may hold spaces) stands in when Gerrit prints no clone line.
        (
            Greeting(
                @"Hi (?<full>[^,\r\n]+), you have successfully connected over SSH\."
                    + @"(?:[\s\S]*?git clone ssh://(?<n>[^@\s/]+)@)?"
            ),
            HostKind.Gerrit
        ),
    };

    private static Regex Greeting(string pattern) => new Regex(pattern, RegexOptions.CultureInvariant);

    /// <summary>
    /// The product whose greeting <paramref name="text"/> holds and the account it names (null when it names none), or
    /// null for no greeting.
    /// </summary>
    internal static (HostKind Host, string? Account)? ReadGreeting(string text)
    {
        foreach (var (pattern, host) in Greetings)
        {
            var m = pattern.Match(text);
            if (!m.Success)
                continue;
            var name =
                m.Groups["n"].Success ? m.Groups["n"].Value
                : m.Groups["full"].Success ? m.Groups["full"].Value.Trim()
                : null;
            return (host, name);
        }
        return null;
    }

    private static void Classify(ProcessResult r, GitUrl url, AttemptResult a)
    {
        var text = r.StandardError + "\n" + r.StandardOutput;
        bool Has(string s) => text.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0;
        var last = LastLine(r.StandardError) ?? LastLine(r.StandardOutput) ?? $"exit code {r.ExitCode}";
        a.Message = last;
        if (r.TimedOut)
        {
            a.Reason = ConnectionFailure.Timeout;
            a.Message = $"No answer from {KnownHosts.Name(url.Host, url.EffectivePort)} within the time limit.";
            return;
        }
        if (Has("REMOTE HOST IDENTIFICATION HAS CHANGED") || Regex.IsMatch(text, "Host key for .* has changed"))
        {
            a.Reason = ConnectionFailure.HostKeyChanged;
            return;
        }
        if (Has("Host key verification failed"))
        {
            a.Reason = ConnectionFailure.HostKeyUnknown;
            return;
        }
        if (
            Has("Could not resolve hostname")
            || Has("Could not resolve host")
            || Has("Name or service not known")
            || Has("nodename nor servname")
            || Has("No such host is known")
            || Has("Temporary failure in name resolution")
        )
        {
            a.Reason = ConnectionFailure.NameResolution;
            return;
        }
        if (Has("Connection refused") || Has("Couldn't connect to server"))
        {
            a.Reason = ConnectionFailure.ConnectionRefused;
            return;
        }
        if (Has("timed out"))
        {
            a.Reason = ConnectionFailure.Timeout;
            return;
        }
        if (Has("incorrect passphrase supplied") || Has("bad passphrase"))
        {
            a.Reason = ConnectionFailure.WrongPassphrase;
            return;
        }
        if (Has("Permission denied (publickey") || Has("Permission denied, please try again"))
        {
            a.Reason = ConnectionFailure.PermissionDenied;
            return;
        }
        if (
            Has("SSL certificate problem")
            || Has("server certificate verification failed")
            || Has("certificate verify failed")
        )
        {
            a.Reason = ConnectionFailure.CertificateInvalid;
            return;
        }
        if (
            Has("Authentication failed")
            || Has("returned error: 401")
            || Has("could not read Username")
            || Has("could not read Password")
        )
        {
            a.Reason = ConnectionFailure.AuthenticationFailed;
            return;
        }
        a.Authenticated = true; // past here the server has let us in: what follows is about the repository
        var remote = RemoteReason(text);
        if (remote != ConnectionFailure.None)
        {
            a.Reason = remote;
            return;
        }
        if (r.ExitCode != 0)
        {
            a.Authenticated = false;
            a.Reason = ConnectionFailure.ConnectionFailed;
            return;
        }
        a.Reason = ConnectionFailure.None;
    }

    /// <summary>
    /// What a server's own words say about the repository (git, gitolite, and the hosts' HTTP answers).
    /// </summary>
    private static ConnectionFailure RemoteReason(string text)
    {
        bool Has(string s) => text.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0;
        if (Has(" DENIED by ") || Has("returned error: 403") || Has("access denied") || Has("not authorized"))
            return ConnectionFailure.RepositoryAccessDenied;
        if (
            Has("does not appear to be a git repository")
            || Has("Repository not found")
            || Has("returned error: 404")
            || Has("No such repository")
            || Has("not found")
        )
            return ConnectionFailure.RepositoryNotFound;
        return ConnectionFailure.None;
    }

    private static string? LastLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);

    private static string RemedyFor(
        ConnectionFailure reason,
        GitUrl url,
        HostProfile profile,
        GitConnectionResult result
    )
    {
        switch (reason)
        {
            case ConnectionFailure.PermissionDenied:
                return "The host did not accept the "
                    + $"key{(result.KeyFingerprint != null ? " " + result.KeyFingerprint : "")} for "
                    + $"'{result.User}'. Add its public key on {profile.DisplayName}: "
                    + $"{profile.AddKeyPageFor(url.Host)}. (Get-GitSshKey -Path KEY shows the PublicKey line "
                    + "to paste.)";
            case ConnectionFailure.ConnectionRefused:
            case ConnectionFailure.Timeout:
                var alt = url.IsSsh ? GitUrlConverter.ToPort443(url) : null;
                return alt != null && url.EffectivePort != 443
                    ? $"Port {url.EffectivePort} is closed or filtered from here. {profile.DisplayName} "
                        + $"also answers SSH on port 443: use {alt}."
                    : $"Check the host name and port ({url.EffectivePort}), and the firewalls and proxies "
                        + "between here and the server.";
            case ConnectionFailure.NameResolution:
                return $"Check the spelling of '{url.Host}' and this machine's DNS (Resolve-DnsName {url.Host}).";
            case ConnectionFailure.WrongPassphrase:
                return "Pass the key's passphrase with -Passphrase.";
            case ConnectionFailure.CertificateInvalid:
                return "The server's TLS certificate is not trusted here. Install its CA certificate in the "
                    + "machine's trust store; for a test server only, use -SkipCertificateCheck.";
            case ConnectionFailure.AuthenticationFailed:
                return "Check the user name and token in -Credential: the token must be valid and allowed to "
                    + "read repositories.";
            case ConnectionFailure.RepositoryAccessDenied:
                return $"The credentials work{(result.Account != null ? " (as " + result.Account + ")" : "")}, "
                    + "but may not read this repository. Ask its administrator for read access.";
            case ConnectionFailure.RepositoryNotFound:
                return "Check the repository path: copy the clone URL from the repository's page.";
            default:
                return $"Run Test-GitSshKey -Url '{url}' -Verbose to see which step fails.";
        }
    }

    internal static GitConnectionResult Fail(
        GitConnectionResult r,
        ConnectionFailure reason,
        string message,
        string? remedy
    )
    {
        r.Reason = reason;
        r.Message = message;
        r.Remedy = remedy;
        return r;
    }

    /// <summary>GIT_SSH_COMMAND is run by a POSIX shell (Git for Windows ships one): single-quote every word.</summary>
    internal static string ShellJoin(IEnumerable<string> words) =>
        string.Join(" ", words.Select(w => "'" + w.Replace("'", "'\\''") + "'"));
}
