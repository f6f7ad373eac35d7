/* tests/05-estimators/test_estimators.c — chapter 5: gradient estimators, their exact
 * variances, the inverse-CDF draw, log q through the change of variables, the ELBO.
 *
 * How the statistical tests are fair (docs/design.md, "Tests and grading"):
 *   - Every estimator is called R times on a fixed seed; the test looks only at the mean
 *     and the variance of what comes back, never at the order in which random numbers were
 *     drawn, so any valid way of drawing eps (rng_normal one by one, rng_fill_normal, a
 *     helper) passes.
 *   - A mean is checked against the exact gradient within Z_BOUND = 5 standard errors,
 *     sqrt(v / R) with v the estimator's exact variance.  A sample variance s^2 is checked
 *     against the exact variance v within 5 of its own standard errors, sqrt((mu4 - v^2) / R),
 *     with mu4 = E[(g - E g)^4] the estimator's fourth central moment: computed exactly by
 *     quadrature over eps where the estimate is a function of one eps (1-D, one draw), and
 *     estimated from the R values otherwise (d > 1, leave-one-out).
 *   - Both statistics are averages of R >= 20,000 independent terms, so they are close to
 *     normal: a correct solution fails one check with probability about 6e-7 (two-sided
 *     5 sigma), and the whole suite (64 such checks) with probability below 4e-5.
 *   - The seeds are not tuned: VAELAB_SEED_OFFSET=k adds k to every seed, and
 *     `for k in 1 2 3 4 5; do VAELAB_SEED_OFFSET=$k build/solutions/tests/05-estimators/test_estimators || exit 1; done`
 *     runs the suite under five other seeds (tests/05-estimators/seeds.sh does exactly this).
 *
 * The exact numbers come from three places that do not share code: the chapter's closed
 * forms (exact_moments), the same quantities by quadrature of the per-draw estimator over
 * eps written out here, and the hand-derived formulas of docs/derivations.md for
 * f = (z - k)^2.  Uses lib/ and chapter 5 only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "estimators.h"
#include "harness.h"
#include "numerics.h"

static const double Z_BOUND = 5.0;
enum { REPLICATIONS = 40000 };

/* Every seed is base + VAELAB_SEED_OFFSET (default 0): the suite under other seeds. */
static void seed(Rng *rng, unsigned base)
{
    const char *offset = getenv("VAELAB_SEED_OFFSET");
    rng_seed(rng, base + (offset ? strtoull(offset, NULL, 10) : 0) * 1000003u);
}

/* ---- quadrature over eps ~ N(0, 1): the test's own exact expectations --------------------- */

/* E[h(eps)] by Simpson's rule on [-16, 16] with step 1e-3 (the tail beyond carries
 * less than 1e-50 of the mass; every h here grows at most like exp(4 |eps|)). */
static double expect(double (*h)(double eps, const void *context), const void *context)
{
    const double a = -16.0, step = 1e-3;
    const int intervals = 32000;
    double sum = 0.0;
    for (int i = 0; i <= intervals; i++) {
        double eps = a + step * i, weight = (i == 0 || i == intervals) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        sum += weight * exp(log_normal_density(eps, 0.0, 1.0)) * h(eps, context);
    }
    return sum * step / 3.0;
}

/* One draw of one estimator in 1-D, as a function of its eps (written here from the
 * definitions, not taken from the chapter). */
typedef struct OneDraw {
    EstimatorKind kind;
    const TestFunction *f;
    double mu, sigma, baseline;
    bool for_sigma; /* the sigma component, else the mu component */
    double center;  /* subtracted before raising to `power` */
    int power;
} OneDraw;

static double one_draw(double eps, const void *context)
{
    const OneDraw *c = context;
    double z = c->mu + c->sigma * eps, g;
    if (c->kind == ESTIMATOR_PATHWISE) {
        g = test_function_derivative(c->f, z) * (c->for_sigma ? eps : 1.0);
    } else {
        double score = c->for_sigma ? (eps * eps - 1.0) / c->sigma : eps / c->sigma;
        double b = c->kind == ESTIMATOR_BASELINE ? c->baseline : 0.0;
        g = (test_function_value(c->f, z) - b) * score;
    }
    return pow(g - c->center, c->power);
}

static double f_of_z(double eps, const void *context)
{
    const OneDraw *c = context;
    return test_function_value(c->f, c->mu + c->sigma * eps);
}

typedef struct DrawMoments {
    double mean, variance, fourth; /* E g, Var g, E[(g - E g)^4] of one draw */
} DrawMoments;

/* The moments of one draw of `kind` (1-D, the baseline b = E[f]) by quadrature. */
static DrawMoments draw_moments(EstimatorKind kind, const TestFunction *f, double mu, double sigma, bool for_sigma)
{
    OneDraw c = { kind, f, mu, sigma, 0.0, for_sigma, 0.0, 1 };
    c.baseline = expect(f_of_z, &c);
    DrawMoments m;
    m.mean = expect(one_draw, &c);
    c.center = m.mean;
    c.power = 2;
    m.variance = expect(one_draw, &c);
    c.power = 4;
    m.fourth = expect(one_draw, &c);
    return m;
}

/* ---- replications -------------------------------------------------------------------------- */

/* R estimates of one estimator from n draws each; component 0 of grad_mu and grad_sigma kept. */
typedef struct Replicates {
    double *mu, *sigma; /* (R) */
    size_t R;
} Replicates;

