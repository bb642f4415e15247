using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.Store;

namespace GitIntegration
{
    /// <summary>How the integration cmdlets open the store and pick integrations.</summary>
    internal static class IntegrationStoreAccess
    {
        /// <summary>-StorePath (relative to PowerShell's location), else $env:GITINTEGRATION_STORE, else the per-user default. Vault references read through SecretManagement.</summary>
        public static IntegrationStore Open(PSCmdlet cmdlet, string? storePath)
        {
            var path = string.IsNullOrEmpty(storePath) ? null : cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(storePath);
            var store = IntegrationStore.Open(path);
            store.VaultReader = (vault, name) =>
            {
                var output = cmdlet.InvokeCommand.InvokeScript(
                    "param($v, $n) Microsoft.PowerShell.SecretManagement\\Get-Secret -Vault $v -Name $n -AsPlainText -ErrorAction Stop", vault, name);
                var value = output.Count == 1 ? output[0]?.BaseObject : null;
                return value as string ?? throw new GitIntegrationException(StoreErrorIds.SecretNotFound, ErrorKind.ObjectNotFound,
                    $"The vault '{vault}' has no text secret named '{name}'. Add it with Set-Secret -Vault {vault} -Name {name}.") { Target = name };
            };
            return store;
        }

        /// <summary>Integrations matching any of the names (wildcards) or ids; a name or id without wildcards that matches nothing is reported.</summary>
        public static List<Integration> Select(StoreDocument doc, string[]? names, Guid[]? ids, Action<GitIntegrationException> notFound)
        {
            var result = new List<Integration>();
            foreach (var id in ids ?? Array.Empty<Guid>())
            {
                var i = doc.Find(id);
                if (i != null) { if (!result.Contains(i)) result.Add(i); }
                else notFound(NotFound(id.ToString()));
            }
            foreach (var name in names ?? Array.Empty<string>())
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var hits = doc.Integrations.Where(i => pattern.IsMatch(i.Name)).ToList();
                if (hits.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name)) notFound(NotFound(name));
                foreach (var h in hits) if (!result.Contains(h)) result.Add(h);
            }
            return result;
        }

        private static GitIntegrationException NotFound(string what) =>
            new GitIntegrationException(StoreErrorIds.IntegrationNotFound, ErrorKind.ObjectNotFound,
                $"There is no integration '{what}' in the store. Get-GitIntegration lists them.") { Target = what };
    }
}
