# vaelab — the one build.  `make help` lists what you can type.
#
# Layout of what it builds (out of tree, under build/):
#   build/lib/libvaelab.a                     lib/*.c, shared by everything
#   build/tools/{runner,make_exercises}       the test runner and the exercise generator
#   build/tests/<folder>/*.o                  test objects (the same for both IMPLs)
#   build/<impl>/<chapter>/libchapter.a       solutions/<chapter>/*.c or exercises/<chapter>/*.c
#   build/<impl>/tests/<chapter>/test_*       chapter suites, linked with that IMPL
#   build/<impl>/bin/<program>                chapter programs (chapters/NN-topic/*.c)
#   build/tests/{lib,data,harness}/test_*     suites of lib/, data/ and the harness
#   build/submission{-src,}/                  make grade: the graded files, staged; their build
#   <object or suite>.log                     what the compiler said, kept only when it failed
# A chapter's suites link only lib/ and that chapter (and the chapters its builds-on
# file names); its programs may also link the chapters before it, with the same IMPL.

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
# Keep every intermediate file (test objects linked into a suite, say): make would
# otherwise delete them after each build, and rebuild them the next time.
.SECONDARY:

# ---- what you may set -----------------------------------------------------------------
CC ?= cc
# -O3 vectorises loops that -O2 leaves scalar; no flag here may change a result (see REQUIRED).
CFLAGS ?= -O3 -g -gdwarf-4
LDFLAGS ?=
BUILD ?= build
ifeq ($(wildcard solutions/.),)
IMPL ?= exercises
else
IMPL ?= solutions
endif
CH ?=
RESULTS ?=
V ?=
# SANITIZE=1: everything built with AddressSanitizer and UBSan, into its own BUILD
# (build/sanitize): any memory error or undefined behaviour is a report and a failure.
SANITIZE ?=
ifneq ($(SANITIZE),)
BUILD := $(BUILD)/sanitize
override CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
export VAELAB_TIME_LIMIT ?= 30
endif
# make grade / next / hint (their section is near the end): SUBMISSION, VALGRIND, EX, ...

# ---- what every compile gets --------------------------------------------------------
CHAPTERS := $(sort $(notdir $(wildcard chapters/[0-9][0-9]-*)))
IMPLS := $(if $(wildcard solutions/.),solutions) exercises
# A chapter that extends an earlier chapter's model (chapter 7's conditional VAE is
# chapter 6's VAE with a label) names it in chapters/NN-x/builds-on, one chapter a line:
# its code and tests then use that chapter's code instead of a copy of it, and its tests
# say which of that chapter's exercises they need ("7.3 needs 6.3"; docs/design.md).
$(foreach c,$(CHAPTERS),$(eval $(c)_BUILDS_ON := $(if $(wildcard chapters/$(c)/builds-on),$(shell cat chapters/$(c)/builds-on))))
$(foreach c,$(CHAPTERS),$(foreach b,$($(c)_BUILDS_ON),$(if $(filter $(b),$(CHAPTERS)),,$(error chapters/$(c)/builds-on names $(b), which is not a chapter))))
# The chapters that build on chapter $(1).
built_on_by = $(foreach c,$(CHAPTERS),$(if $(filter $(1),$($(c)_BUILDS_ON)),$(c)))
# Where each IMPL's chapter code is. `submission` is what make grade compiles: the graded
# files, copied there by build/tools/stage_submission (never part of `make all`).
SOURCES_solutions := solutions
SOURCES_exercises := exercises
SOURCES_submission := $(BUILD)/submission-src/exercises
# snprintf truncating into a fixed buffer is how vaelab bounds messages on purpose, so
# gcc's -Wformat-truncation (which flags exactly that) is off.
IS_CLANG := $(findstring clang,$(shell $(CC) --version 2>/dev/null))
WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	$(if $(IS_CLANG),,-Wno-format-truncation) -Werror
# A student's files (exercises/, a graded submission) get the same warnings without
# -Werror: a warning is shown, with its line, and never costs a chapter. STRICT=1 (make
# check) makes them errors there too, for the generated stubs.
STRICT ?=
STUDENT_WARNINGS := $(if $(STRICT),$(WARNINGS),$(filter-out -Werror,$(WARNINGS)))
# Results must not depend on the machine or the optimiser: -ffp-contract=off forbids fused
# multiply-adds (one rounding instead of two), and there is never -ffast-math. -fno-math-errno
# only stops sqrt and friends from setting errno (vaelab never reads it), so sqrt becomes
# one instruction; it changes no value. Every program's figures and logs were compared
# byte for byte at -O2, and at -O3 with -fno-math-errno: identical (docs/design.md).
REQUIRED := -std=c11 -D_XOPEN_SOURCE=700 -ffp-contract=off -fno-math-errno
DEFINES := -DVAELAB_DATA_DIR='"$(CURDIR)/data"'
COMPILE_FLAGS = $(REQUIRED) $(WARNINGS) $(CFLAGS) $(DEFINES)
ALL_CFLAGS = $(COMPILE_FLAGS) $(call includes_for,$<) -MMD -MP
STUDENT_CFLAGS = $(REQUIRED) $(STUDENT_WARNINGS) $(CFLAGS) $(DEFINES) $(call includes_for,$<) -MMD -MP
# Who may include what: the layering, enforced by the include paths each file gets.
#   lib/*.c                          lib/
#   solutions/NN-x, exercises/NN-x   lib/ and chapters/NN-x (its own header only)
#   tests/NN-x                       that, and the test framework tests/harness/
#   (a chapter that builds on another, listed in its chapters/NN-x/builds-on, also sees
#    that chapter's header in its code and tests, and its suites link that chapter too)
#   chapters/NN-x/*.c (programs)     lib/, chapters/NN-x and the chapters before it
#   tests/harness, tests/lib, ...    lib/ and tests/harness/
#   tests/tools                      lib/ and tests/tools/ (its suite also tests/harness/)
# So a chapter's code cannot include another chapter's header or anything of tests/.
chapter_of = $(firstword $(filter $(CHAPTERS),$(subst /, ,$(1))))
includes_for = -Ilib $(strip \
	$(if $(filter tests/tools/%,$(1)),-Itests/tools $(if $(filter tests/tools/test_%,$(1)),-Itests/harness),\
	$(if $(filter chapters/%,$(1)),$(addprefix -Ichapters/,$(call chapter_of,$(1)) $(call chapters_before,$(call chapter_of,$(1)))),\
	$(addprefix -Ichapters/,$(call chapter_of,$(1)) $($(call chapter_of,$(1))_BUILDS_ON)) $(if $(filter tests/%,$(1)),-Itests/harness))))
