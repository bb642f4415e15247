using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitIntegration.Core.Query;

/// <summary>
/// JMESPath (https://jmespath.org/specification.html, as jmespath.py 1.0 and jmespath.js 0.16 implement it):
/// compile an expression once, evaluate it on many documents.
/// </summary>
public static class JmesPath
{
    /// <summary>
    /// How deeply an expression may nest; deeper ones are refused when compiled, so evaluating never exhausts the
    /// stack.
    /// </summary>
    public const int MaxDepth = 200;

    /// <summary>
    /// The steps one evaluation may take (see <see cref="EvaluationBudget"/>): about 80 MB of values at most, and a
    /// second or two. A filter such as <c>[?starts_with(name, 'billing-') &amp;&amp; !archived]</c> takes about ten
    /// per repository, so 10,000 repositories take 100,000.
    /// </summary>
    public const long MaxSteps = 5_000_000;

    /// <summary>
    /// The time one evaluation may take, whatever its steps: a backstop, far above what the steps allow (a second or
    /// two), because it is wall-clock time and a busy machine (a build agent, a test run) slows a filter the steps
    /// accept several times over: at 10 s, a filter of 10,000 repositories was refused under load.
    /// </summary>
    public static readonly System.TimeSpan MaxTime = System.TimeSpan.FromSeconds(60);

    /// <summary>How many repositories a stored RepositoryFilter must be able to run on.</summary>
    public const int StoredFilterRepositories = 10_000;

    /// <summary>
    /// Compiles an expression; a <see cref="JmesPathException"/> (ErrorId <see cref="JmesPathErrorIds.Invalid"/>) names
    /// the position and what was expected.
    /// </summary>
    public static JmesPathExpression Compile(string expression)
    {
        if (expression == null)
            throw new System.ArgumentNullException(nameof(expression));
        return new JmesPathExpression(expression, JmesPathParser.Parse(expression));
    }

    /// <summary>
    /// An integration's RepositoryFilter: blank means none (null); anything else must compile, and must be cheap
    /// enough to run on <see cref="StoredFilterRepositories"/> repositories
    /// (see <see cref="JmesPathExpression.CheckCost"/>).
    /// </summary>
    public static JmesPathExpression? CompileFilter(string? filter)
    {
        if (string.IsNullOrWhiteSpace(filter))
            return null;
        var e = Compile(filter!);
        e.CheckCost();
        return e;
    }
}

/// <summary>A compiled expression: immutable, safe to evaluate from several threads.</summary>
public sealed class JmesPathExpression
{
    private readonly Node _root;

    internal JmesPathExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    public JsonNode? Evaluate(JsonNode? data) =>
        Run(JmesPath.MaxSteps, () => JmesValue.ToNode(_root.Eval(JmesValue.From(data))));

    public JsonNode? Evaluate(JsonElement data) =>
        Run(JmesPath.MaxSteps, () => JmesValue.ToNode(_root.Eval(JmesValue.From(data))));

    /// <summary>
    /// Applies a filter such as <c>[?starts_with(name, 'billing-')]</c> to an array of objects and tells which of
    /// them it keeps (indexes into <paramref name="items"/>, in the order the expression returns them). The
    /// result must be some of the very objects given: a projection such as <c>[].name</c> is refused with
    /// <see cref="JmesPathErrorIds.NotASelection"/>.
    /// </summary>
    public IReadOnlyList<int> SelectFrom(IReadOnlyList<JsonElement> items) => Select(items, JmesPath.MaxSteps);

    private IReadOnlyList<int> Select(IReadOnlyList<JsonElement> items, long steps)
    {
        var input = new List<object?>(items.Count);
        var index = new Dictionary<object, int>(items.Count, ReferenceComparer.Instance);
        for (int i = 0; i < items.Count; i++)
        {
            var v = JmesValue.From(items[i]);
            input.Add(v);
            if (v != null && !(v is string) && !(v is double) && !(v is bool))
                index[v] = i;
        }
        var result = Run(steps, () => _root.Eval(input));
        if (!(result is List<object?> kept))
            throw NotASelection(
                $"it returns {(result == null ? "null" : "a value of type " + JmesValue.TypeName(result))}"
            );
        var selected = new List<int>(kept.Count);
        var seen = new HashSet<int>();
        foreach (var v in kept)
        {
            if (v == null || !index.TryGetValue(v, out var i))
                throw NotASelection(
                    "it returns values that are not the repository objects themselves (a projection such as "
                        + "[].name or [].{n: name})"
                );
            if (seen.Add(i))
                selected.Add(i);
        }
        return selected;
    }

    private JmesPathException NotASelection(string why) => JmesPathException.NotASelection(Text, why);

