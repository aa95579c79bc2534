# host.json: lua-cjson from the pinned Debian source package plus this
# project's patches (vendor/lua-cjson), compiled into the host.
CJSON_DIR := $(BUILD)/vendor/lua-cjson
CJSON_SRC := $(CJSON_DIR)/src
CJSON_STAMP := $(CJSON_DIR)/ready
CJSON_OBJS := $(addprefix $(CJSON_DIR)/,lua_cjson.o strbuf.o fpconv.o)
# Third-party code: the host's optimisation and sanitizer flags, its own
# (non-fatal) warnings.
CJSON_CFLAGS := -std=gnu11 $(OPT) $(SAN_FLAGS) -Wall -fvisibility=hidden $(LUA_CFLAGS) $(CFLAGS)

HOST_SRCS += host/json.c
HOST_EXTRA_OBJS += $(CJSON_OBJS)
VENDOR_READY += $(CJSON_STAMP)
DEB_PACKAGES += dpkg-dev patch xz-utils lua-cjson clang
TEST_SUITES += json
SANITIZER_SUITES += json
VALGRIND_SUITES += json
BENCH_TARGETS += bench-json

$(BUILD)/host/json.o: ALL_CFLAGS += -I$(CJSON_SRC)

$(CJSON_STAMP): vendor/lua-cjson/fetch.sh vendor/lua-cjson/SHA256SUMS vendor/lua-cjson/patches/*
	$(call say,VENDOR,lua-cjson)vendor/lua-cjson/fetch.sh $(CJSON_DIR) vendor/cache

$(CJSON_SRC)/%.c $(CJSON_SRC)/%.h: $(CJSON_STAMP) ;

$(CJSON_OBJS): $(CJSON_DIR)/%.o: $(CJSON_SRC)/%.c $(CJSON_STAMP)
	$(call say,CC,$<)$(CC) $(CJSON_CFLAGS) -MMD -MP -c -o $@ $<

-include $(CJSON_OBJS:.o=.d)

# Tests: the Lua suites inside the host, then a few seconds of the fuzzer.
# Never empty: `starrhost test` with no path would run every test under ".".
JSON_LUA_TESTS = $(or $(wildcard tests/lua/json_*_test.lua tests/lua/json_test.lua),tests/lua/no-json_lua_tests-found)
JSON_FUZZ := $(BUILD)/fuzz/json_fuzz
JSON_FUZZ_SECONDS ?= 5
.PHONY: test-json fuzz bench-json

test-json: $(BUILD)/starrhost $(JSON_FUZZ)
	@tests/fuzz/json_suite.sh $(BUILD) $(JSON_FUZZ) $(JSON_FUZZ_SECONDS) $(sort $(JSON_LUA_TESTS))

# libFuzzer (clang): decode -> encode -> decode must agree.
JSON_FUZZ_SRCS := tests/fuzz/json_fuzz.c host/json.c $(addprefix $(CJSON_SRC)/,lua_cjson.c strbuf.c fpconv.c)
$(JSON_FUZZ): tests/fuzz/json_fuzz.c host/json.c host/host.h $(CJSON_STAMP)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)clang -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -D_DEFAULT_SOURCE -Ihost -I$(CJSON_SRC) $(LUA_CFLAGS) \
	    -o $@ $(JSON_FUZZ_SRCS) $(LUA_STATIC) -lm -ldl

fuzz: $(JSON_FUZZ)
	@tests/fuzz/json_fuzz.sh $(JSON_FUZZ) 60

# host.json against Debian's unpatched lua-cjson, in one process.
JSON_BENCH := $(BUILD)/bench/json_bench
$(JSON_BENCH): bench/json_bench.c host/json.c host/host.h $(CJSON_OBJS)
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) -std=c11 -O2 -g $(WARN) -D_DEFAULT_SOURCE -Ihost -I$(CJSON_SRC) $(LUA_CFLAGS) \
	    -o $@ bench/json_bench.c host/json.c $(CJSON_OBJS) $(shell $(PKG_CONFIG) --libs lua5.4) -lm -ldl

bench-json: $(JSON_BENCH)
	@$(JSON_BENCH) bench/json_bench.lua ../shared/reference/openapi
