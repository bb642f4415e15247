BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive "integrations.yaml"
}

Describe 'Suspend-GitHubApp' {
    It 'reports an unknown integration name' {
        { Suspend-GitHubApp -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.SuspendGitHubAppCommand'
    }
    It 'supports -WhatIf and -PassThru' {
        $c = Get-Command Suspend-GitHubApp
        $c.Parameters.Keys | Should -Contain 'WhatIf'
        $c.Parameters.Keys | Should -Contain 'PassThru'
    }
}
