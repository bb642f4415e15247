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
#   STRYKER_COVERAGE=perTest bash tests/mutation.sh Store  # Stryker's coverage-analysis (default: see below)
#   STRYKER_OPTS='--log-to-file --verbosity debug' bash tests/mutation.sh Keys  # more Stryker options
# An area's own tests are those of its folder in tests/GitIntegration.Core.Tests plus the folders that test its code
# through their files: Keys' PpkFormat is tested under Putty, Crypto's ciphers and KDFs through the key readers, and
# the store's files under a hostile umask, another user and a denied queue from IO's classes.
# Stryker runs in a copy of the tree (out/mutation/<area>/tree), so builds and tests of the checkout can go on. In that
# copy every Core file outside the area starts with "// Stryker disable all": Stryker 5.1 mutates and instruments all of
# a project and applies "mutate" only afterwards, so without it each statement of Core (the Argon2 and bcrypt loops
# the key tests run millions of times) would record coverage, and one area's first pass would take hours.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=(Keys Putty Crypto Store GitHub)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
for area in "${areas[@]}"; do
  case "$area" in
    Keys|Putty|Crypto|Store|GitHub) ;;
    *) echo "Unknown area '$area' (Keys Putty Crypto Store GitHub)." >&2; exit 2;;
  esac
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
  [ "$area" != Store ] ||
    filter="$filter|FullyQualifiedName~.RemovingTheIntegrationUninstallsTheApp"
  # GitHubAppIntegration.Filter is proved on the stand-in's repositories by the RepositoryFilter tests.
  [ "$area" != GitHub ] ||
    filter="$filter|FullyQualifiedName~.TheStandInsRepositoriesAreFilteredOnGitHubsJson"
  [ -z "${STRYKER_ALL_TESTS:-}" ] || filter="FullyQualifiedName~GitIntegration.Core."
  if [ -n "${STRYKER_TESTS:-}" ]; then
    filter=""
    IFS='|' read -ra names <<< "$STRYKER_TESTS"
    for t in "${names[@]}"; do filter="$filter${filter:+|}FullyQualifiedName~$t"; done
  fi
  mutate="\"**/$area/**/*.cs\""
  mapfile -t keep < <(cd src/GitIntegration.Core && find "$area" -name "*.cs")
  if [ -n "${STRYKER_FILES:-}" ]; then
    mutate=""
    keep=()
    for f in $STRYKER_FILES; do
      mutate="$mutate${mutate:+, }\"**/$area/$f\""
      # shellcheck disable=SC2086 # $f may be a glob
      keep+=($(cd src/GitIntegration.Core && ls -d "$area"/$f))
    done
    out="$out/files"
    mkdir -p "$out"
  fi
  # Under Stryker's perTest coverage a mutant reached outside a test (a static table's initializer, which runs once
  # per process, or a shared fixture's setup) runs against every test of the area: about 300 in Keys and in Store.
  # One process per test while capturing coverage costs a few minutes and tells which tests reach each of them.
  coverage=${STRYKER_COVERAGE:-perTestInIsolation}
  tree="$out/tree"
  rm -rf "$tree"
  mkdir -p "$tree"
  git ls-files -z --cached --others --exclude-standard -- . ':!out' |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$tree"
  (cd "$tree/src/GitIntegration.Core" && find . -name '*.cs' -not -path './obj/*' -not -path './bin/*' |
    sed 's|^\./||' | while read -r f; do
      case " ${keep[*]} " in *" $f "*) continue;; esac
      { echo "// Stryker disable all"; cat "$f"; } > "$f.tmp" && mv "$f.tmp" "$f"
    done)
  cat > "$out/stryker-config.json" <<JSON
{
  "stryker-config": {
    "project": "GitIntegration.Core.csproj",
    "test-projects": ["$tree/tests/GitIntegration.Core.Tests/GitIntegration.Core.Tests.csproj"],
    "mutate": [$mutate],
    "configuration": "Release",
    "coverage-analysis": "$coverage",
    "concurrency": ${STRYKER_CONCURRENCY:-1},
    "test-case-filter": "$filter",
    "reporters": ["html", "json", "cleartext", "progress", "dots"],
    "thresholds": { "high": 85, "low": 70, "break": 0 }
  }
}
JSON
  echo "== mutation testing of Core/$area (report: out/mutation/$area)"
  # The ssh-keygen and puttygen fixtures' keys are made by the first test process and copied by the others.
  export GI_TEST_FIXTURE_CACHE="$tree/.fixture-keys"
  # A mutant that removes a size check can allocate without end (one test host reached 22 GB and took the machine
  # down with it); with a 4 GiB heap it throws OutOfMemoryException, which fails its test and kills the mutant.
  export DOTNET_GCHeapHardLimit=0x100000000
  # A mutant that makes a GitHub App's manifest flow miss its callback fails each flow test in 5 s, not 30: without
  # it every such mutant cost Stryker its whole timeout (about 2 min), and the GitHub area ran 2 mutants a minute.
  export GI_TEST_FLOW_SECONDS=5
  # shellcheck disable=SC2086 # STRYKER_OPTS holds several options
  (cd "$tree/src/GitIntegration.Core" && dotnet stryker --config-file "$out/stryker-config.json" --output "$out" \
    ${STRYKER_OPTS:-})
done
