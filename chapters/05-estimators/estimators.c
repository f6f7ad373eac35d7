/* chapters/05-estimators/estimators.c — the program `estimators`: how noisy each estimator
 * of grad_phi E_q[f(z)] is, measured next to the closed forms of docs/derivations.md
 * (CS228 notes ch. 7: the score function "has a high variance"; here is how high).
 *
 *   1. per setting (f, mu, sigma) and estimator: the exact gradient, the estimators' mean
 *      +- standard error and per-draw variance next to the exact variance, and whether they
 *      agree within 5 standard errors of the sample variance;
 *   2. the variance against the dimension d (f summed over d coordinates) and against sigma,
 *      as tables and as SVG plots with the theory line through the measured points;
 *   3. log q through the change of variables; the inverse-CDF draw of an exponential;
 *   4. the ELBO of a linear-Gaussian model: both estimators unbiased, their variance and
 *      signal-to-noise ratio for n = 1, 10, 100 draws, and SGD with each estimator under
 *      one budget of draws (learning curves in one SVG).
 *
 *     build/bin/estimators --samples 100000 --seed 1        (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "error.h"
#include "estimators.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "progress.h"

static const char *const PROGRAM = "estimators";

typedef struct Settings {
    CommonSettings common; /* --out, --seed, --quiet: no data, every problem is drawn here */
    size_t samples;        /* estimates per measured variance */
    size_t budget;         /* draws of z per SGD run */
    double learning_rate;
} Settings;

/* ---- measuring one estimator ---------------------------------------------------------------- */

/* The sample mean, variance and fourth central moment of R estimates of one component. */
typedef struct Measured {
    double mean, variance, fourth;
    size_t R;
} Measured;

static Measured measured_of(const double *x, size_t R)
{
    Measured m = { .R = R };
    for (size_t i = 0; i < R; i++)
        m.mean += x[i] / (double)R;
    for (size_t i = 0; i < R; i++) {
        double e = (x[i] - m.mean) * (x[i] - m.mean);
        m.variance += e / (double)R;
        m.fourth += e * e / (double)R;
    }
    return m;
}

static double standard_error(const Measured *m) { return sqrt(m->variance / (double)m->R); }
/* The standard error of the sample variance, sqrt((mu4 - v^2) / R), mu4 from the sample. */
static double variance_standard_error(const Measured *m)
{
    return sqrt(fmax(m->fourth - m->variance * m->variance, 0.0) / (double)m->R);
}

/* A problem: q = N(mu 1, sigma^2 I) in d dimensions and f = sum_j f1(z_j). */
typedef struct Problem {
    TestFunction f;
    double mu, sigma;
    size_t d;
} Problem;

/* R estimates of `kind` from n draws each; component 1 of d/dmu and d/dsigma measured. */
static bool measure(Measured *for_mu, Measured *for_sigma, EstimatorKind kind, const Problem *p, size_t n, size_t R,
                    Rng *rng, Error *err)
{
    EstimatorScratch scratch;
    if (!estimator_scratch_init(&scratch, p->d, n, err))
        return false;
    double *mu = alloc_doubles(p->d, err), *sigma = alloc_doubles(p->d, err);
    double *grad_mu = alloc_doubles(p->d, err), *grad_sigma = alloc_doubles(p->d, err);
    double *values = checked_calloc(2 * R, sizeof(double), err);
    bool ok = mu && sigma && grad_mu && grad_sigma && values;
    if (ok) {
        for (size_t j = 0; j < p->d; j++) {
            mu[j] = p->mu;
            sigma[j] = p->sigma;
        }
        Integrand f = test_function_integrand(&p->f);
        double baseline = test_function_expectation(&p->f, p->mu, p->sigma, p->d);
        for (size_t i = 0; i < R; i++) {
            estimate_gradient(grad_mu, grad_sigma, kind, &f, baseline, mu, sigma, n, &scratch, rng);
            values[i] = grad_mu[0];
            values[R + i] = grad_sigma[0];
        }
        *for_mu = measured_of(values, R);
        *for_sigma = measured_of(values + R, R);
    }
    free(values);
    free(grad_sigma);
    free(grad_mu);
    free(sigma);
    free(mu);
    estimator_scratch_free(&scratch);
    return ok;
}

