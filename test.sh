#!/usr/bin/env bash
# The project's test command, and the only thing .ci/run calls.
#
#   ./test.sh                          install what NuGet cannot give, build once, run every test project
#   ./test.sh --filter "FullyQualifiedName~Wizard"   extra arguments go to every `dotnet test`
#
# 1. Debian packages the tests need, installed only when missing: chromium (e2e), softhsm2 and opensc (PKCS#11
#    tests), python3-hvac (Vault's own Python client), awscli and python3-boto3 (AWS's own clients): the sandbox tests
#    run the vendors' real clients against the emulators. Then `npm ci` in e2e/hub-client when its node_modules is
#    missing (the official SignalR JavaScript client for the hub tests).
# 2. `dotnet build OpenKcm.Console.sln -c Release` once, then `dotnet test --no-build` for every project under tests/
#    and e2e/, one after the other, each writing a TRX file into .test-results/<project>/. A failing project does not
#    stop the others.
# 3. One line per project, then the totals over all projects, read from the TRX files' <Counters>, as the last line:
#    `N passed, N failed`. A project that crashed or wrote no TRX counts as one failure. Exit status 0 only if
#    nothing failed.
# Works on a fresh machine (no chromium yet) and on every later run; honours CI=true (never prompts).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD
configuration=Release
results="$root/.test-results"
solution=OpenKcm.Console.sln

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Where e2e saves screenshots, page HTML and logs of failed journeys (e2e/OpenKcm.E2E/Infrastructure).
export OPENKCM_TEST_RESULTS="$results"
ci=${CI:-false}

log() { printf '==> %s\n' "$*"; }
fail() { printf 'test.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------- packages
missing_packages() {
  [ -x /usr/bin/chromium ] || echo chromium
  local pkg
  for pkg in softhsm2 python3-hvac opensc awscli python3-boto3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || echo "$pkg"
  done
}

install_packages() {
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      fail "need Debian packages ($*) but not root and no sudo: install them with 'apt-get install $*' as root."
      return 1
    fi
    # Never wait for a password in CI or without a terminal.
    if [ "$ci" = true ] || [ ! -t 0 ]; then as_root=(sudo -n); else as_root=(sudo); fi
  fi
  # Lock timeout: wait for another apt/dpkg run (unattended upgrades, a colleague's install) instead of failing.
  local apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  log "installing Debian packages: $*"
  # Try without `apt-get update` first: it is slow, and the package lists are usually fresh enough.
  if "${apt[@]}" install -y --no-install-recommends "$@"; then
    return 0
  fi
  log "install failed; refreshing package lists and trying again"
  if "${apt[@]}" update && "${apt[@]}" install -y --no-install-recommends "$@"; then
    return 0
  fi
  fail "could not install Debian packages: $* (see apt-get's messages above)."
  return 1
}

mapfile -t needed < <(missing_packages)
if [ ${#needed[@]} -gt 0 ]; then
  if ! install_packages "${needed[@]}"; then
    echo "0 passed, 1 failed"
    exit 1
  fi
  [ -x /usr/bin/chromium ] || { fail "chromium installed but /usr/bin/chromium is missing."; echo "0 passed, 1 failed"; exit 1; }
fi

# ----------------------------------------------------------------------------------------------------- npm (hub tests)
# The e2e hub tests run the official SignalR JavaScript client (@microsoft/signalr, pinned in
# e2e/hub-client/package-lock.json) under node. Installed from the lock file when missing.
hub_client=e2e/hub-client
if [ -f "$hub_client/package-lock.json" ] && [ ! -d "$hub_client/node_modules/@microsoft/signalr" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    fail "npm is missing (needed by the e2e hub tests): apt-get install nodejs npm"
    echo "0 passed, 1 failed"
    exit 1
  fi
  log "npm ci in $hub_client"
  if ! (cd "$hub_client" && npm ci --no-audit --no-fund); then
    fail "npm ci in $hub_client failed (see npm's messages above)."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# ------------------------------------------------------------------------------------------------------------- build
rm -rf "$results"
mkdir -p "$results"

log "dotnet build $solution -c $configuration"
build_started=$SECONDS
# No build servers: in CI a compiler server left running would outlive the script.
if ! dotnet build "$solution" -c "$configuration" --nologo --disable-build-servers; then
  fail "build failed; no tests ran."
  echo "0 passed, 1 failed"
  exit 1
fi
log "build took $((SECONDS - build_started)) s"

# -------------------------------------------------------------------------------------------------------------- test
# Unit and component tests first (fast feedback), the browser journeys last.
mapfile -t projects < <(
  find tests -mindepth 2 -maxdepth 2 -name '*.csproj' 2>/dev/null | sort
  find e2e -mindepth 2 -maxdepth 2 -name '*.csproj' 2>/dev/null | sort
)
solution_projects=$(dotnet sln "$solution" list 2>/dev/null | tr '\\' '/')

total_passed=0
total_failed=0
total_skipped=0
summary=()

# Prints "passed failed skipped" from a TRX file's <Counters> element.
read_counters() {
  local counters
  counters=$(grep -o '<Counters [^>]*>' "$1" | head -n 1)
  attr() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  local passed failed error timeout aborted not_executed
  passed=$(attr passed) failed=$(attr failed) error=$(attr error) timeout=$(attr timeout)
  aborted=$(attr aborted) not_executed=$(attr notExecuted)
  echo "${passed:-0} $((${failed:-0} + ${error:-0} + ${timeout:-0} + ${aborted:-0})) ${not_executed:-0}"
}

for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  if ! grep -qxF "$project" <<<"$solution_projects"; then
    fail "$project is not in $solution, so it was not built: dotnet sln $solution add $project"
    summary+=("$(printf '  %-28s not in the solution: counted as 1 failed' "$name")")
    total_failed=$((total_failed + 1))
    continue
  fi

  log "dotnet test $name"
  started=$SECONDS
  status=0
  # --blame-hang-timeout: a test stuck for 10 minutes is killed and reported, rather than eating CI's time.
  dotnet test "$project" -c "$configuration" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results/$name" \
    --blame-hang-timeout 10min --blame-hang-dump-type none \
    "$@" || status=$?
  elapsed=$((SECONDS - started))

  trx="$results/$name/$name.trx"
  if [ ! -f "$trx" ]; then
    fail "$name produced no TRX (exit $status): crashed or could not start; counted as 1 failed."
    summary+=("$(printf '  %-28s no results (exit %s): counted as 1 failed   %4s s' "$name" "$status" "$elapsed")")
    total_failed=$((total_failed + 1))
    continue
  fi

  read -r passed failed skipped < <(read_counters "$trx")
  # A test host that crashed (or was killed by --blame-hang-timeout) loses the results it had not reported, so the
  # counters undercount: count the crash itself as one more failure. So does a run that failed with no failed test
  # (a fixture that could not start, a discovery error).
  if [ "$status" -ne 0 ] && { [ "$failed" -eq 0 ] || grep -qi 'test run was aborted' "$trx"; }; then
    fail "$name exited $status: the test host crashed or the run was aborted; counted as 1 more failed."
    failed=$((failed + 1))
  fi
  summary+=("$(printf '  %-28s passed %4d   failed %3d   skipped %3d   %4s s' "$name" "$passed" "$failed" "$skipped" "$elapsed")")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  total_skipped=$((total_skipped + skipped))
done

echo
log "results (TRX files in ${results#"$root"/}/)"
printf '%s\n' "${summary[@]}"
[ "$total_skipped" -eq 0 ] || echo "  ($total_skipped skipped, not counted as passed)"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
