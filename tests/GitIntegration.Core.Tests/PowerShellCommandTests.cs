using FluentAssertions;
using Xunit;

namespace GitIntegration.Core.Tests;

/// <summary>
/// How remedies are written. tests/Pester/Remedies.Tests.ps1 reads the same strings back with PowerShell's own parser.
/// </summary>
public sealed class PowerShellCommandTests
{
    [Theory]
    [InlineData("/home/me/.ssh/id_rsa", "'/home/me/.ssh/id_rsa'")]
    [InlineData("", "''")]
    [InlineData("it's", "'it''s'")]
    [InlineData("a $HOME `b $(calc) @(x)", "'a $HOME `b $(calc) @(x)'")]
    [InlineData("\u2018curly\u2019 \u201Alow\u201B", "'\u2018\u2018curly\u2019\u2019 \u201A\u201Alow\u201B\u201B'")]
    [InlineData("\"double\"", "'\"double\"'")]
    public void Quote_doubles_every_single_quote_character_and_nothing_else(string value, string expected) =>
        PowerShellCommand.Quote(value).Should().Be(expected);

    [Theory]
    [InlineData("Pem", "Pem")]
    [InlineData("/home/me/.ssh/id_rsa", "/home/me/.ssh/id_rsa")]
    [InlineData("billing api", "'billing api'")]
    [InlineData("-Force", "'-Force'")]
    [InlineData("4096", "'4096'")]
    [InlineData("~/x", "'~/x'")]
    [InlineData("a;b", "'a;b'")]
    [InlineData("it\u2019s", "'it\u2019\u2019s'")]
    [InlineData("\u2013x", "'\u2013x'")]
    public void Argument_is_a_plain_word_only_when_PowerShell_reads_it_back_as_the_same_string(
        string value,
        string expected
    ) => PowerShellCommand.Argument(value).Should().Be(expected);

    [Fact]
    public void A_command_quotes_values_names_enum_words_and_asks_for_secrets_and_files()
    {
        string c = new PowerShellCommand("Convert-GitSshKey")
            .Arg("Path", "/k's dir/id rsa")
            .Arg("Format", GitIntegration.Core.Keys.PrivateKeyFormat.Pem)
            .Arg("Bits", 4096)
            .Switch("Force")
            .Secret("Passphrase");
        c.Should()
            .Be(
                "Convert-GitSshKey -Path '/k''s dir/id rsa' -Format Pem -Bits 4096 -Force "
                    + "-Passphrase (Read-Host -AsSecureString -Prompt 'Passphrase')"
            );
        new PowerShellCommand("Test-GitSshKey")
            .Ask("LiteralPath", "Key file")
            .ToString()
            .Should()
            .Be("Test-GitSshKey -LiteralPath (Read-Host -Prompt 'Key file')");
    }
}
