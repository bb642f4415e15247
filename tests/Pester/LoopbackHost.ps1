# Shared by the Pester files that publish keys: the stand-in git host (tests/GitIntegration.HostStandIn, built by
# build.ps1, which names its DLL in $env:GITINTEGRATION_HOST_STANDIN) on 127.0.0.1, in a process of its own, playing
# -Mode (github, github-enterprise; see StandInModes.cs for the others). The repositories in -Repository exist; any
# other is not found. A key it accepts is appended to -AuthorizedKeys (the loopback sshd's keys/git), a key removed is
# taken out. Tokens: $LoopbackHostToken (and any in -Token) may do everything, $LoopbackHostLimitedToken lacks the
# permission for keys.
# The caller stops it in AfterAll: Stop-Process -Id $hostStandIn.Process.Id.
$script:LoopbackHostToken = 'standin-token-0123456789abcdef'
$script:LoopbackHostLimitedToken = 'standin-limited-token-0123456789'

function Start-LoopbackHost([string] $Root, [string] $Mode = 'github', [string] $AuthorizedKeys,
    [string[]] $Repository = @(), [string[]] $Token = @(), [switch] $Https) {
    $dll = $env:GITINTEGRATION_HOST_STANDIN
    if (-not $dll) {
        $dll = Join-Path $PSScriptRoot '../GitIntegration.HostStandIn/bin/Release/net10.0'
        $dll = Join-Path $dll 'GitIntegration.HostStandIn.dll'
    }
    if (-not (Test-Path $dll)) { throw "The stand-in host is not built ($dll): build.ps1 -Pester builds it." }
    New-Item -ItemType Directory -Force $Root | Out-Null
    $arguments = @($dll, $Root, '--mode', $Mode)
    if ($AuthorizedKeys) { $arguments += '--authorized-keys', $AuthorizedKeys }
    foreach ($r in $Repository) { $arguments += '--repository', $r }
    foreach ($k in $Token) { $arguments += '--token', $k }
    if ($Https) { $arguments += '--https' }
    $process = Start-Process dotnet -ArgumentList $arguments -RedirectStandardError "$Root/host.log" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path "$Root/host.url")) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force }
            throw "The stand-in host did not start: $(Get-Content -Raw "$Root/host.log")"
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{
        Url = (Get-Content -Raw "$Root/host.url").Trim()
        ApiUrl = (Get-Content -Raw "$Root/api.url").Trim()
        Process = $process
    }
}

# Faults: @{ rateLimited = @('acme/busy'); rateLimitOnce = @('acme/slow'); refusedKeyTypes = @('ssh-dss') }; @{} resets.
function Set-LoopbackHost($HostStandIn, [hashtable] $Behaviour) {
    Invoke-RestMethod -Method Post -Uri "$($HostStandIn.Url)standin/behaviour" -SkipCertificateCheck `
        -ContentType 'application/json' -Body ($Behaviour | ConvertTo-Json) | Out-Null
}

# Every API request the stand-in received, as "METHOD path?query body", and every refusal as "refused: why".
function Get-LoopbackHostRequest($HostStandIn) {
    @((Invoke-RestMethod -Uri "$($HostStandIn.Url)standin/requests" -SkipCertificateCheck).requests)
}

# The keys the stand-in holds: Id, Target ('repo:acme/app', 'user', 'project:OPS'), Title, Key, ReadOnly, Fingerprint.
function Get-LoopbackHostKey($HostStandIn) {
    @((Invoke-RestMethod -Uri "$($HostStandIn.Url)standin/keys" -SkipCertificateCheck).keys)
}

# Points the module's github.com (the internal GitHubHost.GitHubComEndpoint, which nothing in the module sets) at the
# stand-in, through reflection; $null points it back at github.com.
function Use-LoopbackHostAsGitHubCom($HostStandIn) {
    $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'GitIntegration.Core' } |
        Select-Object -First 1
    if (-not $core) { throw 'GitIntegration.Core is not loaded: import the module first.' }
    $type = $core.GetType('GitIntegration.Core.GitHub.GitHubHost', $true)
    $flags = [Reflection.BindingFlags]'NonPublic, Public, Static'
    $endpoint = if ($HostStandIn) {
        $type.GetMethod('StandIn', $flags).Invoke($null, @([uri] $HostStandIn.Url, [uri] $HostStandIn.ApiUrl))
    }
    else { $type.GetField('GitHubCom', $flags).GetValue($null) }
    $type.GetField('GitHubComEndpoint', $flags).SetValue($null, $endpoint)
}
