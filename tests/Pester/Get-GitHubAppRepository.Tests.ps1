BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # A store of this file's own; AfterAll puts back what the session had.
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'integrations.yaml'
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Get-GitHubAppRepository' {
    It 'returns nothing from an empty store' {
        Get-GitHubAppRepository -ErrorAction Stop | Should -BeNullOrEmpty
    }
    It 'reports an unknown integration name' {
        { Get-GitHubAppRepository -Name nope -ErrorAction Stop } | Should -Throw -ErrorId 'IntegrationNotFound,GitIntegration.GetGitHubAppRepositoryCommand'
    }
    It 'takes -RepositoryName wildcards' {
        (Get-Command Get-GitHubAppRepository).Parameters['RepositoryName'].Attributes.TypeId.Name | Should -Contain 'SupportsWildcardsAttribute'
    }
    It 'refuses an invalid -Filter before calling GitHub, saying where and what' {
        { Get-GitHubAppRepository -Filter "[?name == 'x'" -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryFilterInvalid,GitIntegration.GetGitHubAppRepositoryCommand'
        try { Get-GitHubAppRepository -Filter "[?starts_with(name)]" -ErrorAction Stop } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message | Should -Match 'position 3'
        $e.Exception.Message | Should -Match 'starts_with\(\) takes 2 arguments'
    }
    It 'takes a valid -Filter (nothing to filter in an empty store)' {
        Get-GitHubAppRepository -Filter "[?!archived && size < ``1000000`` && contains(topics, 'jira')]" -ErrorAction Stop | Should -BeNullOrEmpty
    }
    It 'refuses -Filter with -IgnoreFilter' {
        { Get-GitHubAppRepository -Filter '[?private]' -IgnoreFilter -ErrorAction Stop } |
            Should -Throw -ErrorId 'FilterConflict,GitIntegration.GetGitHubAppRepositoryCommand'
    }
    It 'documents filters in its help' {
        $help = Get-Help Get-GitHubAppRepository -Full
        ($help.examples.example.code -join "`n") | Should -Match '-Filter'
        $help.parameters.parameter.name | Should -Contain 'IgnoreFilter'
    }
}

Describe 'A stored RepositoryFilter' {
    BeforeAll {
        [pscustomobject]@{ name = 'acme-repos'; origin = 'git@github.com:acme/billing.git' } | Import-GitIntegration | Out-Null
    }
    It 'is validated by Set-GitIntegration: an invalid one is refused and nothing changes' {
        $before = Get-Content $env:GITINTEGRATION_STORE -Raw
        { Set-GitIntegration acme-repos -RepositoryFilter '[?name = `x`]' -ErrorAction Stop } |
            Should -Throw -ErrorId 'RepositoryFilterInvalid,GitIntegration.SetGitIntegrationCommand'
        Get-Content $env:GITINTEGRATION_STORE -Raw | Should -Be $before
    }
    It 'is stored when valid, and removed with an empty string' {
        Set-GitIntegration acme-repos -RepositoryFilter "[?starts_with(name, 'billing-') && !archived]"
        (Get-GitIntegration acme-repos).RepositoryFilter | Should -Be "[?starts_with(name, 'billing-') && !archived]"
        Set-GitIntegration acme-repos -RepositoryFilter ''
        (Get-GitIntegration acme-repos).RepositoryFilter | Should -BeNullOrEmpty
    }
    It 'is refused per row by Import-GitIntegration when it is too expensive to run' {
        $copies = ('[@,@][]' * 39) + '[?id]'
        $rows = @(
            [pscustomobject]@{ name = 'copies'; origin = 'git@github.com:acme/c.git'; repositoryFilter = $copies }
            [pscustomobject]@{ name = 'plain'; origin = 'git@github.com:acme/p.git'; repositoryFilter = '[?!archived]' }
        )
        $r = $rows | Import-GitIntegration -ErrorAction SilentlyContinue -ErrorVariable err
        $r.Action | Should -Be @('Failed', 'Created')
        $err.FullyQualifiedErrorId | Should -BeLike 'RepositoryFilterTooExpensive,*Import*'
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        (Get-GitIntegration -ErrorAction Stop).Name | Should -Not -Contain 'copies'
    }
    It 'stored before it was measured, is refused by Get-GitHubAppRepository before GitHub is called' {
        New-GitSshKey -Path (Join-Path $TestDrive 'gha.pem') -Bits 2048 | Out-Null
        [pscustomobject]@{
            name = 'gha-copies'; type = 'GitHubEnterpriseApp'; origin = 'http://127.0.0.1:9/acme'
            hostUrl = 'http://127.0.0.1:9'; organization = 'acme'; status = 'Active'
            'property.appId' = '4343'; 'property.installationId' = '99'
            privateKey = Get-Content (Join-Path $TestDrive 'gha.pem') -Raw
        } | Import-GitIntegration | Out-Null
        # As an older version stored it, or a hand edit: the store itself does not measure filters.
        $filter = ('[@,@][]' * 39) + '[?id]'
        $yaml = (Get-Content $env:GITINTEGRATION_STORE -Raw) -replace "(?m)^(  name: gha-copies)$",
            "`$1`n  repositoryFilter: '$filter'"
        Set-Content -Path $env:GITINTEGRATION_STORE -Value $yaml -NoNewline
        (Get-GitIntegration gha-copies).RepositoryFilter | Should -Be $filter
        $r = Get-GitHubAppRepository -Name gha-copies -ErrorVariable err -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $err | Should -HaveCount 1
        $id = 'RepositoryFilterTooExpensive,GitIntegration.GetGitHubAppRepositoryCommand'
        $err[0].FullyQualifiedErrorId | Should -Be $id
    }
    It 'is validated per row by Import-GitIntegration' {
        $rows = @(
            [pscustomobject]@{ name = 'good'; origin = 'git@github.com:acme/good.git'; repositoryFilter = '[?size < `1000`]' }
            [pscustomobject]@{ name = 'bad'; origin = 'git@github.com:acme/bad.git'; repositoryFilter = '[?size < ]' }
        )
        $rows | Import-GitIntegration -ErrorAction SilentlyContinue -ErrorVariable err | Out-Null
        (Get-GitIntegration good).RepositoryFilter | Should -Be '[?size < `1000`]'
        (Get-GitIntegration -ErrorAction Stop).Name | Should -Not -Contain 'bad'
        $err.FullyQualifiedErrorId | Should -Contain 'RepositoryFilterInvalid,GitIntegration.ImportGitIntegrationCommand'
    }
}
