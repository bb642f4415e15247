BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    # -Skip: is decided at discovery, before BeforeAll runs. Under CI=true the peer must be there: the test runs (and fails) without it.
    $NoPuttygen = -not (Get-Command puttygen -ErrorAction Ignore) -and $env:CI -ne 'true'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Pass = Secure 'putty pass'
}

Describe 'ConvertTo-PuttyKey' {
    BeforeEach {
        Remove-Item TestDrive:/* -Recurse -Force -ErrorAction Ignore
        $script:Rsa = New-GitSshKey -Path TestDrive:/id_rsa -Bits 2048 -Comment 'admin@pageant'
    }

    It 'names the key that failed in the error and its TargetObject, and converts the others' {
        New-GitSshKey -Path TestDrive:/locked -Bits 2048 -Passphrase (Secure 'not this one') | Out-Null
        New-GitSshKey -Path TestDrive:/plain -Bits 2048 | Out-Null
        $locked = Join-Path $TestDrive 'locked'
        $ppks = Get-ChildItem TestDrive:/id_rsa, TestDrive:/locked, TestDrive:/plain |
            ConvertTo-PuttyKey -Version 2 -Passphrase $Pass -ErrorVariable err -ErrorAction SilentlyContinue
        ($ppks.Path | Sort-Object) | Should -Be @((Join-Path $TestDrive 'id_rsa.ppk'), (Join-Path $TestDrive 'plain.ppk'))
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WrongPassphrase,GitIntegration.ConvertToPuttyKeyCommand'
        $err[0].TargetObject | Should -Be $locked
        $err[0].Exception.Message | Should -BeLike "'$locked': *passphrase*"
    }

    It 'writes a version 3 .ppk next to the key, owner-only' {
        $ppk = ConvertTo-PuttyKey -Path TestDrive:/id_rsa -NewPassphrase $Pass
        $ppk.Path | Should -Be (Join-Path $TestDrive 'id_rsa.ppk')
        $ppk.Format | Should -Be 'Ppk'
        $ppk.IsEncrypted | Should -BeTrue
        $ppk.FingerprintSha256 | Should -Be $Rsa.FingerprintSha256
        $text = Get-Content TestDrive:/id_rsa.ppk
        $text[0] | Should -Be 'PuTTY-User-Key-File-3: ssh-rsa'
        $text | Should -Contain 'Key-Derivation: Argon2id'
        $text | Should -Contain 'Argon2-Memory: 8192'
        $text | Should -Contain 'Comment: admin@pageant'
        Test-OwnerOnly (Join-Path $TestDrive 'id_rsa.ppk') | Should -BeTrue
    }

    It 'writes version 2 for old tools' {
        ConvertTo-PuttyKey -Path TestDrive:/id_rsa -Version 2 -Destination TestDrive:/old.ppk | Out-Null
        Get-Content TestDrive:/old.ppk -TotalCount 2 | Should -Be @('PuTTY-User-Key-File-2: ssh-rsa', 'Encryption: none')
        (Get-GitSshKey -Path TestDrive:/old.ppk).FingerprintSha256 | Should -Be $Rsa.FingerprintSha256
    }

    It 'round-trips with ConvertFrom-PuttyKey' {
        ConvertTo-PuttyKey -Path TestDrive:/id_rsa -NewPassphrase $Pass -Passes 2 | Out-Null
        $back = ConvertFrom-PuttyKey -Path TestDrive:/id_rsa.ppk -Passphrase $Pass -Destination TestDrive:/back -RemovePassphrase
        $back.FingerprintSha256 | Should -Be $Rsa.FingerprintSha256
        Test-GitSshKey -Path TestDrive:/back -Quiet | Should -BeTrue
    }

    It 'writes at most 256 Argon2 passes, what a .ppk may ask for when it is read' {
        { ConvertTo-PuttyKey -Path TestDrive:/id_rsa -NewPassphrase $Pass -Passes 257 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,GitIntegration.ConvertToPuttyKeyCommand'
        $ppk = ConvertTo-PuttyKey TestDrive:/id_rsa -NewPassphrase $Pass -Passes 256 -Destination TestDrive:/max.ppk
        Get-Content TestDrive:/max.ppk | Should -Contain 'Argon2-Passes: 256'
        (ConvertFrom-PuttyKey -Path $ppk.Path -Passphrase $Pass -Destination TestDrive:/max).FingerprintSha256 |
            Should -Be $Rsa.FingerprintSha256
    }

    It 'does not replace an existing .ppk without -Force, and writes nothing with -WhatIf' {
        Set-Content TestDrive:/id_rsa.ppk -Value 'precious'
        { ConvertTo-PuttyKey -Path TestDrive:/id_rsa -ErrorAction Stop } | Should -Throw -ErrorId 'KeyFileExists,GitIntegration.ConvertToPuttyKeyCommand'
        ConvertTo-PuttyKey -Path TestDrive:/id_rsa -Force -WhatIf
        Get-Content TestDrive:/id_rsa.ppk | Should -Be 'precious'
    }

    It 'needs the passphrase of an encrypted key' {
        New-GitSshKey -Path TestDrive:/locked -Bits 2048 -Passphrase $Pass | Out-Null
        { ConvertTo-PuttyKey -Path TestDrive:/locked -ErrorAction Stop } | Should -Throw -ErrorId 'PassphraseRequired,GitIntegration.ConvertToPuttyKeyCommand'
        (ConvertTo-PuttyKey -Path TestDrive:/locked -Passphrase $Pass -Passes 1).IsEncrypted | Should -BeTrue
    }

    It 'writes files PuTTYgen opens' -Skip:$NoPuttygen {
        Set-Content TestDrive:/pw -Value 'putty pass'
        foreach ($version in 2, 3) {
            ConvertTo-PuttyKey -Path TestDrive:/id_rsa -Version $version -NewPassphrase $Pass -Destination "TestDrive:/v$version.ppk" | Out-Null
            $out = puttygen (Join-Path $TestDrive "v$version.ppk") --old-passphrase (Join-Path $TestDrive 'pw') -O fingerprint
            $LASTEXITCODE | Should -Be 0
            $out | Should -Match ([regex]::Escape($Rsa.FingerprintSha256))
        }
    }
}

Describe 'ConvertTo-PuttyKey on a machine shared with other users' -Skip:$NotUnix {
    It 'writes the .ppk readable by its owner only from its first instant (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        $dir = Join-Path $TestDrive "ppk-$Umask"
        New-GitSshKey -Path "$dir/id_rsa" -Bits 2048 | Out-Null
        $convert = "ConvertTo-PuttyKey -Path '$dir/id_rsa' -NewPassphrase (Secure 'putty pass') -Passes 1 | Out-Null"
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script $convert
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        $created = @($session.Created | Where-Object Path -like "$dir*")
        $created | Should -Not -BeNullOrEmpty
        $created | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
        Test-OwnerOnly "$dir/id_rsa.ppk" | Should -BeTrue
    }
}
