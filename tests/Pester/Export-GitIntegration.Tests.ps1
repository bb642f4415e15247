BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # An empty argument reaches native commands only from PowerShell 7.3 on; before, it had to be written '""'.
    $script:NoPassphrase = if ($PSVersionTable.PSVersion -ge [version]'7.3') { '' } else { '""' }
    $store = Join-Path $TestDrive 'src/integrations.yaml'
    $pem = Join-Path $TestDrive 'jira_rsa'
    ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $pem
    @(
        [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git'; privateKeyPath = $pem; token = 'glpat-XYZ' }
        [pscustomobject]@{ name = 'web'; origin = 'https://gitlab.com/acme/web.git'; 'property.appId' = '42' }
    ) | Import-GitIntegration -StorePath $store | Out-Null
}

Describe 'Export-GitIntegration' {
    It 'lets no secret leave without -IncludeSecrets (<Format>)' -TestCases @(
        @{ Format = 'Tsv' }, @{ Format = 'Csv' }, @{ Format = 'Yaml' }, @{ Format = 'Json' }
    ) {
        $file = Export-GitIntegration (Join-Path $TestDrive "plain.$Format") -StorePath $store
        $text = Get-Content $file -Raw
        $text | Should -Not -Match 'glpat-XYZ'
        $text | Should -Not -Match 'PRIVATE KEY'
        $text | Should -Match 'billing'
    }

    It 'writes one file with the integrations the pipeline gives it' {
        $file = Get-GitIntegration -StorePath $store | Where-Object Name -eq 'web' |
            Export-GitIntegration (Join-Path $TestDrive 'piped.csv') -StorePath $store
        @($file).Count | Should -Be 1
        (Import-Csv $file.FullName).name | Should -Be @('web')
        $file = Get-GitIntegration -StorePath $store |
            Export-GitIntegration (Join-Path $TestDrive 'all.csv') -StorePath $store
        (Import-Csv $file.FullName).name | Should -Be @('billing', 'web')
    }

    It 'inlines the key as quoted multi-line PEM with -IncludeSecrets, in an owner-only file' {
        $file = Export-GitIntegration (Join-Path $TestDrive 'full.tsv') -IncludeSecrets -StorePath $store
        $text = Get-Content $file -Raw
        $text | Should -Match '"-----BEGIN RSA PRIVATE KEY-----\r?\n'
        $text | Should -Match 'glpat-XYZ'
        Test-OwnerOnly $file.FullName | Should -BeTrue
    }

    It 'writes nothing with -WhatIf, not even over an existing file' {
        $target = Join-Path $TestDrive 'whatif.tsv'
        Export-GitIntegration $target -StorePath $store -WhatIf -ErrorAction Stop | Should -BeNullOrEmpty
        Test-Path $target | Should -BeFalse
        Set-Content $target 'kept'
        Export-GitIntegration $target -IncludeSecrets -Force -WhatIf -ErrorAction Stop -StorePath $store
        Get-Content -Raw $target | Should -Be "kept$([Environment]::NewLine)"
    }

    It 'returns the written file as Get-Item does, shown with its size' {
        # A bigger file in the way: the size shown is the one written, not the one replaced.
        Set-Content (Join-Path $TestDrive 'shown.tsv') ('x' * 20000)
        $file = Export-GitIntegration (Join-Path $TestDrive 'shown.tsv') -StorePath $store -Force
        $file.PSPath | Should -Not -BeNullOrEmpty
        $file.Length | Should -BeGreaterThan 0
        $file.Length | Should -Be (Get-Item $file.FullName).Length
        $file.Length | Should -BeLessThan 20000
        $file | Out-String | Should -Match "\b$($file.Length) shown\.tsv"
    }

    It 'round-trips every format into an empty store' -TestCases @(
        @{ Format = 'Tsv' }, @{ Format = 'Csv' }, @{ Format = 'Yaml' }, @{ Format = 'Json' }
    ) {
        $file = Export-GitIntegration (Join-Path $TestDrive "rt.$Format") -IncludeSecrets -StorePath $store -Force
        $dst = Join-Path $TestDrive "dst-$Format/integrations.yaml"
        (Import-GitIntegration $file -StorePath $dst).Action | Should -Be @('Created', 'Created')
        $a = Get-GitIntegration -StorePath $store | Select-Object Id, Name, Type, Url, SslVerify, Status
        $b = Get-GitIntegration -StorePath $dst | Select-Object Id, Name, Type, Url, SslVerify, Status
        ($b | ConvertTo-Json) | Should -Be ($a | ConvertTo-Json)
        (Get-GitIntegration web -StorePath $dst).Properties['appId'] | Should -Be '42'
    }

    It 'writes JSON as the admin typed it: plus signs, angle brackets, ampersands and accents unescaped, still valid JSON' {
        $own = Join-Path $TestDrive 'readable/integrations.yaml'
        # ü as a code point: Windows PowerShell reads a .ps1 without BOM as ANSI.
        $name = 'C++ <tools> & Z' + [char]0xFC + 'rich''s "main" \ repo'
        [pscustomobject]@{ name = $name; origin = 'https://git.example.com/c++/tools.git' } |
            Import-GitIntegration -StorePath $own | Out-Null
        Set-GitIntegration -Name 'C++*' -RepositoryFilter '[?!archived && size < `1000000`]' -StorePath $own
        $file = Export-GitIntegration (Join-Path $TestDrive 'readable.json') -Format Json -StorePath $own
        $text = Get-Content $file -Raw -Encoding UTF8
        $text.Contains('"C++ <tools> & Z' + [char]0xFC + 'rich''s \"main\" \\ repo"') | Should -BeTrue
        $text.Contains('"https://git.example.com/c++/tools.git"') | Should -BeTrue
        $text.Contains('"[?!archived && size < `1000000`]"') | Should -BeTrue
        $text | Should -Not -Match '\\u[0-9A-F]{4}'
        $row = $text | ConvertFrom-Json
        $row.name | Should -Be $name
        (Import-GitIntegration $file -StorePath (Join-Path $TestDrive 'readable-copy/integrations.yaml')).Action |
            Should -Be 'Created'
        (Get-GitIntegration -StorePath (Join-Path $TestDrive 'readable-copy/integrations.yaml')).Name | Should -Be $name
    }

    It 'refuses to overwrite a file without -Force' {
        $f = Join-Path $TestDrive 'exists.csv'
        Set-Content $f 'x'
        { Export-GitIntegration $f -StorePath $store } | Should -Throw
        Get-Content $f | Should -Be 'x'
    }
}

