/* chapters/06-vae/beta_vae.c — Wu L6's "VAE Variants" on the shipped digits: the beta-VAE,
 * the controlled capacity, and posterior collapse (README sections 12-15).
 *
 *   - the sweep beta = 0 ("standard AE"), 0.5, 1 ("standard VAE"), 2, 4, 8: one model each,
 *     from the same initial weights, trained on L_beta = R + beta KL; a table of the test R,
 *     KL, NELBO at beta = 1, active units (Burda et al.) and ||x - xhat||^2 (beta.csv);
 *     samples from the prior, the same z for every beta (samples.pgm), and reconstructions
 *     of the same test digits (reconstructions.pgm), one row per beta;
 *   - the controlled capacity: one model trained on L_C = R + beta |KL - C| at the sweep's
 *     largest beta, C raised linearly from 0 during training (Wu L6: "gradually increase
 *     C"); its KL per epoch against C (capacity.svg, capacity.csv), and its row in the table;
 *   - posterior collapse: the KL of each latent unit for beta = 1, the largest beta, and
 *     that beta with the capacity (collapse.svg, units.csv).
 *
 *     build/bin/beta_vae                 (784-100-16, 10 epochs each, about a minute; also --help)
 *     build/bin/beta_vae --epochs 30     (the longer sweep of README section 12)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char *const PROGRAM = "beta_vae";

/* Wu L6's beta = 0 (the auto-encoder), 1 (the VAE), and beta > 1 on either side of the VAE. */
static const double BETAS[] = { 0.0, 0.5, 1.0, 2.0, 4.0, 8.0 };
enum {
    BETA_COUNT = sizeof BETAS / sizeof BETAS[0],
    MODELS = BETA_COUNT + 1, /* the sweep, then the capacity model */
    CAPACITY_MODEL = BETA_COUNT,
    SHOWN = 12,              /* samples and reconstructions per row */
    MAX_D = 64               /* the bar chart of the KL per unit stays readable */
};

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d;
    double capacity;
} Settings;

/* What one trained model measured on the test digits. */
typedef struct Measure {
    const char *name;        /* "beta = 2", "beta = 8, C -> 15" */
    VaeSchedule schedule;
    VaeLoss test;            /* R and KL, one eps per digit: NELBO at beta = 1 is their sum */
    size_t active_units;
    double squared_error;    /* (1/N) sum ||x - E[x | z = mu(x)]||^2, chapter 1's measure */
    double kl_per_unit[MAX_D], activity[MAX_D]; /* of each latent unit */
    double seconds;
} Measure;

/* The capacity run, epoch by epoch: the KL during the epoch and the mean C_t of its steps. */
enum { MAX_EPOCHS = 1000 };
typedef struct Tracking {
    double kl[MAX_EPOCHS], capacity[MAX_EPOCHS];
} Tracking;

/* ---- training one model ----------------------------------------------------------------------- */

/* The mean of C_t over the steps first .. first + count - 1. */
static double mean_capacity(const VaeSchedule *schedule, size_t first, size_t count)
{
    double sum = 0.0;
    for (size_t t = first; t < first + count; t++)
        sum += vae_schedule_capacity(schedule, t);
    return sum / (double)count;
}

static bool train(Vae *vae, Tracking *tracking, const VaeSchedule *schedule, const Dataset *train_set,
                  const Settings *s, Rng *rng, Error *err)
{
    Optimizer adam = { 0 };
    VaeScheduleTrainer trainer = { { vae, &adam, rng, { 0, 0 }, 0 }, *schedule, 0 };
    bool ok = optimizer_init_adam(&adam, &vae->parameters, s->training.learning_rate, err);
    for (size_t epoch = 1; ok && epoch <= s->training.epochs; epoch++) {
        EpochOptions options = { s->training.batch_size, rng, NULL };
        VaeLoss mean;
        size_t first = trainer.step;
        ok = vae_epoch(&mean, &trainer.base, train_set, vae_schedule_train_batch, &options, err);
        if (!ok)
            error_prefix(err, "epoch %zu", epoch);
        else if (tracking) {
            tracking->kl[epoch - 1] = mean.kl;
            tracking->capacity[epoch - 1] = mean_capacity(schedule, first, trainer.step - first);
        }
    }
    optimizer_free(&adam);
    return ok;
}

