BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

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
