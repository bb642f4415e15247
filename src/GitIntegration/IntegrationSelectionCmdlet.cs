using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// What the cmdlets that pick stored integrations share, as Stop-Process picks processes: -Name (wildcards, also
/// by property name from the pipeline), -Id, an integration piped in (-InputObject, as Get-GitIntegration writes
/// it), and -StorePath. A cmdlet that must be told which integrations (Set, Remove...) overrides Name as mandatory.
/// </summary>
public abstract class IntegrationSelectionCmdlet : GitIntegrationCmdlet
{
    private protected const string NameSet = "Name";
    private protected const string IdSet = "Id";
    private protected const string InputSet = "InputObject";

    /// <summary><para type="description">Names of the integrations; wildcards are allowed. Without -Name, -Id or
    /// integrations from the pipeline, all of them.</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public virtual string[]? Name { get; set; }

    /// <summary><para type="description">Ids (GUIDs) of the integrations; objects with an Id property bind
    /// here from the pipeline.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = IdSet)]
    public Guid[]? Id { get; set; }

    /// <summary><para type="description">Integrations as Get-GitIntegration returns them, usually from the
    /// pipeline; each is read again from the store by its id.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public Integration[]? InputObject { get; set; }

    /// <summary><para type="description">The store file (or its folder) to use instead of
    /// $env:GITINTEGRATION_STORE or the per-user default.</para></summary>
    [Parameter]
    public string? StorePath { get; set; }

    private protected IntegrationStore OpenStore() => IntegrationStoreAccess.Open(this, StorePath);

    /// <summary>Whether this record names integrations at all (otherwise the cmdlet takes all of them).</summary>
    private protected bool Named => Name != null || Id != null || InputObject != null;

    /// <summary>
    /// The integrations this record names, as <paramref name="doc"/> holds them now; all without a name.
    /// </summary>
    private protected List<Integration> Select(StoreDocument doc) => Select(doc, Name, Id, InputObject);

    /// <summary>
    /// The integrations named, given by id or piped in (collected over a pipeline), as <paramref name="doc"/> holds
    /// them now; all when none is given. One that is not there (a name without wildcards, an id, an integration
    /// removed meanwhile) is reported and the others are returned.
    /// </summary>
    private protected List<Integration> Select(
        StoreDocument doc,
        string[]? names,
        IEnumerable<Guid>? ids,
        IEnumerable<Integration>? piped
    )
    {
        if (names == null && ids == null && piped == null)
            return doc.Integrations.ToList();
        var idList = ids?.ToArray();
        var result = IntegrationStoreAccess.Select(
            doc,
            names,
            idList?.Length > 0 ? idList : null,
            e => WriteFailure(e)
        );
        foreach (var given in piped ?? Enumerable.Empty<Integration>())
        {
            var now = doc.Find(given.Id);
            if (now == null)
                WriteFailure(IntegrationStoreAccess.Gone(given), given);
            else if (!result.Contains(now))
                result.Add(now);
        }
        return result;
    }
}
