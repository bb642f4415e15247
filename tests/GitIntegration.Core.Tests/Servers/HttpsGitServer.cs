using System.Diagnostics;

namespace GitIntegration.Core.Tests.Servers;

/// <summary>
/// Smart HTTP over TLS on 127.0.0.1: nginx (self-signed certificate for IP 127.0.0.1, basic auth) in front of
/// git-http-backend through fcgiwrap; the same over plain http on <see cref="HttpPort"/>. /old/REPO redirects to
/// /REPO on the same server; /away/REPO to <c>redirectElsewhere</c>/REPO. Both stopped by PID on Dispose.
/// </summary>
public sealed class HttpsGitServer : IDisposable
{
    private readonly Process _fcgi;
    private readonly Process _nginx;

    public HttpsGitServer(string user, string token, string? redirectElsewhere = null)
    {
        Peer.Require("/usr/sbin/nginx", "nginx-light");
        Peer.Require("/usr/sbin/fcgiwrap", "fcgiwrap");
        Peer.Require("openssl", "openssl");
        Peer.Require("/usr/lib/git-core/git-http-backend", "git");
        Directory.CreateDirectory(Dir["repos"]);
        Directory.CreateDirectory(Dir["tmp"]);
        Tool.Ok(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            Dir["key.pem"],
            "-out",
            Dir["cert.pem"]
        );
        File.WriteAllText(Dir["htpasswd"], $"{user}:{Tool.Ok("openssl", "passwd", "-apr1", token).Trim()}\n");
        var socket = Dir["fcgi.sock"];
        _fcgi = Peer.Start("/usr/sbin/fcgiwrap", Dir["fcgiwrap.log"], "-c", "4", "-s", "unix:" + socket);
        for (int i = 0; i < 100 && !File.Exists(socket); i++)
            Thread.Sleep(20);
        Port = Peer.FreePort();
        HttpPort = Peer.FreePort();
        var away =
            redirectElsewhere == null
                ? ""
                : $$"""
                            location ~ ^/away/(.*)$ { return 302 {{redirectElsewhere}}/$1$is_args$args; }
                    """;
        File.WriteAllText(
            Dir["nginx.conf"],
            $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            user root;
            pid {{Dir["nginx.pid"]}};
            error_log {{Dir["error.log"]}};
            events { worker_connections 128; }
            http {
                access_log off;
                client_body_temp_path {{Dir["tmp"]}}/body;
                fastcgi_temp_path {{Dir["tmp"]}}/fastcgi;
                proxy_temp_path {{Dir["tmp"]}}/proxy;
                uwsgi_temp_path {{Dir["tmp"]}}/uwsgi;
                scgi_temp_path {{Dir["tmp"]}}/scgi;
                server {
                    listen 127.0.0.1:{{Port}} ssl;
                    listen 127.0.0.1:{{HttpPort}};
                    ssl_certificate {{Dir["cert.pem"]}};
                    ssl_certificate_key {{Dir["key.pem"]}};
                    location ~ ^/old/(.*)$ { return 301 /$1$is_args$args; }
            {{away}}
                    location / {
                        auth_basic "git";
                        auth_basic_user_file {{Dir["htpasswd"]}};
                        include /etc/nginx/fastcgi_params;
                        fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
                        fastcgi_param GIT_PROJECT_ROOT {{Dir["repos"]}};
                        fastcgi_param GIT_HTTP_EXPORT_ALL "";
                        fastcgi_param PATH_INFO $uri;
                        fastcgi_param REMOTE_USER $remote_user;
                        fastcgi_pass unix:{{socket}};
                    }
                }
            }
            """
        );
        _nginx = Peer.Start(
            "/usr/sbin/nginx",
            Dir["nginx.log"],
            "-c",
            Dir["nginx.conf"],
            "-p",
            Dir.Path,
            "-e",
            Dir["error.log"]
        );
        Peer.WaitForPort(Port, _nginx, "nginx", () => Peer.ReadLog(Dir["error.log"]) + Peer.ReadLog(Dir["nginx.log"]));
        Peer.WaitForPort(HttpPort, _nginx, "nginx", () => Peer.ReadLog(Dir["error.log"]));
    }

    public TempDir Dir { get; } = new();
    public int Port { get; }
    public int HttpPort { get; }
    public string CertificatePath => Dir["cert.pem"];

    public string CreateRepository(string name, string branch = "main")
    {
        var work = Dir["work-" + name];
        Tool.Ok("git", "init", "-q", "-b", branch, work);
        File.WriteAllText(Path.Combine(work, "f.txt"), "x\n");
        Tool.Ok("git", "-C", work, "add", ".");
        Tool.Ok(
            "git",
            "-C",
            work,
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "commit",
            "-q",
            "-m",
            "first"
        );
        var bare = Dir["repos/" + name + ".git"];
        Tool.Ok("git", "clone", "-q", "--bare", work, bare);
        return bare;
    }

    public string Url(string name) => $"https://127.0.0.1:{Port}/{name}.git";

    public void Dispose()
    {
        Peer.Stop(_nginx);
        Peer.Stop(_fcgi);
        Dir.Dispose();
    }
}
