using FluentAssertions;
using GitIntegration.Core.Tests.Servers;
using Xunit;

namespace GitIntegration.Core.Tests.IO;

/// <summary>
/// Root passes every permission check, so a suite run as root (CI) never reaches the code for "permission denied".
/// These run the tests' second process as a user without privileges (gi-user, made by tests/run-all.sh) against folders
/// it may read but not write, and expect the typed error each operation promises, not a crash.
/// </summary>
public sealed class PermissionDeniedTests : IDisposable
{
    private const string User = "gi-user";
    private readonly string _root;

    public PermissionDeniedTests()
    {
        Peer.RequireRoot();
        Peer.RequireUser(User);
        // A folder the user can reach (/tmp's own test folders are owner-only) and read, but not write.
        _root = Path.Combine(Path.GetTempPath(), "gi-denied-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        Tool.Ok("chmod", "755", _root);
    }

    public void Dispose() => Directory.Delete(_root, true);

    /// <summary>Runs the second process as the user: its exit code and the "error id kind" line it wrote.</summary>
    private static (int Exit, string Error) AsUser(params string[] args)
    {
        var env = new[] { "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "DOTNET_NOLOGO=1", "DOTNET_EnableDiagnostics=0" };
        var argv = new[] { "-u", User, "--" }.Concat(env).Append("dotnet").Append(SecondProcess.Writer).Concat(args);
        var (exit, _, e) = Tool.Run("runuser", argv);
        return (exit, e.Split('\n').FirstOrDefault(l => l.StartsWith("error ")) ?? e);
    }

    /// <summary>The user owns a folder of its own inside the test's folder.</summary>
    private string UsersFolder(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(dir);
        Tool.Ok("chmod", "700", dir);
        Tool.Ok("chown", User, dir);
        return dir;
    }

    [Fact]
    public void ASecretInAFolderTheUserCannotWrite_IsFileWriteFailed()
    {
        AsUser("write", Path.Combine(_root, "secret"), "s3cret").Should().Be((134, "error FileWriteFailed WriteError"));
        File.Exists(Path.Combine(_root, "secret")).Should().BeFalse();
        Directory.GetFiles(_root).Should().BeEmpty("no temporary file is left behind");
    }

    [Fact]
    public void AKnownHostsFileTheUserCannotWrite_IsKnownHostsWriteFailed()
    {
        var knownHosts = Path.Combine(_root, "known_hosts");
        File.WriteAllText(knownHosts, "");
        Tool.Ok("chmod", "644", knownHosts);
        // The atomic write's own error: KnownHosts.Add's "pass -KnownHostsPath" error is only for a folder it cannot
        // make.
        AsUser("known-host", knownHosts).Should().Be((134, "error FileWriteFailed WriteError"));
        File.ReadAllText(knownHosts).Should().BeEmpty();
        AsUser("known-host", Path.Combine(_root, ".ssh", "known_hosts"))
            .Should()
            .Be((134, "error KnownHostsWriteFailed WriteError"));
        Directory.Exists(Path.Combine(_root, ".ssh")).Should().BeFalse();
    }

    [Fact]
    public void AStoreWhoseQueueTheUserCannotWrite_IsStoreLockedPermissionDenied()
    {
        var dir = UsersFolder("store");
        var store = Path.Combine(dir, "integrations.yaml");
        // The lock's queue folder, left by root: the user cannot put its ticket in it.
        Directory.CreateDirectory(store + ".queue");
        AsUser("add", store, "1", "denied", "5").Should().Be((134, "error StoreLocked PermissionDenied"));
        File.Exists(store).Should().BeFalse("nothing was written without the lock");
    }
}
