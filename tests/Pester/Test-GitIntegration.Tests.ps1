BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackSshd.ps1
    # Same loopback sshd recipe as Connect-GitRepository.Tests.ps1 (Linux as root; user 'git' from tests/run-all.sh).
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    New-GitSshKey -Path "$root/jira_rsa" -Bits 2048 | Out-Null
    $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub")
    $script:sshd = $server.Process
    $script:port = $server.Port
    New-LoopbackRepository $root app
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/app.git" -KeyPath "$root/jira_rsa" -AcceptNewHostKey -ErrorAction Stop | Out-Null
}
AfterAll {
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Test-GitIntegration' {
    It 're-verifies and sets LastVerified' {
        $r = Test-GitIntegration app
        $r.Success | Should -BeTrue
        $r.DefaultBranch | Should -Be 'main'
        (Get-GitIntegration app).LastVerified | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
    }

    It 'verifies the integrations the pipeline gives it' {
        $r = @(Get-GitIntegration app | Test-GitIntegration)
        $r.Count | Should -Be 1
        $r[0].Name | Should -Be 'app'
        $r[0].Success | Should -BeTrue -Because $r[0].Message
    }

    It 'marks an integration Failed when its key is no longer accepted, and -Quiet says $false' {
        # The stored key is spoiled for this test only: the tests after it (or run alone) find it as it was.
        $key = Get-Content -Raw "$root/keys/git"
        try {
            Set-Content "$root/keys/git" ''
            Test-GitIntegration app -Quiet | Should -BeFalse
            (Test-GitIntegration app).Reason | Should -Be 'PermissionDenied'
            (Get-GitIntegration app).Status | Should -Be 'Failed'
        }
        finally { [IO.File]::WriteAllText("$root/keys/git", $key) }
    }
}

