BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . $PSScriptRoot/LoopbackSshd.ps1
    . $PSScriptRoot/LoopbackHost.ps1
    # The git host: the stand-in playing GitHub, which writes the deploy keys it holds into the authorized_keys of a
    # loopback sshd (Linux as root; user 'git' from tests/run-all.sh), so a key it holds is a key sshd lets in.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:root = (Resolve-Path TestDrive:/).ProviderPath
    $server = Start-LoopbackSshd $root
    $script:sshd = $server.Process
    $script:port = $server.Port
    # GitHub names a repository OWNER/NAME, and sshd reads a clone URL's path as a path on its disk: the
    # repositories live at /OWNER/NAME.git.
    $script:owner = 'gi-rotate-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script:names = 'app', 'api', 'web'
    New-Item -ItemType Directory "/$owner" | Out-Null
    foreach ($name in $names) {
        New-LoopbackRepository $root $name
        Move-Item "$root/repos/$name.git" "/$owner/$name.git"
    }
    $script:gh = Start-LoopbackHost -Root "$root/host" -AuthorizedKeys "$root/keys/git" `
        -Repository ($names | ForEach-Object { "$owner/$_" })
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    $script:rotation = @{ HostType = 'GitHub'; ApiUrl = $gh.ApiUrl; Token = (Secure $LoopbackHostToken) }

    function script:Url([string] $Name) { "ssh://git@127.0.0.1:$port/$owner/$Name.git" }
    function script:KeyOf([string] $Name) { (Get-GitIntegration -Name $Name).PrivateKeyPath }

    # The admin's setup, months ago: a key per repository (GitHub takes a deploy key for one repository only),
    # published as a read-only deploy key, then the repository connected with it.
    foreach ($name in $names) {
        New-GitSshKey -Path "$root/ssh/$name" -Bits 2048 -Comment "$name@jira" | Out-Null
        Publish-GitSshKey -Url (Url $name) -Path "$root/ssh/$name" @rotation |
            Connect-GitRepository -KeyPath "$root/ssh/$name" -AcceptNewHostKey -ErrorAction Stop | Out-Null
    }
}
AfterAll {
    if ($gh) { Stop-Process -Id $gh.Process.Id -Force }
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    if ($owner -and (Test-Path "/$owner")) { Remove-Item -Recurse -Force "/$owner" }
    $env:GITINTEGRATION_STORE = $StoreBefore
}

Describe 'Update-GitIntegrationKey' {
    It 'changes nothing with -WhatIf: no key file, no request to the host, no change in the store' {
        $store = Get-Content -Raw $env:GITINTEGRATION_STORE
        $files = @(Get-ChildItem "$root/ssh" -Name)
        $requests = @(Get-LoopbackHostRequest $gh).Count
        $authorized = Get-Content -Raw "$root/keys/git"

        $r = Get-GitIntegration | Update-GitIntegrationKey @rotation -WhatIf

        $r | Should -BeNullOrEmpty
        Get-Content -Raw $env:GITINTEGRATION_STORE | Should -BeExactly $store
        @(Get-ChildItem "$root/ssh" -Name) | Should -Be $files
        @(Get-LoopbackHostRequest $gh).Count | Should -Be $requests
        Get-Content -Raw "$root/keys/git" | Should -BeExactly $authorized
    }

    It 'moves every integration to a new key: Test-GitIntegration passes, and sshd refuses the old keys' {
        $old = @{}
        foreach ($name in $names) {
            $old[$name] = KeyOf $name
            Test-LoopbackLogin $root $port $old[$name] (Url $name) | Should -BeTrue
        }

        $r = @(Get-GitIntegration | Update-GitIntegrationKey @rotation -ThrottleLimit 8)

        $r.Name | Sort-Object | Should -Be ($names | Sort-Object) -Because 'each one is written once it is done'
        $r.Step | Should -Be 'Completed', 'Completed', 'Completed'
        foreach ($name in $names) {
            $new = KeyOf $name
            $new | Should -Be "$($old[$name]).new"
            ($r | Where-Object Name -eq $name).NewKeyPath | Should -Be $new
            Test-OwnerOnly $new | Should -BeTrue
            $key = Get-GitSshKey -Path $new
            "$($key.Algorithm) $($key.Bits) $($key.Format)" | Should -Be 'Rsa 4096 Pem'
            (Test-GitIntegration -Name $name).Success | Should -BeTrue
            Test-LoopbackLogin $root $port $new (Url $name) | Should -BeTrue
            Test-LoopbackLogin $root $port $old[$name] (Url $name) | Should -BeFalse `
                -Because 'the old key is off the host'
        }
    }

    It ('leaves a repository whose key cannot be published on its old key while the others move; ' +
        'the same command again finishes it') {
        $old = @{}
        foreach ($name in $names) { $old[$name] = KeyOf $name }
        Set-LoopbackHost $gh @{ rateLimited = @("$owner/api") }

        $r = @(Update-GitIntegrationKey -Name * @rotation -ErrorVariable failed -ErrorAction SilentlyContinue)

        $api = $r | Where-Object Name -eq 'api'
        $api.Step | Should -Be 'Generated'
        $api.Reason | Should -Be 'KeyHostRateLimited'
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be 'KeyHostRateLimited,GitIntegration.UpdateGitIntegrationKeyCommand'
        $failed[0].TargetObject | Should -Be 'api'
        $failed[0].Exception.Message | Should -BeLike "*'api'*stays on its old key*"
        KeyOf 'api' | Should -Be $old['api']
        (Test-GitIntegration -Name api).Success | Should -BeTrue -Because 'it still works with its old key'
        foreach ($name in 'app', 'web') {
            ($r | Where-Object Name -eq $name).Step | Should -Be 'Completed'
            KeyOf $name | Should -Be "$($old[$name]).new"
        }

        Set-LoopbackHost $gh @{}
        $again = @(Update-GitIntegrationKey -Name * @rotation)

        $again.Step | Should -Be 'Completed', 'Completed', 'Completed'
        ($again | Where-Object Name -eq 'api').NewKeyPath | Should -Be $api.NewKeyPath `
            -Because 'it goes on with the key it made'
        Test-Path "$($old['api']).new2" | Should -BeFalse -Because 'no third key is made'
        KeyOf 'api' | Should -Be $api.NewKeyPath
        KeyOf 'app' | Should -Be "$($old['app']).new" -Because 'what the first run finished is left as it is'
        (Test-GitIntegration -Name api).Success | Should -BeTrue
        Test-LoopbackLogin $root $port $old['api'] (Url 'api') | Should -BeFalse
    }

    It 'names an integration that has no SSH key to rotate' {
        $store = "$root/mixed/integrations.yaml"
        [pscustomobject]@{ name = 'over-https'; origin = 'https://git.example.com/acme/site.git' } |
            Import-GitIntegration -StorePath $store | Out-Null

        $r = Update-GitIntegrationKey -Name over-https -StorePath $store @rotation -ErrorVariable failed `
            -ErrorAction SilentlyContinue

        $r.Step | Should -Be 'NotStarted'
        $failed[0].FullyQualifiedErrorId | Should -Be 'RotationNoSshKey,GitIntegration.UpdateGitIntegrationKeyCommand'
        $failed[0].Exception.Message | Should -BeLike "*'over-https'*Set-GitIntegration -Token*"
    }
}
