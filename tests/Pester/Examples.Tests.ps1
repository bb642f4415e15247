# The docs run: every Get-Help example of every exported cmdlet, and the README's quick start, run as a user would
# paste them, so that a renamed parameter, a wrong property or a broken example fails CI. Each example runs in a fresh
# pwsh (ExampleSession.ps1) whose ~ is a throwaway home in TestDrive, holding what the examples assume: keys in ~/.ssh,
# repos.csv, a store with the integrations they name, C:\keys, and an SSH server on 127.0.0.1 for the repositories of
# that store. An example passes when it raised no error record at all; where its remarks promise something cheap to
# check (a file written, a key converted, an integration changed), that is checked too.
# Examples that need a real host are not run: $networkOnly lists them with the reason, and tests keep the list true.
# The SSH server is the loopback sshd of LoopbackSshd.ps1 (Linux, as root, with the user 'git'), as in
# Test-GitIntegration.Tests.ps1. C:\ is a PSDrive on TestDrive where the system has no C: drive.
BeforeDiscovery {
    $modulePath = if ($env:GITINTEGRATION_MODULE) { $env:GITINTEGRATION_MODULE }
    else { Join-Path $PSScriptRoot '../../out/GitIntegration' }
    Import-Module $modulePath -Force -ErrorAction Stop

    # Examples that reach a host that is not there in a test run. Needs: what in the example's code needs it, so a
    # renumbered or rewritten example no longer matches its entry.
    $networkOnly = @(
        @{ Example = 'Connect-GitRepository #1'; Needs = 'bitbucket.org'; Reason = 'logs in to bitbucket.org' }
        @{ Example = 'Connect-GitRepository #3'; Needs = 'git.example.com'
            Reason = 'clones over HTTPS from git.example.com, with a token typed into Get-Credential' }
        @{ Example = 'Connect-GitRepository #4'; Needs = 'git.corp.example'
            Reason = 'connects to the internal server git.corp.example with a token from Get-Credential' }
        @{ Example = 'Get-GitHostKey #1'; Needs = 'git.example.com'
            Reason = 'asks git.example.com for its host keys' }
        @{ Example = 'Get-GitHostKey #2'; Needs = 'github.com'; Reason = 'asks github.com for its host keys' }
        @{ Example = 'Get-GitJiraRepository #1'; Needs = 'jira.example.com'; Reason = 'lists the repositories of the Jira at jira.example.com' }
        @{ Example = 'Get-GitJiraRepository #2'; Needs = 'jira.example.com'; Reason = 'lists the repositories of the Jira at jira.example.com' }
        @{ Example = 'Get-GitHubAppInstallation #1'; Needs = 'Get-GitHubAppInstallation'
            Reason = 'asks GitHub (api.github.com) for each app''s installation' }
        @{ Example = 'Get-GitHubAppInstallation #2'; Needs = 'Get-GitHubAppInstallation'
            Reason = 'asks GitHub (api.github.com) for each app''s installation' }
        @{ Example = 'Get-GitHubAppRepository #1'; Needs = 'Get-GitHubAppRepository acme-app'
            Reason = 'lists the installation''s repositories with GitHub''s API' }
        @{ Example = 'Get-GitHubAppRepository #2'; Needs = 'Get-GitHubAppRepository acme-app'
            Reason = 'lists the installation''s repositories with GitHub''s API' }
        @{ Example = 'Get-GitHubAppRepository #3'; Needs = 'Get-GitHubAppRepository acme-app'
            Reason = 'lists the installation''s repositories with GitHub''s API' }
        @{ Example = 'Get-GitHubAppRepository #4'; Needs = 'Get-GitHubAppRepository acme-app'
            Reason = 'lists the installation''s repositories with GitHub''s API' }
        @{ Example = 'Get-GitHubAppRepository #5'; Needs = 'Get-GitHubAppRepository acme-app'
            Reason = 'lists the installation''s repositories with GitHub''s API' }
        @{ Example = 'Import-GitJiraRepository #1'; Needs = 'jira.example.com'; Reason = 'reads the repositories of the Jira at jira.example.com' }
        @{ Example = 'Import-GitJiraRepository #2'; Needs = 'jira.example.com'; Reason = 'reads the repositories of the Jira at jira.example.com' }
        @{ Example = 'Install-GitHubApp #1'; Needs = 'Install-GitHubApp -Organization acme'
            Reason = 'creates an app on github.com and waits for its installation in a browser' }
        @{ Example = 'Install-GitHubApp #2'; Needs = 'https://github.example.com'
            Reason = 'creates an app on the GitHub Enterprise Server github.example.com' }
        @{ Example = 'Install-GitHubApp #3'; Needs = '-AppId 123456'
            Reason = 'GitHub must accept the key for app 123456' }
        @{ Example = 'Install-GitHubApp #4'; Needs = '-NoBrowser'
            Reason = 'creates an app on github.com, opened through an SSH tunnel' }
        @{ Example = 'Publish-GitIntegration #1'; Needs = 'jira.example.com'; Reason = 'adds repositories to the Jira at jira.example.com' }
        @{ Example = 'Publish-GitIntegration #2'; Needs = 'jira.example.com'; Reason = 'lists the repositories of the Jira at jira.example.com' }
        @{ Example = 'Publish-GitIntegration #3'; Needs = 'jira.example.com'; Reason = 'adds repositories to the Jira at jira.example.com' }
        @{ Example = 'Publish-GitSshKey #3'; Needs = 'github.example.com'
            Reason = 'adds a key to an account on the GitHub Enterprise Server github.example.com' }
        @{ Example = 'Publish-GitSshKey #4'; Needs = 'bitbucket.example.com'
            Reason = 'adds a project access key on the Bitbucket Data Center server bitbucket.example.com' }
        @{ Example = 'Resume-GitHubApp #1'; Needs = 'Resume-GitHubApp'; Reason = 'resumes the installation on GitHub' }
        @{ Example = 'Resume-GitHubApp #2'; Needs = 'Resume-GitHubApp'
            Reason = 'resumes the installations on GitHub' }
        @{ Example = 'Suspend-GitHubApp #1'; Needs = 'Suspend-GitHubApp'
            Reason = 'suspends the installation on GitHub' }
        @{ Example = 'Suspend-GitHubApp #2'; Needs = 'Suspend-GitHubApp'
            Reason = 'suspends the installations on GitHub' }
        @{ Example = 'Test-GitIntegration #1'; Needs = 'Test-GitIntegration |'
            Reason = 'verifies every integration of the store: apps with GitHub, repositories on bitbucket.org' }
        @{ Example = 'Test-GitIntegration #3'; Needs = '-Type GitHubApp'
            Reason = 'asks GitHub whether the apps stuck in Installing were installed' }
        @{ Example = 'Test-GitSshKey #3'; Needs = 'bitbucket.org'; Reason = 'logs in to bitbucket.org' }
        @{ Example = 'Test-GitSshKey #4'; Needs = 'git.example.com'; Reason = 'logs in to git.example.com' }
        @{ Example = 'Update-GitHubAppKey #1'; Needs = 'Update-GitHubAppKey'
            Reason = 'GitHub must accept the new key before it is stored' }
        @{ Example = 'Update-GitHubAppKey #2'; Needs = 'Update-GitHubAppKey'
            Reason = 'GitHub must accept the new key before it is stored' }
        @{ Example = 'Update-GitIntegrationKey #1'; Needs = 'Update-GitIntegrationKey -Name billing'
            Reason = 'publishes new keys on the git hosts of the billing and payments repositories' }
        @{ Example = 'Update-GitIntegrationKey #2'; Needs = 'Update-GitIntegrationKey -ThrottleLimit 8'
            Reason = 'publishes new keys on the git host of every SSH integration' }
    )

    # Every example of every exported cmdlet, as Get-Help -Examples shows it: a new example is picked up here.
    $examples = @(foreach ($name in @((Get-Module GitIntegration).ExportedCmdlets.Keys | Sort-Object)) {
        $help = Get-Help $name -Full
        $number = 0
        if ($help.examples) {
            foreach ($e in @($help.examples.example)) {
                $number++
                $code = ($e.code -join "`n").Trim()
                @{ Example = "$name #$number"; Cmdlet = $name; Code = $code; Title = $code -replace '\s*\n\s*', '; ' }
            }
        }
    })
    $listed = @($networkOnly | ForEach-Object { $_.Example })
    $runnable = @($examples | Where-Object { $listed -notcontains $_.Example })
    foreach ($entry in $networkOnly) {
        $entry.Code = ($examples | Where-Object { $_.Example -eq $entry.Example } | ForEach-Object { $_.Code })
    }
    $perCmdlet = @(foreach ($name in @((Get-Module GitIntegration).ExportedCmdlets.Keys | Sort-Object)) {
        @{ Cmdlet = $name; Count = @($examples | Where-Object { $_.Cmdlet -eq $name }).Count }
    })

    # The README's quick start: its powershell blocks, in order. In a block with "PS> " lines, those are the
    # commands and the lines after each are what it prints; any other block is all commands.
    $readme = [System.IO.File]::ReadAllText((Join-Path $PSScriptRoot '../../README.md')) -replace '\r\n', "`n"
    $quickStart = [regex]::Match($readme, '(?ms)^## Quick start.*?(?=^## )').Value
    $block = 0
    $readmeBlocks = @(foreach ($m in [regex]::Matches($quickStart, '(?ms)^```powershell\n(.*?)^```')) {
        $block++
        $lines = $m.Groups[1].Value.TrimEnd("`n").Split("`n")
        $prompted = @($lines | Where-Object { $_.StartsWith('PS> ') }).Count -gt 0
        $commands = @(); $printed = @()
        foreach ($line in $lines) {
            if (-not $prompted) { $commands += $line }
            elseif ($line.StartsWith('PS> ')) { $commands += $line.Substring(4) }
            else { $printed += $line }
        }
        $code = $commands -join "`n"
        @{ Example = "README #$block"; Code = $code; Printed = $printed; Title = $code -replace '\s*\n\s*', '; ' }
    })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackSshd.ps1')
    . (Join-Path $PSScriptRoot 'LoopbackHost.ps1')
    $script:StoreBefore = $env:GITINTEGRATION_STORE
    $script:Root = (Resolve-Path TestDrive:/).ProviderPath
    # An empty argument reaches native commands only from PowerShell 7.3 on; before, it had to be written '""'.
    $script:NoPassphrase = if ($PSVersionTable.PSVersion -ge [version]'7.3') { '' } else { '""' }
    # The passphrase of every encrypted fixture key, and what the user types at a passphrase prompt.
    $script:Typed = 'correct horse battery staple'
    $script:PassFile = Join-Path $Root 'typed'
    [System.IO.File]::WriteAllText($PassFile, $Typed)
    $script:NewToken = 'glpat-rotated-2025'

    # A user's world for the examples: home, store, C:\ and clipboard under $Base.
    function script:New-World([string] $Base) {
        $w = [pscustomobject]@{
            Base = $Base; HomeDir = Join-Path $Base 'home'; Store = Join-Path $Base 'store/integrations.yaml'
            DriveC = Join-Path $Base 'c'; Clipboard = Join-Path $Base 'clipboard.txt'
        }
        New-Item -ItemType Directory -Force (Join-Path $w.HomeDir '.ssh'), $w.DriveC | Out-Null
        $w
    }

    # Runs one example in a fresh pwsh in $World, from $Location (default: the home), with $Answers typed at the
    # prompts it asks (none: the session is -NonInteractive, and a prompt fails). Returns the exit code, what it
    # printed and the report of its errors.
    function script:Invoke-Example([string] $Code, $World, [string] $Location, [string[]] $Answers) {
        $id = [guid]::NewGuid().ToString('N').Substring(0, 8)
        $exampleFile = Join-Path $Root "example-$id.ps1"
        $reportFile = Join-Path $Root "example-$id.json"
        [System.IO.File]::WriteAllText($exampleFile, $Code)
        $psi = New-Object System.Diagnostics.ProcessStartInfo
        $psi.FileName = $Pwsh
        $arguments = @('-NoProfile')
        if (-not $Answers) { $arguments += '-NonInteractive' }
        $arguments += '-File', (Join-Path $PSScriptRoot 'ExampleSession.ps1'), '-ExampleFile', $exampleFile,
            '-ReportFile', $reportFile, '-ModulePath', $ModulePath, '-TypedPassphrase', $Typed, '-NewToken', $NewToken,
            '-DriveC', $World.DriveC, '-ClipboardFile', $World.Clipboard
        $quoted = foreach ($a in $arguments) { if ($a -match '\s') { '"' + $a + '"' } else { $a } }
        $psi.Arguments = $quoted -join ' '
        $psi.WorkingDirectory = if ($Location) { $Location } else { $World.HomeDir }
        $psi.UseShellExecute = $false
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.EnvironmentVariables['HOME'] = $World.HomeDir
        $psi.EnvironmentVariables['USERPROFILE'] = $World.HomeDir
        $psi.EnvironmentVariables['GITINTEGRATION_STORE'] = $World.Store
        $psi.EnvironmentVariables['NO_COLOR'] = '1'
        # Not in the home: every session would build it again.
        $psi.EnvironmentVariables['PSModuleAnalysisCachePath'] = Join-Path $Root 'ModuleAnalysisCache'
        $process = [System.Diagnostics.Process]::Start($psi)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        foreach ($a in $Answers) { $process.StandardInput.WriteLine($a) }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit(120000)) { $process.Kill(); $process.WaitForExit() }
        $process.WaitForExit()
        $report = if (Test-Path $reportFile) { Get-Content $reportFile -Raw | ConvertFrom-Json }
        [pscustomobject]@{
            ExitCode = $process.ExitCode; Output = $stdout.Result; ErrorOutput = $stderr.Result; Report = $report
            Diagnostics = "exit code $($process.ExitCode)`n--- output:`n$($stdout.Result)" +
                "`n--- error output:`n$($stderr.Result)"
        }
    }

    # What every example must do: end, report, and raise no error record, terminating or not.
    function script:Assert-Clean($Run) {
        $Run.Report | Should -Not -BeNullOrEmpty -Because "the session must get to its report: $($Run.Diagnostics)"
        $Run.Report.Stopped | Should -BeNullOrEmpty -Because "a terminating error stopped it: $($Run.Diagnostics)"
        @($Run.Report.Errors) | Should -BeNullOrEmpty -Because "the example raised errors: $($Run.Diagnostics)"
        $Run.ExitCode | Should -Be 0 -Because $Run.Diagnostics
    }

    function script:Fingerprint([string] $Path) { ((& ssh-keygen -l -E sha256 -f $Path) -split ' ')[1] }
    # The public key ssh-keygen derives from a private key file (opened with the fixture passphrase when it has
    # one), and the one a .pub file holds, without comments.
    function script:PublicOf([string] $Path) { ((& ssh-keygen -y -P $Typed -f $Path) -split ' ')[0..1] -join ' ' }
    function script:PublicIn([string] $Path) { ((Get-Content -LiteralPath $Path) -split ' ')[0..1] -join ' ' }
    function script:FirstLine([string] $Path) { Get-Content -LiteralPath $Path -TotalCount 1 }
    function script:Hash([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash }
    function script:Lines([string] $Text) { @($Text -split '\r?\n' | ForEach-Object Trim | Where-Object { $_ }) }
}
AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

