/* tests/04-elbo/test_mean_field.c — chapter 4: mean-field coordinate ascent (Wu L6,
 * "Mean-field variational inference": log q_i*(z_i) = E_{j != i}[log p(z, x)] + const) on a
 * correlated Gaussian, where the fixed point is known exactly: the means of p, and the
 * variances 1 / Lambda_ii, below the marginal variances Sigma_ii.  Uses lib/ and chapter 4
 * only.
 */
#include <math.h>

#include "elbo.h"
#include "harness.h"

/* Sigma = [[1, 0.9], [0.9, 1]]: Lambda = Sigma^-1 = (1 / 0.19) [[1, -0.9], [-0.9, 1]],
 * so 1 / Lambda_ii = 0.19 against the marginal variance Sigma_ii = 1. */
static const double MU[2] = { 1.0, 2.0 };
static const double LAMBDA[4] = { 1.0 / 0.19, -0.9 / 0.19, -0.9 / 0.19, 1.0 / 0.19 };

/* From means (0, 0), updating q_0: variance 0.19, mean 1 - (Lambda_01 / Lambda_00)(0 - 2)
 * = 1 - (-0.9)(-2) = -0.8; q_1 is left as it was. */
static void test_one_update_by_hand(void)
{
    double mean[2] = { 0.0, 0.0 }, variance[2] = { 7.0, 7.0 };
    mean_field_update(mean, variance, MU, LAMBDA, 2, 0);
    CHECK_NEAR(-0.8, mean[0], 1e-14);
    CHECK_NEAR(0.19, variance[0], 1e-15);
    CHECK_NEAR(0.0, mean[1], 0.0);
    CHECK_NEAR(7.0, variance[1], 0.0);
    mean_field_update(mean, variance, MU, LAMBDA, 2, 1); /* then q_1 sees the new mean of q_0 */
    CHECK_NEAR(2.0 + 0.9 * (-0.8 - 1.0), mean[1], 1e-14);
    CHECK_NEAR(0.19, variance[1], 1e-15);
}

/* Coordinate ascent from (-3, 3) converges to the means of p, with variances 0.19 each:
 * mean field gets the means right and the variances too small (each sweep shrinks the
 * error by rho^2 = 0.81, so 1e-12 needs about 140 sweeps). */
static void test_converges_to_the_known_fixed_point(void)
{
    double mean[2] = { -3.0, 3.0 }, variance[2] = { 1.0, 1.0 };
    size_t updates = mean_field_fit(mean, variance, NULL, MU, LAMBDA, 2, 1e-13, 1000);
    check_note("%zu updates; q = N(%.12f, %.6f) x N(%.12f, %.6f)", updates, mean[0], variance[0], mean[1],
               variance[1]);
    CHECK(updates > 0);
    CHECK_NEAR(MU[0], mean[0], 1e-11);
    CHECK_NEAR(MU[1], mean[1], 1e-11);
    CHECK_NEAR(0.19, variance[0], 1e-15);
    CHECK_NEAR(0.19, variance[1], 1e-15);
    CHECK(variance[0] < 1.0 && variance[1] < 1.0); /* below Sigma_ii: mean field is over-confident */
}

/* In 3-D with Lambda = [[4, 1, -1], [1, 3, 0.5], [-1, 0.5, 2]] (positive definite), the
 * fixed point solves Lambda (m - mu) = 0, so m = mu, with variances 1/4, 1/3, 1/2. */
static void test_three_dimensions(void)
{
    const double mu[3] = { 0.5, -1.0, 2.0 };
    const double Lambda[9] = { 4.0, 1.0, -1.0, 1.0, 3.0, 0.5, -1.0, 0.5, 2.0 };
    double mean[3] = { 3.0, 3.0, -3.0 }, variance[3] = { 1.0, 1.0, 1.0 };
    size_t updates = mean_field_fit(mean, variance, NULL, mu, Lambda, 3, 1e-13, 1000);
    CHECK(updates > 0);
    for (size_t i = 0; i < 3; i++) {
        CHECK_NEAR(mu[i], mean[i], 1e-11);
        CHECK_NEAR(1.0 / Lambda[i * 3 + i], variance[i], 1e-15);
    }
}

/* The path records the start and every update, one coordinate moving at a time. */
static void test_path(void)
{
    double mean[2] = { -3.0, 3.0 }, variance[2] = { 1.0, 1.0 }, path[2 * 21];
    size_t updates = mean_field_fit(mean, variance, path, MU, LAMBDA, 2, 0.0, 10);
    CHECK_LONG(0, updates); /* tolerance 0 is not reached in 10 sweeps */
    CHECK_NEAR(-3.0, path[0], 0.0);
    CHECK_NEAR(3.0, path[1], 0.0);
    CHECK_NEAR(1.0 + 0.9 * (3.0 - 2.0), path[2], 1e-14); /* q_0 moved, q_1 not */
    CHECK_NEAR(3.0, path[3], 0.0);
}

static const TestCase tests[] = {
    { "one mean-field update by hand: mean -0.8, variance 1/Lambda_ii = 0.19", "4.9", test_one_update_by_hand },
    { "coordinate ascent: the true means, variances 0.19 < Sigma_ii = 1", "4.9",
      test_converges_to_the_known_fixed_point },
    { "coordinate ascent in 3-D: means mu, variances 1/Lambda_ii", "4.9", test_three_dimensions },
    { "the path holds the start and each update", "4.9", test_path },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("04-elbo mean field", tests, argc, argv);
}
