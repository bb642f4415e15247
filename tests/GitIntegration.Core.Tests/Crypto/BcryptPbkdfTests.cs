#nullable enable
using System;
using System.Text;
using Xunit;

namespace GitIntegration.Core.Crypto.Tests;

public class BcryptPbkdfTests
{
    // Vectors from PyCA bcrypt's tests/test_bcrypt.py (test_kdf), which pin OpenBSD bcrypt_pbkdf output.
    // Columns: rounds, password (hex), salt (hex), expected (hex).
    public static TheoryData<int, string, string, string> PycaVectors =>
        new TheoryData<int, string, string, string>
        {
            { 4, Hex("password"), Hex("salt"), "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9" },
            { 4, Hex("password"), "00", "c12b566235eee04c212598970a579a67" },
            { 4, "00", Hex("salt"), "6051be18c2f4f82cbf0efee5471b4bb9" },
            {
                4,
                Hex("password") + "00",
                Hex("salt") + "00",
                "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"
            },
            { 4, Hex("pass") + "00" + Hex("wor"), Hex("sa") + "00" + Hex("l"), "c2bffd9db38f6569efef4372f4de83c0" },
            { 4, Hex("pass") + "00" + Hex("word"), Hex("sa") + "00" + Hex("lt"), "4ba4ac3925c0e8d7f0cdb6bb1684a56f" },
            // bigger key (64 bytes: stride 2)
            {
                8,
                Hex("password"),
                Hex("salt"),
                "e1367ec5151a33faac4cc1c144cd23fa15d5548493ecc99b9b5d9c0d3b27bec7"
                    + "6227ea66088b849b20ab7aa478010246e74bba51723fefa9f9474d6508845e8d"
            },
            // more rounds
            { 42, Hex("password"), Hex("salt"), "833cf0dcf56db65608e8f0dc0ce882bd" },
            // longer password (448 bytes)
            {
                8,
                Hex(
                    "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do"
                        + " eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut "
                        + "enim ad minim veniam, quis nostrud exercitation ullamco laboris "
                        + "nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor "
                        + "in reprehenderit in voluptate velit esse cillum dolore eu fugiat"
                        + " nulla pariatur. Excepteur sint occaecat cupidatat non proident,"
                        + " sunt in culpa qui officia deserunt mollit anim id est laborum."
                ),
                Hex("salis") + "00",
                "10978b07253df57f71a162eb0e8ad30a"
            },
            // binary password and salt
            {
                8,
                "0db3ac94b3ee53284f4a22893b3c24ae",
                "3a62f0f0dbcef823cfcc854856ea1028",
                "204438175eee7ce136c91b49a67923ff"
            },
            // very large key (256 bytes: stride 8)
            {
                8,
                "0db3ac94b3ee53284f4a22893b3c24ae",
                "3a62f0f0dbcef823cfcc854856ea1028",
                "2054b9fff34e3721440334746828e9ed"
                    + "38de4b72e0a69adc170a13b5e8d64638"
                    + "5ea4034ae6d26600ee2332c5ed40ad55"
                    + "7c86e3403fbb30e4e1dc1ae06b99a071"
                    + "368f518d2c426651c9e7e437fd6c915b"
                    + "1bbfc3a4cea71491490ea7afb7dd0290"
                    + "a678a4f441128db1792eab2776b21eb4"
                    + "238e0715add4127dff44e4b3e4cc4c4f"
                    + "9970083f3f74bd698873fdf648844f75"
                    + "c9bf7f9e0c4d9e5d89a7783997492966"
                    + "616707611cb901de31a19726b6e08c3a"
                    + "8001661f2d5c9dcc33b4aa072f90dd0b"
                    + "3f548d5eeba4211397e2fb062e526e1d"
                    + "68f46a4ce256185b4badc2685fbe78e1"
                    + "c7657b59f83ab9ab80cf9318d6add1f5"
                    + "933f12d6f36182c8e8115f68030a1244"
            },
            // UTF-8 Greek "odysseus" / "telemachos"
            {
                8,
                "e1bd88ceb4cf85cf83cf83ceb5cf8dcf82",
                "cea4ceb7cebbceadcebcceb1cf87cebfcf82",
                "43666c9b09ef33ed8c27e8e8f3e2d8e6"
            },
        };

    [Theory]
    [MemberData(nameof(PycaVectors))]
    public void MatchesPublishedVectors(int rounds, string passwordHex, string saltHex, string expectedHex)
    {
        var expected = Convert.FromHexString(expectedHex);
        var actual = BcryptPbkdf.DeriveKey(
            Convert.FromHexString(passwordHex),
            Convert.FromHexString(saltHex),
            rounds,
            expected.Length
        );
        Assert.Equal(expectedHex, Convert.ToHexString(actual).ToLowerInvariant());
    }

    [Fact]
    public void OutputIsInterleavedNotConcatenated()
    {
        // A 64-byte key is block1[0], block2[0], block1[1], block2[1], ...; a 32-byte key is block1 alone.
        var pw = Encoding.ASCII.GetBytes("password");
        var salt = Encoding.ASCII.GetBytes("salt");
        var k32 = BcryptPbkdf.DeriveKey(pw, salt, 8, 32);
        var k64 = BcryptPbkdf.DeriveKey(pw, salt, 8, 64);
        for (int i = 0; i < 32; i++)
            Assert.Equal(k32[i], k64[2 * i]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(BcryptPbkdf.MaxRounds + 1)]
    public void RejectsBadRounds(int rounds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BcryptPbkdf.DeriveKey(new byte[] { 1 }, new byte[] { 2 }, rounds, 16)
        );
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(BcryptPbkdf.MaxOutputLength + 1)]
    public void RejectsBadOutputLength(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            BcryptPbkdf.DeriveKey(new byte[] { 1 }, new byte[] { 2 }, 1, length)
        );
    }

    [Fact]
    public void AcceptsMaximumOutputLength()
    {
        Assert.Equal(1024, BcryptPbkdf.DeriveKey(new byte[] { 1 }, new byte[] { 2 }, 1, 1024).Length);
    }

    [Fact]
    public void RejectsNullAndEmptyInputs()
    {
        Assert.Throws<ArgumentNullException>(() => BcryptPbkdf.DeriveKey(null!, new byte[] { 2 }, 1, 16));
        Assert.Throws<ArgumentNullException>(() => BcryptPbkdf.DeriveKey(new byte[] { 1 }, null!, 1, 16));
        Assert.Throws<ArgumentException>(() => BcryptPbkdf.DeriveKey(Array.Empty<byte>(), new byte[] { 2 }, 1, 16));
        Assert.Throws<ArgumentException>(() => BcryptPbkdf.DeriveKey(new byte[] { 1 }, Array.Empty<byte>(), 1, 16));
        Assert.Throws<ArgumentException>(() =>
            BcryptPbkdf.DeriveKey(new byte[] { 1 }, new byte[BcryptPbkdf.MaxSaltLength + 1], 1, 16)
        );
    }

    private static string Hex(string ascii) => Convert.ToHexString(Encoding.UTF8.GetBytes(ascii)).ToLowerInvariant();
}
