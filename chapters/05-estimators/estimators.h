/* chapters/05-estimators/estimators.h — Monte Carlo estimators of the gradient of an
 * expectation, grad_phi E_{q_phi(z)}[f(z)], and their exact variances (CS228 notes ch. 7,
 * "The score function gradient estimator", "The reparametrization trick"; Louppe L11,
 * "Reparameterization trick"; Cheysson & Mary-Huard, "Reparameterisation trick";
 * CSC413 L10, "Monte Carlo gradient estimation").
 *
 * q_phi = N(mu, diag(sigma^2)) in d dimensions, phi = (mu, sigma).  Every estimator draws
 * n samples z_i = mu + sigma (.) eps_i, eps_i ~ N(0, I), and averages one of
 *
 *     score function (REINFORCE):   f(z_i) grad_phi log q_phi(z_i)
 *     with a baseline b:            (f(z_i) - b) grad_phi log q_phi(z_i)
 *     leave-one-out baseline:       b_i = (1/(n-1)) sum_{j != i} f(z_j)
 *     pathwise (reparameterised):   grad_phi f(mu + sigma (.) eps_i)
 *                                 = (grad_z f(z_i),  grad_z f(z_i) (.) eps_i)  for (mu, sigma).
 *
 * Gradients are taken with respect to sigma, not log sigma: sigma is the parameter of the
 * slides' z = mu + sigma (.) eps, so dz/dsigma = eps, and every closed form stays a
 * polynomial in sigma.  The gradient with respect to log sigma is sigma times it (chain
 * rule): every estimator is scaled by the same sigma, so the variance ratios and their
 * ordering do not depend on the choice.  The optimiser of section 5 steps on log sigma,
 * which keeps sigma > 0.
 *
 * Estimates are written, not accumulated: these are not backward passes.
 */
#ifndef VAELAB_ESTIMATORS_H
#define VAELAB_ESTIMATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "rng.h"

/* ---- the integrand f ------------------------------------------------------------------- */

/* f: R^d -> R and its gradient; the estimators know f only through these. */
typedef struct Integrand {
    double (*value)(const void *context, const double *z, size_t d);                  /* f(z) */
    void (*gradient)(const void *context, double *grad, const double *z, size_t d); /* grad_z f (d) */
    const void *context;
} Integrand;

/* Scratch space of the estimators for up to max_samples draws in d dimensions. */
typedef struct EstimatorScratch {
    size_t d, max_samples;
    double *eps;      /* (max_samples, d): the noise eps_i of each draw */
    double *z;        /* (max_samples, d): the draws z_i = mu + sigma (.) eps_i */
    double *f_values; /* (max_samples): f(z_i) */
    double *weights;  /* (max_samples): the weight w_i of each draw's score */
    double *grad_f;   /* (d): grad_z f at one draw */
} EstimatorScratch;

bool estimator_scratch_init(EstimatorScratch *scratch, size_t d, size_t max_samples, Error *err);
void estimator_scratch_free(EstimatorScratch *scratch);

/* ---- the estimators (exercises 5.1 to 5.4) ----------------------------------------------- */

/* Exercise 5.1.  The score of q = N(mu, sigma^2) at z, with eps = (z - mu) / sigma:
 *     d log q / d mu    = (z - mu) / sigma^2                  = eps / sigma,
 *     d log q / d sigma = (z - mu)^2 / sigma^3 - 1 / sigma    = (eps^2 - 1) / sigma. */
void gaussian_score(double *score_mu, double *score_sigma, double z, double mu, double sigma);

/* Draw z_i = mu + sigma (.) eps_i, eps_i ~ N(0, I), for i < n <= max_samples: eps_i and z_i
 * into the rows of scratch->eps and scratch->z, f(z_i) into scratch->f_values.  mu, sigma (d) */
void draw_samples(EstimatorScratch *scratch, const Integrand *f, const double *mu, const double *sigma, size_t n,
                  Rng *rng);

/* Exercise 5.2.  The score-function average over the draws z_i in scratch->z, with a weight
 * w_i per draw:
 *     (1/n) sum_i w_i grad_phi log q(z_i).
 * w_i = f(z_i) is the score-function (REINFORCE) estimate of CS228 notes ch. 7; w_i = f(z_i) - b
 * the same with a baseline.  A diagonal q factorises, so d log q / d mu_j and d log q / d sigma_j
 * are the 1-D scores of coordinate j.          grad_mu, grad_sigma, mu, sigma (d), weights (n) */
void score_function_average(double *grad_mu, double *grad_sigma, const double *weights,
                            const EstimatorScratch *scratch, const double *mu, const double *sigma, size_t n);

/* Exercise 5.3.  The leave-one-out weights, n >= 2: draw i's baseline is the mean of the
 * OTHER draws, b_i = (1/(n-1)) sum_{j != i} f(z_j), independent of z_i, so the estimate stays
 * unbiased; a b_i that includes f(z_i) would shrink its mean by a factor (1 - 1/n).
 *     w_i = f(z_i) - b_i.                                              weights, f_values (n) */
void leave_one_out_weights(double *weights, const double *f_values, size_t n);

