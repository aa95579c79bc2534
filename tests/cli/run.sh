#!/usr/bin/env bash
# Golden transcripts of what users see. Each tests/cli/cases/NAME.sh runs in a
# fresh temporary directory ($T, also the working directory) and calls
# `sh_run ARGS...` to run starrhost; the transcript (commands, stdout+stderr,
# exit codes) is normalised and compared with NAME.out. UPDATE=1 rewrites the
# .out files. Every value a case writes to $T/.secrets must appear in no output.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
STARRHOST=${STARRHOST:-$root/build/starrhost}
export STARRHOST
pass=0 fail=0

# STARRHOST may be a command prefix ("valgrind ... build/starrhost"): the
# binary is its last word, made absolute since cases run in $T.
sh_run() {
    local -a cmd
    read -ra cmd <<<"$STARRHOST"
    local last=$((${#cmd[@]} - 1))
    [[ ${cmd[$last]} == /* ]] || cmd[$last]=$root/${cmd[$last]}
    printf '$ starrhost %s\n' "$*"
    (cd "$T" && "${cmd[@]}" "$@") 2>&1
    printf '[exit %d]\n' "$?"
}
export -f sh_run

normalise() {
    sed -E -e "s#$T#\$T#g" \
        -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/TS/g' \
        -e 's/starrhost [0-9]+\.[0-9]+\.[0-9]+/starrhost VERSION/'
}

for case_file in "$here"/cases/*.sh; do
    name=$(basename "$case_file" .sh)
    T=$(mktemp -d)
    export T root
    actual=$(cd "$T" && bash "$case_file" 2>&1 | normalise)
    expected_file=${case_file%.sh}.out
    ok=1
    if [[ ${UPDATE:-0} == 1 ]]; then
        printf '%s\n' "$actual" >"$expected_file"
    elif ! diff -u "$expected_file" <(printf '%s\n' "$actual") >"$T/.diff" 2>&1; then
        ok=0
        echo "FAIL $name: transcript differs"
        cat "$T/.diff"
    fi
    if [[ -f $T/.secrets ]]; then
        while IFS= read -r secret; do
            [[ -z $secret ]] && continue
            if grep -rqF -- "$secret" <(printf '%s' "$actual"); then
                ok=0
                echo "FAIL $name: a secret appears in the output"
            fi
        done <"$T/.secrets"
    fi
    if [[ $ok == 1 ]]; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
    fi
    rm -rf "$T"
done
echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
