using System;
using System.Diagnostics;
using System.Globalization;

namespace GitIntegration.Core.Query;

/// <summary>
/// What one evaluation may spend: steps and time. A step is a node evaluated or a value produced (an element of a
/// new array, 8 characters of a new string, one level of a comparison), so steps bound both the time and the memory
/// an expression takes, whatever its input: each <c>[@,@][]</c> doubles the work of what follows, and a
/// 278-character filter of them ran 123 s to 7.7 GB on 20 repositories. The deadline is a backstop for work that
/// steps miss. The budget is ambient for the thread that evaluates, so a compiled expression stays safe to share.
/// </summary>
internal sealed class EvaluationBudget
{
    [ThreadStatic]
    private static EvaluationBudget? _current;

    private const long CheckClockEvery = 1 << 16;
    private readonly long _limit;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _spent;

    private EvaluationBudget(long limit) => _limit = limit;

    public static T Run<T>(long steps, Func<T> evaluate)
    {
        var outer = _current;
        _current = new EvaluationBudget(steps);
        try
        {
            return evaluate();
        }
        finally
        {
            _current = outer;
        }
    }

    public static void Charge(long steps)
    {
        var b = _current;
        if (b == null)
            return;
        long before = b._spent;
        b._spent += steps;
        if (b._spent > b._limit)
            throw JmesPathException.TooExpensive(
                $"it takes more than {b._limit.ToString("N0", CultureInfo.InvariantCulture)} steps"
            );
        if (before / CheckClockEvery != b._spent / CheckClockEvery && b._clock.Elapsed > JmesPath.MaxTime)
            throw JmesPathException.TooExpensive($"it runs longer than {JmesPath.MaxTime.TotalSeconds:0} seconds");
    }

    /// <summary>A new string's share: one step per 8 characters (16 bytes, two array elements' worth).</summary>
    public static void ChargeText(int length) => Charge(1 + length / 8);
}
