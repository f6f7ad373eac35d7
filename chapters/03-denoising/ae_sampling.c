/* chapters/03-denoising/ae_sampling.c — sampling from an auto-encoder's latent space, as in
 * Louppe L11 ("Sampling from an AE's latent space"): train an auto-encoder for each code
 * size d (the slide: 8, 16, 32), fit a factored Gaussian q(z) = N(mu^, Sigma^), Sigma^
 * diagonal, to the codes z = f(x) of the training digits, sample z ~ q and decode g(z).
 *
 *   - per epoch, the reconstruction loss of chapter 1, train and test;
 *   - a grid of decoded samples g(z), z ~ q, per d (samples_d8.pgm, ...), above a row of
 *     test digits' reconstructions g(f(x)) for comparison;
 *   - a table that says why the samples are poor: how far the samples z ~ q fall from the
 *     codes of real digits, compared with the codes of unseen test digits, and how
 *     correlated the code coordinates are (a diagonal Sigma^ assumes they are not).
 *
 *     build/solutions/bin/ae_sampling --d 8,16,32         (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoencoder.h"
#include "dataset.h"
#include "denoising.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "program.h"
#include "train.h"

static const char *const PROGRAM = "ae_sampling";

enum {
    SAMPLE_ROWS = 4,      /* rows of samples in each grid */
    GRID_COLUMNS = 12,
    SHOWN = SAMPLE_ROWS * GRID_COLUMNS,
    PROBES = 500          /* samples z ~ q and test codes whose distance to the codes is measured */
};

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    SizeList code_sizes;       /* --d: one auto-encoder per code size, increasing */
} Settings;

/* What the table shows for one code size. */
typedef struct Outcome {
    size_t d;
    double test_error;      /* (1/N) sum ||x - g(f(x))||^2 on the test digits */
    double mean_correlation;/* mean |corr(z_j, z_k)|, j != k, over the training codes */
    double test_far;        /* share of test codes farther from every training code than the threshold */
    double sample_far;      /* the same share for samples z ~ q */
    double distance_ratio;  /* median distance to the nearest training code: samples / test codes */
} Outcome;

/* ---- chapter 1's auto-encoder ----------------------------------------------------------- */

/* ---- how far from the codes ------------------------------------------------------------- */

