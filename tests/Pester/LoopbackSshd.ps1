# Shared by the Pester files that need an SSH server: a throwaway sshd on 127.0.0.1 (Linux, as root, with the system
# user 'git' that tests/run-all.sh creates), its host key in $Root/hostkey, authorized keys for 'git' in $Root/keys/git.
# The caller stops it in AfterAll: Stop-Process -Id $server.Process.Id.
function Start-LoopbackSshd([string] $Root, [string[]] $AuthorizedKeys) {
    New-GitSshKey -Path "$Root/hostkey" -Type Ed25519 -Format OpenSsh -ErrorAction Stop | Out-Null   # sshd reads our OpenSSH keys
    New-Item -ItemType Directory -Force "$Root/keys", "$Root/repos" | Out-Null
    if ($AuthorizedKeys) { $AuthorizedKeys | Set-Content "$Root/keys/git" }
    chmod 755 $Root "$Root/repos"
    New-Item -ItemType Directory -Force /run/sshd | Out-Null
    # A random port may be taken meanwhile (it lies in the range outgoing connections use): another one is tried.
    for ($attempt = 1; ; $attempt++) {
        $port = Get-Random -Minimum 40000 -Maximum 60000
        @"
Port $port
ListenAddress 127.0.0.1
HostKey $Root/hostkey
PidFile $Root/sshd.pid
AuthorizedKeysFile $Root/keys/%u
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowUsers git
"@ | Set-Content "$Root/sshd_config"
        # sshd writes its log itself (-E): each line is in the file before the process that logged it ends, which a
        # redirected stderr, copied by a reader thread, does not promise to a test that counts logins.
        $process = Start-Process /usr/sbin/sshd -ArgumentList '-D', '-E', "$Root/sshd.log", '-f', "$Root/sshd_config" `
            -RedirectStandardError "$Root/sshd.err" -PassThru
        # sshd writes its PidFile once its socket is bound: wait for that instead of a fixed sleep.
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while (-not (Test-Path "$Root/sshd.pid")) {
            if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) { break }
            Start-Sleep -Milliseconds 50
        }
        if (Test-Path "$Root/sshd.pid") { break }
        if (-not $process.HasExited) { Stop-Process -Id $process.Id -Force }
        $log = "$(Get-Content -Raw "$Root/sshd.err")$(Get-Content -Raw "$Root/sshd.log" -ErrorAction Ignore)"
        if ($attempt -ge 5 -or $log -notmatch 'Address already in use') {
            throw "sshd did not start on 127.0.0.1:$port (run as root, with openssh-server installed): $log"
        }
    }
    [pscustomobject]@{ Port = $port; Process = $process }
}

# A bare repository owned by 'git' with one commit on main.
function New-LoopbackRepository([string] $Root, [string] $Name) {
    if (-not (Test-Path "$Root/work")) {
        git init -q -b main "$Root/work"; Set-Content "$Root/work/a.txt" 'a'
        git -C "$Root/work" add .; git -C "$Root/work" -c user.name=t -c user.email=t@t commit -q -m one
    }
    git clone -q --bare "$Root/work" "$Root/repos/$Name.git"
    chown -R git "$Root/repos/$Name.git"
}

# A real login with OpenSSH's own client (not the module): git ls-remote of -Url, a repository on the loopback sshd,
# with one key, the host key pinned from $Root/hostkey.pub. $true when sshd let the key in and the refs were read.
function Test-LoopbackLogin([string] $Root, [int] $Port, [string] $KeyPath, [string] $Url) {
    "[127.0.0.1]:$Port $((Get-Content "$Root/hostkey.pub" -Raw).Trim())" | Set-Content "$Root/openssh_known_hosts"
    $before = $env:GIT_SSH_COMMAND
    $env:GIT_SSH_COMMAND = "ssh -F none -i '$KeyPath' -o IdentitiesOnly=yes -o BatchMode=yes " +
        "-o StrictHostKeyChecking=yes -o UserKnownHostsFile='$Root/openssh_known_hosts'"
    try { git ls-remote $Url *> $null }
    finally { $env:GIT_SSH_COMMAND = $before }
    return $LASTEXITCODE -eq 0
}
