BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackSshd.ps1
    # Runs where the xUnit harness runs (Linux as root, users 'git' from tests/run-all.sh): a loopback sshd with git-shell.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    New-GitSshKey -Path "$root/jira_rsa" -Bits 2048 | Out-Null
    New-GitSshKey -Path "$root/stranger" -Bits 2048 | Out-Null
    $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub")
    $script:sshd = $server.Process
    $script:port = $server.Port
    New-LoopbackRepository $root app
    New-LoopbackRepository $root web
    New-LoopbackRepository $root other
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
}
AfterAll {
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Connect-GitRepository' {
    It 'refuses an unknown host key, then connects with -AcceptNewHostKey and stores the integration' {
        $url = "ssh://git@127.0.0.1:$port$root/repos/app.git"
        Connect-GitRepository -Url $url -KeyPath "$root/jira_rsa" -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyUnknown,*'
        Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty

        $i = Connect-GitRepository -Url $url -KeyPath "$root/jira_rsa" -AcceptNewHostKey
        $i.Name | Should -Be 'app'
        $i.Status | Should -Be 'Connected'
        $i.Properties.DefaultBranch | Should -Be 'main'
    }

    It 'connects piped rows in parallel, each its own result or error' {
        $rows = @(
            [pscustomobject]@{ Url = "ssh://git@127.0.0.1:$port$root/repos/web.git"; Name = 'web' }
            [pscustomobject]@{ Url = "ssh://git@127.0.0.1:$port$root/repos/missing.git"; Name = 'missing' }
        )
        $ok = $rows | Connect-GitRepository -KeyPath "$root/jira_rsa" -ThrottleLimit 2 -ErrorVariable err -ErrorAction SilentlyContinue
        $ok.Name | Should -Be 'web'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
    }

    It 'says where to add a key the host does not know, and stores it as Failed only with -Force' {
        $url = "ssh://git@127.0.0.1:$port$root/repos/other.git"
        Connect-GitRepository -Url $url -Name stranger -KeyPath "$root/stranger" -ErrorVariable err -ErrorAction SilentlyContinue
        (Get-GitIntegration -ErrorAction Stop).Name | Should -Not -Contain 'stranger'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PermissionDenied,*'
        $err[0].Exception.Message | Should -Match 'authorized_keys'
        (Connect-GitRepository -Url $url -Name stranger -KeyPath "$root/stranger" -Force -WarningAction SilentlyContinue).Status | Should -Be 'Failed'
    }

    It 'shares one SSH connection for the repositories of one host, and closes it when done' {
        $urls = 'app', 'web' | ForEach-Object { "ssh://git@127.0.0.1:$port$root/repos/$_.git" }
        $verbose = $urls | Connect-GitRepository -KeyPath "$root/jira_rsa" -ThrottleLimit 2 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $dir = ($verbose.Message | Select-String 'control sockets in (.+)\)\.$').Matches[0].Groups[1].Value
        $dir | Should -Not -BeNullOrEmpty
        Test-Path $dir | Should -BeFalse
        Start-Sleep -Seconds 1
        Get-Process ssh -ErrorAction SilentlyContinue | Where-Object { $_.CommandLine -like "*$dir*" } | Should -BeNullOrEmpty
    }

    It 'connects with a PuTTY key, as Pageant users keep it' {
        $pass = Secure 'ppk pass'
        ConvertTo-PuttyKey "$root/jira_rsa" -Destination "$root/jira.ppk" -NewPassphrase $pass -Passes 1 | Out-Null
        $url = "ssh://git@127.0.0.1:$port$root/repos/app.git"
        $i = Connect-GitRepository -Url $url -Name putty -KeyPath "$root/jira.ppk" -Passphrase $pass
        $i.Status | Should -Be 'Connected'
        $i.PrivateKeyPath | Should -Be (Join-Path $root 'jira.ppk')
    }

    It 'changes nothing with -WhatIf' {
        Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/app.git" -Name whatif -KeyPath "$root/jira_rsa" -WhatIf
        (Get-GitIntegration -ErrorAction Stop).Name | Should -Not -Contain 'whatif'
    }
}

