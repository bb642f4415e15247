using System.Text;
using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>Keys made once for the class by the real ssh-keygen.</summary>
public sealed class TransferKeys : IDisposable
{
    public readonly TempDir Dir = new();

    public TransferKeys()
    {
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", Dir["rsa_pem"]);
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", Dir["ed25519"]);
        RsaPem = File.ReadAllText(Dir["rsa_pem"]);
    }

    public string RsaPem { get; }

    public void Dispose() => Dir.Dispose();
}

public class TransferTests : IClassFixture<TransferKeys>
{
    private readonly TransferKeys _keys;

    public TransferTests(TransferKeys keys) => _keys = keys;

    private static List<ImportRow> Read(string text, BulkFormat f) => BulkFiles.Read(text, f, "test", out _);

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

    private IntegrationStore Populated(TempDir t)
    {
        var s = IntegrationStore.Open(t["src/integrations.yaml"]);
        s.Update(d =>
        {
            for (int n = 0; n < 12; n++)
            {
                var i = StoreTests.Sample(n);
                i.TokenRef = n % 4 == 0 ? s.WriteSecret($"tok{n}", $"glpat-{n}\ttab \"q\"") : null;
                i.PrivateKeyPath = n % 3 == 0 ? s.WriteKey($"k{n}", _keys.RsaPem.Replace("\n", "\r\n")) : null;
                i.PassphraseRef = n == 3 ? SecretRef.InVault("Corp Vault", "jira;key") : null;
                d.Integrations.Add(i);
            }
            return 0;
        });
        return s;
    }

    [Theory]
    [InlineData(BulkFormat.Tsv)]
    [InlineData(BulkFormat.Csv)]
    [InlineData(BulkFormat.Yaml)]
    [InlineData(BulkFormat.Json)]
    public void Export_then_import_into_an_empty_store_gives_identical_integrations(BulkFormat format)
    {
        using var t = new TempDir();
        var src = Populated(t);
        var text = Export(src, format, secrets: true);
        text.Should()
            .Contain("2024-05-01T10:00:00.0000000+02:00", "times are written in ISO 8601, as scripts read them");
        var keys = src.Load()
            .Integrations.ToDictionary(
                i => i.Id,
                i => i.PrivateKeyPath == null ? null : File.ReadAllText(i.PrivateKeyPath).Replace("\r\n", "\n")
            );
        Directory.Delete(src.KeysDirectory, true); // as on another machine: the exported key paths do not exist there
        var dst = IntegrationStore.Open(t["dst/integrations.yaml"]);
        var results = IntegrationImport.Run(dst, Read(text, format), new ImportOptions());
        results
            .Should()
            .OnlyContain(r => r.Action == ImportAction.Created, string.Join("\n", results.Select(r => r.Error)));

        var a = src.Load().Integrations;
        var b = dst.Load().Integrations;
        b.Should().HaveCount(a.Count);
        for (int n = 0; n < a.Count; n++)
        {
            var (x, y) = (a[n], b[n]);
            (
                y.Id,
                y.Name,
                y.Type,
                y.Url,
                y.HostUrl,
                y.Organization,
                y.SslVerify,
                y.RequireUserPat,
                y.RepositoryFilter,
                y.Status,
                y.LastVerified,
                y.CreatedAt,
                y.UpdatedAt
            )
                .Should()
                .Be(
                    (
                        x.Id,
                        x.Name,
                        x.Type,
                        x.Url,
                        x.HostUrl,
                        x.Organization,
                        x.SslVerify,
                        x.RequireUserPat,
                        x.RepositoryFilter,
                        x.Status,
                        x.LastVerified,
                        x.CreatedAt,
                        x.UpdatedAt
                    )
                );
            y.Properties.Should().Equal(x.Properties);
            y.PassphraseRef.Should().Be(x.PassphraseRef, "vault references travel by name");
            (y.TokenRef == null ? null : dst.ReadSecret(y.TokenRef))
                .Should()
                .Be(x.TokenRef == null ? null : src.ReadSecret(x.TokenRef));
            (y.PrivateKeyPath == null ? null : File.ReadAllText(y.PrivateKeyPath).Replace("\r\n", "\n"))
                .Should()
                .Be(keys[x.Id]);
            if (y.PrivateKeyPath != null)
                dst.OwnsKey(y.PrivateKeyPath).Should().BeTrue();
        }

        // Re-importing the same file changes nothing, not even the file.
        var before = File.ReadAllBytes(dst.Path);
        IntegrationImport
            .Run(dst, Read(text, format), new ImportOptions { Update = true })
            .Should()
            .OnlyContain(r => r.Action == ImportAction.Unchanged);
        File.ReadAllBytes(dst.Path).Should().Equal(before);
        Directory.GetFiles(dst.KeysDirectory).Should().HaveCount(4, "no orphan key files");
    }

