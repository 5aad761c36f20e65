# igmap: build, run the pipeline on a corpus (default goal), test, bench.
#
#   make                      corpora/sample -> out/sample/ (installs Debian
#                             packages first when run as root)
#   make CORPUS=corpora/X     any corpus with a manifest.csv
#   make test                 the whole suite under ASan+UBSan
#   make test-expensive       slow cases (big files, long fuzz runs)
#   make bench                igmap beside its peers on generated corpora
#
# One non-recursive Makefile (STYLE.md rule 12).  Build outputs live in build/,
# pipeline outputs in out/; both are git-ignored.

CORPUS  ?= corpora/sample
NAME    := $(notdir $(patsubst %/,%,$(CORPUS)))
OUT     := out/$(NAME)
IGMAP_FLAGS ?=

CC      ?= cc
WARN    := -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
           -Wmissing-prototypes -Wwrite-strings -Wno-sign-conversion
CSTD    := -std=c11 -D_GNU_SOURCE
DEPS_PC := libpcre2-8 libutf8proc zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(DEPS_PC) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(DEPS_PC) 2>/dev/null)
# libstemmer ships no .pc file: found by header and library check in deps.
LIBS    := $(PKG_LIBS) -lstemmer -lpthread -lm
CFLAGS  ?= -O2 -g
ALL_CFLAGS := $(CSTD) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Ipipeline -Istages

SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined

SRC     := $(sort $(wildcard pipeline/*.c stages/*.c))
LIBSRC  := $(filter-out pipeline/main.c,$(SRC))
HDR     := $(wildcard pipeline/*.h stages/*.h)
OBJ     := $(SRC:%.c=build/obj/%.o)
SANOBJ  := $(SRC:%.c=build/san/%.o)
SANLIB  := $(LIBSRC:%.c=build/san/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=build/san/tests/%)

.DELETE_ON_ERROR:
.PHONY: all deps build test test-expensive bench fuzz clean clean-out report-check

all: deps build/igmap $(OUT)/index.igx $(OUT)/documents.csv

# ---- dependencies -----------------------------------------------------------
APT_PKGS := build-essential pkg-config libpcre2-dev libutf8proc-dev libstemmer-dev zlib1g-dev
deps: build/.deps-ok
build/.deps-ok:
	@sh tests/deps.sh "$(APT_PKGS)"
	@mkdir -p build && touch $@

# ---- build ------------------------------------------------------------------
build: build/igmap
build/igmap: $(OBJ) | build/.deps-ok
	$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS)

build/obj/%.o: %.c $(HDR) | build/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HDR) | build/.deps-ok
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Werror -c -o $@ $<

build/san/igmap: $(SANOBJ)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $(SANOBJ) $(LIBS)

build/san/tests/%: tests/unit/%.c tests/unit/harness.h $(SANLIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Werror -Itests/unit -o $@ $< $(SANLIB) $(LIBS)

# ---- the pipeline -----------------------------------------------------------
CORPUS_FILES := $(shell find $(CORPUS) -type f 2>/dev/null | LC_ALL=C sort)

# One rule writes both files (grouped target), so make -j never runs it twice.
$(OUT)/index.igx $(OUT)/documents.csv &: build/igmap $(CORPUS_FILES)
	@mkdir -p $(OUT)
	build/igmap index $(IGMAP_FLAGS) $(CORPUS) -o $(OUT)/index.igx --documents $(OUT)/documents.csv

# ---- map (issue 5: igmap map; block owned by the map stage) ------------------
# One grouped rule writes the six tables of the issue map (make -j never runs
# it twice).  Prerequisites: the binary, the index and the three map lexicons,
# so editing a lexicon reruns only this.  No positions.csv yet: classify had
# no rule when this block was written; when it has, add $(OUT)/positions.csv
# to the prerequisites and --positions $(OUT)/positions.csv to the command.
# MAP_FLAGS passes options (--unit paragraph, --min-mentions 2, ...).
MAP_LEXICONS := lexicons/issues.tsv lexicons/mechanisms.tsv lexicons/gaps.tsv
MAP_TABLES   := $(addprefix $(OUT)/,issues.csv issues_by_process.csv issues_by_group.csv \
                  issue_mechanisms.csv gaps.csv map_evidence.csv)
MAP_FLAGS    ?=

$(MAP_TABLES) &: build/igmap $(OUT)/index.igx $(MAP_LEXICONS)
	build/igmap map $(OUT)/index.igx --issues lexicons/issues.tsv \
	    --mechanisms lexicons/mechanisms.tsv --gaps lexicons/gaps.tsv $(MAP_FLAGS) -o $(OUT)

all: $(MAP_TABLES)

# ---- tests ------------------------------------------------------------------
test: build/san/igmap $(UNIT_BIN)
	@IGMAP=build/san/igmap sh tests/run.sh

test-expensive: build/san/igmap $(UNIT_BIN)
	@IGMAP=build/san/igmap IG_EXPENSIVE=1 sh tests/run.sh

bench: build/igmap build/bench/gen
	@sh tests/bench/run.sh

build/bench/gen: tests/bench/gen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -o $@ $< -lz -lm

clean:
	rm -rf build

clean-out:
	rm -rf out
