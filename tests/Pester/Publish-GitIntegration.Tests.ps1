BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackSshd.ps1
    . $PSScriptRoot/LoopbackJira.ps1
    # The admin's whole story: repositories connected and verified against a loopback sshd, published to a stand-in Jira
    # (the app's documented REST API), pulled back into an empty store. Linux as root; user 'git' from tests/run-all.sh.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    New-GitSshKey -Path "$root/jira_rsa" -Bits 2048 | Out-Null
    $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub")
    $script:sshd = $server.Process
    $port = $server.Port
    New-LoopbackRepository $root app
    New-LoopbackRepository $root docs
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    foreach ($name in 'app', 'docs') {
        Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/$name.git" -KeyPath "$root/jira_rsa" -AcceptNewHostKey -ErrorAction Stop |
            Out-Null
    }
    $script:jira = Start-LoopbackJira "$root/jira"
    $admin = New-Object System.Management.Automation.PSCredential 'admin', (Secure 'admin-secret')
    $script:J = @{ JiraUrl = $jira.Url; Credential = $admin; SkipCertificateCheck = $true }
    function script:Writes { @(Get-LoopbackJiraRequest $jira.Url | Where-Object { $_ -notlike 'GET *' }) }
}
AfterAll {
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    if ($jira) { Stop-Process -Id $jira.Process.Id -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Publish-GitIntegration' {
    It 'shows the plan with -WhatIf and changes nothing in Jira' {
        $results = Publish-GitIntegration @J -WhatIf
        $results | Should -BeNullOrEmpty -Because 'each planned change is a What if: line, not a result'
        @(Get-GitJiraRepository @J).Count | Should -Be 0
        Writes | Should -BeNullOrEmpty
    }

    It 'adds the verified repositories, and names the SSH key to add in Jira without ever sending it' {
        $results = Publish-GitIntegration @J -WarningVariable warned -WarningAction SilentlyContinue | Sort-Object Name
        $results.Action | Should -Be @('Created', 'Created')
        $results.Name | Should -Be @('app', 'docs')
        $results.JiraId | Should -Not -Contain $null
        "$warned" | Should -BeLike "*/jira_rsa' was not sent*Git ➜ SSH Keys*"
        @($warned).Count | Should -Be 1 -Because 'both repositories use the same key'
        $sent = (Get-LoopbackJiraRequest $jira.Url) -join "`n"
        $sent | Should -Not -Match 'PRIVATE KEY'
        $sent | Should -Not -Match ([regex]::Escape((Get-Content -Raw "$root/jira_rsa").Substring(40, 40)))
    }

    It 'changes nothing when run again' {
        $before = (Writes).Count
        (Publish-GitIntegration @J).Action | Should -Be @('Unchanged', 'Unchanged')
        (Writes).Count | Should -Be $before
    }

    It 'publishes only the integrations piped or given with -InputObject' {
        (Get-GitIntegration docs | Publish-GitIntegration @J).Name | Should -Be 'docs'
        (Publish-GitIntegration @J -InputObject (Get-GitIntegration docs)).Name | Should -Be 'docs'
    }

    It 'pulls them back into an empty store as equal integrations, and pulling again changes nothing' {
        $empty = "$root/empty/integrations.yaml"
        (Import-GitJiraRepository @J -StorePath $empty).Action | Should -Be @('Created', 'Created')
        $shape = 'Name', 'Type', 'Url', 'SslVerify', 'Status'
        $pulled = Get-GitIntegration -StorePath $empty | Sort-Object Name | Select-Object $shape | ConvertTo-Json
        $pulled | Should -Be (Get-GitIntegration | Sort-Object Name | Select-Object $shape | ConvertTo-Json)
        (Import-GitJiraRepository @J -StorePath $empty).Action | Should -Be @('Unchanged', 'Unchanged')
        (Import-GitJiraRepository @J).Action | Should -Be @('Unchanged', 'Unchanged') -Because 'the store that published them has them'
    }

    It 'updates what differs after a change in the store' {
        Get-GitIntegration docs | Set-GitIntegration -SkipCertificateCheck -ErrorAction Stop
        $r = Publish-GitIntegration @J
        ($r | Where-Object Name -eq 'docs').Action | Should -Be 'Updated'
        ($r | Where-Object Name -eq 'docs').Reason | Should -BeLike '*disableSslVerification*'
        (Get-GitJiraRepository @J | Where-Object Name -eq 'docs').SslVerify | Should -BeFalse
    }

    It 'removes what the store lacks only with -RemoveMissing, and asks first' {
        Get-GitIntegration docs | Remove-GitIntegration -Confirm:$false
        (Publish-GitIntegration @J).Action | Should -Not -Contain 'Removed'
        $r = Publish-GitIntegration @J -RemoveMissing -ErrorVariable failed -ErrorAction SilentlyContinue
        $r.Action | Should -Not -Contain 'Removed'
        $failed[0].FullyQualifiedErrorId | Should -Be 'JiraRemoveNotConfirmed,GitIntegration.PublishGitIntegrationCommand'
        (Get-GitJiraRepository @J).Name | Should -Contain 'docs'
        $r = Publish-GitIntegration @J -RemoveMissing -Force
        ($r | Where-Object Action -eq 'Removed').Name | Should -Be 'docs'
        (Get-GitJiraRepository @J).Name | Should -Be @('app')
    }

    It 'skips integrations that are not verified unless -IncludeUntested' {
        Import-GitIntegration -InputObject @{ origin = 'https://git.example.com/never.git'; name = 'never' } | Out-Null
        (Publish-GitIntegration @J -Verbose 4>&1 | Out-String) | Should -Match "'never' is not verified"
        (Publish-GitIntegration @J | Where-Object Name -eq 'never').Action | Should -Be 'Skipped'
        (Publish-GitIntegration @J -IncludeUntested | Where-Object Name -eq 'never').Action | Should -Be 'Created'
    }

    It 'fails one repository that Jira refuses with Jira''s own message and goes on' {
        Set-LoopbackJira $jira.Url @{ rejectField = 'displayName' }
        try {
            Get-GitIntegration app | Set-GitIntegration -NewName app2 -ErrorAction Stop
            $r = Publish-GitIntegration @J -ErrorVariable failed -ErrorAction SilentlyContinue
            ($r | Where-Object Name -eq 'app2').Action | Should -Be 'Failed'
            $failed[0].FullyQualifiedErrorId | Should -Be 'JiraRejected,GitIntegration.PublishGitIntegrationCommand'
            "$($failed[0])" | Should -BeLike "*'app2'*The value of displayName is not valid for this repository*"
        }
        finally { Set-LoopbackJira $jira.Url @{} }
    }

    It 'stops with <Id> when <Case>' -ForEach @(
        @{ Case = 'the account is not a Jira administrator'; Id = 'JiraNotAdministrator'; Extra = @{ Credential = (New-Object System.Management.Automation.PSCredential 'dev', (ConvertTo-SecureString 'dev-secret' -AsPlainText -Force)) } }
        @{ Case = 'the password is wrong'; Id = 'JiraUnauthorized'; Extra = @{ Credential = (New-Object System.Management.Automation.PSCredential 'admin', (ConvertTo-SecureString 'nope' -AsPlainText -Force)) } }
        @{ Case = 'the address is Jira Cloud'; Id = 'JiraCloudNotSupported'; Extra = @{ JiraUrl = 'https://acme.atlassian.net' } }
        @{ Case = 'the certificate is not trusted'; Id = 'JiraCertificateInvalid'; Extra = @{ SkipCertificateCheck = $false } }
        @{ Case = 'the address is plain http'; Id = 'JiraUnencryptedAuthentication'; Extra = @{ JiraUrl = 'http://127.0.0.1:9/' } }
    ) {
        $p = $J.Clone()
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        # A change to send, so that the call that needs an administrator is made (listing needs any Jira user).
        Get-GitIntegration app* | Set-GitIntegration -NewName "app-$Id" -ErrorAction Stop
        { Publish-GitIntegration @p -ErrorAction Stop } | Should -Throw -ErrorId "$Id,GitIntegration.PublishGitIntegrationCommand"
    }

    It 'stops with JiraGitAppNotFound when Jira has no Git Integration app' {
        Set-LoopbackJira $jira.Url @{ appMissing = $true }
        try {
            $e = { Publish-GitIntegration @J -ErrorAction Stop } | Should -Throw -ErrorId 'JiraGitAppNotFound,GitIntegration.PublishGitIntegrationCommand' -PassThru
            $e.Exception.Message | Should -BeLike '*not installed*Manage apps*'
        }
        finally { Set-LoopbackJira $jira.Url @{} }
    }

    It 'publishes with an administrator''s personal access token' {
        $t = @{ JiraUrl = $jira.Url; Token = (Secure 'NjQ4OTk0MTQ3NzY1OpJiraStandInAdminPat'); SkipCertificateCheck = $true }
        (Publish-GitIntegration @t).Action | Should -Not -Contain 'Failed'
    }
}
