# igmap: build, run the pipeline on a corpus (default goal), test, bench.
#
#   make                      corpora/sample -> out/sample/ (installs Debian
#                             packages first when run as root)
#   make CORPUS=corpora/X     any corpus with a manifest.csv
#   make test                 the whole suite under ASan+UBSan
#   make test-expensive       slow cases (big files, long fuzz runs)
#   make valgrind             the end-to-end job under Valgrind's memcheck
#   make bench                igmap beside its peers on generated corpora
#   make report-check         render out/sample/report.html to build/report.png
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
.PHONY: all deps build test test-expensive bench fuzz clean clean-out report-check valgrind

all: deps build/igmap pipeline

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

build/san/tests/%: tests/unit/%.c tests/unit/harness.h tests/unit/idx_fix.h $(SANLIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Werror -Itests/unit -o $@ $< $(SANLIB) $(LIBS)

# ---- the pipeline -----------------------------------------------------------
CORPUS_FILES := $(shell find $(CORPUS) -type f 2>/dev/null | LC_ALL=C sort)

# ---- the researcher's interface (issue 5; block owned by the report stage) ---
# Every pipeline command runs as $(IGMAP_BIN) (the tests point it at another
# binary).  One lock per output directory (pipeline/lock.h): `make` and
# `make pipeline` run the whole pipeline as `igmap lock $(OUT) -- make
# pipeline IG_INNER=1`, whose igmap commands share that lock (IGMAP_LOCK_FD);
# a second make of the same checkout that finds the lock taken stops at
# once with "out/NAME is locked by pid N (started ...: COMMAND)"
# (LOCK_WAIT=SECONDS waits up to that long instead).  Every igmap command that writes also
# takes the lock itself, so a single target made directly is covered too.
# flock is released when its holder dies, so a killed run never leaves a
# lock behind.
# Option stamps: $(STAMP_DIR)/<stage> holds the options a stage runs with,
# and corpus-files the corpus's file list; a stamp is rewritten (so its time
# changes) only when its content does, so `make MAP_FLAGS=...` reruns map and
# what follows, and adding or removing a document rebuilds the index even
# when the file is older than the index.  Stamps are written while the
# Makefile is read, except when the goals only test, build or clean.
IGMAP_BIN  := build/igmap
LOCK_WAIT  ?= 0
export IGMAP_LOCK_WAIT := $(LOCK_WAIT)
STAMP_DIR  := $(OUT)/.stamp
shq         = '$(subst ','\'',$(1))'
# $(call ig_stamp,NAME,CONTENT): write CONTENT (one line) to $(STAMP_DIR)/NAME
# unless it is already there.
ig_stamp    = $(shell mkdir -p $(STAMP_DIR) && t=$(STAMP_DIR)/$(1).tmp.$$$$ && \
                printf '%s\n' $(call shq,$(2)) >$$t && \
                { cmp -s $$t $(STAMP_DIR)/$(1) && rm -f $$t || mv -f $$t $(STAMP_DIR)/$(1); })
NO_STAMP_GOALS := test test-expensive bench fuzz clean clean-out build deps build/% valgrind
# The outer make of `make` / `make pipeline` only takes the lock and runs
# the inner one, which writes the stamps under the lock.
ifeq ($(IG_INNER),)
NO_STAMP_GOALS += all pipeline
endif
STAMPING := $(filter-out $(NO_STAMP_GOALS),$(if $(MAKECMDGOALS),$(MAKECMDGOALS),all))
ifneq ($(STAMPING),)
_ := $(call ig_stamp,index,$(strip $(IGMAP_FLAGS)))
_ := $(shell mkdir -p $(STAMP_DIR) && t=$(STAMP_DIR)/corpus-files.tmp.$$$$ && \
       { find $(CORPUS) -type f 2>/dev/null | LC_ALL=C sort >$$t; } && \
       { cmp -s $$t $(STAMP_DIR)/corpus-files && rm -f $$t || \
         mv -f $$t $(STAMP_DIR)/corpus-files; })
endif
# A stamp the Makefile did not write (goals above) is made empty; the next
# pipeline run writes its content.
$(STAMP_DIR)/%:
	@mkdir -p $(@D) && touch $@

# One rule writes both files (grouped target), so make -j never runs it twice.
$(OUT)/index.igx $(OUT)/documents.csv &: $(IGMAP_BIN) $(CORPUS_FILES) $(STAMP_DIR)/index \
                                         $(STAMP_DIR)/corpus-files
	@mkdir -p $(OUT)
	$(IGMAP_BIN) index $(IGMAP_FLAGS) $(CORPUS) -o $(OUT)/index.igx --documents $(OUT)/documents.csv

