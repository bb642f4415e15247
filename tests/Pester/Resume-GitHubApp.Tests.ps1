BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Resume-GitHubApp' {
    BeforeEach {
        # A store of each test's own: no test sees what another left.
        $env:GITINTEGRATION_STORE = Join-Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))) 'integrations.yaml'
    }
    It 'reports an unknown integration name' {
        { Resume-GitHubApp -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.ResumeGitHubAppCommand'
    }

    # The admin registers an existing app on a stand-in GitHub (LoopbackGitHub.ps1) that records every request it gets.
    Context 'an app integration' -Skip:(-not $IsLinux) {
        BeforeAll {
            . (Join-Path $PSScriptRoot 'LoopbackGitHub.ps1')
            $root = Join-Path $TestDrive 'github'
            New-Item -ItemType Directory $root | Out-Null
            $gh = Start-LoopbackGitHub $root
        }
        AfterAll { Stop-Process -Id $gh.Process.Id -Force -ErrorAction SilentlyContinue }
        BeforeEach {
            Install-GitHubApp -Organization acme -HostUrl $gh.Url -AppId 4242 -PrivateKeyPath "$root/app.pem" -Name acme-app `
                -ErrorAction Stop | Out-Null
            # GitHub's side may be left either way by the test before: set it, with the opposite command.
            Suspend-GitHubApp acme-app -ErrorAction Stop
            (Get-GitIntegration -Name acme-app).Status | Should -Be 'Suspended'
            Remove-Item $gh.Requests -ErrorAction SilentlyContinue
        }

        It 'sends nothing to GitHub and changes nothing with -WhatIf' {
            $stored = Get-Content -Raw $env:GITINTEGRATION_STORE
            $out = Resume-GitHubApp acme-app -PassThru -WhatIf -ErrorAction Stop
            Test-Path $gh.Requests | Should -BeFalse -Because 'GitHub must not be asked to change anything'
            $out | Should -BeNullOrEmpty
            Get-Content -Raw $env:GITINTEGRATION_STORE | Should -Be $stored
        }

        It 'resumes the installation on GitHub and records it' {
            $out = Resume-GitHubApp acme-app -PassThru -ErrorAction Stop
            $out.Status | Should -Be 'Active'
            (Get-GitIntegration -Name acme-app).Status | Should -Be 'Active'
            Get-Content $gh.Requests | Should -Be @('DELETE /api/v3/app/installations/42420/suspended')
        }

        It 'takes the integrations Get-GitIntegration sends down the pipeline' {
            Get-GitIntegration -Name acme-app | Resume-GitHubApp -ErrorAction Stop
            (Get-GitIntegration -Name acme-app).Status | Should -Be 'Active'
            Get-Content $gh.Requests | Should -Be @('DELETE /api/v3/app/installations/42420/suspended')
        }
    }
}