Describe 'Export-GitIntegration of GitHub App integrations' {
    BeforeAll {
        $script:appStore = Join-Path $TestDrive 'apps/integrations.yaml'
        $script:appPem = Join-Path $TestDrive 'gha.pem'
        ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $appPem
        [pscustomobject]@{
            name = 'acme-gha'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'; status = 'Active'
            repositoryFilter = "[?!archived]"; privateKey = (Get-Content $appPem -Raw); webhookSecret = 'whsec-0123456789'
            'property.appId' = '123456'; 'property.clientId' = 'Iv23liAbCdEf'; 'property.appSlug' = 'jira-git-acme'; 'property.installationId' = '987654'
        } | Import-GitIntegration -StorePath $appStore | Out-Null
    }

    It 'keeps the app''s key and webhook secret out of the store file' {
        $yaml = Get-Content $appStore -Raw
        $yaml | Should -Not -Match 'PRIVATE KEY'
        $yaml | Should -Not -Match 'whsec-0123456789'
    }

    It 'carries the app without its secrets (<Format>)' -TestCases @(
        @{ Format = 'Tsv' }, @{ Format = 'Csv' }, @{ Format = 'Yaml' }, @{ Format = 'Json' }
    ) {
        $text = Get-Content (Export-GitIntegration (Join-Path $TestDrive "app-plain.$Format") -StorePath $appStore) -Raw
        $text | Should -Not -Match 'PRIVATE KEY'
        $text | Should -Not -Match 'whsec-0123456789'
        foreach ($v in '123456', 'Iv23liAbCdEf', 'jira-git-acme', '987654', 'acme', 'Active', '\[\?!archived\]') { $text | Should -Match $v }
    }

    It 'carries the PEM and webhook secret with -IncludeSecrets and round-trips them into an empty store (<Format>)' -TestCases @(
        @{ Format = 'Tsv' }, @{ Format = 'Csv' }, @{ Format = 'Yaml' }, @{ Format = 'Json' }
    ) {
        $file = Export-GitIntegration (Join-Path $TestDrive "app-full.$Format") -IncludeSecrets -StorePath $appStore
        $text = Get-Content $file -Raw
        $text | Should -Match 'BEGIN RSA PRIVATE KEY'
        $text | Should -Match 'whsec-0123456789'
        $dst = Join-Path $TestDrive "app-dst-$Format/integrations.yaml"
        (Import-GitIntegration $file -StorePath $dst).Action | Should -Be 'Created'
        $a = Get-GitIntegration acme-gha -StorePath $appStore
        $b = Get-GitIntegration acme-gha -StorePath $dst
        ($b | Select-Object Id, Name, Type, Url, Organization, Status, RepositoryFilter | ConvertTo-Json) |
            Should -Be ($a | Select-Object Id, Name, Type, Url, Organization, Status, RepositoryFilter | ConvertTo-Json)
        ($b.Properties | ConvertTo-Json) | Should -Be ($a.Properties | ConvertTo-Json)
        (Get-Content $b.PrivateKeyPath -Raw).Trim() | Should -Be (Get-Content $appPem -Raw).Trim()
        Get-Content $dst -Raw | Should -Not -Match 'whsec-0123456789'
    }
}

Describe 'Export-GitIntegration -IncludeSecrets on a machine shared with other users' -Skip:$NotUnix {
    It 'writes the export owner-only from its first instant, in an owner-only folder (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        $dir = Join-Path $TestDrive "export-$Umask"
        $export = "Export-GitIntegration '$dir/full.tsv' -IncludeSecrets -StorePath '$store' | Out-Null"
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script $export
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        $created = @($session.Created | Where-Object Path -like "$dir*")
        $created | Where-Object Call -like 'mkdir*' | Select-Object -ExpandProperty Path | Should -Be $dir
        $created | Where-Object Call -like 'mkdir*' | Select-Object -ExpandProperty Mode | Should -Be '700'
        $files = @($created | Where-Object Call -notlike 'mkdir*')
        $files | Should -Not -BeNullOrEmpty
        $files | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
        Get-Content "$dir/full.tsv" -Raw | Should -Match 'glpat-XYZ'
        Invoke-AsAttacker 'cat "$1"' "$dir/full.tsv" | Should -BeFalse
    }
}
