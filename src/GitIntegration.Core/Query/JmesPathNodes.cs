using System.Collections.Generic;

namespace GitIntegration.Core.Query;

/// <summary>
/// A node of a compiled expression. Trees are at most <see cref="JmesPath.MaxDepth"/> deep, so evaluation cannot
/// exhaust the stack.
/// </summary>
internal abstract class Node
{
    protected Node(params Node[] children)
    {
        int depth = 0;
        foreach (var c in children)
            if (c.Depth > depth)
                depth = c.Depth;
        Depth = depth + 1;
    }

    public int Depth { get; }

    /// <summary>Evaluates the node, one step of the evaluation's <see cref="EvaluationBudget"/>.</summary>
    public object? Eval(object? current)
    {
        EvaluationBudget.Charge(1);
        return Evaluate(current);
    }

    protected abstract object? Evaluate(object? current);

    protected static List<object?>? Array(object? v) => v as List<object?>;
}

internal sealed class Identity : Node
{
    public static readonly Identity Instance = new Identity();

    protected override object? Evaluate(object? current) => current;
}

internal sealed class Literal : Node
{
    private readonly object? _value;

    public Literal(object? value)
    {
        _value = value;
    }

    protected override object? Evaluate(object? current) => _value;
}

internal sealed class Field : Node
{
    public Field(string name)
    {
        Name = name;
    }

    public string Name { get; }

    protected override object? Evaluate(object? current) =>
        current is JmesObject o && o.TryGetValue(Name, out var v) ? v : null;
}

internal sealed class Sub : Node
{
    private readonly Node _left,
        _right;

    public Sub(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        var l = _left.Eval(current);
        return l == null ? null : _right.Eval(l);
    }
}

internal sealed class Pipe : Node
{
    private readonly Node _left,
        _right;

    public Pipe(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current) => _right.Eval(_left.Eval(current));
}

internal sealed class Index : Node
{
    private readonly int _index;

    public Index(int index)
    {
        _index = index;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(current is List<object?> a))
            return null;
        long i = _index < 0 ? (long)a.Count + _index : _index;
        return i >= 0 && i < a.Count ? a[(int)i] : null;
    }
}

internal sealed class Slice : Node
{
    private readonly int? _start,
        _stop,
        _step;

    public Slice(int? start, int? stop, int? step)
    {
        _start = start;
        _stop = stop;
        _step = step;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(current is List<object?> a))
            return null;
        long step = _step ?? 1;
        if (step == 0)
            throw JmesPathException.Runtime("invalid-value", "a slice's step cannot be 0");
        long n = a.Count;
        long start = _start == null ? (step < 0 ? n - 1 : 0) : Cap(n, _start.Value, step);
        long stop = _stop == null ? (step < 0 ? -1 : n) : Cap(n, _stop.Value, step);
        var r = new List<object?>();
        if (step > 0)
            for (long i = start; i < stop; i += step)
                r.Add(a[(int)i]);
        else
            for (long i = start; i > stop; i += step)
                r.Add(a[(int)i]);
        EvaluationBudget.Charge(r.Count);
        return r;
    }

    private static long Cap(long n, long v, long step)
    {
        if (v < 0)
        {
            v += n;
            if (v < 0)
                v = step < 0 ? -1 : 0;
        }
        else if (v >= n)
            v = step < 0 ? n - 1 : n;
        return v;
    }
}

/// <summary>left[*].right, left[].right, left[:].right: right applied to each element, nulls dropped.</summary>
internal sealed class Projection : Node
{
    private readonly Node _left,
        _right;

    public Projection(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(_left.Eval(current) is List<object?> a))
            return null;
        var r = new List<object?>(a.Count);
        foreach (var x in a)
        {
            var v = _right.Eval(x);
            if (v != null)
                r.Add(v);
        }
        return r;
    }
}

/// <summary>left.*.right: right applied to each value of an object.</summary>
internal sealed class ValueProjection : Node
{
    private readonly Node _left,
        _right;

    public ValueProjection(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(_left.Eval(current) is JmesObject o))
            return null;
        var r = new List<object?>(o.Count);
        foreach (var x in o.Values)
        {
            var v = _right.Eval(x);
            if (v != null)
                r.Add(v);
        }
        return r;
    }
}

internal sealed class FilterProjection : Node
{
    private readonly Node _left,
        _condition,
        _right;

