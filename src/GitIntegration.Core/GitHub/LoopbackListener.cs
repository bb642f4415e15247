using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// The smallest web server the manifest flow needs: HTTP/1.1 on 127.0.0.1, a free port chosen by the
/// system, one request per connection. (HttpListener cannot take port 0 and, on Windows, needs a URL
/// reservation; a TcpListener needs neither.) Connections are served side by side, and each has
/// <see cref="RequestDeadline"/> to send its whole request, so a client that sends a byte now and then
/// cannot keep the browser waiting.
/// </summary>
internal sealed class LoopbackListener : IDisposable
{
    private const int MaxRequest = 64 * 1024;

    /// <summary>
    /// Connections served at once; more wait in the system's backlog until one ends (at its deadline at the latest).
    /// </summary>
    private const int MaxConnections = 32;
    private readonly TcpListener _tcp;
    private readonly object _gate = new object();

    public LoopbackListener(TimeSpan? requestDeadline = null)
    {
        RequestDeadline = requestDeadline ?? TimeSpan.FromSeconds(10);
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
    }

    public int Port { get; }
    public TimeSpan RequestDeadline { get; }

    /// <summary>
    /// The Host header a browser sends to <see cref="BaseUrl"/>; another name means a web page that points its own name
    /// here.
    /// </summary>
    public string Authority => $"127.0.0.1:{Port}";
    public Uri BaseUrl => new Uri($"http://{Authority}/");

    internal sealed class Request
    {
        public string Method = "";
        public string Path = "";

        /// <summary>The Host header; null when it is missing or given twice.</summary>
        public string? Host;
        public Dictionary<string, string> Query = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>
    /// Serves requests until <paramref name="handle"/> returns a result (non-null) or the token is cancelled.
    /// <paramref name="handle"/> sees one request at a time, and none after the one that gave the result.
    /// </summary>
    public async Task<T> ServeUntilAsync<T>(
        Func<Request, (int Status, string Html, T? Result)> handle,
        CancellationToken cancel
    )
        where T : class
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = new List<Task>();
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var slots = new SemaphoreSlim(MaxConnections);
        using (serving.Token.Register(() => _tcp.Stop()))
        {
            try
            {
                while (true)
                {
                    await slots.WaitAsync(serving.Token).ConfigureAwait(false);
                    var client = await _tcp.AcceptTcpClientAsync().ConfigureAwait(false);
                    connections.RemoveAll(c => c.IsCompleted);
                    connections.Add(
                        Task.Run(async () =>
                        {
                            try
                            {
                                await ServeAsync(client, handle, result, serving).ConfigureAwait(false);
                            }
                            finally
                            {
                                slots.Release();
                            }
                        })
                    );
                }
            }
            catch (Exception e)
                when (serving.IsCancellationRequested
                    && (
                        e is OperationCanceledException
                        || e is ObjectDisposedException
                        || e is SocketException
                        || e is InvalidOperationException
                    )
                ) { }
            finally
            {
                serving.Cancel(); // closes the connections still open
                await Task.WhenAll(connections).ConfigureAwait(false);
            }
        }
        if (result.Task.IsCompleted)
            return await result.Task.ConfigureAwait(false);
        cancel.ThrowIfCancellationRequested();
        throw new InvalidOperationException("The listener stopped without a result.");
    }

    private async Task ServeAsync<T>(
        TcpClient client,
        Func<Request, (int Status, string Html, T? Result)> handle,
        TaskCompletionSource<T> result,
        CancellationTokenSource serving
    )
        where T : class
    {
        using (client)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(serving.Token))
        // Disposing ends a pending read: the deadline is for the whole request, however slowly it arrives.
        using (deadline.Token.Register(() => client.Dispose()))
        {
            deadline.CancelAfter(RequestDeadline);
            try
            {
                var stream = client.GetStream();
                var request = await ReadAsync(stream).ConfigureAwait(false);
                (int Status, string Html, T? Result) answer;
                lock (_gate)
                {
                    answer =
                        request == null ? (400, "Bad request", null)
                        : result.Task.IsCompleted ? (400, "This app creation is over.", null)
                        : handle(request);
                    if (answer.Result != null)
                        result.TrySetResult(answer.Result);
                }
                await WriteAsync(stream, answer.Status, answer.Html).ConfigureAwait(false);
            }
            catch (Exception e)
                when (e is IOException
                    || e is ObjectDisposedException
                    || e is SocketException
                    || e is InvalidOperationException
                )
            {
                // the client went away or ran out of time; nothing to tell it
            }
            finally
            {
                if (result.Task.IsCompleted)
                    serving.Cancel();
            }
        }
    }

    private static async Task<Request?> ReadAsync(Stream stream)
    {
        var buffer = new byte[MaxRequest];
        int total = 0,
            end = -1;
        while (end < 0)
        {
            if (total == buffer.Length)
                return null;
            int n = await stream.ReadAsync(buffer, total, buffer.Length - total).ConfigureAwait(false);
            if (n <= 0)
                return null;
            int from = Math.Max(0, total - 3);
            total += n;
            end = HeadEnd(buffer, from, total);
        }
        var lines = Encoding.ASCII.GetString(buffer, 0, end).Split(new[] { "\r\n" }, StringSplitOptions.None);
        var line = lines[0].Split(' ');
        if (line.Length != 3)
            return null;
        var target = line[1];
        var q = target.IndexOf('?');
        var request = new Request { Method = line[0], Path = q < 0 ? target : target.Substring(0, q) };
        int hosts = 0;
        for (int i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':');
            if (colon > 0 && lines[i].Substring(0, colon).Trim().Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++;
                request.Host = lines[i].Substring(colon + 1).Trim();
            }
        }
        if (hosts != 1)
            request.Host = null;
        if (q >= 0)
            foreach (var pair in target.Substring(q + 1).Split('&'))
            {
                var eq = pair.IndexOf('=');
                if (eq > 0)
                    request.Query[Unescape(pair.Substring(0, eq))] = Unescape(pair.Substring(eq + 1));
            }
        return request;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));

    /// <summary>
    /// Where the request's head ends (before the blank line), or -1; looks only at what came after
    /// <paramref name="from"/>.
    /// </summary>
    private static int HeadEnd(byte[] b, int from, int count)
    {
        for (int i = from + 3; i < count; i++)
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r')
                return i - 3;
        return -1;
    }

    private static async Task WriteAsync(Stream stream, int status, string html)
    {
        var body = Encoding.UTF8.GetBytes(html);
        var reason =
            status == 200 ? "OK"
            : status == 404 ? "Not Found"
            : status == 421 ? "Misdirected Request"
            : "Bad Request";
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\n"
                + "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"
                + "Connection: close\r\n\r\n"
        );
        await stream.WriteAsync(head, 0, head.Length).ConfigureAwait(false);
        await stream.WriteAsync(body, 0, body.Length).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    public void Dispose() => _tcp.Stop();
}