static Replicates replicate(EstimatorKind kind, const TestFunction *f, double mu, double sigma, size_t d, size_t n,
                            size_t R, unsigned seed_base)
{
    Replicates r = { malloc(R * sizeof(double)), malloc(R * sizeof(double)), R };
    double *mu_vector = malloc(d * sizeof(double)), *sigma_vector = malloc(d * sizeof(double));
    double *grad_mu = malloc(d * sizeof(double)), *grad_sigma = malloc(d * sizeof(double));
    EstimatorScratch scratch;
    Error err;
    if (!r.mu || !r.sigma || !mu_vector || !sigma_vector || !grad_mu || !grad_sigma
        || !estimator_scratch_init(&scratch, d, n, &err))
        abort();
    for (size_t j = 0; j < d; j++) {
        mu_vector[j] = mu;
        sigma_vector[j] = sigma;
    }
    Integrand integrand = test_function_integrand(f);
    double baseline = test_function_expectation(f, mu, sigma, d);
    Rng rng;
    seed(&rng, seed_base);
    for (size_t i = 0; i < R; i++) {
        estimate_gradient(grad_mu, grad_sigma, kind, &integrand, baseline, mu_vector, sigma_vector, n, &scratch,
                          &rng);
        r.mu[i] = grad_mu[0];
        r.sigma[i] = grad_sigma[0];
    }
    estimator_scratch_free(&scratch);
    free(mu_vector);
    free(sigma_vector);
    free(grad_mu);
    free(grad_sigma);
    return r;
}

static void replicates_free(Replicates *r)
{
    free(r->mu);
    free(r->sigma);
}

typedef struct SampleMoments {
    double mean, variance, fourth; /* (1/R) sums: mean, central second and fourth moments */
} SampleMoments;

static SampleMoments sample_moments(const double *x, size_t R)
{
    SampleMoments m = { 0.0, 0.0, 0.0 };
    for (size_t i = 0; i < R; i++)
        m.mean += x[i] / (double)R;
    for (size_t i = 0; i < R; i++) {
        double e = (x[i] - m.mean) * (x[i] - m.mean);
        m.variance += e / (double)R;
        m.fourth += e * e / (double)R;
    }
    return m;
}

/* The sample mean within 5 standard errors sqrt(v / R) of the exact gradient. */
static bool check_mean(const char *what, const SampleMoments *m, double gradient, double variance, size_t R)
{
    double se = sqrt(variance / (double)R);
    if (!CHECK_NEAR(gradient, m->mean, Z_BOUND * se)) {
        check_note("%s: mean %.6g, exact gradient %.6g, standard error %.3g", what, m->mean, gradient, se);
        return false;
    }
    return true;
}

/* The sample variance within 5 of its standard errors sqrt((mu4 - v^2) / R) of the exact v. */
static bool check_variance(const char *what, const SampleMoments *m, double variance, double fourth, size_t R)
{
    double se = sqrt(fmax(fourth - variance * variance, 0.0) / (double)R); /* mu4 >= v^2 */
    if (!CHECK_NEAR(variance, m->variance, Z_BOUND * se)) {
        check_note("%s: sample variance %.6g, exact %.6g, its standard error %.3g", what, m->variance, variance, se);
        return false;
    }
    return true;
}

/* One estimator in 1-D with one draw per estimate: mean and variance of both components
 * against exact_moments, and exact_moments against the quadrature. */
static void check_one_dimension(EstimatorKind kind, const TestFunction *f, double mu, double sigma, unsigned seed_base)
{
    char name[64];
    test_function_describe(name, sizeof name, f);
    check_note("%s, f = %s, mu = %g, sigma = %g, one draw, %d estimates", estimator_name(kind), name, mu, sigma,
               REPLICATIONS);
    ExactMoments exact = exact_moments(kind, f, mu, sigma, 1, 1);
    Replicates r = replicate(kind, f, mu, sigma, 1, 1, REPLICATIONS, seed_base);
    for (int component = 0; component < 2; component++) {
        bool for_sigma = component == 1;
        DrawMoments q = draw_moments(kind, f, mu, sigma, for_sigma);
        double gradient = for_sigma ? exact.gradient_sigma : exact.gradient_mu;
        double variance = for_sigma ? exact.variance_sigma : exact.variance_mu;
        SampleMoments m = sample_moments(for_sigma ? r.sigma : r.mu, r.R);
        const char *what = for_sigma ? "d/dsigma" : "d/dmu";
        CHECK_RELATIVE(q.mean, gradient, 1e-7); /* closed form against quadrature */
        CHECK_RELATIVE(q.variance, variance, 1e-7);
        check_mean(what, &m, gradient, variance, r.R);
        check_variance(what, &m, variance, q.fourth, r.R);
    }
    replicates_free(&r);
}

/* In d dimensions (f summed over coordinates), coordinate 1 from n draws per estimate:
 * mean and variance against exact_moments; the fourth moment estimated from the sample. */
static void check_dimensions(EstimatorKind kind, const TestFunction *f, double mu, double sigma, size_t d, size_t n,
                             size_t R, unsigned seed_base)
{
    ExactMoments exact = exact_moments(kind, f, mu, sigma, d, n);
    Replicates r = replicate(kind, f, mu, sigma, d, n, R, seed_base);
    check_note("%s, d = %zu, n = %zu: exact variances %.6g (mu), %.6g (sigma)", estimator_name(kind), d, n,
               exact.variance_mu, exact.variance_sigma);
    SampleMoments m_mu = sample_moments(r.mu, R), m_sigma = sample_moments(r.sigma, R);
    check_mean("d/dmu_1", &m_mu, exact.gradient_mu, exact.variance_mu, R);
    check_mean("d/dsigma_1", &m_sigma, exact.gradient_sigma, exact.variance_sigma, R);
    check_variance("d/dmu_1", &m_mu, exact.variance_mu, m_mu.fourth, R);
    check_variance("d/dsigma_1", &m_sigma, exact.variance_sigma, m_sigma.fourth, R);
    replicates_free(&r);
}

