using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace GitIntegration.Core.Git;

public sealed class ProcessResult
{
    public int ExitCode { get; set; }
    public string StandardOutput { get; set; } = "";
    public string StandardError { get; set; } = "";
    public bool TimedOut { get; set; }
    public TimeSpan Duration { get; set; }
}

/// <summary>
/// Runs git (and, through it, ssh) to clone and for HTTPS: arguments quoted for CreateProcess and .NET's parser alike,
/// stdin closed (nothing can wait for a keyboard), a time limit, and the whole process tree killed on timeout or
/// cancel.
/// </summary>
public static class ChildProcess
{
    public static ProcessResult Run(
        string file,
        IEnumerable<string> args,
        IDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null,
        CancellationToken cancel = default
    )
    {
        var psi = new ProcessStartInfo(file, string.Join(" ", args.Select(Quote)))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (environment != null)
            foreach (var kv in environment)
            {
                if (kv.Value == null)
                    psi.Environment.Remove(kv.Key);
                else
                    psi.Environment[kv.Key] = kv.Value;
            }
        var watch = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null)
                lock (stdout)
                    stdout.AppendLine(e.Data);
        };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
                lock (stderr)
                    stderr.AppendLine(e.Data);
        };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GitIntegrationException(
                GitErrorIds.ToolNotInstalled,
                ErrorKind.NotInstalled,
                $"Cannot start '{file}': {e.Message}.",
                e
            )
            {
                Target = file,
            };
        }
        p.StandardInput.Close();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        bool timedOut = false;
        using (cancel.Register(() => KillTree(p)))
        {
            if (!p.WaitForExit((int)Math.Min(int.MaxValue, limit.TotalMilliseconds)))
            {
                timedOut = true;
                KillTree(p);
            }
            p.WaitForExit(); // drains the asynchronous readers
        }
        cancel.ThrowIfCancellationRequested();
        return new ProcessResult
        {
            ExitCode = timedOut ? -1 : p.ExitCode,
            StandardOutput = stdout.ToString(),
            StandardError = stderr.ToString(),
            TimedOut = timedOut,
            Duration = watch.Elapsed,
        };
    }

    /// <summary>Kills the process and its children (git starts ssh).</summary>
    public static void KillTree(Process p)
    {
        try
        {
            if (p.HasExited)
                return;
            // Process.Kill(bool entireProcessTree) exists from .NET Core 3.0 (PowerShell 7); Windows PowerShell 5.1 has
            // taskkill.
            var kill = typeof(Process).GetMethod(
                "Kill",
                BindingFlags.Public | BindingFlags.Instance,
                null,
                new[] { typeof(bool) },
                null
            );
            if (kill != null)
                kill.Invoke(p, new object[] { true });
            else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                using (
                    var t = Process.Start(
                        new ProcessStartInfo("taskkill", $"/PID {p.Id} /T /F")
                        {
                            UseShellExecute = false,
                            CreateNoWindow = true,
                        }
                    )
                )
                    t?.WaitForExit(10_000);
            else
                p.Kill();
        }
        catch (InvalidOperationException) { }
        catch (TargetInvocationException) { }
        catch (System.ComponentModel.Win32Exception) { }
    }

    /// <summary>
    /// Quotes one argument so that CommandLineToArgvW (and .NET on Unix, which parses the same way) gives it back
    /// unchanged.
    /// </summary>
    public static string Quote(string arg)
    {
        if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0)
            return arg;
        var sb = new StringBuilder("\"");
        for (int i = 0; i < arg.Length; i++)
        {
            int backslashes = 0;
            while (i < arg.Length && arg[i] == '\\')
            {
                backslashes++;
                i++;
            }
            if (i == arg.Length)
            {
                sb.Append('\\', backslashes * 2);
                break;
            }
            if (arg[i] == '"')
                sb.Append('\\', backslashes * 2 + 1).Append('"');
            else
                sb.Append('\\', backslashes).Append(arg[i]);
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>
/// What the search for a tool looks at: the platform, PATH, a few environment values and which files exist. The search
/// takes it as a parameter so that the Windows rules can be tested with machines described as data.
/// </summary>
internal sealed class ToolEnvironment
{
    public bool IsWindows { get; set; }
    public string Path { get; set; } = "";
    public Func<string, string?> Variable { get; set; } = _ => null;
    public Func<string, bool> FileExists { get; set; } = _ => false;

    public static ToolEnvironment Current =>
        new ToolEnvironment
        {
            IsWindows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows),
            Path = Environment.GetEnvironmentVariable("PATH") ?? "",
            Variable = Environment.GetEnvironmentVariable,
            FileExists = File.Exists,
        };
}

