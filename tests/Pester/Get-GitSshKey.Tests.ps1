BeforeDiscovery {
    # -Skip: is decided at discovery, before BeforeAll runs. Under CI=true the peer must be there: the test runs (and fails) without it.
    $NoSshKeygen = -not (Get-Command ssh-keygen -ErrorAction Ignore) -and $env:CI -ne 'true'
    # Devices and FIFOs as files are a Unix matter.
    $NotUnix = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $ssh = Join-Path $TestDrive 'ssh'
    New-Item -ItemType Directory -Path $ssh | Out-Null
    $script:Rsa = New-GitSshKey -Path (Join-Path $ssh 'id_rsa') -Bits 2048 -Comment 'rsa@test'
    $script:Ed = New-GitSshKey -Path (Join-Path $ssh 'id_ed25519') -Type Ed25519 -Format OpenSsh -Passphrase (Secure 'ed pass')
    Set-Content -Path (Join-Path $ssh 'known_hosts') -Value '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA'
    Set-Content -Path (Join-Path $ssh 'config') -Value 'Host *'
    Set-Content -Path (Join-Path $ssh 'notes.txt') -Value 'not a key'
    # A public key whose private key is elsewhere.
    Copy-Item (Join-Path $ssh 'id_rsa.pub') (Join-Path $ssh 'colleague.pub')

    # Runs $Script while a writer waits to open $Fifo after 60 s: a build that blocks reading the FIFO then fails
    # its test instead of hanging the run. Returns how long $Script took.
    function script:Measure-WithFifoReleased([string] $Fifo, [scriptblock] $Script) {
        $writer = [powershell]::Create()
        $release = { param($f) Start-Sleep -Seconds 60; [IO.File]::WriteAllText($f, 'x') }
        $null = $writer.AddScript($release).AddArgument($Fifo)
        $null = $writer.BeginInvoke()
        $clock = [Diagnostics.Stopwatch]::StartNew()
        try { & $Script } finally { $writer.Stop(); $writer.Dispose() }
        $clock.Elapsed
    }
}

