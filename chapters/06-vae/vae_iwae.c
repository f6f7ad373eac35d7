/* chapters/06-vae/vae_iwae.c — train the same VAE on the k-sample importance-weighted bound
 * for several k (Burda, Grosse & Salakhutdinov 2016; Wu L6: "use more than one sample from
 * q(z|x) for a tighter lower bound"; k = 1 is the VAE) and compare what they learned:
 *
 *   - a table, one row per k: the training objective -L_k in the last epoch, the test
 *     NELBO (one sample, closed-form KL: chapter 6's vae_forward), log p(x) of the first
 *     --iw-test test digits by the k = --eval-k importance-weighted estimate (exercise 6.9)
 *     with its standard error, its difference from the first model's on the same digits
 *     (paired, with the standard error of the differences), and the number of active
 *     latent units, Burda et al.'s A_u = Cov_x(E_q[z_u]) > 0.01, and the least active
 *     unit's Cov_x(E_q[z_u]): iwae.csv;
 *   - the per-unit activities Cov_x(E_q[z_u]), sorted, one line per k (units.svg, units.csv);
 *   - -L_k per epoch (log.csv); 12 samples E[x | z], z ~ p(z), per model (samples.pgm).
 *
 * Every model starts from the same initial weights (the same seed), so the rows differ by k
 * alone.
 *
 *     build/solutions/bin/vae_iwae                  (k = 1, 5: about a minute; also --help)
 *     build/solutions/bin/vae_iwae --k 1,5,50       (k = 50 too: see README for its time)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "progress.h"
#include "train.h"
#include "vae.h"

static const char *const PROGRAM = "vae_iwae";

enum { SAMPLES_PER_MODEL = 12, EVALUATION_CHUNK = 100 /* digits per call of the log p(x) estimate */ };

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d, iw_digits, eval_k;
    SizeList ks; /* --k: the k of each model */
} Settings;

/* What one model, trained with k samples, measured. */
typedef struct Outcome {
    size_t k;
    double train_loss;          /* -L_k in the last epoch, nats per digit */
    double test_nelbo;          /* one-sample NELBO = R + KL on every test digit */
    double log_px, log_px_se;   /* mean and standard error over the --iw-test digits */
    double delta, delta_se;     /* log p(x) minus the first model's, digit by digit */
    double *log_px_of_digit;    /* (iw digits) */
    double *activity;           /* (d) Cov_x(E_q[z_u]), sorted, largest first */
    size_t active_units;
    double *train_curve;        /* (epochs) -L_k per epoch */
    double seconds;             /* training */
} Outcome;

static void outcome_free(Outcome *o)
{
    free(o->log_px_of_digit);
    free(o->activity);
    free(o->train_curve);
    *o = (Outcome){ 0 };
}

/* ---- the active units ------------------------------------------------------------------------ */

