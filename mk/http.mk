# host.http: the libcurl request primitive, its loopback suite and benchmark.
HOST_SRCS += host/http.c
# openssl makes the suite's self-signed certificate; curl is the benchmark's baseline.
DEB_PACKAGES += openssl curl
TEST_SUITES += http
SANITIZER_SUITES += http
VALGRIND_SUITES += http
BENCH_TARGETS += bench-http

.PHONY: test-http test-http-valgrind bench-http

# Python fixture on 127.0.0.1 (plain, second origin, TLS), then the Lua tests
# inside the host and a traced, recorded run. Runs $(STARRHOST), which the
# sanitizer and valgrind reruns set.
test-http: $(BUILD)/starrhost
	@tests/http/run.sh

# Stricter than the valgrind rerun: "possible" leaks fail too.
test-http-valgrind: $(BUILD)/starrhost
	@VALGRIND=1 tests/http/run.sh

bench-http: $(BUILD)/starrhost
	@STARRHOST=$(BUILD)/starrhost bench/http.sh
