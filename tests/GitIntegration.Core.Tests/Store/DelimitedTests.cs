using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

public class DelimitedTests
{
    [Fact]
    public void Excels_sep_line_is_not_a_record_and_lines_are_still_counted_from_the_top()
    {
        var records = Delimited.Read("\uFEFFsep=;\r\norigin;name\r\ngit@example.com:a/b.git;b\r\n", ';').ToList();

        records
            .Select(r => (r.Row, r.Line, string.Join("|", r.Fields)))
            .Should()
            .Equal((0, 2, "origin|name"), (1, 3, "git@example.com:a/b.git|b"));
        Delimited.Read("sep=;", ';').Should().BeEmpty("a file of only the sep line has no header");
    }

    [Fact]
    public void After_a_quote_never_closed_reading_goes_on_with_the_next_line()
    {
        var records = Delimited.Read("origin\tname\n\"broken\tx\nok\ty\n", '\t').ToList();

        records
            .Select(r => (r.Line, r.Error, string.Join("|", r.Fields)))
            .Should()
            .Equal(
                (1, null, "origin|name"),
                (2, "a quoted field opened on line 2 is never closed (an unbalanced \").", ""),
                (3, null, "ok|y")
            );
    }

    [Theory]
    [InlineData("plain value", "plain value")]
    [InlineData("", "")]
    [InlineData(" leading", "\" leading\"")]
    [InlineData("trailing ", "\"trailing \"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\r\nlines", "\"two\r\nlines\"")]
    public void A_field_is_quoted_only_when_a_spreadsheet_would_misread_it_bare(string field, string written) =>
        Delimited.Quote(field, ',').Should().Be(written);
}
