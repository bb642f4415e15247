#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using GitIntegration.Core.Crypto;
using Xunit;

namespace GitIntegration.Core.Tests.Crypto;

public class Argon2Tests
{
    // RFC 9106 section 5: password 32 x 0x01, salt 16 x 0x02, secret 8 x 0x03, ad 12 x 0x04, m=32 KiB, t=3, p=4, tag 32
    // bytes.
    [Theory]
    [InlineData(Argon2Type.Argon2d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb")]
    [InlineData(Argon2Type.Argon2i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8")]
    [InlineData(Argon2Type.Argon2id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659")]
    public void Rfc9106TestVectors(Argon2Type type, string expectedTag)
    {
        byte[] tag = Argon2.Hash(
            type,
            Fill(32, 0x01),
            Fill(16, 0x02),
            memoryKiB: 32,
            iterations: 3,
            parallelism: 4,
            outputLength: 32,
            secret: Fill(8, 0x03),
            associatedData: Fill(12, 0x04)
        );

        Assert.Equal(expectedTag, Hex(tag));
    }

    public static IEnumerable<object[]> CliCases()
    {
        var shapes = new (int MemoryKiB, int Iterations, int Parallelism, int Length)[]
        {
            (8192, 3, 1, 32), // PuTTY's defaults; Argon2i needs several address blocks per segment here
            (8192, 2, 2, 32),
            (64, 1, 1, 16),
            (100, 3, 3, 100), // memory not a multiple of 4*p (rounded down to 96), H' output longer than 64 bytes
            (1024, 4, 4, 64),
        };
        foreach (Argon2Type type in new[] { Argon2Type.Argon2d, Argon2Type.Argon2i, Argon2Type.Argon2id })
        foreach (var s in shapes)
            yield return new object[] { type, s.MemoryKiB, s.Iterations, s.Parallelism, s.Length };
    }

    [Theory]
    [MemberData(nameof(CliCases))]
    public void MatchesReferenceCli(Argon2Type type, int memoryKiB, int iterations, int parallelism, int length)
    {
        const string password = "correct horse battery staple";
        const string salt = "saltsaltsalt";

        string expected = RunReferenceCli(type, password, salt, memoryKiB, iterations, parallelism, length);
        byte[] actual = Argon2.Hash(
            type,
            Encoding.UTF8.GetBytes(password),
            Encoding.UTF8.GetBytes(salt),
            memoryKiB,
            iterations,
            parallelism,
            length
        );

        Assert.Equal(expected, Hex(actual));
    }

    // Each limit itself is accepted and hashes as the reference CLI does: 255 lanes at their least memory (8 KiB
    // each), the most passes, the shortest and the longest tag, the shortest salt.
    [Theory]
    [InlineData(Argon2Type.Argon2id, 2040, 1, 255, 32)]
    [InlineData(Argon2Type.Argon2d, 8, 1000, 1, 4)]
    [InlineData(Argon2Type.Argon2i, 8, 1, 1, 1024)]
    public void LimitsAreAcceptedAndMatchReferenceCli(
        Argon2Type type,
        int memoryKiB,
        int iterations,
        int parallelism,
        int length
    )
    {
        const string salt = "saltsalt"; // MinSaltLength bytes
        string expected = RunReferenceCli(type, "pw", salt, memoryKiB, iterations, parallelism, length);
        byte[] actual = Argon2.Hash(
            type,
            Encoding.UTF8.GetBytes("pw"),
            Encoding.UTF8.GetBytes(salt),
            memoryKiB,
            iterations,
            parallelism,
            length
        );
        Assert.Equal(expected, Hex(actual));
    }

    [Fact]
    public void NonAsciiPasswordMatchesReferenceCli()
    {
        const string password = "pässwörd ✓ 密码";
        string expected = RunReferenceCli(Argon2Type.Argon2id, password, "somesalt", 256, 2, 1, 32);
        Assert.Equal(
            expected,
            Hex(
                Argon2.Hash(
                    Argon2Type.Argon2id,
                    Encoding.UTF8.GetBytes(password),
                    Encoding.ASCII.GetBytes("somesalt"),
                    256,
                    2,
                    1,
                    32
                )
            )
        );
    }

    [Fact]
    public void EmptyPasswordIsAllowed()
    {
        // RFC 9106 allows a zero-length password; the CLI refuses one, so this only pins that it hashes.
        byte[] tag = Argon2.Hash(Argon2Type.Argon2id, Array.Empty<byte>(), Fill(16, 2), 64, 1, 1, 32);
        Assert.Equal(32, tag.Length);
        Assert.NotEqual(Hex(tag), Hex(Argon2.Hash(Argon2Type.Argon2id, new byte[1], Fill(16, 2), 64, 1, 1, 32)));
    }

    [Fact]
    public void SecretAndAssociatedDataChangeTheTag()
    {
        byte[] Hash(byte[]? secret, byte[]? ad) =>
            Argon2.Hash(Argon2Type.Argon2id, Fill(8, 1), Fill(16, 2), 64, 1, 1, 32, secret, ad);

        string plain = Hex(Hash(null, null));
        Assert.Equal(plain, Hex(Hash(Array.Empty<byte>(), Array.Empty<byte>())));
        Assert.NotEqual(plain, Hex(Hash(Fill(8, 3), null)));
        Assert.NotEqual(plain, Hex(Hash(null, Fill(8, 3))));
    }

    public static IEnumerable<object[]> InvalidParameters()
    {
        // name, memoryKiB, iterations, parallelism, outputLength, saltLength
        yield return new object[] { "parallelism", 1024, 1, 0, 32, 16 };
        yield return new object[] { "parallelism", 1024 * 1024, 1, 256, 32, 16 };
        yield return new object[] { "parallelism", 1024, 1, int.MaxValue, 32, 16 };
        yield return new object[] { "memoryKiB", 15, 1, 2, 32, 16 };
        yield return new object[] { "memoryKiB", Argon2.MaxMemoryKiB + 1, 1, 1, 32, 16 };
        yield return new object[] { "memoryKiB", int.MaxValue, 1, 1, 32, 16 };
        yield return new object[] { "memoryKiB", -8, 1, 1, 32, 16 };
        yield return new object[] { "iterations", Argon2.MaxMemoryKiB, 0, 1, 32, 16 };
        yield return new object[] { "iterations", Argon2.MaxMemoryKiB, Argon2.MaxIterations + 1, 1, 32, 16 };
        yield return new object[] { "outputLength", Argon2.MaxMemoryKiB, 1, 1, 3, 16 };
        yield return new object[] { "outputLength", Argon2.MaxMemoryKiB, 1, 1, 1025, 16 };
        yield return new object[] { "salt", Argon2.MaxMemoryKiB, 1, 1, 32, 7 };
    }

    [Theory]
    [MemberData(nameof(InvalidParameters))]
    public void AbsurdParametersThrowBeforeAllocating(
        string name,
        int memoryKiB,
        int iterations,
        int parallelism,
        int outputLength,
        int saltLength
    )
    {
        byte[] password = Fill(8, 1),
            salt = Fill(saltLength, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Argon2.Hash(Argon2Type.Argon2id, password, salt, memoryKiB, iterations, parallelism, outputLength)
        );

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(name, ex.ParamName);
        Assert.StartsWith(name + " must be ", ex.Message);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes before rejecting {name}");
    }

    [Fact]
    public void LimitMessagesNameTheLimit()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Argon2.Hash(Argon2Type.Argon2id, Fill(8, 1), Fill(16, 2), Argon2.MaxMemoryKiB + 1, 1, 1, 32)
        );
        Assert.Contains(Argon2.MaxMemoryKiB.ToString(), ex.Message);

        ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            Argon2.Hash(Argon2Type.Argon2id, Fill(8, 1), Fill(16, 2), 1024, Argon2.MaxIterations + 1, 1, 32)
        );
        Assert.Contains(Argon2.MaxIterations.ToString(), ex.Message);
    }

    [Fact]
    public void InvalidTypeAndNullsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Argon2.Hash((Argon2Type)3, Fill(8, 1), Fill(16, 2), 64, 1, 1, 32)
        );
        Assert.Throws<ArgumentNullException>(() => Argon2.Hash(Argon2Type.Argon2id, null!, Fill(16, 2), 64, 1, 1, 32));
        Assert.Throws<ArgumentNullException>(() => Argon2.Hash(Argon2Type.Argon2id, Fill(8, 1), null!, 64, 1, 1, 32));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ProgressIsReportedOncePerSliceAndEndsAtOne(int parallelism)
    {
        var reports = new List<double>();
        Argon2.Hash(Argon2Type.Argon2id, Fill(8, 1), Fill(16, 2), 256, 3, parallelism, 32, progress: reports.Add);

        Assert.Equal(3 * 4, reports.Count);
        Assert.Equal(1.0, reports[reports.Count - 1]);
        Assert.True(reports.Zip(reports.Skip(1), (a, b) => a < b).All(x => x), "progress must increase");
    }

    [Fact]
    public void PreCancelledTokenThrowsBeforeAllocating()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        byte[] password = Fill(8, 1),
            salt = Fill(16, 2);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<OperationCanceledException>(() =>
            Argon2.Hash(Argon2Type.Argon2id, password, salt, 1024, 1, 1, 32, cancellationToken: cts.Token)
        );
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes of the 1 MiB before the cancellation");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void CancellationDuringHashingThrows(int parallelism)
    {
        using var cts = new CancellationTokenSource();
        int reports = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Argon2.Hash(
                Argon2Type.Argon2id,
                Fill(8, 1),
                Fill(16, 2),
                4096,
                10,
                parallelism,
                32,
                progress: _ =>
                {
                    if (++reports == 2)
                        cts.Cancel();
                },
                cancellationToken: cts.Token
            )
        );
        Assert.Equal(2, reports);
    }

    private static string RunReferenceCli(
        Argon2Type type,
        string password,
        string salt,
        int memoryKiB,
        int iterations,
        int parallelism,
        int length
    )
    {
        var psi = new ProcessStartInfo("argon2")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string typeFlag = type switch
        {
            Argon2Type.Argon2d => "-d",
            Argon2Type.Argon2i => "-i",
            _ => "-id",
        };
        foreach (
            string arg in new[]
            {
                salt,
                typeFlag,
                "-t",
                iterations.ToString(),
                "-k",
                memoryKiB.ToString(),
                "-p",
                parallelism.ToString(),
                "-l",
                length.ToString(),
                "-r",
            }
        )
            psi.ArgumentList.Add(arg);

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("argon2 did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "The reference `argon2` CLI is required (Debian/Ubuntu: apt-get install argon2).",
                e
            );
        }

        using (process)
        {
            byte[] passwordBytes = Encoding.UTF8.GetBytes(password); // the CLI hashes stdin as-is: no newline
            process.StandardInput.BaseStream.Write(passwordBytes, 0, passwordBytes.Length);
            process.StandardInput.Close();
            string output = process.StandardOutput.ReadToEnd();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"argon2 exited with {process.ExitCode}: {error}");
            return output.Trim();
        }
    }

    private static byte[] Fill(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
