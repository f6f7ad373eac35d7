/* chapters/04-elbo/elbo_bounds.c — the ELBO's identities, measured where the answers are
 * known (no data needed):
 *
 *   1. CSC413 L10's coins: KL in both directions, in nats and bits, beside the slide's values;
 *   2. the Gaussian KL in closed form (entropy and cross-entropy) against Monte Carlo;
 *   3. the linear-Gaussian model p(z) = N(0, I), p(x | z) = N(W z + b, sigma^2 I): log p(x),
 *      the ELBO of a deliberately wrong q, KL(q || p(z | x)), and their identity;
 *   4. the k-sample bound E[L_k] for k = 1, 10, 100, 1000 (Wu L6: "more than one sample for
 *      a tighter lower bound"), each averaged over --repeats draws, against log p(x);
 *   5. one Gaussian fitted to a bimodal mixture by reverse KL(q || p) and forward KL(p || q);
 *   6. mean-field coordinate ascent on a correlated 2-D Gaussian.
 *
 * Figures: k_sample.svg and k_sample.csv (the table of 4), kl_fits.svg (5), mean_field.svg (6).
 *
 *     build/solutions/bin/elbo_bounds         (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "elbo.h"
#include "error.h"
#include "matrix.h"
#include "numerics.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"

static const char *const PROGRAM = "elbo_bounds";
static const double LN2 = 0.69314718055994531;

enum { K_CASES = 4, DENSITY_POINTS = 601, ELLIPSE_POINTS = 121, MAX_SWEEPS = 200 };
static const size_t K_VALUES[K_CASES] = { 1, 10, 100, 1000 };

typedef struct Settings {
    CommonSettings common; /* --out, --seed, --quiet */
    size_t data_dim, latent_dim, repeats, kl_samples;
    double variance, shift, coin, mode, mode_std, weight, correlation;
} Settings;

/* The linear-Gaussian problem of sections 3 and 4: a model, an x drawn from it, the exact
 * posterior, and the wrong q: the posterior's mean moved by `shift` posterior standard
 * deviations in each coordinate and its covariance doubled. */
typedef struct Problem {
    LinearGaussian model;
    double *x;
    Gaussian posterior, q;
    double log_evidence; /* log p(x) */
} Problem;

typedef struct KTable {
    double mean[K_CASES], standard_error[K_CASES]; /* E[L_k] over the repeats, and its standard error */
} KTable;

/* ---- 1 and 2: KL divergences ------------------------------------------------------------------ */

/* Sections 1 and 2; the Monte Carlo draws are made with --quiet too, so that the sections
 * after them see the same random numbers. */
static bool divergences(const Settings *s, Rng *rng, Error *err)
{
    const double fair[2] = { 0.5, 0.5 }, unfair[2] = { s->coin, 1.0 - s->coin };
    const double mean_p[2] = { 1.0, 0.0 }, variance_p[2] = { 4.0, 0.5 }, mean_q[2] = { -1.0, 0.5 },
                 variance_q[2] = { 1.0, 2.0 };
    if (!probability_check(unfair, 2, "the unfair coin", err))
        return false;
    double standard_error, estimate = gaussian_kl_monte_carlo(&standard_error, mean_p, variance_p, mean_q,
                                                              variance_q, 2, s->kl_samples, rng);
    if (s->common.quiet)
        return true;
    double forward = kl_divergence(fair, unfair, 2), backward = kl_divergence(unfair, fair, 2);
    printf("\n1. Coins (CSC413 L10): q = fair (0.5, 0.5), p = unfair (%g, %g)\n", unfair[0], unfair[1]);
    printf("   KL(q || p) = %.6f nats = %.6f bits%s\n", forward, forward / LN2,
           s->coin == 0.3 ? "    (the slide prints 0.872: ten times too large)" : "");
    printf("   KL(p || q) = %.6f nats = %.6f bits%s\n", backward, backward / LN2,
           s->coin == 0.3 ? "    (the slide prints 0.823: ten times too large)" : "");
    printf("   H(q) = %.6f bits, H(p) = %.6f bits\n", entropy(fair, 2) / LN2, entropy(unfair, 2) / LN2);

    double exact = gaussian_kl(mean_p, variance_p, mean_q, variance_q, 2);
    printf("\n2. Gaussian KL, p = N((1, 0), diag(4, 0.5)), q = N((-1, 0.5), diag(1, 2)):\n");
    printf("   H(p, q) - H(p) = %.6f - %.6f = %.6f (closed form)\n",
           gaussian_cross_entropy(mean_p, variance_p, mean_q, variance_q, 2), gaussian_entropy(variance_p, 2), exact);
    printf("   Monte Carlo over %zu draws z ~ p: %.6f +- %.6f, %.2f standard errors away\n", s->kl_samples, estimate,
           standard_error, fabs(estimate - exact) / standard_error);
    printf("   KL(q || p) = %.6f: not symmetric\n", gaussian_kl(mean_q, variance_q, mean_p, variance_p, 2));
    return true;
}

