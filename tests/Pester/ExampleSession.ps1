# The session one docs-run example runs in: Examples.Tests.ps1 starts a fresh pwsh (or powershell.exe) per example with
# -File this script, HOME and USERPROFILE set to a throwaway home and GITINTEGRATION_STORE to a throwaway store, in the
# folder the example expects to be run from. This script gives the session what a user's session has before the user
# pastes the example (the module, the variables the examples name without defining them), runs the example's code as
# it is written, and reports every error record the example raised to -ReportFile.
param(
    [Parameter(Mandatory = $true)] [string] $ExampleFile,
    [Parameter(Mandatory = $true)] [string] $ReportFile,
    [Parameter(Mandatory = $true)] [string] $ModulePath,
    # What the user types at a Read-Host -AsSecureString prompt, and the passphrase of every encrypted fixture key.
    [Parameter(Mandatory = $true)] [string] $TypedPassphrase,
    # The token the examples rotate to ($newPat).
    [Parameter(Mandatory = $true)] [string] $NewToken,
    # The folder that stands for C:\ on a system without a C: drive (examples use C:\keys).
    [Parameter(Mandatory = $true)] [string] $DriveC,
    # The text on the "clipboard" (see Set-Clipboard below).
    [Parameter(Mandatory = $true)] [string] $ClipboardFile
)

$ErrorActionPreference = 'Stop'
if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath

if (-not (Test-Path -LiteralPath 'C:\')) {
    New-PSDrive -Name C -PSProvider FileSystem -Root $DriveC -Scope Global | Out-Null
}

function script:Quote([string] $Text) { "'" + $Text.Replace("'", "''") + "'" }

# A function named like a cmdlet wins over the cmdlet, so these stand in for the three commands a CI session cannot run
# as a user's can. Each takes exactly the real cmdlet's parameters (its CmdletBinding and param block, read from the
# real cmdlet here), so an example that calls them wrongly still fails.
function script:Set-StandIn([string] $Name, [string] $Body) {
    $real = Get-Command -CommandType Cmdlet -Name $Name
    $metadata = New-Object System.Management.Automation.CommandMetadata $real
    $binding = [System.Management.Automation.ProxyCommand]::GetCmdletBindingAttribute($metadata)
    $params = [System.Management.Automation.ProxyCommand]::GetParamBlock($metadata)
    Set-Item -Path "function:global:$Name" -Value ([scriptblock]::Create("$binding`nparam($params)`n$Body"))
}

# Read-Host -AsSecureString: the user types the passphrase. Not through stdin: PowerShell 7 reads a secure prompt
# from the console only (with stdin redirected, pwsh 7.6 ends the whole process silently, exit code 0, at the
# prompt), and -NonInteractive refuses to prompt at all. So this stands in for the keyboard only: the same
# parameters, and what the real cmdlet returns once the user has typed the passphrase. Other Read-Host calls go to
# the real cmdlet.
Set-StandIn Read-Host @"
if (`$AsSecureString) { return ConvertTo-SecureString $(Quote $TypedPassphrase) -AsPlainText -Force }
Microsoft.PowerShell.Utility\Read-Host @PSBoundParameters
"@

# The clipboard needs a display (xclip) on Linux: a file holds its text instead.
Set-StandIn Set-Clipboard @"
begin { `$text = New-Object 'System.Collections.Generic.List[string]' }
process { foreach (`$v in `$Value) { `$text.Add([string] `$v) } }
end {
    if (`$Append) { Add-Content -LiteralPath $(Quote $ClipboardFile) -Value `$text }
    else { Set-Content -LiteralPath $(Quote $ClipboardFile) -Value `$text }
    if (`$PassThru) { `$text }
}
"@
Set-StandIn Get-Clipboard @"
if (`$Raw) { Get-Content -LiteralPath $(Quote $ClipboardFile) -Raw }
else { Get-Content -LiteralPath $(Quote $ClipboardFile) }
"@

# The variables the examples use without defining them, as a user would have set them before.
$old = ConvertTo-SecureString $TypedPassphrase -AsPlainText -Force     # a key's current passphrase
$p = ConvertTo-SecureString $TypedPassphrase -AsPlainText -Force       # a .ppk's (or PEM key's) passphrase
$pass = ConvertTo-SecureString $TypedPassphrase -AsPlainText -Force    # a key's passphrase
$newPat = ConvertTo-SecureString $NewToken -AsPlainText -Force         # a new personal access token
$keyPath = Join-Path $HOME '.ssh/jira_rsa'                             # a key file
# A git host's access token; Examples.Tests.ps1's stand-in host accepts it.
$t = ConvertTo-SecureString 'ghp_docsRunExampleToken0123456789' -AsPlainText -Force

# The example, as the user pastes it, with PowerShell's defaults, its output formatted as in a 200-column console
# (redirected, it would be 80 columns, and tables would cut what the checks look for).
$ErrorActionPreference = 'Continue'
$docsRunCode = [System.IO.File]::ReadAllText($ExampleFile)
$docsRunStopped = $null
$Error.Clear()
try { . ([scriptblock]::Create($docsRunCode)) | Out-String -Stream -Width 200 | Out-Default }
catch { $docsRunStopped = $_ }

# Every error record, oldest first (a terminating one is in $Error too).
$docsRunErrors = @(for ($i = $Error.Count - 1; $i -ge 0; $i--) {
    $e = $Error[$i]
    if ($e -is [System.Management.Automation.ErrorRecord]) {
        "$($e.FullyQualifiedErrorId): $e $($e.InvocationInfo.PositionMessage)"
    }
    else { "$($e.GetType().FullName): $e" }
})
$report = New-Object psobject -Property @{ Stopped = [string] $docsRunStopped; Errors = $docsRunErrors }
Set-Content -LiteralPath $ReportFile -Value (ConvertTo-Json $report -Depth 3) -Encoding UTF8
