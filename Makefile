# Kontor — build, local database, tests.
# Objects and test binaries go to $(BUILD); sources stay clean.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
SANITIZE ?=

CC      ?= cc
PKGS    := ncursesw libpq libsodium
PKG_CFLAGS := $(filter-out -D_XOPEN_SOURCE=% -D_DEFAULT_SOURCE,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# iniparser ships no pkg-config file on Debian.
INI_CFLAGS := -I/usr/include/iniparser
INI_LIBS   := -liniparser
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)
PG_INCLUDE := $(shell pg_config --includedir 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-unused-parameter
HARDEN  := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
DEFS    := -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 -D_XOPEN_SOURCE_EXTENDED \
           -D_DEFAULT_SOURCE -DKONTOR_SQLDIR='"$(PREFIX)/share/kontor/sql"' \
           -DKONTOR_THEMEDIR='"$(PREFIX)/share/kontor/themes"'
OPT     := -O2 -g
ifeq ($(SANITIZE),1)
OPT     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
HARDEN  := -fPIE
endif
CFLAGS  ?=
LDFLAGS ?=
ALL_CFLAGS  := -std=c11 $(OPT) $(WARN) $(HARDEN) $(DEFS) -Iinclude $(PKG_CFLAGS) $(INI_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(OPT) -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS    := $(PKG_LIBS) $(INI_LIBS) -lm

LIB_SRC := $(filter-out src/main.c,$(sort $(wildcard src/*/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/src/main.o
BIN     := $(BUILD)/kontor

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
DBT_SRC  := $(sort $(wildcard tests/db/test_*.c))
DBT_BIN  := $(DBT_SRC:tests/db/%.c=$(BUILD)/tests/db/%)
DBT_LIB  := $(BUILD)/obj/tests/db/dbtest.o
BENCH_BIN := $(BUILD)/tests/bench/bench_orders
LOAD_BIN  := $(BUILD)/tests/bench/kontor_load
SCALE    ?= M

.PHONY: all deps demo check db db-stop install uninstall clean unit-test db-test e2e-test \
        san-test tests bench load load-test
.DEFAULT_GOAL := all

all: $(BIN)

$(BIN): $(MAIN_OBJ) $(LIB_OBJ)
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/db/%: $(BUILD)/obj/tests/db/%.o $(DBT_LIB) $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(BENCH_BIN): $(BUILD)/obj/tests/bench/bench_orders.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(LOAD_BIN): $(BUILD)/obj/tests/bench/load.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -pthread -o $@ $^ $(LIBS)

tests: $(BIN) $(UNIT_BIN) $(DBT_BIN) $(LOAD_BIN)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/%.d) \
         $(DBT_BIN:$(BUILD)/tests/%=$(BUILD)/obj/tests/%.d) $(BUILD)/obj/tests/bench/load.d

# Installs missing Debian/Ubuntu packages; silent and harmless when all are present.
deps:
	@sh tests/deps.sh

db: deps
	@$(MAKE) --no-print-directory all
	@sh sql/cluster.sh up

db-stop:
	@sh sql/cluster.sh down

demo: deps
	@$(MAKE) --no-print-directory all
	@sh sql/cluster.sh up
	@sh sql/cluster.sh console

unit-test: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

db-test: $(BIN) $(DBT_BIN)
	@sh tests/db/run.sh $(BIN) $(DBT_BIN)

e2e-test: $(BIN)
	@sh tests/e2e/run.sh $(BIN)

# The load driver through PgBouncer, briefly, on the test data set.
load-test: $(BIN) $(LOAD_BIN)
	@sh tests/bench/load_test.sh $(BIN) $(LOAD_BIN)

# Benchmarks at a named data scale (S, M = 1,000,000 orders, L = 10,000,000),
# generated once under bench-data/ and reused: make bench SCALE=M
bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_BIN)
	@sh tests/bench/run.sh $(BIN) $(BENCH_BIN) $(SCALE)

# N simulated consoles through PgBouncer for DURATION seconds on the SCALE data set:
# make load SCALE=M N=500 DURATION=60
N       ?= 500
DURATION ?= 60
load: deps
	@$(MAKE) --no-print-directory all $(LOAD_BIN)
	@sh tests/bench/load.sh $(BIN) $(LOAD_BIN) $(SCALE) $(N) $(DURATION)

# Every suite again under AddressSanitizer and UBSan: unit, database, and the
# console itself in tmux (leak checks off there: ncurses keeps its memory).
san-test:
	@$(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 unit-test db-test load-test
	@ASAN_OPTIONS=detect_leaks=0 $(MAKE) --no-print-directory BUILD=build/san SANITIZE=1 e2e-test

check: deps
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory unit-test db-test load-test e2e-test
	@$(MAKE) --no-print-directory san-test
	@echo "make check: all test suites passed"

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kontor/sql/migrations \
	    $(DESTDIR)$(PREFIX)/share/kontor/themes $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kontor
	install -m 644 sql/migrations/*.sql $(DESTDIR)$(PREFIX)/share/kontor/sql/migrations/
	-install -m 644 themes/*.ini $(DESTDIR)$(PREFIX)/share/kontor/themes/
	install -m 644 doc/kontor.1 $(DESTDIR)$(PREFIX)/share/man/man1/kontor.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/kontor $(DESTDIR)$(PREFIX)/share/man/man1/kontor.1
	rm -rf $(DESTDIR)$(PREFIX)/share/kontor

clean:
	rm -rf build
