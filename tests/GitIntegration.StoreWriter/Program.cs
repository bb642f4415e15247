using GitIntegration.Core.Store;

// add <store> <count> <tag>: adds <count> integrations one locked read-modify-write at a time.
// churn <store> <size>: rewrites the whole store forever, every integration carrying the same generation number
// (and padding, so that most of each cycle is spent writing and flushing the files, where the crash test aims).
var store = IntegrationStore.Open(args[1]);
switch (args[0])
{
    case "add":
        for (int n = 0; n < int.Parse(args[2]); n++)
            store.Update(d =>
            {
                d.Integrations.Add(new Integration { Name = $"{args[3]}-{n}", Url = $"git@h:{args[3]}/{n}.git" });
                return 0;
            });
        return 0;
    case "churn":
        var size = int.Parse(args[2]);
        for (long gen = 1; ; gen++)
        {
            store.Update(d =>
            {
                d.Integrations.Clear();
                for (int n = 0; n < size; n++)
                    d.Integrations.Add(new Integration { Name = $"r{n}", Url = $"git@h:a/{n}.git", Properties = { ["gen"] = gen.ToString(), ["pad"] = new string('x', 1000) } });
                return 0;
            });
            Console.WriteLine(gen);
        }
    default:
        Console.Error.WriteLine("usage: add <store> <count> <tag> | churn <store> <size>");
        return 2;
}
