/* chapters/04-elbo/elbo.h — the evidence lower bound, checked on models whose answer is
 * known (Wu L6 "Latent Variable Model", "Evidence Lower Bound", "Variational Inference";
 * Louppe L11 "Variational inference"; CSC413 L10 "KL Divergence"; CS228 notes ch. 7).
 *
 * A latent-variable model p(x, z) = p(z) p(x | z) has the evidence
 *     log p(x) = log sum_z p(x, z) = log E_{q(z)}[ p(x, z) / q(z) ]      (importance sampling)
 *             >= E_{q(z)}[ log p(x, z) - log q(z) ] = ELBO(q)           (Jensen, log concave)
 * and the gap is exactly a KL divergence:
 *     log p(x) = ELBO(q) + KL(q(z) || p(z | x)).
 * This chapter builds each piece and checks each identity numerically:
 *   - KL divergences and entropies: discrete (CSC413's coins), diagonal Gaussians in closed
 *     form through entropy and cross-entropy, the VAE's KL against N(0, I);
 *   - the linear-Gaussian model (probabilistic PCA), p(z) = N(0, I_d),
 *     p(x | z) = N(W z + b, sigma^2 I_D), where log p(x), p(z | x) and the ELBO of any
 *     Gaussian q are closed forms, so log p(x) = ELBO + KL holds to rounding;
 *   - the Monte Carlo ELBO and the k-sample bound log (1/k) sum_i p(x, z_i) / q(z_i);
 *   - EM on a Gaussian mixture, as iterated maximisation of the bound (Wu L6);
 *   - reverse KL(q || p) against forward KL(p || q), and mean-field coordinate ascent.
 *
 * Logs are natural (nats); bits = nats / log 2.  Matrices are row-major.  Every density is
 * computed in logs, so it stays finite 40 standard deviations out.
 */
#ifndef VAELAB_ELBO_H
#define VAELAB_ELBO_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "rng.h"

/* ---- discrete distributions (exercise 4.1) ------------------------------------------------ */

/* p (n) is a distribution: n >= 1, every p_i in [0, 1], sum_i p_i = 1 within 1e-9.
 * `name` ("q", "p") starts the message. */
bool probability_check(const double *p, size_t n, const char *name, Error *err);

/* Exercise 4.1.  H(p) = -sum_i p_i log p_i, with 0 log 0 = 0.               p (n) */
double entropy(const double *p, size_t n);
/* Exercise 4.1.  KL(q || p) = sum_i q_i log(q_i / p_i) (CSC413 L10), 0 where q_i = 0,
 * +inf where q_i > 0 = p_i.                                                  q, p (n) */
double kl_divergence(const double *q, const double *p, size_t n);

/* ---- diagonal Gaussians (exercises 4.2, 4.3) ------------------------------------------------ */

/* Every variance is finite and > 0.                                          variance (d) */
bool variance_check(const double *variance, size_t d, Error *err);

/* Exercise 4.2.  The entropy of N(mu, diag sigma^2) (CSC413 L10, "entropy computation"):
 *     H(p) = -E_p[log p(z)] = (1/2) sum_j [log(2 pi sigma_j^2) + 1].        variance (d) */
double gaussian_entropy(const double *variance, size_t d);
/* Exercise 4.2.  The cross-entropy of q = N(mu_q, diag sigma_q^2) under p = N(mu_p, ...):
 *     H(p, q) = -E_p[log q(z)] = (1/2) sum_j [log(2 pi sigma_qj^2)
 *                                  + (sigma_pj^2 + (mu_pj - mu_qj)^2) / sigma_qj^2].   (d) each */
double gaussian_cross_entropy(const double *mean_p, const double *variance_p, const double *mean_q,
                              const double *variance_q, size_t d);
/* Exercise 4.2.  KL(p || q) = E_p[log p - log q] = H(p, q) - H(p)           (d) each */
double gaussian_kl(const double *mean_p, const double *variance_p, const double *mean_q, const double *variance_q,
                   size_t d);
