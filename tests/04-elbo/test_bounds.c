/* tests/04-elbo/test_bounds.c — chapter 4: the linear-Gaussian model, where every quantity
 * of the ELBO story has a closed form (Louppe L11, Wu L6, CSC413 L10):
 *
 *     log p(x) = ELBO(q) + KL(q || p(z | x))      for every Gaussian q, to 1e-10,
 *
 * the Monte Carlo ELBO, importance sampling and the k-sample bound.  log p(x) is computed
 * from the D-dimensional marginal N(b, W W^T + sigma^2 I), the posterior from the
 * d-dimensional M = W^T W + sigma^2 I, the ELBO from its three expectations: three routes
 * that only agree if each is right.  Statistical checks use fixed seeds and bounds of 5
 * standard errors, derived where they are used.  Uses lib/ and chapter 4 only.
 */
#include <math.h>
#include <stdlib.h>

#include "elbo.h"
#include "harness.h"
#include "matrix.h"
#include "numerics.h"

/* ---- random models and distributions ------------------------------------------------------- */

/* W ~ N(0, 1) entries, b ~ N(0, 1), sigma^2 = `variance`, and x drawn from the model. */
static bool random_model(LinearGaussian *model, double *x, size_t D, size_t d, double variance, Rng *rng)
{
    Error err;
    if (!CHECK(linear_gaussian_init(model, D, d, variance, &err)))
        return false;
    rng_fill_normal(rng, model->W, D * d, 0.0, 1.0);
    rng_fill_normal(rng, model->b, D, 0.0, 1.0);
    double z[8];
    rng_fill_normal(rng, z, d, 0.0, 1.0);
    for (size_t i = 0; i < D; i++)
        x[i] = model->b[i] + vector_dot(model->W + i * d, z, d) + sqrt(variance) * rng_normal(rng);
    return true;
}

/* q = N(m, A A^T + 0.1 I) with m and A of N(0, 1) entries: any Gaussian, full covariance. */
static bool random_gaussian(Gaussian *q, size_t d, Rng *rng)
{
    Error err;
    if (!CHECK(gaussian_init(q, d, &err)))
        return false;
    double A[64];
    rng_fill_normal(rng, q->mean, d, 0.0, 1.0);
    rng_fill_normal(rng, A, d * d, 0.0, 1.0);
    vector_zero(q->covariance, d * d);
    matrix_multiply_bt_add(q->covariance, A, A, d, d, d);
    for (size_t j = 0; j < d; j++)
        q->covariance[j * d + j] += 0.1;
    return CHECK(gaussian_factor(q, &err));
}

/* The exact posterior (exercise 4.4), factored; false (and a failed check) if it is not a
 * Gaussian. */
static bool posterior_of(Gaussian *posterior, const LinearGaussian *model, const double *x)
{
    Error err;
    if (!CHECK(gaussian_init(posterior, model->d, &err)))
        return false;
    if (CHECK(linear_gaussian_posterior(posterior, model, x, &err)) && CHECK(gaussian_factor(posterior, &err)))
        return true;
    check_note("the posterior: %s", err.message);
    gaussian_free(posterior);
    return false;
}

static double exact_log_evidence(const LinearGaussian *model, const double *x)
{
    Gaussian marginal;
    Error err;
    if (!CHECK(linear_gaussian_marginal(&marginal, model, &err)))
        return NAN;
    double log_p = gaussian_log_density(&marginal, x);
    gaussian_free(&marginal);
    return log_p;
}

/* ---- the model's own pieces (not exercises) ------------------------------------------------- */

/* D = d = 1: x = w z + b + sigma eps has p(x) = N(b, w^2 + sigma^2), from lib's scalar density. */
static void test_marginal_one_dimensional(void)
{
    LinearGaussian model;
    Error err;
    if (!CHECK(linear_gaussian_init(&model, 1, 1, 0.5, &err)))
        return;
    model.W[0] = 2.0;
    model.b[0] = 1.0;
    const double x = 3.0;
    CHECK_NEAR(log_normal_density(x, 1.0, 4.5), exact_log_evidence(&model, &x), 1e-14);
    const double z = 0.7; /* log p(x, z) = log N(x; 2 z + 1, 0.5) + log N(z; 0, 1) */
    CHECK_NEAR(log_normal_density(x, 2.4, 0.5) + log_normal_density(z, 0.0, 1.0),
               linear_gaussian_log_joint(&model, &x, &z), 1e-14);
    linear_gaussian_free(&model);
}

