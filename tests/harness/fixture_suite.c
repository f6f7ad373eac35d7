/* tests/harness/fixture_suite.c — a suite whose tests misbehave on purpose.
 *
 * Not a test of vaelab: the harness's own suite (test_harness.c) runs this binary and
 * checks that each misbehaviour is reported as its own failure while the tests after it
 * still run. Its name does not start with test_, so `make test` never runs it directly.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "exercise.h"
#include "harness.h"

static void passes(void) { CHECK_NEAR(2.0, 1.0 + 1.0, 1e-12); }

static void segfaults(void)
{
    raise(SIGSEGV); /* what a NULL dereference ends in, without undefined behaviour here */
}

static void loops_forever(void)
{
    volatile unsigned long spin = 0;
    for (;;)
        spin++;
}

static void calls_exit(void) { exit(0); }

static void returns_nan(void) { CHECK_NEAR(0.5, NAN, 1e-9); }

static double stub_of_exercise_9_1(void)
{
    exercise_not_implemented("9.1", __func__);
    return NAN;
}

static void hits_a_stub(void) { CHECK_NEAR(1.0, stub_of_exercise_9_1(), 1e-9); }

static void hits_a_stub_then_crashes(void)
{
    exercise_not_implemented("9.2", __func__);
    raise(SIGSEGV); /* what using a stub's wrong value can end in */
}

static void checks_nothing(void) {}

static void prints_a_flood(void)
{
    for (int i = 0; i < 10000; i++)
        printf("flood line %d\n", i);
    CHECK(0 == 1);
}

static void leaks(void)
{
    void *volatile lost = malloc(100);
    lost = NULL;
    CHECK(lost == NULL);
}

static const TestCase tests[] = {
    { "passes", NULL, passes },
    { "segfaults", NULL, segfaults },
    { "loops forever", NULL, loops_forever },
    { "calls exit(0)", NULL, calls_exit },
    { "returns NaN", NULL, returns_nan },
    { "hits a stub", "9.1", hits_a_stub },
    { "hits a stub, then crashes", "9.2", hits_a_stub_then_crashes },
    { "checks nothing", NULL, checks_nothing },
    { "prints a flood", NULL, prints_a_flood },
    { "leaks (caught only under Valgrind)", NULL, leaks },
    { "passes after all that", NULL, passes },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("harness fixtures", tests, argc, argv);
}
