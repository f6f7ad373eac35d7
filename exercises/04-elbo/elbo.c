/* exercises/04-elbo/elbo.c — KL divergences, the linear-Gaussian model, the Monte Carlo
 * and k-sample bounds, EM on a Gaussian mixture, reverse and forward KL, mean field (see
 * chapters/04-elbo/elbo.h and README.md for the math). */
#include "elbo.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"
#include "numerics.h"

static const double LOG_2PI = 1.8378770664093453; /* log(2 pi) */

/* ---- discrete distributions ------------------------------------------------------------------ */

bool probability_check(const double *p, size_t n, const char *name, Error *err)
{
    if (n == 0)
        return error_set(err, "%s has no outcomes", name);
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!(p[i] >= 0.0 && p[i] <= 1.0)) /* NaN fails too */
            return error_set(err, "%s_%zu = %g is not a probability (outside [0, 1])", name, i, p[i]);
        total += p[i];
    }
    if (fabs(total - 1.0) > 1e-9)
        return error_set(err, "the probabilities of %s sum to %.12g, not 1", name, total);
    return true;
}

/* H(p) = -sum_i p_i log p_i    (CSC413 L10, "entropy"; 0 log 0 = 0, its limit) */
double entropy(const double *p, size_t n)
{
    /* EXERCISE 4.1 (2 points): discrete entropy and KL divergence.
     * Replace this stub with your code; `make hint EX=4.1` prints a hint. */
    exercise_not_implemented("4.1", __func__);
    (void)p;
    (void)n;
    return NAN;
    /* END EXERCISE 4.1 */
}

/* KL(q || p) = sum_i q_i log(q_i / p_i)    (CSC413 L10, "KL Divergence") */
double kl_divergence(const double *q, const double *p, size_t n)
{
    /* EXERCISE 4.1 (2 points): discrete entropy and KL divergence.
     * Replace this stub with your code; `make hint EX=4.1` prints a hint. */
    exercise_not_implemented("4.1", __func__);
    (void)q;
    (void)p;
    (void)n;
    return NAN;
    /* END EXERCISE 4.1 */
}

/* ---- diagonal Gaussians ------------------------------------------------------------------- */

bool variance_check(const double *variance, size_t d, Error *err)
{
    for (size_t j = 0; j < d; j++)
        if (!(variance[j] > 0.0 && isfinite(variance[j])))
            return error_set(err, "variance %zu is %g: a variance must be finite and > 0", j, variance[j]);
    return true;
}

/* H(p) = (1/2) sum_j [log(2 pi sigma_j^2) + 1]    (CSC413 L10, "entropy computation") */
double gaussian_entropy(const double *variance, size_t d)
{
    /* EXERCISE 4.2 (2 points): the Gaussian KL through entropy and cross-entropy.
     * Replace this stub with your code; `make hint EX=4.2` prints a hint. */
    exercise_not_implemented("4.2", __func__);
    (void)variance;
    (void)d;
    return NAN;
    /* END EXERCISE 4.2 */
}

/* H(p, q) = (1/2) sum_j [log(2 pi sigma_qj^2) + (sigma_pj^2 + (mu_pj - mu_qj)^2) / sigma_qj^2]
 * (CSC413 L10, "cross-entropy computation") */
double gaussian_cross_entropy(const double *mean_p, const double *variance_p, const double *mean_q,
                              const double *variance_q, size_t d)
{
    /* EXERCISE 4.2 (2 points): the Gaussian KL through entropy and cross-entropy.
     * Replace this stub with your code; `make hint EX=4.2` prints a hint. */
    exercise_not_implemented("4.2", __func__);
    (void)mean_p;
    (void)variance_p;
    (void)mean_q;
    (void)variance_q;
    (void)d;
    return NAN;
    /* END EXERCISE 4.2 */
}

/* KL(p || q) = H(p, q) - H(p)    (CSC413 L10: "-entropy - cross-entropy", with the slide's
 * "cross-entropy" meaning E_p[log q], the negative of H(p, q); see the errata) */
double gaussian_kl(const double *mean_p, const double *variance_p, const double *mean_q, const double *variance_q,
                   size_t d)
{
    /* EXERCISE 4.2 (2 points): the Gaussian KL through entropy and cross-entropy.
     * Replace this stub with your code; `make hint EX=4.2` prints a hint. */
    exercise_not_implemented("4.2", __func__);
    (void)mean_p;
    (void)variance_p;
    (void)mean_q;
    (void)variance_q;
    (void)d;
    return NAN;
    /* END EXERCISE 4.2 */
}