static int larger_first(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* activity_u = Cov_x(E_q[z_u]) over the test digits (exercise 6.14), sorted largest first
 * for the table's least active unit; returns how many exceed Burda et al.'s 0.01. */
static size_t active_units(double *activity, Vae *vae, const Dataset *test)
{
    double *mean = calloc(vae->shape.d, sizeof(double));
    if (!mean)
        return 0;
    size_t active = vae_active_units(vae, activity, mean, test->images, test->count, VAE_ACTIVE_UNIT_THRESHOLD);
    qsort(activity, vae->shape.d, sizeof(double), larger_first);
    free(mean);
    return active;
}

/* ---- one model ----------------------------------------------------------------------------- */

static bool train_model(Outcome *o, Vae *vae, Iwae *iwae, const Dataset *train, const Settings *s, Rng *rng,
                        Error *err)
{
    Optimizer adam = { 0 };
    IwaeTrainer trainer = { vae, iwae, &adam, rng };
    Stopwatch watch;
    stopwatch_start(&watch);
    bool ok = optimizer_init_adam(&adam, &vae->parameters, s->training.learning_rate, err);
    for (size_t epoch = 1; ok && epoch <= s->training.epochs; epoch++) {
        char label[64];
        snprintf(label, sizeof label, "k = %zu, epoch %zu/%zu", o->k, epoch, s->training.epochs);
        EpochOptions options = { s->training.batch_size, rng, s->common.quiet ? NULL : label };
        ok = run_epoch(&o->train_curve[epoch - 1], train, iwae_train_batch, &trainer, &options, err);
        if (!ok)
            error_prefix(err, "k = %zu, epoch %zu", o->k, epoch);
        else if (!s->common.quiet)
            printf("k = %3zu  epoch %3zu/%zu   -L_k = %8.3f   (%.1f s)\n", o->k, epoch, s->training.epochs,
                   o->train_curve[epoch - 1], stopwatch_seconds(&watch));
        fflush(stdout);
    }
    o->train_loss = ok ? o->train_curve[s->training.epochs - 1] : NAN;
    o->seconds = stopwatch_seconds(&watch);
    optimizer_free(&adam);
    return ok;
}

/* The one-sample NELBO (6.6) of every test digit, and log p(x) of the first n by the
 * eval_k-sample estimate (6.9), each digit's kept for the paired differences. */
static bool measure_model(Outcome *o, Vae *vae, const Dataset *test, size_t n, size_t eval_k, Rng *rng, Error *err)
{
    VaeTrainer evaluator = { vae, NULL, rng, { 0, 0 }, 0 };
    EpochOptions options = { vae->max_batch, NULL, NULL };
    VaeLoss loss;
    if (!vae_epoch(&loss, &evaluator, test, vae_evaluate_batch, &options, err))
        return false;
    o->test_nelbo = loss.reconstruction + loss.kl;
    size_t chunk = vae->max_batch < EVALUATION_CHUNK ? vae->max_batch : EVALUATION_CHUNK;
    double *log_weights = alloc_doubles(chunk * eval_k, err);
    if (!log_weights)
        return false;
    for (size_t start = 0; start < n; start += chunk) {
        size_t B = start + chunk <= n ? chunk : n - start;
        vae_importance_log_likelihood(vae, o->log_px_of_digit + start, log_weights, test->images + start * test->dim,
                                      B, eval_k, rng);
    }
    free(log_weights);
    o->active_units = active_units(o->activity, vae, test);
    return true;
}

/* mean and standard error sd / sqrt(n) of a[i] - b[i] (b may be NULL: of a). */
static void mean_and_error(double *mean, double *standard_error, const double *a, const double *b, size_t n)
{
    double sum = 0.0, squares = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += a[i] - (b ? b[i] : 0.0);
    *mean = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double deviation = a[i] - (b ? b[i] : 0.0) - *mean;
        squares += deviation * deviation;
    }
    *standard_error = sqrt(squares / (double)(n - 1) / (double)n);
}

/* Build the VAE from the seed (every k starts from the same weights), train it on -L_k,
 * measure it, and draw its samples into samples (SAMPLES_PER_MODEL, p). */
