using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// What Test-GitIntegration, Import-GitIntegration -Verify and Connect-GitRepository decide before and after a
/// repository is verified, against nginx + git-http-backend on 127.0.0.1 (<see cref="HttpsFixture"/>).
/// </summary>
public sealed class IntegrationVerifierTests : IClassFixture<HttpsFixture>, IDisposable
{
    private readonly HttpsFixture _f;
    private readonly TempDir _dir = new();
    private readonly IntegrationStore _store;

    public IntegrationVerifierTests(HttpsFixture f)
    {
        _f = f;
        _store = IntegrationStore.Open(_dir["store/integrations.yaml"]);
    }

    public void Dispose() => _dir.Dispose();

    private static readonly VerificationOptions Options = new() { Timeout = TimeSpan.FromSeconds(60) };

    private Integration Stored(
        string name,
        string? repository,
        SecretRef? passphrase = null,
        IntegrationStatus status = IntegrationStatus.Unverified
    )
    {
        var i = new Integration
        {
            Name = name,
            Type = IntegrationType.Https,
            Status = status,
            SslVerify = false,
            Url = repository == null ? null : _f.Server.Url(repository),
            TokenRef = _store.WriteSecret(name + "-token", HttpsFixture.Token),
            PassphraseRef = passphrase,
        };
        i.Properties["UserName"] = HttpsFixture.User;
        _store.Update(d =>
        {
            d.Integrations.Add(i);
            return 0;
        });
        return i;
    }

    private static GitConnectionResult Run(IntegrationVerifier verifier, Integration i)
    {
        var check = verifier.Prepare(i)!;
        var result = check(default);
        return verifier.Finish(i, () => result);
    }

    [Fact]
    public void KnownHostsDefaultToTheStoresOwnFile()
    {
        var access = Options.Access(_store, null);
        access.KnownHostsPath.Should().Be(Path.Combine(Path.GetDirectoryName(_store.Path)!, "known_hosts"));
        access.Timeout.Should().Be(TimeSpan.FromSeconds(60));
        var options = new VerificationOptions { KnownHostsPath = _dir["kh"], AcceptNewHostKey = true };
        var given = options.Access(_store, null);
        given.KnownHostsPath.Should().Be(_dir["kh"]);
        given.AcceptNewHostKey.Should().BeTrue();
    }

    [Fact]
    public void AllVerifiedUntilOneRepositoryDoesNotWork()
    {
        var web = Stored("web", "web");
        var missing = Stored("missing", "nothing-here");
        using var verifier = new IntegrationVerifier(_store, Options);

        Run(verifier, web).Success.Should().BeTrue();
        verifier.AllVerified.Should().BeTrue();
        _store.Load().Find(web.Id)!.Status.Should().Be(IntegrationStatus.Connected);

        Run(verifier, missing).Reason.Should().Be(ConnectionFailure.RepositoryNotFound);
        verifier.AllVerified.Should().BeFalse();
        _store.Load().Find(missing.Id)!.Status.Should().Be(IntegrationStatus.Failed, "the outcome is recorded");
        Run(verifier, web).Success.Should().BeTrue();
        verifier.AllVerified.Should().BeFalse("one that failed stays failed");
    }

