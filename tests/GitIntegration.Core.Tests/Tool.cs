using System.Diagnostics;

namespace GitIntegration.Core.Tests;

/// <summary>Runs the real tools the tests compare against (ssh-keygen, puttygen, argon2...).</summary>
public static class Tool
{
    public static (int Exit, string Out, string Err) Run(
        string file,
        IEnumerable<string> args,
        string? stdin = null,
        int timeoutMs = 120_000
    )
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin != null)
            p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} did not finish");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Ok(string file, params string[] args)
    {
        var (exit, o, e) = Run(file, args);
        if (exit != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({exit}): {e}{o}");
        return o;
    }

    public static bool Exists(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator)
            .Any(d => File.Exists(Path.Combine(d, name)));
}

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gi-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }
    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, true);
        }
        catch (IOException) { }
    }
}
