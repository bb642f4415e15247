using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GitIntegration.Format;

/// <summary>
/// tests/format.sh's helper for the 120-column rule, on every .cs file under src/ and tests/ (not obj/, bin/):
/// "fix" wraps comments and splits long string literals, "check" lists the lines still too long.
/// </summary>
public static class Program
{
    public const int Width = 120;

    public static int Main(string[] args)
    {
        if (args.Length != 2 || (args[0] != "fix" && args[0] != "check"))
        {
            Console.Error.WriteLine("usage: GitIntegration.Format fix|check <repository root>");
            return 2;
        }
        var files = Files(args[1]).ToList();
        if (args[0] == "fix")
        {
            var changed = 0;
            foreach (var file in files)
            {
                var text = File.ReadAllText(file);
                var fixedText = Strings.Split(Comments.Wrap(text, file), file);
                if (fixedText != text)
                {
                    File.WriteAllText(file, fixedText, new UTF8Encoding(text.StartsWith('\uFEFF')));
                    changed++;
                }
            }
            // format.sh runs CSharpier and this again until nothing changes.
            Console.WriteLine($"changed {changed}");
            return 0;
        }
        var longLines = files.SelectMany(f => LongLines(f, File.ReadAllText(f))).ToList();
        foreach (var line in longLines)
            Console.WriteLine(line);
        return longLines.Count == 0 ? 0 : 1;
    }

    /// <summary>The C# files the rule covers: generated files under obj/ and bin/ are not ours.</summary>
    public static IEnumerable<string> Files(string root) =>
        new[] { "src", "tests" }
            .Select(d => Path.Combine(root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(p => p is "obj" or "bin"))
            .Order(StringComparer.Ordinal);

    /// <summary>
    /// Lines over the width, except example code in doc comments (a &lt;code&gt; block is the help's example,
    /// verbatim: wrapping it would change the command the admin copies).
    /// </summary>
    public static IEnumerable<string> LongLines(string file, string text)
    {
        var lines = Lines(text);
        var inCode = Comments.CodeLines(lines);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length > Width && !inCode[i])
                yield return $"{file}:{i + 1}: {lines[i].Length} characters";
        }
    }

    public static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

    public static string NewLine(string text) => text.Contains("\r\n") ? "\r\n" : "\n";
}

