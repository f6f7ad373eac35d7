/* chapters/04-elbo/em_mnist.c — EM as iterated lower-bound maximisation (Wu L6, "Evidence
 * Lower Bound": "Optimize p(x, z; theta) w.r.t. fixed q(z) (M-step); set
 * q(z) <- p(z | x; theta) (E-step)") on real digits:
 *
 *   - the training digits are projected to d = 2 by chapter 2's PCA, z = U^T (x - mu);
 *   - a mixture of K Gaussians (full covariances) is fitted to the codes by EM (exercises
 *     4.7 and 4.8), from k-means++ seeds;
 *   - each iteration prints and records log p(X; theta_t) = J(theta_t; q_t) (the bound, tight
 *     after the E-step) and J(theta_{t+1}; q_t) (after the M-step), which can never decrease;
 *   - then the test digits' log-likelihood per digit, and which digits each component took.
 *
 * Figures: em_bound.svg (both values per iteration), em_components.svg (the training codes
 * coloured by their most responsible component), em_digits.svg (the same codes coloured by
 * digit, for comparison), em_log.csv.
 *
 *     build/solutions/bin/em_mnist            (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "dataset.h"
#include "elbo.h"
#include "error.h"
#include "matrix.h"
#include "outfile.h"
#include "pca.h"
#include "plot.h"
#include "program.h"
#include "progress.h"

static const char *const PROGRAM = "em_mnist";

enum { CODE_SIZE = 2, MAX_SHOWN_COMPONENTS = 10 /* the scatter's legend has ten colours */ };

typedef struct Settings {
    CommonSettings common; /* --data, --out, --train, --test, --seed, --quiet */
    size_t components, iterations;
} Settings;

typedef struct Run {
    const Settings *s;
    Dataset train, test;
    Pca pca;
    double *Z_train, *Z_test; /* (N, 2) codes */
    double *R;                /* (N_train, K) responsibilities */
    Gmm gmm;
    EmStep *steps;            /* (iterations) */
    unsigned char *component; /* (N_train): argmax_k r_ik */
    double log_likelihood;    /* log p(X; theta) / N_train for the final theta */
} Run;

static void run_free(Run *r)
{
    dataset_free(&r->train);
    dataset_free(&r->test);
    pca_free(&r->pca);
    gmm_free(&r->gmm);
    free(r->Z_train);
    free(r->Z_test);
    free(r->R);
    free(r->steps);
    free(r->component);
}

/* z = U^T (x - mu) for both splits (chapter 2's encoder, exercise 2.4). */
static bool project(Run *r, Error *err)
{
    Stopwatch watch;
    stopwatch_start(&watch);
    if (!pca_fit(&r->pca, r->train.images, r->train.count, r->train.dim, CODE_SIZE, NULL, err))
        return false;
    r->Z_train = alloc_doubles(r->train.count * CODE_SIZE, err);
    r->Z_test = r->Z_train ? alloc_doubles(r->test.count * CODE_SIZE, err) : NULL;
    if (!r->Z_test)
        return false;
    pca_encode(&r->pca, r->Z_train, r->train.images, r->train.count);
    pca_encode(&r->pca, r->Z_test, r->test.images, r->test.count);
    if (!vector_all_finite(r->Z_train, r->train.count * CODE_SIZE))
        return error_set(err, "the PCA codes are not finite (is chapter 2's pca_encode done?)");
    if (!r->s->common.quiet)
        printf("PCA to d = 2: lambda_1 = %.4f, lambda_2 = %.4f, %.1f%% of the variance kept (%.1f s)\n",
               r->pca.eigenvalues[0], r->pca.eigenvalues[1], 100.0 * pca_explained_variance(&r->pca),
               stopwatch_seconds(&watch));
    return true;
}

/* The EM iterations, one line every tenth and at the last; fails if the log-likelihood
 * ever decreases (beyond rounding), which a correct E-step and M-step never let happen. */
static bool fit(Run *r, Rng *rng, Error *err)
{
    const Settings *s = r->s;
    size_t N = r->train.count;
    if (!gmm_init_from_data(&r->gmm, r->Z_train, N, CODE_SIZE, s->components, rng, err))
        return false;
    if (!s->common.quiet)
        printf("\nEM, K = %zu components with full covariances, on the %zu training codes (per digit, in nats):\n",
               s->components, N);
    for (size_t t = 0; t < s->iterations; t++) {
        EmStep *step = &r->steps[t];
        if (!gmm_em_step(step, &r->gmm, r->R, r->Z_train, N, err))
            return error_prefix(err, "EM iteration %zu", t + 1);
        step->log_likelihood /= (double)N;
        step->bound /= (double)N;
        if (!isfinite(step->log_likelihood))
            return error_set(err, "EM iteration %zu: the log-likelihood is %g (are exercises 4.7 and 4.8 done?)",
                             t + 1, step->log_likelihood);
        double previous = t ? r->steps[t - 1].bound : -INFINITY;
        if (step->log_likelihood < previous - 1e-9 * fabs(previous))
            return error_set(err, "EM iteration %zu: log p(X) fell from %.10f to %.10f, which EM never does", t + 1,
                             previous, step->log_likelihood);
        if (!s->common.quiet && ((t + 1) % 10 == 0 || t == 0 || t + 1 == s->iterations))
            printf("  iteration %3zu   log p(X; theta_t) / N = %.6f   J(theta_t+1; q_t) / N = %.6f\n", t + 1,
                   step->log_likelihood, step->bound);
    }
    r->log_likelihood = gmm_e_step(r->R, &r->gmm, r->Z_train, N) / (double)N; /* q for the final theta */
    for (size_t i = 0; i < N; i++) {
        size_t best = 0;
        for (size_t k = 1; k < s->components; k++)
            best = r->R[i * s->components + k] > r->R[i * s->components + best] ? k : best;
        r->component[i] = (unsigned char)best;
    }
    return true;
}

