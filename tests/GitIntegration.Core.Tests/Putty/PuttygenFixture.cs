using FluentAssertions;
using GitIntegration.Core.Crypto;
using GitIntegration.Core.Keys;
using Org.BouncyCastle.Crypto.Parameters;

namespace GitIntegration.Core.Tests.Putty;

/// <summary>
/// One cell of the issue's matrix: a key × PPK version × encryption × Argon2 variant × parallelism. Small
/// Argon2 memory keeps most cells fast; the "default" cells use puttygen's own defaults (8192 KiB, passes timed to 100
/// ms).
/// </summary>
public sealed record PpkCell(string Key, int Version, bool Encrypted, Argon2Type Kdf, int Parallelism, bool Defaults)
{
    public const int SmallMemoryKiB = 64;
    public const int SmallPasses = 2;

    public string Name =>
        $"{Key}-v{Version}-"
        + (
            !Encrypted ? "none"
            : Version == 2 ? "aes"
            : $"{Kdf.ToString().ToLowerInvariant()}-p{Parallelism}{(Defaults ? "-default" : "")}"
        );

    /// <summary>puttygen's --ppk-param for this cell.</summary>
    public string PuttygenParams =>
        Version == 2 || !Encrypted
            ? $"version={Version}"
            : $"version=3,kdf={Kdf.ToString().ToLowerInvariant()},parallelism={Parallelism}"
                + (Defaults ? "" : $",memory={SmallMemoryKiB},passes={SmallPasses}");

    public PpkWriteOptions Options =>
        new()
        {
            Version = Version,
            KeyDerivation = Kdf,
            Parallelism = Parallelism,
            MemoryKiB = Defaults ? 8192 : SmallMemoryKiB,
            Passes = Defaults ? null : SmallPasses,
        };
}

/// <summary>
/// Base keys from ssh-keygen (fast), and every matrix cell written by puttygen 0.78 from them, made once per test
/// class.
/// </summary>
public sealed class PuttygenFixture : IDisposable
{
    public const string Passphrase = "pass phrase ✓";
    public readonly TempDir Dir = new();

    public static readonly (string Name, string Type, string Bits)[] BaseKeys =
    {
        ("rsa2048", "rsa", "2048"),
        ("rsa4096", "rsa", "4096"),
        ("ecdsa256", "ecdsa", "256"),
        ("ecdsa384", "ecdsa", "384"),
        ("ecdsa521", "ecdsa", "521"),
        ("ed25519", "ed25519", "256"),
        ("dsa1024", "dsa", "1024"),
    };

    public static IEnumerable<PpkCell> Cells()
    {
        foreach (var (key, _, _) in BaseKeys)
        {
            foreach (var version in new[] { 2, 3 })
            {
                yield return new PpkCell(key, version, false, Argon2Type.Argon2id, 1, false);
                if (version == 2)
                {
                    yield return new PpkCell(key, 2, true, Argon2Type.Argon2id, 1, false);
                    continue;
                }
                if (key == "dsa1024")
                {
                    yield return new PpkCell(key, 3, true, Argon2Type.Argon2id, 1, false);
                    continue;
                }
                foreach (var kdf in new[] { Argon2Type.Argon2id, Argon2Type.Argon2i, Argon2Type.Argon2d })
                foreach (var p in new[] { 1, 2 })
                    yield return new PpkCell(key, 3, true, kdf, p, false);
            }
        }
        yield return new PpkCell("rsa4096", 3, true, Argon2Type.Argon2id, 1, true);
        yield return new PpkCell("ed25519", 3, true, Argon2Type.Argon2id, 1, true);
        yield return new PpkCell("ecdsa384", 3, true, Argon2Type.Argon2d, 2, true);
    }

    public static IEnumerable<object[]> CellNames() => Cells().Select(c => new object[] { c.Name });

    public Dictionary<string, PpkCell> CellsByName { get; } = Cells().ToDictionary(c => c.Name);

    /// <summary>key name → the ssh-keygen private key file.</summary>
    public Dictionary<string, string> Base { get; } = new();

