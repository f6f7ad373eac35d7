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
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoencoder.h"
#include "cli.h"
#include "dataset.h"
#include "denoising.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "train.h"

static const char *const PROGRAM = "ae_sampling";

enum {
    MAX_MODELS = 6,       /* code sizes in one run */
    SAMPLE_ROWS = 4,      /* rows of samples in each grid */
    GRID_COLUMNS = 12,
    SHOWN = SAMPLE_ROWS * GRID_COLUMNS,
    PROBES = 500          /* samples z ~ q and test codes whose distance to the codes is measured */
};

typedef struct Settings {
    const char *data_dir, *out_dir, *code_sizes;
    size_t seed, epochs, hidden, batch_size, train_count, test_count;
    double learning_rate;
    bool quiet;
} Settings;

typedef struct Model {
    Autoencoder ae;
    Optimizer optimizer;
} Model;

/* What the table shows for one code size. */
typedef struct Outcome {
    size_t d;
    double test_error;      /* (1/N) sum ||x - g(f(x))||^2 on the test digits */
    double mean_correlation;/* mean |corr(z_j, z_k)|, j != k, over the training codes */
    double test_far;        /* share of test codes farther from every training code than the threshold */
    double sample_far;      /* the same share for samples z ~ q */
    double distance_ratio;  /* median distance to the nearest training code: samples / test codes */
} Outcome;

/* ---- --d 8,16,32 ------------------------------------------------------------------------ */

/* Parse a comma-separated list of code sizes, each in [1, 784]. */
static bool parse_code_sizes(size_t *sizes, size_t *count, const char *text, Error *err)
{
    *count = 0;
    const char *start = text;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long long value = isdigit((unsigned char)*start) ? strtoull(start, &end, 10) : 0;
        if (!isdigit((unsigned char)*start) || (*end != ',' && *end != '\0'))
            return error_set(err, "--d: '%s' is not a comma-separated list of code sizes", text);
        if (errno == ERANGE || value < 1 || value > 784)
            return error_set(err, "--d: %.*s is out of range [1, 784]", (int)(end - start), start);
        if (*count == MAX_MODELS)
            return error_set(err, "--d: at most %d code sizes, not more", MAX_MODELS);
        sizes[(*count)++] = (size_t)value;
        if (*end == '\0')
            return true;
        start = end + 1;
    }
}

/* ---- training: chapter 1's auto-encoder ------------------------------------------------- */

static double train_batch(void *context, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    Model *m = context;
    return ae_train_step(&m->ae, &m->optimizer, X, B);
}

static double evaluate_batch(void *context, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    Model *m = context;
    return ae_forward(&m->ae, X, B);
}

