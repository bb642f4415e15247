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

    It 'shares one SSH connection for the repositories of one host, and names the algorithms with -Verbose' {
        # sshd logs a login after letting the client in: count once its connections have ended (a hang guard only).
        $logins = {
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            $children = "/proc/$($sshd.Id)/task/$($sshd.Id)/children"
            while ("$(Get-Content -Raw $children)".Trim() -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            @(Select-String -Path "$root/sshd.log" -Pattern 'Accepted publickey').Count
        }
        $before = & $logins
        $urls = 'app', 'web', 'other' | ForEach-Object { "ssh://git@127.0.0.1:$port$root/repos/$_.git" }
        $verbose = $urls | Connect-GitRepository -KeyPath "$root/jira_rsa" -ThrottleLimit 3 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        & $logins | Should -Be ($before + 1) -Because 'the three repositories ride on one login'
        $negotiated = @($verbose.Message | Where-Object { $_ -match '\(SSH key exchange (\S+), host key (\S+)\)' })
        $negotiated.Count | Should -Be 3
        $negotiated[0] | Should -Match 'key exchange (mlkem768x25519|sntrup761x25519|curve25519)'
        $negotiated[0] | Should -Match 'host key ssh-ed25519'
        $negotiated | Should -Not -Match 'sha1'
    }

    It 'connects with a PuTTY key, as Pageant users keep it, once told the integration will not read it' {
        $pass = Secure 'ppk pass'
        ConvertTo-PuttyKey "$root/jira_rsa" -Destination "$root/jira.ppk" -NewPassphrase $pass -Passes 1 | Out-Null
        New-LoopbackRepository $root putty
        $url = "ssh://git@127.0.0.1:$port$root/repos/putty.git"
        Connect-GitRepository -Url $url -Name putty -KeyPath "$root/jira.ppk" -Passphrase $pass -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KeyRejectedByIntegrationRule,*'
        $err[0].Exception.Message | Should -BeLike "*ConvertFrom-PuttyKey -Path '*jira.ppk'*"
        $i = Connect-GitRepository -Url $url -Name putty -KeyPath "$root/jira.ppk" -Passphrase $pass -Requirement Any
        $i.Status | Should -Be 'Connected'
        $i.PrivateKeyPath | Should -Be (Join-Path $root 'jira.ppk')
    }

    It 'changes nothing with -WhatIf' {
        Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/whatif.git" -Name whatif -KeyPath "$root/jira_rsa" -WhatIf
        (Get-GitIntegration -ErrorAction Stop).Name | Should -Not -Contain 'whatif'
    }
}

Describe 'Connect-GitRepository and the integration''s key rule' {
    BeforeAll {
        # Keys the loopback host accepts but the integration would not: an RSA key in OpenSSH format (ssh-keygen's and
        # macOS's default) and an Ed25519 key.
        $script:keys = $root.TrimEnd('/')
        New-GitSshKey -Path "$keys/openssh_rsa" -Bits 2048 -Format OpenSsh | Out-Null
        New-GitSshKey -Path "$keys/id_ed25519" -Type Ed25519 -Format OpenSsh | Out-Null
        Get-Content "$keys/openssh_rsa.pub", "$keys/id_ed25519.pub" | Add-Content "$keys/keys/git"
        New-LoopbackRepository $root rule
    }

    It 'refuses the <Kind> key with the finding and its fix, and stores nothing' -TestCases @(
        @{ Kind = 'OpenSSH-format RSA'; Key = 'openssh_rsa'; Finding = 'OpenSSH format'; Fix = "Convert-GitSshKey -Path '*openssh_rsa' -Format Pem" }
        @{ Kind = 'Ed25519'; Key = 'id_ed25519'; Finding = 'accepts RSA keys only'; Fix = 'New-GitSshKey -Path *-Type Rsa*' }
    ) {
        $url = "ssh://git@127.0.0.1:$port$root/repos/rule.git"
        $before = Get-Content $env:GITINTEGRATION_STORE -Raw -ErrorAction SilentlyContinue
        Connect-GitRepository -Url $url -Name "rule-$Key" -KeyPath "$keys/$Key" -AcceptNewHostKey `
            -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyRejectedByIntegrationRule,GitIntegration.ConnectGitRepositoryCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $err[0].TargetObject | Should -Be $url
        $err[0].Exception.Message | Should -BeLike "*'$keys/$Key' breaks the Integration rule*$Finding*-Requirement Any*$Fix*"
        Get-GitIntegration -Name "rule-$Key" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-Content $env:GITINTEGRATION_STORE -Raw -ErrorAction SilentlyContinue | Should -Be $before
    }

    It 'connects the <Kind> key with -Requirement <Requirement>, for a host that accepts it' -TestCases @(
        @{ Kind = 'OpenSSH-format RSA'; Key = 'openssh_rsa'; Requirement = 'Any' }
        @{ Kind = 'Ed25519'; Key = 'id_ed25519'; Requirement = 'GitHub' }
    ) {
        $url = "ssh://git@127.0.0.1:$port$root/repos/rule.git"
        Remove-GitIntegration -Name 'rule*' -Force
        $i = Connect-GitRepository -Url $url -Name "rule-$Key" -KeyPath "$keys/$Key" -Requirement $Requirement -AcceptNewHostKey
        $i.Status | Should -Be 'Connected'
        (Get-GitIntegration -Name "rule-$Key").PrivateKeyPath | Should -Be "$keys/$Key"
    }

    It 'says a wrong passphrase is one, before connecting' {
        New-GitSshKey -Path "$keys/locked_rsa" -Bits 2048 -Passphrase (Secure 'right') | Out-Null
        Connect-GitRepository -Url "ssh://git@127.0.0.1:9/nowhere.git" -KeyPath "$keys/locked_rsa" -Passphrase (Secure 'wrong') `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'WrongPassphrase,GitIntegration.ConnectGitRepositoryCommand'
        $err[0].Exception.Message | Should -BeLike "*'$keys/locked_rsa' cannot be opened*"
    }
}