/// <summary>
/// Wraps comment lines over the width at a space. The rest of a wrapped line goes to the start of the next line
/// when that line continues the same sentence, else onto a new line; a comment after code moves above it first.
/// Doc comments never break inside a tag or &lt;code&gt;, so the MAML help (which joins each paragraph's lines with
/// one space) is the same.
/// </summary>
public static class Comments
{
    public static string Wrap(string text, string file)
    {
        var tree = CSharpSyntaxTree.ParseText(text, Parse.Options, file);
        var root = tree.GetRoot();
        var lines = Program.Lines(text);
        var starts = new int[lines.Length];
        for (var i = 1; i < lines.Length; i++)
            starts[i] = text.IndexOf('\n', starts[i - 1]) + 1;
        var output = new List<string>();
        var inCode = CodeLines(lines);
        var changed = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length <= Program.Width || inCode[i])
            {
                output.Add(line);
                continue;
            }
            var at = CommentStart(root, starts[i], line);
            if (at < 0)
            {
                output.Add(line);
                continue;
            }
            var indent = line[..(line.Length - line.TrimStart().Length)];
            var comment = line[at..];
            var work = new List<string>();
            if (line[..at].Trim().Length > 0)
            {
                // A comment after code: above the code, at its indentation.
                work.Add(indent + comment);
                work.Add(line[..at].TrimEnd());
            }
            else
            {
                work.Add(line);
            }
            if (work.Count == 1 && Summary(line) is var (prefix, inner))
            {
                // A one-line <summary> too long for one line: the usual three-line form, its text wrapped.
                changed = true;
                output.Add(prefix + "<summary>");
                output.AddRange(WrapAll(prefix + inner));
                output.Add(prefix + "</summary>");
                continue;
            }
            var next = i + 1;
            var carryInto = work.Count == 1 && next < lines.Length && !inCode[next] ? lines[next] : null;
            var wrapped = WrapLine(work[0], carryInto);
            if (wrapped.Count == 1 && work.Count == 1)
            {
                output.Add(line);
                continue;
            }
            changed = true;
            output.AddRange(wrapped.Take(wrapped.Count - 1));
            var last = wrapped[^1];
            if (last.StartsWith('\u0001'))
            {
                // Carried into the next line, which the loop wraps in turn.
                lines[next] = last[1..];
                output.AddRange(work.Skip(1));
                continue;
            }
            output.AddRange(WrapAll(last));
            output.AddRange(work.Skip(1));
        }
        return changed ? string.Join(Program.NewLine(text), output) : text;
    }

    /// <summary>The "/// " before and the text inside a doc comment line that is a whole summary, else null.</summary>
    private static (string Prefix, string Inner)? Summary(string line)
    {
        var t = line.TrimStart();
        if (
            !t.StartsWith("/// <summary>", StringComparison.Ordinal)
            || !t.EndsWith("</summary>", StringComparison.Ordinal)
        )
            return null;
        var inner = t["/// <summary>".Length..^"</summary>".Length].Trim();
        if (
            inner.Contains("<summary>", StringComparison.Ordinal)
            || inner.Contains("</summary>", StringComparison.Ordinal)
        )
            return null;
        return (line[..(line.Length - t.Length)] + "/// ", inner);
    }

    /// <summary>A line wrapped onto as many new lines as it takes.</summary>
    private static List<string> WrapAll(string line)
    {
        var result = new List<string> { line };
        while (result[^1].Length > Program.Width)
        {
            var wrapped = WrapLine(result[^1], null);
            if (wrapped.Count == 1)
                break;
            result.RemoveAt(result.Count - 1);
            result.AddRange(wrapped);
        }
        return result;
    }

    /// <summary>Where a comment that runs to the end of the line starts, or -1 (a "//" in a string is not
    /// one).</summary>
    private static int CommentStart(SyntaxNode root, int lineStart, string line)
    {
        for (
            var at = line.IndexOf("//", StringComparison.Ordinal);
            at >= 0;
            at = line.IndexOf("//", at + 1, StringComparison.Ordinal)
        )
        {
            var trivia = root.FindTrivia(lineStart + at);
            if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia) && trivia.SpanStart == lineStart + at)
                return at;
            if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) && line.TrimStart().StartsWith("///"))
                return line.Length - line.TrimStart().Length;
        }
        return -1;
    }

    /// <summary>
    /// The line cut to the width at a space; the last element is the rest, marked with \u0001 when it was carried
    /// into <paramref name="next"/> (then it is the new next line).
    /// </summary>
    private static List<string> WrapLine(string line, string? next)
    {
        var indent = line.Length - line.TrimStart().Length;
        var slashes = line[indent..].StartsWith("///") ? 3 : 2;
        var contentAt = indent + slashes;
        while (contentAt < line.Length && line[contentAt] == ' ')
            contentAt++;
        var prefix = line[..contentAt];
        if (prefix.Length == indent + slashes)
            prefix += " ";
        var cut = Cut(line, contentAt, slashes == 3);
        if (cut < 0)
            return new List<string> { line };
        var head = line[..cut].TrimEnd();
        var rest = line[cut..].Trim();
        if (next != null && Continues(rest, next, prefix, slashes == 3))
            return new List<string> { head, "\u0001" + prefix + rest + " " + next[prefix.Length..] };
        return new List<string> { head, prefix + rest };
    }

    /// <summary>The last space at or before the width, outside tags and inline code; -1 when there is none.</summary>
    private static int Cut(string line, int from, bool doc)
    {
        var best = -1;
        var inTag = false;
        var inCode = false;
        for (var i = from; i < line.Length && i <= Program.Width; i++)
        {
            var c = line[i];
            if (doc && c == '<')
            {
                if (string.CompareOrdinal(line, i, "<code>", 0, 6) == 0)
                    inCode = true;
                if (string.CompareOrdinal(line, i, "</code>", 0, 7) == 0)
                    inCode = false;
                inTag = true;
            }
            else if (doc && c == '>')
            {
                inTag = false;
            }
            else if (c == ' ' && !inTag && !inCode && i > from && line[i - 1] != ' ')
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// Whether <paramref name="next"/> is the same kind of comment, at the same indentation, going on with the
    /// sentence <paramref name="rest"/> ends: not a list item, a tag, a blank comment line or a new sentence.
    /// </summary>
    private static bool Continues(string rest, string next, string prefix, bool doc)
    {
        if (!next.StartsWith(prefix) || next.Length <= prefix.Length)
            return false;
        var content = next[prefix.Length..];
        if (content[0] == ' ' || (doc && content[0] == '<') || content.StartsWith("- ") || content.StartsWith("* "))
            return false;
        if (!doc && next.TrimStart().StartsWith("///"))
            return false;
        if (
            char.IsDigit(content[0])
            && content.TakeWhile(char.IsDigit).Count() is var n
            && n < content.Length
            && content[n] is '.' or ')'
        )
            return false;
        if (doc && rest.Contains('<'))
            return false;
        return char.IsLower(content[0])
            || !(
                rest.EndsWith('.')
                || rest.EndsWith(':')
                || rest.EndsWith(';')
                || rest.EndsWith('!')
                || rest.EndsWith('?')
            );
    }

    /// <summary>Which lines lie inside a multi-line &lt;code&gt; block of a doc comment (the help's example
    /// code).</summary>
    public static bool[] CodeLines(string[] lines)
    {
        var inCode = new bool[lines.Length];
        var open = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var t = lines[i].TrimStart();
            if (!t.StartsWith("///"))
            {
                open = false;
                continue;
            }
            var opens = t.LastIndexOf("<code", StringComparison.Ordinal);
            var closes = t.LastIndexOf("</code>", StringComparison.Ordinal);
            // A line that opens, holds or closes example code is part of it.
            inCode[i] = open || opens >= 0;
            open = opens > closes;
        }
        return inCode;
    }
}