/* The draws per estimate: one, except the leave-one-out, which needs two or more. */
enum { LOO_DRAWS = 10 };
static size_t draws_of(EstimatorKind kind) { return kind == ESTIMATOR_LEAVE_ONE_OUT ? LOO_DRAWS : 1; }

/* ---- 1. the table: measured against exact -------------------------------------------------- */

static const Problem SETTINGS[] = {
    { { TEST_QUADRATIC, 1.0 }, 0.5, 0.8, 1 },
    { { TEST_EXPONENTIAL, 0.5 }, 0.0, 1.0, 1 },
    { { TEST_COSINE, 3.0 }, 0.5, 1.0, 1 },
};
enum { SETTING_COUNT = sizeof SETTINGS / sizeof SETTINGS[0] };

static const char *const CSV_COLUMNS[] = { "setting", "estimator", "draws", "component", "exact_gradient", "mean",
                                           "standard_error", "variance_per_draw", "exact_variance_per_draw",
                                           "variance_standard_error" };
enum { CSV_COLUMN_COUNT = sizeof CSV_COLUMNS / sizeof CSV_COLUMNS[0] };

/* One row: per-draw variances are n times the variance of an estimate from n draws. */
static bool print_row(CsvLog *log, size_t setting, EstimatorKind kind, int component, const Measured *m,
                      double gradient, double exact_variance, size_t n, const Settings *s)
{
    double N = (double)n, tolerance = 5.0 * N * variance_standard_error(m);
    bool agrees = fabs(N * m->variance - N * exact_variance) <= tolerance
                  && fabs(m->mean - gradient) <= 5.0 * sqrt(exact_variance / (double)m->R);
    if (!s->common.quiet)
        printf("  %-18s %-7s %6zu %11.5g %11.5g +- %-9.3g %11.5g %11.5g %10.3g  %s\n", estimator_name(kind),
               component ? "sigma" : "mu", n, gradient, m->mean, standard_error(m), N * m->variance,
               N * exact_variance, tolerance, agrees ? "ok" : "OUTSIDE");
    csv_row(log, (double[]){ (double)setting, (double)kind, N, (double)component, gradient, m->mean, standard_error(m),
                             N * m->variance, N * exact_variance, tolerance / 5.0 });
    return agrees;
}

static bool measured_table(const Settings *s, const char *csv_path, size_t *outside, Rng *rng, Error *err)
{
    CsvLog log;
    if (!csv_open(&log, csv_path, CSV_COLUMNS, CSV_COLUMN_COUNT, err))
        return false;
    if (!s->common.quiet)
        printf("\n== 1. grad E_q[f], q = N(mu, sigma^2): %zu estimates per row ==\n"
               "  %-18s %-7s %6s %11s %11s    %-9s %11s %11s %10s\n",
               s->samples, "estimator", "wrt", "draws", "exact", "mean", "(s.e.)", "var/draw", "exact var",
               "5 s.e.");
    *outside = 0;
    for (size_t k = 0; k < SETTING_COUNT; k++) {
        const Problem *p = &SETTINGS[k];
        char name[64];
        test_function_describe(name, sizeof name, &p->f);
        if (!s->common.quiet)
            printf(" f(z) = %s, mu = %g, sigma = %g\n", name, p->mu, p->sigma);
        for (EstimatorKind kind = 0; kind < ESTIMATOR_COUNT; kind++) {
            size_t n = draws_of(kind);
            Measured m_mu, m_sigma;
            if (!measure(&m_mu, &m_sigma, kind, p, n, s->samples / n, rng, err)) {
                csv_abort(&log);
                return false;
            }
            ExactMoments exact = exact_moments(kind, &p->f, p->mu, p->sigma, p->d, n);
            *outside += !print_row(&log, k, kind, 0, &m_mu, exact.gradient_mu, exact.variance_mu, n, s);
            *outside += !print_row(&log, k, kind, 1, &m_sigma, exact.gradient_sigma, exact.variance_sigma, n, s);
        }
    }
    if (!s->common.quiet)
        printf("  (var/draw = draws x the variance of one estimate; 5 s.e. = five standard errors of the measured\n"
               "   variance, from its fourth moment; ok = the mean within 5 standard errors of the exact gradient and\n"
               "   the variance within 5 s.e. of the exact one; the leave-one-out uses %d draws per estimate)\n",
               LOO_DRAWS);
    return csv_close(&log, err);
}