/* Exercise 4.3.  The VAE's KL term (Louppe L11), from a mean and a log-variance:
 *     KL(N(mu, diag sigma^2) || N(0, I)) = (1/2) sum_j [mu_j^2 + sigma_j^2 - 1 - log sigma_j^2],
 *     sigma_j^2 = exp(log_variance_j).                                  mean, log_variance (d) */
double gaussian_kl_standard(const double *mean, const double *log_variance, size_t d);

/* A Monte Carlo estimate of KL(p || q): the mean over S draws z ~ p of log p(z) - log q(z),
 * with its standard error in *standard_error.  S >= 2.                        (d) each */
double gaussian_kl_monte_carlo(double *standard_error, const double *mean_p, const double *variance_p,
                               const double *mean_q, const double *variance_q, size_t d, size_t S, Rng *rng);

/* ---- Gaussians with a full covariance --------------------------------------------------------- */

/* N(mean, covariance).  After the mean and the covariance are written, gaussian_factor
 * computes what the density and the sampler use: covariance = L L^T and log det. */
typedef struct Gaussian {
    size_t d;
    double *mean;       /* (d) */
    double *covariance; /* (d, d), symmetric positive definite */
    double *cholesky;   /* (d, d): L, lower triangular, L L^T = covariance (gaussian_factor) */
    double log_det;     /* log det covariance = 2 sum_j log L_jj (gaussian_factor) */
    double *work;       /* (d): scratch of the density and the KL, not part of the distribution */
} Gaussian;

/* N(0, I_d), factored; d >= 1. */
bool gaussian_init(Gaussian *g, size_t d, Error *err);
void gaussian_free(Gaussian *g);
/* Cholesky-factor the covariance; fails, naming it singular, unless it is positive definite. */
bool gaussian_factor(Gaussian *g, Error *err);
/* log N(z; mean, covariance) = -(1/2)[d log 2 pi + log det + ||L^-1 (z - mean)||^2]   z (d) */
double gaussian_log_density(const Gaussian *g, const double *z);
/* z = mean + L eps, eps ~ N(0, I_d): d draws of rng_normal, in order.         z (d) */
void gaussian_sample(double *z, const Gaussian *g, Rng *rng);
/* KL(q || p) = (1/2)[tr(S_p^-1 S_q) + (m_p - m_q)^T S_p^-1 (m_p - m_q) - d + log det S_p
 * - log det S_q], both factored and of the same d. */
double gaussian_kl_full(const Gaussian *q, const Gaussian *p);

/* A = L L^T for a symmetric A (n, n); false unless A is positive definite (NaN too).  L (n, n) */
bool cholesky(double *L, const double *A, size_t n);
/* inverse = A^-1 for a symmetric positive definite A (n, n); fails on a singular A. */
bool spd_inverse(double *inverse, const double *A, size_t n, Error *err);

/* ---- the linear-Gaussian model (exercise 4.4) --------------------------------------------- */

/* p(z) = N(0, I_d),  p(x | z) = N(W z + b, sigma^2 I_D): probabilistic PCA. */
typedef struct LinearGaussian {
    size_t D, d;     /* data and latent dimension */
    double *W;       /* (D, d) */
    double *b;       /* (D) */
    double variance; /* sigma^2 > 0 */
} LinearGaussian;

/* W = 0, b = 0; fails on D or d = 0 and on sigma^2 not finite and > 0. */
bool linear_gaussian_init(LinearGaussian *model, size_t D, size_t d, double variance, Error *err);
void linear_gaussian_free(LinearGaussian *model);

/* log p(x, z) = log N(x; W z + b, sigma^2 I) + log N(z; 0, I)           x (D), z (d) */
double linear_gaussian_log_joint(const LinearGaussian *model, const double *x, const double *z);
/* The marginal p(x) = N(b, W W^T + sigma^2 I_D), factored, into a Gaussian of dimension D. */
bool linear_gaussian_marginal(Gaussian *marginal, const LinearGaussian *model, Error *err);
/* Exercise 4.4.  The exact posterior p(z | x) = N(m, S), with M = W^T W + sigma^2 I_d:
 *     S = sigma^2 M^-1,     m = M^-1 W^T (x - b).
 * Writes posterior->mean and ->covariance (d); the caller factors it.         x (D) */
