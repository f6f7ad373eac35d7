/* tests/04-elbo/test_kl.c — chapter 4: entropies and KL divergences (CSC413 L10), the
 * Gaussian's density far in the tails, and one Gaussian fitted to a bimodal mixture by
 * reverse and by forward KL (Wu L6).
 *
 * Reference values are the slides' examples recomputed by hand (each derived in a comment),
 * closed forms written out here, and a Monte Carlo estimate held within 5 standard errors.
 * Uses lib/ and chapter 4 only.
 */
#include <math.h>
#include <string.h>

#include "elbo.h"
#include "harness.h"
#include "numerics.h"

static const double LN2 = 0.69314718055994531;

/* ---- 4.1 discrete entropy and KL ------------------------------------------------------------ */

/* CSC413 L10, "KL Divergence Example Computation": q = fair coin (0.5, 0.5), p = unfair
 * coin (0.3, 0.7).  KL(q || p) = 0.5 log(0.5/0.3) + 0.5 log(0.5/0.7) = 0.0871767 nats,
 * KL(p || q) = 0.3 log(0.3/0.5) + 0.7 log(0.7/0.5) = 0.0822829 nats.  The slide prints
 * 0.872 and 0.823: ten times too large (docs/slides.md, errata). */
static void test_coins(void)
{
    const double fair[2] = { 0.5, 0.5 }, unfair[2] = { 0.3, 0.7 };
    double forward = kl_divergence(fair, unfair, 2), backward = kl_divergence(unfair, fair, 2);
    check_note("KL(fair || unfair) = %.7f nats = %.7f bits; KL(unfair || fair) = %.7f nats = %.7f bits", forward,
               forward / LN2, backward, backward / LN2);
    CHECK_NEAR(0.5 * log(0.5 / 0.3) + 0.5 * log(0.5 / 0.7), forward, 1e-15);
    CHECK_NEAR(0.0871766935723889, forward, 1e-13);
    CHECK_NEAR(0.0822828785050518, backward, 1e-13);
    CHECK_NEAR(0.125769383497982, forward / LN2, 1e-12); /* in bits */
    /* the slide's 0.872 and 0.823 are these values times ten, rounded */
    CHECK_NEAR(0.872, 10.0 * forward, 5e-4);
    CHECK_NEAR(0.823, 10.0 * backward, 5e-4);
}

/* CSC413 L10, "Entropy of a Coin Flip": a fair coin has log 2 nats = 1 bit, a fair die
 * log 6 = 2.585 bits, a letter drawn uniformly log 26 = 4.700 bits. */
static void test_entropy_examples(void)
{
    double coin[2] = { 0.5, 0.5 }, die[6], letters[26];
    for (size_t i = 0; i < 6; i++)
        die[i] = 1.0 / 6.0;
    for (size_t i = 0; i < 26; i++)
        letters[i] = 1.0 / 26.0;
    CHECK_NEAR(1.0, entropy(coin, 2) / LN2, 1e-14);
    CHECK_NEAR(log2(6.0), entropy(die, 6) / LN2, 1e-13);
    CHECK_NEAR(log2(26.0), entropy(letters, 26) / LN2, 1e-13);
    const double biased[3] = { 0.5, 0.25, 0.25 }; /* 0.5 log 2 + 2 (0.25 log 4) = 1.5 log 2 */
    CHECK_NEAR(1.5 * LN2, entropy(biased, 3), 1e-15);
}

/* 0 log 0 = 0: a certain outcome has no entropy, an outcome q never takes adds nothing to
 * KL(q || p), and q putting mass where p has none makes KL(q || p) infinite. */
static void test_zero_probabilities(void)
{
    const double certain[2] = { 1.0, 0.0 }, fair[2] = { 0.5, 0.5 };
    CHECK_NEAR(0.0, entropy(certain, 2), 0.0);
    CHECK_NEAR(LN2, kl_divergence(certain, fair, 2), 1e-15);
    double infinite = kl_divergence(fair, certain, 2);
    check_note("KL(fair || certain) = %g, expected +inf", infinite);
    CHECK(isinf(infinite) && infinite > 0.0);
}

/* Gibbs' inequality and its equality case, and the asymmetry, on random distributions:
 * KL(q || p) = sum q log q - sum q log p >= 0, = 0 only for q = p. */
