BeforeDiscovery {
    # -Skip: is decided at discovery, before BeforeAll runs. Under CI=true the peer must be there: the test runs (and fails) without it.
    $NoSshKeygen = -not (Get-Command ssh-keygen -ErrorAction Ignore) -and $env:CI -ne 'true'
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'New-GitSshKey' {
    It 'creates what the integration demands by default: RSA 4096 in OpenSSL PEM, and its .pub' {
        $key = New-GitSshKey -Path TestDrive:/jira_git -Comment 'jira@example.com'
        $key.Algorithm | Should -Be 'Rsa'
        $key.Bits | Should -Be 4096
        $key.Format | Should -Be 'Pem'
        $key.IsEncrypted | Should -BeFalse
        $key.Path | Should -Be (Join-Path $TestDrive 'jira_git')
        Get-Content TestDrive:/jira_git -TotalCount 1 | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
        Get-Content TestDrive:/jira_git.pub | Should -Be $key.PublicKey
        $key.PublicKey | Should -Match '^ssh-rsa AAAA\S+ jira@example\.com$'
    }

    It 'writes the private key readable by its owner only' {
        New-GitSshKey -Path TestDrive:/owner_only -Type Ed25519 -Format OpenSsh | Out-Null
        Test-OwnerOnly (Join-Path $TestDrive 'owner_only') | Should -BeTrue
    }

    It 'refuses to overwrite an existing key without -Force, leaving it untouched' {
        New-GitSshKey -Path TestDrive:/existing -Type Ed25519 -Format OpenSsh | Out-Null
        $before = Get-Content TestDrive:/existing -Raw
        { New-GitSshKey -Path TestDrive:/existing -Type Ed25519 -Format OpenSsh -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFileExists,GitIntegration.NewGitSshKeyCommand'
        Get-Content TestDrive:/existing -Raw | Should -Be $before
    }

    It 'reports the refusal as a non-terminating ResourceExists error' {
        New-GitSshKey -Path TestDrive:/twice -Type Ed25519 -Format OpenSsh | Out-Null
        $result = New-GitSshKey -Path TestDrive:/twice -Type Ed25519 -Format OpenSsh -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeNullOrEmpty
        $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $err[0].Exception.Message | Should -Match '-Force'
    }

    It 'replaces the key with -Force' {
        $first = New-GitSshKey -Path TestDrive:/replace -Type Ed25519 -Format OpenSsh
        $second = New-GitSshKey -Path TestDrive:/replace -Type Ed25519 -Format OpenSsh -Force
        $second.FingerprintSha256 | Should -Not -Be $first.FingerprintSha256
        (Get-GitSshKey -LiteralPath (Join-Path $TestDrive 'replace')).FingerprintSha256 | Should -Be $second.FingerprintSha256
    }

    It 'writes nothing with -WhatIf' {
        New-GitSshKey -Path TestDrive:/whatif -WhatIf
        Test-Path TestDrive:/whatif | Should -BeFalse
        Test-Path TestDrive:/whatif.pub | Should -BeFalse
    }

    It 'encrypts with -Passphrase (AES-128-CBC PEM, like ssh-keygen)' {
        $key = New-GitSshKey -Path TestDrive:/secret -Bits 2048 -Passphrase (Secure 'pass phrase 1')
        $key.IsEncrypted | Should -BeTrue
        Get-Content TestDrive:/secret -Raw | Should -Match 'DEK-Info: AES-128-CBC,'
        Get-Content TestDrive:/secret -Raw | Should -Not -Match 'pass phrase 1'
    }

    It 'says Ed25519 has no PEM form instead of writing something else' {
        { New-GitSshKey -Path TestDrive:/ed -Type Ed25519 -ErrorAction Stop } | Should -Throw -ErrorId 'KeyFormatNotSupported,GitIntegration.NewGitSshKeyCommand'
        Test-Path TestDrive:/ed | Should -BeFalse
    }

    It 'refuses sizes SSH does not accept' {
        { New-GitSshKey -Path TestDrive:/small -Bits 1024 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidKeyParameters,GitIntegration.NewGitSshKeyCommand'
    }

    It 'makes ECDSA keys on each curve' -TestCases @(@{ Bits = 256 }, @{ Bits = 384 }, @{ Bits = 521 }) {
        $key = New-GitSshKey -Path "TestDrive:/ec$Bits" -Type Ecdsa -Bits $Bits
        $key.Curve | Should -Be "nistp$Bits"
        Get-Content "TestDrive:/ec$Bits" -TotalCount 1 | Should -Be '-----BEGIN EC PRIVATE KEY-----'
    }

    It 'writes keys ssh-keygen reads to the same public key' -Skip:$NoSshKeygen {
        $key = New-GitSshKey -Path TestDrive:/interop -Bits 2048 -Passphrase (Secure 'interop pass')
        $publicKey = & ssh-keygen -y -P 'interop pass' -f (Join-Path $TestDrive 'interop')
        $LASTEXITCODE | Should -Be 0
        $key.PublicKey | Should -BeLike "$publicKey*"
    }
}

Describe 'New-GitSshKey on a machine shared with other users' -Skip:$NotUnix {
    It 'writes the key owner-only from its first instant, a .pub no one else can change (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        $dir = Join-Path $TestDrive "keys-$Umask"
        $new = "New-GitSshKey -Path '$dir/jira_git' -Bits 2048 | Out-Null"
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script $new
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        $created = $session.Created | Where-Object Path -like "$dir*"
        $created | Where-Object Call -like 'mkdir*' | Select-Object -ExpandProperty Mode -Unique | Should -Be '700'
        $private = @($created | Where-Object { $_.Call -notlike 'mkdir*' -and $_.Path -notmatch '\.pub' })
        $private | Should -Not -BeNullOrEmpty
        # Created 0644 and narrowed afterwards, the key could be opened by another user in between, and read later.
        $private | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
        $created | Where-Object Path -match '\.pub' | Select-Object -ExpandProperty Mode -Unique | Should -Be '644'
        Invoke-AsAttacker 'cat "$1"' "$dir/jira_git" | Should -BeFalse
        Invoke-AsAttacker 'echo "ssh-rsa EVIL" > "$1"' "$dir/jira_git.pub" | Should -BeFalse
    }
}