/* ---- 2. variance against d and against sigma -------------------------------------------------- */

enum { SWEEP_POINTS = 7, SWEPT = 3, THEORY_POINTS = 100 };
static const EstimatorKind SWEPT_KINDS[SWEPT] = { ESTIMATOR_SCORE, ESTIMATOR_BASELINE, ESTIMATOR_PATHWISE };
static const double SWEEP_D[SWEEP_POINTS] = { 1, 2, 5, 10, 20, 50, 100 };
static const double SWEEP_SIGMA[SWEEP_POINTS] = { 0.05, 0.1, 0.2, 0.5, 1, 2, 5 };
static const Problem SWEEP_BASE = { { TEST_QUADRATIC, 1.0 }, 0.5, 0.8, 1 };

typedef enum { BY_DIMENSION, BY_SIGMA } Sweep;

static Problem swept(Sweep sweep, double value)
{
    Problem p = SWEEP_BASE;
    if (sweep == BY_DIMENSION)
        p.d = (size_t)value;
    else
        p.sigma = value;
    return p;
}

/* Measured and exact per-draw variance of d/dmu_1 on a log10 x axis (d or sigma), and the
 * theory line on a finer grid. */
typedef struct SweepResult {
    double log_x[SWEEP_POINTS], measured[SWEPT][SWEEP_POINTS], exact[SWEPT][SWEEP_POINTS];
    double theory_log_x[THEORY_POINTS], theory[SWEPT][THEORY_POINTS];
} SweepResult;

/* The theory line: the exact variance at every d = 1..100, or at 100 values of sigma evenly
 * spaced in log10 sigma; x in log10 units.  */
static void theory_line(SweepResult *r, Sweep sweep)
{
    for (size_t t = 0; t < THEORY_POINTS; t++) {
        double a = r->log_x[0], b = r->log_x[SWEEP_POINTS - 1];
        double x = sweep == BY_DIMENSION ? (double)(t + 1) : pow(10.0, a + (b - a) * (double)t / (THEORY_POINTS - 1));
        Problem p = swept(sweep, x);
        r->theory_log_x[t] = log10(x);
        for (size_t e = 0; e < SWEPT; e++)
            r->theory[e][t] = exact_moments(SWEPT_KINDS[e], &p.f, p.mu, p.sigma, p.d, 1).variance_mu;
    }
}

static bool run_sweep(SweepResult *r, Sweep sweep, const Settings *s, Rng *rng, Error *err)
{
    const double *values = sweep == BY_DIMENSION ? SWEEP_D : SWEEP_SIGMA;
    size_t R = s->samples / 4 > 1000 ? s->samples / 4 : 1000; /* 100 coordinates per draw at d = 100 */
    if (!s->common.quiet)
        printf("\n== 2%s. variance of d/dmu_1 per draw against %s: f = sum_j (z_j - 1)^2, mu = 0.5%s, %zu "
               "estimates ==\n  %8s",
               sweep == BY_DIMENSION ? "a" : "b", sweep == BY_DIMENSION ? "d" : "sigma",
               sweep == BY_DIMENSION ? ", sigma = 0.8" : ", d = 1", R, sweep == BY_DIMENSION ? "d" : "sigma");
    for (size_t e = 0; e < SWEPT && !s->common.quiet; e++)
        printf("  %21s  %10s", estimator_name(SWEPT_KINDS[e]), "exact");
    for (size_t i = 0; i < SWEEP_POINTS; i++) {
        Problem p = swept(sweep, values[i]);
        r->log_x[i] = log10(values[i]);
        if (!s->common.quiet)
            printf("\n  %8g", values[i]);
        for (size_t e = 0; e < SWEPT; e++) {
            Measured m_mu, m_sigma;
            if (!measure(&m_mu, &m_sigma, SWEPT_KINDS[e], &p, 1, R, rng, err))
                return false;
            r->measured[e][i] = m_mu.variance;
            r->exact[e][i] = exact_moments(SWEPT_KINDS[e], &p.f, p.mu, p.sigma, p.d, 1).variance_mu;
            if (!s->common.quiet)
                printf("  %10.4g +- %-7.2g  %10.4g", m_mu.variance, variance_standard_error(&m_mu), r->exact[e][i]);
        }
    }
    if (!s->common.quiet)
        printf("\n");
    theory_line(r, sweep);
    return true;
}