/* ---- 3 and 4: the linear-Gaussian model and the k-sample bound ------------------------------------ */

static void problem_free(Problem *p)
{
    linear_gaussian_free(&p->model);
    gaussian_free(&p->posterior);
    gaussian_free(&p->q);
    free(p->x);
    *p = (Problem){ 0 }; /* safe to free again */
}

static bool problem_init(Problem *p, const Settings *s, Rng *rng, Error *err)
{
    size_t D = s->data_dim, d = s->latent_dim;
    *p = (Problem){ 0 };
    Gaussian marginal;
    bool ok = linear_gaussian_init(&p->model, D, d, s->variance, err) && (p->x = alloc_doubles(D, err))
              && gaussian_init(&p->posterior, d, err) && gaussian_init(&p->q, d, err);
    if (ok) { /* W, b ~ N(0, 1) entries, z ~ N(0, I), x = W z + b + sigma eps */
        rng_fill_normal(rng, p->model.W, D * d, 0.0, 1.0);
        rng_fill_normal(rng, p->model.b, D, 0.0, 1.0);
        double z[8]; /* d <= 8 (--latent) */
        rng_fill_normal(rng, z, d, 0.0, 1.0);
        for (size_t i = 0; i < D; i++)
            p->x[i] = p->model.b[i] + vector_dot(p->model.W + i * d, z, d) + sqrt(s->variance) * rng_normal(rng);
    }
    ok = ok && linear_gaussian_posterior(&p->posterior, &p->model, p->x, err)
         && (gaussian_factor(&p->posterior, err) || error_prefix(err, "the posterior p(z | x) (exercise 4.4)"))
         && linear_gaussian_marginal(&marginal, &p->model, err);
    if (ok) {
        p->log_evidence = gaussian_log_density(&marginal, p->x);
        gaussian_free(&marginal);
        for (size_t j = 0; j < d; j++)
            p->q.mean[j] = p->posterior.mean[j] + s->shift * sqrt(p->posterior.covariance[j * d + j]);
        for (size_t j = 0; j < d * d; j++)
            p->q.covariance[j] = 2.0 * p->posterior.covariance[j];
        ok = gaussian_factor(&p->q, err);
    }
    if (!ok)
        problem_free(p);
    return ok;
}

static void print_identity(const Problem *p, const Settings *s)
{
    double elbo = linear_gaussian_elbo(&p->model, p->x, &p->q), gap = gaussian_kl_full(&p->q, &p->posterior);
    printf("\n3. Linear-Gaussian model, D = %zu, d = %zu, sigma^2 = %g, one x drawn from it; q = the posterior\n"
           "   moved by %g posterior standard deviations per coordinate, covariance doubled:\n",
           s->data_dim, s->latent_dim, s->variance, s->shift);
    printf("   log p(x)                  = %.12f   (the marginal N(b, W W^T + sigma^2 I))\n", p->log_evidence);
    printf("   ELBO(q)                   = %.12f   (closed form)\n", elbo);
    printf("   KL(q || p(z | x))         = %.12f\n", gap);
    printf("   ELBO + KL - log p(x)      = %.3g\n", elbo + gap - p->log_evidence);
    printf("   ELBO(p(z | x)) - log p(x) = %.3g   (tight at the posterior)\n",
           linear_gaussian_elbo(&p->model, p->x, &p->posterior) - p->log_evidence);
}

static bool measure_k_table(KTable *table, const Problem *p, const Settings *s, Rng *rng, Error *err)
{
    for (size_t c = 0; c < K_CASES; c++) {
        double sum = 0.0, squares = 0.0, bound;
        for (size_t r = 0; r < s->repeats; r++) {
            if (!k_sample_bound(&bound, &p->model, p->x, &p->q, K_VALUES[c], rng, err))
                return false;
            sum += bound;
            squares += bound * bound;
        }
        double R = (double)s->repeats;
        table->mean[c] = sum / R;
        table->standard_error[c] = sqrt(fmax(0.0, squares / R - table->mean[c] * table->mean[c]) / R);
        if (!isfinite(table->mean[c]))
            return error_set(err, "the k-sample bound is not finite at k = %zu (is exercise 4.6 done?)", K_VALUES[c]);
    }
    return true;
}