static const TestFunction QUADRATIC = { TEST_QUADRATIC, 1.0 };   /* (z - 1)^2 */
static const TestFunction EXPONENTIAL = { TEST_EXPONENTIAL, 0.5 }; /* exp(z / 2) */
static const TestFunction COSINE = { TEST_COSINE, 3.0 };         /* cos(3 z) */

/* ---- the closed forms (not an exercise) ------------------------------------------------------- */

static void test_normal_moments(void)
{
    const double expected[] = { 1, 0, 1, 0, 3, 0, 15, 0, 105, 0, 945 };
    for (unsigned n = 0; n <= 10; n++)
        CHECK_NEAR(expected[n], normal_moment(n), 0.0);
}

/* exact_moments against quadrature for every estimator, function and component (1-D). */
static void test_closed_forms_against_quadrature(void)
{
    const TestFunction *functions[] = { &QUADRATIC, &EXPONENTIAL, &COSINE };
    const double settings[][2] = { { 0.3, 0.5 }, { 2.0, 1.5 }, { -1.0, 0.2 } }; /* (mu, sigma) */
    const EstimatorKind kinds[] = { ESTIMATOR_SCORE, ESTIMATOR_BASELINE, ESTIMATOR_PATHWISE };
    for (size_t i = 0; i < 3; i++)
        for (size_t s = 0; s < 3; s++)
            for (size_t k = 0; k < 3; k++) {
                double mu = settings[s][0], sigma = settings[s][1];
                ExactMoments exact = exact_moments(kinds[k], functions[i], mu, sigma, 1, 1);
                DrawMoments q_mu = draw_moments(kinds[k], functions[i], mu, sigma, false);
                DrawMoments q_sigma = draw_moments(kinds[k], functions[i], mu, sigma, true);
                int failed = !CHECK_RELATIVE(q_mu.mean, exact.gradient_mu, 1e-7); /* every check runs */
                failed += !CHECK_RELATIVE(q_sigma.mean, exact.gradient_sigma, 1e-7);
                failed += !CHECK_RELATIVE(q_mu.variance, exact.variance_mu, 1e-7);
                failed += !CHECK_RELATIVE(q_sigma.variance, exact.variance_sigma, 1e-7);
                if (failed)
                    check_note("function %zu, mu = %g, sigma = %g, %s", i, mu, sigma, estimator_name(kinds[k]));
            }
}

/* The hand-derived variances of docs/derivations.md for f = (z - k)^2, m = mu - k, in d
 * dimensions, against exact_moments (which computes them from moment tables). */
static void test_closed_forms_quadratic_by_hand(void)
{
    const double mu = 0.4, sigma = 0.7, k = 1.0, m = mu - k, m2 = m * m, s2 = sigma * sigma;
    const TestFunction f = { TEST_QUADRATIC, k };
    const size_t n = 5;
    for (size_t d = 1; d <= 8; d *= 2) {
        double D = (double)d - 1.0;
        double var_f = 4.0 * m2 * s2 + 2.0 * s2 * s2, mean_f = m2 + s2; /* Var and E of (z_j - k)^2 */
        ExactMoments score = exact_moments(ESTIMATOR_SCORE, &f, mu, sigma, d, 1);
        ExactMoments baseline = exact_moments(ESTIMATOR_BASELINE, &f, mu, sigma, d, 1);
        ExactMoments pathwise = exact_moments(ESTIMATOR_PATHWISE, &f, mu, sigma, d, n);
        CHECK_RELATIVE(2.0 * m, score.gradient_mu, 1e-12);
        CHECK_RELATIVE(2.0 * sigma, score.gradient_sigma, 1e-12);
        /* score: Var[f_1 s] + 2 E[R] E[f_1 s^2] + E[R^2] E[s^2], with E[R] = D E f, E[R^2] = D Var f + (D E f)^2 */
        double ER = D * mean_f, ER2 = D * var_f + ER * ER;
        CHECK_RELATIVE(m2 * m2 / s2 + 14.0 * m2 + 15.0 * s2 + 2.0 * ER * (m2 + 3.0 * s2) / s2 + ER2 / s2,
                       score.variance_mu, 1e-12);
        CHECK_RELATIVE(2.0 * m2 * m2 / s2 + 60.0 * m2 + 74.0 * s2 + 2.0 * ER * (2.0 * m2 + 10.0 * s2) / s2
                           + 2.0 * ER2 / s2,
                       score.variance_sigma, 1e-12);
        /* baseline b = E f: Var[(f_1 - E f_1) s] + D Var[f] E[s^2] */
        CHECK_RELATIVE(8.0 * m2 + 10.0 * s2 + D * var_f / s2, baseline.variance_mu, 1e-12);
        CHECK_RELATIVE(40.0 * m2 + 56.0 * s2 + 2.0 * D * var_f / s2, baseline.variance_sigma, 1e-12);
        /* pathwise: independent of d; n draws divide by n */
        CHECK_RELATIVE(4.0 * s2 / (double)n, pathwise.variance_mu, 1e-12);
        CHECK_RELATIVE((4.0 * m2 + 8.0 * s2) / (double)n, pathwise.variance_sigma, 1e-12);
    }
}

/* For f = (z - k)^2 and exp(a z), the pathwise estimate has the smaller variance than the
 * oracle baseline for every (mu, sigma) (docs/derivations.md proves it); for cos(w z) with
 * w sigma > 1 the baseline wins (the README's counter-example). */