/* KL(N(mu, diag sigma^2) || N(0, I)) = (1/2) sum_j [mu_j^2 + sigma_j^2 - 1 - log sigma_j^2] */
double gaussian_kl_standard(const double *mean, const double *log_variance, size_t d)
{
    /* EXERCISE 4.3 (1 point): the VAE's KL against N(0, I), from a log-variance.
     * Replace this stub with your code; `make hint EX=4.3` prints a hint. */
    exercise_not_implemented("4.3", __func__);
    (void)mean;
    (void)log_variance;
    (void)d;
    return NAN;
    /* END EXERCISE 4.3 */
}

/* The mean and the standard error sqrt(Var / S) of S values, from their running sums. */
static double mean_and_standard_error(double *standard_error, double sum, double sum_of_squares, size_t S)
{
    double mean = sum / (double)S;
    double variance = fmax(0.0, sum_of_squares / (double)S - mean * mean) * (double)S / (double)(S - 1);
    *standard_error = sqrt(variance / (double)S);
    return mean;
}

double gaussian_kl_monte_carlo(double *standard_error, const double *mean_p, const double *variance_p,
                               const double *mean_q, const double *variance_q, size_t d, size_t S, Rng *rng)
{
    double sum = 0.0, squares = 0.0;
    for (size_t s = 0; s < S; s++) {
        double log_ratio = 0.0; /* log p(z) - log q(z), z ~ p, coordinate by coordinate */
        for (size_t j = 0; j < d; j++) {
            double z = mean_p[j] + sqrt(variance_p[j]) * rng_normal(rng);
            log_ratio += log_normal_density(z, mean_p[j], variance_p[j]) - log_normal_density(z, mean_q[j], variance_q[j]);
        }
        sum += log_ratio;
        squares += log_ratio * log_ratio;
    }
    return mean_and_standard_error(standard_error, sum, squares, S);
}

/* ---- Gaussians with a full covariance ---------------------------------------------------------- */

bool gaussian_init(Gaussian *g, size_t d, Error *err)
{
    *g = (Gaussian){ .d = d };
    if (d == 0)
        return error_set(err, "a Gaussian needs a dimension d >= 1");
    g->mean = alloc_doubles(d, err);
    g->covariance = g->mean ? alloc_doubles(d * d, err) : NULL;
    g->cholesky = g->covariance ? alloc_doubles(d * d, err) : NULL;
    g->work = g->cholesky ? alloc_doubles(d, err) : NULL;
    if (!g->work) {
        gaussian_free(g);
        return false;
    }
    for (size_t j = 0; j < d; j++)
        g->covariance[j * d + j] = g->cholesky[j * d + j] = 1.0;
    return true;
}

void gaussian_free(Gaussian *g)
{
    free(g->mean);
    free(g->covariance);
    free(g->cholesky);
    free(g->work);
    *g = (Gaussian){ 0 };
}

/* Cholesky-Banachiewicz, row by row: L_ij = (A_ij - sum_{k<j} L_ik L_jk) / L_jj, and
 * L_jj = sqrt(A_jj - sum_{k<j} L_jk^2), which must be > 0 (Golub & Van Loan 4.2). */
bool cholesky(double *L, const double *A, size_t n)
{
    vector_zero(L, n * n);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = A[i * n + j] - vector_dot(L + i * n, L + j * n, j);
            if (i == j) {
                if (!(s > 0.0) || !isfinite(s)) /* not positive definite, or NaN */
                    return false;
                L[i * n + i] = sqrt(s);
            } else {
                L[i * n + j] = s / L[j * n + j];
            }
        }
    return true;
}

/* y = L^-1 v by forward substitution.    y, v (n), L (n, n) lower triangular; y may be v */
static void solve_lower(double *y, const double *L, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (v[i] - vector_dot(L + i * n, y, i)) / L[i * n + i];
}

/* x = L^-T y by back substitution.    x, y (n); x may be y */
static void solve_lower_transposed(double *x, const double *L, const double *y, size_t n)
{
    for (size_t i = n; i-- > 0;) {
        double s = y[i];
        for (size_t k = i + 1; k < n; k++)
            s -= L[k * n + i] * x[k];
        x[i] = s / L[i * n + i];
    }
}

