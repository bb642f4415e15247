// Every error id the module reports, in one file, grouped by area (ErrorIdTests checks that nothing in src/ uses
// another). Admins' scripts match them in FullyQualifiedErrorId: a value never changes once shipped. Each area keeps
// the namespace and class name its code already uses.

namespace GitIntegration.Core
{
    /// <summary>Keys, key files and the files the module reads or writes.</summary>
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

namespace GitIntegration.Core.Keys
{
    public static partial class KeyDiagnostics
    {
        /// <summary>
        /// Test-GitSshKey's findings; the first error among them is also the id of a key the integration rule
        /// refuses. A finding that is an error above reuses that id.
        /// </summary>
        public static class Ids
        {
            public const string NotFound = ErrorIds.KeyFileNotFound;
            public const string NotAKey = "NotAKey";
            public const string Corrupt = ErrorIds.KeyCorrupt;
            public const string Unsupported = ErrorIds.KeyFormatNotSupported;
            public const string PublicKeyGiven = "PublicKeyGiven";
            public const string OpenSshFormat = "OpenSshFormat";
            public const string Pkcs8Format = "Pkcs8Format";
            public const string PuttyFormat = "PuttyFormat";
            public const string AlgorithmNotAllowed = "AlgorithmNotAllowed";
            public const string DsaDeprecated = "DsaDeprecated";
            public const string KeyTooSmall = "KeyTooSmall";
            public const string KeySizeMinimum = "KeySizeMinimum";
            public const string PassphraseNotGiven = "PassphraseNotGiven";
            public const string WrongPassphrase = ErrorIds.WrongPassphrase;
            public const string PublicKeyMismatch = "PublicKeyMismatch";
            public const string PermissionsTooOpen = "PermissionsTooOpen";
        }
    }
}

namespace GitIntegration.Core.Store
{
    /// <summary>The integration store, its secrets and the integrations in it.</summary>
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
        public const string IntegrationNameTaken = "IntegrationNameTaken";
        public const string StoreFolderNotPrivate = "StoreFolderNotPrivate";

        /// <summary>A repository connected again under another name than the one it is stored under.</summary>
        public const string UrlStoredUnderOtherName = "UrlStoredUnderOtherName";
    }

    /// <summary>Import-GitIntegration and Export-GitIntegration files.</summary>
    public static class BulkErrorIds
    {
        public const string BulkFormatUnknown = "BulkFormatUnknown";
        public const string ImportFileInvalid = "ImportFileInvalid";

        /// <summary>A YAML file whose aliases expand it beyond what a bulk file may be.</summary>
        public const string ImportAliasesTooLarge = "ImportAliasesTooLarge";
        public const string ImportRowInvalid = "ImportRowInvalid";
        public const string ImportKeyRejected = "ImportKeyRejected";
        public const string ImportDuplicateId = "ImportDuplicateId";
        public const string ImportRowSkipped = "ImportRowSkipped";
    }
}

namespace GitIntegration.Core.Query
{
    /// <summary>JMESPath repository filters.</summary>
    public static class JmesPathErrorIds
    {
        /// <summary>The expression cannot be compiled (syntax, unknown function, wrong number of arguments).</summary>
        public const string Invalid = "RepositoryFilterInvalid";

        /// <summary>The expression compiled but failed on the data (a function given a value of the wrong type, a
        /// slice step of 0).</summary>
        public const string Failed = "RepositoryFilterFailed";

        /// <summary>A filter that returns something other than some of the objects it was given.</summary>
        public const string NotASelection = "RepositoryFilterNotASelection";

        /// <summary>An expression that takes more steps or time than one evaluation may.</summary>
        public const string TooExpensive = "RepositoryFilterTooExpensive";
    }
}

namespace GitIntegration.Core.Git
{
    /// <summary>Repository URLs, connections and the tools they run.</summary>
    public static class GitErrorIds
    {
        public const string UrlNotRecognized = "UrlNotRecognized";
        public const string UrlNotConvertible = "UrlNotConvertible";
        public const string ToolNotInstalled = "ToolNotInstalled";
        public const string ToolFailed = "ToolFailed";
        public const string HostKeyScanFailed = "HostKeyScanFailed";
        public const string KnownHostsWriteFailed = "KnownHostsWriteFailed";
    }

    public static partial class SmartHttp
    {
        public const string UnencryptedAuthenticationRefused = "UnencryptedAuthenticationRefused";
    }