static bool write_sweep_plot(const SweepResult *r, Sweep sweep, const char *path, Error *err)
{
    PlotSeries series[2 * SWEPT];
    char labels[2 * SWEPT][64];
    for (size_t e = 0; e < SWEPT; e++) {
        snprintf(labels[2 * e], sizeof labels[0], "%s, measured", estimator_name(SWEPT_KINDS[e]));
        snprintf(labels[2 * e + 1], sizeof labels[0], "%s, theory", estimator_name(SWEPT_KINDS[e]));
        series[2 * e] = (PlotSeries){ labels[2 * e], r->log_x, r->measured[e], SWEEP_POINTS };
        series[2 * e + 1] = (PlotSeries){ labels[2 * e + 1], r->theory_log_x, r->theory[e], THEORY_POINTS };
    }
    PlotOptions plot = sweep == BY_DIMENSION
                           ? (PlotOptions){ "variance of d/dmu_1 per draw grows with d, except the pathwise",
                                            "log10 d  (f summed over d coordinates)", "variance", true }
                           : (PlotOptions){ "variance of d/dmu per draw against sigma (d = 1)", "log10 sigma",
                                            "variance", true };
    return svg_line_plot(path, &plot, series, 2 * SWEPT, err);
}

/* ---- 3. log q by the change of variables, and the inverse-CDF draw ------------------------------ */

/* log N(z; mu, L L^T) in 2-D written out: Sigma = [[a, b], [b, c]], det = ac - b^2. */
static double bivariate_log_density(const double z[2], const double mu[2], const double L[4])
{
    double a = L[0] * L[0], b = L[2] * L[0], c = L[2] * L[2] + L[3] * L[3], det = a * c - b * b;
    double u = z[0] - mu[0], v = z[1] - mu[1];
    return -log(2.0 * M_PI) - 0.5 * log(det) - 0.5 * (c * u * u - 2.0 * b * u * v + a * v * v) / det;
}

/* max(worst, difference), NaN winning: a NaN must show, and fmax would hide it. */
static double worse(double worst, double difference) { return difference <= worst ? worst : difference; }

static void change_of_variables_check(const Settings *s, Rng *rng)
{
    enum { D = 4, TRIALS = 1000 };
    const double mu[D] = { 0.3, -1.0, 2.0, 0.0 }, sigma[D] = { 0.5, 2.0, 0.1, 3.0 };
    const double L2[4] = { 1.5, 0.0, -0.7, 0.4 }, mu2[2] = { 1.0, -2.0 };
    double L[D * D] = { 0 }, z[D], eps[D], worst_diagonal = 0.0, worst_triangular = 0.0;
    for (size_t j = 0; j < D; j++)
        L[j * D + j] = sigma[j];
    for (size_t t = 0; t < TRIALS; t++) {
        for (size_t j = 0; j < D; j++)
            z[j] = mu[j] + sigma[j] * 2.0 * rng_normal(rng);
        worst_diagonal = worse(worst_diagonal, fabs(log_q_change_of_variables(eps, z, mu, L, D)
                                                    - diagonal_gaussian_log_density(z, mu, sigma, D)));
        double e0 = rng_normal(rng), e1 = rng_normal(rng);
        double z2[2] = { mu2[0] + L2[0] * e0, mu2[1] + L2[2] * e0 + L2[3] * e1 };
        worst_triangular = worse(worst_triangular, fabs(log_q_change_of_variables(eps, z2, mu2, L2, 2)
                                                        - bivariate_log_density(z2, mu2, L2)));
    }
    if (!s->common.quiet)
        printf("\n== 3. log q(z) = log p(eps) - log |det dz/deps| ==\n"
               "  z = mu + sigma (.) eps, d = %d:   max |difference| to sum_j log N(z_j; mu_j, sigma_j^2) = %.2g "
               "over %d draws\n"
               "  z = mu + L eps, L = [[1.5, 0], [-0.7, 0.4]]:  max |difference| to log N(z; mu, L L^T) = %.2g\n",
               D, worst_diagonal, TRIALS, worst_triangular);
}

