/* tests/04-elbo/test_em.c — chapter 4: EM on a Gaussian mixture as iterated maximisation of
 * the lower bound (Wu L6, "Evidence Lower Bound": M-step and E-step).
 *
 * The E-step is checked against Bayes' rule written out here, in logs, also 40 standard
 * deviations from every component; the M-step against its formulas written out here; the
 * whole of EM by its two guarantees (the bound is tight after an E-step, the log-likelihood
 * never decreases) and by recovering a known mixture within 5 standard errors of the
 * maximum-likelihood estimate.  Uses lib/ and chapter 4 only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "elbo.h"
#include "harness.h"
#include "numerics.h"

/* ---- a small 1-D mixture -------------------------------------------------------------------- */

/* p(x) = 0.3 N(-1, 1) + 0.7 N(2, 4) */
static const double WEIGHT[2] = { 0.3, 0.7 }, MEAN[2] = { -1.0, 2.0 }, VARIANCE[2] = { 1.0, 4.0 };

static bool small_mixture(Gmm *gmm)
{
    Error err;
    if (!CHECK(gmm_init(gmm, 2, 1, &err)))
        return false;
    for (size_t k = 0; k < 2; k++) {
        gmm->weight[k] = WEIGHT[k];
        gmm->component[k].mean[0] = MEAN[k];
        gmm->component[k].covariance[0] = VARIANCE[k];
    }
    return CHECK(gmm_factor(gmm, &err));
}

/* a_k(x) = log pi_k + log N(x; mu_k, sigma_k^2), written out. */
static double log_joint(size_t k, double x)
{
    return log(WEIGHT[k]) - 0.5 * log(2.0 * M_PI * VARIANCE[k]) - (x - MEAN[k]) * (x - MEAN[k]) / (2.0 * VARIANCE[k]);
}

/* ---- 4.7 the E-step -------------------------------------------------------------------------- */

/* Bayes' rule, r_ik = pi_k N(x_i | k) / sum_l pi_l N(x_i | l), on three points; the rows sum
 * to 1 (normalised over the components, not over the points); log p(X) = sum_i log p(x_i). */
static void test_e_step_by_hand(void)
{
    enum { N = 3 };
    const double X[N] = { 0.0, 1.5, -2.0 };
    Gmm gmm;
    if (!small_mixture(&gmm))
        return;
    double R[N * 2], expected_log_likelihood = 0.0;
    double log_likelihood = gmm_e_step(R, &gmm, X, N);
    for (size_t i = 0; i < N; i++) {
        double joint[2] = { exp(log_joint(0, X[i])), exp(log_joint(1, X[i])) }; /* moderate: no underflow */
        double evidence = joint[0] + joint[1];
        expected_log_likelihood += log(evidence);
        for (size_t k = 0; k < 2; k++)
            CHECK_NEAR(joint[k] / evidence, R[i * 2 + k], 1e-14);
        CHECK_NEAR(1.0, R[i * 2] + R[i * 2 + 1], 1e-14);
    }
    CHECK_NEAR(expected_log_likelihood, log_likelihood, 1e-12);
    gmm_free(&gmm);
}

/* x = 82 is 40 standard deviations from N(2, 4) and 83 from N(-1, 1): both joint densities
 * underflow to 0 in the linear domain (exp(-800) < 1e-308), and 0 / 0 is NaN.  In logs:
 *   r_0 = exp(a_0 - a_1) / (1 + exp(a_0 - a_1)),  log p(x) = a_1 + log(1 + exp(a_0 - a_1)). */
static void test_e_step_far_in_the_tails(void)
{
    const double x = 82.0;
    Gmm gmm;
    if (!small_mixture(&gmm))
        return;
    double R[2], a0 = log_joint(0, x), a1 = log_joint(1, x);
    double log_likelihood = gmm_e_step(R, &gmm, &x, 1);
    check_note("a_0 = %g, a_1 = %g; r = (%g, %g), log p(x) = %g", a0, a1, R[0], R[1], log_likelihood);
    CHECK(isfinite(R[0]) && isfinite(R[1]) && isfinite(log_likelihood));
    CHECK_NEAR(exp(a0 - a1) / (1.0 + exp(a0 - a1)), R[0], 1e-300);
    CHECK_NEAR(1.0, R[1], 1e-15);
    CHECK_NEAR(a1 + log1p(exp(a0 - a1)), log_likelihood, 1e-12 * fabs(a1));
    gmm_free(&gmm);
}

/* Wu L6, "ELBO becomes exact when q(z) = p(z | x; theta)": after the E-step the bound
 * J(theta; q) = sum_ik r_ik (log pi_k + log N(x_i | k) - log r_ik) equals log p(X). */