static void test_kl_nonnegative_asymmetric(void)
{
    enum { N = 5, TRIALS = 200 };
    Rng rng;
    rng_seed(&rng, 41);
    size_t asymmetric = 0;
    for (size_t t = 0; t < TRIALS; t++) {
        double q[N], p[N], q_total = 0.0, p_total = 0.0, cross = 0.0;
        for (size_t i = 0; i < N; i++) {
            q_total += q[i] = rng_uniform(&rng) + 0.01;
            p_total += p[i] = rng_uniform(&rng) + 0.01;
        }
        for (size_t i = 0; i < N; i++) {
            q[i] /= q_total;
            p[i] /= p_total;
            cross -= q[i] * log(p[i]); /* H(q, p) */
        }
        double kl = kl_divergence(q, p, N);
        if (!CHECK(kl >= 0.0) || !CHECK_NEAR(cross - entropy(q, N), kl, 1e-12))
            return;
        CHECK_NEAR(0.0, kl_divergence(q, q, N), 1e-15);
        asymmetric += fabs(kl - kl_divergence(p, q, N)) > 1e-6;
    }
    CHECK_LONG(TRIALS, asymmetric);
}

/* ---- 4.2 the Gaussian KL through entropy and cross-entropy -------------------------------------- */

/* CSC413 L10's continuous example in one dimension, p = N(1, 4), q = N(-1, 1):
 *   H(p)     = (1/2)(log(2 pi 4) + 1)                                 = 2.1120857
 *   H(p, q)  = (1/2)(log(2 pi) + (4 + (1 - -1)^2) / 1)                 = 4.9189385
 *   KL(p||q) = log(sigma_q / sigma_p) + (sigma_p^2 + 4) / (2 sigma_q^2) - 1/2 = log(1/2) + 4 - 0.5 = 2.8068528
 *   KL(q||p) = log 2 + (1 + 4) / 8 - 1/2                                = 0.8181472 */
static void test_gaussian_by_hand(void)
{
    const double mean_p = 1.0, variance_p = 4.0, mean_q = -1.0, variance_q = 1.0;
    CHECK_NEAR(0.5 * (log(2.0 * M_PI * 4.0) + 1.0), gaussian_entropy(&variance_p, 1), 1e-14);
    CHECK_NEAR(0.5 * (log(2.0 * M_PI) + 8.0), gaussian_cross_entropy(&mean_p, &variance_p, &mean_q, &variance_q, 1),
               1e-14);
    CHECK_NEAR(log(0.5) + 3.5, gaussian_kl(&mean_p, &variance_p, &mean_q, &variance_q, 1), 1e-14);
    CHECK_NEAR(LN2 + 0.125, gaussian_kl(&mean_q, &variance_q, &mean_p, &variance_p, 1), 1e-14);
}

/* The diagonal KL is a sum over coordinates, zero from a distribution to itself, and
 * non-negative; the cross-entropy of p with itself is its entropy. */
static void test_gaussian_kl_properties(void)
{
    const double mean_p[3] = { 0.5, -1.0, 2.0 }, variance_p[3] = { 0.25, 2.0, 1.5 };
    const double mean_q[3] = { 0.0, 1.0, -0.5 }, variance_q[3] = { 1.0, 0.5, 3.0 };
    double sum = 0.0;
    for (size_t j = 0; j < 3; j++)
        sum += gaussian_kl(mean_p + j, variance_p + j, mean_q + j, variance_q + j, 1);
    CHECK_NEAR(sum, gaussian_kl(mean_p, variance_p, mean_q, variance_q, 3), 1e-13);
    CHECK_NEAR(0.0, gaussian_kl(mean_p, variance_p, mean_p, variance_p, 3), 1e-14);
    CHECK_NEAR(gaussian_entropy(variance_p, 3), gaussian_cross_entropy(mean_p, variance_p, mean_p, variance_p, 3),
               1e-14);
    CHECK(gaussian_kl(mean_p, variance_p, mean_q, variance_q, 3) > 0.0);
}

/* KL(p || q) = E_p[log p(z) - log q(z)]: the mean over S = 200,000 draws z ~ p is within
 * 5 standard errors of the closed form (the estimator is a mean of i.i.d. terms with finite
 * variance, so by the CLT a correct closed form fails with probability about 6e-7). */
