# The host core's test suites, and the sanitizer and valgrind reruns that
# other areas join by appending to SANITIZER_SUITES / VALGRIND_SUITES.
STARRHOST ?= $(BUILD)/starrhost
export STARRHOST
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect

DEB_PACKAGES += libclang-rt-14-dev clang-format

C_TEST_SRCS := $(wildcard tests/c/*_test.c)
C_TESTS := $(C_TEST_SRCS:%.c=$(BUILD)/%)

TEST_SUITES += c-unit cli host-lua luacheck format
SANITIZER_SUITES += c-unit cli host-lua
VALGRIND_SUITES += cli host-lua

.PHONY: test-c-unit test-cli test-host-lua test-luacheck test-format test-asan test-valgrind \
    run-suites

# Expanded a second time: HOST_LIB_OBJS is complete only after every fragment.
.SECONDEXPANSION:
$(BUILD)/tests/c/%: tests/c/%.c tests/c/check.h $$(HOST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -Itests/c -o $@ $< $(HOST_LIB_OBJS) $(LDLIBS_ALL)

test-c-unit: $(C_TESTS)
	@tests/c/run.sh $(C_TESTS)

test-cli: $(BUILD)/starrhost
	@tests/cli/run.sh

test-host-lua: $(BUILD)/starrhost
	@$(STARRHOST) test tests/lua/host

test-luacheck:
	@tests/lint/luacheck.sh $(wildcard $(LUA_LINT_DIRS))

test-format:
	@tests/lint/format.sh host/*.c host/*.h tests/c/*.c tests/c/*.h

# The same suites again in an ASan+UBSan build (clang), then under valgrind.
test-asan:
	@$(MAKE) --no-print-directory -s BUILD=$(BUILD)/asan SANITIZE=1 CC=clang \
	    STARRHOST=$(BUILD)/asan/starrhost TEST_LOG_DIR=$(BUILD)/test-logs/asan run-suites SUITES="$(SANITIZER_SUITES)"

test-valgrind: $(BUILD)/starrhost
	@$(MAKE) --no-print-directory -s STARRHOST="$(VALGRIND) $(BUILD)/starrhost" \
	    TEST_LOG_DIR=$(BUILD)/test-logs/valgrind run-suites SUITES="$(VALGRIND_SUITES)"

run-suites:
	@tests/run-suites.sh $(SUITES)

# The wipe test checks every block the host frees for a secret.
$(BUILD)/tests/c/wipe_test: LDLIBS_ALL += -Wl,--wrap=free
