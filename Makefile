# kipsec: kernel module, CLI, and their tests.
#
#   make                 userland and the module for KDIR
#   make userland        build/bin/kipsec
#   make module KDIR=... the module for a kernel tree or headers directory
#   make check           everything, tested (see README.md)
#   make demo            a manual-key tunnel between two sites, in a VM
#   make bench           kipsec against XFRM, as ratios (Documentation/performance.md)
#   make install         the CLI and man pages under PREFIX

VERSION := 0.1.0
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
BUILD := build

CC ?= cc
PKG_CONFIG ?= pkg-config
NL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell $(PKG_CONFIG) --libs libnl-genl-3.0 2>/dev/null)
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-DKIPSEC_VERSION='"$(VERSION)"' -MMD -MP $(NL_CFLAGS) $(CFLAGS)

LIB_SRCS := userland/lib/kipsec_nl.c userland/lib/json.c
CLI_SRCS := userland/kipsec/main.c userland/kipsec/tunnel.c userland/kipsec/sa.c \
	userland/kipsec/spi.c userland/kipsec/batch.c userland/kipsec/parse.c
UNIT_TESTS := test_parse test_sa_parse test_sa_show test_json test_completion

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
CLI_OBJS := $(call obj,$(CLI_SRCS))

.PHONY: all userland module unit-tests check demo bench install clean
all: userland module

# Test tools run inside the VM, which builds only this target.
userland: $(BUILD)/bin/kipsec $(BUILD)/tests/nlfuzz

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/lib/libkipsec-nl.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/kipsec: $(CLI_OBJS) $(BUILD)/lib/libkipsec-nl.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

module:
	@test -d "$(KDIR)" || { echo "No kernel build directory at $(KDIR); set KDIR=<kernel tree or headers>" >&2; exit 1; }
	tools/build-module "$(KDIR)"

# Userland unit tests (cmocka).
$(BUILD)/tests/test_parse: $(call obj,tests/unit/test_parse.c userland/kipsec/parse.c)
$(BUILD)/tests/test_sa_parse: $(call obj,tests/unit/test_sa_parse.c userland/kipsec/parse.c \
	userland/lib/kipsec_nl.c)
$(BUILD)/tests/test_sa_show: $(call obj,tests/unit/test_sa_show.c userland/kipsec/sa.c \
	userland/kipsec/parse.c userland/lib/kipsec_nl.c userland/lib/json.c)
$(BUILD)/tests/test_json: $(call obj,tests/unit/test_json.c userland/lib/json.c)
# The bash completion's test is a script: no compiler, no cmocka.
$(BUILD)/tests/test_completion: tests/unit/test_completion.sh userland/completion/kipsec.bash
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
$(BUILD)/tests/%:
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(NL_LIBS)

# The netlink fuzzer (tests/integration/26-netlink-fuzz.sh); no libnl.
$(BUILD)/tests/nlfuzz: $(call obj,tests/tools/nlfuzz.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

unit-tests: $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))

check:
	tools/check

demo:
	tools/demo/run

bench:
	tools/bench/run

install: userland
	install -D -m 0755 $(BUILD)/bin/kipsec $(DESTDIR)$(PREFIX)/sbin/kipsec
	install -D -m 0644 Documentation/kipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/kipsec.8
	install -D -m 0644 userland/completion/kipsec.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kipsec

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
