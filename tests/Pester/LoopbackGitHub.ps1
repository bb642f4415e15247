# Shared by the Pester files that use GitHub Apps: a stand-in GitHub on 127.0.0.1 (a pwsh process of its own) that answers
# the app 4242 (client id Iv23liabcdef0123, key $Root/app.pem, installed on acme as 42420) with the shapes of GitHub's
# documented examples, as strictly as GitHub documents: every app call needs an RS256 JWT signed with the app's key, issued
# in the past, expiring within 10 minutes, whose issuer is the app id on a GitHub Enterprise Server (3.13 and before) and
# the app id or client id on github.com (-GitHubCom: api.github.com's paths, no /api/v3; Use-LoopbackGitHubCom points the
# module's github.com at it). It serves: GitHub's "new app" page, which checks the manifest (url required, a name of at
# most 34 characters not taken yet) and redirects with the code the browser brings ('acme-code' converts to an app owned
# by the organization acme, 'evil-code' to one owned by evil, any other code to nothing: 404); the code conversion; GET /app; the organization's
# installation; GET, suspend and resume of installation 42420, and its access token (ghs_loopbackInstallationToken42420;
# its permissions are those of $Root/permissions.json when a test writes one).
# Every API request goes to $Root/requests.log as
# "METHOD path", every refusal as "refused: why".
# And a browser: an 'xdg-open' first on PATH (with DISPLAY set, the module opens pages with it) that loads the module's page,
# sends a forged redirect as another local program would, posts the manifest to GitHub's page with the code in
# $env:GI_TEST_CODE, and follows GitHub's redirect; with the code 'unreachable-code' it first stops the stand-in GitHub,
# so that PowerShell cannot reach the GitHub the browser just used (a firewall, a remote session). What it saw goes to $Root/browser.log. Linux only (macOS opens pages
# with 'open'). The caller stops the server in AfterAll: Stop-Process -Id $gh.Process.Id.
function Start-LoopbackGitHub([string] $Root, [switch] $GitHubCom) {
    New-GitSshKey -Path "$Root/app.pem" -Bits 2048 -ErrorAction Stop | Out-Null
    $free = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback), 0
    $free.Start(); $port = $free.LocalEndpoint.Port; $free.Stop()
    $url = "http://127.0.0.1:$port/"
    @'
