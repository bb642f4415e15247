using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Keys;

namespace GitIntegration
{
    /// <summary>
    /// <para type="synopsis">Explains why a key would be rejected: OpenSSH format, a public key, the wrong algorithm or size, a wrong passphrase, a .ppk.</para>
    /// <para type="description">Checks a key offline against a requirement (by default the integration's rule: a private RSA key in OpenSSL PEM).
    /// Returns a result with IsValid and Findings; each finding has a stable Id, a Severity, a plain-English Message and a Remedy,
    /// a command that fixes it. With -Quiet, returns only $true or $false.</para>
    /// </summary>
    /// <example>
    /// <code>Test-GitSshKey -Path ~/.ssh/id_rsa | Select-Object -ExpandProperty Findings</code>
    /// <para>Why the integration says "SSH key format is invalid": for a key made by a recent ssh-keygen or on macOS, the finding is OpenSshFormat, with the remedy Convert-GitSshKey -Path ~/.ssh/id_rsa -Format Pem.</para>
    /// </example>
    /// <example>
    /// <code>if (-not (Test-GitSshKey -Path $keyPath -Requirement AzureDevOps -Quiet)) { throw "Key not usable with Azure DevOps" }</code>
    /// <para>A guard in a runbook: Azure DevOps accepts RSA keys only.</para>
    /// </example>
    /// <example>
    /// <code>Get-Clipboard -Raw | ForEach-Object { Test-GitSshKey -KeyText $_ }</code>
    /// <para>Checks a pasted key, even one flattened onto one line or wrapped in quotes.</para>
    /// </example>
    [Cmdlet(VerbsDiagnostic.Test, "GitSshKey", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(KeyTestResult), typeof(bool))]
    public sealed class TestGitSshKeyCommand : GitIntegrationCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string TextSet = "Text";

        /// <summary><para type="description">The key file to check; wildcards are allowed. Get-GitSshKey output binds here by its Path.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary><para type="description">The key file to check, taken exactly as written. Get-ChildItem output binds here.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary><para type="description">The key itself, as text: pasted, read from a vault or a TSV cell. CRLF, quotes, literal \n and keys flattened onto one line are accepted.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = TextSet)]
        [ValidateNotNullOrEmpty]
        public string? KeyText { get; set; }

        /// <summary><para type="description">The key's passphrase, to check that it opens the key and to check the key itself.</para></summary>
        [Parameter]
        public SecureString? Passphrase { get; set; }

        /// <summary><para type="description">Whose rules apply: Integration (private RSA key in OpenSSL PEM; the default), GitHub, GitLab, Bitbucket, AzureDevOps (RSA only) or Any.</para></summary>
        [Parameter]
        public KeyRequirement Requirement { get; set; } = KeyRequirement.Integration;

        /// <summary><para type="description">Returns only $true (no error findings) or $false.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <summary>Checks each key.</summary>
        protected override void ProcessRecord()
        {
            var passphrase = Plain(Passphrase);
            if (ParameterSetName == TextSet)
            {
                Emit(KeyDiagnostics.TestText(KeyText!, passphrase, Requirement));
                return;
            }
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var p in ResolvePaths(literal ? LiteralPath : Path, literal))
            {
                WriteVerbose($"Checking '{p}' against the {Requirement} requirement.");
                Emit(KeyDiagnostics.TestFile(p, passphrase, Requirement));
            }
        }

        private void Emit(KeyTestResult result)
        {
            foreach (var f in result.Findings) WriteVerbose($"{f.Severity} {f.Id}: {f.Message}");
            if (Quiet) WriteObject(result.IsValid);
            else WriteObject(result);
        }
    }
}