static bool run_model(Outcome *o, size_t k, const Dataset *train, const Dataset *test, const Settings *s,
                      double *samples, Error *err)
{
    size_t n = s->iw_digits < test->count ? s->iw_digits : test->count;
    *o = (Outcome){ .k = k };
    Vae vae = { 0 };
    Iwae iwae = { 0 };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    VaeShape shape = { train->dim, s->training.hidden, s->d, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    size_t batch = s->training.batch_size;
    bool ok = (o->log_px_of_digit = alloc_doubles(n, err)) && (o->activity = alloc_doubles(s->d, err))
              && (o->train_curve = alloc_doubles(s->training.epochs, err))
              && vae_init(&vae, shape, batch * k > SAMPLES_PER_MODEL ? batch * k : SAMPLES_PER_MODEL, &rng, err)
              && iwae_init(&iwae, &vae, k, batch, err) && train_model(o, &vae, &iwae, train, s, &rng, err)
              && measure_model(o, &vae, test, n, s->eval_k, &rng, err);
    if (ok) {
        mean_and_error(&o->log_px, &o->log_px_se, o->log_px_of_digit, NULL, n);
        vae_sample_prior(&vae, samples, SAMPLES_PER_MODEL, &rng);
    }
    iwae_free(&iwae);
    vae_free(&vae);
    return ok;
}

/* ---- the table and the figures ------------------------------------------------------------------ */

static void print_table(const Outcome *outcomes, size_t count, const Settings *s, size_t n)
{
    printf("\nVAE 784 -> %zu -> %zu -> %zu -> 784, Bernoulli decoder, trained on -L_k for %zu epochs "
           "(Adam lr %g, batch %zu, seed %zu)\n", s->training.hidden, s->d, s->training.hidden, s->training.epochs,
           s->training.learning_rate, s->training.batch_size, s->common.seed);
    printf("log p(x): the k = %zu estimate on the first %zu test digits; delta: minus the k = %zu model's, "
           "digit by digit\n", s->eval_k, n, outcomes[0].k);
    printf("  %4s  %10s  %10s  %18s  %16s  %12s  %12s  %8s\n", "k", "train -L_k", "test NELBO", "test log p(x)",
           "delta", "active units", "least active", "time");
    for (size_t m = 0; m < count; m++) {
        const Outcome *o = &outcomes[m];
        printf("  %4zu  %10.2f  %10.2f  %10.2f +- %4.2f  %+8.2f +- %4.2f  %7zu/%-4zu  %12.4f  %6.1f s\n", o->k,
               o->train_loss, o->test_nelbo, o->log_px, o->log_px_se, o->delta, o->delta_se, o->active_units, s->d,
               o->activity[s->d - 1], o->seconds);
    }
}

static bool write_table(const Outcome *outcomes, size_t count, const Settings *s, const char *path, Error *err)
{
    static const char *const columns[] = { "k", "train_neg_bound", "test_nelbo", "log_px", "log_px_se",
                                           "delta_log_px", "delta_se", "active_units", "least_activity", "d",
                                           "seconds" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 11, err))
        return false;
    for (size_t m = 0; m < count; m++) {
        const Outcome *o = &outcomes[m];
        csv_row(&log, (double[]){ (double)o->k, o->train_loss, o->test_nelbo, o->log_px, o->log_px_se, o->delta,
                                  o->delta_se, (double)o->active_units, o->activity[s->d - 1], (double)s->d,
                                  o->seconds });
    }
    return csv_close(&log, err);
}

static bool write_activities(const Outcome *outcomes, size_t count, size_t d, const char *path, Error *err)
{
    static const char *const columns[] = { "k", "rank", "activity" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 3, err))
        return false;
    for (size_t m = 0; m < count; m++)
        for (size_t u = 0; u < d; u++)
            csv_row(&log, (double[]){ (double)outcomes[m].k, (double)(u + 1), outcomes[m].activity[u] });
    return csv_close(&log, err);
}

static bool write_curves(const Outcome *outcomes, size_t count, size_t epochs, const char *path, Error *err)
{
    static const char *const columns[] = { "k", "epoch", "train_neg_bound" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 3, err))
        return false;
    for (size_t m = 0; m < count; m++)
        for (size_t e = 0; e < epochs; e++)
            csv_row(&log, (double[]){ (double)outcomes[m].k, (double)(e + 1), outcomes[m].train_curve[e] });
    return csv_close(&log, err);
}

/* Cov_x(E_q[z_u]) of each unit, largest first, one line per k, on a log scale; the units
 * above the threshold 0.01 are the active ones. */
static bool write_units(const Outcome *outcomes, size_t count, size_t d, const char *path, Error *err)
{
    char labels[SIZE_LIST_MAX][32];
    PlotSeries series[SIZE_LIST_MAX + 1];
    double *rank = alloc_doubles(d, err), *threshold = alloc_doubles(d, err);
    if (!rank || !threshold) {
        free(rank);
        free(threshold);
        return false;
    }
    for (size_t u = 0; u < d; u++) {
        rank[u] = (double)(u + 1);
        threshold[u] = VAE_ACTIVE_UNIT_THRESHOLD;
    }
    for (size_t m = 0; m < count; m++) {
        snprintf(labels[m], sizeof labels[m], "k = %zu", outcomes[m].k);
        series[m] = (PlotSeries){ labels[m], rank, outcomes[m].activity, d };
    }
    series[count] = (PlotSeries){ "active: above 0.01", rank, threshold, d };
    PlotOptions plot = { "activity of each latent unit, Cov_x(E_q[z_u]), sorted", "unit (sorted)",
                         "Cov_x(E_q[z_u]) (log scale)", true };
    bool ok = svg_line_plot(path, &plot, series, count + 1, err);
    free(rank);
    free(threshold);
    return ok;
}