static void test_gaussian_kl_monte_carlo(void)
{
    enum { S = 200000 };
    const double mean_p[3] = { 0.5, -1.0, 2.0 }, variance_p[3] = { 0.25, 2.0, 1.5 };
    const double mean_q[3] = { 0.0, 1.0, -0.5 }, variance_q[3] = { 1.0, 0.5, 3.0 };
    Rng rng;
    rng_seed(&rng, 42);
    double standard_error, estimate = gaussian_kl_monte_carlo(&standard_error, mean_p, variance_p, mean_q,
                                                              variance_q, 3, S, &rng);
    double exact = gaussian_kl(mean_p, variance_p, mean_q, variance_q, 3);
    check_note("closed form %.6f, Monte Carlo %.6f +- %.6f", exact, estimate, standard_error);
    CHECK_NEAR(exact, estimate, 5.0 * standard_error);
}

/* Means 40 standard deviations apart: KL(N(0, 1) || N(40, 1)) = 40^2 / 2 = 800, finite. */
static void test_gaussian_kl_far_apart(void)
{
    const double zero = 0.0, forty = 40.0, one = 1.0;
    CHECK_NEAR(800.0, gaussian_kl(&zero, &one, &forty, &one, 1), 1e-10);
}

/* ---- 4.3 the VAE's KL against N(0, I) --------------------------------------------------------- */

/* mu = (1, -2), log sigma^2 = (log 4, 0):
 *   KL = (1/2)[(1 + 4 - 1 - log 4) + (4 + 1 - 1 - 0)] = 4 - log 2 = 3.3068528 */
static void test_standard_kl_by_hand(void)
{
    const double mean[2] = { 1.0, -2.0 }, log_variance[2] = { log(4.0), 0.0 };
    CHECK_NEAR(4.0 - LN2, gaussian_kl_standard(mean, log_variance, 2), 1e-14);
    const double zero[2] = { 0.0, 0.0 };
    CHECK_NEAR(0.0, gaussian_kl_standard(zero, zero, 2), 0.0); /* q = p */
    /* sigma^2 = e^-3 alone: (1/2)(e^-3 - 1 + 3) = 1.0248935 */
    const double tight = -3.0;
    CHECK_NEAR(0.5 * (exp(-3.0) + 2.0), gaussian_kl_standard(zero, &tight, 1), 1e-14);
}

/* The same numbers as KL(p || N(0, I)) written with the general formula (here, not 4.2):
 * log(1 / sigma) + (sigma^2 + mu^2) / 2 - 1/2 per coordinate, for log-variances from -40 to 5. */
static void test_standard_kl_against_general_formula(void)
{
    const double log_variance[6] = { -40.0, -5.0, -0.7, 0.0, 1.3, 5.0 };
    const double mean[6] = { 0.0, 3.0, -0.4, 1.1, -2.5, 0.2 };
    double expected = 0.0;
    for (size_t j = 0; j < 6; j++) {
        double variance = exp(log_variance[j]);
        expected += -0.5 * log(variance) + 0.5 * (variance + mean[j] * mean[j]) - 0.5;
    }
    double got = gaussian_kl_standard(mean, log_variance, 6);
    check_note("a log-variance of -40 alone contributes (1/2)(e^-40 - 1 + 40) = 19.5");
    CHECK(isfinite(got));
    CHECK_NEAR(expected, got, 1e-12);
}

/* ---- Gaussians far in the tails ---------------------------------------------------------------- */

/* 40 standard deviations out, log N is about -800: finite, not -inf (a density in the
 * linear domain underflows below exp(-745)).  For N(mu, S) in 2-D with S = diag(4, 1), at
 * z = mu + (80, 0): log N = -(1/2)(2 log 2 pi + log 4 + 40^2). */
static void test_density_far_in_the_tails(void)
{
    Gaussian g;
    Error err;
    if (!CHECK(gaussian_init(&g, 2, &err)))
        return;
    g.mean[0] = 1.0;
    g.mean[1] = -2.0;
    g.covariance[0] = 4.0;
    CHECK(gaussian_factor(&g, &err));
    const double z[2] = { 81.0, -2.0 };
    double log_density = gaussian_log_density(&g, z);
    check_note("log N at 40 standard deviations: %g", log_density);
    CHECK_NEAR(-0.5 * (2.0 * log(2.0 * M_PI) + log(4.0) + 1600.0), log_density, 1e-10);
    gaussian_free(&g);
}

