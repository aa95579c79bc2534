# Local script testing: the fake transport embedded in host.test, the tests of
# the runner and its fakes, and record-then-replay against a loopback app.
HOST_EMBED += host/lua/fake_http.lua

TEST_SUITES += testing testing-replay
SANITIZER_SUITES += testing testing-replay
VALGRIND_SUITES += testing testing-replay

.PHONY: test-testing test-testing-replay

test-testing: $(BUILD)/starrhost
	@$(STARRHOST) test tests/lua/testing

test-testing-replay: $(BUILD)/starrhost
	@tests/testing/record_replay.sh
