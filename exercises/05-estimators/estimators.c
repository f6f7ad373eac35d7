/* exercises/05-estimators/estimators.c — the score-function, baseline and pathwise
 * estimators of grad_phi E_q[f], the inverse-CDF reparameterisation, log q through the
 * change of variables, and the closed forms they are measured against (see
 * chapters/05-estimators/estimators.h, README.md and docs/derivations.md for the math). */
#include "estimators.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "exercise.h"
#include "matrix.h"
#include "numerics.h"

bool estimator_scratch_init(EstimatorScratch *scratch, size_t d, size_t max_samples, Error *err)
{
    *scratch = (EstimatorScratch){ .d = d, .max_samples = max_samples };
    if (d == 0 || max_samples == 0)
        return error_set(err, "estimators need d >= 1 and at least one draw (d = %zu, draws = %zu)", d,
                         max_samples);
    scratch->eps = checked_calloc(max_samples, d * sizeof(double), err);
    scratch->z = scratch->eps ? checked_calloc(max_samples, d * sizeof(double), err) : NULL;
    scratch->f_values = scratch->z ? alloc_doubles(max_samples, err) : NULL;
    scratch->weights = scratch->f_values ? alloc_doubles(max_samples, err) : NULL;
    scratch->grad_f = scratch->weights ? alloc_doubles(d, err) : NULL;
    if (!scratch->grad_f) {
        estimator_scratch_free(scratch);
        return false;
    }
    return true;
}

void estimator_scratch_free(EstimatorScratch *scratch)
{
    free(scratch->eps);
    free(scratch->z);
    free(scratch->f_values);
    free(scratch->weights);
    free(scratch->grad_f);
    *scratch = (EstimatorScratch){ 0 };
}

/* ---- the estimators ------------------------------------------------------------------------ */

/* grad log N(z; mu, sigma^2) with respect to (mu, sigma)    (CS228 notes ch. 7, the score) */
void gaussian_score(double *score_mu, double *score_sigma, double z, double mu, double sigma)
{
    /* EXERCISE 5.1 (1 point): the score of a Gaussian with respect to mu and sigma.
     * Replace this stub with your code; `make hint EX=5.1` prints a hint. */
    exercise_not_implemented("5.1", __func__);
    (void)z;
    (void)mu;
    (void)sigma;
    *score_mu = NAN; // a safe wrong answer
    *score_sigma = NAN;
    /* END EXERCISE 5.1 */
}

void draw_samples(EstimatorScratch *scratch, const Integrand *f, const double *mu, const double *sigma, size_t n,
                  Rng *rng)
{
    size_t d = scratch->d;
    assert(n >= 1 && n <= scratch->max_samples);
    for (size_t i = 0; i < n; i++) {
        double *eps = scratch->eps + i * d, *z = scratch->z + i * d;
        for (size_t j = 0; j < d; j++) {
            eps[j] = rng_normal(rng);
            z[j] = mu[j] + sigma[j] * eps[j];
        }
        scratch->f_values[i] = f->value(f->context, z, d);
    }
}

/* (1/n) sum_i w_i grad_phi log q(z_i): the score-function average with weights w_i */
void score_function_average(double *grad_mu, double *grad_sigma, const double *weights,
                            const EstimatorScratch *scratch, const double *mu, const double *sigma, size_t n)
{
    /* EXERCISE 5.2 (2 points): the score-function average.
     * Replace this stub with your code; `make hint EX=5.2` prints a hint. */
    exercise_not_implemented("5.2", __func__);
    (void)weights;
    (void)mu;
    (void)sigma;
    (void)n;
    vector_zero(grad_mu, scratch->d); // zeros: a safe wrong answer
    vector_zero(grad_sigma, scratch->d);
    /* END EXERCISE 5.2 */
}

/* w_i = f(z_i) - b_i,  b_i = (1/(n-1)) sum_{j != i} f(z_j) */
void leave_one_out_weights(double *weights, const double *f_values, size_t n)
{
    assert(n >= 2);
    /* EXERCISE 5.3 (2 points): the leave-one-out baseline.
     * Replace this stub with your code; `make hint EX=5.3` prints a hint. */
    exercise_not_implemented("5.3", __func__);
    (void)f_values;
    for (size_t i = 0; i < n; i++)
        weights[i] = NAN; // a safe wrong answer
    /* END EXERCISE 5.3 */
}