Describe 'Get-Help examples run as written' -ForEach @(@{ Runnable = $runnable }) {
    BeforeAll {
        # An SSH server on 127.0.0.1 with the repositories of the store, accepting ~/.ssh/jira_rsa.
        $script:Src = Join-Path $Root 'src'
        New-Item -ItemType Directory -Force $Src | Out-Null
        ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -C 'jira@example.com' -f "$Src/jira_rsa"
        $sshdRoot = Join-Path $Root 'sshd'
        New-Item -ItemType Directory -Force $sshdRoot | Out-Null
        $server = Start-LoopbackSshd $sshdRoot (Get-Content "$Src/jira_rsa.pub")
        $script:Sshd = $server.Process
        foreach ($name in 'billing', 'billing-api', 'web-shop') { New-LoopbackRepository $sshdRoot $name }
        $script:RepoUrl = "ssh://git@127.0.0.1:$($server.Port)$sshdRoot/repos"
        # The key API of that server, for Publish-GitSshKey: a GitHub Enterprise Server stand-in that writes the keys
        # it accepts into the server's authorized_keys and takes the token of ExampleSession.ps1's $t. GitHub names a
        # repository OWNER/NAME: the owner is a link to the server's repositories at the root of the file system.
        $script:Owner = 'gi-ex-' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        New-Item -ItemType SymbolicLink -Path "/$Owner" -Target "$sshdRoot/repos" | Out-Null
        $script:OwnerUrl = "ssh://git@127.0.0.1:$($server.Port)/$Owner"
        $script:KeyHost = Start-LoopbackHost (Join-Path $Root 'keyhost') -Mode github-enterprise `
            -AuthorizedKeys "$sshdRoot/keys/git" -Repository "$Owner/billing-api", "$Owner/web-shop" `
            -Token 'ghp_docsRunExampleToken0123456789'

        # The world every example starts from, built once at $Root/run and kept at $Root/template: each example
        # gets a fresh copy at the same path, so the store's absolute paths hold.
        $script:World = New-World (Join-Path $Root 'run')
        $h = $World.HomeDir
        $ssh = Join-Path $h '.ssh'
        $keys = Join-Path $World.DriveC 'keys'
        New-Item -ItemType Directory -Force $keys | Out-Null
        # ~/.ssh: a key ssh-keygen made in its default (OpenSSH) format, the integration's PEM key, its successor
        # with a passphrase, a PuTTY key, and the files that live there beside keys.
        ssh-keygen -q -t rsa -b 2048 -N $NoPassphrase -C 'me@laptop' -f "$ssh/id_rsa"
        Copy-Item "$Src/jira_rsa", "$Src/jira_rsa.pub" $ssh
        ssh-keygen -q -t rsa -b 2048 -m PEM -N $Typed -C 'jira@example.com' -f "$ssh/jira_rsa_2025"
        'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl' |
            Set-Content "$ssh/known_hosts"
        "Host bitbucket.org`n    IdentityFile ~/.ssh/jira_rsa" | Set-Content "$ssh/config"
        $script:Ppk = @{}   # file name -> fingerprint
        foreach ($file in "$ssh/laptop.ppk", "$h/jira.ppk", "$keys/build.ppk", "$keys/deploy.ppk") {
            $source = Join-Path $Src ([System.IO.Path]::GetFileNameWithoutExtension($file))
            ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -C (Split-Path $source -Leaf) -f $source
            puttygen $source -O private -o $file --new-passphrase $PassFile
            $Ppk[(Split-Path $file -Leaf)] = Fingerprint "$source.pub"
        }
        # The current folder: a key with a passphrase ($old), and the lists the examples import.
        ssh-keygen -q -t rsa -b 2048 -N $Typed -C 'ci@build' -f "$h/id_rsa"
        "Name,Url`n" + "billing-api,$RepoUrl/billing-api.git`n" + "web-shop,$RepoUrl/web-shop.git" |
            Set-Content "$h/repos.csv"
        $pem = (Get-Content "$Src/jira_rsa" -Raw).Trim()
        ("id`tname`torigin`tprivateKeyPath`tprivateKey`n" +
            "`tsearch`tgit@bitbucket.org:acme/search.git`t$ssh/jira_rsa`t`n" +
            "`tpayments`tgit@bitbucket.org:acme/payments.git`t`t`"$pem`"`n") | Set-Content "$h/repos.tsv" -NoNewline
        # C:\keys: PuTTY keys (above) and PEM keys with a passphrase ($p).
        foreach ($name in 'legacy', 'ops') {
            ssh-keygen -q -t rsa -b 2048 -m PEM -N $Typed -C $name -f "$keys/$name.pem"
        }
        # A key flattened onto one line and wrapped in quotes, as pasted from a chat, on the clipboard.
        '"' + ((Get-Content "$Src/jira_rsa") -join ' ') + '"' | Set-Content $World.Clipboard -NoNewline
        # The key the quick start makes, for the examples that use it (New-GitSshKey #1 makes it itself).
        New-GitSshKey -Path "$Src/jira_git" -Comment 'jira@example.com' | Out-Null

        # The store: billing on the loopback server (connected as a user would, which records its host key), and
        # integrations of every kind the examples name.
        $env:GITINTEGRATION_STORE = $World.Store
        Connect-GitRepository -Url "$RepoUrl/billing.git" -Name billing -KeyPath "$ssh/jira_rsa" -AcceptNewHostKey |
            Out-Null
        foreach ($app in 'acme-app', 'platform-app', 'acme-app-reissued') {
            ssh-keygen -q -t rsa -b 2048 -m PEM -N $NoPassphrase -f "$Src/$app.pem"
        }
        @(
            @{ name = 'billing-reports'; origin = 'git@bitbucket.org:acme/billing-reports.git'
                privateKeyPath = "$ssh/jira_rsa"; status = 'Connected' }
            @{ name = 'old-billing'; origin = 'git@bitbucket.org:acme/old-billing.git'
                privateKeyPath = "$ssh/jira_rsa"; status = 'Connected' }
            @{ name = 'legacy-ci'; origin = 'git@bitbucket.org:acme/legacy-ci.git'
                privateKeyPath = "$ssh/jira_rsa"; status = 'Failed' }
            @{ name = 'legacy-wiki'; origin = 'git@bitbucket.org:acme/legacy-wiki.git'
                privateKeyPath = "$ssh/jira_rsa"; status = 'Connected' }
            @{ name = 'docs-site'; type = 'GitLab'; origin = 'https://gitlab.com/acme/docs-site.git'
                token = 'glpat-old-1'; status = 'Connected' }
            @{ name = 'handbook'; type = 'GitLab'; origin = 'https://gitlab.com/acme/handbook.git'
                token = 'glpat-old-2'; status = 'Connected' }
            @{ name = 'acme-app'; type = 'GitHubApp'; origin = 'https://github.com/acme'; organization = 'acme'
                status = 'Active'; 'property.appId' = '123456'; 'property.installationId' = '987654'
                privateKey = (Get-Content "$Src/acme-app.pem" -Raw) }
            @{ name = 'platform-app'; type = 'GitHubApp'; origin = 'https://github.com/platform'
                organization = 'platform'; status = 'Installing'; 'property.appId' = '234567'
                privateKey = (Get-Content "$Src/platform-app.pem" -Raw) }
        ) | ForEach-Object { [pscustomobject] $_ } | Import-GitIntegration -ErrorAction Stop | Out-Null
        # gha.tsv for Import-GitIntegration #3: acme-app exported with its key, the key replaced by a re-issued one.
        Export-GitIntegration -Path "$Src/gha.tsv" -Name acme-app -IncludeSecrets | Out-Null
        $tsv = Get-Content "$Src/gha.tsv" -Raw
        $oldPem = (Get-Content "$Src/acme-app.pem" -Raw).Trim() -replace '\r?\n', "`n"
        $newPem = (Get-Content "$Src/acme-app-reissued.pem" -Raw).Trim() -replace '\r?\n', "`n"
        $reissued = ($tsv -replace '\r\n', "`n").Replace($oldPem, $newPem)
        if ($reissued -eq ($tsv -replace '\r\n', "`n")) { throw "The export of acme-app does not hold its key: $tsv" }
        [System.IO.File]::WriteAllText("$Src/gha.tsv", $reissued)
        $env:GITINTEGRATION_STORE = $StoreBefore

        $script:Template = Join-Path $Root 'template'
        Copy-Item $World.Base $Template -Recurse
        $script:TemplateStore = Join-Path $Template 'store/integrations.yaml'

        # What some examples need beyond that world (Setup, run in this session before the example), the prompts
        # they ask (Answers), where they run from (Location), and what their remarks promise (Check, given what
        # the example printed). Every example is also checked to raise no error.
        $script:Specs = @{
            'Connect-GitRepository #2' = @{ Check = {
                param($Output)
                $stored = @(Get-GitIntegration billing-api, web-shop -StorePath $World.Store | Sort-Object Name)
                $stored.Status | Should -Be @('Connected', 'Connected')
                $stored.PrivateKeyPath | Should -Be @("$ssh/jira_rsa", "$ssh/jira_rsa")
            } }
            'Convert-GitSshKey #1' = @{ Check = {
                FirstLine "$ssh/id_rsa" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                PublicOf "$ssh/id_rsa" | Should -Be (PublicIn "$Template/home/.ssh/id_rsa.pub")
            } }
            'Convert-GitSshKey #2' = @{ Check = {
                FirstLine "$h/jira_key" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                Get-Content "$h/jira_key" -Raw | Should -Not -Match 'ENCRYPTED'
                PublicOf "$h/jira_key" | Should -Be (PublicIn "$h/id_rsa.pub")
                Hash "$h/id_rsa" | Should -Be (Hash "$Template/home/id_rsa")
            } }
            'Convert-GitSshKey #3' = @{ Check = {
                param($Output)
                $Output | Should -Match "What if: .*$([regex]::Escape("$ssh/id_rsa"))"
                @(Lines $Output | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 1
                Hash "$ssh/id_rsa" | Should -Be (Hash "$Template/home/.ssh/id_rsa")
            } }
            'ConvertFrom-PuttyKey #1' = @{ Check = {
                param($Output)
                foreach ($name in 'build', 'deploy') {
                    FirstLine "$keys/$name" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                    Get-Content "$keys/$name" -Raw | Should -Match 'Proc-Type: 4,ENCRYPTED'
                    PublicOf "$keys/$name" | Should -Be (PublicIn "$Src/$name.pub")
                }
                $Output | Should -Match 'True'
                $Output | Should -Not -Match 'False'
            } }
            'ConvertFrom-PuttyKey #2' = @{ Check = {
                FirstLine "$h/jira.pem" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                Get-Content "$h/jira.pem" -Raw | Should -Not -Match 'ENCRYPTED'
                PublicOf "$h/jira.pem" | Should -Be (PublicIn "$Src/jira.pub")
            } }
            'ConvertFrom-PuttyKey #3' = @{ Check = {
                param($Output)
                $Output | Should -Match "What if: .*$([regex]::Escape("$ssh/laptop"))"
                Test-Path "$ssh/laptop" | Should -BeFalse
            } }
            'ConvertTo-GitHttpsUrl #1' = @{ Check = {
                param($Output)
                Lines $Output | Should -Be 'https://dev.azure.com/contoso/web/_git/site'
            } }
            'ConvertTo-GitHttpsUrl #2' = @{ Check = {
                param($Output)
                Lines $Output | Should -Be 'https://bitbucket.org/acme/legacy-ci.git'
            } }
            'ConvertTo-GitSshUrl #1' = @{
                # A working copy cloned over HTTPS.
                Setup = {
                    git init -q "$h/src/billing"
                    git -C "$h/src/billing" remote add origin https://github.com/acme/billing.git
                }
                Location = 'src/billing'
                Check = {
                    git -C "$h/src/billing" remote get-url origin | Should -Be 'git@github.com:acme/billing.git'
                }
            }
            'ConvertTo-GitSshUrl #2' = @{
                Setup = {
                    "Url`nhttps://github.com/acme/billing.git`nhttps://gitlab.com/acme/docs-site.git" |
                        Set-Content "$h/repos.csv"
                }
                Check = {
                    param($Output)
                    Lines $Output |
                        Should -Be @('git@github.com:acme/billing.git', 'git@gitlab.com:acme/docs-site.git')
                }
            }
            'ConvertTo-GitSshUrl #3' = @{ Check = {
                param($Output)
                Lines $Output |
                    Should -Be 'ssh://APKAEIBAERJR2EXAMPLE@git-codecommit.us-east-2.amazonaws.com/v1/repos/MyDemoRepo'
            } }
            'ConvertTo-PuttyKey #1' = @{
                Setup = { Copy-Item "$Src/jira_git", "$Src/jira_git.pub" $ssh }
                Check = {
                    FirstLine "$ssh/jira_git.ppk" | Should -Be 'PuTTY-User-Key-File-3: ssh-rsa'
                    Get-Content "$ssh/jira_git.ppk" | Should -Contain 'Encryption: aes256-cbc'
                    $fingerprint = puttygen "$ssh/jira_git.ppk" --old-passphrase $PassFile -O fingerprint -E sha256
                    $fingerprint | Should -Match ([regex]::Escape((Fingerprint "$ssh/jira_git.pub")))
                }
            }
            'ConvertTo-PuttyKey #2' = @{ Check = {
                foreach ($name in 'legacy', 'ops') {
                    FirstLine "$keys/$name.ppk" | Should -Be 'PuTTY-User-Key-File-2: ssh-rsa'
                    Get-Content "$keys/$name.ppk" | Should -Contain 'Encryption: aes256-cbc'
                }
            } }
            'Export-GitIntegration #1' = @{ Check = {
                param($Output)
                $Output | Should -Match "\b$((Get-Item "$h/integrations.tsv").Length) integrations\.tsv"
                $rows = Import-Csv "$h/integrations.tsv" -Delimiter "`t"
                $rows.name | Should -Be (Get-GitIntegration -StorePath $World.Store).Name
                Get-Content "$h/integrations.tsv" -Raw | Should -Not -Match 'PRIVATE KEY|glpat'
            } }
            'Export-GitIntegration #2' = @{ Check = {
                $rows = Import-Csv "$h/gha.tsv" -Delimiter "`t"
                $rows.name | Should -Be @('acme-app', 'platform-app')
                $rows.privateKey | Should -Match 'BEGIN RSA PRIVATE KEY'
            } }
            'Get-GitIntegration #1' = @{ Check = {
                param($Output)
                foreach ($name in (Get-GitIntegration -StorePath $TemplateStore).Name) {
                    $Output | Should -Match "\b$name\b"
                }
            } }
            'Get-GitIntegration #2' = @{ Check = {
                param($Output)
                $Output | Should -Match '\bplatform-app\b'
                $Output | Should -Not -Match '\bacme-app\b'
            } }
            'Get-GitIntegration #3' = @{ Check = {
                (Get-GitIntegration billing* -StorePath $World.Store).PrivateKeyPath |
                    Should -Be @("$ssh/jira_rsa_2025", "$ssh/jira_rsa_2025")
            } }
            'Get-GitSshKey #1' = @{ Check = {
                param($Output)
                $Output | Should -Match '(?m)^id_rsa\s+Rsa 2048\s+OpenSsh\s+False\b'
                $Output | Should -Match '(?m)^jira_rsa\s+Rsa 2048\s+Pem\s+False\b'
                $Output | Should -Match '(?m)^laptop\.ppk\s+Rsa 2048\s+Ppk\s+True\b'
            } }
            'Get-GitSshKey #2' = @{ Check = {
                param($Output)
                foreach ($name in 'build.ppk', 'deploy.ppk') {
                    $Output | Should -Match "$([regex]::Escape("$keys/$name"))\s+$([regex]::Escape($Ppk[$name]))"
                }
            } }
            'Get-GitSshKey #3' = @{
                Setup = { Copy-Item "$Src/jira_git", "$Src/jira_git.pub" $ssh }
                Check = { (Get-Content $World.Clipboard) | Should -Be (Get-Content "$ssh/jira_git.pub") }
            }
            'Import-GitIntegration #1' = @{ Check = {
                $search = Get-GitIntegration search -StorePath $World.Store
                $search.PrivateKeyPath | Should -Be "$ssh/jira_rsa"
                $payments = Get-GitIntegration payments -StorePath $World.Store
                PublicOf $payments.PrivateKeyPath | Should -Be (PublicIn "$ssh/jira_rsa.pub")
            } }
            'Import-GitIntegration #2' = @{
                # An Excel sheet saved as CSV where ';' separates the columns: a row that renames legacy-wiki (the
                # same origin) and a new one.
                Setup = {
                    $sheet = "name;origin`r`nwiki;git@bitbucket.org:acme/legacy-wiki.git`r`n" +
                        "reports;git@bitbucket.org:acme/reports.git`r`n"
                    [System.IO.File]::WriteAllText("$h/repos.csv", $sheet, (New-Object System.Text.UTF8Encoding $true))
                }
                Check = {
                    $wiki = Get-GitIntegration wiki -StorePath $World.Store
                    $wiki.Url | Should -Be 'git@bitbucket.org:acme/legacy-wiki.git'
                    $wiki.Id | Should -Be (Get-GitIntegration legacy-wiki -StorePath $TemplateStore).Id
                    (Get-GitIntegration reports -StorePath $World.Store).Url |
                        Should -Be 'git@bitbucket.org:acme/reports.git'
                }
            }
            'Import-GitIntegration #3' = @{
                Setup = { Copy-Item "$Src/gha.tsv" $h }
                Check = {
                    param($Output)
                    $Output | Should -Match '\bacme-app\s+WouldUpdate\b'
                    Hash $World.Store | Should -Be (Hash $TemplateStore)
                }
            }
            'Import-GitIntegration #4' = @{
                # The sheet of repositories on the git host (the loopback server), with the integration's key.
                Setup = {
                    "name`torigin`tprivateKeyPath`n" + "billing-api`t$RepoUrl/billing-api.git`t$ssh/jira_rsa`n" +
                        "web-shop`t$RepoUrl/web-shop.git`t$ssh/jira_rsa`n" | Set-Content "$h/repos.tsv"
                }
                Check = {
                    param($Output)
                    $Output | Should -BeNullOrEmpty -Because 'every repository of the sheet works'
                    $stored = @(Get-GitIntegration billing-api, web-shop -StorePath $World.Store | Sort-Object Name)
                    $stored.Status | Should -Be @('Connected', 'Connected')
                    $stored | ForEach-Object { $_.Properties['DefaultBranch'] } | Should -Be @('main', 'main')
                }
            }
            'Publish-GitSshKey #1' = @{
                # The repositories of the server, with their host's kind and API address (a self-managed server).
                Setup = {
                    Copy-Item "$Src/jira_git", "$Src/jira_git.pub" $ssh
                    [pscustomobject]@{ Url = "$OwnerUrl/billing-api.git"; HostType = 'GitHubEnterprise'
                        ApiUrl = $KeyHost.ApiUrl } | Export-Csv "$h/repos.csv" -NoTypeInformation
                }
                Check = {
                    param($Output)
                    $stored = Get-GitIntegration billing-api -StorePath $World.Store
                    $stored.Status | Should -Be 'Connected'
                    $stored.PrivateKeyPath | Should -Be "$ssh/jira_git"
                    (Get-LoopbackHostKey $KeyHost).target | Should -Contain "repo:$Owner/billing-api"
                }
            }
            'Publish-GitSshKey #2' = @{
                Setup = { Copy-Item "$Src/jira_git", "$Src/jira_git.pub" $ssh }
                Check = {
                    param($Output)
                    $Output | Should -Match 'What if: .*read-only deploy key.*git@github\.com:acme/app\.git'
                }
            }
            'Unpublish-GitSshKey #1' = @{
                # An old key, published to the repository of the CSV before the new one replaced it.
                Setup = {
                    New-GitSshKey -Path "$ssh/old_jira_git" -Bits 2048 | Out-Null
                    [pscustomobject]@{ Url = "$OwnerUrl/web-shop.git"; HostType = 'GitHubEnterprise'
                        ApiUrl = $KeyHost.ApiUrl } | Export-Csv "$h/repos.csv" -NoTypeInformation
                    $published = Import-Csv "$h/repos.csv" | Publish-GitSshKey -Path "$ssh/old_jira_git" `
                        -Token (ConvertTo-SecureString 'ghp_docsRunExampleToken0123456789' -AsPlainText -Force)
                    $published.Status | Should -Be 'Added'
                    $script:OldKeyId = $published.KeyId
                }
                Check = {
                    param($Output)
                    (Get-LoopbackHostKey $KeyHost).id | Should -Not -Contain $OldKeyId
                }
            }
            'Unpublish-GitSshKey #2' = @{
                Setup = { Copy-Item "$Src/jira_git", "$Src/jira_git.pub" $ssh }
                Check = {
                    param($Output)
                    $Output | Should -Match "What if: .*token's account.*git@github\.com:acme/app\.git"
                }
            }
            'New-GitSshKey #1' = @{ Check = {
                FirstLine "$ssh/jira_git" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                ssh-keygen -l -f "$ssh/jira_git.pub" | Should -Match '^4096 SHA256:\S+ jira@example\.com \(RSA\)$'
            } }
            'New-GitSshKey #2' = @{ Check = {
                Get-Content "$h/deploy_key" -Raw |
                    Should -Match '^-----BEGIN RSA PRIVATE KEY-----\s+Proc-Type: 4,ENCRYPTED'
                PublicOf "$h/deploy_key" | Should -Be (PublicIn "$h/deploy_key.pub")
                (Get-Content $World.Clipboard) | Should -Be (Get-Content "$h/deploy_key.pub")
            } }
            'New-GitSshKey #3' = @{ Check = {
                FirstLine "$ssh/id_ed25519" | Should -Be '-----BEGIN OPENSSH PRIVATE KEY-----'
                ssh-keygen -l -f "$ssh/id_ed25519.pub" | Should -Match '\(ED25519\)$'
            } }
            'Remove-GitIntegration #1' = @{
                Answers = @('Y')   # "Are you sure you want to perform this action?"
                Check = {
                    param($Output)
                    $Output | Should -Match 'Performing the operation "Remove integration" on target "old-billing'
                    $before = (Get-GitIntegration -StorePath $TemplateStore).Name
                    (Get-GitIntegration -StorePath $World.Store).Name |
                        Should -Be ($before | Where-Object { $_ -ne 'old-billing' })
                }
            }
            'Remove-GitIntegration #2' = @{ Check = {
                $names = (Get-GitIntegration -StorePath $World.Store).Name
                $names | Should -Not -Contain 'platform-app'
                $names | Should -Contain 'acme-app'
            } }
            'Set-GitIntegration #1' = @{ Check = {
                $billing = Get-GitIntegration billing -StorePath $World.Store
                $billing.PrivateKeyPath | Should -Be "$ssh/jira_rsa_2025"
                $billing.PassphraseRef | Should -Not -BeNullOrEmpty
            } }
            'Set-GitIntegration #2' = @{ Check = {
                param($Output)
                $Output | Should -Match '\bdocs-site\b'
                $Output | Should -Match '\bhandbook\b'
                Get-GitIntegration -Type GitLab -StorePath $World.Store |
                    Export-GitIntegration -Path "$Root/tokens.csv" -StorePath $World.Store -IncludeSecrets -Force
                (Import-Csv "$Root/tokens.csv").token | Should -Be @($NewToken, $NewToken)
            } }
            'Set-GitIntegration #3' = @{ Check = {
                param($Output)
                $whatIf = @(Lines $Output | Where-Object { $_ -like 'What if:*' })
                $whatIf.Count | Should -Be 2
                $whatIf[0] | Should -Match '"Set integration Disabled" on target "legacy-ci '
                $whatIf[1] | Should -Match '"Set integration Disabled" on target "legacy-wiki '
                Hash $World.Store | Should -Be (Hash $TemplateStore)
            } }
            'Test-GitIntegration #2' = @{ Check = {
                $before = (Get-GitIntegration billing -StorePath $TemplateStore).LastVerified
                (Get-GitIntegration billing -StorePath $World.Store).LastVerified | Should -BeGreaterThan $before
            } }
            'Test-GitSshKey #1' = @{ Check = {
                param($Output)
                $Output | Should -Match '(?m)^Id\s+: OpenSshFormat$'
                $remedy = "Convert-GitSshKey -Path '$ssh/id_rsa' -Format Pem"
                $Output | Should -Match "(?m)^Remedy\s+: $([regex]::Escape($remedy))$"
            } }
            'Test-GitSshKey #2' = @{ Check = { param($Output) Lines $Output | Should -BeNullOrEmpty } }
            'Test-GitSshKey #5' = @{ Check = {
                param($Output)
                $Output | Should -Match '\bTrue\b'
                $Output | Should -Not -Match '\bFalse\b'
            } }
        }
    }
    AfterAll {
        if ($Sshd) { Stop-Process -Id $Sshd.Id -Force }
        if ($KeyHost) { Stop-Process -Id $KeyHost.Process.Id -Force }
        if ($Owner -and (Test-Path "/$Owner")) { Remove-Item "/$Owner" -Force }
    }

    It 'has fixtures and checks only for examples it runs' {
        $Specs.Keys | Where-Object { $Runnable.Example -notcontains $_ } | Should -BeNullOrEmpty
    }

    It '<Example>: <Title>' -ForEach $runnable {
        Remove-Item $World.Base -Recurse -Force
        Copy-Item $Template $World.Base -Recurse
        $spec = $Specs[$Example]
        if (-not $spec) { $spec = @{} }
        if ($spec.Setup) { & $spec.Setup }
        $location = if ($spec.Location) { Join-Path $World.HomeDir $spec.Location }
        $run = Invoke-Example -Code $Code -World $World -Location $location -Answers $spec.Answers
        Assert-Clean $run
        if ($spec.Check) { & $spec.Check $run.Output }
    }
}

Describe 'The README quick start runs as written' -ForEach @(@{ Blocks = $readmeBlocks }) {
    BeforeAll {
        # A user starting out: the key someone gave them, made by ssh-keygen with its defaults. The blocks run in
        # order in this one home, as a reader follows them.
        $script:Reader = New-World (Join-Path $Root 'readme')
        $ssh = Join-Path $Reader.HomeDir '.ssh'
        ssh-keygen -q -t rsa -N $NoPassphrase -C 'me@laptop' -f "$ssh/id_rsa"
        $script:ReaderSpecs = @{
            'README #1' = @{ Check = {
                FirstLine "$ssh/jira_git" | Should -Be '-----BEGIN RSA PRIVATE KEY-----'
                ssh-keygen -l -f "$ssh/jira_git.pub" | Should -Match '^4096 SHA256:\S+ jira@example\.com \(RSA\)$'
                (Get-Content $Reader.Clipboard) | Should -Be (Get-Content "$ssh/jira_git.pub")
            } }
            'README #3' = @{ Check = {
                param($Output)
                # "# True", and "the key stays the same key: same fingerprint".
                (Lines $Output)[-1] | Should -Be 'True'
                $converted = @(Get-ChildItem $ssh -File | Where-Object { (FirstLine $_.FullName) -match 'BEGIN RSA' })
                $converted.Name | Should -Contain 'jira_rsa'
                PublicOf "$ssh/jira_rsa" | Should -Be (PublicIn "$ssh/id_rsa.pub")
            } }
        }
    }

    It 'has three blocks, and checks only blocks it runs' {
        @($Blocks).Count | Should -Be 3
        $ReaderSpecs.Keys | Where-Object { $Blocks.Example -notcontains $_ } | Should -BeNullOrEmpty
    }

    It '<Example>: <Title>' -ForEach $readmeBlocks {
        $run = Invoke-Example -Code $Code -World $Reader
        Assert-Clean $run
        # What a "PS> " block shows it prints: each "Name : value" line whose value fits on it, with the README's
        # home (/home/me) for this one.
        for ($i = 0; $i -lt $Printed.Count; $i++) {
            $next = if ($i + 1 -lt $Printed.Count) { $Printed[$i + 1] } else { '' }
            if ($Printed[$i] -match '^(\w+)\s*: (.+)$' -and $next -notmatch '^\s+\S') {
                $value = $Matches[2].Replace('/home/me', $Reader.HomeDir)
                $run.Output | Should -Match "(?m)^$($Matches[1])\s*: $([regex]::Escape($value))\s*$"
            }
        }
        $spec = $ReaderSpecs[$Example]
        if ($spec) { & $spec.Check $run.Output }
    }
}

Describe 'The examples that are not run' -ForEach @(@{ Examples = $examples; PerCmdlet = $perCmdlet }) {
    It '<Example> exists and needs <Needs> (<Reason>)' -ForEach $networkOnly {
        $Code | Should -Not -BeNullOrEmpty -Because "$Example is listed as needing the network"
        $Code | Should -BeLike "*$Needs*"
    }

    It 'lists each example once' {
        $twice = $networkOnly | Group-Object { $_.Example } | Where-Object Count -gt 1 | ForEach-Object Name
        $twice | Should -BeNullOrEmpty
    }

    It 'names commands and parameters that exist, as written in <Example>' -ForEach $networkOnly {
        # Run or not, a renamed parameter must fail here: every parameter given to a PowerShell command binds by
        # its name, an alias, or a prefix of exactly one of them.
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $null, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $calls = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)
        foreach ($call in $calls) {
            $command = Get-Command $call.GetCommandName() -ErrorAction SilentlyContinue
            $command | Should -Not -BeNullOrEmpty -Because "$($call.GetCommandName()) must be a command"
            if ($command.CommandType -eq 'Application') { continue }
            $names = @($command.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
            foreach ($p in $call.CommandElements) {
                if ($p -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                $exact = $names -contains $p.ParameterName
                $prefixed = @($command.Parameters.Values | Where-Object {
                        @(@($_.Name) + $_.Aliases | Where-Object { $_ -like "$($p.ParameterName)*" }).Count -gt 0 })
                ($exact -or $prefixed.Count -eq 1) | Should -BeTrue -Because "$($command.Name) -$($p.ParameterName)"
            }
        }
    }

    It 'leaves examples of every cmdlet to the docs run: <Cmdlet> has <Count>' -ForEach $perCmdlet {
        $Count | Should -BeGreaterThan 0
    }
}
