BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackJira.ps1
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    $script:jira = Start-LoopbackJira "$root/jira"
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    Import-GitIntegration -InputObject @{ origin = 'https://git.example.com/acme/billing.git'; name = 'billing'; status = 'Connected'
        lastVerified = '2026-01-01T00:00:00Z' } | Out-Null
    $admin = New-Object System.Management.Automation.PSCredential 'admin', (Secure 'admin-secret')
    Publish-GitIntegration -JiraUrl $jira.Url -Credential $admin -SkipCertificateCheck | Out-Null
}
AfterAll {
    if ($jira) { Stop-Process -Id $jira.Process.Id -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Get-GitJiraRepository' {
    It 'lists Jira''s repositories as integrations, with the Jira they came from, for any Jira user' {
        $dev = New-Object System.Management.Automation.PSCredential 'dev', (Secure 'dev-secret')
        $r = Get-GitJiraRepository -JiraUrl $jira.Url -Credential $dev -SkipCertificateCheck
        $r | Should -HaveCount 1
        $r.PSObject.TypeNames[0] | Should -Be (Get-GitIntegration billing).PSObject.TypeNames[0] -Because 'it is the same kind of object'
        $r.Name | Should -Be 'billing'
        "$($r.Type)" | Should -Be 'Https'
        $r.Url | Should -Be 'https://git.example.com/acme/billing.git'
        "$($r.Status)" | Should -Be 'Connected'
        $r.JiraUrl | Should -Be $jira.Url
        $r.JiraId | Should -BeGreaterThan 0
        $r.TokenRef | Should -BeNullOrEmpty
    }

    It 'refuses Jira Cloud and says what to do instead' {
        $dev = New-Object System.Management.Automation.PSCredential 'dev', (Secure 'dev-secret')
        $e = { Get-GitJiraRepository -JiraUrl https://acme.atlassian.net -Credential $dev -ErrorAction Stop } |
            Should -Throw -ErrorId 'JiraCloudNotSupported,GitIntegration.GetGitJiraRepositoryCommand' -PassThru
        $e.Exception.Message | Should -BeLike '*Export-GitIntegration -Format Tsv*Bulk Change*'
        $e.CategoryInfo.Category | Should -Be 'NotImplemented'
    }

    It 'gives up after -TimeoutSeconds when Jira does not answer' {
        Set-LoopbackJira $jira.Url @{ stallSeconds = 120 }
        try {
            $t = @{ JiraUrl = $jira.Url; Token = (Secure 'NjQ4OTk0MTQ3NzY1OpJiraStandInAdminPat'); SkipCertificateCheck = $true }
            { Get-GitJiraRepository @t -TimeoutSeconds 1 -ErrorAction Stop } | Should -Throw -ErrorId 'JiraTimeout,GitIntegration.GetGitJiraRepositoryCommand'
        }
        finally { Set-LoopbackJira $jira.Url @{} }
    }
}
