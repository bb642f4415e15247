BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'ConvertTo-GitHttpsUrl' {
    It 'writes <Ssh> as <Https>' -TestCases @(
        @{ Ssh = 'git@github.com:org/repo.git'; Https = 'https://github.com/org/repo.git' }
        @{ Ssh = 'ssh://git@ssh.github.com:443/org/repo.git'; Https = 'https://github.com/org/repo.git' }
        @{ Ssh = 'git@ssh.dev.azure.com:v3/contoso/web/site'; Https = 'https://dev.azure.com/contoso/web/_git/site' }
        @{ Ssh = 'ssh://git@bitbucket.example.com:7999/proj/repo.git'; Https = 'https://bitbucket.example.com/scm/proj/repo.git' }
    ) {
        ConvertTo-GitHttpsUrl $Ssh | Should -Be $Https
    }

    It 'drops a password written in an HTTPS URL' {
        ConvertTo-GitHttpsUrl 'https://user:hunter2@github.com/o/r.git' | Should -Not -Match 'hunter2'
    }

    It 'round-trips with ConvertTo-GitSshUrl' {
        'https://gitlab.com/group/sub/repo.git' | ConvertTo-GitSshUrl | ConvertTo-GitHttpsUrl | Should -Be 'https://gitlab.com/group/sub/repo.git'
    }
}
