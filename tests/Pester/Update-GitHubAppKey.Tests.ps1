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
    It 'binds a file from Get-ChildItem' {
        (Get-Command Update-GitHubAppKey).Parameters['PrivateKeyPath'].Aliases | Should -Contain 'FullName'
    }
}