    /// <summary>
    /// Why a connection failed (Connect-GitRepository, Test-GitIntegration, Import-GitIntegration -Verify): each
    /// <see cref="ConnectionFailure"/> has the id of its own name. Those that are a key's or a certificate's failure
    /// reuse that id.
    /// </summary>
    public static class ConnectionErrorIds
    {
        public const string PermissionDenied = "PermissionDenied";
        public const string HostKeyUnknown = "HostKeyUnknown";
        public const string HostKeyChanged = "HostKeyChanged";
        public const string ConnectionRefused = "ConnectionRefused";
        public const string Timeout = "Timeout";
        public const string NameResolution = "NameResolution";
        public const string WrongPassphrase = ErrorIds.WrongPassphrase;
        public const string PassphraseRequired = ErrorIds.PassphraseRequired;
        public const string KeyRejectedByIntegrationRule = "KeyRejectedByIntegrationRule";
        public const string RepositoryNotFound = "RepositoryNotFound";
        public const string RepositoryAccessDenied = "RepositoryAccessDenied";
        public const string CertificateInvalid = Net.CertificateTrust.CertificateInvalid;
        public const string AuthenticationFailed = "AuthenticationFailed";
        public const string ConnectionFailed = "ConnectionFailed";
        public const string WaitingForGitHub = "WaitingForGitHub";
        public const string AppNotInstalled = "AppNotInstalled";
        public const string AppDeleted = "AppDeleted";
        public const string AppKeyRejected = "AppKeyRejected";
        public const string InstallationRemoved = "InstallationRemoved";
        public const string InstallationSuspended = "InstallationSuspended";
        public const string RateLimited = "RateLimited";
        public const string ServiceError = "ServiceError";

        /// <summary>The id of a failure; <see cref="ConnectionFailure.None"/> is no failure and has none.</summary>
        public static string For(ConnectionFailure reason) =>
            reason switch
            {
                ConnectionFailure.PermissionDenied => PermissionDenied,
                ConnectionFailure.HostKeyUnknown => HostKeyUnknown,
                ConnectionFailure.HostKeyChanged => HostKeyChanged,
                ConnectionFailure.ConnectionRefused => ConnectionRefused,
                ConnectionFailure.Timeout => Timeout,
                ConnectionFailure.NameResolution => NameResolution,
                ConnectionFailure.WrongPassphrase => WrongPassphrase,
                ConnectionFailure.PassphraseRequired => PassphraseRequired,
                ConnectionFailure.KeyRejectedByIntegrationRule => KeyRejectedByIntegrationRule,
                ConnectionFailure.RepositoryNotFound => RepositoryNotFound,
                ConnectionFailure.RepositoryAccessDenied => RepositoryAccessDenied,
                ConnectionFailure.CertificateInvalid => CertificateInvalid,
                ConnectionFailure.AuthenticationFailed => AuthenticationFailed,
                ConnectionFailure.ConnectionFailed => ConnectionFailed,
                ConnectionFailure.WaitingForGitHub => WaitingForGitHub,
                ConnectionFailure.AppNotInstalled => AppNotInstalled,
                ConnectionFailure.AppDeleted => AppDeleted,
                ConnectionFailure.AppKeyRejected => AppKeyRejected,
                ConnectionFailure.InstallationRemoved => InstallationRemoved,
                ConnectionFailure.InstallationSuspended => InstallationSuspended,
                ConnectionFailure.RateLimited => RateLimited,
                ConnectionFailure.ServiceError => ServiceError,
                _ => throw new System.ArgumentOutOfRangeException(nameof(reason), reason, "Not a connection failure."),
            };
    }
}

namespace GitIntegration.Core.Net
{
    public sealed partial class CertificateTrust
    {
        public const string ThumbprintInvalid = "CertificateThumbprintInvalid";
        public const string CertificateInvalid = "CertificateInvalid";
    }
}

namespace GitIntegration.Core.GitHub
{
    /// <summary>The GitHub App commands.</summary>
    public static class GitHubErrorIds
    {
        public const string HostUrlInvalid = "GitHubHostUrlInvalid";
        public const string Unreachable = "GitHubUnreachable";
        public const string Timeout = "GitHubTimeout";
        public const string RateLimited = "GitHubRateLimited";
        public const string ServerError = "GitHubServerError";
        public const string Unauthorized = "GitHubUnauthorized";
        public const string Forbidden = "GitHubForbidden";
        public const string NotFound = "GitHubNotFound";
        public const string Rejected = "GitHubRequestRejected";
        public const string UnexpectedResponse = "GitHubUnexpectedResponse";
        public const string KeyNotRsa = "GitHubAppKeyNotRsa";
        public const string KeyRejected = "GitHubAppKeyRejected";
        public const string KeyOfAnotherApp = "GitHubAppKeyOfAnotherApp";
        public const string AppIdRequired = "GitHubAppIdRequired";
        public const string ManifestTimeout = "GitHubAppManifestTimeout";
        public const string CallbackForged = "GitHubAppCallbackForged";
        public const string AppOwnerMismatch = "GitHubAppOwnerMismatch";
        public const string ManifestDeclined = "GitHubAppManifestDeclined";
        public const string InstallationTimeout = "GitHubAppInstallationTimeout";

