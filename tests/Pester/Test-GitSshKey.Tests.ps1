BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:OpenSshRsa = New-GitSshKey -Path TestDrive:/macos_key -Bits 2048 -Format OpenSsh
    $script:Pem = New-GitSshKey -Path TestDrive:/good_key -Bits 3072
    $script:Ed = New-GitSshKey -Path TestDrive:/ed_key -Type Ed25519 -Format OpenSsh
    $script:Locked = New-GitSshKey -Path TestDrive:/locked_key -Bits 3072 -Passphrase (Secure 'right one')
}

Describe 'Test-GitSshKey' {
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

    It 'points from a .pub to its private key' {
        $finding = (Test-GitSshKey -Path TestDrive:/good_key.pub).Findings
        $finding.Id | Should -Be 'PublicKeyGiven'
        $finding.Remedy | Should -BeLike 'Test-GitSshKey -Path *good_key''*'
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

    It 'never puts the passphrase in its output' {
        $out = Test-GitSshKey -Path TestDrive:/locked_key -Passphrase (Secure 'wrong') | Format-List * | Out-String
        $out | Should -Not -Match 'wrong'
    }
}
