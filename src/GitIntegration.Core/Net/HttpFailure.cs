using System;

namespace GitIntegration.Core.Net;

internal static class HttpFailure
{
    /// <summary>
    /// The words of the exception at the bottom of an HTTP failure (the socket's or TLS's), which HttpClient's own
    /// exceptions only wrap in "An error occurred while sending the request".
    /// </summary>
    internal static string Innermost(Exception e)
    {
        while (e.InnerException != null)
            e = e.InnerException;
        return e.Message;
    }
}
