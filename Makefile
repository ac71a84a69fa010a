# keel: `make` builds ./keel; `make demo` runs a container; `make check` runs every test.
# Missing Debian packages are installed by contrib/install-deps (called from here).

CC ?= gcc
PKGS = libcap libseccomp yajl
# Recursive (=) on purpose: pkg-config runs after install-deps has run.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
OPT ?= -O2
CFLAGS ?= $(OPT) -g
KEEL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -Wall -Wextra -Werror \
	-Wno-unused-parameter -fno-strict-aliasing -MMD -MP $(PKG_CFLAGS)
LDFLAGS ?=
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.1.0)

MODULES = runtime namespaces cgroups spec image
SRCS := $(sort $(wildcard $(addsuffix /*.c,$(MODULES))))
LIB_SRCS := $(filter-out runtime/main.c,$(SRCS))

B ?= build
OBJS = $(patsubst %.c,$(B)/%.o,$(LIB_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS = $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRCS))

.PHONY: unit-bins all deps deps-check demo check unit unit-asan tools bats vm-check fuzz bench clean rootfs \
	fuzz-bins fuzz-replay-bins
all: keel

deps:
	@contrib/install-deps build

deps-check:
	@contrib/install-deps check

keel: $(B)/keel
	@cp $< $@.tmp && mv $@.tmp $@

# keel itself is a static PIE (ASLR kept): the dynamic loader and its relocations were
# ~10% of a `run` (tests/bench/README.md). STATIC=0 links the shared libraries instead.
STATIC ?= 1
STATIC_LIBS = -l:libcap.a -l:libseccomp.a -l:libyajl_s.a
KEEL_LINK = $(if $(filter 1,$(STATIC)),-static-pie,)
KEEL_LIBS = $(if $(filter 1,$(STATIC)),$(STATIC_LIBS),$(PKG_LIBS))

$(B)/keel: $(B)/runtime/main.o $(B)/libkeel.a
	$(CC) $(LDFLAGS) $(KEEL_LINK) -o $@ $^ $(KEEL_LIBS)

$(B)/libkeel.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -DKEEL_VERSION='"$(VERSION)"' -c -o $@ $<

$(B)/unit/%: tests/unit/%.c $(B)/libkeel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -I. -o $@ $< $(B)/libkeel.a $(PKG_LIBS)

$(B)/tools/%: tests/tools/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -I. -o $@ $< $(PKG_LIBS)

# Tools copied into the busybox rootfs are static: the rootfs has no libc.
$(B)/tools/sysno: tests/tools/sysno.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -static -o $@ $<

tools: $(TOOL_BINS)

# The demo/test rootfs: busybox-static plus a few files, made by a script.
rootfs: keel tools
	@contrib/install-deps check
	@tests/lib/mkbundle.sh $(B)/bundle

demo: keel rootfs
	@tests/lib/demo.sh ./keel $(B)/bundle

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "# $$t"; $$t; done

# The same unit tests built with ASan/UBSan (a separate build dir).
unit-asan:
	@$(MAKE) --no-print-directory B=build/asan OPT=-O1 \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" unit

bats: keel tools rootfs
	@tests/lib/run-bats.sh tests/bats

vm-check: keel tools rootfs
	@tests/vm/check.sh

check: deps-check
	@$(MAKE) --no-print-directory keel tools rootfs $(UNIT_BINS)
	@$(MAKE) --no-print-directory B=build/asan OPT=-O1 \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" unit-bins fuzz-replay-bins
	@tests/lib/check.sh

unit-bins: $(UNIT_BINS)

# Fuzz targets (tests/fuzz/fuzz_<name>.c). `make fuzz`: clang + libFuzzer into
# build/fuzz/, each target runs FUZZ_TIME seconds on tests/fuzz/corpus/<name>/.
# make check builds the same targets with tests/fuzz/replay.c into
# build/asan/replay/ and replays the corpus (tests/fuzz/replay.sh).
FUZZ_TIME ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

fuzz:
	@contrib/install-deps fuzz
	@$(MAKE) --no-print-directory B=build/fuzz CC=clang OPT=-O1 \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" fuzz-bins
	@tests/fuzz/run.sh build/fuzz $(FUZZ_TIME)

fuzz-bins: $(patsubst tests/fuzz/%.c,$(B)/%,$(FUZZ_SRCS))

$(B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/libkeel.a
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -I. -fsanitize=fuzzer -o $@ $< $(B)/libkeel.a $(PKG_LIBS)

fuzz-replay-bins: $(patsubst tests/fuzz/%.c,$(B)/replay/%,$(FUZZ_SRCS))
.SECONDARY: $(B)/tests/fuzz/replay.o

$(B)/replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(B)/tests/fuzz/replay.o $(B)/libkeel.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KEEL_CFLAGS) -I. $(LDFLAGS) -o $@ $< $(B)/tests/fuzz/replay.o \
		$(B)/libkeel.a $(PKG_LIBS)

# keel against crun and runc, host then VM; table in build/bench/results.md (tests/bench/).
bench: keel tools rootfs $(B)/bench/floor
	@contrib/install-deps bench
	@tests/bench/bench.sh

$(B)/bench/floor: tests/bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wall -Wextra -Werror -static -o $@ $<

clean:
	rm -rf build keel

-include $(OBJS:.o=.d) $(B)/runtime/main.d
