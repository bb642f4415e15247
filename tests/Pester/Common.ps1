# Dot-sourced in BeforeAll by every test file: imports the built module (build.ps1 sets GITINTEGRATION_MODULE).
# Pester 5 evaluates -Skip: and -ForEach at discovery, before any BeforeAll runs: what they need (is ssh-keygen
# there?) must be computed in the file's BeforeDiscovery block, never here.
$script:ModulePath = if ($env:GITINTEGRATION_MODULE) { $env:GITINTEGRATION_MODULE } else { Join-Path $PSScriptRoot '../../out/GitIntegration' }
Import-Module $script:ModulePath -Force -ErrorAction Stop

# The PowerShell these tests run in, to start fresh sessions of the same kind. Not the process's path: when
# PowerShell runs as a dotnet tool, that is 'dotnet'.
$script:Pwsh = if ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' }
elseif ($IsWindows) { Join-Path $PSHOME 'pwsh.exe' } else { Join-Path $PSHOME 'pwsh' }

function script:Secure([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }

# The permission bits a private key file must have: owner-only.
function script:Test-OwnerOnly([string] $Path) {
    $item = Get-Item -LiteralPath $Path
    if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
        $acl = Get-Acl -LiteralPath $item.FullName
        $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User
        return $acl.AreAccessRulesProtected -and
            @($acl.Access | Where-Object { $_.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]) -ne $me }).Count -eq 0
    }
    return $item.UnixMode -eq '-rw-------'
}
