# Local script testing: the fake transport embedded in host.test, the tests of
# the runner and its fakes, and record-then-replay against a loopback server.
HOST_EMBED += host/lua/fake_http.lua

TEST_SUITES += testing
SANITIZER_SUITES += testing
VALGRIND_SUITES += testing

.PHONY: test-testing

test-testing: $(BUILD)/starrhost
	@$(STARRHOST) test tests/lua/testing