static void print_k_table(const KTable *table, const Problem *p, const Settings *s)
{
    double elbo = linear_gaussian_elbo(&p->model, p->x, &p->q);
    printf("\n4. The k-sample bound L_k = log (1/k) sum_i p(x, z_i) / q(z_i), z_i ~ q, averaged over %zu draws:\n",
           s->repeats);
    printf("   %6s %14s %10s %19s\n", "k", "E[L_k]", "+- s.e.", "log p(x) - E[L_k]");
    for (size_t c = 0; c < K_CASES; c++)
        printf("   %6zu %14.4f %10.4f %19.4f\n", K_VALUES[c], table->mean[c], table->standard_error[c],
               p->log_evidence - table->mean[c]);
    printf("   ELBO(q) = %.4f, log p(x) = %.4f; the gap at k = %zu is %.3f of the gap at k = 1\n", elbo,
           p->log_evidence, K_VALUES[K_CASES - 1],
           (p->log_evidence - table->mean[K_CASES - 1]) / (p->log_evidence - table->mean[0]));
}

static bool write_k_figures(const KTable *table, const Problem *p, const char *svg, const char *csv, Error *err)
{
    double log_k[K_CASES], evidence[K_CASES], elbo[K_CASES], below[K_CASES], above[K_CASES];
    for (size_t c = 0; c < K_CASES; c++) {
        log_k[c] = log10((double)K_VALUES[c]);
        evidence[c] = p->log_evidence;
        elbo[c] = linear_gaussian_elbo(&p->model, p->x, &p->q);
        below[c] = table->mean[c] - 2.0 * table->standard_error[c];
        above[c] = table->mean[c] + 2.0 * table->standard_error[c];
    }
    PlotSeries series[5] = {
        { "E[L_k], the k-sample bound", log_k, table->mean, K_CASES },
        { "E[L_k] - 2 s.e.", log_k, below, K_CASES },
        { "E[L_k] + 2 s.e.", log_k, above, K_CASES },
        { "log p(x), exact", log_k, evidence, K_CASES },
        { "ELBO(q), closed form", log_k, elbo, K_CASES },
    };
    PlotOptions plot = { "more samples, a tighter bound (Wu L6)", "log10 k", "nats", false };
    static const char *const columns[] = { "k", "mean_bound", "standard_error", "log_evidence", "elbo" };
    CsvLog log;
    if (!svg_line_plot(svg, &plot, series, 5, err) || !csv_open(&log, csv, columns, 5, err))
        return false;
    for (size_t c = 0; c < K_CASES; c++)
        csv_row(&log, (double[]){ (double)K_VALUES[c], table->mean[c], table->standard_error[c], evidence[c], elbo[c] });
    return csv_close(&log, err);
}

/* ---- 5: reverse against forward KL ------------------------------------------------------------- */

typedef struct Fits {
    Gmm p;                                 /* (1 - w) N(-mode, s^2) + w N(mode, s^2) */
    double reverse_mean, reverse_variance; /* argmin KL(q || p), from the right of 0 */
    double forward_mean, forward_variance; /* argmin KL(p || q) */
} Fits;

static bool fit_both(Fits *f, const Settings *s, Error *err)
{
    if (!gmm_init(&f->p, 2, 1, err))
        return false;
    for (size_t k = 0; k < 2; k++) {
        f->p.weight[k] = k ? s->weight : 1.0 - s->weight;
        f->p.component[k].mean[0] = k ? s->mode : -s->mode;
        f->p.component[k].covariance[0] = s->mode_std * s->mode_std;
    }
    fit_forward_kl(&f->forward_mean, &f->forward_variance, &f->p);
    return gmm_factor(&f->p, err) && fit_reverse_kl(&f->reverse_mean, &f->reverse_variance, &f->p, 0.25 * s->mode, err);
}

static void print_fits(const Fits *f, const Settings *s)
{
    printf("\n5. One Gaussian q fitted to p = %g N(-%g, %g^2) + %g N(%g, %g^2):\n", 1.0 - s->weight, s->mode,
           s->mode_std, s->weight, s->mode, s->mode_std);
    printf("   %-38s %10s %10s %12s %12s\n", "", "mean", "variance", "KL(q || p)", "KL(p || q)");
    printf("   %-38s %10.4f %10.4f %12.4f %12.4f\n", "reverse, argmin KL(q || p) (VI)", f->reverse_mean,
           f->reverse_variance, kl_normal_to_mixture(f->reverse_mean, f->reverse_variance, &f->p),
           kl_mixture_to_normal(&f->p, f->reverse_mean, f->reverse_variance));
    printf("   %-38s %10.4f %10.4f %12.4f %12.4f\n", "forward, argmin KL(p || q) (moments)", f->forward_mean,
           f->forward_variance, kl_normal_to_mixture(f->forward_mean, f->forward_variance, &f->p),
           kl_mixture_to_normal(&f->p, f->forward_mean, f->forward_variance));
}

