using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>Remove-GitIntegration's operation, for integrations other than apps (those: GitHubAppTests).</summary>
public sealed class IntegrationRemovalTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public IntegrationRemovalTests() => _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TheEntryAndTheFilesTheStoreOwnsGoWhileKeysElsewhereStay()
    {
        var elsewhere = _dir["id_ed25519"];
        File.WriteAllText(elsewhere, "key kept by its owner");
        var owned = new Integration
        {
            Name = "owned",
            Url = "git@example.com:a/b.git",
            PrivateKeyPath = _store.WriteKey("owned-key", "inline key"),
            PassphraseRef = _store.WriteSecret("owned-pass", "open sesame"),
        };
        var other = new Integration
        {
            Name = "other",
            Url = "git@example.com:a/c.git",
            PrivateKeyPath = elsewhere,
        };
        _store.Update(d =>
        {
            d.Integrations.Add(owned);
            d.Integrations.Add(other);
            return 0;
        });

        IntegrationRemoval.Action(owned, keepInstallation: false).Should().Be("Remove integration");
        var outcome = await IntegrationRemoval.RemoveAsync(_store, owned, false, null, default);
        outcome.Removed!.Name.Should().Be("owned");
        outcome.Uninstalled.Should().BeNull("only a GitHub App is uninstalled");
        Directory.GetFiles(_store.KeysDirectory).Should().BeEmpty();
        Directory.GetFiles(_store.SecretsDirectory).Should().BeEmpty();

        (await IntegrationRemoval.RemoveAsync(_store, other, false, null, default)).Removed.Should().NotBeNull();
        File.Exists(elsewhere).Should().BeTrue("a key outside the store's keys folder belongs to its owner");
        _store.Load().Integrations.Should().BeEmpty();
    }

    [Fact]
    public async Task OneRemovedMeanwhileIsNoError()
    {
        var i = new Integration { Name = "gone", Url = "git@example.com:a/b.git" };
        var outcome = await IntegrationRemoval.RemoveAsync(_store, i, false, null, default);
        outcome.Removed.Should().BeNull();
    }
}
