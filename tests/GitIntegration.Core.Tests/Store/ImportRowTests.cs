using System.Collections;
using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>What Import-GitIntegration makes of the objects piped to it, decided in Core.</summary>
public sealed class ImportRowTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IEnumerable<KeyValuePair<string, string?>> NoProperties() =>
        throw new InvalidOperationException("the object's own properties are not read");

    [Fact]
    public void AnIntegrationFromAnotherStoreIsImportedAsItIsWithoutItsSecrets()
    {
        var from = IntegrationStore.Open(_dir["from/integrations.yaml"]);
        var original = new Integration
        {
            Name = "billing",
            Type = IntegrationType.Ssh,
            Url = "git@example.com:team/billing.git",
            TokenRef = from.WriteSecret("billing-token", "s3cret-token"),
            SslVerify = false,
        };
        from.Update(d =>
        {
            d.Integrations.Add(original);
            return 0;
        });
        var unknown = new List<string>();

        var row = BulkFiles.RowFrom(7, from.Load().Integrations.Single(), NoProperties, unknown);

        row.Row.Should().Be(7);
        unknown.Should().BeEmpty();
        row.Fields.Values.Should().NotContain("s3cret-token", "a secret in a file stays in its store");
        var to = IntegrationStore.Open(_dir["to/integrations.yaml"]);
        var result = IntegrationImport.Run(to, new[] { row }, new ImportOptions()).Single();
        result.Action.Should().Be(ImportAction.Created, result.Error);
        var copy = to.Load().Integrations.Single();
        (copy.Id, copy.Name, copy.Type, copy.Url, copy.SslVerify)
            .Should()
            .Be((original.Id, "billing", IntegrationType.Ssh, original.Url, false));
        copy.TokenRef.Should().BeNull();
    }

    [Fact]
    public void AHashtableIsReadByItsKeysAndOtherKeysAreReported()
    {
        var unknown = new List<string>();
        var table = new Hashtable
        {
            ["Name"] = "web",
            ["Url"] = "https://example.com/a/web.git",
            ["Colour"] = "red",
        };

        var row = BulkFiles.RowFrom(1, table, NoProperties, unknown);

        row.Fields[IntegrationRecord.Name].Should().Be("web");
        row.Fields[IntegrationRecord.Origin].Should().Be("https://example.com/a/web.git", "Url is the origin column");
        unknown.Should().Equal("Colour");
    }

    [Fact]
    public void AnyOtherObjectIsReadByItsProperties()
    {
        var unknown = new List<string>();
        var properties = new[]
        {
            new KeyValuePair<string, string?>("origin", "git@example.com:a/b.git"),
            new KeyValuePair<string, string?>("name", null),
        };

        var row = BulkFiles.RowFrom(2, new object(), () => properties, unknown);

        row.Fields.Should()
            .ContainKey(IntegrationRecord.Origin)
            .And.NotContainKey(IntegrationRecord.Name, "an empty value is no value");
    }
}
