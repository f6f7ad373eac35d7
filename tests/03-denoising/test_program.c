/* tests/03-denoising/test_program.c — chapter 3's programs on bad input.
 *
 * Every bad flag (p outside [0, 1], sigma < 0, a code size d out of range, ...) must give
 * one line `program: error: ...` naming the problem, exit status 1, and no output file.
 * The programs are the ones built with the same IMPL as this suite; every case fails
 * before any training starts.
 */
#include "harness.h"

/* dae_mnist: the masking probabilities, the noise level, the code size, the data */
static void test_mask_above_one(void) { check_program_refuses("dae_mnist", "--p1 1.5", "--p1"); }
static void test_mask_below_zero(void) { check_program_refuses("dae_mnist", "--p2 -0.1", "--p2"); }
static void test_negative_sigma(void) { check_program_refuses("dae_mnist", "--sigma -1", "--sigma"); }
static void test_sigma_not_a_number(void) { check_program_refuses("dae_mnist", "--sigma nan", "--sigma"); }
static void test_zero_code_size(void) { check_program_refuses("dae_mnist", "--d 0", "--d"); }
static void test_code_size_above_p(void) { check_program_refuses("dae_mnist", "--d 785", "--d"); }
static void test_missing_data(void)
{
    check_program_refuses("dae_mnist", "--data /nonexistent/mnist", "/nonexistent/mnist");
}

/* ae_sampling: the list of code sizes */
static void test_list_with_zero(void)
{
    check_program_refuses("ae_sampling", "--d 8,0,32", "0 is out of range [1, 784]");
}
static void test_list_too_large(void) { check_program_refuses("ae_sampling", "--d 8,1000", "1000 is out of range"); }
static void test_list_malformed(void)
{
    check_program_refuses("ae_sampling", "--d 8,,16", "not a comma-separated list");
}
static void test_list_negative(void) { check_program_refuses("ae_sampling", "--d -8", "-8 is out of range [1, 784]"); }
static void test_list_too_long(void) { check_program_refuses("ae_sampling", "--d 1,2,3,4,5,6,7,8,9", "at most 8 values"); }

/* dae_posterior_mean: the noise and the modes */
static void test_posterior_negative_sigma(void)
{
    check_program_refuses("dae_posterior_mean", "--sigma -0.5", "--sigma");
}
static void test_posterior_zero_sigma(void) { check_program_refuses("dae_posterior_mean", "--sigma 0", "--sigma"); }
static void test_posterior_mode_std(void)
{
    check_program_refuses("dae_posterior_mean", "--mode-std -1", "--mode-std");
}
static void test_posterior_weight(void) { check_program_refuses("dae_posterior_mean", "--weight 1.5", "--weight"); }

static void test_dae_bad_input(void) { CHECK(check_program_refuses_bad_input("dae_mnist", true) >= 40); }
static void test_sampling_bad_input(void) { CHECK(check_program_refuses_bad_input("ae_sampling", true) >= 40); }
/* It reads no MNIST: the command-line and output kinds. */
static void test_posterior_bad_input(void)
{
    CHECK(check_program_refuses_bad_input("dae_posterior_mean", false) >= 20);
}

static const TestCase tests[] = {
    { "dae_mnist refuses every kind of bad input", NULL, test_dae_bad_input },
    { "ae_sampling refuses every kind of bad input", NULL, test_sampling_bad_input },
    { "dae_posterior_mean refuses every kind of bad input it can be given", NULL, test_posterior_bad_input },
    { "dae_mnist --p1 1.5 is refused", NULL, test_mask_above_one },
    { "dae_mnist --p2 -0.1 is refused", NULL, test_mask_below_zero },
    { "dae_mnist --sigma -1 is refused", NULL, test_negative_sigma },
    { "dae_mnist --sigma nan is refused", NULL, test_sigma_not_a_number },
    { "dae_mnist --d 0 is refused", NULL, test_zero_code_size },
    { "dae_mnist --d 785 is refused", NULL, test_code_size_above_p },
    { "dae_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "ae_sampling --d 8,0,32 is refused", NULL, test_list_with_zero },
    { "ae_sampling --d 8,1000 is refused", NULL, test_list_too_large },
    { "ae_sampling --d 8,,16 is refused", NULL, test_list_malformed },
    { "ae_sampling --d -8 is refused", NULL, test_list_negative },
    { "ae_sampling with nine code sizes is refused", NULL, test_list_too_long },
    { "dae_posterior_mean --sigma -0.5 is refused", NULL, test_posterior_negative_sigma },
    { "dae_posterior_mean --sigma 0 is refused", NULL, test_posterior_zero_sigma },
    { "dae_posterior_mean --mode-std -1 is refused", NULL, test_posterior_mode_std },
    { "dae_posterior_mean --weight 1.5 is refused", NULL, test_posterior_weight },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("03-denoising programs", tests, argc, argv);
}