static void test_ordering_of_variances(void)
{
    const double mus[] = { -2.0, 0.0, 0.5, 3.0 }, sigmas[] = { 0.1, 0.5, 1.0, 2.0 };
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            const TestFunction *functions[] = { &QUADRATIC, &EXPONENTIAL };
            for (size_t k = 0; k < 2; k++) {
                ExactMoments score = exact_moments(ESTIMATOR_SCORE, functions[k], mus[i], sigmas[j], 1, 1);
                ExactMoments baseline = exact_moments(ESTIMATOR_BASELINE, functions[k], mus[i], sigmas[j], 1, 1);
                ExactMoments pathwise = exact_moments(ESTIMATOR_PATHWISE, functions[k], mus[i], sigmas[j], 1, 1);
                CHECK(pathwise.variance_mu < baseline.variance_mu && baseline.variance_mu <= score.variance_mu);
                CHECK(pathwise.variance_sigma < baseline.variance_sigma);
            }
        }
    ExactMoments baseline = exact_moments(ESTIMATOR_BASELINE, &COSINE, 0.5, 1.0, 1, 1);
    ExactMoments pathwise = exact_moments(ESTIMATOR_PATHWISE, &COSINE, 0.5, 1.0, 1, 1);
    check_note("cos(3 z), mu = 0.5, sigma = 1: baseline %.4g, pathwise %.4g", baseline.variance_mu,
               pathwise.variance_mu);
    CHECK(baseline.variance_mu < pathwise.variance_mu / 5.0); /* about 0.5 against 4.5 */
    CHECK(baseline.variance_sigma < pathwise.variance_sigma / 2.0); /* about 1 against 4.5 */
}

/* ---- 5.1 the score of a Gaussian --------------------------------------------------------------- */

/* d/dmu and d/dsigma of log N(z; mu, sigma^2) against centred differences of lib's density,
 * at sigma far from 1 (so 1/sigma and 1/sigma^2 differ by a factor of 2.5 or more). */
static void test_score_against_differences(void)
{
    const double points[][3] = { { 0.7, 0.2, 0.4 }, { -1.3, 0.5, 2.5 }, { 3.0, -1.0, 0.25 }, { 0.1, 0.1, 1.7 } };
    for (size_t i = 0; i < 4; i++) {
        double z = points[i][0], mu = points[i][1], sigma = points[i][2], h = 1e-6;
        double score_mu = NAN, score_sigma = NAN;
        gaussian_score(&score_mu, &score_sigma, z, mu, sigma);
        double numeric_mu = (log_normal_density(z, mu + h, sigma * sigma) - log_normal_density(z, mu - h, sigma * sigma))
                            / (2.0 * h);
        double numeric_sigma = (log_normal_density(z, mu, (sigma + h) * (sigma + h))
                                - log_normal_density(z, mu, (sigma - h) * (sigma - h)))
                               / (2.0 * h);
        check_note("z = %g, mu = %g, sigma = %g", z, mu, sigma);
        CHECK_RELATIVE(numeric_mu, score_mu, 1e-6);
        CHECK_RELATIVE(numeric_sigma, score_sigma, 1e-6);
    }
}

/* The score has mean zero under q (the reason a baseline is allowed): checked exactly at
 * +-1 standard deviation, where the mu score is -+1/sigma and the sigma score 0. */
static void test_score_values(void)
{
    double score_mu = NAN, score_sigma = NAN;
    gaussian_score(&score_mu, &score_sigma, 2.0 + 0.5, 2.0, 0.5);
    CHECK_RELATIVE(2.0, score_mu, 1e-14);
    CHECK_NEAR(0.0, score_sigma, 1e-14);
    gaussian_score(&score_mu, &score_sigma, 2.0, 2.0, 0.5);
    CHECK_NEAR(0.0, score_mu, 1e-14);
    CHECK_RELATIVE(-2.0, score_sigma, 1e-14);
}

/* ---- 5.2 the score-function average ----------------------------------------------------------- */

/* Three fixed draws in d = 2 with weights: the average of w_i times the scores written out
 * here (eps / sigma and (eps^2 - 1) / sigma), with sigma far from 1. */
static void test_score_average_by_hand(void)
{
    EstimatorScratch scratch;
    Error err;
    if (!CHECK(estimator_scratch_init(&scratch, 2, 3, &err)))
        return;
    const double mu[2] = { 0.5, -1.0 }, sigma[2] = { 0.4, 2.5 }, weights[3] = { 2.0, -1.0, 0.5 };
    const double eps[3][2] = { { 1.0, -0.5 }, { -2.0, 0.3 }, { 0.25, 1.5 } };
    double expected_mu[2] = { 0 }, expected_sigma[2] = { 0 }, grad_mu[2] = { NAN, NAN }, grad_sigma[2] = { NAN, NAN };
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 2; j++) {
            scratch.z[i * 2 + j] = mu[j] + sigma[j] * eps[i][j];
            expected_mu[j] += weights[i] * eps[i][j] / sigma[j] / 3.0;
            expected_sigma[j] += weights[i] * (eps[i][j] * eps[i][j] - 1.0) / sigma[j] / 3.0;
        }
    score_function_average(grad_mu, grad_sigma, weights, &scratch, mu, sigma, 3);
    for (size_t j = 0; j < 2; j++) {
        CHECK_RELATIVE(expected_mu[j], grad_mu[j], 1e-13);
        CHECK_RELATIVE(expected_sigma[j], grad_sigma[j], 1e-13);
    }
    estimator_scratch_free(&scratch);
}

