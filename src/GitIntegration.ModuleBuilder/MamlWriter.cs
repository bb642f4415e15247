using System.Xml.Linq;

namespace GitIntegration.ModuleBuilder;

/// <summary>
/// Writes the MAML file PowerShell's help system reads for a binary module (en-US/GitIntegration.dll-Help.xml),
/// in the shape platyPS produces: command:details, maml:description, command:syntax, command:parameters,
/// command:inputTypes, command:returnValues, command:examples, command:relatedLinks.
/// </summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    /// <summary>
    /// -WhatIf and -Confirm come from PowerShell, not from the class, but Get-Help should explain them.
    /// </summary>
    private static readonly CmdletParameter[] ShouldProcessParameters =
    {
        Switch("WhatIf", "wi", "Shows what would happen if the command ran. Nothing is changed."),
        Switch(
            "Confirm",
            "cf",
            "Asks for confirmation before each change. -Confirm:$false never asks, as in unattended runbooks."
        ),
    };

    public static XDocument Write(IEnumerable<CmdletHelp> cmdlets, string aboutTopic) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                Msh + "helpItems",
                new XAttribute("schema", "maml"),
                cmdlets.Select(c => CommandElement(c, aboutTopic))
            )
        );

    private static XElement CommandElement(CmdletHelp c, string aboutTopic)
    {
        var parameters = c.SupportsShouldProcess
            ? c.Parameters.Concat(ShouldProcessParameters).ToList()
            : c.Parameters.ToList();
        var withShouldProcess = c with { Parameters = parameters };
        return new XElement(
            Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(
                Command + "details",
                new XElement(Command + "name", c.Name),
                new XElement(Command + "verb", c.Verb),
                new XElement(Command + "noun", c.Noun),
                Description(c.Synopsis)
            ),
            Description(c.Description),
            new XElement(
                Command + "syntax",
                withShouldProcess.Sets.Select(set => new XElement(
                    Command + "syntaxItem",
                    new XElement(Maml + "name", c.Name),
                    withShouldProcess.In(set).Select(x => Parameter(x.Parameter, x.Use, inSyntax: true))
                ))
            ),
            new XElement(
                Command + "parameters",
                parameters
                    .OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => Parameter(p, Merged(p), inSyntax: false))
            ),
            new XElement(
                Command + "inputTypes",
                InputTypes(c)
                    .Select(t => new XElement(
                        Command + "inputType",
                        TypeElement(t),
                        Description($"Bound from the pipeline ({string.Join(", ", PipelineParameters(c, t))}).")
                    ))
            ),
            new XElement(
                Command + "returnValues",
                c.OutputTypes.Select(t => new XElement(Command + "returnValue", TypeElement(t), Description("")))
            ),
            new XElement(
                Command + "examples",
                c.Examples.Select(
                    (e, i) =>
                        new XElement(
                            Command + "example",
                            new XElement(
                                Maml + "title",
                                $"-------------------------- Example {i + 1} --------------------------"
                            ),
                            new XElement(Dev + "code", e.Code),
                            new XElement(Dev + "remarks", new XElement(Maml + "para", e.Remarks))
                        )
                )
            ),
            new XElement(
                Command + "relatedLinks",
                new XElement(
                    Maml + "navigationLink",
                    new XElement(Maml + "linkText", aboutTopic),
                    new XElement(Maml + "uri")
                )
            )
        );
    }

    private static XElement Parameter(CmdletParameter p, ParameterUse use, bool inSyntax)
    {
        var pipeline = (use.ByValue, use.ByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
        var e = new XElement(
            Command + "parameter",
            new XAttribute("required", use.Mandatory ? "true" : "false"),
            new XAttribute("variableLength", p.IsArray ? "true" : "false"),
            new XAttribute("globbing", p.Wildcards ? "true" : "false"),
            new XAttribute("pipelineInput", pipeline),
            new XAttribute("position", use.Position?.ToString() ?? "named"),
            new XAttribute("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases)),
            new XElement(Maml + "name", p.Name),
            Description(p.Description)
        );
        if (p.AcceptedValues.Count > 0)
            e.Add(
                new XElement(
                    Command + "parameterValueGroup",
                    p.AcceptedValues.Select(v => new XElement(
                        Command + "parameterValue",
                        new XAttribute("required", "false"),
                        new XAttribute("variableLength", "false"),
                        v
                    ))
                )
            );
        if (!p.IsSwitch || !inSyntax)
            e.Add(
                new XElement(
                    Command + "parameterValue",
                    new XAttribute("required", p.IsSwitch ? "false" : "true"),
                    new XAttribute("variableLength", "false"),
                    p.TypeName
                )
            );
        e.Add(TypeElement(p.FullTypeName));
        e.Add(new XElement(Dev + "defaultValue", p.IsSwitch ? "False" : "None"));
        return e;
    }

    /// <summary>
    /// In the parameters section a parameter appears once: required or positional if it is so in any set.
    /// </summary>
    private static ParameterUse Merged(CmdletParameter p) =>
        new(
            "",
            p.Uses.Any(u => u.Mandatory),
            p.Uses.Select(u => u.Position).FirstOrDefault(x => x != null),
            p.Uses.Any(u => u.ByValue),
            p.Uses.Any(u => u.ByPropertyName)
        );

    private static IEnumerable<string> PipelineParameters(CmdletHelp c, string type) =>
        c
            .Parameters.Where(p => p.FullTypeName == type && p.Uses.Any(u => u.ByValue || u.ByPropertyName))
            .Select(p => "-" + p.Name);

    private static IEnumerable<string> InputTypes(CmdletHelp c) =>
        c.Parameters.Where(p => p.Uses.Any(u => u.ByValue || u.ByPropertyName)).Select(p => p.FullTypeName).Distinct();

    private static XElement TypeElement(string fullName) =>
        new(Dev + "type", new XElement(Maml + "name", fullName), new XElement(Maml + "uri"));

    /// <summary>One maml:para per paragraph (separated by a blank line), so Get-Help shows them all.</summary>
    private static XElement Description(string text) =>
        new(Maml + "description", text.Split("\n\n").Select(p => new XElement(Maml + "para", p)));

    private static CmdletParameter Switch(string name, string alias, string description) =>
        new(
            name,
            "SwitchParameter",
            "System.Management.Automation.SwitchParameter",
            true,
            false,
            new[] { alias },
            false,
            Array.Empty<string>(),
            new[] { new ParameterUse(CmdletMetadata.AllSets, false, null, false, false) },
            description
        );
}
