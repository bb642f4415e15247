BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive "integrations.yaml"
}

Describe 'Resume-GitHubApp' {
    It 'reports an unknown integration name' {
        { Resume-GitHubApp -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.ResumeGitHubAppCommand'
    }
    It 'supports -WhatIf and -PassThru' {
        $c = Get-Command Resume-GitHubApp
        $c.Parameters.Keys | Should -Contain 'WhatIf'
        $c.Parameters.Keys | Should -Contain 'PassThru'
    }
}