/// <summary>
/// Finds the OpenSSH client and git, which only cloning needs. Unix: PATH. Windows: PATH first (what the admin's own
/// <c>ssh -T</c> runs), then Windows'
/// OpenSSH (System32\OpenSSH, seen as Sysnative\OpenSSH from a 32-bit process), then Git for Windows (machine-wide in
/// each Program Files, or per user under %LOCALAPPDATA%\Programs): its cmd\git.exe, and its bundled ssh in usr\bin.
/// When both ssh builds exist, the OS one wins: it is on PATH by default (Git's usr\bin is not), it uses the Windows
/// ssh-agent service and plain Windows paths, and it is what the hosts' "test your connection" pages have the admin
/// run.
/// Git's bundled ssh serves machines without the OpenSSH capability. Either way git gets the same ssh through
/// GIT_SSH_COMMAND, so a key that passes Test-GitSshKey passes git too.
/// </summary>
public static class Tools
{
    public static string Ssh => Find("ssh");
    public static string Git => Find("git");

    public static string Find(string name) => Find(name, ToolEnvironment.Current);

    internal static string Find(string name, ToolEnvironment env)
    {
        var found = Candidates(name, env).FirstOrDefault(env.FileExists);
        if (found != null)
            return found;
        string remedy,
            where = "";
        if (env.IsWindows)
        {
            where = $", in {string.Join(", ", WindowsLocations(env))}";
            remedy =
                name == "git"
                    ? "Install Git for Windows (winget install --id Git.Git -e)"
                    : "Install the OpenSSH client (Add-WindowsCapability -Online -Name "
                        + "OpenSSH.Client~~~~0.0.1.0) or Git for Windows (winget install --id Git.Git -e)";
        }
        else
            remedy =
                name == "git"
                    ? "Install git (apt-get install git, or your system's package)"
                    : "Install the OpenSSH client (apt-get install openssh-client, or your system's package)";
        var needed =
            name == "git"
                ? "git is needed only to clone (Connect-GitRepository -Clone) and to check HTTPS URLs; "
                    + "SSH checks run without it."
                : "ssh is needed only to clone over SSH (Connect-GitRepository -Clone); SSH checks run without it.";
        throw new GitIntegrationException(
            GitErrorIds.ToolNotInstalled,
            ErrorKind.NotInstalled,
            $"'{name}' was not found on PATH{where}. {needed} {remedy}, then open a new session."
        )
        {
            Target = name,
        };
    }

    /// <summary>Where <paramref name="name"/> is looked for, in order.</summary>
    internal static IEnumerable<string> Candidates(string name, ToolEnvironment env)
    {
        var separator = env.IsWindows ? ';' : ':';
        var dirs = env.Path.Split(separator).Select(d => d.Trim('"')).Where(d => d.Length > 0);
        if (!env.IsWindows)
            return dirs.Select(d => System.IO.Path.Combine(d, name));
        var exe = name + ".exe";
        // A relative PATH entry (".") would run whatever ssh.exe sits in the current folder.
        return dirs.Where(IsRootedWindowsPath).Concat(WindowsLocations(env)).Select(d => d.TrimEnd('\\') + "\\" + exe);
    }

    private static bool IsRootedWindowsPath(string d) =>
        (d.Length >= 3 && d[1] == ':' && (d[2] == '\\' || d[2] == '/'))
        || d.StartsWith(@"\\", StringComparison.Ordinal);

    private static IEnumerable<string> WindowsLocations(ToolEnvironment env)
    {
        var windows = env.Variable("SystemRoot") ?? env.Variable("windir") ?? @"C:\Windows";
        yield return windows + @"\System32\OpenSSH";
        yield return windows + @"\Sysnative\OpenSSH"; // System32 as a 32-bit process (Windows PowerShell x86) sees it
        var roots = new[]
        {
            env.Variable("ProgramW6432"),
            env.Variable("ProgramFiles"),
            env.Variable("ProgramFiles(x86)"),
            env.Variable("LOCALAPPDATA") is string local ? local + @"\Programs" : null,
        };
        foreach (
            var root in roots
                .Where(r => !string.IsNullOrEmpty(r))
                .Select(r => r!.TrimEnd('\\'))
                .Distinct(StringComparer.OrdinalIgnoreCase)
        )
        {
            yield return root + @"\Git\cmd";
            yield return root + @"\Git\usr\bin";
        }
    }
}
