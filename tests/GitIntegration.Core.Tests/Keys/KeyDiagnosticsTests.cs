using FluentAssertions;
using GitIntegration.Core.Keys;
using Xunit;
using Ids = GitIntegration.Core.Keys.KeyDiagnostics.Ids;

namespace GitIntegration.Core.Tests.Keys;

public sealed class KeyDiagnosticsTests : IClassFixture<SshKeygenFixture>
{
    private readonly SshKeygenFixture _fx;

    public KeyDiagnosticsTests(SshKeygenFixture fx) => _fx = fx;

    private static string[] FindingIds(KeyTestResult r) => r.Findings.Select(f => f.Id).ToArray();

    /// <summary>Copies a fixture key (and its .pub) so a test may change it.</summary>
    private static string Copy(string from, TempDir dir, string name = "key")
    {
        File.Copy(from, dir[name]);
        File.Copy(from + ".pub", dir[name] + ".pub");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(dir[name], UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return dir[name];
    }

    [Fact]
    public void IntegrationRuleAcceptsRsaPem()
    {
        var r = KeyDiagnostics.TestFile(_fx.Keys["rsa-3072-PEM"], null, KeyRequirement.Integration);
        r.IsValid.Should().BeTrue(string.Join("; ", r.Findings));
        r.Findings.Should().BeEmpty();
        r.Key!.Algorithm.Should().Be(KeyAlgorithm.Rsa);
    }

    [Fact]
    public void OpenSshFormatIsRejectedAndTheRemedyFixesIt()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-OpenSSH"], dir);
        var r = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration);
        r.IsValid.Should().BeFalse();
        var f = r.Findings.Single(x => x.Id == Ids.OpenSshFormat);
        f.Severity.Should().Be(FindingSeverity.Error);
        f.Message.Should()
            .Be(
                "The key is in OpenSSH format (BEGIN OPENSSH PRIVATE KEY), which ssh-keygen and macOS write by "
                    + "default; the integration needs OpenSSL PEM (BEGIN RSA PRIVATE KEY)."
            );
        f.Remedy.Should().Be($"Convert-GitSshKey -Path '{path}' -Format Pem");

