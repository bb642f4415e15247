// dotnet run -c Release --project tests/GitIntegration.Bench -- <scenario>
var scenarios = new Dictionary<string, Action>
{
    ["ppk"] = PpkBench.Run,
};
if (args.Length != 1 || !scenarios.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: GitIntegration.Bench <{string.Join('|', scenarios.Keys)}>");
    return 2;
}
run();
return 0;
