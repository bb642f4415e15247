# The module as a whole: offline help for every exported cmdlet, the about topic, completers, and dependency
# isolation beside another module's copies of the same libraries (in a fresh pwsh, as a user would meet it).
BeforeDiscovery {
    $modulePath = if ($env:GITINTEGRATION_MODULE) { $env:GITINTEGRATION_MODULE } else { Join-Path $PSScriptRoot '../../out/GitIntegration' }
    Import-Module $modulePath -Force -ErrorAction Stop
    $script:Commands = @(Get-Command -Module GitIntegration -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
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

    It 'has at least two examples with code and remarks' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        foreach ($e in $help.Examples.Example) {
            $e.Code | Should -Not -BeNullOrEmpty
            ($e.Remarks.Text -join ' ').Trim().Length | Should -BeGreaterThan 10
        }
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
}

Describe 'Dependency isolation beside another module' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    BeforeAll {
        # "Another module": YamlDotNet 15 (the xUnit test project downloads it) and its own copy of BouncyCastle.
        $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path $HOME '.nuget/packages' }
        $script:OtherYaml = Join-Path $packages 'yamldotnet/15.3.0/lib/netstandard2.0/YamlDotNet.dll'
        if (-not (Test-Path $OtherYaml)) {
            # build.ps1 -Pester builds only the module: restoring the contract test project downloads that YamlDotNet.
            dotnet restore (Join-Path $PSScriptRoot '../GitIntegration.Tests/GitIntegration.Tests.csproj') -v quiet | Out-Host
        }
        $script:OtherBc = Join-Path $TestDrive 'other/BouncyCastle.Crypto.dll'
        New-Item -ItemType Directory (Split-Path $OtherBc) | Out-Null
        Copy-Item (Join-Path (Get-Module GitIntegration).ModuleBase 'Dependencies/BouncyCastle.Crypto.dll') $OtherBc
    }

    It 'imports and works in a session that loaded other versions first, each module keeping its own' {
        $OtherYaml | Should -Exist -Because 'dotnet test tests/GitIntegration.Tests downloads YamlDotNet 15.3.0'
        $script = {
            param($yaml, $bc, $module, $store, $keyPath)
            $ErrorActionPreference = 'Stop'
            Add-Type -Path $yaml, $bc            # the other module, first, in the default context
            Import-Module $module
            $env:GITINTEGRATION_STORE = $store
            $null = New-GitSshKey -Path $keyPath -Bits 2048                               # BouncyCastle (PEM)
            $null = Import-GitIntegration -Path (Join-Path (Split-Path $store) 'one.csv')  # YamlDotNet (the store)
            [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'YamlDotNet', 'BouncyCastle.Crypto', 'GitIntegration.Core' } |
                ForEach-Object { '{0}|{1}|{2}|{3}' -f $_.GetName().Name, $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name, $_.Location }
        }
        Set-Content -Path (Join-Path $TestDrive 'one.csv') -Value @('name,type,origin', 'one,Generic,git@example.com:a/one.git')
        $lines = & $Pwsh -NoProfile -NonInteractive -Command $script -args $OtherYaml, $OtherBc, $ModulePath, (Join-Path $TestDrive 'iso.yaml'), (Join-Path $TestDrive 'iso_rsa')
        $LASTEXITCODE | Should -Be 0
        $loaded = $lines | ConvertFrom-Csv -Delimiter '|' -Header Name, Version, Context, Location
        $deps = Join-Path (Get-Module GitIntegration).ModuleBase 'Dependencies'

        $yaml = $loaded | Where-Object Name -EQ 'YamlDotNet'
        @($yaml).Count | Should -Be 2
        ($yaml | Where-Object Context -EQ 'GitIntegration').Version | Should -BeLike '16.*'
        ($yaml | Where-Object Context -EQ 'Default').Version | Should -BeLike '15.*'
        $bcs = $loaded | Where-Object Name -EQ 'BouncyCastle.Crypto'
        @($bcs).Count | Should -Be 2
        ($bcs | Where-Object Context -EQ 'GitIntegration').Location | Should -BeLike "$deps*"
        ($loaded | Where-Object Name -EQ 'GitIntegration.Core').Context | Should -Be 'GitIntegration'
    }
}
