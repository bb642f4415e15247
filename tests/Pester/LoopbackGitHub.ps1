# Shared by the Pester files that create GitHub Apps: a stand-in GitHub Enterprise Server on 127.0.0.1 (a pwsh process of its
# own) that answers what Install-GitHubApp asks with the shapes of GitHub's documented examples: the manifest code conversion
# (the code 'acme-code' is for an app owned by the organization acme, 'evil-code' for one owned by the organization evil) and
# the organization's installation; any other code is unknown (404). And a browser: an 'xdg-open' first on PATH (with
# DISPLAY set, the module opens pages with it) that loads the module's page, sends a forged redirect as another local
# program would, then GitHub's redirect with the code in $env:GI_TEST_CODE; with the code 'unreachable-code' it stops
# the stand-in GitHub first, so that PowerShell cannot reach the GitHub the browser just used (a firewall, a remote
# session). What it saw goes to $Root/browser.log. Linux only (macOS opens pages with 'open').
# The caller stops the server in AfterAll: Stop-Process -Id $gh.Process.Id.
function Start-LoopbackGitHub([string] $Root) {
    New-GitSshKey -Path "$Root/app.pem" -Bits 2048 -ErrorAction Stop | Out-Null
    $free = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
    $free.Start(); $port = $free.LocalEndpoint.Port; $free.Stop()
    $url = "http://127.0.0.1:$port/"
    @'
param([string] $Prefix, [string] $Root)
$pem = Get-Content -Raw (Join-Path $Root 'app.pem')
$http = New-Object System.Net.HttpListener
$http.Prefixes.Add($Prefix)
$http.Start()
Set-Content (Join-Path $Root 'github.ready') 'ready'
while ($true) {
    $ctx = $http.GetContext()
    $path = $ctx.Request.Url.AbsolutePath
    $status = 404
    $body = [ordered]@{ message = 'Not Found'; documentation_url = 'https://docs.github.com/rest' }
    if ($ctx.Request.HttpMethod -eq 'POST' -and $path -match '^/api/v3/app-manifests/(acme|evil)-code/conversions$') {
        $owner = $Matches[1]
        $status = 201
        $body = [ordered]@{ id = 4242; slug = "jira-git-$owner"; name = 'Jira Git acme'; client_id = 'Iv23liabcdef0123'
            owner = [ordered]@{ login = $owner; id = 1; type = 'Organization' }; html_url = "${Prefix}apps/jira-git-$owner"
            permissions = @{ contents = 'read'; metadata = 'read' }; events = @()
            client_secret = 'not-used'; webhook_secret = 'whsec-0123456789'; pem = $pem }
    }
    elseif ($ctx.Request.HttpMethod -eq 'GET' -and $path -eq '/api/v3/orgs/acme/installation') {
        $status = 200
        $body = [ordered]@{ id = 42420; app_id = 4242; app_slug = 'jira-git-acme'
            account = [ordered]@{ login = 'acme'; id = 1; type = 'Organization' }; target_type = 'Organization'
            repository_selection = 'all'; html_url = "${Prefix}organizations/acme/settings/installations/42420"; suspended_at = $null }
    }
    $bytes = [System.Text.Encoding]::UTF8.GetBytes(($body | ConvertTo-Json -Depth 5))
    $ctx.Response.StatusCode = $status
    $ctx.Response.ContentType = 'application/json; charset=utf-8'
    $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
    $ctx.Response.Close()
}
'@ | Set-Content "$Root/github.ps1"
    @'
param([string] $Url)
$log = Join-Path $PSScriptRoot 'browser.log'
if ($Url -like '*/installations/new') { Add-Content $log "install page"; exit }
# Another local program knows the port, not the address the browser was given.
$other = Invoke-WebRequest (([uri]$Url).GetLeftPart('Authority') + '/') -SkipHttpErrorCheck
Add-Content $log "another program got $($other.StatusCode) at /"
$page = (Invoke-WebRequest $Url).Content
$action = [System.Net.WebUtility]::HtmlDecode(([regex]'action="([^"]+)"').Match($page).Groups[1].Value)
$state = ([regex]'state=([0-9a-f]+)').Match($action).Groups[1].Value
$forged = Invoke-WebRequest "${Url}callback?code=forged&state=0000" -SkipHttpErrorCheck
Add-Content $log "forged redirect got $($forged.StatusCode)"
if ($env:GI_TEST_CODE -eq 'unreachable-code') {
    Stop-Process -Id (Get-Content (Join-Path $PSScriptRoot 'github.pid'))
    Wait-Process -Id (Get-Content (Join-Path $PSScriptRoot 'github.pid')) -Timeout 60 -ErrorAction SilentlyContinue
}
$back = Invoke-WebRequest "${Url}callback?code=$($env:GI_TEST_CODE)&state=$state" -SkipHttpErrorCheck
Add-Content $log "GitHub's redirect got $($back.StatusCode)"
Add-Content $log "GitHub's redirect page: $($back.Content)"
'@ | Set-Content "$Root/browser.ps1"
    New-Item -ItemType Directory -Force "$Root/bin" | Out-Null
    "#!/bin/sh`nexec '$Pwsh' -NoProfile -NonInteractive -File '$Root/browser.ps1' `"`$1`" >>'$Root/browser.log' 2>&1`n" |
        Set-Content "$Root/bin/xdg-open"
    chmod 755 "$Root/bin/xdg-open"
    $process = Start-Process $Pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-File', "$Root/github.ps1", $url, $Root `
        -RedirectStandardError "$Root/github.log" -PassThru
    Set-Content "$Root/github.pid" $process.Id
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not (Test-Path "$Root/github.ready")) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force }
            throw "The stand-in GitHub did not start on $url`: $(Get-Content -Raw "$Root/github.log")"
        }
        Start-Sleep -Milliseconds 50
    }
    [pscustomobject]@{ Url = $url; Process = $process }
}
