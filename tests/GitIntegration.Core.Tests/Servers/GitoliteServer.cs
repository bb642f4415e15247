namespace GitIntegration.Core.Tests.Servers;

/// <summary>
/// gitolite3 behind the loopback sshd. It runs as the system user 'gitolite' (tests/run-all.sh) with a HOME inside the
/// test folder: gitolite keeps all its state under $HOME, and the forced command in authorized_keys sets it.
/// </summary>
public sealed class GitoliteServer : IDisposable
{
    public const string User = "gitolite";

    /// <param name="users">name → public key line; each user may read and write <c>testing</c>; only 'admin' may read
    /// <c>secret</c>.</param>
    public GitoliteServer(IDictionary<string, string> users)
    {
        Peer.Require("gitolite", "gitolite3");
        Ssh = new SshGitServer(User);
        Home = Ssh.Dir["gitolite-home"];
        Directory.CreateDirectory(Home);
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "admin", "-f", Ssh.Dir["admin"]);
        File.Copy(Ssh.Dir["admin.pub"], Path.Combine(Home, "admin.pub"));
        Tool.Ok("chown", "-R", User, Home);
        AsGitolite("gitolite", "setup", "-pk", Path.Combine(Home, "admin.pub"));
        foreach (var (name, key) in users)
            File.WriteAllText(Path.Combine(Home, ".gitolite", "keydir", name + ".pub"), key.Trim() + "\n");
        File.WriteAllText(
            Path.Combine(Home, ".gitolite", "conf", "gitolite.conf"),
            """
            repo gitolite-admin
                RW+     =   admin
            repo testing
                RW+     =   @all
            repo secret
                RW+     =   admin
            """
        );
        Tool.Ok("chown", "-R", User, Home);
        AsGitolite("gitolite", "setup"); // compiles the conf and regenerates ~/.ssh/authorized_keys
        var keys = File.ReadAllLines(Path.Combine(Home, ".ssh", "authorized_keys"))
            .Where(l => l.StartsWith("command=", StringComparison.Ordinal))
            .Select(l => l.Replace("command=\"", $"command=\"HOME={Home} "));
        Ssh.Authorize(User, keys.ToArray());
    }

    public SshGitServer Ssh { get; }
    public string Home { get; }

    public string Url(string repo) => $"ssh://{User}@127.0.0.1:{Ssh.Port}/{repo}";

    private void AsGitolite(params string[] args) =>
        Tool.Ok("runuser", new[] { "-u", User, "--", "env", "HOME=" + Home }.Concat(args).ToArray());

    public void Dispose() => Ssh.Dispose();
}
