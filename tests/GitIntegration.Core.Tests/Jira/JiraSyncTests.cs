using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using GitIntegration.Core.Jira;
using GitIntegration.Core.Store;
using GitIntegration.JiraStandIn;
using Xunit;

namespace GitIntegration.Core.Tests.Jira;

/// <summary>
/// The Jira client and publish/pull against the stand-in Jira (documented API, https with its own certificate).
/// </summary>
public sealed class JiraSyncTests : IAsyncLifetime
{
    private StandInJira _jira = null!;
    private readonly TempDir _dir = new();

    public async Task InitializeAsync() => _jira = await StandInJira.StartAsync();

    public async Task DisposeAsync()
    {
        await _jira.DisposeAsync();
        _dir.Dispose();
    }

    private JiraClient Client(
        string? user = "admin",
        string? password = "admin-secret",
        string? token = null,
        bool skipCheck = true,
        int timeoutSeconds = 30
    ) =>
        new(
            new JiraOptions(JiraClient.ParseUrl(_jira.Url.ToString(), false))
            {
                UserName = user,
                Password = password,
                Token = token,
                SkipCertificateCheck = skipCheck,
                Timeout = TimeSpan.FromSeconds(timeoutSeconds),
            }
        );

    private static Integration Verified(string name, string url, IntegrationType type = IntegrationType.Ssh) =>
        new()
        {
            Name = name,
            Url = url,
            Type = type,
            Status = IntegrationStatus.Connected,
            LastVerified = DateTimeOffset.UtcNow,
            PrivateKeyPath = "/home/admin/.ssh/jira_rsa",
        };

    private IntegrationStore Store(params Integration[] integrations)
    {
        var store = IntegrationStore.Open(_dir[$"s{Guid.NewGuid():N}/integrations.yaml"]);
        store.Update(d =>
        {
            d.Integrations.AddRange(integrations);
            return 0;
        });
        return store;
    }

    private async Task<List<JiraSyncResult>> Publish(
        IntegrationStore store,
        JiraPlanOptions? options = null,
        Func<Integration, string?>? token = null,
        JiraClient? client = null
    )
    {
        using var c = client ?? Client();
        var doc = store.Load();
        var plan = JiraSync.Plan(doc.Integrations, doc, await c.ListAsync(default), options ?? new JiraPlanOptions());
        var results = new List<JiraSyncResult>();
        foreach (var change in plan)
            results.Add(await JiraSync.ApplyAsync(c, change, token ?? (_ => null), default));
        return results;
    }

    [Fact]
    public async Task Lists_the_documented_example_repository()
    {
        _jira.Seed("https://github.com/TestOrg/test-repo.git", "test-repo");
        using var c = Client(user: "dev", password: "dev-secret"); // any Jira user may list
        var list = await c.ListAsync(default);
        list.Should().ContainSingle();
        list[0]
            .Should()
            .BeEquivalentTo(
                new JiraRepository
                {
                    Id = 1,
                    DisplayName = "test-repo",
                    Origin = "https://github.com/TestOrg/test-repo.git",
                    MainBranch = "master",
                    RealRoot = "1_test-repo",
                    AbsoluteRoot = false,
                }
            );
        var shown = JiraSync.ToIntegration(list[0]);
        (shown.Name, shown.Type, shown.Url, shown.SslVerify, shown.Status)
            .Should()
            .Be(
                (
                    "test-repo",
                    IntegrationType.Https,
                    "https://github.com/TestOrg/test-repo.git",
                    true,
                    IntegrationStatus.Connected
                )
            );
        shown.Properties.Should().BeEmpty("master is the app's documented default branch");
    }

    [Fact]
    public async Task Publishing_creates_what_Jira_lacks_and_a_second_run_changes_nothing()
    {
        var store = Store(
            Verified("billing", "ssh://git@git.example.com/billing.git"),
            Verified("docs", "https://git.example.com/docs.git", IntegrationType.Https)
        );
        var first = await Publish(store, token: i => i.Type == IntegrationType.Https ? "docs-token-123" : null);
        first
            .Select(r => (r.Name, r.Action))
            .Should()
            .BeEquivalentTo(new[] { ("billing", JiraSyncAction.Created), ("docs", JiraSyncAction.Created) });
        first.Should().OnlyContain(r => r.JiraId != null);
        _jira
            .Repositories.Select(r => r["origin"]!.GetValue<string>())
            .Should()
            .BeEquivalentTo("ssh://git@git.example.com/billing.git", "https://git.example.com/docs.git");

        var posts = _jira.Requests.Where(r => r.StartsWith("POST", StringComparison.Ordinal)).ToList();
        posts
            .Should()
            .ContainSingle(r => r.Contains("\"pat\":\"docs-token-123\""), "the token goes in the documented pat field");
        _jira
            .Requests.Should()
            .NotContain(r => r.Contains("PRIVATE KEY") || r.Contains("jira_rsa"), "no SSH key field is documented");
        _jira.Repositories.Should().NotContain(r => r.ContainsKey("pat"), "Jira never lists a token back");

        var again = await Publish(store);
        again.Should().OnlyContain(r => r.Action == JiraSyncAction.Unchanged);
        _jira
            .Requests.Count(r => !r.StartsWith("GET", StringComparison.Ordinal))
            .Should()
            .Be(2, "the second run wrote nothing");
    }

