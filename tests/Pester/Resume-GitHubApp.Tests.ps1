BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

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
