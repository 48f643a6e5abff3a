# sqlitch -- Sqitch rebuilt in C around SQLite.
#
#   make                 build ./sqlitch (CLI) and ./sqlitch.so (extension)
#   make test            run every test layer under prove (TAP)
#   make test SAN=1      the same, built with ASan+UBSan (in build/san/)
#   make fuzz            build the libFuzzer targets and run each briefly
#   make lint            clang-format check + cppcheck
#   make bench           run the shared benchmark against ./sqlitch
#   make install         PREFIX=/usr/local DESTDIR= (binary, extension, man, lib, header, pc)
#   make uninstall       reverse of install
#   make dist            release tarball sqlitch-$(VERSION).tar.gz
#   V=1                  show full commands
#
# The version lives in one place: SQLITCH_VERSION in core/util.h.

VERSION := $(shell sed -n 's/^\#define SQLITCH_VERSION "\(.*\)"/\1/p' core/util.h)
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
MANDIR  ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC      ?= cc
PKG_CONFIG ?= pkg-config
SAN     ?= 0

ifeq ($(V),1)
Q :=
else
Q := @
endif

ifeq ($(SAN),1)
BUILD   := build/san
OUT     := build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build/rel
OUT     := .
SANFLAGS :=
OPT     ?= -O2 -g
endif

# ---- dependencies (pkg-config) -------------------------------------------
SQLITE_CFLAGS := $(shell $(PKG_CONFIG) --cflags sqlite3)
SQLITE_LIBS   := $(shell $(PKG_CONFIG) --libs sqlite3)
PCRE_CFLAGS   := $(shell $(PKG_CONFIG) --cflags libpcre2-8)
PCRE_LIBS     := $(shell $(PKG_CONFIG) --libs libpcre2-8)

HAVE_PG    := $(shell $(PKG_CONFIG) --exists libpq && echo 1)
HAVE_MYSQL := $(shell $(PKG_CONFIG) --exists libmariadb && echo 1)
ifeq ($(NO_PG),1)
HAVE_PG :=
endif
ifeq ($(NO_MYSQL),1)
HAVE_MYSQL :=
endif

ENGINE_CFLAGS :=
ENGINE_LIBS   :=
# libpq and libmariadb are not linked: the engines dlopen them on first use
# (core/dynload.h), so SQLite-only runs never load them. Only their headers
# are needed to build.
ifeq ($(HAVE_PG),1)
ENGINE_CFLAGS += -DSQLITCH_HAVE_PG $(shell $(PKG_CONFIG) --cflags libpq)
ENGINE_LIBS   := -ldl
endif
ifeq ($(HAVE_MYSQL),1)
ENGINE_CFLAGS += -DSQLITCH_HAVE_MYSQL $(shell $(PKG_CONFIG) --cflags libmariadb)
ENGINE_LIBS   := -ldl
endif

WARN    := -Wall -Wextra -Werror -Wno-unused-parameter
CSTD    := -std=c11 -D_GNU_SOURCE
SYSCONFDIR ?= /etc/sqitch
DEFS    := -DSQLITCH_SYSCONFDIR='"$(SYSCONFDIR)"' -DSQLITCH_LIBDIR='"$(LIBDIR)"'
# Objects that compile a directory in (the system config dir, the LIBDIR
# where `sqlitch shell` looks for the extension) are rebuilt when DEFS
# changes, so `make install PREFIX=/usr` never installs a binary built for
# another prefix.
DEFS_STAMP := $(BUILD)/defs.stamp
ifneq ($(file <$(DEFS_STAMP)),$(DEFS))
$(shell mkdir -p $(BUILD))
$(file >$(DEFS_STAMP),$(DEFS))
endif
ALL_CFLAGS := $(CSTD) $(WARN) $(OPT) -fPIC -fvisibility=hidden -pthread $(SANFLAGS) \
              $(DEFS) $(SQLITE_CFLAGS) $(PCRE_CFLAGS) $(ENGINE_CFLAGS) -Icore $(CFLAGS)
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)
LIBS    := $(SQLITE_LIBS) $(PCRE_LIBS) $(ENGINE_LIBS) -lm -pthread

