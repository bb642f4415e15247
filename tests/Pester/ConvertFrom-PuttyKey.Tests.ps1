BeforeDiscovery {
    # -Skip: is decided at discovery, before BeforeAll runs. Under CI=true the peer must be there: the test runs (and fails) without it.
    $NoPuttygen = -not (Get-Command puttygen -ErrorAction Ignore) -and $env:CI -ne 'true'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Pass = Secure 'putty pass'
}

Describe 'ConvertFrom-PuttyKey' {
    BeforeEach {
        Remove-Item TestDrive:/* -Recurse -Force -ErrorAction Ignore
        $script:Rsa = New-GitSshKey -Path TestDrive:/rsa_src -Bits 2048 -Comment 'admin@putty'
        ConvertTo-PuttyKey -Path TestDrive:/rsa_src -Destination TestDrive:/jira.ppk -NewPassphrase $Pass -Passes 1 | Out-Null
    }

    It 'writes OpenSSL PEM next to the .ppk, keeping its passphrase, owner-only' {
        $key = ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -Passphrase $Pass
        $key.Path | Should -Be (Join-Path $TestDrive 'jira')
        $key.Format | Should -Be 'Pem'
        $key.IsEncrypted | Should -BeTrue
        $key.FingerprintSha256 | Should -Be $Rsa.FingerprintSha256
        Get-Content TestDrive:/jira -TotalCount 1 | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
        Get-Content TestDrive:/jira.pub | Should -Be $Rsa.PublicKey
        Test-OwnerOnly (Join-Path $TestDrive 'jira') | Should -BeTrue
    }

    It 'names the .ppk that failed in the error and its TargetObject, and converts the others' {
        ConvertTo-PuttyKey -Path TestDrive:/rsa_src -Destination TestDrive:/other.ppk -NewPassphrase (Secure 'another') -Passes 1 | Out-Null
        ConvertTo-PuttyKey -Path TestDrive:/rsa_src -Destination TestDrive:/third.ppk -NewPassphrase $Pass -Passes 1 | Out-Null
        $other = Join-Path $TestDrive 'other.ppk'
        $keys = Get-ChildItem TestDrive:/*.ppk | ConvertFrom-PuttyKey -Passphrase $Pass -ErrorVariable err -ErrorAction SilentlyContinue
        ($keys.Path | Sort-Object) | Should -Be @((Join-Path $TestDrive 'jira'), (Join-Path $TestDrive 'third'))
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'WrongPassphrase,GitIntegration.ConvertFromPuttyKeyCommand'
        $err[0].TargetObject | Should -Be $other
        $err[0].Exception.Message | Should -BeLike "'$other': *passphrase*"
    }

    It 'pipes Get-ChildItem output through to Test-GitSshKey' {
        ConvertTo-PuttyKey -Path TestDrive:/rsa_src -Destination TestDrive:/second.ppk -NewPassphrase $Pass -Passes 1 | Out-Null
        $results = Get-ChildItem TestDrive:/*.ppk | ConvertFrom-PuttyKey -Passphrase $Pass -RemovePassphrase | Test-GitSshKey
        $results | Should -HaveCount 2
        $results.IsValid | Should -Not -Contain $false
    }

    It 'accepts a path piped as a string, and -Destination' {
        $key = (Join-Path $TestDrive 'jira.ppk') | ConvertFrom-PuttyKey -Passphrase $Pass -Destination TestDrive:/out/jira.pem -Format OpenSsh
        $key.Path | Should -Be (Join-Path (Join-Path $TestDrive 'out') 'jira.pem')
        Get-Content TestDrive:/out/jira.pem -TotalCount 1 | Should -Be '-----BEGIN OPENSSH PRIVATE KEY-----'
    }

    It 'tells a wrong passphrase, a modified file and a missing passphrase apart' {
        { ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -Passphrase (Secure 'nope') -ErrorAction Stop } |
            Should -Throw -ErrorId 'WrongPassphrase,GitIntegration.ConvertFromPuttyKeyCommand'
        (Get-Content TestDrive:/jira.ppk -Raw) -replace 'Comment: admin@putty', 'Comment: edited' | Set-Content TestDrive:/edited.ppk -NoNewline
        { ConvertFrom-PuttyKey -Path TestDrive:/edited.ppk -Passphrase $Pass -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyCorrupt,GitIntegration.ConvertFromPuttyKeyCommand'
        { ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -ErrorAction Stop } |
            Should -Throw -ErrorId 'PassphraseRequired,GitIntegration.ConvertFromPuttyKeyCommand'
        (Get-Content TestDrive:/jira.ppk -Raw) -replace 'Key-Derivation: Argon2id', 'Key-Derivation: scrypt' | Set-Content TestDrive:/odd.ppk -NoNewline
        { ConvertFrom-PuttyKey -Path TestDrive:/odd.ppk -Passphrase $Pass -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFormatNotSupported,GitIntegration.ConvertFromPuttyKeyCommand'
    }

    It 'does not replace an existing key without -Force, and writes nothing with -WhatIf' {
        Set-Content TestDrive:/jira -Value 'precious'
        { ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -Passphrase $Pass -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFileExists,GitIntegration.ConvertFromPuttyKeyCommand'
        Get-Content TestDrive:/jira | Should -Be 'precious'
        ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -Passphrase $Pass -Force -WhatIf
        Get-Content TestDrive:/jira | Should -Be 'precious'
        ConvertFrom-PuttyKey -Path TestDrive:/jira.ppk -Passphrase $Pass -Force | Out-Null
        Get-Content TestDrive:/jira -TotalCount 1 | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
    }

    It 'writes an Ed25519 key in OpenSSH format, with a warning' {
        New-GitSshKey -Path TestDrive:/ed_src -Type Ed25519 -Format OpenSsh | Out-Null
        ConvertTo-PuttyKey -Path TestDrive:/ed_src -Destination TestDrive:/ed.ppk | Out-Null
        $key = ConvertFrom-PuttyKey -Path TestDrive:/ed.ppk -WarningVariable warned -WarningAction SilentlyContinue
        $key.Format | Should -Be 'OpenSsh'
        $warned | Should -Not -BeNullOrEmpty
        { ConvertFrom-PuttyKey -Path TestDrive:/ed.ppk -Format Pem -Destination TestDrive:/ed.pem -ErrorAction Stop } |
            Should -Throw -ErrorId 'KeyFormatNotSupported,GitIntegration.ConvertFromPuttyKeyCommand'
    }

    It 'refuses at once a .ppk asking for more Argon2 work than PuTTYgen writes, saying why' -Skip:$NoPuttygen {
        # puttygen writes any setting it is given: 257 passes at its 8192 KiB is one over the cap.
        Set-Content TestDrive:/pw -Value 'putty pass'
        puttygen (Join-Path $TestDrive 'rsa_src') -o (Join-Path $TestDrive 'slow.ppk') `
            --new-passphrase (Join-Path $TestDrive 'pw') --ppk-param memory=8192,passes=257
        $LASTEXITCODE | Should -Be 0
        # As the issue's file did: 1 GiB and 8 passes cost seconds and 1.2 GB on every read before.
        (Get-Content TestDrive:/jira.ppk -Raw) -replace 'Argon2-Memory: 8192', 'Argon2-Memory: 1048576' -replace
            'Argon2-Passes: 1', 'Argon2-Passes: 8' | Set-Content TestDrive:/old-cap.ppk -NoNewline
        foreach ($name in 'slow.ppk', 'old-cap.ppk') {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $err = { ConvertFrom-PuttyKey -Path TestDrive:/$name -Passphrase $Pass -ErrorAction Stop } |
                Should -Throw -ErrorId 'KeyFormatNotSupported,GitIntegration.ConvertFromPuttyKeyCommand' -PassThru
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
            $err.Exception.Message | Should -BeLike '*PuTTYgen writes 8192 KiB*at most 262144 KiB and 256 passes*'
        }
        Test-Path TestDrive:/slow | Should -BeFalse
    }

    It 'reads what PuTTYgen writes' -Skip:$NoPuttygen {
        Set-Content TestDrive:/pw -Value 'putty pass'
        puttygen -t rsa -b 2048 -C 'from puttygen' -o (Join-Path $TestDrive 'pg.ppk') --new-passphrase (Join-Path $TestDrive 'pw')
        $LASTEXITCODE | Should -Be 0
        $expected = (puttygen -l (Join-Path $TestDrive 'pg.ppk')).Split(' ')[2]
        (Get-GitSshKey -Path TestDrive:/pg.ppk).FingerprintSha256 | Should -Be $expected
        (ConvertFrom-PuttyKey -Path TestDrive:/pg.ppk -Passphrase $Pass).FingerprintSha256 | Should -Be $expected
    }
}
