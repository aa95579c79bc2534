# make bench: every area's benchmark, one after another, each printing its table,
# then one summary table of headline figures beside their targets. Each target's
# output is kept in $(BUILD)/bench/ (the summary reads it from there).
BENCH_TARGETS := bench-cold $(BENCH_TARGETS) bench-converge
BENCH_OUT := $(BUILD)/bench
.PHONY: bench bench-cold bench-converge bench-summary
bench: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT); rm -f $(BENCH_OUT)/*.txt $(BENCH_OUT)/converge.json
	@for t in $(BENCH_TARGETS); do \
	    { $(MAKE) --no-print-directory -s $$t; echo $$? > $(BENCH_OUT)/$$t.rc; } | tee $(BENCH_OUT)/$$t.txt; \
	    [ "$$(cat $(BENCH_OUT)/$$t.rc)" = 0 ] || exit 1; echo; done
	@python3 bench/converge_summary.py $(BENCH_OUT)

bench-cold: $(BUILD)/starrhost
	@python3 bench/cold_start.py --starrhost $(BUILD)/starrhost

# Converges against the fake apps (tests/fakearr): requests, writes, connections,
# wall time, peak RSS; the no-op floor; 200 Prowlarr indexers and 50 download clients.
bench-converge: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT)
	@python3 bench/converge.py --starrhost $(BUILD)/starrhost --out $(BENCH_OUT)/converge.json

bench-summary:
	@python3 bench/converge_summary.py $(BENCH_OUT)
DEB_PACKAGES += time
