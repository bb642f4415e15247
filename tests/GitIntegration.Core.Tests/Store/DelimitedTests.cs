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

    [Theory]
    [InlineData("origin\n", ',')]
    [InlineData("a;b;c", ';')]
    [InlineData("id,origin,name;x\n", ',')]
    [InlineData("\torigin\n", '\t')]
    [InlineData("\r\n\norigin;name\r\n", ';')]
    public void The_delimiter_is_the_one_the_header_uses_most_and_a_single_column_is_csv(string text, char delimiter) =>
        Delimited.DetectDelimiter(text).Should().Be(delimiter);

    [Theory]
    [InlineData("origin,name\r\n\r\na,b\r\n\nc,d\r\n")]
    [InlineData("origin,name\n\na,b\n\nc,d")]
    public void Blank_lines_are_skipped_and_still_counted(string text)
    {
        var records = Delimited.Read(text, ',').ToList();

        records
            .Select(r => (r.Row, r.Line, string.Join("|", r.Fields)))
            .Should()
            .Equal((0, 1, "origin|name"), (1, 3, "a|b"), (2, 5, "c|d"));
    }

    [Fact]
    public void The_lines_inside_a_quoted_field_are_counted_so_later_rows_name_their_own_line()
    {
        var text = "origin,privateKey\na,\"-----BEGIN\nabc\n-----END\"\nb,\"x\r\ny\"\nc,d\n";

        var records = Delimited.Read(text, ',').ToList();

        records
            .Select(r => (r.Row, r.Line, string.Join("|", r.Fields)))
            .Should()
            .Equal(
                (0, 1, "origin|privateKey"),
                (1, 2, "a|-----BEGIN\nabc\n-----END"),
                (2, 5, "b|x\r\ny"),
                (3, 7, "c|d")
            );
    }

    [Fact]
    public void A_field_with_a_nul_character_fails_its_record_alone()
    {
        var records = Delimited.Read("origin,name\na,b\0c\nd,e\n", ',').ToList();

        records
            .Select(r => (r.Line, r.Error, string.Join("|", r.Fields)))
            .Should()
            .Equal((1, null, "origin|name"), (2, "field 2 holds binary data (NUL characters).", ""), (3, null, "d|e"));
    }

    [Fact]
    public void A_field_over_the_limit_fails_its_record_naming_the_first_such_field()
    {
        var most = new string('x', Delimited.MaxFieldLength);
        var text = $"origin,key,note\na,{most},b\na,{most}x,{most}x\nc,d,e\n";

        var records = Delimited.Read(text, ',').ToList();

        records
            .Select(r => (r.Line, r.Error, r.Fields.Count))
            .Should()
            .Equal((1, null, 3), (2, null, 3), (3, "field 2 is longer than 1024 KiB.", 0), (4, null, 3));
        records[1].Fields[1].Should().Be(most);
    }
}