/* The three score-function estimates, each draw_samples then score_function_average:
 *     score function (REINFORCE):  (1/n) sum_i f(z_i) grad_phi log q(z_i)      (CS228 notes ch. 7)
 *     constant baseline b:         (1/n) sum_i (f(z_i) - b) grad_phi log q(z_i)
 *     leave-one-out baseline:      the weights of leave_one_out_weights (n >= 2).
 * A constant b keeps the estimate unbiased because the score has mean zero, E_q[grad log q] = 0
 * (a control variate).                             grad_mu, grad_sigma, mu, sigma (d = scratch->d) */
void score_function_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                             const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng);
void score_function_baseline_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, double baseline,
                                      const double *mu, const double *sigma, size_t n,
                                      EstimatorScratch *scratch, Rng *rng);
void score_function_loo_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                                 const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng);

/* Exercise 5.4.  The pathwise (reparameterised) estimate: z_i = mu + sigma (.) eps_i, and
 *     grad_mu    ~ (1/n) sum_i grad_z f(z_i),
 *     grad_sigma ~ (1/n) sum_i grad_z f(z_i) (.) eps_i          (Louppe L11, SGVB). */
void pathwise_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                       const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng);

/* The four estimators behind one name, for tables and loops. */
typedef enum EstimatorKind {
    ESTIMATOR_SCORE,          /* f grad log q */
    ESTIMATOR_BASELINE,       /* (f - b) grad log q, b = E_q[f] (the exact mean: an oracle) */
    ESTIMATOR_LEAVE_ONE_OUT,  /* (f - b_i) grad log q, b_i from the other n - 1 draws */
    ESTIMATOR_PATHWISE,       /* grad_phi f(mu + sigma eps) */
    ESTIMATOR_COUNT
} EstimatorKind;

const char *estimator_name(EstimatorKind kind);

/* Dispatch to the estimate above; `baseline` is used by ESTIMATOR_BASELINE only, and
 * ESTIMATOR_LEAVE_ONE_OUT needs n >= 2. */
void estimate_gradient(double *grad_mu, double *grad_sigma, EstimatorKind kind, const Integrand *f, double baseline,
                       const double *mu, const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng);

/* ---- test functions with closed forms (docs/derivations.md, "Chapter 5") ----------------- */

/* f(z) = sum_j f1(z_j), one of three scalar functions applied to every coordinate. */
typedef enum TestFunctionKind {
    TEST_QUADRATIC,   /* f1(z) = (z - c)^2   (the "k" of the derivations is c) */
    TEST_EXPONENTIAL, /* f1(z) = exp(c z) */
    TEST_COSINE       /* f1(z) = cos(c z)    (where a baseline beats the pathwise estimate) */
} TestFunctionKind;

typedef struct TestFunction {
    TestFunctionKind kind;
    double c;
} TestFunction;

double test_function_value(const TestFunction *f, double z);      /* f1(z) */
double test_function_derivative(const TestFunction *f, double z); /* f1'(z) */
/* "(z - 1)^2", "exp(0.5 z)", "cos(3 z)" */
void test_function_describe(char *buffer, size_t size, const TestFunction *f);
/* f as an Integrand: f(z) = sum_j f1(z_j), grad_z f = (f1'(z_j))_j. */
Integrand test_function_integrand(const TestFunction *f);

/* E[eps^n] for eps ~ N(0, 1): 0 for odd n, (n - 1)!! = 1, 1, 3, 15, 105, ... for even n. */
double normal_moment(unsigned n);

/* The exact mean and variance of one estimator, for q = N(mu 1, sigma^2 I) in d dimensions
 * and f = sum_j f1(z_j), for the first coordinate (mu_1, sigma_1; every coordinate is
 * alike).  `variance_*` is the variance of ONE estimate made from n draws; for every
 * estimator but the leave-one-out it is the per-draw variance divided by n. */
typedef struct ExactMoments {
    double gradient_mu, gradient_sigma; /* d/dmu_1 E_q[f], d/dsigma_1 E_q[f]: every estimator's mean */
    double variance_mu, variance_sigma;
} ExactMoments;

/* From docs/derivations.md: Gaussian moments E[f1(mu + sigma eps) eps^k], E[f1^2 eps^k],
 * E[f1'^2 eps^k] in closed form, combined per estimator.  n >= 1 (n >= 2 for the
 * leave-one-out), d >= 1, sigma > 0. */
ExactMoments exact_moments(EstimatorKind kind, const TestFunction *f, double mu, double sigma, size_t d,
                           size_t n);

/* E_q[f(z)] = d E[f1(mu + sigma eps)]: the oracle baseline b of ESTIMATOR_BASELINE. */
double test_function_expectation(const TestFunction *f, double mu, double sigma, size_t d);

/* ---- the 1-D inverse-CDF reparameterisation (exercise 5.5) ------------------------------- */