LDLIBS := -lm

# CH=1, CH=01 or CH=01-autoencoder selects one chapter.
ch_number = $(if $(filter 1 2 3 4 5 6 7 8 9,$(1)),0$(1),$(1))
SELECTED := $(if $(CH),$(filter $(call ch_number,$(CH))-% $(CH),$(CHAPTERS)),$(CHAPTERS))
ifneq ($(CH),)
ifeq ($(SELECTED),)
$(error CH=$(CH) matches no chapter; the chapters are: $(CHAPTERS))
endif
endif
ifeq ($(filter $(IMPL),$(IMPLS) submission),)
$(error IMPL must be one of: $(strip $(IMPLS)); not '$(IMPL)'$(if $(filter solutions,$(IMPL)), (this copy has no solutions/: a student release)))
endif

# ---- lib and tools ------------------------------------------------------------------
LIB_OBJECTS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard lib/*.c))
LIBVAELAB := $(BUILD)/lib/libvaelab.a
HARNESS := $(BUILD)/tests/harness/harness.o
RUNNER := $(BUILD)/tools/runner
MAKE_EXERCISES := $(BUILD)/tools/make_exercises
HINT := $(BUILD)/tools/hint
STAGE_SUBMISSION := $(BUILD)/tools/stage_submission
# The tools' shared modules (manifest, locate, gradebook, report, ...): every .c of
# tests/tools/ that is not a tool's main or a suite.
TOOL_NAMES := runner make_exercises hint stage_submission
TOOL_MODULES := $(filter-out $(patsubst %,tests/tools/%.c,$(TOOL_NAMES)) tests/tools/test_%,$(wildcard tests/tools/*.c))
TOOL_LIBRARY := $(BUILD)/tests/tools/libtools.a

# Quiet by default (one line per file); V=1 shows the full commands.
Q := $(if $(V),,@)
quiet = $(if $(V),,@printf '  %-5s %s\n' $(1) $(2);)

# Run command $(2), which makes $(1), keeping its output in $(1).log: on success the log
# is shown and removed, or kept as $(1).warnings if the compiler said anything; on failure
# it is shown and kept, and $(1) removed. The runner reads the logs left beside a
# chapter's objects and suites to report a chapter that does not compile or link, with
# the compiler's first errors, and not run an old binary of it; and it shows the warnings.
logged = rm -f $(1).warnings; if $(2) > $(1).log 2>&1; then cat $(1).log; \
	if [ -s $(1).log ]; then mv $(1).log $(1).warnings; else rm -f $(1).log; fi; \
	else cat $(1).log; rm -f $(1); exit 1; fi

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBVAELAB): $(LIB_OBJECTS)
	@rm -f $@
	$(call quiet,AR,$@)$(AR) rcs $@ $^

$(TOOL_LIBRARY): $(patsubst %.c,$(BUILD)/%.o,$(TOOL_MODULES))
	@rm -f $@
	$(call quiet,AR,$@)$(AR) rcs $@ $^

$(BUILD)/tools/%: $(BUILD)/tests/tools/%.o $(TOOL_LIBRARY) $(LIBVAELAB)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Suites of lib/, data/: each tests/<dir>/test_*.c is a suite; the other .c files of the
# folder are helpers linked into each of its suites.
INFRA_DIRS := lib data
define infra_suites
$(1)_SUITES := $$(patsubst tests/$(1)/%.c,$(BUILD)/tests/$(1)/%,$$(wildcard tests/$(1)/test_*.c))
$(1)_HELPERS := $$(patsubst %.c,$(BUILD)/%.o,$$(filter-out tests/$(1)/test_%,$$(wildcard tests/$(1)/*.c)))
$(BUILD)/tests/$(1)/test_%: $(BUILD)/tests/$(1)/test_%.o $$($(1)_HELPERS) $(HARNESS) $(LIBVAELAB)
	$$(call quiet,LINK,$$@)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach dir,$(INFRA_DIRS),$(eval $(call infra_suites,$(dir))))

# The harness's own suite runs a fixture suite whose tests misbehave on purpose.
HARNESS_SUITE := $(BUILD)/tests/harness/test_harness
HARNESS_FIXTURES := $(BUILD)/tests/harness/fixture_suite
$(HARNESS_FIXTURES): $(BUILD)/tests/harness/fixture_suite.o $(HARNESS) $(LIBVAELAB)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/tests/harness/test_harness.o: DEFINES += -DFIXTURE_SUITE='"$(CURDIR)/$(HARNESS_FIXTURES)"' \
	-DRUNNER='"$(CURDIR)/$(RUNNER)"'
$(HARNESS_SUITE): $(BUILD)/tests/harness/test_harness.o $(HARNESS) $(LIBVAELAB) | $(HARNESS_FIXTURES) $(RUNNER)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LDLIBS)

INFRA_SUITES := $(foreach dir,$(INFRA_DIRS),$($(dir)_SUITES)) $(HARNESS_SUITE)

# make bench: training steps timed on each kernel path (tests/bench/bench.c, lib only).
BENCH := $(BUILD)/tools/bench
$(BENCH): $(BUILD)/tests/bench/bench.o $(LIBVAELAB)
	@mkdir -p $(@D)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- chapters, per IMPL -------------------------------------------------------------
reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))
# The chapters before chapter $(1), newest first: the archives its programs link after its own.
chapters_before = $(call reverse,$(foreach x,$(CHAPTERS),$(if $(filter $(x),$(1)),,$(if $(filter $(x),$(firstword $(sort $(x) $(1)))),$(x)))))

define chapter_rules
# $(1) = impl, $(2) = chapter
$(1)_$(2)_OBJECTS := $$(patsubst $(SOURCES_$(1))/%.c,$(BUILD)/$(1)/%.o,$$(wildcard $(SOURCES_$(1))/$(2)/*.c))
$(BUILD)/$(1)/$(2)/%.o: $(SOURCES_$(1))/$(2)/%.c
	@mkdir -p $$(@D)
	$$(call quiet,CC,$$<)$$(call logged,$$@,$$(CC) $$($(if $(filter solutions,$(1)),ALL_CFLAGS,STUDENT_CFLAGS)) -c $$< -o $$@)
$(1)_$(2)_ARCHIVE := $(BUILD)/$(1)/$(2)/libchapter.a
$$($(1)_$(2)_ARCHIVE): $$($(1)_$(2)_OBJECTS)
	@rm -f $$@
	$$(call quiet,AR,$$@)$$(AR) rcs $$@ $$^
$(1)_$(2)_SUITES := $$(patsubst tests/$(2)/%.c,$(BUILD)/$(1)/tests/$(2)/%,$$(wildcard tests/$(2)/test_*.c))
$$($(1)_$(2)_SUITES): $(BUILD)/$(1)/tests/$(2)/%: $(BUILD)/tests/$(2)/%.o $$($(2)_TEST_HELPERS) $$($(1)_$(2)_ARCHIVE) $(foreach c,$($(2)_BUILDS_ON),$(BUILD)/$(1)/$(c)/libchapter.a) $(HARNESS) $(LIBVAELAB)
	@mkdir -p $$(@D)
	$$(call quiet,LINK,$$@)$$(call logged,$$@,$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS))
$(1)_$(2)_PROGRAMS := $$(patsubst chapters/$(2)/%.c,$(BUILD)/$(1)/bin/%,$$(wildcard chapters/$(2)/*.c))
$$($(1)_$(2)_PROGRAMS): $(BUILD)/$(1)/bin/%: $(BUILD)/chapters/$(2)/%.o $$($(1)_$(2)_ARCHIVE) $(foreach c,$(call chapters_before,$(2)),$(BUILD)/$(1)/$(c)/libchapter.a) $(LIBVAELAB)
	@mkdir -p $$(@D)
	$$(call quiet,LINK,$$@)$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach c,$(CHAPTERS),$(eval $(c)_TEST_HELPERS := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tests/$(c)/test_%,$(wildcard tests/$(c)/*.c)))))
$(foreach i,$(IMPLS) submission,$(foreach c,$(CHAPTERS),$(eval $(call chapter_rules,$(i),$(c)))))

# build/bin: the programs of the default IMPL (solutions/ here; your exercises/ in a
# student release), so that READMEs can say build/bin/ae_mnist and be right in both.
PROGRAM_LINK := $(BUILD)/bin
$(PROGRAM_LINK):
	@mkdir -p $(BUILD)
	@ln -sfn $(firstword $(IMPLS))/bin $@

suites_of = $(foreach c,$(2),$($(1)_$(c)_SUITES))
programs_of = $(foreach c,$(2),$($(1)_$(c)_PROGRAMS))
TOOLS := $(RUNNER) $(MAKE_EXERCISES) $(HINT) $(STAGE_SUBMISSION)

# ---- what people type ---------------------------------------------------------------
.PHONY: all help test suites demo bench check check-exercises exercises check-stubs check-other-compiler memcheck clean

all: $(PROGRAM_LINK) $(TOOLS) $(BENCH) $(INFRA_SUITES) $(foreach i,$(IMPLS),$(call suites_of,$(i),$(CHAPTERS)) $(call programs_of,$(i),$(CHAPTERS)))

# In a student release (no solutions/), help leaves out what only maintainers can run:
# those lines start with $(MAINTAINERS_ECHO), which is echo here and a no-op there.
MAINTAINERS_ECHO := $(if $(wildcard solutions/.),@echo,@:)
comma := ,
help:
	@echo 'vaelab — auto-encoders and VAEs from first principles, in C'
	@echo ''
	@echo '  make                   build lib, every chapter ($(if $(wildcard solutions/.),solutions and exercises,your exercises)), tests, programs'
	@echo '  make demo              the main demo: ae_mnist on the shipped MNIST; prints the figures it wrote'
	@echo '  make test              the test suite (TAP, then "N passed, N failed"); non-zero on any failure'
	$(MAINTAINERS_ECHO) '      IMPL=exercises     ... against your exercises/ instead of solutions/ (default: $(IMPL))'
	@echo '      CH=01              ... one chapter only (CH=1 and CH=01-autoencoder work too)'
	@echo '      RESULTS=file.json  ... also write a Gradescope results.json'
	@echo '  make next              students: run your exercises, name the next one to do and the line to edit'
	@echo '  make hint EX=1.3       students: the hint of exercise 1.3'
	@echo '  make grade             instructors: grade exercises/ (or SUBMISSION=folder) from scratch; score table'
	@echo '      RESULTS=file.json  ... and a Gradescope results.json;  VALGRIND=1 ... under Valgrind'
	@echo '  make grade-all SUBMISSIONS=folder   grade each subfolder; reports and grades.csv in $(GRADES)'
	$(MAINTAINERS_ECHO) '  make student-release   the folder and .tar.gz students get: no solutions/, no hidden tests'
	@echo '  make bench             time a training step on the textbook and the fast kernels (about 15 s)'
	@echo '  make memcheck          the test suite under Valgrind; fails on any memory error or leak'
	$(MAINTAINERS_ECHO) '  make check             maintainers: test, check-exercises, check-stubs, check-grader, the other compiler,'
	$(MAINTAINERS_ECHO) '                         and make test SANITIZE=1 (AddressSanitizer and UBSan, into build/sanitize)'
	$(MAINTAINERS_ECHO) '  make check-exercises   is exercises/ what solutions/ generates?'
	$(MAINTAINERS_ECHO) '  make fuzz              the IDX reader under libFuzzer for FUZZ_SECONDS (default 60); needs clang'
	$(MAINTAINERS_ECHO) '  make exercises         regenerate exercises/ (and the README exercise tables) from solutions/'
	@echo '  make clean             remove build/'
	@echo ''
	@echo 'Variables: CC, CFLAGS, LDFLAGS, $(if $(wildcard solutions/.),IMPL$(comma) )CH, RESULTS, EX, SUBMISSION, VALGRIND.  Chapters: $(CHAPTERS)'

# The suites of this run: lib/data/harness suites unless one chapter was asked for.
RUN_SUITES := $(if $(CH),,$(INFRA_SUITES)) $(call suites_of,$(IMPL),$(SELECTED))

# Programs are built too: some suites run them (bad flags, bad data files).
suites: $(PROGRAM_LINK) $(RUNNER) $(RUN_SUITES) $(call programs_of,$(IMPL),$(SELECTED))

# Build what can be built (-k): a chapter that does not compile is reported by the runner
# as failed tests, and every other chapter is still tested.
test:
	@$(MAKE) --no-print-directory -k suites || echo '# some suites did not build; see the errors above'
	@$(RUNNER) --root . --sources $(SOURCES_$(IMPL)) $(if $(filter exercises,$(IMPL)),--student) \
	  $(if $(RESULTS),--results '$(RESULTS)') $(RUN_SUITES)

memcheck:
	@$(MAKE) --no-print-directory suites
	@$(RUNNER) --root . --valgrind $(RUN_SUITES)
	@echo 'memcheck: Valgrind ran every test above and found no memory error and no leak'


# On exercises/ (a student release), the demo first checks that chapter 1 is done: on
# stubs it names the exercises it needs and stops, instead of training on NaN.
DEMO_PROGRAM := $(BUILD)/$(IMPL)/bin/ae_mnist
DEMO_CHAPTER := 01-autoencoder
demo: $(RUNNER)
	@mkdir -p $(BUILD)/$(IMPL)
	@$(MAKE) --no-print-directory -k CH=$(DEMO_CHAPTER) chapter-suites > $(BUILD)/$(IMPL)/demo-build.log 2>&1 || true
	@$(if $(filter exercises,$(IMPL)),$(RUNNER) --prerequisite-of 'make demo' --root . --sources exercises \
	  $(call suites_of,exercises,$(DEMO_CHAPTER)) || exit 2)
	$(DEMO_PROGRAM) --out $(BUILD)/demo/$(DEMO_CHAPTER)

bench: $(BENCH)
	$(BENCH)

# ---- exercises: generate, check, prove ------------------------------------------------
generate = $(MAKE_EXERCISES) $(1) --manifest chapters/$(2)/exercises.def --out-dir exercises/$(2) \
	--readme chapters/$(2)/README.md $(wildcard solutions/$(2)/*.c)

exercises: $(MAKE_EXERCISES)
	@$(require_solutions)
	@$(foreach c,$(CHAPTERS),mkdir -p exercises/$(c) && $(call generate,,$(c)) &&) echo 'exercises/ regenerated from solutions/'

check-exercises: $(MAKE_EXERCISES)
	@$(require_solutions)
	@$(foreach c,$(CHAPTERS),$(call generate,--check,$(c)) &&) echo 'exercises/ is in sync with solutions/'

# The proof that every exercise's tests can fail: for each exercise, stub that exercise
# alone, keep every other solution, and require that each of its tests fails. The stubs
# are silent (no "not implemented" report), so a test fails only if its checks catch
# the stub's wrong value. And the proof that a stub charges only its own exercise: every
# other test that fails then must say it needs that exercise ("1.4 needs 1.2 1.3"), so
# that the grader puts its failure down to the exercise it needs.
# A chapter that others build on (builds-on) is proven against their suites as well: a
# stub of chapter 6 may fail a test of chapter 7 only if that test says it needs it.
check-stubs: $(MAKE_EXERCISES) $(foreach c,$(CHAPTERS),$(patsubst tests/$(c)/%.c,$(BUILD)/tests/$(c)/%.o,$(wildcard tests/$(c)/*.c))) $(HARNESS) $(LIBVAELAB) $(foreach c,$(CHAPTERS),$(solutions_$(c)_ARCHIVE))
	@$(require_solutions)
	@set -e; $(foreach chapter,$(CHAPTERS),$(call prove_stubs,$(chapter),$(call built_on_by,$(chapter)),$($(chapter)_BUILDS_ON)))

# $(1) = the chapter whose exercises are stubbed, $(2) = the chapters built on it,
# $(3) = the chapters it builds on (their solutions are linked as they are).
prove_stubs = \
	for exercise in $$($(MAKE_EXERCISES) --list --manifest chapters/$(1)/exercises.def); do \
	  dir=$(BUILD)/proof/$(1)/$$exercise; rm -rf $$dir; mkdir -p $$dir; \
	  $(MAKE_EXERCISES) --only $$exercise --silent --manifest chapters/$(1)/exercises.def --out-dir $$dir solutions/$(1)/*.c; \
	  for source in $$dir/*.c; do $(CC) $(COMPILE_FLAGS) -Ilib $(addprefix -Ichapters/,$(1) $(3)) -c $$source -o $${source%.c}.o; done; \
	  ran=0; \
	  for chapter in $(1) $(2); do \
	    helpers=$$(ls tests/$$chapter/*.c | grep -v '/test_' | sed 's|^\(.*\)\.c$$|$(BUILD)/\1.o|'); \
	    if [ $$chapter = $(1) ]; then own=; builds_on='$(foreach c,$(3),$(solutions_$(c)_ARCHIVE))'; \
	    else own=$(BUILD)/solutions/$$chapter/libchapter.a; builds_on=; fi; \
	    for suite in tests/$$chapter/test_*.c; do \
	      name=$$(basename $$suite .c); \
	      $(CC) $(CFLAGS) -o $$dir/$$name $(BUILD)/tests/$$chapter/$$name.o $$helpers $$own $$dir/*.o $$builds_on $(HARNESS) $(LIBVAELAB) $(LDLIBS); \
	      if [ $$chapter = $(1) ]; then \
	        $$dir/$$name --exercise $$exercise > $$dir/$$name.tap 2>&1 || true; \
	        if grep -q '^ok ' $$dir/$$name.tap; then \
	          echo "check-stubs: exercise $$exercise: a test passes against its stub (it asserts nothing about the exercise):"; \
	          grep '^ok ' $$dir/$$name.tap; exit 1; fi; \
	        ran=$$((ran + $$(grep -c '^not ok ' $$dir/$$name.tap || true))); \
	      fi; \
	      $$dir/$$name > $$dir/$$name.all.tap 2>&1 || true; \
	      knock_on=$$(grep '^not ok [0-9]* - \[' $$dir/$$name.all.tap | grep -v -E "\[$$exercise[] ]" \
	        | grep -v -E "\[[0-9.]+ needs ([0-9.]+ )*$$exercise[] ]" || true); \
	      if [ -n "$$knock_on" ]; then \
	        echo "check-stubs: stubbing exercise $$exercise fails tests of other exercises that do not say they need it ($$chapter):"; \
	        echo "$$knock_on"; exit 1; fi; \
	    done; \
	  done; \
	  if [ $$ran -eq 0 ]; then echo "check-stubs: exercise $$exercise ($(1)) has no test"; exit 1; fi; \
	  echo "check-stubs: exercise $$exercise: all $$ran of its tests fail against its stub; no other test fails but those that need it"; \
	done;

OTHER_CC := $(if $(IS_CLANG),gcc,clang)
check-other-compiler:
	@$(MAKE) --no-print-directory CC=$(OTHER_CC) BUILD=$(BUILD)/$(OTHER_CC) STRICT=1 all
	@echo 'strict build with $(OTHER_CC): clean'

check: check-exercises
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory check-stubs
	@$(MAKE) --no-print-directory check-grader
	@$(MAKE) --no-print-directory test IMPL=exercises > $(BUILD)/exercises-run.tap 2>&1; \
	  if grep -q '^ok .* - \[' $(BUILD)/exercises-run.tap; then \
	    echo 'check: a graded test passes against the untouched exercises/:'; grep '^ok .* - \[' $(BUILD)/exercises-run.tap; exit 1; fi; \
	  if [ -n "$$(find $(BUILD)/exercises -name '*.warnings')" ]; then \
	    echo 'check: the generated exercises/ compile with warnings:'; find $(BUILD)/exercises -name '*.warnings' -exec cat {} +; exit 1; fi; \
	  echo "check: every graded test fails against exercises/ ($$(grep -c '(not implemented)' $(BUILD)/exercises-run.tap) not implemented), which compile without a warning"
	@# statistical tests are not tuned to one seed: chapter 5's suite under five more
	@sh tests/05-estimators/seeds.sh $(BUILD)/solutions/tests/05-estimators/test_estimators
	@$(MAKE) --no-print-directory check-other-compiler
	@# ASan and UBSan run the code 2 to 3 times slower: the same tests, with three times the time limit
	@VAELAB_TIME_LIMIT=30 $(MAKE) --no-print-directory test SANITIZE=1

# `make fuzz [FUZZ_SECONDS=60]`: the IDX reader under clang's libFuzzer, with ASan and
# UBSan (tests/fuzz/fuzz_idx.c), for FUZZ_SECONDS, from a few valid files as seeds; a
# crash is saved as build/fuzz/crash-* and fails the target. Each input goes through a
# file, in $TMPDIR or else /dev/shm (in memory: some 15,000 inputs a second). Skipped, with a message,
# where clang or its libFuzzer runtime is missing. Not part of make test.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ := $(BUILD)/fuzz
FUZZ_SEEDS := $(FUZZ)/seeds
.PHONY: fuzz
fuzz:
	@mkdir -p $(FUZZ_SEEDS) $(FUZZ)/corpus
	@if ! echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n ? 0 : 0; }' \
	  | $(FUZZ_CC) -fsanitize=fuzzer -x c - -o $(FUZZ)/probe >/dev/null 2>&1; then \
	  echo 'make fuzz: skipped: $(FUZZ_CC) with libFuzzer (clang and its compiler-rt runtime) is not installed'; exit 0; fi; \
	$(FUZZ_CC) $(REQUIRED) -g -O1 -fsanitize=fuzzer,address,undefined -Ilib tests/fuzz/fuzz_idx.c lib/idx.c \
	  lib/error.c lib/outfile.c -o $(FUZZ)/fuzz_idx && \
	printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\002abcdefgh' > $(FUZZ_SEEDS)/images && \
	printf '\000\000\010\001\000\000\000\003\001\002\003' > $(FUZZ_SEEDS)/labels && \
	cd $(FUZZ) && { [ -n "$$TMPDIR" ] || ! [ -w /dev/shm ] || export TMPDIR=/dev/shm; } && \
	./fuzz_idx -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 corpus seeds

# ==== the student's and the instructor's workflow =========================================
# make next, make hint, make grade / grade-all, make student-release, make check-grader.
# How to use them: docs/students.md and docs/instructors.md. The tools are C, in
# tests/tools/ (runner, hint, stage_submission); the recipes only wire them together.
.PHONY: next hint grade grade-all student-release check-grader chapter-suites
SUBMISSION ?= exercises
SUBMISSIONS ?=
GRADES ?= $(BUILD)/grades
VALGRIND ?=
EX ?=

# Targets that need solutions/ say so plainly in a student release, which has none.
require_solutions = test -d solutions || { echo 'make $(or $(MAKECMDGOALS),$@): needs solutions/, which this copy \
	does not have (a student release). Students use make test, make next and make hint.' >&2; exit 2; }

# The chapters' suites and programs of one IMPL, without lib/data/harness: what next and
# grade build (with -k, so one chapter that does not compile leaves the others graded).
chapter-suites: $(PROGRAM_LINK) $(RUNNER) $(call suites_of,$(IMPL),$(SELECTED)) $(call programs_of,$(IMPL),$(SELECTED))

# `make next`: build exercises/ with the output kept in a log (the runner shows a
# chapter's compiler errors itself), run the chapters' suites, print the next step.
next: $(RUNNER)
	@mkdir -p $(BUILD)/exercises
	@$(MAKE) --no-print-directory -k IMPL=exercises chapter-suites > $(BUILD)/exercises/build.log 2>&1 || true
	@$(RUNNER) --next --root . --sources exercises $(call suites_of,exercises,$(SELECTED))

hint: $(HINT)
	@$(HINT) --root . --sources exercises '$(EX)' $(CHAPTERS)

# `make grade [SUBMISSION=folder] [RESULTS=file.json] [VALGRIND=1] [CH=NN]`: copy the
# graded files (the files of exercises/, taken from the submission, the stub where it
# lacks one; every chapter's, since a chapter's programs link the chapters before it)
# into build/submission-src/, build them from scratch into build/submission/
# (so no object of an earlier submission, nor a file's old date, can leak into this
# grade), run the chapters' suites, print the score table. Points always come from this
# repository's manifests and tests. Exit status 0 when the grading itself worked.
GRADE_NOTES := $(BUILD)/submission-src/notes.txt
grade: $(RUNNER) $(STAGE_SUBMISSION)
	@rm -rf $(BUILD)/submission $(BUILD)/submission-src && mkdir -p $(BUILD)/submission-src
	@$(STAGE_SUBMISSION) --submission '$(SUBMISSION)' --stubs exercises --manifests chapters \
	  --out $(SOURCES_submission) --notes $(GRADE_NOTES) $(CHAPTERS)
	@mkdir -p $(BUILD)/submission
	@$(MAKE) --no-print-directory -k IMPL=submission chapter-suites > $(BUILD)/submission/build.log 2>&1 \
	  || echo '# some suites did not build: their errors are below; all of the build is in $(BUILD)/submission/build.log'
	@$(RUNNER) --grade --root . --sources $(SOURCES_submission) --notes $(GRADE_NOTES) \
	  --watch . $(if $(filter-out exercises,$(SUBMISSION)),--watch-submission '$(SUBMISSION)') --ignore $(BUILD) \
	  $(if $(RESULTS),--results '$(RESULTS)') $(if $(VALGRIND),--valgrind) $(call suites_of,submission,$(SELECTED))

# `make grade-all SUBMISSIONS=folder`: grade each subfolder in turn; GRADES (default
# build/grades) gets <name>.txt (the report), <name>.json (Gradescope) and grades.csv.
grade-all:
	@test -d '$(SUBMISSIONS)' || { echo "make grade-all: SUBMISSIONS= must name a folder with one subfolder per \
	submission (got '$(SUBMISSIONS)')" >&2; exit 2; }
	@mkdir -p '$(GRADES)' && echo 'submission,score,max_score' > '$(GRADES)/grades.csv'
	@for folder in '$(SUBMISSIONS)'/*/; do name=$$(basename "$$folder"); \
	  $(MAKE) --no-print-directory grade SUBMISSION="$$folder" RESULTS='$(GRADES)'/"$$name.json" \
	    > '$(GRADES)'/"$$name.txt" 2>&1; \
	  score=$$(sed -n 's|^# total .* \([0-9.]*\) / \([0-9]*\) points$$|\1,\2|p' '$(GRADES)'/"$$name.txt"); \
	  echo "$$name,$${score:-not graded,}" >> '$(GRADES)/grades.csv'; \
	  if [ -n "$$score" ]; then printf '%-32s %s / %s\n' "$$name" "$${score%,*}" "$${score#*,}"; \
	  else printf '%-32s not graded: see %s\n' "$$name" '$(GRADES)'/"$$name.txt"; fi; \
	done
	@echo 'grades: $(GRADES)/grades.csv; per submission: $(GRADES)/<name>.txt and <name>.json'

