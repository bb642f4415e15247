using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using GitIntegration.Core.Crypto;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Putty;

/// <summary>
/// The three failures a .ppk can give (wrong passphrase, damaged, unsupported), its line endings, and mutated files.
/// </summary>
[Collection("puttygen")]
public sealed class PpkFormatTests
{
    private readonly PuttygenFixture _fx;

    public PpkFormatTests(PuttygenFixture fx) => _fx = fx;

    private string Text(string cell) => File.ReadAllText(_fx.Ppk[cell]);

    private static GitIntegrationException Failure(string text, string? passphrase = PuttygenFixture.Passphrase)
    {
        var act = () => KeyReader.Read(text, passphrase);
        return act.Should().Throw<GitIntegrationException>().Which;
    }

    [Theory]
    [InlineData("rsa2048-v3-argon2id-p1")]
    [InlineData("ed25519-v3-argon2i-p2")]
    [InlineData("ecdsa256-v2-aes")]
    public void AWrongPassphraseIsWrongPassphrase(string cell)
    {
        var e = Failure(Text(cell), "not the passphrase");
        e.Should().BeOfType<KeyPassphraseException>();
        e.ErrorId.Should().Be(ErrorIds.WrongPassphrase);
        e.Message.Should().ContainEquivalentOf("wrong passphrase or the file was modified");
    }

    [Theory]
    [InlineData("rsa2048-v3-argon2id-p1")]
    [InlineData("ecdsa384-v2-aes")]
    [InlineData("ed25519-v3-none")]
    [InlineData("ecdsa521-v2-none")]
    public void AnEditedCommentIsACorruptFileEvenWithTheRightPassphrase(string cell)
    {
        var text = Text(cell).Replace("@puttygen fixture", "@edited");
        var e = Failure(text);
        e.ErrorId.Should().Be(ErrorIds.KeyCorrupt);
        e.Message.Should().Contain("modified");
    }

    [Fact]
    public void AFlippedPrivateByteOfAnUnencryptedFileIsCorrupt()
    {
        var text = Text("rsa2048-v2-none");
        var i = text.IndexOf("Private-Lines: ", StringComparison.Ordinal);
        i = text.IndexOf('\n', i) + 5;
        var mutated = text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
        Failure(mutated).ErrorId.Should().Be(ErrorIds.KeyCorrupt);
    }

    [Theory]
    [InlineData("Encryption: aes256-cbc", "Encryption: aes128-cbc", ErrorIds.KeyFormatNotSupported)]
    [InlineData("Key-Derivation: Argon2id", "Key-Derivation: scrypt", ErrorIds.KeyFormatNotSupported)]
    [InlineData("PuTTY-User-Key-File-3:", "PuTTY-User-Key-File-4:", ErrorIds.KeyFormatNotSupported)]
    [InlineData("PuTTY-User-Key-File-3:", "PuTTY-User-Key-File-1:", ErrorIds.KeyFormatNotSupported)]
    [InlineData("Argon2-Memory: 64", "Argon2-Memory: 4194304", ErrorIds.KeyFormatNotSupported)]
    [InlineData("Argon2-Passes: 2", "Argon2-Passes: 2000000", ErrorIds.KeyFormatNotSupported)]
    [InlineData("Argon2-Passes: 2", "Argon2-Passes: 99999999999", ErrorIds.KeyCorrupt)]
    [InlineData("Argon2-Parallelism: 1", "Argon2-Parallelism: 0", ErrorIds.KeyCorrupt)]
    [InlineData("Argon2-Parallelism: 1", "Argon2-Parallelism: 100000", ErrorIds.KeyCorrupt)]
    [InlineData("Argon2-Memory: 64", "Argon2-Memory: 0", ErrorIds.KeyCorrupt)]
    [InlineData("Argon2-Salt: [0-9a-f]+", "Argon2-Salt: 0011", ErrorIds.KeyCorrupt)]
    public void UnsupportedVariantsAndAbsurdArgon2SettingsAreRefusedBeforeHashing(
        string from,
        string to,
        string errorId
    )
    {
        var text = Text("rsa2048-v3-argon2id-p1");
        text.Should().MatchRegex(from);
        var mutated = System.Text.RegularExpressions.Regex.Replace(text, from, to);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Failure(mutated).ErrorId.Should().Be(errorId);
        (GC.GetAllocatedBytesForCurrentThread() - before)
            .Should()
            .BeLessThan(4 << 20, "nothing the size of the Argon2 memory is allocated");
    }