    private sealed class ReferenceComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceComparer Instance = new ReferenceComparer();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>
    /// Refuses a filter that could not run on an organization of <see cref="JmesPath.StoredFilterRepositories"/>
    /// repositories within <see cref="JmesPath.MaxSteps"/>, before it is stored. It is evaluated on
    /// <see cref="SyntheticRepositories.Count"/> repositories shaped like GitHub's, with the same share of steps
    /// per repository. That share holds for more repositories because an expression's work grows with the list only
    /// as far as its projections and functions go through it (sorting adds a logarithm), and the exponential growth
    /// of copies shows on any list. A filter that is cheap here but not on other data (one that copies only the
    /// repositories named 'x') is still stopped by the budget when it runs.
    /// </summary>
    internal void CheckCost()
    {
        const long steps = JmesPath.MaxSteps * SyntheticRepositories.Count / JmesPath.StoredFilterRepositories;
        try
        {
            Select(SyntheticRepositories.All, steps);
        }
        catch (JmesPathException e) when (e.ErrorId == JmesPathErrorIds.TooExpensive)
        {
            throw JmesPathException.TooExpensiveToStore(Text, steps);
        }
        catch (JmesPathException) { } // an error that depends on the data is for the real repositories to tell
    }

    private T Run<T>(long steps, System.Func<T> f)
    {
        try
        {
            return EvaluationBudget.Run(steps, f);
        }
        catch (JmesPathException e) when (e.Expression == null)
        {
            throw e.For(Text);
        }
    }

    public override string ToString() => Text;
}

/// <summary>
/// A JMESPath failure. <see cref="ErrorType"/> is the specification's name for it: syntax, unknown-function,
/// invalid-arity (found when compiling), invalid-type, invalid-value (found when evaluating).
/// </summary>
public sealed class JmesPathException : GitIntegrationException
{
    private const string Help =
        "See https://jmespath.org/specification.html; a repository filter looks like [?starts_with(name, "
        + "'billing-') && !archived].";

    private JmesPathException(
        string errorId,
        ErrorKind kind,
        string errorType,
        string? expression,
        int position,
        string detail,
        string message
    )
        : base(errorId, kind, message)
    {
        ErrorType = errorType;
        Expression = expression;
        Position = position;
        Detail = detail;
    }

    public string ErrorType { get; }

    /// <summary>The expression, when known.</summary>
    public string? Expression { get; }

    /// <summary>Zero-based character position of a compile error; -1 for evaluation errors.</summary>
    public int Position { get; }

    /// <summary>What went wrong, without the expression or advice.</summary>
    public string Detail { get; }

    internal static JmesPathException Syntax(string expression, int position, string detail) =>
        Compile("syntax", expression, position, detail);

    internal static JmesPathException Compile(string errorType, string expression, int position, string detail) =>
        new JmesPathException(
            JmesPathErrorIds.Invalid,
            ErrorKind.InvalidArgument,
            errorType,
            expression,
            position,
            detail,
            $"The JMESPath expression {Quote(expression)} is not valid at position {position + 1}: {detail}. {Help}"
        );

    internal static JmesPathException Runtime(string errorType, string detail) =>
        new JmesPathException(
            JmesPathErrorIds.Failed,
            ErrorKind.InvalidData,
            errorType,
            null,
            -1,
            detail,
            RuntimeMessage(null, detail)
        );

    internal static JmesPathException NotASelection(string expression, string why) =>
        new JmesPathException(
            JmesPathErrorIds.NotASelection,
            ErrorKind.InvalidArgument,
            "invalid-type",
            expression,
            -1,
            why,
            $"The repository filter {Quote(expression)} must return repositories, but {why}. Write it as a "
                + "filter on the list, such as [?starts_with(name, 'billing-')] or [?!archived && size < `100000`]. "
                + $"{Help}"
        );

    internal static JmesPathException TooExpensive(string detail) => TooExpensive(null, detail);

    internal static JmesPathException TooExpensiveToStore(string expression, long steps) =>
        TooExpensive(
            expression,
            $"on {SyntheticRepositories.Count} repositories shaped like GitHub's it takes "
                + $"more than {Count(steps)} steps, so on an organization of "
                + $"{Count(JmesPath.StoredFilterRepositories)} repositories it would take more than the "
                + $"{Count(JmesPath.MaxSteps)} one evaluation may take"
        );

    private static JmesPathException TooExpensive(string? expression, string detail)
    {
        var what = expression == null ? "" : Quote(expression) + " ";
        return new JmesPathException(
            JmesPathErrorIds.TooExpensive,
            ErrorKind.LimitsExceeded,
            "too-expensive",
            expression,
            -1,
            detail,
            $"The JMESPath expression {what}is too expensive: {detail}. A repository "
                + "filter keeps some of the repositories it is given, such as [?starts_with(name, 'billing-') && "
                + "!archived], in a few steps per repository; each copy of the list (such as [@,@][] or a multi-select "
                + "of @) doubles the work of what follows it. Write the filter without copies of the list."
        );
    }

    internal JmesPathException For(string expression) =>
        ErrorId == JmesPathErrorIds.TooExpensive
            ? TooExpensive(expression, Detail)
            : new JmesPathException(
                ErrorId,
                Kind,
                ErrorType,
                expression,
                Position,
                Detail,
                RuntimeMessage(expression, Detail)
            );

    private static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private static string RuntimeMessage(string? expression, string detail) =>
        $"The JMESPath expression {(expression == null ? "" : Quote(expression) + " ")}failed: {detail}. Change "
        + "the expression so that each function gets the types it takes (to_string, to_number and not_null "
        + $"convert). {Help}";

    private static string Quote(string s) => "'" + (s.Length > 200 ? s.Substring(0, 200) + "…" : s) + "'";
}
