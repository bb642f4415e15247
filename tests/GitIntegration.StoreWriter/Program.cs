using GitIntegration.Core.Git;
using GitIntegration.Core.IO;
using GitIntegration.Core.Store;

// A real second process for the tests: its own umask, its own temporary folder, and it can be killed.
// add <store> <count> <tag> [<lock timeout s>]: adds <count> integrations one locked read-modify-write at a time, then
// prints "overtaken N slowest MS": N the most writes that other processes made while this one was in line (counted from
// the moment its ticket was in the queue to the moment it held the lock), MS its longest wait for one write.
// churn <store> <size>: rewrites the whole store forever, every integration carrying the same generation number
// (and padding, so that most of each cycle is spent writing and flushing the files, where the crash test aims).
// write <path> <text> [public]: writes a file the way secrets (or, with "public", .pub files) are written.
// folders <path>: makes sure a folder exists, creating what is missing.
// secret <store> <name> <text>: stores a secret and records it in the store, as Set-GitIntegration does.
// ls-remote <url> <key> <known_hosts> <seconds>: lists a repository's refs with that key, as Connect-GitRepository
// does. known-host <path>: adds a host key to a known_hosts file, as Get-GitHostKey -Add does.
// A GitIntegrationException that ends the process is named on standard error: "error <id> <kind>".
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    if (e.ExceptionObject is GitIntegration.Core.GitIntegrationException g)
        Console.Error.WriteLine($"error {g.ErrorId} {g.Kind}");
};
var store = IntegrationStore.Open(args.Length > 1 ? args[1] : null);
switch (args[0])
{
    case "add":
        if (args.Length > 4)
            store.LockTimeout = TimeSpan.FromSeconds(int.Parse(args[4]));
        int overtaken = 0;
        var slowest = TimeSpan.Zero;
        for (int n = 0; n < int.Parse(args[2]); n++)
        {
            int inLine = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            store.Update(
                d =>
                {
                    overtaken = Math.Max(overtaken, d.Integrations.Count - inLine);
                    d.Integrations.Add(new Integration { Name = $"{args[3]}-{n}", Url = $"git@h:{args[3]}/{n}.git" });
                    return 0;
                },
                queued: () => inLine = store.Load().Integrations.Count
            );
            if (clock.Elapsed > slowest)
                slowest = clock.Elapsed;
        }
        Console.WriteLine($"overtaken {overtaken} slowest {slowest.TotalMilliseconds:0}");
        return 0;
    case "churn":
        var size = int.Parse(args[2]);
        for (long gen = 1; ; gen++)
        {
            store.Update(d =>
            {
                d.Integrations.Clear();
                for (int n = 0; n < size; n++)
                    d.Integrations.Add(
                        new Integration
                        {
                            Name = $"r{n}",
                            Url = $"git@h:a/{n}.git",
                            Properties = { ["gen"] = gen.ToString(), ["pad"] = new string('x', 1000) },
                        }
                    );
                return 0;
            });
            Console.WriteLine(gen);
        }
    case "write":
        SecureFile.WriteAllText(args[1], args[2], overwrite: true, ownerOnly: args.Length < 4 || args[3] != "public");
        return 0;
    case "folders":
        SecureFile.CreateDirectories(args[1]);
        return 0;
    case "secret":
        var secret = store.WriteSecret(args[2], args[3]);
        store.Update(d =>
        {
            d.Integrations.Add(
                new Integration
                {
                    Name = args[2],
                    Url = "git@h:a/b.git",
                    TokenRef = secret,
                }
            );
            return 0;
        });
        return 0;
    case "ls-remote":
        var access = new GitAccess
        {
            KeyPath = args[2],
            KnownHostsPath = args[3],
            Timeout = TimeSpan.FromSeconds(int.Parse(args[4])),
        };
        var r = GitConnection.ListRemote(GitUrl.Parse(args[1]), access);
        Console.WriteLine($"{r.Reason} {r.Message}");
        return 0;
    case "known-host":
        KnownHosts.Add(
            args[1],
            new[]
            {
                new GitHostKey
                {
                    HostName = "127.0.0.1",
                    Port = 2222,
                    KeyType = "ssh-ed25519",
                    PublicKey = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
                },
            }
        );
        return 0;
    default:
        Console.Error.WriteLine("usage: add | churn | write | folders | secret | ls-remote | known-host");
        return 2;
}
