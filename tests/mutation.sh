#!/usr/bin/env bash
# Mutation testing of Core with Stryker.NET (the local tool in dotnet-tools.json): each area's code is changed one small
# mutant at a time and the area's xUnit tests run against it; a mutant that no test notices "survived". Not part of
# tests/run-all.sh: an area takes from minutes to hours. Areas: Keys Putty Crypto Store GitHub (default: all, one after
# the other). The report of each goes to out/mutation/<area>/ (mutation-report.html, and the score on the console).
#   bash tests/mutation.sh Putty Crypto          # two areas
#   STRYKER_CONCURRENCY=2 bash tests/mutation.sh  # test runners in parallel (default 1: CPU is often shared)
#   STRYKER_ALL_TESTS=1 bash tests/mutation.sh Store  # every Core test for each mutant, not only the area's own
#   STRYKER_FILES="Argon2.cs BcryptPbkdf.cs" bash tests/mutation.sh Crypto  # rerun only these files of the area
#     (report: out/mutation/<area>/files/); STRYKER_TESTS="Argon2Tests|BcryptPbkdfTests" narrows the tests too
#   STRYKER_OPTS='--log-to-file --verbosity debug' bash tests/mutation.sh Keys  # more Stryker options
# An area's own tests are those of its folder in tests/GitIntegration.Core.Tests plus the folders that test its code
# through their files: Keys' PpkFormat is tested under Putty, Crypto's ciphers and KDFs through the key readers, and
# the store's files under a hostile umask, another user and a denied queue from IO's classes.
# Stryker builds Debug and replaces the Core DLL in the test project's Debug output while it runs: do not run
# Debug builds or tests of the same checkout meanwhile (Release builds are not touched).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=(Keys Putty Crypto Store GitHub)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
for area in "${areas[@]}"; do
  case "$area" in Keys|Putty|Crypto|Store|GitHub) ;; *) echo "Unknown area '$area' (Keys Putty Crypto Store GitHub)." >&2; exit 2;; esac
  out="$root/out/mutation/$area"
  mkdir -p "$out"
  case "$area" in
    Keys|Putty) folders=(Keys Putty);;
    Crypto) folders=(Crypto Keys Putty);;
    *) folders=("$area");;
  esac
  filter=""
  for f in "${folders[@]}"; do
    # Two files under Crypto/ declare the namespace GitIntegration.Core.Crypto.Tests.
    filter="$filter${filter:+|}FullyQualifiedName~GitIntegration.Core.Tests.$f."
    filter="$filter|FullyQualifiedName~GitIntegration.Core.$f.Tests."
  done
  [ "$area" != Store ] ||
    filter="$filter|FullyQualifiedName~IO.SecretFileTests|FullyQualifiedName~IO.PermissionDeniedTests"
  [ -z "${STRYKER_ALL_TESTS:-}" ] || filter="FullyQualifiedName~GitIntegration.Core."
  if [ -n "${STRYKER_TESTS:-}" ]; then
    filter=""
    IFS='|' read -ra names <<< "$STRYKER_TESTS"
    for t in "${names[@]}"; do filter="$filter${filter:+|}FullyQualifiedName~$t"; done
  fi
  mutate="\"**/$area/**/*.cs\""
  if [ -n "${STRYKER_FILES:-}" ]; then
    mutate=""
    for f in $STRYKER_FILES; do mutate="$mutate${mutate:+, }\"**/$area/$f\""; done
    out="$out/files"
    mkdir -p "$out"
  fi
  cat > "$out/stryker-config.json" <<JSON
{
  "stryker-config": {
    "project": "GitIntegration.Core.csproj",
    "test-projects": ["$root/tests/GitIntegration.Core.Tests/GitIntegration.Core.Tests.csproj"],
    "mutate": [$mutate],
    "concurrency": ${STRYKER_CONCURRENCY:-1},
    "test-case-filter": "$filter",
    "reporters": ["html", "json", "cleartext", "progress", "dots"],
    "thresholds": { "high": 85, "low": 70, "break": 0 }
  }
}
JSON
  echo "== mutation testing of Core/$area (report: out/mutation/$area)"
  # shellcheck disable=SC2086 # STRYKER_OPTS holds several options
  (cd src/GitIntegration.Core && dotnet stryker --config-file "$out/stryker-config.json" --output "$out" \
    ${STRYKER_OPTS:-})
done