bool spd_inverse(double *inverse, const double *A, size_t n, Error *err)
{
    double *L = alloc_doubles(n * n, err), *column = L ? alloc_doubles(n, err) : NULL;
    bool ok = column && (cholesky(L, A, n) || error_set(err, "the %zu x %zu matrix is singular (not positive "
                                                              "definite)", n, n));
    for (size_t j = 0; ok && j < n; j++) { /* column j of A^-1 = L^-T L^-1 e_j */
        vector_zero(column, n);
        column[j] = 1.0;
        solve_lower(column, L, column, n);
        solve_lower_transposed(column, L, column, n);
        for (size_t i = 0; i < n; i++)
            inverse[i * n + j] = column[i];
    }
    free(L);
    free(column);
    return ok;
}

bool gaussian_factor(Gaussian *g, Error *err)
{
    if (!cholesky(g->cholesky, g->covariance, g->d))
        return error_set(err, "the covariance is singular (not positive definite)");
    g->log_det = 0.0;
    for (size_t j = 0; j < g->d; j++)
        g->log_det += 2.0 * log(g->cholesky[j * g->d + j]);
    return true;
}

/* ||L^-1 v||^2, by forward substitution into work.    v, work (d); work may be v */
static double mahalanobis_squared(const double *L, const double *v, double *work, size_t d)
{
    solve_lower(work, L, v, d);
    return vector_dot(work, work, d);
}

double gaussian_log_density(const Gaussian *g, const double *z)
{
    size_t d = g->d;
    for (size_t j = 0; j < d; j++)
        g->work[j] = z[j] - g->mean[j];
    return -0.5 * ((double)d * LOG_2PI + g->log_det + mahalanobis_squared(g->cholesky, g->work, g->work, d));
}

void gaussian_sample(double *z, const Gaussian *g, Rng *rng)
{
    size_t d = g->d;
    vector_copy(z, g->mean, d);
    for (size_t j = 0; j < d; j++) { /* z += L_{:, j} eps_j */
        double eps = rng_normal(rng);
        for (size_t i = j; i < d; i++)
            z[i] += g->cholesky[i * d + j] * eps;
    }
}

/* tr(S_p^-1 S_q) = ||L_p^-1 L_q||_F^2, column by column of L_q. */
double gaussian_kl_full(const Gaussian *q, const Gaussian *p)
{
    size_t d = q->d;
    double trace = 0.0, *column = p->work;
    for (size_t j = 0; j < d; j++) {
        for (size_t i = 0; i < d; i++)
            column[i] = q->cholesky[i * d + j];
        trace += mahalanobis_squared(p->cholesky, column, column, d);
    }
    for (size_t i = 0; i < d; i++)
        column[i] = p->mean[i] - q->mean[i];
    double mahalanobis = mahalanobis_squared(p->cholesky, column, column, d);
    return 0.5 * (trace + mahalanobis - (double)d + p->log_det - q->log_det);
}

/* ---- the linear-Gaussian model -------------------------------------------------------------- */

bool linear_gaussian_init(LinearGaussian *model, size_t D, size_t d, double variance, Error *err)
{
    *model = (LinearGaussian){ .D = D, .d = d, .variance = variance };
    if (D == 0 || d == 0)
        return error_set(err, "the linear-Gaussian model needs D >= 1 and d >= 1 (got D = %zu, d = %zu)", D, d);
    if (!variance_check(&variance, 1, err))
        return error_prefix(err, "sigma^2");
    model->W = alloc_doubles(D * d, err);
    model->b = model->W ? alloc_doubles(D, err) : NULL;
    if (!model->b) {
        linear_gaussian_free(model);
        return false;
    }
    return true;
}

void linear_gaussian_free(LinearGaussian *model)
{
    free(model->W);
    free(model->b);
    *model = (LinearGaussian){ 0 };
}

double linear_gaussian_log_joint(const LinearGaussian *model, const double *x, const double *z)
{
    double log_joint = 0.0;
    for (size_t j = 0; j < model->d; j++)
        log_joint += log_normal_density(z[j], 0.0, 1.0); /* log p(z) */
    for (size_t i = 0; i < model->D; i++) {            /* log p(x | z) */
        double mean = model->b[i] + vector_dot(model->W + i * model->d, z, model->d);
        log_joint += log_normal_density(x[i], mean, model->variance);
    }
    return log_joint;
}

/* x = W z + b + sigma eps with z ~ N(0, I): mean b, covariance W W^T + sigma^2 I. */
bool linear_gaussian_marginal(Gaussian *marginal, const LinearGaussian *model, Error *err)
{
    size_t D = model->D;
    if (!gaussian_init(marginal, D, err))
        return false;
    vector_copy(marginal->mean, model->b, D);
    vector_zero(marginal->covariance, D * D);
    matrix_multiply_bt_add(marginal->covariance, model->W, model->W, D, model->d, D);
    for (size_t i = 0; i < D; i++)
        marginal->covariance[i * D + i] += model->variance;
    if (!gaussian_factor(marginal, err)) {
        gaussian_free(marginal);
        return false;
    }
    return true;
}

