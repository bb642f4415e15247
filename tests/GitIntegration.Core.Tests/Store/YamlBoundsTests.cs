using System.Text;
using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>What a YAML bulk file or store may expand to: aliases and nesting are bounded before anything is built.
/// </summary>
public sealed class YamlBoundsTests
{
    /// <summary>The issue's file: one 1 MB scalar, aliased 3,000 times (1.2 MB on disk, 3 GB written out).</summary>
    public static string AliasBomb(int aliases = 3000, int valueLength = 1 << 20)
    {
        var sb = new StringBuilder();
        sb.Append("- origin: ssh://git@example.com/r0.git\n  name: &big \"").Append('x', valueLength).Append("\"\n");
        for (int n = 1; n <= aliases; n++)
            sb.Append($"- origin: ssh://git@example.com/r{n}.git\n  name: *big\n");
        return sb.ToString();
    }

    [Fact]
    public void An_alias_bomb_is_refused_while_parsing_with_an_error_that_names_the_file()
    {
        var text = AliasBomb();
        text.Length.Should().BeLessThan(1_300_000);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.ThrowsAny<GitIntegrationException>(() =>
            BulkFiles.Read(text, BulkFormat.Yaml, "/data/bomb.yaml", out _)
        );
        e.ErrorId.Should().Be(BulkErrorIds.ImportAliasesTooLarge);
        e.Kind.Should().Be(ErrorKind.LimitsExceeded);
        e.Target.Should().Be("/data/bomb.yaml");
        e.Message.Should()
            .Be(
                "'/data/bomb.yaml' cannot be imported: its YAML aliases (*name) repeat so much that, written out, it "
                    + "would be larger than 64 MiB, more than any bulk file needs (passed at line 128). Write the "
                    + "repeated values out, or alias fewer or smaller values. Nothing was imported."
            );
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "refused while parsing, not after building 3 GB");
    }

    [Fact]
    public void Aliases_that_repeat_little_are_read_as_written_out()
    {
        const string text = """
            - origin: git@github.com:acme/a.git
              hostUrl: &host https://github.acme.test
              properties: &team {team: platform, cost-center: "42"}
            - origin: git@github.com:acme/b.git
              hostUrl: *host
              properties: *team
            """;
        var rows = BulkFiles.Read(text, BulkFormat.Yaml, "aliases.yaml", out var unknown);
        unknown.Should().BeEmpty();
        rows.Should().HaveCount(2);
        rows.Should().OnlyContain(r => r.Error == null);
        rows[1].Fields[IntegrationRecord.HostUrl].Should().Be("https://github.acme.test");
        rows[1].Fields[IntegrationRecord.PropertyPrefix + "team"].Should().Be("platform");
        rows[1].Fields[IntegrationRecord.PropertyPrefix + "cost-center"].Should().Be("42");
    }

    [Fact]
    public void Aliases_up_to_the_bound_are_read_and_one_more_is_refused()
    {
        // A 1 MiB value counts 1 MiB + 1 (its node), and each alias of it as much: 64 MiB holds 63 of them (the
        // anchor and 62 aliases) with the rest of the file, not 64.
        BulkFiles.Read(AliasBomb(62, 1 << 20), BulkFormat.Yaml, "ok.yaml", out _).Should().HaveCount(63);
        var e = Assert.ThrowsAny<GitIntegrationException>(() =>
            BulkFiles.Read(AliasBomb(63, 1 << 20), BulkFormat.Yaml, "big.yaml", out _)
        );
        e.ErrorId.Should().Be(BulkErrorIds.ImportAliasesTooLarge);
    }

    [Theory]
    [InlineData("[\"lol\"]")]
    [InlineData("[]")] // nothing to laugh: a billion empty lists, no scalar at all
    public void Nested_aliases_are_counted_as_they_expand(string leaf)
    {
        // Billion laughs: each level repeats the one before ten times.
        var sb = new StringBuilder($"- origin: git@h:o/a.git\n  properties:\n    l0: &l0 {leaf}\n");
        for (int n = 1; n <= 9; n++)
            sb.Append($"    l{n}: &l{n} [{string.Join(", ", Enumerable.Repeat($"*l{n - 1}", 10))}]\n");
        var e = Assert.ThrowsAny<GitIntegrationException>(() =>
            BulkFiles.Read(sb.ToString(), BulkFormat.Yaml, "laughs.yaml", out _)
        );
        e.ErrorId.Should().Be(BulkErrorIds.ImportAliasesTooLarge);
    }

    [Fact]
    public void A_mapping_anchored_late_in_a_large_file_counts_only_its_own_size()
    {
        // 1 MiB of text before the anchor, then 100 aliases of a small mapping: about 1 MiB written out.
        var text =
            AliasBomb(0)
            + "- origin: git@h:o/b.git\n  properties: &team {team: platform}\n"
            + string.Concat(Enumerable.Range(0, 100).Select(n => $"- origin: git@h:o/c{n}.git\n  properties: *team\n"));

        BulkFiles.Read(text, BulkFormat.Yaml, "late.yaml", out _).Should().HaveCount(102);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        // YamlDotNet's node builder recurses per level: 100,000 levels killed the process.
        var text = "- origin: git@h:o/a.git\n  properties: " + new string('[', 100_000) + new string(']', 100_000);
        var e = Assert.ThrowsAny<GitIntegrationException>(() =>
            BulkFiles.Read(text, BulkFormat.Yaml, "deep.yaml", out _)
        );
        e.ErrorId.Should().Be(BulkErrorIds.ImportFileInvalid);
        e.Message.Should()
            .Be(
                "'deep.yaml' cannot be imported: line 2: it nests lists and mappings more than 64 levels deep; a bulk "
                    + "file is a list of integrations, each a mapping of columns. Nothing was imported."
            );
    }

    [Fact]
    public void The_store_never_follows_an_alias()
    {
        using var t = new TempDir();
        File.WriteAllText(
            t["integrations.yaml"],
            """
            schemaVersion: 1
            integrations:
            - id: 6f1c2f3e-8a4b-4c55-9a7e-0b5f5a0c1d11
              name: &n a
            - id: 7f1c2f3e-8a4b-4c55-9a7e-0b5f5a0c1d11
              name: *n
            """
        );
        var e = Assert.ThrowsAny<GitIntegrationException>(() => IntegrationStore.Open(t["integrations.yaml"]).Load());
        e.Message.Should().Contain("line 6");
    }
}
