BeforeAll { . (Join-Path $PSScriptRoot 'Common.ps1') }

Describe 'ConvertTo-GitSshUrl' {
    It 'writes <Https> as <Ssh>' -TestCases @(
        @{ Https = 'https://github.com/org/repo'; Ssh = 'git@github.com:org/repo.git' }
        @{ Https = 'https://jdoe@bitbucket.org/team/repo.git'; Ssh = 'git@bitbucket.org:team/repo.git' }
        @{ Https = 'https://dev.azure.com/org/project/_git/repo'; Ssh = 'git@ssh.dev.azure.com:v3/org/project/repo' }
        @{ Https = 'https://bitbucket.example.com/scm/proj/repo.git'; Ssh = 'ssh://git@bitbucket.example.com:7999/proj/repo.git' }
    ) {
        ConvertTo-GitSshUrl $Https | Should -Be $Ssh
    }

    It 'converts the Url column of piped rows' {
        $rows = [pscustomobject]@{ Url = 'https://gitlab.com/g/r.git' }, [pscustomobject]@{ Url = 'https://github.com/o/r' }
        $rows | ConvertTo-GitSshUrl | Should -Be @('git@gitlab.com:g/r.git', 'git@github.com:o/r.git')
    }

    It 'uses the login given for AWS CodeCommit' {
        ConvertTo-GitSshUrl https://git-codecommit.us-east-2.amazonaws.com/v1/repos/demo -User APKAEIBAERJR2EXAMPLE |
            Should -Be 'ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/demo'
    }

    It 'reports what is not a URL as an error with an id, and goes on' {
        $out = 'not a url', 'https://github.com/o/r' | ConvertTo-GitSshUrl -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -Be 'git@github.com:o/r.git'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UrlNotRecognized,*'
    }
}
