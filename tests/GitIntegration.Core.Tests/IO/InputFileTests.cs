using System.Net.Sockets;
using FluentAssertions;
using GitIntegration.Core.Git;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;
using Xunit;

namespace GitIntegration.Core.Tests.IO;

/// <summary>
/// Every file a user names is read only if it is a regular file, and only up to a limit counted in bytes read:
/// /dev/zero once grew a key read to 4 GB and an OutOfMemoryException, and a FIFO hung it.
/// </summary>
public sealed class InputFileTests
{
    /// <summary>
    /// Runs <paramref name="read"/> and returns what it threw. A read that hangs on a FIFO is released by opening the
    /// FIFO for writing after a generous wait (so the old code fails here instead of hanging the suite).
    /// </summary>
    private static Exception? Outcome(Action read, string? fifo = null)
    {
        var task = Task.Run(read);
        bool Finished() => Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(60))).Result == task;
        if (!Finished() && fifo != null)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { }
            Finished();
            throw new Xunit.Sdk.XunitException($"Reading the FIFO '{fifo}' blocked until something wrote to it.");
        }
        task.IsCompleted.Should().BeTrue("the read must not hang");
        return task.Exception?.InnerException;
    }

    private static string Fifo(TempDir dir, string name)
    {
        Tool.Ok("mkfifo", dir[name]);
        return dir[name];
    }

    [Fact]
    public void AKeyReadFromDevZeroIsRefusedBeforeAnythingIsRead()
    {
        var e = Outcome(() => KeyReader.ReadFile("/dev/zero"));
        var g = e.Should().BeAssignableTo<GitIntegrationException>().Subject;
        g.ErrorId.Should().Be(ErrorIds.FileNotRegular);
        g.Kind.Should().Be(ErrorKind.InvalidArgument);
        g.Target.Should().Be("/dev/zero");
        g.Message.Should().Contain("'/dev/zero' is a character device").And.Contain("key file");
    }

    [Fact]
    public void AKeyReadFromAFifoIsRefusedWithoutWaitingForAWriter()
    {
        using var dir = new TempDir();
        var fifo = Fifo(dir, "id_rsa");
        var e = Outcome(() => KeyReader.ReadFile(fifo), fifo);
        var g = e.Should().BeAssignableTo<GitIntegrationException>().Subject;
        g.ErrorId.Should().Be(ErrorIds.FileNotRegular);
        g.Message.Should().Contain($"'{fifo}' is a named pipe (FIFO)");
    }

    [Fact]
    public void TestingADeviceOrAFifoAsAKeySaysItIsNotOne()
    {
        using var dir = new TempDir();
        var fifo = Fifo(dir, "id_rsa");
        foreach (var path in new[] { "/dev/zero", fifo })
        {
            KeyTestResult? r = null;
            Outcome(() => r = KeyDiagnostics.TestFile(path, null, KeyRequirement.Integration), fifo).Should().BeNull();
            r!.IsValid.Should().BeFalse();
            var f = r.Findings.Should().ContainSingle().Subject;
            f.Id.Should().Be(KeyDiagnostics.Ids.NotAKey);
            f.Message.Should().Contain("not a file");
            f.Remedy.Should().Be("Get-GitSshKey");
        }
    }

    [Fact]
    public void AFolderWithAFifoAndASocketListsItsKeysAndPassesOverTheRest()
    {
        using var dir = new TempDir();
        Tool.Ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir["id_ed25519"]);
        var fifo = Fifo(dir, "agent.fifo");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(dir["cm-git@host:22"]));
        List<(string Path, SshKeyInfo? Info, GitIntegrationException? Error)>? found = null;
        Outcome(() => found = KeyFiles.Find(dir.Path, false).ToList(), fifo).Should().BeNull();
        found!.Select(f => Path.GetFileName(f.Path)).Should().Equal("id_ed25519");
    }

    [Fact]
    public void BulkImportKnownHostsAndTheStoreRefuseDevicesAndFifos()
    {
        using var dir = new TempDir();
        var fifo = Fifo(dir, "store.yaml");
        foreach (
            var (read, path) in new (Action, string)[]
            {
                (() => BulkFiles.ReadFile(fifo, BulkFormat.Tsv, out _), fifo),
                (() => BulkFiles.ReadFile("/dev/zero", BulkFormat.Yaml, out _), "/dev/zero"),
                (() => KnownHosts.Find(fifo, "github.com", 22), fifo),
                (() => KnownHosts.Find("/dev/zero", "github.com", 22), "/dev/zero"),
                (() => IntegrationStore.Open(fifo).Load(), fifo),
                (() => KeyFiles.ReadText("/dev/urandom"), "/dev/urandom"),
            }
        )
        {
            var g = Outcome(read, fifo).Should().BeAssignableTo<GitIntegrationException>().Subject;
            g.ErrorId.Should().Be(ErrorIds.FileNotRegular, path);
            g.Target.Should().Be(path);
        }
    }

    [Fact]
    public void TheLimitCountsBytesReadNotTheLengthTheFileReports()
    {
        // /proc files are regular files that report a length of 0; kallsyms holds megabytes.
        new FileInfo("/proc/kallsyms")
            .Length.Should()
            .Be(0);
        var e = Outcome(() => InputFile.ReadAllBytes("/proc/kallsyms", "test file", 64 * 1024));
        var g = e.Should().BeAssignableTo<GitIntegrationException>().Subject;
        g.ErrorId.Should().Be(ErrorIds.FileTooLarge);
        g.Kind.Should().Be(ErrorKind.LimitsExceeded);
        g.Message.Should().Contain("larger than 64 KiB");
    }

    [Fact]
    public void ARegularFileUpToTheLimitIsReadWholeAndTextKeepsItsEncoding()
    {
        using var dir = new TempDir();
        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(dir["data"], bytes);
        InputFile.ReadAllBytes(dir["data"], "test file", bytes.Length).Should().Equal(bytes);
        Outcome(() => InputFile.ReadAllBytes(dir["data"], "test file", bytes.Length - 1))
            .Should()
            .BeAssignableTo<GitIntegrationException>()
            .Which.ErrorId.Should()
            .Be(ErrorIds.FileTooLarge);
        File.WriteAllText(dir["utf16"], "origin\tname\n", System.Text.Encoding.Unicode);
        InputFile.ReadAllText(dir["utf16"], "test file", 1024).Should().Be("origin\tname\n");
    }

    [Fact]
    public void AFolderIsNotAFile()
    {
        using var dir = new TempDir();
        var e = Outcome(() => BulkFiles.ReadFile(dir.Path, BulkFormat.Tsv, out _));
        var g = e.Should().BeAssignableTo<GitIntegrationException>().Subject;
        g.ErrorId.Should().Be(ErrorIds.FileNotRegular);
        g.Message.Should().Contain("is a folder");
    }
}
