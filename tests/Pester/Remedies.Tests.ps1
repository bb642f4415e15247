# Every Remedy the module gives for a key is a command to paste: here each one is pasted as text (Invoke-Expression)
# into a session, in a folder whose name holds a space, quotes, $ and a backtick, and must fix what it was given for.
BeforeDiscovery {
    $NotUnix = $IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Dir = Join-Path $TestDrive "it's a `$HOME ``x ‘q’ [1] folder"
    [IO.Directory]::CreateDirectory($Dir) | Out-Null
    # A remedy that names a relative file writes it here, not into the checkout.
    Push-Location -LiteralPath $Dir
    $script:Core = (Test-GitSshKey -KeyText 'x').GetType().Assembly
    $script:Seen = @{}
    # What the admin types when a pasted remedy asks: the key's passphrase, or the file that holds the key.
    $script:Keyboard = @{ Passphrase = $null; File = $null }

    # The admin at the keyboard. The remedy's own text calls Read-Host, and this function is found first.
    function Read-Host {
        param([Parameter(Position = 0)] [object] $Prompt, [switch] $AsSecureString)
        if ($AsSecureString) {
            if ($null -eq $Keyboard.Passphrase) { throw "The remedy asked for a passphrase it does not need." }
            return ConvertTo-SecureString $Keyboard.Passphrase -AsPlainText -Force
        }
        if ($null -eq $Keyboard.File) { throw "The remedy asked for a file ('$Prompt') it should have named." }
        return $Keyboard.File
    }

    # A remedy PowerShell parses, that names no variable (the admin has none), and whose commands have every
    # parameter it uses (checked against the real commands, not this file's Read-Host).
    function Assert-Pasteable([string] $Remedy) {
        $Remedy | Should -Not -BeNullOrEmpty
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Remedy, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty -Because $Remedy
        $variables = $ast.FindAll({ param($n) $n -is [Management.Automation.Language.VariableExpressionAst] }, $true)
        @($variables) | Should -HaveCount 0 -Because "'$Remedy' must not need a variable the admin does not have"
        $commands = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)
        foreach ($c in $commands) {
            $command = Get-Command -Name $c.GetCommandName() -CommandType Cmdlet, Application -ErrorAction Stop |
                Select-Object -First 1
            if ($command.CommandType -eq 'Application') { continue }
            foreach ($p in $c.CommandElements) {
                if ($p -is [System.Management.Automation.Language.CommandParameterAst]) {
                    $command.Parameters.Keys | Should -Contain $p.ParameterName -Because "'$Remedy' uses it"
                }
            }
        }
    }

    # Pastes the remedy of the one finding with this Id, answering its prompts; returns what it wrote.
    function Invoke-Remedy {
        [CmdletBinding()]
        param($Result, [string] $Id, [string] $Passphrase, [string] $File)
        $finding = @($Result.Findings | Where-Object Id -eq $Id)
        $finding | Should -HaveCount 1 -Because "$($Result.Path) has a finding $Id"
        Assert-Pasteable $finding[0].Remedy
        $Keyboard.Passphrase = $Passphrase
        $Keyboard.File = $File
        $script:Seen[$Id] = $finding[0].Remedy
        Invoke-Expression $finding[0].Remedy
    }

    # The key the remedy left (its output's Path, else the key it was given for) no longer has the finding, and passes.
    function Assert-Fixed($Output, [string] $Id, [string] $Path, [string] $Passphrase) {
        $fixed = if ($Output -and $Output.Path) { $Output.Path } else { $Path }
        $check = @{ LiteralPath = $fixed }
        if ($Passphrase) { $check.Passphrase = Secure $Passphrase }
        $after = Test-GitSshKey @check
        $after.Findings.Id | Should -Not -Contain $Id
        $after.IsValid | Should -BeTrue -Because (($after.Findings | ForEach-Object { $_.ToString() }) -join '; ')
        return $fixed
    }

    function Test-Key([string] $Path, [string] $Passphrase, [string] $Requirement = 'Integration') {
        $check = @{ LiteralPath = $Path; Requirement = $Requirement }
        if ($Passphrase) { $check.Passphrase = Secure $Passphrase }
        Test-GitSshKey @check
    }
}

AfterAll { Pop-Location }