bool linear_gaussian_posterior(Gaussian *posterior, const LinearGaussian *model, const double *x, Error *err);
/* The ELBO of a factored Gaussian q = N(m, S) in closed form:
 *     E_q[log p(x | z)] = -(D/2) log(2 pi sigma^2) - (||x - W m - b||^2 + tr(W^T W S)) / (2 sigma^2)
 *     E_q[log p(z)]     = -(d/2) log(2 pi) - (||m||^2 + tr S) / 2
 *     H(q)              =  (d/2) log(2 pi e) + (1/2) log det S.                  x (D) */
double linear_gaussian_elbo(const LinearGaussian *model, const double *x, const Gaussian *q);

/* ---- Monte Carlo: the ELBO and the k-sample bound (exercises 4.5, 4.6) ------------------- */

/* log w(z) = log p(x, z) - log q(z): the log importance weight of one z ~ q.  x (D), z (d) */
double log_importance_weight(const LinearGaussian *model, const double *x, const Gaussian *q, const double *z);

/* Exercise 4.5.  The Monte Carlo ELBO over S draws z_s ~ q (Louppe L11):
 *     ELBO ~ (1/S) sum_s log w(z_s),    *standard_error = sqrt(Var_s log w / S).
 * S >= 2 (else an error).                                                       x (D) */
bool elbo_monte_carlo(double *elbo, double *standard_error, const LinearGaussian *model, const double *x,
                      const Gaussian *q, size_t S, Rng *rng, Error *err);
/* Exercise 4.6.  The k-sample bound (Wu L6: "more than one sample for a tighter lower
 * bound"; Burda et al. 2016), with z_1 .. z_k ~ q:
 *     L_k = log (1/k) sum_i w(z_i) = log_mean_exp(log w(z_1), ..., log w(z_k)).
 * E[L_k] <= log p(x), non-decreasing in k; exp(L_1) = w(z_1) is unbiased for p(x).
 * k >= 1 (else an error).                                                        x (D) */
bool k_sample_bound(double *bound, const LinearGaussian *model, const double *x, const Gaussian *q, size_t k,
                    Rng *rng, Error *err);

/* ---- a Gaussian mixture and EM (exercises 4.7, 4.8) ----------------------------------------- */

enum { GMM_MAX_COMPONENTS = 64 };

/* p(x) = sum_k pi_k N(x; mu_k, Sigma_k): z ~ Categorical(pi), x | z ~ N(mu_z, Sigma_z) (Wu L6). */
typedef struct Gmm {
    size_t K, D;
    double *weight;      /* pi_k (K) */
    Gaussian *component; /* N(mu_k, Sigma_k) (K), each of dimension D */
} Gmm;

/* K components N(0, I_D) of weight 1/K; 1 <= K <= GMM_MAX_COMPONENTS, D >= 1. */
bool gmm_init(Gmm *gmm, size_t K, size_t D, Error *err);
void gmm_free(Gmm *gmm);
/* EM's start: K different data points as the means, drawn by k-means++ seeding (each next
 * one with probability proportional to its squared distance to the nearest already chosen),
 * the data's covariance for every component, weights 1/K.  Fails on K = 0, K > N, and data with fewer than K distinct points
 * or a singular covariance.                                                  X (N, D) */
bool gmm_init_from_data(Gmm *gmm, const double *X, size_t N, size_t D, size_t K, Rng *rng, Error *err);
/* The weights are a distribution and every covariance is positive definite (factors them). */
bool gmm_factor(Gmm *gmm, Error *err);
/* log p(x) = log sum_k pi_k N(x; mu_k, Sigma_k), by log-sum-exp.            x (D) */
double gmm_log_density(const Gmm *gmm, const double *x);
/* N draws: z_i ~ Categorical(pi) into labels (may be NULL), x_i ~ N(mu_z, Sigma_z).  X (N, D) */
void gmm_sample(double *X, unsigned char *labels, const Gmm *gmm, size_t N, Rng *rng);

