/* tests/05-estimators/test_program.c — chapter 5's program on bad input.
 *
 * Every bad flag must give one line `estimators: error: ...` naming the problem, exit
 * status 1, and no output file (check_program_refuses); every case fails before any
 * exercise runs.  The program is the one built with the same IMPL as this suite.
 *
 * No test here runs the program through: it calls every exercise, so such a test would
 * either charge an exercise for another chapter's build (a program links the chapters
 * before it, and is not built when one of them does not compile) or, ungraded, fail when an
 * exercise crashes (make check-grader rules out both).  Its determinism was checked by hand:
 * two runs of `build/bin/estimators` with the same seed differ only in the last line, the
 * run's time.
 */
#include "harness.h"

static void test_too_few_samples(void) { check_program_refuses("estimators", "--samples 10", "--samples"); }
static void test_zero_learning_rate(void) { check_program_refuses("estimators", "--lr 0", "--lr"); }
static void test_learning_rate_not_a_number(void) { check_program_refuses("estimators", "--lr nan", "--lr"); }
static void test_tiny_budget(void) { check_program_refuses("estimators", "--budget 5", "--budget"); }
static void test_negative_seed(void) { check_program_refuses("estimators", "--seed -1", "--seed"); }
static void test_unknown_option(void) { check_program_refuses("estimators", "--draws 3", "--draws"); }

static const TestCase tests[] = {
    { "estimators --samples 10 is refused", NULL, test_too_few_samples },
    { "estimators --lr 0 is refused", NULL, test_zero_learning_rate },
    { "estimators --lr nan is refused", NULL, test_learning_rate_not_a_number },
    { "estimators --budget 5 is refused", NULL, test_tiny_budget },
    { "estimators --seed -1 is refused", NULL, test_negative_seed },
    { "estimators with an unknown option is refused", NULL, test_unknown_option },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("05-estimators programs", tests, argc, argv);
}
