/* tests/07-cvae/test_program.c — chapter 7's programs on bad input.
 *
 * Every bad flag, data folder or option value must give one line `program: error: ...`
 * naming the problem, exit status 1, and no output file (harness.h,
 * check_program_refuses). None of these tests is graded, so none may depend on an
 * exercise: every case is refused before any training starts.
 */
#include "harness.h"

/* cvae_mnist: the latent dimension, the draws of classification, the figures' digits */
static void test_zero_latent_dimension(void) { check_program_refuses("cvae_mnist", "--d 0", "--d"); }
static void test_latent_dimension_too_large(void) { check_program_refuses("cvae_mnist", "--d 65", "--d"); }
static void test_zero_draws(void) { check_program_refuses("cvae_mnist", "--k 0", "--k"); }
static void test_too_few_test_digits(void) { check_program_refuses("cvae_mnist", "--test 5", "--test"); }
static void test_missing_data(void)
{
    check_program_refuses("cvae_mnist", "--data /nonexistent/mnist", "/nonexistent/mnist");
}
static void test_cvae_bad_input(void) { CHECK(check_program_refuses_bad_input("cvae_mnist", true) >= 40); }

/* m2_mnist: the labels kept, the weights of J; each refused before any training */
static void test_m2_zero_labels(void) { check_program_refuses("m2_mnist", "--labels 0", "--labels"); }
static void test_m2_more_labels_than_digits(void)
{
    check_program_refuses("m2_mnist", "--labels 700", "class 5 has only");
}
static void test_m2_too_few_digits(void) { check_program_refuses("m2_mnist", "--train 50", "--labels 10"); }
static void test_m2_negative_alpha(void) { check_program_refuses("m2_mnist", "--alpha -1", "--alpha"); }
static void test_m2_negative_beta(void) { check_program_refuses("m2_mnist", "--beta -0.5", "--beta"); }
static void test_m2_missing_data(void)
{
    check_program_refuses("m2_mnist", "--data /nonexistent/mnist", "/nonexistent/mnist");
}
static void test_m2_bad_input(void) { CHECK(check_program_refuses_bad_input("m2_mnist", true) >= 40); }

static const TestCase tests[] = {
    { "cvae_mnist --d 0 is refused", NULL, test_zero_latent_dimension },
    { "cvae_mnist --d 65 is refused", NULL, test_latent_dimension_too_large },
    { "cvae_mnist --k 0 is refused", NULL, test_zero_draws },
    { "cvae_mnist --test 5 is refused (the analogies need 8)", NULL, test_too_few_test_digits },
    { "cvae_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "cvae_mnist refuses every kind of bad input", NULL, test_cvae_bad_input },
    { "m2_mnist --labels 0 is refused", NULL, test_m2_zero_labels },
    { "m2_mnist --labels 1000 (more than a class has) is refused", NULL, test_m2_more_labels_than_digits },
    { "m2_mnist --train 50 (fewer than 10 of a class) is refused", NULL, test_m2_too_few_digits },
    { "m2_mnist --alpha -1 is refused", NULL, test_m2_negative_alpha },
    { "m2_mnist --beta -0.5 is refused", NULL, test_m2_negative_beta },
    { "m2_mnist with a missing data folder is refused", NULL, test_m2_missing_data },
    { "m2_mnist refuses every kind of bad input", NULL, test_m2_bad_input },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("07-cvae program", tests, argc, argv);
}
