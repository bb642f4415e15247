using FluentAssertions;
using GitIntegration.Core.Git;
using Xunit;

namespace GitIntegration.Core.Tests.Git;

/// <summary>
/// Where ssh and git are found, with machines described as data (Windows cannot run here): the PATH, the environment
/// values and the files of real installs (Windows' OpenSSH capability, Git for Windows machine-wide and per user).
/// </summary>
public sealed class ToolDiscoveryTests
{
    private const string OsSsh = @"C:\WINDOWS\System32\OpenSSH\ssh.exe";
    private const string GitCmd = @"C:\Program Files\Git\cmd\git.exe";
    private const string GitSsh = @"C:\Program Files\Git\usr\bin\ssh.exe";

    // A Windows 11 PATH as the OS and the Git for Windows installer (default choice: Git from the command line) leave
    // it.
    private const string DefaultPath =
        @"C:\WINDOWS\system32;C:\WINDOWS;C:\WINDOWS\System32\Wbem;C:\WINDOWS\System32\WindowsPowerShell\v1.0\;"
        + @"C:\WINDOWS\System32\OpenSSH\;C:\Program Files\Git\cmd;C:\Users\admin\AppData\Local\Microsoft\WindowsApps;";

    private static ToolEnvironment Windows(string path, params string[] files)
    {
        var variables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["SystemRoot"] = @"C:\WINDOWS",
            ["ProgramW6432"] = @"C:\Program Files",
            ["ProgramFiles"] = @"C:\Program Files",
            ["ProgramFiles(x86)"] = @"C:\Program Files (x86)",
            ["LOCALAPPDATA"] = @"C:\Users\admin\AppData\Local",
        };
        var existing = new HashSet<string>(files, StringComparer.OrdinalIgnoreCase); // NTFS names ignore case
        return new ToolEnvironment
        {
            IsWindows = true,
            Path = path,
            Variable = v => variables.GetValueOrDefault(v),
            FileExists = existing.Contains,
        };
    }

    [Fact]
    public void WindowsWithTheOpenSshCapabilityAndGitForWindowsUsesTheOsSshAndGitsCmd()
    {
        var machine = Windows(DefaultPath, OsSsh, GitCmd, GitSsh, @"C:\WINDOWS\System32\OpenSSH\ssh-keyscan.exe");
        Tools.Find("ssh", machine).Should().Be(@"C:\WINDOWS\System32\OpenSSH\ssh.exe");
        Tools.Find("ssh-keyscan", machine).Should().Be(@"C:\WINDOWS\System32\OpenSSH\ssh-keyscan.exe");
        Tools.Find("git", machine).Should().Be(@"C:\Program Files\Git\cmd\git.exe");
    }

    [Fact]
    public void OsSshIsPreferredToGitsBundledSshEvenWhenPathHasNeither()
    {
        // A service account's trimmed PATH: both installs present, neither on PATH.
        var machine = Windows(@"C:\Windows\system32;C:\Windows", OsSsh, GitCmd, GitSsh);
        Tools.Find("ssh", machine).Should().Be(@"C:\WINDOWS\System32\OpenSSH\ssh.exe");
        Tools.Find("git", machine).Should().Be(GitCmd);
    }

    [Fact]
    public void GitsBundledSshServesAMachineWithoutTheOpenSshCapability()
    {
        // Windows Server 2016: no OpenSSH capability; Git's usr\bin is not on PATH by default.
        var machine = Windows(@"C:\Windows\system32;C:\Windows;C:\Program Files\Git\cmd", GitCmd, GitSsh);
        Tools.Find("ssh", machine).Should().Be(GitSsh);
    }

    [Fact]
    public void PathOrderChosenByTheAdminWins()
    {
        // The installer's "Git and optional Unix tools from the Command Prompt" puts usr\bin on PATH, ahead of OpenSSH
        // here.
        var machine = Windows(
            @"C:\Program Files\Git\cmd;""C:\Program Files\Git\usr\bin"";C:\WINDOWS\System32\OpenSSH\",
            OsSsh,
            GitCmd,
            GitSsh
        );
        Tools.Find("ssh", machine).Should().Be(GitSsh);
    }

    [Fact]
    public void A32BitProcessFindsTheOsSshThroughSysnative()
    {
        // Windows PowerShell (x86): System32 is redirected to SysWOW64, which has no OpenSSH; Sysnative shows the real
        // System32.
        var machine = Windows(
            DefaultPath,
            @"C:\WINDOWS\Sysnative\OpenSSH\ssh.exe",
            @"C:\Program Files\Git\usr\bin\ssh.exe"
        );
        Tools.Find("ssh", machine).Should().Be(@"C:\WINDOWS\Sysnative\OpenSSH\ssh.exe");
    }

    [Fact]
    public void PerUserGitForWindowsIsFound()
    {
        var machine = Windows(@"C:\Windows\system32", @"C:\Users\admin\AppData\Local\Programs\Git\cmd\git.exe");
        Tools.Find("git", machine).Should().Be(@"C:\Users\admin\AppData\Local\Programs\Git\cmd\git.exe");
    }

    [Fact]
    public void RelativePathEntriesAreNeverSearchedOnWindows()
    {
        var machine = Windows(@".;tools;C:\WINDOWS\System32\OpenSSH", @".\ssh.exe", @"tools\ssh.exe", OsSsh);
        Tools
            .Candidates("ssh", machine)
            .Should()
            .NotContain(c => !c.StartsWith(@"C:\", StringComparison.OrdinalIgnoreCase));
        Tools.Find("ssh", machine).Should().Be(@"C:\WINDOWS\System32\OpenSSH\ssh.exe");
    }

    [Fact]
    public void WindowsCandidateOrder()
    {
        var machine = Windows(@"C:\Tools\;""D:\Apps\bin""");
        Tools
            .Candidates("ssh", machine)
            .Should()
            .Equal(
                @"C:\Tools\ssh.exe",
                @"D:\Apps\bin\ssh.exe",
                @"C:\WINDOWS\System32\OpenSSH\ssh.exe",
                @"C:\WINDOWS\Sysnative\OpenSSH\ssh.exe",
                @"C:\Program Files\Git\cmd\ssh.exe",
                @"C:\Program Files\Git\usr\bin\ssh.exe",
                @"C:\Program Files (x86)\Git\cmd\ssh.exe",
                @"C:\Program Files (x86)\Git\usr\bin\ssh.exe",
                @"C:\Users\admin\AppData\Local\Programs\Git\cmd\ssh.exe",
                @"C:\Users\admin\AppData\Local\Programs\Git\usr\bin\ssh.exe"
            );
    }

    [Fact]
    public void MissingSshOnWindowsIsATypedErrorSayingWhereItLookedAndWhatToInstall()
    {
        var act = () => Tools.Find("ssh", Windows(DefaultPath, GitCmd));
        var e = act.Should().Throw<GitIntegrationException>().Which;
        e.ErrorId.Should().Be(GitErrorIds.ToolNotInstalled);
        e.Kind.Should().Be(ErrorKind.NotInstalled);
        e.Target.Should().Be("ssh");
        e.Message.Should()
            .Contain("'ssh' was not found")
            .And.Contain(@"C:\WINDOWS\System32\OpenSSH")
            .And.Contain(@"C:\Program Files\Git\usr\bin")
            .And.Contain("Add-WindowsCapability -Online -Name OpenSSH.Client")
            .And.Contain("Git for Windows");
    }

    [Fact]
    public void MissingGitOnWindowsSaysToInstallGitForWindows()
    {
        var act = () => Tools.Find("git", Windows(DefaultPath, OsSsh));
        act.Should()
            .Throw<GitIntegrationException>()
            .Which.Message.Should()
            .Contain("winget install --id Git.Git -e")
            .And.NotContain("OpenSSH.Client");
    }

    [Fact]
    public void UnixSearchesPathOnlyInOrder()
    {
        var machine = new ToolEnvironment
        {
            IsWindows = false,
            Path = "/usr/local/bin:/usr/bin::/bin",
            FileExists = f => f is "/usr/bin/ssh" or "/bin/ssh",
        };
        Tools.Candidates("ssh", machine).Should().Equal("/usr/local/bin/ssh", "/usr/bin/ssh", "/bin/ssh");
        Tools.Find("ssh", machine).Should().Be("/usr/bin/ssh");
        var act = () => Tools.Find("ssh", new ToolEnvironment { IsWindows = false, Path = "/usr/bin" });
        act.Should()
            .Throw<GitIntegrationException>()
            .Which.Message.Should()
            .Be(
                "'ssh' was not found on PATH. ssh is needed only to clone over SSH (Connect-GitRepository "
                    + "-Clone); SSH checks run without it. Install the OpenSSH client (apt-get install "
                    + "openssh-client, or your system's package), then open a new session."
            );
    }

    [Fact]
    public void ThisMachineFindsTheSshAndGitThatItsShellFinds()
    {
        Tools.Ssh.Should().Be(Tool.Ok("sh", "-c", "command -v ssh").Trim());
        Tools.Git.Should().Be(Tool.Ok("sh", "-c", "command -v git").Trim());
    }
}
