# The module as a whole: offline help for every exported cmdlet, the about topic, completers, every way users
# import it, and dependency isolation beside another module's copies of the same libraries. Import and isolation
# run in fresh pwsh processes, as a user meets them: what one session loaded never hides another's failure.
BeforeDiscovery {
    # -Skip: is evaluated at discovery: load contexts and ForEach-Object -Parallel exist on PowerShell 7 only.
    $IsDesktop = $PSVersionTable.PSEdition -eq 'Desktop'
    # ~/.ssh is $HOME/.ssh only where .NET reads the home folder from HOME.
    $NotUnix = $IsWindows -or $IsDesktop
    $modulePath = if ($env:GITINTEGRATION_MODULE) { $env:GITINTEGRATION_MODULE } else { Join-Path $PSScriptRoot '../../out/GitIntegration' }
    Import-Module $modulePath -Force -ErrorAction Stop
    $script:Commands = @(Get-Command -Module GitIntegration -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    # Runs $Script in a fresh pwsh with these environment variables; returns its output lines, and fails the
    # test with the session's errors when it exits non-zero.
    function script:Invoke-FreshSession {
        param([scriptblock] $Script, [object[]] $Arguments = @(), [hashtable] $Env = @{})
        $saved = @{}
        foreach ($k in $Env.Keys) {
            $saved[$k] = [Environment]::GetEnvironmentVariable($k)
            [Environment]::SetEnvironmentVariable($k, $Env[$k])
        }
        try { $out = & $Pwsh -NoProfile -NonInteractive -Command $Script -args $Arguments 2>&1 }
        finally { foreach ($k in $saved.Keys) { [Environment]::SetEnvironmentVariable($k, $saved[$k]) } }
        $LASTEXITCODE | Should -Be 0 -Because ($out | Out-String)
        $out | ForEach-Object { "$_" }
    }
    # Words of how the module was made (seeds, stories, issue numbers), not of what it does.
    $script:Jargon = '(?i)\bseeds?\b|\bseed''s\b|\bstor(y|ies)\b|\bissue\s*#?\s*\d+|(?<![\w#])#\d+\b'
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters |
        Where-Object { $_ -notin 'WhatIf', 'Confirm' }
}

Describe 'Offline help of <Name>' -ForEach $Commands {
    BeforeAll {
        $help = Get-Help $Name -Full
        $command = Get-Command $Name
    }

    It 'comes from the shipped MAML, with a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match ([regex]::Escape($Name) + '\s*\[')   # not the auto-generated syntax stub
        ($help.Description.Text -join ' ').Length | Should -BeGreaterThan 10
    }

    It 'documents every parameter' {
        $documented = @($help.Parameters.Parameter | ForEach-Object Name)
        foreach ($p in $command.Parameters.Keys | Where-Object { $_ -notin $Common }) {
            $documented | Should -Contain $p -Because "$Name -$p needs help"
            $text = ($help.Parameters.Parameter | Where-Object Name -EQ $p).Description.Text -join ' '
            $text.Length | Should -BeGreaterThan 10 -Because "$Name -$p needs a description"
        }
    }

    It 'shows every way to call it in SYNTAX, the default one first, as Get-Command sees them' {
        $shown = @($help.Syntax.SyntaxItem | ForEach-Object { @($_.Parameter.Name | Sort-Object) -join ' ' })
        $sets = @($command.ParameterSets | Sort-Object { -not $_.IsDefault } |
            ForEach-Object { @($_.Parameters.Name | Where-Object { $_ -notin $Common } | Sort-Object) -join ' ' })
        $shown[0] | Should -Be $sets[0] -Because 'the default way to call it comes first'
        @($shown | Sort-Object) | Should -Be @($sets | Sort-Object)
    }

    It 'speaks to the admin, without project jargon' {
        $text = $help | Out-String -Width 200
        $text | Should -Not -Match $Jargon
    }

    It 'has at least two examples with code and remarks' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $help.Examples.Example) {
            $e.Code | Should -Not -BeNullOrEmpty
            ($e.Remarks.Text -join ' ').Trim().Length | Should -BeGreaterThan 10
        }
    }
}