    [Fact]
    public void Without_IncludeSecrets_no_secret_leaves()
    {
        using var t = new TempDir();
        var src = Populated(t);
        foreach (var f in Enum.GetValues<BulkFormat>())
        {
            var text = Export(src, f, secrets: false);
            text.Should().NotContain("glpat-").And.NotContain("PRIVATE KEY");
            text.Should().Contain("Corp Vault");
        }
    }

    [Fact]
    public void The_integrations_tsv_layout_with_a_quoted_multiline_pem_and_crlf_imports()
    {
        using var t = new TempDir();
        var pem = _keys.RsaPem.Replace("\n", "\r\n");
        var tsv =
            "id\tprivateKey\trealRoot\tabsoluteRoot\torigin\tdisplayName\r\n"
            + $"\t\"{pem}\"\t\t\tgit@github.com:acme/billing.git\tBilling\r\n"
            + "\t\t\t\tgit@github.com:acme/web.git\t\r\n";
        var rows = Read(tsv, BulkFormat.Tsv);
        var store = IntegrationStore.Open(t.Path);
        var res = IntegrationImport.Run(store, rows, new ImportOptions());
        res.Select(r => (r.Row, r.Action, r.Name ?? ""))
            .Should()
            .Equal(
                new[] { (1, ImportAction.Created, "Billing"), (2, ImportAction.Created, "web") },
                string.Join("\n", res.Select(r => r.Error))
            );
        var billing = store.Load().Integrations[0];
        billing.Type.Should().Be(IntegrationType.Ssh);
        File.ReadAllText(billing.PrivateKeyPath!).Should().Be(pem);
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(billing.PrivateKeyPath!).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void The_integrations_own_column_names_privateKeyFile_and_sslverify_are_read()
    {
        using var t = new TempDir();
        File.WriteAllText(t["jira.pem"], _keys.RsaPem);
        var tsv = $"origin\tprivateKeyFile\tsslverify\r\ngit@github.com:acme/web.git\t{t["jira.pem"]}\tfalse\r\n";
        var store = IntegrationStore.Open(t["store/integrations.yaml"]);

        var r = IntegrationImport.Run(store, Read(tsv, BulkFormat.Tsv), new ImportOptions()).Single();

        r.Action.Should().Be(ImportAction.Created, r.Error);
        var i = store.Load().Integrations.Single();
        (i.PrivateKeyPath, i.SslVerify).Should().Be((t["jira.pem"], false));
    }

    [Theory]
    [InlineData(";")]
    [InlineData(",")]
    public void Excel_csv_with_bom_and_either_separator(string sep)
    {
        var csv =
            "\uFEFFname"
            + sep
            + "origin"
            + sep
            + "sslVerify"
            + sep
            + "property.appId\r\n"
            + "\"Acme"
            + sep
            + " Inc\""
            + sep
            + "https://git.acme.test/a.git"
            + sep
            + "FALSE"
            + sep
            + "42\r\n";
        var rows = Read(csv, BulkFormat.Csv);
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        IntegrationImport.Run(store, rows, new ImportOptions()).Single().Action.Should().Be(ImportAction.Created);
        var i = store.Load().Integrations.Single();
        (i.Name, i.Url, i.SslVerify, i.Type, i.Properties["appId"])
            .Should()
            .Be(("Acme" + sep + " Inc", "https://git.acme.test/a.git", false, IntegrationType.Https, "42"));
    }

    [Fact]
    public void Hostile_file_fails_row_by_row_and_imports_the_rest()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        var id = Guid.NewGuid();
        var corrupt = string.Join("\n", _keys.RsaPem.Split('\n').Select((l, n) => n == 5 ? "!!!!" + l[4..] : l));
        var sb = new StringBuilder("id\torigin\tname\tnonsense\tprivateKey\r\n");
        sb.Append("\tgit@h:a/ok1.git\tok1\tx\t\r\n"); // 1 ok, unknown column ignored
        sb.Append("\t\tno-origin\t\t\r\n"); // 2 missing origin
        sb.Append($"{id}\tgit@h:a/dup1.git\tdup1\t\t\r\n"); // 3 ok
        sb.Append($"{id}\tgit@h:a/dup2.git\tdup2\t\t\r\n"); // 4 duplicate id
        sb.Append("\tgit@h:a/garbage.git\t\u0000\u0001\u00ff\u0000\t\t\r\n"); // 5 binary
        sb.Append("\tgit@h:a/long.git\t").Append('x', 50 * 1024 * 1024).Append("\t\t\r\n"); // 6 a 50 MB line
        sb.Append($"\tgit@h:a/badkey.git\tbadkey\t\t\"{corrupt}\"\r\n"); // 7 PEM with a corrupted line
        // 8 OpenSSH format: the integration rejects
        // it
        sb.Append($"\tgit@h:a/edkey.git\tedkey\t\t\"{File.ReadAllText(_keys.Dir["ed25519"])}\"\r\n");
        sb.Append("not-a-guid\tgit@h:a/int.git\tint\t\t\r\n"); // 9 vendor integer id
        sb.Append("\tgit@h:a/ok2.git\tok2\t\t\r\n"); // 10 ok
        sb.Append("\tgit@h:a/unbalanced.git\t\"unclosed\t\t\r\n"); // 11 unbalanced quote, swallowing the rest
        sb.Append("\tgit@h:a/ok3.git\tok3\t\t\r\n"); // recovered as a row of its own
        var rows = BulkFiles.Read(sb.ToString(), BulkFormat.Tsv, "hostile.tsv", out var unknown);
        unknown.Should().Equal("nonsense");
        var res = IntegrationImport.Run(store, rows, new ImportOptions());
        res.Where(r => r.Action == ImportAction.Failed).Select(r => r.Row).Should().Equal(2, 4, 5, 6, 7, 8, 9, 11);
        res.Single(r => r.Row == 4).Error.Should().Contain("row 3");
        res.Single(r => r.Row == 6).Error.Should().Contain("longer than");
        res.Single(r => r.Row == 11).Error.Should().Contain("never closed");
        res.Single(r => r.Row == 8).Exception!.ErrorId.Should().Be(BulkErrorIds.ImportKeyRejected);
        res.Where(r => r.Action == ImportAction.Failed).Should().OnlyContain(r => r.Error!.StartsWith($"Row {r.Row}:"));
        store.Load().Integrations.Select(i => i.Name).Should().Equal("ok1", "dup1", "ok2", "ok3");
        Directory.Exists(store.KeysDirectory).Should().BeFalse("rejected keys are never written");

        // -Atomic: the same file imports nothing into a fresh store.
        var atomic = IntegrationStore.Open(t["atomic"]);
        IntegrationImport
            .Run(atomic, rows, new ImportOptions { Atomic = true })
            .Where(r => r.Action != ImportAction.Failed)
            .Should()
            .OnlyContain(r => r.Action == ImportAction.Skipped);
        File.Exists(atomic.Path).Should().BeFalse();
    }

