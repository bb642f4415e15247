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
        Get-GitIntegration | Should -BeNullOrEmpty

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
        Get-GitIntegration -Name stranger -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
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

    It 'changes nothing with -WhatIf' {
        Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/app.git" -Name whatif -KeyPath "$root/jira_rsa" -WhatIf
        Get-GitIntegration -Name whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}
