# make bench: every area's benchmark, one after another, each printing its table.
BENCH_TARGETS := bench-cold $(BENCH_TARGETS)
.PHONY: bench bench-cold
bench: $(BUILD)/starrhost
	@for t in $(BENCH_TARGETS); do $(MAKE) --no-print-directory -s $$t || exit 1; echo; done

bench-cold: $(BUILD)/starrhost
	@python3 bench/cold_start.py --starrhost $(BUILD)/starrhost
DEB_PACKAGES += time