        KeyFiles.Convert(path, PrivateKeyFormat.Pem, null, null, null, false); // what the remedy runs
        var after = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration);
        FindingIds(after).Should().NotContain(Ids.OpenSshFormat);
        after.IsValid.Should().BeTrue();
        File.ReadAllText(path).Should().StartWith("-----BEGIN RSA PRIVATE KEY-----");
    }

    [Fact]
    public void PublicKeyGivenPointsToThePrivateFile()
    {
        var path = _fx.Keys["rsa-2048-PEM"];
        var r = KeyDiagnostics.TestFile(path + ".pub", null, KeyRequirement.Integration);
        r.IsValid.Should().BeFalse();
        var f = r.Findings.Single();
        f.ToString()
            .Should()
            .Be(
                $"Error PublicKeyGiven: This is the public half of the key. Give the integration the private key "
                    + $"file '{path}'; the public key belongs on the git host."
            );
        f.Remedy.Should().Be($"Test-GitSshKey -LiteralPath '{path}'");
    }

    [Theory]
    [InlineData("ed25519-256-OpenSSH", KeyRequirement.Integration, false)]
    [InlineData("ed25519-256-OpenSSH", KeyRequirement.GitHub, true)]
    [InlineData("ecdsa-256-PEM", KeyRequirement.AzureDevOps, false)]
    [InlineData("ecdsa-256-PEM", KeyRequirement.GitLab, true)]
    [InlineData("rsa-2048-OpenSSH", KeyRequirement.AzureDevOps, true)]
    [InlineData("rsa-2048-OpenSSH", KeyRequirement.Bitbucket, true)]
    public void AlgorithmRulesPerHost(string name, KeyRequirement requirement, bool allowed)
    {
        using var dir = new TempDir();
        var r = KeyDiagnostics.TestFile(Copy(_fx.Keys[name], dir), null, requirement);
        FindingIds(r).Contains(Ids.AlgorithmNotAllowed).Should().Be(!allowed);
        if (requirement != KeyRequirement.Integration)
            r.IsValid.Should().Be(allowed, string.Join("; ", r.Findings));
    }

    [Fact]
    public void DsaIsAnErrorExceptForAny()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["dsa-1024-PEM"], dir);
        var f = KeyDiagnostics.TestFile(path, null, KeyRequirement.GitHub).Findings.Single();
        (f.Id, f.Severity, f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    Ids.DsaDeprecated,
                    FindingSeverity.Error,
                    "DSA keys are obsolete: OpenSSH disabled them in 2015 and git hosts refuse them. Generate a new "
                        + "key.",
                    $"New-GitSshKey -Path '{path}.new' -Type Rsa -Bits 4096"
                )
            );
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.Any)
            .Findings.Single(f => f.Id == Ids.DsaDeprecated)
            .Severity.Should()
            .Be(FindingSeverity.Warning);
    }

    [Fact]
    public void KeySizes()
    {
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-m", "PEM", "-N", "", "-f", dir["small"]);
        KeyDiagnostics
            .TestFile(dir["small"], null, KeyRequirement.Integration)
            .Findings.Should()
            .ContainSingle(f => f.Id == Ids.KeyTooSmall && f.Severity == FindingSeverity.Error);
        var r = KeyDiagnostics.TestFile(Copy(_fx.Keys["rsa-2048-PEM"], dir), null, KeyRequirement.Integration);
        r.IsValid.Should().BeTrue();
        r.Findings.Should().ContainSingle(f => f.Id == Ids.KeySizeMinimum && f.Severity == FindingSeverity.Warning);
    }

    [Fact]
    public void Passphrases()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM-enc"], dir);
        var none = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration);
        none.Findings.Should()
            .ContainSingle(f => f.Id == Ids.PassphraseNotGiven && f.Severity == FindingSeverity.Warning);
        var wrong = KeyDiagnostics.TestFile(path, "wrong", KeyRequirement.Integration);
        wrong.IsValid.Should().BeFalse();
        var f = wrong.Findings.Single(x => x.Id == Ids.WrongPassphrase);
        (f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    "The passphrase does not open this key. Check it (it is case-sensitive) and try again; a lost "
                        + "passphrase cannot be recovered, so a forgotten one means a new key (New-GitSshKey).",
                    $"Test-GitSshKey -LiteralPath '{path}' -Passphrase {AskPassphrase}"
                )
            );
        var right = KeyDiagnostics.TestFile(path, SshKeygenFixture.Passphrase, KeyRequirement.Integration);
        FindingIds(right).Should().NotContain(new[] { Ids.WrongPassphrase, Ids.PassphraseNotGiven });
        right.Key!.Bits.Should().Be(2048);
    }

    [Fact]
    public void MismatchedPublicKeyIsFound()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM"], dir);
        File.Copy(_fx.Keys["rsa-3072-PEM"] + ".pub", path + ".pub", overwrite: true);
        var r = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration);
        r.Findings.Should().ContainSingle(f => f.Id == Ids.PublicKeyMismatch);
        r.IsValid.Should().BeFalse();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void OpenPermissionsAreFoundAsSshWouldRefuseThem()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-3072-PEM"], dir);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        var f = KeyDiagnostics
            .TestFile(path, null, KeyRequirement.Integration)
            .Findings.Single(x => x.Id == Ids.PermissionsTooOpen);
        f.Remedy.Should().Be($"chmod 600 '{path}'");
        // ssh-keygen agrees that such a file is refused.
        Tool.Run("ssh-keygen", new[] { "-y", "-f", path }).Err.Should().Contain("UNPROTECTED PRIVATE KEY FILE");
    }

    [Fact]
    public void Pkcs8IsNotThePemTheIntegrationWants()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-3072-PKCS8"], dir);
        var f = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    Ids.Pkcs8Format,
                    "The key is in PKCS#8 form (BEGIN PRIVATE KEY); the integration needs OpenSSL PEM "
                        + "(BEGIN RSA PRIVATE KEY).",
                    $"Convert-GitSshKey -Path '{path}' -Format Pem"
                )
            );
    }

    [Fact]
    public void PuttyKeyIsRecognisedWithItsRemedy()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "rsa", "-b", "2048", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        var r = KeyDiagnostics.TestFile(dir["key.ppk"], null, KeyRequirement.Integration);
        r.IsValid.Should().BeFalse();
        var f = r.Findings.Single(x => x.Id == Ids.PuttyFormat);
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    Ids.PuttyFormat,
                    "This is a PuTTY key (.ppk). Git and the integration need it converted: PuTTYgen's Conversions > "
                        + "Export OpenSSH key, or this module's ConvertFrom-PuttyKey.",
                    $"ConvertFrom-PuttyKey -Path '{dir["key.ppk"]}' -Destination '{dir["key"]}'"
                )
            );
        r.Key!.FingerprintSha256.Should().NotBeNullOrEmpty("the public half of a .ppk is in clear");
    }

    [Theory]
    [InlineData(KeyRequirement.GitHub)]
    [InlineData(KeyRequirement.Any)]
    public void PuttyKeyIsOnlyAWarningForHostsThatSeeThePublicKey(KeyRequirement requirement)
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "rsa", "-b", "3072", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        var r = KeyDiagnostics.TestFile(dir["key.ppk"], null, requirement);
        r.IsValid.Should().BeTrue();
        r.Findings.Should().ContainSingle(f => f.Id == Ids.PuttyFormat && f.Severity == FindingSeverity.Warning);
    }

    [Fact]
    public void ConvertingAPuttyKeyInPlaceIsRefusedAndLeavesItIntact()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "ed25519", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        var before = File.ReadAllText(dir["key.ppk"]);
        var act = () => KeyFiles.Convert(dir["key.ppk"], PrivateKeyFormat.OpenSsh, null, null, null, false);
        act.Should().Throw<KeyFormatException>().Which.Message.Should().Contain("ConvertFrom-PuttyKey");
        File.ReadAllText(dir["key.ppk"]).Should().Be(before);
    }

    [Fact]
    public void MissingAndNonKeyFiles()
    {
        using var dir = new TempDir();
        var f = KeyDiagnostics.TestFile(dir["nope"], null, KeyRequirement.Integration).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be((Ids.NotFound, $"There is no file at '{dir["nope"]}'.", "Get-GitSshKey"));
        // A folder given for a key: its keys are listed.
        f = KeyDiagnostics.TestFile(dir.Path, null, KeyRequirement.Integration).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be((Ids.NotFound, $"There is no file at '{dir.Path}'.", $"Get-GitSshKey -LiteralPath '{dir.Path}'"));
        // A device is no key; a new key beside it would make no sense, so the keys there are listed.
        f = KeyDiagnostics.TestFile("/dev/null", null, KeyRequirement.Integration).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    Ids.NotAKey,
                    "'/dev/null' is a character device, not a file; a key file is read only from a regular file. "
                        + "Give the path of the key file itself.",
                    "Get-GitSshKey"
                )
            );
        File.WriteAllText(dir["notes.txt"], "my password is hunter2");
        FindingIds(KeyDiagnostics.TestFile(dir["notes.txt"], null, KeyRequirement.Integration))
            .Should()
            .Equal(Ids.NotAKey);
    }

    [Fact]
    public void PastedTextIsDiagnosedToo()
    {
        var text = File.ReadAllText(_fx.Keys["ecdsa-256-OpenSSH"]).Replace("\n", " ");
        var r = KeyDiagnostics.TestText(text, null, KeyRequirement.Integration);
        FindingIds(r).Should().Contain(new[] { Ids.OpenSshFormat, Ids.AlgorithmNotAllowed });
        KeyDiagnostics.TestText(text, null, KeyRequirement.GitHub).IsValid.Should().BeTrue();
    }

    [Fact]
    public void NoFindingEverHoldsTheSecret()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM-enc"], dir);
        var body = File.ReadAllLines(path)[4];
        foreach (var pass in new[] { "wrong", SshKeygenFixture.Passphrase })
        foreach (var f in KeyDiagnostics.TestFile(path, pass, KeyRequirement.Integration).Findings)
            (f.Message + f.Remedy).Should().NotContain(pass).And.NotContain(body);
    }

    private const string AskKeyFile = "(Read-Host -Prompt 'Key file')";
    private const string AskPassphrase = "(Read-Host -AsSecureString -Prompt 'Passphrase')";

    [Fact]
    public void AResultReadsAsItsFileAndVerdict()
    {
        var path = _fx.Keys["rsa-3072-PEM"];
        KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration).ToString().Should().Be($"{path}: valid");
        KeyDiagnostics.TestText("not a key", null, KeyRequirement.Any).ToString().Should().Be("(text): invalid");
    }

    [Fact]
    public void APublicKeyWithNoPrivateFileBesideItListsTheKeysThere()
    {
        using var dir = new TempDir();
        File.Copy(_fx.Keys["ed25519-256-OpenSSH"] + ".pub", dir["orphan.pub"]);
        const string message =
            "This is a public key. The integration needs the private key (the file without .pub); the public key "
            + "belongs on the git host.";
        var f = KeyDiagnostics.TestFile(dir["orphan.pub"], null, KeyRequirement.GitHub).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be((Ids.PublicKeyGiven, message, $"Get-GitSshKey -LiteralPath '{dir.Path}'"));

        var pasted = File.ReadAllText(dir["orphan.pub"]);
        f = KeyDiagnostics.TestText(pasted, null, KeyRequirement.GitHub).Findings.Single();
        (f.Id, f.Message, f.Remedy).Should().Be((Ids.PublicKeyGiven, message, "Get-GitSshKey"));

        // Only a .pub file names its private key: "deploy.txt" less four characters is a name, not its pair.
        File.Copy(_fx.Keys["rsa-2048-PEM"], dir["deploy"]);
        File.Copy(dir["orphan.pub"], dir["deploy.txt"]);
        f = KeyDiagnostics.TestFile(dir["deploy.txt"], null, KeyRequirement.GitHub).Findings.Single();
        (f.Id, f.Message, f.Remedy)
            .Should()
            .Be((Ids.PublicKeyGiven, message, $"Get-GitSshKey -LiteralPath '{dir.Path}'"));
    }

    [Fact]
    public void APastedKeyGetsRemediesThatAskForItsFile()
    {
        var text = File.ReadAllText(_fx.Keys["rsa-2048-OpenSSH-enc"]);
        var r = KeyDiagnostics.TestText(text, null, KeyRequirement.Integration);
        var f = r.Findings.Single(x => x.Id == Ids.PassphraseNotGiven);
        f.Message.Should()
            .Be(
                "The key is protected by a passphrase, which was not given, so the key itself was not checked. The "
                    + "integration will ask for the passphrase too."
            );
        f.Remedy.Should().Be($"Test-GitSshKey -LiteralPath {AskKeyFile} -Passphrase {AskPassphrase}");
        r.Findings.Single(x => x.Id == Ids.OpenSshFormat)
            .Remedy.Should()
            .Be($"Convert-GitSshKey -Path {AskKeyFile} -Format Pem -Passphrase {AskPassphrase}");
    }

    [Fact]
    public void AKeyTheHostRefusesGetsANewRsaKeyBesideIt()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["ecdsa-256-PEM"], dir);
        var f = KeyDiagnostics
            .TestFile(path, null, KeyRequirement.AzureDevOps)
            .Findings.Single(x => x.Id == Ids.AlgorithmNotAllowed);
        f.Message.Should().Be("Azure DevOps accepts RSA keys only; this is an ECDSA key. Generate an RSA key.");
        f.Remedy.Should().Be($"New-GitSshKey -Path '{path}.rsa' -Type Rsa -Bits 4096");
    }

    [Fact]
    public void AKeyInAnEncryptionSchemeNotSupportedIsUnsupportedWithANewKeyAsRemedy()
    {
        using var dir = new TempDir();
        // openssl's PKCS#12-style PBE (not PBES2): the public half is hidden until decryption is tried.
        Tool.Ok("openssl", "genrsa", "-out", dir["plain"], "2048");
        Tool.Ok(
            "openssl",
            "pkcs8",
            "-topk8",
            "-v1",
            "PBE-SHA1-3DES",
            "-passout",
            "pass:secret",
            "-in",
            dir["plain"],
            "-out",
            dir["key"]
        );
        var f = KeyDiagnostics.TestFile(dir["key"], "secret", KeyRequirement.Integration).Findings.Single();
        f.Id.Should().Be(Ids.Unsupported);
        f.Message.Should().EndWith(". Re-encrypt it with: ssh-keygen -p -m pem -f <file>.");
        f.Remedy.Should().Be($"New-GitSshKey -Path '{dir["key"]}.new' -Type Rsa -Bits 4096");
    }

    [Fact]
    public void APuttyKeyRemedyNamesAFreeDestination()
    {
        using var dir = new TempDir();
        // A .ppk saved without its extension: the OpenSSH copy goes beside it as .pem.
        Tool.Ok("puttygen", "-t", "ed25519", "-o", dir["key"], "--new-passphrase", "/dev/null");
        KeyDiagnostics
            .TestFile(dir["key"], null, KeyRequirement.GitHub)
            .Findings.Single(x => x.Id == Ids.PuttyFormat)
            .Remedy.Should()
            .Be($"ConvertFrom-PuttyKey -Path '{dir["key"]}' -Destination '{dir["key"]}.pem'");
        KeyDiagnostics
            .TestText(File.ReadAllText(dir["key"]), null, KeyRequirement.GitHub)
            .Findings.Single(x => x.Id == Ids.PuttyFormat)
            .Remedy.Should()
            .Be("ConvertFrom-PuttyKey -Path (Read-Host -Prompt 'PuTTY key file')");
    }

    [Theory]
    [InlineData("rsa-2048-PEM", "")]
    [InlineData("rsa-2048-PEM-enc", " -Passphrase " + AskPassphrase)]
    public void AMismatchedPublicKeyIsRewrittenFromThePrivateOne(string name, string passphrase)
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys[name], dir);
        File.Copy(_fx.Keys["rsa-3072-PEM"] + ".pub", path + ".pub", overwrite: true);
        var f = KeyDiagnostics
            .TestFile(path, SshKeygenFixture.Passphrase, KeyRequirement.Integration)
            .Findings.Single(x => x.Id == Ids.PublicKeyMismatch);
        f.Message.Should()
            .Be($"'{path}.pub' holds a different key than '{path}'. The git host would be given the wrong public key.");
        f.Remedy.Should()
            .Be($"(Get-GitSshKey -LiteralPath '{path}'{passphrase}).PublicKey | Set-Content -LiteralPath '{path}.pub'");
    }

    [Fact]
    public void RsaSizesAreExplained()
    {
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "1024", "-m", "PEM", "-N", "", "-f", dir["small"]);
        KeyDiagnostics
            .TestFile(dir["small"], null, KeyRequirement.GitHub)
            .Findings.Single(f => f.Id == Ids.KeyTooSmall)
            .Should()
            .BeEquivalentTo(new { Remedy = $"New-GitSshKey -Path '{dir["small"]}.new' -Type Rsa -Bits 4096" });
        KeyDiagnostics
            .TestFile(dir["small"], null, KeyRequirement.GitHub)
            .Findings.Single(f => f.Id == Ids.KeyTooSmall)
            .Message.Should()
            .Be(
                "The RSA key has 1024 bits, below the 2048 that NIST has required since 2013: a git host may refuse "
                    + "it (GitLab's administrators can set a minimum), and OpenSSH refuses keys under 1024 bits "
                    + "(RequiredRSASize). The integration's setup guide makes RSA keys of 4096 bits; generate one."
            );
        var path = Copy(_fx.Keys["rsa-2048-PEM"], dir);
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.GitHub)
            .Findings.Single(f => f.Id == Ids.KeySizeMinimum)
            .Remedy.Should()
            .Be($"New-GitSshKey -Path '{path}.new' -Type Rsa -Bits 4096");
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.GitHub)
            .Findings.Single(f => f.Id == Ids.KeySizeMinimum)
            .Message.Should()
            .Be(
                "The RSA key has 2048 bits: accepted, but the integration's setup guide makes RSA keys of 4096 bits, "
                    + "and a new key should have as many."
            );
    }

    [Theory]
    [InlineData(0b110_000_000)]
    [InlineData(0b111_000_000)]
    [InlineData(0b100_000_000)]
    [InlineData(0b110_100_000)]
    [InlineData(0b110_001_000)]
    [InlineData(0b110_000_100)]
    [InlineData(0b110_000_001)]
    [InlineData(0b110_110_110)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void PermissionsAreTooOpenExactlyWhenSshRefusesTheKey(int mode)
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-3072-PEM"], dir);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        var refused = Tool.Run("ssh-keygen", new[] { "-y", "-f", path }).Err.Contains("UNPROTECTED PRIVATE KEY FILE");
        var found = KeyDiagnostics
            .TestFile(path, null, KeyRequirement.Integration)
            .Findings.SingleOrDefault(x => x.Id == Ids.PermissionsTooOpen);
        (found != null).Should().Be(refused);
        found
            ?.Message.Should()
            .Be(
                $"Others can read this private key (permissions {Convert.ToString(mode, 8)}); ssh refuses such a key "
                    + "with 'UNPROTECTED PRIVATE KEY FILE'."
            );
    }

    [Fact]
    public void APublicKeyLineEditedToAnotherTypeIsDamagedAndNamesItsFile()
    {
        using var dir = new TempDir();
        var line = File.ReadAllText(_fx.Keys["ed25519-256-OpenSSH"] + ".pub");
        File.WriteAllText(dir["id.pub"], "ssh-rsa" + line["ssh-ed25519".Length..]);
        var f = KeyDiagnostics.TestFile(dir["id.pub"], null, KeyRequirement.GitHub).Findings.Single();
        (f.Id, f.Severity, f.Message, f.Remedy)
            .Should()
            .Be(
                (
                    Ids.Corrupt,
                    FindingSeverity.Error,
                    $"The public key line in '{dir["id.pub"]}' says 'ssh-rsa' but holds an ssh-ed25519 key: it was "
                        + "edited or pieced together from two keys. Copy the line again, whole, from the key's .pub "
                        + "file.",
                    $"New-GitSshKey -Path '{dir["id.pub"]}.new' -Type Rsa -Bits 4096"
                )
            );
    }

    [Fact]
    public void TheIntegrationRefusesAnEd25519KeyWithANewRsaKeyBesideIt()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["ed25519-256-OpenSSH"], dir);
        var findings = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration).Findings;
        findings
            .Select(f => (f.Id, f.Message, f.Remedy))
            .Should()
            .Equal(
                (
                    Ids.OpenSshFormat,
                    "The key is in OpenSSH format (BEGIN OPENSSH PRIVATE KEY), which ssh-keygen and macOS write by "
                        + "default; the integration needs OpenSSL PEM (BEGIN RSA PRIVATE KEY).",
                    $"New-GitSshKey -Path '{path}.rsa' -Type Rsa -Bits 4096"
                ),
                (
                    Ids.AlgorithmNotAllowed,
                    "The integration accepts RSA keys only; this is an ED25519 key. Generate an RSA key.",
                    $"New-GitSshKey -Path '{path}.rsa' -Type Rsa -Bits 4096"
                )
            );
    }

    [Fact]
    public void APastedKeyThatMustBeReplacedGetsANewKeyInTheSshFolder()
    {
        var f = KeyDiagnostics
            .TestText(File.ReadAllText(_fx.Keys["dsa-1024-PEM"]), null, KeyRequirement.GitHub)
            .Findings.Single();
        f.Id.Should().Be(Ids.DsaDeprecated);
        f.Remedy.Should().StartWith($"New-GitSshKey -Path '{Path.Combine(KeyFiles.DefaultFolder, "jira_rsa")}");
        f.Remedy.Should().EndWith("' -Type Rsa -Bits 4096");
    }

    [Fact]
    public void AnEncryptedKeyWithoutItsPassphraseIsDescribedFromTheMatchingPubFileBesideIt()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM-enc"], dir);
        var fingerprint = Tool.Ok("ssh-keygen", "-l", "-E", "sha256", "-f", path + ".pub").Split(' ')[1];
        var key = KeyDiagnostics.TestFile(path, null, KeyRequirement.GitHub).Key!;
        (key.FingerprintSha256, key.Bits, key.PublicKeyPath).Should().Be((fingerprint, 2048, path + ".pub"));
    }

    [Fact]
    public void OnlyAPubFileThatHoldsTheSameKeyIsNamedAsThePublicHalf()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM"], dir);
        KeyDiagnostics.TestFile(path, null, KeyRequirement.GitHub).Key!.PublicKeyPath.Should().Be(path + ".pub");
        File.Copy(_fx.Keys["rsa-3072-PEM"] + ".pub", path + ".pub", overwrite: true);
        KeyDiagnostics.TestFile(path, null, KeyRequirement.GitHub).Key!.PublicKeyPath.Should().BeNull();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void OpenPermissionsAreFoundBesideTheKeysOtherFindings()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["rsa-2048-PEM"], dir);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        FindingIds(KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration))
            .Should()
            .Equal(Ids.KeySizeMinimum, Ids.PermissionsTooOpen);
    }

    [Fact]
    public void AnEncryptedPkcs8KeyIsConvertedWithItsPassphrase()
    {
        // Encrypted PKCS#8 hides the key's type: the conversion opens it, so it is offered whatever the type.
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["ecdsa-256-PKCS8-enc"], dir);
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.Integration)
            .Findings.Single(x => x.Id == Ids.Pkcs8Format)
            .Remedy.Should()
            .Be($"Convert-GitSshKey -Path '{path}' -Format Pem -Passphrase {AskPassphrase}");
    }

    [Fact]
    public void APuttyKeyTheIntegrationCannotUseGetsANewRsaKey()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "ed25519", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        KeyDiagnostics
            .TestFile(dir["key.ppk"], null, KeyRequirement.Integration)
            .Findings.Single(x => x.Id == Ids.PuttyFormat)
            .Remedy.Should()
            .Be($"New-GitSshKey -Path '{dir["key.ppk"]}.rsa' -Type Rsa -Bits 4096");
    }

    [Fact]
    public void AnEncryptedPuttyKeyIsConvertedWithItsPassphrase()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["pass"], "secret\n");
        Tool.Ok("puttygen", "-t", "rsa", "-b", "2048", "-o", dir["key.ppk"], "--new-passphrase", dir["pass"]);
        KeyDiagnostics
            .TestFile(dir["key.ppk"], null, KeyRequirement.GitHub)
            .Findings.Single(x => x.Id == Ids.PuttyFormat)
            .Remedy.Should()
            .Be(
                $"ConvertFrom-PuttyKey -Path '{dir["key.ppk"]}' -Destination '{dir["key"]}' -Passphrase "
                    + AskPassphrase
            );
    }

    [Fact]
    public void ANewKeyIsNamedWhereNoKeyPubFileOrFolderIsYet()
    {
        using var dir = new TempDir();
        var path = Copy(_fx.Keys["dsa-1024-PEM"], dir);
        File.WriteAllText(path + ".new", "");
        File.WriteAllText(path + ".new2.pub", "");
        Directory.CreateDirectory(path + ".new3");
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.GitHub)
            .Findings.Single()
            .Remedy.Should()
            .Be($"New-GitSshKey -Path '{path}.new4' -Type Rsa -Bits 4096");
        // A name taken meanwhile by work running beside this one (a rotation of several keys) is passed over.
        KeyDiagnostics.FreeName(path + ".new", new HashSet<string> { path + ".new4" }).Should().Be(path + ".new5");
    }
}