/* p(z | x) = N(M^-1 W^T (x - b), sigma^2 M^-1),  M = W^T W + sigma^2 I  (completing the square
 * in log p(x | z) + log p(z); README section 2) */
bool linear_gaussian_posterior(Gaussian *posterior, const LinearGaussian *model, const double *x, Error *err)
{
    size_t D = model->D, d = model->d;
    double *M = alloc_doubles(d * d, err), *M_inverse = M ? alloc_doubles(d * d, err) : NULL;
    double *projected = M_inverse ? alloc_doubles(d, err) : NULL;
    double *residual = projected ? alloc_doubles(D, err) : NULL;
    bool ok = residual != NULL;
    /* EXERCISE 4.4 (3 points): the exact posterior of the linear-Gaussian model.
     * Replace this stub with your code; `make hint EX=4.4` prints a hint. */
    exercise_not_implemented("4.4", __func__);
    (void)x;
    if (ok) {
        vector_zero(posterior->mean, d); // zeros: a safe wrong answer
        vector_zero(posterior->covariance, d * d);
    }
    /* END EXERCISE 4.4 */
    free(M);
    free(M_inverse);
    free(projected);
    free(residual);
    return ok;
}

/* E_q[log p(x | z)] + E_q[log p(z)] + H(q), each in closed form for q = N(m, S) */
double linear_gaussian_elbo(const LinearGaussian *model, const double *x, const Gaussian *q)
{
    size_t D = model->D, d = model->d;
    double squared_residual = 0.0, trace_WSW = 0.0;
    for (size_t i = 0; i < D; i++) {
        const double *w = model->W + i * d; /* row i of W */
        double residual = x[i] - model->b[i] - vector_dot(w, q->mean, d);
        squared_residual += residual * residual;
        for (size_t j = 0; j < d; j++) /* tr(W S W^T) = sum_i w_i^T S w_i */
            trace_WSW += w[j] * vector_dot(q->covariance + j * d, w, d);
    }
    double trace_S = 0.0;
    for (size_t j = 0; j < d; j++)
        trace_S += q->covariance[j * d + j];
    double expected_log_likelihood = -0.5 * (double)D * (LOG_2PI + log(model->variance))
                                     - (squared_residual + trace_WSW) / (2.0 * model->variance);
    double expected_log_prior = -0.5 * (double)d * LOG_2PI - 0.5 * (vector_dot(q->mean, q->mean, d) + trace_S);
    double entropy_q = 0.5 * (double)d * (LOG_2PI + 1.0) + 0.5 * q->log_det;
    return expected_log_likelihood + expected_log_prior + entropy_q;
}

/* ---- Monte Carlo: the ELBO and the k-sample bound ---------------------------------------------- */

double log_importance_weight(const LinearGaussian *model, const double *x, const Gaussian *q, const double *z)
{
    return linear_gaussian_log_joint(model, x, z) - gaussian_log_density(q, z);
}

/* ELBO = E_q[log p(x, z) - log q(z)] ~ (1/S) sum_s log w(z_s)    (Louppe L11, "Variational inference") */
bool elbo_monte_carlo(double *elbo, double *standard_error, const LinearGaussian *model, const double *x,
                      const Gaussian *q, size_t S, Rng *rng, Error *err)
{
    if (S < 2)
        return error_set(err, "the Monte Carlo ELBO needs S >= 2 samples for its standard error (got %zu)", S);
    double *z = alloc_doubles(q->d, err);
    if (!z)
        return false;
    /* EXERCISE 4.5 (2 points): the Monte Carlo ELBO and its standard error.
     * Replace this stub with your code; `make hint EX=4.5` prints a hint. */
    exercise_not_implemented("4.5", __func__);
    (void)model;
    (void)x;
    (void)rng;
    *elbo = NAN;
    *standard_error = NAN;
    /* END EXERCISE 4.5 */
    free(z);
    return true;
}

