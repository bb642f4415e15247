using GitIntegration.Core.Keys;

public static class KeyBench
{
    public static void Run()
    {
        var dir = Directory.CreateTempSubdirectory("gi-bench-").FullName;
        try
        {
            Console.WriteLine(
                $"keys: medians; ratio = ours / reference (below 1 is faster). {Environment.ProcessorCount} cores."
            );
            // Generation: RSA-4096 varies a lot run to run (prime search), so take many runs.
            const int genRuns = 25;
            KeyGenerator.Generate(KeyAlgorithm.Rsa, 2048); // warm-up: JIT and the platform provider
            int n = 0;
            var (ours, theirs) = Measure.Interleaved(
                genRuns,
                () =>
                    KeyFiles.Generate(
                        Path.Combine(dir, $"ours{n}"),
                        KeyAlgorithm.Rsa,
                        4096,
                        PrivateKeyFormat.Pem,
                        null,
                        "",
                        false
                    ),
                () =>
                    Measure.Tool(
                        "ssh-keygen",
                        "-q",
                        "-t",
                        "rsa",
                        "-b",
                        "4096",
                        "-m",
                        "PEM",
                        "-N",
                        "",
                        "-f",
                        Path.Combine(dir, $"gen{n++}")
                    )
            );
            Measure.Report("RSA-4096 generation + write (PEM)", genRuns, ours, "ssh-keygen", theirs);

            // Decoding an encrypted OpenSSH key: bcrypt (16 rounds) dominates.
            foreach (var (type, bits) in new[] { ("ed25519", "256"), ("rsa", "4096") })
            {
                var key = Path.Combine(dir, $"enc-{type}");
                Measure.Tool("ssh-keygen", "-q", "-t", type, "-b", bits, "-N", "bench pass", "-a", "16", "-f", key);
                const int runs = 15;
                KeyReader.ReadFile(key, "bench pass");
                (ours, theirs) = Measure.Interleaved(
                    runs,
                    () => KeyReader.ReadFile(key, "bench pass"),
                    () => Measure.Tool("ssh-keygen", "-y", "-P", "bench pass", "-f", key)
                );
                Measure.Report($"OpenSSH aes256-ctr/bcrypt-16 decode ({type})", runs, ours, "ssh-keygen -y", theirs);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
