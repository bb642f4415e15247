BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive "integrations.yaml"
}

Describe 'Get-GitHubAppInstallation' {
    It 'returns nothing from an empty store' {
        Get-GitHubAppInstallation | Should -BeNullOrEmpty
    }
    It 'reports an unknown integration name' {
        { Get-GitHubAppInstallation -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.GetGitHubAppInstallationCommand'
    }
    It 'declares its output type' {
        (Get-Command Get-GitHubAppInstallation).OutputType.Name | Should -Contain 'GitIntegration.Core.GitHub.GitHubAppInstallation'
    }
}
