BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $store = Join-Path $TestDrive 'integrations.yaml'
}

Describe 'Remove-GitIntegration' {
    BeforeEach {
        Remove-Item (Join-Path $TestDrive '*') -Recurse -Force -ErrorAction SilentlyContinue
        @(
            [pscustomobject]@{ name = 'a'; origin = 'git@h:o/a.git'; token = 'tok-a' }
            [pscustomobject]@{ name = 'b'; origin = 'git@h:o/b.git' }
        ) | Import-GitIntegration -StorePath $store | Out-Null
    }

    It 'removes without prompting under -Force, with the secret files it owned' {
        $secrets = Join-Path $TestDrive 'secrets'
        (Get-ChildItem $secrets).Count | Should -Be 1
        Remove-GitIntegration a -StorePath $store -Force
        (Get-GitIntegration -StorePath $store).Name | Should -Be 'b'
        Get-ChildItem $secrets | Should -BeNullOrEmpty
    }

    It 'removes a GitHub App integration with its PEM key and webhook secret files (-KeepInstallation: GitHub is not asked)' {
        New-GitSshKey -Path (Join-Path $TestDrive 'gha.pem') -Bits 2048 | Out-Null
        [pscustomobject]@{
            name = 'gha'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'; status = 'Active'
            'property.appId' = '123'; 'property.installationId' = '456'
            privateKey = Get-Content (Join-Path $TestDrive 'gha.pem') -Raw; webhookSecret = 'whsec-remove-me'
        } | Import-GitIntegration -StorePath $store | Out-Null
        (Get-ChildItem (Join-Path $TestDrive 'keys')).Count | Should -Be 1
        (Get-ChildItem (Join-Path $TestDrive 'secrets')).Count | Should -Be 2
        Remove-GitIntegration gha -KeepInstallation -StorePath $store -Force
        Get-ChildItem (Join-Path $TestDrive 'keys') | Should -BeNullOrEmpty
        (Get-ChildItem (Join-Path $TestDrive 'secrets')).Count | Should -Be 1 -Because "only a's token is left"
    }

    It 'removes what the pipeline gives it with -Confirm:$false' {
        Get-GitIntegration -StorePath $store | Remove-GitIntegration -StorePath $store -Confirm:$false
        Get-GitIntegration -StorePath $store -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'removes nothing with -WhatIf' {
        Remove-GitIntegration * -StorePath $store -WhatIf
        (Get-GitIntegration -StorePath $store).Count | Should -Be 2
    }

    # ConfirmImpact High: at the default $ConfirmPreference it asks, so a runbook that did not say -Force or
    # -Confirm:$false stops there instead of removing.
    It 'asks first: an unattended session without -Force gets an error and keeps every integration' {
        $run = Invoke-AdminSession -Umask 077 -Script "Remove-GitIntegration a -StorePath '$($store -replace "'", "''")'"
        $run.ExitCode | Should -Not -Be 0
        $run.Errors | Should -Match 'NonInteractive'
        (Get-GitIntegration -StorePath $store -ErrorAction Stop).Name | Should -Be @('a', 'b')
    }
}
