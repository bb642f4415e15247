using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>Set-GitIntegration's rule for a new key, on keys ssh-keygen writes.</summary>
public sealed class IntegrationKeyRuleTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;
    private readonly string _locked;

    public IntegrationKeyRuleTests()
    {
        _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);
        _locked = _dir["locked rsa"];
        var (exit, _, err) = Tool.Run(
            "ssh-keygen",
            new[] { "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "open sesame", "-f", _locked }
        );
        exit.Should().Be(0, err);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AKeyItCouldNeverOpenIsRefusedWithTheCommandThatStoresThePassphrase()
    {
        var target = new Integration { Name = "app [eu]" };
        var e = FluentActions
            .Invoking(() => IntegrationKeyRule.Check(_store, target, _locked, null, force: false))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        e.ErrorId.Should().Be(ErrorIds.PassphraseRequired);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Target.Should().Be(_locked);
        e.Message.Should()
            .Be(
                $"The key '{_locked}' would be rejected by the integration 'app [eu]': The key is protected by a "
                    + "passphrase, which was neither given nor stored for the integration, so the integration could "
                    + "not open it. Use -Force to set it anyway, or store it with its passphrase: Set-GitIntegration "
                    + $"-Name 'app `[eu`]' -PrivateKeyPath '{_locked}' -Passphrase (Read-Host -AsSecureString)"
            );
    }

    [Fact]
    public void AStoredPassphraseThatCannotBeReadIsSaidAndTheKeyCountsAsLocked()
    {
        var target = new Integration { Name = "app", PassphraseRef = SecretRef.InFile("gone.secret") };
        var verbose = new List<string>();
        FluentActions
            .Invoking(() => IntegrationKeyRule.Check(_store, target, _locked, null, false, verbose.Add))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.PassphraseRequired);
        verbose
            .Should()
            .Equal(
                "The stored passphrase could not be read: The secret file "
                    + $"'{Path.Combine(_store.SecretsDirectory, "gone.secret")}' is missing. Set the passphrase or "
                    + "token again with Set-GitIntegration.",
                $"Checking the key '{_locked}' against the integration's rules."
            );
    }

    /// <summary>
    /// An unencrypted RSA key of 2048 bits from ssh-keygen (OpenSSL PEM with <paramref name="pem"/>).
    /// </summary>
    private string NewKey(string name, bool pem)
    {
        var path = _dir[name];
        var args = new List<string> { "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", path };
        if (pem)
            args.AddRange(new[] { "-m", "PEM" });
        var (exit, _, err) = Tool.Run("ssh-keygen", args.ToArray());
        exit.Should().Be(0, err);
        return path;
    }

    private static string SizeWarning(string key) =>
        "The RSA key has 2048 bits: accepted, but the integration's setup guide makes RSA keys of 4096 bits, and a "
        + $"new key should have as many. Fix: New-GitSshKey -Path '{key}.new' -Type Rsa -Bits 4096";

    [Fact]
    public void AKeyItCanUseIsSetWithEachWarningAndItsFix()
    {
        var key = NewKey("plain rsa", pem: true);
        Tool.Ok("chmod", "644", key);
        var verbose = new List<string>();
        IntegrationKeyRule
            .Check(_store, new Integration { Name = "app" }, key, null, false, verbose.Add)
            .Should()
            .Equal(
                SizeWarning(key),
                "Others can read this private key (permissions 644); ssh refuses such a key with 'UNPROTECTED "
                    + $"PRIVATE KEY FILE'. Fix: chmod 600 '{key}'"
            );
        verbose.Should().Equal($"Checking the key '{key}' against the integration's rules.");
    }

    [Fact]
    public void AKeyInTheWrongFormatIsRefusedWithItsFixUnlessForced()
    {
        var key = NewKey("openssh rsa", pem: false);
        var target = new Integration { Name = "app" };
        var rejected =
            $"The key '{key}' would be rejected by the integration 'app': The key is in OpenSSH format (BEGIN "
            + "OPENSSH PRIVATE KEY), which ssh-keygen and macOS write by default; the integration needs OpenSSL PEM "
            + $"(BEGIN RSA PRIVATE KEY). Fix: Convert-GitSshKey -Path '{key}' -Format Pem.";
        var e = FluentActions
            .Invoking(() => IntegrationKeyRule.Check(_store, target, key, null, force: false))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target).Should().Be(("OpenSshFormat", ErrorKind.InvalidData, key));
        e.Message.Should().Be(rejected + " Use -Force to set it anyway.");

        IntegrationKeyRule
            .Check(_store, target, key, null, force: true)
            .Should()
            .Equal(SizeWarning(key), rejected + " It is set anyway because -Force was given.");
    }

    [Fact]
    public void EachRemedyIsTheCommandThatFixesExactlyThisIntegration()
    {
        var name = "it's [eu]*";
        var n = "'it''s `[eu`]`*'";
        IntegrationRemedy
            .Passphrase(name, null)
            .Should()
            .Be($"Set-GitIntegration -Name {n} -Passphrase (Read-Host -AsSecureString)");
        IntegrationRemedy
            .Passphrase(name, "/keys/o'brien")
            .Should()
            .Be(
                $"Set-GitIntegration -Name {n} -PrivateKeyPath '/keys/o''brien' -Passphrase (Read-Host -AsSecureString)"
            );
        IntegrationRemedy.Token(name).Should().Be($"Set-GitIntegration -Name {n} -Token (Read-Host -AsSecureString)");
        IntegrationRemedy
            .TrustThumbprint(name)
            .Should()
            .Be($"Set-GitIntegration -Name {n} -TrustedCertificateThumbprint (Read-Host -Prompt 'SHA-256 thumbprint')");
        IntegrationRemedy.SkipCertificateCheck(name).Should().Be($"Set-GitIntegration -Name {n} -SkipCertificateCheck");
    }

    [Fact]
    public void ForceSetsItWithAWarning()
    {
        var warnings = IntegrationKeyRule.Check(_store, new Integration { Name = "app" }, _locked, null, force: true);
        warnings.Should().ContainSingle(w => w.Contains("protected by a passphrase") && w.Contains("set anyway"));
    }

    [Fact]
    public void ThePassphraseGivenOrStoredOpensIt()
    {
        IntegrationKeyRule
            .Check(_store, new Integration { Name = "app" }, _locked, "open sesame", force: false)
            .Should()
            .NotContain(w => w.Contains("passphrase"));
        var stored = new Integration { Name = "app", PassphraseRef = _store.WriteSecret("app-pass", "open sesame") };
        IntegrationKeyRule
            .Check(_store, stored, _locked, null, force: false)
            .Should()
            .NotContain(w => w.Contains("passphrase"));
    }

    [Fact]
    public void AWrongPassphraseIsRefusedAsSuch()
    {
        var target = new Integration { Name = "app" };
        FluentActions
            .Invoking(() => IntegrationKeyRule.Check(_store, target, _locked, "nope", force: false))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.WrongPassphrase);
    }
}
