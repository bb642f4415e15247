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
        # Only the Id property: such an object binds -Id.
        ($i | Select-Object Id | Get-GitIntegration).Name | Should -Be 'gha'
    }

    It 'reads again exactly the integration piped in, even when its name reads as a wildcard' {
        [pscustomobject]@{ name = 'gha[1]'; origin = 'https://github.com/acme1'; type = 'GitHubApp' } |
            Import-GitIntegration | Out-Null
        try {
            $piped = Get-GitIntegration | Where-Object Name -eq 'gha[1]'
            (@($piped | Get-GitIntegration)).Name | Should -Be @('gha[1]')
        }
        finally { Get-GitIntegration | Where-Object Name -eq 'gha[1]' | Remove-GitIntegration -Force }
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

# The default table, read as an admin reads it in a console 80 or 120 columns wide.
Describe 'Get-GitIntegration shown as a table' {
    BeforeAll {
        $tables = Join-Path $TestDrive 'tables'
        $key = New-GitSshKey -Path (Join-Path $TestDrive 'tables_rsa') -Bits 2048
        @(
            [pscustomobject]@{ name = 'billing-service'; origin = 'git@github.com:acme-corp/billing-service.git'
                privateKeyPath = $key.Path }
            [pscustomobject]@{ name = 'billing-ui'; origin = 'https://gitlab.example.com/acme/frontends/billing-ui.git'
                type = 'GitLab' }
            [pscustomobject]@{ name = 'Jira Git acme'; origin = 'https://github.example.com/acme'
                type = 'GitHubEnterpriseApp'; status = 'Installing' }
        ) | Import-GitIntegration -StorePath $tables | Out-Null

        # Renders the table and reads it back: one hashtable per integration, each column's text with its wrapped
        # lines joined, so a value is checked whole wherever the table wrapped it.
        function Read-Table([int] $Width) {
            # LastVerified as Test-GitIntegration records it, on the two repositories.
            $text = Get-GitIntegration -StorePath $tables | ForEach-Object {
                if ($_.Name -like 'billing*') { $_.LastVerified = [DateTimeOffset]'2026-11-30T08:00:00Z' }
                $_
            } | Format-Table | Out-String -Width $Width
            $lines = @($text -split '\r?\n' | Where-Object { $_.Trim() })
            $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual $Width -Because $_ }
            $header = $lines[0]
            $starts = @([regex]::Matches($header, '\S+') | ForEach-Object { $_.Index })
            $names = @([regex]::Matches($header, '\S+') | ForEach-Object { $_.Value })
            $rows = @()
            foreach ($line in $lines | Select-Object -Skip 2) {
                if ($line.Substring(0, [Math]::Min($starts[1], $line.Length)).Trim()) { $rows += @{} }
                for ($c = 0; $c -lt $names.Count; $c++) {
                    if ($line.Length -le $starts[$c]) { continue }
                    $end = if ($c + 1 -lt $names.Count) { [Math]::Min($starts[$c + 1], $line.Length) } else { $line.Length }
                    $rows[-1][$names[$c]] += $line.Substring($starts[$c], $end - $starts[$c]).Trim()
                }
            }
            [pscustomobject]@{ Columns = $names; Rows = $rows }
        }
    }

    It 'keeps Key, LastVerified and whole URLs at 80 columns' {
        $t = Read-Table 80
        $t.Columns | Should -Be @('Name', 'Status', 'Key', 'LastVerified', 'Url')
        $t.Rows.Count | Should -Be 3
        $t.Rows[0].Name | Should -Be 'billing-service'
        $t.Rows[0].Key | Should -Be 'yes'
        $t.Rows[0].LastVerified | Should -Be '2026-11-30'
        $t.Rows[0].Url | Should -Be 'git@github.com:acme-corp/billing-service.git'
        $t.Rows[1].Url | Should -Be 'https://gitlab.example.com/acme/frontends/billing-ui.git'
        $t.Rows[2].Status | Should -Be 'Installing'
        $t.Rows[2].LastVerified | Should -BeNullOrEmpty
    }

    It 'adds the type at 120 columns' {
        $t = Read-Table 120
        $t.Columns | Should -Be @('Name', 'Status', 'Key', 'LastVerified', 'Url', 'Type')
        $t.Rows.Type | Should -Be @('Ssh', 'GitLab', 'GitHubEnterpriseApp')
        $t.Rows[0].Url | Should -Be 'git@github.com:acme-corp/billing-service.git'
        $t.Rows[1].Url | Should -Be 'https://gitlab.example.com/acme/frontends/billing-ui.git'
        $t.Rows[1].LastVerified | Should -Be '2026-11-30'
    }
}
