using FluentAssertions;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Store;

/// <summary>
/// The store file an admin reads, diffs and edits by hand: a fixed key order, nulls left out, secret references on
/// one line, properties sorted and quoted, multi-line text as a literal block, and nothing else.
/// </summary>
public class StoreYamlWriteTests
{
    private static readonly Guid JiraId = Guid.Parse("6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11");
    private static readonly Guid BareId = Guid.Parse("0b7e3f5a-2c4d-4e6f-8a9b-1c2d3e4f5a6b");

    private static StoreDocument Document() =>
        new()
        {
            Integrations =
            {
                new Integration
                {
                    Id = JiraId,
                    Name = "jira",
                    Type = IntegrationType.GitHubApp,
                    Url = "https://github.com/acme",
                    HostUrl = "https://github.com",
                    Organization = "acme",
                    PrivateKeyPath = "/keys/app.pem",
                    PassphraseRef = SecretRef.InVault("Vault", "pp"),
                    TokenRef = SecretRef.InFile("token.secret"),
                    WebhookSecretRef = SecretRef.InFile("hook.secret"),
                    SslVerify = false,
                    RequireUserPat = true,
                    RepositoryFilter = "repo-x",
                    Status = IntegrationStatus.Active,
                    LastVerified = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.FromHours(2)),
                    CreatedAt = new DateTimeOffset(2024, 4, 1, 8, 30, 0, TimeSpan.Zero),
                    UpdatedAt = new DateTimeOffset(2024, 4, 2, 9, 45, 0, TimeSpan.Zero),
                    // Not a sorted dictionary: the file is sorted all the same.
                    Properties = new Dictionary<string, string>
                    {
                        ["note"] = "two\nlines",
                        ["appId"] = "42",
                        ["intro"] = "\nafter a blank line",
                    },
                },
                new Integration
                {
                    Id = BareId,
                    Name = "bare",
                    CreatedAt = new DateTimeOffset(2024, 4, 1, 8, 30, 0, TimeSpan.Zero),
                    UpdatedAt = new DateTimeOffset(2024, 4, 1, 8, 30, 0, TimeSpan.Zero),
                },
            },
        };

    [Fact]
    public void The_store_file_is_written_in_a_fixed_readable_form()
    {
        StoreYaml
            .Write(Document())
            .Should()
            .Be(
                """
                schemaVersion: 1
                integrations:
                - id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11
                  name: jira
                  type: GitHubApp
                  url: https://github.com/acme
                  hostUrl: https://github.com
                  organization: acme
                  privateKeyPath: /keys/app.pem
                  passphraseRef: {vault: Vault, name: pp}
                  tokenRef: {file: token.secret}
                  webhookSecretRef: {file: hook.secret}
                  sslVerify: false
                  requireUserPat: true
                  repositoryFilter: repo-x
                  status: Active
                  lastVerified: 2024-05-01T10:00:00.0000000+02:00
                  createdAt: 2024-04-01T08:30:00.0000000+00:00
                  updatedAt: 2024-04-02T09:45:00.0000000+00:00
                  properties:
                    appId: "42"
                    intro: |2-

                      after a blank line
                    note: |-
                      two
                      lines
                - id: 0b7e3f5a-2c4d-4e6f-8a9b-1c2d3e4f5a6b
                  name: bare
                  type: Generic
                  sslVerify: true
                  requireUserPat: false
                  status: Connected
                  createdAt: 2024-04-01T08:30:00.0000000+00:00
                  updatedAt: 2024-04-01T08:30:00.0000000+00:00

                """.ReplaceLineEndings("\n")
            );
    }

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var doc = Document();

        var back = StoreYaml.Read(new StringReader(StoreYaml.Write(doc)), "s.yaml").Integrations;

        back.Should().HaveCount(2);
        for (int n = 0; n < 2; n++)
        {
            back[n].SameSettings(doc.Integrations[n]).Should().BeTrue();
            (back[n].CreatedAt, back[n].UpdatedAt, back[n].LastVerified)
                .Should()
                .Be((doc.Integrations[n].CreatedAt, doc.Integrations[n].UpdatedAt, doc.Integrations[n].LastVerified));
        }
    }
}
