using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

public class StoreTests
{
    internal static Integration Sample(int n) =>
        new()
        {
            Name = $"repo-{n}",
            Type = (IntegrationType)(n % 11),
            Url = $"git@example.com:acme/repo-{n}.git",
            HostUrl = n % 2 == 0 ? "https://example.com" : null,
            Organization = "acme",
            PrivateKeyPath = n % 3 == 0 ? $"/keys/id_{n}" : null,
            PassphraseRef = n % 3 == 0 ? SecretRef.InVault("Vault: with colon", "pp-" + n) : null,
            TokenRef = n % 4 == 0 ? SecretRef.InFile($"{n}-token.secret") : null,
            SslVerify = n % 5 != 0,
            RequireUserPat = n % 2 == 1,
            RepositoryFilter = n % 6 == 0 ? "[?name == 'x: y' || contains(name, '#')]" : null,
            Status = (IntegrationStatus)(n % 6),
            LastVerified = n % 2 == 0 ? new DateTimeOffset(2024, 5, 1, 10, 0, n % 60, TimeSpan.FromHours(2)) : null,
            Properties =
            {
                ["appId"] = "12345",
                ["installationId"] = n.ToString(),
                ["note"] = "multi\nline: 'quoted' \"x\"",
            },
        };

    [Fact]
    public void Yaml_round_trip_keeps_every_field()
    {
        var doc = new StoreDocument();
        for (int i = 0; i < 30; i++)
            doc.Integrations.Add(Sample(i));
        var yaml = StoreYaml.Write(doc);
        var back = StoreYaml.Read(new StringReader(yaml), "t.yaml");
        back.Integrations.Should().HaveCount(30);
        for (int i = 0; i < 30; i++)
        {
            back.Integrations[i].SameSettings(doc.Integrations[i]).Should().BeTrue(yaml);
            back.Integrations[i].CreatedAt.Should().Be(doc.Integrations[i].CreatedAt);
            back.Integrations[i].LastVerified.Should().Be(doc.Integrations[i].LastVerified);
        }
        StoreYaml.Write(back).Should().Be(yaml, "writing is stable");
        yaml.Should().StartWith("schemaVersion: 1\n");
    }

    [Fact]
    public void Update_writes_and_keeps_a_backup_and_skips_unchanged_writes()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t["s.yaml"]);
        store.Load().Integrations.Should().BeEmpty();
        store.Update(d =>
        {
            d.Integrations.Add(Sample(1));
            return 0;
        });
        File.Exists(store.BackupPath).Should().BeFalse();
        store.Update(d =>
        {
            d.Integrations.Add(Sample(2));
            return 0;
        });
        File.ReadAllText(store.BackupPath).Should().Contain("repo-1").And.NotContain("repo-2");
        var stamp = File.GetLastWriteTimeUtc(store.Path);
        var bak = File.ReadAllText(store.BackupPath);
        store.Update(d => d.Integrations.Count);
        File.ReadAllText(store.BackupPath).Should().Be(bak, "an unchanged store is not rewritten");
        store.Load().Integrations.Select(i => i.Name).Should().Equal("repo-1", "repo-2");
        // The previous version becomes the backup by a link, not a second write (the same inode: stat(1) says so),
        // and stays owner-only.
        var previous = OperatingSystem.IsWindows() ? null : Tool.Ok("stat", "-c", "%i", store.Path).Trim();
        store.Update(d =>
        {
            d.Integrations.Add(Sample(3));
            return 0;
        });
        if (previous != null)
            Tool.Ok("stat", "-c", "%i", store.BackupPath).Trim().Should().Be(previous);
        File.ReadAllText(store.BackupPath).Should().Contain("repo-2").And.NotContain("repo-3");
        File.ReadAllText(store.Path).Should().Contain("repo-3");
        if (!OperatingSystem.IsWindows())
            File.GetUnixFileMode(store.BackupPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.GetFiles(t.Path, "*.tmp").Should().BeEmpty();
    }

    [Fact]
    public void Secrets_are_owner_only_files_outside_the_yaml()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t.Path);
        store.Path.Should().Be(t["integrations.yaml"]);
        var r = store.WriteSecret("abc-token", "ghp_s3cret");
        store.ReadSecret(r).Should().Be("ghp_s3cret");
        var file = Path.Combine(store.SecretsDirectory, r.File!);
        if (!OperatingSystem.IsWindows())
            Convert.ToString((int)File.GetUnixFileMode(file), 8).Should().Be("600");
        store.DeleteSecret(r).Should().BeTrue();
        File.Exists(file).Should().BeFalse();
        store
            .Invoking(s => s.ReadSecret(SecretRef.InVault("V", "n")))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.VaultNotAvailable);
        store.Invoking(s => s.WriteSecret("../x", "y")).Should().Throw<GitIntegrationException>();
    }
}

