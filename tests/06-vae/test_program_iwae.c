/* tests/06-vae/test_program_iwae.c — vae_iwae on bad input.
 *
 * Every bad flag or data folder must give one line `vae_iwae: error: ...` naming the
 * problem, exit status 1 and no output file (harness.h). Not graded, and nothing here
 * trains: the program's numbers are the README's, reproduced by the command it gives.
 */
#include "harness.h"

static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("vae_iwae", arguments, expected);
}

static void test_every_kind_of_bad_input(void) { CHECK(check_program_refuses_bad_input("vae_iwae", true) >= 40); }
static void test_zero_k(void) { check_refused("--k 0,5", "--k"); }
static void test_absurd_k(void) { check_refused("--k 1,5000", "--k"); }
static void test_decreasing_k(void) { check_refused("--k 5,1", "--k"); }
static void test_zero_eval_k(void) { check_refused("--eval-k 0", "--eval-k"); }
static void test_one_iw_digit(void) { check_refused("--iw-test 1", "--iw-test"); }
static void test_one_test_digit(void) { check_refused("--test 1", "at least 2 test digits"); }
static void test_zero_latent_dimension(void) { check_refused("--d 0", "--d"); }

static const TestCase tests[] = {
    { "vae_iwae refuses every kind of bad input", NULL, test_every_kind_of_bad_input },
    { "vae_iwae --k 0,5 is refused", NULL, test_zero_k },
    { "vae_iwae --k 1,5000 is refused", NULL, test_absurd_k },
    { "vae_iwae --k 5,1 is refused", NULL, test_decreasing_k },
    { "vae_iwae --eval-k 0 is refused", NULL, test_zero_eval_k },
    { "vae_iwae --iw-test 1 is refused", NULL, test_one_iw_digit },
    { "vae_iwae --test 1 is refused", NULL, test_one_test_digit },
    { "vae_iwae --d 0 is refused", NULL, test_zero_latent_dimension },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae program vae_iwae", tests, argc, argv);
}
