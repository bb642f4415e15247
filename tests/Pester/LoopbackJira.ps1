# Shared by the Pester files of the Jira commands: the stand-in Jira (tests/GitIntegration.JiraStandIn, built by build.ps1, which
# names its DLL in $env:GITINTEGRATION_JIRA_STANDIN) on 127.0.0.1 over https with its own self-signed certificate, in a process
# of its own. Users: admin / admin-secret (a Jira administrator), dev / dev-secret (not one). The caller stops it in AfterAll:
# Stop-Process -Id $jira.Process.Id.
function Start-LoopbackJira([string] $Root) {
    $dll = $env:GITINTEGRATION_JIRA_STANDIN
    if (-not $dll) { $dll = Join-Path $PSScriptRoot '../GitIntegration.JiraStandIn/bin/Release/net10.0/GitIntegration.JiraStandIn.dll' }
    if (-not (Test-Path $dll)) { throw "The stand-in Jira is not built ($dll): build.ps1 -Pester builds it." }
    New-Item -ItemType Directory -Force $Root | Out-Null
    $process = Start-Process dotnet -ArgumentList $dll, $Root -RedirectStandardError "$Root/jira.log" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path "$Root/jira.url")) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force }
            throw "The stand-in Jira did not start: $(Get-Content -Raw "$Root/jira.log")"
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{ Url = (Get-Content -Raw "$Root/jira.url").Trim(); Process = $process }
}

# Makes the stand-in play a Jira without the app (AppMissing), refuse a field (RejectField) or stall (StallSeconds); @{} resets it.
function Set-LoopbackJira([string] $Url, [hashtable] $Behaviour) {
    Invoke-RestMethod -Method Post -Uri "$(([uri]$Url).GetLeftPart('Authority'))/standin/behaviour" -SkipCertificateCheck `
        -ContentType 'application/json' -Body ($Behaviour | ConvertTo-Json) | Out-Null
}

# Every request the stand-in received, as "METHOD path body".
function Get-LoopbackJiraRequest([string] $Url) {
    (Invoke-RestMethod -Uri "$(([uri]$Url).GetLeftPart('Authority'))/standin/requests" -SkipCertificateCheck).requests
}
