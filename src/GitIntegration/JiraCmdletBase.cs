using System;
using System.Management.Automation;
using System.Security;
using GitIntegration.Core;
using GitIntegration.Core.Jira;

namespace GitIntegration;

/// <summary>
/// The parameters every command that talks to Jira's Git Integration app shares: where Jira is and who calls it.
/// </summary>
public abstract class JiraCmdletBase : GitIntegrationCmdlet
{
    private protected const string CredentialSet = "Credential";
    private protected const string TokenSet = "Token";

    /// <summary>
    /// <para type="description">Jira's base URL (Administration ➜ System ➜ Base URL), e.g. https://jira.example.com.
    /// Jira Data Center or Server with Git Integration for Jira; Jira Cloud has no such API.</para>
    /// </summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? JiraUrl { get; set; }

    /// <summary>
    /// <para type="description">A Jira administrator's user name and password (Get-Credential). Listing needs any Jira
    /// user; adding, changing and removing need an administrator.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// <para type="description">A Jira personal access token (Profile ➜ Personal Access Tokens, Jira 8.14 or later) of
    /// a Jira administrator, as a SecureString.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = TokenSet)]
    public SecureString? Token { get; set; }

    /// <summary>
    /// <para type="description">Accepts any certificate from Jira, as Invoke-WebRequest -SkipCertificateCheck does. For
    /// a test server only: anyone between you and Jira could read the password or token.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>
    /// <para type="description">Allows a -JiraUrl that starts with http://, which sends the password or token
    /// unencrypted. Only on a network you trust.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    /// <summary><para type="description">How long each call to Jira may take, in seconds.</para></summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>A client for -JiraUrl with the credential; a bad address stops the command.</summary>
    private protected JiraClient OpenJira()
    {
        Uri url = null!;
        try
        {
            url = JiraClient.ParseUrl(JiraUrl, AllowUnencryptedAuthentication);
        }
        catch (GitIntegrationException e)
        {
            Fail(e, JiraUrl);
        }
        var options = new JiraOptions(url)
        {
            SkipCertificateCheck = SkipCertificateCheck,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
        };
        if (Token != null)
            options.Token = Plain(Token);
        else
        {
            options.UserName = Credential!.UserName;
            options.Password = Credential.GetNetworkCredential().Password;
        }
        return new JiraClient(options);
    }

    /// <summary>Jira's repositories; any failure stops the command (nothing can be compared without them).</summary>
    private protected System.Collections.Generic.IReadOnlyList<JiraRepository> ListJira(JiraClient client)
    {
        WriteVerbose($"Listing the repositories of Git Integration for Jira at {client.Options.BaseUrl}.");
        try
        {
            return client.ListAsync(default).GetAwaiter().GetResult();
        }
        catch (GitIntegrationException e)
        {
            Fail(e, JiraUrl);
            throw;
        }
    }
}