Describe 'Get-GitSshKey' {
    It 'lists the private keys of a folder, and .pub files without their private key, passing over the rest' {
        $keys = Get-GitSshKey -Path $ssh
        $keys.Path | Split-Path -Leaf | Sort-Object | Should -Be @('colleague.pub', 'id_ed25519', 'id_rsa')
    }

    It 'looks into subfolders only with -Recurse' {
        $tree = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'tree')
        $deep = New-Item -ItemType Directory -Path (Join-Path $tree 'team/ops')
        $top = New-GitSshKey -Path (Join-Path $tree 'top') -Type Ed25519 -Format OpenSsh
        $below = New-GitSshKey -Path (Join-Path $deep 'deploy') -Type Ed25519 -Format OpenSsh

        (Get-GitSshKey -Path $tree -ErrorAction Stop).FingerprintSha256 | Should -Be $top.FingerprintSha256
        $all = Get-GitSshKey -Path $tree -Recurse -ErrorAction Stop
        $all.Path | Should -Be @((Join-Path $deep 'deploy'), (Join-Path $tree 'top'))
        $all.FingerprintSha256 | Should -Be @($below.FingerprintSha256, $top.FingerprintSha256)
    }

    It 'describes a key fully' {
        $key = Get-GitSshKey -Path (Join-Path $ssh 'id_rsa')
        $key.IsPrivate | Should -BeTrue
        $key.Algorithm | Should -Be 'Rsa'
        $key.Bits | Should -Be 2048
        $key.Format | Should -Be 'Pem'
        $key.FingerprintSha256 | Should -Be $Rsa.FingerprintSha256
        $key.FingerprintMd5 | Should -Match '^MD5:([0-9a-f]{2}:){15}[0-9a-f]{2}$'
        $key.PublicKeyPath | Should -Be (Join-Path $ssh 'id_rsa.pub')
        $key.Comment | Should -Be 'rsa@test'
    }

    It 'keeps a comment as the .pub file writes it, inner spaces and all, as ssh-keygen lists it' -Skip:$NoSshKeygen {
        $dir = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'spaced')
        $typeAndKey = (Get-Content (Join-Path $ssh 'id_rsa.pub')).Split(' ')[0..1] -join ' '
        $pub = Join-Path $dir 'build.pub'
        Set-Content -Path $pub -Value "$typeAndKey build server  (old)"

        (Get-GitSshKey -Path $pub -ErrorAction Stop).Comment | Should -BeExactly 'build server  (old)'
        & ssh-keygen -l -f $pub | Should -BeLike '* build server  (old) (RSA)'
    }

    It 'shows an encrypted OpenSSH key without its passphrase' {
        $key = Get-GitSshKey -Path (Join-Path $ssh 'id_ed25519')
        $key.IsEncrypted | Should -BeTrue
        $key.FingerprintSha256 | Should -Be $Ed.FingerprintSha256
    }

    It 'accepts Get-ChildItem output from the pipeline' {
        $keys = Get-ChildItem $ssh -Filter *.pub | Get-GitSshKey
        $keys.Count | Should -Be 3
        $keys.IsPrivate | Should -Not -Contain $true
    }

    It 'accepts paths from the pipeline and wildcards' {
        (Join-Path $ssh 'id_*') | Get-GitSshKey | Should -HaveCount 4
    }

    It 'reports a missing file as a non-terminating error and goes on' {
        $keys = Get-GitSshKey -Path (Join-Path $ssh 'missing'), (Join-Path $ssh 'id_rsa') -ErrorVariable err -ErrorAction SilentlyContinue
        $keys | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'KeyFileNotFound,GitIntegration.GetGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses /dev/zero as a key at once, with an error that names it, and goes on' -Skip:$NotUnix {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $paths = '/dev/zero', (Join-Path $ssh 'id_rsa')
        $keys = Get-GitSshKey -Path $paths -ErrorVariable err -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        $keys | Should -HaveCount 1
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -Be 'FileNotRegular,GitIntegration.GetGitSshKeyCommand'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be '/dev/zero'
        $err[0].Exception.Message | Should -BeLike "*'/dev/zero' is a character device, not a file*"
    }

    It 'refuses a FIFO as a key without waiting for something to write to it' -Skip:$NotUnix {
        $fifo = Join-Path $TestDrive 'id_fifo'
        & mkfifo $fifo
        $took = Measure-WithFifoReleased $fifo {
            $script:fifoKeys = Get-GitSshKey -Path $fifo -ErrorVariable script:fifoErr -ErrorAction SilentlyContinue
        }
        $took.TotalSeconds | Should -BeLessThan 60
        $fifoKeys | Should -BeNullOrEmpty
        $fifoErr[0].FullyQualifiedErrorId | Should -Be 'FileNotRegular,GitIntegration.GetGitSshKeyCommand'
        $fifoErr[0].Exception.Message | Should -BeLike "*is a named pipe (FIFO)*"
    }

    It 'lists a folder holding a FIFO (an agent''s or a multiplexer''s) without waiting on it' -Skip:$NotUnix {
        $folder = Join-Path $TestDrive 'with-fifo'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Copy-Item (Join-Path $ssh 'id_rsa') $folder
        & mkfifo (Join-Path $folder 'agent')
        $took = Measure-WithFifoReleased (Join-Path $folder 'agent') {
            $script:listed = Get-GitSshKey -Path $folder -ErrorVariable script:listErr -ErrorAction SilentlyContinue
        }
        $took.TotalSeconds | Should -BeLessThan 60
        $listed.Path | Split-Path -Leaf | Should -Be 'id_rsa'
        $listErr | Should -BeNullOrEmpty
    }

    It 'says a file that is not a key is not one' {
        { Get-GitSshKey -Path (Join-Path $ssh 'notes.txt') -ErrorAction Stop } | Should -Throw -ErrorId 'KeyFormatNotRecognized,GitIntegration.GetGitSshKeyCommand'
    }

    It 'gives ssh-keygen''s fingerprint' -Skip:$NoSshKeygen {
        $line = & ssh-keygen -l -E sha256 -f (Join-Path $ssh 'id_rsa')
        ($line -split ' ')[1] | Should -Be (Get-GitSshKey -Path (Join-Path $ssh 'id_rsa')).FingerprintSha256
    }

    It 'fits a 120-column table and never shows key material' {
        $table = Get-GitSshKey -Path $ssh | Format-Table | Out-String -Width 120
        ($table -split "`n" | Where-Object { $_.TrimEnd().Length -gt 120 }) | Should -BeNullOrEmpty
        $table | Should -Not -Match 'PRIVATE KEY'
        $table | Should -Match 'SHA256:'
    }
}
