BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive "integrations.yaml"
}

Describe 'Get-GitHubAppRepository' {
    It 'returns nothing from an empty store' {
        Get-GitHubAppRepository | Should -BeNullOrEmpty
    }
    It 'reports an unknown integration name' {
        { Get-GitHubAppRepository -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.GetGitHubAppRepositoryCommand'
    }
    It 'takes -RepositoryName wildcards' {
        (Get-Command Get-GitHubAppRepository).Parameters['RepositoryName'].Attributes.TypeId.Name | Should -Contain 'SupportsWildcardsAttribute'
    }
}