# ---- classify (issue 4: igmap classify; block owned by the classify stage) ----
# One grouped rule writes the six files of igmap classify (stages/classify.h
# documents every column; make -j never runs it twice).  Prerequisites: the
# binary, the index and the two lexicons, so editing a lexicon reruns only
# the tables.  CLASSIFY_FLAGS passes options (--threads 2, --bootstrap 200,
# --smoothing 1, ...).
CLASSIFY_LEXICONS := lexicons/positions.tsv lexicons/negators.tsv
CLASSIFY_TABLES   := $(addprefix $(OUT)/,positions.csv evidence.csv position_groups.csv \
                       lexicon_coverage.csv positions_summary.txt positions_provenance.json)
CLASSIFY_FLAGS    ?=

$(CLASSIFY_TABLES) &: $(IGMAP_BIN) $(OUT)/index.igx $(CLASSIFY_LEXICONS) $(STAMP_DIR)/classify
	$(IGMAP_BIN) classify $(OUT)/index.igx --lexicon lexicons/positions.tsv \
	    --negators lexicons/negators.tsv $(CLASSIFY_FLAGS) -o $(OUT) --quiet


# ---- map (issue 5: igmap map; block owned by the map stage) ------------------
# One grouped rule writes the six tables of the issue map (make -j never runs
# it twice).  Prerequisites: the binary, the index and the three map lexicons,
# so editing a lexicon reruns only this, and classify's positions.csv (for
# the positions of those who raise each issue), so editing the positions
# lexicon reruns it too.  MAP_FLAGS passes options (--unit paragraph,
# --min-mentions 2, ...); MAP_ARGS is the whole option list, also recorded
# in provenance.json.
MAP_LEXICONS := lexicons/issues.tsv lexicons/mechanisms.tsv lexicons/gaps.tsv
MAP_TABLES   := $(addprefix $(OUT)/,issues.csv issues_by_process.csv issues_by_group.csv \
                  issue_mechanisms.csv gaps.csv map_evidence.csv)
MAP_FLAGS    ?=
MAP_ARGS      = --issues lexicons/issues.tsv --mechanisms lexicons/mechanisms.tsv \
                --gaps lexicons/gaps.tsv --positions $(OUT)/positions.csv $(MAP_FLAGS)

$(MAP_TABLES) &: $(IGMAP_BIN) $(OUT)/index.igx $(MAP_LEXICONS) $(OUT)/positions.csv \
                 $(STAMP_DIR)/map
	$(IGMAP_BIN) map $(OUT)/index.igx $(MAP_ARGS) -o $(OUT)


# ---- provenance and report (issue 5; block owned by the report stage) -------
# provenance.json records what produced the tables (hashes of the corpus,
# documents.csv, lexicons and tables; index fingerprint; library versions;
# each stage's options as run, from the variables the rules above use), so
# it reruns whenever any of them changes; report.html is drawn from the
# tables, provenance.json and the index (for quoted sentences).
# `make pipeline` makes only these outputs (not the binary: the Makefile
# scenario runs it with IGMAP_BIN pointing at the test binary).
CLASSIFY_ARGS = --lexicon lexicons/positions.tsv --negators lexicons/negators.tsv $(CLASSIFY_FLAGS)
PROV_LEXICONS := $(CLASSIFY_LEXICONS) $(MAP_LEXICONS)
ifneq ($(STAMPING),)
_ := $(call ig_stamp,classify,$(strip $(CLASSIFY_ARGS)))
_ := $(call ig_stamp,map,$(strip $(MAP_ARGS)))
endif

$(OUT)/provenance.json: $(IGMAP_BIN) $(OUT)/index.igx $(OUT)/documents.csv $(CLASSIFY_TABLES) \
                        $(MAP_TABLES) $(PROV_LEXICONS) $(CORPUS_FILES) \
                        $(addprefix $(STAMP_DIR)/,index corpus-files classify map)
	$(IGMAP_BIN) provenance $(OUT) --corpus $(CORPUS) \
	    $(addprefix --lexicon ,$(PROV_LEXICONS)) --index-args=$(call shq,$(strip $(IGMAP_FLAGS))) \
	    --classify-args=$(call shq,$(strip $(CLASSIFY_ARGS))) --map-args=$(call shq,$(strip $(MAP_ARGS))) -o $@

$(OUT)/report.html: $(IGMAP_BIN) $(OUT)/provenance.json $(OUT)/index.igx $(OUT)/documents.csv \
                    $(CLASSIFY_TABLES) $(MAP_TABLES)
	$(IGMAP_BIN) report $(OUT) -o $@

PIPELINE_OUT := $(OUT)/index.igx $(OUT)/documents.csv $(CLASSIFY_TABLES) $(MAP_TABLES) \
                $(OUT)/provenance.json $(OUT)/report.html