static void test_score_function_quadratic(void) { check_one_dimension(ESTIMATOR_SCORE, &QUADRATIC, 0.5, 0.8, 101); }
static void test_score_function_exponential(void)
{
    check_one_dimension(ESTIMATOR_SCORE, &EXPONENTIAL, -0.5, 1.0, 102);
}
/* d = 6 and n = 3: f summed over coordinates, the coordinates' scores used one by one. */
static void test_score_function_dimensions(void)
{
    check_dimensions(ESTIMATOR_SCORE, &QUADRATIC, 0.5, 0.8, 6, 3, REPLICATIONS, 103);
}

/* The constant baseline b = E[f] is the same average with weights f(z_i) - b. */
static void test_baseline_quadratic(void) { check_one_dimension(ESTIMATOR_BASELINE, &QUADRATIC, 0.5, 0.8, 201); }
static void test_baseline_cosine(void) { check_one_dimension(ESTIMATOR_BASELINE, &COSINE, 0.5, 1.0, 202); }
static void test_baseline_dimensions(void)
{
    check_dimensions(ESTIMATOR_BASELINE, &EXPONENTIAL, 0.2, 0.6, 5, 2, REPLICATIONS, 203);
}

/* ---- 5.3 the leave-one-out baseline -------------------------------------------------------------- */

/* f = (1, 2, 6): b = (4, 3.5, 1.5), w = (-3, -1.5, 4.5); the same-sample mean 3 would give (-2, -1, 3). */
static void test_leave_one_out_weights_by_hand(void)
{
    const double f_values[3] = { 1.0, 2.0, 6.0 }, expected[3] = { -3.0, -1.5, 4.5 };
    double weights[3] = { NAN, NAN, NAN };
    leave_one_out_weights(weights, f_values, 3);
    for (size_t i = 0; i < 3; i++)
        CHECK_NEAR(expected[i], weights[i], 1e-14);
    const double two[2] = { 5.0, -1.0 };
    leave_one_out_weights(weights, two, 2);
    CHECK_NEAR(6.0, weights[0], 1e-14);
    CHECK_NEAR(-6.0, weights[1], 1e-14);
}

/* Leave-one-out with n = 2 draws: unbiased.  A baseline that includes the draw's own
 * f(z_i) (the mean of all n values) has mean (1 - 1/n) grad = grad / 2 instead; the check
 * below shows the test resolves that difference by more than 10 standard errors, so such a
 * baseline fails it. */
static void test_leave_one_out_unbiased(void)
{
    const size_t n = 2;
    ExactMoments exact = exact_moments(ESTIMATOR_LEAVE_ONE_OUT, &QUADRATIC, 0.0, 0.7, 1, n);
    Replicates r = replicate(ESTIMATOR_LEAVE_ONE_OUT, &QUADRATIC, 0.0, 0.7, 1, n, REPLICATIONS, 204);
    SampleMoments m_mu = sample_moments(r.mu, r.R), m_sigma = sample_moments(r.sigma, r.R);
    double se_mu = sqrt(exact.variance_mu / r.R), se_sigma = sqrt(exact.variance_sigma / r.R);
    check_note("the same-sample baseline would give means %.4g and %.4g", exact.gradient_mu / n,
               exact.gradient_sigma / n);
    CHECK(fabs(exact.gradient_mu) / n > 10.0 * se_mu && fabs(exact.gradient_sigma) / n > 10.0 * se_sigma);
    check_mean("d/dmu", &m_mu, exact.gradient_mu, exact.variance_mu, r.R);
    check_mean("d/dsigma", &m_sigma, exact.gradient_sigma, exact.variance_sigma, r.R);
    replicates_free(&r);
}

/* Leave-one-out's exact variance (a formula with n in it, docs/derivations.md) at n = 2, 5. */
static void test_leave_one_out_variance(void)
{
    check_dimensions(ESTIMATOR_LEAVE_ONE_OUT, &QUADRATIC, 0.5, 0.8, 1, 2, REPLICATIONS, 205);
    check_dimensions(ESTIMATOR_LEAVE_ONE_OUT, &EXPONENTIAL, 0.0, 1.0, 3, 5, REPLICATIONS / 2, 206);
}

/* ---- 5.4 the pathwise estimate -------------------------------------------------------------- */

static void test_pathwise_quadratic(void) { check_one_dimension(ESTIMATOR_PATHWISE, &QUADRATIC, 0.5, 0.4, 301); }
static void test_pathwise_exponential(void) { check_one_dimension(ESTIMATOR_PATHWISE, &EXPONENTIAL, 1.0, 0.5, 302); }
static void test_pathwise_cosine(void) { check_one_dimension(ESTIMATOR_PATHWISE, &COSINE, 0.5, 1.0, 303); }
static void test_pathwise_dimensions(void)
{
    check_dimensions(ESTIMATOR_PATHWISE, &QUADRATIC, -0.5, 2.0, 7, 4, REPLICATIONS, 304);
}

/* ---- 5.5 the inverse-CDF draw of an exponential ---------------------------------------------- */

/* F(F^{-1}(u)) = u, with F(z) = 1 - exp(-lambda z); the median is log 2 / lambda. */
static void test_exponential_quantile(void)
{
    const double rates[] = { 0.5, 2.0, 7.0 }, us[] = { 0.0, 1e-12, 0.1, 0.5, 0.9, 0.999999 };
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 6; j++) {
            double z = exponential_quantile(us[j], rates[i]);
            CHECK(z >= 0.0);
            CHECK_NEAR(us[j], -expm1(-rates[i] * z), 1e-15);
        }
    CHECK_RELATIVE(log(2.0) / 3.0, exponential_quantile(0.5, 3.0), 1e-14);
    CHECK_RELATIVE(1e-12 / 4.0, exponential_quantile(1e-12, 4.0), 1e-9); /* no cancellation near u = 0 */
}