static bool inverse_cdf_check(const Settings *s, Rng *rng, Error *err)
{
    const double rate = 1.5, k = 0.8;
    const TestFunction f = { TEST_QUADRATIC, k };
    Integrand integrand = test_function_integrand(&f);
    double *g = alloc_doubles(s->samples, err);
    if (!g)
        return false;
    for (size_t i = 0; i < s->samples; i++)
        g[i] = inverse_cdf_estimate(&integrand, rate, 1, rng);
    Measured m = measured_of(g, s->samples);
    free(g);
    if (!s->common.quiet)
        printf("\n== 3b. inverse-CDF reparameterisation, z = F^-1(u) = -log(1 - u) / lambda, u ~ U(0, 1) ==\n"
               "  d/dlambda E[(z - %g)^2] at lambda = %g:  exact %.5g,  estimate %.5g +- %.2g\n"
               "  variance per draw %.5g, exact %.5g (5 s.e. %.2g)\n",
               k, rate, exponential_quadratic_gradient(rate, k), m.mean, standard_error(&m), m.variance,
               exponential_quadratic_variance(rate, k), 5.0 * variance_standard_error(&m));
    return true;
}

/* ---- 4. the ELBO of a linear-Gaussian model ----------------------------------------------------- */

enum { LATENT = 5, OBSERVED = 20, ELBO_KINDS = 4, NS = 3 };
static const size_t ELBO_DRAWS[NS] = { 1, 10, 100 };

typedef struct Model {
    double W[OBSERVED * LATENT], b[OBSERVED], x[OBSERVED];
    LinearGaussian model;
} Model;

/* W_kj ~ N(0, 0.5^2), b_k ~ N(0, 0.5^2), s = 1, and x drawn from the model itself. */
static void model_init(Model *m, Rng *rng)
{
    rng_fill_normal(rng, m->W, OBSERVED * LATENT, 0.0, 0.5);
    rng_fill_normal(rng, m->b, OBSERVED, 0.0, 0.5);
    double z[LATENT];
    rng_fill_normal(rng, z, LATENT, 0.0, 1.0);
    for (size_t k = 0; k < OBSERVED; k++) {
        m->x[k] = m->b[k] + rng_normal(rng);
        for (size_t j = 0; j < LATENT; j++)
            m->x[k] += m->W[k * LATENT + j] * z[j];
    }
    m->model = (LinearGaussian){ LATENT, OBSERVED, m->W, m->b, 1.0, m->x };
}

/* Over R estimates of grad ELBO from n draws: the total variance (trace of the covariance
 * over the 2d components), the signal-to-noise ratio ||grad|| / sqrt(total variance), and
 * the largest |mean - grad| over the components in standard errors (unbiased: about 1-3). */
typedef struct ElboNoise {
    double total_variance, snr, worst_z;
} ElboNoise;

static bool elbo_noise(ElboNoise *noise, EstimatorKind kind, const Model *m, const double *mu, const double *sigma,
                       size_t n, size_t R, Rng *rng, Error *err)
{
    EstimatorScratch scratch;
    double *values = checked_calloc(2 * LATENT * R, sizeof(double), err);
    if (!values || !estimator_scratch_init(&scratch, LATENT, n, err)) {
        free(values);
        return false;
    }
    double grad[2 * LATENT], exact[2 * LATENT];
    linear_gaussian_elbo_gradient(exact, exact + LATENT, &m->model, mu, sigma);
    for (size_t i = 0; i < R; i++) {
        elbo_gradient_estimate(grad, grad + LATENT, kind, &m->model, mu, sigma, n, &scratch, rng);
        for (size_t c = 0; c < 2 * LATENT; c++)
            values[c * R + i] = grad[c];
    }
    *noise = (ElboNoise){ 0 };
    double norm2 = 0.0;
    for (size_t c = 0; c < 2 * LATENT; c++) {
        Measured component = measured_of(values + c * R, R);
        noise->total_variance += component.variance;
        noise->worst_z = worse(noise->worst_z, fabs(component.mean - exact[c]) / standard_error(&component));
        norm2 += exact[c] * exact[c];
    }
    noise->snr = sqrt(norm2 / noise->total_variance);
    estimator_scratch_free(&scratch);
    free(values);
    return true;
}

static const EstimatorKind ELBO_KIND[ELBO_KINDS] = { ESTIMATOR_SCORE, ESTIMATOR_BASELINE, ESTIMATOR_LEAVE_ONE_OUT,
                                                     ESTIMATOR_PATHWISE };