static void test_bound_tight_after_e_step(void)
{
    enum { N = 200 };
    Gmm gmm;
    if (!small_mixture(&gmm))
        return;
    double X[N], R[N * 2];
    Rng rng;
    rng_seed(&rng, 51);
    gmm_sample(X, NULL, &gmm, N, &rng);
    gmm.component[0].mean[0] = 0.5; /* any theta, not the one the data came from */
    double log_likelihood = gmm_e_step(R, &gmm, X, N);
    CHECK_NEAR(log_likelihood, gmm_elbo(&gmm, R, X, N), 1e-10 * fabs(log_likelihood));
    gmm_free(&gmm);
}

/* ---- 4.8 the M-step -------------------------------------------------------------------------- */

/* Four 2-D points, two components with given responsibilities; the weights, means and
 * covariances written out with the formulas of the M-step (the covariance around the NEW
 * mean: the component's old mean is set far away on purpose). */
static void test_m_step_by_hand(void)
{
    enum { N = 4, K = 2, D = 2 };
    const double X[N * D] = { 0.0, 1.0, 2.0, -1.0, 3.0, 3.0, -1.0, 0.5 };
    const double R[N * K] = { 0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 1.0, 0.0 };
    Gmm gmm;
    Error err;
    if (!CHECK(gmm_init(&gmm, K, D, &err)))
        return;
    for (size_t k = 0; k < K; k++)
        gmm.component[k].mean[0] = gmm.component[k].mean[1] = 100.0;
    gmm_m_step(&gmm, R, X, N);
    for (size_t k = 0; k < K; k++) {
        double N_k = 0.0, mean[D] = { 0.0, 0.0 }, covariance[D * D] = { 0.0, 0.0, 0.0, 0.0 };
        for (size_t i = 0; i < N; i++)
            N_k += R[i * K + k];
        for (size_t i = 0; i < N; i++)
            for (size_t a = 0; a < D; a++)
                mean[a] += R[i * K + k] * X[i * D + a] / N_k;
        for (size_t i = 0; i < N; i++)
            for (size_t a = 0; a < D; a++)
                for (size_t b = 0; b < D; b++)
                    covariance[a * D + b] += R[i * K + k] * (X[i * D + a] - mean[a]) * (X[i * D + b] - mean[b]) / N_k;
        check_note("component %zu: N_k = %g", k, N_k);
        CHECK_NEAR(N_k / N, gmm.weight[k], 1e-15);
        for (size_t a = 0; a < D; a++)
            CHECK_NEAR(mean[a], gmm.component[k].mean[a], 1e-14);
        for (size_t j = 0; j < D * D; j++)
            CHECK_NEAR(covariance[j], gmm.component[k].covariance[j], 1e-14);
    }
    gmm_free(&gmm);
}

/* ---- EM as a whole (4.7 and 4.8 together; charged to the M-step) ------------------------------ */

/* A known 2-D mixture of three well-separated components (12 units apart, standard
 * deviations at most 1.5), drawn n times. */
enum { TRUE_K = 3, DIM = 2 };
static const double TRUE_WEIGHT[TRUE_K] = { 0.5, 0.3, 0.2 };
static const double TRUE_MEAN[TRUE_K][DIM] = { { 0.0, 0.0 }, { 12.0, 0.0 }, { 0.0, 12.0 } };
static const double TRUE_COVARIANCE[TRUE_K][DIM * DIM] = {
    { 1.0, 0.5, 0.5, 1.0 }, { 2.0, 0.0, 0.0, 0.5 }, { 0.5, -0.3, -0.3, 1.0 }
};

static double *known_mixture_data(size_t N, unsigned seed)
{
    Gmm truth;
    Error err;
    double *X = malloc(N * DIM * sizeof *X);
    if (!X || !CHECK(gmm_init(&truth, TRUE_K, DIM, &err))) {
        free(X);
        return NULL;
    }
    for (size_t k = 0; k < TRUE_K; k++) {
        truth.weight[k] = TRUE_WEIGHT[k];
        memcpy(truth.component[k].mean, TRUE_MEAN[k], sizeof TRUE_MEAN[k]);
        memcpy(truth.component[k].covariance, TRUE_COVARIANCE[k], sizeof TRUE_COVARIANCE[k]);
    }
    Rng rng;
    rng_seed(&rng, seed);
    if (CHECK(gmm_factor(&truth, &err)))
        gmm_sample(X, NULL, &truth, N, &rng);
    gmm_free(&truth);
    return X;
}

