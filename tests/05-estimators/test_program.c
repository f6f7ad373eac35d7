/* tests/05-estimators/test_program.c — chapter 5's program on bad input, its log q check
 * and its reproducibility.
 *
 * Every bad flag must give one line `estimators: error: ...` naming the problem, exit
 * status 1, and no output file (check_program_refuses).  The same --seed must print the
 * same numbers.  The program is the one built with the same IMPL as this suite.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void test_too_few_samples(void) { check_program_refuses("estimators", "--samples 10", "--samples"); }
static void test_zero_learning_rate(void) { check_program_refuses("estimators", "--lr 0", "--lr"); }
static void test_learning_rate_not_a_number(void) { check_program_refuses("estimators", "--lr nan", "--lr"); }
static void test_tiny_budget(void) { check_program_refuses("estimators", "--budget 5", "--budget"); }
static void test_negative_seed(void) { check_program_refuses("estimators", "--seed -1", "--seed"); }
static void test_unknown_option(void) { check_program_refuses("estimators", "--draws 3", "--draws"); }

/* The program's run with the smallest settings: its log q section agrees with the densities
 * (both lines print a difference below 1e-12), and the same seed prints the same text
 * (another seed other numbers).  Graded with exercise 5.6, whose check the program prints:
 * a test that runs the program runs every exercise, and must charge one of them. */
static double difference_on_line(const char *output, const char *marker)
{
    const char *line = strstr(output, marker), *equals = line ? strstr(line, "= ") : NULL;
    double value = NAN;
    if (equals)
        sscanf(equals + 2, "%lf", &value);
    return value;
}

static void test_change_of_variables_and_seed(void)
{
    char program[1024], command[4096];
    static char first[32768], again[32768], other[32768];
    char *outputs[3] = { first, again, other };
    const unsigned seeds[3] = { 7, 7, 8 };
    if (!CHECK(test_program_path(program, sizeof program, "estimators")))
        return;
    for (int k = 0; k < 3; k++) {
        snprintf(command, sizeof command, "%s --samples 1000 --budget 200 --seed %u --out %s/run", program, seeds[k],
                 test_scratch_dir());
        CHECK_LONG(0, test_run_command(command, outputs[k], sizeof first));
        char *time = strstr(outputs[k], "\n("); /* the run's time, last: not compared */
        if (time)
            *time = '\0';
    }
    CHECK_BELOW(difference_on_line(first, "to sum_j log N(z_j; mu_j, sigma_j^2)"), 1e-12);
    CHECK_BELOW(difference_on_line(first, "to log N(z; mu, L L^T)"), 1e-12);
    CHECK(strcmp(first, again) == 0);
    CHECK(strcmp(first, other) != 0);
}

static const TestCase tests[] = {
    { "estimators --samples 10 is refused", NULL, test_too_few_samples },
    { "estimators --lr 0 is refused", NULL, test_zero_learning_rate },
    { "estimators --lr nan is refused", NULL, test_learning_rate_not_a_number },
    { "estimators --budget 5 is refused", NULL, test_tiny_budget },
    { "estimators --seed -1 is refused", NULL, test_negative_seed },
    { "estimators with an unknown option is refused", NULL, test_unknown_option },
    { "estimators: log q by change of variables in the program; the same seed, the same numbers", "5.6",
      test_change_of_variables_and_seed },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("05-estimators programs", tests, argc, argv);
}