static bool elbo_table(const Model *m, const Settings *s, Rng *rng, Error *err)
{
    double mu[LATENT] = { 0 }, sigma[LATENT];
    for (size_t j = 0; j < LATENT; j++)
        sigma[j] = 1.0;
    size_t R = s->samples / 50 > 200 ? s->samples / 50 : 200;
    if (!s->common.quiet)
        printf("\n== 4a. grad ELBO of a linear-Gaussian model, d = %d, D = %d, at q = N(0, I): %zu estimates ==\n"
               "  %-20s %5s %16s %10s %22s\n",
               LATENT, OBSERVED, R, "estimator", "draws", "total variance", "SNR", "max |mean - grad|/s.e.");
    for (size_t e = 0; e < ELBO_KINDS; e++)
        for (size_t k = 0; k < NS; k++) {
            if (ELBO_KIND[e] == ESTIMATOR_LEAVE_ONE_OUT && ELBO_DRAWS[k] < 2)
                continue;
            ElboNoise noise;
            if (!elbo_noise(&noise, ELBO_KIND[e], m, mu, sigma, ELBO_DRAWS[k], R, rng, err))
                return false;
            if (!s->common.quiet)
                printf("  %-20s %5zu %16.4g %10.3g %22.2f\n", estimator_name(ELBO_KIND[e]), ELBO_DRAWS[k],
                       noise.total_variance, noise.snr, noise.worst_z);
        }
    if (!s->common.quiet)
        printf("  (total variance: summed over the %d components of (mu, sigma); SNR = ||grad ELBO|| / sqrt(total "
               "variance);\n   the last column is the largest of the %d means' distances to the exact gradient, in "
               "standard errors)\n",
               2 * LATENT, 2 * LATENT);
    return true;
}

/* ---- 4b. SGD under one budget of draws ------------------------------------------------------------ */

enum { RUNS = 6, CURVE = 101 };

/* A run has diverged once its gap exceeds this multiple of its starting gap: it stops there. */
static const double DIVERGED = 1e3;

typedef struct Run {
    const char *label;
    EstimatorKind kind;
    size_t n;      /* draws per step; 0: the exact gradient (no draws, the reference) */
    double draws[CURVE], gap[CURVE]; /* ELBO* - ELBO after that many draws */
    size_t points;
    double final_gap;
    bool diverged;        /* stopped after draws[points - 1] draws */
} Run;

/* One step of gradient ascent on (mu, log sigma): d/dlog sigma = sigma d/dsigma. */
static void ascent_step(double *mu, double *sigma, const double *grad_mu, const double *grad_sigma, double lr)
{
    for (size_t j = 0; j < LATENT; j++) {
        mu[j] += lr * grad_mu[j];
        sigma[j] *= exp(lr * sigma[j] * grad_sigma[j]);
    }
}

/* The best ELBO over diagonal q, exactly.  With A = I + W^T W / s^2 the ELBO is a concave
 * quadratic in mu, d ELBO/dmu = W^T (x - b) / s^2 - A mu, maximised by coordinate ascent
 * (mu_j += (d ELBO/dmu_j) / A_jj, which zeroes that component, in sweeps until nothing moves:
 * Gauss-Seidel, convergent for a positive definite A); d ELBO/dsigma_j = -sigma_j A_jj + 1/sigma_j
 * is zero at sigma_j = A_jj^(-1/2). */
static double best_elbo(const Model *m)
{
    double mu[LATENT] = { 0 }, sigma[LATENT], grad_mu[LATENT], grad_sigma[LATENT], A_jj[LATENT];
    for (size_t j = 0; j < LATENT; j++) {
        A_jj[j] = 1.0;
        for (size_t k = 0; k < OBSERVED; k++)
            A_jj[j] += m->W[k * LATENT + j] * m->W[k * LATENT + j] / (m->model.s * m->model.s);
        sigma[j] = 1.0 / sqrt(A_jj[j]);
    }
    for (size_t sweep = 0; sweep < 10000; sweep++) {
        double largest = 0.0;
        for (size_t j = 0; j < LATENT; j++) {
            linear_gaussian_elbo_gradient(grad_mu, grad_sigma, &m->model, mu, sigma);
            mu[j] += grad_mu[j] / A_jj[j];
            largest = fmax(largest, fabs(grad_mu[j]));
        }
        if (largest < 1e-13)
            break;
    }
    return linear_gaussian_elbo(&m->model, mu, sigma);
}

