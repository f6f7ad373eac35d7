/* tests/lib/test_numerics.c — lib/numerics.h against independent computations.
 *
 * Phi^-1 is checked against Python's statistics.NormalDist().inv_cdf (Wichura's AS241,
 * an algorithm unrelated to ours) to 1e-12, and against Phi itself; log-sum-exp against
 * the plain formula where that does not overflow, and where it would.
 */
#include <math.h>

#include "harness.h"
#include "numerics.h"

static void test_log_sum_exp_small(void)
{
    const double a[] = { 0.5, -1.25, 2.0, 0.0 };
    double plain = log(exp(0.5) + exp(-1.25) + exp(2.0) + exp(0.0));
    CHECK_RELATIVE(plain, log_sum_exp(a, 4), 1e-15);
    CHECK_RELATIVE(plain - log(4.0), log_mean_exp(a, 4), 1e-15);
    CHECK_NEAR(-3.5, log_sum_exp((const double[]){ -3.5 }, 1), 0.0);
}

static void test_log_sum_exp_extremes(void)
{
    /* exp(1000) overflows, exp(-1000) underflows: the shifted sum does neither. */
    const double big[] = { 1000.0, 1000.0 }, tiny[] = { -1000.0, -1000.0, -1000.0 };
    CHECK_RELATIVE(1000.0 + log(2.0), log_sum_exp(big, 2), 1e-15);
    CHECK_RELATIVE(-1000.0, log_mean_exp(tiny, 3), 1e-15);
    const double none[] = { -INFINITY, -INFINITY }, some[] = { -INFINITY, 3.0 };
    CHECK(log_sum_exp(none, 2) == -INFINITY);
    CHECK_NEAR(3.0, log_sum_exp(some, 2), 0.0);
    CHECK(isnan(log_sum_exp((const double[]){ 1.0, NAN }, 2)));
}

static void test_softmax(void)
{
    const double a[] = { 800.0, 801.0, -INFINITY, 799.0 };
    double p[4], log_p[4];
    softmax(p, a, 4);
    log_softmax(log_p, a, 4);
    double z = exp(-1.0) + 1.0 + exp(-2.0); /* everything relative to 801 */
    CHECK_RELATIVE(exp(-1.0) / z, p[0], 1e-15);
    CHECK_RELATIVE(1.0 / z, p[1], 1e-15);
    CHECK_NEAR(0.0, p[2], 0.0);
    CHECK_RELATIVE(-2.0 - log(z), log_p[3], 1e-15);
    CHECK_NEAR(1.0, p[0] + p[1] + p[2] + p[3], 1e-15);
}

static void test_log_normal_density(void)
{
    const double two_pi = 6.283185307179586477;
    CHECK_RELATIVE(log(exp(-0.5 * 1.5 * 1.5 / 4.0) / sqrt(two_pi * 4.0)), log_normal_density(2.5, 1.0, 4.0), 1e-14);
    /* 40 standard deviations out: the density is 1e-350 (0 in double), its log is not */
    CHECK_RELATIVE(-0.5 * (log(two_pi * 0.25) + 1600.0), log_normal_density(-20.0, 0.0, 0.25), 1e-15);
}

static void test_normal_cdf(void)
{
    CHECK_RELATIVE(0.8413447460685429, normal_cdf(1.0), 1e-15);
    CHECK_RELATIVE(0.5, normal_cdf(0.0), 0.0);
    CHECK_RELATIVE(7.619853024160527e-24, normal_cdf(-10.0), 1e-13); /* erfc keeps the tail */
}

static void test_normal_quantile_known_values(void)
{
    /* p and Phi^-1(p) from Python's statistics.NormalDist().inv_cdf (AS241) */
    static const double known[][2] = {
        { 1e-300, -37.0470962993612 },   { 1e-100, -21.27345356096532 },
        { 1e-20, -9.262340089798405 },   { 1e-10, -6.361340902404056 },
        { 1e-05, -4.2648907939228256 },  { 0.001, -3.090232306167813 },
        { 0.025, -1.9599639845400538 },  { 0.1, -1.2815515655446008 },
        { 0.3, -0.5244005127080407 },    { 0.6, 0.2533471031357998 },
        { 0.8413447460685429, 1.0 },     { 0.975, 1.9599639845400536 },
        { 0.999, 3.090232306167813 },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!CHECK_RELATIVE(known[i][1], normal_quantile(known[i][0]), 1e-12))
            check_note("at p = %.17g", known[i][0]);
    }
    CHECK_NEAR(0.0, normal_quantile(0.5), 1e-16);
}

/* Phi(x) for x > 0 rounds to within 1e-16 of 1 and forgets x (1 - Phi(6) = 1e-9), so the
 * round trip is checked where Phi keeps its digits, x <= 0, and the upper half by symmetry. */
static void test_normal_quantile_inverts_cdf(void)
{
    for (double x = -37.0; x <= 0.0; x += 0.37) {
        if (!CHECK_NEAR(x, normal_quantile(normal_cdf(x)), 1e-12 * fmax(1.0, fabs(x))))
            check_note("at x = %g", x);
    }
    for (double p = 0.5; p < 1.0; p += 0.0625) /* 1 - p is exact for these p */
        CHECK_NEAR(-normal_quantile(1.0 - p), normal_quantile(p), 1e-15);
    CHECK(normal_quantile(0.0) == -INFINITY);
    CHECK(normal_quantile(1.0) == INFINITY);
    CHECK(isnan(normal_quantile(-0.1)) && isnan(normal_quantile(1.5)) && isnan(normal_quantile(NAN)));
}

static const TestCase tests[] = {
    { "log-sum-exp and log-mean-exp against the plain formula", NULL, test_log_sum_exp_small },
    { "log-sum-exp where exp overflows or underflows; -inf and NaN", NULL, test_log_sum_exp_extremes },
    { "softmax and log-softmax of large logits", NULL, test_softmax },
    { "log N(x; mean, variance), also 40 standard deviations out", NULL, test_log_normal_density },
    { "Phi at 1, 0 and -10", NULL, test_normal_cdf },
    { "Phi^-1 against AS241 to 1e-12, from 1e-300 to 0.999", NULL, test_normal_quantile_known_values },
    { "Phi^-1(Phi(x)) = x for x in [-37, 0], symmetry, the ends, outside [0, 1]", NULL, test_normal_quantile_inverts_cdf },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("lib/numerics", tests, argc, argv);
}
