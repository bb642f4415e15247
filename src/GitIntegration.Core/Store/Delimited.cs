using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GitIntegration.Core.Store;

/// <summary>
/// One record of a delimited file: its data-row number (1 = first row after the header), the line it starts on, and its
/// fields or why it could not be read.
/// </summary>
public sealed class DelimitedRecord
{
    public int Row { get; set; }
    public int Line { get; set; }
    public IReadOnlyList<string> Fields { get; set; } = Array.Empty<string>();
    public string? Error { get; set; }
}

/// <summary>
/// TSV and CSV as spreadsheets write them: fields in double quotes may hold the delimiter, line breaks
/// (a pasted PEM key) and doubled quotes; CRLF or LF; a UTF-8 BOM; Excel's "sep=;" first line. A broken
/// record (a quote never closed, a NUL byte, a field over <see cref="MaxFieldLength"/>) becomes an
/// error on that record and reading goes on with the next line, so one bad row never hides the rest.
/// </summary>
public static class Delimited
{
    public const int MaxFieldLength = 1 << 20;

    /// <summary>
    /// Tab if the header has one; otherwise whichever of ';' and ',' it has more of (Excel writes ';' where ',' is the
    /// decimal sign). Blank lines before the header are skipped, as reading skips them.
    /// </summary>
    public static char DetectDelimiter(string text)
    {
        text = text.TrimStart('\r', '\n');
        var end = text.IndexOf('\n');
        var header = end < 0 ? text : text.Substring(0, end);
        if (header.StartsWith("sep=", StringComparison.Ordinal) && header.TrimEnd('\r').Length == 5)
            return header[4];
        if (header.IndexOf('\t') >= 0)
            return '\t';
        int semi = 0,
            comma = 0;
        foreach (var c in header)
        {
            if (c == ';')
                semi++;
            else if (c == ',')
                comma++;
        }
        return semi > comma ? ';' : ',';
    }

    /// <summary>All records of <paramref name="text"/>, the header first (Row 0). Blank lines are skipped.</summary>
    public static IEnumerable<DelimitedRecord> Read(string text, char delimiter)
    {
        int pos = 0,
            line = 1,
            row = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
            pos = 1;
        if (string.CompareOrdinal(text, pos, "sep=", 0, 4) == 0)
        {
            while (pos < text.Length && text[pos] != '\n')
                pos++;
            if (pos < text.Length)
            {
                pos++;
                line++;
            }
        }
        var fields = new List<string>();
        var field = new StringBuilder();
        while (pos < text.Length)
        {
            int startPos = pos,
                startLine = line;
            if (text[pos] == '\n' || (text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n'))
            {
                pos += text[pos] == '\r' ? 2 : 1;
                line++;
                continue;
            }
            fields.Clear();
            string? error = null;
            bool recordEnded = false;
            while (!recordEnded)
            {
                field.Clear();
                bool tooLong = false;
                if (pos < text.Length && text[pos] == '"')
                {
                    pos++;
                    while (true)
                    {
                        if (pos >= text.Length)
                        {
                            error = $"a quoted field opened on line {startLine} is never closed (an unbalanced \").";
                            break;
                        }
                        var c = text[pos++];
                        if (c == '"')
                        {
                            if (pos < text.Length && text[pos] == '"')
                            {
                                pos++;
                                Append(field, '"', ref tooLong);
                                continue;
                            }
                            break;
                        }
                        if (c == '\n')
                            line++;
                        Append(field, c, ref tooLong);
                    }
                    if (error != null)
                    {
                        // Resume on the line after the one the broken record started on.
                        pos = startPos;
                        while (pos < text.Length && text[pos] != '\n')
                            pos++;
                        if (pos < text.Length)
                            pos++;
                        line = startLine + 1;
                        break;
                    }
                }
                // Unquoted part (or text after a closing quote, kept as spreadsheets do).
                while (pos < text.Length)
                {
                    var c = text[pos];
                    if (c == delimiter)
                    {
                        pos++;
                        break;
                    }
                    if (c == '\n' || (c == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n'))
                    {
                        pos += c == '\r' ? 2 : 1;
                        line++;
                        recordEnded = true;
                        break;
                    }
                    Append(field, c, ref tooLong);
                    pos++;
                }
                if (pos >= text.Length)
                    recordEnded = true;
                if (tooLong)
                    error ??= $"field {fields.Count + 1} is longer than {MaxFieldLength / 1024} KiB.";
                fields.Add(tooLong ? "" : field.ToString());
                if (error == null && field.ToString().IndexOf('\0') >= 0)
                    error = $"field {fields.Count} holds binary data (NUL characters).";
            }
            yield return new DelimitedRecord
            {
                Row = row++,
                Line = startLine,
                Fields = error == null ? fields.ToArray() : Array.Empty<string>(),
                Error = error,
            };
        }
    }

    private static void Append(StringBuilder sb, char c, ref bool tooLong)
    {
        if (sb.Length >= MaxFieldLength)
            tooLong = true;
        else
            sb.Append(c);
    }

    /// <summary>Writes one record with CRLF, quoting a field only when it needs it.</summary>
    public static void WriteRecord(TextWriter w, IEnumerable<string?> fields, char delimiter)
    {
        bool first = true;
        foreach (var f in fields)
        {
            if (!first)
                w.Write(delimiter);
            first = false;
            w.Write(Quote(f ?? "", delimiter));
        }
        w.Write("\r\n");
    }

    public static string Quote(string field, char delimiter)
    {
        bool needs = field.Length > 0 && (field[0] == ' ' || field[field.Length - 1] == ' ');
        foreach (var c in field)
            if (c == delimiter || c == '"' || c == '\n' || c == '\r')
            {
                needs = true;
                break;
            }
        return needs ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
    }
}