Describe 'SYNTAX of <Name>' -ForEach @(
    @{ Name = 'Convert-GitSshKey' }, @{ Name = 'ConvertFrom-PuttyKey' }, @{ Name = 'ConvertTo-PuttyKey' }) {
    It 'shows first the call that keeps the key''s passphrase, with neither -NewPassphrase nor -RemovePassphrase' {
        $first = @((Get-Help $Name).Syntax.SyntaxItem)[0].Parameter.Name
        $first | Should -Contain 'Path'
        $first | Should -Not -Contain 'NewPassphrase'
        $first | Should -Not -Contain 'RemovePassphrase'
        $syntax = (Get-Command $Name -Syntax) -split '\r?\n' | Where-Object { $_.Trim() }
        $syntax[0] | Should -Not -Match 'NewPassphrase|RemovePassphrase'
    }
}

Describe 'about_GitIntegration' {
    It 'is found by Get-Help and walks the whole flow' {
        $about = Get-Help about_GitIntegration
        $text = $about | Out-String
        $text | Should -Match 'New-GitSshKey'
        $text | Should -Match 'Test-GitSshKey'
        $text | Should -Match 'Connect-GitRepository'
        $text | Should -Match 'Install-GitHubApp'
        $text | Should -Match 'Import-GitIntegration'
        $text | Should -Not -Match $Jargon
    }
}

Describe 'Module layout' {
    It 'has only the initializer and the cmdlet assembly at its root, the rest in Dependencies' {
        $base = (Get-Module GitIntegration).ModuleBase
        @(Get-ChildItem $base -Filter *.dll | Sort-Object Name).Name | Should -Be 'GitIntegration.dll', 'GitIntegration.Init.dll'
        Join-Path $base 'Dependencies/GitIntegration.Core.dll' | Should -Exist
    }

    It 'loads GitIntegration.Core into its own load context on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $null = Get-GitSshKey -Path $TestDrive -ErrorAction SilentlyContinue   # any cmdlet that touches Core
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'GitIntegration.Core' }
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($core).Name | Should -Be 'GitIntegration'
    }
}

Describe 'Tab completion' {
    BeforeAll {
        $script:StoreBefore = $env:GITINTEGRATION_STORE
        $env:GITINTEGRATION_STORE = Join-Path $TestDrive 'store.yaml'
        Set-Content -Path (Join-Path $TestDrive 'repos.csv') -Value @(
            'name,type,origin,organization'
            'billing api,Generic,https://github.com/acme/billing,acme'
            'billing-web,Generic,https://github.com/acme/web,acme'
        )
        Import-GitIntegration -Path (Join-Path $TestDrive 'repos.csv') -ErrorAction Stop | Out-Null
    }
    AfterAll { $env:GITINTEGRATION_STORE = $StoreBefore }

    It 'completes integration names from the store, quoting where needed' {
        $line = 'Get-GitIntegration -Name bil'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Be @("'billing api'", 'billing-web')
    }

    It 'completes organizations already in the store' {
        $line = 'Install-GitHubApp -Organization ac'
        $r = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $r.CompletionMatches.CompletionText | Should -Be 'acme'
    }

    It 'completes key paths as PowerShell completes files: relative to the current location, quoted, folders too' {
        $work = Join-Path $TestDrive 'work'
        New-Item -ItemType Directory -Path (Join-Path $work 'certs dir') -Force | Out-Null
        Set-Content -Path (Join-Path $work 'crlf_quoted.txt') -Value 'x'
        Set-Content -Path (Join-Path $work 'c key.pem') -Value 'x'
        Push-Location $work
        try {
            $own = (TabExpansion2 -inputScript 'Get-Item -Path ./c' -cursorColumn 18).CompletionMatches
            $lines = 'Test-GitSshKey -Path ./c', 'Test-GitSshKey ./c', 'Connect-GitRepository x -KeyPath ./c'
            foreach ($line in $lines) {
                $r = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
                $r.CompletionText | Should -Contain './crlf_quoted.txt'
                $r.CompletionText | Should -Be $own.CompletionText -Because $line
                ($r | Where-Object CompletionText -EQ './crlf_quoted.txt').ResultType | Should -Be 'ProviderItem'
            }
            $line = "Test-GitSshKey -Path $work/cr"
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.ToolTip |
                Should -Be (Join-Path $work 'crlf_quoted.txt')
        }
        finally { Pop-Location }
    }

    It 'also offers the keys in ~/.ssh, once each' -Skip:$NotUnix {
        $homeBefore = $env:HOME
        $env:HOME = Join-Path $TestDrive 'home'
        New-GitSshKey -Path (Join-Path $env:HOME '.ssh/cloud_rsa') -Bits 2048 | Out-Null
        Push-Location $TestDrive
        try {
            $line = 'Test-GitSshKey -Path cl'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
                Should -Be (Join-Path $env:HOME '.ssh/cloud_rsa')
            $line = 'Test-GitSshKey -Path ~/.ssh/cl'
            @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches).Count | Should -Be 1
        }
        finally { Pop-Location; $env:HOME = $homeBefore }
    }
}