    /// <summary>cell name → the .ppk file puttygen wrote.</summary>
    public Dictionary<string, string> Ppk { get; } = new();
    public string PassphraseFile { get; }

    /// <summary>
    /// The key puttygen reads from <paramref name="dir"/>'s k.ppk (opened with the fixture's passphrase).
    /// </summary>
    public SshKey OpenedByPuttygen(TempDir dir)
    {
        var args = new[] { dir["k.ppk"], "--old-passphrase", PassphraseFile, "-O", "private-openssh" };
        Tool.Ok("puttygen", args.Concat(new[] { "-o", dir["out"] }).ToArray());
        return KeyReader.ReadFile(dir["out"], Passphrase).Key!;
    }

    public PuttygenFixture()
    {
        if (!Tool.Exists("puttygen"))
            throw new InvalidOperationException(
                "puttygen (Debian package putty-tools) is needed by these tests: apt-get install putty-tools."
            );
        PassphraseFile = Dir["passphrase"];
        File.WriteAllText(PassphraseFile, Passphrase + "\n");
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 };
        var kept = FixtureCache.Restore("puttygen", Dir);
        Parallel.ForEach(
            BaseKeys,
            parallel,
            k =>
            {
                var path = Dir[k.Name];
                if (!kept)
                    Tool.Ok(
                        "ssh-keygen",
                        "-q",
                        "-t",
                        k.Type,
                        "-b",
                        k.Bits,
                        "-N",
                        "",
                        "-C",
                        $"{k.Name}@puttygen fixture",
                        "-f",
                        path
                    );
                lock (Base)
                    Base[k.Name] = path;
            }
        );
        Parallel.ForEach(
            Cells(),
            parallel,
            c =>
            {
                var path = Dir[c.Name + ".ppk"];
                if (!kept)
                    Tool.Ok(
                        "puttygen",
                        Base[c.Key],
                        "-o",
                        path,
                        "--new-passphrase",
                        c.Encrypted ? PassphraseFile : "/dev/null",
                        "--ppk-param",
                        c.PuttygenParams
                    );
                lock (Ppk)
                    Ppk[c.Name] = path;
            }
        );
        FixtureCache.Keep("puttygen", Dir);
    }

    public SshKey BaseKey(string name) => KeyReader.ReadFile(Base[name]).RequirePrivate();

    /// <summary>
    /// The SHA256 fingerprint <c>puttygen -l</c> prints for a file ("ssh-rsa 2048 SHA256:... comment").
    /// </summary>
    public static string PuttygenFingerprint(string path) => Tool.Ok("puttygen", "-l", path).Split(' ')[2].Trim();

    /// <summary>Both keys hold the same private key (not only the same public half).</summary>
    public static void ShouldBeSamePrivate(SshKey actual, SshKey expected)
    {
        actual.SamePublicKey(expected).Should().BeTrue("the public halves must match");
        switch (expected.Private)
        {
            case RsaPrivateCrtKeyParameters e:
                var a = (RsaPrivateCrtKeyParameters)actual.Private!;
                a.Exponent.Should().Be(e.Exponent);
                new[] { a.P, a.Q }.Should().BeEquivalentTo(new[] { e.P, e.Q });
                a.P.Multiply(a.Q).Should().Be(e.Modulus);
                a.QInv.Should().Be(a.Q.ModInverse(a.P));
                break;
            case ECPrivateKeyParameters e:
                ((ECPrivateKeyParameters)actual.Private!).D.Should().Be(e.D);
                break;
            case Ed25519PrivateKeyParameters e:
                ((Ed25519PrivateKeyParameters)actual.Private!).GetEncoded().Should().Equal(e.GetEncoded());
                break;
            case DsaPrivateKeyParameters e:
                ((DsaPrivateKeyParameters)actual.Private!).X.Should().Be(e.X);
                break;
            default:
                throw new InvalidOperationException("unexpected key type");
        }
    }

    public void Dispose() => Dir.Dispose();
}
