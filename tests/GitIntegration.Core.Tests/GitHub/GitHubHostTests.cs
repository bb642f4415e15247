using FluentAssertions;
using GitIntegration.Core.GitHub;
using Xunit;

namespace GitIntegration.Core.Tests.GitHub;

/// <summary>
/// What a caller of the JWT signer reads when it hands over the wrong key (GitHubHost's own tests are in
/// GitHubAppTests.cs, beside the app tests that use its addresses).
/// </summary>
public sealed class GitHubJwtKeyTests
{
    [Fact]
    public void SigningWithAPublicKeySaysAPrivateKeyIsNeeded()
    {
        var rsa = System.Security.Cryptography.RSA.Create(2048).ExportParameters(false);
        var pub = new Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters(
            false,
            new Org.BouncyCastle.Math.BigInteger(1, rsa.Modulus),
            new Org.BouncyCastle.Math.BigInteger(1, rsa.Exponent)
        );
        FluentActions
            .Invoking(() => GitHubJwt.Create(pub, "1", DateTimeOffset.UtcNow))
            .Should()
            .Throw<ArgumentException>()
            .Which.Message.Should()
            .Be("An RSA private key is needed. (Parameter 'privateKey')");
    }
}
