/* tests/harness/test_harness.c — the harness tests itself.
 *
 * Runs fixture_suite (tests that segfault, loop forever, call exit(0), return NaN, hit a
 * stub, hit a stub and crash, check nothing, print a flood, leak, run a program that
 * loops, ignore SIGTERM and SIGALRM, fork, fork and setsid, write a file with a relative
 * path, allocate 4 GiB, write past the file-size limit) and reads its TAP: each
 * misbehaviour must be its own `not ok` with the right reason, every test after it must
 * still run, no process a fixture started may be left alive, and the whole run must take
 * no longer than the sum of the time limits.
 * FIXTURE_SUITE is the fixture binary's path, passed in by the Makefile.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

enum { OUTPUT_SIZE = 1 << 16, FIXTURE_TESTS = 18, FIXTURE_STRAYS = 5 };

static char tap[OUTPUT_SIZE];
static char fixture_folder[256]; /* the fixture suite's working folder and its pid file */
static double fixture_seconds;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The fixture suite's TAP, with a short time limit so each endless loop costs 2 s; run
 * in a folder of its own, whose pids file collects the processes that must not stay. */
static const char *fixture_tap(void)
{
    if (!tap[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(fixture_folder, sizeof fixture_folder, "%s/vaelab-fixture-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(fixture_folder))
            return "";
        char command[1024];
        snprintf(command, sizeof command, "cd '%s' && VAELAB_FIXTURE_PIDS='%s/pids' " FIXTURE_SUITE " --time-limit 1",
                 fixture_folder, fixture_folder);
        double start = now_seconds();
        test_run_command(command, tap, sizeof tap);
        fixture_seconds = now_seconds() - start;
    }
    return tap;
}

/* The diagnostics that follow the TAP line containing `test_line`, up to the next test. */
static void section_of(const char *test_line, char *section, size_t size)
{
    const char *start = strstr(fixture_tap(), test_line);
    section[0] = '\0';
    if (!start)
        return;
    const char *end = strstr(start + 1, "\nok ");
    const char *end_not_ok = strstr(start + 1, "\nnot ok ");
    if (!end || (end_not_ok && end_not_ok < end))
        end = end_not_ok;
    size_t length = end ? (size_t)(end - start) : strlen(start);
    snprintf(section, size, "%.*s", (int)(length < size ? length : size - 1), start);
}

static void check_reported(const char *test_line, const char *reason)
{
    char section[4096];
    section_of(test_line, section, sizeof section);
    CHECK_CONTAINS(section, test_line);
    CHECK_CONTAINS(section, reason);
}

static void test_plan_and_summary(void)
{
    CHECK_CONTAINS(fixture_tap(), "1..18\n");
    CHECK_CONTAINS(fixture_tap(), "\n6 passed, 12 failed\n");
}

static void test_passing_tests_pass(void)
{
    CHECK_CONTAINS(fixture_tap(), "\nok 1 - passes\n");
    CHECK_CONTAINS(fixture_tap(), "\nok 18 - passes after all that\n");
}

static void test_segfault(void) { check_reported("not ok 2 - segfaults", "crashed: Segmentation fault"); }
static void test_endless_loop(void) { check_reported("not ok 3 - loops forever", "timed out"); }
static void test_exit(void) { check_reported("not ok 4 - calls exit(0)", "ended early with exit status 0"); }
static void test_nan(void) { check_reported("not ok 5 - returns NaN", "got      nan"); }

static void test_stub_is_todo(void)
{
    check_reported("not ok 6 - [9.1] hits a stub (not implemented)",
                   "exercise 9.1 (stub_of_exercise_9_1): not implemented");
}

static void test_stub_then_crash_is_todo(void)
{
    check_reported("not ok 7 - [9.2] hits a stub, then crashes (not implemented)", "then crashed");
}

static void test_empty_test_fails(void) { check_reported("not ok 8 - checks nothing", "made no check"); }

static void test_flood_is_capped(void)
{
    char section[8192];
    section_of("not ok 9 - prints a flood", section, sizeof section);
    CHECK_CONTAINS(section, "output cut after");
    CHECK(strstr(section, "flood line 100\n") == NULL);
}

static void test_leak_passes_without_valgrind(void)
{
    CHECK_CONTAINS(fixture_tap(), "\nok 10 - leaks (caught only under Valgrind)\n");
}

/* Valgrind cannot run a sanitizer build: there LeakSanitizer, at the suite's exit,
 * catches the leak (in process, with --no-fork: a forked test ends with _exit). */
static void test_leak_fails_under_valgrind(void)
{
    char output[OUTPUT_SIZE];
    if (HARNESS_SANITIZED) {
        test_run_command(FIXTURE_SUITE " --filter leaks --no-fork", output, sizeof output);
        CHECK_CONTAINS(output, "LeakSanitizer: detected memory leaks");
        return;
    }
    test_run_command("valgrind -q --error-exitcode=99 --leak-check=full " FIXTURE_SUITE
                     " --filter leaks --time-limit 60",
                     output, sizeof output);
    CHECK_CONTAINS(output, "not ok 1 - leaks (caught only under Valgrind)");
    CHECK_CONTAINS(output, "exit status 99 after the test");
}

static void test_spawned_loop(void) { check_reported("not ok 11 - spawns a program that loops", "timed out"); }

static void test_signals_ignored(void)
{
    check_reported("not ok 12 - loops with SIGTERM and SIGALRM ignored", "timed out");
}

static void test_forks_pass(void)
{
    CHECK_CONTAINS(fixture_tap(), "\nok 13 - forks a child that outlives it\n");
    CHECK_CONTAINS(fixture_tap(), "\nok 14 - forks a child that calls setsid\n");
}

/* Has process `pid` gone within `seconds`? A process killed with its group as the
 * fixture suite ends may take a moment to be reaped by init on a loaded machine: that
 * is not a process left behind; one still there seconds later is. */
static bool process_gone_within(pid_t pid, double seconds)
{
    const struct timespec tick = { 0, 10 * 1000 * 1000 };
    for (double waited = 0.0; waited < seconds; waited += 0.01) {
        if (kill(pid, 0) != 0 && errno == ESRCH)
            return true;
        nanosleep(&tick, NULL);
    }
    return kill(pid, 0) != 0 && errno == ESRCH;
}

/* Every process that recorded its pid is gone (a stray would sleep for 40 s). */
static void test_no_process_left_behind(void)
{
    char path[300];
    fixture_tap();
    snprintf(path, sizeof path, "%s/pids", fixture_folder);
    FILE *pids = fopen(path, "r");
    long pid;
    int count = 0;
    while (pids && fscanf(pids, "%ld", &pid) == 1) {
        count++;
        if (!process_gone_within((pid_t)pid, 5.0))
            CHECK_FAIL("process %ld, started by a fixture test, is still there 5 s after the suite ended", pid);
    }
    if (pids)
        fclose(pids);
    CHECK_LONG(FIXTURE_STRAYS, count);
}

/* Each test takes at most its limit (1 s) and a grace second. */
static void test_bounded_wall_time(void)
{
    fixture_tap();
    CHECK_BELOW(fixture_seconds, FIXTURE_TESTS * (1.0 + 1.0));
    CHECK_BELOW(fixture_seconds, 15.0); /* three tests time out: about 6 s */
}

/* The fixture wrote "stray-file.txt" with a relative path: into its scratch folder,
 * which is gone, not into the folder the suite was started in. */
static void test_relative_write_lands_in_scratch(void)
{
    char path[300];
    CHECK_CONTAINS(fixture_tap(), "\nok 15 - writes a file in its working folder\n");
    snprintf(path, sizeof path, "%s/stray-file.txt", fixture_folder);
    CHECK(access(path, F_OK) != 0);
}

static void test_memory_limit(void) { check_reported("not ok 16 - allocates 4 GiB", "#"); }

static void test_file_size_limit(void)
{
    check_reported("not ok 17 - writes past the file-size limit", "File size limit exceeded");
}

static void test_exercise_filter(void)
{
    char output[4096];
    test_run_command(FIXTURE_SUITE " --exercise 9.1", output, sizeof output);
    CHECK_CONTAINS(output, "1..1\n");
    CHECK_CONTAINS(output, "0 passed, 1 failed");
}

/* The runner on two quick suites (the fixture's passing tests and its stub, through a
 * script: a suite is any program that prints TAP) and a missing one. */
static void test_runner_aggregates(void)
{
    char output[OUTPUT_SIZE], passing[300], stub[300], command[1200];
    snprintf(passing, sizeof passing, "%s/passing.sh", test_scratch_dir());
    snprintf(stub, sizeof stub, "%s/stub.sh", test_scratch_dir());
    snprintf(command, sizeof command, "printf '#!/bin/sh\\nexec %s --filter passes\\n' > %s && "
             "printf '#!/bin/sh\\nexec %s --exercise 9.1\\n' > %s && chmod +x %s %s",
             FIXTURE_SUITE, passing, FIXTURE_SUITE, stub, passing, stub);
    if (!CHECK_LONG(0, test_run_command(command, output, sizeof output)))
        return;
    snprintf(command, sizeof command, RUNNER " %s %s %s /nonexistent/suite", passing, stub, passing);
    test_run_command(command, output, sizeof output);
    CHECK_CONTAINS(output, "\nok 1 - passes\n");
    CHECK_CONTAINS(output, "\nnot ok 3 - [9.1] hits a stub (not implemented)\n");
    CHECK_CONTAINS(output, "\nok 5 - passes after all that\n");
    CHECK_CONTAINS(output, "not ok 6 - /nonexistent/suite");
    CHECK_CONTAINS(output, "\n4 passed, 2 failed\n");
}

/* ---- TAP consumers agree -------------------------------------------------------------- */

/* `text` into `path`, executable when `executable`; false if it cannot be written. */
static bool write_file(const char *path, const char *text, bool executable)
{
    FILE *file = fopen(path, "w");
    bool ok = file && fputs(text, file) >= 0;
    ok = file && fclose(file) == 0 && ok;
    return ok && (!executable || chmod(path, 0755) == 0);
}

/* The runner's reading of the TAP in `tap_path`: it runs a "suite" that prints the file. */
static void runner_reads(const char *tap_path, const char *name, char *output, size_t size)
{
    char script[512], text[600], command[700];
    snprintf(script, sizeof script, "%s/%s.sh", test_scratch_dir(), name);
    snprintf(text, sizeof text, "#!/bin/sh\ncat '%s'\n", tap_path);
    output[0] = '\0';
    if (!CHECK(write_file(script, text, true)))
        return;
    snprintf(command, sizeof command, RUNNER " '%s'", script);
    test_run_command(command, output, size);
}

/* "N passed, M failed" of a run's last line. */
static bool summary_of(const char *output, long *passed, long *failed)
{
    const char *line = strstr(output, " passed, ");
    while (line && strstr(line + 1, " passed, "))
        line = strstr(line + 1, " passed, ");
    while (line && line > output && line[-1] != '\n')
        line--;
    return line && sscanf(line, "%ld passed, %ld failed", passed, failed) == 2;
}

/* A test that hit a stub is a failure to every TAP consumer: the runner reading the
 * harness's TAP, the runner reading its own, and prove (when it is installed) all count
 * the fixture's 6 passed and 12 failed; no "# TODO" directive turns a failure into an
 * expected one. */
static void test_tap_consumers_agree(void)
{
    static char first[OUTPUT_SIZE], second[OUTPUT_SIZE];
    char harness_tap[512], runner_tap[512], command[1200], prove[8192];
    snprintf(harness_tap, sizeof harness_tap, "%s/harness.tap", test_scratch_dir());
    snprintf(runner_tap, sizeof runner_tap, "%s/runner.tap", test_scratch_dir());
    CHECK(strstr(fixture_tap(), "# TODO") == NULL);
    CHECK_CONTAINS(fixture_tap(), "\n# 2 of the 12 failures are exercises not implemented yet\n"); /* of what */
    if (!CHECK(write_file(harness_tap, fixture_tap(), false)))
        return;
    runner_reads(harness_tap, "harness", first, sizeof first);
    CHECK_CONTAINS(first, "\n6 passed, 12 failed\n");
    CHECK(strstr(first, "# TODO") == NULL);
    if (!CHECK(write_file(runner_tap, first, false)))
        return;
    runner_reads(runner_tap, "runner", second, sizeof second);
    CHECK_CONTAINS(second, "\n6 passed, 12 failed\n");
    if (test_run_command("command -v prove", prove, sizeof prove) != 0) {
        check_note("prove is not installed: the runner's own reading is the check");
        return;
    }
    snprintf(command, sizeof command, "cd '%s' && prove -e cat runner.tap", test_scratch_dir());
    test_run_command(command, prove, sizeof prove);
    CHECK_CONTAINS(prove, "Failed 12/18 subtests");
    long passed = 0, failed = 0;
    CHECK(summary_of(first, &passed, &failed) && passed + failed == 18 && failed == 12);
}

static const TestCase tests[] = {
    { "fixture suite: plan and summary line", NULL, test_plan_and_summary },
    { "passing tests pass, also after the misbehaving ones", NULL, test_passing_tests_pass },
    { "a segfault fails that test only", NULL, test_segfault },
    { "an endless loop times out", NULL, test_endless_loop },
    { "exit(0) inside a test is not a pass", NULL, test_exit },
    { "NaN fails a check with expected and got", NULL, test_nan },
    { "a stub shows as not implemented, with its message", NULL, test_stub_is_todo },
    { "a stub hit, then a crash, is still not implemented", NULL, test_stub_then_crash_is_todo },
    { "a test that checks nothing fails", NULL, test_empty_test_fails },
    { "a flood of output is cut", NULL, test_flood_is_capped },
    { "a leak passes without Valgrind", NULL, test_leak_passes_without_valgrind },
    { "a leak fails under Valgrind (LeakSanitizer in the sanitizer build)", NULL, test_leak_fails_under_valgrind },
    { "a loop in a program the test runs times out", NULL, test_spawned_loop },
    { "a loop with SIGTERM and SIGALRM ignored times out", NULL, test_signals_ignored },
    { "a test that forks, or forks and calls setsid, still passes", NULL, test_forks_pass },
    { "no process a test started is left behind", NULL, test_no_process_left_behind },
    { "the suite takes no longer than the sum of the time limits", NULL, test_bounded_wall_time },
    { "a relative path writes into the test's scratch folder", NULL, test_relative_write_lands_in_scratch },
    { "a test cannot allocate 4 GiB", NULL, test_memory_limit },
    { "a test cannot write a file past the size limit", NULL, test_file_size_limit },
    { "--exercise runs that exercise's tests only", NULL, test_exercise_filter },
    { "the runner renumbers, and a missing suite fails", NULL, test_runner_aggregates },
    { "prove, the runner and its own TAP agree: a stub is a failure", NULL, test_tap_consumers_agree },
};

int main(int argc, char **argv)
{
    fixture_tap(); /* once, here: every forked test inherits the cached output */
    return RUN_SUITE("harness", tests, argc, argv);
}
