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
        Get-GitIntegration | Should -BeNullOrEmpty
    }
    It 'says GitHub is unreachable and stores nothing' {
        $key = New-GitSshKey -Path "$TestDrive/app.pem" -Bits 2048
        { Install-GitHubApp -Organization acme -HostUrl http://127.0.0.1:9 -AppId 42 -PrivateKeyPath $key.Path -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitHubUnreachable,GitIntegration.InstallGitHubAppCommand'
        Get-GitIntegration | Should -BeNullOrEmpty
    }
    It 'has the manifest and the existing-app parameter sets' {
        (Get-Command Install-GitHubApp).ParameterSets.Name | Sort-Object | Should -Be @('Existing', 'Manifest')
    }
}