Describe 'Importing the module as users do' {
    BeforeAll {
        # What every session below proves the module does once imported: all its commands, and a cmdlet that
        # needs GitIntegration.Core and BouncyCastle.
        $script:Check = {
            param($keyPath)
            $ErrorActionPreference = 'Stop'
            'commands=' + @(Get-Command -Module GitIntegration -CommandType Cmdlet).Count
            'key=' + (New-GitSshKey -Path $keyPath -Bits 2048 -Force).Algorithm
        }
        $script:Expected = @("commands=$(@(Get-Command -Module GitIntegration -CommandType Cmdlet).Count)", 'key=Rsa')
        $script:Package = if ($env:GITINTEGRATION_PACKAGE) { $env:GITINTEGRATION_PACKAGE }
        else { Join-Path $PSScriptRoot '../../out/package' }
        # A folder on $env:PSModulePath whose path has spaces, holding the module folder as a user copies it.
        $script:SpacedModules = Join-Path $TestDrive 'My Modules (test)'
        Copy-Item -Recurse $ModulePath (Join-Path $SpacedModules 'GitIntegration')
    }

    It 'imports from the built folder in a new session' {
        $lines = Invoke-FreshSession -Arguments $ModulePath, (Join-Path $TestDrive 'a_rsa'), $Check.ToString() {
            param($module, $key, $check)
            Import-Module $module -ErrorAction Stop
            & ([scriptblock]::Create($check)) $key
        }
        $lines | Should -Be $Expected
    }

    It 'imports by name from a PSModulePath folder whose path has spaces' {
        $lines = Invoke-FreshSession -Env @{ PSModulePath = $SpacedModules } `
            -Arguments (Join-Path $TestDrive 'b rsa'), $Check.ToString() {
            param($key, $check)
            'listed=' + (Get-Module -ListAvailable GitIntegration).ModuleBase
            Import-Module GitIntegration -ErrorAction Stop
            & ([scriptblock]::Create($check)) $key
        }
        $lines | Should -Be (@("listed=$(Join-Path $SpacedModules 'GitIntegration')") + $Expected)
    }

    It 'installs with Install-PSResource from the package build.ps1 writes, then imports by name' {
        $nupkg = Get-ChildItem $Package -Filter 'GitIntegration.*.nupkg'
        @($nupkg).Count | Should -Be 1 -Because "build.ps1 -Pester writes the package to $Package"
        # A throwaway home: PSResourceGet's repository list and the CurrentUser module folder live under it.
        $home_ = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory $home_ | Out-Null
        $env_ = @{ HOME = $home_; USERPROFILE = $home_; XDG_DATA_HOME = $null; PSModulePath = $null }
        $lines = Invoke-FreshSession -Env $env_ `
            -Arguments $Package, (Join-Path $TestDrive 'c_rsa'), $Check.ToString() {
            param($repo, $key, $check)
            $ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name GitIntegrationLocal -Uri $repo -Trusted
            Install-PSResource GitIntegration -Repository GitIntegrationLocal -Scope CurrentUser -Quiet
            'installed=' + (Get-Module -ListAvailable GitIntegration).ModuleBase.StartsWith($HOME)
            Import-Module GitIntegration
            & ([scriptblock]::Create($check)) $key
        }
        $lines | Should -Be (@('installed=True') + $Expected)
    }

    It 'survives Import-Module -Force twice, and Remove-Module then Import-Module, in one session' {
        $lines = Invoke-FreshSession -Arguments $ModulePath, (Join-Path $TestDrive 'd_rsa'), $Check.ToString() {
            param($module, $key, $check)
            $run = [scriptblock]::Create($check)
            Import-Module $module -ErrorAction Stop
            Import-Module $module -Force -ErrorAction Stop
            Import-Module $module -Force -ErrorAction Stop
            & $run $key
            Remove-Module GitIntegration -ErrorAction Stop
            'removed=' + [bool](Get-Command New-GitSshKey -ErrorAction Ignore)
            Import-Module $module -ErrorAction Stop
            & $run $key
        }
        $lines | Should -Be ($Expected + @('removed=False') + $Expected)
    }

    It 'works in two runspaces at once (ForEach-Object -Parallel), each importing it' -Skip:($IsDesktop) {
        $lines = Invoke-FreshSession -Arguments $ModulePath, $TestDrive {
            param($module, $dir)
            1..4 | ForEach-Object -ThrottleLimit 2 -Parallel {
                Import-Module $using:module -ErrorAction Stop
                $k = New-GitSshKey -Path (Join-Path $using:dir "parallel_$_") -Bits 2048 -Force
                (Test-GitSshKey -Path $k.Path -Requirement Integration).IsValid
            }
        }
        $lines | Should -Be @('True', 'True', 'True', 'True')
    }
}

