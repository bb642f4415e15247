using System.Diagnostics;
using FluentAssertions;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Putty;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>
/// Key derivation caps: what puttygen 0.78, ssh-keygen and openssl write at the caps is read, and a file just over a
/// cap (made by the same tools, which take any setting) is refused before any key derivation runs. The old caps let
/// one .ppk cost 7 s to 28 s and 1.2 GB per read (1 GiB, 8 passes) and one OpenSSH key 6 s to 18 s per try.
/// </summary>
public sealed class KdfCapTests : IDisposable
{
    private const string Passphrase = "cap test";
    private readonly TempDir _dir = new();

    public KdfCapTests()
    {
        Peer.Require("puttygen", "putty-tools");
        Peer.Require("openssl", "openssl");
        File.WriteAllText(_dir["pw"], Passphrase + "\n");
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", _dir["base"]);
    }

    public void Dispose() => _dir.Dispose();

    private string Ppk(string name, string param)
    {
        Tool.Ok("puttygen", _dir["base"], "-o", _dir[name], "--new-passphrase", _dir["pw"], "--ppk-param", param);
        return _dir[name];
    }

    private static KeyFormatException RefusedAtOnce(Action read)
    {
        var clock = Stopwatch.StartNew();
        var e = FluentActions.Invoking(read).Should().Throw<KeyFormatException>().Which;
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "no key derivation may run for a refused file");
        e.ErrorId.Should().Be(ErrorIds.KeyFormatNotSupported);
        return e;
    }

    [Theory]
    [InlineData("memory=262152,passes=1")] // 8 KiB over the memory cap
    [InlineData("memory=8192,passes=257")] // one pass over the work cap at PuTTYgen's memory
    [InlineData("memory=131072,passes=17")] // 128 MiB: one pass over
    public void A_ppk_over_the_caps_is_refused_before_Argon2_runs(string param)
    {
        var path = Ppk("over.ppk", param);
        var e = RefusedAtOnce(() => PuttyKeyFiles.Read(path, Passphrase));
        e.Message.Should().Contain("PuTTYgen writes 8192 KiB").And.Contain("at most 262144 KiB and 256 passes");
        // Without the passphrase it is refused too: Get-GitSshKey says why instead of listing a key nobody can open.
        RefusedAtOnce(() => PuttyKeyFiles.Read(path, null));
    }

    [Fact]
    public void The_old_caps_file_1_GiB_and_8_passes_is_refused_at_once()
    {
        var text = File.ReadAllText(Ppk("small.ppk", "memory=8192,passes=1"))
            .Replace("Argon2-Memory: 8192\n", "Argon2-Memory: 1048576\n")
            .Replace("Argon2-Passes: 1\n", "Argon2-Passes: 8\n");
        text.Should().Contain("Argon2-Memory: 1048576\nArgon2-Passes: 8\n");
        File.WriteAllText(_dir["old-cap.ppk"], text);
        RefusedAtOnce(() => PuttyKeyFiles.Read(_dir["old-cap.ppk"], Passphrase));
    }

    [Theory]
    [InlineData("memory=8192,passes=256")]
    [InlineData("memory=262144,passes=1")]
    public void A_ppk_at_the_caps_is_read(string param)
    {
        var doc = PuttyKeyFiles.Read(Ppk("at.ppk", param), Passphrase);
        doc.Key!.Private.Should().NotBeNull();
    }

    [Fact]
    public void What_puttygen_writes_by_default_is_within_the_caps()
    {
        var text = File.ReadAllText(Ppk("default.ppk", "version=3"));
        var line = text.Split('\n').Single(l => l.StartsWith("Argon2-Passes: ", StringComparison.Ordinal));
        var passes = int.Parse(line["Argon2-Passes: ".Length..]);
        text.Should().Contain("Argon2-Memory: 8192\n");
        (8192L * passes).Should().BeLessThanOrEqualTo(PpkFormat.MaxWork, "PuTTYgen times its passes to 0.1 s");
        PuttyKeyFiles.Read(_dir["default.ppk"], Passphrase).Key!.Private.Should().NotBeNull();
    }

    [Fact]
    public void An_OpenSSH_key_over_256_bcrypt_rounds_is_refused_and_one_at_256_is_read()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-a", "257", "-N", Passphrase, "-f", _dir["over"]);
        var e = RefusedAtOnce(() => KeyReader.ReadFile(_dir["over"], Passphrase));
        e.Message.Should().Contain("257 bcrypt rounds").And.Contain("ssh-keygen -p -a 100 -f");
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-a", "256", "-N", Passphrase, "-f", _dir["at"]);
        KeyReader.ReadFile(_dir["at"], Passphrase).KdfRounds.Should().Be(256);
    }

    [Fact]
    public void A_PKCS8_key_over_2_million_PBKDF2_iterations_is_refused_and_one_at_the_cap_is_read()
    {
        Tool.Ok("openssl", "genpkey", "-algorithm", "ed25519", "-out", _dir["plain.pem"]);
        string Pkcs8(string name, int iterations)
        {
            Tool.Ok(
                "openssl",
                "pkcs8",
                "-topk8",
                "-in",
                _dir["plain.pem"],
                "-out",
                _dir[name],
                "-v2",
                "aes-256-cbc",
                "-v2prf",
                "hmacWithSHA256",
                "-iter",
                iterations.ToString(),
                "-passout",
                "pass:" + Passphrase
            );
            return _dir[name];
        }
        var over = Pkcs8("over.p8", 2_000_001);
        RefusedAtOnce(() => KeyReader.ReadFile(over, Passphrase))
            .Message.Should()
            .Be(
                "The PKCS#8 key asks for 2000001 PBKDF2 iterations. OpenSSL and ssh-keygen write 2048; more than "
                    + "2000000 is refused, because a file can ask for hours of work on every passphrase tried. "
                    + "Re-encrypt it with: ssh-keygen -p -m pem -f <file>."
            );
        KeyReader.ReadFile(Pkcs8("at.p8", 2_000_000), Passphrase).Key!.Private.Should().NotBeNull();
    }

    [Fact]
    public void We_never_write_a_ppk_we_would_refuse_to_read()
    {
        var key = KeyReader.ReadFile(_dir["base"]).Key!;
        var over = new PpkWriteOptions { MemoryKiB = PpkWriteOptions.DefaultMemoryKiB, Passes = 257 };
        FluentActions
            .Invoking(() => PpkFormat.Write(key, Passphrase, over))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.InvalidKeyParameters);
    }
}