Describe 'Connect-GitRepository for a repository stored under another name' {
    BeforeAll {
        New-LoopbackRepository $root renamed
        $script:renameUrl = "ssh://git@127.0.0.1:$port$root/repos/renamed.git"
        $script:first = Connect-GitRepository -Url $renameUrl -Name billing-api -KeyPath "$root/jira_rsa" -AcceptNewHostKey
    }

    It 'refuses to rename it, keeps it as it is, and says how to rename it' {
        $before = Get-Content $env:GITINTEGRATION_STORE -Raw
        Connect-GitRepository -Url $renameUrl -Name billing -KeyPath "$root/jira_rsa" -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'UrlStoredUnderOtherName,GitIntegration.ConnectGitRepositoryCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].TargetObject | Should -Be $renameUrl
        $err[0].Exception.Message | Should -BeLike "'$renameUrl' is already stored as the integration 'billing-api'*Set-GitIntegration -Name 'billing-api' -NewName 'billing'"
        Get-Content $env:GITINTEGRATION_STORE -Raw | Should -Be $before
        Get-GitIntegration -Name billing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        # The rename the message gives, pasted.
        Invoke-Expression ($err[0].Exception.Message -replace '^.*to rename it: ', '')
        (Get-GitIntegration -Name billing).Id | Should -Be $first.Id
    }

    It 'reconnects it under its own name, or without -Name, as the same integration' {
        (Connect-GitRepository -Url $renameUrl -KeyPath "$root/jira_rsa").Id | Should -Be $first.Id
        $again = Connect-GitRepository -Url $renameUrl -Name billing -KeyPath "$root/jira_rsa"
        $again.Id | Should -Be $first.Id
        $again.Status | Should -Be 'Connected'
        @(Get-GitIntegration | Where-Object Url -eq $renameUrl).Count | Should -Be 1
    }
}

