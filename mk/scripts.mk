# scripts/: the Lua that configures the apps. Unit tests run inside the host
# against an in-memory fake transport; e2e runs the host and the scripts
# against tests/fakearr over loopback HTTP.
SCRIPTS_UNIT_TESTS := $(wildcard tests/lua/scripts_*_test.lua)
TEST_SUITES += scripts-unit
SANITIZER_SUITES += scripts-unit

.PHONY: test-scripts-unit

test-scripts-unit: $(BUILD)/starrhost
	@$(STARRHOST) test --scripts scripts --scripts tests/lua $(SCRIPTS_UNIT_TESTS)
