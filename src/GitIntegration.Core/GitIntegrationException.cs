using System;

namespace GitIntegration.Core;

/// <summary>
/// The kinds of failure Core reports. Each name is also a member of PowerShell's ErrorCategory,
/// so the cmdlet layer maps one to the other by name (a contract test keeps them in step).
/// </summary>
public enum ErrorKind
{
    InvalidData,
    InvalidArgument,
    InvalidOperation,
    ObjectNotFound,
    ResourceExists,
    ResourceUnavailable,
    AuthenticationError,
    PermissionDenied,
    SecurityError,
    NotInstalled,
    NotImplemented,
    ConnectionError,
    OperationTimeout,
    LimitsExceeded,
    ReadError,
    WriteError,
    OperationStopped,
}

/// <summary>
/// Every failure Core reports. <see cref="ErrorId"/> is stable (scripts and the cmdlets'
/// FullyQualifiedErrorId depend on it); the message says what to do next and never holds a secret.
/// </summary>
public class GitIntegrationException : Exception
{
    public GitIntegrationException(string errorId, ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }

    /// <summary>The file, URL or name the failure is about, when there is one.</summary>
    public string? Target { get; set; }

    /// <summary>
    /// The same failure (its id and kind, which scripts rely on) told by the operation that met it: a message that
    /// names what it was doing, and the target it was about. This exception becomes the inner one.
    /// </summary>
    public GitIntegrationException Retold(string message, string? target) =>
        new GitIntegrationException(ErrorId, Kind, message, this) { Target = target };
}

/// <summary>A key that cannot be read: unknown format, corrupt content, unsupported algorithm.</summary>
public sealed class KeyFormatException : GitIntegrationException
{
    public KeyFormatException(string errorId, string message, Exception? inner = null)
        : base(errorId, ErrorKind.InvalidData, message, inner) { }
}

/// <summary>An encrypted key with no passphrase, or the wrong one.</summary>
public sealed class KeyPassphraseException : GitIntegrationException
{
    public KeyPassphraseException(string errorId, string message)
        : base(errorId, ErrorKind.AuthenticationError, message) { }
}
