using GitIntegration.Core.Store;

// add <store> <count> <tag> [<lock timeout s>]: adds <count> integrations one locked read-modify-write at a time, then prints
// "overtaken N slowest MS": N the most writes that other processes made while this one was in line (counted from the
// moment its ticket was in the queue to the moment it held the lock), MS its longest wait for one write.
// churn <store> <size>: rewrites the whole store forever, every integration carrying the same generation number
// (and padding, so that most of each cycle is spent writing and flushing the files, where the crash test aims).
var store = IntegrationStore.Open(args[1]);
switch (args[0])
{
    case "add":
        if (args.Length > 4) store.LockTimeout = TimeSpan.FromSeconds(int.Parse(args[4]));
        int overtaken = 0;
        var slowest = TimeSpan.Zero;
        for (int n = 0; n < int.Parse(args[2]); n++)
        {
            int inLine = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            store.Update(d =>
            {
                overtaken = Math.Max(overtaken, d.Integrations.Count - inLine);
                d.Integrations.Add(new Integration { Name = $"{args[3]}-{n}", Url = $"git@h:{args[3]}/{n}.git" });
                return 0;
            }, queued: () => inLine = store.Load().Integrations.Count);
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
        }
        Console.WriteLine($"overtaken {overtaken} slowest {slowest.TotalMilliseconds:0}");
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
