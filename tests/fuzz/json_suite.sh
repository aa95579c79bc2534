#!/usr/bin/env bash
# The json test suite: the Lua tests inside the host ($STARRHOST, so the
# valgrind rerun can wrap it), then the fuzzer for a few seconds. Prints one
# closing "N passed, N failed, N skipped" line.
#   json_suite.sh FUZZER SECONDS TEST.lua...
set -uo pipefail
fuzzer=$1 seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0 skip=0
summary='^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'

out=$(${STARRHOST:-build/starrhost} test "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
line=$(grep -E "$summary" <<<"$out" | tail -n 1)
if [[ $line =~ $summary ]]; then
    pass=${BASH_REMATCH[1]} fail=${BASH_REMATCH[2]} skip=${BASH_REMATCH[3]}
fi
[[ -z $line || ($rc -ne 0 && $fail -eq 0) ]] && { echo "json tests: exit $rc"; fail=$((fail + 1)); }

if [[ -x $fuzzer ]]; then
    if log=$("$here/json_fuzz.sh" "$fuzzer" "$seconds" 2>&1); then
        echo "  ok    fuzz: decode -> encode -> decode for ${seconds}s"
        pass=$((pass + 1))
    else
        printf '%s\n' "$log" | tail -n 40
        echo "  FAIL  fuzz: decode -> encode -> decode"
        fail=$((fail + 1))
    fi
else
    echo "  skip  fuzz: $fuzzer not built (needs clang)"
    skip=$((skip + 1))
fi
echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