/* (1/n) sum_i (f(z_i) - b) grad_phi log q(z_i), b a constant; b = 0 is REINFORCE */
void score_function_baseline_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, double baseline,
                                      const double *mu, const double *sigma, size_t n,
                                      EstimatorScratch *scratch, Rng *rng)
{
    draw_samples(scratch, f, mu, sigma, n, rng);
    for (size_t i = 0; i < n; i++)
        scratch->weights[i] = scratch->f_values[i] - baseline;
    score_function_average(grad_mu, grad_sigma, scratch->weights, scratch, mu, sigma, n);
}

/* (1/n) sum_i f(z_i) grad_phi log q(z_i)    (CS228 notes ch. 7, the score function estimator) */
void score_function_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                             const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng)
{
    score_function_baseline_estimate(grad_mu, grad_sigma, f, 0.0, mu, sigma, n, scratch, rng);
}

void score_function_loo_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                                 const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng)
{
    draw_samples(scratch, f, mu, sigma, n, rng);
    leave_one_out_weights(scratch->weights, scratch->f_values, n);
    score_function_average(grad_mu, grad_sigma, scratch->weights, scratch, mu, sigma, n);
}

/* (1/n) sum_i (grad_z f(z_i), grad_z f(z_i) (.) eps_i),  z_i = mu + sigma (.) eps_i    (Louppe L11) */
void pathwise_estimate(double *grad_mu, double *grad_sigma, const Integrand *f, const double *mu,
                       const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng)
{
    /* EXERCISE 5.4 (2 points): the pathwise (reparameterised) estimate.
     * Replace this stub with your code; `make hint EX=5.4` prints a hint. */
    exercise_not_implemented("5.4", __func__);
    (void)f;
    (void)mu;
    (void)sigma;
    (void)n;
    (void)rng;
    vector_zero(grad_mu, scratch->d); // zeros: a safe wrong answer
    vector_zero(grad_sigma, scratch->d);
    /* END EXERCISE 5.4 */
}

const char *estimator_name(EstimatorKind kind)
{
    static const char *const names[ESTIMATOR_COUNT] = { "score function", "baseline b = E[f]", "leave-one-out",
                                                        "pathwise" };
    return kind < ESTIMATOR_COUNT ? names[kind] : "?";
}

void estimate_gradient(double *grad_mu, double *grad_sigma, EstimatorKind kind, const Integrand *f, double baseline,
                       const double *mu, const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng)
{
    switch (kind) {
    case ESTIMATOR_SCORE:
        score_function_estimate(grad_mu, grad_sigma, f, mu, sigma, n, scratch, rng);
        break;
    case ESTIMATOR_BASELINE:
        score_function_baseline_estimate(grad_mu, grad_sigma, f, baseline, mu, sigma, n, scratch, rng);
        break;
    case ESTIMATOR_LEAVE_ONE_OUT:
        score_function_loo_estimate(grad_mu, grad_sigma, f, mu, sigma, n, scratch, rng);
        break;
    default:
        pathwise_estimate(grad_mu, grad_sigma, f, mu, sigma, n, scratch, rng);
        break;
    }
}

/* ---- test functions and their closed forms ------------------------------------------------- */

double test_function_value(const TestFunction *f, double z)
{
    switch (f->kind) {
    case TEST_QUADRATIC: return (z - f->c) * (z - f->c);
    case TEST_EXPONENTIAL: return exp(f->c * z);
    default: return cos(f->c * z);
    }
}

double test_function_derivative(const TestFunction *f, double z)
{
    switch (f->kind) {
    case TEST_QUADRATIC: return 2.0 * (z - f->c);
    case TEST_EXPONENTIAL: return f->c * exp(f->c * z);
    default: return -f->c * sin(f->c * z);
    }
}

