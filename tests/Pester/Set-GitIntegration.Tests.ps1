BeforeDiscovery {
    # File modes, umask and a second local user are Unix matters.
    $NotUnix = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # An empty argument reaches native commands only from PowerShell 7.3 on; before, it had to be written '""'.
    $script:NoPassphrase = if ($PSVersionTable.PSVersion -ge [version]'7.3') { '' } else { '""' }
    $pem = Join-Path $TestDrive 'jira_rsa'
    $openssh = Join-Path $TestDrive 'id_ed25519'
    ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f $pem
    ssh-keygen -q -t ed25519 -N $NoPassphrase -f $openssh
}

Describe 'Set-GitIntegration' {
    BeforeEach {
        # A store of each test's own, with one integration: no test depends on what another changed.
        $store = Join-Path (Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))) 'integrations.yaml'
        [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' } |
            Import-GitIntegration -StorePath $store -ErrorAction Stop | Out-Null
    }

    It 'replaces the private key with one the integration accepts' {
        $i = Set-GitIntegration billing -PrivateKeyPath $pem -StorePath $store -PassThru
        $i.PrivateKeyPath | Should -Be $pem
    }

    It 'refuses a key the integration would reject, and takes it with -Force' {
        Set-GitIntegration billing -PrivateKeyPath $pem -StorePath $store -ErrorAction Stop
        Set-GitIntegration billing -PrivateKeyPath $openssh -StorePath $store -ErrorAction SilentlyContinue -ErrorVariable err
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match 'rejected'
        (Get-GitIntegration billing -StorePath $store).PrivateKeyPath | Should -Be $pem
        Set-GitIntegration billing -PrivateKeyPath $openssh -StorePath $store -Force -WarningAction SilentlyContinue
        (Get-GitIntegration billing -StorePath $store).PrivateKeyPath | Should -Be $openssh
    }

    It 'refuses a key protected by a passphrase that is not given, and prints the command that gives it' {
        $locked = Join-Path $TestDrive 'locked rsa'
        New-GitSshKey -Path $locked -Bits 2048 -Passphrase (Secure 'open sesame') | Out-Null
        # Brackets: -Name reads them as wildcards, so the printed command must escape them.
        [pscustomobject]@{ name = 'app [eu]'; origin = 'git@github.com:acme/app.git' } |
            Import-GitIntegration -StorePath $store | Out-Null
        $app = Get-GitIntegration -StorePath $store | Where-Object Name -eq 'app [eu]'
        $before = Get-Content $store -Raw

        $e = { $app | Set-GitIntegration -PrivateKeyPath $locked -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'PassphraseRequired,GitIntegration.SetGitIntegrationCommand' -PassThru
        $e.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $e.Exception.Message |
            Should -BeLike "The key '$locked' would be rejected by the integration 'app ``[eu``]':*passphrase*-Force*"
        Get-Content $store -Raw | Should -Be $before

        $fix = ($e.Exception.Message -split 'store it with its passphrase: ')[1]
        $fix | Should -Be ("Set-GitIntegration -Name 'app ``[eu``]' -PrivateKeyPath '$locked' " +
            '-Passphrase (Read-Host -AsSecureString)')
        Assert-RemedyParameters $fix
        function Read-Host { Secure 'open sesame' }   # what the admin types at the prompt
        Invoke-Expression "$fix -StorePath '$store'"
        $i = Get-GitIntegration -Id $app.Id -StorePath $store
        $i.PrivateKeyPath | Should -Be $locked
        $i.PassphraseRef | Should -Not -BeNullOrEmpty

        # From now on the stored passphrase opens the key: setting it again needs no -Passphrase.
        $app | Set-GitIntegration -PrivateKeyPath $locked -StorePath $store -ErrorAction Stop
    }

    It 'takes a key protected by a passphrase that is not given with -Force, and says so' {
        $locked = Join-Path $TestDrive 'forced_rsa'
        New-GitSshKey -Path $locked -Bits 2048 -Passphrase (Secure 'open sesame') | Out-Null
        [pscustomobject]@{ name = 'forced'; origin = 'git@github.com:acme/forced.git' } |
            Import-GitIntegration -StorePath $store | Out-Null
        Set-GitIntegration forced -PrivateKeyPath $locked -StorePath $store -Force -WarningVariable warned `
            -WarningAction SilentlyContinue
        (Get-GitIntegration forced -StorePath $store).PrivateKeyPath | Should -Be $locked
        "$warned" | Should -BeLike '*protected by a passphrase*set anyway because -Force was given*'
    }

    It 'stores a token as a secret file, never in the YAML' {
        $token = ConvertTo-SecureString 'glpat-SECRET-123' -AsPlainText -Force
        Get-GitIntegration billing -StorePath $store | Set-GitIntegration -Token $token -StorePath $store
        Get-Content $store -Raw | Should -Not -Match 'glpat-SECRET'
        (Get-GitIntegration billing -StorePath $store).TokenRef.File | Should -Not -BeNullOrEmpty
    }

    It 'disables, stops checking the TLS certificate, and renames' {
        (Get-GitIntegration billing -StorePath $store).SslVerify | Should -BeTrue
        Set-GitIntegration billing -Disabled -SkipCertificateCheck -NewName billing-old -StorePath $store
        $i = Get-GitIntegration billing-old -StorePath $store
        $i.Status | Should -Be 'Disabled'
        $i.SslVerify | Should -BeFalse
        Get-Content $store -Raw | Should -Match 'sslVerify: false'
    }

    It 'checks the TLS certificate again with -SkipCertificateCheck:$false, and leaves it alone when not given' {
        Set-GitIntegration billing -Disabled -SkipCertificateCheck -NewName billing-old -StorePath $store -ErrorAction Stop
        Set-GitIntegration billing-old -SkipCertificateCheck:$false -StorePath $store
        (Get-GitIntegration billing-old -StorePath $store).SslVerify | Should -BeTrue
        Set-GitIntegration billing-old -Disabled:$false -StorePath $store
        (Get-GitIntegration billing-old -StorePath $store).SslVerify | Should -BeTrue
        Set-GitIntegration billing-old -SkipCertificateCheck -StorePath $store
        Set-GitIntegration billing-old -Disabled -StorePath $store
        (Get-GitIntegration billing-old -StorePath $store).SslVerify | Should -BeFalse
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
        Set-GitIntegration billing -RepositoryFilter "[?name=='x']" -StorePath $store -WhatIf -ErrorAction Stop
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

Describe 'Set-GitIntegration with integrations piped from Get-GitIntegration' {
    It 'names the integration it could not change in the error and its TargetObject, and changes the others' {
        $piped = Join-Path $TestDrive 'piped/integrations.yaml'
        @(
            [pscustomobject]@{ name = 'web'; origin = 'git@github.com:acme/web.git' }
            [pscustomobject]@{ name = 'acme-app'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'
                privateKey = (Get-Content $pem -Raw); 'property.appId' = '1' }
            [pscustomobject]@{ name = 'api'; origin = 'git@github.com:acme/api.git' }
        ) | Import-GitIntegration -StorePath $piped | Out-Null
        $changed = Get-GitIntegration -StorePath $piped | Set-GitIntegration -PrivateKeyPath $pem -StorePath $piped -PassThru `
            -ErrorVariable err -ErrorAction SilentlyContinue
        ($changed.Name | Sort-Object) | Should -Be @('api', 'web')
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'GitHubAppKeyChangeNeedsGitHub,GitIntegration.SetGitIntegrationCommand'
        $err[0].TargetObject | Should -Be 'acme-app'
        $err[0].Exception.Message | Should -BeLike "*'acme-app'*Update-GitHubAppKey*"
    }
}

