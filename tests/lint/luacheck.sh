#!/usr/bin/env bash
# luacheck over the given paths; one pass/fail per file.
set -uo pipefail
# fixtures/ hold deliberately broken or global-using chunks.
mapfile -t files < <(find "$@" -name '*.lua' -type f -not -path '*/fixtures/*' 2>/dev/null | sort)
pass=0 fail=0
for f in "${files[@]}"; do
    if out=$(luacheck --no-color -q "$f" 2>&1); then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf '%s\n' "$out"
    fi
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
