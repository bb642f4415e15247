using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// What reading a store file by hand-edited YAML accepts, and the line and column it blames otherwise.
/// </summary>
public class StoreYamlReadTests
{
    private const string Id = "6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11";
    private const string Next = " Nothing was changed. Fix the file by hand or restore the backup next to it (.bak).";

    private static StoreDocument Read(string yaml) => StoreYaml.Read(new StringReader(yaml), "s.yaml");

    private static StoreFormatException Refusal(string yaml)
    {
        var e = FluentActions.Invoking(() => Read(yaml)).Should().Throw<StoreFormatException>().Which;
        (e.ErrorId, e.Target).Should().Be((StoreErrorIds.StoreParseFailed, "s.yaml"));
        return e;
    }

    private static string Integration(string lines) => $"schemaVersion: 1\nintegrations:\n- id: {Id}\n{lines}";

    [Theory]
    [InlineData("")]
    [InlineData("# no integrations yet\n")]
    [InlineData("---\n")]
    [InlineData("--- \n...\n")]
    [InlineData("schemaVersion: 1\nintegrations:\n")]
    [InlineData("schemaVersion: 1\nintegrations: []\n")]
    public void An_empty_store_reads_as_no_integrations(string yaml) => Read(yaml).Integrations.Should().BeEmpty();

    [Theory]
    [InlineData("schemaVersion: x\nintegrations: []\n", 1, 16, "schemaVersion 'x' is not a version number.")]
    [InlineData("schemaVersion: 1\nintegration: []\n", 2, 1, "unknown key 'integration'.")]
    [InlineData("integrations: []\n", 1, 1, "'schemaVersion' is missing.")]
    [InlineData("schemaVersion: 0\nintegrations: []\n", 1, 16, "schemaVersion '0' is not a version number.")]
    [InlineData("- schemaVersion: 1\n", 1, 1, "expected a mapping with 'schemaVersion' and 'integrations'.")]
    [InlineData("schemaVersion: 1\nintegrations: none\n", 2, 15, "expected a list of integrations.")]
    [InlineData("schemaVersion: 1\nintegrations:\n- jira\n", 3, 3, "expected an integration (a mapping).")]
    [InlineData("schemaVersion: [1]\n", 1, 16, "expected a single value.")]
    [InlineData(
        "schemaVersion: 1\nintegrations: []\n---\nschemaVersion: 1\n",
        3,
        1,
        "a second YAML document follows the store."
    )]
    public void A_store_that_is_not_one_versioned_list_is_refused_whole(string yaml, int line, int column, string what)
    {
        var e = Refusal(yaml);

        (e.Line, e.Column).Should().Be((line, column));
        e.Message.Should().Be($"The store 's.yaml' cannot be read: line {line}, column {column}: {what}{Next}");
    }

    [Fact]
    public void A_yaml_syntax_error_is_reported_in_a_sentence()
    {
        var e = Refusal("schemaVersion: 1\nintegrations: [\n");

        e.Message.Should()
            .StartWith($"The store 's.yaml' cannot be read: line {e.Line}, column {e.Column}: while parsing ")
            .And.EndWith(Next);
    }