/* ---- 4.4 the exact posterior -------------------------------------------------------------- */

/* D = d = 1, w = 2, b = 1, sigma^2 = 0.5, x = 3:  M = w^2 + sigma^2 = 4.5,
 *   S = sigma^2 / M = 1/9,   m = w (x - b) / M = 4 / 4.5 = 8/9. */
static void test_posterior_by_hand(void)
{
    LinearGaussian model;
    Gaussian posterior;
    Error err;
    if (!CHECK(linear_gaussian_init(&model, 1, 1, 0.5, &err)))
        return;
    model.W[0] = 2.0;
    model.b[0] = 1.0;
    const double x = 3.0;
    if (posterior_of(&posterior, &model, &x)) {
        CHECK_NEAR(8.0 / 9.0, posterior.mean[0], 1e-15);
        CHECK_NEAR(1.0 / 9.0, posterior.covariance[0], 1e-15);
        gaussian_free(&posterior);
    }
    linear_gaussian_free(&model);
}

/* Bayes' rule at any z: log p(z | x) = log p(x, z) - log p(x), for D = 5, d = 3. */
static void test_posterior_is_bayes_rule(void)
{
    enum { D = 5, d = 3, POINTS = 6 };
    Rng rng;
    rng_seed(&rng, 31);
    LinearGaussian model;
    Gaussian posterior;
    double x[D], z[d];
    if (!random_model(&model, x, D, d, 0.3, &rng))
        return;
    if (posterior_of(&posterior, &model, x)) {
        double log_evidence = exact_log_evidence(&model, x);
        for (size_t t = 0; t < POINTS; t++) {
            rng_fill_normal(&rng, z, d, 0.0, 1.0);
            double expected = linear_gaussian_log_joint(&model, x, z) - log_evidence;
            CHECK_NEAR(expected, gaussian_log_density(&posterior, z), 1e-10);
        }
        gaussian_free(&posterior);
    }
    linear_gaussian_free(&model);
}

/* The identity of Louppe L11 and Wu L6, log p(x) = ELBO(q) + KL(q || p(z | x)), for 20
 * random models (D = 2 .. 6, d = 1 .. 3, sigma^2 from 0.05 to 2) and random Gaussians q
 * with full covariances; the ELBO is below log p(x), and equal to it at q = p(z | x). */
static void test_elbo_identity(void)
{
    enum { TRIALS = 20 };
    Rng rng;
    rng_seed(&rng, 32);
    double worst = 0.0;
    for (size_t t = 0; t < TRIALS; t++) {
        size_t D = 2 + t % 5, d = 1 + t % 3;
        double variance = 0.05 + 2.0 * rng_uniform(&rng), x[8];
        LinearGaussian model;
        Gaussian q, posterior;
        if (!random_model(&model, x, D, d, variance, &rng))
            return;
        bool ok = random_gaussian(&q, d, &rng);
        if (ok && posterior_of(&posterior, &model, x)) {
            double log_evidence = exact_log_evidence(&model, x), elbo = linear_gaussian_elbo(&model, x, &q);
            double gap = gaussian_kl_full(&q, &posterior);
            worst = fmax(worst, fabs(log_evidence - (elbo + gap)));
            check_note("trial %zu: log p(x) = %.12f, ELBO = %.12f, KL = %.12f", t, log_evidence, elbo, gap);
            CHECK_NEAR(log_evidence, elbo + gap, 1e-10);
            CHECK(elbo < log_evidence);
            CHECK_NEAR(log_evidence, linear_gaussian_elbo(&model, x, &posterior), 1e-10); /* tight at p(z | x) */
            gaussian_free(&posterior);
        }
        if (ok)
            gaussian_free(&q);
        linear_gaussian_free(&model);
    }
    check_note("largest |log p(x) - ELBO - KL| = %.3g", worst);
}

