using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using GitIntegration.Core;
using GitIntegration.Core.Hosts;

namespace GitIntegration;

/// <summary>
/// The desktop's clipboard, through the session's Set-Clipboard. It fails clearly where there is none: no
/// Set-Clipboard (a runbook, a remote session), or PowerShell on Linux without xclip, where Set-Clipboard would
/// keep the text inside the PowerShell process and nothing could be pasted elsewhere.
/// </summary>
internal static class Clipboard
{
    public static void Set(PSCmdlet cmdlet, string text, string source)
    {
        var command = cmdlet.InvokeCommand.GetCommand(
            "Set-Clipboard",
            CommandTypes.Cmdlet | CommandTypes.Function | CommandTypes.Alias
        );
        string? why = null;
        if (command == null)
            why = "this session has no Set-Clipboard (a runbook or a remote session has no clipboard)";
        else if (command is CmdletInfo && RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !OnPath("xclip"))
            why = "PowerShell on Linux reaches the desktop's clipboard through xclip, which is not installed here";
        else
        {
            try
            {
                cmdlet.InvokeCommand.InvokeScript("param($v) Set-Clipboard -Value $v -ErrorAction Stop", text);
            }
            catch (RuntimeException e)
            {
                why = "Set-Clipboard failed: " + e.Message.TrimEnd('.');
            }
        }
        if (why != null)
            throw new GitIntegrationException(
                HostErrorIds.ClipboardUnavailable,
                ErrorKind.ResourceUnavailable,
                $"The public key of '{source}' was not put on the clipboard: {why}. Copy it from the output of "
                    + $"{new PowerShellCommand("Get-GitSshKey").Arg("Path", source)} (its PublicKey) instead."
            )
            {
                Target = source,
            };
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator)
            .Where(d => d.Length > 0)
            .Any(d => File.Exists(Path.Combine(d, program)));
}
