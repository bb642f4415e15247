using System.Diagnostics;
using System.Text.RegularExpressions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Tests.Servers;

namespace GitIntegration.Core.Tests.IO;

/// <summary>A file or folder a process created, as strace saw the system call: its path and the mode asked for.</summary>
public sealed record Creation(string Call, string Path, string Flags, int Mode)
{
    public bool Exclusive => Flags.Contains("O_EXCL");
    public string Octal => Convert.ToString(Mode, 8);
    public override string ToString() => $"{Call} {Path} {Flags} 0{Octal}";
}

/// <summary>
/// The tests' second process (tests/GitIntegration.StoreWriter) started the way an admin's session starts: under a given
/// umask (set in a shell just before exec, so this test process keeps its own), and traced by strace when the question
/// is with which permissions a file first came into existence, which no later look at the file can tell.
/// </summary>
public static class SecondProcess
{
    public static readonly string Writer = Path.Combine(AppContext.BaseDirectory, "GitIntegration.StoreWriter.dll");

    private static readonly Regex Created = new(
        @"^(?<call>open|openat|creat|mkdir|mkdirat)\((?:AT_FDCWD, |\d+, )?""(?<path>(?:[^""\\]|\\.)*)""(?:, (?<flags>[A-Z_|]+))?(?:, (?<mode>0[0-7]*))?\)\s*=\s*(?<rc>-?\d+)");

    /// <summary>Runs the writer to the end; throws when it fails.</summary>
    public static string Run(string umask, params string[] args) => Traced(umask, args).Out;

    /// <summary>Runs the writer under strace and returns what it printed and every file and folder it created.</summary>
    public static (string Out, List<Creation> Created) Traced(string umask, params string[] args)
    {
        Peer.Require("strace", "strace");
        using var logs = new TempDir();
        var (exit, o, e) = Tool.Run("strace", new[] { "-ff", "-qq", "--seccomp-bpf", "-e", "trace=open,openat,creat,mkdir,mkdirat", "-o", logs["trace"] }
            .Concat(InShell(umask, args)));
        if (exit != 0) throw new InvalidOperationException($"the writer failed ({exit}): {e}{o}");
        var created = Directory.GetFiles(logs.Path).SelectMany(File.ReadLines).Select(l => Created.Match(l))
            .Where(m => m.Success && !m.Groups["rc"].Value.StartsWith('-') && (m.Groups["call"].Value.StartsWith("mkdir") ||
                        m.Groups["call"].Value == "creat" || m.Groups["flags"].Value.Contains("O_CREAT")))
            .Select(m => new Creation(m.Groups["call"].Value, Regex.Unescape(m.Groups["path"].Value), m.Groups["flags"].Value,
                Convert.ToInt32(m.Groups["mode"].Value, 8)))
            .ToList();
        return (o, created);
    }

    /// <summary>Starts the writer (not traced) under a umask and a temporary folder of its own, for a test that talks to it or kills it.</summary>
    public static Process Start(string umask, string? tmpdir, params string[] args)
    {
        var psi = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in InShell(umask, args).Skip(1)) psi.ArgumentList.Add(a);
        if (tmpdir != null) psi.Environment["TMPDIR"] = tmpdir;
        psi.Environment["DOTNET_EnableDiagnostics"] = "0"; // no debugger pipes of .NET's own in that temporary folder
        return Process.Start(psi)!;
    }

    private static IEnumerable<string> InShell(string umask, string[] args) =>
        new[] { "sh", "-c", $"umask {umask}; exec dotnet \"$@\"", "sh", Writer }.Concat(args);

    public static int Mode(string path) => SecureFile.UnixMode(path)!.Value;
}

/// <summary>Another local user of the machine (created by tests/run-all.sh), who tries to get at this user's secrets.</summary>
public static class Attacker
{
    public const string User = "gi-attacker";

    /// <summary>Runs a sh script as that user (arguments as $1, $2...); true when it succeeded.</summary>
    public static bool Try(string script, params string[] args)
    {
        Peer.RequireRoot();
        Peer.RequireUser(User);
        return Tool.Run("runuser", new[] { "-u", User, "--", "sh", "-c", script, "sh" }.Concat(args)).Exit == 0;
    }
}
