using System.Text;
using FluentAssertions;
using GitIntegration.Core.Keys;
using Xunit;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>What people actually paste: the same key must come out of every mangled form.</summary>
public sealed class PastedTextTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public PastedTextTests(SshKeygenFixture fx) => _fx = fx;

    private static readonly (string Name, Func<string, string> Apply)[] Mangle =
    {
        ("crlf", t => t.Replace("\n", "\r\n")),
        ("bom", t => "\uFEFF" + t),
        ("blanks", t => "\n\n   " + t + "   \n\n"),
        ("double quotes", t => "\"" + t.TrimEnd() + "\""),
        ("single quotes", t => "'" + t.TrimEnd() + "'"),
        ("literal \\n", t => t.TrimEnd().Replace("\n", "\\n")),
        ("literal \\r\\n in quotes", t => "\"" + t.TrimEnd().Replace("\n", "\\r\\n") + "\""),
        ("one line with spaces", t => t.TrimEnd().Replace("\n", " ")),
        (
            "one line, no spaces in body",
            t => t.Split('\n')[0] + string.Concat(t.Split('\n').Skip(1).SkipLast(2)) + t.Split('\n')[^2]
        ),
        ("tabs and trailing spaces", t => string.Join("\n", t.Split('\n').Select(l => l + " \t"))),
    };

    // An encrypted PEM's headers (Proc-Type, DEK-Info) glued to the body with nothing between them cannot be told
    // apart: people paste with spaces, and that pair is not a row.
    public static IEnumerable<object[]> Manglings() =>
        from m in Mangle
        from k in new[]
        {
            "rsa-2048-PEM",
            "rsa-2048-PEM-enc",
            "ecdsa-256-OpenSSH-enc",
            "ed25519-256-OpenSSH",
            "rsa-3072-PKCS8",
        }
        where !(k == "rsa-2048-PEM-enc" && m.Name.StartsWith("one line, no spaces"))
        select new object[] { k, m.Name };

    [Theory]
    [MemberData(nameof(Manglings))]
    public void MangledKeyReadsAsTheOriginal(string name, string mangling)
    {
        var path = _fx.Keys[name];
        var pass = name.EndsWith("enc") ? SshKeygenFixture.Passphrase : null;
        var original = KeyReader.ReadFile(path, pass).Key!;
        var text = File.ReadAllText(path);
        var doc = KeyReader.Read(Mangle.Single(m => m.Name == mangling).Apply(text), pass);
        doc.Key!.FingerprintSha256.Should().Be(original.FingerprintSha256);
        doc.PrivateKeyAvailable.Should().BeTrue();
    }

    [Theory]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("utf-8-bom")]
    public void FilesSavedByWindowsPowerShellAreRead(string encoding)
    {
        using var dir = new TempDir();
        var path = _fx.Keys["rsa-2048-PEM"];
        var text = File.ReadAllText(path).Replace("\n", "\r\n");
        var enc = encoding switch
        {
            "utf-16le" => (Encoding)new UnicodeEncoding(false, true),
            "utf-16be" => new UnicodeEncoding(true, true),
            _ => new UTF8Encoding(true),
        };
        File.WriteAllText(dir["key"], text, enc);
        KeyReader
            .ReadFile(dir["key"])
            .Key!.FingerprintSha256.Should()
            .Be(KeyReader.ReadFile(path).Key!.FingerprintSha256);
    }

    [Fact]
    public void AuthorizedKeysLineWithOptionsIsRead()
    {
        var pub = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Trim();
        var doc = KeyReader.Read("command=\"gate.sh alice\",no-pty,from=\"10.0.0.1 , 10.0.0.2\" " + pub);
        doc.Format.Should().Be(KeyFormat.PublicOpenSsh);
        doc.Key!.PublicKeyLine.Should().Be(pub);
    }

    // sshd's own reading of an options field (sshkey_advance_past_options): a double quote opens and closes a
    // value, and a backslash before a double quote makes it part of the value. ssh-keygen -l reads the same way.
    [Theory]
    [InlineData("command=\"echo \\\"a b\\\"\",no-pty ")]
    [InlineData("command=\"echo \\\"a\\\"\"\t")]
    [InlineData("from=\"10.0.0.1\",command=\"printf '%s\\\\n' \\\"x y\\\"\" ")]
    [InlineData("no-pty,command=\"\" ")]
    public void AnAuthorizedKeysLineIsReadAsSshdReadsIt(string options)
    {
        using var dir = new TempDir();
        var pub = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Trim();
        var text = "# the laptop's key\n\n" + options + pub + "\n";
        File.WriteAllText(dir["authorized_keys"], text);
        var sshd = Tool.Ok("ssh-keygen", "-l", "-f", dir["authorized_keys"]).Split(' ');

        var doc = KeyReader.Read(text);
        doc.Key!.FingerprintSha256.Should().Be(sshd[1]);
        doc.Key.Comment.Should().Be(pub.Split(' ')[2]).And.Be(sshd[2]);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\'')]
    public void PublicKeyLineCopiedQuotedOutOfJsonOrYamlIsRead(char quote)
    {
        var pub = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Trim();
        var doc = KeyReader.Read(quote + pub + quote);
        doc.Format.Should().Be(KeyFormat.PublicOpenSsh);
        doc.Key!.PublicKeyLine.Should().Be(pub);
    }

    [Theory]
    [InlineData("RFC4716", KeyFormat.PublicRfc4716)]
    [InlineData("PKCS8", KeyFormat.PublicPem)]
    [InlineData("PEM", KeyFormat.PublicPem)]
    public void PublicKeysExportedBySshKeygenAreRead(string format, KeyFormat expected)
    {
        var path = _fx.Keys["rsa-2048-PEM"];
        var exported = Tool.Ok("ssh-keygen", "-e", "-m", format, "-f", path + ".pub");
        var doc = KeyReader.Read(exported);
        doc.Format.Should().Be(expected);
        doc.IsPrivate.Should().BeFalse();
        doc.Key!.FingerprintSha256.Should().Be(KeyReader.ReadFile(path).Key!.FingerprintSha256);
    }

    [Fact]
    public void Rfc4716HeadersGiveTheCommentWithContinuationLines()
    {
        using var dir = new TempDir();
        var pub = _fx.Keys["rsa-2048-PEM"] + ".pub";
        var exported = Tool.Ok("ssh-keygen", "-e", "-m", "RFC4716", "-f", pub);
        var said = exported.Split('\n')[1];
        said.Should().StartWith("Comment: \"").And.EndWith("\"");
        KeyReader.Read(exported).Key!.Comment.Should().Be(said[10..^1]);

        // RFC 4716 section 3.3: header tags in any case, a backslash continues a value on the next line, and headers
        // other than Comment are passed over.
        var body = string.Join("\n", exported.Split('\n').Skip(2).TakeWhile(l => !l.StartsWith("----")));
        var text =
            "---- BEGIN SSH2 PUBLIC KEY ----\nSubject: me\nx-command: /bin/lock \\\n --now\n"
            + "comment: \"2048-bit rsa, created by me@example.com \\\nMon Jan 15 08:31:24 2001\"\n"
            + body
            + "\n---- END SSH2 PUBLIC KEY ----\n";
        File.WriteAllText(dir["rfc"], text);
        var imported = Tool.Ok("ssh-keygen", "-i", "-m", "RFC4716", "-f", dir["rfc"]).Trim();

        var doc = KeyReader.Read(text);
        doc.Format.Should().Be(KeyFormat.PublicRfc4716);
        doc.Key!.Comment.Should().Be("2048-bit rsa, created by me@example.com Mon Jan 15 08:31:24 2001");
        doc.Key.PublicKeyLine.Should().StartWith(imported, "ssh-keygen reads the same key from the same text");
        FluentActions
            .Invoking(() => KeyReader.Read(text.Replace("---- END SSH2 PUBLIC KEY ----", "")))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.KeyCorrupt);
    }

    [Theory]
    [InlineData(
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
        ErrorIds.KeyFormatNotSupported,
        "This is an X.509 certificate, not an SSH key. Give the SSH private key file (New-GitSshKey makes one)."
    )]
    [InlineData(
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\nmQ\n-----END PGP PUBLIC KEY BLOCK-----",
        ErrorIds.KeyFormatNotSupported,
        "This is a PGP key, not an SSH key. Generate an SSH key with New-GitSshKey."
    )]
    [InlineData(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA",
        ErrorIds.KeyCorrupt,
        "The key's BEGIN line has no matching END line: the key was cut while copying. Copy the whole key, "
            + "including its last line."
    )]
    [InlineData(
        "-----BEGIN RSA PRIVATE KEY-----\nMII!EpAIB\n-----END RSA PRIVATE KEY-----",
        ErrorIds.KeyCorrupt,
        "The key contains characters that cannot be part of it (a line was edited or mangled while copying). Copy "
            + "the key again from its original file."
    )]
    [InlineData(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQE\n-----END RSA PRIVATE KEY-----",
        ErrorIds.KeyCorrupt,
        "The key's base64 text is incomplete or damaged (a line is missing or was cut). Copy the key again from its "
            + "original file."
    )]
    [InlineData(
        "hello world",
        ErrorIds.KeyFormatNotRecognized,
        "This is not an SSH key in any known format (PEM, PKCS#8, OpenSSH, PuTTY .ppk, or a public key line). Check "
            + "that you gave the key file itself."
    )]
    [InlineData(
        "",
        ErrorIds.KeyFormatNotRecognized,
        "The key is empty. Give the path of a key file, or paste the whole key including its BEGIN and END lines."
    )]
    [InlineData(
        "ssh-rsa-cert-v01@openssh.com AAAA",
        ErrorIds.KeyFormatNotSupported,
        "This is an OpenSSH certificate, not a key. Give the private key file the certificate was issued for."
    )]
    [InlineData(
        "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t",
        ErrorIds.KeyAlgorithmNotSupported,
        "This key lives on a hardware security key (FIDO), which a server cannot use. Generate a file key with "
            + "New-GitSshKey."
    )]
    [InlineData(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==",
        ErrorIds.KeyCorrupt,
        "The key data is truncated or malformed. Copy the key again from its original file, without editing it."
    )]
    public void NotAUsableKeySaysWhy(string text, string errorId, string says)
    {
        var act = () => KeyReader.Read(text);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Message).Should().Be((errorId, says));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xFE, 0xFF })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    public void AnEmptyFileSavedWithAByteOrderMarkIsEmpty(byte[] bom)
    {
        // What Notepad saves for an empty file in "UTF-16 LE", "UTF-16 BE" and "UTF-8 with BOM".
        using var dir = new TempDir();
        File.WriteAllBytes(dir["key"], bom);
        var read = () => KeyReader.ReadFile(dir["key"]);
        read.Should()
            .Throw<KeyFormatException>()
            .Which.Message.Should()
            .Be(
                "The key is empty. Give the path of a key file, or paste the whole key including its BEGIN and END "
                    + "lines."
            );
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("''")]
    public void AnEmptyQuotedValueIsAnEmptyKey(string text)
    {
        var act = () => KeyReader.Read(text);
        act.Should().Throw<KeyFormatException>().Which.Message.Should().StartWith("The key is empty.");
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\'')]
    public void APublicKeyLineWhoseCommentIsQuotedKeepsItAsSshKeygenShowsIt(char quote)
    {
        using var dir = new TempDir();
        var pub = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Split(' ');
        var line = $"{pub[0]} {pub[1]} {quote}laptop{quote}";
        File.WriteAllText(dir["id.pub"], line + "\n");
        var listed = Tool.Ok("ssh-keygen", "-l", "-f", dir["id.pub"]).Trim();
        listed.Should().EndWith($" {quote}laptop{quote} (ED25519)");
        KeyReader.Read(line).Key!.Comment.Should().Be($"{quote}laptop{quote}");
    }

    [Fact]
    public void APastedPublicKeyLineWithAByteOrderMarkIsRead()
    {
        var pub = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub").Trim();
        KeyReader.Read("\uFEFF" + pub).Key!.PublicKeyLine.Should().Be(pub);
    }

    [Fact]
    public void APublicPemKeyHasNoCommentAsSshKeygenImportsIt()
    {
        var exported = Tool.Ok("ssh-keygen", "-e", "-m", "PKCS8", "-f", _fx.Keys["rsa-2048-PEM"] + ".pub");
        using var dir = new TempDir();
        File.WriteAllText(dir["key.pem"], exported);
        var imported = Tool.Ok("ssh-keygen", "-i", "-m", "PKCS8", "-f", dir["key.pem"]).Trim();
        KeyReader.Read(exported).Key!.PublicKeyLine.Should().Be(imported);
    }

    [Fact]
    public void EncryptedKeyWithoutPassphraseIsDescribedNotRefused()
    {
        var pem = KeyReader.ReadFile(_fx.Keys["rsa-2048-PEM-enc"]);
        pem.IsEncrypted.Should().BeTrue();
        pem.Key.Should().BeNull("an encrypted PEM hides even the public key");
        pem.Algorithm.Should().Be(KeyAlgorithm.Rsa);
        var act = () => pem.RequirePrivate();
        var e = act.Should().Throw<KeyPassphraseException>().Which;
        (e.ErrorId, e.Message)
            .Should()
            .Be(
                (
                    ErrorIds.PassphraseRequired,
                    "The private key is protected by a passphrase. Give it with -Passphrase (Read-Host "
                        + "-AsSecureString)."
                )
            );

        var info = KeyFiles.Inspect(_fx.Keys["rsa-2048-PEM-enc"]).Info;
        info.FingerprintSha256.Should()
            .Be(
                SshKeygenFixture.Fingerprint(_fx.Keys["rsa-2048-PEM-enc"] + ".pub").Split(' ')[1],
                "the .pub beside it tells"
            );
        info.PublicKeyPath.Should().Be(_fx.Keys["rsa-2048-PEM-enc"] + ".pub");
    }

    [Theory]
    [InlineData("rsa-3072-PKCS8", KeyAlgorithm.Rsa)]
    [InlineData("ecdsa-384-PKCS8", KeyAlgorithm.Ecdsa)]
    [InlineData("dsa-1024-PKCS8", KeyAlgorithm.Dsa)]
    public void APkcs8KeyIsNamedByTheTypeSshKeygenShows(string name, KeyAlgorithm algorithm)
    {
        // PKCS#8 names the algorithm inside the key, not in its BEGIN line.
        var path = _fx.Keys[name];
        SshKeygenFixture.Fingerprint(path + ".pub").Should().EndWith($" ({algorithm.ToString().ToUpperInvariant()})");
        KeyReader.ReadFile(path).Algorithm.Should().Be(algorithm);
    }
}