void test_function_describe(char *buffer, size_t size, const TestFunction *f)
{
    switch (f->kind) {
    case TEST_QUADRATIC: snprintf(buffer, size, "(z - %g)^2", f->c); break;
    case TEST_EXPONENTIAL: snprintf(buffer, size, "exp(%g z)", f->c); break;
    default: snprintf(buffer, size, "cos(%g z)", f->c); break;
    }
}

static double test_function_sum(const void *context, const double *z, size_t d)
{
    double sum = 0.0;
    for (size_t j = 0; j < d; j++)
        sum += test_function_value(context, z[j]);
    return sum;
}

static void test_function_gradient(const void *context, double *grad, const double *z, size_t d)
{
    for (size_t j = 0; j < d; j++)
        grad[j] = test_function_derivative(context, z[j]);
}

Integrand test_function_integrand(const TestFunction *f)
{
    return (Integrand){ test_function_sum, test_function_gradient, f };
}

double normal_moment(unsigned n)
{
    if (n % 2 == 1)
        return 0.0;
    double moment = 1.0;
    for (unsigned k = n; k > 1; k -= 2)
        moment *= (double)(k - 1); /* (n - 1)!! */
    return moment;
}

static double binomial(unsigned n, unsigned k)
{
    double c = 1.0;
    for (unsigned i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
    return c;
}

/* E[(m + sigma eps)^p eps^k] = sum_j C(p, j) m^(p-j) sigma^j E[eps^(k+j)] */
static double power_moment(unsigned p, unsigned k, double m, double sigma)
{
    double sum = 0.0;
    for (unsigned j = 0; j <= p; j++)
        sum += binomial(p, j) * pow(m, p - j) * pow(sigma, j) * normal_moment(k + j);
    return sum;
}

/* E[exp(t eps) eps^k] = exp(t^2 / 2) E[(eps + t)^k]  (complete the square: eps + t ~ the tilted law) */
static double exp_moment(unsigned k, double t)
{
    return exp(0.5 * t * t) * power_moment(k, 0, t, 1.0);
}

/* E[cos(theta + t eps) eps^k] = Re E[exp(i(theta + t eps)) eps^k]
 *                             = exp(-t^2 / 2) sum_j C(k, j) t^(k-j) E[eps^j] cos(theta + (k-j) pi / 2) */
static double cos_moment(unsigned k, double theta, double t)
{
    double sum = 0.0;
    for (unsigned j = 0; j <= k; j++)
        sum += binomial(k, j) * pow(t, k - j) * normal_moment(j) * cos(theta + (k - j) * M_PI / 2.0);
    return exp(-0.5 * t * t) * sum;
}

/* The three Gaussian moment tables of docs/derivations.md, k = 0..4, z = mu + sigma eps:
 *     value[k] = E[f1(z) eps^k],  square[k] = E[f1(z)^2 eps^k],  slope2[k] = E[f1'(z)^2 eps^k]. */
typedef struct MomentTable {
    double value[5], square[5], slope2[5];
} MomentTable;

static MomentTable moment_table(const TestFunction *f, double mu, double sigma)
{
    MomentTable t;
    double c = f->c;
    for (unsigned k = 0; k <= 4; k++) {
        switch (f->kind) {
        case TEST_QUADRATIC: /* f1 = (m + sigma eps)^2, m = mu - c;  f1'^2 = 4 f1 */
            t.value[k] = power_moment(2, k, mu - c, sigma);
            t.square[k] = power_moment(4, k, mu - c, sigma);
            t.slope2[k] = 4.0 * t.value[k];
            break;
        case TEST_EXPONENTIAL: /* f1 = e^{c mu} e^{c sigma eps};  f1^2 = e^{2 c z};  f1'^2 = c^2 f1^2 */
            t.value[k] = exp(c * mu) * exp_moment(k, c * sigma);
            t.square[k] = exp(2.0 * c * mu) * exp_moment(k, 2.0 * c * sigma);
            t.slope2[k] = c * c * t.square[k];
            break;
        default: /* cos^2 = (1 + cos 2cz) / 2,  sin^2 = (1 - cos 2cz) / 2 */
            t.value[k] = cos_moment(k, c * mu, c * sigma);
            t.square[k] = 0.5 * (normal_moment(k) + cos_moment(k, 2.0 * c * mu, 2.0 * c * sigma));
            t.slope2[k] = c * c * 0.5 * (normal_moment(k) - cos_moment(k, 2.0 * c * mu, 2.0 * c * sigma));
            break;
        }
    }
    return t;
}

double test_function_expectation(const TestFunction *f, double mu, double sigma, size_t d)
{
    return (double)d * moment_table(f, mu, sigma).value[0];
}

/* The moments of the score estimate of one coordinate, from F = f1(z_1) + R with R the sum
 * over the d - 1 other coordinates (independent of z_1), and the score s = poly(eps_1) / sigma:
 *     mean = E[F s],  F_s2 = E[F s^2],  F2_s2 = E[F^2 s^2],  s2 = E[s^2],  F = E[F],  F2 = E[F^2]. */
typedef struct ScoreMoments {
    double mean, F_s2, F2_s2, s2, F, F2;
} ScoreMoments;

static ScoreMoments score_moments(const MomentTable *t, double sigma, size_t d, bool for_sigma)
{
    double others = (double)d - 1.0;
    double R = others * t->value[0];                                          /* E[R] */
    double R2 = others * t->square[0] + others * (others - 1.0) * t->value[0] * t->value[0]; /* E[R^2] */
    double A[5], B[5]; /* A[k] = E[F eps^k], B[k] = E[F^2 eps^k] */
    for (unsigned k = 0; k <= 4; k++) {
        A[k] = t->value[k] + R * normal_moment(k);
        B[k] = t->square[k] + 2.0 * R * t->value[k] + R2 * normal_moment(k);
    }
    ScoreMoments m = { .F = A[0], .F2 = B[0] };
    if (!for_sigma) { /* s = eps / sigma */
        m.mean = A[1] / sigma;
        m.F_s2 = A[2] / (sigma * sigma);
        m.F2_s2 = B[2] / (sigma * sigma);
        m.s2 = 1.0 / (sigma * sigma);
    } else { /* s = (eps^2 - 1) / sigma */
        m.mean = (A[2] - A[0]) / sigma;
        m.F_s2 = (A[4] - 2.0 * A[2] + A[0]) / (sigma * sigma);
        m.F2_s2 = (B[4] - 2.0 * B[2] + B[0]) / (sigma * sigma);
        m.s2 = 2.0 / (sigma * sigma);
    }
    return m;
}

/* The variance of one estimate from n draws (docs/derivations.md, "the variance of each estimator") */
static double score_family_variance(EstimatorKind kind, const ScoreMoments *m, size_t n)
{
    double g2 = m->mean * m->mean, N = (double)n;
    switch (kind) {
    case ESTIMATOR_SCORE: /* Var[F s] */
        return (m->F2_s2 - g2) / N;
    case ESTIMATOR_BASELINE: /* Var[(F - b) s], b = E[F] */
        return (m->F2_s2 - 2.0 * m->F * m->F_s2 + m->F * m->F * m->s2 - g2) / N;
    default: /* leave-one-out */
        return (m->F2_s2 - g2) / N + (m->F2 * m->s2 + (N - 2.0) * m->s2 * m->F * m->F + g2) / (N * (N - 1.0))
               - 2.0 * m->F_s2 * m->F / N;
    }
}

ExactMoments exact_moments(EstimatorKind kind, const TestFunction *f, double mu, double sigma, size_t d, size_t n)
{
    assert(n >= 1 && d >= 1 && sigma > 0.0);
    MomentTable t = moment_table(f, mu, sigma);
    ScoreMoments for_mu = score_moments(&t, sigma, d, false), for_sigma = score_moments(&t, sigma, d, true);
    ExactMoments exact = { .gradient_mu = for_mu.mean, .gradient_sigma = for_sigma.mean };
    if (kind == ESTIMATOR_PATHWISE) { /* Var[f1'(z_1)] and Var[f1'(z_1) eps_1] */
        exact.variance_mu = (t.slope2[0] - exact.gradient_mu * exact.gradient_mu) / (double)n;
        exact.variance_sigma = (t.slope2[2] - exact.gradient_sigma * exact.gradient_sigma) / (double)n;
    } else {
        assert(kind != ESTIMATOR_LEAVE_ONE_OUT || n >= 2);
        exact.variance_mu = score_family_variance(kind, &for_mu, n);
        exact.variance_sigma = score_family_variance(kind, &for_sigma, n);
    }
    return exact;
}

/* ---- the 1-D inverse-CDF reparameterisation ---------------------------------------------- */

/* z = F^{-1}(u) = -log(1 - u) / lambda    (Cheysson & Mary-Huard: z = g(eps, phi), eps ~ U(0, 1)) */
double exponential_quantile(double u, double rate)
{
    /* EXERCISE 5.5 (2 points): the inverse-CDF sample of an exponential and its gradient.
     * Replace this stub with your code; `make hint EX=5.5` prints a hint. */
    exercise_not_implemented("5.5", __func__);
    (void)u;
    (void)rate;
    return NAN;
    /* END EXERCISE 5.5 */
}

/* dz/dlambda at fixed u: -(dF/dlambda) / (dF/dz) = -(z e^{-lambda z}) / (lambda e^{-lambda z}) = -z / lambda */
double exponential_quantile_rate_derivative(double z, double rate)
{
    /* EXERCISE 5.5 (2 points): the inverse-CDF sample of an exponential and its gradient.
     * Replace this stub with your code; `make hint EX=5.5` prints a hint. */
    exercise_not_implemented("5.5", __func__);
    (void)z;
    (void)rate;
    return NAN;
    /* END EXERCISE 5.5 */
}

double inverse_cdf_estimate(const Integrand *f, double rate, size_t n, Rng *rng)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double z = exponential_quantile(rng_uniform(rng), rate), slope;
        f->gradient(f->context, &slope, &z, 1);
        sum += slope * exponential_quantile_rate_derivative(z, rate);
    }
    return sum / (double)n;
}