/* (1/N) sum_i ||x_i - E[x | z = mu(x_i)]||^2 over the test digits. */
static double squared_reconstruction_error(Vae *vae, const Dataset *test, double *X_mean)
{
    size_t chunk = vae->max_batch, p = test->dim;
    double sum = 0.0;
    for (size_t start = 0; start < test->count; start += chunk) {
        size_t B = start + chunk <= test->count ? chunk : test->count - start;
        vae_encode(vae, test->images + start * p, B);
        vae_decoder_mean(vae, X_mean, vae->mu_z, B);
        for (size_t i = 0; i < B; i++)
            sum += vector_squared_distance(X_mean + i * p, test->images + (start + i) * p, p);
    }
    return sum / (double)test->count;
}

static bool measure(Measure *m, Vae *vae, const Dataset *test, double *X_mean, Rng *rng, Error *err)
{
    VaeTrainer evaluator = { vae, NULL, rng, { 0, 0 }, 0 };
    EpochOptions options = { vae->max_batch, NULL, NULL };
    double mean[MAX_D];
    if (!vae_epoch(&m->test, &evaluator, test, vae_evaluate_batch, &options, err))
        return false;
    m->active_units = vae_active_units(vae, m->activity, mean, test->images, test->count, VAE_ACTIVE_UNIT_THRESHOLD);
    m->squared_error = squared_reconstruction_error(vae, test, X_mean);
    vae_kl_per_dimension(vae, m->kl_per_unit, test->images, test->count);
    return true;
}

/* Train one model from the initial weights of the seed, measure it, and draw its row of
 * samples (at the codes Z) and of reconstructions into the figures' grids. */
static bool run_model(Measure *m, Tracking *tracking, size_t row, const Dataset *train_set, const Dataset *test,
                      const Settings *s, const double *Z, double *samples, double *reconstructions, Error *err)
{
    Vae vae = { 0 };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    Stopwatch watch;
    stopwatch_start(&watch);
    size_t p = test->dim;
    VaeShape shape = { p, s->training.hidden, s->d, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    double *X_mean = alloc_doubles(s->training.batch_size * p, err);
    bool ok = X_mean && vae_init(&vae, shape, s->training.batch_size, &rng, err)
              && train(&vae, tracking, &m->schedule, train_set, s, &rng, err)
              && measure(m, &vae, test, X_mean, &rng, err);
    if (ok) {
        vae_decoder_mean(&vae, samples + row * SHOWN * p, Z, SHOWN);
        vae_encode(&vae, test->images, SHOWN);
        vae_decoder_mean(&vae, reconstructions + (row + 1) * SHOWN * p, vae.mu_z, SHOWN);
        m->seconds = stopwatch_seconds(&watch);
    } else {
        error_prefix(err, "%s", m->name);
    }
    free(X_mean);
    vae_free(&vae);
    return ok;
}

/* ---- the table and the figures --------------------------------------------------------------- */

static void print_table(const Measure *models, size_t count, size_t d)
{
    printf("\non the test digits (R, KL: one eps per digit; active: A_j > %g of %zu units):\n",
           VAE_ACTIVE_UNIT_THRESHOLD, d);
    printf("  %-18s %9s %8s %17s %7s %11s\n", "objective", "R", "KL", "NELBO (beta = 1)", "active",
           "||x - x^||^2");
    for (size_t k = 0; k < count; k++) {
        const Measure *m = &models[k];
        printf("  %-18s %9.3f %8.3f %17.3f %7zu %11.3f\n", m->name, m->test.reconstruction, m->test.kl,
               m->test.reconstruction + m->test.kl, m->active_units, m->squared_error);
    }
}

static bool write_table(const Measure *models, size_t count, const char *path, Error *err)
{
    static const char *const columns[] = { "beta", "capacity", "test_reconstruction", "test_kl", "test_nelbo",
                                           "active_units", "squared_error" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 7, err))
        return false;
    for (size_t k = 0; k < count; k++) {
        const Measure *m = &models[k];
        csv_row(&log, (double[]){ m->schedule.beta, m->schedule.controlled ? m->schedule.capacity : NAN,
                                  m->test.reconstruction, m->test.kl, m->test.reconstruction + m->test.kl,
                                  (double)m->active_units, m->squared_error });
    }
    return csv_close(&log, err);
}

