using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.HostStandIn;

/// <summary>
/// dotnet GitIntegration.HostStandIn.dll DIR --mode MODE [--authorized-keys FILE] [--repository OWNER/NAME]...
/// [--token TOKEN]... [--https]: serves until killed; writes DIR/host.url (the server's root) and DIR/api.url
/// (the mode's REST API root) when it listens, and DIR/host.cer (the certificate) with --https.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1 || Value(args, "--mode") is not string mode)
        {
            Console.Error.WriteLine(
                "usage: GitIntegration.HostStandIn DIR --mode "
                    + string.Join("|", StandInModes.Names)
                    + " [--authorized-keys FILE] [--repository OWNER/NAME]... [--token TOKEN]... [--https]"
            );
            return 2;
        }
        var options = new StandInOptions
        {
            Mode = mode,
            AuthorizedKeys = Value(args, "--authorized-keys"),
            Https = Array.IndexOf(args, "--https") >= 0,
        };
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--repository")
                options.Repositories.Add(args[i + 1]);
            if (args[i] == "--token")
                options.Tokens.Add(args[i + 1]);
        }
        await using var host = await StandInHost.StartAsync(options);
        if (host.Certificate != null)
            File.WriteAllBytes(Path.Combine(args[0], "host.cer"), host.Certificate.RawData);
        Publish(args[0], "api.url", host.ApiUrl.ToString());
        Publish(args[0], "host.url", host.Url.ToString());
        await Task.Delay(Timeout.Infinite);
        return 0;
    }

    private static string? Value(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    // Written then renamed: a reader never sees half a URL.
    private static void Publish(string dir, string name, string text)
    {
        File.WriteAllText(Path.Combine(dir, name + ".tmp"), text);
        File.Move(Path.Combine(dir, name + ".tmp"), Path.Combine(dir, name), true);
    }
}
