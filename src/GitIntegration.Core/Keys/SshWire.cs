using System;
using System.IO;
using System.Text;
using Org.BouncyCastle.Math;

namespace GitIntegration.Core.Keys;

/// <summary>Reads the SSH wire encoding (RFC 4251 §5): uint32, string, mpint. Bounds-checked.</summary>
internal sealed class SshReader
{
    private readonly byte[] _data;
    private int _pos;
    private readonly int _end;

    public SshReader(byte[] data)
        : this(data, 0, data.Length) { }

    public SshReader(byte[] data, int offset, int count)
    {
        _data = data;
        _pos = offset;
        _end = offset + count;
    }

    public int Remaining => _end - _pos;

    public uint ReadUInt32()
    {
        Need(4);
        uint v = (uint)(_data[_pos] << 24 | _data[_pos + 1] << 16 | _data[_pos + 2] << 8 | _data[_pos + 3]);
        _pos += 4;
        return v;
    }

    public byte[] ReadBytes(int count)
    {
        Need(count);
        var b = new byte[count];
        Buffer.BlockCopy(_data, _pos, b, 0, count);
        _pos += count;
        return b;
    }

    public byte[] ReadString()
    {
        // A length past the end, or over 2 GiB (negative as int), is refused by ReadBytes.
        return ReadBytes((int)ReadUInt32());
    }

    public string ReadAscii() => Encoding.UTF8.GetString(ReadString());

    public BigInteger ReadMpint()
    {
        var b = ReadString();
        return b.Length == 0 ? BigInteger.Zero : new BigInteger(b);
    }

    public BigInteger ReadPositiveMpint()
    {
        var v = ReadMpint();
        if (v.SignValue < 0)
            throw Corrupt();
        return v;
    }

    private void Need(int count)
    {
        if (count < 0 || count > Remaining)
            throw Corrupt();
    }

    internal static KeyFormatException Corrupt() =>
        new KeyFormatException(
            ErrorIds.KeyCorrupt,
            "The key data is truncated or malformed. Copy the key again from its original file, without editing it."
        );
}

/// <summary>Writes the SSH wire encoding.</summary>
internal sealed class SshWriter
{
    private readonly MemoryStream _ms = new MemoryStream();

    public SshWriter UInt32(uint v)
    {
        _ms.WriteByte((byte)(v >> 24));
        _ms.WriteByte((byte)(v >> 16));
        _ms.WriteByte((byte)(v >> 8));
        _ms.WriteByte((byte)v);
        return this;
    }

    public SshWriter Raw(byte[] b)
    {
        _ms.Write(b, 0, b.Length);
        return this;
    }

    public SshWriter String(byte[] b) => UInt32((uint)b.Length).Raw(b);

    public SshWriter String(string s) => String(Encoding.UTF8.GetBytes(s));

    public SshWriter Mpint(BigInteger v) => String(v.SignValue == 0 ? Array.Empty<byte>() : v.ToByteArray());

    public int Length => (int)_ms.Length;

    public byte[] ToArray() => _ms.ToArray();
}