/* L_k = log (1/k) sum_i p(x, z_i) / q(z_i), z_i ~ q    (Wu L6; Burda et al. 2016) */
bool k_sample_bound(double *bound, const LinearGaussian *model, const double *x, const Gaussian *q, size_t k,
                    Rng *rng, Error *err)
{
    if (k == 0)
        return error_set(err, "the k-sample bound needs k >= 1 samples");
    double *z = alloc_doubles(q->d, err), *log_w = z ? alloc_doubles(k, err) : NULL;
    if (!log_w) {
        free(z);
        return false;
    }
    /* EXERCISE 4.6 (2 points): the k-sample bound, with log-mean-exp.
     * Replace this stub with your code; `make hint EX=4.6` prints a hint. */
    exercise_not_implemented("4.6", __func__);
    (void)model;
    (void)x;
    (void)rng;
    *bound = NAN;
    /* END EXERCISE 4.6 */
    free(z);
    free(log_w);
    return true;
}

/* ---- a Gaussian mixture and EM ------------------------------------------------------------- */

bool gmm_init(Gmm *gmm, size_t K, size_t D, Error *err)
{
    *gmm = (Gmm){ .K = K, .D = D };
    if (K == 0 || K > GMM_MAX_COMPONENTS)
        return error_set(err, "a mixture needs 1 to %d components (got K = %zu)", GMM_MAX_COMPONENTS, K);
    if (D == 0)
        return error_set(err, "a mixture needs a dimension D >= 1");
    gmm->weight = alloc_doubles(K, err);
    gmm->component = gmm->weight ? checked_calloc(K, sizeof *gmm->component, err) : NULL;
    bool ok = gmm->component != NULL;
    for (size_t k = 0; ok && k < K; k++) {
        gmm->weight[k] = 1.0 / (double)K;
        ok = gaussian_init(&gmm->component[k], D, err);
    }
    if (!ok)
        gmm_free(gmm);
    return ok;
}

void gmm_free(Gmm *gmm)
{
    for (size_t k = 0; gmm->component && k < gmm->K; k++)
        gaussian_free(&gmm->component[k]);
    free(gmm->component);
    free(gmm->weight);
    *gmm = (Gmm){ 0 };
}

bool gmm_factor(Gmm *gmm, Error *err)
{
    if (!probability_check(gmm->weight, gmm->K, "pi", err))
        return false;
    for (size_t k = 0; k < gmm->K; k++)
        if (!gaussian_factor(&gmm->component[k], err))
            return error_prefix(err, "component %zu of %zu", k + 1, gmm->K);
    return true;
}

/* The data's mean and (1/N) covariance into g, factored. */
static bool fit_one_gaussian(Gaussian *g, const double *X, size_t N, Error *err)
{
    size_t D = g->d;
    vector_zero(g->mean, D);
    sum_rows_add(g->mean, X, N, D);
    vector_scale(g->mean, 1.0 / (double)N, D);
    vector_zero(g->covariance, D * D);
    double *centred = alloc_doubles(D, err);
    if (!centred)
        return false;
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j < D; j++)
            centred[j] = X[i * D + j] - g->mean[j];
        matrix_multiply_at_add(g->covariance, centred, centred, 1, D, D);
    }
    vector_scale(g->covariance, 1.0 / (double)N, D * D);
    free(centred);
    return gaussian_factor(g, err) || error_prefix(err, "the data");
}

/* k-means++ seeding (Arthur & Vassilvitskii 2007): the first mean is a data point drawn
 * uniformly, each next one a point drawn with probability proportional to its squared
 * distance to the nearest mean chosen so far, so that the K means tend to land in K
 * different clusters (and never twice on one point).  Returns how many were chosen: fewer
 * than K only if the data have fewer than K distinct points.      means (K, D), X (N, D) */
static size_t spread_out_points(double *means, const double *X, size_t N, size_t D, size_t K, double *distance,
                                Rng *rng)
{
    vector_copy(means, X + rng_below(rng, N) * D, D);
    for (size_t i = 0; i < N; i++)
        distance[i] = INFINITY;
    for (size_t chosen = 1; chosen < K; chosen++) {
        double total = 0.0;
        for (size_t i = 0; i < N; i++) {
            distance[i] = fmin(distance[i], vector_squared_distance(X + i * D, means + (chosen - 1) * D, D));
            total += distance[i];
        }
        if (!(total > 0.0))
            return chosen; /* every point is on a chosen mean */
        double u = rng_uniform(rng) * total, cumulative = 0.0;
        size_t pick = 0;
        for (size_t i = 0; i < N; i++)
            if (distance[i] > 0.0 && cumulative <= u) {
                pick = i; /* the last point whose interval starts at or below u */
                cumulative += distance[i];
            }
        vector_copy(means + chosen * D, X + pick * D, D);
    }
    return K;
}