static bool write_fits_plot(const Fits *f, const Settings *s, const char *path, Error *err)
{
    static double z[DENSITY_POINTS], density[3][DENSITY_POINTS];
    double reach = fmax(s->mode + 4.0 * s->mode_std, fabs(f->forward_mean) + 3.0 * sqrt(f->forward_variance));
    for (size_t i = 0; i < DENSITY_POINTS; i++) {
        z[i] = -reach + 2.0 * reach * (double)i / (DENSITY_POINTS - 1);
        density[0][i] = exp(gmm_log_density(&f->p, &z[i]));
        density[1][i] = exp(log_normal_density(z[i], f->reverse_mean, f->reverse_variance));
        density[2][i] = exp(log_normal_density(z[i], f->forward_mean, f->forward_variance));
    }
    PlotSeries series[3] = {
        { "p, the bimodal target", z, density[0], DENSITY_POINTS },
        { "q = argmin KL(q || p): mode-seeking", z, density[1], DENSITY_POINTS },
        { "q = argmin KL(p || q): mass-covering", z, density[2], DENSITY_POINTS },
    };
    PlotOptions plot = { "reverse against forward KL (Wu L6)", "z", "density", false };
    return svg_line_plot(path, &plot, series, 3, err);
}

/* ---- 6: mean field --------------------------------------------------------------------------- */

typedef struct MeanField {
    double mu[2], Sigma[4], Lambda[4];
    double mean[2], variance[2];
    double path[(MAX_SWEEPS * 2 + 1) * 2];
    size_t updates;
} MeanField;

static bool fit_mean_field(MeanField *m, const Settings *s, Error *err)
{
    *m = (MeanField){ .mu = { 1.0, 2.0 }, .Sigma = { 1.0, s->correlation, s->correlation, 1.0 },
                      .mean = { -2.0, 4.0 }, .variance = { 1.0, 1.0 } };
    if (!spd_inverse(m->Lambda, m->Sigma, 2, err))
        return error_prefix(err, "Sigma");
    m->updates = mean_field_fit(m->mean, m->variance, m->path, m->mu, m->Lambda, 2, 1e-10, MAX_SWEEPS);
    if (m->updates == 0)
        return error_set(err, "mean field did not converge in %d sweeps (is exercise 4.9 done?)", MAX_SWEEPS);
    return true;
}

static void print_mean_field(const MeanField *m, const Settings *s)
{
    printf("\n6. Mean field q(z) = q_1(z_1) q_2(z_2) for p = N((1, 2), [[1, %g], [%g, 1]]), from (-2, 4):\n",
           s->correlation, s->correlation);
    printf("   after %zu updates: means (%.6f, %.6f), variances (%.4f, %.4f)\n", m->updates, m->mean[0], m->mean[1],
           m->variance[0], m->variance[1]);
    printf("   1 / Lambda_ii = %.4f, %.4f: below the marginal variances Sigma_ii = 1 (reverse KL under-covers)\n",
           1.0 / m->Lambda[0], 1.0 / m->Lambda[3]);
}

/* The ellipse {mean + 2 L (cos t, sin t)} of a 2-D Gaussian with covariance L L^T. */
static void ellipse(double *x, double *y, const double *mean, const double *covariance)
{
    double L[4];
    if (!cholesky(L, covariance, 2)) {
        for (size_t i = 0; i < ELLIPSE_POINTS; i++)
            x[i] = y[i] = NAN;
        return;
    }
    for (size_t i = 0; i < ELLIPSE_POINTS; i++) {
        double t = 2.0 * M_PI * (double)i / (ELLIPSE_POINTS - 1), c = 2.0 * cos(t), s = 2.0 * sin(t);
        x[i] = mean[0] + L[0] * c;
        y[i] = mean[1] + L[2] * c + L[3] * s;
    }
}

