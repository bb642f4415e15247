#!/usr/bin/env bash
# The code's format in one command, so that style holds without review.
#   bash tests/format.sh          rewrites src/ and tests/: dotnet format's style fixes (.editorconfig: file-scoped
#                                 namespaces, using order...), then CSharpier's layout (.csharpierrc.json, 120
#                                 columns) and tests/GitIntegration.Format (comments wrapped, long string literals
#                                 split into concatenations of the same value) in turn until nothing changes.
#                                 Running it again changes nothing.
#   bash tests/format.sh --check  changes nothing; fails, saying what to run, when the tree is not so formatted or a
#                                 .cs line is over 120 characters (tests/run-all.sh runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet tool restore >/dev/null
dotnet build tests/GitIntegration.Format -c Release -v quiet -nologo >/dev/null
lines() { dotnet tests/GitIntegration.Format/bin/Release/net10.0/GitIntegration.Format.dll "$1" .; }

if [ "${1:-}" = "--check" ]; then
  fail() {
    echo "Format check failed: $1. Run 'bash tests/format.sh', review the changes and commit them." >&2
    exit 1
  }
  dotnet csharpier check src tests || fail "CSharpier would lay out the files above differently"
  # Only dotnet format's style pass (the .editorconfig rules at :warning; about 40 s of CPU for the workspace load):
  # its whitespace pass wants another layout than CSharpier's (it would re-indent every broken line CSharpier
  # writes), and its analyzers pass repeats what the build already fails on (warnings are errors).
  dotnet format style GitIntegration.sln --verify-no-changes || fail "dotnet format would change the files above"
  lines check || fail "the lines above are over 120 characters (what tests/format.sh cannot split is fixed by hand)"
  exit 0
fi

dotnet format style GitIntegration.sln
for pass in 1 2 3 4 5 6; do
  dotnet csharpier format src tests >/dev/null
  changed=$(lines fix)
  [ "$changed" = "changed 0" ] && break
done
if [ "$changed" != "changed 0" ]; then
  echo "tests/format.sh: CSharpier and tests/GitIntegration.Format did not settle after 6 passes." >&2
  exit 1
fi
dotnet csharpier format src tests >/dev/null
# What is left is for a hand: long interpolation holes (a local variable), verbatim strings, long words.
lines check || true