/* n draws of the known mixture, their responsibilities, and EM's start on them. */
typedef struct EmRun {
    double *X, *R; /* (N, 2), (N, 3) */
    Gmm gmm;
} EmRun;

static void em_run_free(EmRun *run)
{
    gmm_free(&run->gmm);
    free(run->X);
    free(run->R);
}

static bool em_run_start(EmRun *run, size_t N, unsigned data_seed, unsigned start_seed)
{
    Error err;
    Rng rng;
    rng_seed(&rng, start_seed);
    *run = (EmRun){ .X = known_mixture_data(N, data_seed), .R = malloc(N * TRUE_K * sizeof *run->R) };
    if (run->X && run->R && CHECK(gmm_init_from_data(&run->gmm, run->X, N, DIM, TRUE_K, &rng, &err)))
        return true;
    em_run_free(run);
    return false;
}

/* Wu L6's iteration never decreases the log-likelihood:
 *     log p(X; theta_t) = J(theta_t; q_t) <= J(theta_{t+1}; q_t) <= log p(X; theta_{t+1}),
 * checked at every one of 60 iterations from a random start (rounding allowed: 1e-9 |L|). */
static void test_em_never_decreases(void)
{
    enum { N = 1500, ITERATIONS = 60 };
    EmRun run;
    Error err;
    if (!em_run_start(&run, N, 52, 53))
        return;
    double previous = -INFINITY;
    for (size_t t = 0; t < ITERATIONS; t++) {
        EmStep step;
        if (!CHECK(gmm_em_step(&step, &run.gmm, run.R, run.X, N, &err))) {
            check_note("iteration %zu: %s", t, err.message);
            break;
        }
        double slack = 1e-9 * fabs(step.log_likelihood);
        if (!CHECK(step.log_likelihood >= previous - slack) || !CHECK(step.bound >= step.log_likelihood - slack)) {
            check_note("iteration %zu: log p(X) went from %.12g to %.12g, bound %.12g", t, previous,
                       step.log_likelihood, step.bound);
            break;
        }
        previous = step.bound;
    }
    em_run_free(&run);
}

/* The fitted component nearest to true component k, by its mean. */
static size_t nearest_component(const Gmm *gmm, size_t k)
{
    size_t best = 0;
    double best_distance = INFINITY;
    for (size_t l = 0; l < gmm->K; l++) {
        double dx = gmm->component[l].mean[0] - TRUE_MEAN[k][0], dy = gmm->component[l].mean[1] - TRUE_MEAN[k][1];
        if (dx * dx + dy * dy < best_distance) {
            best_distance = dx * dx + dy * dy;
            best = l;
        }
    }
    return best;
}

/* On n = 20,000 draws, EM (run until log p(X) moves by less than 1e-9) recovers the mixture
 * within 5 standard errors of the maximum-likelihood estimate.  With components this far
 * apart (misassigned mass below 1e-6) the estimate is that of the complete data, with
 * n_k = n pi_k points for component k:
 *     SE(pi_k) = sqrt(pi_k (1 - pi_k) / n),     SE(mu_k,a) = sqrt(Sigma_aa / n_k),
 *     SE(Sigma_ab) = sqrt((Sigma_aa Sigma_bb + Sigma_ab^2) / n_k)   (Wishart).
 * 18 checks at 5 sigma: a correct EM fails one with probability below 1.1e-5. */
