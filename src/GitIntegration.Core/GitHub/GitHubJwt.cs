using System;
using System.Text;
using System.Text.Json;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace GitIntegration.Core.GitHub;

/// <summary>
/// The JSON Web Token a GitHub App signs to call the API as itself (RS256). GitHub's rules: iat in the
/// past (60 s back covers clock drift), exp no more than 10 minutes after iat, iss the app's client id
/// or app id.
/// </summary>
public static class GitHubJwt
{
    public static readonly TimeSpan Backdate = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    public static string Create(RsaKeyParameters privateKey, string issuer, DateTimeOffset now)
    {
        if (privateKey == null || !privateKey.IsPrivate)
            throw new ArgumentException("An RSA private key is needed.", nameof(privateKey));
        var header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"));
        var claims = JsonSerializer.Serialize(
            new
            {
                iat = (now - Backdate).ToUnixTimeSeconds(),
                exp = (now + Lifetime).ToUnixTimeSeconds(),
                iss = issuer,
            }
        );
        var signingInput = header + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signer = SignerUtilities.GetSigner("SHA-256withRSA");
        signer.Init(true, privateKey);
        var input = Encoding.ASCII.GetBytes(signingInput);
        signer.BlockUpdate(input, 0, input.Length);
        return signingInput + "." + Base64Url(signer.GenerateSignature());
    }

    internal static string Base64Url(byte[] data) =>
        Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