    [Theory]
    [InlineData("  name: x\n", "- name: x\n", 3, 3, "an integration has no 'id'.")]
    [InlineData("  tokenRef: {vault: V, nam: n}\n", null, 4, 24, "unknown key 'nam' in a secret reference.")]
    [InlineData(
        "  tokenRef: {vault: V}\n",
        null,
        4,
        13,
        "a secret reference needs either 'file', or both 'vault' and 'name'."
    )]
    [InlineData("  sslVerify: yes\n", null, 4, 14, "'yes' is not true or false.")]
    [InlineData("  colour: red\n", null, 4, 3, "unknown key 'colour' in an integration.")]
    [InlineData("  properties: none\n", null, 4, 15, "expected a mapping of property names to values.")]
    [InlineData(
        "  tokenRef: jira-token\n",
        null,
        4,
        13,
        "expected a secret reference such as {vault: MyVault, name: jira-token} or {file: x.secret}."
    )]
    [InlineData(
        "  tokenRef: {file: t.secret, vault: V}\n",
        null,
        4,
        13,
        "a secret reference needs either 'file', or both 'vault' and 'name'."
    )]
    [InlineData(
        "  type: Svn\n",
        null,
        4,
        9,
        "'Svn' is not one of Ssh, Https, GitHubApp, GitHubEnterpriseApp, GitLab, AzureDevOps, Bitbucket, Gerrit, "
            + "Gitolite, AwsCodeCommit, Generic."
    )]
    [InlineData($"- id: {Id}\n", null, 4, 3, $"the id {Id} appears twice.")]
    [InlineData("  createdAt: yesterday\n", null, 4, 14, "'yesterday' is not a date and time.")]
    public void An_integration_that_cannot_be_read_is_refused_where_it_goes_wrong(
        string lines,
        string? whole,
        int line,
        int column,
        string what
    )
    {
        var yaml = whole == null ? Integration(lines) : $"schemaVersion: 1\nintegrations:\n{whole}";

        var e = Refusal(yaml);

        (e.Line, e.Column).Should().Be((line, column));
        e.Message.Should().Be($"The store 's.yaml' cannot be read: line {line}, column {column}: {what}{Next}");
    }

    [Fact]
    public void An_id_that_is_not_a_guid_is_refused()
    {
        var e = Refusal("schemaVersion: 1\nintegrations:\n- id: nope\n");

        e.Message.Should().Be($"The store 's.yaml' cannot be read: line 3, column 7: 'nope' is not a GUID.{Next}");
    }

    [Fact]
    public void Booleans_written_as_PowerShell_writes_them_are_read()
    {
        var i = Read(Integration("  sslVerify: False\n  requireUserPat: True\n")).Integrations.Single();

        (i.SslVerify, i.RequireUserPat).Should().Be((false, true));
    }

    [Fact]
    public void A_store_written_by_a_newer_module_is_refused_with_what_to_do()
    {
        var e = FluentActions
            .Invoking(() => Read("schemaVersion: 2\nintegrations: []\n"))
            .Should()
            .Throw<StoreFormatException>()
            .Which;

        (e.ErrorId, e.Line, e.Column).Should().Be((StoreErrorIds.StoreSchemaTooNew, 1, 16));
        e.Message.Should()
            .Be(
                "The store 's.yaml' has schemaVersion 2, written by a newer GitIntegration (this one reads up to 1). "
                    + "Update the module; the store was left unchanged."
            );
    }

    [Fact]
    public void A_type_or_status_edited_in_lower_case_is_read()
    {
        var i = Read(Integration("  type: gitlab\n  status: suspended\n")).Integrations.Single();

        (i.Type, i.Status).Should().Be((IntegrationType.GitLab, IntegrationStatus.Suspended));
    }

    [Fact]
    public void An_integration_without_its_times_was_created_at_an_unknown_time_and_not_updated_since()
    {
        var bare = Read(Integration("")).Integrations.Single();
        var created = Read(Integration("  createdAt: 2024-04-01T08:30:00Z\n")).Integrations.Single();

        (bare.CreatedAt, bare.UpdatedAt).Should().Be((DateTimeOffset.MinValue, DateTimeOffset.MinValue));
        created.UpdatedAt.Should().Be(new DateTimeOffset(2024, 4, 1, 8, 30, 0, TimeSpan.Zero));
    }

    [Fact]
    public void A_webhook_secret_file_kept_as_a_property_by_early_builds_becomes_its_reference()
    {
        var i = Read(Integration("  properties:\n    webhookSecretFile: hook.secret\n    appId: '42'\n"))
            .Integrations.Single();

        i.WebhookSecretRef.Should().Be(SecretRef.InFile("hook.secret"));
        i.Properties.Should().Equal(new Dictionary<string, string> { ["appId"] = "42" });
    }
}