static void test_em_recovers_a_known_mixture(void)
{
    enum { N = 20000, MAX_ITERATIONS = 500 };
    EmRun run;
    Error err;
    if (!em_run_start(&run, N, 54, 55))
        return;
    EmStep step = { -INFINITY, -INFINITY };
    double previous;
    size_t t = 0;
    do {
        previous = step.log_likelihood;
        if (!CHECK(gmm_em_step(&step, &run.gmm, run.R, run.X, N, &err)))
            break;
    } while (++t < MAX_ITERATIONS && fabs(step.log_likelihood - previous) > 1e-9);
    check_note("%zu iterations, log p(X) = %.6f", t, step.log_likelihood);
    for (size_t k = 0; k < TRUE_K; k++) {
        size_t l = nearest_component(&run.gmm, k);
        const Gaussian *fit = &run.gmm.component[l];
        double n_k = N * TRUE_WEIGHT[k];
        const double *S = TRUE_COVARIANCE[k];
        check_note("component %zu: pi = %.4f, mu = (%.4f, %.4f)", k, run.gmm.weight[l], fit->mean[0], fit->mean[1]);
        CHECK_NEAR(TRUE_WEIGHT[k], run.gmm.weight[l], 5.0 * sqrt(TRUE_WEIGHT[k] * (1.0 - TRUE_WEIGHT[k]) / N));
        for (size_t a = 0; a < DIM; a++) {
            CHECK_NEAR(TRUE_MEAN[k][a], fit->mean[a], 5.0 * sqrt(S[a * DIM + a] / n_k));
            for (size_t b = a; b < DIM; b++)
                CHECK_NEAR(S[a * DIM + b], fit->covariance[a * DIM + b],
                           5.0 * sqrt((S[a * DIM + a] * S[b * DIM + b] + S[a * DIM + b] * S[a * DIM + b]) / n_k));
        }
    }
    em_run_free(&run);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static void test_bad_component_counts(void)
{
    const double X[5] = { 0.0, 1.0, 2.0, 3.0, 4.0 }, two_points[4] = { 0.0, 0.0, 1.0, 1.0 };
    Gmm gmm;
    Error err;
    Rng rng;
    rng_seed(&rng, 56);
    CHECK(!gmm_init_from_data(&gmm, X, 5, 1, 0, &rng, &err));
    CHECK_CONTAINS(err.message, "K >= 1");
    CHECK(!gmm_init_from_data(&gmm, X, 5, 1, 6, &rng, &err));
    CHECK_CONTAINS(err.message, "6 components for 5 points");
    CHECK(!gmm_init_from_data(&gmm, two_points, 4, 1, 3, &rng, &err));
    CHECK_CONTAINS(err.message, "only 2 distinct points");
    const double same[3] = { 1.0, 1.0, 1.0 };
    CHECK(!gmm_init_from_data(&gmm, same, 3, 1, 1, &rng, &err));
    CHECK_CONTAINS(err.message, "singular");
}

/* Weights that are not a distribution, and a component collapsed onto one point (its
 * covariance 0, as an M-step leaves a component that took a single point): clear errors
 * naming the component, never a NaN log-likelihood later. */
static void test_bad_mixtures(void)
{
    Gmm gmm;
    Error err;
    if (!small_mixture(&gmm))
        return;
    gmm.weight[0] = 0.6;
    CHECK(!gmm_factor(&gmm, &err));
    CHECK_CONTAINS(err.message, "sum to 1.3");
    gmm.weight[0] = 0.3;
    gmm.component[1].covariance[0] = 0.0;
    CHECK(!gmm_factor(&gmm, &err));
    CHECK_CONTAINS(err.message, "component 2 of 2");
    CHECK_CONTAINS(err.message, "singular");
    gmm_free(&gmm);
}

/* A component that takes a single point during EM: its covariance after the M-step is 0,
 * and gmm_em_step says so. */
static void test_em_step_reports_a_collapse(void)
{
    Gmm gmm;
    Error err;
    if (!small_mixture(&gmm))
        return;
    gmm.component[1].mean[0] = 10.0; /* on the point x = 10, narrow: it takes only that point */
    gmm.component[1].covariance[0] = 1e-4;
    CHECK(gmm_factor(&gmm, &err));
    const double X[3] = { -1.0, 0.0, 10.0 };
    double R[6];
    EmStep step;
    CHECK(!gmm_em_step(&step, &gmm, R, X, 3, &err));
    CHECK_CONTAINS(err.message, "component 2 of 2");
    CHECK_CONTAINS(err.message, "singular");
    gmm_free(&gmm);
}

static const TestCase tests[] = {
    { "E-step = Bayes' rule on three points; rows sum to 1; log p(X)", "4.7", test_e_step_by_hand },
    { "E-step 40 standard deviations from every component: finite, in logs", "4.7", test_e_step_far_in_the_tails },
    { "after the E-step the bound equals log p(X) (Wu L6: tight at p(z | x))", "4.7", test_bound_tight_after_e_step },
    { "M-step = the weighted counts, means and covariances (around the new mean)", "4.8", test_m_step_by_hand },
    { "EM (E-step and M-step): log p(X) never decreases, 60 iterations", "4.8 needs 4.7", test_em_never_decreases },
    { "EM (E-step and M-step) recovers a known mixture within 5 standard errors", "4.8 needs 4.7",
      test_em_recovers_a_known_mixture },
    { "K = 0, K > N, fewer distinct points than K, constant data are refused", NULL, test_bad_component_counts },
    { "weights not summing to 1 and a singular covariance are errors", NULL, test_bad_mixtures },
    { "EM (E-step and M-step) reports a component collapsed onto one point", "4.8 needs 4.7", test_em_step_reports_a_collapse },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("04-elbo EM", tests, argc, argv);
}
