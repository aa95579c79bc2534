#!/usr/bin/env bash
# Runs C unit-test binaries; each prints "name: N passed, N failed". Sums them.
set -uo pipefail
pass=0 fail=0
for bin in "$@"; do
    out=$("$bin" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[a-z_-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
    f=$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")
    [[ -n $line ]] || { p=0 f=1; echo "$bin: no summary (exit $rc)"; }
    [[ $rc -ne 0 && $f -eq 0 ]] && { f=1; echo "$bin: exit $rc"; }
    pass=$((pass + p)) fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
