#!/usr/bin/env bash
# host.http against a loop of the curl command line: N sequential GETs to the
# loopback fixture, requests per second and TCP connections the server accepted.
#   STARRHOST=path (default build/starrhost)   BENCH_REQUESTS=N (default 1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
STARRHOST=${STARRHOST:-build/starrhost}
export BENCH_REQUESTS=${BENCH_REQUESTS:-1000}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
work=$(mktemp -d)
python3 "$root/tests/http/fixture.py" --port-file "$work/ports" &
fixture_pid=$!
trap 'kill $fixture_pid 2>/dev/null; wait $fixture_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    [[ -s $work/ports ]] && break
    sleep 0.05
done
read -r http _ <"$work/ports"
export FIXTURE_HTTP=http://127.0.0.1:${http#http=}
url=$FIXTURE_HTTP/status?code=200
conns() { curl -s "$FIXTURE_HTTP/stats" | sed 's/connections=//'; }
now() { date +%s.%N; }

c0=$(conns)
"$STARRHOST" run --scripts "$root/bench/http" >"$work/out" 2>&1 || { cat "$work/out"; exit 1; }
c1=$(conns)
read -r _ _ n secs < <(grep -o 'BENCH host.http .*' "$work/out")

t0=$(now)
for _ in $(seq "$BENCH_REQUESTS"); do
    curl -s -o /dev/null "$url"
done
t1=$(now)
c2=$(conns)

# Each conns() call is one connection of its own.
awk -v n="$n" -v s="$secs" -v hc=$((c1 - c0 - 1)) -v cn="$BENCH_REQUESTS" \
    -v cs="$t1" -v cs0="$t0" -v cc=$((c2 - c1 - 1)) 'BEGIN {
    printf "%-22s %8s %10s %12s\n", "client", "requests", "req/s", "connections"
    printf "%-22s %8d %10.0f %12d\n", "host.http", n, n / s, hc
    printf "%-22s %8d %10.0f %12d\n", "curl CLI (one per req)", cn, cn / (cs - cs0), cc
}'
