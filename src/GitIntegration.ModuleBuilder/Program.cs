using GitIntegration.ModuleBuilder;

// build.ps1 runs:  dotnet run --project src/GitIntegration.ModuleBuilder -c Release -- module <repo> <configuration>
// <out>
//                  ... -- package <module folder> <output folder>
try
{
    switch (args)
    {
        case ["module", var repo, var configuration, var destination]:
            Console.WriteLine(
                "Module folder: "
                    + $"{ModuleFolder.Assemble(Path.GetFullPath(repo), configuration, Path.GetFullPath(destination))}"
            );
            return 0;
        case ["package", var module, var output]:
            Console.WriteLine($"Package: {ModulePackage.Create(Path.GetFullPath(module), Path.GetFullPath(output))}");
            return 0;
        default:
            Console.Error.WriteLine(
                "usage: module <repo root> <configuration> <destination> | package <module folder> <output folder>"
            );
            return 2;
    }
}
catch (Exception e)
    when (e is IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
