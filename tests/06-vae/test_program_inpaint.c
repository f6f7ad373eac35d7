/* tests/06-vae/test_program_inpaint.c — vae_inpaint on bad input.
 *
 * Every bad flag or data folder must give one line `vae_inpaint: error: ...` naming the
 * problem, exit status 1 and no output file (harness.h). Not graded, and nothing here
 * trains: the program's numbers are the README's, reproduced by the command it gives.
 */
#include "harness.h"

static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("vae_inpaint", arguments, expected);
}

static void test_every_kind_of_bad_input(void) { CHECK(check_program_refuses_bad_input("vae_inpaint", true) >= 40); }
static void test_dae_p_above_one(void) { check_refused("--dae-p 1.5", "--dae-p"); }
static void test_zero_latent_dimension(void) { check_refused("--d 0", "--d"); }
static void test_too_few_test_digits(void) { check_refused("--test 5", "at least 10 test digits"); }

static const TestCase tests[] = {
    { "vae_inpaint refuses every kind of bad input", NULL, test_every_kind_of_bad_input },
    { "vae_inpaint --dae-p 1.5 is refused", NULL, test_dae_p_above_one },
    { "vae_inpaint --d 0 is refused", NULL, test_zero_latent_dimension },
    { "vae_inpaint --test 5 is refused", NULL, test_too_few_test_digits },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae program vae_inpaint", tests, argc, argv);
}
