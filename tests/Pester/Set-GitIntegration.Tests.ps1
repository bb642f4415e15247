BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # An empty argument reaches native commands only from PowerShell 7.3 on; before, it had to be written '""'.
    $script:NoPassphrase = if ($PSVersionTable.PSVersion -ge [version]'7.3') { '' } else { '""' }
    $store = Join-Path $TestDrive 'integrations.yaml'
    [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' } | Import-GitIntegration -StorePath $store | Out-Null
    $pem = Join-Path $TestDrive 'jira_rsa'
    $openssh = Join-Path $TestDrive 'id_ed25519'
    ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $pem
    ssh-keygen -q -t ed25519 -N $NoPassphrase -f $openssh
}

Describe 'Set-GitIntegration' {
    It 'replaces the private key with one the integration accepts' {
        $i = Set-GitIntegration billing -PrivateKeyPath $pem -StorePath $store -PassThru
        $i.PrivateKeyPath | Should -Be $pem
    }

    It 'refuses a key the integration would reject, and takes it with -Force' {
        Set-GitIntegration billing -PrivateKeyPath $openssh -StorePath $store -ErrorAction SilentlyContinue -ErrorVariable err
        $err[0].Exception.Message | Should -Match 'rejected'
        (Get-GitIntegration billing -StorePath $store).PrivateKeyPath | Should -Be $pem
        Set-GitIntegration billing -PrivateKeyPath $openssh -StorePath $store -Force -WarningAction SilentlyContinue
        (Get-GitIntegration billing -StorePath $store).PrivateKeyPath | Should -Be $openssh
    }

    It 'stores a token as a secret file, never in the YAML' {
        $token = ConvertTo-SecureString 'glpat-SECRET-123' -AsPlainText -Force
        Get-GitIntegration billing -StorePath $store | Set-GitIntegration -Token $token -StorePath $store
        Get-Content $store -Raw | Should -Not -Match 'glpat-SECRET'
        (Get-GitIntegration billing -StorePath $store).TokenRef.File | Should -Not -BeNullOrEmpty
    }

    It 'disables, turns SSL verification off, and renames' {
        Set-GitIntegration billing -Disabled -SslVerify:$false -NewName billing-old -StorePath $store
        $i = Get-GitIntegration billing-old -StorePath $store
        $i.Status | Should -Be 'Disabled'
        $i.SslVerify | Should -BeFalse
    }

    It 'refuses a RepositoryFilter too expensive to run, before anything changes' {
        # 278 characters: each [@,@][] doubles what follows; on 20 repositories this ran 123 s to 7.7 GB.
        $filter = ('[@,@][]' * 39) + '[?id]'
        $before = Get-Content $store -Raw
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $err = { Set-GitIntegration billing -RepositoryFilter $filter -StorePath $store } |
            Should -Throw -ErrorId 'RepositoryFilterTooExpensive,GitIntegration.SetGitIntegrationCommand' -PassThru
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.Exception.Message | Should -BeLike '*is too expensive: on 200 repositories*GitHub''s*10,000 repositories*'
        Get-Content $store -Raw | Should -Be $before
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-Content $store -Raw
        Set-GitIntegration billing-old -RepositoryFilter "[?name=='x']" -StorePath $store -WhatIf
        Get-Content $store -Raw | Should -Be $before
    }

    It 'sends a GitHub App''s new key to Update-GitHubAppKey, which checks it with GitHub first' {
        [pscustomobject]@{
            name = 'acme-gha'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'; status = 'Active'
            privateKey = (Get-Content $pem -Raw); 'property.appId' = '123456'; 'property.installationId' = '987654'
        } | Import-GitIntegration -StorePath $store | Out-Null
        $before = (Get-GitIntegration acme-gha -StorePath $store).PrivateKeyPath
        { Set-GitIntegration acme-gha -PrivateKeyPath $pem -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitHubAppKeyChangeNeedsGitHub,GitIntegration.SetGitIntegrationCommand'
        (Get-GitIntegration acme-gha -StorePath $store).PrivateKeyPath | Should -Be $before
    }
}
