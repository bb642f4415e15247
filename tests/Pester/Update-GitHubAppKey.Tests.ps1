BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Update-GitHubAppKey' {
    It 'reports a key file that does not exist' {
        { Update-GitHubAppKey -Name acme -PrivateKeyPath "$TestDrive/missing.pem" -ErrorAction Stop } | Should -Throw -ErrorId 'KeyFileNotFound,GitIntegration.UpdateGitHubAppKeyCommand'
    }
    It 'reports an unknown integration' {
        $key = New-GitSshKey -Path "$TestDrive/new.pem" -Bits 2048
        { Update-GitHubAppKey -Name acme -PrivateKeyPath $key.Path -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.UpdateGitHubAppKeyCommand'
    }

    # An app integration on a stand-in GitHub (LoopbackGitHub.ps1) that checks each JWT against the app's key and records
    # every request. The key "re-issued" on the app's settings page is a copy of the app's key in a downloaded file.
    Context 'an app integration' -Skip:(-not $IsLinux) {
        BeforeAll {
            . (Join-Path $PSScriptRoot 'LoopbackGitHub.ps1')
            $root = Join-Path $TestDrive 'github'
            New-Item -ItemType Directory $root | Out-Null
            $gh = Start-LoopbackGitHub $root
            $downloads = Join-Path $TestDrive 'Downloads'
            New-Item -ItemType Directory $downloads | Out-Null
            # the same key in another format: a replaced file is told apart from the stored one by its text
            Convert-GitSshKey -Path "$root/app.pem" -Format OpenSsh -Destination "$downloads/jira-git-acme.2024-05-01.private-key.pem" |
                Out-Null
            New-GitSshKey -Path "$downloads/stranger.pem" -Bits 2048 | Out-Null
        }
        AfterAll { Stop-Process -Id $gh.Process.Id -Force -ErrorAction SilentlyContinue }
        BeforeEach {
            $env:GITINTEGRATION_STORE = Join-Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))) 'integrations.yaml'
            $script:app = Install-GitHubApp -Organization acme -HostUrl $gh.Url -AppId 4242 -PrivateKeyPath "$root/app.pem" -Name acme-app `
                -ErrorAction Stop
            $script:storedKey = Get-Content -Raw $app.PrivateKeyPath
            Remove-Item $gh.Requests -ErrorAction SilentlyContinue
        }

        It 'asks nothing of GitHub and keeps the stored key with -WhatIf' {
            Get-ChildItem "$downloads/*.private-key.pem" | Update-GitHubAppKey -Name acme-app -WhatIf -ErrorAction Stop
            Test-Path $gh.Requests | Should -BeFalse
            Get-Content -Raw $app.PrivateKeyPath | Should -Be $storedKey
        }

        It 'takes the downloaded key from Get-ChildItem once GitHub accepts it' {
            $updated = Get-ChildItem "$downloads/*.private-key.pem" |
                Update-GitHubAppKey -Name acme-app -PassThru -ErrorAction Stop
            Get-Content $gh.Requests | Should -Be @('GET /api/v3/app')
            $downloaded = Get-Content -Raw "$downloads/jira-git-acme.2024-05-01.private-key.pem"
            Get-Content -Raw $updated.PrivateKeyPath | Should -Be $downloaded
            $downloaded | Should -Not -Be $storedKey -Because 'the stored key was replaced, not kept'

        }

        It 'gives a deleted stored key again with the command Test-GitIntegration names' {
            Remove-Item $app.PrivateKeyPath
            Test-GitIntegration -Name acme-app -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.FullyQualifiedErrorId | Should -Be @('KeyFileNotFound,GitIntegration.TestGitIntegrationCommand')
            $failures[0].Exception.Message | Should -Not -Match 'Get-GitSshKey' -Because 'it lists SSH keys, not app keys'
            $remedy = [regex]::Match($failures[0].Exception.Message, 'Update-GitHubAppKey .*$').Value
            $remedy | Should -Be "Update-GitHubAppKey -Name 'acme-app' -PrivateKeyPath (Read-Host -Prompt 'The downloaded .pem file')"
            # The admin pastes it and answers its prompt with the downloaded file.
            function Read-Host { "$downloads/jira-git-acme.2024-05-01.private-key.pem" }
            Invoke-Expression $remedy
            (Test-GitIntegration -Name acme-app -ErrorAction Stop).Success | Should -BeTrue
        }

        It 'refuses a key GitHub does not accept for the app and keeps the stored one' {
            Get-Item "$downloads/stranger.pem" |
                Update-GitHubAppKey -Name acme-app -ErrorVariable failures -ErrorAction SilentlyContinue
            $failures.FullyQualifiedErrorId | Should -Be @('GitHubAppKeyRejected,GitIntegration.UpdateGitHubAppKeyCommand')
            Get-Content -Raw $app.PrivateKeyPath | Should -Be $storedKey
        }
    }
}
