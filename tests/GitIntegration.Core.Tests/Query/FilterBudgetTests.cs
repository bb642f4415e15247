using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using GitIntegration.Core.Query;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Query;

/// <summary>
/// Every evaluation has a budget of steps and time, and a RepositoryFilter is measured before it is stored. The issue's
/// 278-character filter of nested copies ran 123 s to 7.7 GB on 20 repositories.
/// </summary>
public sealed class FilterBudgetTests
{
    /// <summary>Each [@,@][] doubles the list that what follows works on: 20 repositories become 20 × 2^39.</summary>
    public static readonly string Hostile = string.Concat(Enumerable.Repeat("[@,@][]", 39)) + "[?id]";

    /// <summary>GitHub's documented example repository, <paramref name="count"/> times with their own names.</summary>
    public static JsonElement[] GitHubRepositories(int count)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "GitHub", "Fixtures", "github-examples.json");
        var examples = JsonNode.Parse(File.ReadAllText(path))!;
        var hello = examples["GET /installation/repositories"]!["200"]!["repositories"]![0]!;
        var all = new JsonArray();
        for (int n = 0; n < count; n++)
        {
            var r = hello.DeepClone();
            r["name"] = $"repo-{n}";
            r["archived"] = n % 5 == 0;
            all.Add(r);
        }
        return JsonDocument.Parse(all.ToJsonString()).RootElement.EnumerateArray().ToArray();
    }

    [Fact]
    public void The_issues_filter_is_stopped_by_the_budget_when_it_runs()
    {
        Hostile.Length.Should().Be(278);
        var repos = GitHubRepositories(20);
        var filter = JmesPath.Compile(Hostile);
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = FluentActions.Invoking(() => filter.SelectFrom(repos)).Should().Throw<JmesPathException>().Which;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        e.ErrorId.Should().Be(JmesPathErrorIds.TooExpensive);
        e.Kind.Should().Be(ErrorKind.LimitsExceeded);
        e.Expression.Should().Be(Hostile);
        e.Message.Should().Contain("is too expensive: it takes more than 5,000,000 steps").And.Contain("[@,@][]");
        allocated.Should().BeLessThan(400L << 20, "the budget bounds the memory too");
    }

    [Fact]
    public void The_issues_filter_is_refused_before_it_is_stored()
    {
        var e = FluentActions.Invoking(() => JmesPath.CompileFilter(Hostile)).Should().Throw<JmesPathException>().Which;
        e.ErrorId.Should().Be(JmesPathErrorIds.TooExpensive);
        e.Kind.Should().Be(ErrorKind.LimitsExceeded);
        e.Message.Should()
            .Contain(
                "on 200 repositories shaped like GitHub's it takes more than 100,000 steps, so on "
                    + "an organization of 10,000 repositories it would take more than the 5,000,000"
            );
    }

    [Theory]
    [InlineData("[?starts_with(name, 'billing-') && !archived]")]
    [InlineData("[?contains(topics, 'jira')]")]
    [InlineData("[?!archived && size < `1000000` && owner.login == 'octocat']")]
    [InlineData("sort_by([?!archived], &size) | reverse(@)")]
    [InlineData("[?license.spdx_id == 'MIT' && custom_properties.service == 'web'] | [?visibility == 'public']")]
    [InlineData("[?length(keys(@)) > `10`]")]
    [InlineData("[?contains(['billing', 'monorepo'], name)]")]
    [InlineData("max_by(@, &size) | [@]")]
    public void Filters_admins_write_are_stored_and_run_on_10000_repositories(string text)
    {
        var filter = JmesPath.CompileFilter(text)!;
        filter.SelectFrom(Large.Value).Should().NotBeNull();
    }

    private static readonly Lazy<JsonElement[]> Large = new(() => GitHubRepositories(10_000));

    [Fact]
    public void What_the_stored_check_accepts_runs_on_10000_repositories_and_what_it_refuses_does_not()
    {
        // Six copies of the list make 64 of each repository: within the share of steps; seven are not.
        JmesPath.CompileFilter(Copies(6))!.SelectFrom(Large.Value).Should().HaveCount(10_000);
        FluentActions
            .Invoking(() => JmesPath.CompileFilter(Copies(7)))
            .Should()
            .Throw<JmesPathException>()
            .Which.ErrorId.Should()
            .Be(JmesPathErrorIds.TooExpensive);
        FluentActions
            .Invoking(() => JmesPath.Compile(Copies(7)).SelectFrom(Large.Value))
            .Should()
            .Throw<JmesPathException>()
            .Which.ErrorId.Should()
            .Be(JmesPathErrorIds.TooExpensive);
    }

    private static string Copies(int n) => string.Concat(Enumerable.Repeat("[@,@][]", n));

    [Theory]
    [InlineData("to_string({0})", 3, "")]
    [InlineData("length(sort_by({0}, &name))", 8, "")]
    [InlineData("length(join(',', {0}))", 8, ".compare_url")]
    [InlineData("{0}", 4, "")]
    public void Text_sorting_and_results_count_against_the_budget(string outer, int copies, string field)
    {
        // Evaluate (not only a filter) has the budget. Copies of 1,000 GitHub repositories that the budget allows
        // cost more than it once written out as JSON text (45 MB) or as the result, sorted, or joined.
        var data = JsonSerializer.SerializeToNode(GitHubRepositories(1000))!;
        var inner = Copies(copies) + field;
        JmesPath.Compile($"length({inner})").Evaluate(data)!.GetValue<long>().Should().Be(1000L << copies);
        FluentActions
            .Invoking(() => JmesPath.Compile(string.Format(outer, inner)).Evaluate(data))
            .Should()
            .Throw<JmesPathException>()
            .Which.ErrorId.Should()
            .Be(JmesPathErrorIds.TooExpensive);
    }

    [Fact]
    public void A_bulk_row_with_the_issues_filter_fails_and_the_others_are_imported()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t["integrations.yaml"]);
        var tsv = $"origin\trepositoryFilter\ngit@h:o/a.git\t{Hostile}\ngit@h:o/b.git\t[?!archived]\n";
        var rows = BulkFiles.Read(tsv, BulkFormat.Tsv, "x.tsv", out _);
        var results = IntegrationImport.Run(store, rows, new ImportOptions());
        results.Select(r => r.Action).Should().Equal(ImportAction.Failed, ImportAction.Created);
        results[0].Exception!.ErrorId.Should().Be(JmesPathErrorIds.TooExpensive);
        store.Load().Integrations.Select(i => i.RepositoryFilter).Should().Equal("[?!archived]");
    }
}
