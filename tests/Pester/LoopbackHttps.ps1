# Shared by the Pester files that need a git server over HTTPS: nginx on 127.0.0.1 (a self-signed certificate for
# IP 127.0.0.1, basic auth for one user) in front of git-http-backend through fcgiwrap, also plain http on HttpPort.
# Linux as root, with nginx-light, fcgiwrap, openssl and git installed. Repositories: New-LoopbackHttpsRepository.
# The caller stops it in AfterAll: Stop-LoopbackHttps $server.
function Start-LoopbackHttps([string] $Root, [string] $User, [string] $Token) {
    New-Item -ItemType Directory -Force "$Root/repos", "$Root/tmp" | Out-Null
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' `
        -keyout "$Root/key.pem" -out "$Root/cert.pem" 2>$null
    "${User}:$(openssl passwd -apr1 $Token)" | Set-Content "$Root/htpasswd"
    $ports = 1..2 | ForEach-Object {
        $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $l.Start(); $l.LocalEndpoint.Port; $l.Stop()
    }
    $fcgi = Start-Process /usr/sbin/fcgiwrap -ArgumentList '-c', '2', '-s', "unix:$Root/fcgi.sock" -PassThru `
        -RedirectStandardError "$Root/fcgiwrap.log"
    @"
daemon off;
master_process off;
worker_processes 1;
user root;
pid $Root/nginx.pid;
error_log $Root/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $Root/tmp/body;
    fastcgi_temp_path $Root/tmp/fastcgi;
    proxy_temp_path $Root/tmp/proxy;
    uwsgi_temp_path $Root/tmp/uwsgi;
    scgi_temp_path $Root/tmp/scgi;
    server {
        listen 127.0.0.1:$($ports[0]) ssl;
        listen 127.0.0.1:$($ports[1]);
        ssl_certificate $Root/cert.pem;
        ssl_certificate_key $Root/key.pem;
        location / {
            auth_basic "git";
            auth_basic_user_file $Root/htpasswd;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
            fastcgi_param GIT_PROJECT_ROOT $Root/repos;
            fastcgi_param GIT_HTTP_EXPORT_ALL "";
            fastcgi_param PATH_INFO `$uri;
            fastcgi_param REMOTE_USER `$remote_user;
            fastcgi_pass unix:$Root/fcgi.sock;
        }
    }
}
"@ | Set-Content "$Root/nginx.conf"
    $nginx = Start-Process /usr/sbin/nginx -PassThru -RedirectStandardError "$Root/nginx.log" `
        -ArgumentList '-c', "$Root/nginx.conf", '-p', $Root, '-e', "$Root/error.log"
    $server = [pscustomobject]@{ Port = $ports[0]; HttpPort = $ports[1]; Processes = @($nginx, $fcgi); Root = $Root }
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    foreach ($port in $ports) {
        while ($true) {
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $port); break } catch { } finally { $client.Dispose() }
            if ($nginx.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                Stop-LoopbackHttps $server
                throw ("nginx did not start on 127.0.0.1:$port (run as root with nginx-light and fcgiwrap): " +
                    (Get-Content -Raw "$Root/error.log"))
            }
            Start-Sleep -Milliseconds 50
        }
    }
    $server
}

function Stop-LoopbackHttps($Server) {
    # fcgiwrap forks its workers: the whole tree goes.
    foreach ($p in $Server.Processes) { if (-not $p.HasExited) { $p.Kill($true); $p.WaitForExit() } }
}

# A bare repository with one commit on main, served by the server of Start-LoopbackHttps.
function New-LoopbackHttpsRepository($Server, [string] $Name) {
    $work = "$($Server.Root)/work-$Name"
    git init -q -b main $work; Set-Content "$work/a.txt" 'a'
    git -C $work add .; git -C $work -c user.name=t -c user.email=t@t commit -q -m one
    git clone -q --bare $work "$($Server.Root)/repos/$Name.git"
}

# The certificate's SHA-256 fingerprint as openssl prints it (AB:CD:...), as an admin would copy it.
function Get-LoopbackHttpsThumbprint($Server) {
    ((openssl x509 -in "$($Server.Root)/cert.pem" -noout -fingerprint -sha256) -split '=')[1].Trim()
}
