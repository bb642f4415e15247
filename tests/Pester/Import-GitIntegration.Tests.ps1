BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # An empty argument reaches native commands only from PowerShell 7.3 on; before, it had to be written '""'.
    $script:NoPassphrase = if ($PSVersionTable.PSVersion -ge [version]'7.3') { '' } else { '""' }
}

Describe 'Import-GitIntegration' {
    BeforeEach {
        $store = Join-Path $TestDrive ("s{0}/integrations.yaml" -f (Get-Random))
    }

    It 'imports the integration TSV layout with a quoted multi-line PEM and CRLF' {
        $pem = Join-Path $TestDrive 'jira_rsa'
        if (-not (Test-Path $pem)) { ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $pem }
        $key = (Get-Content $pem -Raw).Trim() -replace "`r?`n", "`r`n"
        $tsv = Join-Path $TestDrive 'repos.tsv'
        [IO.File]::WriteAllText($tsv, "id`trealRoot`torigin`tprivateKey`r`n`t`tgit@github.com:acme/billing.git`t""$key""`r`n`t`tgit@github.com:acme/web.git`t`r`n")
        $r = Import-GitIntegration $tsv -StorePath $store
        $r.Action | Should -Be @('Created', 'Created')
        $r.Row | Should -Be @(1, 2)
        (Get-GitIntegration billing -StorePath $store).PrivateKeyPath | Should -Exist
    }

    It 'reads an Excel CSV with a BOM and semicolons' {
        $csv = Join-Path $TestDrive 'excel.csv'
        [IO.File]::WriteAllText($csv, "name;origin;sslVerify`r`nAcme;https://git.acme.test/a.git;FALSE`r`n", [Text.UTF8Encoding]::new($true))
        (Import-GitIntegration $csv -StorePath $store).Action | Should -Be 'Created'
        (Get-GitIntegration Acme -StorePath $store).SslVerify | Should -BeFalse
    }

    It 'takes Import-Csv objects from the pipeline and changes nothing on a second run' {
        $csv = Join-Path $TestDrive 'repos.csv'
        @([pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'a' }, [pscustomobject]@{ origin = 'git@h:o/b.git'; name = 'b' }) | Export-Csv $csv -NoTypeInformation
        (Import-Csv $csv | Import-GitIntegration -StorePath $store).Action | Should -Be @('Created', 'Created')
        $before = Get-Content $store -Raw
        (Import-Csv $csv | Import-GitIntegration -StorePath $store -Update).Action | Should -Be @('Unchanged', 'Unchanged')
        Get-Content $store -Raw | Should -Be $before
    }

    It 'reports a bad row as a non-terminating error with its row number and imports the rest' {
        $rows = @(
            [pscustomobject]@{ origin = 'git@h:o/ok.git' }
            [pscustomobject]@{ origin = ''; name = 'missing-origin' }
            [pscustomobject]@{ origin = 'git@h:o/ok2.git'; type = 'Svn' }
            [pscustomobject]@{ origin = 'git@h:o/ok3.git' }
        )
        $r = $rows | Import-GitIntegration -StorePath $store -ErrorAction SilentlyContinue -ErrorVariable err
        $r.Action | Should -Be @('Created', 'Failed', 'Failed', 'Created')
        $err.Count | Should -Be 2
        $err[0].Exception.Message | Should -BeLike 'Row 2:*origin*'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportRowInvalid*'
        (Get-GitIntegration -StorePath $store).Count | Should -Be 2
    }

    It 'refuses a YAML file whose aliases would expand it to gigabytes, naming the file, and imports nothing' {
        # One 1 MB value aliased 3,000 times: 1.2 MB on disk, 3 GB of integrations once the aliases are written out.
        $yaml = Join-Path $TestDrive 'bomb.yaml'
        $text = [Text.StringBuilder]::new()
        $null = $text.Append("- origin: ssh://git@example.com/r0.git`n  name: &big """).Append('x', 1MB).Append("""`n")
        foreach ($n in 1..3000) { $null = $text.Append("- origin: ssh://git@example.com/r$n.git`n  name: *big`n") }
        [IO.File]::WriteAllText($yaml, $text.ToString())
        $err = { Import-GitIntegration $yaml -StorePath $store } |
            Should -Throw -ErrorId 'ImportAliasesTooLarge,GitIntegration.ImportGitIntegrationCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err.TargetObject | Should -Be $yaml
        $err.Exception.Message | Should -BeLike "'$yaml' cannot be imported: its YAML aliases*Nothing was imported."
        $store | Should -Not -Exist
    }

    It 'reads YAML aliases that repeat a little, as written out' {
        $yaml = Join-Path $TestDrive 'shared.yaml'
        $lines = '- origin: git@github.com:acme/a.git', '  organization: &org acme', '  properties: &team {team: web}',
            '- origin: git@github.com:acme/b.git', '  organization: *org', '  properties: *team'
        Set-Content -Path $yaml -Value $lines
        (Import-GitIntegration $yaml -StorePath $store).Action | Should -Be @('Created', 'Created')
        $b = Get-GitIntegration b -StorePath $store
        $b.Organization | Should -Be 'acme'
        $b.Properties['team'] | Should -Be 'web'
    }

    It 'imports nothing with -Atomic when a row fails' {
        $rows = [pscustomobject]@{ origin = 'git@h:o/ok.git' }, [pscustomobject]@{ name = 'no-origin' }
        $rows | Import-GitIntegration -StorePath $store -Atomic -ErrorAction SilentlyContinue | Out-Null
        Get-GitIntegration -StorePath $store -ErrorAction Stop | Should -BeNullOrEmpty
    }

    It 'skips a changed existing integration unless -Update' {
        [pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'a' } | Import-GitIntegration -StorePath $store | Out-Null
        ([pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'renamed' } | Import-GitIntegration -StorePath $store).Action | Should -Be 'Skipped'
        ([pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'renamed' } | Import-GitIntegration -StorePath $store -Update).Action | Should -Be 'Updated'
        (Get-GitIntegration -StorePath $store).Name | Should -Be 'renamed'
    }

    It 'applies two -Update rows for one repository in order' {
        [pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'a' } | Import-GitIntegration -StorePath $store | Out-Null
        $rows = @(
            [pscustomobject]@{ origin = 'git@h:o/a.git'; name = 'website' },
            [pscustomobject]@{ origin = 'git@h:o/a.git'; organization = 'acme' }
        )
        $r = $rows | Import-GitIntegration -StorePath $store -Update -ErrorAction Stop
        $r.Action | Should -Be @('Updated', 'Updated')
        $i = Get-GitIntegration -StorePath $store -ErrorAction Stop
        $i.Name | Should -Be 'website'
        $i.Organization | Should -Be 'acme'
    }

    It 'reads a semicolon CSV that starts with blank lines' {
        $csv = Join-Path $TestDrive 'blank-first.csv'
        [IO.File]::WriteAllText($csv, "`r`n`r`nname;origin`r`nAcme;git@h:o/a.git`r`n")
        (Import-GitIntegration $csv -StorePath $store -ErrorAction Stop).Action | Should -Be 'Created'
        (Get-GitIntegration Acme -StorePath $store -ErrorAction Stop).Url | Should -Be 'git@h:o/a.git'
    }

    It 'writes nothing with -WhatIf but still reports what it would do' {
        $r = [pscustomobject]@{ origin = 'git@h:o/a.git' } | Import-GitIntegration -StorePath $store -WhatIf
        $r.Action | Should -Be 'WouldCreate'
        Test-Path $store | Should -BeFalse
    }

    It 'replaces a GitHub App''s PEM key by re-importing its exported TSV with the re-issued key pasted in (the seed''s way)' {
        $old = Join-Path $TestDrive 'gha-old.pem'; $new = Join-Path $TestDrive 'gha-new.pem'
        foreach ($k in $old, $new) { if (-not (Test-Path $k)) { ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $k } }
        [pscustomobject]@{
            name = 'acme-gha'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'; status = 'Active'
            'property.appId' = '123456'; 'property.installationId' = '987654'; privateKey = Get-Content $old -Raw; webhookSecret = 'whsec-keep'
        } | Import-GitIntegration -StorePath $store | Out-Null
        $before = Get-GitIntegration acme-gha -StorePath $store
        $tsv = Export-GitIntegration (Join-Path $TestDrive ("gha{0}.tsv" -f (Get-Random))) -IncludeSecrets -StorePath $store
        $text = (Get-Content $tsv -Raw).Replace((Get-Content $old -Raw).Trim(), (Get-Content $new -Raw).Trim())
        [IO.File]::WriteAllText($tsv, $text)

        (Import-GitIntegration $tsv -StorePath $store -ErrorAction SilentlyContinue).Action | Should -Be 'Skipped'
        $r = Import-GitIntegration $tsv -Update -StorePath $store
        $r.Action | Should -Be 'Updated'
        $after = Get-GitIntegration acme-gha -StorePath $store
        $after.Id | Should -Be $before.Id
        (Get-Content $after.PrivateKeyPath -Raw).Trim() | Should -Be (Get-Content $new -Raw).Trim()
        $before.PrivateKeyPath | Should -Not -Exist
        $after.WebhookSecretRef.File | Should -Be $before.WebhookSecretRef.File
        (Import-GitIntegration $tsv -Update -StorePath $store).Action | Should -Be 'Unchanged'
    }

    It 'refuses a corrupted app PEM row by row' {
        $k = Join-Path $TestDrive 'gha-old.pem'
        if (-not (Test-Path $k)) { ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $k }
        $lines = Get-Content $k
        $lines[3] = '@@@@' + $lines[3].Substring(4)
        $r = @(
            [pscustomobject]@{ name = 'broken-gha'; type = 'GitHubApp'; origin = 'https://github.com/broken'; 'property.appId' = '1'; privateKey = $lines -join "`n" }
            [pscustomobject]@{ name = 'fine'; origin = 'git@github.com:acme/fine.git' }
        ) | Import-GitIntegration -StorePath $store -ErrorVariable e -ErrorAction SilentlyContinue
        $r.Action | Should -Be @('Failed', 'Created')
        $e[0].FullyQualifiedErrorId | Should -Be 'ImportKeyRejected,GitIntegration.ImportGitIntegrationCommand'
    }
}

Describe 'Import-GitIntegration of repositories on a git host, with -Verify' {
    BeforeAll {
        . $PSScriptRoot/LoopbackSshd.ps1
        $script:root = (Resolve-Path TestDrive:/).ProviderPath.TrimEnd('/')
        $script:keys = "$root/verify-keys"
        New-Item -ItemType Directory $keys | Out-Null
        New-GitSshKey -Path "$keys/jira_rsa" -Bits 2048 | Out-Null
        New-GitSshKey -Path "$keys/locked_rsa" -Bits 2048 -Passphrase (Secure 'right') | Out-Null
        New-GitSshKey -Path "$keys/openssh_rsa" -Bits 2048 -Format OpenSsh | Out-Null
        $server = Start-LoopbackSshd "$root/sshd" (Get-Content "$keys/jira_rsa.pub", "$keys/openssh_rsa.pub")
        $script:sshd = $server.Process
        $script:hostUrl = "ssh://git@127.0.0.1:$($server.Port)$root/sshd/repos"
        New-LoopbackRepository "$root/sshd" good

        # The admin's sheet: a good row, a repository that does not exist, an OpenSSH-format key (as a path and pasted),
        # a wrong passphrase, a key file that is not there.
        $script:sheet = "$root/repos.tsv"
        @(
            [pscustomobject]@{ name = 'good'; origin = "$hostUrl/good.git"; privateKeyPath = "$keys/jira_rsa"; passphrase = ''; privateKey = '' }
            [pscustomobject]@{ name = 'absent'; origin = "$hostUrl/absent.git"; privateKeyPath = "$keys/jira_rsa"; passphrase = ''; privateKey = '' }
            [pscustomobject]@{ name = 'openssh'; origin = "$hostUrl/good.git"; privateKeyPath = "$keys/openssh_rsa"; passphrase = ''; privateKey = '' }
            [pscustomobject]@{ name = 'pasted'; origin = "$hostUrl/pasted.git"; privateKeyPath = ''; passphrase = ''
                privateKey = Get-Content "$keys/openssh_rsa" -Raw }
            [pscustomobject]@{ name = 'locked'; origin = "$hostUrl/locked.git"; privateKeyPath = "$keys/locked_rsa"; passphrase = 'wrong'; privateKey = '' }
            [pscustomobject]@{ name = 'nokey'; origin = "$hostUrl/nokey.git"; privateKeyPath = "$keys/not-there"; passphrase = ''; privateKey = '' }
        ) | Export-Csv $sheet -Delimiter "`t" -NoTypeInformation

        # Per row: Action, Status, Reason.
        $script:Failures = @(
            @{ Row = 3; Reason = 'OpenSshFormat'; Says = "privateKeyPath '$keys/openssh_rsa'*OpenSSH format*Convert-GitSshKey -Path '$keys/openssh_rsa' -Format Pem" }
            @{ Row = 4; Reason = 'OpenSshFormat'; Says = 'privateKey *OpenSSH format*' }
            @{ Row = 5; Reason = 'WrongPassphrase'; Says = "privateKeyPath '$keys/locked_rsa'*passphrase does not open*" }
            @{ Row = 6; Reason = 'KeyFileNotFound'; Says = "privateKeyPath '$keys/not-there'*There is no file*" }
        )
        function script:Assert-RowFailures($Results, $Errors) {
            foreach ($f in $Failures) {
                $r = $Results[$f.Row - 1]
                $r.Action | Should -Be 'Failed'
                $r.Status | Should -BeNullOrEmpty
                $r.Reason | Should -Be $f.Reason
                $e = @($Errors | Where-Object TargetObject -eq "$sheet row $($f.Row)")
                $e.Count | Should -Be 1 -Because "row $($f.Row) fails once"
                $e[0].FullyQualifiedErrorId | Should -Be 'ImportKeyRejected,GitIntegration.ImportGitIntegrationCommand'
                $e[0].Exception.Message | Should -BeLike "Row $($f.Row): $($f.Says)*"
            }
        }
    }
    AfterAll {
        if ($sshd) { Stop-Process -Id $sshd.Id -Force }
    }

    It 'checks every key and passphrase, fails those rows with their reason, and records the others as Unverified' {
        $store = "$root/plain/integrations.yaml"
        $r = Import-GitIntegration $sheet -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Row | Should -Be @(1, 2, 3, 4, 5, 6)
        $r.Action | Should -Be @('Created', 'Created', 'Failed', 'Failed', 'Failed', 'Failed')
        $r[0].Status | Should -Be 'Unverified'
        $r[1].Status | Should -Be 'Unverified'
        $err.Count | Should -Be 4
        Assert-RowFailures $r $err
        $stored = Get-GitIntegration -StorePath $store | Sort-Object Name
        $stored.Name | Should -Be @('absent', 'good')
        $stored.Status | Should -Be @('Unverified', 'Unverified')
        (Get-GitIntegration -StorePath $store -Status Connected) | Should -BeNullOrEmpty
    }

    It 'with -Verify, checks each imported row the way Connect-GitRepository does and records Connected or Failed' {
        $store = "$root/verified/integrations.yaml"
        $r = Import-GitIntegration $sheet -StorePath $store -Verify -AcceptNewHostKey -ThrottleLimit 2 `
            -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Action | Should -Be @('Created', 'Created', 'Failed', 'Failed', 'Failed', 'Failed')
        $r[0].Status | Should -Be 'Connected'
        $r[0].Reason | Should -BeNullOrEmpty
        $r[1].Status | Should -Be 'Failed'
        $r[1].Reason | Should -Be 'RepositoryNotFound'
        $r[1].Error | Should -BeLike 'Row 2: *'
        $err.Count | Should -Be 5
        Assert-RowFailures $r $err
        $absent = @($err | Where-Object TargetObject -eq "$sheet row 2")
        $absent.Count | Should -Be 1
        $absent[0].FullyQualifiedErrorId | Should -Be 'RepositoryNotFound,GitIntegration.ImportGitIntegrationCommand'
        (Get-GitIntegration good -StorePath $store).Status | Should -Be 'Connected'
        (Get-GitIntegration good -StorePath $store).Properties['DefaultBranch'] | Should -Be 'main'
        (Get-GitIntegration absent -StorePath $store).Status | Should -Be 'Failed'

        # Verifying the same sheet again changes no row and checks them again.
        $again = Import-GitIntegration $sheet -StorePath $store -Verify -ErrorAction SilentlyContinue
        $again[0].Action | Should -Be 'Unchanged'
        $again[0].Status | Should -Be 'Connected'
    }

    It 'under -WhatIf says WouldCreate, still reports the rows that would fail, and writes nothing' {
        $store = "$root/whatif/integrations.yaml"
        $r = Import-GitIntegration $sheet -StorePath $store -Verify -WhatIf -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Action | Should -Be @('WouldCreate', 'WouldCreate', 'Failed', 'Failed', 'Failed', 'Failed')
        $r.Action | Should -Not -Contain 'Created'
        Assert-RowFailures $r $err
        "$root/whatif" | Should -Not -Exist
    }

    It 'says WouldUpdate under -WhatIf for a row that would change an integration' {
        $store = "$root/update/integrations.yaml"
        [pscustomobject]@{ name = 'good'; origin = "$hostUrl/good.git" } | Import-GitIntegration -StorePath $store | Out-Null
        $before = Get-Content $store -Raw
        $r = [pscustomobject]@{ name = 'good'; origin = "$hostUrl/good.git"; privateKeyPath = "$keys/jira_rsa" } |
            Import-GitIntegration -StorePath $store -Update -WhatIf
        $r.Action | Should -Be 'WouldUpdate'
        Get-Content $store -Raw | Should -Be $before
    }

    It 'keeps -ThrottleLimit between 1 and 64' {
        { Import-GitIntegration $sheet -StorePath "$root/t/integrations.yaml" -Verify -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { Import-GitIntegration $sheet -StorePath "$root/t/integrations.yaml" -Verify -ThrottleLimit 65 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'names the failing row of Import-Csv objects in the error and its TargetObject, and imports the others' {
        $csv = "$root/piped.csv"
        "name,origin,privateKeyPath`nfirst,$hostUrl/first.git,$keys/jira_rsa`nsecond,$hostUrl/second.git,$keys/openssh_rsa`n" +
            "third,$hostUrl/third.git," | Set-Content $csv
        $store = "$root/piped/integrations.yaml"
        $r = Import-Csv $csv | Import-GitIntegration -StorePath $store -ErrorVariable err -ErrorAction SilentlyContinue
        $r.Action | Should -Be @('Created', 'Failed', 'Created')
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be 'pipeline row 2'
        $err[0].Exception.Message | Should -BeLike "Row 2: privateKeyPath '$keys/openssh_rsa'*"
        (Get-GitIntegration -StorePath $store).Name | Should -Be @('first', 'third')
    }
}

Describe 'Import-GitIntegration on a machine shared with other users' -Skip:$NotUnix {
    It 'writes inline keys, tokens and webhook secrets owner-only from the first instant (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        $dir = Join-Path $TestDrive "import-$Umask"
        New-GitSshKey -Path "$dir-key" -Bits 2048 | Out-Null
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script @"
[pscustomobject]@{
    name = 'acme-app'; origin = 'git@github.com:acme/app.git'; privateKey = (Get-Content '$dir-key' -Raw)
    token = 'ghp_SECRET'; webhookSecret = 'whsec_SECRET'; passphrase = 'key pass'
} | Import-GitIntegration -StorePath '$dir' | Out-Null
"@
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        $created = @($session.Created | Where-Object Path -like "$dir/*")
        $folders = @($created | Where-Object Call -like 'mkdir*')
        $folders.Path | Sort-Object | Should -Be @("$dir/integrations.yaml.queue", "$dir/keys", "$dir/secrets")
        $folders.Mode | Select-Object -Unique | Should -Be '700'
        # The lock file and the queue's tickets hold no secret, and their folder keeps others out.
        $files = @($created | Where-Object { $_.Call -notlike 'mkdir*' -and $_.Path -notmatch '\.lock$|\.queue/' })
        @($files | Where-Object Path -like "$dir/secrets/*").Count | Should -BeGreaterOrEqual 3
        @($files | Where-Object Path -like "$dir/keys/*").Count | Should -BeGreaterOrEqual 1
        $files | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
        (Get-GitIntegration acme-app -StorePath $dir).WebhookSecretRef | Should -Not -BeNullOrEmpty
    }
}