/* Z (N, d) = f(X) for all N rows of `data`, a batch at a time. */
static void encode_all(double *Z, Model *m, const Dataset *data, size_t N, size_t batch)
{
    size_t d = m->ae.shape.d;
    for (size_t start = 0; start < N; start += batch) {
        size_t B = start + batch <= N ? batch : N - start;
        vector_copy(Z + start * d, ae_encode(&m->ae, data->images + start * data->dim, B), B * d);
    }
}

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
static bool sample_latent(Outcome *outcome, Model *m, const Dataset *train, const Dataset *test, const Settings *s,
                          Rng *rng, const char *grid_path, Error *err)
{
    size_t d = m->ae.shape.d, p = train->dim, N = train->count;
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
    encode_all(b.Z_train, m, train, N, s->batch_size);
    latent_gaussian_fit(&q, b.Z_train, N);                  /* q(z) = N(mu^, Sigma^) */
    latent_gaussian_sample(b.Z_samples, &q, PROBES, rng);    /* z ~ q */
    encode_all(b.Z_test, m, test, probes, s->batch_size);
    outcome->mean_correlation = mean_absolute_correlation(b.Z_train, N, &q);
    measure_distances(outcome, b.Z_train, N, b.Z_test, b.Z_samples, probes, d);
    for (size_t start = 0; start < SHOWN; start += GRID_COLUMNS) /* g(z) for the first SHOWN samples */
        vector_copy(b.grid + start * p, ae_decode(&m->ae, b.Z_samples + start * d, GRID_COLUMNS), GRID_COLUMNS * p);
    vector_copy(b.grid + SHOWN * p, ae_decode(&m->ae, ae_encode(&m->ae, test->images, shown_tests), shown_tests),
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
    Model m = { 0 };
    FitHistory history = { 0 };
    AutoencoderShape shape = { train->dim, s->hidden, outcome->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    size_t max_batch = s->batch_size > GRID_COLUMNS ? s->batch_size : GRID_COLUMNS;
    if (!s->quiet)
        printf("\n== auto-encoder with d = %zu ==\n", outcome->d);
    FitOptions options = { s->epochs, s->batch_size, rng, "||x - g(f(x))||^2", s->quiet };
    bool ok = ae_init(&m.ae, shape, max_batch, rng, err)
              && optimizer_init_adam(&m.optimizer, &m.ae.parameters, s->learning_rate, err)
              && fit(&history, train, test, train_batch, evaluate_batch, &m, &options, err)
              && sample_latent(outcome, &m, train, test, s, rng, grid_path, err);
    if (ok)
        outcome->test_error = history.test_loss[history.epochs - 1];
    fit_history_free(&history);
    optimizer_free(&m.optimizer);
    ae_free(&m.ae);
    return ok;
}

/* ---- the run -------------------------------------------------------------------------------- */

static void print_summary(const Settings *s, const Outcome *outcomes, size_t count, const Dataset *train,
                          const Dataset *test)
{
    printf("\n%-18s 784 -> %zu -> d -> %zu -> 784, ReLU, sigmoid output (chapter 1)\n", "auto-encoders",
           s->hidden, s->hidden);
    printf("%-18s %zu train, %zu test\n", "digits", train->count, test->count);
    printf("%-18s %zu epochs each, Adam lr %g, batch %zu, seed %zu\n", "training", s->epochs, s->learning_rate,
           s->batch_size, s->seed);
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

static bool run(const Settings *s, const size_t *code_sizes, size_t count, Error *err)
{
    Dataset train = { 0 }, test = { 0 };
    Outcome outcomes[MAX_MODELS] = { { 0 } };
    char paths[MAX_MODELS][1024];
    Rng rng;
    rng_seed(&rng, s->seed);
    const char *dir = dataset_default_directory(s->data_dir);
    bool ok = dataset_load(&train, dir, DATASET_TRAIN, s->train_count, err)
              && dataset_load(&test, dir, DATASET_TEST, s->test_count, err) && make_directories(s->out_dir, err);
    if (ok && !s->quiet)
        printf("%s: %zu training and %zu test digits from %s\n", PROGRAM, train.count, test.count, dir);
    for (size_t k = 0; ok && k < count; k++) {
        char name[64];
        snprintf(name, sizeof name, "samples_d%zu.pgm", code_sizes[k]);
        outcomes[k].d = code_sizes[k];
        ok = join_path(paths[k], sizeof paths[k], s->out_dir, name, err)
             && run_code_size(&outcomes[k], s, &train, &test, &rng, paths[k], err);
    }
    if (ok && !s->quiet) {
        printf("\nfigures written:\n");
        for (size_t k = 0; k < count; k++)
            printf("  %-40s g(z) for z ~ q, d = %zu (4 rows), above g(f(x)) of 12 test digits\n", paths[k],
                   code_sizes[k]);
        print_summary(s, outcomes, count, &train, &test);
    }
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .data_dir = NULL, .out_dir = "build/out/ae_sampling", .code_sizes = "8,16,32", .seed = 1,
                   .epochs = 7, .hidden = 128, .batch_size = 32, .train_count = 8000, .test_count = 2000,
                   .learning_rate = 1e-3 };
    const Option options[] = {
        { "data", OPTION_STRING, &s.data_dir, "folder of the IDX files (default: $MNIST_DIR, else the shipped data/)", 0, 0 },
        { "out", OPTION_STRING, &s.out_dir, "folder for the figures", 0, 0 },
        { "d", OPTION_STRING, &s.code_sizes, "code sizes, comma-separated, each in [1, 784] (the slide: 8,16,32)", 0, 0 },
        { "hidden", OPTION_SIZE, &s.hidden, "width of the hidden layer of f and g (0: none)", 0, 4096 },
        { "epochs", OPTION_SIZE, &s.epochs, "passes over the training digits, per model", 1, 1000 },
        { "batch", OPTION_SIZE, &s.batch_size, "mini-batch size B", 1, 8000 },
        { "lr", OPTION_DOUBLE, &s.learning_rate, "Adam's learning rate", 1e-6, 1.0 },
        { "train", OPTION_SIZE, &s.train_count, "use the first N training digits", 1, 100000000 },
        { "test", OPTION_SIZE, &s.test_count, "use the first N test digits", 1, 100000000 },
        { "seed", OPTION_SIZE, &s.seed, "random seed: the same seed gives the same run", 0, 4294967295.0 },
        { "quiet", OPTION_FLAG, &s.quiet, "print nothing but errors", 0, 0 },
    };
    Error err = { "" };
    size_t code_sizes[MAX_MODELS], count = 0;
    switch (cli_parse(argc, argv,
                      "Train an auto-encoder per code size d on MNIST, fit q(z) = N(mu^, Sigma^) to its codes "
                      "and decode samples z ~ q (Louppe L11).",
                      options, sizeof options / sizeof options[0], &err)) {
    case CLI_HELP: return 0;
    case CLI_ERROR: report_error(PROGRAM, &err); return 1;
    case CLI_OK: break;
    }
    if (!parse_code_sizes(code_sizes, &count, s.code_sizes, &err) || !run(&s, code_sizes, count, &err)) {
        report_error(PROGRAM, &err);
        return 1;
    }
    return 0;
}
