using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// Bulk Export/Import of GitHub App integrations (secrets only with -IncludeSecrets), the seed's "re-issued PEM only
/// via bulk import" story, and the clean-up of the PEM and webhook secret files the store owns.
/// </summary>
public sealed class GitHubAppTransferTests : IClassFixture<StandInFixture>, IDisposable
{
    private readonly GitHubStandIn _gh;
    private readonly GitHubHttp _http;
    private readonly TempDir _dir = new();

    public GitHubAppTransferTests(StandInFixture f)
    {
        _gh = f.GitHub;
        _gh.Faults.Clear();
        _http = f.Client(TimeSpan.FromSeconds(5));
    }

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    private async Task<(IntegrationStore Store, Integration App, GitHubStandIn.App OnGitHub)> ActiveApp(string folder)
    {
        var store = IntegrationStore.Open(_dir[folder]);
        var app = _gh.AddApp(installed: true);
        var i = GitHubAppIntegration.Add(store, _gh.Host, "acme", "acme-gha", _gh.Registration(app));
        var found = await new GitHubAppClient(
            _http,
            GitHubAppCredentials.FromPem(app.Id, null, app.Pem)
        ).FindOrganizationInstallationAsync("acme", default);
        GitHubAppIntegration.RecordInstallation(store, i.Id, found!);
        i = GitHubAppIntegration.Change(
            store,
            i.Id,
            x => x.RepositoryFilter = "[?!archived && starts_with(name, 'repo-')]"
        );
        return (store, i, app);
    }

    private static string Export(IntegrationStore s, BulkFormat f, bool secrets)
    {
        var w = new StringWriter();
        BulkFiles.Write(
            w,
            s.Load()
                .Integrations.Select(i =>
                    IntegrationRecord.From(i, secrets ? s.ReadSecret : null, secrets ? File.ReadAllText : null)
                )
                .ToList(),
            f
        );
        return w.ToString();
    }

    private static IList<ImportResult> Import(IntegrationStore s, string text, BulkFormat f, bool update = false) =>
        IntegrationImport.Run(s, BulkFiles.Read(text, f, "test", out _), new ImportOptions { Update = update });

    private Task<GitConnectionResult> Check(Integration i) =>
        GitHubAppCheck.VerifyAsync(_http, i, TimeSpan.FromSeconds(20), default);

    [Fact]
    public async Task Export_without_secrets_carries_the_app_but_neither_its_key_nor_its_webhook_secret()
    {
        var (store, i, app) = await ActiveApp("plain");
        foreach (var f in Enum.GetValues<BulkFormat>())
        {
            var text = Export(store, f, secrets: false);
            text.Should()
                .NotContain("PRIVATE KEY", f.ToString())
                .And.NotContain(app.WebhookSecret!)
                .And.NotContain("webhookSecret");
            text.Should()
                .Contain(app.Id.ToString())
                .And.Contain(app.ClientId)
                .And.Contain(app.Slug)
                .And.Contain(app.InstallationId.ToString())
                .And.Contain("acme")
                .And.Contain(i.HostUrl!)
                .And.Contain("Active")
                .And.Contain("GitHubEnterpriseApp")
                .And.Contain("starts_with(name,");
        }
        // a webhook secret held in a vault travels by name, like the other references
        GitHubAppIntegration.Change(
            store,
            i.Id,
            x => x.WebhookSecretRef = SecretRef.InVault("CorpVault", "gha-webhook")
        );
        Export(store, BulkFormat.Json, secrets: false)
            .Should()
            .Contain("\"webhookSecretVault\": \"CorpVault\"")
            .And.Contain("\"webhookSecretName\": \"gha-webhook\"");
    }

