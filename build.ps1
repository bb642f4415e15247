<#
.SYNOPSIS
    Builds the GitIntegration module into an importable folder, and optionally tests and packages it.
.DESCRIPTION
    out/GitIntegration is the module folder: Import-Module ./out/GitIntegration works from there.
    -Test runs the xUnit tests and, when Pester 5 is installed, tests/Pester against the built folder.
.EXAMPLE
    ./build.ps1 -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Runs the xUnit tests, then the Pester tests.
    [switch] $Test,
    # Runs only the Pester tests (after building the module folder).
    [switch] $Pester,
    # Also writes a versioned .nupkg for Publish-PSResource / Install-PSResource.
    [switch] $Package,
    [string] $OutputPath = (Join-Path $PSScriptRoot 'out')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

$version = (Select-Xml -Path (Join-Path $PSScriptRoot 'Directory.Build.props') -XPath '//VersionPrefix').Node.InnerText
$moduleDir = Join-Path $OutputPath 'GitIntegration'
$staging = Join-Path $OutputPath 'publish'

Write-Host "Building GitIntegration $version ($Configuration)"
Invoke-Dotnet publish (Join-Path $PSScriptRoot 'src/GitIntegration/GitIntegration.csproj') -c $Configuration -o $staging -nologo -v quiet

if (Test-Path $moduleDir) { Remove-Item $moduleDir -Recurse -Force }
$null = New-Item -ItemType Directory -Path $moduleDir
# PowerShell itself provides System.Management.Automation; shipping the reference copy would break loading.
Get-ChildItem $staging -File | Where-Object { $_.Name -notlike 'System.Management.Automation*' -and $_.Extension -in '.dll', '.xml' -and $_.Name -ne 'GitIntegration.deps.json' } |
    Copy-Item -Destination $moduleDir
Copy-Item (Join-Path $PSScriptRoot 'module/*') -Destination $moduleDir -Recurse
$manifest = Get-Content (Join-Path $PSScriptRoot 'GitIntegration.psd1') -Raw
$manifest = $manifest -replace "ModuleVersion(\s*)=\s*'[^']*'", "ModuleVersion`$1= '$version'"
Set-Content -Path (Join-Path $moduleDir 'GitIntegration.psd1') -Value $manifest -Encoding utf8
Remove-Item $staging -Recurse -Force
Write-Host "Module folder: $moduleDir"

if ($Test) {
    Invoke-Dotnet test (Join-Path $PSScriptRoot 'GitIntegration.sln') -c $Configuration -nologo
}

if ($Test -or $Pester) {
    $pesterModule = Get-Module -ListAvailable Pester | Where-Object Version -GE '5.0.0' | Sort-Object Version -Descending | Select-Object -First 1
    if (-not $pesterModule) {
        Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0): Pester tests skipped.'
    }
    else {
        Import-Module $pesterModule
        $env:GITINTEGRATION_MODULE = $moduleDir
        # Each test file imports the module in a fresh job-free session; run in a child process so the
        # DLLs this session loads do not stay locked for the next build.
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $PSScriptRoot 'tests/Pester'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
    }
}

if ($Package) {
    $packageDir = Join-Path $OutputPath 'package'
    $null = New-Item -ItemType Directory -Path $packageDir -Force
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        $repo = 'GitIntegrationLocal'
        if (-not (Get-PSResourceRepository -Name $repo -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name $repo -Uri $packageDir -Trusted
        }
        Publish-PSResource -Path $moduleDir -Repository $repo
        Write-Host "Package: $(Get-ChildItem $packageDir -Filter *.nupkg | Select-Object -ExpandProperty FullName)"
    }
    else {
        Write-Warning 'Publish-PSResource (Microsoft.PowerShell.PSResourceGet) is needed for -Package.'
    }
}
