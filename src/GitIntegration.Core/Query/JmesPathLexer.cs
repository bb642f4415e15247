using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GitIntegration.Core.Query;

internal enum Tok
{
    Eof,
    UnquotedIdentifier,
    QuotedIdentifier,
    Literal,
    Number,
    Dot,
    Star,
    Flatten,
    Filter,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Current,
    Expref,
    And,
    Or,
    Not,
    Pipe,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

internal readonly struct Token
{
    public Token(Tok type, int start, string text, object? value = null)
    {
        Type = type;
        Start = start;
        Text = text;
        Value = value;
    }

    public Tok Type { get; }
    public int Start { get; }

    /// <summary>The token as written, for error messages.</summary>
    public string Text { get; }

    /// <summary>An identifier's name, a literal's value (JMESPath model), a number's int.</summary>
    public object? Value { get; }
}

/// <summary>Splits an expression into tokens (the lexical rules of jmespath.py 1.0).</summary>
internal static class JmesPathLexer
{
    public static List<Token> Tokenize(string e)
    {
        var tokens = new List<Token>();
        int i = 0;
        while (i < e.Length)
        {
            char c = e[i];
            int start = i;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            {
                i++;
                continue;
            }
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_')
            {
                while (i < e.Length && IsIdentChar(e[i]))
                    i++;
                var name = e.Substring(start, i - start);
                tokens.Add(new Token(Tok.UnquotedIdentifier, start, name, name));
                continue;
            }
            if (c >= '0' && c <= '9' || c == '-')
            {
                i++;
                while (i < e.Length && e[i] >= '0' && e[i] <= '9')
                    i++;
                var text = e.Substring(start, i - start);
                if (text == "-")
                    throw Error(e, start, "a digit after '-'", "'-'");
                if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
                    throw Error(e, start, "a number that fits in 32 bits", text);
                tokens.Add(new Token(Tok.Number, start, text, n));
                continue;
            }
            switch (c)
            {
                case '.':
                    tokens.Add(new Token(Tok.Dot, i++, "."));
                    continue;
                case '*':
                    tokens.Add(new Token(Tok.Star, i++, "*"));
                    continue;
                case ']':
                    tokens.Add(new Token(Tok.RBracket, i++, "]"));
                    continue;
                case '{':
                    tokens.Add(new Token(Tok.LBrace, i++, "{"));
                    continue;
                case '}':
                    tokens.Add(new Token(Tok.RBrace, i++, "}"));
                    continue;
                case '(':
                    tokens.Add(new Token(Tok.LParen, i++, "("));
                    continue;
                case ')':
                    tokens.Add(new Token(Tok.RParen, i++, ")"));
                    continue;
                case ',':
                    tokens.Add(new Token(Tok.Comma, i++, ","));
                    continue;
                case ':':
                    tokens.Add(new Token(Tok.Colon, i++, ":"));
                    continue;
                case '@':
                    tokens.Add(new Token(Tok.Current, i++, "@"));
                    continue;
                case '[':
                    i++;
                    if (i < e.Length && e[i] == ']')
                    {
                        tokens.Add(new Token(Tok.Flatten, start, "[]"));
                        i++;
                    }
                    else if (i < e.Length && e[i] == '?')
                    {
                        tokens.Add(new Token(Tok.Filter, start, "[?"));
                        i++;
                    }
                    else
                        tokens.Add(new Token(Tok.LBracket, start, "["));
                    continue;
                case '&':
                    tokens.Add(Two(e, ref i, '&', Tok.And, "&&", Tok.Expref, "&"));
                    continue;
                case '|':
                    tokens.Add(Two(e, ref i, '|', Tok.Or, "||", Tok.Pipe, "|"));
                    continue;
                case '!':
                    tokens.Add(Two(e, ref i, '=', Tok.Ne, "!=", Tok.Not, "!"));
                    continue;
                case '<':
                    tokens.Add(Two(e, ref i, '=', Tok.Le, "<=", Tok.Lt, "<"));
                    continue;
                case '>':
                    tokens.Add(Two(e, ref i, '=', Tok.Ge, ">=", Tok.Gt, ">"));
                    continue;
                case '=':
                    if (i + 1 < e.Length && e[i + 1] == '=')
                    {
                        tokens.Add(new Token(Tok.Eq, i, "=="));
                        i += 2;
                        continue;
                    }
                    throw Error(e, i, "'==' (a single '=' is not an operator)", "'='");
                case '"':
                    tokens.Add(QuotedIdentifier(e, ref i));
                    continue;
                case '\'':
                    tokens.Add(RawString(e, ref i));
                    continue;
                case '`':
                    tokens.Add(JsonLiteral(e, ref i));
                    continue;
            }
            throw Error(e, i, "an identifier, operator or literal", $"'{c}'");
        }
        tokens.Add(new Token(Tok.Eof, e.Length, "end of expression"));
        return tokens;
    }

