using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using GitIntegration.Core;

namespace GitIntegration;

/// <summary>
/// What every cmdlet of the module shares: error records from Core's typed exceptions, paths, secrets.
/// </summary>
public abstract class GitIntegrationCmdlet : PSCmdlet
{
    internal static ErrorRecord ToErrorRecord(GitIntegrationException e, object? target = null)
    {
        var category = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), e.Kind.ToString());
        return new ErrorRecord(e, e.ErrorId, category, target ?? e.Target);
    }

    /// <summary>A per-item failure: reported, and the pipeline goes on.</summary>
    private protected void WriteFailure(GitIntegrationException e, object? target = null) =>
        WriteError(ToErrorRecord(e, target));

    /// <summary>
    /// One pipeline item's failure: TargetObject is the item, and the message names it (when the failure's own words do
    /// not), so that among many piped items the one that failed is plain. <paramref name="label"/> is how to name it:
    /// by default the item in quotes.
    /// </summary>
    private protected void WriteItemFailure(GitIntegrationException e, string item, string? label = null)
    {
        var quoted = "'" + item + "'";
        var named =
            e.Message.IndexOf(quoted, StringComparison.Ordinal) >= 0
                ? e
                : e.Retold($"{label ?? quoted}: {e.Message}", item);
        WriteError(ToErrorRecord(named, item));
    }

    /// <summary><see cref="WriteItemFailure"/> for a stored integration, named by its name.</summary>
    private protected void WriteIntegrationFailure(GitIntegrationException e, string name) =>
        WriteItemFailure(e, name, $"The integration '{name}'");

    /// <summary>A failed precondition: stops the command.</summary>
    private protected void Fail(GitIntegrationException e, object? target = null) =>
        ThrowTerminatingError(ToErrorRecord(e, target));

    private protected static string? Plain(SecureString? secret)
    {
        if (secret == null)
            return null;
        var ptr = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(ptr);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }

    /// <summary>A path for a file that may not exist yet, relative to PowerShell's current location.</summary>
    private protected string ResolveNewPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// Resolves -Path (wildcards) or -LiteralPath to file-system paths. A path that matches nothing is a
    /// non-terminating ObjectNotFound error, as in Get-Item.
    /// </summary>
    private protected IEnumerable<string> ResolvePaths(string[]? paths, bool literal)
    {
        foreach (var p in paths ?? Array.Empty<string>())
        {
            if (literal)
            {
                var full = ResolveNewPath(p);
                if (System.IO.File.Exists(full) || System.IO.Directory.Exists(full))
                {
                    yield return full;
                    continue;
                }
                WriteFailure(NotFound(full), p);
                continue;
            }
            Collection<string>? resolved = null;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(p, out _);
            }
            catch (ItemNotFoundException) { }
            if (resolved == null || resolved.Count == 0)
            {
                WriteFailure(NotFound(p), p);
                continue;
            }
            foreach (var r in resolved)
                yield return r;
        }
    }

    private static GitIntegrationException NotFound(string path) =>
        new GitIntegrationException(
            ErrorIds.KeyFileNotFound,
            ErrorKind.ObjectNotFound,
            $"Cannot find '{path}'. Check the path; Get-GitSshKey without -Path lists the keys in ~/.ssh."
        )
        {
            Target = path,
        };
}
