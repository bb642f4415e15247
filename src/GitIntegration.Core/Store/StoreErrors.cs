using YamlDotNet.Core;

namespace GitIntegration.Core.Store
{
    public static class StoreErrorIds
    {
        public const string StoreParseFailed = "StoreParseFailed";
        public const string StoreSchemaTooNew = "StoreSchemaTooNew";
        public const string StoreLocked = "StoreLocked";
        public const string StoreWriteFailed = "StoreWriteFailed";
        public const string SecretNotFound = "SecretNotFound";
        public const string SecretUnreadable = "SecretUnreadable";
        public const string VaultNotAvailable = "VaultNotAvailable";
        public const string IntegrationNotFound = "IntegrationNotFound";
        public const string StoreFolderNotPrivate = "StoreFolderNotPrivate";
        /// <summary>A repository connected again under another name than the one it is stored under.</summary>
        public const string UrlStoredUnderOtherName = "UrlStoredUnderOtherName";
    }

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
}
