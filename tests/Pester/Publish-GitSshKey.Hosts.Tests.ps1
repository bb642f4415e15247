# An admin's session with the git hosts other than GitHub: the integration's key is published where the repositories
# live (the stand-in host playing GitLab, Bitbucket Data Center, Bitbucket Cloud or Gitea from their documented APIs,
# writing what it accepts into the loopback sshd's authorized_keys), then connected over real SSH; and each host's
# refusals arrive as errors with their ids. Azure DevOps has no key API: the error names the page to use.
# Linux, as root, with the system user 'git' (tests/run-all.sh).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackSshd.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackHost.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath.TrimEnd('/')
    $server = Start-LoopbackSshd "$root/sshd"
    $script:sshd = $server.Process
    $script:port = $server.Port
    # sshd serves /<group>/<name>.git: the group is a folder at the root of the file system (a link to this run's
    # repositories), which is also the GitLab group, the Bitbucket project key and the Gitea owner.
    $script:group = 'gi-hosts-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    foreach ($name in 'app', 'api', 'tools', 'web', 'docs') { New-LoopbackRepository "$root/sshd" $name }
    New-Item -ItemType SymbolicLink -Path "/$group" -Target "$root/sshd/repos" | Out-Null
    $repos = 'app', 'api', 'tools', 'web', 'docs' | ForEach-Object { "$group/$_" }
    $keys = "$root/sshd/keys/git"
    $script:gitlab = Start-LoopbackHost "$root/gitlab" -Mode gitlab -AuthorizedKeys $keys -Repository $repos
    $script:bbdc = Start-LoopbackHost "$root/bbdc" -Mode bitbucket-dc -AuthorizedKeys $keys -Repository $repos
    $script:bbcloud = Start-LoopbackHost "$root/bbcloud" -Mode bitbucket-cloud -AuthorizedKeys $keys -Repository $repos
    $script:gitea = Start-LoopbackHost "$root/gitea" -Mode gitea -AuthorizedKeys $keys -Repository $repos
    $script:t = Secure $LoopbackHostToken
    $script:limited = Secure $LoopbackHostLimitedToken

    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    New-Item -ItemType Directory -Force "$root/store" | Out-Null
    $hostKey = (Get-Content "$root/sshd/hostkey.pub") -split ' '
    "[127.0.0.1]:$port $($hostKey[0]) $($hostKey[1])" | Set-Content "$root/store/known_hosts"

    function script:Url([string] $Name) { "ssh://git@127.0.0.1:$port/$group/$Name.git" }
    # A CSV row as an admin keeps it for a self-managed server: URL, kind of host, API address.
    function script:Row([string] $Name, [string] $HostType, $Stand) {
        [pscustomobject]@{ Url = (Url $Name); HostType = $HostType; ApiUrl = $Stand.ApiUrl }
    }
    function script:NewKey([string] $Name) {
        New-GitSshKey -Path "$root/$Name" -Bits 2048 | Out-Null
        "$root/$Name"
    }
    # Publishes expecting one error, and returns it.
    function script:PublishError($Row, [string] $Path, $Token, [switch] $AllowWrite, [switch] $UserKey) {
        $extra = @{}
        if ($AllowWrite) { $extra.AllowWrite = $true }
        if ($UserKey) { $extra.UserKey = $true }
        $out = $Row | Publish-GitSshKey -Path $Path -Token $Token @extra -ErrorVariable err `
            -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0]
    }
}
AfterAll {
    foreach ($s in $gitlab, $bbdc, $bbcloud, $gitea) { if ($s) { Stop-Process -Id $s.Process.Id -Force } }
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    if ($group -and (Test-Path "/$group")) { Remove-Item "/$group" -Force }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Publish-GitSshKey to GitLab' {
    It 'adds a read-only deploy key to the project, after which Connect-GitRepository logs in; Unpublish undoes it' {
        $key = NewKey gitlab_git
        $r = Row app GitLab $gitlab | Publish-GitSshKey -Path $key -Token $t
        $r.Status | Should -Be 'Added'
        $r.Host | Should -Be 'GitLab'
        $r.ReadOnly | Should -BeTrue
        $r.KeyId | Should -Be (Get-LoopbackHostKey $gitlab).id
        Get-LoopbackHostRequest $gitlab | Where-Object { $_ -like 'POST *' } |
            Should -BeLike "POST /api/v4/projects/$group%2Fapp/deploy_keys *"

        ($r | Connect-GitRepository -KeyPath $key).Status | Should -Be 'Connected'
        (Row app GitLab $gitlab | Publish-GitSshKey -Path $key -Token $t).Status | Should -Be 'AlreadyPresent'

        (Row app GitLab $gitlab | Unpublish-GitSshKey -Path $key -Token $t -Confirm:$false).Status |
            Should -Be 'Removed'
        Get-LoopbackHostKey $gitlab | Should -BeNullOrEmpty
        $line = ((Get-Content "$key.pub") -split ' ')[0..1] -join ' '
        Get-Content "$root/sshd/keys/git" | Should -Not -Contain $line
    }

    It 'names the api scope a token lacks' {
        $e = PublishError (Row api GitLab $gitlab) (NewKey gitlab_scope) $limited
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
        $e.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $e.TargetObject | Should -Be (Url api)
        $e.Exception.Message | Should -Match "'api' scope"
        $e.Exception.Message | Should -Not -Match $LoopbackHostLimitedToken
    }

    It 'says a project that is not there, or not visible, is not found' {
        $e = PublishError (Row nowhere GitLab $gitlab) (NewKey gitlab_nowhere) $t
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostRepositoryNotFound,GitIntegration.PublishGitSshKeyCommand'
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception.Message | Should -Match "$group/nowhere"
    }

    It 'refuses to make a user key a deploy key too, with a New-GitSshKey remedy' {
        $key = NewKey gitlab_user
        (Row web GitLab $gitlab | Publish-GitSshKey -Path $key -Token $t -UserKey).Status | Should -Be 'Added'
        $e = PublishError (Row web GitLab $gitlab) $key $t
        $e.FullyQualifiedErrorId | Should -Be 'KeyAlreadyInUse,GitIntegration.PublishGitSshKeyCommand'
        $e.CategoryInfo.Category | Should -Be 'ResourceExists'
        $e.Exception.Message | Should -Match 'has already been taken'
        $e.Exception.Message | Should -Match "New-GitSshKey -Path '$root/gitlab_user_web'"
    }

    It 'says when the rate limit is used up' {
        Set-LoopbackHost $gitlab @{ rateLimited = @("$group/tools") }
        try { $e = PublishError (Row tools GitLab $gitlab) (NewKey gitlab_busy) $t }
        finally { Set-LoopbackHost $gitlab @{} }
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostRateLimited,GitIntegration.PublishGitSshKeyCommand'
        $e.CategoryInfo.Category | Should -Be 'LimitsExceeded'
    }
}

Describe 'Publish-GitSshKey to Bitbucket Data Center' {
    It 'adds a REPO_READ access key, after which Connect-GitRepository logs in' {
        $key = NewKey bbdc_git
        $r = Row tools BitbucketDataCenter $bbdc | Publish-GitSshKey -Path $key -Token $t
        $r.Status | Should -Be 'Added'
        $r.Host | Should -Be 'BitbucketDataCenter'
        $r.ReadOnly | Should -BeTrue
        Get-LoopbackHostRequest $bbdc | Where-Object { $_ -like 'POST *' } |
            Should -BeLike "POST /rest/keys/1.0/projects/$group/repos/tools/ssh *`"permission`":`"REPO_READ`"*"
        ($r | Connect-GitRepository -KeyPath $key).Status | Should -Be 'Connected'
    }

    It 'adds REPO_WRITE with -AllowWrite' {
        $r = Row web BitbucketDataCenter $bbdc | Publish-GitSshKey -Path (NewKey bbdc_push) -Token $t -AllowWrite
        $r.ReadOnly | Should -BeFalse
        (Get-LoopbackHostKey $bbdc | Where-Object { $_.target -eq "repo:$group/web" }).readOnly | Should -BeFalse
    }

    It 'adds a PROJECT_READ access key to the project with -ProjectKey, which connects its repositories' {
        $key = NewKey bbdc_project
        $r = Row docs BitbucketDataCenter $bbdc | Publish-GitSshKey -Path $key -Token $t -ProjectKey
        $r.Status | Should -Be 'Added'
        $r.TargetKind | Should -Be 'Project'
        (Get-LoopbackHostKey $bbdc | Where-Object { $_.target -eq "project:$group" }).readOnly | Should -BeTrue
        Get-LoopbackHostRequest $bbdc | Where-Object { $_ -like 'POST *' } | Select-Object -Last 1 |
            Should -BeLike "POST /rest/keys/1.0/projects/$group/ssh *`"permission`":`"PROJECT_READ`"*"
        (Connect-GitRepository -Url (Url web) -Name bbdc-web -KeyPath $key).Status | Should -Be 'Connected'
        (Row docs BitbucketDataCenter $bbdc | Unpublish-GitSshKey -Path $key -Token $t -ProjectKey -Force).Status |
            Should -Be 'Removed'
    }

    It 'names the permission a token lacks, though Data Center answers 401' {
        $e = PublishError (Row api BitbucketDataCenter $bbdc) (NewKey bbdc_scope) $limited
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
        $e.Exception.Message | Should -Match 'Repository admin'
    }

    It 'says which key type the server refuses' {
        Set-LoopbackHost $bbdc @{ refusedKeyTypes = @('ssh-rsa') }
        try { $e = PublishError (Row api BitbucketDataCenter $bbdc) (NewKey bbdc_rsa) $t }
        finally { Set-LoopbackHost $bbdc @{} }
        $e.FullyQualifiedErrorId | Should -Be 'KeyTypeRefusedByHost,GitIntegration.PublishGitSshKeyCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'says when the rate limit is used up' {
        Set-LoopbackHost $bbdc @{ rateLimited = @("$group/api") }
        try { $e = PublishError (Row api BitbucketDataCenter $bbdc) (NewKey bbdc_busy) $t }
        finally { Set-LoopbackHost $bbdc @{} }
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostRateLimited,GitIntegration.PublishGitSshKeyCommand'
    }
}