/* Exercise 4.7.  The E-step, q(z_i) = p(z_i | x_i; theta), computed in logs:
 *     r_ik = exp(a_ik - log sum_l exp(a_il)),   a_ik = log pi_k + log N(x_i; mu_k, Sigma_k);
 * returns log p(X) = sum_i log sum_k exp(a_ik).                        R (N, K), X (N, D) */
double gmm_e_step(double *R, const Gmm *gmm, const double *X, size_t N);
/* Exercise 4.8.  The M-step, argmax_theta of the bound for fixed q, with N_k = sum_i r_ik:
 *     pi_k = N_k / N,   mu_k = (1/N_k) sum_i r_ik x_i,
 *     Sigma_k = (1/N_k) sum_i r_ik (x_i - mu_k)(x_i - mu_k)^T   (with the new mu_k).
 * Writes weight, means and covariances; the caller factors them.       R (N, K), X (N, D) */
void gmm_m_step(Gmm *gmm, const double *R, const double *X, size_t N);
/* The bound of Wu L6 for q(z_i = k) = r_ik:
 *     J(theta; q) = sum_i sum_k r_ik [log pi_k + log N(x_i; mu_k, Sigma_k) - log r_ik].  R (N, K) */
double gmm_elbo(const Gmm *gmm, const double *R, const double *X, size_t N);

/* What one EM iteration reports. */
typedef struct EmStep {
    double log_likelihood; /* log p(X; theta_t) = J(theta_t; q_t), after the E-step */
    double bound;          /* J(theta_{t+1}; q_t), after the M-step: >= log_likelihood */
} EmStep;

/* One iteration: E-step (q_t = p(z | x; theta_t)), M-step (theta_{t+1}), factor.  Fails,
 * naming the component, if a covariance became singular.               R (N, K) scratch */
bool gmm_em_step(EmStep *step, Gmm *gmm, double *R, const double *X, size_t N, Error *err);

/* ---- reverse against forward KL (one Gaussian fitted to a 1-D mixture) ---------------------- */

/* The forward fit argmin_q KL(p || q) over q = N(m, s^2): moment matching,
 * m = E_p[x], s^2 = Var_p[x].  p is a factored mixture with D = 1. */
void fit_forward_kl(double *mean, double *variance, const Gmm *p);
/* The reverse fit argmin_q KL(q || p) by descent on (m, log s), from m = start and s = the
 * narrowest component's standard deviation, the expectations by quadrature.  KL(q || p) has
 * several local minima (one per well-separated mode, and possibly a broad one between them);
 * started near a mode, the fit lands on it.  Fails if it does not converge. */
bool fit_reverse_kl(double *mean, double *variance, const Gmm *p, double start, Error *err);
/* KL(N(m, s^2) || p) and KL(p || N(m, s^2)) by quadrature: Simpson's rule over +-12 standard
 * deviations of the Gaussian taken the expectation under (each component's, for p). */
double kl_normal_to_mixture(double mean, double variance, const Gmm *p);
double kl_mixture_to_normal(const Gmm *p, double mean, double variance);

/* ---- mean field (exercise 4.9) ------------------------------------------------------------- */

/* Exercise 4.9.  One mean-field update of q_i for the target p(z) = N(mu, Lambda^-1)
 * (Wu L6: log q_i*(z_i) = E_{j != i}[log p(z)] + const), other factors held fixed:
 *     variance_i = 1 / Lambda_ii,
 *     mean_i     = mu_i - (1 / Lambda_ii) sum_{j != i} Lambda_ij (mean_j - mu_j).
 *                                          mean, variance, mu (d), Lambda (d, d) */
void mean_field_update(double *mean, double *variance, const double *mu, const double *Lambda, size_t d,
                       size_t i);
/* Coordinate ascent: sweeps of updates i = 0 .. d-1 until no mean moves by more than
 * tolerance; path (may be NULL) gets the means after each update, ((max_sweeps d + 1), d),
 * the start first.  Returns the updates made (0 if it did not converge). */
size_t mean_field_fit(double *mean, double *variance, double *path, const double *mu, const double *Lambda,
                      size_t d, double tolerance, size_t max_sweeps);

#endif