static bool write_mean_field_plot(const MeanField *m, const char *path, Error *err)
{
    static double px[ELLIPSE_POINTS], py[ELLIPSE_POINTS], qx[ELLIPSE_POINTS], qy[ELLIPSE_POINTS];
    static double path_x[MAX_SWEEPS * 2 + 1], path_y[MAX_SWEEPS * 2 + 1];
    const double q_covariance[4] = { m->variance[0], 0.0, 0.0, m->variance[1] };
    ellipse(px, py, m->mu, m->Sigma);
    ellipse(qx, qy, m->mean, q_covariance);
    for (size_t i = 0; i <= m->updates; i++) {
        path_x[i] = m->path[2 * i];
        path_y[i] = m->path[2 * i + 1];
    }
    PlotSeries series[3] = {
        { "p: 2 standard deviations", px, py, ELLIPSE_POINTS },
        { "mean-field q: 2 standard deviations", qx, qy, ELLIPSE_POINTS },
        { "the means of q, one update at a time", path_x, path_y, m->updates + 1 },
    };
    PlotOptions plot = { "mean-field coordinate ascent (Wu L6)", "z_1", "z_2", false };
    return svg_line_plot(path, &plot, series, 3, err);
}

/* ---- the run ----------------------------------------------------------------------------------- */

static const Figure FIGURES[] = {
    { "k_sample.svg", "E[L_k] against log10 k, with log p(x) and ELBO(q)" },
    { "k_sample.csv", "the k-sample table" },
    { "kl_fits.svg", "p and the reverse- and forward-KL Gaussians" },
    { "mean_field.svg", "p, the mean-field q and the path of its means" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    Problem problem = { 0 };
    KTable table;
    Fits fits = { 0 };
    MeanField mean_field;
    Rng rng;
    rng_seed(&rng, s->common.seed);
    if (s->latent_dim > s->data_dim)
        return error_set(err, "--latent %zu is larger than --dim %zu", s->latent_dim, s->data_dim);
    bool ok = figure_paths(path, s->common.out_dir, FIGURES, FIGURE_COUNT, err) && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: the ELBO's identities where the answer is known (seed %zu)\n", PROGRAM, s->common.seed);
    ok = ok && divergences(s, &rng, err) && problem_init(&problem, s, &rng, err);
    if (ok && !s->common.quiet)
        print_identity(&problem, s);
    ok = ok && measure_k_table(&table, &problem, s, &rng, err);
    if (ok && !s->common.quiet)
        print_k_table(&table, &problem, s);
    ok = ok && fit_both(&fits, s, err);
    if (ok && !s->common.quiet)
        print_fits(&fits, s);
    ok = ok && fit_mean_field(&mean_field, s, err);
    if (ok && !s->common.quiet)
        print_mean_field(&mean_field, s);
    ok = ok && write_k_figures(&table, &problem, path[0], path[1], err) && write_fits_plot(&fits, s, path[2], err)
         && write_mean_field_plot(&mean_field, path[3], err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    problem_free(&problem);
    gmm_free(&fits.p);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/elbo_bounds", .seed = 1 }, .data_dim = 5, .latent_dim = 2,
                   .repeats = 1000, .kl_samples = 100000, .variance = 0.2, .shift = 1.5, .coin = 0.3, .mode = 2.0,
                   .mode_std = 0.6, .weight = 0.5, .correlation = 0.9 };
    const Option options[] = {
        { "coin", OPTION_DOUBLE, &s.coin, "P(heads) of the unfair coin p (section 1)", 0.0, 1.0 },
        { "kl-samples", OPTION_SIZE, &s.kl_samples, "draws of the Monte Carlo KL (section 2)", 2, 1e8 },
        { "dim", OPTION_SIZE, &s.data_dim, "data dimension D of the linear-Gaussian model", 1, 64 },
        { "latent", OPTION_SIZE, &s.latent_dim, "latent dimension d <= D", 1, 8 },
        { "sigma2", OPTION_DOUBLE, &s.variance, "observation variance sigma^2", 1e-6, 1e6 },
        { "shift", OPTION_DOUBLE, &s.shift, "how wrong q is: posterior standard deviations its mean is moved", 0, 10 },
        { "repeats", OPTION_SIZE, &s.repeats, "draws of L_k averaged per k (section 4)", 2, 1e6 },
        { "mode", OPTION_DOUBLE, &s.mode, "the mixture's modes are at -mode and +mode (section 5)", 1e-3, 1e3 },
        { "mode-std", OPTION_DOUBLE, &s.mode_std, "standard deviation of each mode", 1e-3, 1e3 },
        { "weight", OPTION_DOUBLE, &s.weight, "probability of the mode at +mode", 1e-6, 1.0 - 1e-6 },
        { "correlation", OPTION_DOUBLE, &s.correlation, "correlation of the 2-D Gaussian (section 6)", -0.999, 0.999 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Measure the ELBO's identities where the answers are known: KL divergences, log p(x) = "
                       "ELBO + KL, the k-sample bound, reverse vs forward KL, mean field.",
        .common = &s.common,
        .reads_mnist = false,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
