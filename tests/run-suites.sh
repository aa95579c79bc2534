#!/usr/bin/env bash
# Runs each named test suite (make target test-NAME), keeps its output in
# build/test-logs/NAME.log, reads the suite's closing "N passed, N failed" line
# and prints the sum. A suite that exits non-zero without counting a failure,
# or prints no closing line, counts as one failure.
set -uo pipefail
logs=${TEST_LOG_DIR:-build/test-logs}
mkdir -p "$logs"
total_pass=0 total_fail=0 total_skip=0
summary_re='^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'
for suite in "$@"; do
    log="$logs/$suite.log"
    printf '== %s\n' "$suite"
    start=$(date +%s)
    ${MAKE:-make} --no-print-directory -s "test-$suite" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    line=$(grep -E "$summary_re" "$log" | tail -n 1 || true)
    pass=0 fail=0 skip=0
    if [[ $line =~ $summary_re ]]; then
        pass=${BASH_REMATCH[2]} fail=${BASH_REMATCH[3]} skip=${BASH_REMATCH[5]:-0}
    fi
    if [[ $rc -ne 0 && $fail -eq 0 ]] || [[ -z $line ]]; then
        echo "suite $suite: exit $rc without a failure count; counted as 1 failure (log: $log)"
        fail=$((fail + 1))
    fi
    printf -- '-- %s: %d passed, %d failed, %d skipped (%ds)\n' \
        "$suite" "$pass" "$fail" "$skip" $(($(date +%s) - start))
    total_pass=$((total_pass + pass)) total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))
done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[[ $total_fail -eq 0 ]]
