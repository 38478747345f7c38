# kipsec: kernel module, CLI, and their tests.
#
#   make                 userland and the module for KDIR
#   make userland        build/bin/kipsec, build/bin/kipsecd
#   make module KDIR=... the module for a kernel tree or headers directory
#   make check           everything, tested (see README.md)
#   make demo            two kipsecd gateways bring up a tunnel, in a VM
#   make bench           kipsec against XFRM, as ratios (Documentation/performance.md)
#   make interop         kipsecd against strongSwan, the whole matrix (Documentation/interop.md)
#   make install         the CLI, kipsecd and man pages under PREFIX

VERSION := 0.1.0
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
BUILD := build

CC ?= cc
PKG_CONFIG ?= pkg-config
NL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libnl-genl-3.0 2>/dev/null)
NL_LIBS := $(shell $(PKG_CONFIG) --libs libnl-genl-3.0 2>/dev/null)
CRYPTO_CFLAGS := $(shell $(PKG_CONFIG) --cflags libcrypto 2>/dev/null)
CRYPTO_LIBS := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
USER_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-DKIPSEC_VERSION='"$(VERSION)"' -MMD -MP $(NL_CFLAGS) $(CRYPTO_CFLAGS) $(CFLAGS)
# The decoders of untrusted input are also tested under these.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

LIB_SRCS := userland/lib/kipsec_nl.c userland/lib/json.c userland/lib/ctl.c
CLI_SRCS := userland/kipsec/main.c userland/kipsec/tunnel.c userland/kipsec/sa.c \
	userland/kipsec/spi.c userland/kipsec/batch.c userland/kipsec/parse.c \
	userland/kipsec/ike.c userland/kipsec/monitor.c
UNIT_TESTS := test_parse test_sa_parse test_sa_show test_json test_monitor test_completion \
	test_payload test_payload_asan test_ikecrypto
# kipsecd: configuration and proposals (the daemon itself comes later).
KIPSECD_CFG_SRCS := userland/kipsecd/config.c userland/kipsecd/proposal.c
UNIT_TESTS += test_proposal test_config
# kipsecd: the IKEv1 engine (I/O-free; the daemon supplies struct ike_env).
KIPSECD_ENGINE_SRCS := userland/kipsecd/exchange.c userland/kipsecd/phase1.c \
	userland/kipsecd/quick.c userland/kipsecd/info.c userland/kipsecd/diag.c \
	userland/kipsecd/payload.c userland/kipsecd/ikecrypto.c $(KIPSECD_CFG_SRCS) \
	userland/lib/kipsec_nl.c
UNIT_TESTS += test_engine test_engine_asan
# kipsecd: the daemon around them and the engine (ike.c connects them).
KIPSECD_SRCS := userland/kipsecd/main.c userland/kipsecd/daemon.c \
	userland/kipsecd/control.c userland/kipsecd/kernel.c userland/kipsecd/loop.c \
	userland/kipsecd/log.c userland/kipsecd/ike.c userland/kipsecd/ike_sock.c \
	$(filter-out userland/lib/kipsec_nl.c,$(KIPSECD_ENGINE_SRCS))
UNIT_TESTS += test_loop test_ctl test_kipsecd test_kipsecd_ike

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS := $(call obj,$(LIB_SRCS))
CLI_OBJS := $(call obj,$(CLI_SRCS))

.PHONY: all userland module unit-tests fuzz check demo bench interop install clean
all: userland module

# Test tools run inside the VM, which builds only this target.
userland: $(BUILD)/bin/kipsec $(BUILD)/bin/kipsecd $(BUILD)/tests/nlfuzz

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -c -o $@ $<

$(BUILD)/obj-san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/lib/libkipsec-nl.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(AR) rcs $@ $^

$(BUILD)/bin/kipsec: $(CLI_OBJS) $(BUILD)/lib/libkipsec-nl.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS)

$(BUILD)/bin/kipsecd: $(call obj,$(KIPSECD_SRCS)) $(BUILD)/lib/libkipsec-nl.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CRYPTO_LIBS)

module:
	@test -d "$(KDIR)" || { echo "No kernel build directory at $(KDIR); set KDIR=<kernel tree or headers>" >&2; exit 1; }
	tools/build-module "$(KDIR)"

# Userland unit tests (cmocka).
$(BUILD)/tests/test_parse: $(call obj,tests/unit/test_parse.c userland/kipsec/parse.c userland/lib/ctl.c)
$(BUILD)/tests/test_sa_parse: $(call obj,tests/unit/test_sa_parse.c userland/kipsec/parse.c \
	userland/lib/kipsec_nl.c userland/lib/ctl.c)
$(BUILD)/tests/test_sa_show: $(call obj,tests/unit/test_sa_show.c userland/kipsec/sa.c \
	userland/kipsec/parse.c userland/lib/kipsec_nl.c userland/lib/json.c userland/lib/ctl.c)
$(BUILD)/tests/test_json: $(call obj,tests/unit/test_json.c userland/lib/json.c)
$(BUILD)/tests/test_proposal: $(call obj,tests/unit/test_proposal.c userland/kipsecd/proposal.c)
$(BUILD)/tests/test_config: $(call obj,tests/unit/test_config.c $(KIPSECD_CFG_SRCS))
$(BUILD)/tests/test_payload: $(call obj,tests/unit/test_payload.c userland/kipsecd/payload.c)
$(BUILD)/tests/test_ikecrypto: $(call obj,tests/unit/test_ikecrypto.c userland/kipsecd/ikecrypto.c \
	userland/kipsecd/payload.c)
