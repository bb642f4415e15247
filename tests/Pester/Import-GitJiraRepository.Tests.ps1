BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackJira.ps1
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    $script:jira = Start-LoopbackJira "$root/jira"
    $admin = New-Object System.Management.Automation.PSCredential 'admin', (Secure 'admin-secret')
    $script:J = @{ JiraUrl = $jira.Url; Credential = $admin; SkipCertificateCheck = $true }
    # Jira's setup, made in Jira: one repository over SSH, one over https with SSL verification off.
    Import-GitIntegration -StorePath "$root/seed" -InputObject @{ origin = 'git@git.example.com:acme/app.git'; name = 'app' } | Out-Null
    Import-GitIntegration -StorePath "$root/seed" -InputObject @{ origin = 'https://git.example.com/acme/docs.git'; name = 'docs'; sslVerify = 'false' } |
        Out-Null
    Publish-GitIntegration @J -StorePath "$root/seed" -IncludeUntested | Out-Null
}
AfterAll { if ($jira) { Stop-Process -Id $jira.Process.Id -Force } }

Describe 'Import-GitJiraRepository' {
    It 'shows with -WhatIf what it would import and writes nothing' {
        (Import-GitJiraRepository @J -StorePath "$root/new" -WhatIf).Action | Should -Be @('WouldCreate', 'WouldCreate')
        Test-Path "$root/new/integrations.yaml" | Should -BeFalse
    }

    It 'imports Jira''s repositories so they can be given a key and verified' {
        (Import-GitJiraRepository @J -StorePath "$root/new").Action | Should -Be @('Created', 'Created')
        $i = Get-GitIntegration -StorePath "$root/new" | Sort-Object Name
        $i.Name | Should -Be @('app', 'docs')
        $i.Type | Should -Be @('Ssh', 'Https')
        $i.SslVerify | Should -Be @($true, $false)
        $i | Where-Object PrivateKeyPath | Should -BeNullOrEmpty -Because 'Jira never returns a key'
    }

    It 'skips what differs from the store unless -Update, and then changes it' {
        Get-GitIntegration -StorePath "$root/new" docs | Set-GitIntegration -StorePath "$root/new" -NewName 'docs-local'
        (Import-GitJiraRepository @J -StorePath "$root/new" | Where-Object Name -eq 'docs').Action | Should -Be 'Skipped'
        (Get-GitIntegration -StorePath "$root/new").Name | Should -Contain 'docs-local'
        (Import-GitJiraRepository @J -StorePath "$root/new" -Update | Where-Object Name -eq 'docs').Action | Should -Be 'Updated'
        (Import-GitJiraRepository @J -StorePath "$root/new").Action | Should -Be @('Unchanged', 'Unchanged')
    }
}
