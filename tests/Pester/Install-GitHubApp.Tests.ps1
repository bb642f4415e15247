BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Install-GitHubApp' {
    It 'creates nothing with -WhatIf' {
        Install-GitHubApp -Organization acme -WhatIf
        Test-Path $env:GITINTEGRATION_STORE | Should -BeFalse
    }
    It 'refuses an http host that is not loopback' {
        { Install-GitHubApp -Organization acme -HostUrl http://ghe.example.com -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitHubHostUrlInvalid,GitIntegration.InstallGitHubAppCommand'
    }
    It 'refuses a key that is not RSA when registering an existing app' {
        New-GitSshKey -Path "$TestDrive/ed" -Type Ed25519 -Format OpenSsh | Out-Null
        { Install-GitHubApp -Organization acme -AppId 42 -PrivateKeyPath "$TestDrive/ed" -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitHubAppKeyNotRsa,GitIntegration.InstallGitHubAppCommand'
        Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty
    }
    It 'says GitHub is unreachable and stores nothing' {
        $key = New-GitSshKey -Path "$TestDrive/app.pem" -Bits 2048
        { Install-GitHubApp -Organization acme -HostUrl http://127.0.0.1:9 -AppId 42 -PrivateKeyPath $key.Path -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitHubUnreachable,GitIntegration.InstallGitHubAppCommand'
        Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty
    }
    It 'explains in its help who can run it, how from a remote session, and what must reach what' {
        $help = (Get-Help Install-GitHubApp -Full | Out-String) -replace '\s+', ' '
        $help | Should -BeLike '*an owner of the organization*'
        $help | Should -BeLike '*use -NoBrowser*ssh -N -L PORT:127.0.0.1:PORT admin@server*'
        $help | Should -BeLike '*GitHub never has to reach this computer: the app is created without webhooks*'
        $help | Should -BeLike '*GitHubAppSetupUnfinished*'
        (Get-Command Install-GitHubApp).Parameters.Keys | Should -Contain 'NoBrowser'
    }

    It 'reports an untrusted GitHub Enterprise Server certificate as CertificateInvalid, and trusts it by thumbprint' `
        -Skip:(-not $IsLinux) {
        # nginx with its own certificate stands for a GitHub Enterprise Server with an internal CA; past TLS: 401.
        . (Join-Path $PSScriptRoot 'LoopbackHttps.ps1')
        $web = Start-LoopbackHttps (Join-Path $TestDrive 'ghes') 'nobody' 'nothing'
        try {
            $key = New-GitSshKey -Path "$TestDrive/ghes.pem" -Bits 2048
            $ghes = @{
                Organization = 'acme'; HostUrl = "https://127.0.0.1:$($web.Port)"
                AppId = 42; PrivateKeyPath = $key.Path
            }
            Install-GitHubApp @ghes -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'CertificateInvalid,GitIntegration.InstallGitHubAppCommand'
            $err[0].Exception.Message |
                Should -BeLike "*subject 'CN=127.0.0.1', issued by 'CN=127.0.0.1'*-TrustedCertificateThumbprint*"
            $err[0].Exception.Message | Should -Not -BeLike '*firewall*'
            $thumbprint = Get-LoopbackHttpsThumbprint $web
            { Install-GitHubApp @ghes -TrustedCertificateThumbprint $thumbprint -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitHubAppKeyRejected,GitIntegration.InstallGitHubAppCommand'
            Get-GitIntegration | Should -BeNullOrEmpty
        }
        finally { Stop-LoopbackHttps $web }
    }
    It 'has the manifest and the existing-app parameter sets' {
        (Get-Command Install-GitHubApp).ParameterSets.Name | Sort-Object | Should -Be @('Existing', 'Manifest')
    }

    # An existing app registered on a stand-in github.com (LoopbackGitHub.ps1 -GitHubCom): the module's github.com, with
    # no -HostUrl, is pointed at it. It answers api.github.com's paths only and takes the client id as the JWT issuer.
    Context 'registering an existing app on github.com' -Skip:(-not $IsLinux) {
        BeforeAll {
            . (Join-Path $PSScriptRoot 'LoopbackGitHub.ps1')
            $root = Join-Path $TestDrive 'github.com'
            New-Item -ItemType Directory $root | Out-Null
            $gh = Start-LoopbackGitHub $root -GitHubCom
            Use-LoopbackGitHubCom $gh
        }
        AfterAll {
            Use-LoopbackGitHubCom $null
            Stop-Process -Id $gh.Process.Id -Force -ErrorAction SilentlyContinue
        }
        BeforeEach {
            $env:GITINTEGRATION_STORE = Join-Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))) 'integrations.yaml'
            Remove-Item $gh.Requests -ErrorAction SilentlyContinue
        }

        It 'verifies the key with GitHub, finds the installation and stores a github.com integration' {
            $i = Install-GitHubApp -Organization acme -ClientId Iv23liabcdef0123 -AppId 4242 -PrivateKeyPath "$root/app.pem" `
                -Name dotcom -ErrorAction Stop
            $i.Type | Should -Be 'GitHubApp'
            $i.Status | Should -Be 'Active'
            Get-Content $gh.Requests | Should -Be @('GET /app', 'GET /orgs/acme/installation')
        }

        It 'registers the apps a CSV lists: Import-Csv binds Organization, AppId, ClientId and PrivateKeyPath' {
            $csv = Join-Path $TestDrive 'apps.csv'
            [pscustomobject]@{ Organization = 'acme'; AppId = '4242'; ClientId = 'Iv23liabcdef0123'; PrivateKeyPath = "$root/app.pem" } |
                Export-Csv $csv -NoTypeInformation
            $i = Import-Csv $csv | Install-GitHubApp -ErrorAction Stop
            $i.Organization | Should -Be 'acme'
            $i.Status | Should -Be 'Active'
            Get-Content $gh.Requests | Should -Be @('GET /app', 'GET /orgs/acme/installation')
        }

        It 'refuses a key that is not a key of the app, and stores nothing' {
            $other = New-GitSshKey -Path "$TestDrive/other.pem" -Bits 2048 -Force
            { Install-GitHubApp -Organization acme -ClientId Iv23liabcdef0123 -AppId 4242 -PrivateKeyPath $other.Path `
                -Name stranger -ErrorAction Stop } | Should -Throw -ErrorId 'GitHubAppKeyRejected,GitIntegration.InstallGitHubAppCommand'
            Get-Content $gh.Requests | Should -Contain 'refused: A JSON web token could not be decoded'
            Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty
        }
    }

    # The whole manifest flow against a stand-in GitHub (LoopbackGitHub.ps1), the browser played by an 'xdg-open' script.
    Context 'creating the app from a manifest' -Skip:(-not $IsLinux) {
        BeforeAll {
            . (Join-Path $PSScriptRoot 'LoopbackGitHub.ps1')
            $root = Join-Path $TestDrive 'github'
            New-Item -ItemType Directory $root | Out-Null
            $gh = Start-LoopbackGitHub $root
            $saved = @{ PATH = $env:PATH; DISPLAY = $env:DISPLAY }
            $env:PATH = "$root/bin:$env:PATH"
            $env:DISPLAY = ':0'
        }
        AfterAll {
            Stop-Process -Id $gh.Process.Id -Force -ErrorAction SilentlyContinue
            $env:PATH = $saved.PATH
            $env:DISPLAY = $saved.DISPLAY
            Remove-Item Env:GI_TEST_CODE -ErrorAction SilentlyContinue
        }
        BeforeEach { Remove-Item "$root/browser.log" -ErrorAction SilentlyContinue }

        It 'keeps no app that another account owns and names the page where it must be deleted' {
            $env:GI_TEST_CODE = 'evil-code'
            $out = Install-GitHubApp -Organization acme -HostUrl $gh.Url -Name 'acme via evil' -TimeoutSeconds 300 `
                -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $failures[-1].FullyQualifiedErrorId | Should -Be 'GitHubAppOwnerMismatch,GitIntegration.InstallGitHubAppCommand'
            $failures[-1].CategoryInfo.Category | Should -Be 'SecurityError'
            $failures[-1].Exception.Message | Should -BeLike "*'evil'*not by the organization 'acme'*must be deleted*"
            $failures[-1].Exception.Message | Should -BeLike "*$($gh.Url)organizations/evil/settings/apps/jira-git-evil*"
            $failures[-1].Exception.Message | Should -Not -BeLike '*PRIVATE KEY*'
            Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty
        }

        It 'gives up after -TimeoutSeconds when nobody creates the app, and says how to give more time' {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            { Install-GitHubApp -Organization acme -HostUrl $gh.Url -TimeoutSeconds 10 -NoBrowser -ErrorAction Stop `
                -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'GitHubAppManifestTimeout,GitIntegration.InstallGitHubAppCommand' `
                    -ExpectedMessage '*larger -TimeoutSeconds*'
            $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 9
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 120
            Get-GitIntegration -ErrorAction Stop | Should -BeNullOrEmpty
        }

        # -TimeoutSec, the former name, still binds: scripts written for it keep running.
        It 'reports a forged redirect without stopping, and stores the app the organization owns' {
            $env:GI_TEST_CODE = 'acme-code'
            $app = Install-GitHubApp -Organization acme -HostUrl $gh.Url -Name 'acme' -TimeoutSec 300 `
                -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $failures.FullyQualifiedErrorId | Should -Be @('GitHubAppCallbackForged,GitIntegration.InstallGitHubAppCommand')
            $failures[0].CategoryInfo.Category | Should -Be 'SecurityError'
            $app.Name | Should -Be 'acme'
            $app.Status | Should -Be 'Active'
            (Get-GitIntegration -Name acme).Status | Should -Be 'Active'
            $log = Get-Content "$root/browser.log"
            $log | Should -Contain 'another program got 404 at /'
            $log | Should -Contain 'forged redirect got 400'
            $log | Should -Contain "GitHub's redirect got 200"
        }

        # The browser came back, then the code could not be turned into the app's key: the app may exist on GitHub.
        It 'says an app may be left on GitHub, where, and how to finish, when <Why> after the browser came back' `
            -TestCases @(
            @{ Why = 'GitHub refuses the code'; Code = 'expired-code'; Said = '*GitHub refused the app code (404*'
                Category = 'InvalidOperation' }
            # Last: the browser stops the stand-in GitHub for this one.
            @{ Why = 'GitHub cannot be reached from here'; Code = 'unreachable-code'; Said = '*Cannot reach 127.0.0.1*'
                Category = 'ConnectionError' }
        ) {
            $env:GI_TEST_CODE = $Code
            $out = Install-GitHubApp -Organization acme -HostUrl $gh.Url -Name "acme $Code" -TimeoutSeconds 300 `
                -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $e = $failures[-1]
            $e.FullyQualifiedErrorId | Should -Be 'GitHubAppSetupUnfinished,GitIntegration.InstallGitHubAppCommand'
            $e.CategoryInfo.Category | Should -Be $Category
            $e.Exception.Message | Should -BeLike $Said
            $e.Exception.Message | Should -BeLike ("*an app may now exist in acme*look for it at " +
                "$($gh.Url)organizations/acme/settings/apps.*Delete GitHub App*run Install-GitHubApp again*")
            Get-GitIntegration | Where-Object Name -eq "acme $Code" | Should -BeNullOrEmpty
            # The browser page did not claim a success PowerShell had not had. The browser writes it down on its own
            # time: wait for it (the deadline only guards against a hang).
            $deadline = [DateTime]::UtcNow.AddSeconds(120)
            do {
                $log = @(Get-Content "$root/browser.log" -ErrorAction SilentlyContinue)
                $page = $log -match "^GitHub's redirect page: "
                if (-not $page) { Start-Sleep -Milliseconds 100 }
            } until ($page -or [DateTime]::UtcNow -gt $deadline)
            $page | Should -BeLike '*PowerShell is finishing the setup*see the PowerShell window*'
            $page | Should -Not -BeLike '*created*'
        }
    }
}