    private static bool IsIdentChar(char c) =>
        c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';

    private static Token Two(string e, ref int i, char second, Tok both, string bothText, Tok one, string oneText)
    {
        int start = i++;
        if (i < e.Length && e[i] == second)
        {
            i++;
            return new Token(both, start, bothText);
        }
        return new Token(one, start, oneText);
    }

    /// <summary>Text up to the closing delimiter; a backslash keeps the next character (both are kept).</summary>
    private static string Until(string e, ref int i, char delimiter)
    {
        int start = i++;
        var sb = new StringBuilder();
        while (true)
        {
            if (i >= e.Length)
                throw Error(e, start, $"a closing {delimiter}", "the end of the expression");
            char c = e[i];
            if (c == delimiter)
            {
                i++;
                return sb.ToString();
            }
            if (c == '\\')
            {
                sb.Append(c);
                i++;
                if (i >= e.Length)
                    throw Error(e, start, $"a closing {delimiter}", "the end of the expression");
                c = e[i];
            }
            sb.Append(c);
            i++;
        }
    }

    private static Token QuotedIdentifier(string e, ref int i)
    {
        int start = i;
        var body = Until(e, ref i, '"');
        var text = e.Substring(start, i - start);
        var name = JsonString(body) ?? throw Error(e, start, "a valid JSON string in the quoted identifier", text);
        return new Token(Tok.QuotedIdentifier, start, text, name);
    }

    private static Token RawString(string e, ref int i)
    {
        int start = i;
        var body = Until(e, ref i, '\'').Replace("\\'", "'");
        return new Token(Tok.Literal, start, e.Substring(start, i - start), body);
    }

    private static Token JsonLiteral(string e, ref int i)
    {
        int start = i;
        var body = Until(e, ref i, '`').Replace("\\`", "`");
        var text = e.Substring(start, i - start);
        object? value;
        if (TryJson(body, out value))
            return new Token(Tok.Literal, start, text, value);
        // The deprecated form `foo` (an unquoted JSON string) that jmespath.py and .js still accept.
        var legacy = JsonString(body.TrimStart());
        if (legacy != null)
            return new Token(Tok.Literal, start, text, legacy);
        throw Error(e, start, "valid JSON between the backticks", text);
    }

    private static bool TryJson(string body, out object? value)
    {
        value = null;
        if (body.Trim().Length == 0)
            return false;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = JmesPath.MaxDepth });
            value = JmesValue.From(doc.RootElement.Clone());
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Decodes the body of a JSON string (escapes; raw control characters are tolerated); null when invalid.
    /// </summary>
    private static string? JsonString(string body)
    {
        var sb = new StringBuilder(body.Length);
        for (int i = 0; i < body.Length; i++)
        {
            char c = body[i];
            if (c == '"')
                return null;
            if (c != '\\')
            {
                sb.Append(c);
                continue;
            }
            if (++i >= body.Length)
                return null;
            switch (body[i])
            {
                case '"':
                    sb.Append('"');
                    break;
                case '\\':
                    sb.Append('\\');
                    break;
                case '/':
                    sb.Append('/');
                    break;
                case 'b':
                    sb.Append('\b');
                    break;
                case 'f':
                    sb.Append('\f');
                    break;
                case 'n':
                    sb.Append('\n');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'u':
                    if (i + 4 >= body.Length)
                        return null;
                    if (
                        !int.TryParse(
                            body.Substring(i + 1, 4),
                            NumberStyles.AllowHexSpecifier,
                            CultureInfo.InvariantCulture,
                            out var code
                        )
                    )
                        return null;
                    sb.Append((char)code);
                    i += 4;
                    break;
                default:
                    return null;
            }
        }
        return sb.ToString();
    }

    internal static JmesPathException Error(string expression, int position, string expected, string found) =>
        JmesPathException.Syntax(expression, position, $"expected {expected} but found {found}");
}
