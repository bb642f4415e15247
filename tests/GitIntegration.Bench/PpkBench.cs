using System.Diagnostics;
using System.Globalization;
using System.Text;
using GitIntegration.Core.Crypto;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;
using GitIntegration.Core.Tests;

/// <summary>
/// Our Argon2id at puttygen's defaults (8192 KiB, one thread) beside the reference `argon2` CLI with the same
/// parameters, and a whole v3 .ppk conversion (Argon2, AES, MAC, PEM written to disk) beside `puttygen -O
/// private-openssh` on the same file.
/// Runs are interleaved; medians are printed.
/// </summary>
static class PpkBench
{
    private const int Runs = 15;
    private const string Passphrase = "bench passphrase";

    public static void Run()
    {
        foreach (var tool in new[] { "argon2", "puttygen", "ssh-keygen" })
            if (!Tool.Exists(tool))
                throw new InvalidOperationException(
                    $"{tool} is needed (apt-get install argon2 putty-tools openssh-client)."
                );
        Console.WriteLine($"ppk benchmark: {Environment.ProcessorCount} cores, {Runs} interleaved runs each, medians");
        Console.WriteLine();
        foreach (var (passes, lanes) in new[] { (1, 1), (8, 1), (21, 1), (8, 2) })
            Argon2VersusCli(passes, lanes);
        Console.WriteLine();
        DecodeVersusPuttygen(8);
    }

    private static void Argon2VersusCli(int passes, int lanes)
    {
        const int memory = 8192;
        var password = Encoding.UTF8.GetBytes("password");
        var salt = Encoding.UTF8.GetBytes("somesalt");
        string Ours() =>
            Convert
                .ToHexString(Argon2.Hash(Argon2Type.Argon2id, password, salt, memory, passes, lanes, 32))
                .ToLowerInvariant();
        string[] CliArgs(bool raw) =>
            new[] { "somesalt", "-id", "-t", Str(passes), "-k", Str(memory), "-p", Str(lanes), "-l", "32" }
                .Concat(raw ? new[] { "-r" } : Array.Empty<string>())
                .ToArray();
        for (int i = 0; i < 3; i++)
            Ours(); // tiered JIT: measure optimized code, as a long-running PowerShell session would run it
        var match = Ours() == Tool.Run("argon2", CliArgs(true), "password").Out.Trim();

        var ours = new List<double>();
        var oursCpu = new List<double>();
        var cliSelf = new List<double>();
        var cliWall = new List<double>();
        var spawn = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            ours.Add(Time(() => Ours()));
            oursCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
            cliWall.Add(Time(() => Tool.Run("argon2", CliArgs(true), "password")));
            // Without -r argon2 prints the CPU time it spent hashing (clock() around the hash; it verifies afterwards,
            // outside that timing).
            var line = Tool.Run("argon2", CliArgs(false), "password")
                .Out.Split('\n')
                .First(l => l.TrimEnd().EndsWith(" seconds", StringComparison.Ordinal));
            cliSelf.Add(double.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture) * 1000);
            spawn.Add(
                Time(() =>
                    Tool.Run("argon2", new[] { "somesalt", "-id", "-t", "1", "-k", "8", "-p", "1", "-r" }, "password")
                )
            );
        }
        double o = Median(ours),
            oc = Median(oursCpu),
            self = Median(cliSelf),
            wall = Median(cliWall) - Median(spawn);
        // CPU time against CPU time (argon2's clock()) is the fair figure on a loaded machine; wall against wall for
        // two lanes.
        Console.WriteLine(
            $"Argon2id m={memory} KiB t={passes} p={lanes}: ours {o, 6:F1} ms wall, {oc, 6:F1} ms CPU | argon2 "
                + $"CLI {self, 6:F1} ms CPU (its clock()), {wall, 6:F1} ms wall minus spawn | ratio CPU/CPU "
                + $"{oc / self:F2}x, wall/wall {o / wall:F2}x | {(match ? "same hash" : "HASH MISMATCH")}"
        );
    }

    private static void DecodeVersusPuttygen(int passes)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pw"], Passphrase + "\n");
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", dir["base"]);
        Tool.Ok(
            "puttygen",
            dir["base"],
            "-o",
            dir["key.ppk"],
            "--new-passphrase",
            dir["pw"],
            "--ppk-param",
            $"memory=8192,passes={passes},parallelism=1"
        );
        double Ours() =>
            Time(() =>
                PuttyKeyFiles.ConvertFrom(dir["key.ppk"], Passphrase, PrivateKeyFormat.Pem, null, dir["ours.pem"], true)
            );
        double Puttygen() =>
            Time(() =>
                Tool.Ok(
                    "puttygen",
                    dir["key.ppk"],
                    "--old-passphrase",
                    dir["pw"],
                    "-O",
                    "private-openssh",
                    "-o",
                    dir["puttygen.pem"]
                )
            );
        for (int i = 0; i < 3; i++)
            Ours();
        var ours = new List<double>();
        var putty = new List<double>();
        var spawn = new List<double>();
        for (int i = 0; i < Runs; i++)
        {
            ours.Add(Ours());
            putty.Add(Puttygen());
            spawn.Add(Time(() => Tool.Run("puttygen", new[] { "--version" })));
        }
        var same = KeyReader
            .ReadFile(dir["ours.pem"], Passphrase)
            .Key!.SamePublicKey(KeyReader.ReadFile(dir["puttygen.pem"], Passphrase).Key!);
        double o = Median(ours),
            p = Median(putty),
            s = Median(spawn);
        Console.WriteLine(
            $"v3 .ppk → PEM (RSA 2048, Argon2id 8192 KiB, {passes} passes): ours {o:F1} ms | puttygen {p:F1} ms "
                + $"wall, {p - s:F1} ms minus spawn | ratio {o / p:F2}x wall, {o / (p - s):F2}x minus spawn | "
                + $"{(same ? "same key" : "KEY MISMATCH")}"
        );
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var s = values.OrderBy(v => v).ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
