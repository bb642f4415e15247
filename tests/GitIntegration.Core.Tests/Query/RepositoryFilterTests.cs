using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Query;
using GitIntegration.Core.Store;
using GitIntegration.Core.Tests.GitHub;
using Xunit;

namespace GitIntegration.Core.Tests.Query;

/// <summary>
/// Repository filters on GitHub's documented example repository (GET /installation/repositories) and through the
/// stand-in.
/// </summary>
public sealed class RepositoryFilterTests : IClassFixture<StandInFixture>
{
    private readonly GitHubStandIn _gh;

    public RepositoryFilterTests(StandInFixture f)
    {
        _gh = f.GitHub;
    }

    /// <summary>GitHub's example repository, then variants that differ in the fields admins filter on.</summary>
    private static JsonElement[] Repositories()
    {
        var examples = JsonNode.Parse(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "GitHub", "Fixtures", "github-examples.json"))
        )!;
        var hello = examples["GET /installation/repositories"]!["200"]!["repositories"]![0]!;
        JsonNode Variant(string name, bool isPrivate, int size, string[] topics, bool archived)
        {
            var r = hello.DeepClone();
            r["name"] = name;
            r["full_name"] = "octocat/" + name;
            r["private"] = isPrivate;
            r["size"] = size;
            r["topics"] = new JsonArray(topics.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray());
            r["archived"] = archived;
            return r;
        }
        var all = new JsonArray(
            hello.DeepClone(), // Hello-World, public, 108, octocat/atom/electron/api, not archived
            Variant("Hello-Jira", true, 250_000, new[] { "jira", "api" }, false),
            Variant("billing", true, 999, new[] { "jira" }, true),
            Variant("monorepo", false, 9_000_000, Array.Empty<string>(), false)
        );
        return JsonDocument.Parse(all.ToJsonString()).RootElement.EnumerateArray().ToArray();
    }

    private static string[] Names(string filter)
    {
        var repos = Repositories();
        return JmesPath
            .Compile(filter)
            .SelectFrom(repos)
            .Select(i => repos[i].GetProperty("name").GetString()!)
            .ToArray();
    }

    [Theory]
    [InlineData("[?starts_with(name, 'Hello')]", new[] { "Hello-World", "Hello-Jira" })]
    [InlineData("[?private == `false`]", new[] { "Hello-World", "monorepo" })]
    [InlineData("[?size < `1000`]", new[] { "Hello-World", "billing" })]
    [InlineData("[?contains(topics, 'jira')]", new[] { "Hello-Jira", "billing" })]
    [InlineData("[?!archived]", new[] { "Hello-World", "Hello-Jira", "monorepo" })]
    [InlineData("[?!archived && size < `1000000` && owner.login == 'octocat']", new[] { "Hello-World", "Hello-Jira" })]
    [InlineData(
        "[?license.spdx_id == 'MIT' && custom_properties.environment == 'production'] | [?visibility == 'public']",
        new[] { "Hello-World", "Hello-Jira", "billing", "monorepo" }
    )]
    [InlineData("sort_by([?!archived], &size) | reverse(@)", new[] { "monorepo", "Hello-Jira", "Hello-World" })]
    [InlineData("[?contains(['billing', 'monorepo'], name)]", new[] { "billing", "monorepo" })]
    public void TypicalAdminFilters(string filter, string[] kept) => Names(filter).Should().Equal(kept);

    [Theory]
    [InlineData("[].name")]
    [InlineData("[].{n: name}")]
    [InlineData("length(@)")]
    [InlineData("[0].name")]
    [InlineData("[?archived].owner")]
    public void AFilterMustReturnRepositories(string filter)
    {
        var e = FluentActions.Invoking(() => Names(filter)).Should().Throw<JmesPathException>().Which;
        e.ErrorId.Should().Be(JmesPathErrorIds.NotASelection);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Message.Should().Contain("must return repositories").And.Contain("[?starts_with(name");
    }

    [Fact]
    public void ASingleRepositoryOrAnIndexIsStillASelection() => Names("[-1:]").Should().Equal("monorepo");

    [Theory]
    [InlineData("[?name == 'x'", 13, "']' to close the filter")]
    [InlineData("[?name = 'x']", 7, "'=='")]
    [InlineData("[?starts_with(name)]", 2, "takes 2 arguments")]
    [InlineData("[?startswith(name, 'a')]", 2, "no function named startswith()")]
    [InlineData("[?name == `\"unterminated`]", 10, "valid JSON")]
    public void ParseErrorsSayWhereAndWhat(string filter, int position, string what)
    {
        var e = FluentActions.Invoking(() => JmesPath.Compile(filter)).Should().Throw<JmesPathException>().Which;
        e.ErrorId.Should().Be(JmesPathErrorIds.Invalid);
        e.Kind.Should().Be(ErrorKind.InvalidArgument);
        e.Message.Should().Contain($"position {position + 1}").And.Contain(what).And.Contain("jmespath.org");
    }

    [Fact]
    public void RuntimeTypeErrorsAreTyped()
    {
        var e = FluentActions
            .Invoking(() => Names("[?starts_with(size, 'a')]"))
            .Should()
            .Throw<JmesPathException>()
            .Which;
        (e.ErrorId, e.Kind, e.ErrorType).Should().Be((JmesPathErrorIds.Failed, ErrorKind.InvalidData, "invalid-type"));
        e.Message.Should()
            .Contain("starts_with() argument 1 must be a string")
            .And.Contain("[?starts_with(size, 'a')]");
    }

    [Theory]
    [InlineData("(", ")", "a")]
    [InlineData("!", "", "a")]
    [InlineData("[", "]", "a")]
    [InlineData("{a:", "}", "a")]
    [InlineData("", ".a", "a")]
    [InlineData("a[?", "]", "a")]
    [InlineData("sort(", ")", "a")]
    [InlineData("&(", ")", "a")]
    [InlineData("a || ", "", "a")]
    [InlineData("a | ", "", "a")]
    [InlineData("", "[0]", "a")]
    [InlineData("", "[]", "a")]
    public void DeepNestingIsATypedErrorNotAStackOverflow(string open, string close, string middle)
    {
        var deep =
            string.Concat(Enumerable.Repeat(open, 100_000)) + middle + string.Concat(Enumerable.Repeat(close, 100_000));
        var e = FluentActions.Invoking(() => JmesPath.Compile(deep)).Should().Throw<JmesPathException>().Which;
        e.ErrorType.Should().Be("syntax");
        var fine = string.Concat(Enumerable.Repeat(open, 50)) + middle + string.Concat(Enumerable.Repeat(close, 50));
        var compiled = JmesPath.Compile(fine);
        // Nesting within the limit compiles; evaluating may be refused (an &expr is not a value), but only with a typed
        // error.
        try
        {
            compiled.Evaluate(JsonNode.Parse("{\"a\":[1]}"));
        }
        catch (JmesPathException x)
        {
            x.ErrorId.Should().Be(JmesPathErrorIds.Failed);
        }
    }

    [Fact]
    public async Task TheStandInsRepositoriesAreFilteredOnGitHubsJson()
    {
        var app = _gh.AddApp(installed: true, repositories: 130);
        using var http = new GitHubHttp(
            _gh.Host,
            new GitHubHttpOptions
            {
                Timeout = TimeSpan.FromSeconds(5),
                RetryDelay = TimeSpan.FromMilliseconds(20),
                MaxRetries = 2,
            }
        );
        var client = new GitHubAppClient(http, GitHubAppCredentials.FromPem(app.Id, null, app.Pem));
        var all = await client.GetRepositoriesAsync(app.InstallationId!.Value, default);
        all.Should().HaveCount(130, "two pages");
        // The stand-in makes repositories whose name ends in 2 private; full_name and the example's other fields come
        // along.
        var kept = GitHubAppIntegration.Filter(
            all,
            JmesPath.Compile("[?private && starts_with(full_name, 'acme/repo-1') && contains(topics, 'octocat')]")
        );
        kept.Select(r => r.Name).Should().Equal(app.Repositories.Where(n => n.EndsWith('2') && n.StartsWith("repo-1")));
        kept.Should().OnlyContain(r => r.Private);
        FluentActions
            .Invoking(() => GitHubAppIntegration.Filter(all, JmesPath.Compile("[].name")))
            .Should()
            .Throw<JmesPathException>()
            .Which.ErrorId.Should()
            .Be(JmesPathErrorIds.NotASelection);
    }

    [Fact]
    public void ImportRefusesAnInvalidFilterOnItsRowOnly()
    {
        using var dir = new TempDir();
        var store = IntegrationStore.Open(dir["integrations.yaml"]);
        var tsv =
            "name\torigin\trepositoryFilter\r\n"
            + "good\tgit@github.com:acme/good.git\t[?size < `1000`]\r\n"
            + "bad\tgit@github.com:acme/bad.git\t[?size < ]\r\n";
        var results = IntegrationImport.Run(
            store,
            BulkFiles.Read(tsv, BulkFormat.Tsv, "test.tsv", out _),
            new ImportOptions()
        );
        results.Select(r => r.Action).Should().Equal(ImportAction.Created, ImportAction.Failed);
        results[1].Exception!.ErrorId.Should().Be(JmesPathErrorIds.Invalid);
        results[1].Error.Should().Contain("Row").And.Contain("position");
        store
            .Load()
            .Integrations.Should()
            .ContainSingle(i => i.Name == "good" && i.RepositoryFilter == "[?size < `1000`]");
    }
}
