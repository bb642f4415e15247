using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// How Import-GitIntegration reads a bulk file: its format, and what it refuses or reports row by row.
/// </summary>
public class BulkFileReadTests
{
    private const string Source = "C:\\runbooks\\integrations";

    private static List<ImportRow> Read(string text, BulkFormat f) => BulkFiles.Read(text, f, Source, out _);

    private static string Refusal(string text, BulkFormat f)
    {
        var e = FluentActions.Invoking(() => Read(text, f)).Should().Throw<GitIntegrationException>().Which;
        (e.ErrorId, e.Kind, e.Target).Should().Be((BulkErrorIds.ImportFileInvalid, ErrorKind.InvalidData, Source));
        return e.Message;
    }

    [Theory]
    [InlineData("a.tsv", BulkFormat.Tsv)]
    [InlineData("a.TXT", BulkFormat.Tsv)]
    [InlineData("a.tab", BulkFormat.Tsv)]
    [InlineData("a.Csv", BulkFormat.Csv)]
    [InlineData("a.yaml", BulkFormat.Yaml)]
    [InlineData("a.YML", BulkFormat.Yaml)]
    [InlineData("a.json", BulkFormat.Json)]
    public void The_format_follows_the_extension_whatever_its_case(string path, BulkFormat format) =>
        BulkFiles.FromExtension(path).Should().Be(format);

    [Fact]
    public void An_unknown_extension_asks_for_Format()
    {
        var e = FluentActions
            .Invoking(() => BulkFiles.FromExtension("integrations.xlsx"))
            .Should()
            .Throw<GitIntegrationException>()
            .Which;
        (e.ErrorId, e.Kind, e.Target)
            .Should()
            .Be((BulkErrorIds.BulkFormatUnknown, ErrorKind.InvalidArgument, "integrations.xlsx"));
        e.Message.Should()
            .Be(
                "The format of 'integrations.xlsx' cannot be told from its extension. Give -Format Tsv, Csv, Yaml "
                    + "or Json."
            );
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\n")]
    public void An_empty_delimited_file_is_refused(string text) =>
        Refusal(text, BulkFormat.Tsv).Should().Be($"'{Source}' cannot be imported: it is empty. Nothing was imported.");

    [Fact]
    public void A_header_that_cannot_be_read_is_refused()
    {
        Refusal("\"origin\tname\nx\ty\n", BulkFormat.Tsv)
            .Should()
            .Be(
                $"'{Source}' cannot be imported: its header row cannot be read: a quoted field opened on line 1 is "
                    + "never closed (an unbalanced \"). Nothing was imported."
            );
    }

    [Fact]
    public void A_header_without_origin_is_refused_naming_the_columns_it_has()
    {
        Refusal("name,url_typo,vault\r\nweb,git@example.com:a/web.git,V\r\n", BulkFormat.Csv)
            .Should()
            .Be(
                $"'{Source}' cannot be imported: its header row has no 'origin' column (found: name, url_typo, "
                    + "vault). Nothing was imported."
            );
    }

    [Fact]
    public void A_row_with_more_fields_than_the_header_fails_alone()
    {
        var rows = Read(
            "origin\tname\ngit@example.com:a/b.git\tb\textra\ngit@example.com:a/c.git\tc\n",
            BulkFormat.Tsv
        );

        rows.Select(r => r.Error).Should().Equal("line 2: the row has 3 fields but the header has 2.", null);
        rows[1].Fields[IntegrationRecord.Name].Should().Be("c");
    }

    [Fact]
    public void Json_that_does_not_parse_is_refused_with_its_line()
    {
        var message = Refusal("[\n  {\"origin\": \"git@example.com:a/b.git\"},\n  {oops}\n]\n", BulkFormat.Json);

        message.Should().StartWith($"'{Source}' cannot be imported: line 3: ").And.EndWith(" Nothing was imported.");
    }

    [Fact]
    public void A_single_json_object_is_one_row()
    {
        var rows = Read("{\"origin\": \"git@example.com:a/b.git\", \"sslVerify\": false}", BulkFormat.Json);

        rows.Should().ContainSingle().Which.Error.Should().BeNull();
        rows[0].Fields[IntegrationRecord.Origin].Should().Be("git@example.com:a/b.git");
    }

    [Fact]
    public void Json_written_by_hand_with_comments_and_trailing_commas_is_read()
    {
        var rows = Read(
            "[\n  // the web site\n  {\"origin\": \"git@example.com:a/b.git\", \"properties\": \"none\",},\n]\n",
            BulkFormat.Json
        );

        rows.Should().ContainSingle().Which.Error.Should().BeNull();
        rows[0].Fields[IntegrationRecord.Origin].Should().Be("git@example.com:a/b.git");
    }

    [Fact]
    public void A_json_item_that_is_not_an_object_fails_alone()
    {
        var rows = Read("[{\"origin\": \"git@example.com:a/b.git\"}, 5, {\"origin\": \"x@y:c.git\"}]", BulkFormat.Json);

        rows.Select(r => r.Error).Should().Equal(null, "item 2 is not an object.", null);
        rows[2].Fields[IntegrationRecord.Origin].Should().Be("x@y:c.git");
    }

    [Fact]
    public void Json_properties_become_property_columns()
    {
        var rows = Read(
            "[{\"origin\": \"git@example.com:a/b.git\", \"properties\": {\"jiraProject\": \"ABC\", \"board\": 12}}]",
            BulkFormat.Json
        );

        rows[0].Error.Should().BeNull();
        rows[0]
            .Fields.Should()
            .Contain(IntegrationRecord.PropertyPrefix + "jiraProject", "ABC")
            .And.Contain(IntegrationRecord.PropertyPrefix + "board", "12");
    }

    [Fact]
    public void A_json_list_or_object_where_a_value_belongs_fails_the_row_naming_the_first()
    {
        var rows = Read(
            "[{\"origin\": \"git@example.com:a/b.git\", \"name\": [\"a\"], \"url\": {\"b\": 1}}]",
            BulkFormat.Json
        );

        rows.Should().ContainSingle().Which.Error.Should().Be("'name' must be a single value.");
    }
}
