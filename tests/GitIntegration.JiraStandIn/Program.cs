using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace GitIntegration.JiraStandIn;

/// <summary>
/// dotnet GitIntegration.JiraStandIn.dll DIR [--http] [--context /jira]: serves until killed; writes DIR/jira.url when
/// it listens (and DIR/jira.cer, the certificate, for tests that trust it).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: GitIntegration.JiraStandIn DIR [--http] [--context /path]");
            return 2;
        }
        var https = Array.IndexOf(args, "--http") < 0;
        var c = Array.IndexOf(args, "--context");
        await using var jira = await StandInJira.StartAsync(https, c >= 0 && c + 1 < args.Length ? args[c + 1] : "");
        if (https)
            File.WriteAllBytes(Path.Combine(args[0], "jira.cer"), jira.Certificate.RawData);
        File.WriteAllText(Path.Combine(args[0], "jira.url.tmp"), jira.Url.ToString());
        File.Move(Path.Combine(args[0], "jira.url.tmp"), Path.Combine(args[0], "jira.url"), true);
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
