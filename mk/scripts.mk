# scripts/: the Lua that configures the apps. Unit tests run inside the host
# against an in-memory fake transport; e2e runs the host and the scripts
# against tests/fakearr over loopback HTTP.
# Never empty: `starrhost test` with no path would run every test under ".".
SCRIPTS_UNIT_TESTS = $(or $(wildcard tests/lua/scripts_*_test.lua),tests/lua/no-scripts_unit_tests-found)
TEST_SUITES += scripts-unit
SANITIZER_SUITES += scripts-unit

.PHONY: test-scripts-unit

test-scripts-unit: $(BUILD)/starrhost
	@$(STARRHOST) test --scripts scripts --scripts tests/lua $(SCRIPTS_UNIT_TESTS)

# Real HTTP over loopback: the host and scripts/ against tests/fakearr (about three
# minutes on two cores, mostly waiting: one case waits for an app that starts 20 s
# late, one runs 20 seeds of 20% faults on every hop, ten at a time).
TEST_SUITES += e2e
.PHONY: test-e2e

test-e2e: $(BUILD)/starrhost
	@python3 tests/e2e/run.py

# Every template of tests/fakearr/reference/schemas through the scripts' body
# building: each field must keep the JSON kind of the template's value.
TEST_SUITES += scripts-schemas
SANITIZER_SUITES += scripts-schemas
.PHONY: test-scripts-schemas

test-scripts-schemas: $(BUILD)/starrhost
	@tests/lua/schemas_suite.sh $(BUILD) tests/lua/schemas_kinds_test.lua
