# make bench: every area's benchmark, one after another, each printing its table,
# then one summary table of headline figures beside their targets. Each target's
# output is kept in $(BUILD)/bench/ (the summary reads it from there). A benchmark
# that fails does not stop the others; make bench fails after the summary.
BENCH_TARGETS := bench-cold $(BENCH_TARGETS) bench-converge bench-floor bench-stack bench-schema
BENCH_OUT := $(BUILD)/bench
.PHONY: bench bench-cold bench-converge bench-floor bench-stack bench-schema bench-summary
bench: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT); rm -f $(BENCH_OUT)/*.txt $(BENCH_OUT)/*.rc $(BENCH_OUT)/*.json
	@failed=; for t in $(BENCH_TARGETS); do \
	    { $(MAKE) --no-print-directory -s $$t; echo $$? > $(BENCH_OUT)/$$t.rc; } 2>&1 | tee $(BENCH_OUT)/$$t.txt; \
	    [ "$$(cat $(BENCH_OUT)/$$t.rc)" = 0 ] || failed="$$failed $$t"; echo; done; \
	python3 bench/converge_summary.py $(BENCH_OUT); \
	if [ -n "$$failed" ]; then echo "make bench: failed:$$failed (their output: $(BENCH_OUT)/)"; exit 1; fi

bench-cold: $(BUILD)/starrhost
	@python3 bench/cold_start.py --starrhost $(BUILD)/starrhost

# Converges against the fake apps (tests/fakearr): requests, writes, connections,
# wall time, peak RSS; the no-op floor; 200 Prowlarr indexers and 50 download clients.
bench-converge: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT)
	@python3 bench/converge.py --starrhost $(BUILD)/starrhost --out $(BENCH_OUT)/converge.json

# Issue 17: starrhost beside a curl script sending the same writes (and, for a no-op
# rerun, one GET per managed collection), interleaved, no added latency.
bench-floor: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT)
	@python3 bench/floor.py --starrhost $(BUILD)/starrhost --out $(BENCH_OUT)/floor.json

# Issue 17: Prowlarr + two Sonarr + Radarr, 20 ms per answer: the full first run
# against each instance alone.
bench-stack: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT)
	@python3 bench/stack4.py --starrhost $(BUILD)/starrhost --out $(BENCH_OUT)/stack4.json

# Issue 15 point 4: a plan adding a Prowlarr indexer by definition (DESIGN section 10's
# `definition` key), against an indexer schema of 520 Cardigann definitions.
BENCH_DEFINITION_KEY ?= definition
bench-schema: $(BUILD)/starrhost
	@mkdir -p $(BENCH_OUT)
	@python3 bench/schema_plan.py --starrhost $(BUILD)/starrhost \
	    --definition-key $(BENCH_DEFINITION_KEY) --out $(BENCH_OUT)/schema.json

bench-summary:
	@python3 bench/converge_summary.py $(BENCH_OUT)
DEB_PACKAGES += time