    [Fact]
    public void Ed448IsAnUnsupportedAlgorithm()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "ed448", "-o", dir["ed448.ppk"], "--new-passphrase", "/dev/null");
        Failure(File.ReadAllText(dir["ed448.ppk"]), null).ErrorId.Should().Be(ErrorIds.KeyAlgorithmNotSupported);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\r")]
    [InlineData("\n")]
    public void AnyLineEndingIsRead(string newline)
    {
        foreach (var cell in new[] { "ecdsa256-v3-argon2id-p2", "rsa2048-v2-aes", "ed25519-v3-none" })
        {
            var text = Text(cell).Replace("\n", newline);
            var key = KeyReader.Read(text, PuttygenFixture.Passphrase).RequirePrivate();
            key.SamePublicKey(_fx.BaseKey(_fx.CellsByName[cell].Key)).Should().BeTrue();
            PpkFormat.Read("\uFEFF" + text, PuttygenFixture.Passphrase).PrivateKeyAvailable.Should().BeTrue();
        }
    }

    [Fact]
    public void WhatWeWriteWeReadBack()
    {
        foreach (var name in new[] { "rsa2048", "ecdsa384", "ed25519" })
        {
            var key = _fx.BaseKey(name);
            foreach (var version in new[] { 2, 3 })
            foreach (var pass in new[] { null, "p" })
            {
                var text = PpkFormat.Write(
                    key,
                    pass,
                    new PpkWriteOptions
                    {
                        Version = version,
                        MemoryKiB = 32,
                        Passes = 1,
                    }
                );
                var doc = PpkFormat.Read(text, pass);
                PuttygenFixture.ShouldBeSamePrivate(doc.Key!, key);
                doc.Key!.Comment.Should().Be(key.Comment);
            }
        }
    }

    [Fact]
    public void CancellingStopsArgon2WithoutATypedError()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var act = () =>
            PpkFormat.Read(
                Text("rsa4096-v3-argon2id-p1-default"),
                PuttygenFixture.Passphrase,
                cancellationToken: cts.Token
            );
        act.Should().Throw<OperationCanceledException>("the cmdlets turn it into a stopped pipeline");
    }

    [Fact]
    public void ANonAsciiCommentAndPassphraseMatchPuttygen()
    {
        using var dir = new TempDir();
        var key = _fx.BaseKey("ed25519");
        key.Comment = "Jürgen's key ✓";
        File.WriteAllText(
            dir["k.ppk"],
            PpkFormat.Write(key, PuttygenFixture.Passphrase, new PpkWriteOptions { MemoryKiB = 64, Passes = 1 })
        );
        Tool.Ok(
            "puttygen",
            dir["k.ppk"],
            "--old-passphrase",
            _fx.PassphraseFile,
            "-O",
            "private-openssh",
            "-o",
            dir["out"]
        );
        KeyReader.ReadFile(dir["out"], PuttygenFixture.Passphrase).Key!.Comment.Should().Be("Jürgen's key ✓");
    }

    [Fact]
    public void PassesAreChosenByTimeLikePuttygen()
    {
        int passes = PpkFormat.ChoosePasses(Argon2Type.Argon2id, 8192, 1, 100);
        new[] { 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233 }
            .Should()
            .Contain(passes, "puttygen tries Fibonacci numbers of passes");
    }

    [Fact]
    public void WriteOptionsOutsideWhatIsReadAreRefused()
    {
        var key = _fx.BaseKey("ed25519");
        foreach (
            var o in new[]
            {
                new PpkWriteOptions { Version = 4 },
                new PpkWriteOptions { Passes = 0 },
                new PpkWriteOptions { MemoryKiB = 4 },
                new PpkWriteOptions { Parallelism = 0 },
                new PpkWriteOptions { MemoryKiB = PpkFormat.MaxMemoryKiB, Passes = 9 },
            }
        )
        {
            var act = () => PpkFormat.Write(key, "p", o);
            act.Should().Throw<GitIntegrationException>().Which.ErrorId.Should().Be(ErrorIds.InvalidKeyParameters);
        }
    }

    private static readonly string[] MutationSources =
    {
        "rsa2048-v2-none",
        "ecdsa256-v2-aes",
        "ed25519-v3-none",
        "rsa2048-v3-argon2id-p1",
        "ecdsa521-v3-argon2d-p2",
    };

    /// <summary>
    /// A file damaged in 1 to 3 places: a character changed, dropped or added, a line dropped, doubled or moved, the
    /// end cut off.
    /// </summary>
    private static string Mutate(string text, (int Kind, int Position, char Char)[] edits)
    {
        foreach (var (kind, position, c) in edits)
        {
            var lines = text.Split('\n').ToList();
            int at = position % Math.Max(1, text.Length),
                line = position % lines.Count;
            text = kind switch
            {
                0 => text.Length == 0 ? text : text[..at] + c + text[(at + 1)..],
                1 => text.Length == 0 ? text : text.Remove(at, 1),
                2 => text.Insert(at, c.ToString()),
                3 => string.Join('\n', lines.Where((_, i) => i != line)),
                4 => string.Join('\n', lines.Take(line + 1).Append(lines[line]).Concat(lines.Skip(line + 1))),
                5 => string.Join(
                    '\n',
                    lines.Select(
                        (l, i) =>
                            i == line ? lines[(line + 1) % lines.Count]
                            : i == (line + 1) % lines.Count ? lines[line]
                            : l
                    )
                ),
                _ => text[..at],
            };
        }
        return text;
    }

    [Fact]
    public void MutatedFilesFailOnlyWithOurTypedErrors()
    {
        var sources = MutationSources.Select(c => (Text: Text(c), Key: _fx.BaseKey(_fx.CellsByName[c].Key))).ToArray();
        var edit =
            from kind in Gen.Choose(0, 6)
            from position in Gen.Choose(0, 1 << 20)
            from c in Gen.Elements('A', 'z', '0', '9', '+', '/', '=', ':', ' ', '-', '\n', '\r', '\0', 'é', 'x')
            select (kind, position, c);
        var cases =
            from source in Gen.Choose(0, sources.Length - 1)
            from count in Gen.Choose(1, 3)
            from edits in Gen.ArrayOf(edit, count)
            select (source, edits);

        Prop.ForAll(
                cases.ToArbitrary(),
                t =>
                {
                    var (text, key) = sources[t.source];
                    var mutated = Mutate(text, t.edits);
                    foreach (var passphrase in new[] { null, PuttygenFixture.Passphrase })
                    {
                        try
                        {
                            var doc = KeyReader.Read(mutated, passphrase);
                            if (doc.PrivateKeyAvailable)
                                doc.Key!.SamePublicKey(key)
                                    .Should()
                                    .BeTrue("a file that passes its MAC holds the original key");
                        }
                        catch (GitIntegrationException e)
                        {
                            e.ErrorId.Should()
                                .BeOneOf(
                                    ErrorIds.KeyCorrupt,
                                    ErrorIds.WrongPassphrase,
                                    ErrorIds.KeyFormatNotSupported,
                                    ErrorIds.KeyAlgorithmNotSupported,
                                    ErrorIds.KeyFormatNotRecognized
                                );
                        }
                    }
                }
            )
            .Check(Config.QuickThrowOnFailure.WithMaxTest(400));
    }
}