Describe 'Set-GitIntegration on a machine shared with other users' -Skip:$NotUnix {
    It 'keeps the store, its secrets folder and secret files owner-only from the start (umask <Umask>)' -TestCases @(
        @{ Umask = '000' }, @{ Umask = '022' }
    ) {
        # 0755: others may look in, as in /srv or /opt.
        New-Item -ItemType Directory (Join-Path $TestDrive "shared-$Umask") | Out-Null
        $dir = Join-Path $TestDrive "shared-$Umask/gi"
        $session = Invoke-AdminSession -Umask $Umask -Trace -Script @"
[pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' } |
    Import-GitIntegration -StorePath '$dir' | Out-Null
Set-GitIntegration billing -Token (Secure 'glpat-SECRET-123') -Passphrase (Secure 'key pass') -StorePath '$dir'
"@
        $session.ExitCode | Should -Be 0 -Because $session.Errors

        # The attacks: an integrations.yaml that points at the attacker's host and key, a planted or read secret.
        $swap = 'echo "integrations: []" > "$1/evil" && mv -f "$1/evil" "$1/integrations.yaml"'
        Invoke-AsAttacker $swap $dir | Should -BeFalse
        Invoke-AsAttacker 'echo x > "$1/secrets/evil.secret"' $dir | Should -BeFalse
        Invoke-AsAttacker 'cat "$1"/secrets/*' $dir | Should -BeFalse
        (Get-GitIntegration billing -StorePath $dir).TokenRef | Should -Not -BeNullOrEmpty

        $created = @($session.Created | Where-Object Path -like "$dir*")
        $folders = @($created | Where-Object Call -like 'mkdir*')
        $folders.Path | Sort-Object | Should -Be @($dir, "$dir/integrations.yaml.queue", "$dir/secrets")
        $folders.Mode | Select-Object -Unique | Should -Be '700'
        # The lock file and the queue's tickets hold no secret, and their folder keeps others out.
        $files = @($created | Where-Object { $_.Call -notlike 'mkdir*' -and $_.Path -notmatch '\.lock$|\.queue/' })
        $files.Count | Should -BeGreaterThan 3
        $files | Where-Object { $_.Mode -ne '600' -or -not $_.Exclusive } | Should -BeNullOrEmpty
    }

    It 'writes nothing into a store folder other users can write' {
        $dir = Join-Path $TestDrive 'loose'
        $row = [pscustomobject]@{ name = 'billing'; origin = 'git@github.com:acme/billing.git' }
        $row | Import-GitIntegration -StorePath $dir | Out-Null
        chmod 777 $dir
        $before = Get-Content "$dir/integrations.yaml" -Raw
        { Set-GitIntegration billing -Token (Secure 'glpat-SECRET-123') -StorePath $dir -ErrorAction Stop } |
            Should -Throw -ErrorId 'StoreFolderNotPrivate,GitIntegration.SetGitIntegrationCommand'
        Get-Content "$dir/integrations.yaml" -Raw | Should -Be $before
        Test-Path "$dir/secrets" | Should -BeFalse
    }
}

Describe 'Set-GitIntegration on an HTTPS repository whose server has its own certificate' {
    BeforeAll {
        . $PSScriptRoot/LoopbackHttps.ps1
        $script:web = Start-LoopbackHttps (Join-Path $TestDrive 'https') 'svc-jira' 'glpat-set-token'
        New-LoopbackHttpsRepository $web ops
        $script:webStore = Join-Path $TestDrive 'web.yaml'
        $script:thumbprint = Get-LoopbackHttpsThumbprint $web
        $login = [pscredential]::new('svc-jira', (Secure 'glpat-set-token'))
        # Stored as Failed: the certificate is not trusted yet.
        $url = "https://127.0.0.1:$($web.Port)/ops.git"
        Connect-GitRepository $url -Name ops -Credential $login -Force -StorePath $webStore `
            -WarningAction SilentlyContinue | Out-Null
    }
    AfterAll {
        if ($web) { Stop-LoopbackHttps $web }
    }

    It 'trusts the certificate by thumbprint for the next Test-GitIntegration, and forgets it with an empty list' {
        (Test-GitIntegration ops -StorePath $webStore).Reason | Should -Be 'CertificateInvalid'
        Set-GitIntegration ops -TrustedCertificateThumbprint $thumbprint -StorePath $webStore
        (Get-GitIntegration ops -StorePath $webStore).Properties.TrustedCertificateThumbprint |
            Should -Be ($thumbprint -replace ':', '')
        $r = Test-GitIntegration ops -StorePath $webStore
        $r.Reason | Should -Be 'None'
        (Get-GitIntegration ops -StorePath $webStore).Status | Should -Be 'Connected'
        Set-GitIntegration ops -TrustedCertificateThumbprint @() -StorePath $webStore
        (Test-GitIntegration ops -StorePath $webStore).Reason | Should -Be 'CertificateInvalid'
    }

    It 'refuses a malformed thumbprint before changing anything' {
        { Set-GitIntegration ops -TrustedCertificateThumbprint 'not-hex' -StorePath $webStore -ErrorAction Stop } |
            Should -Throw -ErrorId 'CertificateThumbprintInvalid,GitIntegration.SetGitIntegrationCommand'
        (Get-GitIntegration ops -StorePath $webStore).Properties.TrustedCertificateThumbprint | Should -BeNullOrEmpty
    }

    It 'lets the token go to an http:// URL only after -AllowUnencryptedAuthentication' {
        $plain = "http://127.0.0.1:$($web.HttpPort)/ops.git"
        $login = [pscredential]::new('svc-jira', (Secure 'glpat-set-token'))
        Connect-GitRepository $plain -Name plain -Credential $login -AllowUnencryptedAuthentication `
            -StorePath $webStore | Out-Null
        Set-GitIntegration plain -AllowUnencryptedAuthentication:$false -StorePath $webStore
        Test-GitIntegration plain -StorePath $webStore -ErrorVariable err -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnencryptedAuthenticationRefused,*'
        Set-GitIntegration plain -AllowUnencryptedAuthentication -StorePath $webStore
        (Test-GitIntegration plain -StorePath $webStore).Success | Should -BeTrue
    }
}
