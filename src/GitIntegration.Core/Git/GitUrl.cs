using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace GitIntegration.Core.Git;

public enum GitTransport
{
    Ssh,
    Https,
    Http,
    Git,
    File,
}

/// <summary>
/// A git remote URL in any form git accepts: scp-like <c>user@host:path</c>, <c>ssh://user@host:port/path</c>,
/// <c>https://host/path</c>, <c>git://</c> and <c>file://</c>. Credentials in an HTTPS URL are dropped, never kept.
/// </summary>
public sealed class GitUrl
{
    // scp-like: [user@]host:path, where the host has no slash and the path does not start with "//" (that is a URL).
    private static readonly Regex ScpLike = new Regex(
        @"^(?:(?<user>[^@/\s]+)@)?(?<host>\[[^\]]+\]|[^:/\s@]+):(?!//)(?<path>.*)$",
        RegexOptions.CultureInvariant
    );
    private static readonly Regex UrlForm = new Regex(
        @"^(?<scheme>ssh|git\+ssh|ssh\+git|https|http|git|file)://(?:(?<user>[^@/]*)@)?"
            + @"(?<host>\[[^\]]+\]|[^:/]*)(?::(?<port>\d*))?(?<path>/.*)?$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase
    );

    public GitUrl(GitTransport transport, string? user, string host, int? port, string path, bool scpLike = false)
    {
        Transport = transport;
        User = string.IsNullOrEmpty(user) ? null : user;
        Host = host;
        Port = port;
        Path = path;
        IsScpLike = scpLike && transport == GitTransport.Ssh && port == null;
    }

    public GitTransport Transport { get; }
    public string? User { get; }
    public string Host { get; }

    /// <summary>The port written in the URL; null means the transport's default.</summary>
    public int? Port { get; }

    /// <summary>
    /// The repository path. scp-like URLs keep it as written (relative to the login's home); URLs start with "/".
    /// </summary>
    public string Path { get; }
    public bool IsScpLike { get; }
    public bool IsSsh => Transport == GitTransport.Ssh;
    public bool IsHttp => Transport == GitTransport.Https || Transport == GitTransport.Http;

    public int EffectivePort =>
        Port
        ?? (
            Transport switch
            {
                GitTransport.Ssh => 22,
                GitTransport.Https => 443,
                GitTransport.Http => 80,
                GitTransport.Git => 9418,
                _ => 0,
            }
        );

    /// <summary>The path with no leading slash and no ".git" suffix, e.g. "org/repo".</summary>
    public string RepositoryPath
    {
        get
        {
            var p = Path.TrimStart('/').TrimEnd('/');
            return p.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? p.Substring(0, p.Length - 4) : p;
        }
    }

    /// <summary>The last path segment without ".git": a good default name for the repository.</summary>
    public string Name
    {
        get
        {
            var p = RepositoryPath;
            var i = p.LastIndexOf('/');
            return i < 0 ? p : p.Substring(i + 1);
        }
    }

    public static bool TryParse(string? text, out GitUrl? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text!.Trim().Trim('"', '\'');
        var m = UrlForm.Match(s);
        if (m.Success)
        {
            var scheme = m.Groups["scheme"].Value.ToLowerInvariant();
            var transport = scheme switch
            {
                "https" => GitTransport.Https,
                "http" => GitTransport.Http,
                "git" => GitTransport.Git,
                "file" => GitTransport.File,
                _ => GitTransport.Ssh,
            };
            var host = m.Groups["host"].Value;
            if (host.Length == 0 && transport != GitTransport.File)
                return false;
            int? port = null;
            if (m.Groups["port"].Value.Length > 0)
            {
                if (
                    !int.TryParse(m.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
                    || p < 1
                    || p > 65535
                )
                    return false;
                port = p;
            }
            // user:password@ in an HTTPS URL: keep the user name only (Bitbucket and Azure DevOps put it there).
            var user = Uri.UnescapeDataString(m.Groups["user"].Value.Split(':')[0]);
            var path = m.Groups["path"].Success ? m.Groups["path"].Value : "/";
            url = new GitUrl(transport, user, host.ToLowerInvariant(), port, path);
            return true;
        }
        if (s.Contains("://"))
            return false;
        m = ScpLike.Match(s);
        // "C:/repo" or "C:\repo" is a Windows path, not host C.
        if (!m.Success || m.Groups["host"].Value.Length == 1 || m.Groups["path"].Value.Length == 0)
            return false;
        url = new GitUrl(
            GitTransport.Ssh,
            m.Groups["user"].Value,
            m.Groups["host"].Value.Trim('[', ']').ToLowerInvariant(),
            null,
            m.Groups["path"].Value,
            scpLike: true
        );
        return true;
    }

    public static GitUrl Parse(string? text)
    {
        if (TryParse(text, out var url))
            return url!;
        throw new GitIntegrationException(
            GitErrorIds.UrlNotRecognized,
            ErrorKind.InvalidArgument,
            $"'{text}' is not a git URL. Use the clone URL the host shows, e.g. git@github.com:org/repo.git, "
                + "ssh://git@host:7999/proj/repo.git or https://host/org/repo.git."
        )
        {
            Target = text,
        };
    }

    public GitUrl With(
        GitTransport? transport = null,
        string? user = null,
        string? host = null,
        int? port = null,
        bool clearPort = false,
        string? path = null,
        bool? scpLike = null
    ) =>
        new GitUrl(
            transport ?? Transport,
            user ?? User,
            host ?? Host,
            clearPort ? null : port ?? Port,
            path ?? Path,
            scpLike ?? IsScpLike
        );

    public override string ToString()
    {
        if (IsScpLike)
            return $"{(User != null ? User + "@" : "")}{Host}:{Path}";
        var scheme = Transport.ToString().ToLowerInvariant();
        var host = Host.Contains(":") ? $"[{Host}]" : Host;
        var path = Path.StartsWith("/") ? Path : "/" + Path;
        var user = User != null ? Uri.EscapeDataString(User) + "@" : "";
        var port = Port != null ? ":" + Port.Value.ToString(CultureInfo.InvariantCulture) : "";
        return $"{scheme}://{user}{host}{port}{path}";
    }

    public override bool Equals(object? obj) => obj is GitUrl u && u.ToString() == ToString();

    public override int GetHashCode() => ToString().GetHashCode();
}