public class StoreFileTests
{
    [Theory]
    [InlineData("schemaVersion: 1\nintegrations:\n- id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11\n  name: [unclosed\n", 4)]
    [InlineData("schemaVersion: 1\nintegrations:\n- id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11\n  nmae: typo\n", 4)]
    [InlineData("schemaVersion: 1\nintegrations:\n- id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11\n  type: Svn\n", 4)]
    [InlineData(
        "schemaVersion: 1\nintegrations:\n- id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11\n- id: "
            + "6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11\n",
        4
    )]
    [InlineData("\u0000\u0001garbage\u00ff", 1)]
    public void A_store_that_does_not_parse_names_file_line_and_column_and_is_never_rewritten(string content, int line)
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t["s.yaml"]);
        File.WriteAllText(store.Path, content);
        var e = store.Invoking(s => s.Load()).Should().Throw<StoreFormatException>().Which;
        (e.ErrorId, e.Line, e.Target).Should().Be((StoreErrorIds.StoreParseFailed, line, store.Path));
        e.Message.Should().Contain(store.Path).And.Contain($"line {line}, column {e.Column}");
        store
            .Invoking(s =>
                s.Update(d =>
                {
                    d.Integrations.Clear();
                    return 0;
                })
            )
            .Should()
            .Throw<StoreFormatException>();
        File.ReadAllText(store.Path).Should().Be(content);
        File.Exists(store.BackupPath).Should().BeFalse();
    }

    [Fact]
    public void A_store_from_a_newer_schema_is_refused()
    {
        using var t = new TempDir();
        var store = IntegrationStore.Open(t["s.yaml"]);
        File.WriteAllText(store.Path, "schemaVersion: 2\nintegrations: []\n");
        store
            .Invoking(s => s.Load())
            .Should()
            .Throw<StoreFormatException>()
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.StoreSchemaTooNew);
    }

    [Fact]
    public void Default_path_follows_the_environment_variable_then_xdg()
    {
        using var t = new TempDir();
        var old = Environment.GetEnvironmentVariable(IntegrationStore.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(IntegrationStore.EnvironmentVariable, t["x.yml"]);
            IntegrationStore.Open().Path.Should().Be(t["x.yml"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(IntegrationStore.EnvironmentVariable, old);
        }
        if (!OperatingSystem.IsWindows())
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            try
            {
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", t.Path);
                IntegrationStore.DefaultPath().Should().Be(Path.Combine(t.Path, "GitIntegration", "integrations.yaml"));
                // The XDG Base Directory specification: a relative path is invalid and ignored.
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", "relative/config");
                IntegrationStore
                    .DefaultPath()
                    .Should()
                    .Be(
                        Path.Combine(
                            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
                            ".config",
                            "GitIntegration",
                            "integrations.yaml"
                        )
                    );
            }
            finally
            {
                Environment.SetEnvironmentVariable("XDG_CONFIG_HOME", xdg);
            }
        }
    }
}