        /// <summary>GitHub created the app but the setup failed after: the app may be left on GitHub.</summary>
        public const string SetupUnfinished = "GitHubAppSetupUnfinished";
        public const string NotInstalled = "GitHubAppNotInstalled";
        public const string AppDeleted = "GitHubAppDeleted";
        public const string KeyChangeNeedsGitHub = "GitHubAppKeyChangeNeedsGitHub";

        /// <summary>An integration given to a GitHub App command that is not an app.</summary>
        public const string NotAGitHubApp = "NotAGitHubApp";

        /// <summary>Get-GitHubAppRepository given -Filter and -IgnoreFilter.</summary>
        public const string FilterConflict = "FilterConflict";

        /// <summary>An app name GitHub would not take (longer than its 34 characters).</summary>
        public const string AppNameInvalid = "GitHubAppNameInvalid";
    }
}

namespace GitIntegration.Core.Jira
{
    /// <summary>The Jira commands.</summary>
    public static class JiraErrorIds
    {
        public const string UrlInvalid = "JiraUrlInvalid";
        public const string CloudNotSupported = "JiraCloudNotSupported";
        public const string UnencryptedRefused = "JiraUnencryptedAuthentication";
        public const string Unauthorized = "JiraUnauthorized";
        public const string NotJiraAdmin = "JiraNotAdministrator";
        public const string AppNotFound = "JiraGitAppNotFound";
        public const string Rejected = "JiraRejected";
        public const string UnexpectedResponse = "JiraUnexpectedResponse";
        public const string ResponseTooLarge = "JiraResponseTooLarge";
        public const string Timeout = "JiraTimeout";
        public const string Unreachable = "JiraUnreachable";
        public const string CertificateInvalid = "JiraCertificateInvalid";
        public const string NotPublishable = "JiraNotPublishable";
        public const string NotVerified = "JiraNotVerified";
        public const string RemoveNotConfirmed = "JiraRemoveNotConfirmed";
    }
}

namespace GitIntegration.Core.Hosts
{
    /// <summary>Publishing SSH public keys to git hosts (Publish-GitSshKey, Unpublish-GitSshKey).</summary>
    public static class HostErrorIds
    {
        /// <summary>A URL whose host is not one the module knows the key API of (give -HostType and -ApiUrl).</summary>
        public const string HostNotRecognized = "KeyHostNotRecognized";

        /// <summary>A host with no API for keys (Azure DevOps): the message names the page to add it on.</summary>
        public const string NoKeyApi = "KeyHostHasNoKeyApi";
        public const string ApiUrlInvalid = "KeyHostApiUrlInvalid";

        /// <summary>A target the host has no place for (a project key on GitHub), or a path it cannot read.</summary>
        public const string TargetNotSupported = "KeyTargetNotSupported";
        public const string TokenRequired = "KeyHostTokenRequired";

        /// <summary>The host did not accept the token at all (401).</summary>
        public const string Unauthorized = "KeyHostUnauthorized";

        /// <summary>The token is valid but lacks a scope or permission; the message names it.</summary>
        public const string ScopeMissing = "KeyHostScopeMissing";
        public const string RepositoryNotFound = "KeyHostRepositoryNotFound";

        /// <summary>The host refuses a key another repository or account already uses (GitHub's deploy keys).
        /// </summary>
        public const string KeyInUse = "KeyAlreadyInUse";

        /// <summary>The host refuses this type of key (DSA, or RSA where it wants more bits).</summary>
        public const string KeyTypeRefused = "KeyTypeRefusedByHost";
        public const string RateLimited = "KeyHostRateLimited";
        public const string Rejected = "KeyHostRequestRejected";
        public const string UnexpectedResponse = "KeyHostUnexpectedResponse";
        public const string ServerError = "KeyHostServerError";
        public const string Timeout = "KeyHostTimeout";
        public const string Unreachable = "KeyHostUnreachable";

        /// <summary>No public key beside the private key and none derivable without its passphrase.</summary>
        public const string PublicKeyUnavailable = "PublicKeyUnavailable";

        /// <summary>
        /// -CopyToClipboard could not reach the desktop's clipboard (a runbook, Linux without xclip).
        /// </summary>
        public const string ClipboardUnavailable = "ClipboardUnavailable";
    }
}

namespace GitIntegration.Core.Rotation
{
    /// <summary>Update-GitIntegrationKey: why an integration's key rotation stopped short.</summary>
    public static class KeyRotationErrorIds
    {
        /// <summary>An integration that reaches its repository without an SSH key (HTTPS, a GitHub App).</summary>
        public const string NoSshKey = "RotationNoSshKey";

        /// <summary>The integration moved, but its old key stays on the git host for another that uses
        /// it.</summary>
        public const string OldKeyStillUsed = "OldKeyStillUsed";
    }
}