static void print_tracking(const Tracking *t, size_t epochs)
{
    printf("\ncontrolled capacity: the KL during each epoch against the mean C of its steps\n");
    printf("  %5s %8s %8s %8s\n", "epoch", "C", "KL", "KL - C");
    for (size_t e = 0; e < epochs; e++)
        printf("  %5zu %8.3f %8.3f %8.3f\n", e + 1, t->capacity[e], t->kl[e], t->kl[e] - t->capacity[e]);
}

static bool write_tracking(const Tracking *t, size_t epochs, const char *svg_path, const char *csv_path, Error *err)
{
    double x[MAX_EPOCHS];
    for (size_t e = 0; e < epochs; e++)
        x[e] = (double)(e + 1);
    PlotSeries series[2] = { { "C (mean over the epoch's steps)", x, t->capacity, epochs },
                             { "KL(q(z|x) || p(z)) during the epoch", x, t->kl, epochs } };
    PlotOptions plot = { "controlled capacity: R + beta |KL - C|, C raised linearly", "epoch", "nats per digit",
                         false };
    static const char *const columns[] = { "epoch", "capacity", "train_kl" };
    CsvLog log;
    if (!svg_line_plot(svg_path, &plot, series, 2, err) || !csv_open(&log, csv_path, columns, 3, err))
        return false;
    for (size_t e = 0; e < epochs; e++)
        csv_row(&log, (double[]){ x[e], t->capacity[e], t->kl[e] });
    return csv_close(&log, err);
}

/* order <- the units 0 .. d-1 sorted by their KL, largest first (insertion sort). */
static void sort_units(size_t *order, const double *kl, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        size_t k = j;
        for (; k > 0 && kl[order[k - 1]] < kl[j]; k--)
            order[k] = order[k - 1];
        order[k] = j;
    }
}

/* The KL and the activity A_j of each unit of the three models of the collapse figure
 * (beta = 1, the largest beta, that beta with the capacity), units sorted by their KL,
 * largest first, within each model. */
enum { COLLAPSE_MODELS = 3 };
typedef struct Collapse {
    const Measure *models[COLLAPSE_MODELS];
    double rank[MAX_D], kl[COLLAPSE_MODELS][MAX_D], activity[COLLAPSE_MODELS][MAX_D];
} Collapse;

static void collapse_init(Collapse *c, const Measure *models, size_t d)
{
    const size_t shown[COLLAPSE_MODELS] = { 2, BETA_COUNT - 1, CAPACITY_MODEL };
    for (size_t k = 0; k < COLLAPSE_MODELS; k++) {
        const Measure *m = c->models[k] = &models[shown[k]];
        size_t order[MAX_D];
        sort_units(order, m->kl_per_unit, d);
        for (size_t j = 0; j < d; j++) {
            c->kl[k][j] = m->kl_per_unit[order[j]];
            c->activity[k][j] = m->activity[order[j]];
        }
    }
    for (size_t j = 0; j < d; j++)
        c->rank[j] = (double)(j + 1);
}

static void print_collapse(const Collapse *c, size_t d)
{
    printf("\nthe KL of each latent unit (nats per digit) and its activity A_j, units sorted by their KL:\n");
    printf("  %4s", "rank");
    for (size_t k = 0; k < COLLAPSE_MODELS; k++)
        printf("   %-18s", c->models[k]->name);
    printf("\n  %4s", "");
    for (size_t k = 0; k < COLLAPSE_MODELS; k++)
        printf("   %8s %9s", "KL", "A_j");
    printf("\n");
    for (size_t j = 0; j < d; j++) {
        printf("  %4zu", j + 1);
        for (size_t k = 0; k < COLLAPSE_MODELS; k++)
            printf("   %8.4f %9.5f", c->kl[k][j], c->activity[k][j]);
        printf("\n");
    }
}