Describe 'Connect-GitRepository with repositories piped from a CSV' {
    It 'names the repository that failed in the error and its TargetObject, and connects the others' {
        New-LoopbackRepository $root csv-ok
        $missing = "ssh://git@127.0.0.1:$port$root/repos/csv-missing.git"
        $csv = Join-Path $root 'repos.csv'
        "Url,Name`n" + "ssh://git@127.0.0.1:$port$root/repos/csv-ok.git,csv-ok`n" + "$missing,csv-missing`n" +
            "not a url,csv-bad" | Set-Content $csv
        $ok = Import-Csv $csv | Connect-GitRepository -KeyPath "$root/jira_rsa" -AcceptNewHostKey -ThrottleLimit 2 `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $ok.Name | Should -Be 'csv-ok'
        $err.Count | Should -Be 2
        $byTarget = @{}
        foreach ($e in $err) { $byTarget[$e.TargetObject] = $e }
        $byTarget[$missing].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
        $byTarget[$missing].Exception.Message | Should -BeLike "*'$missing'*"
        $byTarget['not a url'].Exception.Message | Should -BeLike "*'not a url'*"
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

Describe 'Connect-GitRepository to an HTTPS git server with its own certificate' {
    BeforeAll {
        . $PSScriptRoot/LoopbackHttps.ps1
        # nginx + git-http-backend on 127.0.0.1 with a self-signed certificate, as an internal server with its own CA.
        $script:web = Start-LoopbackHttps "$root/https" 'svc-jira' 'glpat-https-token'
        New-LoopbackHttpsRepository $web tools
        $script:httpsUrl = "https://127.0.0.1:$($web.Port)/tools.git"
        $script:token = [pscredential]::new('svc-jira', (Secure 'glpat-https-token'))
        $script:thumbprint = Get-LoopbackHttpsThumbprint $web
    }
    AfterAll {
        if ($web) { Stop-LoopbackHttps $web }
    }

    It 'refuses a certificate this computer does not trust, naming its subject, issuer and thumbprint' {
        Connect-GitRepository -Url $httpsUrl -Name untrusted -Credential $token `
            -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CertificateInvalid,*'
        $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $message = $err[0].Exception.Message
        $message | Should -BeLike "*$httpsUrl*"
        $message | Should -BeLike "*subject 'CN=127.0.0.1', issued by 'CN=127.0.0.1'*"
        $message | Should -BeLike "*$($thumbprint -replace ':', '')*"
        $message | Should -BeLike '*-TrustedCertificateThumbprint*'
        $message | Should -Not -BeLike '*network*'
        Get-GitIntegration -Name untrusted -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'connects with the thumbprint the administrator confirmed, and Test-GitIntegration trusts it later' {
        $i = Connect-GitRepository $httpsUrl -Name tools -Credential $token -TrustedCertificateThumbprint $thumbprint
        $i.Status | Should -Be 'Connected'
        $i.SslVerify | Should -BeTrue
        $i.Properties.DefaultBranch | Should -Be 'main'
        $i.Properties.TrustedCertificateThumbprint | Should -Be ($thumbprint -replace ':', '')
        $r = Test-GitIntegration -Name tools
        $r.Success | Should -BeTrue
        $r.Reason | Should -Be 'None'
    }

    It 'connects with -SkipCertificateCheck' {
        # A store of its own: the same URL is stored as 'tools' by another test, and reconnecting it under
        # another name is refused.
        $i = Connect-GitRepository -Url $httpsUrl -Name tools-skip -Credential $token -SkipCertificateCheck `
            -StorePath "$root/https-skip"
        $i.Status | Should -Be 'Connected'
        $i.SslVerify | Should -BeFalse
    }

    It 'verifies and re-verifies an HTTPS repository on a machine without git' {
        $pathBefore = $env:PATH
        $empty = New-Item -ItemType Directory -Force "$root/no-tools"
        try {
            $env:PATH = $empty.FullName
            Get-Command git -ErrorAction Ignore | Should -BeNullOrEmpty
            $i = Connect-GitRepository $httpsUrl -Name no-git -Credential $token `
                -TrustedCertificateThumbprint $thumbprint -StorePath "$root/https-no-git"
            $i.Status | Should -Be 'Connected'
            (Test-GitIntegration -Name no-git -StorePath "$root/https-no-git").Success | Should -BeTrue
        }
        finally { $env:PATH = $pathBefore }
    }

    It 'says AuthenticationFailed for a wrong token and RepositoryNotFound for a missing repository' {
        $wrong = [pscredential]::new('svc-jira', (Secure 'glpat-wrong'))
        Connect-GitRepository -Url $httpsUrl -Name wrong -Credential $wrong -SkipCertificateCheck `
            -StorePath "$root/https-wrong" -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        $err[0].Exception.Message | Should -BeLike "*$httpsUrl*401*"
        $err[0].Exception.Message | Should -Not -BeLike '*glpat-wrong*'
        $missing = "https://127.0.0.1:$($web.Port)/nothing.git"
        Connect-GitRepository -Url $missing -Credential $token -SkipCertificateCheck `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RepositoryNotFound,*'
        $err[0].Exception.Message | Should -BeLike "*$missing*404*"
    }

    It 'refuses to send a token over plain http unless -AllowUnencryptedAuthentication is given' {
        $plain = "http://127.0.0.1:$($web.HttpPort)/tools.git"
        Connect-GitRepository -Url $plain -Name plain -Credential $token `
            -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnencryptedAuthenticationRefused,*'
        $err[0].Exception.Message | Should -BeLike '*-AllowUnencryptedAuthentication*'
        $i = Connect-GitRepository -Url $plain -Name plain -Credential $token -AllowUnencryptedAuthentication
        $i.Status | Should -Be 'Connected'
        (Test-GitIntegration -Name plain).Success | Should -BeTrue
    }

    It 'refuses a thumbprint that is not one' {
        Connect-GitRepository -Url $httpsUrl -Name typo -Credential $token -TrustedCertificateThumbprint 'AB:CD' `
            -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'CertificateThumbprintInvalid,*'
        $err[0].Exception.Message | Should -BeLike "*'AB:CD'*SHA-256*"
    }
}

