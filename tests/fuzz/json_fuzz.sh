#!/usr/bin/env bash
# Runs the host.json fuzzer for SECONDS on the seed corpus plus what earlier
# runs found (kept under the build directory).
#   json_fuzz.sh FUZZER SECONDS
set -uo pipefail
fuzzer=$1 seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(dirname "$fuzzer")/json_corpus
mkdir -p "$work"
cd "$(dirname "$fuzzer")" || exit 1
exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=0 \
    "$work" "$here/json_corpus"
