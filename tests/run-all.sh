#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with the .NET SDK: installs the peer tools the tests
# compare against and, through build.sh, PowerShell when there is no pwsh; runs every xUnit test, then every
# Pester test in real pwsh against the module folder build.ps1 makes; then imports that folder as build.sh tells
# a newcomer to.
set -euo pipefail
cd "$(dirname "$0")/.."

# strace shows with which permissions a secret file first came into existence (the secret-file tests).
peers=(openssh-client openssh-server putty-tools argon2 git gitolite3 nginx-light fcgiwrap openssl ca-certificates strace)
missing=()
for p in "${peers[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# Node checks our JWTs independently; a machine may already have node and npm from elsewhere than Debian,
# which Debian's npm package would conflict with.
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing test peers: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# System users the loopback git servers log in as (tests/GitIntegration.Core.Tests/Servers): 'git' with git-shell,
# 'gitolite' and 'gitgate' with /bin/sh (their authorized_keys force a command, which sshd runs through the login shell:
# gitolite's, and the greeting gate that plays GitHub, GitLab, Bitbucket and Gerrit). '*' unlocks them for key logins without PAM.
if [ "$(id -u)" -eq 0 ]; then
  for spec in git:/usr/bin/git-shell gitolite:/bin/sh gitgate:/bin/sh; do
    u=${spec%%:*}; sh=${spec#*:}
    id -u "$u" >/dev/null 2>&1 || useradd --system --create-home --home-dir "/home/$u" --shell "$sh" "$u"
    mkdir -p "/home/$u" && chown "$u" "/home/$u"
    usermod -s "$sh" -p '*' "$u"
  done
  # Another local user of the machine, who tries to read or replace this user's secrets (tests/*/IO, tests/Pester).
  id -u gi-attacker >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin gi-attacker
  # A user without privileges who runs the module: root passes every permission check, so the tests that must see
  # "permission denied" run their second process as this user (tests/GitIntegration.Core.Tests/IO/PermissionDeniedTests.cs).
  id -u gi-user >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin gi-user
fi
command -v dotnet >/dev/null || { echo "The .NET SDK 10 is needed (https://dot.net)." >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The code's format first (CSharpier, dotnet format style, no line over 120): a tree that is not formatted fails in
# a few minutes, before the long build and tests, with the command that formats it.
bash tests/format.sh --check
dotnet build GitIntegration.sln -c Release -v quiet -nologo
log=$(mktemp)
set +e
dotnet test GitIntegration.sln -c Release --no-build -v quiet -nologo --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# Installs pwsh if missing, builds out/GitIntegration, runs the Pester tests (build.ps1 fails on any failed test,
# block or file, and under CI=true on any skipped test), and ends with the line that imports the module.
bash build.sh -Configuration Release -Pester 2>&1 | tee -a "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e

# The newcomer's path: the command build.sh printed, run as printed; the pwsh it opens reads a command from stdin.
use=$(grep '^To use the module: ' "$log" | tail -1 | sed 's/^To use the module: //')
check="'imported:' + (Get-Command New-GitSshKey).Source; exit"
if [ -z "$use" ] || ! echo "$check" | timeout 120 bash -c "$use" 2>&1 | grep -q 'imported:GitIntegration'; then
  echo "build.sh's import line did not work: $use" >&2
  status=1
fi

# The failed tests again, with the first lines of their errors, where a log cut to its last lines still shows them.
grep -E -A6 '^ +Failed [A-Za-z_]|\[-\] ' "$log" | head -100 || true
# One closing line for the whole run, summed over the test assemblies and Pester.
# Only the summaries (dotnet test's 'Passed!  - ...' or 'Failed!  - ...', build.ps1's 'Pester - ...'): Pester's own
# 'Tests Passed: N' line would count its tests twice.
sum() { grep -E '^(Passed!|Failed!|Pester) +- ' "$log" | grep -oE "$1: +[0-9]+" | awk '{s+=$2} END {print s+0}'; }
echo "tests: $(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
rm -f "$log"
exit "$status"
