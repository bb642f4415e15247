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
            .EndWith(
                $"store it with its passphrase: Set-GitIntegration -Name 'app `[eu`]' -PrivateKeyPath '{_locked}' "
                    + "-Passphrase (Read-Host -AsSecureString)"
            );
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
