using System.Text.RegularExpressions;

namespace GitIntegration.Core.GitHub;

/// <summary>PowerShell-style name matching (* ? [a-z]), case-insensitive, for -Name parameters.</summary>
internal static class Wildcard
{
    public static bool IsMatch(string value, string pattern)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".").Replace("\\[", "[") + "$";
        return Regex.IsMatch(value, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
