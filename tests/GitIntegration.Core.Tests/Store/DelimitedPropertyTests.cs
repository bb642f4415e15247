using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

public class DelimitedPropertyTests
{
    // Fields drawn from the characters that matter to the format: delimiters, quotes, CR, LF, PEM text, non-ASCII.
    private static readonly Gen<string> Field = Gen.ArrayOf(
            Gen.Elements('a', 'Z', '0', ' ', '\t', ',', ';', '"', '\r', '\n', '-', '=', '/', '+', 'é', '鍵')
        )
        .Select(c => new string(c));

    private static readonly Gen<string[][]> Table = Gen.Choose(1, 6)
        .SelectMany(cols => Gen.ArrayOf(Gen.ArrayOf(Field, cols)).Where(rows => rows.Length > 0));

    [Theory]
    [InlineData('\t')]
    [InlineData(',')]
    [InlineData(';')]
    public void What_is_written_reads_back_field_for_field(char delimiter)
    {
        Prop.ForAll(
                Table.ToArbitrary(),
                table =>
                {
                    // A record made only of one empty field is a blank line, which readers skip, as spreadsheets do.
                    var rows = table.Where(r => !(r.Length == 1 && r[0].Length == 0)).ToArray();
                    var w = new StringWriter();
                    foreach (var r in rows)
                        Delimited.WriteRecord(w, r, delimiter);
                    var back = Delimited.Read(w.ToString(), delimiter).ToList();
                    back.Where(r => r.Error != null).Should().BeEmpty();
                    back.Select(r => r.Fields.ToArray()).Should().BeEquivalentTo(rows, o => o.WithStrictOrdering());
                }
            )
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Any_text_reads_without_throwing_and_every_record_has_fields_or_an_error()
    {
        var anyText = Gen.ArrayOf(Gen.Elements('a', '\t', ',', '"', '\r', '\n', '\0', 'x')).Select(c => new string(c));
        Prop.ForAll(
                anyText.ToArbitrary(),
                text =>
                {
                    var records = Delimited.Read(text, '\t').ToList();
                    records.Where(r => (r.Error == null) != (r.Fields.Count > 0)).Should().BeEmpty();
                    records.Select(r => r.Row).Should().BeInAscendingOrder();
                    records
                        .Count.Should()
                        .BeLessThanOrEqualTo(text.Count(c => c == '\n') + 1, "a record starts on a line of its own");
                }
            )
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Delimiter_detection_follows_the_header()
    {
        Delimited.DetectDelimiter("id\torigin;x,y\n").Should().Be('\t');
        Delimited.DetectDelimiter("id;origin;name,x\n1,2").Should().Be(';');
        Delimited.DetectDelimiter("id,origin\n").Should().Be(',');
        Delimited.DetectDelimiter("sep=|\r\nid|origin\r\n").Should().Be('|');
    }
}