bool gmm_init_from_data(Gmm *gmm, const double *X, size_t N, size_t D, size_t K, Rng *rng, Error *err)
{
    if (K == 0)
        return error_set(err, "a mixture needs K >= 1 components");
    if (K > N)
        return error_set(err, "%zu components for %zu points: a mixture needs K <= N", K, N);
    if (!vector_all_finite(X, N * D))
        return error_set(err, "the data hold a NaN or an infinite value");
    double *distance = alloc_doubles(N, err), *means = distance ? alloc_doubles(K * D, err) : NULL;
    bool ok = means && gmm_init(gmm, K, D, err) && fit_one_gaussian(&gmm->component[0], X, N, err);
    size_t chosen = ok ? spread_out_points(means, X, N, D, K, distance, rng) : 0;
    if (ok && chosen < K)
        ok = error_set(err, "%zu components, but the data have only %zu distinct points", K, chosen);
    for (size_t k = 0; ok && k < K; k++) { /* every component: the data's covariance, a chosen mean */
        Gaussian *c = &gmm->component[k];
        if (k > 0) {
            vector_copy(c->covariance, gmm->component[0].covariance, D * D);
            vector_copy(c->cholesky, gmm->component[0].cholesky, D * D);
            c->log_det = gmm->component[0].log_det;
        }
        vector_copy(c->mean, means + k * D, D);
    }
    free(distance);
    free(means);
    if (!ok)
        gmm_free(gmm);
    return ok;
}

/* a_k = log pi_k + log N(x; mu_k, Sigma_k), the log joint p(x, z = k).    a (K) */
static void log_joint_per_component(double *a, const Gmm *gmm, const double *x)
{
    for (size_t k = 0; k < gmm->K; k++)
        a[k] = log(gmm->weight[k]) + gaussian_log_density(&gmm->component[k], x);
}

double gmm_log_density(const Gmm *gmm, const double *x)
{
    double a[GMM_MAX_COMPONENTS];
    log_joint_per_component(a, gmm, x);
    return log_sum_exp(a, gmm->K);
}

void gmm_sample(double *X, unsigned char *labels, const Gmm *gmm, size_t N, Rng *rng)
{
    for (size_t i = 0; i < N; i++) {
        double u = rng_uniform(rng), cumulative = 0.0;
        size_t k = 0;
        while (k + 1 < gmm->K && u >= (cumulative += gmm->weight[k]))
            k++;
        if (labels)
            labels[i] = (unsigned char)k;
        gaussian_sample(X + i * gmm->D, &gmm->component[k], rng);
    }
}

/* r_ik = p(z_i = k | x_i) = pi_k N(x_i | k) / sum_l pi_l N(x_i | l), in logs    (Wu L6, E-step) */
double gmm_e_step(double *R, const Gmm *gmm, const double *X, size_t N)
{
    /* EXERCISE 4.7 (2 points): the E-step: responsibilities computed in logs.
     * Replace this stub with your code; `make hint EX=4.7` prints a hint. */
    exercise_not_implemented("4.7", __func__);
    (void)X;
    vector_zero(R, N * gmm->K); // zeros: a safe wrong answer
    return NAN;
    /* END EXERCISE 4.7 */
}

/* pi_k = N_k / N, mu_k = (1/N_k) sum_i r_ik x_i, Sigma_k = (1/N_k) sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T
 * (Wu L6, M-step: the bound's maximiser for fixed q) */
void gmm_m_step(Gmm *gmm, const double *R, const double *X, size_t N)
{
    /* EXERCISE 4.8 (2 points): the M-step: weights, means and covariances.
     * Replace this stub with your code; `make hint EX=4.8` prints a hint. */
    exercise_not_implemented("4.8", __func__);
    (void)R;
    (void)X;
    (void)N;
    for (size_t k = 0; k < gmm->K; k++) { // zeros: a safe wrong answer
        gmm->weight[k] = 0.0;
        vector_zero(gmm->component[k].mean, gmm->D);
        vector_zero(gmm->component[k].covariance, gmm->D * gmm->D);
    }
    /* END EXERCISE 4.8 */
}

double gmm_elbo(const Gmm *gmm, const double *R, const double *X, size_t N)
{
    size_t K = gmm->K;
    double a[GMM_MAX_COMPONENTS], bound = 0.0;
    for (size_t i = 0; i < N; i++) {
        log_joint_per_component(a, gmm, X + i * gmm->D);
        for (size_t k = 0; k < K; k++)
            if (R[i * K + k] > 0.0) /* 0 log 0 = 0, and no 0 * -inf */
                bound += R[i * K + k] * (a[k] - log(R[i * K + k]));
    }
    return bound;
}