Describe 'Test-GitIntegration with integrations piped from Get-GitIntegration' {
    It 'names the integration whose secret is missing in the error and its TargetObject, and verifies the others' {
        $store = "$root/piped/integrations.yaml"
        @(
            [pscustomobject]@{ name = 'lost-secret'; origin = 'ssh://git@127.0.0.1:9/lost.git'; passphrase = 'gone soon' }
            # With a key, so the check reaches the (closed) port whatever ~/.ssh holds.
            [pscustomobject]@{ name = 'refused'; origin = 'ssh://git@127.0.0.1:9/refused.git'; privateKeyPath = "$root/jira_rsa" }
        ) | Import-GitIntegration -StorePath $store | Out-Null
        Remove-Item "$root/piped/secrets/*"
        $r = Get-GitIntegration -StorePath $store | Test-GitIntegration -StorePath $store -TimeoutSeconds 10 `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Name | Should -Be 'refused'
        $r.Reason | Should -Be 'ConnectionRefused'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'SecretNotFound,GitIntegration.TestGitIntegrationCommand'
        $err[0].TargetObject | Should -Be 'lost-secret'
        $err[0].Exception.Message | Should -BeLike "The integration 'lost-secret': The secret file*is missing*"
    }
}

Describe 'Test-GitIntegration on GitHub App integrations' {
    # GitHub cannot be reached from a test run: these apps point to a loopback port nobody listens on.
    # The Core tests (GitHubAppCheckTests) cover every answer GitHub can give, against a GitHub stand-in.
    BeforeAll {
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $l.Start(); $closed = $l.LocalEndpoint.Port; $l.Stop()
        $script:host_ = "http://127.0.0.1:$closed"
        New-GitSshKey -Path "$root/gha.pem" -Bits 2048 | Out-Null
        $pem = Get-Content "$root/gha.pem" -Raw
        @(
            [pscustomobject]@{ name = 'gha-waiting'; type = 'GitHubEnterpriseApp'; origin = "$host_/acme"; hostUrl = $host_; organization = 'acme'; status = 'Installing'
                'property.appId' = '4242'; 'property.appHtmlUrl' = "$host_/apps/jira-git-acme"; privateKey = $pem }
            [pscustomobject]@{ name = 'gha-never'; type = 'GitHubEnterpriseApp'; origin = "$host_/beta"; hostUrl = $host_; organization = 'beta'; status = 'Installing' }
            [pscustomobject]@{ name = 'gha-active'; type = 'GitHubEnterpriseApp'; origin = "$host_/gamma"; hostUrl = $host_; organization = 'gamma'; status = 'Active'
                'property.appId' = '4343'; 'property.installationId' = '99'; privateKey = $pem }
        ) | Import-GitIntegration | Out-Null
    }

    It 'says GitHub has not answered yet (seed case 1) and leaves the app Installing' {
        $r = Test-GitIntegration gha-waiting -TimeoutSeconds 2
        # By name: PowerShell 7 does not resolve type literals from the module's own load context (GitIntegration.Core lives there).
        $r.PSObject.TypeNames[0] | Should -Be 'GitIntegration.Core.Git.GitConnectionResult'
        $r.Success | Should -BeFalse
        $r.Type | Should -Be 'GitHubEnterpriseApp'
        $r.Reason | Should -Be 'WaitingForGitHub'
        $r.Message | Should -Match 'GitHub has not answered'
        $r.Message | Should -Match 'refused'
        $r.Remedy | Should -Match 'Test-GitIntegration again'
        (Get-GitIntegration gha-waiting).Status | Should -Be 'Installing'
        (Get-GitIntegration gha-waiting).LastVerified | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
    }

    It 'says the app was never created when Install-GitHubApp did not finish' {
        $r = Test-GitIntegration gha-never
        $r.Reason | Should -Be 'WaitingForGitHub'
        $r.Message | Should -Match 'never created'
        $r.Remedy | Should -Match 'Remove-GitIntegration'
    }

    It 'marks an installed app Failed when its GitHub cannot be reached, within -TimeoutSeconds' {
        $elapsed = Measure-Command { $script:r = Test-GitIntegration gha-active -TimeoutSeconds 2 }
        $elapsed.TotalSeconds | Should -BeLessThan 5
        $r.Reason | Should -Be 'Timeout'
        $r.Message | Should -Match 'refused'
        (Get-GitIntegration gha-active).Status | Should -Be 'Failed'
        (Get-GitIntegration gha-active).Properties['FailureReason'] | Should -Be 'Timeout'
    }

    It 'verifies repositories and apps in one run: one result type, one table, -Quiet over both' {
        $all = Test-GitIntegration -TimeoutSeconds 2
        ($all | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique) | Should -Be 'GitConnectionResult'
        $all.Name | Should -Contain 'app'
        $all.Name | Should -Contain 'gha-waiting'
        $table = $all | Format-Table | Out-String -Width 120
        $table | Should -Match 'WaitingForGitHub'
        Test-GitIntegration -TimeoutSeconds 2 -Quiet | Should -BeFalse
    }

    It 'never shows the app''s key, not even in -Verbose' {
        $out = Test-GitIntegration gha-* -TimeoutSeconds 2 -Verbose 4>&1 | Out-String
        $out | Should -Not -Match 'PRIVATE KEY'
        $out | Should -Not -Match ([regex]::Escape((Get-Content "$root/gha.pem")[1]))
    }

    It 'reports an app key the store cannot read as an error with an id, and goes on with the others' {
        Set-Content (Get-GitIntegration gha-active).PrivateKeyPath 'not a key'
        $r = Test-GitIntegration gha-* -TimeoutSeconds 2 -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^\w+,GitIntegration\.TestGitIntegrationCommand$'
        $e[0].TargetObject | Should -Be 'gha-active'
        $e[0].Exception.Message | Should -BeLike "*'gha-active'*"
        ($r.Name | Sort-Object) | Should -Be @('gha-never', 'gha-waiting')
    }
}

# Last in the file: TestDrive files made in a Describe are gone after it, and 'app' points at this key from now on.
Describe 'Test-GitIntegration on a key protected by a passphrase' {
    BeforeAll {
        New-GitSshKey -Path "${root}locked_rsa" -Bits 2048 -Passphrase (Secure 'open sesame') | Out-Null
        Add-Content "$root/keys/git" (Get-Content "${root}locked_rsa.pub")
        # Stored without its passphrase, as -Force allows.
        Set-GitIntegration app -PrivateKeyPath "${root}locked_rsa" -Force -WarningAction SilentlyContinue
    }

    It 'names the command that stores the passphrase, and that command fixes it when pasted' {
        $r = Test-GitIntegration app
        $r.Reason | Should -Be 'PassphraseRequired'
        $fix = ($r.Remedy -split ': ', 2)[1]
        $fix | Should -Be ("Set-GitIntegration -Name 'app' -PrivateKeyPath '${root}locked_rsa' " +
            '-Passphrase (Read-Host -AsSecureString)')
        Assert-RemedyParameters $fix

        function Read-Host { Secure 'open sesame' }   # what the admin types at the prompt
        Invoke-Expression $fix
        $r = Test-GitIntegration app
        $r.Success | Should -BeTrue -Because $r.Message
    }
}
