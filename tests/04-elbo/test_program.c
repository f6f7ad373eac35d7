/* tests/04-elbo/test_program.c — chapter 4's programs on bad input.
 *
 * Every bad flag (a variance or standard deviation <= 0, a probability outside [0, 1], a
 * singular covariance, K = 0 or more components than digits, d > D) must give one line
 * `program: error: ...` naming the problem, exit status 1, and no output file.  Every case
 * fails before any fitting starts.  The programs are the ones built with the same IMPL as
 * this suite.
 */
#include "harness.h"

/* em_mnist: the number of components, the iterations, the data */
static void test_zero_components(void) { check_program_refuses("em_mnist", "--components 0", "--components"); }
static void test_too_many_colours(void) { check_program_refuses("em_mnist", "--components 11", "--components"); }
static void test_more_components_than_digits(void)
{
    check_program_refuses("em_mnist", "--train 5 --components 8", "more than the 5 training digits");
}
static void test_zero_iterations(void) { check_program_refuses("em_mnist", "--iterations 0", "--iterations"); }
static void test_missing_data(void)
{
    check_program_refuses("em_mnist", "--data /nonexistent/mnist", "/nonexistent/mnist");
}

/* elbo_bounds: variances, probabilities, the correlation, the dimensions */
static void test_zero_variance(void) { check_program_refuses("elbo_bounds", "--sigma2 0", "--sigma2"); }
static void test_negative_variance(void) { check_program_refuses("elbo_bounds", "--sigma2 -1", "--sigma2"); }
static void test_zero_mode_std(void) { check_program_refuses("elbo_bounds", "--mode-std 0", "--mode-std"); }
static void test_coin_above_one(void) { check_program_refuses("elbo_bounds", "--coin 1.5", "--coin"); }
static void test_weight_outside(void) { check_program_refuses("elbo_bounds", "--weight 1", "--weight"); }
static void test_singular_correlation(void) { check_program_refuses("elbo_bounds", "--correlation 1", "--correlation"); }
static void test_latent_above_data(void)
{
    check_program_refuses("elbo_bounds", "--dim 3 --latent 4", "--latent 4 is larger than --dim 3");
}
static void test_one_repeat(void) { check_program_refuses("elbo_bounds", "--repeats 1", "--repeats"); }

static const TestCase tests[] = {
    { "em_mnist --components 0 is refused", NULL, test_zero_components },
    { "em_mnist --components 11 is refused (ten colours)", NULL, test_too_many_colours },
    { "em_mnist with more components than digits is refused", NULL, test_more_components_than_digits },
    { "em_mnist --iterations 0 is refused", NULL, test_zero_iterations },
    { "em_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "elbo_bounds --sigma2 0 is refused", NULL, test_zero_variance },
    { "elbo_bounds --sigma2 -1 is refused", NULL, test_negative_variance },
    { "elbo_bounds --mode-std 0 is refused", NULL, test_zero_mode_std },
    { "elbo_bounds --coin 1.5 is refused", NULL, test_coin_above_one },
    { "elbo_bounds --weight 1 is refused", NULL, test_weight_outside },
    { "elbo_bounds --correlation 1 (a singular covariance) is refused", NULL, test_singular_correlation },
    { "elbo_bounds --dim 3 --latent 4 is refused", NULL, test_latent_above_data },
    { "elbo_bounds --repeats 1 is refused", NULL, test_one_repeat },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("04-elbo programs", tests, argc, argv);
}
