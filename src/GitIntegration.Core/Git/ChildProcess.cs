using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace GitIntegration.Core.Git
{
    /// <summary>Stable error ids of the connection area.</summary>
    public static class GitErrorIds
    {
        public const string UrlNotRecognized = "UrlNotRecognized";
        public const string UrlNotConvertible = "UrlNotConvertible";
        public const string ToolNotInstalled = "ToolNotInstalled";
        public const string ToolFailed = "ToolFailed";
        public const string HostKeyScanFailed = "HostKeyScanFailed";
        public const string KnownHostsWriteFailed = "KnownHostsWriteFailed";
    }

    public sealed class ProcessResult
    {
        public int ExitCode { get; set; }
        public string StandardOutput { get; set; } = "";
        public string StandardError { get; set; } = "";
        public bool TimedOut { get; set; }
        public TimeSpan Duration { get; set; }
    }

    /// <summary>
    /// Runs ssh, ssh-keyscan and git: arguments quoted for CreateProcess and .NET's parser alike, stdin closed
    /// (nothing can wait for a keyboard), a time limit, and the whole process tree killed on timeout or cancel.
    /// </summary>
    public static class ChildProcess
    {
        public static ProcessResult Run(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null,
            TimeSpan? timeout = null, CancellationToken cancel = default)
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
                    if (kv.Value == null) psi.Environment.Remove(kv.Key);
                    else psi.Environment[kv.Key] = kv.Value;
                }
            var watch = Stopwatch.StartNew();
            using var p = new Process { StartInfo = psi };
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
            try { p.Start(); }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new GitIntegrationException(GitErrorIds.ToolNotInstalled, ErrorKind.NotInstalled, $"Cannot start '{file}': {e.Message}.", e) { Target = file };
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

        /// <summary>Kills the process and its children (git starts ssh; ssh may start the askpass helper).</summary>
        public static void KillTree(Process p)
        {
            try
            {
                if (p.HasExited) return;
                // Process.Kill(bool entireProcessTree) exists from .NET Core 3.0 (PowerShell 7); Windows PowerShell 5.1 has taskkill.
                var kill = typeof(Process).GetMethod("Kill", BindingFlags.Public | BindingFlags.Instance, null, new[] { typeof(bool) }, null);
                if (kill != null) kill.Invoke(p, new object[] { true });
                else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    using (var t = Process.Start(new ProcessStartInfo("taskkill", $"/PID {p.Id} /T /F") { UseShellExecute = false, CreateNoWindow = true }))
                        t?.WaitForExit(10_000);
                else p.Kill();
            }
            catch (InvalidOperationException) { }
            catch (TargetInvocationException) { }
            catch (System.ComponentModel.Win32Exception) { }
        }

        /// <summary>Quotes one argument so that CommandLineToArgvW (and .NET on Unix, which parses the same way) gives it back unchanged.</summary>
        public static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            for (int i = 0; i < arg.Length; i++)
            {
                int backslashes = 0;
                while (i < arg.Length && arg[i] == '\\') { backslashes++; i++; }
                if (i == arg.Length) { sb.Append('\\', backslashes * 2); break; }
                if (arg[i] == '"') sb.Append('\\', backslashes * 2 + 1).Append('"');
                else sb.Append('\\', backslashes).Append(arg[i]);
            }
            return sb.Append('"').ToString();
        }
    }

    /// <summary>Finds the OpenSSH client and git on Windows (Windows' own OpenSSH, Git for Windows) and on Unix.</summary>
    public static class Tools
    {
        private static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static string Ssh => Find("ssh");
        public static string SshKeyscan => Find("ssh-keyscan");
        public static string Git => Find("git");

        public static string Find(string name)
        {
            var exe = IsWindows ? name + ".exe" : name;
            var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(d => d.Length > 0).Select(d => Path.Combine(d.Trim('"'), exe));
            if (IsWindows)
            {
                var system = Environment.GetFolderPath(Environment.SpecialFolder.System);
                var programFiles = new[] { Environment.GetEnvironmentVariable("ProgramW6432"), Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles), Environment.GetFolderPath(Environment.SpecialFolder.ProgramFilesX86) }
                    .Where(p => !string.IsNullOrEmpty(p)).Distinct();
                candidates = candidates
                    .Concat(new[] { Path.Combine(system, "OpenSSH", exe) })
                    .Concat(programFiles.SelectMany(pf => new[] { Path.Combine(pf!, "Git", "cmd", exe), Path.Combine(pf!, "Git", "usr", "bin", exe) }));
            }
            var found = candidates.FirstOrDefault(File.Exists);
            if (found != null) return found;
            var remedy = name == "git"
                ? (IsWindows ? "Install Git for Windows (winget install --id Git.Git -e)" : "Install git (apt-get install git, or your system's package)")
                : (IsWindows ? "Install the OpenSSH client (Add-WindowsCapability -Online -Name OpenSSH.Client~~~~0.0.1.0) or Git for Windows"
                             : "Install the OpenSSH client (apt-get install openssh-client, or your system's package)");
            throw new GitIntegrationException(GitErrorIds.ToolNotInstalled, ErrorKind.NotInstalled,
                $"'{name}' was not found on PATH{(IsWindows ? ", in System32\\OpenSSH or in Git for Windows" : "")}. {remedy}, then open a new session.")
            { Target = name };
        }
    }
}
