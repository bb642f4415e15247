using System.Diagnostics;
using GitIntegration.Core.Git;
using GitIntegration.Core.Hosts;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Rotation;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests;
using GitIntegration.Core.Tests.Servers;
using GitIntegration.HostStandIn;

/// <summary>
/// Publishing a key to each of 50 repositories and verifying each with it, against the host stand-in playing GitHub
/// (which writes the keys into the loopback sshd's authorized_keys) and that sshd: at ThrottleLimit 8 beside the same
/// work one repository at a time (ThrottleLimit 1), interleaved. One key per repository, as GitHub's deploy keys
/// require and as Update-GitIntegrationKey makes them. Then the whole rotation of 50 integrations (generate, publish,
/// verify, switch, take the old key off; Ed25519 keys, so that key generation does not hide the rest) the same way.
/// </summary>
static class PublishBench
{
    private const int Count = 50;
    private const int Rounds = 3;

    public static void Run()
    {
        using var server = new SshGitServer();
        using var dir = new TempDir();
        var owner = "gi-bench-" + Guid.NewGuid().ToString("N").Substring(0, 8);
        Directory.CreateDirectory("/" + owner);
        try
        {
            var template = server.CreateRepository("template");
            var names = Enumerable.Range(0, Count).Select(i => $"r{i}").ToList();
            foreach (var n in names)
                Tool.Ok("cp", "-a", template, $"/{owner}/{n}.git");
            File.WriteAllText(server.Dir["keys/git"], "");
            File.WriteAllText(dir["kh"], server.KnownHostsLine + "\n");
            var options = new StandInOptions { Mode = "github", AuthorizedKeys = server.Dir["keys/git"] };
            options.Repositories.AddRange(names.Select(n => $"{owner}/{n}"));
            var gh = StandInHost.StartAsync(options).GetAwaiter().GetResult();
            try
            {
                var urls = names
                    .Select(n => GitUrl.Parse($"ssh://git@127.0.0.1:{server.Port}/{owner}/{n}.git"))
                    .ToList();
                PublishAndVerify(gh, urls, dir);
                Rotation(gh, urls, dir);
            }
            finally
            {
                gh.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            Directory.Delete("/" + owner, recursive: true);
        }
    }

    private static void PublishAndVerify(StandInHost gh, List<GitUrl> urls, TempDir dir)
    {
        var keys = urls.Select((_, i) => KeyGenerator.Generate(KeyAlgorithm.Ed25519, comment: $"bench{i}")).ToList();
        for (int i = 0; i < keys.Count; i++)
            File.WriteAllText(dir[$"k{i}"], KeyWriter.Write(keys[i], PrivateKeyFormat.OpenSsh, null));
        var host = HostConnection.WithToken(new HostEndpoint(KeyHostType.GitHub, gh.ApiUrl), StandInHost.Token);
        KeyPublication Item(int i) => new(new KeyTarget(KeyTargetKind.Repository, urls[i]), host, $"r{i}");

        // One repository: its key published, then the repository read with it, as one run of the cmdlets does it.
        void One(int i, SshConnections connections)
        {
            var published = KeyPublishing
                .PublishAsync(new[] { Item(i) }, new KeyPublishOptions(keys[i]), null, default)
                .GetAwaiter()
                .GetResult();
            if (published[0].Error != null)
                throw published[0].Error!;
            var access = new GitAccess
            {
                KeyPath = dir[$"k{i}"],
                KnownHostsPath = dir["kh"],
                Timeout = TimeSpan.FromSeconds(60),
                Connections = connections,
            };
            var verified = RepositoryConnector.Verify(new ConnectRequest(urls[i], access));
            if (!verified.Success)
                throw new InvalidOperationException($"{urls[i]}: {verified.Message}");
        }

        void Reset()
        {
            for (int i = 0; i < keys.Count; i++)
                KeyPublishing
                    .UnpublishAsync(new[] { Item(i) }, new KeyPublishOptions(keys[i]), null, default)
                    .GetAwaiter()
                    .GetResult();
        }

        double Throttled(int limit)
        {
            Reset();
            var watch = Stopwatch.StartNew();
            using (var connections = new SshConnections())
                Parallel.For(
                    0,
                    keys.Count,
                    new ParallelOptions { MaxDegreeOfParallelism = limit },
                    i => One(i, connections)
                );
            return watch.Elapsed.TotalSeconds;
        }

        Throttled(8); // warm-up: JIT, Kestrel, sshd's first forks
        var (eight, one) = Interleaved(() => Throttled(8), () => Throttled(1));
        Report($"publish + verify: {Count} repositories, one key each, stand-in GitHub + loopback sshd", eight, one);
    }

    private static void Rotation(StandInHost gh, List<GitUrl> urls, TempDir dir)
    {
        double Rotate(int limit)
        {
            var store = IntegrationStore.Open(dir[$"store-{Guid.NewGuid():N}/integrations.yaml"]);
            var integrations = urls.Select(
                    (u, i) =>
                    {
                        var key = dir[$"old-{Guid.NewGuid():N}"];
                        var made = KeyFiles.Generate(
                            key,
                            KeyAlgorithm.Ed25519,
                            null,
                            PrivateKeyFormat.OpenSsh,
                            null,
                            $"bench{i}",
                            overwrite: false
                        );
                        gh.AddKey($"repo:{u.RepositoryPath}", "old", made.PublicKey!, readOnly: true);
                        return new Integration
                        {
                            Name = $"r{i}",
                            Type = IntegrationType.Ssh,
                            Url = u.ToString(),
                            PrivateKeyPath = key,
                        };
                    }
                )
                .ToList();
            store.Update(d =>
            {
                d.Integrations.AddRange(integrations);
                return 0;
            });
            var watch = Stopwatch.StartNew();
            using var connections = new SshConnections();
            var results = KeyRotation
                .RotateAsync(
                    store,
                    integrations,
                    new KeyRotationOptions
                    {
                        Template = new GitAccess
                        {
                            KnownHostsPath = dir["kh"],
                            Timeout = TimeSpan.FromSeconds(60),
                            Connections = connections,
                        },
                        Token = StandInHost.Token,
                        HostType = KeyHostType.GitHub,
                        ApiUrl = gh.ApiUrl,
                        ThrottleLimit = limit,
                    },
                    default
                )
                .GetAwaiter()
                .GetResult();
            var seconds = watch.Elapsed.TotalSeconds;
            var failed = results.Where(r => r.Step != KeyRotationStep.Completed).ToList();
            if (failed.Count > 0)
                throw new InvalidOperationException($"{failed.Count} rotations failed: {failed[0].Message}");
            return seconds;
        }

        var (eight, one) = Interleaved(() => Rotate(8), () => Rotate(1));
        Report(
            $"Update-GitIntegrationKey's rotation: {Count} integrations (Ed25519 keys), same host and sshd",
            eight,
            one
        );
    }

    private static (double Eight, double One) Interleaved(Func<double> eight, Func<double> one)
    {
        var a = new List<double>();
        var b = new List<double>();
        for (int r = 0; r < Rounds; r++)
        {
            a.Add(eight());
            b.Add(one());
        }
        return (Measure.Median(a), Measure.Median(b));
    }

    private static void Report(string what, double eight, double one)
    {
        Console.WriteLine($"{what}, medians of {Rounds} interleaved rounds ({Environment.ProcessorCount} cores)");
        Console.WriteLine($"  ThrottleLimit 8: {eight, 6:F2} s  {1000 * eight / Count, 6:F1} ms/repo");
        Console.WriteLine(
            $"  ThrottleLimit 1: {one, 6:F2} s  {1000 * one / Count, 6:F1} ms/repo  "
                + $"ThrottleLimit 8 is {one / eight:F2}x faster"
        );
    }
}
