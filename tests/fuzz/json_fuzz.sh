#!/usr/bin/env bash
# Runs the host.json fuzzer for SECONDS on the seed corpus plus what earlier
# runs found (kept, with any crash input, under the build directory).
#   json_fuzz.sh FUZZER SECONDS
set -uo pipefail
fuzzer=$1 seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$(dirname "$fuzzer")
mkdir -p "$dir/json_corpus"
exec "$fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/" "$dir/json_corpus" "$here/json_corpus"
