<#
.SYNOPSIS
    Builds the GitIntegration module into an importable folder, and optionally tests and packages it.
.DESCRIPTION
    out/GitIntegration is the module folder: Import-Module ./out/GitIntegration works from there. Its root
    holds the manifest, GitIntegration.dll (the cmdlets), formats, LICENSE and en-US help (MAML generated
    from the cmdlets' XML doc comments); Dependencies/ holds GitIntegration.Core and every library, loaded
    in the module's own assembly load context on PowerShell 7.
    -Test runs the xUnit tests, then what -Pester runs alone: it makes the package (the Pester tests install it)
    and runs tests/Pester against the built folder with the Pester version tests/Pester/Pester.csproj pins
    (fetched from NuGet into the NuGet cache when missing).
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

# The Pester tests install the package as a user would (Install-PSResource), so testing makes it too.
$packageDir = Join-Path $OutputPath 'package'
if ($Package -or $Test -or $Pester) {
    Invoke-Dotnet run --project $builder -c $Configuration --no-build '--' package $moduleDir $packageDir
}

if ($Test -or $Pester) {
    # The Pester that tests/Pester/Pester.csproj pins, from the NuGet cache (restored in seconds when missing), so
    # every machine runs the tests with the same Pester whatever else is installed.
    $pesterProject = Join-Path $PSScriptRoot 'tests/Pester/Pester.csproj'
    $pesterVersion = ([xml](Get-Content -Raw $pesterProject)).Project.PropertyGroup.PesterVersion
    Invoke-Dotnet restore $pesterProject -nologo -v quiet
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    Import-Module (Join-Path $packages.Trim() "pester/$pesterVersion/tools/Pester.psd1") -Force

    # The stand-in Jira the Jira commands' tests publish to (tests/GitIntegration.JiraStandIn), run with dotnet.
    $standIn = Join-Path $PSScriptRoot 'tests/GitIntegration.JiraStandIn/GitIntegration.JiraStandIn.csproj'
    Invoke-Dotnet build $standIn -c $Configuration -nologo -v quiet
    # The stand-in git hosts Publish-GitSshKey's tests publish keys to (tests/GitIntegration.HostStandIn).
    $hostStandIn = Join-Path $PSScriptRoot 'tests/GitIntegration.HostStandIn/GitIntegration.HostStandIn.csproj'
    Invoke-Dotnet build $hostStandIn -c $Configuration -nologo -v quiet
    $moduleBefore = $env:GITINTEGRATION_MODULE, $env:GITINTEGRATION_PACKAGE, $env:GITINTEGRATION_JIRA_STANDIN
    $hostBefore = $env:GITINTEGRATION_HOST_STANDIN
    $env:GITINTEGRATION_MODULE = $moduleDir
    $env:GITINTEGRATION_PACKAGE = $packageDir
    $env:GITINTEGRATION_JIRA_STANDIN = Join-Path $PSScriptRoot "tests/GitIntegration.JiraStandIn/bin/$Configuration/net10.0/GitIntegration.JiraStandIn.dll"
    $env:GITINTEGRATION_HOST_STANDIN = Join-Path $PSScriptRoot `
        "tests/GitIntegration.HostStandIn/bin/$Configuration/net10.0/GitIntegration.HostStandIn.dll"
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
    finally {
        $env:GITINTEGRATION_MODULE, $env:GITINTEGRATION_PACKAGE, $env:GITINTEGRATION_JIRA_STANDIN = $moduleBefore
        $env:GITINTEGRATION_HOST_STANDIN = $hostBefore
    }
    # The same words as dotnet test's summary, which tests/run-all.sh adds up into its closing line.
    Write-Host ("Pester - Failed: {0,5}, Passed: {1,5}, Skipped: {2,5}, Total: {3,5}" -f
        $result.FailedCount, $result.PassedCount, $result.SkippedCount, $result.TotalCount)
    # FailedCount alone misses a file that fails at discovery or in a BeforeAll/AfterAll: Result covers them all.
    if ($env:CI -eq 'true' -and $result.SkippedCount -gt 0) {
        throw "Pester: $($result.SkippedCount) test(s) skipped; under CI every test must run."
    }
    if ($result.Result -ne 'Passed') {
        throw ("Pester: $($result.FailedCount) test(s), $($result.FailedBlocksCount) block(s) and " +
            "$($result.FailedContainersCount) file(s) failed.")
    }
}
