using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace GitIntegration.ModuleBuilder;

/// <summary>
/// What build.ps1 -Package produces: the versioned module folder (GitIntegration/&lt;version&gt;/, the layout
/// Install-PSResource writes into a PSModulePath folder) and the .nupkg a PowerShell repository serves, with
/// the nuspec Publish-PSResource would write: the manifest's metadata, and the tags the PowerShell Gallery
/// searches (PSModule, PSIncludes_Cmdlet, PSCmdlet_/PSCommand_ per exported cmdlet).
/// </summary>
public static class ModulePackage
{
    public static readonly XNamespace Nuspec = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

    /// <summary>
    /// Writes &lt;output&gt;/GitIntegration/&lt;version&gt;/ and &lt;output&gt;/GitIntegration.&lt;version&gt;.nupkg;
    /// returns the .nupkg path.
    /// </summary>
    public static string Create(string moduleDir, string output)
    {
        var manifest = File.ReadAllText(Path.Combine(moduleDir, ModuleFolder.Name + ".psd1"));
        var version = Scalar(manifest, "ModuleVersion");
        var versioned = Path.Combine(output, ModuleFolder.Name, version);
        if (Directory.Exists(versioned))
            Directory.Delete(versioned, recursive: true);
        ModuleFolder.CopyTree(moduleDir, versioned);

        var work = Directory.CreateTempSubdirectory("gitintegration-pack-").FullName;
        try
        {
            var nuspec = Path.Combine(work, ModuleFolder.Name + ".nuspec");
            NuspecFor(manifest).Save(nuspec);
            // NuGet's own packer (dotnet pack of a nuspec), so the package is exactly what nuget.exe would make.
            File.WriteAllText(
                Path.Combine(work, "pack.csproj"),
                """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <IncludeBuildOutput>false</IncludeBuildOutput>
                    <NoBuild>true</NoBuild>
                    <NoWarn>$(NoWarn);NU5100;NU5110;NU5111;NU5125;NU5128</NoWarn>
                  </PropertyGroup>
                </Project>
                """
            );
            var nupkg = Path.Combine(output, $"{ModuleFolder.Name}.{version}.nupkg");
            File.Delete(nupkg);
            Run(
                "dotnet",
                "pack",
                Path.Combine(work, "pack.csproj"),
                "--nologo",
                "-v",
                "quiet",
                "-o",
                Path.GetFullPath(output),
                "-p:NuspecFile=" + nuspec,
                "-p:NuspecBasePath=" + Path.GetFullPath(versioned)
            );
            return File.Exists(nupkg) ? nupkg : throw new FileNotFoundException("dotnet pack wrote no package.", nupkg);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The nuspec of the module described by its manifest (psd1 text).</summary>
    public static XDocument NuspecFor(string manifest)
    {
        var cmdlets = Array(manifest, "CmdletsToExport");
        var tags = Array(manifest, "Tags")
            .Append("PSModule")
            .Append("PSIncludes_Cmdlet")
            .Concat(cmdlets.SelectMany(c => new[] { "PSCmdlet_" + c, "PSCommand_" + c }))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        XElement E(string name, string value) => new(Nuspec + name, value);
        return new XDocument(
            new XElement(
                Nuspec + "package",
                new XElement(
                    Nuspec + "metadata",
                    E("id", ModuleFolder.Name),
                    E("version", Scalar(manifest, "ModuleVersion")),
                    E("authors", Scalar(manifest, "Author")),
                    E("owners", Scalar(manifest, "CompanyName")),
                    E("requireLicenseAcceptance", "false"),
                    E("licenseUrl", Scalar(manifest, "LicenseUri")),
                    E("projectUrl", Scalar(manifest, "ProjectUri")),
                    E("description", Scalar(manifest, "Description")),
                    E("releaseNotes", Scalar(manifest, "ReleaseNotes")),
                    E("copyright", Scalar(manifest, "Copyright")),
                    E("tags", string.Join(" ", tags))
                ),
                new XElement(
                    Nuspec + "files",
                    new XElement(Nuspec + "file", new XAttribute("src", "**"), new XAttribute("target", ""))
                )
            )
        );
    }

    /// <summary>A single-quoted value of the manifest (our psd1 uses single quotes throughout).</summary>
    public static string Scalar(string manifest, string key)
    {
        var m = Regex.Match(manifest, $@"\b{key}\s*=\s*'((?:[^']|'')*)'");
        return m.Success
            ? m.Groups[1].Value.Replace("''", "'")
            : throw new InvalidDataException($"The manifest has no {key}.");
    }

    /// <summary>The strings of an @(...) array of the manifest.</summary>
    public static IReadOnlyList<string> Array(string manifest, string key)
    {
        var block = Regex.Match(manifest, $@"\b{key}\s*=\s*@\((.*?)\)", RegexOptions.Singleline);
        if (!block.Success)
            throw new InvalidDataException($"The manifest has no {key}.");
        return Regex
            .Matches(block.Groups[1].Value, "'((?:[^']|'')*)'")
            .Select(m => m.Groups[1].Value.Replace("''", "'"))
            .ToList();
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} failed ({p.ExitCode}):\n{stdout.Result}{stderr}"
            );
    }
}
