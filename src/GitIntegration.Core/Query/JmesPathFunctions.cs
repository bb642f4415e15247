using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace GitIntegration.Core.Query;

[Flags]
internal enum ArgType
{
    Number = 1,
    String = 2,
    Boolean = 4,
    Array = 8,
    Object = 16,
    Null = 32,
    Expref = 64,
    ArrayNumber = 128,
    ArrayString = 256,
    Any = Number | String | Boolean | Array | Object | Null,
}

/// <summary>A built-in function: its signature (checked when called) and body.</summary>
internal sealed class JmesFunction
{
    private readonly ArgType[] _args;
    private readonly Func<object?[], object?> _body;

    private JmesFunction(string name, ArgType[] args, bool variadic, Func<object?[], object?> body)
    {
        Name = name;
        _args = args;
        Variadic = variadic;
        _body = body;
    }

    public string Name { get; }
    public int MinArgs => _args.Length;
    public bool Variadic { get; }

    public string Arity =>
        Variadic
            ? $"at least {MinArgs} argument{(MinArgs == 1 ? "" : "s")}"
            : $"{MinArgs} argument{(MinArgs == 1 ? "" : "s")}";

    public object? Invoke(object?[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            var expected = _args[Math.Min(i, _args.Length - 1)];
            if (!Matches(values[i], expected))
                throw JmesPathException.Runtime(
                    "invalid-type",
                    $"{Name}() argument {i + 1} must be {Describe(expected)}, but it is {Describe(values[i])}"
                );
            EvaluationBudget.Charge(Size(values[i]));
        }
        var result = _body(values);
        EvaluationBudget.Charge(Size(result));
        return result;
    }

    /// <summary>The steps a function takes to go through a value or to make it: arrays and text by size.</summary>
    private static long Size(object? v)
    {
        switch (v)
        {
            case string s:
                return 1 + s.Length / 8;
            case List<object?> a:
                long n = a.Count;
                foreach (var x in a)
                    if (x is string t)
                        n += t.Length / 8;
                return n;
            default:
                return 1;
        }
    }

    private static bool Matches(object? v, ArgType t)
    {
        switch (v)
        {
            case null:
                return (t & ArgType.Null) != 0;
            case bool _:
                return (t & ArgType.Boolean) != 0;
            case double _:
                return (t & ArgType.Number) != 0;
            case string _:
                return (t & ArgType.String) != 0;
            case JmesObject _:
                return (t & ArgType.Object) != 0;
            case ExpressionReference _:
                return (t & ArgType.Expref) != 0;
            case List<object?> a:
                if ((t & ArgType.Array) != 0)
                    return true;
                if ((t & ArgType.ArrayNumber) != 0 && a.All(x => x is double))
                    return true;
                return (t & ArgType.ArrayString) != 0 && a.All(x => x is string);
            default:
                return false;
        }
    }

    private static string Describe(ArgType t)
    {
        if (t == ArgType.Any)
            return "any value";
        var names = new List<string>();
        foreach (ArgType f in Enum.GetValues(typeof(ArgType)))
            if (f != ArgType.Any && (t & f) == f)
                names.Add(
                    f switch
                    {
                        ArgType.ArrayNumber => "an array of numbers",
                        ArgType.ArrayString => "an array of strings",
                        ArgType.Expref => "an expression reference (&expr)",
                        ArgType.Array => "an array",
                        ArgType.Object => "an object",
                        _ => "a " + f.ToString().ToLowerInvariant(),
                    }
                );
        return string.Join(" or ", names);
    }

    private static string Describe(object? v) =>
        v is ExpressionReference ? "an expression reference" : "a value of type " + JmesValue.TypeName(v);

    public static bool TryGet(string name, out JmesFunction f) => Table.TryGetValue(name, out f!);

