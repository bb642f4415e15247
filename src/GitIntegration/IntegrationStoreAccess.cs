using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.GitHub;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>How the integration cmdlets open the store and pick integrations.</summary>
internal static class IntegrationStoreAccess
{
    /// <summary>
    /// -StorePath (relative to PowerShell's location), else $env:GITINTEGRATION_STORE, else the per-user default. Vault
    /// references read through SecretManagement.
    /// </summary>
    public static IntegrationStore Open(PSCmdlet cmdlet, string? storePath)
    {
        var path = string.IsNullOrEmpty(storePath)
            ? null
            : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(storePath);
        var store = IntegrationStore.Open(path);
        store.VaultReader = (vault, name) =>
        {
            var output = cmdlet.InvokeCommand.InvokeScript(
                "param($v, $n) Microsoft.PowerShell.SecretManagement\\Get-Secret -Vault $v -Name $n "
                    + "-AsPlainText -ErrorAction Stop",
                vault,
                name
            );
            var value = output.Count == 1 ? output[0]?.BaseObject : null;
            return value as string
                ?? throw new GitIntegrationException(
                    StoreErrorIds.SecretNotFound,
                    ErrorKind.ObjectNotFound,
                    $"The vault '{vault}' has no text secret named '{name}'. Add it with Set-Secret -Vault "
                        + $"{vault} -Name {name}."
                )
                {
                    Target = name,
                };
        };
        return store;
    }

    /// <summary>
    /// Integrations matching any of the names (wildcards) or ids; a name or id without wildcards that matches nothing
    /// is reported.
    /// </summary>
    public static List<Integration> Select(
        StoreDocument doc,
        string[]? names,
        Guid[]? ids,
        Action<GitIntegrationException> notFound
    )
    {
        var result = new List<Integration>();
        foreach (var id in ids ?? Array.Empty<Guid>())
        {
            var i = doc.Find(id);
            if (i != null)
            {
                if (!result.Contains(i))
                    result.Add(i);
            }
            else
                notFound(NotFound(id.ToString()));
        }
        foreach (var name in names ?? Array.Empty<string>())
        {
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
            var hits = doc.Integrations.Where(i => pattern.IsMatch(i.Name)).ToList();
            if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                notFound(NotFound(name));
            foreach (var h in hits)
                if (!result.Contains(h))
                    result.Add(h);
        }
        return result;
    }

    /// <summary>An integration given as an object that the store no longer holds.</summary>
    public static GitIntegrationException Gone(Integration i) =>
        new GitIntegrationException(
            StoreErrorIds.IntegrationNotFound,
            ErrorKind.ObjectNotFound,
            $"The integration '{i.Name}' ({i.Id}) is no longer in the store: another command removed it. "
                + "Get-GitIntegration lists what is there."
        )
        {
            Target = i.Name,
        };

    /// <summary>
    /// The GitHub App integrations among <paramref name="picked"/>. Another integration is reported when it was
    /// asked for by itself (an id, a piped object, a name without wildcards), not when a wildcard caught it.
    /// </summary>
    public static List<Integration> Apps(
        IEnumerable<Integration> picked,
        string[]? names,
        Action<GitIntegrationException, Integration> report
    )
    {
        var result = new List<Integration>();
        foreach (var i in picked)
        {
            if (GitHubAppIntegration.IsApp(i))
                result.Add(i);
            else if (names == null || !Array.Exists(names, WildcardPattern.ContainsWildcardCharacters))
                report(
                    new GitIntegrationException(
                        GitHubErrorIds.NotAGitHubApp,
                        ErrorKind.InvalidArgument,
                        $"'{i.Name}' is a {i.Type} integration, not a GitHub App. "
                            + "Get-GitIntegration -Type GitHubApp,GitHubEnterpriseApp lists the apps."
                    )
                    {
                        Target = i.Name,
                    },
                    i
                );
        }
        return result;
    }

    private static GitIntegrationException NotFound(string what) =>
        new GitIntegrationException(
            StoreErrorIds.IntegrationNotFound,
            ErrorKind.ObjectNotFound,
            $"There is no integration '{what}' in the store. Get-GitIntegration lists them."
        )
        {
            Target = what,
        };
}
