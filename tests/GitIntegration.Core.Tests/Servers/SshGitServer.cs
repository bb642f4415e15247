using System.Diagnostics;

namespace GitIntegration.Core.Tests.Servers;

/// <summary>
/// A throwaway OpenSSH server on 127.0.0.1 for git: its own host key, authorized keys per user in its own folder,
/// logins limited to the given system users (created by tests/run-all.sh). Stopped by PID on Dispose.
/// </summary>
public sealed class SshGitServer : IDisposable
{
    public const string GitUser = "git";

    /// <summary>A user whose shell is /bin/sh, for keys behind a forced command (<see cref="GateLine"/>).</summary>
    public const string GateUser = "gitgate";
    private readonly Process _sshd;
    private readonly string _log;

    public SshGitServer(params string[] users)
        : this(users, "", "ed25519") { }

    /// <summary>
    /// A server with lines added to its sshd_config (e.g. only SHA-1 algorithms) and a host key of that type.
    /// </summary>
    public static SshGitServer WithConfig(string config, string hostKeyType = "ed25519") =>
        new(new[] { GitUser }, config, hostKeyType);

    private SshGitServer(string[] users, string config, string hostKeyType)
    {
        Peer.RequireRoot();
        Peer.Require("/usr/sbin/sshd", "openssh-server");
        Peer.Require("git", "git");
        if (users.Length == 0)
            users = new[] { GitUser };
        foreach (var u in users)
            Peer.RequireUser(u);
        Directory.CreateDirectory(Dir["keys"]);
        Directory.CreateDirectory(Dir["repos"]);
        Tool.Ok("chmod", "755", Dir.Path, Dir["repos"]);
        Tool.Ok("ssh-keygen", "-q", "-t", hostKeyType, "-N", "", "-C", "", "-f", Dir["host_key"]);
        Port = Peer.FreePort();
        File.WriteAllText(
            Dir["sshd_config"],
            $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {Dir["host_key"]}
            PidFile {Dir["sshd.pid"]}
            AuthorizedKeysFile {Dir["keys"]}/%u
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            PrintMotd no
            Banner {Dir["banner"]}
            AllowUsers {string.Join(' ', users)}
            MaxStartups 100:30:200
            {config}
            """
        );
        Directory.CreateDirectory("/run/sshd");
        Tool.Ok("/usr/sbin/sshd", "-t", "-f", Dir["sshd_config"]);
        _log = Dir["sshd.log"];
        // sshd writes its log itself (-E): each line is in the file before the process that logged it ends, which
        // stderr copied by a reader thread does not promise (SettledLog counted a previous test's login as this one's).
        _sshd = Peer.Start("/usr/sbin/sshd", Dir["sshd.err"], "-D", "-E", _log, "-f", Dir["sshd_config"]);
        Peer.WaitForPort(Port, _sshd, "sshd", () => Peer.ReadLog(Dir["sshd.err"]) + Peer.ReadLog(_log));
    }

    public TempDir Dir { get; } = new();
    public int Port { get; }
    public string HostKeyPublic => File.ReadAllText(Dir["host_key.pub"]).Trim();
    public string HostKeyFingerprint =>
        Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", Dir["host_key.pub"]).Split(' ')[1];

    /// <summary>The line that pins this server's key in a known_hosts file.</summary>
    public string KnownHostsLine => $"[127.0.0.1]:{Port} {HostKeyPublic}";
    public string Log => Peer.ReadLog(_log);

    /// <summary>The text sshd shows before the login while this file exists (read at each connection).</summary>
    public string BannerPath => Dir["banner"];

    /// <summary>The processes sshd runs for the connections open now, one per connection.</summary>
    public IReadOnlyList<int> ConnectionProcesses() => Peer.Children(_sshd.Id);

    /// <summary>
    /// The log once every connection has ended. sshd writes "Accepted publickey" after it has let the client in, so a
    /// count read while a connection's processes live can miss a login that has already happened.
    /// </summary>
    public string SettledLog()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60); // a hang guard only
        while (ConnectionProcesses().Count > 0 && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        return Log;
    }

    /// <summary>Replaces the authorized_keys of a user (lines as in ~/.ssh/authorized_keys).</summary>
    public void Authorize(string user, params string[] lines) =>
        File.WriteAllText(Dir["keys/" + user], string.Join('\n', lines) + "\n");

    /// <summary>
    /// An authorized_keys line that lets <paramref name="publicKey"/> in behind a forced command playing a git host:
    /// asked for a shell (<c>ssh -T</c>), it writes <paramref name="greeting"/> byte for byte to standard error (or
    /// output) and exits with
    /// <paramref name="exitCode"/>, as that host does; a git command goes on to git-shell, so git works through the
    /// same key.
    /// For <see cref="GateUser"/>, whose login shell runs the command.
    /// </summary>
    public string GateLine(string publicKey, string greeting, int exitCode, bool toStandardOutput = false)
    {
        var gate = Dir["gate.sh"];
        if (!File.Exists(gate))
        {
            File.WriteAllText(
                gate,
                """
                #!/bin/sh
                if [ -n "$SSH_ORIGINAL_COMMAND" ]; then exec git-shell -c "$SSH_ORIGINAL_COMMAND"; fi
                if [ "$3" = stdout ]; then cat "$1"; else cat "$1" >&2; fi
                exit "$2"

                """
            );
            Tool.Ok("chmod", "755", gate);
        }
        var text = Dir[$"greeting-{Guid.NewGuid():N}"];
        File.WriteAllText(text, greeting);
        return $"command=\"{gate} {text} {exitCode} "
            + $"{(toStandardOutput ? "stdout" : "stderr")}\",no-pty,no-port-forwarding {publicKey}";
    }

    /// <summary>
    /// A bare repository owned by <paramref name="owner"/> (git refuses others' repositories), with one commit on
    /// <paramref name="branch"/> and a tag when asked.
    /// </summary>
    public string CreateRepository(
        string name,
        string branch = "main",
        int commits = 1,
        string? tag = null,
        string owner = GitUser
    )
    {
        var work = Dir["work-" + name];
        Tool.Ok("git", "init", "-q", "-b", branch, work);
        for (int i = 0; i < commits; i++)
        {
            File.WriteAllText(Path.Combine(work, "file.txt"), $"commit {i}\n");
            Tool.Ok("git", "-C", work, "add", ".");
            Tool.Ok(
                "git",
                "-C",
                work,
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
                "commit",
                "-q",
                "-m",
                $"commit {i}"
            );
        }
        if (tag != null)
            Tool.Ok("git", "-C", work, "tag", tag);
        var bare = Dir["repos/" + name + ".git"];
        Tool.Ok("git", "clone", "-q", "--bare", work, bare);
        Tool.Ok("chown", "-R", owner, bare);
        return bare;
    }

    /// <summary>
    /// ssh://git@127.0.0.1:PORT/abs/path.git for a repository made by <see cref="CreateRepository"/>.
    /// </summary>
    public string Url(string name, string user = GitUser) =>
        $"ssh://{user}@127.0.0.1:{Port}{Dir["repos/" + name + ".git"]}";

    public void Dispose()
    {
        Peer.Stop(_sshd);
        Dir.Dispose();
    }
}
