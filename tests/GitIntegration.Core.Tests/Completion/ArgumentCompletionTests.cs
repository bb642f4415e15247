using FluentAssertions;
using GitIntegration.Core.Completion;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Completion;

/// <summary>What Tab offers for -Name, -Organization and key paths (the cmdlets' completers only wrap these).</summary>
public sealed class ArgumentCompletionTests : IClassFixture<ArgumentCompletionTests.SshFolder>
{
    /// <summary>
    /// A ~/.ssh stand-in: two private keys (one with its .pub), a lone .pub, and files that are not keys.
    /// </summary>
    public sealed class SshFolder : IDisposable
    {
        public TempDir Dir { get; } = new();

        public SshFolder()
        {
            KeyFiles.Generate(
                Dir["id_ed25519"],
                KeyAlgorithm.Ed25519,
                null,
                PrivateKeyFormat.OpenSsh,
                null,
                "me",
                false
            );
            KeyFiles.Generate(Dir["jira rsa"], KeyAlgorithm.Ecdsa, 256, PrivateKeyFormat.Pem, "pass", "jira", false);
            File.Copy(Dir["id_ed25519.pub"], Dir["colleague.pub"]);
            File.WriteAllText(
                Dir["known_hosts"],
                "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
            );
            File.WriteAllText(Dir["config"], "Host *\n  IdentitiesOnly yes\n");
            File.WriteAllText(Dir["notes.txt"], "not a key");
        }

        public void Dispose() => Dir.Dispose();
    }

    private readonly TempDir _ssh;

    public ArgumentCompletionTests(SshFolder f) => _ssh = f.Dir;

    private static StoreDocument Store(params (string Name, string? Org)[] items)
    {
        var doc = new StoreDocument();
        foreach (var (name, org) in items)
            doc.Integrations.Add(
                new Integration
                {
                    Name = name,
                    Organization = org,
                    Type = IntegrationType.GitHubApp,
                    Url = $"https://github.com/{org}/{name}",
                }
            );
        return doc;
    }

    [Theory]
    [InlineData("billing", "billing")]
    [InlineData("", "''")]
    [InlineData("billing api", "'billing api'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("$env", "'$env'")]
    [InlineData("a;b", "'a;b'")]
    [InlineData("/home/me/.ssh/id_rsa", "/home/me/.ssh/id_rsa")]
    [InlineData(@"C:\Users\Jo Doe\.ssh\id_rsa", @"'C:\Users\Jo Doe\.ssh\id_rsa'")]
    public void Values_are_quoted_only_when_PowerShell_would_split_or_expand_them(string value, string expected) =>
        new CompletionCandidate(value, "").CompletionText.Should().Be(expected);

    [Fact]
    public void Integration_names_complete_by_prefix_ignoring_case_and_an_opened_quote()
    {
        var doc = Store(("billing-api", "acme"), ("Billing web", "acme"), ("ops", "platform"));
        ArgumentCompletion
            .IntegrationNames(doc, "bil")
            .Select(c => c.Value)
            .Should()
            .Equal("Billing web", "billing-api");
        ArgumentCompletion
            .IntegrationNames(doc, "'Billing w")
            .Select(c => c.CompletionText)
            .Should()
            .Equal("'Billing web'");
        ArgumentCompletion.IntegrationNames(doc, "").Should().HaveCount(3);
        ArgumentCompletion.IntegrationNames(doc, "x").Should().BeEmpty();
        ArgumentCompletion
            .IntegrationNames(doc, "ops")
            .Single()
            .ToolTip.Should()
            .Contain("GitHubApp")
            .And.Contain("https://github.com/platform/ops");
    }

    [Fact]
    public void Organizations_are_the_stores_own_each_once()
    {
        var doc = Store(("a", "acme"), ("b", "Acme"), ("c", "platform"), ("d", null), ("e", ""));
        ArgumentCompletion.Organizations(doc, "").Select(c => c.Value).Should().Equal("acme", "platform");
        ArgumentCompletion.Organizations(doc, "ac").Single().ToolTip.Should().Be("acme: a, b");
        ArgumentCompletion.Organizations(doc, "z").Should().BeEmpty();
    }

    [Fact]
    public void Key_paths_are_the_key_files_of_the_folder_as_full_paths()
    {
        ArgumentCompletion
            .KeyPaths("", _ssh.Path)
            .Select(c => Path.GetFileName(c.Value))
            .Should()
            .Equal("colleague.pub", "id_ed25519", "jira rsa");
        var jira = ArgumentCompletion.KeyPaths("jir", _ssh.Path).Single();
        jira.Value.Should().Be(_ssh["jira rsa"]);
        jira.CompletionText.Should().Be($"'{_ssh["jira rsa"]}'");
        jira.ToolTip.Should().Be("Ecdsa 256 Pem encrypted");
        ArgumentCompletion.KeyPaths("colleague", _ssh.Path).Single().ToolTip.Should().Be("Ed25519 256 PublicOpenSsh");
    }

    [Fact]
    public void Key_paths_complete_from_a_full_path_or_a_tilde_path_and_leave_other_folders_to_PowerShell()
    {
        ArgumentCompletion.KeyPaths(_ssh["id_"], _ssh.Path).Select(c => c.Value).Should().Equal(_ssh["id_ed25519"]);
        ArgumentCompletion
            .KeyPaths($"~/{Path.GetFileName(_ssh.Path)}/id", _ssh.Path)
            .Select(c => c.Value)
            .Should()
            .Equal(_ssh["id_ed25519"]);
        ArgumentCompletion.KeyPaths("./elsewhere/id", _ssh.Path).Should().BeEmpty();
        ArgumentCompletion.KeyPaths("", Path.Combine(_ssh.Path, "missing")).Should().BeEmpty();
    }
}