/* dz/dlambda at fixed u, against centred differences of the quantile. */
static void test_exponential_quantile_derivative(void)
{
    const double rates[] = { 0.5, 2.0 }, us[] = { 0.05, 0.5, 0.95 };
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++) {
            double rate = rates[i], h = 1e-6 * rate;
            double numeric = (exponential_quantile(us[j], rate + h) - exponential_quantile(us[j], rate - h)) / (2 * h);
            double z = -log1p(-us[j]) / rate; /* written here, so this test charges only the derivative */
            check_note("u = %g, lambda = %g", us[j], rate);
            CHECK_RELATIVE(numeric, exponential_quantile_rate_derivative(z, rate), 1e-7);
        }
}

/* E[(z - k)^2] = 2 / lambda^2 - 2 k / lambda + k^2: the closed-form gradient and variance
 * against differences and quadrature over u (not an exercise). */
static void test_exponential_closed_forms(void)
{
    const double rate = 1.5, k = 0.8, h = 1e-5;
    double mean_f_plus = 2 / ((rate + h) * (rate + h)) - 2 * k / (rate + h) + k * k;
    double mean_f_minus = 2 / ((rate - h) * (rate - h)) - 2 * k / (rate - h) + k * k;
    CHECK_RELATIVE((mean_f_plus - mean_f_minus) / (2 * h), exponential_quadratic_gradient(rate, k), 1e-8);
    /* Var of g(u) = 2 (z - k)(-z / lambda), z = -log(1 - u) / lambda, by the midpoint rule in u */
    const int steps = 2000000;
    double sum = 0.0, squares = 0.0;
    for (int i = 0; i < steps; i++) {
        double z = -log1p(-(i + 0.5) / steps) / rate, g = -2.0 * (z - k) * z / rate;
        sum += g / steps;
        squares += g * g / steps;
    }
    CHECK_RELATIVE(exponential_quadratic_gradient(rate, k), sum, 1e-4);
    CHECK_RELATIVE(exponential_quadratic_variance(rate, k), squares - sum * sum, 1e-3);
}

/* The estimate from the two exercises: mean and variance against the closed forms; the
 * fourth moment of g estimated from the sample. */
static void test_inverse_cdf_estimate(void)
{
    const double rate = 1.5, k = 0.8;
    const TestFunction f = { TEST_QUADRATIC, k };
    Integrand integrand = test_function_integrand(&f);
    double *g = malloc(REPLICATIONS * sizeof(double));
    if (!g)
        abort();
    Rng rng;
    seed(&rng, 401);
    for (size_t i = 0; i < REPLICATIONS; i++)
        g[i] = inverse_cdf_estimate(&integrand, rate, 1, &rng);
    SampleMoments m = sample_moments(g, REPLICATIONS);
    double variance = exponential_quadratic_variance(rate, k);
    check_mean("d/dlambda", &m, exponential_quadratic_gradient(rate, k), variance, REPLICATIONS);
    check_variance("d/dlambda", &m, variance, m.fourth, REPLICATIONS);
    free(g);
}

/* ---- 5.6 log q through the change of variables ------------------------------------------------- */

/* L = diag(sigma): the change of variables gives the diagonal density to 1e-12, and eps back. */
static void test_log_q_diagonal(void)
{
    enum { D = 5 };
    const double mu[D] = { 0.3, -1.0, 2.0, 0.0, 5.0 }, sigma[D] = { 0.5, 2.0, 0.1, 1.0, 3.0 };
    double L[D * D] = { 0 }, z[D], eps[D], recovered[D];
    for (size_t j = 0; j < D; j++)
        L[j * D + j] = sigma[j];
    Rng rng;
    seed(&rng, 501);
    for (int trial = 0; trial < 20; trial++) {
        for (size_t j = 0; j < D; j++) {
            eps[j] = 2.0 * rng_normal(&rng);
            z[j] = mu[j] + sigma[j] * eps[j];
        }
        double expected = diagonal_gaussian_log_density(z, mu, sigma, D);
        CHECK_NEAR(expected, log_q_change_of_variables(recovered, z, mu, L, D), 1e-12);
        for (size_t j = 0; j < D; j++)
            CHECK_NEAR(eps[j], recovered[j], 1e-12);
    }
}

/* log N(z; mu, Sigma) for a symmetric positive definite Sigma, by Gaussian elimination with
 * partial pivoting (log det and Sigma^{-1}(z - mu) together): the test's own, independent of L. */
static double multivariate_log_density(const double *z, const double *mu, const double *Sigma_in, size_t d)
{
    enum { MAX_D = 8 };
    double A[MAX_D][MAX_D + 1], x[MAX_D], log_det = 0.0;
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j < d; j++)
            A[i][j] = Sigma_in[i * d + j];
        A[i][d] = z[i] - mu[i];
    }
    for (size_t c = 0; c < d; c++) {
        size_t pivot = c;
        for (size_t r = c + 1; r < d; r++)
            if (fabs(A[r][c]) > fabs(A[pivot][c]))
                pivot = r;
        for (size_t j = 0; j <= d; j++) {
            double t = A[c][j];
            A[c][j] = A[pivot][j];
            A[pivot][j] = t;
        }
        log_det += log(fabs(A[c][c]));
        for (size_t r = c + 1; r < d; r++) {
            double factor = A[r][c] / A[c][c];
            for (size_t j = c; j <= d; j++)
                A[r][j] -= factor * A[c][j];
        }
    }
    for (size_t i = d; i-- > 0;) {
        double v = A[i][d];
        for (size_t j = i + 1; j < d; j++)
            v -= A[i][j] * x[j];
        x[i] = v / A[i][i];
    }
    double quadratic = 0.0;
    for (size_t i = 0; i < d; i++)
        quadratic += (z[i] - mu[i]) * x[i];
    return -0.5 * ((double)d * log(2.0 * M_PI) + log_det + quadratic);
}

