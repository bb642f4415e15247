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

/// <summary>
/// Lets a mutation run (tests/mutation.sh) make the ssh-keygen and puttygen fixtures' keys once instead of in each of
/// its thousands of test processes: with GI_TEST_FIXTURE_CACHE set, the first process keeps a copy of the filled
/// folder there and later ones copy it back. Unset (CI, dotnet test), every run makes fresh keys.
/// </summary>
public static class FixtureCache
{
    private static string? Folder(string name) =>
        Environment.GetEnvironmentVariable("GI_TEST_FIXTURE_CACHE") is { Length: > 0 } root
            ? Path.Combine(root, name)
            : null;

    /// <summary>Copies a kept folder into <paramref name="dir"/>; false when there is none.</summary>
    public static bool Restore(string name, TempDir dir)
    {
        var kept = Folder(name);
        if (kept == null || !Directory.Exists(kept))
            return false;
        foreach (var file in Directory.GetFiles(kept))
            File.Copy(file, dir[Path.GetFileName(file)], true);
        return true;
    }

    /// <summary>Keeps a copy of a filled folder, whole or not at all (another process may keep its own).</summary>
    public static void Keep(string name, TempDir dir)
    {
        var kept = Folder(name);
        if (kept == null || Directory.Exists(kept))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
        var staging = kept + "." + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.GetFiles(dir.Path))
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        try
        {
            Directory.Move(staging, kept);
        }
        catch (IOException)
        {
            Directory.Delete(staging, true);
        }
    }
}