Describe 'Publish-GitSshKey to Bitbucket Cloud' {
    It 'adds a read-only access key, after which Connect-GitRepository logs in' {
        $key = NewKey bbcloud_git
        $r = Row api BitbucketCloud $bbcloud | Publish-GitSshKey -Path $key -Token $t
        $r.Status | Should -Be 'Added'
        ($r | Connect-GitRepository -KeyPath $key).Status | Should -Be 'Connected'
    }

    It 'refuses -AllowWrite: Bitbucket Cloud access keys are read-only' {
        $e = PublishError (Row app BitbucketCloud $bbcloud) (NewKey bbcloud_push) $t -AllowWrite
        $e.FullyQualifiedErrorId | Should -Be 'KeyTargetNotSupported,GitIntegration.PublishGitSshKeyCommand'
        $e.Exception.Message | Should -Match 'read-only'
    }

    It 'names the repository:admin scope a token lacks' {
        $e = PublishError (Row app BitbucketCloud $bbcloud) (NewKey bbcloud_scope) $limited
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
        $e.Exception.Message | Should -Match 'repository:admin'
    }

    It 'says a repository that is not there is not found' {
        $e = PublishError (Row nowhere BitbucketCloud $bbcloud) (NewKey bbcloud_nowhere) $t
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostRepositoryNotFound,GitIntegration.PublishGitSshKeyCommand'
    }
}

