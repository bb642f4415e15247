using FluentAssertions;
using GitIntegration.Core.Keys;

namespace GitIntegration.Core.Tests.Keys;

/// <summary>A key text the reader refuses: the error id and the whole message, for one assertion of both.</summary>
internal static class KeyRefusal
{
    public static (string Id, string Message) Of(string text, string? passphrase = null)
    {
        var act = () => KeyReader.Read(text, passphrase);
        var e = act.Should().Throw<GitIntegrationException>().Which;
        return (e.ErrorId, e.Message);
    }
}
