/* tests/harness/test_harness.c — the harness tests itself.
 *
 * Runs fixture_suite (tests that segfault, loop forever, call exit(0), return NaN, hit a
 * stub, hit a stub and crash, check nothing, print a flood, leak) and reads its TAP: each misbehaviour must be its
 * own `not ok` with the right reason, and every test after it must still run.
 * FIXTURE_SUITE is the fixture binary's path, passed in by the Makefile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

enum { OUTPUT_SIZE = 1 << 16 };

static char tap[OUTPUT_SIZE];

/* The fixture suite's TAP, with a short time limit so the endless loop costs 1 s. */
static const char *fixture_tap(void)
{
    if (!tap[0])
        test_run_command(FIXTURE_SUITE " --time-limit 1", tap, sizeof tap);
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
    CHECK_CONTAINS(fixture_tap(), "1..11\n");
    CHECK_CONTAINS(fixture_tap(), "\n3 passed, 8 failed\n");
}

static void test_passing_tests_pass(void)
{
    CHECK_CONTAINS(fixture_tap(), "\nok 1 - passes\n");
    CHECK_CONTAINS(fixture_tap(), "\nok 11 - passes after all that\n");
}

static void test_segfault(void) { check_reported("not ok 2 - segfaults", "crashed: Segmentation fault"); }
static void test_endless_loop(void) { check_reported("not ok 3 - loops forever", "timed out"); }
static void test_exit(void) { check_reported("not ok 4 - calls exit(0)", "ended early with exit status 0"); }
static void test_nan(void) { check_reported("not ok 5 - returns NaN", "got      nan"); }

static void test_stub_is_todo(void)
{
    check_reported("not ok 6 - [9.1] hits a stub # TODO not implemented",
                   "exercise 9.1 (stub_of_exercise_9_1): not implemented");
}

static void test_stub_then_crash_is_todo(void)
{
    check_reported("not ok 7 - [9.2] hits a stub, then crashes # TODO not implemented", "then crashed");
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

static void test_leak_fails_under_valgrind(void)
{
    char output[OUTPUT_SIZE];
    test_run_command("valgrind -q --error-exitcode=99 --leak-check=full " FIXTURE_SUITE
                     " --filter leaks --time-limit 60",
                     output, sizeof output);
    CHECK_CONTAINS(output, "not ok 1 - leaks (caught only under Valgrind)");
    CHECK_CONTAINS(output, "exit status 99 after the test");
}

static void test_exercise_filter(void)
{
    char output[4096];
    test_run_command(FIXTURE_SUITE " --exercise 9.1", output, sizeof output);
    CHECK_CONTAINS(output, "1..1\n");
    CHECK_CONTAINS(output, "0 passed, 1 failed");
}

static void test_runner_aggregates(void)
{
    char output[OUTPUT_SIZE];
    test_run_command("VAELAB_TIME_LIMIT=1 " RUNNER " " FIXTURE_SUITE " " FIXTURE_SUITE " /nonexistent/suite", output,
                     sizeof output);
    CHECK_CONTAINS(output, "\nok 12 - passes\n");
    CHECK_CONTAINS(output, "not ok 23 - /nonexistent/suite");
    CHECK_CONTAINS(output, "\n6 passed, 17 failed\n");
}

static const TestCase tests[] = {
    { "fixture suite: plan and summary line", NULL, test_plan_and_summary },
    { "passing tests pass, also after the misbehaving ones", NULL, test_passing_tests_pass },
    { "a segfault fails that test only", NULL, test_segfault },
    { "an endless loop times out", NULL, test_endless_loop },
    { "exit(0) inside a test is not a pass", NULL, test_exit },
    { "NaN fails a check with expected and got", NULL, test_nan },
    { "a stub shows as TODO with its message", NULL, test_stub_is_todo },
    { "a stub hit, then a crash, is still TODO", NULL, test_stub_then_crash_is_todo },
    { "a test that checks nothing fails", NULL, test_empty_test_fails },
    { "a flood of output is cut", NULL, test_flood_is_capped },
    { "a leak passes without Valgrind", NULL, test_leak_passes_without_valgrind },
    { "a leak fails under Valgrind", NULL, test_leak_fails_under_valgrind },
    { "--exercise runs that exercise's tests only", NULL, test_exercise_filter },
    { "the runner renumbers, and a missing suite fails", NULL, test_runner_aggregates },
};

int main(int argc, char **argv)
{
    fixture_tap(); /* once, here: every forked test inherits the cached output */
    return RUN_SUITE("harness", tests, argc, argv);
}
