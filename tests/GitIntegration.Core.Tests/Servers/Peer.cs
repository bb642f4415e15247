using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace GitIntegration.Core.Tests.Servers;

/// <summary>
/// What the loopback servers need from the machine; a missing peer fails the test (never a silent skip).
/// </summary>
public static class Peer
{
    public static void Require(string tool, string package)
    {
        if (File.Exists(tool) || Tool.Exists(tool))
            return;
        throw new InvalidOperationException(
            $"The test peer '{tool}' is missing: install the Debian package '{package}' (tests/run-all.sh does it)."
        );
    }

    public static void RequireUser(string user)
    {
        if (Tool.Run("id", new[] { "-u", user }).Exit != 0)
            throw new InvalidOperationException(
                $"The system user '{user}' is missing: tests/run-all.sh creates it (as root)."
            );
    }

    public static void RequireRoot()
    {
        if (Tool.Ok("id", "-u").Trim() != "0")
            throw new InvalidOperationException(
                "The loopback git servers run sshd and switch to the 'git' user: run the tests as root (CI does)."
            );
    }

    /// <summary>A port nobody listens on right now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static void WaitForPort(int port, Process p, string name, Func<string> log)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            if (p.HasExited)
                throw new InvalidOperationException($"{name} exited at start: {log()}");
            try
            {
                using var c = new TcpClient();
                c.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new TimeoutException($"{name} did not listen on 127.0.0.1:{port}: {log()}");
    }

    /// <summary>Starts a server in the foreground, its output going to a log file.</summary>
    public static Process Start(string file, string log, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var w = new StreamWriter(log) { AutoFlush = true };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
                lock (w)
                    w.WriteLine(e.Data);
        };
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data != null)
                lock (w)
                    w.WriteLine(e.Data);
        };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    public static void Stop(Process? p)
    {
        if (p == null)
            return;
        try
        {
            if (!p.HasExited)
            {
                p.Kill(true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        p.Dispose();
    }

    /// <summary>The processes <paramref name="pid"/> has started and that still run (Linux: /proc).</summary>
    public static IReadOnlyList<int> Children(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToList();
        }
        catch (IOException)
        {
            return Array.Empty<int>();
        }
    }

    public static string ReadLog(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}

/// <summary>
/// A TCP listener that accepts connections and never says a word: what a filtering proxy or a hung server looks like.
/// </summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = new();

    public SilentServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptLoop();
    }

    public int Port { get; }

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var c = await _listener.AcceptTcpClientAsync();
                lock (_clients)
                    _clients.Add(c);
            }
        }
        catch (ObjectDisposedException) { }
        catch (SocketException) { }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_clients)
            foreach (var c in _clients)
                c.Dispose();
    }
}
