using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using GitIntegration.Core;
using GitIntegration.Core.Completion;
using GitIntegration.Core.Store;

namespace GitIntegration;

/// <summary>
/// Tab completion from Core's <see cref="ArgumentCompletion"/>. A store or folder that cannot be read completes
/// nothing (PowerShell then falls back to its own completion): Tab never shows an error.
/// </summary>
public abstract class GitIntegrationCompleter : IArgumentCompleter
{
    /// <summary>Called by PowerShell on Tab.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters
    )
    {
        var own = PowerShellsOwn(wordToComplete ?? "").ToList();
        // PowerShell's file results carry the full path as their tooltip: a key it offers is not offered twice.
        var offered = new HashSet<string>(own.Select(r => r.ToolTip), StringComparer.Ordinal);
        List<CompletionCandidate> candidates;
        try
        {
            candidates = Candidates(wordToComplete ?? "", fakeBoundParameters).ToList();
        }
        catch (Exception e) when (e is GitIntegrationException || e is IOException || e is UnauthorizedAccessException)
        {
            return own;
        }
        return own.Concat(
            candidates
                .Where(c => !offered.Contains(c.Value))
                .Select(c => new CompletionResult(c.CompletionText, c.Value, ResultType, c.ToolTip))
        );
    }

    /// <summary>What PowerShell's own completer offers first (files, for a path); nothing by default.</summary>
    private protected virtual IEnumerable<CompletionResult> PowerShellsOwn(string wordToComplete) =>
        Enumerable.Empty<CompletionResult>();

    private protected abstract IEnumerable<CompletionCandidate> Candidates(
        string wordToComplete,
        IDictionary fakeBoundParameters
    );

    private protected virtual CompletionResultType ResultType => CompletionResultType.ParameterValue;

    /// <summary>The store the command line points at (-StorePath), else the default one.</summary>
    private protected static StoreDocument Store(IDictionary fakeBoundParameters) =>
        IntegrationStore.Open(fakeBoundParameters?["StorePath"] as string).Load();
}

/// <summary>Integration names from the store.</summary>
public sealed class IntegrationNameCompleter : GitIntegrationCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(
        string wordToComplete,
        IDictionary fakeBoundParameters
    ) => ArgumentCompletion.IntegrationNames(Store(fakeBoundParameters), wordToComplete);
}

/// <summary>Organizations the store's integrations already name.</summary>
public sealed class OrganizationCompleter : GitIntegrationCompleter
{
    private protected override IEnumerable<CompletionCandidate> Candidates(
        string wordToComplete,
        IDictionary fakeBoundParameters
    ) => ArgumentCompletion.Organizations(Store(fakeBoundParameters), wordToComplete);
}

/// <summary>
/// Files and folders as PowerShell itself completes them (relative to the current location, quoted where needed),
/// then the key files under ~/.ssh.
/// </summary>
public sealed class KeyPathCompleter : GitIntegrationCompleter
{
    private protected override IEnumerable<CompletionResult> PowerShellsOwn(string wordToComplete) =>
        CompletionCompleters.CompleteFilename(wordToComplete);

    private protected override IEnumerable<CompletionCandidate> Candidates(
        string wordToComplete,
        IDictionary fakeBoundParameters
    ) => ArgumentCompletion.KeyPaths(wordToComplete);

    private protected override CompletionResultType ResultType => CompletionResultType.ProviderItem;
}