Describe 'Key remedies, pasted' {
    It 'quotes any text so that PowerShell reads it back unchanged' {
        $command = $Core.GetType('GitIntegration.Core.PowerShellCommand')
        $texts = @("it's", "a `$HOME ``b `$(Get-Date) @(1) `${x}", "‘curly’ ‚low‛ 'plain'",
            '"double" “curly” „low”', "tab`there", "line`nbreak", '', '--%', '#not a comment', 'a;b|c&d', '-Force',
            '4096', '~/x', "$Dir/k ‘q’")
        foreach ($text in $texts) {
            foreach ($quoted in @($command::Quote($text), $command::Argument($text))) {
                $tokens = $null; $errors = $null
                $ast = [Management.Automation.Language.Parser]::ParseInput("Write-Output $quoted", [ref] $tokens,
                    [ref] $errors)
                $errors | Should -BeNullOrEmpty
                $argument = $ast.EndBlock.Statements[0].PipelineElements[0].CommandElements[1]
                $argument.Value | Should -BeExactly $text
                Invoke-Expression "Write-Output $quoted" | Should -BeExactly $text
            }
        }
    }

    It 'OpenSshFormat of an RSA key: converted in place, asking for its passphrase when it has one' {
        $plain = "$Dir/mac ‘rsa’"
        New-GitSshKey -Path $plain -Bits 3072 -Format OpenSsh | Out-Null
        $out = Invoke-Remedy (Test-Key $plain) OpenSshFormat
        Assert-Fixed $out OpenSshFormat $plain | Should -Be $plain

        $locked = "$Dir/mac locked"
        New-GitSshKey -Path $locked -Bits 3072 -Format OpenSsh -Passphrase (Secure "pass 'phrase'") | Out-Null
        $out = Invoke-Remedy (Test-Key $locked) OpenSshFormat -Passphrase "pass 'phrase'"
        Assert-Fixed $out OpenSshFormat $locked "pass 'phrase'" | Should -Be $locked
    }

    It 'OpenSshFormat and AlgorithmNotAllowed of an Ed25519 key: a new RSA key beside it' {
        $ed = "$Dir/id_ed25519 it's"
        New-GitSshKey -Path $ed -Type Ed25519 -Format OpenSsh | Out-Null
        $out = Invoke-Remedy (Test-Key $ed) OpenSshFormat
        Assert-Fixed $out OpenSshFormat $ed | Should -Be "$ed.rsa"
        # The same advice, and the first new key is not overwritten: the next one gets a name of its own.
        $out = Invoke-Remedy (Test-Key $ed) AlgorithmNotAllowed
        Assert-Fixed $out AlgorithmNotAllowed $ed | Should -Be "$ed.rsa2"
    }

    It 'AlgorithmNotAllowed of an ECDSA key, for the integration and for Azure DevOps' {
        $ec = "$Dir/ec key"
        New-GitSshKey -Path $ec -Type Ecdsa | Out-Null
        $out = Invoke-Remedy (Test-Key $ec -Requirement AzureDevOps) AlgorithmNotAllowed
        Assert-Fixed $out AlgorithmNotAllowed $ec | Should -Be "$ec.rsa"
    }

    It 'Pkcs8Format, plain and encrypted: converted in place' {
        $p8 = "$Dir/pkcs8 ‘x’"
        ssh-keygen -q -t rsa -b 3072 -m PKCS8 -N '' -f $p8 | Out-Null
        $out = Invoke-Remedy (Test-Key $p8) Pkcs8Format
        Assert-Fixed $out Pkcs8Format $p8 | Should -Be $p8

        # Encrypted PKCS#8 hides the key's type: the conversion opens it with the passphrase typed at the prompt.
        $enc = "$Dir/pkcs8 locked"
        ssh-keygen -q -t rsa -b 3072 -m PKCS8 -N 'pass phrase' -f $enc | Out-Null
        $out = Invoke-Remedy (Test-Key $enc) Pkcs8Format -Passphrase 'pass phrase'
        Assert-Fixed $out Pkcs8Format $enc 'pass phrase' | Should -Be $enc
    }

    It 'PuttyFormat: converted beside the .ppk, or beside a PuTTY key without the extension' {
        $pem = "$Dir/for putty"
        New-GitSshKey -Path $pem -Bits 3072 | Out-Null
        $ppk = "$Dir/put ‘ty’.ppk"
        ConvertTo-PuttyKey -Path $pem -Destination $ppk -NewPassphrase (Secure 'pass phrase') -Passes 1 | Out-Null
        $out = Invoke-Remedy (Test-Key $ppk) PuttyFormat -Passphrase 'pass phrase'
        Assert-Fixed $out PuttyFormat $ppk 'pass phrase' | Should -Be "$Dir/put ‘ty’"

        $bare = "$Dir/putty key"
        ConvertTo-PuttyKey -Path $pem -Destination $bare | Out-Null
        $out = Invoke-Remedy (Test-Key $bare) PuttyFormat
        Assert-Fixed $out PuttyFormat $bare | Should -Be "$bare.pem"
    }

    It 'PuttyFormat of an Ed25519 key: a new RSA key for the integration' {
        $ed = "$Dir/ed for putty"
        New-GitSshKey -Path $ed -Type Ed25519 -Format OpenSsh | Out-Null
        ConvertTo-PuttyKey -Path $ed -Destination "$ed.ppk" | Out-Null
        $out = Invoke-Remedy (Test-Key "$ed.ppk") PuttyFormat
        Assert-Fixed $out PuttyFormat "$ed.ppk" | Should -Be "$ed.ppk.rsa"
    }

    It 'DsaDeprecated, KeyTooSmall and KeySizeMinimum: a new 4096-bit RSA key beside the old one' {
        $dsa = "$Dir/dsa key"
        ssh-keygen -q -t dsa -m PEM -N 'dsa pass' -f $dsa | Out-Null
        $out = Invoke-Remedy (Test-Key $dsa 'dsa pass') DsaDeprecated
        Assert-Fixed $out DsaDeprecated $dsa | Should -Be "$dsa.new"

        $small = "$Dir/rsa 1024"
        ssh-keygen -q -t rsa -b 1024 -m PEM -N 'small pass' -f $small | Out-Null
        $result = Test-Key $small 'small pass'
        $message = ($result.Findings | Where-Object Id -eq KeyTooSmall).Message
        $message | Should -Not -Match '2048 is the least'
        $message | Should -Match 'OpenSSH refuses keys under 1024 bits'
        $message | Should -Match '4096'
        $out = Invoke-Remedy $result KeyTooSmall
        (Get-GitSshKey -LiteralPath (Assert-Fixed $out KeyTooSmall $small)).Bits | Should -Be 4096

        $minimum = "$Dir/rsa 2048"
        New-GitSshKey -Path $minimum -Bits 2048 | Out-Null
        $out = Invoke-Remedy (Test-Key $minimum) KeySizeMinimum
        Assert-Fixed $out KeySizeMinimum $minimum | Should -Be "$minimum.new"
    }

    It 'PassphraseNotGiven and WrongPassphrase: the check again, with the passphrase typed at the prompt' {
        $locked = "$Dir/locked ‘pem’"
        New-GitSshKey -Path $locked -Bits 3072 -Passphrase (Secure 'right one') | Out-Null
        $out = Invoke-Remedy (Test-Key $locked) PassphraseNotGiven -Passphrase 'right one'
        $out.IsValid | Should -BeTrue
        $out.Findings | Should -BeNullOrEmpty

        $out = Invoke-Remedy (Test-Key $locked 'wrong one') WrongPassphrase -Passphrase 'right one'
        $out.IsValid | Should -BeTrue
        $out.Findings | Should -BeNullOrEmpty
    }

    It 'PublicKeyMismatch: the .pub is written again from the private key' {
        $key = "$Dir/mismatched it's"
        New-GitSshKey -Path $key -Bits 3072 -Passphrase (Secure 'pass phrase') | Out-Null
        New-GitSshKey -Path "$Dir/other" -Bits 2048 | Out-Null
        Copy-Item -LiteralPath "$Dir/other.pub" -Destination "$key.pub" -Force
        $out = Invoke-Remedy (Test-Key $key 'pass phrase') PublicKeyMismatch -Passphrase 'pass phrase'
        Assert-Fixed $out PublicKeyMismatch $key 'pass phrase' | Out-Null
        (Get-GitSshKey -LiteralPath $key -Passphrase (Secure 'pass phrase')).PublicKeyPath | Should -Be "$key.pub"
    }

    It 'PermissionsTooOpen: the key is made readable by its owner only' -Skip:$NotUnix {
        $open = "$Dir/open key"
        New-GitSshKey -Path $open -Bits 3072 | Out-Null
        chmod 644 $open
        $out = Invoke-Remedy (Test-Key $open) PermissionsTooOpen
        Assert-Fixed $out PermissionsTooOpen $open | Out-Null
        Test-OwnerOnly $open | Should -BeTrue
    }

    It 'PublicKeyGiven: the private key beside it is checked, or the keys of its folder are listed' {
        $pair = "$Dir/pair"
        New-GitSshKey -Path $pair -Bits 3072 | Out-Null
        $out = Invoke-Remedy (Test-Key "$pair.pub") PublicKeyGiven
        $out.Path | Should -Be $pair
        $out.IsValid | Should -BeTrue

        $alone = Join-Path $Dir "lone ‘pub’"
        [IO.Directory]::CreateDirectory($alone) | Out-Null
        Copy-Item -LiteralPath "$pair.pub" -Destination "$alone/colleague.pub"
        New-GitSshKey -Path "$alone/mine" -Bits 3072 | Out-Null
        $out = Invoke-Remedy (Test-Key "$alone/colleague.pub") PublicKeyGiven -ErrorVariable failed
        $failed | Should -BeNullOrEmpty
        $out.Path | Should -Contain "$alone/mine"
    }

    It 'NotAKey, KeyCorrupt and KeyFormatNotSupported: a new key beside the file' {
        $notes = "$Dir/notes ‘1’.txt"
        Set-Content -LiteralPath $notes -Value 'not a key'
        $out = Invoke-Remedy (Test-Key $notes) NotAKey
        Assert-Fixed $out NotAKey $notes | Should -Be "$notes.new"

        $pem = "$Dir/damaged it's"
        New-GitSshKey -Path $pem -Bits 2048 | Out-Null
        $lines = Get-Content -LiteralPath $pem
        Set-Content -LiteralPath $pem -Value ($lines[0..5] + $lines[-1])
        $out = Invoke-Remedy (Test-Key $pem) KeyCorrupt
        Assert-Fixed $out KeyCorrupt $pem | Should -Be "$pem.new"

        $pgp = "$Dir/pgp `$key"
        Set-Content -LiteralPath $pgp -Value @(
            '-----BEGIN PGP PRIVATE KEY BLOCK-----', 'abc', '-----END PGP PRIVATE KEY BLOCK-----')
        $out = Invoke-Remedy (Test-Key $pgp) KeyFormatNotSupported
        Assert-Fixed $out KeyFormatNotSupported $pgp | Should -Be "$pgp.new"
    }

    It 'KeyFileNotFound for a folder: the keys in it are listed' {
        $folder = Join-Path $Dir "keys ‘only’"
        [IO.Directory]::CreateDirectory($folder) | Out-Null
        New-GitSshKey -Path "$folder/deploy" -Bits 3072 | Out-Null
        $out = Invoke-Remedy (Test-Key $folder) KeyFileNotFound -ErrorVariable failed
        $failed | Should -BeNullOrEmpty
        $out.Path | Should -Be "$folder/deploy"
    }

    It 'a key given as text: the remedy asks for the file that holds it' {
        $mac = "$Dir/text ‘mac’"
        New-GitSshKey -Path $mac -Bits 3072 -Format OpenSsh | Out-Null
        $out = Invoke-Remedy (Test-GitSshKey -KeyText (Get-Content -Raw -LiteralPath $mac)) OpenSshFormat -File $mac
        Assert-Fixed $out OpenSshFormat $mac | Should -Be $mac

        $locked = "$Dir/text locked"
        New-GitSshKey -Path $locked -Bits 3072 -Passphrase (Secure 'pass phrase') | Out-Null
        $text = Get-Content -Raw -LiteralPath $locked
        $out = Invoke-Remedy (Test-GitSshKey -KeyText $text) PassphraseNotGiven -Passphrase 'pass phrase' -File $locked
        $out.IsValid | Should -BeTrue
        $out.Findings | Should -BeNullOrEmpty
    }

    It 'a key given as text that is no key: a new key in ~/.ssh' -Skip:$NotUnix {
        $homeBefore = $env:HOME
        $env:HOME = Join-Path $Dir 'home'
        [IO.Directory]::CreateDirectory($env:HOME) | Out-Null
        try {
            $out = Invoke-Remedy (Test-GitSshKey -KeyText 'not a key at all') NotAKey
            Assert-Fixed $out NotAKey $null | Should -Be (Join-Path $env:HOME '.ssh/jira_rsa')
        }
        finally { $env:HOME = $homeBefore }
    }

    It 'the command Convert-GitSshKey names for a .ppk runs' {
        $pem = "$Dir/ppk in place"
        New-GitSshKey -Path $pem -Bits 3072 | Out-Null
        ConvertTo-PuttyKey -Path $pem -Destination "$pem ‘x’.ppk" | Out-Null
        Convert-GitSshKey -Path "$pem ‘x’.ppk" -Format Pem -ErrorVariable refused -ErrorAction SilentlyContinue |
            Out-Null
        $command = [regex]::Match($refused[0].Exception.Message, 'Use (ConvertFrom-PuttyKey .*), which').Groups[1].Value
        Assert-Pasteable $command
        $out = Invoke-Expression $command
        Assert-Fixed $out PuttyFormat $null | Should -Be "$pem ‘x’"
    }

    It 'was run for every finding a key check can report' {
        $ids = $Core.GetType('GitIntegration.Core.Keys.KeyDiagnostics+Ids').GetFields() |
            ForEach-Object { $_.GetValue($null) }
        # Windows has no permission bits for the check to read: PermissionsTooOpen is a Unix finding.
        $unix = -not ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop')
        $ids | Where-Object { ($unix -or $_ -ne 'PermissionsTooOpen') -and -not $Seen.ContainsKey($_) } |
            Should -BeNullOrEmpty
    }
}