/* ---- reverse against forward KL -------------------------------------------------------------- */

/* p = (1/2) N(-3, 0.25) + (1/2) N(3, 0.25): modes 12 standard deviations apart, so that
 * each mode's mass near the other is below 1e-9 and the fits have exact answers:
 *   forward,  argmin KL(p || q): moments, m = 0, s^2 = 0.25 + 9 = 9.25;
 *   reverse,  argmin KL(q || p): one mode, m = +-3, s^2 = 0.25, and there
 *             KL(q || p) = E_q[log q - log((1/2) q)] = log 2. */
static bool bimodal(Gmm *p)
{
    Error err;
    if (!gmm_init(p, 2, 1, &err))
        return false;
    for (size_t k = 0; k < 2; k++) {
        p->component[k].mean[0] = k ? 3.0 : -3.0;
        p->component[k].covariance[0] = 0.25;
        p->weight[k] = 0.5;
    }
    return gmm_factor(p, &err);
}

static void test_forward_kl_matches_moments(void)
{
    Gmm p;
    if (!CHECK(bimodal(&p)))
        return;
    double mean, variance;
    fit_forward_kl(&mean, &variance, &p);
    CHECK_NEAR(0.0, mean, 1e-15);
    CHECK_NEAR(9.25, variance, 1e-14);
    gmm_free(&p);
}

static void test_reverse_kl_seeks_a_mode(void)
{
    Gmm p;
    Error err;
    if (!CHECK(bimodal(&p)))
        return;
    double mean, variance, forward_mean, forward_variance;
    fit_forward_kl(&forward_mean, &forward_variance, &p);
    for (int side = -1; side <= 1; side += 2) {
        if (!CHECK(fit_reverse_kl(&mean, &variance, &p, 0.5 * side, &err)))
            break;
        check_note("from %g: q = N(%.9f, %.9f)", 0.5 * side, mean, variance);
        CHECK_NEAR(3.0 * side, mean, 1e-6);
        CHECK_NEAR(0.25, variance, 1e-6);
        double reverse_kl = kl_normal_to_mixture(mean, variance, &p);
        CHECK_NEAR(LN2, reverse_kl, 1e-6);
        /* each fit is the better one under its own divergence */
        CHECK(reverse_kl < kl_normal_to_mixture(forward_mean, forward_variance, &p));
        CHECK(kl_mixture_to_normal(&p, forward_mean, forward_variance) < kl_mixture_to_normal(&p, mean, variance));
    }
    gmm_free(&p);
}

/* With one component the mixture is a Gaussian, and the quadratures must give the closed
 * form (1-D: log(s_2 / s_1) + (s_1^2 + (m_1 - m_2)^2) / (2 s_2^2) - 1/2), also 40 standard
 * deviations apart. */