# `make student-release`: the folder and archive students get. The files git knows of
# (tracked, or new and not ignored; outside a git checkout, the top-level folders), without
# solutions/, .ci/ and hidden tests (tests/*/test_hidden_*.c, tests/*/hidden_*), and with
# docs/release-README.md as its README.md (the maintainers' README is not for students); a
# Markdown link to a file the release does not have is an error: nothing in a release
# may point at a file that is not there.
RELEASE_NAME ?= vaelab-student
RELEASE_ROOT := $(BUILD)/student-release
RELEASE := $(RELEASE_ROOT)/$(RELEASE_NAME)
release_files = if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ]; then git ls-files --cached --others --exclude-standard; \
	else find Makefile README.md LICENSE .gitignore chapters lib exercises tests data docs -type f 2>/dev/null; fi
student-release:
	@rm -rf $(RELEASE_ROOT) && mkdir -p $(RELEASE)
	@$(release_files) | grep -v -e '^solutions/' -e '^\.ci/' -e '^tests/[^/]*/test_hidden_' -e '^tests/[^/]*/hidden_' \
	  -e '^README\.md$$' -e '^docs/release-README\.md$$' \
	  | while read -r file; do [ -f "$$file" ] || continue; \
	    mkdir -p "$(RELEASE)/$$(dirname "$$file")" && cp -p "$$file" "$(RELEASE)/$$file" || exit 1; done
	@cp -p docs/release-README.md $(RELEASE)/README.md
	@cd $(RELEASE) && find . -name '*.md' | while read -r page; do \
	  grep -o '](\([^)#]*\)' "$$page" | sed 's/^](//' | sort -u | while read -r target; do \
	    case "$$target" in *://*|mailto:*|'') continue;; esac; \
	    [ -e "$$(dirname "$$page")/$$target" ] || \
	      echo "student-release: error: $${page#./} links $$target, which the release does not have"; \
	  done; done > $(abspath $(RELEASE_ROOT))/dead-links.txt
	@if [ -s $(RELEASE_ROOT)/dead-links.txt ]; then cat $(RELEASE_ROOT)/dead-links.txt >&2; exit 1; fi
	@tar -czf $(RELEASE).tar.gz -C $(RELEASE_ROOT) $(RELEASE_NAME)
	@echo "student release: $(RELEASE)/ ($$(find $(RELEASE) -type f | wc -l) files, no solutions/) and $(RELEASE).tar.gz"

# The grader's own tests (tests/tools/test_grader.c): make grade against the stubs, the
# solutions, a chapter that does not compile, an exercise that crashes or loops, a messy
# submission; make next, make hint, the student release. `+`: its inner makes share our jobs.
GRADER_SUITE := $(BUILD)/tests/tools/test_grader
$(BUILD)/tests/tools/test_grader.o: DEFINES += -DVAELAB_ROOT='"$(CURDIR)"' -DVAELAB_BUILD='"$(BUILD)"' \
	-DVAELAB_MAKE='"$(MAKE)"'
$(GRADER_SUITE): $(BUILD)/tests/tools/test_grader.o $(TOOL_LIBRARY) $(HARNESS) $(LIBVAELAB)
	$(call quiet,LINK,$@)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
all: $(GRADER_SUITE)

check-grader: $(GRADER_SUITE) $(TOOLS)
	@$(require_solutions)
	+@$(GRADER_SUITE) --time-limit 1800

# ==== end of the workflow section ===========================================================

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