/* ---- the run --------------------------------------------------------------------------------- */

static const Figure FIGURES[] = {
    { "iwae.csv", "the table: -L_k, test NELBO, log p(x), its paired difference, active units" },
    { "units.svg", "Cov_x(E_q[z_u]) of each latent unit, sorted, per k (log scale)" },
    { "units.csv", "the same numbers: k, rank, Cov_x(E_q[z_u])" },
    { "log.csv", "-L_k per epoch, per k" },
    { "samples.pgm", "E[x | z], z ~ p(z): one row of 12 per k" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_outputs(const Outcome *outcomes, size_t count, const double *samples, const Dataset *test,
                          const Settings *s, Error *err)
{
    char paths[FIGURE_COUNT][FIGURE_PATH_SIZE];
    bool ok = figure_paths(paths, s->common.out_dir, FIGURES, FIGURE_COUNT, err)
              && write_table(outcomes, count, s, paths[0], err) && write_units(outcomes, count, s->d, paths[1], err)
              && write_activities(outcomes, count, s->d, paths[2], err)
              && write_curves(outcomes, count, s->training.epochs, paths[3], err)
              && image_grid_write_pgm(paths[4], samples, count * SAMPLES_PER_MODEL, test->rows, test->cols,
                                      SAMPLES_PER_MODEL, 2, err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    return ok;
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train = { 0 }, test = { 0 };
    Outcome outcomes[SIZE_LIST_MAX] = { 0 };
    size_t count = s->ks.count, models = 0;
    const char *dir;
    double *samples = NULL;
    bool ok = load_digits(&train, &test, &dir, &s->common, err)
              && (samples = alloc_doubles(count * SAMPLES_PER_MODEL * train.dim, err));
    if (ok && test.count < 2)
        ok = error_set(err, "--test: the standard errors need at least 2 test digits");
    ok = ok && make_directories(s->common.out_dir, err); /* before training: a bad --out fails at once */
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu, k = %zu to %zu\n", PROGRAM, train.count,
               test.count, dir, s->d, s->ks.values[0], s->ks.values[count - 1]);
    for (; ok && models < count; models++)
        ok = run_model(&outcomes[models], s->ks.values[models], &train, &test, s,
                       samples + models * SAMPLES_PER_MODEL * train.dim, err);
    size_t n = s->iw_digits < test.count ? s->iw_digits : test.count;
    for (size_t m = 0; ok && m < count; m++)
        mean_and_error(&outcomes[m].delta, &outcomes[m].delta_se, outcomes[m].log_px_of_digit,
                       outcomes[0].log_px_of_digit, n);
    if (ok && !s->common.quiet)
        print_table(outcomes, count, s, n);
    ok = ok && write_outputs(outcomes, count, samples, &test, s, err);
    for (size_t m = 0; m < models; m++)
        outcome_free(&outcomes[m]);
    free(samples);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/vae_iwae", .train_count = 4000, .test_count = 1000, .seed = 1 },
                   .training = { .hidden = 200, .epochs = 10, .batch_size = 100, .learning_rate = 1e-3 },
                   .d = 50, .iw_digits = 200, .eval_k = 1000, .ks = { { 1, 5 }, 2 } };
    const Option options[] = {
        { "k", OPTION_SIZE_LIST, &s.ks, "samples per digit of each model's training bound (k = 1: the VAE)", 1, 1000 },
        { "d", OPTION_SIZE, &s.d, "latent dimension", 1, 784 },
        { "eval-k", OPTION_SIZE, &s.eval_k, "samples of the log p(x) estimate", 1, 100000 },
        { "iw-test", OPTION_SIZE, &s.iw_digits, "test digits in the log p(x) estimate", 2, 100000 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Train one VAE per k on the k-sample importance-weighted bound and compare log p(x) "
                       "and the active units.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