.PHONY: pipeline
# The outer make takes the lock for the whole run and runs the pipeline in
# an inner one (IG_INNER=1); a dry run (make -n) writes nothing and needs
# no lock (nor a built binary to take it with).
DRY_RUN = $(findstring n,$(firstword -$(MAKEFLAGS)))
ifeq ($(IG_INNER),)
pipeline: $(IGMAP_BIN)
	@mkdir -p $(OUT)
	@$(if $(DRY_RUN),,$(IGMAP_BIN) lock $(OUT) -- )$(MAKE) -f $(firstword $(MAKEFILE_LIST)) \
	    --no-print-directory pipeline IG_INNER=1
else
pipeline: $(PIPELINE_OUT)
endif
# igmap writes every output atomically (temporary file, then rename; a
# failed or interrupted run leaves the old file), so make must not delete
# them on error: GNU make 4.3 would delete the other files of a grouped
# target under .DELETE_ON_ERROR even when the failed command left them
# untouched (a map run refused for a bad lexicon cost five of its six
# tables).  Precious outputs stay; being older than what changed, they are
# remade by the next make.
.PRECIOUS: $(PIPELINE_OUT)

# Render the report in headless Chromium to build/report.png, to look at it
# (not part of make test: it needs a browser).
report-check: $(OUT)/report.html
	@sh tests/report-check.sh $(OUT)/report.html build/report.png

# ---- tests ------------------------------------------------------------------
# build/igmap too: the scenarios that cap memory with ulimit -v run the
# unsanitised binary (ASan reserves terabytes of address space).
test: build/san/igmap $(UNIT_BIN) build/igmap
	@IGMAP=build/san/igmap IGMAP_PLAIN=build/igmap sh tests/run.sh

test-expensive: build/san/igmap $(UNIT_BIN) build/igmap
	@IGMAP=build/san/igmap IGMAP_PLAIN=build/igmap IG_EXPENSIVE=1 sh tests/run.sh

# The end-to-end job on the sample corpus under Valgrind's memcheck
# (tests/valgrind.sh; Debian's valgrind, a test-only tool).  Not part of
# make test (about 80 s); .ci/run runs it.
valgrind: build/igmap
	@sh tests/valgrind.sh

# ---- fuzzing (issue 6; block owned by hardening) ----------------------------
# make fuzz: each libFuzzer target tests/fuzz/fuzz_<t>.c, built by clang
# (Debian: clang, libclang-rt-14-dev) with -fsanitize=fuzzer,address,undefined
# against the library sources (objects in build/fuzz/obj/), runs FUZZ_SECONDS
# from its seeds and kept regressions; the corpus grows in
# build/fuzz/corpus/<t>/, crashes and hangs are written to build/fuzz/<t>/.
# make test replays every seed and regression through build/san/fuzz/replay_<t>
# (the same target with the plain main() of tests/fuzz/replay.c, built by
# $(CC) with the sanitizer flags), so CI needs no clang
# (tests/scenarios/t0900-fuzz-replay.sh).
FUZZ_TARGETS := tokenise manifest lexicon index_read
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := $(CSTD) -O1 -g -fno-omit-frame-pointer $(PKG_CFLAGS) -Ipipeline -Istages
FUZZOBJ      := $(LIBSRC:%.c=build/fuzz/obj/%.o)
FUZZ_BIN     := $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
REPLAY_BIN   := $(FUZZ_TARGETS:%=build/san/fuzz/replay_%)
# Kept between runs (make would delete them as intermediate files).
.SECONDARY: $(FUZZOBJ)

build/fuzz/obj/%.o: %.c $(HDR) | build/.deps-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h tests/unit/idx_fix.h $(FUZZOBJ)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -Itests/fuzz -o $@ $< \
	    $(FUZZOBJ) $(LIBS)

fuzz: $(FUZZ_BIN)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/corpus/$$t build/fuzz/$$t && \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
	    build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -max_len=65536 -print_final_stats=1 -artifact_prefix=build/fuzz/$$t/ \
	        build/fuzz/corpus/$$t tests/fuzz/seeds/$$t \
	        $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) \
	        2>build/fuzz/$$t.log || { tail -40 build/fuzz/$$t.log; exit 1; }; \
	    grep '^stat::number_of_executed_units' build/fuzz/$$t.log; \
	done

build/san/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz_common.h tests/unit/idx_fix.h $(SANLIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -Werror -Itests/fuzz -o $@ $< tests/fuzz/replay.c \
	    $(SANLIB) $(LIBS)

test test-expensive: $(REPLAY_BIN)
# ---- end of fuzzing block ----------------------------------------------------

bench: build/igmap build/bench/gen build/bench/genlex
	@sh tests/bench/run.sh

build/bench/gen: tests/bench/gen.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -o $@ $< -lz -lm

build/bench/genlex: tests/bench/genlex.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Wshadow -Wconversion -Wno-sign-conversion -o $@ $< -lstemmer -lm

clean:
	rm -rf build

clean-out:
	rm -rf out
