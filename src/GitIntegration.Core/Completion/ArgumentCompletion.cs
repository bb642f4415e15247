using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using GitIntegration.Core.Keys;
using GitIntegration.Core.Store;

namespace GitIntegration.Core.Completion;

/// <summary>A value offered by Tab completion, with the tooltip PowerShell shows beside it.</summary>
public sealed class CompletionCandidate
{
    public CompletionCandidate(string value, string toolTip)
    {
        Value = value;
        ToolTip = toolTip;
    }

    public string Value { get; }
    public string ToolTip { get; }

    /// <summary>The text to insert: quoted when PowerShell would otherwise split or expand it.</summary>
    public string CompletionText => PowerShellCommand.Argument(Value);
}

/// <summary>What Tab completes for integration names, organizations in the store and key files under ~/.ssh.</summary>
public static class ArgumentCompletion
{
    /// <summary>What was typed, without the quotes the user may have opened.</summary>
    public static string Typed(string? wordToComplete) => (wordToComplete ?? "").Trim().Trim('\'', '"');

    /// <summary>Integration names starting with what was typed, in name order.</summary>
    public static IEnumerable<CompletionCandidate> IntegrationNames(StoreDocument doc, string? wordToComplete)
    {
        var typed = Typed(wordToComplete);
        return doc
            .Integrations.Where(i => i.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .OrderBy(i => i.Name, StringComparer.OrdinalIgnoreCase)
            .Select(i => new CompletionCandidate(i.Name, $"{i.Name} ({i.Type}) {i.Url}".TrimEnd()));
    }

    /// <summary>The organizations the store's integrations name, each once, starting with what was typed.</summary>
    public static IEnumerable<CompletionCandidate> Organizations(StoreDocument doc, string? wordToComplete)
    {
        var typed = Typed(wordToComplete);
        return doc
            .Integrations.Where(i =>
                !string.IsNullOrEmpty(i.Organization)
                && i.Organization!.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
            )
            .GroupBy(i => i.Organization!, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => new CompletionCandidate(g.Key, $"{g.Key}: {string.Join(", ", g.Select(i => i.Name))}"));
    }

    /// <summary>
    /// Key files in <paramref name="folder"/> (by default ~/.ssh) as full paths, when what was typed is the start of
    /// the file name, of its full path, or of "~/.ssh/name". Files that are not keys (known_hosts, config) are left
    /// out.
    /// The key path completer offers these after PowerShell's own file completion.
    /// </summary>
    public static IEnumerable<CompletionCandidate> KeyPaths(string? wordToComplete, string? folder = null)
    {
        folder ??= KeyFiles.DefaultFolder;
        if (!Directory.Exists(folder))
            return Enumerable.Empty<CompletionCandidate>();
        var typed = Typed(wordToComplete).Replace('\\', '/');
        var tilde = "~/" + Path.GetFileName(folder.TrimEnd('/', '\\')) + "/";
        return KeyFiles
            .Find(folder, recurse: false)
            .Where(k =>
            {
                var name = Path.GetFileName(k.Path);
                return name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
                    || k.Path.Replace('\\', '/').StartsWith(typed, PathComparison)
                    || (tilde + name).StartsWith(typed, PathComparison);
            })
            .OrderBy(k => k.Path, StringComparer.OrdinalIgnoreCase)
            .Select(k => new CompletionCandidate(
                k.Path,
                k.Info is SshKeyInfo i
                    ? $"{i.Algorithm} {i.Bits} {i.Format}{(i.IsEncrypted ? " encrypted" : "")}"
                    : k.Error!.Message
            ));
    }

    private static StringComparison PathComparison =>
        Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
}
