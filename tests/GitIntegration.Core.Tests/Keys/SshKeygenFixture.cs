namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// Keys written by the real ssh-keygen, made once per test run and shared by the tests that read them.
/// </summary>
public sealed class SshKeygenFixture : IDisposable
{
    public const string Passphrase = "correct horse ☃";
    public readonly TempDir Dir = new();

    /// <summary>name → path; names read "type-bits-format[-cipher]".</summary>
    public Dictionary<string, string> Keys { get; } = new();

    public static IEnumerable<(string Name, string[] Args, bool Encrypted)> Specs()
    {
        var types = new[]
        {
            ("rsa", "2048"),
            ("rsa", "3072"),
            ("ecdsa", "256"),
            ("ecdsa", "384"),
            ("ecdsa", "521"),
            ("ed25519", "256"),
            ("dsa", "1024"),
        };
        foreach (var (t, b) in types)
        {
            foreach (var fmt in new[] { "OpenSSH", "PEM", "PKCS8" })
            {
                if (t == "ed25519" && fmt != "OpenSSH")
                    continue; // ssh-keygen writes Ed25519 in OpenSSH format only
                foreach (var enc in new[] { false, true })
                    yield return (
                        $"{t}-{b}-{fmt}{(enc ? "-enc" : "")}",
                        new[] { "-t", t, "-b", b, "-N", enc ? Passphrase : "", "-C", $"{t}@fixture" }
                            .Concat(fmt == "OpenSSH" ? Array.Empty<string>() : new[] { "-m", fmt })
                            .ToArray(),
                        enc
                    ); // OpenSSH is the default; -m names the others
            }
        }
        foreach (
            var cipher in new[]
            {
                "aes128-ctr",
                "aes192-ctr",
                "aes256-ctr",
                "aes128-cbc",
                "aes192-cbc",
                "aes256-cbc",
                "aes128-gcm@openssh.com",
                "aes256-gcm@openssh.com",
                "chacha20-poly1305@openssh.com",
            }
        )
            yield return (
                $"ed25519-256-OpenSSH-{cipher}",
                new[] { "-t", "ed25519", "-Z", cipher, "-N", Passphrase, "-C", "cipher@fixture" },
                true
            );
        yield return (
            "rsa-4096-OpenSSH-rounds64",
            new[] { "-t", "rsa", "-b", "4096", "-a", "64", "-N", Passphrase, "-C", "" },
            true
        );
    }

    public SshKeygenFixture()
    {
        var specs = Specs().ToList();
        var kept = FixtureCache.Restore("ssh-keygen", Dir);
        Parallel.ForEach(
            specs,
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            s =>
            {
                var path = Dir[s.Name];
                if (!kept)
                    Tool.Ok("ssh-keygen", s.Args.Concat(new[] { "-q", "-f", path }).ToArray());
                lock (Keys)
                    Keys[s.Name] = path;
            }
        );
        FixtureCache.Keep("ssh-keygen", Dir);
    }

    public static string Fingerprint(string path, string hash = "sha256") =>
        Tool.Ok("ssh-keygen", "-l", "-E", hash, "-f", path).Trim();

    public void Dispose() => Dir.Dispose();
}
