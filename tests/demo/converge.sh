#!/usr/bin/env bash
# Runs inside tests/fakearr/stack.py: the fakes are up and the environment names them.
set -uo pipefail
# Only the four fakes: an app configured in the caller's environment stays out.
unset LIDARR_URL READARR_URL STARRHOST_CONFIG STARRHOST_SCRIPTS
for app in PROWLARR SONARR SONARR_4K RADARR; do unset "${app}_API_KEY" "${app}_CONFIG_XML"; done
# The second Sonarr is an instance of its own: named here, URL and key under SONARR_4K_.
export STARRHOST_INSTANCES=sonarr-4k=sonarr

echo "== fake apps"
printf '  %-9s %s\n' prowlarr "$PROWLARR_URL" sonarr "$SONARR_URL" sonarr-4k "$SONARR_4K_URL" \
    radarr "$RADARR_URL"
echo
echo "== starrhost run --scripts $DEMO_SCRIPTS   (environment only; STARRHOST_INSTANCES=$STARRHOST_INSTANCES)"
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
