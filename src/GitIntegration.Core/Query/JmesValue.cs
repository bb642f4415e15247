using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitIntegration.Core.Query;

/// <summary>
/// The values expressions work on: null, bool, double, string, <see cref="List{T}"/> of values (array) and
/// <see cref="JmesObject"/> (object, keys in document order). Arrays and objects are never changed once
/// built, so results share them with the input (a filter keeps the very objects it was given).
/// </summary>
internal static class JmesValue
{
    public static readonly object True = true,
        False = false;

    public static object Bool(bool b) => b ? True : False;

    public static object? From(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                return new JmesObject(e);
            case JsonValueKind.Array:
                var a = new List<object?>(e.GetArrayLength());
                foreach (var x in e.EnumerateArray())
                    a.Add(From(x));
                return a;
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                return e.GetDouble();
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            default:
                return null;
        }
    }

    public static object? From(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
                var m = new JmesObject();
                foreach (var p in o)
                    m[p.Key] = From(p.Value);
                return m;
            case JsonArray a:
                var l = new List<object?>(a.Count);
                foreach (var x in a)
                    l.Add(From(x));
                return l;
            default:
                if (node is JsonValue v && v.TryGetValue<JsonElement>(out var e))
                    return From(e);
                using (var doc = JsonDocument.Parse(node.ToJsonString()))
                    return From(doc.RootElement.Clone());
        }
    }

    /// <summary>The result as JSON: a new copy of every value, so it counts against the budget.</summary>
    public static JsonNode? ToNode(object? v)
    {
        EvaluationBudget.Charge(v is string s ? 1 + s.Length / 8 : 1);
        return Node(v);
    }

    private static JsonNode? Node(object? v) =>
        v switch
        {
            null => null,
            bool b => JsonValue.Create(b),
            double d => IsInteger(d) && Math.Abs(d) < 9.2e18 ? JsonValue.Create((long)d) : JsonValue.Create(d),
            string s => JsonValue.Create(s),
            List<object?> a => new JsonArray(a.ConvertAll(ToNode).ToArray()),
            JmesObject o => ToObject(o),
            _ => throw JmesPathException.Runtime(
                "invalid-type",
                "an expression reference (&expr) can only be passed to a function such as sort_by; it is not a value"
            ),
        };

    private static JsonObject ToObject(JmesObject o)
    {
        var r = new JsonObject();
        foreach (var p in o)
            r[p.Key] = ToNode(p.Value);
        return r;
    }

    private static bool IsInteger(double d) => !double.IsInfinity(d) && Math.Floor(d) == d;

    public static string TypeName(object? v) =>
        v switch
        {
            null => "null",
            bool _ => "boolean",
            double _ => "number",
            string _ => "string",
            List<object?> _ => "array",
            JmesObject _ => "object",
            _ => "expref",
        };

    /// <summary>False, null, "", [] and {} are false; everything else (0 too) is true.</summary>
    public static bool IsTrue(object? v) =>
        v switch
        {
            null => false,
            bool b => b,
            string s => s.Length > 0,
            List<object?> a => a.Count > 0,
            JmesObject o => o.Count > 0,
            _ => true,
        };

    public static bool Equal(object? x, object? y)
    {
        EvaluationBudget.Charge(1);
        switch (x)
        {
            case null:
                return y == null;
            case bool b:
                return y is bool c && b == c;
            case double d:
                return y is double e && d == e;
            case string s:
                return y is string t && string.Equals(s, t, StringComparison.Ordinal);
            case List<object?> a:
                if (!(y is List<object?> b2) || a.Count != b2.Count)
                    return false;
                for (int i = 0; i < a.Count; i++)
                    if (!Equal(a[i], b2[i]))
                        return false;
                return true;
            case JmesObject o:
                if (!(y is JmesObject p) || o.Count != p.Count)
                    return false;
                foreach (var kv in o)
                    if (!p.TryGetValue(kv.Key, out var w) || !Equal(kv.Value, w))
                        return false;
                return true;
            default:
                return ReferenceEquals(x, y);
        }
    }

    /// <summary>Compact JSON, numbers written as JavaScript writes them (what to_string returns).</summary>
    public static string ToJson(object? v)
    {
        var sb = new StringBuilder();
        Write(sb, v);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? v)
    {
        EvaluationBudget.Charge(1);
        switch (v)
        {
            case null:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case double d:
                sb.Append(Number(d));
                break;
            case string s:
                EvaluationBudget.ChargeText(s.Length);
                sb.Append(JsonSerializer.Serialize(s, Unescaped));
                break;
            case List<object?> a:
                sb.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    if (i > 0)
                        sb.Append(',');
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            case JmesObject o:
                sb.Append('{');
                bool first = true;
                foreach (var kv in o)
                {
                    if (!first)
                        sb.Append(',');
                    first = false;
                    sb.Append(JsonSerializer.Serialize(kv.Key, Unescaped)).Append(':');
                    Write(sb, kv.Value);
                }
                sb.Append('}');
                break;
            default:
                throw JmesPathException.Runtime(
                    "invalid-type",
                    "an expression reference (&expr) cannot be converted to a string"
                );
        }
    }

    private static readonly JsonSerializerOptions Unescaped = new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// A number as JavaScript's JSON.stringify writes it (shortest round trip; exponent below 1e-6 and from 1e21).
    /// </summary>
    public static string Number(double d)
    {
        if (IsInteger(d) && Math.Abs(d) < 1e21)
            return d.ToString("0", CultureInfo.InvariantCulture);
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        int e = r.IndexOf('E');
        if (e < 0)
            return r;
        int exp = int.Parse(r.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = r.Substring(0, e);
        if (exp < 0 && exp >= -6)
        {
            bool negative = mantissa.StartsWith("-", StringComparison.Ordinal);
            var digits = mantissa.TrimStart('-').Replace(".", "");
            return (negative ? "-" : "") + "0." + new string('0', -exp - 1) + digits;
        }
        return mantissa + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// A JSON object, keys in document (or insertion) order. One read from a document stays on its
/// <see cref="JsonElement"/> until it is enumerated: looking up a few fields of a repository with a hundred
/// converts just those (a filter touches name, size, archived, not every URL GitHub sends).
/// </summary>
internal sealed class JmesObject : IEnumerable<KeyValuePair<string, object?>>
{
    private Dictionary<string, object?>? _map;
    private readonly JsonElement _source;

    public JmesObject()
    {
        _map = new Dictionary<string, object?>(StringComparer.Ordinal);
    }

    public JmesObject(JsonElement source)
    {
        _source = source;
    }

    private Dictionary<string, object?> Map
    {
        get
        {
            if (_map != null)
                return _map;
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var p in _source.EnumerateObject())
                map[p.Name] = JmesValue.From(p.Value);
            return _map = map;
        }
    }

    public object? this[string key]
    {
        set => Map[key] = value;
    }

    public int Count => Map.Count;
    public IEnumerable<string> Keys => Map.Keys;
    public IEnumerable<object?> Values => Map.Values;

    public bool TryGetValue(string key, out object? value)
    {
        if (_map != null)
            return _map.TryGetValue(key, out value);
        if (_source.TryGetProperty(key, out var e))
        {
            value = JmesValue.From(e);
            return true;
        }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => Map.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