bool gmm_em_step(EmStep *step, Gmm *gmm, double *R, const double *X, size_t N, Error *err)
{
    step->log_likelihood = gmm_e_step(R, gmm, X, N);
    gmm_m_step(gmm, R, X, N);
    if (!gmm_factor(gmm, err))
        return error_prefix(err, "after the M-step");
    step->bound = gmm_elbo(gmm, R, X, N);
    return true;
}

/* ---- reverse against forward KL ------------------------------------------------------------ */

/* E_{N(m, s^2)}[f(z)] = int N(eps; 0, 1) f(m + s eps) d eps by Simpson's rule on
 * eps in [-12, 12]: the tails beyond hold less than 1e-32 of the mass. */
enum { QUADRATURE_INTERVALS = 4800 }; /* 200 per unit of eps: error far below 1e-12 */
static const double QUADRATURE_RANGE = 12.0;

static double simpson_weight(size_t i)
{
    if (i == 0 || i == QUADRATURE_INTERVALS)
        return 1.0;
    return i % 2 ? 4.0 : 2.0;
}

static double quadrature_node(size_t i)
{
    return -QUADRATURE_RANGE + 2.0 * QUADRATURE_RANGE * (double)i / QUADRATURE_INTERVALS;
}

static double quadrature_step(void)
{
    return 2.0 * QUADRATURE_RANGE / QUADRATURE_INTERVALS / 3.0;
}

/* log p(z) and d/dz log p(z) = sum_k r_k(z) (mu_k - z) / sigma_k^2 for a 1-D mixture. */
static double mixture_log_density_1d(double *slope, const Gmm *p, double z)
{
    double a[GMM_MAX_COMPONENTS], r[GMM_MAX_COMPONENTS];
    for (size_t k = 0; k < p->K; k++)
        a[k] = log(p->weight[k]) + log_normal_density(z, p->component[k].mean[0], p->component[k].covariance[0]);
    softmax(r, a, p->K);
    *slope = 0.0;
    for (size_t k = 0; k < p->K; k++)
        *slope += r[k] * (p->component[k].mean[0] - z) / p->component[k].covariance[0];
    return log_sum_exp(a, p->K);
}

double kl_normal_to_mixture(double mean, double variance, const Gmm *p)
{
    double s = sqrt(variance), cross = 0.0, slope; /* cross = E_q[log p] */
    for (size_t i = 0; i <= QUADRATURE_INTERVALS; i++) {
        double eps = quadrature_node(i);
        cross += simpson_weight(i) * exp(log_normal_density(eps, 0.0, 1.0))
                 * mixture_log_density_1d(&slope, p, mean + s * eps);
    }
    double entropy_q = 0.5 * (LOG_2PI + log(variance) + 1.0);
    return -entropy_q - quadrature_step() * cross;
}

double kl_mixture_to_normal(const Gmm *p, double mean, double variance)
{
    double kl = 0.0, slope;
    for (size_t k = 0; k < p->K; k++) { /* E_p[f] = sum_k pi_k E_{N_k}[f] */
        double m = p->component[k].mean[0], s = sqrt(p->component[k].covariance[0]), sum = 0.0;
        for (size_t i = 0; i <= QUADRATURE_INTERVALS; i++) {
            double eps = quadrature_node(i), z = m + s * eps;
            sum += simpson_weight(i) * exp(log_normal_density(eps, 0.0, 1.0))
                   * (mixture_log_density_1d(&slope, p, z) - log_normal_density(z, mean, variance));
        }
        kl += p->weight[k] * quadrature_step() * sum;
    }
    return kl;
}

void fit_forward_kl(double *mean, double *variance, const Gmm *p)
{
    double m = 0.0, second = 0.0;
    for (size_t k = 0; k < p->K; k++) {
        double mu = p->component[k].mean[0];
        m += p->weight[k] * mu;
        second += p->weight[k] * (p->component[k].covariance[0] + mu * mu);
    }
    *mean = m;
    *variance = second - m * m;
}

/* The gradient of KL(q || p) = -H(q) - E_q[log p] in (m, log s), q = N(m, s^2), z = m + s eps:
 *     d/dm     = -E[g(z)],
 *     d/dlog s = -1 - s E[eps g(z)],          g = d/dz log p,
 * the expectations by the quadrature above. */
static void reverse_kl_gradient(double *grad_m, double *grad_log_s, const Gmm *p, double m, double s)
{
    double expected_g = 0.0, expected_eps_g = 0.0, slope;
    for (size_t i = 0; i <= QUADRATURE_INTERVALS; i++) {
        double eps = quadrature_node(i), weight = simpson_weight(i) * exp(log_normal_density(eps, 0.0, 1.0));
        mixture_log_density_1d(&slope, p, m + s * eps);
        expected_g += weight * slope;
        expected_eps_g += weight * eps * slope;
    }
    *grad_m = -quadrature_step() * expected_g;
    *grad_log_s = -1.0 - s * quadrature_step() * expected_eps_g;
}

