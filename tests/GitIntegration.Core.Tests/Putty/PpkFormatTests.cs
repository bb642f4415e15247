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

    /// <summary>
    /// The key puttygen reads from dir's k.ppk (with the fixture's passphrase), as OpenSSH writes it.
    /// </summary>
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
        _fx.OpenedByPuttygen(dir).Comment.Should().Be("Jürgen's key ✓");
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

    [Fact]
    public void APublicKeyIsNotWrittenAsAPpk()
    {
        var pub = KeyReader.Read(_fx.BaseKey("ed25519").PublicKeyLine).Key!;
        var act = () => PpkFormat.Write(pub, null);
        var e = act.Should().Throw<KeyFormatException>().Which;
        e.ErrorId.Should().Be(ErrorIds.KeyIsPublic);
        e.Message.Should()
            .Be("A public key cannot be written as a PuTTY private key. Read the private key file instead.");
    }

    [Fact]
    public void ChosenPassesAndMemoryArePuttygensToo()
    {
        using var dir = new TempDir();
        var key = _fx.BaseKey("ecdsa256");
        var options = new PpkWriteOptions { MemoryKiB = 64, Passes = 3 };
        File.WriteAllText(dir["k.ppk"], PpkFormat.Write(key, PuttygenFixture.Passphrase, options));
        File.ReadAllText(dir["k.ppk"]).Should().Contain("Argon2-Memory: 64\n").And.Contain("Argon2-Passes: 3\n");
        PuttygenFixture.ShouldBeSamePrivate(_fx.OpenedByPuttygen(dir), key);
    }

    [Fact]
    public void SmallMemoryGetsTimedPassesArgon2AndPuttygenAccept()
    {
        // One pass over 8 KiB takes microseconds: the timed search goes on past it, up to what Argon2 computes
        // (it once asked for 1,597 passes, and the write failed with an untyped error).
        using var dir = new TempDir();
        var key = _fx.BaseKey("ed25519");
        File.WriteAllText(
            dir["k.ppk"],
            PpkFormat.Write(key, PuttygenFixture.Passphrase, new PpkWriteOptions { MemoryKiB = 8 })
        );
        var passes = int.Parse(File.ReadAllLines(dir["k.ppk"]).Single(l => l.StartsWith("Argon2-Passes: "))[15..]);
        passes.Should().BeInRange(2, Argon2.MaxIterations);
        PuttygenFixture.ShouldBeSamePrivate(_fx.OpenedByPuttygen(dir), key);
    }

    [Fact]
    public void PassesArgon2CannotComputeAreRefusedBeforeWriting()
    {
        var act = () =>
            PpkFormat.Write(_fx.BaseKey("ed25519"), "p", new PpkWriteOptions { MemoryKiB = 64, Passes = 1001 });
        var e = act.Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be((ErrorIds.InvalidKeyParameters, "Argon2 passes must be between 1 and 1000 with 64 KiB of memory."));
    }

    [Fact]
    public void AnUnknownKeyDerivationSaysToSaveTheKeyAgain()
    {
        var text = Text("rsa2048-v3-argon2id-p1").Replace("Key-Derivation: Argon2id", "Key-Derivation: scrypt");
        Failure(text)
            .Message.Should()
            .Be(
                "The PuTTY key uses the key derivation 'scrypt'; PuTTY knows only Argon2id, Argon2i and Argon2d. "
                    + "Save it again with a current PuTTYgen."
            );
    }

    [Fact]
    public void AbsurdArgon2SettingsSayWhereToResetThem()
    {
        var text = Text("rsa2048-v3-argon2id-p1").Replace("Argon2-Passes: 2\n", "Argon2-Passes: 2000000\n");
        Failure(text)
            .Message.Should()
            .Be(
                "The PuTTY key asks Argon2 for 64 KiB of memory and 2000000 passes. PuTTYgen writes 8192 KiB and as "
                    + "many passes as take 0.1 s (about 30 to 150); a file may ask for at most 262144 KiB and 256 "
                    + "passes at 8192 KiB (memory × passes at most 2097152), because a file can ask for minutes of "
                    + "work on every read. Save the key again in PuTTYgen with its default key derivation settings "
                    + "(Key > Parameters for saving key files)."
            );
    }

    private const string Damaged =
        "The PuTTY key file is damaged: its lines are not in PuTTY's layout (a line is missing, cut or edited). Use "
        + "another copy of the .ppk file.";

    [Fact]
    public void AHeaderTypeThatIsNotThePublicKeysIsDamage()
    {
        var text = Text("ed25519-v3-none")
            .Replace("PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File-3: ssh-rsa");
        var e = Failure(text, null);
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Damaged));
    }

    [Theory]
    [InlineData("ed25519-v3-none")]
    [InlineData("rsa2048-v2-aes")]
    public void ACutMacIsDamageNotAWrongPassphrase(string cell)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(
            Text(cell),
            "(Private-MAC: [0-9a-f]+)[0-9a-f]{2}",
            "$1"
        );
        var e = Failure(text);
        (e.ErrorId, e.Message).Should().Be((ErrorIds.KeyCorrupt, Damaged));
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
