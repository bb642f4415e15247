#!/usr/bin/env bash
# For a machine with only the .NET SDK: gets PowerShell 7.6.9 when there is no pwsh (a dotnet tool in .tools/pwsh,
# inside this folder), then runs build.ps1 with the arguments given.
#   bash build.sh               builds out/GitIntegration and prints the line that imports it
#   bash build.sh shell         the same, then opens pwsh with the module imported
#   bash build.sh -Test         any build.ps1 parameters (-Test, -Pester, -Package, -Configuration Debug)
set -euo pipefail
cd "$(dirname "$0")"
export POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v dotnet >/dev/null || { echo "The .NET SDK 10 is needed (https://dot.net)." >&2; exit 1; }

pwsh=$(command -v pwsh || true)
if [ -z "$pwsh" ]; then
  pwsh="$PWD/.tools/pwsh/pwsh"
  if [ ! -x "$pwsh" ]; then
    echo "No pwsh on the PATH: installing PowerShell 7.6.9 into .tools/pwsh"
    dotnet tool install PowerShell --version 7.6.9 --tool-path .tools/pwsh >/dev/null
  fi
fi

shell=false
if [ "${1:-}" = shell ]; then shell=true; shift; fi
"$pwsh" -NoProfile -NonInteractive -File build.ps1 "$@"

quoted=${PWD//\'/\'\'}
import="Import-Module '$quoted/out/GitIntegration'"
if $shell; then exec "$pwsh" -NoProfile -NoExit -Command "$import"; fi
echo "To use the module: $pwsh -NoExit -Command \"$import\""