static void test_kl_quadrature_against_closed_form(void)
{
    Gmm p;
    Error err;
    if (!CHECK(gmm_init(&p, 1, 1, &err)))
        return;
    p.component[0].mean[0] = 0.5;
    p.component[0].covariance[0] = 2.0;
    CHECK(gmm_factor(&p, &err));
    const double means[3] = { -1.0, 0.5, 0.5 + 40.0 * sqrt(2.0) }, variances[3] = { 0.3, 2.0, 2.0 };
    for (size_t c = 0; c < 3; c++) {
        double m = means[c], v = variances[c];
        double q_to_p = 0.5 * log(2.0 / v) + (v + (m - 0.5) * (m - 0.5)) / 4.0 - 0.5;
        double p_to_q = 0.5 * log(v / 2.0) + (2.0 + (m - 0.5) * (m - 0.5)) / (2.0 * v) - 0.5;
        CHECK_NEAR(q_to_p, kl_normal_to_mixture(m, v, &p), 1e-10 * fmax(1.0, q_to_p));
        CHECK_NEAR(p_to_q, kl_mixture_to_normal(&p, m, v), 1e-10 * fmax(1.0, p_to_q));
    }
    gmm_free(&p);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static void check_refused(bool accepted, const Error *err, const char *needle)
{
    CHECK(!accepted);
    if (!accepted)
        CHECK_CONTAINS(err->message, needle);
}

static void test_bad_distributions(void)
{
    Error err;
    const double outside[2] = { 1.5, -0.5 }, short_sum[2] = { 0.3, 0.6 }, with_nan[2] = { NAN, 1.0 };
    check_refused(probability_check(outside, 2, "q", &err), &err, "outside [0, 1]");
    check_refused(probability_check(short_sum, 2, "p", &err), &err, "sum to 0.9");
    check_refused(probability_check(with_nan, 2, "q", &err), &err, "not a probability");
    check_refused(probability_check(short_sum, 0, "q", &err), &err, "no outcomes");
    const double fine[2] = { 0.3, 0.7 };
    CHECK(probability_check(fine, 2, "p", &err));
}

static void test_bad_variances(void)
{
    Error err;
    const double zero[1] = { 0.0 }, negative[2] = { 1.0, -1.0 }, nan[1] = { NAN }, infinite[1] = { INFINITY };
    check_refused(variance_check(zero, 1, &err), &err, "finite and > 0");
    check_refused(variance_check(negative, 2, &err), &err, "variance 1 is -1");
    check_refused(variance_check(nan, 1, &err), &err, "finite and > 0");
    check_refused(variance_check(infinite, 1, &err), &err, "finite and > 0");
}

static void test_singular_covariance(void)
{
    Gaussian g;
    Error err;
    if (!CHECK(gaussian_init(&g, 2, &err)))
        return;
    const double rank_one[4] = { 1.0, 1.0, 1.0, 1.0 }, indefinite[4] = { 1.0, 2.0, 2.0, 1.0 };
    memcpy(g.covariance, rank_one, sizeof rank_one);
    check_refused(gaussian_factor(&g, &err), &err, "singular");
    memcpy(g.covariance, indefinite, sizeof indefinite);
    check_refused(gaussian_factor(&g, &err), &err, "singular");
    double inverse[4];
    check_refused(spd_inverse(inverse, rank_one, 2, &err), &err, "singular");
    gaussian_free(&g);
}

static const TestCase tests[] = {
    { "KL of CSC413's coins: 0.0872 and 0.0823 nats (the slide's 0.872, 0.823 are 10x)", "4.1", test_coins },
    { "entropy of a coin, a die, a letter: 1, 2.585, 4.700 bits", "4.1", test_entropy_examples },
    { "0 log 0 = 0; KL is +inf where p = 0 < q", "4.1", test_zero_probabilities },
    { "KL(q || p) = H(q, p) - H(q) >= 0, = 0 at q = p, asymmetric", "4.1", test_kl_nonnegative_asymmetric },
    { "Gaussian entropy, cross-entropy and KL in both directions, by hand", "4.2", test_gaussian_by_hand },
    { "diagonal Gaussian KL: a sum over coordinates, 0 at p = q", "4.2", test_gaussian_kl_properties },
    { "Gaussian KL: Monte Carlo within 5 standard errors of the closed form", "4.2", test_gaussian_kl_monte_carlo },
    { "Gaussian KL with means 40 standard deviations apart is 800", "4.2", test_gaussian_kl_far_apart },
    { "KL(N(mu, sigma^2) || N(0, I)) from a log-variance, by hand", "4.3", test_standard_kl_by_hand },
    { "KL against N(0, I) matches the general formula, log-variances -40 .. 5", "4.3",
      test_standard_kl_against_general_formula },
    { "log N(z) 40 standard deviations out is finite and exact", NULL, test_density_far_in_the_tails },
    { "forward KL fit = moment matching (mass-covering)", NULL, test_forward_kl_matches_moments },
    { "reverse KL fit lands on one mode (mode-seeking), KL = log 2", NULL, test_reverse_kl_seeks_a_mode },
    { "KL by quadrature = closed form for one component, also 40 sd apart", NULL,
      test_kl_quadrature_against_closed_form },
    { "probability_check refuses p outside [0, 1], NaN, a sum not 1, no outcomes", NULL, test_bad_distributions },
    { "variance_check refuses 0, negative, NaN and infinite variances", NULL, test_bad_variances },
    { "a singular or indefinite covariance is refused", NULL, test_singular_covariance },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("04-elbo divergences", tests, argc, argv);
}