/* Per component: its weight, mean, and the digit it holds most of (with that digit's share). */
static void print_components(const Run *r)
{
    size_t K = r->s->components, N = r->train.count;
    double test_log_likelihood = 0.0;
    for (size_t i = 0; i < r->test.count; i++)
        test_log_likelihood += gmm_log_density(&r->gmm, r->Z_test + i * CODE_SIZE);
    printf("\nlog-likelihood per digit: train %.4f, test %.4f (nats, in the 2-D code space)\n",
           r->log_likelihood, test_log_likelihood / (double)r->test.count);
    printf("\n%9s %8s %18s %8s   %s\n", "component", "pi_k", "mu_k", "codes", "the digit it holds most of");
    for (size_t k = 0; k < K; k++) {
        size_t count[DATASET_CLASSES] = { 0 }, total = 0, top = 0;
        for (size_t i = 0; i < N; i++)
            if (r->component[i] == k) {
                count[r->train.labels[i]]++;
                total++;
            }
        for (size_t c = 1; c < DATASET_CLASSES; c++)
            top = count[c] > count[top] ? c : top;
        const double *mu = r->gmm.component[k].mean;
        printf("%9zu %8.4f  (%6.2f, %6.2f) %8zu   %zu (%.0f%% of its codes)\n", k + 1, r->gmm.weight[k], mu[0], mu[1], total, top,
               total ? 100.0 * (double)count[top] / (double)total : 0.0);
    }
}

/* ---- figures ---------------------------------------------------------------------------------- */

static const Figure FIGURES[] = {
    { "em_bound.svg", "log p(X; theta_t) / N and the bound after each M-step, per iteration" },
    { "em_components.svg", "the 2-D PCA codes coloured by their most responsible component" },
    { "em_digits.svg", "the same codes coloured by digit" },
    { "em_log.csv", "the numbers of em_bound.svg" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_bound_plot(const Run *r, const char *path, double *x, double *y, Error *err)
{
    size_t T = r->s->iterations;
    for (size_t t = 0; t < T; t++) {
        x[t] = (double)(t + 1);
        x[T + t] = (double)(t + 1) + 0.5; /* the M-step sits between two E-steps */
        y[t] = r->steps[t].log_likelihood;
        y[T + t] = r->steps[t].bound;
    }
    PlotSeries series[2] = {
        { "log p(X; theta_t) / N = J(theta_t; q_t), after the E-step", x, y, T },
        { "J(theta_t+1; q_t) / N, after the M-step", x + T, y + T, T },
    };
    PlotOptions plot = { "EM never decreases the bound (Wu L6)", "iteration t", "nats per digit", false };
    return svg_line_plot(path, &plot, series, 2, err);
}

static bool write_log(const Run *r, const char *path, Error *err)
{
    static const char *const columns[] = { "iteration", "log_likelihood_per_digit", "bound_after_m_step" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 3, err))
        return false;
    for (size_t t = 0; t < r->s->iterations; t++)
        csv_row(&log, (double[]){ (double)(t + 1), r->steps[t].log_likelihood, r->steps[t].bound });
    return csv_close(&log, err);
}

static bool write_figures(const Run *r, Error *err)
{
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    double *xy = alloc_doubles(4 * r->s->iterations, err);
    PlotOptions by_component = { "EM's components on the 2-D PCA codes of the digits", "z_1", "z_2", false };
    PlotOptions by_digit = { "the same codes, by digit", "z_1", "z_2", false };
    bool ok = xy && figure_paths(path, r->s->common.out_dir, FIGURES, FIGURE_COUNT, err)
              && write_bound_plot(r, path[0], xy, xy + 2 * r->s->iterations, err)
              && svg_scatter_plot(path[1], &by_component, r->Z_train, r->component, r->train.count, err)
              && svg_scatter_plot(path[2], &by_digit, r->Z_train, r->train.labels, r->train.count, err)
              && write_log(r, path[3], err);
    free(xy);
    if (ok && !r->s->common.quiet)
        print_figures(r->s->common.out_dir, FIGURES, FIGURE_COUNT);
    return ok;
}

/* ---- the run ---------------------------------------------------------------------------------- */

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Run r = { .s = s };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    bool ok = load_digits(&r.train, &r.test, &dir, &s->common, err)
              && (s->components <= r.train.count
                  || error_set(err, "--components %zu is more than the %zu training digits", s->components,
                               r.train.count))
              && pca_check_input(r.train.images, r.train.count, r.train.dim, CODE_SIZE, err)
              && (r.R = alloc_doubles(r.train.count * s->components, err))
              && (r.steps = checked_calloc(s->iterations, sizeof *r.steps, err))
              && (r.component = checked_calloc(r.train.count, 1, err)) && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s\n", PROGRAM, r.train.count, r.test.count, dir);
    ok = ok && project(&r, err) && fit(&r, &rng, err) && write_figures(&r, err);
    if (ok && !s->common.quiet)
        print_components(&r);
    run_free(&r);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/em_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .components = 10, .iterations = 100 };
    const Option options[] = {
        { "components", OPTION_SIZE, &s.components, "mixture components K (the scatter has ten colours)", 1,
          MAX_SHOWN_COMPONENTS },
        { "iterations", OPTION_SIZE, &s.iterations, "EM iterations", 1, 10000 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Fit a Gaussian mixture to the digits' 2-D PCA codes by EM, iterated maximisation of the "
                       "lower bound (Wu L6).",
        .common = &s.common,
        .reads_mnist = true,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
