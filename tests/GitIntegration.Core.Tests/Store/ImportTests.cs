using FluentAssertions;
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
