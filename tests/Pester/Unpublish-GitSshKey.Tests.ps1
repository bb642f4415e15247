# An admin's session: a key that was published (the stand-in host playing GitHub Enterprise Server, writing the
# loopback sshd's authorized_keys) is taken off again, after which sshd refuses it. Linux, as root, with the system
# user 'git' (tests/run-all.sh).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackSshd.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackHost.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath.TrimEnd('/')
    $server = Start-LoopbackSshd "$root/sshd"
    $script:sshd = $server.Process
    $script:port = $server.Port
    # sshd serves /<owner>/<name>.git: the owner is a link at the root of the file system, unique to this run.
    $script:owner = 'gi-unpub-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    foreach ($name in 'app', 'busy') { New-LoopbackRepository "$root/sshd" $name }
    New-Item -ItemType SymbolicLink -Path "/$owner" -Target "$root/sshd/repos" | Out-Null
    $script:gh = Start-LoopbackHost "$root/host" -Mode github-enterprise -AuthorizedKeys "$root/sshd/keys/git" `
        -Repository "$owner/app", "$owner/busy"
    $script:t = Secure $LoopbackHostToken
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    New-Item -ItemType Directory -Force "$root/store" | Out-Null
    $hostKey = (Get-Content "$root/sshd/hostkey.pub") -split ' '
    "[127.0.0.1]:$port $($hostKey[0]) $($hostKey[1])" | Set-Content "$root/store/known_hosts"

    New-GitSshKey -Path "$root/jira_git" -Bits 2048 | Out-Null
    function script:Url([string] $Name) { "ssh://git@127.0.0.1:$port/$owner/$Name.git" }
    function script:Row([string] $Name) {
        [pscustomobject]@{ Url = (Url $Name); HostType = 'GitHubEnterprise'; ApiUrl = $gh.ApiUrl }
    }
    function script:Deletes { @(Get-LoopbackHostRequest $gh | Where-Object { $_ -like 'DELETE *' }) }
}
AfterAll {
    if ($gh) { Stop-Process -Id $gh.Process.Id -Force }
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    if ($owner -and (Test-Path "/$owner")) { Remove-Item "/$owner" -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Unpublish-GitSshKey' {
    It 'sends no DELETE with -WhatIf, and the key keeps working' {
        (Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t).Status | Should -Be 'Added'
        (Row app | Connect-GitRepository -KeyPath "$root/jira_git").Status | Should -Be 'Connected'

        Row app | Unpublish-GitSshKey -Path "$root/jira_git" -Token $t -WhatIf | Should -BeNullOrEmpty
        Deletes | Should -BeNullOrEmpty
        @(Get-LoopbackHostKey $gh).Count | Should -Be 1
        Test-GitIntegration -Name app -Quiet | Should -BeTrue
    }

    It 'takes the key off with -Force, after which sshd refuses it' {
        $r = Row app | Unpublish-GitSshKey -Path "$root/jira_git" -Token $t -Force
        $r.Status | Should -Be 'Removed'
        $r.Url | Should -Be (Url app)
        $r.Fingerprint | Should -Be (((& ssh-keygen -l -E sha256 -f "$root/jira_git.pub") -split ' ')[1])
        (Deletes).Count | Should -Be 1
        Get-LoopbackHostKey $gh | Should -BeNullOrEmpty
        Get-Content "$root/sshd/keys/git" | Should -BeNullOrEmpty

        Connect-GitRepository -Url (Url app) -KeyPath "$root/jira_git" -ErrorVariable err `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'PermissionDenied,*'
        Test-GitIntegration -Name app -Quiet -WarningAction SilentlyContinue -ErrorAction SilentlyContinue |
            Should -BeFalse
    }

    It 'reports NotPresent when the key is not there, with -Confirm:$false, and sends no DELETE' {
        $r = Row app | Unpublish-GitSshKey -Path "$root/jira_git" -Token $t -Confirm:$false
        $r.Status | Should -Be 'NotPresent'
        (Deletes).Count | Should -Be 1
    }

    It 'finds the key by fingerprint whatever the .pub comment says, from the private key alone' {
        (Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t -Title 'set by hand').Status | Should -Be 'Added'
        New-Item -ItemType Directory "$root/alone" | Out-Null
        Copy-Item "$root/jira_git" "$root/alone/jira_git"
        $r = Row app | Unpublish-GitSshKey -Path "$root/alone/jira_git" -Token $t -Force
        $r.Status | Should -Be 'Removed'
        $r.Title | Should -Be 'set by hand'
    }

    It 'names the repository that is not there, and the permission a token lacks' {
        Row gone | Unpublish-GitSshKey -Path "$root/jira_git" -Token $t -Force -ErrorVariable err `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostRepositoryNotFound,GitIntegration.UnpublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].Exception.Message | Should -Match "$owner/gone"

        Row app | Unpublish-GitSshKey -Path "$root/jira_git" -Token (Secure $LoopbackHostLimitedToken) -Force `
            -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.UnpublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -Match 'administration=write'
    }

    It 'says when the rate limit is used up, naming the repository' {
        Set-LoopbackHost $gh @{ rateLimited = @("$owner/busy") }
        try {
            Row busy | Unpublish-GitSshKey -Path "$root/jira_git" -Token $t -Force -ErrorVariable err `
                -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { Set-LoopbackHost $gh @{} }
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostRateLimited,GitIntegration.UnpublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err[0].TargetObject | Should -Be (Url busy)
    }
}
