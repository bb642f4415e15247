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

    It 'keeps an installed app whose key file is lost, and says how to remove it without uninstalling' {
        New-GitSshKey -Path (Join-Path $TestDrive 'gha.pem') -Bits 2048 | Out-Null
        [pscustomobject]@{
            name = 'gha'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'; status = 'Active'
            'property.appId' = '123'; 'property.installationId' = '456'
            privateKey = Get-Content (Join-Path $TestDrive 'gha.pem') -Raw
        } | Import-GitIntegration -StorePath $store | Out-Null
        Get-ChildItem (Join-Path $TestDrive 'keys') | Remove-Item
        Remove-GitIntegration gha -StorePath $store -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'KeyFileNotFound,*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        (Get-GitIntegration -StorePath $store).Name | Should -Contain 'gha'
        $fix = $err[0].Exception.Message -replace '^.*leave the app installed on GitHub: ', ''
        $fix | Should -BeExactly "Remove-GitIntegration -Name 'gha' -KeepInstallation"
        Invoke-Expression "$fix -StorePath '$store' -Confirm:`$false"   # pasted, in this test's store
        (Get-GitIntegration -StorePath $store).Name | Should -Not -Contain 'gha'
    }

    It 'removes what the pipeline gives it with -Confirm:$false' {
        Get-GitIntegration -StorePath $store | Remove-GitIntegration -StorePath $store -Confirm:$false
        Get-GitIntegration -StorePath $store -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'removes nothing when the pipeline gives it integrations under -WhatIf' {
        $before = Get-Content $store -Raw
        Get-GitIntegration -StorePath $store | Remove-GitIntegration -StorePath $store -WhatIf
        Get-Content $store -Raw | Should -Be $before
        (Get-ChildItem (Join-Path $TestDrive 'secrets')).Count | Should -Be 1 -Because "a's token file is still there"
    }

    It 'removes exactly the integration piped in, even when its name reads as a wildcard' {
        @(
            [pscustomobject]@{ name = 'team[1]'; origin = 'git@h:o/team-bracket.git' }
            [pscustomobject]@{ name = 'team1'; origin = 'git@h:o/team1.git' }
        ) | Import-GitIntegration -StorePath $store | Out-Null
        Get-GitIntegration -StorePath $store | Where-Object Name -eq 'team[1]' |
            Remove-GitIntegration -StorePath $store -Confirm:$false
        (Get-GitIntegration -StorePath $store).Name | Should -Be @('a', 'b', 'team1')
    }

    It 'reports an integration piped in that another command removed meanwhile, and removes the others' {
        $both = Get-GitIntegration -StorePath $store
        Remove-GitIntegration a -StorePath $store -Force
        $both | Remove-GitIntegration -StorePath $store -Force -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'IntegrationNotFound,GitIntegration.RemoveGitIntegrationCommand'
        $err[0].Exception.Message | Should -BeLike "The integration 'a' (*) is no longer in the store*"
        Get-GitIntegration -StorePath $store | Should -BeNullOrEmpty
    }

    It 'names the integration it could not remove in the error and its TargetObject, and removes the others' {
        $l = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
        $l.Start(); $closed = $l.LocalEndpoint.Port; $l.Stop()
        New-GitSshKey -Path (Join-Path $TestDrive 'ghe.pem') -Bits 2048 | Out-Null
        [pscustomobject]@{
            name = 'ghe-app'; type = 'GitHubEnterpriseApp'; origin = "http://127.0.0.1:$closed/acme"; hostUrl = "http://127.0.0.1:$closed"
            organization = 'acme'; 'property.appId' = '7'; 'property.installationId' = '8'
            privateKey = Get-Content (Join-Path $TestDrive 'ghe.pem') -Raw
        } | Import-GitIntegration -StorePath $store | Out-Null
        Get-GitIntegration -StorePath $store | Remove-GitIntegration -StorePath $store -Force -ErrorVariable err -ErrorAction SilentlyContinue
        (Get-GitIntegration -StorePath $store).Name | Should -Be 'ghe-app'
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be 'ghe-app'
        $err[0].Exception.Message | Should -BeLike "The integration 'ghe-app': *"
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
