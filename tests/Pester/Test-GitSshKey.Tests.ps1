BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    . $PSScriptRoot/LoopbackSshd.ps1
    # Loopback sshd with git-shell (Linux as root; user 'git' from tests/run-all.sh).
    $root = (Resolve-Path TestDrive:/).ProviderPath
    ssh-keygen -q -t rsa -b 2048 -m PEM -N 'pass phrase' -f "$root/jira_rsa" | Out-Null
    ssh-keygen -q -t ed25519 -N '""' -f "$root/id_ed25519" | Out-Null
    $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub", "$root/id_ed25519.pub")
    $script:port = $server.Port
    $script:sshd = $server.Process
    $script:root = $root
    $script:pass = ConvertTo-SecureString 'pass phrase' -AsPlainText -Force
}
AfterAll { if ($sshd) { Stop-Process -Id $sshd.Id -Force } }

Describe 'Test-GitSshKey against a host' {
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