public static class Parse
{
    public static readonly CSharpParseOptions Options = new(LanguageVersion.Preview, DocumentationMode.Parse);
}

/// <summary>
/// Splits a string literal that runs past the width into a concatenation of shorter literals, at spaces (else after
/// a '/'), with the same value: escapes and interpolation holes are never cut. Verbatim, raw and UTF-8 literals, and
/// literals whose place in the expression could change meaning with a '+' (a receiver, an operand of another
/// operator), are left alone. Each split is parsed back and compared with the original before it is written.
/// </summary>
public static class Strings
{
    public static string Split(string text, string file)
    {
        var tree = CSharpSyntaxTree.ParseText(text, Parse.Options, file);
        var source = tree.GetText();
        var changes = new List<(TextSpan Span, string Text)>();
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            if (changes.Any(c => c.Span.OverlapsWith(node.Span)))
                continue;
            if (node.IsKind(SyntaxKind.AddExpression) && !node.Parent.IsKind(SyntaxKind.AddExpression))
            {
                // A concatenation: each run of adjacent literals is split afresh as one text, so that pieces are
                // full lines rather than what earlier splits and edits left.
                foreach (var run in Runs(Operands((BinaryExpressionSyntax)node)))
                    Replace(source, run, changes);
            }
            else if (IsLiteral(node) && !node.Parent.IsKind(SyntaxKind.AddExpression) && SafeToConcatenate(node))
            {
                Replace(source, new List<ExpressionSyntax> { (ExpressionSyntax)node }, changes);
            }
        }
        if (changes.Count == 0)
            return text;
        return source.WithChanges(changes.Select(c => new TextChange(c.Span, c.Text))).ToString();
    }

    private static bool IsLiteral(SyntaxNode node) =>
        node is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } l
            ? l.Token.Text.StartsWith('"') && !l.Token.Text.StartsWith("\"\"\"")
            : node is InterpolatedStringExpressionSyntax i && i.StringStartToken.Text == "$\"";

    /// <summary>The operands of a + chain, left to right (a parenthesized operand is one operand).</summary>
    private static List<ExpressionSyntax> Operands(BinaryExpressionSyntax chain)
    {
        var operands = new List<ExpressionSyntax>();
        ExpressionSyntax e = chain;
        while (e is BinaryExpressionSyntax b && b.IsKind(SyntaxKind.AddExpression))
        {
            operands.Insert(0, b.Right);
            e = b.Left;
        }
        operands.Insert(0, e);
        return operands;
    }

    /// <summary>Adjacent literal operands with no comment between them.</summary>
    private static IEnumerable<List<ExpressionSyntax>> Runs(List<ExpressionSyntax> operands)
    {
        var run = new List<ExpressionSyntax>();
        foreach (var operand in operands)
        {
            var commented =
                run.Count > 0
                && operand
                    .GetLeadingTrivia()
                    .Concat(run[^1].GetTrailingTrivia())
                    .Concat(((BinaryExpressionSyntax)operand.Parent!).OperatorToken.LeadingTrivia)
                    .Concat(((BinaryExpressionSyntax)operand.Parent!).OperatorToken.TrailingTrivia)
                    .Any(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia));
            if (!IsLiteral(operand) || commented)
            {
                if (run.Count > 0)
                    yield return run;
                run = new List<ExpressionSyntax>();
            }
            if (IsLiteral(operand))
                run.Add(operand);
        }
        if (run.Count > 0)
            yield return run;
    }

    /// <summary>Splits the run of literals anew when one of them runs past the width.</summary>
    private static void Replace(SourceText source, List<ExpressionSyntax> run, List<(TextSpan, string)> changes)
    {
        var over = run.FirstOrDefault(e =>
        {
            var line = source.Lines.GetLineFromPosition(e.SpanStart);
            return line.End >= e.Span.End && line.Span.Length > Program.Width;
        });
        if (over == null)
            return;
        var line = source.Lines.GetLineFromPosition(run[0].SpanStart);
        var lineText = line.ToString();
        var column = run[0].SpanStart - line.Start;
        var before = lineText[..column].Trim();
        var indent = lineText.Length - lineText.TrimStart().Length;
        // A literal alone on its line (or after a "+") keeps its column in CSharpier's layout; anything else moves to
        // a line of its own, one or two indents deeper. The pieces after the first sit one indent deeper after a
        // "+ ", with maybe a "," after.
        var max = Math.Max(40, Program.Width - (before is "" or "+" ? column : indent + 8) - 7);
        var atoms = new List<Atom>();
        var interpolated = run.Any(e => e is InterpolatedStringExpressionSyntax);
        foreach (var e in run)
        {
            atoms.AddRange(
                e is InterpolatedStringExpressionSyntax i
                    ? Interpolated(i)
                    : Atoms(((LiteralExpressionSyntax)e).Token.Text[1..^1], interpolated: false)
                        .Select(a => interpolated && a.Text is "{" or "}" ? a with { Text = a.Text + a.Text } : a)
            );
        }
        if (atoms.Count == 0)
            return;
        var span = TextSpan.FromBounds(run[0].SpanStart, run[^1].Span.End);
        var split = Join(atoms, max);
        // The same pieces, whatever the line breaks between them: nothing to do (CSharpier decides the layout).
        if (split.SequenceEqual(run.Select(e => e.ToString())))
            return;
        // Long holes can leave a piece longer than the run had: then the run stays as written, for a hand.
        if (split.Max(p => p.Length) > run.Max(e => e.Span.Length))
            return;
        var replacement = string.Join(" + ", split);
        Verify(run, replacement);
        changes.Add((span, replacement));
    }

    /// <summary>Where a + between literals binds as the literal did: as an argument, a value, an operand of
    /// +.</summary>
    private static bool SafeToConcatenate(SyntaxNode node) =>
        node.Parent switch
        {
            ArgumentSyntax
            or EqualsValueClauseSyntax
            or ReturnStatementSyntax
            or ArrowExpressionClauseSyntax
            or AttributeArgumentSyntax
            or InitializerExpressionSyntax
            or YieldStatementSyntax
            or ThrowExpressionSyntax
            or SwitchExpressionArmSyntax
            or ExpressionElementSyntax => true,
            BinaryExpressionSyntax b => b.IsKind(SyntaxKind.AddExpression)
                || (b.IsKind(SyntaxKind.CoalesceExpression) && b.Right == node),
            AssignmentExpressionSyntax a => a.Right == node,
            ConditionalExpressionSyntax c => c.Condition != node,
            _ => false,
        };

    /// <summary>A literal's atoms: source text that must stay together (an escape, an interpolation hole).</summary>
    private sealed record Atom(string Text, bool Hole);

    private static List<Atom> Interpolated(InterpolatedStringExpressionSyntax s)
    {
        var atoms = new List<Atom>();
        foreach (var content in s.Contents)
        {
            if (content is InterpolationSyntax hole)
                atoms.Add(new Atom(hole.ToString(), Hole: true));
            else
                atoms.AddRange(Atoms(((InterpolatedStringTextSyntax)content).TextToken.Text, interpolated: true));
        }
        return atoms;
    }

    private static List<Atom> Atoms(string body, bool interpolated)
    {
        var atoms = new List<Atom>();
        for (var i = 0; i < body.Length; )
        {
            var n = 1;
            if (body[i] == '\\' && i + 1 < body.Length)
            {
                n = body[i + 1] switch
                {
                    'x' => 2 + body.Skip(i + 2).Take(4).TakeWhile(Uri.IsHexDigit).Count(),
                    'u' => 6,
                    'U' => 10,
                    _ => 2,
                };
            }
            else if (interpolated && (body[i] == '{' || body[i] == '}'))
            {
                n = 2;
            }
            else if (char.IsHighSurrogate(body[i]))
            {
                n = 2;
            }
            n = Math.Min(n, body.Length - i);
            atoms.Add(new Atom(body.Substring(i, n), Hole: false));
            i += n;
        }
        return atoms;
    }

    /// <summary>Pieces of at most <paramref name="max"/> characters where a break allows; each a literal.</summary>
    private static List<string> Join(List<Atom> atoms, int max)
    {
        var pieces = new List<List<Atom>>();
        var start = 0;
        while (start < atoms.Count)
        {
            var length = 3;
            var space = -1;
            var slash = -1;
            var hole = -1;
            var end = start;
            for (; end < atoms.Count; end++)
            {
                if (length + atoms[end].Text.Length > max && end > start)
                    break;
                length += atoms[end].Text.Length;
                if (atoms[end].Text == " " && end + 1 < atoms.Count && atoms[end + 1].Text != " ")
                    space = end + 1;
                else if (atoms[end].Text == "/" && end + 1 < atoms.Count && atoms[end + 1].Text != "/")
                    slash = end + 1;
                else if (atoms[end].Hole || (end + 1 < atoms.Count && atoms[end + 1].Hole))
                    hole = end + 1;
            }
            if (end >= atoms.Count)
            {
                pieces.Add(atoms.GetRange(start, atoms.Count - start));
                break;
            }
            // At a space, else after a '/' (a URL), else beside a hole; a word longer than the line (a key in a test)
            // is cut where the line ends. A piece of a few characters helps no one.
            var cut = new[] { space, slash, hole, end }.FirstOrDefault(c => Length(atoms, start, c) >= 10);
            if (cut <= 0)
            {
                pieces.Add(atoms.GetRange(start, atoms.Count - start));
                break;
            }
            pieces.Add(atoms.GetRange(start, cut - start));
            start = cut;
        }
        return pieces.Select(Literal).ToList();
    }

    private static int Length(List<Atom> atoms, int start, int end) =>
        end < start ? 0 : atoms.Skip(start).Take(end - start).Sum(a => a.Text.Length);

    private static string Literal(List<Atom> piece)
    {
        if (piece.Any(a => a.Hole))
            return "$\"" + string.Concat(piece.Select(a => a.Text)) + "\"";
        // Without holes a piece is a plain literal: "{{" is "{" there.
        return "\"" + string.Concat(piece.Select(a => a.Text is "{{" or "}}" ? a.Text[..1] : a.Text)) + "\"";
    }

    /// <summary>
    /// The pieces, read back by the compiler's parser, give the same text and the same holes in the same order:
    /// a bug here stops the run instead of changing a message.
    /// </summary>
    private static void Verify(List<ExpressionSyntax> original, string replacement)
    {
        var parsed = SyntaxFactory.ParseExpression(replacement, options: Parse.Options);
        if (parsed.ContainsDiagnostics)
            throw new InvalidOperationException($"split literal does not parse: {replacement}");
        var parts = new List<ExpressionSyntax>();
        for (var e = parsed; ; e = ((BinaryExpressionSyntax)e).Left)
        {
            if (e is BinaryExpressionSyntax b && b.IsKind(SyntaxKind.AddExpression))
            {
                parts.Insert(0, b.Right);
                continue;
            }
            parts.Insert(0, e);
            break;
        }
        if (Flatten(original) != Flatten(parts))
            throw new InvalidOperationException(
                $"split literal differs: {string.Join(" + ", original)} => {replacement}"
            );
    }

    private static string Flatten(IEnumerable<ExpressionSyntax> parts)
    {
        var sb = new StringBuilder();
        foreach (var part in parts)
        {
            if (part is LiteralExpressionSyntax l)
            {
                sb.Append(l.Token.ValueText);
                continue;
            }
            foreach (var c in ((InterpolatedStringExpressionSyntax)part).Contents)
            {
                if (c is InterpolationSyntax h)
                    sb.Append("\u0000{").Append(h.ToString()).Append("}\u0000");
                else
                    sb.Append(
                        ((InterpolatedStringTextSyntax)c).TextToken.ValueText.Replace("{{", "{").Replace("}}", "}")
                    );
            }
        }
        return sb.ToString();
    }
}
