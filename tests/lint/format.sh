#!/usr/bin/env bash
# clang-format conformance, one pass/fail per file.
set -uo pipefail
pass=0 fail=0
for f in "$@"; do
    [[ -f $f ]] || continue
    if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "not formatted: $f (run: make format)"
    fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
