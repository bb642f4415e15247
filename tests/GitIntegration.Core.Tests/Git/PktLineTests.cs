using System.Text;
using FluentAssertions;
using GitIntegration.Core.Git;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// The one pkt-line reader that SSH (synchronously) and smart HTTP (asynchronously) read ref advertisements with,
/// against what real git writes.
/// </summary>
public sealed class PktLineTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string?> ReadAll(byte[] bytes, bool async, int budget = 1 << 20)
    {
        var reader = new PktLineReader(new MemoryStream(bytes), budget);
        var lines = new List<string?>();
        string? line;
        do
        {
            line = async ? reader.NextAsync(default).GetAwaiter().GetResult() : reader.Next();
            lines.Add(line);
        } while (line != null);
        return lines;
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsTheRefsGitUploadPackAdvertises(bool async)
    {
        var repo = _dir["repo"];
        Tool.Ok("git", "init", "-q", "-b", "trunk", repo);
        Tool.Ok(
            "git",
            "-C",
            repo,
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "first"
        );
        Tool.Ok("git", "-C", repo, "branch", "feature/ü");
        Tool.Ok("git", "-C", repo, "tag", "v1");
        var advertised = _dir["advertised"];
        Tool.Ok("bash", "-c", $"git upload-pack --advertise-refs '{repo}' > '{advertised}'");

        var lines = ReadAll(File.ReadAllBytes(advertised), async);

        lines[^1].Should().BeNull("the advertisement ends with a flush packet");
        var refs = lines.Take(lines.Count - 1).Select(l => l!.Split('\0')[0]).ToList();
        lines[0].Should().Contain("\0").And.Contain("symref=HEAD:refs/heads/trunk", "capabilities follow a NUL");
        refs.Should().NotContain(l => l.EndsWith('\n'), "the line feed is framing, not data");
        var shown = Tool.Ok("git", "-C", repo, "show-ref", "--head").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        refs.Should().BeEquivalentTo(shown, "the same refs as git show-ref, the UTF-8 branch name included");
    }

    [Theory]
    [InlineData("zzzz", false)]
    [InlineData("zzzz", true)]
    [InlineData("0003", false)]
    [InlineData("0003", true)]
    [InlineData("fff1", false)]
    [InlineData("fff1", true)]
    [InlineData("-001", false)]
    public void AHeadThatIsNoPacketLengthIsMalformed(string head, bool async)
    {
        var act = () => ReadAll(Ascii("0008abc\n" + head + new string('x', 70000)), async);
        act.Should().Throw<InvalidDataException>().WithMessage($"a malformed packet (length '{head}')");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MoreThanTheBudgetIsRefused(bool async)
    {
        var packet = "fff0" + new string('r', 0xfff0 - 4);
        var bytes = Ascii(string.Concat(Enumerable.Repeat(packet, 20)) + "0000");
        ReadAll(bytes, async, budget: 20 * 0xfff0).Should().HaveCount(21, "exactly the budget is read");
        var act = () => ReadAll(bytes, async, budget: 1 << 20);
        act.Should()
            .Throw<InvalidDataException>()
            .WithMessage("a list of refs larger than 1 MiB, more than this check reads");
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("", true)]
    [InlineData("0008abc\n00", false)]
    [InlineData("0008abc\n00", true)]
    [InlineData("0009abc", false)]
    [InlineData("0009abc", true)]
    public void AStreamThatEndsBeforeAFlushIsCutShort(string text, bool async)
    {
        var act = () => ReadAll(Ascii(text), async);
        act.Should().Throw<EndOfStreamException>();
    }
}