/* min_i ||z - z_i||^2 over the N codes Z (N, d) */
static double nearest_code_distance(const double *z, const double *Z, size_t N, size_t d)
{
    double nearest = INFINITY;
    for (size_t i = 0; i < N; i++)
        nearest = fmin(nearest, vector_squared_distance(z, Z + i * d, d));
    return sqrt(nearest);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of n numbers (sorts them). */
static double quantile(double *values, size_t n, double q)
{
    qsort(values, n, sizeof *values, compare_doubles);
    return values[(size_t)(q * (double)(n - 1))];
}

static double share_above(const double *values, size_t n, double threshold)
{
    size_t above = 0;
    for (size_t i = 0; i < n; i++)
        above += values[i] > threshold;
    return (double)above / (double)n;
}

/* mean over j != k of |corr(z_j, z_k)| for the N codes Z (N, d), given their fitted q. */
static double mean_absolute_correlation(const double *Z, size_t N, const LatentGaussian *q)
{
    size_t d = q->d;
    if (d < 2)
        return 0.0;
    double total = 0.0;
    for (size_t j = 0; j < d; j++)
        for (size_t k = j + 1; k < d; k++) {
            double covariance = 0.0;
            for (size_t i = 0; i < N; i++)
                covariance += (Z[i * d + j] - q->mean[j]) * (Z[i * d + k] - q->mean[k]);
            covariance /= (double)N;
            total += fabs(covariance) / sqrt(q->variance[j] * q->variance[k]);
        }
    return total / (double)(d * (d - 1) / 2);
}

/* Distances of PROBES test codes and PROBES samples z ~ q to their nearest training code;
 * the threshold is the 95th percentile of the test codes' distances. */
static void measure_distances(Outcome *outcome, const double *Z_train, size_t N, const double *Z_test,
                              const double *Z_samples, size_t probes, size_t d)
{
    double test[PROBES], samples[PROBES];
    for (size_t i = 0; i < probes; i++) {
        test[i] = nearest_code_distance(Z_test + i * d, Z_train, N, d);
        samples[i] = nearest_code_distance(Z_samples + i * d, Z_train, N, d);
    }
    double test_median = quantile(test, probes, 0.5), sample_median = quantile(samples, probes, 0.5);
    double threshold = quantile(test, probes, 0.95);
    outcome->test_far = share_above(test, probes, threshold);
    outcome->sample_far = share_above(samples, probes, threshold);
    outcome->distance_ratio = sample_median / test_median;
}

/* ---- one code size ------------------------------------------------------------------------ */

typedef struct Buffers {
    double *Z_train, *Z_test, *Z_samples; /* (N, d), (PROBES, d), (PROBES, d) */
    double *grid;                         /* (SHOWN + GRID_COLUMNS, p) */
} Buffers;

static void buffers_free(Buffers *b)
{
    free(b->Z_train);
    free(b->Z_test);
    free(b->Z_samples);
    free(b->grid);
}

static bool buffers_init(Buffers *b, size_t N, size_t d, size_t p, Error *err)
{
    *b = (Buffers){ 0 };
    bool ok = (b->Z_train = alloc_doubles(N * d, err)) && (b->Z_test = alloc_doubles(PROBES * d, err))
              && (b->Z_samples = alloc_doubles(PROBES * d, err))
              && (b->grid = alloc_doubles((SHOWN + GRID_COLUMNS) * p, err));
    if (!ok)
        buffers_free(b);
    return ok;
}

/* Fit q to the training codes, sample, measure, and write the grid of g(z), z ~ q. */
static bool sample_latent(Outcome *outcome, Autoencoder *ae, const Dataset *train, const Dataset *test, Rng *rng,
                          const char *grid_path, Error *err)
{
    size_t d = ae->shape.d, p = train->dim, N = train->count;
    size_t probes = test->count < PROBES ? test->count : PROBES;
    size_t shown_tests = test->count < GRID_COLUMNS ? test->count : GRID_COLUMNS;
    Buffers b;
    LatentGaussian q;
    if (!buffers_init(&b, N, d, p, err))
        return false;
    if (!latent_gaussian_init(&q, d, err)) {
        buffers_free(&b);
        return false;
    }
    ae_encode_all(ae, b.Z_train, train->images, N);
    latent_gaussian_fit(&q, b.Z_train, N);                  /* q(z) = N(mu^, Sigma^) */
    latent_gaussian_sample(b.Z_samples, &q, PROBES, rng);    /* z ~ q */
    ae_encode_all(ae, b.Z_test, test->images, probes);
    outcome->mean_correlation = mean_absolute_correlation(b.Z_train, N, &q);
    measure_distances(outcome, b.Z_train, N, b.Z_test, b.Z_samples, probes, d);
    for (size_t start = 0; start < SHOWN; start += GRID_COLUMNS) /* g(z) for the first SHOWN samples */
        vector_copy(b.grid + start * p, ae_decode(ae, b.Z_samples + start * d, GRID_COLUMNS), GRID_COLUMNS * p);
    vector_copy(b.grid + SHOWN * p, ae_decode(ae, ae_encode(ae, test->images, shown_tests), shown_tests),
                shown_tests * p);
    bool ok = image_grid_write_pgm(grid_path, b.grid, SHOWN + shown_tests, train->rows, train->cols, GRID_COLUMNS, 2,
                                   err);
    latent_gaussian_free(&q);
    buffers_free(&b);
    return ok;
}

static bool run_code_size(Outcome *outcome, const Settings *s, const Dataset *train, const Dataset *test, Rng *rng,
                          const char *grid_path, Error *err)
{
    Autoencoder ae = { 0 };
    Optimizer optimizer = { 0 };
    AutoencoderTrainer trainer = { &ae, &optimizer };
    FitHistory history = { 0 };
    AutoencoderShape shape = { train->dim, s->training.hidden, outcome->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    size_t max_batch = s->training.batch_size > GRID_COLUMNS ? s->training.batch_size : GRID_COLUMNS;
    if (!s->common.quiet)
        printf("\n== auto-encoder with d = %zu ==\n", outcome->d);
    FitOptions options = { s->training.epochs, s->training.batch_size, rng, "||x - g(f(x))||^2", s->common.quiet };
    bool ok = ae_init(&ae, shape, max_batch, rng, err)
              && optimizer_init_adam(&optimizer, &ae.parameters, s->training.learning_rate, err)
              && fit(&history, train, test, ae_train_batch, ae_evaluate_batch, &trainer, &options, err)
              && sample_latent(outcome, &ae, train, test, rng, grid_path, err);
    if (ok)
        outcome->test_error = history.test_loss[history.epochs - 1];
    fit_history_free(&history);
    optimizer_free(&optimizer);
    ae_free(&ae);
    return ok;
}

/* ---- the run -------------------------------------------------------------------------------- */

static void print_summary(const Settings *s, const Outcome *outcomes, size_t count, const Dataset *train,
                          const Dataset *test)
{
    printf("\n%-18s 784 -> %zu -> d -> %zu -> 784, ReLU, sigmoid output (chapter 1)\n", "auto-encoders",
           s->training.hidden, s->training.hidden);
    printf("%-18s %zu train, %zu test\n", "digits", train->count, test->count);
    printf("%-18s %zu epochs each, Adam lr %g, batch %zu, seed %zu\n", "training", s->training.epochs, s->training.learning_rate,
           s->training.batch_size, s->common.seed);
    printf("%-18s q(z) = N(mu^, Sigma^), Sigma^ diagonal, fitted to the %zu training codes\n", "latent density",
           train->count);
    printf("\n%4s %12s %12s %14s %14s %14s\n", "d", "test error", "mean |corr|", "far: test z", "far: z ~ q",
           "median ratio");
    for (size_t k = 0; k < count; k++)
        printf("%4zu %12.3f %12.3f %13.1f%% %13.1f%% %14.2f\n", outcomes[k].d, outcomes[k].test_error,
               outcomes[k].mean_correlation, 100.0 * outcomes[k].test_far, 100.0 * outcomes[k].sample_far,
               outcomes[k].distance_ratio);
    printf("test error: (1/N) sum ||x - g(f(x))||^2 on the test digits.  mean |corr|: between two coordinates\n"
           "of the training codes, which a diagonal Sigma^ takes to be 0.  far: the share of codes whose nearest\n"
           "training code is farther than for 95%% of %d test codes (5%% for test codes, by definition).\n"
           "median ratio: median distance to the nearest training code, samples z ~ q over test codes.\n",
           PROBES);
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    const size_t *code_sizes = s->code_sizes.values, count = s->code_sizes.count;
    Dataset train = { 0 }, test = { 0 };
    Outcome outcomes[SIZE_LIST_MAX] = { { 0 } };
    char names[SIZE_LIST_MAX][64], what[SIZE_LIST_MAX][96], paths[SIZE_LIST_MAX][FIGURE_PATH_SIZE];
    Figure figures[SIZE_LIST_MAX]; /* one grid of samples per code size */
    for (size_t k = 0; k < count; k++) {
        snprintf(names[k], sizeof names[k], "samples_d%zu.pgm", code_sizes[k]);
        snprintf(what[k], sizeof what[k], "g(z) for z ~ q, d = %zu (4 rows), above g(f(x)) of 12 test digits",
                 code_sizes[k]);
        figures[k] = (Figure){ names[k], what[k] };
        outcomes[k].d = code_sizes[k];
    }
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    bool ok = load_digits(&train, &test, &dir, &s->common, err) && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s\n", PROGRAM, train.count, test.count, dir);
    ok = ok && figure_paths(paths, s->common.out_dir, figures, count, err);
    for (size_t k = 0; ok && k < count; k++)
        ok = run_code_size(&outcomes[k], s, &train, &test, &rng, paths[k], err);
    if (ok && !s->common.quiet) {
        print_figures(s->common.out_dir, figures, count);
        print_summary(s, outcomes, count, &train, &test);
    }
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/ae_sampling", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 128, .epochs = 7, .batch_size = 32, .learning_rate = 1e-3 },
                   .code_sizes = { { 8, 16, 32 }, 3 } };
    const Option options[] = {
        { "d", OPTION_SIZE_LIST, &s.code_sizes, "code sizes d, increasing, as on the slide", 1, 784 },
    };
    const Program program = { .name = PROGRAM, .common = &s.common, .reads_mnist = true, .training = &s.training,
                              .hidden_may_be_zero = true, PROGRAM_OPTIONS(options), .run = run, .settings = &s,
                              .description = "Train an auto-encoder per code size d on MNIST, fit "
                                             "q(z) = N(mu^, Sigma^) to its codes and decode samples z ~ q (Louppe L11)." };
    return program_main(&program, argc, argv);
}
