BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackSshd.ps1')
    # A throwaway sshd on loopback (Linux, as root, like CI); elsewhere these tests need an SSH server of your own.
    $root = (Resolve-Path TestDrive:/).ProviderPath
    $server = Start-LoopbackSshd $root
    $script:port = $server.Port
    $script:sshd = $server.Process
    $script:fingerprint = (ssh-keygen -l -E sha256 -f "$root/hostkey.pub").Split(' ')[1]
}
AfterAll { if ($sshd) { Stop-Process -Id $sshd.Id -Force } }

Describe 'Get-GitHostKey' {
    It 'returns the server key with its SHA256 fingerprint, not yet known' {
        $k = Get-GitHostKey -HostName 127.0.0.1 -Port $port -KnownHostsPath TestDrive:/known_hosts
        $k.Fingerprint | Should -Be $fingerprint
        $k.KeyType | Should -Be 'ssh-ed25519'
        $k.IsKnown | Should -BeFalse
        $k.MatchesPublished | Should -BeNullOrEmpty
        Test-Path TestDrive:/known_hosts | Should -BeFalse
    }

    It 'takes the host and port from a clone URL' {
        (Get-GitHostKey -Url "ssh://git@127.0.0.1:$port/x.git" -KnownHostsPath TestDrive:/known_hosts).Fingerprint | Should -Be $fingerprint
    }

    It 'reports a closed port as an error with an id' {
        Get-GitHostKey 127.0.0.1 -Port 1 -TimeoutSeconds 2 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'HostKeyScanFailed,*'
    }
}