    public FilterProjection(Node left, Node condition, Node right)
        : base(left, condition, right)
    {
        _left = left;
        _condition = condition;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(_left.Eval(current) is List<object?> a))
            return null;
        var r = new List<object?>();
        foreach (var x in a)
        {
            if (!JmesValue.IsTrue(_condition.Eval(x)))
                continue;
            var v = _right.Eval(x);
            if (v != null)
                r.Add(v);
        }
        return r;
    }
}

internal sealed class Flatten : Node
{
    private readonly Node _inner;

    public Flatten(Node inner)
        : base(inner)
    {
        _inner = inner;
    }

    protected override object? Evaluate(object? current)
    {
        if (!(_inner.Eval(current) is List<object?> a))
            return null;
        var r = new List<object?>(a.Count);
        foreach (var x in a)
        {
            if (x is List<object?> inner)
            {
                EvaluationBudget.Charge(inner.Count);
                r.AddRange(inner);
            }
            else
                r.Add(x);
        }
        return r;
    }
}

internal enum Comparison
{
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

internal sealed class Comparator : Node
{
    private readonly Comparison _op;
    private readonly Node _left,
        _right;

    public Comparator(Comparison op, Node left, Node right)
        : base(left, right)
    {
        _op = op;
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        var l = _left.Eval(current);
        var r = _right.Eval(current);
        switch (_op)
        {
            case Comparison.Eq:
                return JmesValue.Bool(JmesValue.Equal(l, r));
            case Comparison.Ne:
                return JmesValue.Bool(!JmesValue.Equal(l, r));
        }
        // Ordering is defined for numbers, and (as jmespath.py and .js do) for strings; anything else is null.
        int c;
        if (l is double x && r is double y)
        {
            if (double.IsNaN(x) || double.IsNaN(y))
                return null;
            c = x.CompareTo(y);
        }
        else if (l is string s && r is string t)
            c = string.CompareOrdinal(s, t);
        else
            return null;
        return JmesValue.Bool(
            _op switch
            {
                Comparison.Lt => c < 0,
                Comparison.Le => c <= 0,
                Comparison.Gt => c > 0,
                _ => c >= 0,
            }
        );
    }
}

internal sealed class Or : Node
{
    private readonly Node _left,
        _right;

    public Or(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        var l = _left.Eval(current);
        return JmesValue.IsTrue(l) ? l : _right.Eval(current);
    }
}

internal sealed class And : Node
{
    private readonly Node _left,
        _right;

    public And(Node left, Node right)
        : base(left, right)
    {
        _left = left;
        _right = right;
    }

    protected override object? Evaluate(object? current)
    {
        var l = _left.Eval(current);
        return JmesValue.IsTrue(l) ? _right.Eval(current) : l;
    }
}

internal sealed class Not : Node
{
    private readonly Node _inner;

    public Not(Node inner)
        : base(inner)
    {
        _inner = inner;
    }

    protected override object? Evaluate(object? current) => JmesValue.Bool(!JmesValue.IsTrue(_inner.Eval(current)));
}

internal sealed class MultiSelectList : Node
{
    private readonly Node[] _items;

    public MultiSelectList(Node[] items)
        : base(items)
    {
        _items = items;
    }

    protected override object? Evaluate(object? current)
    {
        if (current == null)
            return null;
        var r = new List<object?>(_items.Length);
        foreach (var n in _items)
            r.Add(n.Eval(current));
        return r;
    }
}

internal sealed class MultiSelectHash : Node
{
    private readonly KeyValuePair<string, Node>[] _pairs;

    public MultiSelectHash(KeyValuePair<string, Node>[] pairs)
        : base(System.Array.ConvertAll(pairs, p => p.Value))
    {
        _pairs = pairs;
    }

    protected override object? Evaluate(object? current)
    {
        if (current == null)
            return null;
        var r = new JmesObject();
        foreach (var p in _pairs)
            r[p.Key] = p.Value.Eval(current);
        return r;
    }
}

/// <summary>&amp;expr: evaluates to the expression itself, for sort_by, max_by, min_by and map.</summary>
internal sealed class ExpressionReference : Node
{
    public ExpressionReference(Node inner)
        : base(inner)
    {
        Inner = inner;
    }

    public Node Inner { get; }

    protected override object? Evaluate(object? current) => this;
}

internal sealed class FunctionCall : Node
{
    private readonly JmesFunction _function;
    private readonly Node[] _args;

    public FunctionCall(JmesFunction function, Node[] args)
        : base(args)
    {
        _function = function;
        _args = args;
    }

    protected override object? Evaluate(object? current)
    {
        var values = new object?[_args.Length];
        for (int i = 0; i < _args.Length; i++)
            values[i] = _args[i].Eval(current);
        return _function.Invoke(values);
    }
}