    private static readonly Dictionary<string, JmesFunction> Table = new[]
    {
        F("abs", a => Math.Abs(Num(a[0])), ArgType.Number),
        F(
            "avg",
            a => List(a[0]).Count == 0 ? null : (object)(List(a[0]).Sum(x => (double)x!) / List(a[0]).Count),
            ArgType.ArrayNumber
        ),
        F("ceil", a => Math.Ceiling(Num(a[0])), ArgType.Number),
        F(
            "contains",
            a =>
                a[0] is string s
                    ? JmesValue.Bool(a[1] is string t && s.IndexOf(t, StringComparison.Ordinal) >= 0)
                    : JmesValue.Bool(List(a[0]).Any(x => JmesValue.Equal(x, a[1]))),
            ArgType.Array | ArgType.String,
            ArgType.Any
        ),
        F(
            "ends_with",
            a => JmesValue.Bool(((string)a[0]!).EndsWith((string)a[1]!, StringComparison.Ordinal)),
            ArgType.String,
            ArgType.String
        ),
        F("floor", a => Math.Floor(Num(a[0])), ArgType.Number),
        F("join", a => string.Join((string)a[0]!, List(a[1]).Cast<string>()), ArgType.String, ArgType.ArrayString),
        F("keys", a => ((JmesObject)a[0]!).Keys.Cast<object?>().ToList(), ArgType.Object),
        F(
            "length",
            a =>
                (double)(
                    a[0] switch
                    {
                        string s => CodePoints(s),
                        List<object?> l => l.Count,
                        _ => ((JmesObject)a[0]!).Count,
                    }
                ),
            ArgType.String | ArgType.Array | ArgType.Object
        ),
        F("map", a => List(a[1]).ConvertAll(x => Ref(a[0]).Eval(x)), ArgType.Expref, ArgType.Array),
        F("max", a => Extreme(List(a[0]), 1), ArgType.ArrayNumber | ArgType.ArrayString),
        F("max_by", a => ExtremeBy(List(a[0]), Ref(a[1]), 1, "max_by"), ArgType.Array, ArgType.Expref),
        V(
            "merge",
            a =>
            {
                var r = new JmesObject();
                foreach (var o in a)
                foreach (var kv in (JmesObject)o!)
                    r[kv.Key] = kv.Value;
                return r;
            },
            ArgType.Object
        ),
        F("min", a => Extreme(List(a[0]), -1), ArgType.ArrayNumber | ArgType.ArrayString),
        F("min_by", a => ExtremeBy(List(a[0]), Ref(a[1]), -1, "min_by"), ArgType.Array, ArgType.Expref),
        V("not_null", a => a.FirstOrDefault(x => x != null), ArgType.Any),
        F(
            "reverse",
            a => a[0] is string s ? ReverseString(s) : (object)Enumerable.Reverse(List(a[0])).ToList(),
            ArgType.String | ArgType.Array
        ),
        F("sort", a => SortBy(List(a[0]), x => x, "sort"), ArgType.ArrayNumber | ArgType.ArrayString),
        F("sort_by", a => SortBy(List(a[0]), Ref(a[1]).Eval, "sort_by"), ArgType.Array, ArgType.Expref),
        F(
            "starts_with",
            a => JmesValue.Bool(((string)a[0]!).StartsWith((string)a[1]!, StringComparison.Ordinal)),
            ArgType.String,
            ArgType.String
        ),
        F("sum", a => List(a[0]).Sum(x => (double)x!), ArgType.ArrayNumber),
        F("to_array", a => a[0] is List<object?> ? a[0] : new List<object?> { a[0] }, ArgType.Any),
        F("to_number", a => ToNumber(a[0]), ArgType.Any),
        F("to_string", a => a[0] is string ? a[0] : JmesValue.ToJson(a[0]), ArgType.Any),
        F("type", a => JmesValue.TypeName(a[0]), ArgType.Any),
        F("values", a => ((JmesObject)a[0]!).Values.ToList(), ArgType.Object),
    }.ToDictionary(f => f.Name, StringComparer.Ordinal);