/* E[z^m] = m! / lambda^m for z ~ Exponential(lambda) */
static double exponential_moment(unsigned m, double rate)
{
    double moment = 1.0;
    for (unsigned k = 1; k <= m; k++)
        moment *= (double)k / rate;
    return moment;
}

double exponential_quadratic_gradient(double rate, double k)
{
    return -4.0 / (rate * rate * rate) + 2.0 * k / (rate * rate);
}

double exponential_quadratic_variance(double rate, double k)
{
    /* f'(z) dz/dlambda = 2 (z - k)(-z / lambda): Var = (4 / lambda^2) (E[z^2 (z - k)^2] - E[z (z - k)]^2) */
    double second = exponential_moment(4, rate) - 2.0 * k * exponential_moment(3, rate)
                    + k * k * exponential_moment(2, rate);
    double first = exponential_moment(2, rate) - k * exponential_moment(1, rate);
    return 4.0 / (rate * rate) * (second - first * first);
}

/* ---- log q through the change of variables ---------------------------------------------- */

/* log q(z) = log p(eps) - log |det dz/deps|, eps = L^{-1}(z - mu)    (Louppe L11) */
double log_q_change_of_variables(double *eps, const double *z, const double *mu, const double *L, size_t d)
{
    /* EXERCISE 5.6 (2 points): log q through the change of variables.
     * Replace this stub with your code; `make hint EX=5.6` prints a hint. */
    exercise_not_implemented("5.6", __func__);
    (void)z;
    (void)mu;
    (void)L;
    vector_zero(eps, d);
    return NAN;
    /* END EXERCISE 5.6 */
}

