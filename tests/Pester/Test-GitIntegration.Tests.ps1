BeforeAll {
    Import-Module ($env:GITINTEGRATION_MODULE ?? "$PSScriptRoot/../../out/GitIntegration") -Force
    . $PSScriptRoot/LoopbackSshd.ps1
    # Same loopback sshd recipe as Connect-GitRepository.Tests.ps1 (Linux as root; user 'git' from tests/run-all.sh).
    $root = (Resolve-Path TestDrive:/).ProviderPath
    ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f "$root/jira_rsa" | Out-Null
    $server = Start-LoopbackSshd $root (Get-Content "$root/jira_rsa.pub")
    New-LoopbackRepository $root app
    $script:port = $server.Port
    $script:sshd = $server.Process
    $script:root = $root
    $env:GITINTEGRATION_STORE = "$root/store/integrations.yaml"
    Connect-GitRepository -Url "ssh://git@127.0.0.1:$port$root/repos/app.git" -KeyPath "$root/jira_rsa" -AcceptNewHostKey | Out-Null
}
AfterAll {
    if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    Remove-Item Env:GITINTEGRATION_STORE
}

Describe 'Test-GitIntegration' {
    It 're-verifies and sets LastVerified' {
        $r = Test-GitIntegration app
        $r.Success | Should -BeTrue
        $r.DefaultBranch | Should -Be 'main'
        (Get-GitIntegration app).LastVerified | Should -BeGreaterThan (Get-Date).AddMinutes(-1)
    }

    It 'marks an integration Failed when its key is no longer accepted, and -Quiet says $false' {
        Set-Content "$root/keys/git" ''
        Test-GitIntegration app -Quiet | Should -BeFalse
        (Test-GitIntegration app).Reason | Should -Be 'PermissionDenied'
        (Get-GitIntegration app).Status | Should -Be 'Failed'
    }
}
