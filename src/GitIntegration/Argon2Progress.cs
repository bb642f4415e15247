using System;
using System.Management.Automation;

namespace GitIntegration;

/// <summary>
/// Write-Progress for the PuTTY cmdlets while Argon2 runs (a fraction of a second to several seconds per key).
/// </summary>
internal static class Argon2Progress
{
    /// <summary>
    /// Runs <paramref name="work"/>, handing it a progress callback when <paramref name="argon2"/> is true. Argon2
    /// calls it on the pipeline thread, between slices, so WriteProgress is allowed there. A cancelled Argon2 (Ctrl+C)
    /// stops the pipeline.
    /// </summary>
    public static T Run<T>(Cmdlet cmdlet, string activity, string path, bool argon2, Func<Action<double>?, T> work)
    {
        var record = new ProgressRecord(
            1,
            activity,
            $"Deriving the key of '{System.IO.Path.GetFileName(path)}' with Argon2"
        )
        {
            PercentComplete = 0,
        };
        int last = -1;
        if (argon2)
        {
            cmdlet.WriteProgress(record);
            last = 0;
        }
        try
        {
            return work(
                argon2
                    ? p =>
                    {
                        int percent = (int)(p * 100);
                        if (percent == last)
                            return;
                        last = percent;
                        record.PercentComplete = percent;
                        cmdlet.WriteProgress(record);
                    }
                    : (Action<double>?)null
            );
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            if (argon2)
            {
                record.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(record);
            }
        }
    }
}
