BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'Convert-GitSshKey' {
    BeforeEach {
        Remove-Item TestDrive:/* -Recurse -Force -ErrorAction Ignore
        $script:Key = New-GitSshKey -Path TestDrive:/id_rsa -Bits 2048 -Format OpenSsh -Comment 'me@host'
    }

    It 'turns an OpenSSH-format key into OpenSSL PEM in place, keeping the key' {
        $converted = Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem
        Get-Content TestDrive:/id_rsa -TotalCount 1 | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
        $converted.FingerprintSha256 | Should -Be $Key.FingerprintSha256
        $converted.Format | Should -Be 'Pem'
        Test-OwnerOnly (Join-Path $TestDrive 'id_rsa') | Should -BeTrue
    }

    It 'names the file that failed in the error and its TargetObject, and converts the others' {
        New-GitSshKey -Path TestDrive:/second -Bits 2048 -Format OpenSsh | Out-Null
        Set-Content TestDrive:/notes.txt 'not a key'
        $notes = Join-Path $TestDrive 'notes.txt'
        $converted = Get-ChildItem TestDrive:/id_rsa, TestDrive:/notes.txt, TestDrive:/second |
            Convert-GitSshKey -Format Pem -ErrorVariable err -ErrorAction SilentlyContinue
        ($converted.Path | Sort-Object) | Should -Be @((Join-Path $TestDrive 'id_rsa'), (Join-Path $TestDrive 'second'))
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyFormatNotRecognized,GitIntegration.ConvertGitSshKeyCommand'
        $err[0].TargetObject | Should -Be $notes
        $err[0].Exception.Message | Should -BeLike "'$notes': *not an SSH key*"
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Content TestDrive:/id_rsa -Raw
        Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -WhatIf
        Get-Content TestDrive:/id_rsa -Raw | Should -Be $before
    }

    It 'writes to -Destination and leaves the original' {
        $before = Get-Content TestDrive:/id_rsa -Raw
        $converted = Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -Destination TestDrive:/jira_key
        Get-Content TestDrive:/id_rsa -Raw | Should -Be $before
        $converted.Path | Should -Be (Join-Path $TestDrive 'jira_key')
        Get-Content TestDrive:/jira_key.pub | Should -Be $Key.PublicKey
    }

    It 'does not overwrite an existing -Destination without -Force' {
        Set-Content TestDrive:/taken -Value 'precious'
        { Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -Destination TestDrive:/taken -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFileExists,GitIntegration.ConvertGitSshKeyCommand'
        Get-Content TestDrive:/taken | Should -Be 'precious'
        Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -Destination TestDrive:/taken -Force | Out-Null
        Get-Content TestDrive:/taken -TotalCount 1 | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
    }

    It 'adds, keeps and removes a passphrase' {
        Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -NewPassphrase (Secure 'first pass') | Out-Null
        (Get-GitSshKey -Path TestDrive:/id_rsa).IsEncrypted | Should -BeTrue
        Convert-GitSshKey -Path TestDrive:/id_rsa -Format OpenSsh -Passphrase (Secure 'first pass') | Out-Null
        Test-GitSshKey -Path TestDrive:/id_rsa -Passphrase (Secure 'first pass') -Requirement Any -Quiet | Should -BeTrue
        Convert-GitSshKey -Path TestDrive:/id_rsa -Passphrase (Secure 'first pass') -RemovePassphrase | Out-Null
        (Get-GitSshKey -Path TestDrive:/id_rsa).IsEncrypted | Should -BeFalse
    }

    It 'needs the passphrase of an encrypted key' {
        Convert-GitSshKey -Path TestDrive:/id_rsa -NewPassphrase (Secure 'locked up') | Out-Null
        { Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -ErrorAction Stop } | Should -Throw -ErrorId 'PassphraseRequired,GitIntegration.ConvertGitSshKeyCommand'
        { Convert-GitSshKey -Path TestDrive:/id_rsa -Format Pem -Passphrase (Secure 'nope') -ErrorAction Stop } | Should -Throw -ErrorId 'WrongPassphrase,GitIntegration.ConvertGitSshKeyCommand'
    }

    It 'converts every OpenSSH key Get-GitSshKey finds' {
        New-GitSshKey -Path TestDrive:/second -Bits 2048 -Format OpenSsh | Out-Null
        Get-GitSshKey -Path $TestDrive | Where-Object Format -eq 'OpenSsh' | Convert-GitSshKey -Format Pem | Should -HaveCount 2
        (Get-GitSshKey -Path $TestDrive).Format | Should -Not -Contain 'OpenSsh'
    }

    It 'says an Ed25519 key cannot be PEM' {
        New-GitSshKey -Path TestDrive:/ed -Type Ed25519 -Format OpenSsh | Out-Null
        { Convert-GitSshKey -Path TestDrive:/ed -Format Pem -ErrorAction Stop } | Should -Throw -ErrorId 'KeyFormatNotSupported,GitIntegration.ConvertGitSshKeyCommand'
    }

    It 'says with -WhatIf that an Ed25519 key cannot be PEM, as the real run does, instead of promising it' {
        New-GitSshKey -Path TestDrive:/ed -Type Ed25519 -Format OpenSsh -Passphrase (Secure 'ed pass') | Out-Null
        $before = Get-Content TestDrive:/ed -Raw
        Convert-GitSshKey -Path TestDrive:/ed -Format Pem -WhatIf -ErrorVariable whatIf -ErrorAction SilentlyContinue
        Convert-GitSshKey -Path TestDrive:/ed -Format Pem -Passphrase (Secure 'ed pass') -ErrorVariable real `
            -ErrorAction SilentlyContinue
        $whatIf | Should -HaveCount 1
        $whatIf[0].FullyQualifiedErrorId | Should -Be 'KeyFormatNotSupported,GitIntegration.ConvertGitSshKeyCommand'
        $whatIf[0].FullyQualifiedErrorId | Should -Be $real[0].FullyQualifiedErrorId
        $whatIf[0].Exception.Message | Should -Be $real[0].Exception.Message
        $whatIf[0].Exception.Message | Should -BeLike "*$(Join-Path $TestDrive 'ed')*Ed25519*-Format OpenSsh*"
        Get-Content TestDrive:/ed -Raw | Should -Be $before
    }
}

Describe 'Convert-GitSshKey on a machine shared with other users' -Skip:$NotUnix {
    BeforeEach {
        Remove-Item TestDrive:/* -Recurse -Force -ErrorAction Ignore
        New-Item -ItemType Directory TestDrive:/shared | Out-Null
        $script:Key = Join-Path $TestDrive 'shared/id_rsa'
        New-GitSshKey -Path $Key -Bits 2048 -Passphrase (Secure 'first pass') | Out-Null
    }

    It 'writes the unencrypted key readable by its owner only from its first instant (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        $convert = "Convert-GitSshKey -Path '$Key' -Passphrase (Secure 'first pass') -RemovePassphrase | Out-Null"
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script $convert
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        $created = @($session.Created | Where-Object Path -like "$TestDrive*")
        $created | Should -Not -BeNullOrEmpty
        $created | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
        (Get-GitSshKey -Path $Key).IsEncrypted | Should -BeFalse
        Test-OwnerOnly $Key | Should -BeTrue
    }

    It 'makes a key others could read owner-only when it removes its passphrase, and says so' {
        chmod 644 $Key
        Invoke-AsAttacker 'test -r "$1"' $Key | Should -BeTrue -Because 'the key is readable by others before'

        $converted = Convert-GitSshKey -Path $Key -Passphrase (Secure 'first pass') -RemovePassphrase `
            -WarningVariable warned -WarningAction SilentlyContinue

        $converted.IsEncrypted | Should -BeFalse
        Test-OwnerOnly $Key | Should -BeTrue
        Invoke-AsAttacker 'cat "$1"' $Key | Should -BeFalse
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -Match ([regex]::Escape("'$Key' (permissions 644)"))
    }

    It 'says nothing when the key was owner-only already' {
        Convert-GitSshKey $Key -Passphrase (Secure 'first pass') -RemovePassphrase -WarningVariable warned | Out-Null
        $warned | Should -BeNullOrEmpty
        Test-OwnerOnly $Key | Should -BeTrue
    }
}
