# host.http: the libcurl request primitive, its loopback suite and benchmark.
HOST_SRCS += host/http.c
# openssl makes the suite's self-signed certificate; curl is the benchmark's baseline.
DEB_PACKAGES += openssl curl
TEST_SUITES += http

.PHONY: test-http test-http-valgrind test-http-asan bench-http

# Python fixture on 127.0.0.1 (plain, second origin, TLS), then the Lua tests
# inside the host and a traced, recorded run. STARRHOST=... tests another binary.
test-http: $(BUILD)/starrhost
	@STARRHOST=$${STARRHOST:-$(BUILD)/starrhost} tests/http/run.sh

# The same under valgrind: any memory error or leak fails the suite.
test-http-valgrind: $(BUILD)/starrhost
	@VALGRIND=1 STARRHOST=$${STARRHOST:-$(BUILD)/starrhost} tests/http/run.sh

# The same against an ASan+UBSan build in build/asan.
test-http-asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 build/asan/starrhost
	@STARRHOST=build/asan/starrhost tests/http/run.sh

bench-http: $(BUILD)/starrhost
	@STARRHOST=$(BUILD)/starrhost bench/http.sh