/* Descent on (m, log s) with the step (-s^2 d/dm, -(1/2) d/dlog s): near a mode of width
 * sigma_k, where KL ~ (m - mu_k)^2 / (2 sigma_k^2) + ..., that is a Newton step once s is
 * sigma_k.  Each step moves m by at most s and is halved until the KL decreases, so the fit
 * never jumps over a valley to another mode: it lands on a mode near its start. */
bool fit_reverse_kl(double *mean, double *variance, const Gmm *p, double start, Error *err)
{
    enum { MAX_STEPS = 1000, MAX_HALVINGS = 60 };
    double m = start, log_s = INFINITY;
    for (size_t k = 0; k < p->K; k++)
        log_s = fmin(log_s, 0.5 * log(p->component[k].covariance[0]));
    double kl = kl_normal_to_mixture(m, exp(2.0 * log_s), p);
    for (size_t step = 0; step < MAX_STEPS; step++) {
        double s = exp(log_s), grad_m, grad_log_s;
        reverse_kl_gradient(&grad_m, &grad_log_s, p, m, s);
        if (fabs(grad_m) * s < 1e-10 && fabs(grad_log_s) < 1e-10) {
            *mean = m;
            *variance = s * s;
            return true;
        }
        double step_m = fmax(-s, fmin(s, -s * s * grad_m)), step_log_s = fmax(-0.5, fmin(0.5, -0.5 * grad_log_s));
        double rate = 1.0, trial_kl = kl_normal_to_mixture(m + step_m, exp(2.0 * (log_s + step_log_s)), p);
        for (size_t h = 0; h < MAX_HALVINGS && !(trial_kl < kl); h++) {
            rate *= 0.5;
            trial_kl = kl_normal_to_mixture(m + rate * step_m, exp(2.0 * (log_s + rate * step_log_s)), p);
        }
        if (!(trial_kl < kl)) /* no step lowers the KL: as close to the minimum as rounding allows */
            break;
        m += rate * step_m;
        log_s += rate * step_log_s;
        kl = trial_kl;
    }
    double grad_m, grad_log_s, s = exp(log_s);
    reverse_kl_gradient(&grad_m, &grad_log_s, p, m, s);
    if (fabs(grad_m) * s < 1e-6 && fabs(grad_log_s) < 1e-6) {
        *mean = m;
        *variance = s * s;
        return true;
    }
    return error_set(err, "the reverse-KL fit did not converge (gradient %g, %g)", grad_m, grad_log_s);
}

/* ---- mean field -------------------------------------------------------------------------- */

/* q_i*(z_i) = N(mu_i - Lambda_ii^-1 sum_{j != i} Lambda_ij (m_j - mu_j), Lambda_ii^-1)
 * (Wu L6: log q_i* = E_{j != i}[log p(z, x)] + const, for a Gaussian p) */
void mean_field_update(double *mean, double *variance, const double *mu, const double *Lambda, size_t d,
                       size_t i)
{
    /* EXERCISE 4.9 (2 points): one mean-field update.
     * Replace this stub with your code; `make hint EX=4.9` prints a hint. */
    exercise_not_implemented("4.9", __func__);
    (void)mu;
    (void)Lambda;
    (void)d;
    mean[i] = NAN;
    variance[i] = NAN;
    /* END EXERCISE 4.9 */
}

size_t mean_field_fit(double *mean, double *variance, double *path, const double *mu, const double *Lambda,
                      size_t d, double tolerance, size_t max_sweeps)
{
    size_t updates = 0;
    if (path)
        vector_copy(path, mean, d);
    for (size_t sweep = 0; sweep < max_sweeps; sweep++) {
        double largest_move = 0.0;
        for (size_t i = 0; i < d; i++) {
            double before = mean[i];
            mean_field_update(mean, variance, mu, Lambda, d, i);
            double move = fabs(mean[i] - before);
            largest_move = move > largest_move || isnan(move) ? move : largest_move; /* fmax would drop a NaN */
            updates++;
            if (path)
                vector_copy(path + updates * d, mean, d);
        }
        if (largest_move <= tolerance)
            return updates;
        if (!(largest_move < INFINITY)) /* NaN or diverging: no fixed point */
            return 0;
    }
    return 0;
}
