// Our timings beside the reference tool's for the same work, in one run, and their ratio.
// Usage: dotnet run -c Release --project tests/GitIntegration.Bench -- [scenario ...]   (no scenario: all)
var scenarios = new Dictionary<string, Action>
{
    ["keys"] = KeyBench.Run,
    ["verify"] = VerifyBench.Run,
    ["store"] = StoreBench.Run,
    ["ppk"] = PpkBench.Run,
    ["jmespath"] = JmesPathBench.Run,
    ["import"] = ImportBench.Run,
    ["publish"] = PublishBench.Run,
};
var chosen = args.Length == 0 ? scenarios.Keys.ToArray() : args;
foreach (var name in chosen)
{
    if (!scenarios.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown scenario '{name}'. Known: {string.Join(", ", scenarios.Keys)}");
        return 2;
    }
    run();
}
return 0;