/* z = mu + L eps with a full lower-triangular L (one negative diagonal entry: |det|):
 * the density of N(mu, L L^T) computed without L. */
static void test_log_q_lower_triangular(void)
{
    enum { D = 4 };
    const double L[D * D] = { 1.5, 0, 0, 0, -0.7, 0.4, 0, 0, 0.3, 1.1, -2.0, 0, 0.9, -0.2, 0.5, 0.25 };
    const double mu[D] = { 1.0, -2.0, 0.5, 0.0 };
    double Sigma[D * D] = { 0 }, z[D], eps[D], recovered[D];
    for (size_t i = 0; i < D; i++)
        for (size_t j = 0; j < D; j++)
            for (size_t k = 0; k < D; k++)
                Sigma[i * D + j] += L[i * D + k] * L[j * D + k];
    Rng rng;
    seed(&rng, 502);
    for (int trial = 0; trial < 10; trial++) {
        for (size_t i = 0; i < D; i++)
            eps[i] = rng_normal(&rng);
        for (size_t i = 0; i < D; i++) {
            z[i] = mu[i];
            for (size_t k = 0; k <= i; k++)
                z[i] += L[i * D + k] * eps[k];
        }
        CHECK_NEAR(multivariate_log_density(z, mu, Sigma, D), log_q_change_of_variables(recovered, z, mu, L, D),
                   1e-10);
        for (size_t i = 0; i < D; i++)
            CHECK_NEAR(eps[i], recovered[i], 1e-10);
    }
}

/* ---- the ELBO of the linear-Gaussian model ----------------------------------------------------- */

enum { LATENT = 3, OBSERVED = 4 };

typedef struct ModelData {
    double W[OBSERVED * LATENT], b[OBSERVED], x[OBSERVED];
    LinearGaussian model;
} ModelData;

/* A fixed model (the same under every seed offset: it is data, not a draw of the test). */
static void make_model(ModelData *m)
{
    Rng rng;
    rng_seed(&rng, 601);
    for (size_t i = 0; i < OBSERVED * LATENT; i++)
        m->W[i] = rng_normal(&rng);
    for (size_t k = 0; k < OBSERVED; k++) {
        m->b[k] = 0.5 * rng_normal(&rng);
        m->x[k] = 2.0 * rng_normal(&rng);
    }
    m->model = (LinearGaussian){ LATENT, OBSERVED, m->W, m->b, 0.8, m->x };
}

static const double ELBO_MU[LATENT] = { 0.3, -0.4, 1.0 }, ELBO_SIGMA[LATENT] = { 0.7, 1.2, 0.4 };

/* log p(x, z), written here from the model's definition */
static double test_log_joint(const ModelData *m, const double *z)
{
    double log_p = 0.0;
    for (size_t j = 0; j < LATENT; j++)
        log_p += log_normal_density(z[j], 0.0, 1.0);
    for (size_t k = 0; k < OBSERVED; k++) {
        double mean = m->b[k];
        for (size_t j = 0; j < LATENT; j++)
            mean += m->W[k * LATENT + j] * z[j];
        log_p += log_normal_density(m->x[k], mean, m->model.s * m->model.s);
    }
    return log_p;
}

/* E_q[log p(x, z)] + H[q], with E_q of a quadratic = value at mu + (1/2) sum_j sigma_j^2
 * d^2/dz_j^2 (second differences, exact for a quadratic up to rounding) */
static double test_elbo(const ModelData *m, const double *mu, const double *sigma)
{
    double center = test_log_joint(m, mu), value = center, z[LATENT];
    const double h = 0.01;
    for (size_t j = 0; j < LATENT; j++) {
        memcpy(z, mu, sizeof z);
        z[j] = mu[j] + h;
        double up = test_log_joint(m, z);
        z[j] = mu[j] - h;
        double curvature = (up - 2.0 * center + test_log_joint(m, z)) / (h * h);
        value += 0.5 * sigma[j] * sigma[j] * curvature + log(sigma[j]) + 0.5 * log(2.0 * M_PI * M_E);
    }
    return value;
}

static void test_elbo_exact_gradient(void)
{
    ModelData m;
    make_model(&m);
    double mu[LATENT], sigma[LATENT], grad_mu[LATENT], grad_sigma[LATENT];
    memcpy(mu, ELBO_MU, sizeof mu);
    memcpy(sigma, ELBO_SIGMA, sizeof sigma);
    CHECK_RELATIVE(test_elbo(&m, mu, sigma), linear_gaussian_elbo(&m.model, mu, sigma), 1e-9);
    linear_gaussian_elbo_gradient(grad_mu, grad_sigma, &m.model, mu, sigma);
    const double h = 1e-5;
    for (size_t j = 0; j < LATENT; j++) {
        double saved = mu[j];
        mu[j] = saved + h;
        double up = test_elbo(&m, mu, sigma);
        mu[j] = saved - h;
        CHECK_RELATIVE((up - test_elbo(&m, mu, sigma)) / (2 * h), grad_mu[j], 1e-6);
        mu[j] = saved;
        saved = sigma[j];
        sigma[j] = saved + h;
        up = test_elbo(&m, mu, sigma);
        sigma[j] = saved - h;
        CHECK_RELATIVE((up - test_elbo(&m, mu, sigma)) / (2 * h), grad_sigma[j], 1e-6);
        sigma[j] = saved;
    }
}