double diagonal_gaussian_log_density(const double *z, const double *mu, const double *sigma, size_t d)
{
    double sum = 0.0;
    for (size_t j = 0; j < d; j++)
        sum += log_normal_density(z[j], mu[j], sigma[j] * sigma[j]);
    return sum;
}

/* ---- the ELBO of the linear-Gaussian model --------------------------------------------------- */

/* r_k = x_k - (W z)_k - b_k, the residual of observation k */
static double residual(const LinearGaussian *m, const double *z, size_t k)
{
    return m->x[k] - vector_dot(m->W + k * m->d, z, m->d) - m->b[k];
}

double linear_gaussian_log_joint(const LinearGaussian *m, const double *z)
{
    double log_p = 0.0;
    for (size_t j = 0; j < m->d; j++)
        log_p += log_normal_density(z[j], 0.0, 1.0); /* p(z) = N(0, I) */
    for (size_t k = 0; k < m->D; k++)
        log_p += log_normal_density(residual(m, z, k), 0.0, m->s * m->s); /* N(x_k; (Wz + b)_k, s^2) */
    return log_p;
}

void linear_gaussian_log_joint_gradient(double *grad, const LinearGaussian *m, const double *z)
{
    for (size_t j = 0; j < m->d; j++)
        grad[j] = -z[j];
    for (size_t k = 0; k < m->D; k++)
        vector_axpy(grad, residual(m, z, k) / (m->s * m->s), m->W + k * m->d, m->d); /* + W^T r / s^2 */
}

