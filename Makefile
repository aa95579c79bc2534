# starrhost: a plain GNU Makefile. Areas add sources, packages and test suites
# from their own fragment in mk/ so that each part of the tree owns its rules.
PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config
V ?= 0

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
BUILTIN_SCRIPTS ?= $(PREFIX)/share/starrhost/scripts

LUA_CFLAGS := $(shell $(PKG_CONFIG) --cflags lua5.4 2>/dev/null)
LUA_STATIC := $(shell $(PKG_CONFIG) --variable=libdir lua5.4 2>/dev/null)/liblua5.4.a
CURL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcurl 2>/dev/null)

OPT ?= -O2 -g
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
SANITIZE ?=
ifneq ($(SANITIZE),)
  SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  OPT := -O1 -g
endif
CPPFLAGS_ALL := -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
    -DSTARRHOST_VERSION='"$(VERSION)"' -DSTARRHOST_BUILTIN_SCRIPTS='"$(BUILTIN_SCRIPTS)"' \
    -Ihost $(LUA_CFLAGS) $(CURL_CFLAGS)
ALL_CFLAGS := -std=c11 $(OPT) $(WARN) $(SAN_FLAGS) $(CPPFLAGS_ALL) $(CFLAGS)
# libcurl is not linked: host/curl_load.c opens it on the first request.
LDLIBS_ALL := $(LUA_STATIC) -lm -ldl $(LDLIBS)

# Debian packages the build and the tests need; fragments append to it.
DEB_PACKAGES := build-essential pkg-config lua5.4 liblua5.4-dev libcurl4-openssl-dev \
    lua-check clang valgrind python3 ca-certificates

# The host binary; fragments append sources and vendored objects.
HOST_SRCS := host/main.c host/buf.c host/deadline.c host/engine.c host/hostlib.c host/log.c host/sched.c host/secret.c host/curl_load.c \
    host/lutil.c host/testlib.c
HOST_EMBED := host/lua/test.lua
HOST_EXTRA_OBJS :=
TEST_SUITES :=
LUA_LINT_DIRS := scripts tests host/lua bench

.DEFAULT_GOAL := all
-include mk/*.mk

HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/%.o) $(HOST_EXTRA_OBJS)

# Objects depend on the flags they were built with: PREFIX (the built-in
# scripts path), VERSION or SANITIZE changing must rebuild them.
FLAGS_STAMP := $(BUILD)/flags
ifneq ($(ALL_CFLAGS) $(LDLIBS_ALL),$(file <$(FLAGS_STAMP)))
  $(shell mkdir -p $(BUILD))
  $(file >$(FLAGS_STAMP),$(ALL_CFLAGS) $(LDLIBS_ALL))
endif
HOST_LIB_OBJS := $(filter-out $(BUILD)/host/main.o,$(HOST_OBJS))

ifeq ($(V),0)
  Q := @
  say = @printf '  %-7s %s\n' $(1) $(2);
else
  Q :=
  say =
endif

.PHONY: all test check-deps deps lint format bench demo clean install fuzz
all: $(BUILD)/starrhost

$(BUILD)/starrhost: $(HOST_OBJS) $(FLAGS_STAMP)
	$(call say,LD,$@)$(CC) $(OPT) $(SAN_FLAGS) -o $@ $(HOST_OBJS) $(LDLIBS_ALL)

$(BUILD)/%.o: %.c $(wildcard host/*.h) $(FLAGS_STAMP) | $(BUILD)/vendor-ready
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The embedded Lua library files are read by the assembler (.incbin).
$(BUILD)/host/testlib.o: $(HOST_EMBED)

$(BUILD)/vendor-ready: $(VENDOR_READY)
	@mkdir -p $(BUILD) && touch $@

-include $(HOST_OBJS:.o=.d)

# Installs missing Debian packages when run as root; otherwise says what is missing.
deps:
	@tests/install-deps.sh $(sort $(DEB_PACKAGES))

test: deps
	@tests/run-suites.sh $(TEST_SUITES)

lint: deps
	$(Q)luacheck -q $(wildcard $(LUA_LINT_DIRS))
	$(Q)clang-format --dry-run --Werror host/*.c host/*.h tests/c/*.c tests/c/*.h

format:
	clang-format -i host/*.c host/*.h tests/c/*.c tests/c/*.h

install: $(BUILD)/starrhost
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(BUILTIN_SCRIPTS)
	install -m 0755 $(BUILD)/starrhost $(DESTDIR)$(PREFIX)/bin/starrhost
	install -m 0644 scripts/*.lua $(DESTDIR)$(BUILTIN_SCRIPTS)/

clean:
	rm -rf build