Describe 'Publish-GitSshKey to Gitea' {
    It 'adds a read-only deploy key, after which Connect-GitRepository logs in' {
        $key = NewKey gitea_git
        $r = Row docs Gitea $gitea | Publish-GitSshKey -Path $key -Token $t
        $r.Status | Should -Be 'Added'
        Get-LoopbackHostRequest $gitea | Where-Object { $_ -like 'POST *' } |
            Should -BeLike "POST /api/v1/repos/$group/docs/keys *`"read_only`":true*"
        ($r | Connect-GitRepository -KeyPath $key).Status | Should -Be 'Connected'
    }

    It 'names the write:repository scope a token lacks' {
        $e = PublishError (Row api Gitea $gitea) (NewKey gitea_scope) $limited
        $e.FullyQualifiedErrorId | Should -Be 'KeyHostScopeMissing,GitIntegration.PublishGitSshKeyCommand'
        $e.Exception.Message | Should -Match 'write:repository'
    }

    It 'refuses a user key as a deploy key, in the words of Gitea' {
        $key = NewKey gitea_user
        (Row web Gitea $gitea | Publish-GitSshKey -Path $key -Token $t -UserKey).Status | Should -Be 'Added'
        $e = PublishError (Row web Gitea $gitea) $key $t
        $e.FullyQualifiedErrorId | Should -Be 'KeyAlreadyInUse,GitIntegration.PublishGitSshKeyCommand'
        $e.Exception.Message | Should -Match 'used as non-deploy key'
    }
}

Describe 'Publish-GitSshKey to Azure DevOps' {
    It 'says Azure DevOps has no API for keys and names the page of the organization' {
        $key = NewKey ado_git
        'git@ssh.dev.azure.com:v3/contoso/Fabrikam/app', 'https://contoso.visualstudio.com/Fabrikam/_git/app' |
            Publish-GitSshKey -Path $key -Token $t -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err.Count | Should -Be 2
        foreach ($e in $err) {
            $e.FullyQualifiedErrorId | Should -Be 'KeyHostHasNoKeyApi,GitIntegration.PublishGitSshKeyCommand'
            $e.CategoryInfo.Category | Should -Be 'NotImplemented'
            $e.Exception.Message | Should -Match ([regex]::Escape('https://dev.azure.com/contoso/_usersSettings/keys'))
        }
    }
}

Describe 'Publish-GitSshKey -CopyToClipboard for Azure DevOps' {
    AfterEach { Remove-Item Function:\Set-Clipboard -ErrorAction SilentlyContinue }

    It 'puts the public key on the clipboard only when asked, and still says where to paste it' {
        $key = NewKey ado_clip
        $global:clipboard = @()
        function global:Set-Clipboard([string] $Value) { $global:clipboard += $Value }
        Publish-GitSshKey -Url 'git@ssh.dev.azure.com:v3/contoso/Fabrikam/app' -Path $key -Token $t `
            -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $global:clipboard.Count | Should -Be 0

        Publish-GitSshKey -Url 'git@ssh.dev.azure.com:v3/contoso/Fabrikam/app' -Path $key -Token $t -CopyToClipboard `
            -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warn -WarningAction SilentlyContinue |
            Should -BeNullOrEmpty
        $global:clipboard | Should -Be ((Get-Content "$key.pub") -join '')
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyHostHasNoKeyApi,GitIntegration.PublishGitSshKeyCommand'
        $warn[0].Message | Should -Match 'on the clipboard'
    }

    It 'fails clearly where Set-Clipboard cannot reach a clipboard (Linux without xclip)' {
        $key = NewKey ado_noclip
        (Get-Command Set-Clipboard).CommandType | Should -Be 'Cmdlet'
        $path = $env:PATH
        $env:PATH = "$root/empty-path"
        try {
            Publish-GitSshKey -Url 'https://dev.azure.com/contoso/Fabrikam/_git/app' -Path $key -Token $t `
                -CopyToClipboard -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally { $env:PATH = $path }
        $err.Count | Should -Be 2
        $err[0].FullyQualifiedErrorId | Should -Be 'ClipboardUnavailable,GitIntegration.PublishGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $err[0].Exception.Message | Should -Match 'xclip'
        $err[0].Exception.Message | Should -Match ([regex]::Escape("Get-GitSshKey -Path '$key'"))
        $err[1].FullyQualifiedErrorId | Should -Be 'KeyHostHasNoKeyApi,GitIntegration.PublishGitSshKeyCommand'
    }
}
