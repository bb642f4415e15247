using System.Reflection;
using FluentAssertions;
using GitIntegration.Format;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace GitIntegration.Tests;

/// <summary>
/// tests/format.sh rewrites every file: a split literal must keep its value, help examples must stay verbatim, and
/// a second run must change nothing.
/// </summary>
public class FormatToolTests
{
    private static readonly string Words = string.Join(" ", Enumerable.Range(1, 40).Select(i => "word" + i));

    [Fact]
    public void A_long_literal_is_split_into_lines_with_the_same_value()
    {
        var source =
            "public static class C\n{\n    public static string M(int n, string s) =>\n"
            + "        $\"{{braces}} \\\"quoted\\\" \\u00e9 "
            + Words
            + " {n,5:D3} then {s.ToUpperInvariant()} "
            + Words
            + " end\\n\";\n    public static string R() => \""
            + Words
            + " \\x41b "
            + Words
            + "\";\n}\n";

        var split = Strings.Split(source, "C.cs");

        split.Should().NotBe(source);
        Run(split, "M", 7, "abc").Should().Be(Run(source, "M", 7, "abc"));
        Run(split, "R").Should().Be(Run(source, "R"));
        Strings.Split(split, "C.cs").Should().Be(split, "a second run changes nothing");
    }

    [Fact]
    public void Comments_wrap_at_120_but_help_example_code_stays_as_written()
    {
        var code =
            "<code>Get-GitIntegration | " + string.Join(" | ", Enumerable.Repeat("Select-Object Name", 8)) + "</code>";
        var source =
            "/// <summary>\n/// <para type=\"description\">"
            + Words
            + " "
            + Words
            + "</para>\n/// </summary>\n"
            + "/// <example>\n/// "
            + code
            + "\n/// </example>\npublic class C { } // "
            + Words
            + "\n";

        var wrapped = Comments.Wrap(source, "C.cs");

        var lines = wrapped.Split('\n');
        lines.Should().Contain("/// " + code);
        lines.Where(l => !l.Contains("<code>")).Should().OnlyContain(l => l.Length <= 120);
        Normalize(wrapped)
            .Should()
            .Be(Normalize(source.Replace("public class C { } // ", "// ") + "public class C { }"));
        Comments.Wrap(wrapped, "C.cs").Should().Be(wrapped, "a second run changes nothing");
    }

    /// <summary>The words of the text, in order: wrapping moves line breaks, never words.</summary>
    private static string Normalize(string text) =>
        string.Join(
            " ",
            text.Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Where(w => w is not ("//" or "///"))
        );

    private static object? Run(string source, string method, params object[] args)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "C" + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(source) },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
        );
        using var dll = new MemoryStream();
        var result = compilation.Emit(dll);
        result.Success.Should().BeTrue(string.Join("\n", result.Diagnostics));
        var type = Assembly.Load(dll.ToArray()).GetType("C")!;
        return type.GetMethod(method)!.Invoke(null, args);
    }
}