static double log_joint_value(const void *context, const double *z, size_t d)
{
    (void)d;
    return linear_gaussian_log_joint(context, z);
}

static void log_joint_gradient(const void *context, double *grad, const double *z, size_t d)
{
    (void)d;
    linear_gaussian_log_joint_gradient(grad, context, z);
}

Integrand linear_gaussian_integrand(const LinearGaussian *model)
{
    return (Integrand){ log_joint_value, log_joint_gradient, model };
}

/* 1 + ||W_j||^2 / s^2: minus the curvature of log p(x, z) along z_j */
static double curvature(const LinearGaussian *m, size_t j)
{
    double column = 0.0;
    for (size_t k = 0; k < m->D; k++)
        column += m->W[k * m->d + j] * m->W[k * m->d + j];
    return 1.0 + column / (m->s * m->s);
}

/* H[q] = sum_j log sigma_j + (d/2) log(2 pi e) */
static double entropy(const double *sigma, size_t d)
{
    double sum = 0.5 * (double)d * log(2.0 * M_PI * M_E);
    for (size_t j = 0; j < d; j++)
        sum += log(sigma[j]);
    return sum;
}

/* E_q[log p(x, z)] = log p(x, mu) - (1/2) sum_j sigma_j^2 (1 + ||W_j||^2 / s^2): exact for a quadratic */
static double expected_log_joint(const LinearGaussian *m, const double *mu, const double *sigma)
{
    double value = linear_gaussian_log_joint(m, mu);
    for (size_t j = 0; j < m->d; j++)
        value -= 0.5 * sigma[j] * sigma[j] * curvature(m, j);
    return value;
}

double linear_gaussian_elbo(const LinearGaussian *m, const double *mu, const double *sigma)
{
    return expected_log_joint(m, mu, sigma) + entropy(sigma, m->d);
}

void linear_gaussian_elbo_gradient(double *grad_mu, double *grad_sigma, const LinearGaussian *m, const double *mu,
                                   const double *sigma)
{
    linear_gaussian_log_joint_gradient(grad_mu, m, mu);
    for (size_t j = 0; j < m->d; j++)
        grad_sigma[j] = -sigma[j] * curvature(m, j) + 1.0 / sigma[j];
}

void elbo_gradient_estimate(double *grad_mu, double *grad_sigma, EstimatorKind kind, const LinearGaussian *m,
                            const double *mu, const double *sigma, size_t n, EstimatorScratch *scratch, Rng *rng)
{
    Integrand f = linear_gaussian_integrand(m);
    double baseline = kind == ESTIMATOR_BASELINE ? expected_log_joint(m, mu, sigma) : 0.0;
    estimate_gradient(grad_mu, grad_sigma, kind, &f, baseline, mu, sigma, n, scratch, rng);
    for (size_t j = 0; j < m->d; j++)
        grad_sigma[j] += 1.0 / sigma[j]; /* the entropy's gradient, exact */
}