/* ---- 4.5 the Monte Carlo ELBO -------------------------------------------------------------- */

/* A deliberately wrong q: the posterior's mean moved by 1.5 posterior standard deviations
 * in each coordinate, and its covariance doubled.  The weights w = p(x) p(z | x) / q(z) then have a finite variance:
 * E_q[w^2] = p(x)^2 int p(z | x)^2 / q(z) dz is finite when 2 S_post^-1 - S_q^-1 is positive
 * definite, here 2 S_post^-1 - S_post^-1 / 2. */
static bool wrong_proposal(Gaussian *q, const Gaussian *posterior)
{
    Error err;
    size_t d = posterior->d;
    if (!CHECK(gaussian_init(q, d, &err)))
        return false;
    for (size_t j = 0; j < d; j++)
        q->mean[j] = posterior->mean[j] + 1.5 * sqrt(posterior->covariance[j * d + j]);
    for (size_t j = 0; j < d * d; j++)
        q->covariance[j] = 2.0 * posterior->covariance[j];
    return CHECK(gaussian_factor(q, &err));
}

typedef struct Problem {
    LinearGaussian model;
    double x[3];
    Gaussian posterior, q; /* the exact posterior, and the wrong proposal above */
    double log_evidence;   /* log p(x), exact */
} Problem;

/* D = 3, d = 2, sigma^2 = 0.2 */
static bool problem_init(Problem *problem, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    if (!random_model(&problem->model, problem->x, 3, 2, 0.2, &rng))
        return false;
    if (!posterior_of(&problem->posterior, &problem->model, problem->x)) {
        linear_gaussian_free(&problem->model);
        return false;
    }
    if (!wrong_proposal(&problem->q, &problem->posterior)) {
        gaussian_free(&problem->posterior);
        linear_gaussian_free(&problem->model);
        return false;
    }
    problem->log_evidence = exact_log_evidence(&problem->model, problem->x);
    return true;
}

static void problem_free(Problem *problem)
{
    gaussian_free(&problem->q);
    gaussian_free(&problem->posterior);
    linear_gaussian_free(&problem->model);
}

/* The mean of S = 100,000 log-weights is within 5 of its standard errors of the closed-form
 * ELBO (a mean of i.i.d. terms: the CLT gives a false failure below 6e-7), and the standard
 * error is sqrt(Var log w / S), with Var measured here on another 100,000 draws (its own
 * relative error is about sqrt(kurtosis / 4S) < 1%, far inside the 10% allowed). */
static void test_monte_carlo_elbo(void)
{
    enum { S = 100000 };
    Problem problem;
    if (!problem_init(&problem, 33))
        return;
    Rng rng;
    Error err;
    rng_seed(&rng, 34);
    double elbo = NAN, standard_error = NAN, exact = linear_gaussian_elbo(&problem.model, problem.x, &problem.q);
    CHECK(elbo_monte_carlo(&elbo, &standard_error, &problem.model, problem.x, &problem.q, S, &rng, &err));
    check_note("closed form %.6f, Monte Carlo %.6f +- %.6f, log p(x) = %.6f", exact, elbo, standard_error,
               problem.log_evidence);
    CHECK_NEAR(exact, elbo, 5.0 * standard_error);
    double sum = 0.0, squares = 0.0, z[2];
    for (size_t s = 0; s < S; s++) {
        gaussian_sample(z, &problem.q, &rng);
        double log_w = log_importance_weight(&problem.model, problem.x, &problem.q, z);
        sum += log_w;
        squares += log_w * log_w;
    }
    double variance = squares / S - (sum / S) * (sum / S);
    CHECK_RELATIVE(sqrt(variance / S), standard_error, 0.1);
    problem_free(&problem);
}

/* At q = p(z | x) every log-weight is log p(x, z) - log p(z | x) = log p(x): the estimate is
 * exact and its standard error 0, from any number of draws.  (0 up to rounding: a variance
 * taken as sum(log w^2)/S - mean^2 cancels two numbers near log p(x)^2 = 16 and keeps an
 * error of a few eps 16, so the standard error can be sqrt(1e-14 / 50) = 1.4e-8.) */
