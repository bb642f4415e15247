using System;

namespace GitIntegration.Core
{
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

    /// <summary>Stable error ids, shared by Core and the cmdlets.</summary>
    public static class ErrorIds
    {
        public const string KeyFormatNotRecognized = "KeyFormatNotRecognized";
        public const string KeyFormatNotSupported = "KeyFormatNotSupported";
        public const string KeyCorrupt = "KeyCorrupt";
        public const string KeyAlgorithmNotSupported = "KeyAlgorithmNotSupported";
        public const string KeyTooLarge = "KeyTooLarge";
        public const string PassphraseRequired = "PassphraseRequired";
        public const string WrongPassphrase = "WrongPassphrase";
        public const string KeyIsPublic = "KeyIsPublic";
        public const string KeyFileExists = "KeyFileExists";
        public const string KeyFileNotFound = "KeyFileNotFound";
        public const string InvalidKeyParameters = "InvalidKeyParameters";
        public const string FileWriteFailed = "FileWriteFailed";
        public const string FileReadFailed = "FileReadFailed";
        /// <summary>A path that names a device, FIFO, socket or folder where a file is read.</summary>
        public const string FileNotRegular = "FileNotRegular";
        /// <summary>A file over the size any file of its kind needs (counted in bytes read).</summary>
        public const string FileTooLarge = "FileTooLarge";
    }
}
