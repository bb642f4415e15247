using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using GitIntegration.Core;
using GitIntegration.Core.IO;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// <para type="synopsis">Exports integrations to a TSV, CSV, YAML or JSON file for backup, review in a spreadsheet, or
/// moving to another server.</para>
/// <para type="description">Writes the integrations (all, or those given by -Name, -Id or from the pipeline) as one row
/// each, in the column layout Import-GitIntegration reads: id, name, type, origin, hostUrl, organization, key and
/// secret references, sslVerify, requireUserPat, repositoryFilter, status, timestamps, and a property.&lt;name&gt;
/// column per type-specific property. Without -IncludeSecrets no secret leaves the store: vault references travel by
/// name, stored passphrases and tokens are left out. With it, private keys (GitHub App PEM keys too) are inlined as
/// quoted multi-line PEM (the form the integration's own bulk TSV asks for), and passphrases, tokens and GitHub App
/// webhook secrets as text, and the file is written owner-only. The format comes from -Format or the file's extension;
/// CSV gets a BOM so Excel reads UTF-8.</para>
/// </summary>
/// <example>
/// <code>Export-GitIntegration -Path integrations.tsv</code>
/// <para>Backs up every integration's configuration, without secrets, as a TSV that opens in a spreadsheet.</para>
/// </example>
/// <example>
/// <code>Get-GitIntegration -Type GitHubApp | Export-GitIntegration -Path gha.tsv -IncludeSecrets</code>
/// <para>Exports the GitHub App integrations with their PEM keys inline, to re-import on a new server after re-issuing
/// a key.</para>
/// </example>
[Cmdlet(VerbsData.Export, "GitIntegration", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(FileInfo))]
public sealed class ExportGitIntegrationCommand : IntegrationSelectionCmdlet
{
    /// <summary><para type="description">The file to write.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">Tsv, Csv, Yaml or Json. By default taken from the file's extension.</para>
    /// </summary>
    [Parameter]
    public BulkFormat? Format { get; set; }

    /// <summary><para type="description">Names of the integrations to export, after the file; wildcards are
    /// allowed. Without -Name, -Id or integrations from the pipeline, all of them.</para></summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ArgumentCompleter(typeof(IntegrationNameCompleter))]
    [SupportsWildcards]
    public override string[]? Name
    {
        get => base.Name;
        set => base.Name = value;
    }

    /// <summary>
    /// <para type="description">Inlines private keys, passphrases, tokens and webhook secrets held by the store. The
    /// file is then written owner-only: keep it safe and delete it after use.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeSecrets { get; set; }

    /// <summary><para type="description">Replaces the file if it exists.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private readonly List<string> _names = new List<string>();
    private readonly List<Guid> _ids = new List<Guid>();
    private readonly List<Integration> _piped = new List<Integration>();

    /// <summary>Collects what the pipeline names, for one file.</summary>
    protected override void ProcessRecord()
    {
        if (Name != null)
            _names.AddRange(Name.Where(n => !_names.Contains(n)));
        if (Id != null)
            _ids.AddRange(Id);
        if (InputObject != null)
            _piped.AddRange(InputObject);
    }

    /// <summary>Writes the file once, with every integration collected.</summary>
    protected override void EndProcessing()
    {
        var target = ResolveNewPath(Path!);
        try
        {
            var format = Format ?? BulkFiles.FromExtension(target);
            var store = OpenStore();
            var picked = Select(
                store.Load(),
                _names.Count > 0 ? _names.ToArray() : null,
                _ids.Count > 0 ? _ids : null,
                _piped.Count > 0 ? _piped : null
            );
            var what =
                $"Export {picked.Count} integration(s) as {format}{(IncludeSecrets ? " WITH their secrets" : "")}";
            if (!ShouldProcess(target, what))
                return;
            var records = picked
                .Select(i =>
                    IntegrationRecord.From(
                        i,
                        IncludeSecrets ? store.ReadSecret : (Func<SecretRef, string>?)null,
                        IncludeSecrets ? ReadKey : (Func<string, string>?)null
                    )
                )
                .ToList();
            var text = new StringWriter();
            if (format == BulkFormat.Csv)
                text.Write('\uFEFF');
            BulkFiles.Write(text, records, format);
            SecureFile.WriteAllText(target, text.ToString(), overwrite: Force, ownerOnly: IncludeSecrets);
            WriteVerbose($"Wrote {records.Count} integration(s) from '{store.Path}' to '{target}'.");
            // The file as Get-Item returns it: PowerShell shows a bare FileInfo without its mode, owner and size.
            WriteObject(InvokeProvider.Item.Get(new[] { target }, false, true), enumerateCollection: true);
        }
        catch (GitIntegrationException e)
        {
            Fail(e, target);
        }
    }

    private static string ReadKey(string path)
    {
        try
        {
            return KeyFiles.ReadText(path);
        }
        catch (GitIntegrationException e)
        {
            throw e.Retold($"The private key cannot be read for -IncludeSecrets: {e.Message}", path);
        }
    }
}