    [Fact]
    public async Task Publishing_updates_what_differs_and_keeps_the_clone_where_it_is()
    {
        var id = _jira.Seed("ssh://git@git.example.com/billing.git", "old name", disabled: true);
        var store = Store(Verified("billing", "ssh://git@git.example.com/billing.git"));
        var results = await Publish(store);
        results
            .Should()
            .ContainSingle()
            .Which.Should()
            .BeEquivalentTo(new { Action = JiraSyncAction.Updated, JiraId = id }, o => o.ExcludingMissingMembers());
        results[0].Reason.Should().Contain("displayName").And.Contain("disabled");
        var repo = _jira.Repositories.Single();
        (
            repo["displayName"]!.GetValue<string>(),
            repo["disabled"]!.GetValue<bool>(),
            repo["realRoot"]!.GetValue<string>()
        )
            .Should()
            .Be(("billing", false, $"{id}_old name"));
        _jira
            .Requests.Should()
            .Contain(r =>
                r.StartsWith("PUT", StringComparison.Ordinal) && r.Contains("\"realRoot\":\"" + id + "_old name\"")
            );
    }

    [Fact]
    public async Task Removes_only_with_RemoveMissing_and_only_what_the_store_lacks()
    {
        _jira.Seed("https://git.example.com/kept.git", "kept");
        var gone = _jira.Seed("https://git.example.com/gone.git", "gone");
        var store = Store(Verified("kept", "https://git.example.com/kept.git", IntegrationType.Https));

        (await Publish(store)).Should().OnlyContain(r => r.Action == JiraSyncAction.Unchanged);
        _jira.Repositories.Should().HaveCount(2);

        var results = await Publish(store, new JiraPlanOptions { RemoveMissing = true });
        results.Should().ContainSingle(r => r.Action == JiraSyncAction.Removed).Which.JiraId.Should().Be(gone);
        _jira.Repositories.Select(r => r["displayName"]!.GetValue<string>()).Should().Equal("kept");
        _jira
            .Requests.Should()
            .Contain($"DELETE {StandInJira.Api}?id={gone} ")
            .And.NotContain(r => r.Contains("deleteFiles"));
    }

    [Fact]
    public async Task Unverified_and_GitHub_App_integrations_are_skipped_with_the_reason()
    {
        var never = new Integration
        {
            Name = "never",
            Url = "https://git.example.com/never.git",
            Type = IntegrationType.Https,
        };
        var app = Verified("acme-app", "https://github.com/acme", IntegrationType.GitHubApp);
        var store = Store(never, app);
        var results = await Publish(store);
        results.Should().OnlyContain(r => r.Action == JiraSyncAction.Skipped);
        results.Single(r => r.Name == "never").Exception!.ErrorId.Should().Be(JiraErrorIds.NotVerified);
        results.Single(r => r.Name == "never").Reason.Should().Contain("Test-GitIntegration -Name 'never'");
        results.Single(r => r.Name == "acme-app").Exception!.ErrorId.Should().Be(JiraErrorIds.NotPublishable);
        _jira.Repositories.Should().BeEmpty();

        (await Publish(store, new JiraPlanOptions { IncludeUnverified = true }))
            .Single(r => r.Name == "never")
            .Action.Should()
            .Be(JiraSyncAction.Created);
    }

    [Fact]
    public async Task A_rejected_field_fails_that_repository_with_Jiras_message()
    {
        _jira.Behaviour = new StandInBehaviour { RejectField = "disableSslVerification" };
        var results = await Publish(Store(Verified("billing", "ssh://git@git.example.com/billing.git")));
        var r = results.Should().ContainSingle().Subject;
        r.Action.Should().Be(JiraSyncAction.Failed);
        r.Exception!.ErrorId.Should().Be(JiraErrorIds.Rejected);
        r.Reason.Should()
            .Contain("'billing'")
            .And.Contain("\"The value of disableSslVerification is not valid for this repository\"")
            .And.Contain("Correct disableSslVerification and try again.");
    }