    [Fact]
    public void AnIntegrationThatCannotBeCheckedIsNotVerified()
    {
        var lost = Stored("lost", "web", SecretRef.InFile("gone"));
        using var verifier = new IntegrationVerifier(_store, Options);
        verifier
            .Invoking(v => v.Prepare(lost))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.SecretNotFound);
        verifier.AllVerified.Should().BeFalse();
    }

    [Fact]
    public void AnIntegrationWithoutUrlHasNothingToVerify()
    {
        var bare = Stored("bare", null);
        using var verifier = new IntegrationVerifier(_store, Options);
        verifier.Prepare(bare).Should().BeNull();
        verifier.AllVerified.Should().BeTrue();
    }

    [Fact]
    public void AFailingCheckIsNotVerified()
    {
        var web = Stored("web", "web");
        using var verifier = new IntegrationVerifier(_store, Options);
        var failure = new GitIntegrationException(StoreErrorIds.StoreLocked, ErrorKind.ResourceUnavailable, "Locked.");
        verifier
            .Invoking(v => v.Finish(web, () => throw failure))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.Should()
            .BeSameAs(failure);
        verifier.AllVerified.Should().BeFalse();
    }

    [Fact]
    public void AnImportVerifiesTheRowsItImportedThatAreNotDisabled()
    {
        var created = Stored("created", "web");
        var updated = Stored("updated", "web");
        var unchanged = Stored("unchanged", "web");
        var disabled = Stored("disabled", "web", status: IntegrationStatus.Disabled);
        var skipped = Stored("skipped", "web");
        ImportResult Row(int n, Guid? id, ImportAction action) =>
            new()
            {
                Row = n,
                Id = id,
                Action = action,
            };
        var results = new[]
        {
            Row(1, created.Id, ImportAction.Created),
            Row(2, updated.Id, ImportAction.Updated),
            Row(3, unchanged.Id, ImportAction.Unchanged),
            Row(4, disabled.Id, ImportAction.Unchanged),
            Row(5, skipped.Id, ImportAction.Skipped),
            Row(6, null, ImportAction.Failed),
            Row(7, Guid.NewGuid(), ImportAction.Created),
            Row(8, created.Id, ImportAction.WouldCreate),
        };
        using var verifier = new IntegrationVerifier(_store, Options);
        verifier
            .ImportedRows(results)
            .Select(r => (r.Row.Row, r.Integration.Name))
            .Should()
            .Equal((1, "created"), (2, "updated"), (3, "unchanged"));
    }

    [Fact]
    public void AnImportedRowGetsItsStatusAndWhyItDidNotVerify()
    {
        var web = Stored("web", "web");
        var missing = Stored("missing", "nothing-here");
        using var verifier = new IntegrationVerifier(_store, Options);
        var good = new ImportResult
        {
            Row = 2,
            Id = web.Id,
            Action = ImportAction.Created,
        };
        var bad = new ImportResult
        {
            Row = 3,
            Id = missing.Id,
            Action = ImportAction.Created,
        };

        var goodResult = verifier.Prepare(web)!(default);
        verifier.FinishRow(good, web, () => goodResult).Should().BeNull();
        good.Status.Should().Be(IntegrationStatus.Connected);
        good.Reason.Should().BeNull();

        var badResult = verifier.Prepare(missing)!(default);
        var failure = verifier.FinishRow(bad, missing, () => badResult);
        failure!.ErrorId.Should().Be(ConnectionErrorIds.RepositoryNotFound);
        bad.Status.Should().Be(IntegrationStatus.Failed);
        bad.Reason.Should().Be("RepositoryNotFound");
        bad.Error.Should().StartWith("Row 3: ").And.Contain(_f.Server.Url("nothing-here"));

        var thrown = new ImportResult
        {
            Row = 4,
            Id = web.Id,
            Action = ImportAction.Updated,
        };
        var locked = new GitIntegrationException(StoreErrorIds.StoreLocked, ErrorKind.ResourceUnavailable, "Locked.");
        verifier.FinishRow(thrown, web, () => throw locked).Should().BeSameAs(locked);
        thrown.Reason.Should().Be(StoreErrorIds.StoreLocked);
        thrown.Error.Should().Be("Row 4: Locked.");
        thrown.Status.Should().BeNull("nothing was recorded");
    }

    [Fact]
    public void AConnectionIsRefusedBeforeAnythingConnectsWhenItsKeyIsMissingOrMisplaced()
    {
        var stored = _store.Load();
        var options = new ConnectOptions();
        var missingKey = new GitAccess { KeyPath = _dir["no-such-key"] };
        FluentActions
            .Invoking(() => RepositoryConnector.Prepare(stored, "git@example.com:a/b.git", missingKey, options))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.Should()
            .Match<GitIntegrationException>(e =>
                e.ErrorId == ErrorIds.KeyFileNotFound
                && e.Message.Contains(_dir["no-such-key"])
                && e.Message.Contains("-KeyPath")
            );

        var key = _dir["id_rsa"];
        File.WriteAllText(key, "a key file");
        var https = "https://example.com/a/b.git";
        FluentActions
            .Invoking(() => RepositoryConnector.Prepare(stored, https, new GitAccess { KeyPath = key }, options))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.Should()
            .Match<GitIntegrationException>(e =>
                e.ErrorId == GitErrorIds.UrlNotConvertible
                && e.Message.Contains("git@example.com:a/b.git")
                && e.Message.Contains("-Credential")
            );
        RepositoryConnector
            .Prepare(stored, https, new GitAccess { KeyPath = key, Token = "t" }, options)
            .Url.ToString()
            .Should()
            .Be(https, "with a token the key is not what connects");
        FluentActions
            .Invoking(() => RepositoryConnector.Prepare(stored, "not a url", new GitAccess(), options))
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(GitErrorIds.UrlNotRecognized);
    }

    [Fact]
    public void AConnectionClonesIntoTheRepositorysNameUnlessToldWhere()
    {
        var stored = _store.Load();
        string Resolve(string p) => Path.Combine("/work/here", p);
        var url = "git@example.com:team/app.git";
        var plain = RepositoryConnector.Prepare(
            stored,
            url,
            new GitAccess(),
            new ConnectOptions
            {
                Name = "app",
                Requirement = KeyRequirement.GitHub,
                ResolvePath = Resolve,
            }
        );
        plain.CloneTo.Should().BeNull("without -Clone nothing is cloned");
        plain.Name.Should().Be("app");
        plain.Requirement.Should().Be(KeyRequirement.GitHub);
        RepositoryConnector
            .Prepare(stored, url, new GitAccess(), new ConnectOptions { Clone = true, ResolvePath = Resolve })
            .CloneTo.Should()
            .Be("/work/here/app");
        RepositoryConnector
            .Prepare(
                stored,
                url,
                new GitAccess(),
                new ConnectOptions
                {
                    Clone = true,
                    Destination = "src/app2",
                    ResolvePath = Resolve,
                }
            )
            .CloneTo.Should()
            .Be("/work/here/src/app2");
    }

    [Fact]
    public void AConnectionKeepsTheNameARepositoryIsStoredUnder()
    {
        var web = Stored("web", "web");
        var stored = _store.Load();
        var same = RepositoryConnector.Prepare(stored, web.Url!, new GitAccess(), new ConnectOptions { Name = "web" });
        same.Name.Should().Be("web");
        RepositoryConnector.Prepare(stored, web.Url!, new GitAccess(), new ConnectOptions()).Name.Should().BeNull();
        FluentActions
            .Invoking(() =>
                RepositoryConnector.Prepare(stored, web.Url!, new GitAccess(), new ConnectOptions { Name = "other" })
            )
            .Should()
            .Throw<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(StoreErrorIds.UrlStoredUnderOtherName);
    }
}