static bool write_collapse(const Collapse *c, size_t d, const char *svg_path, const char *csv_path, Error *err)
{
    PlotSeries series[COLLAPSE_MODELS];
    for (size_t k = 0; k < COLLAPSE_MODELS; k++)
        series[k] = (PlotSeries){ c->models[k]->name, c->rank, c->kl[k], d };
    PlotOptions plot = { "KL of each latent unit, largest first", "unit, by rank of its KL",
                         "KL(q(z_j|x) || N(0, 1)), nats per digit", false };
    static const char *const columns[] = { "rank", "kl_beta_1", "activity_beta_1", "kl_beta_max",
                                           "activity_beta_max", "kl_capacity", "activity_capacity" };
    CsvLog log;
    if (!svg_bar_plot(svg_path, &plot, series, COLLAPSE_MODELS, err) || !csv_open(&log, csv_path, columns, 7, err))
        return false;
    for (size_t j = 0; j < d; j++)
        csv_row(&log, (double[]){ c->rank[j], c->kl[0][j], c->activity[0][j], c->kl[1][j], c->activity[1][j],
                                  c->kl[2][j], c->activity[2][j] });
    return csv_close(&log, err);
}

/* ---- the run ---------------------------------------------------------------------------------- */

enum { FIGURE_COUNT = 7 };
static const Figure FIGURES[FIGURE_COUNT] = {
    { "beta.csv", "test R, KL, NELBO, active units, ||x - xhat||^2 per model" },
    { "samples.pgm", "E[x | z] for the same 12 z ~ N(0, I), one row per beta, then the capacity model" },
    { "reconstructions.pgm", "12 test digits, then E[x | z = mu(x)], one row per model" },
    { "capacity.svg", "the capacity model's KL per epoch against C" },
    { "capacity.csv", "the same numbers" },
    { "collapse.svg", "KL of each latent unit: beta = 1, the largest beta, with capacity" },
    { "units.csv", "the same numbers" },
};

/* The sweep's schedules, then the capacity model's: C reached at the last of its steps. */
static void name_models(Measure *models, const Settings *s, size_t train_count, char names[MODELS][32])
{
    size_t steps = s->training.epochs * ((train_count + s->training.batch_size - 1) / s->training.batch_size);
    for (size_t k = 0; k < BETA_COUNT; k++) {
        snprintf(names[k], sizeof names[k], "beta = %g", BETAS[k]);
        models[k] = (Measure){ .name = names[k], .schedule = { .beta = BETAS[k] } };
    }
    snprintf(names[CAPACITY_MODEL], sizeof names[CAPACITY_MODEL], "beta = %g, C -> %g", BETAS[BETA_COUNT - 1],
             s->capacity);
    models[CAPACITY_MODEL] = (Measure){ .name = names[CAPACITY_MODEL],
                                        .schedule = { .beta = BETAS[BETA_COUNT - 1], .controlled = true,
                                                      .capacity = s->capacity, .capacity_steps = steps } };
}

/* Everything a run measures and draws. */
typedef struct Results {
    Measure models[MODELS];
    char names[MODELS][32];
    Tracking tracking;       /* the capacity model, epoch by epoch */
    Collapse collapse;
    double Z[SHOWN * MAX_D]; /* the codes of samples.pgm, the same for every model */
    double *samples;         /* (MODELS * SHOWN, p) */
    double *reconstructions; /* ((MODELS + 1) * SHOWN, p): the digits, then each model's */
} Results;

static void results_free(Results *r)
{
    if (!r)
        return;
    free(r->samples);
    free(r->reconstructions);
    free(r);
}

