using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GitIntegration.Core.Tests.Servers;

/// <summary>
/// A plain-http listener on 127.0.0.1 that records each request's line and headers and answers with a fixed reply
/// (or, with <see cref="Silent"/>, never answers). Stands for "another host" behind a redirect, a web page where a
/// repository was expected, or a host's own error text.
/// </summary>
public sealed class HeaderRecorder : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = new();

    public HeaderRecorder(int status = 404, string contentType = "text/plain", string body = "nothing here")
    {
        Status = status;
        ContentType = contentType;
        Body = body;
        _listener.Start();
        _ = Task.Run(Serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public int Status { get; set; }
    public string ContentType { get; set; }
    public string Body { get; set; }

    /// <summary>Accepts connections and never answers them.</summary>
    public bool Silent { get; set; }

    /// <summary>Each request: its request line and headers, as received.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    private async Task Serve()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => Answer(client));
        }
    }

    private async Task Answer(TcpClient client)
    {
        if (Silent)
        {
            lock (_held)
                _held.Add(client);
            return;
        }
        using (client)
        {
            var stream = client.GetStream();
            var head = new StringBuilder();
            var buffer = new byte[1];
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 65536)
            {
                if (await stream.ReadAsync(buffer, _stop.Token) == 0)
                    return;
                head.Append((char)buffer[0]);
            }
            Requests.Enqueue(head.ToString());
            var body = Encoding.UTF8.GetBytes(Body);
            var reply =
                $"HTTP/1.1 {Status} Whatever\r\nContent-Type: {ContentType}\r\n"
                + $"Content-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
            await stream.WriteAsync(body, _stop.Token);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
            foreach (var c in _held)
                c.Dispose();
    }
}
