using System.Linq;
using System.Text;

namespace GitIntegration.Core;

/// <summary>
/// A command line the admin can paste into PowerShell: the one way remedies (and messages that name a command) are
/// written, so every value reads back as the same string and a missing secret is asked for, never left to a
/// variable the admin does not have.
/// </summary>
public sealed class PowerShellCommand
{
    /// <summary>PowerShell reads all four as a single quote, and "“”„ as a double quote.</summary>
    private const string SingleQuotes = "'\u2018\u2019\u201A\u201B";
    private const string Special = " \t\r\n\"\u201C\u201D\u201E$`()[]{};,@&#|<>*?";

    private readonly StringBuilder _text;

    public PowerShellCommand(string name)
    {
        _text = new StringBuilder(name);
    }

    /// <summary>-Name 'value', always quoted: a path reads as one.</summary>
    public PowerShellCommand Arg(string parameter, string value) => Add(parameter, Quote(value));

    /// <summary>
    /// -Name 'value' for a parameter that reads wildcards (-Name of the integration cmdlets): escaped so that it
    /// selects exactly this value.
    /// </summary>
    public PowerShellCommand Literal(string parameter, string value) => Add(parameter, QuoteLiteral(value));

    /// <summary>-Name Value, for a value of an enum parameter (-Format Pem).</summary>
    public PowerShellCommand Arg<T>(string parameter, T value)
        where T : struct, System.Enum => Add(parameter, value.ToString());

    public PowerShellCommand Arg(string parameter, int value) =>
        Add(parameter, value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public PowerShellCommand Switch(string parameter) => Add(parameter, null);

    /// <summary>A secret, typed when the command runs: -Name (Read-Host -AsSecureString -Prompt '...').</summary>
    public PowerShellCommand Secret(string parameter, string prompt = "Passphrase") =>
        Add(parameter, $"(Read-Host -AsSecureString -Prompt {Quote(prompt)})");

    /// <summary>What only the admin knows (which file), typed when the command runs: (Read-Host ...).</summary>
    public PowerShellCommand Ask(string parameter, string prompt) =>
        Add(parameter, $"(Read-Host -Prompt {Quote(prompt)})");

    public override string ToString() => _text.ToString();

    public static implicit operator string(PowerShellCommand command) => command.ToString();

    /// <summary>
    /// The value as a single-quoted PowerShell string: nothing inside is expanded ($, `, subexpressions), and each
    /// quote character is doubled, so the parser reads back exactly <paramref name="value"/>.
    /// </summary>
    public static string Quote(string value)
    {
        var b = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (SingleQuotes.IndexOf(c) >= 0)
                b.Append(c);
            b.Append(c);
        }
        return b.Append('\'').ToString();
    }

    /// <summary>Quoted, with the characters a wildcard parameter reads as a pattern escaped.</summary>
    public static string QuoteLiteral(string value)
    {
        var literal = new StringBuilder();
        foreach (var c in value)
        {
            if (c == '`' || c == '[' || c == ']' || c == '*' || c == '?')
                literal.Append('`');
            literal.Append(c);
        }
        return Quote(literal.ToString());
    }

    /// <summary>
    /// The value as one argument: as it is when PowerShell reads it back unchanged as a plain word (id_rsa,
    /// /home/me/.ssh/id_rsa, Pem), else <see cref="Quote"/>d.
    /// </summary>
    public static string Argument(string value) => IsPlainWord(value) ? value : Quote(value);

    private static bool IsPlainWord(string value) =>
        value.Length > 0
        && "-+'\u2018\u2019\u201A\u201B0123456789.~:".IndexOf(value[0]) < 0
        && !value.Any(c =>
            Special.IndexOf(c) >= 0
            || SingleQuotes.IndexOf(c) >= 0
            || char.IsControl(c)
            || c == '\u2013'
            || c == '\u2014'
        );

    private PowerShellCommand Add(string parameter, string? value)
    {
        _text.Append(" -").Append(parameter);
        if (value != null)
            _text.Append(' ').Append(value);
        return this;
    }
}
