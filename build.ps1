<#
.SYNOPSIS
    Builds the GitIntegration module into an importable folder, and optionally tests and packages it.
.DESCRIPTION
    out/GitIntegration is the module folder: Import-Module ./out/GitIntegration works from there. Its root
    holds the manifest, GitIntegration.dll (the cmdlets), formats, LICENSE and en-US help (MAML generated
    from the cmdlets' XML doc comments); Dependencies/ holds GitIntegration.Core and every library, loaded
    in the module's own assembly load context on PowerShell 7.
    -Test runs the xUnit tests and, when Pester 5 is installed, tests/Pester against the built folder.
    -Package also writes out/package/GitIntegration/<version>/ (the layout Install-PSResource writes to a
    PSModulePath folder) and out/package/GitIntegration.<version>.nupkg (for Publish-PSResource -NupkgPath,
    or a file repository for Install-PSResource).
    Works in Windows PowerShell 5.1 and PowerShell 7, with the .NET SDK 10 on the PATH.
.EXAMPLE
    ./build.ps1 -Test
.EXAMPLE
    ./build.ps1 -Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Runs the xUnit tests, then the Pester tests.
    [switch] $Test,
    # Runs only the Pester tests (after building the module folder).
    [switch] $Pester,
    # Also writes the versioned module folder and the .nupkg under <OutputPath>/package.
    [switch] $Package,
    [string] $OutputPath = (Join-Path $PSScriptRoot 'out')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

$OutputPath = [System.IO.Path]::GetFullPath($OutputPath)
$moduleDir = Join-Path $OutputPath 'GitIntegration'
# The module builder (src/GitIntegration.ModuleBuilder) does the layout, the MAML help and the package, so the
# xUnit tests check exactly what this script ships. Building it builds the cmdlets, Core and the loader first.
$builder = Join-Path $PSScriptRoot 'src/GitIntegration.ModuleBuilder/GitIntegration.ModuleBuilder.csproj'

Write-Host "Building GitIntegration ($Configuration)"
Invoke-Dotnet build $builder -c $Configuration -nologo -v quiet
Invoke-Dotnet run --project $builder -c $Configuration --no-build '--' module $PSScriptRoot $Configuration $moduleDir

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
        $moduleBefore = $env:GITINTEGRATION_MODULE
        $env:GITINTEGRATION_MODULE = $moduleDir
        $config = New-PesterConfiguration
        $config.Run.Path = Join-Path $PSScriptRoot 'tests/Pester'
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Detailed'
        # Pester runs the test files in this caller's scope chain: give them PowerShell's defaults, not this
        # script's strict mode and ErrorActionPreference Stop, so they behave as in a user's session.
        try {
            $result = & {
                Set-StrictMode -Off
                $ErrorActionPreference = 'Continue'
                Invoke-Pester -Configuration $config
            }
        }
        finally { $env:GITINTEGRATION_MODULE = $moduleBefore }
        # FailedCount alone misses a file that fails at discovery or in a BeforeAll/AfterAll: Result covers them all.
        if ($result.Result -ne 'Passed') {
            throw "Pester: $($result.FailedCount) test(s), $($result.FailedBlocksCount) block(s) and $($result.FailedContainersCount) file(s) failed."
        }
    }
}

if ($Package) {
    Invoke-Dotnet run --project $builder -c $Configuration --no-build '--' package $moduleDir (Join-Path $OutputPath 'package')
}
