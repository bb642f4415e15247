BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Get-GitHubAppInstallation' {
    It 'returns nothing from an empty store' {
        Get-GitHubAppInstallation -ErrorAction Stop | Should -BeNullOrEmpty
    }
    It 'reports an unknown integration name' {
        { Get-GitHubAppInstallation -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.GetGitHubAppInstallationCommand'
    }
    It 'declares its output type' {
        (Get-Command Get-GitHubAppInstallation).OutputType.Name | Should -Contain 'GitIntegration.Core.GitHub.GitHubAppInstallation'
    }
}