static void test_monte_carlo_elbo_at_the_posterior(void)
{
    Problem problem;
    if (!problem_init(&problem, 35))
        return;
    Rng rng;
    Error err;
    rng_seed(&rng, 36);
    double elbo = NAN, standard_error = NAN;
    CHECK(elbo_monte_carlo(&elbo, &standard_error, &problem.model, problem.x, &problem.posterior, 50, &rng, &err));
    CHECK_NEAR(problem.log_evidence, elbo, 1e-10);
    CHECK_NEAR(0.0, standard_error, 1e-6);
    problem_free(&problem);
}

/* ---- 4.6 importance sampling and the k-sample bound -------------------------------------------- */

/* At q = p(z | x) every weight is p(x): L_k = log p(x) exactly, for every k. */
static void test_bound_exact_at_the_posterior(void)
{
    Problem problem;
    if (!problem_init(&problem, 37))
        return;
    Rng rng;
    Error err;
    rng_seed(&rng, 38);
    const size_t ks[3] = { 1, 7, 100 };
    for (size_t i = 0; i < 3; i++) {
        double bound = NAN;
        CHECK(k_sample_bound(&bound, &problem.model, problem.x, &problem.posterior, ks[i], &rng, &err));
        CHECK_NEAR(problem.log_evidence, bound, 1e-10);
    }
    problem_free(&problem);
}

/* Importance sampling is unbiased (Wu L6, idea #1): exp(L_10) = (1/10) sum_i w_i has mean
 * p(x).  Over n = 20,000 repetitions the mean is within 5 of its standard errors of the
 * exact p(x) (the weights have a finite variance for this q, see wrong_proposal; the CLT
 * gives a false failure below 6e-7).  The geometric mean exp((1/10) sum_i log w_i) is not. */
static void test_importance_sampling_unbiased(void)
{
    enum { REPEATS = 20000, K = 10 };
    Problem problem;
    if (!problem_init(&problem, 39))
        return;
    Rng rng;
    Error err;
    rng_seed(&rng, 40);
    double sum = 0.0, squares = 0.0;
    for (size_t r = 0; r < REPEATS; r++) {
        double bound = NAN;
        if (!CHECK(k_sample_bound(&bound, &problem.model, problem.x, &problem.q, K, &rng, &err)))
            break;
        double estimate = exp(bound - problem.log_evidence); /* p^(x) / p(x), to keep the scale 1 */
        sum += estimate;
        squares += estimate * estimate;
    }
    double mean = sum / REPEATS, standard_error = sqrt((squares / REPEATS - mean * mean) / REPEATS);
    check_note("E[p^(x)] / p(x) = %.5f +- %.5f (p(x) = %.6g)", mean, standard_error, exp(problem.log_evidence));
    CHECK_NEAR(1.0, mean, 5.0 * standard_error);
    problem_free(&problem);
}

/* Jensen (Wu L6, idea #2) and "more than one sample for a tighter lower bound": the means
 * of L_k over R repetitions, k = 1, 10, 100, are each below log p(x) (within 5 standard
 * errors), L_1's is the closed-form ELBO, and they rise with k by more than 5 standard
 * errors of the difference each time.  Measured with seed 42: E[L_1] = -8.18 +- 0.10,
 * E[L_10] = -4.23 +- 0.04, E[L_100] = -3.29 +- 0.01, log p(x) = -3.11, so the rises are 37
 * and 25 standard errors: a correct solution with other draws falls under 5 with a
 * probability far below 1e-20.  The mean of the log-weights instead of their log-mean-exp
 * does not rise at all. */