param([string] $Prefix, [string] $Root, [string] $Mode)
$pem = Get-Content -Raw (Join-Path $Root 'app.pem')
$rsa = [System.Security.Cryptography.RSA]::Create()
$rsa.ImportFromPem($pem)
$api = if ($Mode -eq 'GitHubCom') { '' } else { '/api/v3' }
$issuers = if ($Mode -eq 'GitHubCom') { @('4242', 'Iv23liabcdef0123') } else { @('4242') }
$log = Join-Path $Root 'requests.log'
$names = New-Object System.Collections.Generic.HashSet[string]
$suspended = $null
function Read-Base64Url([string] $Text) {
    $t = $Text.Replace('-', '+').Replace('_', '/')
    [Convert]::FromBase64String($t.PadRight($t.Length + (4 - $t.Length % 4) % 4, '='))
}
# GitHub's JWT rules ("Generating a JSON Web Token for a GitHub App"): $null when the token is good, else GitHub's message.
function Test-Jwt([string] $Authorization) {
    $parts = ($Authorization -replace '^Bearer ', '').Split('.')
    if ($Authorization -notlike 'Bearer *' -or $parts.Count -ne 3) { return 'A JSON web token could not be decoded' }
    try {
        $header = [Text.Encoding]::UTF8.GetString((Read-Base64Url $parts[0])) | ConvertFrom-Json
        $claims = [Text.Encoding]::UTF8.GetString((Read-Base64Url $parts[1])) | ConvertFrom-Json
        $signature = Read-Base64Url $parts[2]
    } catch { return 'A JSON web token could not be decoded' }
    if ($header.alg -ne 'RS256') { return 'A JSON web token could not be decoded' }
    if ([string] $claims.iss -notin $issuers) { return 'Integration not found' }
    $signed = [Text.Encoding]::ASCII.GetBytes($parts[0] + '.' + $parts[1])
    $sha = [System.Security.Cryptography.HashAlgorithmName]::SHA256
    $pkcs1 = [System.Security.Cryptography.RSASignaturePadding]::Pkcs1
    if (-not $rsa.VerifyData($signed, $signature, $sha, $pkcs1)) { return 'A JSON web token could not be decoded' }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($claims.iat -isnot [long] -and $claims.iat -isnot [int] -or $claims.iat -gt $now) {
        return "'Issued at' claim ('iat') must be an Integer representing a time in the past"
    }
    if ($claims.exp -le $now -or $claims.exp - $claims.iat -gt 600) {
        return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which " +
            'the assertion expires'
    }
    return $null
}
# GitHub's rules for a manifest: url required; a name of at most 34 characters, unique across GitHub.
function Test-Manifest([string] $Text) {
    try { $m = $Text | ConvertFrom-Json -ErrorAction Stop } catch { return 'Invalid GitHub App configuration' }
    if (-not ($m.url -as [uri]) -or -not ([uri] $m.url).IsAbsoluteUri) { return "Url can't be blank" }
    if (-not $m.name) { return "Name can't be blank" }
    if ($m.name.Length -gt 34) { return 'Name is too long (maximum is 34 characters)' }
    $slug = ($m.name.ToLowerInvariant() -replace '[^a-z0-9]+', '-').Trim('-')
    if (-not $names.Add($slug)) { return 'Name has already been taken' }
    return $null
}
$http = New-Object System.Net.HttpListener
$http.Prefixes.Add($Prefix)
$http.Start()
Set-Content (Join-Path $Root 'github.ready') 'ready'
while ($true) {
    $ctx = $http.GetContext()
    $path = $ctx.Request.Url.AbsolutePath
    $method = $ctx.Request.HttpMethod
    $status = 404
    $body = [ordered]@{ message = 'Not Found'; documentation_url = 'https://docs.github.com/rest' }
    $app = $path -like "$api/app" -or $path -like "$api/app/*" -or $path -like "$api/orgs/*"
    if ($path -like "$api/*" -and $path -notlike '*/settings/apps/new') { Add-Content $log "$method $path" }
    $refused = if ($app) { Test-Jwt $ctx.Request.Headers['Authorization'] }
    if ($method -eq 'POST' -and $path -match '^/organizations/(acme|evil)/settings/apps/new$') {
        $form = New-Object IO.StreamReader $ctx.Request.InputStream
        $field = ($form.ReadToEnd() -split '&' | Where-Object { $_ -like 'manifest=*' }) -replace '^manifest=', ''
        $manifest = [uri]::UnescapeDataString($field.Replace('+', ' '))
        $why = Test-Manifest $manifest
        if ($why) {
            Add-Content $log "refused: $why"
            $status = 422; $body = [ordered]@{ message = $why }
        } else {
            $state = [uri]::EscapeDataString([System.Web.HttpUtility]::ParseQueryString($ctx.Request.Url.Query)['state'])
            $code = $ctx.Request.Headers['X-Test-Code']
            $ctx.Response.Redirect("$(($manifest | ConvertFrom-Json).redirect_url)?code=$code&state=$state")
            $ctx.Response.Close()
            continue
        }
    }
    elseif ($refused) {
        Add-Content $log "refused: $refused"
        $status = 401; $body = [ordered]@{ message = $refused; documentation_url = 'https://docs.github.com/rest' }
    }
    elseif ($method -eq 'GET' -and $path -eq "$api/app") {
        $status = 200
        $body = [ordered]@{ id = 4242; slug = 'jira-git-acme'; name = 'Jira Git acme'; client_id = 'Iv23liabcdef0123'
            owner = [ordered]@{ login = 'acme'; id = 1; type = 'Organization' }; html_url = "${Prefix}apps/jira-git-acme"
            permissions = @{ contents = 'read'; metadata = 'read' }; events = @() }
    }
    elseif ($path -eq "$api/app/installations/42420/suspended" -and $method -in 'PUT', 'DELETE') {
        $status = 204; $body = $null
        $suspended = if ($method -eq 'PUT') { '2024-01-01T00:00:00Z' } else { $null }
    }
    elseif ($method -eq 'POST' -and $path -match "^$api/app-manifests/(acme|evil)-code/conversions$") {
        $owner = $Matches[1]
        $status = 201
        $body = [ordered]@{ id = 4242; slug = "jira-git-$owner"; name = 'Jira Git acme'; client_id = 'Iv23liabcdef0123'
            owner = [ordered]@{ login = $owner; id = 1; type = 'Organization' }; html_url = "${Prefix}apps/jira-git-$owner"
            permissions = @{ contents = 'read'; metadata = 'read' }; events = @()
            client_secret = 'not-used'; webhook_secret = 'whsec-0123456789'; pem = $pem }
    }
    elseif ($method -eq 'GET' -and $path -in "$api/orgs/acme/installation", "$api/app/installations/42420") {
        $status = 200
        $body = [ordered]@{ id = 42420; app_id = 4242; app_slug = 'jira-git-acme'
            account = [ordered]@{ login = 'acme'; id = 1; type = 'Organization' }; target_type = 'Organization'
            repository_selection = 'all'; html_url = "${Prefix}organizations/acme/settings/installations/42420"; suspended_at = $suspended }
        # What the installation may do: $Root/permissions.json when a test writes one (Publish-GitSshKey -GitHubApp).
        $granted = Join-Path $Root 'permissions.json'
        if (Test-Path $granted) { $body.permissions = Get-Content -Raw $granted | ConvertFrom-Json }
    }
    elseif ($method -eq 'POST' -and $path -eq "$api/app/installations/42420/access_tokens") {
        $status = 201
        $body = [ordered]@{ token = 'ghs_loopbackInstallationToken42420'
            expires_at = [DateTime]::UtcNow.AddHours(1).ToString('yyyy-MM-ddTHH:mm:ssZ') }
    }
    $ctx.Response.StatusCode = $status
    if ($null -ne $body) {
        $bytes = [System.Text.Encoding]::UTF8.GetBytes(($body | ConvertTo-Json -Depth 5))
        $ctx.Response.ContentType = 'application/json; charset=utf-8'
        $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
    }
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
$manifest = [System.Net.WebUtility]::HtmlDecode(([regex]'name="manifest" value="([^"]*)"').Match($page).Groups[1].Value)
$forged = Invoke-WebRequest "${Url}callback?code=forged&state=0000" -SkipHttpErrorCheck
Add-Content $log "forged redirect got $($forged.StatusCode)"
# The user confirms on GitHub's page; GitHub checks the manifest and redirects with the code.
$posted = Invoke-WebRequest $action -Method Post -Body @{ manifest = $manifest } -Headers @{ 'X-Test-Code' = $env:GI_TEST_CODE } `
    -MaximumRedirection 0 -SkipHttpErrorCheck -ErrorAction SilentlyContinue
Add-Content $log "GitHub's page answered $($posted.StatusCode)"
if ($posted.StatusCode -ne 302) { exit }
if ($env:GI_TEST_CODE -eq 'unreachable-code') {
    Stop-Process -Id (Get-Content (Join-Path $PSScriptRoot 'github.pid'))
    Wait-Process -Id (Get-Content (Join-Path $PSScriptRoot 'github.pid')) -Timeout 60 -ErrorAction SilentlyContinue
}
$back = Invoke-WebRequest ([string] $posted.Headers.Location) -SkipHttpErrorCheck
Add-Content $log "GitHub's redirect got $($back.StatusCode)"
Add-Content $log "GitHub's redirect page: $($back.Content)"
'@ | Set-Content "$Root/browser.ps1"
    New-Item -ItemType Directory -Force "$Root/bin" | Out-Null
    "#!/bin/sh`nexec '$Pwsh' -NoProfile -NonInteractive -File '$Root/browser.ps1' `"`$1`" >>'$Root/browser.log' 2>&1`n" |
        Set-Content "$Root/bin/xdg-open"
    chmod 755 "$Root/bin/xdg-open"
    $mode = if ($GitHubCom) { 'GitHubCom' } else { 'Enterprise' }
    $process = Start-Process $Pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-File', "$Root/github.ps1", $url, $Root, $mode `
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
    [pscustomobject]@{ Url = $url; Process = $process; Requests = "$Root/requests.log" }
}

# Points the module's github.com (no -HostUrl) at a stand-in started with -GitHubCom, or back at github.com without -GitHub:
# the internal GitHubHost.GitHubComEndpoint, which nothing in the module sets, through reflection.
function Use-LoopbackGitHubCom($GitHub) {
    $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'GitIntegration.Core' } |
        Select-Object -First 1
    if (-not $core) { throw 'GitIntegration.Core is not loaded: import the module first.' }
    $type = $core.GetType('GitIntegration.Core.GitHub.GitHubHost', $true)
    $flags = [Reflection.BindingFlags]'NonPublic, Public, Static'
    $endpoint = if ($GitHub) {
        $type.GetMethod('StandIn', $flags).Invoke($null, @([uri] $GitHub.Url, [uri] $GitHub.Url))
    }
    else { $type.GetField('GitHubCom', $flags).GetValue($null) }
    $type.GetField('GitHubComEndpoint', $flags).SetValue($null, $endpoint)
}
