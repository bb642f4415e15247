using FsCheck;
using FsCheck.Fluent;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>Damaged and random input: the only outcomes are a key or our own typed exception.</summary>
public sealed class KeyParserPropertyTests : IClassFixture<SshKeygenFixture>
{
    private static readonly int MaxTests = int.TryParse(Environment.GetEnvironmentVariable("GI_FUZZ_CASES"), out var n)
        ? n
        : 500;
    private readonly SshKeygenFixture _fx;

    public KeyParserPropertyTests(SshKeygenFixture fx) => _fx = fx;

    // Encrypted OpenSSH keys are read without a passphrase here: a mutated rounds field may ask for up to
    // the reader's cap of bcrypt rounds, which is correct but too slow for thousands of cases.
    private static readonly string[] Samples =
    {
        "rsa-2048-PEM",
        "rsa-2048-PEM-enc",
        "ecdsa-384-PEM",
        "dsa-1024-PEM",
        "rsa-2048-PKCS8",
        "ecdsa-256-PKCS8-enc",
        "rsa-2048-OpenSSH",
        "ed25519-256-OpenSSH",
        "ecdsa-521-OpenSSH",
        "ed25519-256-OpenSSH-aes256-gcm@openssh.com",
    };

    /// <summary>Any other exception propagates, so FsCheck reports it with the input that caused it.</summary>
    private static bool OnlyOurErrors(Func<object?> read)
    {
        try
        {
            read();
        }
        catch (GitIntegrationException) { }
        return true;
    }

    [Fact]
    public void MutatedKeyBodiesFailOnlyWithOurErrors()
    {
        var keys = Samples.Select(n => (Name: n, Text: File.ReadAllText(_fx.Keys[n]))).ToArray();
        var gen =
            from k in Gen.Choose(0, keys.Length - 1)
            from flips in Gen.ListOf(Gen.Zip(Gen.Choose(0, 4000), Gen.Choose(1, 255))).Select(l => l.Take(4).ToArray())
            from cut in Gen.Frequency((3, Gen.Constant(-1)), (1, Gen.Choose(0, 4000)))
            select (k, flips, cut);
        Prop.ForAll(
                gen.ToArbitrary(),
                c =>
                {
                    var (name, text) = keys[c.k];
                    var pem = KeyText.FindPem(KeyText.Normalize(text))!;
                    var body = pem.Body.ToArray();
                    foreach (var (pos, x) in c.flips)
                        body[pos % body.Length] ^= (byte)x;
                    if (c.cut >= 0)
                        body = body.Take(c.cut % body.Length).ToArray();
                    var mutated = PemBlock.Encode(pem.Label, body, pem.Headers);
                    var pass = name.EndsWith("enc") && !name.Contains("OpenSSH") ? SshKeygenFixture.Passphrase : null;
                    return OnlyOurErrors(() => KeyReader.Read(mutated, pass));
                }
            )
            .Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTests));
    }

    [Fact]
    public void MutatedPublicLinesFailOnlyWithOurErrors()
    {
        var lines = Samples.Take(9).Select(n => File.ReadAllText(_fx.Keys[n] + ".pub").Trim()).ToArray();
        var gen =
            from i in Gen.Choose(0, lines.Length - 1)
            from flips in Gen.ListOf(Gen.Zip(Gen.Choose(0, 1000), Gen.Choose(1, 255))).Select(l => l.Take(4).ToArray())
            select (i, flips);
        Prop.ForAll(
                gen.ToArbitrary(),
                c =>
                {
                    var parts = lines[c.i].Split(' ');
                    var blob = Convert.FromBase64String(parts[1]);
                    foreach (var (pos, x) in c.flips)
                        blob[pos % blob.Length] ^= (byte)x;
                    return OnlyOurErrors(() => KeyReader.Read($"{parts[0]} {Convert.ToBase64String(blob)} c"));
                }
            )
            .Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTests));
    }

    [Fact]
    public void RandomTextAndBytesFailOnlyWithOurErrors()
    {
        var prefixes = new[]
        {
            "",
            "-----BEGIN OPENSSH PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
            "ssh-rsa ",
            "---- BEGIN SSH2 PUBLIC KEY ----\n",
            "PuTTY-User-Key-File-3: ssh-rsa\n",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\n",
        };
        var gen =
            from p in Gen.Elements(prefixes)
            from s in ArbMap.Default.GeneratorFor<string>()
            from b in ArbMap.Default.GeneratorFor<byte[]>()
            select (p, s: s ?? "", b: b ?? Array.Empty<byte>());
        Prop.ForAll(
                gen.ToArbitrary(),
                c =>
                {
                    var end = c.p.StartsWith("-----BEGIN ") ? "\n-----END " + c.p.Split('\n')[0][11..] : "";
                    return OnlyOurErrors(() => KeyReader.Read(c.p + c.s + end))
                        && OnlyOurErrors(() => KeyReader.Read(c.p + Convert.ToBase64String(c.b) + end, "pass"))
                        && OnlyOurErrors(() => KeyReader.Read(KeyText.Decode(c.b)));
                }
            )
            .Check(Config.QuickThrowOnFailure.WithMaxTest(MaxTests));
    }

    [Fact]
    public void OversizedInputIsRefusedBeforeParsing()
    {
        var act = () => KeyReader.Read(new string('A', KeyText.MaxKeyFileBytes + 1));
        Assert.Equal(ErrorIds.KeyTooLarge, Assert.Throws<KeyFormatException>(act).ErrorId);
    }
}
