using System;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Git;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Reads a git server's SSH host keys and says whether they are the ones the service
/// publishes.</para>
/// <para type="description">Asks the server for its host keys as ssh-keyscan does, without needing it (no login,
/// nothing trusted or written) and returns each key's type and SHA256 fingerprint, whether it matches the fingerprints
/// GitHub, GitLab.com, Bitbucket Cloud or Azure DevOps publish (MatchesPublished: $true, $false, or empty when the host
/// publishes none), and whether the module's known_hosts already trusts it.
/// Compare the fingerprint with the one your server's administrator publishes before connecting with
/// -AcceptNewHostKey.</para>
/// </summary>
/// <example>
/// <code>Get-GitHostKey -HostName git.example.com -Port 7999</code>
/// <para>Shows the Bitbucket Server's host keys, to compare with the fingerprint its administrator sent before the
/// first connection.</para>
/// </example>
/// <example>
/// <code>Get-GitHostKey github.com | Where-Object MatchesPublished -ne $true</code>
/// <para>Shows nothing when github.com presents exactly the keys GitHub publishes; anything listed means something
/// intercepts SSH.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "GitHostKey", DefaultParameterSetName = HostSet)]
[OutputType(typeof(GitHostKey))]
public sealed class GetGitHostKeyCommand : GitIntegrationCmdlet
{
    private const string HostSet = "HostName";
    private const string UrlSet = "Url";

    /// <summary><para type="description">The server's host name or address.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = HostSet)]
    [Alias("ComputerName")]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>
    /// <para type="description">The SSH port (22 unless the server uses another, e.g. 7999 for Bitbucket Server, 29418
    /// for Gerrit).</para>
    /// </summary>
    [Parameter(ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 22;

    /// <summary><para type="description">A clone URL; its host and SSH port are used.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = UrlSet)]
    [ValidateNotNullOrEmpty]
    public string? Url { get; set; }

    /// <summary>
    /// <para type="description">The known_hosts file to compare with; by default the module's own, next to the
    /// store.</para>
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KnownHostsPath { get; set; }

    /// <summary><para type="description">How long to wait for the server, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Scans each host.</summary>
    protected override void ProcessRecord()
    {
        string host = HostName!;
        int port = Port;
        try
        {
            if (ParameterSetName == UrlSet)
            {
                var ssh = GitUrlConverter.ToSsh(GitUrl.Parse(Url));
                host = ssh.Host;
                port = ssh.EffectivePort;
            }
            var knownHosts = KnownHostsPath != null ? ResolveNewPath(KnownHostsPath) : KnownHosts.DefaultPath;
            WriteVerbose(
                $"Reading the host keys of {KnownHosts.Name(host, port)} (Ed25519, ECDSA, RSA); comparing with "
                    + $"'{knownHosts}'."
            );
            foreach (var k in HostKeyScanner.Scan(host, port, TimeSpan.FromSeconds(TimeoutSeconds), knownHosts))
            {
                if (k.MatchesPublished == false)
                    WriteWarning(
                        $"{KnownHosts.Name(host, port)} presents {k}, which is not a fingerprint the service "
                            + $"publishes ({k.PublishedSource})."
                    );
                WriteObject(k);
            }
        }
        catch (GitIntegrationException e)
        {
            WriteFailure(e, host);
        }
    }
}