static bool sgd_run(Run *run, const Model *m, double best, const Settings *s, Rng *rng, Error *err)
{
    double mu[LATENT] = { 0 }, sigma[LATENT], grad_mu[LATENT], grad_sigma[LATENT];
    for (size_t j = 0; j < LATENT; j++)
        sigma[j] = 1.0;
    EstimatorScratch scratch;
    if (!estimator_scratch_init(&scratch, LATENT, run->n ? run->n : 1, err))
        return false;
    size_t per_step = run->n ? run->n : 1, steps = s->budget / per_step;
    size_t every = (steps + CURVE - 2) / (CURVE - 1); /* ceil(steps / 100): at most CURVE points */
    run->points = 0;
    run->diverged = false;
    double start_gap = best - linear_gaussian_elbo(&m->model, mu, sigma);
    for (size_t step = 0; step <= steps; step++) {
        double elbo = linear_gaussian_elbo(&m->model, mu, sigma);
        if (!isfinite(elbo) || best - elbo > DIVERGED * start_gap) {
            run->diverged = true; /* the curve stops here, the table says when */
            run->draws[run->points] = (double)(step * per_step);
            run->gap[run->points++] = isfinite(elbo) ? best - elbo : NAN;
            break;
        }
        run->final_gap = best - elbo;
        if ((step % every == 0 || step == steps) && run->points < CURVE) {
            run->draws[run->points] = (double)(step * per_step);
            run->gap[run->points++] = best - elbo;
        }
        if (step == steps)
            break;
        if (run->n)
            elbo_gradient_estimate(grad_mu, grad_sigma, run->kind, &m->model, mu, sigma, run->n, &scratch, rng);
        else
            linear_gaussian_elbo_gradient(grad_mu, grad_sigma, &m->model, mu, sigma);
        ascent_step(mu, sigma, grad_mu, grad_sigma, s->learning_rate);
    }
    estimator_scratch_free(&scratch);
    return true;
}

static bool sgd_comparison(Run runs[RUNS], const Model *m, const Settings *s, Rng *rng, Error *err)
{
    double best = best_elbo(m);
    if (!s->common.quiet)
        printf("\n== 4b. SGD on (mu, log sigma), learning rate %g, a budget of %zu draws of z per run ==\n"
               "  best ELBO over diagonal q: ELBO* = %.6g (in closed form: coordinate ascent on mu, sigma_j = A_jj^-1/2)\n"
               "  %-34s %12s %24s\n",
               s->learning_rate, s->budget, best, "gradient", "steps", "ELBO* - ELBO at the end");
    for (size_t r = 0; r < RUNS; r++) {
        if (!sgd_run(&runs[r], m, best, s, rng, err))
            return false;
        size_t steps = s->budget / (runs[r].n ? runs[r].n : 1);
        if (!s->common.quiet && runs[r].diverged)
            printf("  %-34s %12zu   diverged after %.0f draws\n", runs[r].label, steps,
                   runs[r].draws[runs[r].points - 1]);
        else if (!s->common.quiet)
            printf("  %-34s %12zu %24.4g\n", runs[r].label, steps, runs[r].final_gap);
    }
    return true;
}