    private static JmesFunction F(string name, Func<object?[], object?> body, params ArgType[] args) =>
        new JmesFunction(name, args, false, body);

    private static JmesFunction V(string name, Func<object?[], object?> body, params ArgType[] args) =>
        new JmesFunction(name, args, true, body);

    private static double Num(object? v) => (double)v!;

    private static List<object?> List(object? v) => (List<object?>)v!;

    private static Node Ref(object? v) => ((ExpressionReference)v!).Inner;

    private static int CodePoints(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++, n++)
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                i++;
        return n;
    }

    private static string ReverseString(string s)
    {
        var elements = new List<string>();
        for (int i = 0; i < s.Length; i++)
            elements.Add(
                char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])
                    ? s.Substring(i++, 2)
                    : s[i].ToString()
            );
        elements.Reverse();
        return string.Concat(elements);
    }

    private static object? ToNumber(object? v)
    {
        if (v is double)
            return v;
        if (!(v is string s))
            return null;
        s = s.Trim();
        // JSON's number grammar (what jmespath.py's int()/float() and .js's Number() agree on).
        int i = 0;
        if (i < s.Length && s[i] == '-')
            i++;
        int digits = i;
        while (i < s.Length && char.IsDigit(s[i]) && s[i] < 128)
            i++;
        if (i == digits)
            return null;
        if (i < s.Length && s[i] == '.')
        {
            int f = ++i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == f)
                return null;
        }
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            i++;
            if (i < s.Length && (s[i] == '+' || s[i] == '-'))
                i++;
            int x = i;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == x)
                return null;
        }
        if (i != s.Length)
            return null;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d)
            ? (object)d
            : null;
    }

    private static int Compare(object? x, object? y) =>
        x is double a ? a.CompareTo((double)y!) : string.CompareOrdinal((string)x!, (string)y!);

    private static object? Extreme(List<object?> a, int sign)
    {
        if (a.Count == 0)
            return null;
        var best = a[0];
        foreach (var x in a)
            if (Compare(x, best) * sign > 0)
                best = x;
        return best;
    }

    /// <summary>The keys of a sort_by/max_by/min_by must all be numbers or all strings, like the first one.</summary>
    private static object?[] Keys(List<object?> a, Func<object?, object?> key, string function)
    {
        var keys = new object?[a.Count];
        for (int i = 0; i < a.Count; i++)
        {
            keys[i] = key(a[i]);
            bool ok = i == 0 ? keys[i] is double || keys[i] is string : keys[i]?.GetType() == keys[0]!.GetType();
            if (!ok)
                throw JmesPathException.Runtime(
                    "invalid-type",
                    $"{function}() needs keys that are all numbers or all strings, but element {i + 1} gives a "
                        + $"value of type {JmesValue.TypeName(keys[i])}"
                );
        }
        return keys;
    }

    private static object? ExtremeBy(List<object?> a, Node key, int sign, string function)
    {
        if (a.Count == 0)
            return null;
        var keys = Keys(a, key.Eval, function);
        int best = 0;
        for (int i = 1; i < a.Count; i++)
            if (Compare(keys[i], keys[best]) * sign > 0)
                best = i;
        return a[best];
    }

    private static List<object?> SortBy(List<object?> a, Func<object?, object?> key, string function)
    {
        if (a.Count == 0)
            return new List<object?>();
        var keys = Keys(a, key, function);
        EvaluationBudget.Charge((long)a.Count * (1 + (int)Math.Log(a.Count, 2)));
        var order = Enumerable.Range(0, a.Count).ToArray();
        // Stable: equal keys keep their order.
        System.Array.Sort(
            order,
            (x, y) =>
            {
                int c = Compare(keys[x], keys[y]);
                return c != 0 ? c : x.CompareTo(y);
            }
        );
        return order.Select(i => a[i]).ToList();
    }
}
