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

    // One block is the shortest section a key file can have; five make the chaining of blocks matter.
    [Theory]
    [MemberData(nameof(Writable))]
    public void RoundTripsAndDetectsTampering(string name)
    {
        var c = OpenSshCipher.Find(name)!;
        var rnd = new Random(42);
        var key = new byte[c.KeyMaterialLength];
        rnd.NextBytes(key);
        foreach (int blocks in new[] { 1, 5 })
        {
            var plain = new byte[c.BlockSize * blocks];
            rnd.NextBytes(plain);

            var enc = c.Encrypt(key, plain);
            Assert.Equal(plain.Length + c.TagLength, enc.Length);
            Assert.NotEqual(plain, enc.Take(plain.Length).ToArray());
            Assert.Equal(plain, c.Decrypt(key, enc));
            if (!c.IsAead)
                continue;
            foreach (int pos in new[] { 0, plain.Length - 1, plain.Length, enc.Length - 1 })
            {
                var bad = (byte[])enc.Clone();
                bad[pos] ^= 0x01;
                TagMismatch(() => c.Decrypt(key, bad));
            }
            var otherKey = (byte[])key.Clone();
            otherKey[0] ^= 0x80;
            TagMismatch(() => c.Decrypt(otherKey, enc));
        }
    }

    private static void TagMismatch(Func<byte[]> decrypt) =>
        Assert.Equal(
            "The authentication tag of the private key does not match.",
            Assert.Throws<CryptographicException>(decrypt).Message
        );

    [Fact]
    public void NoneGivesACopyOfTheSection()
    {
        var none = OpenSshCipher.Find("none")!;
        var plain = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var enc = none.Encrypt(Array.Empty<byte>(), plain);
        Assert.Equal(plain, enc);
        Assert.NotSame(plain, enc);
        Assert.Equal(plain, none.Decrypt(Array.Empty<byte>(), enc));
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
        foreach (int material in new[] { 47, 49 })
        {
            var message = $"aes256-ctr needs 48 bytes of key material (key 32 + IV 16), got {material}.";
            Refused(() => ctr.Decrypt(new byte[material], new byte[16]), "keyAndIv", message);
            Refused(() => ctr.Encrypt(new byte[material], new byte[16]), "keyAndIv", message);
        }
        foreach (int length in new[] { 0, 15, 17 })
        {
            var message = "The aes256-ctr private section must be a positive multiple of 16 bytes.";
            Refused(() => ctr.Decrypt(new byte[48], new byte[length]), "encrypted", message);
            Refused(() => ctr.Encrypt(new byte[48], new byte[length]), "plain", message);
        }
        Assert.Equal(
            "keyAndIv",
            Assert.Throws<ArgumentNullException>(() => ctr.Decrypt(null!, new byte[16])).ParamName
        );
        Assert.Equal(
            "encrypted",
            Assert.Throws<ArgumentNullException>(() => ctr.Decrypt(new byte[48], null!)).ParamName
        );
        Assert.Equal("plain", Assert.Throws<ArgumentNullException>(() => ctr.Encrypt(new byte[48], null!)).ParamName);
        var gcm = OpenSshCipher.Find("aes256-gcm@openssh.com")!;
        var withTag =
            "The aes256-gcm@openssh.com private section must be a positive multiple of 16 bytes followed by a 16-byte "
            + "tag.";
        Refused(() => gcm.Decrypt(new byte[44], new byte[16]), "encrypted", withTag); // no room for the tag
        Refused(() => gcm.Decrypt(new byte[44], new byte[8]), "encrypted", withTag);
        Assert.Equal(
            "Writing keys encrypted with 3des-cbc is not supported.",
            Assert
                .Throws<NotSupportedException>(() => OpenSshCipher.Find("3des-cbc")!.Encrypt(new byte[32], new byte[8]))
                .Message
        );
        Assert.Throws<ArgumentNullException>(() => OpenSshCipher.Find(null!));
    }

    private static void Refused(Func<byte[]> act, string parameter, string message)
    {
        var e = Assert.Throws<ArgumentException>(act);
        Assert.Equal(parameter, e.ParamName);
        Assert.Equal($"{message} (Parameter '{parameter}')", e.Message);
    }
}