Describe 'Connect-GitRepository killed during a check, on a machine shared with other users' -Skip:$NotUnix {
    It 'writes nothing to the temporary folder and starts no process while it checks, even killed (umask 000)' {
        $tmp = Join-Path $root 'tmp-killed'
        New-Item -ItemType Directory $tmp | Out-Null
        chmod 755 $tmp   # a shared temporary folder, as /tmp: others may try their luck in it
        $pass = Secure 'ppk pass'
        ConvertTo-PuttyKey "$root/jira_rsa" -Destination "$root/killed.ppk" -NewPassphrase $pass -Passes 1 | Out-Null
        # A server that takes the connection and never answers: the check waits for its banner until the session is killed.
        $silent = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        $session = $null
        try {
            $url = "ssh://git@127.0.0.1:$($silent.LocalEndpoint.Port)/repos/app.git"
            $check = "Connect-GitRepository -Url '$url' -KeyPath '$root/killed.ppk' -Passphrase (Secure 'ppk pass') -Requirement Any " +
                "-KnownHostsPath '$root/kh-killed' -StorePath '$root/killed-store' -TimeoutSeconds 120"
            $start = New-AdminSessionStart -Umask '000' -Script $check -Environment @{ TMPDIR = $tmp }
            $session = [System.Diagnostics.Process]::Start($start)
            # The key is open and the check is under way once its connection reaches the server.
            $accepted = $silent.AcceptTcpClientAsync()
            $accepted.Wait(60000) | Should -BeTrue -Because "the session connects: $(if ($session.HasExited) { $session.StandardError.ReadToEnd() })"
            $children = Get-Content "/proc/$($session.Id)/task/$($session.Id)/children" -Raw
            "$children".Trim() | Should -BeNullOrEmpty -Because 'the check runs inside PowerShell: no ssh, git or helper'
            Get-ChildItem $tmp -Force -Recurse | Where-Object Name -NotLike 'CoreFxPipe_*' |
                Should -BeNullOrEmpty -Because 'no key copy and no helper is written while the check runs'
            $session.Kill()   # SIGKILL: nothing of the module runs any more
            $session.WaitForExit()
            Get-ChildItem $tmp -Force -Recurse | Where-Object Name -NotLike 'CoreFxPipe_*' | Should -BeNullOrEmpty
            $accepted.Result.Dispose()
        }
        finally {
            if ($session -and -not $session.HasExited) { $session.Kill() }
            $silent.Stop()
        }
    }
}

Describe 'SSH checks on a machine with neither ssh nor git (an automation sandbox)' -Skip:$NotUnix {
    It 'tests the key, reads the host key and connects a repository; only -Clone asks for git' {
        $bin = Join-Path $root 'empty-bin'
        New-Item -ItemType Directory -Force $bin | Out-Null
        $url = "ssh://git@127.0.0.1:$port$root/repos/app.git"
        $kh = "$root/kh-sandbox"
        $check = @"
'ssh=' + [bool](Get-Command ssh -ErrorAction Ignore)
'git=' + [bool](Get-Command git -ErrorAction Ignore)
'test=' + (Test-GitSshKey -Path '$root/jira_rsa' -Url '$url' -KnownHostsPath '$kh' -AcceptNewHostKey).Reason
`$h = Get-GitHostKey -HostName 127.0.0.1 -Port $port -KnownHostsPath '$kh'
'hostkey=' + `$h.KeyType + ' ' + `$h.IsKnown
'connect=' + (Connect-GitRepository -Url '$url' -KeyPath '$root/jira_rsa' -KnownHostsPath '$kh' -StorePath '$root/sandbox-store').Status
try { Connect-GitRepository -Url '$url' -KeyPath '$root/jira_rsa' -KnownHostsPath '$kh' -StorePath '$root/sandbox-store' -Clone -Destination '$root/sandbox-clone' }
catch { 'clone=' + `$_.FullyQualifiedErrorId + ' ' + `$_.Exception.Message }
"@
        $r = Invoke-AdminSession -Umask '077' -Script $check -Environment @{ PATH = $bin }
        $lines = @($r.Output -split '\r?\n')
        $lines | Should -Contain 'ssh=False' -Because ($r.Output + $r.Errors)
        $lines | Should -Contain 'git=False'
        $lines | Should -Contain 'test=None'
        $lines | Should -Contain 'hostkey=ssh-ed25519 True'
        $lines | Should -Contain 'connect=Connected'
        $clone = @($lines | Where-Object { $_ -like 'clone=*' })
        $clone | Should -HaveCount 1 -Because ($r.Output + $r.Errors)
        $clone[0] | Should -BeLike 'clone=ToolNotInstalled,*'
        $clone[0] | Should -BeLike '*git is needed only to clone (Connect-GitRepository -Clone)*'
    }
}
