#!/usr/bin/env bash
# The host.http suite. Starts the loopback fixture (plain, a second plain
# origin, and TLS with a certificate made here), runs http_test.lua inside the
# host, then one scripted run with debug traces and a recording, and checks
# what it wrote. Ends with "N passed, N failed"; exits non-zero on failure.
#   STARRHOST=cmd   the host binary, or a command line ending with it, as the
#                   valgrind rerun passes (default build/starrhost)
#   VALGRIND=1      run the host under valgrind; any error or leak fails
#   KEEP=1          keep the work directory (certificate, logs, recording)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
read -ra host_cmd <<<"${STARRHOST:-build/starrhost}"
if [[ ${VALGRIND:-0} == 1 ]]; then
    host_cmd=(valgrind -q --leak-check=full --show-leak-kinds=definite,possible
        --errors-for-leak-kinds=definite,possible --error-exitcode=99 "${host_cmd[@]}")
fi
pass=0 fail=0
echo "host.http suite: ${host_cmd[*]}"
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*"
}

work=$(mktemp -d)
fixture_pid=
cleanup() {
    [[ -n $fixture_pid ]] && kill "$fixture_pid" 2>/dev/null && wait "$fixture_pid" 2>/dev/null
    if [[ ${KEEP:-0} == 1 ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Loopback only: no proxy from the caller's environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset SSL_CERT_FILE SSL_CERT_DIR CURL_CA_BUNDLE

if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>"$work/openssl.log"; then
    cat "$work/openssl.log"
    echo "0 passed, 1 failed"
    exit 1
fi
python3 "$here/fixture.py" --port-file "$work/ports" --cert "$work/cert.pem" \
    --key "$work/key.pem" &
fixture_pid=$!
for _ in $(seq 100); do
    [[ -s $work/ports ]] && break
    sleep 0.05
done
if [[ ! -s $work/ports ]]; then
    echo "fixture did not start"
    echo "0 passed, 1 failed"
    exit 1
fi
read -r http http2 https <"$work/ports"
export FIXTURE_HTTP=http://127.0.0.1:${http#http=}
export FIXTURE_HTTP2=http://127.0.0.1:${http2#http2=}
export FIXTURE_HTTPS=https://127.0.0.1:${https#https=}
export FIXTURE_CA=$work/cert.pem
# A port nothing listens on: bound, then closed.
FIXTURE_REFUSED=http://127.0.0.1:$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FIXTURE_REFUSED
key=k3y-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$key" >"$work/test-key"
export TEST_KEY_FILE=$work/test-key
unset TEST_KEY

# 1. The Lua tests, inside the host.
"${host_cmd[@]}" test "$here/http_test.lua" >"$work/test.out" 2>&1
rc=$?
cat "$work/test.out"
line=$(grep -E '^([A-Za-z0-9_-]+: )?[0-9]+ passed, [0-9]+ failed' "$work/test.out" | tail -n 1)
if [[ $line =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    pass=$((pass + BASH_REMATCH[1]))
    fail=$((fail + BASH_REMATCH[2]))
else
    bad "http_test.lua printed no summary"
fi
if [[ $rc -ne 0 ]]; then
    bad "http_test.lua exited $rc"
fi
if grep -qF "$key" "$work/test.out"; then
    bad "the test key appears in the test output"
else
    ok
fi

# 2. A scripted run with debug traces and a recording; the system CA bundle
# variable must be honoured (no ca_file in the script).
SSL_CERT_FILE=$work/cert.pem "${host_cmd[@]}" run --scripts "$here/scripts" \
    --log-level debug --record "$work/record.jsonl" >"$work/run.out" 2>"$work/run.err"
rc=$?
if [[ $rc -ne 0 ]]; then
    bad "scripted run exited $rc"
    cat "$work/run.out" "$work/run.err"
else
    ok
fi
if python3 "$here/check_run.py" "$work/run.err" "$work/record.jsonl" "$key" "$FIXTURE_HTTP" \
    "$FIXTURE_HTTPS" >"$work/check.out"; then
    :
fi
cat "$work/check.out"
if [[ $(tail -n 1 "$work/check.out") =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
    pass=$((pass + BASH_REMATCH[1]))
    fail=$((fail + BASH_REMATCH[2]))
else
    bad "check_run.py printed no summary"
fi

# 3. Exit codes that depend on host_write_count, and a Lua memory error while
# the result is built (STARRHOST_MEMORY_LIMIT smaller than the body).
case_run() { # NAME EXPECTED_EXIT [VAR=VALUE...]; CASE_COMMAND overrides "run"
    local name=$1 want=$2
    shift 2
    env "$@" "${host_cmd[@]}" "${CASE_COMMAND:-run}" --scripts "$here/cases/$name" >"$work/$name.out" 2>&1
    local got=$?
    if [[ $got -eq $want ]]; then
        ok
    else
        bad "case $name exited $got, expected $want"
        cat "$work/$name.out"
    fi
}
case_run oom 0 STARRHOST_MEMORY_LIMIT=12M
case_run write-then-error 1
case_run read-then-error 2
case_run refused-post-then-error 2
case_run timeout-post-then-error 1
case_run proxy 0 "http_proxy=$FIXTURE_HTTP2"
case_run ca-bundle-env 0 "CURL_CA_BUNDLE=$FIXTURE_CA"
CASE_COMMAND=plan case_run dry-run 4
case_run read-only-then-error 2

# 4. The run's deadline holds against an app that trickles its answer.
started=$(date +%s%N)
TEST_KEY_VALUE=$key "${host_cmd[@]}" run --scripts "$here/cases/deadline-trickle" --deadline 2 \
    >"$work/trickle.out" 2>&1
rc=$?
took_ms=$((($(date +%s%N) - started) / 1000000))
if [[ $rc -eq 3 ]]; then ok; else bad "deadline-trickle exited $rc, expected 3"; fi
# Valgrind starts slowly; the deadline itself is 2 s from the start.
if [[ $took_ms -lt 6000 ]]; then ok; else bad "deadline-trickle took $took_ms ms (deadline 2 s)"; fi
if grep -qE "ERROR \[sonarr\] deadline of 2 s passed during GET $FIXTURE_HTTP/trickle\?apikey=\*\*\* \(at .*deadline-trickle/main.lua:8\)" \
    "$work/trickle.out"; then
    ok
else
    bad "deadline-trickle does not say which request was in flight"
fi
if grep -q "not reached\|$key" "$work/trickle.out"; then
    bad "deadline-trickle: the script went on, or the key was printed"
else
    ok
fi
[[ $fail -gt 0 ]] && cat "$work/trickle.out"
# The scripts' readiness loop (--timeout 300) stops at the deadline, not later.
started=$(date +%s%N)
SONARR_URL=$FIXTURE_REFUSED SONARR_API_KEY=$key "${host_cmd[@]}" run --scripts "$here/../../scripts" \
    --deadline 2 --timeout 300 >"$work/wait.out" 2>&1
rc=$?
took_ms=$((($(date +%s%N) - started) / 1000000))
if [[ $rc -eq 3 && $took_ms -lt 6000 ]] &&
    grep -qE "ERROR deadline of 2 s passed while the scripts waited \(host.sleep at .*wait.lua:[0-9]+\)" \
        "$work/wait.out"; then
    ok
else
    bad "readiness past the deadline: exit $rc after $took_ms ms"
    cat "$work/wait.out"
fi

# 5. host.parallel in a run: each line names its task's app, the recording
# has one whole line per request; the deadline with transfers in flight.
TEST_KEY_VALUE=$key "${host_cmd[@]}" run --scripts "$here/cases/parallel" \
    --record "$work/parallel.jsonl" >"$work/parallel.out" 2>&1
rc=$?
if [[ $rc -eq 0 ]]; then ok; else bad "parallel exited $rc"; cat "$work/parallel.out"; fi
for app in sonarr radarr; do
    if [[ $(grep -cE "INFO  \[$app\] answer [123]: 200$" "$work/parallel.out") -eq 3 ]]; then
        ok
    else
        bad "parallel: the $app task's lines do not all name $app"
        cat "$work/parallel.out"
    fi
done
if grep -qE 'INFO  \[main\] after the tasks$' "$work/parallel.out"; then
    ok
else
    bad "parallel: the main flow's label changed"
fi
if python3 - "$work/parallel.jsonl" "$key" <<'PY'; then ok; else bad "parallel: recording"; fi
import json, sys
text = open(sys.argv[1]).read()
assert sys.argv[2] not in text, "the key is in the recording"
lines = text.split("\n")
assert lines[-1] == "", "the recording ends with a whole line"
recs = [json.loads(line) for line in lines[:-1]]
assert len(recs) == 6, "%d lines" % len(recs)
for r in recs:
    assert r["status"] == 200 and "apikey=***" in r["url"], r
ids = sorted(r["url"].split("id=rec-")[1].split("&")[0] for r in recs)
assert ids == ["radarr1", "radarr2", "radarr3", "sonarr1", "sonarr2", "sonarr3"], ids
PY
started=$(date +%s%N)
"${host_cmd[@]}" run --scripts "$here/cases/deadline-parallel" --deadline 1 >"$work/dlp.out" 2>&1
rc=$?
took_ms=$((($(date +%s%N) - started) / 1000000))
if [[ $rc -eq 3 && $took_ms -lt 6000 ]]; then ok; else bad "deadline-parallel: exit $rc after $took_ms ms"; fi
if grep -qE "ERROR \[(sonarr|radarr)\] deadline of 1 s passed during GET http://127.0.0.1:[0-9]+/slow\?s=30" \
    "$work/dlp.out" && [[ $(grep -c "deadline of" "$work/dlp.out") -eq 1 ]] &&
    ! grep -q "not reached" "$work/dlp.out"; then
    ok
else
    bad "deadline-parallel does not stop once, naming a request in flight"
    cat "$work/dlp.out"
fi

# 6. A password with the characters encoders rewrite, through every output
# in both log formats (check_spellings.py looks for every spelling of it).
printf 'Zq8-kW"pa\\ss\tw/%%41d\177\303\251\342\202\254-Yv3rT9\n' >"$work/pw"
for fmt in text json; do
    TEST_PW_FILE=$work/pw "${host_cmd[@]}" run --scripts "$here/cases/spellings" --log-level debug \
        --log-format "$fmt" --record "$work/spell-$fmt.jsonl" >"$work/spell-$fmt.out" \
        2>"$work/spell-$fmt.err"
    rc=$?
    if [[ $rc -eq 1 ]]; then ok; else bad "spellings ($fmt) exited $rc, expected 1"; fi
    python3 "$here/check_spellings.py" "$work/pw" "$work/spell-$fmt.jsonl" "$work/spell-$fmt.out" \
        "$work/spell-$fmt.err" >"$work/spell-check.out"
    sed "s/^FAIL: /FAIL: ($fmt) /" "$work/spell-check.out"
    if [[ $(tail -n 1 "$work/spell-check.out") =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        pass=$((pass + BASH_REMATCH[1]))
        fail=$((fail + BASH_REMATCH[2]))
    else
        bad "check_spellings.py printed no summary"
    fi
done

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