/* The ELBO gradient estimated by `kind` from one draw, R times: every component's mean within
 * 5 standard errors (from the sample's own variance) of the exact gradient. */
static void check_elbo_unbiased(EstimatorKind kind, unsigned seed_base)
{
    enum { R = 40000 };
    ModelData m;
    make_model(&m);
    double grad_mu[LATENT], grad_sigma[LATENT], exact_mu[LATENT], exact_sigma[LATENT];
    double *values = malloc(2 * LATENT * R * sizeof(double));
    EstimatorScratch scratch;
    Error err;
    if (!values || !estimator_scratch_init(&scratch, LATENT, 1, &err))
        abort();
    linear_gaussian_elbo_gradient(exact_mu, exact_sigma, &m.model, ELBO_MU, ELBO_SIGMA);
    Rng rng;
    seed(&rng, seed_base);
    for (size_t i = 0; i < R; i++) {
        elbo_gradient_estimate(grad_mu, grad_sigma, kind, &m.model, ELBO_MU, ELBO_SIGMA, 1, &scratch, &rng);
        for (size_t j = 0; j < LATENT; j++) {
            values[j * R + i] = grad_mu[j];
            values[(LATENT + j) * R + i] = grad_sigma[j];
        }
    }
    for (size_t c = 0; c < 2 * LATENT; c++) {
        SampleMoments s = sample_moments(values + c * R, R);
        double exact = c < LATENT ? exact_mu[c] : exact_sigma[c - LATENT];
        check_mean(c < LATENT ? "d ELBO / dmu_j" : "d ELBO / dsigma_j", &s, exact, s.variance, R);
    }
    estimator_scratch_free(&scratch);
    free(values);
}

static void test_elbo_score_function_unbiased(void) { check_elbo_unbiased(ESTIMATOR_SCORE, 701); }
static void test_elbo_pathwise_unbiased(void) { check_elbo_unbiased(ESTIMATOR_PATHWISE, 702); }

static const TestCase tests[] = {
    { "E[eps^n] = (n - 1)!! for even n, 0 for odd n", NULL, test_normal_moments },
    { "closed-form means and variances against quadrature over eps", NULL, test_closed_forms_against_quadrature },
    { "closed forms for (z - k)^2 against the hand-derived formulas, d = 1..8", NULL,
      test_closed_forms_quadratic_by_hand },
    { "pathwise beats the baseline for (z - k)^2 and exp(a z), not for cos(3 z)", NULL, test_ordering_of_variances },
    { "the Gaussian score against centred differences of log N", "5.1", test_score_against_differences },
    { "the Gaussian score at mu and at mu + sigma", "5.1", test_score_values },
    { "score-function average of fixed draws, by hand", "5.2 needs 5.1", test_score_average_by_hand },
    { "score function, (z - 1)^2: mean and variance of both components", "5.2 needs 5.1", test_score_function_quadratic },
    { "score function, exp(z / 2): mean and variance of both components", "5.2 needs 5.1", test_score_function_exponential },
    { "score function in d = 6 with n = 3: mean and variance", "5.2 needs 5.1", test_score_function_dimensions },
    { "score function estimate of grad ELBO is unbiased", "5.2 needs 5.1", test_elbo_score_function_unbiased },
    { "baseline b = E f, (z - 1)^2: mean and variance", "5.2 needs 5.1", test_baseline_quadratic },
    { "baseline b = E f, cos(3 z): mean and variance", "5.2 needs 5.1", test_baseline_cosine },
    { "baseline b = E f in d = 5 with n = 2: mean and variance", "5.2 needs 5.1", test_baseline_dimensions },
    { "leave-one-out weights by hand (the draw's own f is left out)", "5.3", test_leave_one_out_weights_by_hand },
    { "leave-one-out baseline is unbiased (the same-sample one is not)", "5.3 needs 5.1 5.2", test_leave_one_out_unbiased },
    { "leave-one-out baseline: variance at n = 2 and n = 5", "5.3 needs 5.1 5.2", test_leave_one_out_variance },
    { "pathwise, (z - 1)^2: mean and variance of both components", "5.4", test_pathwise_quadratic },
    { "pathwise, exp(z / 2): mean and variance", "5.4", test_pathwise_exponential },
    { "pathwise, cos(3 z): mean and variance", "5.4", test_pathwise_cosine },
    { "pathwise in d = 7 with n = 4: mean and variance", "5.4", test_pathwise_dimensions },
    { "pathwise estimate of grad ELBO is unbiased", "5.4", test_elbo_pathwise_unbiased },
    { "exponential quantile: F(F^-1(u)) = u", "5.5", test_exponential_quantile },
    { "exponential quantile: dz/dlambda against differences", "5.5", test_exponential_quantile_derivative },
    { "exponential: closed-form gradient and variance of E (z - k)^2", NULL, test_exponential_closed_forms },
    { "inverse-CDF estimate: mean and variance against the closed forms", "5.5", test_inverse_cdf_estimate },
    { "log q by change of variables = diagonal density to 1e-12", "5.6", test_log_q_diagonal },
    { "log q by change of variables, lower-triangular L", "5.6", test_log_q_lower_triangular },
    { "linear-Gaussian ELBO and its exact gradient, against differences", NULL, test_elbo_exact_gradient },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("05-estimators", tests, argc, argv);
}