    [Theory]
    [InlineData(BulkFormat.Tsv)]
    [InlineData(BulkFormat.Csv)]
    [InlineData(BulkFormat.Yaml)]
    [InlineData(BulkFormat.Json)]
    public async Task Export_with_secrets_then_import_into_an_empty_store_gives_an_equal_working_app(BulkFormat format)
    {
        var (src, a, app) = await ActiveApp("src-" + format);
        var text = Export(src, format, secrets: true);
        text.Should().Contain(app.WebhookSecret!);
        if (format == BulkFormat.Tsv)
            text.Should()
                .Contain(
                    "\t\"-----BEGIN RSA PRIVATE KEY-----\n",
                    "the PEM is quoted and multi-line, as the seed's TSV asks"
                );
        var pem = File.ReadAllText(a.PrivateKeyPath!);
        Directory.Delete(_dir["src-" + format], true); // as on another machine

        var dst = IntegrationStore.Open(_dir["dst-" + format]);
        var results = Import(dst, text, format);
        results.Should().ContainSingle().Which.Action.Should().Be(ImportAction.Created, results[0].Error);
        var b = dst.Load().Integrations.Single();
        (
            b.Id,
            b.Name,
            b.Type,
            b.Url,
            b.HostUrl,
            b.Organization,
            b.RepositoryFilter,
            b.Status,
            b.LastVerified,
            b.CreatedAt,
            b.UpdatedAt
        )
            .Should()
            .Be(
                (
                    a.Id,
                    a.Name,
                    a.Type,
                    a.Url,
                    a.HostUrl,
                    a.Organization,
                    a.RepositoryFilter,
                    a.Status,
                    a.LastVerified,
                    a.CreatedAt,
                    a.UpdatedAt
                )
            );
        b.Properties.Should().Equal(a.Properties);
        File.ReadAllText(b.PrivateKeyPath!).Should().Be(pem);
        dst.OwnsKey(b.PrivateKeyPath).Should().BeTrue();
        b.WebhookSecretRef!.IsFile.Should().BeTrue();
        dst.ReadSecret(b.WebhookSecretRef).Should().Be(app.WebhookSecret);
        if (!OperatingSystem.IsWindows())
            foreach (var file in Directory.GetFiles(dst.KeysDirectory).Concat(Directory.GetFiles(dst.SecretsDirectory)))
                File.GetUnixFileMode(file).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(dst.Path).Should().NotContain("PRIVATE KEY").And.NotContain(app.WebhookSecret!);

        (await Check(b)).Success.Should().BeTrue("the imported key works with GitHub");
    }

    [Fact]
    public async Task A_corrupted_pem_is_a_row_error_and_the_other_rows_import()
    {
        var (src, _, _) = await ActiveApp("corrupt-src");
        var good = Export(src, BulkFormat.Tsv, secrets: true);
        var lines = good.Split('\n').ToList();
        var body = lines.FindIndex(l => l.Contains("BEGIN RSA PRIVATE KEY")) + 3;
        lines[body] = "@@@@" + lines[body][4..];
        var dst = IntegrationStore.Open(_dir["corrupt-dst"]);
        var r = Import(dst, string.Join('\n', lines), BulkFormat.Tsv).Single();
        r.Action.Should().Be(ImportAction.Failed);
        r.Exception!.ErrorId.Should().Be(BulkErrorIds.ImportKeyRejected);
        r.Error.Should().StartWith("Row 1:").And.NotContain("MII");
        dst.Load().Integrations.Should().BeEmpty();
        Directory.Exists(dst.KeysDirectory).Should().BeFalse("a rejected key is never written");
        (Directory.Exists(dst.SecretsDirectory) ? Directory.GetFiles(dst.SecretsDirectory) : Array.Empty<string>())
            .Should()
            .BeEmpty("the webhook secret written for the failed row is removed");
    }

    [Fact]
    public async Task Reimporting_with_a_reissued_pem_replaces_the_key_by_id()
    {
        // The seed: "the only way to update the PEM key of a connected GHA integration is via Bulk Import":
        // export, paste the re-issued PEM in double quotes into the TSV, import.
        var (store, i, app) = await ActiveApp("reissue");
        var tsv = Export(store, BulkFormat.Tsv, secrets: true);
        var oldPem = File.ReadAllText(i.PrivateKeyPath!);
        var newPem = _gh.AddKey(app);
        var edited = tsv.Replace(oldPem, newPem);
        edited.Should().NotBe(tsv);

        var skipped = Import(store, edited, BulkFormat.Tsv).Single();
        skipped.Action.Should().Be(ImportAction.Skipped);
        File.ReadAllText(store.Load().Integrations.Single().PrivateKeyPath!)
            .Should()
            .Be(oldPem, "without -Update nothing changes");
        Directory
            .GetFiles(store.KeysDirectory)
            .Should()
            .ContainSingle("the key written for the skipped row is removed");

        Import(store, edited, BulkFormat.Tsv, update: true).Single().Action.Should().Be(ImportAction.Updated);
        var now = store.Load().Integrations.Single();
        now.Id.Should().Be(i.Id);
        File.ReadAllText(now.PrivateKeyPath!).Should().Be(newPem);
        File.Exists(i.PrivateKeyPath).Should().BeFalse("the replaced key file is deleted");
        Directory.GetFiles(store.KeysDirectory).Should().ContainSingle();
        now.WebhookSecretRef.Should().Be(i.WebhookSecretRef, "the same webhook secret keeps its file");
        Directory.GetFiles(store.SecretsDirectory).Should().ContainSingle();

        app.Keys.RemoveAt(0); // the old key is deleted on GitHub
        (await Check(now)).Success.Should().BeTrue("the new key is the one in use");
        Import(store, edited, BulkFormat.Tsv, update: true)
            .Single()
            .Action.Should()
            .Be(ImportAction.Unchanged, "import by id is idempotent");
    }

