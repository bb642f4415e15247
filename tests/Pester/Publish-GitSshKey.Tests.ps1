# An admin's session: the integration's key is published to the repositories where they live (the stand-in host playing
# GitHub Enterprise Server, which writes what it accepts into the loopback sshd's authorized_keys), then each
# repository is connected with that key over real SSH. Linux, as root, with the system user 'git' (tests/run-all.sh).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackSshd.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackHost.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackGitHub.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath.TrimEnd('/')
    $server = Start-LoopbackSshd "$root/sshd"
    $script:sshd = $server.Process
    $script:port = $server.Port
    # The repositories as GitHub names them, OWNER/NAME: sshd serves /<owner>/<name>.git, so the owner is a folder at
    # the root of the file system (a link to the test's repositories, unique to this run).
    $script:owner = 'gi-pub-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    foreach ($name in 'app', 'api', 'web', 'busy') { New-LoopbackRepository "$root/sshd" $name }
    New-Item -ItemType SymbolicLink -Path "/$owner" -Target "$root/sshd/repos" | Out-Null
    $script:gh = Start-LoopbackHost "$root/host" -Mode github-enterprise -AuthorizedKeys "$root/sshd/keys/git" `
        -Repository "$owner/app", "$owner/api", "$owner/web", "$owner/busy" `
        -Token 'ghs_loopbackInstallationToken42420'
    $script:t = Secure $LoopbackHostToken

    # The module's own known_hosts trusts the loopback sshd, as after a first connection.
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    New-Item -ItemType Directory -Force "$root/store" | Out-Null
    $hostKey = (Get-Content "$root/sshd/hostkey.pub") -split ' '
    "[127.0.0.1]:$port $($hostKey[0]) $($hostKey[1])" | Set-Content "$root/store/known_hosts"

    New-GitSshKey -Path "$root/jira_git" -Bits 2048 | Out-Null
    function script:Url([string] $Name) { "ssh://git@127.0.0.1:$port/$owner/$Name.git" }
    # A CSV as an admin keeps it for repositories on a self-managed server: URL, kind of host, API address.
    function script:Row([string] $Name) {
        [pscustomobject]@{ Url = (Url $Name); HostType = 'GitHubEnterprise'; ApiUrl = $gh.ApiUrl }
    }
    function script:Posts { @(Get-LoopbackHostRequest $gh | Where-Object { $_ -like 'POST *' }) }
}
AfterAll {
    if ($gh) { Stop-Process -Id $gh.Process.Id -Force }
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    if ($owner -and (Test-Path "/$owner")) { Remove-Item "/$owner" -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Publish-GitSshKey' {
    It 'sends nothing with -WhatIf' {
        Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t -WhatIf | Should -BeNullOrEmpty
        Get-LoopbackHostRequest $gh | Should -BeNullOrEmpty
        Get-Content "$root/sshd/keys/git" -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'publishes the key as a read-only deploy key, after which Connect-GitRepository logs in over SSH' {
        Connect-GitRepository -Url (Url app) -KeyPath "$root/jira_git" -ErrorVariable before `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $before[0].FullyQualifiedErrorId | Should -BeLike 'PermissionDenied,*'

        $r = Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t
        $r.Status | Should -Be 'Added'
        $r.Host | Should -Be 'GitHubEnterprise'
        $r.TargetKind | Should -Be 'Repository'
        $r.ReadOnly | Should -BeTrue
        $r.Fingerprint | Should -Be (((& ssh-keygen -l -E sha256 -f "$root/jira_git.pub") -split ' ')[1])
        $r.Title | Should -Be "app (key for the Jira git integration, $((Get-Date).ToString('yyyy-MM-dd')))"
        $r.KeyId | Should -Be (Get-LoopbackHostKey $gh).id

        $i = $r | Connect-GitRepository -KeyPath "$root/jira_git"
        $i.Status | Should -Be 'Connected'
        $i.Name | Should -Be 'app'
    }

    It 'reports AlreadyPresent the second time, and the host sees no second POST' {
        $posts = (Posts).Count
        $r = Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t
        $r.Status | Should -Be 'AlreadyPresent'
        (Posts).Count | Should -Be $posts
        @(Get-Content "$root/sshd/keys/git").Count | Should -Be 1
    }

    It 'runs the pipeline of the issue as written: CSV rows to published keys to verified integrations' {
        # One key per repository on GitHub: a key of its own for this batch.
        New-GitSshKey -Path "$root/batch_git" -Bits 2048 | Out-Null
        Push-Location $root
        try {
            Row web | Export-Csv repos.csv -NoTypeInformation
            $t = Secure $LoopbackHostToken
            $connected = Import-Csv repos.csv | Publish-GitSshKey -Path "$root/batch_git" -Token $t |
                Connect-GitRepository -KeyPath "$root/batch_git"
        }
        finally { Pop-Location }
        $connected.Name | Should -Be 'web'
        $connected.Status | Should -Be 'Connected'
        (Get-GitIntegration -Name web).PrivateKeyPath | Should -Be "$root/batch_git"
    }

    It 'publishes to many repositories in parallel, with one result or one error each' {
        New-GitSshKey -Path "$root/many_git" -Bits 2048 | Out-Null
        $rows = (Row api), (Row nowhere)
        $ok = $rows | Publish-GitSshKey -Path "$root/many_git" -Token $t -ThrottleLimit 2 -ErrorVariable err `
            -ErrorAction SilentlyContinue
        $ok.Url | Should -Be (Url api)
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostRepositoryNotFound,GitIntegration.PublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err[0].TargetObject | Should -Be (Url nowhere)
        $err[0].Exception.Message | Should -Match "$owner/nowhere"
    }

    It 'names the permission a token lacks' {
        $limited = Secure $LoopbackHostLimitedToken
        Row api | Publish-GitSshKey -Path "$root/jira_git" -Token $limited -ErrorVariable err `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $err[0].Exception.Message | Should -Match "$owner/api"
        $err[0].Exception.Message | Should -Match 'administration=write'
        $err[0].Exception.Message | Should -Not -Match $LoopbackHostLimitedToken
    }

    It 'refuses a deploy key another repository uses, with a New-GitSshKey remedy that runs when pasted' {
        Row api | Publish-GitSshKey -Path "$root/jira_git" -Token $t -ErrorVariable err `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyAlreadyInUse,GitIntegration.PublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $message = $err[0].Exception.Message
        $message | Should -Match "$owner/api"
        $message | Should -Match 'one key per repository'
        $remedy = [regex]::Match($message, "New-GitSshKey -Path '[^']+'").Value
        $remedy | Should -Be "New-GitSshKey -Path '$root/jira_git_api'"
        Assert-RemedyParameters $remedy
        Invoke-Expression $remedy | Out-Null
        Test-Path "$root/jira_git_api" | Should -BeTrue
        (Row api | Publish-GitSshKey -Path "$root/jira_git_api" -Token $t).Status | Should -Be 'Added'
    }

    It 'says when the rate limit is used up, naming the repository' {
        Set-LoopbackHost $gh @{ rateLimited = @("$owner/busy") }
        try {
            Row busy | Publish-GitSshKey -Path "$root/jira_git" -Token $t -ErrorVariable err `
                -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { Set-LoopbackHost $gh @{} }
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostRateLimited,GitIntegration.PublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err[0].TargetObject | Should -Be (Url busy)
        $err[0].Exception.Message | Should -Match ([regex]::Escape((Url busy)))
    }

    It 'never puts the token in what the host logs as the request, nor in the output' {
        $all = (Get-LoopbackHostRequest $gh) -join "`n"
        $all | Should -Not -Match $LoopbackHostToken
        $out = Row app | Publish-GitSshKey -Path "$root/jira_git" -Token $t -Verbose 4>&1 | Out-String
        $out | Should -Not -Match $LoopbackHostToken
    }

    It 'takes the URL, name, key and stored token of an integration piped in' {
        New-GitSshKey -Path "$root/stored_git" -Bits 2048 | Out-Null
        [pscustomobject]@{ name = 'stored'; origin = (Url api); privateKeyPath = "$root/stored_git"
            token = $LoopbackHostToken } | Import-GitIntegration -ErrorAction Stop | Out-Null
        $r = Get-GitIntegration -Name stored |
            Publish-GitSshKey -HostType GitHubEnterprise -ApiUrl $gh.ApiUrl -ErrorAction Stop
        $r.Status | Should -Be 'Added'
        $r.Name | Should -Be 'stored'
        $r.Url | Should -Be (Url api)
        $r.Title | Should -BeLike 'stored (key for the Jira git integration, *)'
        $r.Fingerprint | Should -Be (((& ssh-keygen -l -E sha256 -f "$root/stored_git.pub") -split ' ')[1])
    }

    It 'publishes to github.com from its URL alone (a stand-in put in its place)' {
        $com = Start-LoopbackHost "$root/com" -Mode github -Repository 'acme/app'
        Use-LoopbackHostAsGitHubCom $com
        try { $r = Publish-GitSshKey -Url git@github.com:acme/app.git -Path "$root/jira_git" -Token $t -UserKey }
        finally {
            Use-LoopbackHostAsGitHubCom $null
            Stop-Process -Id $com.Process.Id -Force
        }
        $r.Host | Should -Be 'GitHub'
        $r.TargetKind | Should -Be 'User'
        $r.Status | Should -Be 'Added'
        $r.ReadOnly | Should -BeFalse
    }

    It 'publishes with a GitHub App integration once the app may administer repositories, and says so before' {
        # The app on its GitHub (LoopbackGitHub.ps1), whose installation token the keys API accepts.
        $app = Start-LoopbackGitHub "$root/github"
        try {
            Install-GitHubApp -Organization acme -HostUrl $app.Url -AppId 4242 -PrivateKeyPath "$root/github/app.pem" `
                -Name acme-app -ErrorAction Stop | Out-Null
            New-GitSshKey -Path "$root/app_git" -Bits 2048 | Out-Null
            $publish = @{ Url = (Url busy); Path = "$root/app_git"; GitHubApp = 'acme-app'
                HostType = 'GitHubEnterprise'; ApiUrl = $gh.ApiUrl }

            '{ "contents": "read", "metadata": "read" }' | Set-Content "$root/github/permissions.json"
            $sent = @(Get-LoopbackHostRequest $gh).Count
            { Publish-GitSshKey @publish -ErrorAction Stop } |
                Should -Throw -ErrorId 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
            $err = $Error[0]
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -Match 'administration permission \(read and write\)'
            $err.Exception.Message | Should -Match 'acme-app'
            @(Get-LoopbackHostRequest $gh).Count | Should -Be $sent -Because 'nothing is sent to the keys API'

            '{ "administration": "write", "metadata": "read" }' | Set-Content "$root/github/permissions.json"
            $r = Publish-GitSshKey @publish
            $r.Status | Should -Be 'Added'
            Get-Content $app.Requests | Should -Contain 'POST /api/v3/app/installations/42420/access_tokens'
        }
        finally { Stop-Process -Id $app.Process.Id -Force }
    }
}
