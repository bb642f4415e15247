BeforeDiscovery {
    # Devices as files are a Unix matter.
    $NotUnix = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:OpenSshRsa = New-GitSshKey -Path TestDrive:/macos_key -Bits 2048 -Format OpenSsh
    $script:Pem = New-GitSshKey -Path TestDrive:/good_key -Bits 3072
    $script:Ed = New-GitSshKey -Path TestDrive:/ed_key -Type Ed25519 -Format OpenSsh
    $script:Locked = New-GitSshKey -Path TestDrive:/locked_key -Bits 3072 -Passphrase (Secure 'right one')
}

Describe 'Test-GitSshKey' {
    It 'names the repository URL that failed in the error and its TargetObject, and tests the others' {
        $csv = Join-Path $TestDrive 'hosts.csv'
        "Url`nssh://git@127.0.0.1:9/a.git`nnot a url`nssh://git@127.0.0.1:9/b.git" | Set-Content $csv
        $r = Import-Csv $csv | Test-GitSshKey -Path TestDrive:/good_key -KnownHostsPath (Join-Path $TestDrive 'kh') `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Reason | Should -Be @('ConnectionRefused', 'ConnectionRefused')
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be 'not a url'
        $err[0].Exception.Message | Should -BeLike "*'not a url'*"
    }

    It 'accepts a private RSA key in PEM: the integration''s rule' {
        $result = Test-GitSshKey -Path TestDrive:/good_key
        $result.IsValid | Should -BeTrue
        $result.Findings | Should -BeNullOrEmpty
    }

    It 'explains an OpenSSH-format key and its remedy fixes it' {
        $result = Test-GitSshKey -Path TestDrive:/macos_key
        $result.IsValid | Should -BeFalse
        $finding = $result.Findings | Where-Object Id -eq 'OpenSshFormat'
        $finding.Severity | Should -Be 'Error'
        $finding.Remedy | Should -BeLike 'Convert-GitSshKey -Path *macos_key* -Format Pem'
        Invoke-Expression $finding.Remedy | Out-Null
        Test-GitSshKey -Path TestDrive:/macos_key -Quiet | Should -BeTrue
    }

    It 'names the new file inside the quotes of a remedy that makes a new key, and that remedy runs' {
        # '<path>'.new would pass $null as -Path: the property "new" of a string.
        New-GitSshKey -Path TestDrive:/small_rsa -Bits 2048 | Out-Null
        $finding = (Test-GitSshKey -Path TestDrive:/small_rsa).Findings | Where-Object Id -eq 'KeySizeMinimum'
        $finding.Remedy | Should -BeLike "New-GitSshKey -Path '*small_rsa.new' -Type Rsa -Bits 4096"
        Invoke-Expression $finding.Remedy | Out-Null
        Test-GitSshKey -Path TestDrive:/small_rsa.new -Quiet | Should -BeTrue
        $finding = (Test-GitSshKey -Path TestDrive:/ed_key -Requirement AzureDevOps).Findings
        $finding.Remedy | Should -BeLike "New-GitSshKey -Path '*ed_key.rsa' -Type Rsa -Bits 4096"
    }

    It 'says a .pub line edited to another type names both types and its file, as ssh-keygen refuses it' {
        # An Ed25519 key whose line was edited to say ssh-rsa, as when two keys are pieced together.
        $line = Get-Content -LiteralPath (Join-Path $TestDrive 'ed_key.pub') -Raw
        $edited = Join-Path $TestDrive 'edited.pub'
        Set-Content -LiteralPath $edited -Value ('ssh-rsa' + $line.Substring('ssh-ed25519'.Length)) -NoNewline
        $finding = (Test-GitSshKey -Path $edited).Findings
        $finding.Id | Should -Be 'KeyCorrupt'
        $finding.Message | Should -BeLike "The public key line in '$edited' says 'ssh-rsa' but holds an ssh-ed25519 key:*"
        & ssh-keygen -l -f $edited 2>&1 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0
    }

    It 'says a locked key cut short is damaged, not that the passphrase is wrong' {
        $cut = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'cut')
        $lines = Get-Content TestDrive:/locked_key
        $last = [array]::IndexOf($lines, ($lines -like '-----END *')[0]) - 1
        $lines[$last] = $lines[$last].Substring(0, $lines[$last].Length - 4)
        Set-Content -Path (Join-Path $cut 'locked') -Value $lines
        $cipher = (($lines -like 'DEK-Info: *')[0] -split '[ ,]')[1]

        foreach ($passphrase in @($null, (Secure 'right one'))) {
            $r = Test-GitSshKey -Path (Join-Path $cut 'locked') -Passphrase $passphrase -ErrorAction Stop
            $r.IsValid | Should -BeFalse
            $r.Findings.Id | Should -Be 'KeyCorrupt'
            $r.Findings.Message | Should -Be ("The encrypted PEM key is damaged: its IV or its encrypted body has the " +
                "wrong length for $cipher (a line was cut or edited). Copy the key again from its original file.")
        }
    }

    It 'reads a line copied from authorized_keys, quoted options and all, as ssh-keygen does' {
        $line = 'command="echo \"a b\"",no-pty ' + (Get-Content TestDrive:/ed_key.pub)
        $ak = Join-Path $TestDrive 'authorized_keys'
        Set-Content -LiteralPath $ak -Value $line
        (& ssh-keygen -l -f $ak).Split(' ')[1] | Should -Be $Ed.FingerprintSha256

        $r = Test-GitSshKey -KeyText $line -ErrorAction Stop
        $r.Findings.Id | Should -Be 'PublicKeyGiven'
        $r.Key.FingerprintSha256 | Should -Be $Ed.FingerprintSha256
    }

    It 'points from a .pub to its private key' {
        $finding = (Test-GitSshKey -Path TestDrive:/good_key.pub).Findings
        $finding.Id | Should -Be 'PublicKeyGiven'
        $finding.Remedy | Should -BeLike 'Test-GitSshKey -LiteralPath *good_key'''
    }

    It 'applies each host''s rules' {
        Test-GitSshKey -Path TestDrive:/ed_key -Requirement GitHub -Quiet | Should -BeTrue
        Test-GitSshKey -Path TestDrive:/ed_key -Requirement AzureDevOps -Quiet | Should -BeFalse
        (Test-GitSshKey -Path TestDrive:/ed_key -Requirement AzureDevOps).Findings.Id | Should -Contain 'AlgorithmNotAllowed'
    }

    It 'tells a wrong passphrase from a missing one' {
        (Test-GitSshKey -Path TestDrive:/locked_key).Findings.Id | Should -Be 'PassphraseNotGiven'
        (Test-GitSshKey -Path TestDrive:/locked_key -Passphrase (Secure 'wrong')).Findings.Id | Should -Contain 'WrongPassphrase'
        Test-GitSshKey -Path TestDrive:/locked_key -Passphrase (Secure 'right one') -Quiet | Should -BeTrue
    }

    It 'checks pasted text, even flattened onto one line and quoted' {
        $text = '"' + ((Get-Content TestDrive:/good_key) -join ' ') + '"'
        Test-GitSshKey -KeyText $text -Quiet | Should -BeTrue
    }

    It 'takes keys from Get-GitSshKey and Get-ChildItem' {
        $results = Get-ChildItem TestDrive:/ -Filter '*_key' | Test-GitSshKey
        $results | Should -HaveCount 4
        (Get-GitSshKey -Path TestDrive:/good_key | Test-GitSshKey).IsValid | Should -BeTrue
    }

    It 'returns only a boolean with -Quiet' {
        Test-GitSshKey -Path TestDrive:/ed_key -Quiet | Should -BeOfType [bool]
    }

    It 'reports a missing path as a non-terminating error' {
        Test-GitSshKey -Path TestDrive:/nothing_here -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyFileNotFound,GitIntegration.TestGitSshKeyCommand'
    }

    It 'says /dev/zero is not a key, at once, instead of reading it' -Skip:$NotUnix {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = Test-GitSshKey -Path /dev/zero
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        $result.IsValid | Should -BeFalse
        $result.Findings.Id | Should -Be 'NotAKey'
        $result.Findings.Message | Should -BeLike "'/dev/zero' is a character device, not a file*"
        $result.Findings.Remedy | Should -Be 'Get-GitSshKey'
    }

    It 'never puts the passphrase in its output' {
        $out = Test-GitSshKey -Path TestDrive:/locked_key -Passphrase (Secure 'tangerine-7731') | Format-List * | Out-String
        $out | Should -Not -Match 'tangerine-7731'
    }
}

Describe 'Test-GitSshKey against a host' {
    BeforeAll {
        . $PSScriptRoot/LoopbackSshd.ps1
        # Loopback sshd with git-shell (Linux as root; user 'git' from tests/run-all.sh).
        $root = (Resolve-Path TestDrive:/).ProviderPath
        ssh-keygen -q -t rsa -b 2048 -m PEM -N 'pass phrase' -f "$root/jira_rsa" | Out-Null
        New-GitSshKey -Path "$root/id_ed25519" -Type Ed25519 -Format OpenSsh | Out-Null   # ssh-keygen -N '' loses the empty argument before PowerShell 7.3
        $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub", "$root/id_ed25519.pub")
        $script:port = $server.Port
        $script:sshd = $server.Process
        $script:root = $root
        $script:pass = ConvertTo-SecureString 'pass phrase' -AsPlainText -Force
    }
    AfterAll { if ($sshd) { Stop-Process -Id $sshd.Id -Force } }

    It 'refuses an unknown host, then authenticates with -AcceptNewHostKey and the passphrase' {
        $kh = "$root/known_hosts"
        (Test-GitSshKey -Path "$root/jira_rsa" -HostName 127.0.0.1 -Port $port -Passphrase $pass -KnownHostsPath $kh).Reason | Should -Be 'HostKeyUnknown'
        $r = Test-GitSshKey -Path "$root/jira_rsa" -HostName 127.0.0.1 -Port $port -Passphrase $pass -KnownHostsPath $kh -AcceptNewHostKey
        $r.Authenticated | Should -BeTrue
        $r.Success | Should -BeTrue
    }

    It 'says WrongPassphrase for a wrong passphrase' {
        $bad = ConvertTo-SecureString 'nope' -AsPlainText -Force
        (Test-GitSshKey -Path "$root/jira_rsa" -Url "ssh://git@127.0.0.1:$port/x.git" -Passphrase $bad -KnownHostsPath "$root/known_hosts").Reason | Should -Be 'WrongPassphrase'
    }

    It 'says the host accepts an Ed25519 key but the integration would not' {
        $r = Test-GitSshKey -Path "$root/id_ed25519" -Url "ssh://git@127.0.0.1:$port/x.git" -KnownHostsPath "$root/known_hosts"
        $r.Authenticated | Should -BeTrue
        $r.Reason | Should -Be 'KeyRejectedByIntegrationRule'
        Test-GitSshKey -Path "$root/id_ed25519" -Url "ssh://git@127.0.0.1:$port/x.git" -KnownHostsPath "$root/known_hosts" -Requirement Any -Quiet | Should -BeTrue
    }

    It 'says ConnectionRefused for a closed port' {
        (Test-GitSshKey -Path "$root/id_ed25519" -HostName 127.0.0.1 -Port 1 -KnownHostsPath "$root/known_hosts").Reason | Should -Be 'ConnectionRefused'
    }
}
