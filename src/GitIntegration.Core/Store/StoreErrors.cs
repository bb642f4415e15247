using YamlDotNet.Core;

namespace GitIntegration.Core.Store;

/// <summary>The store file does not parse (or is from a newer schema): names the file, line and column.</summary>
public sealed class StoreFormatException : GitIntegrationException
{
    public StoreFormatException(string errorId, string path, Mark at, string message)
        : base(errorId, ErrorKind.InvalidData, message)
    {
        Target = path;
        Line = (int)at.Line;
        Column = (int)at.Column;
    }

    public int Line { get; }
    public int Column { get; }
}
