using System.Collections.Generic;

namespace GitIntegration.Core.Query;

/// <summary>A Pratt parser with the binding powers of jmespath.py 1.0 and the reference grammar.</summary>
internal sealed class JmesPathParser
{
    private const int ProjectionStop = 10;
    private readonly string _expression;
    private readonly List<Token> _tokens;
    private int _pos;
    private int _depth;

    private JmesPathParser(string expression)
    {
        _expression = expression;
        _tokens = JmesPathLexer.Tokenize(expression);
    }

    public static Node Parse(string expression)
    {
        var p = new JmesPathParser(expression);
        var node = p.Expression(0);
        if (p.Current.Type != Tok.Eof)
            throw p.Unexpected("an operator or the end of the expression");
        return node;
    }

    private Token Current => _tokens[_pos];

    private Tok Peek(int n) => _tokens[System.Math.Min(_pos + n, _tokens.Count - 1)].Type;

    private Token Advance() => _tokens[_pos++];

    private static int Power(Tok t) =>
        t switch
        {
            Tok.Pipe => 1,
            Tok.Or => 2,
            Tok.And => 3,
            Tok.Eq or Tok.Ne or Tok.Lt or Tok.Le or Tok.Gt or Tok.Ge => 5,
            Tok.Flatten => 9,
            Tok.Star => 20,
            Tok.Filter => 21,
            Tok.Dot => 40,
            Tok.Not => 45,
            Tok.LBrace => 50,
            Tok.LBracket => 55,
            Tok.LParen => 60,
            _ => 0,
        };

    private Node Expression(int bindingPower)
    {
        if (++_depth > JmesPath.MaxDepth)
            throw TooDeep();
        var left = Nud(Advance());
        while (bindingPower < Power(Current.Type))
            left = Led(Advance(), left);
        _depth--;
        return Check(left);
    }

    private Node Check(Node n) => n.Depth > JmesPath.MaxDepth ? throw TooDeep() : n;

    private JmesPathException TooDeep() =>
        JmesPathException.Syntax(
            _expression,
            Current.Start,
            $"the expression nests deeper than {JmesPath.MaxDepth} levels; write it with fewer nested parts"
        );

    private Node Nud(Token t)
    {
        switch (t.Type)
        {
            case Tok.Literal:
                return new Literal(t.Value);
            case Tok.UnquotedIdentifier:
                return new Field((string)t.Value!);
            case Tok.QuotedIdentifier:
                if (Current.Type == Tok.LParen)
                    throw JmesPathException.Syntax(_expression, t.Start, "a function name cannot be quoted");
                return new Field((string)t.Value!);
            case Tok.Star:
                return new ValueProjection(
                    Identity.Instance,
                    Current.Type == Tok.RBracket ? Identity.Instance : ProjectionRhs(Power(Tok.Star))
                );
            case Tok.Filter:
                return Filter(Identity.Instance);
            case Tok.LBrace:
                return MultiSelectHash();
            case Tok.LParen:
                var inner = Expression(0);
                Match(Tok.RParen, "')'");
                return inner;
            case Tok.Flatten:
                return Check(new Projection(new Flatten(Identity.Instance), ProjectionRhs(Power(Tok.Flatten))));
            case Tok.Not:
                return new Not(Expression(Power(Tok.Not)));
            case Tok.LBracket:
                if (Current.Type == Tok.Number || Current.Type == Tok.Colon)
                    return ProjectIfSlice(Identity.Instance, IndexExpression());
                if (Current.Type == Tok.Star && Peek(1) == Tok.RBracket)
                {
                    _pos += 2;
                    return new Projection(Identity.Instance, ProjectionRhs(Power(Tok.Star)));
                }
                return MultiSelectList();
            case Tok.Current:
                return Identity.Instance;
            case Tok.Expref:
                return new ExpressionReference(Expression(0));
            case Tok.Eof:
                throw JmesPathException.Syntax(_expression, t.Start, "the expression is incomplete");
            default:
                _pos--;
                throw Unexpected("an identifier, literal, '[', '{', '(', '@', '&', '!' or '*'");
        }
    }

    private Node Led(Token t, Node left)
    {
        switch (t.Type)
        {
            case Tok.Dot:
                if (Current.Type != Tok.Star)
                    return Check(new Sub(left, DotRhs(Power(Tok.Dot))));
                Advance();
                return Check(new ValueProjection(left, ProjectionRhs(Power(Tok.Dot))));
            case Tok.Pipe:
                return Check(new Pipe(left, Expression(Power(Tok.Pipe))));
            case Tok.Or:
                return Check(new Or(left, Expression(Power(Tok.Or))));
            case Tok.And:
                return Check(new And(left, Expression(Power(Tok.And))));
            case Tok.LParen:
                return Function(left, t);
            case Tok.Filter:
                return Filter(left);
            case Tok.Eq:
                return Check(new Comparator(Comparison.Eq, left, Expression(Power(t.Type))));
            case Tok.Ne:
                return Check(new Comparator(Comparison.Ne, left, Expression(Power(t.Type))));
            case Tok.Lt:
                return Check(new Comparator(Comparison.Lt, left, Expression(Power(t.Type))));
            case Tok.Le:
                return Check(new Comparator(Comparison.Le, left, Expression(Power(t.Type))));
            case Tok.Gt:
                return Check(new Comparator(Comparison.Gt, left, Expression(Power(t.Type))));
            case Tok.Ge:
                return Check(new Comparator(Comparison.Ge, left, Expression(Power(t.Type))));
            case Tok.Flatten:
                return Check(new Projection(Check(new Flatten(left)), ProjectionRhs(Power(Tok.Flatten))));
            case Tok.LBracket:
                if (Current.Type == Tok.Number || Current.Type == Tok.Colon)
                    return ProjectIfSlice(left, IndexExpression());
                Match(Tok.Star, "a number, ':' or '*' after '['");
                Match(Tok.RBracket, "']'");
                return Check(new Projection(left, ProjectionRhs(Power(Tok.Star))));
            default:
                _pos--;
                throw Unexpected("an operator or the end of the expression");
        }
    }

