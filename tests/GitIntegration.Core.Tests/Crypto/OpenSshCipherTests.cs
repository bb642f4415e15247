#nullable enable
using System;
using System.Linq;
using System.Security.Cryptography;
using Xunit;

namespace GitIntegration.Core.Crypto.Tests;

public class OpenSshCipherTests
{
    [Theory]
    [InlineData("aes128-ctr", 16, 16, 16, 0)]
    [InlineData("aes192-ctr", 24, 16, 16, 0)]
    [InlineData("aes256-ctr", 32, 16, 16, 0)]
    [InlineData("aes128-cbc", 16, 16, 16, 0)]
    [InlineData("aes192-cbc", 24, 16, 16, 0)]
    [InlineData("aes256-cbc", 32, 16, 16, 0)]
    [InlineData("aes128-gcm@openssh.com", 16, 12, 16, 16)]
    [InlineData("aes256-gcm@openssh.com", 32, 12, 16, 16)]
    [InlineData("chacha20-poly1305@openssh.com", 64, 0, 8, 16)]
    [InlineData("3des-cbc", 24, 8, 8, 0)]
    [InlineData("none", 0, 0, 8, 0)]
    public void ParametersMatchOpenSsh(string name, int key, int iv, int block, int tag)
    {
        var c = OpenSshCipher.Find(name);
        Assert.NotNull(c);
        Assert.Equal(name, c!.Name);
        Assert.Equal(key, c.KeyLength);
        Assert.Equal(iv, c.IvLength);
        Assert.Equal(block, c.BlockSize);
        Assert.Equal(tag, c.TagLength);
        Assert.Equal(key + iv, c.KeyMaterialLength);
        Assert.Equal(tag > 0, c.IsAead);
        Assert.Equal(name != "3des-cbc", c.CanEncrypt);
        Assert.Contains(name, OpenSshCipher.Names);
    }

    [Theory]
    [InlineData("AES256-CTR")]
    [InlineData("arcfour")]
    [InlineData("blowfish-cbc")]
    [InlineData("")]
    public void UnknownNamesAreNull(string name) => Assert.Null(OpenSshCipher.Find(name));

    public static TheoryData<string> Writable =>
        new TheoryData<string>
        {
            "aes128-ctr",
            "aes192-ctr",
            "aes256-ctr",
            "aes128-cbc",
            "aes192-cbc",
            "aes256-cbc",
            "aes128-gcm@openssh.com",
            "aes256-gcm@openssh.com",
            "chacha20-poly1305@openssh.com",
        };

    [Theory]
    [MemberData(nameof(Writable))]
    public void RoundTripsAndDetectsTampering(string name)
    {
        var c = OpenSshCipher.Find(name)!;
        var rnd = new Random(42);
        var key = new byte[c.KeyMaterialLength];
        rnd.NextBytes(key);
        var plain = new byte[c.BlockSize * 5];
        rnd.NextBytes(plain);

        var enc = c.Encrypt(key, plain);
        Assert.Equal(plain.Length + c.TagLength, enc.Length);
        Assert.NotEqual(plain, enc.Take(plain.Length).ToArray());
        Assert.Equal(plain, c.Decrypt(key, enc));

        if (c.IsAead)
        {
            foreach (int pos in new[] { 0, plain.Length - 1, plain.Length, enc.Length - 1 })
            {
                var bad = (byte[])enc.Clone();
                bad[pos] ^= 0x01;
                Assert.Throws<CryptographicException>(() => c.Decrypt(key, bad));
            }
            var otherKey = (byte[])key.Clone();
            otherKey[0] ^= 0x80;
            Assert.Throws<CryptographicException>(() => c.Decrypt(otherKey, enc));
        }
    }

    [Fact]
    public void ChaChaPolyUsesOnlyTheFirstHalfOfTheKey()
    {
        // In the key file only K_main (bytes 0..31) matters; the header key (32..63) encrypts packet lengths only.
        var c = OpenSshCipher.Find("chacha20-poly1305@openssh.com")!;
        var key = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var plain = new byte[32];
        var enc = c.Encrypt(key, plain);
        var key2 = (byte[])key.Clone();
        for (int i = 32; i < 64; i++)
            key2[i] ^= 0xFF;
        Assert.Equal(enc, c.Encrypt(key2, plain));
    }

    [Fact]
    public void ValidatesArguments()
    {
        var ctr = OpenSshCipher.Find("aes256-ctr")!;
        Assert.Throws<ArgumentException>(() => ctr.Decrypt(new byte[47], new byte[16]));
        Assert.Throws<ArgumentException>(() => ctr.Decrypt(new byte[48], new byte[15]));
        Assert.Throws<ArgumentException>(() => ctr.Decrypt(new byte[48], Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => ctr.Encrypt(new byte[48], new byte[17]));
        Assert.Throws<ArgumentNullException>(() => ctr.Decrypt(null!, new byte[16]));
        Assert.Throws<ArgumentNullException>(() => ctr.Decrypt(new byte[48], null!));
        var gcm = OpenSshCipher.Find("aes256-gcm@openssh.com")!;
        Assert.Throws<ArgumentException>(() => gcm.Decrypt(new byte[44], new byte[16])); // no room for the tag
        Assert.Throws<ArgumentException>(() => gcm.Decrypt(new byte[44], new byte[8]));
        Assert.Throws<NotSupportedException>(() => OpenSshCipher.Find("3des-cbc")!.Encrypt(new byte[32], new byte[8]));
        Assert.Throws<ArgumentNullException>(() => OpenSshCipher.Find(null!));
    }
}