$(BUILD)/tests/test_payload_asan: $(patsubst %.c,$(BUILD)/obj-san/%.o,\
	tests/unit/test_payload.c userland/kipsecd/payload.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SAN_FLAGS) -o $@ $^ -lcmocka $(CRYPTO_LIBS)
$(BUILD)/tests/test_ctl: $(call obj,tests/unit/test_ctl.c userland/lib/ctl.c userland/kipsec/parse.c)
# kipsecd and kipsec on the host, no module: a script.
$(BUILD)/tests/test_kipsecd: tests/unit/test_kipsecd.sh $(BUILD)/bin/kipsec $(BUILD)/bin/kipsecd
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
# Two kipsecd on loopback with the module link faked (tests/unit/fake_kernel.c);
# ike.c sends through the fake's port override.
KIPSECD_FAKE_SRCS := $(filter-out userland/kipsecd/kernel.c userland/kipsecd/ike.c,$(KIPSECD_SRCS))
$(BUILD)/obj-fake/ike.o: userland/kipsecd/ike.c
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -Dike_sock_send=fake_ike_sock_send \
		-include userland/kipsecd/ike_sock.h -c -o $@ $<
$(BUILD)/tests/kipsecd_fake: $(call obj,$(KIPSECD_FAKE_SRCS) tests/unit/fake_kernel.c) \
	$(BUILD)/obj-fake/ike.o $(BUILD)/lib/libkipsec-nl.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CRYPTO_LIBS)
$(BUILD)/tests/test_kipsecd_ike: tests/unit/test_kipsecd_ike.sh $(BUILD)/tests/kipsecd_fake $(BUILD)/bin/kipsec
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
$(BUILD)/tests/test_loop: $(call obj,tests/unit/test_loop.c userland/kipsecd/loop.c)
$(BUILD)/tests/test_monitor: $(call obj,tests/unit/test_monitor.c userland/kipsec/monitor.c \
	userland/kipsec/sa.c userland/kipsec/parse.c userland/lib/kipsec_nl.c userland/lib/json.c \
	userland/lib/ctl.c)
$(BUILD)/tests/test_engine: $(call obj,tests/unit/test_engine.c $(KIPSECD_ENGINE_SRCS))
$(BUILD)/tests/test_engine_asan: $(patsubst %.c,$(BUILD)/obj-san/%.o,\
	tests/unit/test_engine.c $(KIPSECD_ENGINE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $(SAN_FLAGS) -o $@ $^ -lcmocka $(NL_LIBS) $(CRYPTO_LIBS)
# The engine on a UDP socket, for tests/interop/strongswan.sh (not in make check).
$(BUILD)/tests/interop/ike_peer: $(call obj,tests/interop/ike_peer.c $(KIPSECD_ENGINE_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(CRYPTO_LIBS)
# The bash completion's test is a script: no compiler, no cmocka.
$(BUILD)/tests/test_completion: tests/unit/test_completion.sh userland/completion/kipsec.bash
	@mkdir -p $(dir $@)
	install -m 0755 $< $@
$(BUILD)/tests/%:
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lcmocka $(NL_LIBS) $(CRYPTO_LIBS)

# The netlink fuzzer (tests/integration/26-netlink-fuzz.sh); no libnl.
$(BUILD)/tests/nlfuzz: $(call obj,tests/tools/nlfuzz.c)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^

unit-tests: $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))

# libFuzzer targets (clang); not part of make check. make fuzz runs the
# ISAKMP decoder's target for FUZZ_SECS seconds on a copy of the committed
# corpus (tests/fuzz/corpus), so that the corpus only grows by hand.
FUZZ_CC ?= clang
FUZZ_SECS ?= 60
fuzz:
	tools/deps.sh fuzz
	$(MAKE) $(BUILD)/fuzz/fuzz_payload
	rm -rf $(BUILD)/fuzz/corpus && mkdir -p $(BUILD)/fuzz/corpus
	cp tests/fuzz/corpus/* $(BUILD)/fuzz/corpus/
	$(BUILD)/fuzz/fuzz_payload -max_total_time=$(FUZZ_SECS) -print_final_stats=1 \
		$(BUILD)/fuzz/corpus
$(BUILD)/fuzz/fuzz_payload: tests/fuzz/fuzz_payload.c userland/kipsecd/payload.c \
	userland/kipsecd/payload.h tests/unit/payload_reencode.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ tests/fuzz/fuzz_payload.c userland/kipsecd/payload.c $(CRYPTO_LIBS)

check:
	tools/check

demo:
	tools/demo/run

bench:
	tools/bench/run

interop:
	tools/interop/run

install: userland
	install -D -m 0755 $(BUILD)/bin/kipsec $(DESTDIR)$(PREFIX)/sbin/kipsec
	install -D -m 0644 Documentation/kipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/kipsec.8
	install -D -m 0755 $(BUILD)/bin/kipsecd $(DESTDIR)$(PREFIX)/sbin/kipsecd
	install -D -m 0644 Documentation/kipsecd.8 $(DESTDIR)$(PREFIX)/share/man/man8/kipsecd.8
	install -D -m 0644 Documentation/kipsecd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/kipsecd.conf.5
	install -D -m 0644 userland/completion/kipsec.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/kipsec

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/obj-san -name '*.d' 2>/dev/null)
