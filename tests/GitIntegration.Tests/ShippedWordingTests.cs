using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using FluentAssertions;
using Xunit;

namespace GitIntegration.Tests;

/// <summary>
/// What the admin reads (offline help, the about topic, every message and remedy the assemblies can show) speaks of
/// keys, hosts and commands, never of the project's own working words.
/// </summary>
public sealed class ShippedWordingTests
{
    /// <summary>Seeds, stories, issue numbers: words of how the module was made, not of what it does.</summary>
    public static readonly Regex Jargon = new(
        @"\bseeds?\b|\bseed's\b|\bstor(y|ies)\b|\bissue\s*#?\s*\d+|(?<![\w#])#\d+\b|\bthe brief\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant
    );

    [Theory]
    [InlineData("en-US/GitIntegration.dll-Help.xml")]
    [InlineData("en-US/about_GitIntegration.help.txt")]
    public void ShippedHelpHasNoProjectJargon(string file)
    {
        var text = File.ReadAllText(Path.Combine(BuiltModule.Path, file));
        Jargon.Matches(text).Select(m => Around(text, m)).Should().BeEmpty($"{file} is read by admins");
    }

    [Theory]
    [InlineData("GitIntegration.dll")]
    [InlineData("Dependencies/GitIntegration.Core.dll")]
    public void MessagesHaveNoProjectJargon(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(Path.Combine(BuiltModule.Path, assembly)));
        var reader = pe.GetMetadataReader();
        var strings = new List<string>();
        for (var h = MetadataTokens.UserStringHandle(1); !h.IsNil; h = reader.GetNextHandle(h))
            strings.Add(reader.GetUserString(h));
        strings.Should().Contain(s => s.Contains("New-GitSshKey"), "the messages are read from the assembly");
        strings.Where(s => Jargon.IsMatch(s)).Should().BeEmpty($"{assembly}'s messages are read by admins");
    }

    [Theory]
    [InlineData("The last step of the seeds' story", true)]
    [InlineData("the \"Updating a private SSH key\" story", true)]
    [InlineData("fixed in issue #14", true)]
    [InlineData("see #12", true)]
    [InlineData("PKCS#8 keys and C# code; the store's YAML", false)]
    public void TheJargonCheckCatchesWhatItShould(string text, bool jargon) => Jargon.IsMatch(text).Should().Be(jargon);

    private static string Around(string text, Match m) =>
        text.Substring(Math.Max(0, m.Index - 40), Math.Min(text.Length - Math.Max(0, m.Index - 40), m.Length + 80));
}
