# Shared by the end-to-end scripts (sourced): reporting and polling.
# Each script sets `failures=0` before using `bad` or `check`.
say() { printf '\n== %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION CMD...
  local what="$1"
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
wait_for() { # wait_for SECONDS CMD...: poll every 0.2 s
  local n=$(($1 * 5))
  shift
  while ((n-- > 0)); do
    "$@" && return 0
    sleep 0.2
  done
  return 1
}
elapsed() { printf '%.1f' "$(echo "$EPOCHREALTIME - $1" | bc -l)"; }
