#!/usr/bin/env bash
# make demo: start fake Prowlarr, two Sonarrs and Radarr on free loopback ports, run
# starrhost against them with environment configuration only, show what it
# configured, run it a second time (it should write nothing), stop the fakes.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
export STARRHOST_BIN=${STARRHOST_BIN:-$BUILD/starrhost}

if [[ ! -x $STARRHOST_BIN ]]; then
    echo "demo: $STARRHOST_BIN is missing; run 'make demo' (it builds the host first)" >&2
    exit 1
fi
export DEMO_SCRIPTS=${DEMO_SCRIPTS:-scripts}
if [[ ! -f $DEMO_SCRIPTS/main.lua ]]; then
    echo "demo: $DEMO_SCRIPTS/main.lua does not exist yet: the integration scripts (Prowlarr," >&2
    echo "demo: Sonarr, Radarr modules) have not landed, so there is nothing to run." >&2
    echo "demo: the fake apps themselves are tested by 'make test-fakearr'." >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/starrhost-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
# stack.py starts the fakes (two Sonarr instances: "sonarr" and "sonarr-4k"),
# runs the command with PROWLARR_URL, SONARR_URL, SONARR_4K_URL, RADARR_URL and
# *_API_KEY_FILE set, and stops the fakes however it ends.
python3 tests/fakearr/stack.py run --dir "$work" --indexers "${DEMO_INDEXERS:-5}" \
    --apps prowlarr,sonarr,sonarr-4k=sonarr,radarr -- bash tests/demo/converge.sh
