using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// What Export-GitIntegration writes in each format, as the admin opens it: every fixed column in a spreadsheet, only
/// the values given in YAML and JSON, in the export order, a pasted key readable on its lines, switches as booleans.
/// </summary>
public class BulkFileWriteTests
{
    private const string Pem = "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----";

    private static readonly Dictionary<string, string?> Record = new()
    {
        ["property.zone"] = "eu",
        ["origin"] = "git@example.com:a/web.git",
        ["name"] = "Café <web>, main",
        ["sslVerify"] = "false",
        ["privateKey"] = Pem,
        ["token"] = null,
    };

    private static string Write(BulkFormat format)
    {
        var w = new StringWriter();
        BulkFiles.Write(w, new[] { Record }, format);
        return w.ToString();
    }

    [Theory]
    [InlineData(BulkFormat.Csv, ",", "\"Café <web>, main\"")]
    [InlineData(BulkFormat.Tsv, "\t", "Café <web>, main")]
    public void A_spreadsheet_export_has_every_fixed_column_and_the_properties_used(
        BulkFormat format,
        string d,
        string name
    )
    {
        var header = new[]
        {
            "id",
            "name",
            "type",
            "origin",
            "hostUrl",
            "organization",
            "privateKeyPath",
            "privateKey",
            "passphraseVault",
            "passphraseName",
            "tokenVault",
            "tokenName",
            "sslVerify",
            "requireUserPat",
            "repositoryFilter",
            "status",
            "lastVerified",
            "createdAt",
            "updatedAt",
            "property.zone",
        };
        var row = new[] { "", name, "", "git@example.com:a/web.git", "", "", "", $"\"{Pem}\"", "", "", "", "" }.Concat(
            new[] { "false", "", "", "", "", "", "", "eu" }
        );

        Write(format).Should().Be(string.Join(d, header) + "\r\n" + string.Join(d, row) + "\r\n");
    }

    [Fact]
    public void A_yaml_export_quotes_text_keeps_a_key_on_its_lines_and_writes_switches_plain()
    {
        Write(BulkFormat.Yaml)
            .Should()
            .Be(
                """
                - name: "Café <web>, main"
                  origin: "git@example.com:a/web.git"
                  privateKey: |-
                    -----BEGIN RSA PRIVATE KEY-----
                    abc
                    -----END RSA PRIVATE KEY-----
                  sslVerify: false
                  property.zone: "eu"

                """.ReplaceLineEndings("\n")
            );
    }

    [Fact]
    public void A_json_export_is_indented_readable_text_with_switches_as_booleans()
    {
        Write(BulkFormat.Json)
            .Should()
            .Be(
                """
                [
                  {
                    "name": "Café <web>, main",
                    "origin": "git@example.com:a/web.git",
                    "privateKey": "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
                    "sslVerify": false,
                    "property.zone": "eu"
                  }
                ]

                """.ReplaceLineEndings(Environment.NewLine).TrimEnd() + "\n"
            );
    }
}