    private Node Function(Node left, Token paren)
    {
        if (!(left is Field f) || _tokens[_pos - 2].Type != Tok.UnquotedIdentifier)
            throw JmesPathException.Syntax(
                _expression,
                paren.Start,
                "'(' must follow a function name, such as length("
            );
        int nameStart = _tokens[_pos - 2].Start;
        var args = new List<Node>();
        while (Current.Type != Tok.RParen)
        {
            if (args.Count > 0)
                Match(Tok.Comma, "',' or ')' in the function's arguments");
            args.Add(Expression(0));
        }
        Advance();
        if (!JmesFunction.TryGet(f.Name, out var function))
            throw JmesPathException.Compile(
                "unknown-function",
                _expression,
                nameStart,
                $"there is no function named {f.Name}() (the built-in functions are abs, avg, ceil, contains, "
                    + "ends_with, floor, join, keys, length, map, max, max_by, merge, min, min_by, not_null, "
                    + "reverse, sort, sort_by, starts_with, sum, to_array, to_number, to_string, type, values)"
            );
        if (args.Count < function.MinArgs || !function.Variadic && args.Count > function.MinArgs)
            throw JmesPathException.Compile(
                "invalid-arity",
                _expression,
                nameStart,
                $"{f.Name}() takes {function.Arity}, but it is given {args.Count}"
            );
        return Check(new FunctionCall(function, args.ToArray()));
    }

    private Node Filter(Node left)
    {
        var condition = Expression(0);
        Match(Tok.RBracket, "']' to close the filter '[?'");
        var right = Current.Type == Tok.Flatten ? Identity.Instance : ProjectionRhs(Power(Tok.Filter));
        return Check(new FilterProjection(left, condition, right));
    }

    private Node ProjectIfSlice(Node left, Node right)
    {
        var index = Check(new Sub(left, right));
        return right is Slice ? Check(new Projection(index, ProjectionRhs(Power(Tok.Star)))) : index;
    }

    private Node IndexExpression()
    {
        if (Current.Type == Tok.Colon || Peek(1) == Tok.Colon)
            return SliceExpression();
        var n = Match(Tok.Number, "a number");
        Match(Tok.RBracket, "']'");
        return new Index((int)n.Value!);
    }

    private Node SliceExpression()
    {
        var parts = new int?[3];
        int i = 0;
        while (Current.Type != Tok.RBracket && i < 3)
        {
            if (Current.Type == Tok.Colon)
            {
                if (++i == 3)
                    throw Unexpected("']' (a slice has at most start:stop:step)");
                Advance();
            }
            else if (Current.Type == Tok.Number)
                parts[i] = (int)Advance().Value!;
            else
                throw Unexpected("a number, ':' or ']' in the slice");
        }
        Match(Tok.RBracket, "']'");
        return new Slice(parts[0], parts[1], parts[2]);
    }

    private Node ProjectionRhs(int bindingPower)
    {
        var t = Current.Type;
        if (Power(t) < ProjectionStop)
            return Identity.Instance;
        if (t == Tok.LBracket || t == Tok.Filter)
            return Expression(bindingPower);
        if (t == Tok.Dot)
        {
            Advance();
            return DotRhs(bindingPower);
        }
        throw Unexpected("'.', '[', '[?' or the end of the projection");
    }

    private Node DotRhs(int bindingPower)
    {
        switch (Current.Type)
        {
            case Tok.UnquotedIdentifier:
            case Tok.QuotedIdentifier:
            case Tok.Star:
                return Expression(bindingPower);
            case Tok.LBracket:
                Advance();
                return MultiSelectList();
            case Tok.LBrace:
                Advance();
                return MultiSelectHash();
            default:
                throw Unexpected("an identifier, '*', '[' or '{' after '.'");
        }
    }

    private Node MultiSelectList()
    {
        var items = new List<Node>();
        while (true)
        {
            items.Add(Expression(0));
            if (Current.Type == Tok.RBracket)
                break;
            Match(Tok.Comma, "',' or ']'");
        }
        Advance();
        return Check(new MultiSelectList(items.ToArray()));
    }

    private Node MultiSelectHash()
    {
        var pairs = new List<KeyValuePair<string, Node>>();
        while (true)
        {
            if (Current.Type != Tok.UnquotedIdentifier && Current.Type != Tok.QuotedIdentifier)
                throw Unexpected("a key name in the multi-select hash");
            var key = (string)Advance().Value!;
            Match(Tok.Colon, "':' after the key");
            pairs.Add(new KeyValuePair<string, Node>(key, Expression(0)));
            if (Current.Type == Tok.RBrace)
                break;
            Match(Tok.Comma, "',' or '}'");
        }
        Advance();
        return Check(new MultiSelectHash(pairs.ToArray()));
    }

    private Token Match(Tok type, string expected)
    {
        if (Current.Type != type)
            throw Unexpected(expected);
        return Advance();
    }

    private JmesPathException Unexpected(string expected) =>
        JmesPathLexer.Error(
            _expression,
            Current.Start,
            expected,
            Current.Type == Tok.Eof ? "the end of the expression" : $"'{Current.Text}'"
        );
}