    [Fact]
    public async Task A_new_webhook_secret_on_reimport_replaces_the_old_secret_file()
    {
        var (store, i, app) = await ActiveApp("webhook");
        var tsv = Export(store, BulkFormat.Tsv, secrets: true).Replace(app.WebhookSecret!, "a-new-webhook-secret");
        Import(store, tsv, BulkFormat.Tsv, update: true).Single().Action.Should().Be(ImportAction.Updated);
        var now = store.Load().Integrations.Single();
        store.ReadSecret(now.WebhookSecretRef!).Should().Be("a-new-webhook-secret");
        File.Exists(Path.Combine(store.SecretsDirectory, i.WebhookSecretRef!.File!)).Should().BeFalse();
        Directory.GetFiles(store.SecretsDirectory).Should().ContainSingle();
    }

    [Fact]
    public async Task Update_GitHubAppKey_on_an_imported_app_deletes_the_old_key_file()
    {
        var (src, _, app) = await ActiveApp("upd-src");
        var text = Export(src, BulkFormat.Yaml, secrets: true);
        Directory.Delete(_dir["upd-src"], true);
        var store = IntegrationStore.Open(_dir["upd-dst"]);
        Import(store, text, BulkFormat.Yaml);
        var imported = store.Load().Integrations.Single();
        var after = await GitHubAppIntegration.ReplaceKeyAsync(store, _http, imported, _gh.AddKey(app), default);
        after.PrivateKeyPath.Should().NotBe(imported.PrivateKeyPath);
        File.Exists(imported.PrivateKeyPath).Should().BeFalse();
        Directory.GetFiles(store.KeysDirectory).Should().Equal(after.PrivateKeyPath);
    }

    [Fact]
    public async Task Removing_an_app_deletes_its_key_and_webhook_secret_files()
    {
        var (store, i, _) = await ActiveApp("remove");
        Directory.GetFiles(store.SecretsDirectory).Should().ContainSingle();
        await IntegrationRemoval.RemoveAsync(store, i, true, _http, default);
        Directory.GetFiles(store.KeysDirectory).Should().BeEmpty();
        Directory.GetFiles(store.SecretsDirectory).Should().BeEmpty();
    }

    [Fact]
    public async Task A_store_from_the_first_app_builds_keeps_its_webhook_secret_as_a_reference()
    {
        var (store, i, app) = await ActiveApp("legacy");
        var yaml = File.ReadAllText(store.Path);
        var file = i.WebhookSecretRef!.File!;
        // the first builds wrote the secret's file name as a property
        var legacy = yaml.Replace($"  webhookSecretRef: {{file: {file}}}\n", "")
            .Replace("  properties:\n", $"  properties:\n    webhookSecretFile: \"{file}\"\n");
        legacy.Should().NotBe(yaml).And.NotContain("webhookSecretRef");
        File.WriteAllText(store.Path, legacy);
        var read = store.Load().Integrations.Single();
        read.WebhookSecretRef.Should().Be(SecretRef.InFile(file));
        read.Properties.Should().NotContainKey("webhookSecretFile");
        store.ReadSecret(read.WebhookSecretRef!).Should().Be(app.WebhookSecret);
        await IntegrationRemoval.RemoveAsync(store, read, true, _http, default);
        Directory.GetFiles(store.SecretsDirectory).Should().BeEmpty();
    }

    [Fact]
    public void A_name_already_taken_leaves_no_key_or_secret_behind()
    {
        var store = IntegrationStore.Open(_dir["taken"]);
        var one = _gh.AddApp();
        GitHubAppIntegration.Add(store, _gh.Host, "acme", "same", _gh.Registration(one));
        FluentActions
            .Invoking(() => GitHubAppIntegration.Add(store, _gh.Host, "acme", "same", _gh.Registration(_gh.AddApp())))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be("IntegrationNameTaken");
        Directory.GetFiles(store.KeysDirectory).Should().ContainSingle();
        Directory.GetFiles(store.SecretsDirectory).Should().ContainSingle();
    }

    [Theory]
    [InlineData(IntegrationType.GitHubApp, true)]
    [InlineData(IntegrationType.GitHubEnterpriseApp, true)]
    [InlineData(IntegrationType.Ssh, false)]
    public void An_app_key_is_never_swapped_without_GitHub(IntegrationType type, bool refused)
    {
        var i = new Integration { Name = "o'brien", Type = type };
        var act = FluentActions.Invoking(() => GitHubAppIntegration.RefuseUncheckedKeyChange(i));
        if (!refused)
        {
            act.Should().NotThrow();
            return;
        }
        var e = act.Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(GitHubErrorIds.KeyChangeNeedsGitHub);
        e.Kind.Should().Be(ErrorKind.InvalidOperation);
        e.Message.Should().Contain("Update-GitHubAppKey -Name 'o''brien'");
    }
}
