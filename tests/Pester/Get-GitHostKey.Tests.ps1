BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    # A throwaway sshd on loopback (Linux, as root, like CI); elsewhere these tests need an SSH server of your own.
    ssh-keygen -q -t ed25519 -N '' -f "$TestDrive/hostkey" | Out-Null
    $script:port = Get-Random -Minimum 40000 -Maximum 60000
    @"
Port $port
ListenAddress 127.0.0.1
HostKey $((Resolve-Path TestDrive:/hostkey).ProviderPath)
PidFile $((Join-Path (Resolve-Path TestDrive:/).ProviderPath sshd.pid))
UsePAM no
"@ | Set-Content TestDrive:/sshd_config
    New-Item -ItemType Directory -Force /run/sshd | Out-Null
    $script:sshd = Start-Process /usr/sbin/sshd -ArgumentList '-D', '-f', (Resolve-Path TestDrive:/sshd_config).ProviderPath -PassThru
    Start-Sleep -Milliseconds 500
    $script:fingerprint = (ssh-keygen -l -E sha256 -f (Resolve-Path TestDrive:/hostkey.pub).ProviderPath).Split(' ')[1]
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
