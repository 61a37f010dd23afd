# mmtwin - an executable twin of Linux anonymous memory with a race explorer.
# Plain GNU make; see HACKING.md for the targets and test sets.

CC      ?= cc
BUILD   ?= build
OPT     ?= -O2
SAN     ?=
ARCH    := $(shell uname -m)

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) $(SAN) -Isrc -MMD -MP \
	   -DMMTWIN_SRCDIR='"$(CURDIR)"'
LDFLAGS := $(SAN)
LDLIBS  := -lpthread

LIB_SRC   := $(sort $(wildcard src/sim/*.c src/explore/*.c src/report/*.c src/classic/*.c \
                               src/mm/*.c src/fs/*.c src/check/*.c src/scenario/*.c src/kernel/*.c))
ifeq ($(ARCH),x86_64)
LIB_ASM   := src/sim/coro_x86_64.S
endif
CLI_SRC   := $(sort $(wildcard src/cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/test_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_ASM:%.S=$(BUILD)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
LIB       := $(BUILD)/libmmtwin.a
MMTWIN    := $(BUILD)/mmtwin

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60

PREFIX  ?= /usr/local

.PHONY: all run check check-full asan fuzz bench deps install clean

all: $(MMTWIN)

# The main job: explore every bundled program and scenario.
run: $(MMTWIN)
	$(MMTWIN) explore --all

# The fast test set (minutes).
check: $(MMTWIN) $(TEST_BIN) $(BUILD)/.deps
	sh tests/run.sh $(BUILD)

# The long soaks: the fast set, then bigger explorations and stress runs.
check-full: $(MMTWIN) $(TEST_BIN) $(BUILD)/.deps
	MMTWIN_SOAK=1 sh tests/run.sh $(BUILD)

# The fast test set built with AddressSanitizer and UBSan.
asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SAN="$(ASAN_FLAGS)" check

# The scenario parser under libFuzzer (clang, ASan + UBSan) for FUZZ_SECONDS
# seconds; the corpus grows in build-fuzz/corpus, a crash is saved in build-fuzz/.
fuzz:
	sh scripts/fuzz-deps.sh
	$(MAKE) BUILD=build-fuzz CC=clang OPT=-O1 SAN="$(FUZZ_FLAGS)" build-fuzz/fuzz_scenario
	@mkdir -p build-fuzz/corpus
	cp scenarios/*/*.mmt tests/scenarios/bad/*.mmt build-fuzz/corpus/
	UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1} \
	build-fuzz/fuzz_scenario -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
		-dict=fuzz/scenario.dict -artifact_prefix=build-fuzz/ -print_final_stats=1 \
		build-fuzz/corpus

# The command and the bundled scenarios under PREFIX (DESTDIR for staging).
install: $(MMTWIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mmtwin
	install -m 755 $(MMTWIN) $(DESTDIR)$(PREFIX)/bin/mmtwin
	cp -R scenarios $(DESTDIR)$(PREFIX)/share/mmtwin/

bench: $(BENCH_BIN) $(MMTWIN)
	@for b in $(BENCH_BIN); do $$b || exit 1; done

deps: $(BUILD)/.deps

$(BUILD)/.deps: scripts/deps.sh
	@mkdir -p $(BUILD)
	sh scripts/deps.sh
	@touch $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(MMTWIN): $(CLI_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/testlib.h $(LIB) $(BUILD)/.deps
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) -Itests -o $@ $< $(LIB) -lcmocka $(LDLIBS)

$(BUILD)/fuzz_scenario: fuzz/fuzz_scenario.c $(LIB)
	@echo "  FUZZ    $@"
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	@echo "  BENCH   $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