static Results *results_new(const Settings *s, const Dataset *train_set, const Dataset *test_set, Error *err)
{
    size_t p = test_set->dim;
    Results *r = calloc(1, sizeof *r);
    if (!r) {
        error_set(err, "out of memory");
        return NULL;
    }
    if (!(r->samples = alloc_doubles(MODELS * SHOWN * p, err))
        || !(r->reconstructions = alloc_doubles((MODELS + 1) * SHOWN * p, err))) {
        results_free(r);
        return NULL;
    }
    Rng rng;
    rng_seed(&rng, s->common.seed);
    rng_fill_normal(&rng, r->Z, SHOWN * s->d, 0.0, 1.0);
    vector_copy(r->reconstructions, test_set->images, SHOWN * p);
    name_models(r->models, s, train_set->count, r->names);
    return r;
}

static bool check_settings(const Settings *s, const Dataset *test_set, Error *err)
{
    if (s->d > MAX_D)
        return error_set(err, "--d: at most %d latent units (the bar chart of their KL)", MAX_D);
    if (test_set->count < SHOWN)
        return error_set(err, "--test: the figures need at least %d test digits", SHOWN);
    if (s->training.epochs > MAX_EPOCHS)
        return error_set(err, "--epochs: at most %d", MAX_EPOCHS);
    return true;
}

static bool train_all(Results *r, const Dataset *train_set, const Dataset *test_set, const Settings *s, Error *err)
{
    for (size_t k = 0; k < MODELS; k++) {
        if (!run_model(&r->models[k], k == CAPACITY_MODEL ? &r->tracking : NULL, k, train_set, test_set, s, r->Z,
                       r->samples, r->reconstructions, err))
            return false;
        if (!s->common.quiet) {
            printf("  %-18s trained (%.1f s)\n", r->models[k].name, r->models[k].seconds);
            fflush(stdout);
        }
    }
    collapse_init(&r->collapse, r->models, s->d);
    return true;
}

static bool write_outputs(const Results *r, char paths[][FIGURE_PATH_SIZE], const Dataset *test_set,
                          const Settings *s, Error *err)
{
    size_t rows = test_set->rows, cols = test_set->cols;
    return write_table(r->models, MODELS, paths[0], err)
           && image_grid_write_pgm(paths[1], r->samples, MODELS * SHOWN, rows, cols, SHOWN, 1, err)
           && image_grid_write_pgm(paths[2], r->reconstructions, (MODELS + 1) * SHOWN, rows, cols, SHOWN, 1, err)
           && write_tracking(&r->tracking, s->training.epochs, paths[3], paths[4], err)
           && write_collapse(&r->collapse, s->d, paths[5], paths[6], err);
}

static void print_results(const Results *r, const Settings *s)
{
    print_table(r->models, MODELS, s->d);
    print_tracking(&r->tracking, s->training.epochs);
    print_collapse(&r->collapse, s->d);
    print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train_set = { 0 }, test_set = { 0 };
    char paths[FIGURE_COUNT][FIGURE_PATH_SIZE];
    Results *results = NULL;
    const char *dir;
    bool ok = load_digits(&train_set, &test_set, &dir, &s->common, err) && check_settings(s, &test_set, err)
              && figure_paths(paths, s->common.out_dir, FIGURES, FIGURE_COUNT, err)
              && make_directories(s->common.out_dir, err)
              && (results = results_new(s, &train_set, &test_set, err));
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; 784-%zu-%zu, Bernoulli decoder, %zu epochs per model, "
               "batch %zu, Adam lr %g\n",
               PROGRAM, train_set.count, test_set.count, dir, s->training.hidden, s->d, s->training.epochs,
               s->training.batch_size, s->training.learning_rate);
    ok = ok && train_all(results, &train_set, &test_set, s, err) && write_outputs(results, paths, &test_set, s, err);
    if (ok && !s->common.quiet)
        print_results(results, s);
    results_free(results);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/beta_vae", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 100, .epochs = 10, .batch_size = 32, .learning_rate = 3e-3 },
                   .d = 16, .capacity = 20.0 };
    const Option options[] = {
        { "d", OPTION_SIZE, &s.d, "latent dimension", 1, MAX_D },
        { "capacity", OPTION_DOUBLE, &s.capacity, "C reached at the end of the capacity model's training, nats", 0,
          1000 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Train beta-VAEs for beta = 0 .. 8 and one with a controlled capacity; measure collapse.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
