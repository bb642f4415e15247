using System.Diagnostics;
using System.Text.RegularExpressions;
using GitIntegration.Core.IO;
using GitIntegration.Core.Tests.Servers;

namespace GitIntegration.Core.Tests.IO;

/// <summary>A file or folder a process created, as strace saw the call: its path and the mode asked for.</summary>
public sealed record Creation(string Call, string Path, string Flags, int Mode)
{
    public bool Exclusive => Flags.Contains("O_EXCL");
    public string Octal => Convert.ToString(Mode, 8);

    public override string ToString() => $"{Call} {Path} {Flags} 0{Octal}";
}

/// <summary>
/// The tests' second process (tests/GitIntegration.StoreWriter) started the way an admin's session starts: under a
/// given umask (set in a shell just before exec, so this test process keeps its own), and traced by strace when the
/// question is with which permissions a file first came into existence, which no later look at the file can tell.
/// </summary>
public static class SecondProcess
{
    public static readonly string Writer = Path.Combine(AppContext.BaseDirectory, "GitIntegration.StoreWriter.dll");

    // openat(AT_FDCWD, "/path", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 3, or mkdir("/path", 0700) = 0
    private static readonly Regex Created = new(
        @"^(?<call>open|openat|creat|mkdir|mkdirat)\((?:AT_FDCWD, |\d+, )?"
            + @"""(?<path>(?:[^""\\]|\\.)*)""(?:, (?<flags>[A-Z_|]+))?(?:, (?<mode>0[0-7]*))?\)\s*=\s*(?<rc>-?\d+)"
    );
    private static readonly string[] Strace =
    {
        "-ff",
        "-qq",
        "--seccomp-bpf",
        "-e",
        "trace=open,openat,creat,mkdir,mkdirat",
        "-o",
    };

    /// <summary>Runs the writer to the end; throws when it fails.</summary>
    public static string Run(string umask, params string[] args) => Traced(umask, args).Out;

    /// <summary>Runs the writer under strace: what it printed, and every file and folder it created.</summary>
    public static (string Out, List<Creation> Created) Traced(string umask, params string[] args)
    {
        Peer.Require("strace", "strace");
        using var logs = new TempDir();
        var (exit, o, e) = Tool.Run("strace", Strace.Append(logs["trace"]).Concat(InShell(umask, args)));
        if (exit != 0)
            throw new InvalidOperationException($"the writer failed ({exit}): {e}{o}");
        var created = Directory
            .GetFiles(logs.Path)
            .SelectMany(File.ReadLines)
            .Select(l => Created.Match(l))
            .Where(m => m.Success && !m.Groups["rc"].Value.StartsWith('-'))
            .Select(m => new Creation(
                m.Groups["call"].Value,
                Regex.Unescape(m.Groups["path"].Value),
                m.Groups["flags"].Value,
                m.Groups["mode"].Success ? Convert.ToInt32(m.Groups["mode"].Value, 8) : 0
            ))
            .Where(c => c.Call.StartsWith("mkdir") || c.Call == "creat" || c.Flags.Contains("O_CREAT"))
            .ToList();
        return (o, created);
    }

    /// <summary>Starts the writer with a temporary folder of its own, for a test that talks to or kills it.</summary>
    public static Process Start(string umask, string? tmpdir, params string[] args)
    {
        var psi = new ProcessStartInfo("sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in InShell(umask, args).Skip(1))
            psi.ArgumentList.Add(a);
        if (tmpdir != null)
            psi.Environment["TMPDIR"] = tmpdir;
        psi.Environment["DOTNET_EnableDiagnostics"] = "0"; // no debugger pipes of .NET's own in that temporary folder
        return Process.Start(psi)!;
    }

    private static IEnumerable<string> InShell(string umask, string[] args) =>
        new[] { "sh", "-c", $"umask {umask}; exec dotnet \"$@\"", "sh", Writer }.Concat(args);

    public static int Mode(string path) => SecureFile.UnixMode(path)!.Value;
}

/// <summary>Another local user of the machine (made by tests/run-all.sh), who goes after this user's secrets.</summary>
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