Describe 'Connect-GitRepository to an HTTPS server with a self-signed certificate' {
    BeforeAll {
        # openssl s_server speaks TLS with a certificate no trust store knows, and answers every request with a web
        # page: past the certificate, git finds no repository there, a failure of another kind.
        $tls = "$root/tls"
        New-Item -ItemType Directory -Force $tls | Out-Null
        openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' `
            -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>$null
        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start(); $script:tlsPort = $listener.LocalEndpoint.Port; $listener.Stop()
        $script:tlsServer = Start-Process openssl -PassThru -RedirectStandardOutput "$tls/out.log" `
            -RedirectStandardError "$tls/err.log" -ArgumentList 's_server', '-accept', "127.0.0.1:$tlsPort", `
            '-cert', "$tls/cert.pem", '-key', "$tls/key.pem", '-www', '-quiet'
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while ($true) {
            $client = [Net.Sockets.TcpClient]::new()
            try { $client.Connect('127.0.0.1', $tlsPort); break } catch { } finally { $client.Dispose() }
            if ($tlsServer.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                throw "openssl s_server did not start: $(Get-Content -Raw "$tls/err.log")"
            }
            Start-Sleep -Milliseconds 100
        }
        $script:login = [pscredential]::new('svc-jira', (Secure 'glpat-not-a-real-token'))
    }
    AfterAll {
        if ($tlsServer) { Stop-Process -Id $tlsServer.Id -Force }
    }

    It 'refuses the certificate by default and says to install its CA, or -SkipCertificateCheck for a test server' {
        Connect-GitRepository -Url "https://127.0.0.1:$tlsPort/ops/strict.git" -Credential $login -TimeoutSeconds 60 `
            -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -BeLike '*TLS certificate is not trusted*-SkipCertificateCheck*'
    }

    It 'skips the certificate check with -<Switch> (-SkipSslVerification is the former name)' -TestCases @(
        @{ Switch = 'SkipCertificateCheck'; Name = 'tls-new' }, @{ Switch = 'SkipSslVerification'; Name = 'tls-old' }
    ) {
        $options = @{ $Switch = $true }
        $i = Connect-GitRepository -Url "https://127.0.0.1:$tlsPort/ops/$Name.git" -Name $Name -Credential $login `
            -TimeoutSeconds 60 -Force @options -ErrorVariable err -ErrorAction SilentlyContinue `
            -WarningVariable warn -WarningAction SilentlyContinue
        # Past the TLS handshake, git found a web page where it expected a repository.
        $said = ($err + $warn) | Out-String
        $said | Should -Not -BeLike '*certificate*'
        $said | Should -BeLike '*is this a git repository*'
        $i.Status | Should -Be 'Failed'
        (Get-GitIntegration -Name $Name).SslVerify | Should -BeFalse
    }
}

Describe 'Connect-GitRepository killed during a check, on a machine shared with other users' -Skip:$NotUnix {
    BeforeAll {
        # The PuTTY keys found in the session's temporary folder: the module's files and folders there are named gi-*.
        function script:Get-KeyCopy([string] $Dir) {
            Get-ChildItem $Dir -Recurse -File -Filter * -ErrorAction Ignore |
                Where-Object { $_.FullName -like "$Dir/gi-*" } |
                Where-Object { (Get-Content $_.FullName -Raw) -match 'PRIVATE KEY-----' } |
                Select-Object -ExpandProperty FullName
        }
    }

    It 'leaves no key in clear and no helper others could replace, and the next check clears what it left (umask 000)' {
        $tmp = Join-Path $root 'tmp-killed'
        New-Item -ItemType Directory $tmp | Out-Null
        chmod 755 $tmp   # a shared temporary folder, as /tmp: others may try their luck in it
        $pass = Secure 'ppk pass'
        ConvertTo-PuttyKey "$root/jira_rsa" -Destination "$root/killed.ppk" -NewPassphrase $pass -Passes 1 | Out-Null
        # A server that takes the connection and never answers: ssh waits for its banner until the session is killed.
        $silent = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        $session = $null
        try {
            $url = "ssh://git@127.0.0.1:$($silent.LocalEndpoint.Port)/repos/app.git"
            $check = "Connect-GitRepository -Url '$url' -KeyPath '$root/killed.ppk' -Passphrase (Secure 'ppk pass') " +
                "-KnownHostsPath '$root/kh-killed' -StorePath '$root/killed-store' -TimeoutSeconds 120"
            $start = New-AdminSessionStart -Umask '000' -Script $check -Environment @{ TMPDIR = $tmp }
            $session = [System.Diagnostics.Process]::Start($start)
            # Once ssh runs (its -i names the copy), the copy and the askpass helper are in place.
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Get-Process ssh -ErrorAction Ignore | Where-Object { $_.CommandLine -like "*$tmp*" }) -and
                   -not $session.HasExited -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $copies = @(Get-KeyCopy $tmp)
            $copies | Should -Not -BeNullOrEmpty -Because 'ssh is handed a copy of the PuTTY key while it connects'
            $askpass = @(Get-ChildItem $tmp -Recurse -Filter askpass.sh | Select-Object -ExpandProperty FullName)
            $askpass.Count | Should -Be 1 -Because 'ssh gets the copy''s one-time passphrase from the askpass helper'
            foreach ($copy in $copies) {
                (Get-GitSshKey -Path $copy).IsEncrypted | Should -BeTrue -Because "'$copy' is on disk"
            }
            Invoke-AsAttacker 'printf "#!/bin/sh\nid\n" > "$1.new" && mv -f "$1.new" "$1"' $askpass[0] | Should -BeFalse
            Invoke-AsAttacker 'cat "$1"' $copies[0] | Should -BeFalse

            $session.Kill()   # SIGKILL: nothing of the module runs any more
            $session.WaitForExit()
            Get-Process ssh -ErrorAction Ignore | Where-Object { $_.CommandLine -like "*$tmp*" } | Stop-Process -Force
            foreach ($copy in Get-KeyCopy $tmp) {
                (Get-GitSshKey -Path $copy).IsEncrypted | Should -BeTrue -Because "'$copy' outlived its session"
            }

            $again = $check -replace '-TimeoutSeconds 120', '-TimeoutSeconds 2 -ErrorAction SilentlyContinue'
            $next = Invoke-AdminSession -Umask '022' -Script $again -Environment @{ TMPDIR = $tmp }
            # (PowerShell's own pipe, CoreFxPipe_PSHost.*, stays: it is not the module's.)
            Get-ChildItem $tmp -Force -Filter 'gi-*' |
                Should -BeNullOrEmpty -Because "the next check deletes what the killed session left: $($next.Errors)"
        }
        finally {
            if ($session -and -not $session.HasExited) { $session.Kill() }
            $silent.Stop()
        }
    }
}
