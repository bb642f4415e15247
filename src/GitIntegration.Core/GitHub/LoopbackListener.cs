using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.Core.GitHub
{
    /// <summary>
    /// The smallest web server the manifest flow needs: HTTP/1.1 on 127.0.0.1, a free port chosen by the
    /// system, one request per connection. (HttpListener cannot take port 0 and, on Windows, needs a URL
    /// reservation; a TcpListener needs neither.)
    /// </summary>
    internal sealed class LoopbackListener : IDisposable
    {
        private const int MaxRequest = 256 * 1024;
        private readonly TcpListener _tcp;

        public LoopbackListener()
        {
            _tcp = new TcpListener(IPAddress.Loopback, 0);
            _tcp.Start();
            Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        }

        public int Port { get; }
        public Uri BaseUrl => new Uri($"http://127.0.0.1:{Port}/");

        internal sealed class Request
        {
            public string Method = "";
            public string Path = "";
            public Dictionary<string, string> Query = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        /// <summary>Serves requests until <paramref name="handle"/> returns a result (non-null) or the token is cancelled.</summary>
        public async Task<T> ServeUntilAsync<T>(Func<Request, (int Status, string Html, T? Result)> handle, CancellationToken cancel) where T : class
        {
            using (cancel.Register(() => _tcp.Stop()))
            {
                while (true)
                {
                    TcpClient client;
                    try { client = await _tcp.AcceptTcpClientAsync().ConfigureAwait(false); }
                    catch (Exception e) when (e is ObjectDisposedException || e is SocketException || e is InvalidOperationException)
                    {
                        cancel.ThrowIfCancellationRequested();
                        throw;
                    }
                    using (client)
                    {
                        var stream = client.GetStream();
                        stream.ReadTimeout = 10_000;
                        var request = Read(stream);
                        var (status, html, result) = request == null ? (400, "Bad request", null) : handle(request);
                        Write(stream, status, html);
                        if (result != null) return result;
                    }
                }
            }
        }

        private static Request? Read(Stream stream)
        {
            var buffer = new byte[8192];
            var text = new StringBuilder();
            int total = 0;
            while (!text.ToString().Contains("\r\n\r\n"))
            {
                int n;
                try { n = stream.Read(buffer, 0, buffer.Length); }
                catch (IOException) { return null; }
                if (n <= 0 || (total += n) > MaxRequest) return null;
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
            var line = text.ToString(0, text.ToString().IndexOf("\r\n", StringComparison.Ordinal)).Split(' ');
            if (line.Length != 3) return null;
            var target = line[1];
            var q = target.IndexOf('?');
            var request = new Request { Method = line[0], Path = q < 0 ? target : target.Substring(0, q) };
            if (q >= 0)
                foreach (var pair in target.Substring(q + 1).Split('&'))
                {
                    var eq = pair.IndexOf('=');
                    if (eq > 0) request.Query[Uri.UnescapeDataString(pair.Substring(0, eq).Replace('+', ' '))] = Uri.UnescapeDataString(pair.Substring(eq + 1).Replace('+', ' '));
                }
            return request;
        }

        private static void Write(Stream stream, int status, string html)
        {
            var body = Encoding.UTF8.GetBytes(html);
            var reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
            var head = Encoding.ASCII.GetBytes(
                $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {body.Length}\r\n" +
                "Cache-Control: no-store\r\nX-Frame-Options: DENY\r\nConnection: close\r\n\r\n");
            try
            {
                stream.Write(head, 0, head.Length);
                stream.Write(body, 0, body.Length);
                stream.Flush();
            }
            catch (IOException) { } // the browser went away; nothing to tell it
        }

        public void Dispose() => _tcp.Stop();
    }
}
