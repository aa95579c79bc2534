#!/usr/bin/env bash
# Runs inside tests/fakearr/stack.py: the fakes are up and the environment names them.
set -uo pipefail
# Only the three fakes: an app configured in the caller's environment stays out.
unset LIDARR_URL READARR_URL STARRHOST_CONFIG
for app in PROWLARR SONARR RADARR; do unset "${app}_API_KEY" "${app}_CONFIG_XML"; done

echo "== fake apps"
printf '  %-9s %s\n' prowlarr "$PROWLARR_URL" sonarr "$SONARR_URL" radarr "$RADARR_URL"
echo
echo "== starrhost run --scripts $DEMO_SCRIPTS   (environment only)"
"$STARRHOST_BIN" run --scripts "$DEMO_SCRIPTS"
rc=$?
echo "   exit status $rc"
echo
python3 tests/demo/show.py
python3 tests/demo/show.py --mark
echo
echo "== starrhost run --scripts $DEMO_SCRIPTS   (second run: a converged stack needs no writes)"
"$STARRHOST_BIN" run --scripts "$DEMO_SCRIPTS" >"$FAKEARR_DIR/second-run.log" 2>&1
rc2=$?
tail -n 8 "$FAKEARR_DIR/second-run.log" | sed 's/^/   /'
echo "   exit status $rc2"
python3 tests/demo/show.py --writes
[[ $rc -eq 0 && $rc2 -eq 0 ]]
