/* tests/06-vae/test_beta_program.c — beta_vae on bad input.
 *
 * Every bad flag or data folder must give one line `beta_vae: error: ...` naming the
 * problem, a non-zero exit status, and no output file (harness.h). None of these tests is
 * graded and none trains: the program is linked with the earlier chapters too, so a test
 * of it cannot be graded, and an ungraded test must pass on the stubs (test_program.c
 * says more).
 */
#include "harness.h"

static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("beta_vae", arguments, expected);
}

static void test_bad_input(void) { CHECK(check_program_refuses_bad_input("beta_vae", true) >= 40); }
static void test_zero_latent_dimension(void) { check_refused("--d 0", "--d"); }
static void test_too_many_units(void) { check_refused("--d 65", "--d"); }
static void test_negative_capacity(void) { check_refused("--capacity -1", "--capacity"); }
static void test_capacity_not_a_number(void) { check_refused("--capacity nan", "--capacity"); }
static void test_too_few_test_digits(void) { check_refused("--test 5", "--test"); }

static const TestCase tests[] = {
    { "beta_vae refuses some 50 kinds of bad input", NULL, test_bad_input },
    { "beta_vae --d 0 is refused", NULL, test_zero_latent_dimension },
    { "beta_vae --d 65 is refused (the bar chart's 64 units)", NULL, test_too_many_units },
    { "beta_vae --capacity -1 is refused", NULL, test_negative_capacity },
    { "beta_vae --capacity nan is refused", NULL, test_capacity_not_a_number },
    { "beta_vae --test 5 is refused (12 digits in the figures)", NULL, test_too_few_test_digits },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae beta_vae program", tests, argc, argv);
}
