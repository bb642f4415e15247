BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'store/integrations.yaml'
    @(
        [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git'; type = 'Ssh' }
        [pscustomobject]@{ name = 'billing-ui'; origin = 'https://gitlab.com/acme/billing-ui.git'; type = 'GitLab' }
        [pscustomobject]@{ name = 'gha'; origin = 'https://github.com/acme'; type = 'GitHubApp'; status = 'Installing' }
    ) | Import-GitIntegration | Out-Null
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Get-GitIntegration' {
    It 'lists every integration of the store named by $env:GITINTEGRATION_STORE' {
        (Get-GitIntegration).Name | Should -Be @('billing', 'billing-ui', 'gha')
    }

    It 'filters by wildcard name, type and status' {
        (Get-GitIntegration billing*).Count | Should -Be 2
        (Get-GitIntegration -Type GitLab).Name | Should -Be 'billing-ui'
        (Get-GitIntegration -Type GitHubApp -Status Installing).Name | Should -Be 'gha'
    }

    It 'finds by id from the pipeline' {
        $i = Get-GitIntegration gha
        # Only the Id property: a piped Integration would bind its Name first (the default parameter set).
        ($i | Select-Object Id | Get-GitIntegration).Name | Should -Be 'gha'
    }

    It 'reports a name that matches nothing as a non-terminating ObjectNotFound error' {
        Get-GitIntegration nope -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'IntegrationNotFound*'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'reads another store with -StorePath and returns nothing for a store that does not exist yet' {
        Get-GitIntegration -StorePath (Join-Path $TestDrive 'empty/integrations.yaml') -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'stops with the file, line and column when the store does not parse, and leaves it as it is' {
        $bad = Join-Path $TestDrive 'bad.yaml'
        Set-Content $bad "schemaVersion: 1`nintegrations:`n- id: 6c1b7d1e-0f1e-4a4e-9a52-0d7b5b9e6c11`n  nmae: typo`n"
        { Get-GitIntegration -StorePath $bad } | Should -Throw -ErrorId 'StoreParseFailed*' -ExpectedMessage "*$bad*line 4, column*"
        Get-Content $bad -Raw | Should -Match 'nmae: typo'
    }

    It 'completes integration names' {
        $r = TabExpansion2 -inputScript 'Get-GitIntegration bill' -cursorColumn 23
        $r.CompletionMatches.CompletionText | Should -Be @('billing', 'billing-ui')
    }
}

Describe 'Get-GitIntegration on a machine shared with other users' -Skip:$NotUnix {
    It 'refuses a store folder other users can write, and prints the command that fixes it' {
        $dir = Join-Path $TestDrive 'loose'
        $row = [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' }
        $row | Import-GitIntegration -StorePath $dir | Out-Null
        chmod 777 $dir

        $e = { Get-GitIntegration -StorePath $dir -ErrorAction Stop } |
            Should -Throw -ErrorId 'StoreFolderNotPrivate,GitIntegration.GetGitIntegrationCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'SecurityError'
        $e.Exception.Message | Should -BeLike "*'$dir' can be written by other users (permissions 777)*"
        $fix = ($e.Exception.Message -split 'run the command again: ')[1]
        $fix | Should -Be "chmod 700 '$dir'"

        Invoke-Expression $fix   # pasted as printed
        (Get-GitIntegration -StorePath $dir).Name | Should -Be 'billing'
    }

    It 'refuses a store folder that belongs to another user' {
        $dir = Join-Path $TestDrive 'foreign'
        $row = [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' }
        $row | Import-GitIntegration -StorePath $dir | Out-Null
        chown $Attacker $dir
        $e = { Get-GitIntegration -StorePath $dir -ErrorAction Stop } |
            Should -Throw -ErrorId 'StoreFolderNotPrivate,GitIntegration.GetGitIntegrationCommand' -PassThru
        $e.Exception.Message | Should -Match 'belongs to another user'
    }
}