    [Fact]
    public async Task Credentials_and_the_app_are_checked_with_errors_that_say_what_to_do()
    {
        var store = Store(Verified("billing", "ssh://git@git.example.com/billing.git"));
        var e = await Assert.ThrowsAsync<GitIntegrationException>(() =>
            Publish(store, client: Client(user: "dev", password: "dev-secret"))
        );
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.NotJiraAdmin, ErrorKind.PermissionDenied));
        e.Message.Should().Contain("'dev' is not a Jira administrator");

        e = await Assert.ThrowsAsync<GitIntegrationException>(() => Client(password: "wrong").ListAsync(default));
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.Unauthorized, ErrorKind.AuthenticationError));
        e.Message.Should().NotContain("wrong");

        (await Publish(store, client: Client(user: null, password: null, token: StandInJira.AdminToken)))
            .Single()
            .Action.Should()
            .Be(JiraSyncAction.Created, "an administrator's personal access token is enough");

        _jira.Behaviour = new StandInBehaviour { AppMissing = true };
        e = await Assert.ThrowsAsync<GitIntegrationException>(() => Client().ListAsync(default));
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.AppNotFound, ErrorKind.NotInstalled));
        e.Message.Should().Contain("not installed").And.Contain("Manage apps");
    }

    [Fact]
    public async Task An_untrusted_certificate_stops_unless_the_check_is_skipped()
    {
        var e = await Assert.ThrowsAsync<GitIntegrationException>(() => Client(skipCheck: false).ListAsync(default));
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.CertificateInvalid, ErrorKind.SecurityError));
        e.Message.Should().Contain("-SkipCertificateCheck");
        (await Client().ListAsync(default)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("https://acme.atlassian.net", JiraErrorIds.CloudNotSupported, "Export-GitIntegration -Format Tsv")]
    [InlineData("http://jira.example.com", JiraErrorIds.UnencryptedRefused, "-AllowUnencryptedAuthentication")]
    [InlineData("jira.example.com", JiraErrorIds.UrlInvalid, "https://jira.example.com")]
    public void Refuses_addresses_it_must_not_send_a_credential_to(string url, string id, string advice)
    {
        var e = Assert.Throws<GitIntegrationException>(() => JiraClient.ParseUrl(url, false));
        e.ErrorId.Should().Be(id);
        e.Message.Should().Contain(advice);
        JiraClient
            .ParseUrl("https://jira.example.com/jira", false)
            .ToString()
            .Should()
            .Be("https://jira.example.com/jira/");
        JiraClient.ParseUrl("http://jira.example.com", true).Scheme.Should().Be("http");
    }

    [Fact]
    public async Task A_Jira_that_does_not_answer_in_time_is_a_timeout_error()
    {
        _jira.Behaviour = new StandInBehaviour { StallSeconds = 120 };
        var e = await Assert.ThrowsAsync<GitIntegrationException>(() => Client(timeoutSeconds: 1).ListAsync(default));
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.Timeout, ErrorKind.OperationTimeout));
        e.Message.Should().Contain("-TimeoutSeconds");
    }

    [Fact]
    public async Task An_answer_over_the_bound_is_refused()
    {
        for (int n = 0; n < 50; n++)
            _jira.Seed($"https://git.example.com/r{n}.git", new string('x', 200));
        using var c = new JiraClient(
            new JiraOptions(_jira.Url)
            {
                UserName = "admin",
                Password = "admin-secret",
                SkipCertificateCheck = true,
                MaxResponseBytes = 4096,
            }
        );
        var e = await Assert.ThrowsAsync<GitIntegrationException>(() => c.ListAsync(default));
        (e.ErrorId, e.Kind).Should().Be((JiraErrorIds.ResponseTooLarge, ErrorKind.LimitsExceeded));
    }

    [Fact]
    public async Task Pulling_into_an_empty_store_gives_what_was_published_and_pulling_again_changes_nothing()
    {
        var source = Store(
            Verified("billing", "ssh://git@git.example.com/billing.git"),
            Verified("docs", "https://git.example.com/docs.git", IntegrationType.Https)
        );
        source.Update(d =>
        {
            d.Integrations[1].SslVerify = false;
            d.Integrations[1].Properties["mainBranch"] = "main";
            return 0;
        });
        await Publish(source);

        using var c = Client();
        var empty = Store();
        var pulled = IntegrationImport.Run(empty, JiraSync.ToRows(await c.ListAsync(default)), new ImportOptions());
        pulled.Should().OnlyContain(r => r.Action == ImportAction.Created);
        static object Shape(Integration i) =>
            new
            {
                i.Name,
                i.Type,
                i.Url,
                i.SslVerify,
                i.Status,
                Properties = i.Properties.ToList(),
            };
        empty.Load().Integrations.Select(Shape).Should().BeEquivalentTo(source.Load().Integrations.Select(Shape));

        IntegrationImport
            .Run(empty, JiraSync.ToRows(await c.ListAsync(default)), new ImportOptions())
            .Should()
            .OnlyContain(r => r.Action == ImportAction.Unchanged);
        IntegrationImport
            .Run(source, JiraSync.ToRows(await c.ListAsync(default)), new ImportOptions())
            .Should()
            .OnlyContain(
                r => r.Action == ImportAction.Unchanged,
                "the integrations the store has keep their ids, keys and checks"
            );
    }
}
