using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace GitIntegration.Core.Store;

public enum BulkFormat
{
    Tsv,
    Csv,
    Yaml,
    Json,
}

/// <summary>
/// One row to import: its number in the source (1 = first data row) and its columns, or why it could not be read.
/// </summary>
public sealed class ImportRow
{
    public int Row { get; set; }
    public IDictionary<string, string?> Fields { get; set; } =
        new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
    public string? Error { get; set; }
}

/// <summary>
/// Reads and writes the bulk formats. Every format carries the flat record of <see cref="IntegrationRecord"/>.
/// </summary>
public static class BulkFiles
{
    public static BulkFormat FromExtension(string path)
    {
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".tsv":
            case ".txt":
            case ".tab":
                return BulkFormat.Tsv;
            case ".csv":
                return BulkFormat.Csv;
            case ".yaml":
            case ".yml":
                return BulkFormat.Yaml;
            case ".json":
                return BulkFormat.Json;
            default:
                throw new GitIntegrationException(
                    BulkErrorIds.BulkFormatUnknown,
                    ErrorKind.InvalidArgument,
                    $"The format of '{path}' cannot be told from its extension. Give -Format Tsv, Csv, Yaml or Json."
                )
                {
                    Target = path,
                };
        }
    }

    // ---------------------------------------------------------------- writing

    public static void Write(TextWriter w, IReadOnlyList<Dictionary<string, string?>> records, BulkFormat format)
    {
        switch (format)
        {
            case BulkFormat.Tsv:
            case BulkFormat.Csv:
                var d = format == BulkFormat.Tsv ? '\t' : ',';
                var header = IntegrationRecord.HeaderFor(records, allFixed: true);
                Delimited.WriteRecord(w, header, d);
                foreach (var r in records)
                    Delimited.WriteRecord(w, header.Select(h => r.TryGetValue(h, out var v) ? v : null), d);
                break;
            case BulkFormat.Yaml:
                var e = new Emitter(w, new EmitterSettings(2, int.MaxValue, false, 1024, false, false, "\n"));
                e.Emit(new StreamStart());
                e.Emit(new DocumentStart());
                e.Emit(new SequenceStart(null, null, false, SequenceStyle.Block));
                foreach (var r in records)
                {
                    e.Emit(new MappingStart());
                    foreach (var kv in Ordered(r))
                    {
                        e.Emit(new Scalar(kv.Key));
                        var style =
                            kv.Value!.IndexOf('\n') >= 0 ? ScalarStyle.Literal
                            : IntegrationRecord.BooleanColumns.Contains(kv.Key) ? ScalarStyle.Plain
                            : ScalarStyle.DoubleQuoted;
                        e.Emit(new Scalar(null, null, kv.Value, style, true, true));
                    }
                    e.Emit(new MappingEnd());
                }
                e.Emit(new SequenceEnd());
                e.Emit(new DocumentEnd(true));
                e.Emit(new StreamEnd());
                break;
            case BulkFormat.Json:
                using (var ms = new MemoryStream())
                {
                    using (var j = new Utf8JsonWriter(ms, JsonOptions))
                    {
                        j.WriteStartArray();
                        foreach (var r in records)
                        {
                            j.WriteStartObject();
                            foreach (var kv in Ordered(r))
                            {
                                if (IntegrationRecord.BooleanColumns.Contains(kv.Key))
                                    j.WriteBoolean(kv.Key, kv.Value == "true");
                                else
                                    j.WriteString(kv.Key, kv.Value);
                            }
                            j.WriteEndObject();
                        }
                        j.WriteEndArray();
                    }
                    w.Write(Encoding.UTF8.GetString(ms.ToArray()));
                    w.Write('\n');
                }
                break;
        }
    }

    // The default encoder writes + < > & ' and every non-ASCII letter as \uXXXX, safe inside an HTML page but
    // unreadable to the admin who opens the file. Quotes, backslashes and control characters are still escaped.
    private static readonly JsonWriterOptions JsonOptions = new JsonWriterOptions
    {
        Indented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static IEnumerable<KeyValuePair<string, string?>> Ordered(Dictionary<string, string?> r) =>
        IntegrationRecord
            .HeaderFor(new[] { r }, allFixed: false)
            .Where(r.ContainsKey)
            .Select(k => new KeyValuePair<string, string?>(k, r[k]))
            .Where(kv => kv.Value != null);

    // ---------------------------------------------------------------- reading

    /// <summary>Far more than a bulk file needs (10,000 rows with an RSA 4096 key each take about 40 MB).</summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary><see cref="Read"/> on a bulk file: a regular file of <see cref="MaxFileBytes"/> at most.</summary>
    public static List<ImportRow> ReadFile(string path, BulkFormat format, out List<string> unknownColumns) =>
        Read(IO.InputFile.ReadAllText(path, "bulk import file", MaxFileBytes), format, path, out unknownColumns);

    /// <summary>
    /// The rows of a bulk file. A file that cannot be split into rows at all (no header with 'origin', YAML or
    /// JSON that does not parse) throws; a row that cannot be read is returned with its Error.
    /// </summary>
    /// <param name="unknownColumns">Columns that were ignored, for one warning.</param>
    public static List<ImportRow> Read(string text, BulkFormat format, string source, out List<string> unknownColumns)
    {
        unknownColumns = new List<string>();
        switch (format)
        {
            case BulkFormat.Tsv:
            case BulkFormat.Csv:
                return ReadDelimited(
                    text,
                    format == BulkFormat.Tsv ? '\t' : Delimited.DetectDelimiter(text.TrimStart('\uFEFF')),
                    source,
                    unknownColumns
                );
            case BulkFormat.Yaml:
                return ReadYaml(text, source, unknownColumns);
            default:
                return ReadJson(text, source, unknownColumns);
        }
    }

    private static List<ImportRow> ReadDelimited(string text, char delimiter, string source, List<string> unknown)
    {
        var rows = new List<ImportRow>();
        string?[]? header = null;
        foreach (var rec in Delimited.Read(text, delimiter))
        {
            if (header == null)
            {
                if (rec.Error != null)
                    throw HeaderError(source, $"its header row cannot be read: {rec.Error}");
                header = rec
                    .Fields.Select(f =>
                    {
                        var c = IntegrationRecord.Canonical(f);
                        if (c == null && f.Trim().Length > 0)
                            unknown.Add(f.Trim());
                        return c;
                    })
                    .ToArray();
                if (!header.Contains(IntegrationRecord.Origin))
                    throw HeaderError(
                        source,
                        $"its header row has no 'origin' column (found: {string.Join(", ", rec.Fields.Take(12))})."
                    );
                continue;
            }
            var row = new ImportRow
            {
                Row = rec.Row,
                Error = rec.Error == null ? null : $"line {rec.Line}: {rec.Error}",
            };
            if (row.Error == null && rec.Fields.Count > header.Length)
                row.Error =
                    $"line {rec.Line}: the row has {rec.Fields.Count} fields but the header has {header.Length}.";
            if (row.Error == null)
                for (int i = 0; i < rec.Fields.Count; i++)
                    if (header[i] != null && rec.Fields[i].Length > 0)
                        row.Fields[header[i]!] = rec.Fields[i];
            rows.Add(row);
        }
        if (header == null)
            throw HeaderError(source, "it is empty.");
        return rows;
    }

    private static List<ImportRow> ReadYaml(string text, string source, List<string> unknown)
    {
        var rows = new List<ImportRow>();
        var stream = new YamlStream();
        try
        {
            CheckYamlBounds(text, source);
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw HeaderError(source, $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }
        if (stream.Documents.Count == 0)
            return rows;
        var rootNode = stream.Documents[0].RootNode;
        // Accept an exported list, or a whole store file (its 'integrations' list).
        if (
            rootNode is YamlMappingNode top
            && top.Children.TryGetValue(new YamlScalarNode("integrations"), out var inner)
        )
            rootNode = inner;
        if (!(rootNode is YamlSequenceNode seq))
            throw HeaderError(source, "it is not a list of integrations.");
        int n = 0;
        foreach (var item in seq)
        {
            var row = new ImportRow { Row = ++n };
            rows.Add(row);
            if (!(item is YamlMappingNode m))
            {
                row.Error = $"line {item.Start.Line}: not a mapping of column names to values.";
                continue;
            }
            foreach (var kv in m.Children)
            {
                var key = (kv.Key as YamlScalarNode)?.Value ?? "";
                if (kv.Value is YamlMappingNode nested && IsNested(key))
                {
                    foreach (var p in nested.Children)
                        Put(
                            row,
                            unknown,
                            IntegrationRecord.PropertyPrefix + ((p.Key as YamlScalarNode)?.Value ?? ""),
                            (p.Value as YamlScalarNode)?.Value
                        );
                    continue;
                }
                if (!(kv.Value is YamlScalarNode s))
                {
                    row.Error = $"line {kv.Value.Start.Line}: '{key}' must be a single value.";
                    break;
                }
                Put(row, unknown, key, s.Value);
            }
        }
        return rows;
    }

    /// <summary>A bulk file is a list of mappings (properties one more): far less deep than this.</summary>
    public const int MaxYamlDepth = 64;

    /// <summary>
    /// Bounds a YAML bulk file before anything is built from it, on the parser's events. Aliases (*name) repeat
    /// what their anchor holds: the document they expand to may be no larger than <see cref="MaxFileBytes"/>, as
    /// if it were written out (one 1 MB value aliased 3,000 times was 3 GB of integrations and an
    /// OutOfMemoryException). Nesting is bounded too: YamlDotNet builds its nodes recursively, and 100,000 levels
    /// overflow the stack.
    /// </summary>
    private static void CheckYamlBounds(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<AnchorName, long>();
        var open = new Stack<(AnchorName Anchor, long From)>();
        long expanded = 0; // a node counts 1, a scalar its characters too
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case Scalar s:
                    expanded += 1 + s.Value.Length;
                    if (!s.Anchor.IsEmpty)
                        anchors[s.Anchor] = 1 + s.Value.Length;
                    break;
                case NodeEvent n when n is SequenceStart || n is MappingStart:
                    if (open.Count == MaxYamlDepth)
                        throw HeaderError(
                            source,
                            $"line {n.Start.Line}: it nests lists and mappings more than "
                                + $"{MaxYamlDepth} levels deep; a bulk file is a list of integrations, each a mapping "
                                + "of columns."
                        );
                    open.Push((n.Anchor, expanded++));
                    break;
                case SequenceEnd _:
                case MappingEnd _:
                    var (anchor, from) = open.Pop();
                    if (!anchor.IsEmpty)
                        anchors[anchor] = expanded - from;
                    break;
                case AnchorAlias a:
                    expanded += anchors.TryGetValue(a.Value, out var size) ? size : 0;
                    break;
            }
            if (expanded > MaxFileBytes)
                throw new GitIntegrationException(
                    BulkErrorIds.ImportAliasesTooLarge,
                    ErrorKind.LimitsExceeded,
                    $"'{source}' cannot be imported: its YAML aliases (*name) repeat so much that, written "
                        + $"out, it would be larger than {MaxFileBytes >> 20} MiB, more than any bulk file needs "
                        + $"(passed at line {parser.Current!.Start.Line}). Write the repeated values out, or alias "
                        + "fewer or smaller values. Nothing was imported."
                )
                {
                    Target = source,
                };
        }
    }

    private static List<ImportRow> ReadJson(string text, string source, List<string> unknown)
    {
        var rows = new List<ImportRow>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(
                text.TrimStart('\uFEFF'),
                new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }
            );
        }
        catch (JsonException e)
        {
            throw HeaderError(source, $"line {(e.LineNumber ?? 0) + 1}: {e.Message}");
        }
        using (doc)
        {
            var items =
                doc.RootElement.ValueKind == JsonValueKind.Array
                    ? doc.RootElement.EnumerateArray().ToList()
                    : new List<JsonElement> { doc.RootElement };
            int n = 0;
            foreach (var item in items)
            {
                var row = new ImportRow { Row = ++n };
                rows.Add(row);
                if (item.ValueKind != JsonValueKind.Object)
                {
                    row.Error = $"item {n} is not an object.";
                    continue;
                }
                foreach (var p in item.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.Object && IsNested(p.Name))
                    {
                        foreach (var q in p.Value.EnumerateObject())
                            Put(row, unknown, IntegrationRecord.PropertyPrefix + q.Name, JsonText(q.Value));
                        continue;
                    }
                    if (p.Value.ValueKind == JsonValueKind.Object || p.Value.ValueKind == JsonValueKind.Array)
                    {
                        row.Error = $"'{p.Name}' must be a single value.";
                        break;
                    }
                    Put(row, unknown, p.Name, JsonText(p.Value));
                }
            }
        }
        return rows;
    }

    private static bool IsNested(string key) => key.Equals("properties", StringComparison.OrdinalIgnoreCase);

    private static string? JsonText(JsonElement v) =>
        v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => null,
            _ => v.GetRawText(),
        };

    /// <summary>
    /// Adds one column to a row (used for pipeline objects too): known columns by their canonical name, the rest
    /// reported once.
    /// </summary>
    public static void Put(ImportRow row, List<string> unknown, string key, string? value)
    {
        var c = IntegrationRecord.Canonical(key);
        if (c == null)
        {
            if (!unknown.Contains(key))
                unknown.Add(key);
            return;
        }
        if (!string.IsNullOrEmpty(value))
            row.Fields[c] = value;
    }

    /// <summary>
    /// A pipeline object as a row: an integration (Get-GitIntegration) as Export-GitIntegration writes it, without
    /// its secrets; a hashtable by its keys; anything else by <paramref name="properties"/>, its names and values.
    /// </summary>
    public static ImportRow RowFrom(
        int number,
        object item,
        Func<IEnumerable<KeyValuePair<string, string?>>> properties,
        List<string> unknown
    )
    {
        var row = new ImportRow { Row = number };
        IEnumerable<KeyValuePair<string, string?>> fields = item switch
        {
            Integration i => IntegrationRecord.From(i, null, null),
            IDictionary d => d.Cast<DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string?>(e.Key?.ToString() ?? "", e.Value?.ToString())),
            _ => properties(),
        };
        foreach (var kv in fields)
            Put(row, unknown, kv.Key, kv.Value);
        return row;
    }

    private static GitIntegrationException HeaderError(string source, string what) =>
        new GitIntegrationException(
            BulkErrorIds.ImportFileInvalid,
            ErrorKind.InvalidData,
            $"'{source}' cannot be imported: {what} Nothing was imported."
        )
        {
            Target = source,
        };
}