static void test_bound_rises_with_k(void)
{
    enum { REPEATS = 2000, CASES = 3 };
    const size_t ks[CASES] = { 1, 10, 100 };
    Problem problem;
    if (!problem_init(&problem, 41))
        return;
    Rng rng;
    Error err;
    rng_seed(&rng, 42);
    double mean[CASES], standard_error[CASES];
    for (size_t c = 0; c < CASES; c++) {
        double sum = 0.0, squares = 0.0;
        for (size_t r = 0; r < REPEATS; r++) {
            double bound = NAN;
            if (!CHECK(k_sample_bound(&bound, &problem.model, problem.x, &problem.q, ks[c], &rng, &err)))
                break;
            sum += bound;
            squares += bound * bound;
        }
        mean[c] = sum / REPEATS;
        standard_error[c] = sqrt((squares / REPEATS - mean[c] * mean[c]) / REPEATS);
        check_note("k = %3zu: E[L_k] = %.4f +- %.4f   (log p(x) = %.4f)", ks[c], mean[c], standard_error[c],
                   problem.log_evidence);
        CHECK_BELOW(mean[c], problem.log_evidence + 5.0 * standard_error[c]);
    }
    CHECK_NEAR(linear_gaussian_elbo(&problem.model, problem.x, &problem.q), mean[0], 5.0 * standard_error[0]);
    for (size_t c = 1; c < CASES; c++)
        CHECK(mean[c] - mean[c - 1] > 5.0 * hypot(standard_error[c], standard_error[c - 1]));
    problem_free(&problem);
}

/* ---- bad input ------------------------------------------------------------------------------- */

/* Refused before any sampling, so no exercise is needed: any model, q = N(0, I). */
static void test_bad_sample_counts(void)
{
    LinearGaussian model;
    Gaussian q;
    Rng rng;
    Error err;
    double x[3] = { 0.0, 0.0, 0.0 }, value = 0.0, standard_error = 0.0;
    if (!CHECK(linear_gaussian_init(&model, 3, 2, 1.0, &err)))
        return;
    if (CHECK(gaussian_init(&q, 2, &err))) {
        rng_seed(&rng, 44);
        CHECK(!k_sample_bound(&value, &model, x, &q, 0, &rng, &err));
        CHECK_CONTAINS(err.message, "k >= 1");
        CHECK(!elbo_monte_carlo(&value, &standard_error, &model, x, &q, 1, &rng, &err));
        CHECK_CONTAINS(err.message, "S >= 2");
        gaussian_free(&q);
    }
    linear_gaussian_free(&model);
}

static void test_bad_model(void)
{
    LinearGaussian model;
    Error err;
    CHECK(!linear_gaussian_init(&model, 3, 2, 0.0, &err));
    CHECK_CONTAINS(err.message, "sigma^2");
    CHECK(!linear_gaussian_init(&model, 3, 2, -1.0, &err));
    CHECK_CONTAINS(err.message, "finite and > 0");
    CHECK(!linear_gaussian_init(&model, 0, 2, 1.0, &err));
    CHECK_CONTAINS(err.message, "D >= 1");
}

static const TestCase tests[] = {
    { "p(x) and p(x, z) of a 1-D linear-Gaussian model", NULL, test_marginal_one_dimensional },
    { "posterior by hand: m = 8/9, S = 1/9", "4.4", test_posterior_by_hand },
    { "posterior = Bayes' rule: log p(z | x) = log p(x, z) - log p(x)", "4.4", test_posterior_is_bayes_rule },
    { "log p(x) = ELBO(q) + KL(q || p(z | x)) to 1e-10; tight at the posterior", "4.4", test_elbo_identity },
    { "Monte Carlo ELBO within 5 standard errors; the standard error is right", "4.5 needs 4.4", test_monte_carlo_elbo },
    { "Monte Carlo ELBO at q = p(z | x) is log p(x) with no spread", "4.5 needs 4.4", test_monte_carlo_elbo_at_the_posterior },
    { "k-sample bound at q = p(z | x) is log p(x) for every k", "4.6 needs 4.4", test_bound_exact_at_the_posterior },
    { "importance sampling: E[(1/k) sum w_i] = p(x) within 5 standard errors", "4.6 needs 4.4",
      test_importance_sampling_unbiased },
    { "k-sample bound: E[L_1] = ELBO < E[L_10] < E[L_100] <= log p(x)", "4.6 needs 4.4", test_bound_rises_with_k },
    { "k = 0 and S < 2 samples are refused", NULL, test_bad_sample_counts },
    { "a non-positive sigma^2 or an empty model is refused", NULL, test_bad_model },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("04-elbo bounds", tests, argc, argv);
}
