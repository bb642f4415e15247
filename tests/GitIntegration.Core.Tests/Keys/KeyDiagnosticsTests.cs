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
        f.Id.Should().Be(Ids.PublicKeyGiven);
        f.Message.Should().Contain(path);
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
        KeyDiagnostics
            .TestFile(path, null, KeyRequirement.GitHub)
            .Findings.Single(f => f.Id == Ids.DsaDeprecated)
            .Severity.Should()
            .Be(FindingSeverity.Error);
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
        FindingIds(wrong).Should().Contain(Ids.WrongPassphrase);
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
        var r = KeyDiagnostics.TestFile(Copy(_fx.Keys["rsa-3072-PKCS8"], dir), null, KeyRequirement.Integration);
        r.Findings.Should().ContainSingle(f => f.Id == Ids.Pkcs8Format && f.Remedy!.StartsWith("Convert-GitSshKey"));
    }

    [Fact]
    public void PuttyKeyIsRecognisedWithItsRemedy()
    {
        using var dir = new TempDir();
        Tool.Ok("puttygen", "-t", "rsa", "-b", "2048", "-o", dir["key.ppk"], "--new-passphrase", "/dev/null");
        var r = KeyDiagnostics.TestFile(dir["key.ppk"], null, KeyRequirement.Integration);
        r.IsValid.Should().BeFalse();
        r.Findings.Should()
            .ContainSingle(f => f.Id == Ids.PuttyFormat && f.Remedy!.StartsWith("ConvertFrom-PuttyKey -Path"));
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
        FindingIds(KeyDiagnostics.TestFile(dir["nope"], null, KeyRequirement.Integration)).Should().Equal(Ids.NotFound);
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
}
