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

# A remedy the module printed, read as PowerShell reads it when pasted: every command it runs must exist and take
# every parameter it names.
function script:Assert-RemedyParameters([string] $Command) {
    $tokens = $null; $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Command, [ref] $tokens, [ref] $errors)
    $errors | Should -BeNullOrEmpty -Because $Command
    $calls = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true))
    $calls.Count | Should -BeGreaterThan 0 -Because $Command
    foreach ($call in $calls) {
        $info = Get-Command $call.GetCommandName() -ErrorAction Stop
        $named = $call.CommandElements |
            Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }
        foreach ($p in $named) {
            $known = @($info.Parameters.Values |
                Where-Object { $_.Name -like "$($p.ParameterName)*" -or $_.Aliases -contains $p.ParameterName })
            $known.Count | Should -BeGreaterThan 0 -Because "$($info.Name) must take -$($p.ParameterName) ($Command)"
        }
    }
}

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

# Another local user of the machine (tests/run-all.sh creates it), who tries to read or replace this user's secrets.
$script:Attacker = 'gi-attacker'

# Runs a sh script as that user (arguments as $1, $2...); $true when it succeeded. A missing user fails the test.
function script:Invoke-AsAttacker([string] $Script, [string[]] $ArgumentList = @()) {
    id -u $Attacker *> $null
    if ($LASTEXITCODE -ne 0) { throw "The system user '$Attacker' is missing: tests/run-all.sh creates it (as root)." }
    runuser -u $Attacker -- sh -c $Script sh @ArgumentList *> $null
    return $LASTEXITCODE -eq 0
}

# A fresh PowerShell with the module imported, started the way a login shell or a service with UMask= starts it: the
# umask is set by sh just before exec, so this session keeps its own. The script is what the admin types there.
function script:New-AdminSessionStart([string] $Umask, [string] $Script, [hashtable] $Environment = @{}) {
    $prelude = "`$ErrorActionPreference = 'Stop'; Import-Module '$($ModulePath -replace "'", "''")'; " +
        'function Secure([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }' + "`n"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script))
    $psi = New-Object System.Diagnostics.ProcessStartInfo 'sh'
    $shell = "umask $Umask; exec `"`$0`" -NoProfile -NonInteractive -EncodedCommand `"`$1`""
    foreach ($a in @('-c', $shell, $Pwsh, $encoded)) { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.Environment['DOTNET_EnableDiagnostics'] = '0'
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    return $psi
}

# Runs the admin's session to its end. With -Trace, strace records every file and folder it creates with the mode
# asked for at creation: a file created 0644 and narrowed to 0600 afterwards was open to others in between, which no
# look at the finished file can tell. Returns the output, the exit code, and what was created (Path, Mode as octal
# text, Exclusive).
function script:Invoke-AdminSession {
    param([string] $Umask, [string] $Script, [switch] $Trace, [hashtable] $Environment = @{})
    $psi = New-AdminSessionStart -Umask $Umask -Script $Script -Environment $Environment
    $logs = Join-Path ([IO.Path]::GetTempPath()) ('gi-trace-' + [guid]::NewGuid().ToString('N'))
    if ($Trace) {
        if (-not (Get-Command strace -ErrorAction Ignore)) {
            throw "strace is missing: install the Debian package 'strace' (tests/run-all.sh does it)."
        }
        New-Item -ItemType Directory $logs | Out-Null
        $argv = @('-ff', '-qq', '--seccomp-bpf', '-e', 'trace=open,openat,creat,mkdir,mkdirat', '-o', "$logs/trace") +
            @($psi.FileName) + @($psi.ArgumentList)
        $psi.FileName = 'strace'
        $psi.ArgumentList.Clear()
        foreach ($a in $argv) { $psi.ArgumentList.Add($a) }
    }
    try {
        $p = [System.Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        $created = @()
        if ($Trace) {
            # openat(AT_FDCWD, "/path", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 3, or mkdir("/path", 0700) = 0
            $pattern = '^(?<call>open|openat|creat|mkdir|mkdirat)\((?:AT_FDCWD, |\d+, )?"(?<path>(?:[^"\\]|\\.)*)"' +
                '(?:, (?<flags>[A-Z_|]+))?(?:, 0(?<mode>[0-7]*))?\)\s*=\s*(?<rc>\d+)'
            $created = @(Get-ChildItem $logs | Get-Content | ForEach-Object {
                $m = [regex]::Match($_, $pattern)
                $call = $m.Groups['call'].Value
                if ($m.Success -and ($call -like 'mkdir*' -or $m.Groups['flags'].Value -match 'O_CREAT')) {
                    [pscustomobject]@{
                        Call = $call; Path = $m.Groups['path'].Value; Mode = $m.Groups['mode'].Value
                        Exclusive = $m.Groups['flags'].Value -match 'O_EXCL'
                    }
                }
            })
        }
        return [pscustomobject]@{ Output = $out; Errors = $stderr.Result; ExitCode = $p.ExitCode; Created = $created }
    }
    finally { Remove-Item $logs -Recurse -Force -ErrorAction Ignore }
}
