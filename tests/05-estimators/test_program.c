/* tests/05-estimators/test_program.c — chapter 5's program on bad input, and its
 * reproducibility.
 *
 * Every bad flag must give one line `estimators: error: ...` naming the problem, exit
 * status 1, and no output file (check_program_refuses).  The same --seed must print the
 * same numbers.  The program is the one built with the same IMPL as this suite.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void test_too_few_samples(void) { check_program_refuses("estimators", "--samples 10", "--samples"); }
static void test_zero_learning_rate(void) { check_program_refuses("estimators", "--lr 0", "--lr"); }
static void test_learning_rate_not_a_number(void) { check_program_refuses("estimators", "--lr nan", "--lr"); }
static void test_tiny_budget(void) { check_program_refuses("estimators", "--budget 5", "--budget"); }
static void test_negative_seed(void) { check_program_refuses("estimators", "--seed -1", "--seed"); }
static void test_unknown_option(void) { check_program_refuses("estimators", "--draws 3", "--draws"); }

/* Two runs with the smallest settings and the same seed print the same text; another seed
 * prints other numbers. */
static void test_same_seed_same_output(void)
{
    char program[1024], command[4096];
    static char first[16384], again[16384], other[16384];
    if (!CHECK(test_program_path(program, sizeof program, "estimators")))
        return;
    const char *out = test_scratch_dir();
    snprintf(command, sizeof command, "%s --samples 1000 --budget 200 --seed 7 --out %s/a", program, out);
    CHECK_LONG(0, test_run_command(command, first, sizeof first));
    snprintf(command, sizeof command, "%s --samples 1000 --budget 200 --seed 7 --out %s/a", program, out);
    CHECK_LONG(0, test_run_command(command, again, sizeof again));
    snprintf(command, sizeof command, "%s --samples 1000 --budget 200 --seed 8 --out %s/a", program, out);
    CHECK_LONG(0, test_run_command(command, other, sizeof other));
    /* the last line is the run's time: compare everything before it */
    char *cut = strstr(first, "\n("), *cut_again = strstr(again, "\n(");
    if (cut && cut_again)
        *cut = *cut_again = '\0';
    CHECK(strcmp(first, again) == 0);
    CHECK(strcmp(first, other) != 0);
    CHECK_CONTAINS(first, "elbo_sgd.svg");
}

static const TestCase tests[] = {
    { "estimators --samples 10 is refused", NULL, test_too_few_samples },
    { "estimators --lr 0 is refused", NULL, test_zero_learning_rate },
    { "estimators --lr nan is refused", NULL, test_learning_rate_not_a_number },
    { "estimators --budget 5 is refused", NULL, test_tiny_budget },
    { "estimators --seed -1 is refused", NULL, test_negative_seed },
    { "estimators with an unknown option is refused", NULL, test_unknown_option },
    { "estimators: the same seed prints the same numbers", NULL, test_same_seed_same_output },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("05-estimators programs", tests, argc, argv);
}