# ---- sources ---------------------------------------------------------------
# Engine files compile only when their client library is present.
CORE_SRC  := $(filter-out core/engine_pg.c core/engine_mysql.c core/engine_pg_dl.c core/engine_mysql_dl.c core/engine_pg_wire.c core/engine_mysql_wire.c,$(wildcard core/*.c))
ifeq ($(HAVE_PG),1)
CORE_SRC  += $(wildcard core/engine_pg.c core/engine_pg_dl.c core/engine_pg_wire.c)
endif
ifeq ($(HAVE_MYSQL),1)
CORE_SRC  += $(wildcard core/engine_mysql.c core/engine_mysql_dl.c core/engine_mysql_wire.c)
endif
SQL_SRC   := $(sort $(wildcard sql/*.sql))
SHELL_SRC := $(wildcard shell/*.c)
EXT_SRC   := $(wildcard ext/*.c)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
MAN_SRC   := $(wildcard docs/man/*.md)

CORE_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRC)) $(BUILD)/sql/registry_sql.o
SHELL_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(SHELL_SRC)) $(BUILD)/gen/docs_text.o
EXT_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(EXT_SRC))
UNIT_BIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))

LIBA      := $(OUT)/libsqlitch.a
CLI       := $(OUT)/sqlitch
EXT       := $(OUT)/sqlitch.so
MANPAGES  := $(patsubst docs/man/%.md,build/man/%,$(MAN_SRC))

.PHONY: all test unit fuzz lint bench install uninstall clean dist man check demo
all: $(CLI) $(EXT) $(LIBA) $(UNIT_BIN) man

$(BUILD)/%.o: %.c $(wildcard core/*.h) $(wildcard ext/*.h) $(wildcard shell/*.h)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC    $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Iext -Ishell -c -o $@.$$$$.tmp $< && mv -f $@.$$$$.tmp $@

# Registry DDL and upgrade scripts are compiled in as C strings.
$(BUILD)/sql/registry_sql.c: $(SQL_SRC) tools/embed-sql
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  EMBED $@"
	$(Q)sh tools/embed-sql $(SQL_SRC) > $@

$(BUILD)/sql/registry_sql.o: $(BUILD)/sql/registry_sql.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Help texts are the man page sources, compiled into the CLI.
$(BUILD)/gen/docs_text.c: $(MAN_SRC) tools/embed-docs
	@mkdir -p $(dir $@)
	$(Q)sh tools/embed-docs $(MAN_SRC) > $@

$(BUILD)/gen/docs_text.o: $(BUILD)/gen/docs_text.c
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  AR    $@"
	$(Q)rm -f $@.$$$$.tmp && ar rcs $@.$$$$.tmp $^ && mv -f $@.$$$$.tmp $@

$(CLI): $(SHELL_OBJ) $(LIBA)
	@[ "$(Q)" = "" ] || echo "  LD    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@.$$$$.tmp $(SHELL_OBJ) $(LIBA) $(LIBS) && mv -f $@.$$$$.tmp $@

$(EXT): $(EXT_OBJ) $(LIBA)
	@[ "$(Q)" = "" ] || echo "  LD    $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -shared -o $@.$$$$.tmp $(EXT_OBJ) $(LIBA) $(LIBS) && mv -f $@.$$$$.tmp $@

# The extension stays mapped after dlclose (-z nodelete): the client
# libraries it pulls in (libpq, libmariadb, OpenSSL) keep global state and
# exit handlers that must not outlive their code in the host process.
$(EXT): ALL_LDFLAGS += -Wl,-z,nodelete

# ---- the extension linked statically (SQLITE_CORE) -------------------------
# The ext/ files compiled again with -DSQLITE_CORE go into libsqlitch.a as
# well, so an application links the extension with -lsqlitch and registers
# it with sqlite3_auto_extension(sqlite3_sqlitch_init); see examples/c.
# (sqlitch.so links its own ext/ objects first and pulls none of these.)
EXT_CORE_OBJ := $(patsubst ext/%.c,$(BUILD)/ext-core/%.o,$(EXT_SRC))
$(LIBA): $(EXT_CORE_OBJ)
$(BUILD)/ext-core/%.o: ext/%.c $(wildcard core/*.h) $(wildcard ext/*.h)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC    $< (SQLITE_CORE)"
	$(Q)$(CC) $(ALL_CFLAGS) -DSQLITE_CORE -Iext -c -o $@.$$$$.tmp $< && mv -f $@.$$$$.tmp $@

# The C example (tests/ext/examples.t runs it).
EXAMPLES := $(BUILD)/examples/migrate
.PHONY: examples
all: $(EXAMPLES)
examples: $(EXAMPLES)
$(BUILD)/examples/migrate: examples/c/migrate.c $(LIBA)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  LD    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@.$$$$.tmp $< $(LIBA) $(LIBS) $(ALL_LDFLAGS) && mv -f $@.$$$$.tmp $@

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIBA)
	@mkdir -p $(dir $@)
	@[ "$(Q)" = "" ] || echo "  CC    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -o $@.$$$$.tmp $< $(LIBA) $(LIBS) $(ALL_LDFLAGS) && mv -f $@.$$$$.tmp $@

man: $(MANPAGES)
build/man/%: docs/man/%.md tools/md2man
	@mkdir -p build/man
	$(Q)sh tools/md2man $< > $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

# ---- the two README commands ------------------------------------------------
# make demo: install build dependencies (as root), build, and run the demo
# on an embedded SQLite database.
demo:
	$(Q)tests/deps --build
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh docs/demo.sh ./sqlitch

# make check: install everything the tests need (as root), then run every
# test layer, the same under ASan+UBSan, the linters and a short fuzz run.
check:
	$(Q)tests/deps --install
	$(Q)$(MAKE) --no-print-directory test
	$(Q)$(MAKE) --no-print-directory test SAN=1
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_TIME)

# ---- tests -----------------------------------------------------------------
# tests/run installs what is missing (as root), starts the database servers it
# needs, and runs every layer under prove.
test: all
	$(Q)SAN=$(SAN) SQLITCH_BUILD=$(BUILD) SQLITCH_OUT=$(OUT) tests/run

unit: $(UNIT_BIN)
	$(Q)prove $(UNIT_BIN)

# ---- fuzzing (clang + libFuzzer) ---------------------------------------------
FUZZ_TIME ?= 10
FUZZ_CFLAGS := $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) \
               $(SQLITE_CFLAGS) $(PCRE_CFLAGS) -Icore
# fuzz_pgwire includes the in-process pg client itself (the other targets
# link core without the engines)
ifeq ($(HAVE_PG),1)
FUZZ_CFLAGS += -DSQLITCH_FUZZ_PG $(shell $(PKG_CONFIG) --cflags libpq)
endif
# fuzz_mywire includes the in-process mysql client itself (the other
# targets link core without the engines)
ifeq ($(HAVE_MYSQL),1)
FUZZ_CFLAGS += -DSQLITCH_FUZZ_MYSQL $(shell $(PKG_CONFIG) --cflags libmariadb)
endif
fuzz: $(BUILD)/sql/registry_sql.c
	@mkdir -p build/fuzz
	$(Q)for f in $(FUZZ_SRC); do \
	  n=$$(basename $$f .c); \
	  echo "  FUZZ  $$n"; \
	  clang $(FUZZ_CFLAGS) -o build/fuzz/$$n $$f $(filter-out core/engine_pg.c core/engine_mysql.c core/engine_pg_dl.c core/engine_mysql_dl.c core/engine_pg_wire.c core/engine_mysql_wire.c,$(CORE_SRC)) $(BUILD)/sql/registry_sql.c $(SQLITE_LIBS) $(PCRE_LIBS) -lm || exit 1; \
	  mkdir -p build/fuzz/corpus-$$n; \
	  [ -d tests/fuzz/seeds/$$n ] && cp -n tests/fuzz/seeds/$$n/* build/fuzz/corpus-$$n/ 2>/dev/null; \
	  build/fuzz/$$n -max_total_time=$(FUZZ_TIME) -max_len=4096 build/fuzz/corpus-$$n >build/fuzz/$$n.log 2>&1 \
	    || { tail -40 build/fuzz/$$n.log; exit 1; }; \
	  tail -1 build/fuzz/$$n.log; \
	done

# ---- lint ------------------------------------------------------------------
C_ALL := $(wildcard core/*.c core/*.h shell/*.c shell/*.h ext/*.c ext/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c examples/*/*.c)
lint:
	$(Q)clang-format --dry-run -Werror $(C_ALL)
	$(Q)cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	  --suppress=missingIncludeSystem --suppress=unusedFunction \
	  --suppress=normalCheckLevelMaxBranches \
	  -Icore $(CORE_SRC) $(SHELL_SRC) $(EXT_SRC)
	@echo "lint ok"

# ---- benchmarks ------------------------------------------------------------
BENCH_ARGS ?= --no-fsync
bench: $(CLI)
	$(Q)bench/run $(BENCH_ARGS)

# ---- install ---------------------------------------------------------------
# Installs the CLI, the extension (LIBDIR/sqlitch.so, so that a bare
# `.load sqlitch` finds it on the library path), the static library and
# header for embedding, sqlitch.pc, and the man pages. Never uses sudo or
# ldconfig. Objects that embed LIBDIR are rebuilt for the PREFIX given.
PC_REQUIRES := sqlite3 libpcre2-8
$(BUILD)/shell/cmd_shell.o $(BUILD)/core/config.o: $(DEFS_STAMP)

install: $(CLI) $(EXT) $(LIBA) man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	  $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/sqlitch
	install -m 755 $(EXT) $(DESTDIR)$(LIBDIR)/sqlitch.so
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libsqlitch.a
	install -m 644 core/sqlitch.h $(DESTDIR)$(INCDIR)/sqlitch.h
	sed -e '/^#/d' -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCDIR@|$(INCDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@REQUIRES@|$(PC_REQUIRES)|' sqlitch.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/sqlitch.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/sqlitch.pc
	for m in $(MANPAGES); do \
	  s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sqlitch $(DESTDIR)$(LIBDIR)/sqlitch.so \
	  $(DESTDIR)$(LIBDIR)/libsqlitch.a $(DESTDIR)$(INCDIR)/sqlitch.h \
	  $(DESTDIR)$(PKGCONFIGDIR)/sqlitch.pc
	for m in $(MANPAGES); do \
	  s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done

# ---- dist ------------------------------------------------------------------
# The release tarball: the committed tree (git archive HEAD) when this
# directory is the top of a git checkout, or else (an unpacked tarball) the
# tree without build outputs.
# DIST_DIR says where to write it.
DIST_DIR  ?= .
DIST_NAME := sqlitch-$(VERSION)
dist:
	$(Q)mkdir -p $(DIST_DIR)
	$(Q)rm -f $(DIST_DIR)/$(DIST_NAME).tar.gz
	$(Q)if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ]; then \
	  git archive --format=tar.gz --prefix=$(DIST_NAME)/ \
	    -o $(DIST_DIR)/$(DIST_NAME).tar.gz HEAD; \
	else \
	  tar -czf $(DIST_DIR)/$(DIST_NAME).tar.gz --transform 's|^\.|$(DIST_NAME)|' \
	    --exclude=./build --exclude=./sqlitch --exclude=./sqlitch.so \
	    --exclude=./libsqlitch.a --exclude='./sqlitch-*.tar.gz' .; \
	fi
	@echo "$(DIST_DIR)/$(DIST_NAME).tar.gz"

clean:
	rm -rf build sqlitch sqlitch.so libsqlitch.a sqlitch-*.tar.gz