Describe 'Dependency isolation beside another module (YamlDotNet <Yaml>)' -Skip:($IsDesktop) -ForEach @(
    @{ Yaml = '15.3.0' }
    @{ Yaml = '13.7.1' }
) {
    BeforeAll {
        # "Another module"'s copies of our libraries, restored by build.ps1 from tests/Pester/Pester.csproj.
        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $script:Other = @{
            YamlDotNet = Join-Path $packages "yamldotnet/$Yaml/lib/netstandard2.0/YamlDotNet.dll"
            # An older BouncyCastle.Cryptography 2.x has the same assembly version (2.0.0.0) as ours: only the load
            # context keeps them apart.
            BouncyCastle = Join-Path $packages 'bouncycastle.cryptography/2.4.0/lib/netstandard2.0/BouncyCastle.Cryptography.dll'
            Json = Join-Path $packages 'system.text.json/8.0.5/lib/netstandard2.0/System.Text.Json.dll'
        }
        if (@($Other.Values | Where-Object { -not (Test-Path $_) }).Count -gt 0) {
            dotnet restore (Join-Path $PSScriptRoot 'Pester.csproj') -v quiet | Out-Host
        }
        $csv = 'name,type,origin', 'one,Generic,git@example.com:a/one.git'
        Set-Content -Path (Join-Path $TestDrive 'one.csv') -Value $csv
        $script:Deps = Join-Path $ModulePath 'Dependencies'
    }

    It 'imports and works in a session that loaded other versions first, and theirs keep working' {
        $Other.Values | ForEach-Object { $_ | Should -Exist }
        $script = {
            param($other, $module, $dir)
            $ErrorActionPreference = 'Stop'
            # The other module, first, in the default context. The runtime keeps its own newer System.Text.Json
            # whatever is asked for: the line after shows which one the session really has.
            Add-Type -Path $other.YamlDotNet, $other.BouncyCastle, $other.Json
            'json-before=' + [System.Text.Json.JsonSerializer].Assembly.GetName().Version
            Import-Module $module
            $env:GITINTEGRATION_STORE = Join-Path $dir 'iso.yaml'
            $key = New-GitSshKey -Path (Join-Path $dir 'iso_rsa') -Bits 2048 -Force        # BouncyCastle
            'key=' + (Get-GitSshKey -Path $key.Path).FingerprintSha256.StartsWith('SHA256:')
            $null = Import-GitIntegration -Path (Join-Path $dir 'one.csv')                  # YamlDotNet (the store)
            'store=' + (Get-GitIntegration one).Name
            $null = Export-GitIntegration -Path (Join-Path $dir 'all.json') -Format Json -Force  # System.Text.Json
            # SSH.NET (with our BouncyCastle under it) answers for a port where nothing listens.
            $closed = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $closed.Start(); $port = $closed.LocalEndpoint.Port; $closed.Stop()
            $ssh = Test-GitSshKey -Path $key.Path -Url "ssh://git@127.0.0.1:$port/x.git" -ErrorAction SilentlyContinue
            'ssh=' + $ssh.Reason
            'json=' + (Get-Content -Raw (Join-Path $dir 'all.json') | ConvertFrom-Json).Count
            # The other module's types still work.
            'their-yaml=' + (New-Object YamlDotNet.Serialization.SerializerBuilder).Build().Serialize(@{ a = 1 }).Trim()
            $digest = New-Object Org.BouncyCastle.Crypto.Digests.Sha256Digest
            'their-bc=' + $digest.GetDigestSize()
            'their-json=' + [System.Text.Json.JsonSerializer]::Serialize(@{ a = 1 }, [hashtable])
            [AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object {
                    $_.GetName().Name -in 'YamlDotNet', 'BouncyCastle.Cryptography', 'Renci.SshNet', 'GitIntegration.Core',
                        'System.Text.Json'
                } |
                ForEach-Object {
                    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
                    $file = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion
                    'asm={0}|{1}|{2}|{3}|{4}' -f $_.GetName().Name, $_.GetName().Version, $context, $_.Location, $file
                }
        }
        $lines = @(Invoke-FreshSession -Script $script -Arguments $Other, $ModulePath, "$TestDrive")
        $lines | Should -Contain 'key=True'
        $lines | Should -Contain 'store=one'
        $lines | Should -Contain 'json=1'
        $lines | Should -Contain 'ssh=ConnectionRefused'
        $lines | Should -Contain 'their-yaml=a: 1'
        $lines | Should -Contain 'their-bc=32'
        $lines | Should -Contain 'their-json={"a":1}'

        $loaded = $lines | Where-Object { $_ -like 'asm=*' } | ForEach-Object { $_.Substring(4) } |
            ConvertFrom-Csv -Delimiter '|' -Header Name, Version, Context, Location, FileVersion
        $yamls = @($loaded | Where-Object Name -EQ 'YamlDotNet')
        $yamls.Count | Should -Be 2
        ($yamls | Where-Object Context -EQ 'GitIntegration').Location | Should -Be (Join-Path $Deps 'YamlDotNet.dll')
        # YamlDotNet's assembly version is its major version only.
        ($yamls | Where-Object Context -EQ 'Default').Version | Should -Be "$(([version]$Yaml).Major).0.0.0"
        $bc = @($loaded | Where-Object Name -EQ 'BouncyCastle.Cryptography')
        $bc.Count | Should -Be 2
        $ours = Join-Path $Deps 'BouncyCastle.Cryptography.dll'
        ($bc | Where-Object Context -EQ 'GitIntegration').Location | Should -Be $ours
        ($bc | Where-Object Context -EQ 'GitIntegration').FileVersion | Should -BeLike '2.7.*'
        ($bc | Where-Object Context -EQ 'Default').FileVersion | Should -BeLike '2.4.*'
        # SSH.NET loads beside our BouncyCastle, never theirs.
        ($loaded | Where-Object Name -EQ 'Renci.SshNet').Location | Should -Be (Join-Path $Deps 'Renci.SshNet.dll')
        ($loaded | Where-Object Name -EQ 'Renci.SshNet').Context | Should -Be 'GitIntegration'
        ($loaded | Where-Object Name -EQ 'GitIntegration.Core').Context | Should -Be 'GitIntegration'
        # One System.Text.Json, the runtime's, shared by both: ours is not newer, so a second copy would only split
        # types the runtime hands us.
        $json = @($loaded | Where-Object Name -EQ 'System.Text.Json')
        $json.Count | Should -Be 1
        $json[0].Context | Should -Be 'Default'
        $lines | Should -Contain "json-before=$($json[0].Version)"
    }
}