/* Cheysson & Mary-Huard: in 1-D, z = F^{-1}(u) with u ~ U(0, 1) is a draw from the
 * distribution of CDF F (the slide writes F(eps); the quantile F^{-1} is meant, see the
 * README).  For the exponential distribution of rate lambda > 0,
 *     F(z) = 1 - exp(-lambda z),   z = F^{-1}(u) = -log(1 - u) / lambda,
 * and the derivative of the draw with respect to lambda, u held fixed, is
 *     dz/dlambda = log(1 - u) / lambda^2 = -z / lambda
 * (in general dz/dlambda = -(dF/dlambda) / (dF/dz) at fixed u, by implicit differentiation). */

/* Exercise 5.5.  z = F^{-1}(u) for the exponential of rate lambda; 0 <= u < 1. */
double exponential_quantile(double u, double rate);
/* Exercise 5.5.  dz/dlambda of the draw z = F^{-1}(u), written with z: -z / lambda. */
double exponential_quantile_rate_derivative(double z, double rate);

/* (1/n) sum_i f'(z_i) dz_i/dlambda, z_i = F^{-1}(u_i), u_i ~ U[0, 1): the pathwise estimate
 * of d/dlambda E[f(z)], z ~ Exponential(lambda); f is 1-D (its d is 1). */
double inverse_cdf_estimate(const Integrand *f, double rate, size_t n, Rng *rng);

/* For f(z) = (z - k)^2 under Exponential(lambda), with E[z^m] = m! / lambda^m:
 *     d/dlambda E[f] = -4 / lambda^3 + 2 k / lambda^2,
 *     per-draw variance of f'(z) dz/dlambda = (4 / lambda^2) Var[z (z - k)]. */
double exponential_quadratic_gradient(double rate, double k);
double exponential_quadratic_variance(double rate, double k);

/* ---- log q through the change of variables (exercise 5.6) --------------------------------- */

/* Exercise 5.6.  For z = mu + L eps, eps ~ N(0, I), L (d, d) lower triangular with a
 * non-zero diagonal (Louppe L11: "as long as g is invertible"):
 *     log q(z) = log p(eps) - log |det dz/deps| = sum_j log N(eps_j; 0, 1) - sum_j log |L_jj|,
 * with eps = L^{-1} (z - mu) by forward substitution, written into eps.  The diagonal
 * Gaussian is L = diag(sigma).
 *                                                  eps, z, mu (d), L (d, d) row-major */
double log_q_change_of_variables(double *eps, const double *z, const double *mu, const double *L, size_t d);

/* sum_j log N(z_j; mu_j, sigma_j^2), the density written directly (lib/numerics.h). */
double diagonal_gaussian_log_density(const double *z, const double *mu, const double *sigma, size_t d);

/* ---- the ELBO of a linear-Gaussian model (section 5 of the README) ------------------------ */

/* p(z) = N(0, I_d), p(x | z) = N(W z + b, s^2 I_D), one observed x, and q(z | x) =
 * N(mu, diag(sigma^2)).  The ELBO splits into what is estimated and what is exact,
 *     ELBO(mu, sigma) = E_q[log p(x, z)] + H[q],    H[q] = sum_j log sigma_j + (d/2) log(2 pi e),
 * (Louppe L11 writes E_q[log p(x, z) - log q(z | x)]; the entropy's gradient (0, 1/sigma_j)
 * is known exactly, as the VAE knows its KL term in closed form), so f(z) = log p(x, z). */
typedef struct LinearGaussian {
    size_t d, D;
    const double *W; /* (D, d) */
    const double *b; /* (D) */
    double s;        /* observation noise standard deviation */
    const double *x; /* (D): the observation */
} LinearGaussian;

/* log p(x, z) = sum_j log N(z_j; 0, 1) + sum_k log N(x_k; (W z + b)_k, s^2)     z (d) */
double linear_gaussian_log_joint(const LinearGaussian *model, const double *z);
/* grad_z log p(x, z) = -z + W^T (x - W z - b) / s^2                    grad, z (d) */
void linear_gaussian_log_joint_gradient(double *grad, const LinearGaussian *model, const double *z);
/* f(z) = log p(x, z) as an Integrand (context: the model). */
Integrand linear_gaussian_integrand(const LinearGaussian *model);

/* The exact ELBO: log p(x, mu) - (1/2) sum_j sigma_j^2 (1 + ||W_j||^2 / s^2) + H[q],
 * W_j the j-th column of W (log p is quadratic in z, so E_q adds only the curvature). */
double linear_gaussian_elbo(const LinearGaussian *model, const double *mu, const double *sigma);
/* Its exact gradient:  d/dmu = -mu + W^T (x - W mu - b) / s^2,
 *                      d/dsigma_j = -sigma_j (1 + ||W_j||^2 / s^2) + 1 / sigma_j.  (d each) */
void linear_gaussian_elbo_gradient(double *grad_mu, double *grad_sigma, const LinearGaussian *model,
                                   const double *mu, const double *sigma);

/* An estimate of grad ELBO: `kind` on f = log p(x, z) from n draws (the leave-one-out needs
 * n >= 2; the oracle baseline is E_q[log p(x, z)]), plus the exact (0, 1/sigma_j). */
void elbo_gradient_estimate(double *grad_mu, double *grad_sigma, EstimatorKind kind, const LinearGaussian *model,
                            const double *mu, const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng);

#endif
