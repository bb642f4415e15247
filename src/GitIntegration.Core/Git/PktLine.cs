using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Git;

/// <summary>
/// git's pkt-line framing, for a ref advertisement: four hex digits of length (themselves included), then the
/// data; "0000" flushes. Read within a budget of bytes, synchronously for SSH (on the calling thread, on purpose)
/// or asynchronously for HTTP. A stream that ends is an <see cref="EndOfStreamException"/>, a malformed or too
/// large answer an <see cref="InvalidDataException"/> whose message completes "the server answered with ...".
/// </summary>
internal sealed class PktLineReader
{
    /// <summary>git's largest packet (LARGE_PACKET_MAX).</summary>
    private const int MaxPacket = 65520;
    private readonly Stream _stream;
    private readonly byte[] _head = new byte[4];
    private readonly int _budget;
    private int _left;

    public PktLineReader(Stream stream, int budget)
    {
        _stream = stream;
        _budget = _left = budget;
    }

    /// <summary>The next packet's text without its line feed; null at a flush packet.</summary>
    public string? Next()
    {
        Fill(_head);
        var data = Announced();
        if (data == null)
            return null;
        Fill(data);
        return Text(data);
    }

    /// <inheritdoc cref="Next"/>
    public async Task<string?> NextAsync(CancellationToken cancel)
    {
        await FillAsync(_head, cancel).ConfigureAwait(false);
        var data = Announced();
        if (data == null)
            return null;
        await FillAsync(data, cancel).ConfigureAwait(false);
        return Text(data);
    }

    /// <summary>A buffer for the data the head announces, charged to the budget; null for a flush.</summary>
    private byte[]? Announced()
    {
        var hex = Encoding.ASCII.GetString(_head);
        if (
            !int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var length)
            || (length > 0 && length < 4)
            || length > MaxPacket
        )
            throw new InvalidDataException($"a malformed packet (length '{SshKey.Printable(hex)}')");
        if (length == 0)
            return null;
        if ((_left -= length) < 0)
            throw new InvalidDataException(
                $"a list of refs larger than {_budget >> 20} MiB, more than this check reads"
            );
        return new byte[length - 4];
    }

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data).TrimEnd('\n');

    private void Fill(byte[] buffer)
    {
        for (int read = 0; read < buffer.Length; )
        {
            var n = _stream.Read(buffer, read, buffer.Length - read);
            if (n <= 0)
                throw new EndOfStreamException();
            read += n;
        }
    }

    private async Task FillAsync(byte[] buffer, CancellationToken cancel)
    {
        for (int read = 0; read < buffer.Length; )
        {
            var n = await _stream.ReadAsync(buffer, read, buffer.Length - read, cancel).ConfigureAwait(false);
            if (n <= 0)
                throw new EndOfStreamException();
            read += n;
        }
    }
}