static bool write_sgd_plot(const Run runs[RUNS], const char *path, Error *err)
{
    PlotSeries series[RUNS];
    for (size_t r = 0; r < RUNS; r++)
        series[r] = (PlotSeries){ runs[r].label, runs[r].draws, runs[r].gap, runs[r].points };
    PlotOptions plot = { "SGD on the ELBO: the same budget of draws, each estimator",
                         "draws of z used (steps x draws per step)", "ELBO* - ELBO", true };
    return svg_line_plot(path, &plot, series, RUNS, err);
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static const Figure FIGURES[] = {
    { "estimators.csv", "table 1: setting, estimator, draws, component (0 mu, 1 sigma), exact and measured" },
    { "variance_vs_d.svg", "variance of d/dmu_1 per draw against d, measured and theory" },
    { "variance_vs_sigma.svg", "variance of d/dmu per draw against sigma, measured and theory" },
    { "elbo_sgd.svg", "ELBO* - ELBO during SGD with each estimator, one budget of draws" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

/* Each section draws from its own generator, seeded from --seed and the section, so that
 * its numbers do not depend on how many draws the sections before it made (--samples). */
typedef enum {
    SECTION_MODEL, SECTION_TABLE, SECTION_DIMENSION, SECTION_SIGMA, SECTION_CHANGE_OF_VARIABLES,
    SECTION_INVERSE_CDF, SECTION_ELBO, SECTION_SGD, SECTIONS
} Section;

static Rng section_rng(const Settings *s, size_t section)
{
    Rng rng;
    rng_seed(&rng, (uint64_t)s->common.seed * SECTIONS + section);
    return rng;
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    Rng rng[SECTIONS];
    for (size_t k = 0; k < SECTIONS; k++)
        rng[k] = section_rng(s, k);
    SweepResult *sweep = checked_calloc(1, sizeof *sweep, err);
    Run *runs = checked_calloc(RUNS, sizeof *runs, err);
    Stopwatch watch;
    stopwatch_start(&watch);
    size_t outside = 0;
    Model model; /* drawn first, so that it does not depend on --samples */
    model_init(&model, &rng[SECTION_MODEL]);
    bool ok = sweep && runs && figure_paths(path, s->common.out_dir, FIGURES, FIGURE_COUNT, err)
              && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: gradient estimators of grad_phi E_q[f(z)], q = N(mu, sigma^2), measured against their closed "
               "forms (seed %zu)\n",
               PROGRAM, s->common.seed);
    ok = ok && measured_table(s, path[0], &outside, &rng[SECTION_TABLE], err);
    ok = ok && run_sweep(sweep, BY_DIMENSION, s, &rng[SECTION_DIMENSION], err) && write_sweep_plot(sweep, BY_DIMENSION, path[1], err);
    ok = ok && run_sweep(sweep, BY_SIGMA, s, &rng[SECTION_SIGMA], err) && write_sweep_plot(sweep, BY_SIGMA, path[2], err);
    if (ok)
        change_of_variables_check(s, &rng[SECTION_CHANGE_OF_VARIABLES]);
    ok = ok && inverse_cdf_check(s, &rng[SECTION_INVERSE_CDF], err);
    ok = ok && elbo_table(&model, s, &rng[SECTION_ELBO], err);
    if (ok) {
        const Run plan[RUNS] = {
            { .label = "score function, 1 draw per step", .kind = ESTIMATOR_SCORE, .n = 1 },
            { .label = "score function, 10 draws per step", .kind = ESTIMATOR_SCORE, .n = 10 },
            { .label = "leave-one-out, 10 draws per step", .kind = ESTIMATOR_LEAVE_ONE_OUT, .n = 10 },
            { .label = "pathwise, 10 draws per step", .kind = ESTIMATOR_PATHWISE, .n = 10 },
            { .label = "pathwise, 1 draw per step", .kind = ESTIMATOR_PATHWISE, .n = 1 },
            { .label = "exact gradient (one step per draw)", .kind = ESTIMATOR_PATHWISE, .n = 0 },
        };
        memcpy(runs, plan, sizeof plan);
    }
    ok = ok && sgd_comparison(runs, &model, s, &rng[SECTION_SGD], err) && write_sgd_plot(runs, path[3], err);
    if (ok && !s->common.quiet) {
        printf("\n%zu of %d rows of table 1 have their mean or variance outside 5 standard errors of the closed "
               "form.\n",
               outside, 2 * ESTIMATOR_COUNT * SETTING_COUNT);
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
        printf("\n(%.1f s)\n", stopwatch_seconds(&watch));
    }
    free(runs);
    free(sweep);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/estimators", .seed = 1 }, .samples = 1000000, .budget = 20000,
                   .learning_rate = 0.005 };
    const Option options[] = {
        { "samples", OPTION_SIZE, &s.samples, "estimates per measured mean and variance", 1000, 10000000 },
        { "budget", OPTION_SIZE, &s.budget, "draws of z per SGD run", 100, 10000000 },
        { "lr", OPTION_DOUBLE, &s.learning_rate, "SGD learning rate on (mu, log sigma)", 1e-6, 0.1 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Measure the score-function, baseline and pathwise estimators of grad E_q[f] against "
                       "their closed-form variances, and compare them on the ELBO of a linear-Gaussian model.",
        .common = &s.common,
        .reads_mnist = false,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