    [Fact]
    public void Imported_rows_are_Unverified_until_verified_and_a_change_of_key_makes_them_Unverified_again()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        File.WriteAllText(t["other_rsa"], _keys.RsaPem);
        ImportResult Import(string extra, string value) =>
            IntegrationImport
                .Run(
                    store,
                    Read($"origin\tname\tprivateKeyPath{extra}\r\ngit@h:a/x.git\tx\t{value}\r\n", BulkFormat.Tsv),
                    new ImportOptions { Update = true }
                )
                .Single();
        IntegrationStatus Stored() => store.Load().Integrations.Single().Status;

        Import("", _keys.Dir["rsa_pem"])
            .Status.Should()
            .Be(IntegrationStatus.Unverified, "nothing has checked the row");
        store.Update(d => d.Integrations[0].Status = IntegrationStatus.Connected);
        Import("", _keys.Dir["rsa_pem"]).Action.Should().Be(ImportAction.Unchanged);
        Stored().Should().Be(IntegrationStatus.Connected, "a row that changes nothing keeps what was verified");
        Import("", t["other_rsa"])
            .Status.Should()
            .Be(IntegrationStatus.Unverified, "the new key has not been verified");
        Stored().Should().Be(IntegrationStatus.Unverified);

        store.Update(d => d.Integrations[0].Status = IntegrationStatus.Disabled);
        Import("", _keys.Dir["rsa_pem"]).Status.Should().Be(IntegrationStatus.Disabled, "an import does not enable");
        Import("\tstatus", _keys.Dir["rsa_pem"] + "\tFailed")
            .Status.Should()
            .Be(IntegrationStatus.Failed, "a status the row gives is kept");
    }

    [Fact]
    public void A_key_file_is_checked_with_its_passphrase_against_the_rule_and_a_missing_one_fails_its_row()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        Tool.Ok("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "right", "-f", t["locked"]);
        var tsv =
            "origin\tprivateKeyPath\tpassphrase\r\n"
            + $"git@h:a/1.git\t{_keys.Dir["ed25519"]}\t\r\n"
            + $"git@h:a/2.git\t{t["locked"]}\twrong\r\n"
            + $"git@h:a/3.git\t{t["missing"]}\t\r\n"
            + $"git@h:a/4.git\t{t["locked"]}\tright\r\n";
        var res = IntegrationImport.Run(store, Read(tsv, BulkFormat.Tsv), new ImportOptions());
        res.Select(r => (r.Action, r.Reason))
            .Should()
            .Equal(
                new (ImportAction, string?)[]
                {
                    (ImportAction.Failed, "OpenSshFormat"),
                    (ImportAction.Failed, "WrongPassphrase"),
                    (ImportAction.Failed, "KeyFileNotFound"),
                    (ImportAction.Created, null),
                },
                string.Join("\n", res.Select(r => r.Error))
            );
        res[0]
            .Error.Should()
            .StartWith($"Row 1: privateKeyPath '{_keys.Dir["ed25519"]}' is not a key the integration accepts");

        // A row that changes only the passphrase is checked against the key already stored.
        var update = IntegrationImport
            .Run(
                store,
                Read("origin\tpassphrase\r\ngit@h:a/4.git\tstale\r\n", BulkFormat.Tsv),
                new ImportOptions { Update = true }
            )
            .Single();
        (update.Action, update.Reason).Should().Be((ImportAction.Failed, "WrongPassphrase"), update.Error);

        var any = IntegrationImport.Run(
            IntegrationStore.Open(t["any"]),
            Read(tsv, BulkFormat.Tsv),
            new ImportOptions { Requirement = GitIntegration.Core.Keys.KeyRequirement.Any }
        );
        any[0].Action.Should().Be(ImportAction.Created, "an Ed25519 key is fine where any key is: {0}", any[0].Error);
    }

    [Fact]
    public void Changed_rows_are_skipped_without_Update_and_replaced_files_are_deleted_with_it()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        string Row(string token) => $"origin\tname\ttoken\r\ngit@h:a/x.git\tx\t{token}\r\n";
        IntegrationImport
            .Run(store, Read(Row("one"), BulkFormat.Tsv), new ImportOptions())
            .Single()
            .Action.Should()
            .Be(ImportAction.Created);
        var first = store.Load().Integrations.Single().TokenRef!;
        var skipped = IntegrationImport.Run(store, Read(Row("two"), BulkFormat.Tsv), new ImportOptions()).Single();
        skipped.Action.Should().Be(ImportAction.Skipped);
        Directory
            .GetFiles(store.SecretsDirectory)
            .Should()
            .HaveCount(1, "the secret written for a skipped row is removed");
        IntegrationImport
            .Run(store, Read(Row("two"), BulkFormat.Tsv), new ImportOptions { Update = true })
            .Single()
            .Action.Should()
            .Be(ImportAction.Updated);
        var now = store.Load().Integrations.Single().TokenRef!;
        store.ReadSecret(now).Should().Be("two");
        File.Exists(Path.Combine(store.SecretsDirectory, first.File!)).Should().BeFalse();
        Directory.GetFiles(store.SecretsDirectory).Should().HaveCount(1);
    }
}
