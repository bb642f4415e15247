using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Git
{
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

    /// <summary>How to reach and authenticate to a repository. Secrets live here only for the call; they never reach a command line.</summary>
    public sealed class GitAccess
    {
        /// <summary>The private key for SSH; null uses the SSH client's default keys and agent.</summary>
        public string? KeyPath { get; set; }
        public string? Passphrase { get; set; }
        /// <summary>HTTPS: the user name sent with the token (any name works for GitHub and Azure DevOps; Bitbucket wants the account's).</summary>
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
        public SshMultiplexer? Multiplexer { get; set; }
    }

    /// <summary>
    /// The outcome of an SSH login test, of a git ls-remote, or of a GitHub App integration's check (Test-GitIntegration):
    /// authenticated or not, and why. For an app, Url is the organization's page, Account the installation's account
    /// and KeyFingerprint the app key's.
    /// </summary>
    public sealed class GitConnectionResult
    {
        /// <summary>The integration's name (Connect-GitRepository, Test-GitIntegration); null for a plain login test.</summary>
        public string? Name { get; set; }
        /// <summary>The integration's type (Test-GitIntegration); null for a plain login test.</summary>
        public IntegrationType? Type { get; set; }
        public string Url { get; set; } = "";
        public string HostName { get; set; } = "";
        public int Port { get; set; }
        public string? User { get; set; }
        public HostKind HostKind { get; set; }
        public bool Authenticated { get; set; }
        /// <summary>The account the host greeted (GitHub "Hi NAME!", GitLab "@NAME", Bitbucket, gitolite "hello NAME", Gerrit).</summary>
        public string? Account { get; set; }
        public ConnectionFailure Reason { get; set; }
        public bool Success => Reason == ConnectionFailure.None;
        public string? Message { get; set; }
        public string? Remedy { get; set; }
        public string? KeyFingerprint { get; set; }
        public string? HostKeyFingerprint { get; set; }
        public string? DefaultBranch { get; set; }
        public int? BranchCount { get; set; }
        public int? TagCount { get; set; }
        /// <summary>A GitHub App's installation as GitHub describes it now; null when it is not installed.</summary>
        public GitHubAppInstallation? Installation { get; set; }

        /// <summary>The app as GitHub describes it now (slug and page change on a rename); recorded by the app check.</summary>
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
            return new GitIntegrationException(Reason.ToString(), kind, Remedy == null ? Message ?? Reason.ToString() : $"{Message} {Remedy}") { Target = Url };
        }
    }

    /// <summary>
    /// Connects with the real OpenSSH client and git: always strict about host keys, never interactive
    /// (BatchMode, or a forced askpass helper when the key has a passphrase), always within a time limit.
    /// </summary>
    public static class GitConnection
    {
        /// <summary>Logs in like <c>ssh -T git@host</c> and reads the host's greeting.</summary>
        public static GitConnectionResult TestSsh(GitUrl url, GitAccess access, CancellationToken cancel = default)
        {
            var ssh = GitUrlConverter.ToSsh(url);
            return Run(ssh, access, cancel, (env, sshArgs) =>
            {
                var args = sshArgs.Concat(new[] { "-T", "-p", ssh.EffectivePort.ToString(CultureInfo.InvariantCulture), Login(ssh) });
                return ChildProcess.Run(Tools.Ssh, args, env, access.Timeout, cancel);
            }, isGit: false, parseRefs: false);
        }

        /// <summary>Lists the remote's refs with <c>git ls-remote --symref</c>: proves read access and finds the default branch.</summary>
        public static GitConnectionResult ListRemote(GitUrl url, GitAccess access, CancellationToken cancel = default) =>
            url.IsHttp ? SmartHttp.ListRefs(url, access, cancel) : Run(url, access, cancel, (env, sshArgs) =>
            {
                if (url.IsSsh) env["GIT_SSH_COMMAND"] = ShellJoin(new[] { Tools.Ssh }.Concat(sshArgs));
                return ChildProcess.Run(Tools.Git, new[] { "ls-remote", "--symref", url.ToString() }, env, access.Timeout, cancel);
            }, isGit: true, parseRefs: true);

        /// <summary>Clones into <paramref name="destination"/> (which must not exist or be empty), with the same trust and credentials.</summary>
        public static GitConnectionResult Clone(GitUrl url, GitAccess access, string destination, CancellationToken cancel = default) =>
            Run(url, access, cancel, (env, sshArgs) =>
            {
                if (url.IsSsh) env["GIT_SSH_COMMAND"] = ShellJoin(new[] { Tools.Ssh }.Concat(sshArgs));
                // A clone takes longer than a listing: the time limit covers connecting, not the transfer.
                return ChildProcess.Run(Tools.Git, new[] { "clone", "--quiet", "--", url.ToString(), Path.GetFullPath(destination) }, env, TimeSpan.FromHours(2), cancel);
            }, isGit: true, parseRefs: false);

        private delegate ProcessResult Runner(Dictionary<string, string?> env, IReadOnlyList<string> sshArgs);

        private static GitConnectionResult Run(GitUrl url, GitAccess access, CancellationToken cancel, Runner runner, bool isGit, bool parseRefs)
        {
            var profile = HostProfiles.For(url);
            var result = new GitConnectionResult
            {
                Url = url.ToString(), HostName = url.Host, Port = url.EffectivePort, User = url.IsSsh ? url.User ?? profile.SshUser : access.UserName, HostKind = profile.Kind,
            };
            var started = DateTime.UtcNow;
            string? tempFolder = null;
            // Taken before a PuTTY key is swapped for a temporary copy: the identity is the key the user gave.
            var mux = url.IsSsh ? access.Multiplexer : null;
            var given = access;
            var muxOptions = mux?.Options(given) ?? Array.Empty<string>();
            IDisposable? firstToHost = null;
            try
            {
                KeyTestResult? rules = null;
                if (url.IsSsh && access.KeyPath != null)
                {
                    var keyPath = Path.GetFullPath(access.KeyPath);
                    KeyDocument doc;
                    try { doc = KeyFiles.Inspect(keyPath, access.Passphrase).Document; }
                    catch (KeyPassphraseException e)
                    {
                        return Fail(result, e.ErrorId == ErrorIds.WrongPassphrase ? ConnectionFailure.WrongPassphrase : ConnectionFailure.PassphraseRequired, e.Message,
                            "Pass the key's passphrase with -Passphrase (Read-Host -AsSecureString, or from a vault).");
                    }
                    if (doc.IsEncrypted && access.Passphrase == null)
                        return Fail(result, ConnectionFailure.PassphraseRequired, $"The key '{keyPath}' is protected by a passphrase.",
                            "Pass it with -Passphrase: nothing may prompt for it in an unattended run.");
                    result.KeyFingerprint = (doc.Key ?? KeyFiles.ReadSiblingPublic(keyPath))?.FingerprintSha256;
                    if (access.Requirement != null) rules = KeyDiagnostics.TestFile(keyPath, access.Passphrase, access.Requirement.Value);
                    if (doc.Format == KeyFormat.Ppk && doc.Key != null)
                    {
                        // ssh cannot read PuTTY keys: it gets an OpenSSH copy for this call, never in clear on
                        // disk. The copy is encrypted with a random one-time passphrase that reaches ssh only
                        // through the askpass helper's environment. 256 random bits need no key stretching,
                        // hence one bcrypt round.
                        tempFolder = TemporaryFolders.Create();
                        var oneTime = Convert.ToBase64String(Crypto.Rng.Bytes(32));
                        var copy = Path.Combine(tempFolder, "key");
                        var text = KeyWriter.Write(doc.Key, PrivateKeyFormat.OpenSsh, oneTime, rounds: 1);
                        SecureFile.WriteAllText(copy, text, overwrite: false);
                        access = Copy(access, copy, oneTime);
                    }
                }
                firstToHost = mux?.Enter(given, url, cancel);
                var attempt = Attempt(url, access, runner, isGit, muxOptions);
                if (attempt.Reason == ConnectionFailure.HostKeyUnknown && TrustNewHost(url, access, result))
                    attempt = Attempt(url, access, runner, isGit, muxOptions);
                else if (attempt.Reason == ConnectionFailure.HostKeyUnknown || attempt.Reason == ConnectionFailure.HostKeyChanged)
                    return DescribeHostKeyFailure(url, access, result, attempt);
                if (attempt.Reason == ConnectionFailure.HostKeyUnknown) return DescribeHostKeyFailure(url, access, result, attempt);

                result.Authenticated = attempt.Authenticated;
                result.Account = attempt.Account;
                // The greeting names the product behind a host name the table does not know (self-hosted GitLab, GitHub Enterprise, Gerrit).
                if (attempt.Greeted is HostKind greeted && profile.HostNames.Count == 0) result.HostKind = (profile = HostProfiles.Get(greeted)).Kind;
                if (attempt.Reason != ConnectionFailure.None) return Fail(result, attempt.Reason, attempt.Message, RemedyFor(attempt.Reason, url, profile, result));
                if (parseRefs) ReadRefs(attempt.Output, result);
                var broken = rules?.Findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
                if (broken?.Count > 0)
                    return Fail(result, ConnectionFailure.KeyRejectedByIntegrationRule,
                        $"The host accepts the key, but it breaks the {rules!.Requirement} rule: {string.Join(" ", broken.Select(f => f.Message))}",
                        string.Join("; ", broken.Select(f => f.Remedy).Where(x => x != null).Distinct()));
                var who = result.Account != null ? " as " + result.Account : "";
                result.Message = $"Authenticated to {(profile.Kind == HostKind.Generic ? url.Host : profile.DisplayName)}{who}.";
                return result;
            }
            finally
            {
                firstToHost?.Dispose();
                if (tempFolder != null) TemporaryFolders.Delete(tempFolder);
                result.Duration = DateTime.UtcNow - started;
            }
        }

        private sealed class AttemptResult
        {
            public ConnectionFailure Reason;
            public bool Authenticated;
            public string? Account;
            public HostKind? Greeted;
            public string Message = "";
            public string Output = "";
            public string Errors = "";
        }

        private static AttemptResult Attempt(GitUrl url, GitAccess access, Runner runner, bool isGit, IReadOnlyList<string> muxOptions)
        {
            var env = new Dictionary<string, string?>
            {
                ["LC_ALL"] = "C", ["LANGUAGE"] = null, // English messages: they are what gets classified
                ["GIT_TERMINAL_PROMPT"] = "0", ["GCM_INTERACTIVE"] = "never", ["GIT_ASKPASS"] = null, ["SSH_ASKPASS"] = null,
            };
            var config = new List<(string Key, string Value)> { ("credential.helper", "") }; // no helper may pop up a window or answer for us
            if (url.IsHttp)
            {
                if (access.Token != null)
                {
                    var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{access.UserName ?? "git"}:{access.Token}"));
                    config.Add(("http.extraHeader", "Authorization: Basic " + basic));
                }
                if (access.SkipSslVerification) config.Add(("http.sslVerify", "false"));
            }
            // GIT_CONFIG_COUNT (git 2.31+) passes configuration by environment: the token never appears on a command line.
            env["GIT_CONFIG_COUNT"] = config.Count.ToString(CultureInfo.InvariantCulture);
            for (int i = 0; i < config.Count; i++)
            {
                env["GIT_CONFIG_KEY_" + i] = config[i].Key;
                env["GIT_CONFIG_VALUE_" + i] = config[i].Value;
            }
            var sshArgs = new List<string>();
            if (url.IsSsh)
            {
                sshArgs.AddRange(SshOptions(access));
                sshArgs.AddRange(muxOptions);
                if (access.Passphrase != null) foreach (var kv in Askpass.Environment(access.Passphrase)) env[kv.Key] = kv.Value;
            }
            var r = runner(env, sshArgs);
            var a = new AttemptResult { Output = r.StandardOutput, Errors = r.StandardError };
            Classify(r, url, isGit, a);
            return a;
        }

        internal static IEnumerable<string> SshOptions(GitAccess access)
        {
            var connect = Math.Max(1, (int)Math.Ceiling(access.Timeout.TotalSeconds / 2)).ToString(CultureInfo.InvariantCulture);
            var o = new List<string>
            {
                "-F", "none",
                // BatchMode=yes keeps ssh from ever prompting, but it also makes ssh ignore SSH_ASKPASS, so a key with a
                // passphrase could not be opened. Only in that case BatchMode is off, and every prompt it would have stopped
                // is closed one by one: the askpass helper is forced (never /dev/tty), stdin is closed, no tty is requested,
                // host keys are strict (no "continue connecting?"), password and keyboard-interactive are off, one passphrase try.
                "-o", "BatchMode=" + (access.Passphrase != null ? "no" : "yes"),
                "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + access.KnownHostsPath,
                "-o", "UpdateHostKeys=no",
                "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                "-o", "PreferredAuthentications=publickey",
                "-o", "NumberOfPasswordPrompts=1",
                "-o", "RequestTTY=no",
                "-o", "ConnectTimeout=" + connect,
            };
            if (access.KeyPath != null) o.AddRange(new[] { "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-i", Path.GetFullPath(access.KeyPath) });
            return o;
        }

        /// <summary>
        /// What each host says to <c>ssh -T</c> once it has accepted the key, from its documentation (the texts are replayed by
        /// tests/GitIntegration.Core.Tests/Git/GreetingTests.cs on a real sshd). The kind is the product that greets so, as it
        /// is called when it answers under a host name the profile table does not know (a self-hosted GitHub is Enterprise).
        /// </summary>
        private static readonly (Regex Pattern, HostKind Host)[] Greetings =
        {
            // docs.github.com "Testing your SSH connection", on standard error, exit status 1; a deploy key is greeted as OWNER/REPO.
            (Greeting(@"Hi (?<n>[^!\s]+)! You've successfully authenticated"), HostKind.GitHubEnterprise),
            // docs.gitlab.com "Verify that you can connect" (gitlab-shell's discover command), on standard output, exit status 0;
            // a deploy key is greeted as "Anonymous", without an at sign.
            (Greeting(@"Welcome to GitLab, (?:@(?<n>[^!\s]+)|Anonymous)!"), HostKind.GitLabSelfManaged),
            // Bitbucket Cloud, exit status 0: "authenticated via ssh key." today (support.atlassian.com "Test Bitbucket Cloud service
            // credentials"), "logged in as NAME." before (NAME may hold dots and at signs), then "You can use git [or hg] to
            // connect to Bitbucket. Shell access is disabled."
            (Greeting(@"logged in as (?<n>\S+?)\.(?=\s|$)|authenticated via ssh key\.|You can use git (?:or hg )?to connect to Bitbucket\. Shell access is disabled"), HostKind.BitbucketCloud),
            // gitolite's info command: "hello NAME, this is USER@HOST running gitolite3 VERSION on git VERSION".
            (Greeting(@"(?m)^hello (?<n>[^,\s]+), this is "), HostKind.Gitolite),
            // Gerrit's NoShell (CRLF lines on standard error, exit status 127): "Hi FULL NAME, you have successfully connected over SSH."
            // and later "git clone ssh://USERNAME@HOST:29418/REPOSITORY_NAME.git". The user name is the account; the full name
            // (which may hold spaces) stands in when Gerrit prints no clone line.
            (Greeting(@"Hi (?<full>[^,\r\n]+), you have successfully connected over SSH\.(?:[\s\S]*?git clone ssh://(?<n>[^@\s/]+)@)?"), HostKind.Gerrit),
        };

        private static Regex Greeting(string pattern) => new Regex(pattern, RegexOptions.CultureInvariant);

        /// <summary>The product whose greeting <paramref name="text"/> holds and the account it names (null when it names none), or null for no greeting.</summary>
        internal static (HostKind Host, string? Account)? ReadGreeting(string text)
        {
            foreach (var (pattern, host) in Greetings)
            {
                var m = pattern.Match(text);
                if (!m.Success) continue;
                var name = m.Groups["n"].Success ? m.Groups["n"].Value : m.Groups["full"].Success ? m.Groups["full"].Value.Trim() : null;
                return (host, name);
            }
            return null;
        }

        private static void Classify(ProcessResult r, GitUrl url, bool isGit, AttemptResult a)
        {
            var text = r.StandardError + "\n" + r.StandardOutput;
            bool Has(string s) => text.IndexOf(s, StringComparison.OrdinalIgnoreCase) >= 0;
            var last = HostKeyScanner.LastLine(r.StandardError) ?? HostKeyScanner.LastLine(r.StandardOutput) ?? $"exit code {r.ExitCode}";
            a.Message = last;
            if (r.TimedOut) { a.Reason = ConnectionFailure.Timeout; a.Message = $"No answer from {KnownHosts.Name(url.Host, url.EffectivePort)} within the time limit."; return; }
            if (Has("REMOTE HOST IDENTIFICATION HAS CHANGED") || Regex.IsMatch(text, "Host key for .* has changed")) { a.Reason = ConnectionFailure.HostKeyChanged; return; }
            if (Has("Host key verification failed")) { a.Reason = ConnectionFailure.HostKeyUnknown; return; }
            if (Has("Could not resolve hostname") || Has("Could not resolve host") || Has("Name or service not known") || Has("nodename nor servname") || Has("No such host is known") || Has("Temporary failure in name resolution"))
            { a.Reason = ConnectionFailure.NameResolution; return; }
            if (Has("Connection refused") || Has("Couldn't connect to server")) { a.Reason = ConnectionFailure.ConnectionRefused; return; }
            if (Has("timed out")) { a.Reason = ConnectionFailure.Timeout; return; }
            if (Has("incorrect passphrase supplied") || Has("bad passphrase")) { a.Reason = ConnectionFailure.WrongPassphrase; return; }
            if (Has("Permission denied (publickey") || Has("Permission denied, please try again")) { a.Reason = ConnectionFailure.PermissionDenied; return; }
            if (Has("SSL certificate problem") || Has("server certificate verification failed") || Has("certificate verify failed")) { a.Reason = ConnectionFailure.CertificateInvalid; return; }
            if (Has("Authentication failed") || Has("returned error: 401") || Has("could not read Username") || Has("could not read Password")) { a.Reason = ConnectionFailure.AuthenticationFailed; return; }
            a.Authenticated = true; // past here the server has let us in: what follows is about the repository
            // Read only now: a banner shown before the login could quote a greeting. A host without one (plain git-shell) is told by its exit code.
            var greeting = ReadGreeting(text);
            a.Greeted = greeting?.Host;
            a.Account = greeting?.Account;
            if (Has(" DENIED by ") || Has("returned error: 403") || Has("access denied") || Has("not authorized")) { a.Reason = ConnectionFailure.RepositoryAccessDenied; return; }
            if (Has("does not appear to be a git repository") || Has("Repository not found") || Has("returned error: 404") || Has("No such repository") || Has("not found"))
            { a.Reason = ConnectionFailure.RepositoryNotFound; return; }
            // ssh exits 255 on its own errors; any other code is the remote's (every git host refuses a shell: the login worked).
            // git ls-remote succeeds with 0 only.
            if (r.ExitCode == 255 || (isGit && r.ExitCode != 0)) { a.Authenticated = false; a.Reason = ConnectionFailure.ConnectionFailed; return; }
            a.Reason = ConnectionFailure.None;
        }

        private static void ReadRefs(string output, GitConnectionResult result)
        {
            int branches = 0, tags = 0;
            foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
            {
                var tab = line.IndexOf('\t');
                if (tab < 0) continue;
                var left = line.Substring(0, tab);
                var name = line.Substring(tab + 1);
                if (left.StartsWith("ref: ", StringComparison.Ordinal) && name == "HEAD")
                {
                    var target = left.Substring(5);
                    result.DefaultBranch = target.StartsWith("refs/heads/", StringComparison.Ordinal) ? target.Substring(11) : target;
                }
                else if (name.StartsWith("refs/heads/", StringComparison.Ordinal)) branches++;
                else if (name.StartsWith("refs/tags/", StringComparison.Ordinal) && !name.EndsWith("^{}", StringComparison.Ordinal)) tags++;
            }
            result.BranchCount = branches;
            result.TagCount = tags;
        }

        /// <summary>A new host is trusted only when its key is one the service publishes, or when -AcceptNewHostKey says so.</summary>
        private static bool TrustNewHost(GitUrl url, GitAccess access, GitConnectionResult result)
        {
            if (KnownHosts.Find(access.KnownHostsPath, url.Host, url.EffectivePort).Count > 0) return false; // known with other keys: a change, never trusted here
            var scanned = HostKeyScanner.Scan(url.Host, url.EffectivePort, TimeSpan.FromSeconds(Math.Max(2, access.Timeout.TotalSeconds / 2)));
            result.HostKeyFingerprint = scanned[0].Fingerprint;
            if (scanned.Any(k => k.MatchesPublished == false) && !scanned.Any(k => k.MatchesPublished == true)) return false;
            var trusted = scanned.Where(k => k.MatchesPublished == true).ToList();
            if (trusted.Count == 0 && access.AcceptNewHostKey) trusted = scanned.ToList();
            if (trusted.Count == 0) return false;
            KnownHosts.Add(access.KnownHostsPath, trusted);
            return true;
        }

        private static GitConnectionResult DescribeHostKeyFailure(GitUrl url, GitAccess access, GitConnectionResult result, AttemptResult attempt)
        {
            var name = KnownHosts.Name(url.Host, url.EffectivePort);
            var known = KnownHosts.Find(access.KnownHostsPath, url.Host, url.EffectivePort);
            IReadOnlyList<GitHostKey> presented;
            try { presented = HostKeyScanner.Scan(url.Host, url.EffectivePort, TimeSpan.FromSeconds(Math.Max(2, access.Timeout.TotalSeconds / 2))); }
            catch (GitIntegrationException) { presented = Array.Empty<GitHostKey>(); }
            var now = string.Join(", ", presented.Select(k => k.ToString()));
            result.HostKeyFingerprint = presented.FirstOrDefault()?.Fingerprint;
            if (known.Count > 0)
            {
                var before = string.Join(", ", known.Select(k => $"{k.Type} {SshKey.FromPublicBlob(Convert.FromBase64String(k.Base64)).FingerprintSha256}"));
                return Fail(result, ConnectionFailure.HostKeyChanged,
                    $"The host key of {name} has changed: {access.KnownHostsPath} trusts {before}, but the server now presents {now}. This can be an attack (someone between you and the server) or a reinstalled server.",
                    $"Do not connect until the server's administrator confirms the new key. If they do, remove the old entry (ssh-keygen -f \"{access.KnownHostsPath}\" -R \"{name}\") and connect again with -AcceptNewHostKey.");
            }
            var mismatch = presented.Any(k => k.MatchesPublished == false);
            if (mismatch)
                return Fail(result, ConnectionFailure.HostKeyUnknown,
                    $"{name} presents {now}, which is not among the fingerprints {HostProfiles.For(url).DisplayName} publishes ({presented[0].PublishedSource}).",
                    "Do not connect: something between you and the service (a proxy inspecting SSH, or an attacker) answers in its name. Ask your network team.");
            return Fail(result, ConnectionFailure.HostKeyUnknown,
                $"{name} is not in {access.KnownHostsPath}; the server presents {(now.Length > 0 ? now : "no key that could be read")}.",
                "Compare the fingerprint with the one the server's administrator publishes (Get-GitHostKey), then run again with -AcceptNewHostKey.");
        }

        private static string RemedyFor(ConnectionFailure reason, GitUrl url, HostProfile profile, GitConnectionResult result)
        {
            switch (reason)
            {
                case ConnectionFailure.PermissionDenied:
                    return $"The host did not accept the key{(result.KeyFingerprint != null ? " " + result.KeyFingerprint : "")} for '{result.User}'. Add its public key on {profile.DisplayName}: {profile.AddKeyPageFor(url.Host)}. (Get-GitSshKey -Path KEY shows the PublicKey line to paste.)";
                case ConnectionFailure.ConnectionRefused:
                case ConnectionFailure.Timeout:
                    var alt = url.IsSsh ? GitUrlConverter.ToPort443(url) : null;
                    return alt != null && url.EffectivePort != 443
                        ? $"Port {url.EffectivePort} is closed or filtered from here. {profile.DisplayName} also answers SSH on port 443: use {alt}."
                        : $"Check the host name and port ({url.EffectivePort}), and the firewalls and proxies between here and the server.";
                case ConnectionFailure.NameResolution:
                    return $"Check the spelling of '{url.Host}' and this machine's DNS (Resolve-DnsName {url.Host}).";
                case ConnectionFailure.WrongPassphrase:
                    return "Pass the key's passphrase with -Passphrase.";
                case ConnectionFailure.CertificateInvalid:
                    return "The server's TLS certificate is not trusted here. Install its CA certificate in the machine's trust store; for a test server only, use -SkipCertificateCheck.";
                case ConnectionFailure.AuthenticationFailed:
                    return "Check the user name and token in -Credential: the token must be valid and allowed to read repositories.";
                case ConnectionFailure.RepositoryAccessDenied:
                    return $"The credentials work{(result.Account != null ? " (as " + result.Account + ")" : "")}, but may not read this repository. Ask its administrator for read access.";
                case ConnectionFailure.RepositoryNotFound:
                    return "Check the repository path: copy the clone URL from the repository's page.";
                default:
                    return $"Run ssh -vT {Login(url)} -p {url.EffectivePort} to see the full exchange.";
            }
        }

        internal static GitConnectionResult Fail(GitConnectionResult r, ConnectionFailure reason, string message, string? remedy)
        {
            r.Reason = reason;
            r.Message = message;
            r.Remedy = remedy;
            return r;
        }

        private static GitAccess Copy(GitAccess a, string keyPath, string? passphrase) => new GitAccess
        {
            KeyPath = keyPath, Passphrase = passphrase, UserName = a.UserName, Token = a.Token, SkipSslVerification = a.SkipSslVerification,
            KnownHostsPath = a.KnownHostsPath, AcceptNewHostKey = a.AcceptNewHostKey, Timeout = a.Timeout, Requirement = a.Requirement,
            Multiplexer = a.Multiplexer,
        };

        private static string Login(GitUrl url)
        {
            var user = url.User ?? HostProfiles.For(url).SshUser;
            return user != null ? $"{user}@{url.Host}" : url.Host;
        }

        /// <summary>GIT_SSH_COMMAND is run by a POSIX shell (Git for Windows ships one): single-quote every word.</summary>
        internal static string ShellJoin(IEnumerable<string> words) =>
            string.Join(" ", words.Select(w => "'" + w.Replace("'", "'\\''") + "'"));
    }

    /// <summary>
    /// The SSH_ASKPASS helper that gives ssh a key's passphrase. The script holds no secret: it prints an environment
    /// variable that only the child process (and its children) receive, so the passphrase is never in argv or a file.
    /// </summary>
    public static class Askpass
    {
        public const string SecretVariable = "GITINTEGRATION_ASKPASS_SECRET";
        private static readonly object Gate = new object();
        private static string? _script;

        public static IDictionary<string, string?> Environment(string passphrase) => new Dictionary<string, string?>
        {
            ["SSH_ASKPASS"] = Script,
            ["SSH_ASKPASS_REQUIRE"] = "force",
            ["DISPLAY"] = System.Environment.GetEnvironmentVariable("DISPLAY") ?? "none", // ssh before 8.4 uses askpass only with DISPLAY set
            [SecretVariable] = passphrase,
        };

        /// <summary>The helper's text: it names the variable, never holds its value.</summary>
        internal static string ScriptText(bool windows) => windows
            // cmd: delayed expansion prints the value without parsing its & | < > ^ characters; "echo(" prints even an empty one.
            ? $"@echo off\r\nsetlocal EnableDelayedExpansion\r\necho(!{SecretVariable}!\r\n"
            : $"#!/bin/sh\nprintf '%s\\n' \"${SecretVariable}\"\n";

        private static string Script
        {
            get
            {
                lock (Gate)
                {
                    if (_script != null && File.Exists(_script)) return _script;
                    var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
                    // Owner-only: whoever could replace the script would run code as this user.
                    var dir = TemporaryFolders.Create();
                    var path = Path.Combine(dir, windows ? "askpass.cmd" : "askpass.sh");
                    SecureFile.WriteAllText(path, ScriptText(windows), overwrite: false);
                    if (!windows) SecureFile.SetUnixMode(path, Convert.ToInt32("700", 8));
                    AppDomain.CurrentDomain.ProcessExit += (_, __) => TemporaryFolders.Delete(dir);
                    return _script = path;
                }
            }
        }
    }
}
