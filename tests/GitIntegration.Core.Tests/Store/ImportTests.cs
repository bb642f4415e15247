using FluentAssertions;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>Import-GitIntegration's rows against a store: -WhatIf, -Update, an interrupted run, bad values.</summary>
public class ImportTests : IClassFixture<TransferKeys>, IDisposable
{
    private readonly TransferKeys _keys;
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public ImportTests(TransferKeys keys)
    {
        _keys = keys;
        _store = IntegrationStore.Open(_dir["integrations.yaml"]);
    }

    public void Dispose() => _dir.Dispose();

    private static ImportRow Row(int number, params (string Column, string Value)[] fields)
    {
        var row = new ImportRow { Row = number };
        foreach (var (c, v) in fields)
            row.Fields[c] = v;
        return row;
    }

    private IList<ImportResult> Import(ImportOptions options, params ImportRow[] rows) =>
        IntegrationImport.Run(_store, rows, options);

    private ImportResult ImportOne(ImportOptions options, params (string Column, string Value)[] fields) =>
        Import(options, Row(1, fields)).Single();

    private string[] Files() =>
        new[] { _store.SecretsDirectory, _store.KeysDirectory }
            .Where(Directory.Exists)
            .SelectMany(Directory.GetFiles)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void WhatIf_says_what_each_row_would_do_and_changes_nothing()
    {
        ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), ("token", "t1"))
            .Action.Should()
            .Be(ImportAction.Created);
        var store = File.ReadAllText(_store.Path);
        var files = Files();

        var results = Import(
            new ImportOptions { DryRun = true, Update = true },
            Row(1, ("origin", "git@example.com:a/api.git"), ("token", "t2"), ("privateKey", _keys.RsaPem)),
            Row(2, ("origin", "git@example.com:a/web.git"), ("name", "website"), ("webhookSecret", "w")),
            Row(3, ("origin", "git@example.com:a/web.git")),
            Row(4, ("origin", "git@example.com:a/bad.git"), ("type", "Svn"))
        );

        results
            .Select(r => r.Action)
            .Should()
            .Equal(
                new[]
                {
                    ImportAction.WouldCreate,
                    ImportAction.WouldUpdate,
                    ImportAction.Unchanged,
                    ImportAction.Failed,
                },
                string.Join("\n", results.Select(r => r.Error))
            );
        File.ReadAllText(_store.Path).Should().Be(store);
        Files().Should().Equal(files, "no secret or key file is written under -WhatIf");
    }

    [Fact]
    public void An_import_stopped_midway_changes_nothing_and_leaves_no_secret_behind()
    {
        var stop = new OperationCanceledException("Ctrl+C");
        var options = new ImportOptions
        {
            Progress = (n, total) =>
            {
                if (n == 1)
                    throw stop;
            },
        };

        FluentActions
            .Invoking(() =>
                Import(
                    options,
                    Row(1, ("origin", "git@example.com:a/web.git"), ("token", "t1"), ("privateKey", _keys.RsaPem)),
                    Row(2, ("origin", "git@example.com:a/api.git"), ("token", "t2"))
                )
            )
            .Should()
            .Throw<OperationCanceledException>()
            .Which.Should()
            .BeSameAs(stop);
        _store.Load().Integrations.Should().BeEmpty();
        Files().Should().BeEmpty("the first row's token and key files go with the import that was stopped");
    }

    [Fact]
    public void Updating_with_new_secrets_deletes_the_old_ones_and_keeps_those_still_in_use()
    {
        (string, string)[] With(string name, string secret) =>
            new[]
            {
                ("origin", "git@example.com:a/hooks.git"),
                ("name", name),
                ("passphrase", "pass-" + secret),
                ("webhookSecret", "hook-" + secret),
                ("privateKey", _keys.RsaPem),
            };
        var update = new ImportOptions { Update = true };
        ImportOne(update, With("hooks", "one")).Action.Should().Be(ImportAction.Created);
        var first = Files();

        ImportOne(update, With("hooks", "two")).Action.Should().Be(ImportAction.Updated);
        var i = _store.Load().Integrations.Single();
        (_store.ReadSecret(i.PassphraseRef!), _store.ReadSecret(i.WebhookSecretRef!))
            .Should()
            .Be(("pass-two", "hook-two"));
        var second = Files();
        second.Should().HaveCount(3).And.Contain(i.PrivateKeyPath!, "the same key stays where it is");
        second.Intersect(first).Should().Equal(new[] { i.PrivateKeyPath! }, "the replaced secrets are deleted");

        ImportOne(update, With("renamed", "two")).Action.Should().Be(ImportAction.Updated);
        Files().Should().Equal(second, "a rename keeps the secrets and the key it still uses");
        var renamed = _store.Load().Integrations.Single();
        (renamed.Name, _store.ReadSecret(renamed.PassphraseRef!), _store.ReadSecret(renamed.WebhookSecretRef!))
            .Should()
            .Be(("renamed", "pass-two", "hook-two"));
    }

    [Fact]
    public void The_same_key_pasted_with_other_line_endings_is_the_same_key()
    {
        ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), ("privateKey", _keys.RsaPem))
            .Action.Should()
            .Be(ImportAction.Created);
        var files = Files();

        var again = ImportOne(
            new ImportOptions(),
            ("origin", "git@example.com:a/web.git"),
            ("privateKey", _keys.RsaPem.Replace("\n", "\r\n"))
        );

        again.Action.Should().Be(ImportAction.Unchanged, again.Error);
        Files().Should().Equal(files);
    }

    [Fact]
    public void With_Atomic_one_failed_row_imports_nothing_and_leaves_the_store_and_its_secrets_as_they_were()
    {
        ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), ("token", "t1"))
            .Action.Should()
            .Be(ImportAction.Created);
        var store = File.ReadAllText(_store.Path);
        var files = Files();

        var results = Import(
            new ImportOptions { Atomic = true, Update = true },
            Row(1, ("origin", "git@example.com:a/web.git"), ("token", "t2")),
            Row(2, ("origin", "git@example.com:a/api.git"), ("token", "t3")),
            Row(3, ("origin", "git@example.com:a/web.git")),
            Row(4, ("name", "no origin"))
        );

        const string NotImported = "Not imported: -Atomic was given and row 4 failed.";
        results
            .Select(r => (r.Row, r.Action, r.Error))
            .Should()
            .Equal(
                (1, ImportAction.Skipped, NotImported),
                (2, ImportAction.Skipped, NotImported),
                (3, ImportAction.Unchanged, null),
                (4, ImportAction.Failed, "Row 4: 'origin' is empty; every row needs the repository's URL.")
            );
        File.ReadAllText(_store.Path).Should().Be(store);
        Files().Should().Equal(files, "the new tokens go and the one still in use stays");
        _store.ReadSecret(_store.Load().Integrations.Single().TokenRef!).Should().Be("t1");
    }

    [Fact]
    public void A_row_that_differs_without_Update_is_skipped_with_what_to_do_and_leaves_no_file_behind()
    {
        var id = ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), ("name", "web")).Id;
        var files = Files();

        var r = ImportOne(
            new ImportOptions(),
            ("origin", "git@example.com:a/web.git"),
            ("name", "website"),
            ("token", "t2"),
            ("privateKey", _keys.RsaPem)
        );

        (r.Action, r.Error)
            .Should()
            .Be(
                (ImportAction.Skipped, $"'web' ({id}) already exists and differs from row 1; use -Update to change it.")
            );
        Files().Should().Equal(files, "the row's token and key files go with the row");
    }

    [Fact]
    public void A_row_that_fails_after_its_secrets_were_written_leaves_none_behind()
    {
        var r = ImportOne(
            new ImportOptions(),
            ("origin", "git@example.com:a/web.git"),
            ("token", "t1"),
            ("webhookSecret", "w1"),
            ("privateKey", "not a key")
        );

        (r.Action, r.Exception!.ErrorId).Should().Be((ImportAction.Failed, BulkErrorIds.ImportKeyRejected));
        Files().Should().BeEmpty();
    }

    [Fact]
    public void The_secrets_an_import_writes_are_named_after_their_integration_and_what_they_hold()
    {
        ImportOne(
            new ImportOptions(),
            ("origin", "git@example.com:a/web.git"),
            ("passphrase", "p1"),
            ("token", "t1"),
            ("webhookSecret", "w1")
        )
            .Action.Should()
            .Be(ImportAction.Created);

        var i = _store.Load().Integrations.Single();
        i.PassphraseRef!.File.Should().StartWith($"{i.Id:N}-passphrase-");
        i.TokenRef!.File.Should().StartWith($"{i.Id:N}-token-");
        i.WebhookSecretRef!.File.Should().StartWith($"{i.Id:N}-webhook-");
    }

    [Fact]
    public void A_key_given_again_without_a_passphrase_is_checked_with_the_stored_one()
    {
        var key = _dir["locked_rsa"];
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "old-pw", "-f", key);
        var update = new ImportOptions { Update = true };
        ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKeyPath", key), ("passphrase", "old-pw"))
            .Action.Should()
            .Be(ImportAction.Created);
        Tool.Ok("ssh-keygen", "-q", "-p", "-m", "PEM", "-P", "old-pw", "-N", "new-pw", "-f", key);

        var byPath = ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKeyPath", key));
        var pasted = ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKey", File.ReadAllText(key)));

        (byPath.Action, byPath.Exception?.ErrorId).Should().Be((ImportAction.Failed, BulkErrorIds.ImportKeyRejected));
        (pasted.Action, pasted.Exception?.ErrorId).Should().Be((ImportAction.Failed, BulkErrorIds.ImportKeyRejected));
        ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKeyPath", key), ("passphrase", "new-pw"))
            .Action.Should()
            .Be(ImportAction.Updated);
    }

    [Fact]
    public void Two_new_rows_for_one_repository_make_one_integration_and_the_second_says_which()
    {
        var results = Import(
            new ImportOptions(),
            Row(1, ("origin", "git@example.com:a/web.git"), ("name", "web")),
            Row(2, ("origin", "git@example.com:a/web.git"), ("name", "website"))
        );

        var web = _store.Load().Integrations.Single();
        results
            .Select(r => (r.Action, r.Error))
            .Should()
            .Equal(
                (ImportAction.Created, null),
                (
                    ImportAction.Skipped,
                    $"'web' ({web.Id}) already exists and differs from row 2; use -Update to change it."
                )
            );
    }

    [Fact]
    public void Two_rows_for_one_repository_both_apply_in_order()
    {
        ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), ("name", "web"));

        var results = Import(
            new ImportOptions { Update = true },
            Row(1, ("origin", "git@example.com:a/web.git"), ("name", "website")),
            Row(2, ("origin", "git@example.com:a/web.git"), ("organization", "acme"))
        );

        results.Select(r => r.Action).Should().Equal(ImportAction.Updated, ImportAction.Updated);
        var i = _store.Load().Integrations.Single();
        (i.Name, i.Organization).Should().Be(("website", "acme"));
    }

    [Theory]
    [InlineData(KeyRequirement.Integration, "the integration")]
    [InlineData(KeyRequirement.AzureDevOps, "the AzureDevOps rule")]
    public void A_refused_key_fails_its_row_naming_the_rule_it_was_checked_against(KeyRequirement rule, string whose)
    {
        var pem = File.ReadAllText(_keys.Dir["ed25519"]);

        var r = ImportOne(
            new ImportOptions { Requirement = rule },
            ("origin", "git@example.com:a/web.git"),
            ("privateKey", pem)
        );

        var fixes = KeyDiagnostics
            .TestText(pem, null, rule)
            .Findings.Where(f => f.Severity == FindingSeverity.Error)
            .Select(f => f.WithFix);
        r.Error.Should().Be($"Row 1: privateKey is not a key {whose} accepts: " + string.Join(" ", fixes));
    }

    [Fact]
    public void A_new_key_replaces_the_store_owned_key_file_and_deletes_it()
    {
        var other = _dir["other_rsa"];
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", other);
        var update = new ImportOptions { Update = true };
        ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKey", _keys.RsaPem));
        var first = _store.Load().Integrations.Single().PrivateKeyPath!;

        var r = ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKey", File.ReadAllText(other)));

        r.Action.Should().Be(ImportAction.Updated, r.Error);
        var now = _store.Load().Integrations.Single().PrivateKeyPath!;
        Files().Should().Equal(new[] { now }, "the replaced key file is deleted");
        File.ReadAllText(now).Should().Be(File.ReadAllText(other));
        now.Should().NotBe(first);
    }

    [Fact]
    public void A_key_pasted_again_replaces_a_stored_key_file_that_can_no_longer_be_read()
    {
        var update = new ImportOptions { Update = true };
        ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKey", _keys.RsaPem));
        var broken = _store.Load().Integrations.Single().PrivateKeyPath!;
        File.WriteAllText(broken, new string('x', 1024 * 1024));

        var r = ImportOne(update, ("origin", "git@example.com:a/web.git"), ("privateKey", _keys.RsaPem));

        r.Action.Should().Be(ImportAction.Updated, r.Error);
        var now = _store.Load().Integrations.Single().PrivateKeyPath!;
        now.Should().NotBe(broken);
        File.ReadAllText(now).Should().Be(_keys.RsaPem);
    }

    [Theory]
    [InlineData("git@example.com:a/web.git", "web")]
    [InlineData("https://example.com/a/website", "website")]
    [InlineData("ssh://git@example.com/a/Web.GIT/", "Web")]
    public void Without_a_name_the_origin_tells_it(string origin, string name)
    {
        ImportOne(new ImportOptions(), ("origin", origin)).Action.Should().Be(ImportAction.Created);

        _store.Load().Integrations.Single().Name.Should().Be(name);
    }

    [Theory]
    [InlineData(BulkFormat.Tsv)]
    [InlineData(BulkFormat.Yaml)]
    public void Restoring_an_export_with_Update_brings_back_switches_turned_off_and_vault_references(BulkFormat f)
    {
        var saved = new Integration
        {
            Name = "hooks",
            Url = "git@example.com:a/hooks.git",
            SslVerify = false,
            RequireUserPat = false,
            WebhookSecretRef = SecretRef.InVault("Corp Vault", "hooks-webhook"),
        };
        var changed = saved.Clone();
        (changed.SslVerify, changed.RequireUserPat, changed.WebhookSecretRef) = (true, true, null);
        _store.Update(d =>
        {
            d.Integrations.Add(changed);
            return 0;
        });
        var export = new StringWriter();
        BulkFiles.Write(export, new[] { IntegrationRecord.From(saved, null, null) }, f);

        var r = Import(new ImportOptions { Update = true }, BulkFiles.Read(export.ToString(), f, "backup", out _)[0]);

        r.Single().Action.Should().Be(ImportAction.Updated, r.Single().Error);
        var i = _store.Load().Integrations.Single();
        (i.SslVerify, i.RequireUserPat, i.WebhookSecretRef).Should().Be((false, false, saved.WebhookSecretRef));
    }

    [Theory]
    [InlineData("ssh://git@example.com/a/web.git", IntegrationType.Ssh)]
    [InlineData("git@example.com:a/web.git", IntegrationType.Ssh)]
    [InlineData("https://example.com/a/web.git", IntegrationType.Https)]
    [InlineData("/srv/git/web.git", IntegrationType.Generic)]
    [InlineData("file:///srv/git/web.git", IntegrationType.Generic)]
    public void Without_a_type_the_origin_tells_it(string origin, IntegrationType type)
    {
        ImportOne(new ImportOptions(), ("origin", origin)).Action.Should().Be(ImportAction.Created);

        _store.Load().Integrations.Single().Type.Should().Be(type);
    }

    [Fact]
    public void Values_are_read_as_an_admin_types_them()
    {
        var r = ImportOne(
            new ImportOptions(),
            ("origin", "https://gitlab.example.com/a/web.git"),
            ("type", " gitlab "),
            ("status", "disabled"),
            ("sslVerify", "N"),
            ("requireUserPat", "yes")
        );

        r.Action.Should().Be(ImportAction.Created, r.Error);
        var i = _store.Load().Integrations.Single();
        (i.Type, i.Status, i.SslVerify, i.RequireUserPat)
            .Should()
            .Be((IntegrationType.GitLab, IntegrationStatus.Disabled, false, true));
    }

    [Theory]
    [InlineData("tokenVault", "Corp", "'tokenVault' and 'tokenName' go together; give both or neither.")]
    [InlineData("passphraseName", "jira", "'passphraseVault' and 'passphraseName' go together; give both or neither.")]
    [InlineData("sslVerify", "maybe", "sslVerify 'maybe' is not true or false.")]
    [InlineData("id", "42", "id '42' is not a GUID. Leave id blank to create a new integration.")]
    [InlineData(
        "lastVerified",
        "last Tuesday",
        "lastVerified 'last Tuesday' is not a date and time (use ISO 8601, e.g. 2024-05-01T10:00:00Z)."
    )]
    [InlineData(
        "type",
        "Svn",
        "type 'Svn' is not one of Ssh, Https, GitHubApp, GitHubEnterpriseApp, GitLab, AzureDevOps, Bitbucket, "
            + "Gerrit, Gitolite, AwsCodeCommit, Generic."
    )]
    [InlineData(
        "status",
        "42",
        "status '42' is not one of Connected, Failed, Installing, Active, Suspended, Disabled, Unverified."
    )]
    public void A_value_that_cannot_be_read_fails_its_row_saying_what_is_expected(
        string column,
        string value,
        string message
    )
    {
        var r = ImportOne(new ImportOptions(), ("origin", "git@example.com:a/web.git"), (column, value));

        (r.Action, r.Reason, r.Error)
            .Should()
            .Be((ImportAction.Failed, BulkErrorIds.ImportRowInvalid, "Row 1: " + message));
        _store.Load().Integrations.Should().BeEmpty();
    }
}
