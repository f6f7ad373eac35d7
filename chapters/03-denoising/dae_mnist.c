/* chapters/03-denoising/dae_mnist.c — denoising auto-encoders on MNIST, as in Louppe L11
 * ("Denoising auto-encoders"): one h = g o f per corruption, trained so that h(x~) ~ x with
 * x~ drawn afresh at every step, for masking noise p = 0.5, p = 0.9 and Gaussian noise.
 *
 *   - per epoch, the denoising loss (1/N) sum_i ||h(x~_i) - x_i||^2 on the training digits
 *     (during the epoch) and on freshly corrupted test digits (after it);
 *   - a table: on one fixed corruption of the test digits, the error of the corrupted
 *     input ||x~ - x||^2 and of the reconstruction ||h(x~) - x||^2, per corruption;
 *   - the slide's figure: rows original / corrupted / reconstructed for each corruption
 *     (denoising.pgm), the learning curves (loss.svg, log.csv).
 *
 * f and g are chapter 1's (autoencoder.h); h is their composition (dae_compose), trained
 * with chapter 3's dae_train_step.  Pixels are in [0, 1] and sigma is in the same units.
 *
 *     build/solutions/bin/dae_mnist --sigma 0.5         (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "autoencoder.h"
#include "csv.h"
#include "dataset.h"
#include "denoising.h"
#include "error.h"
#include "image.h"
#include "loss.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "train.h"

static const char *const PROGRAM = "dae_mnist";

enum { CORRUPTIONS = 3, SHOWN = 12, PANEL_ROWS = 3 /* original, corrupted, reconstructed */ };

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d;
    double p1, p2, sigma;
} Settings;

/* One denoising auto-encoder: chapter 1's f and g, and h = g o f trained by chapter 3. */
typedef struct Model {
    Autoencoder ae;
    Mlp h;        /* g o f, sharing the layers of ae.encoder and ae.decoder */
    Denoiser dae; /* trains h; dae.parameters are theta_f and theta_g */
} Model;

/* What the summary table and the figure need from one corruption. */
typedef struct Outcome {
    Corruption corruption;
    double corrupted_error;      /* (1/N) sum ||x~ - x||^2 on the fixed test corruption */
    double reconstruction_error; /* (1/N) sum ||h(x~) - x||^2 on the same x~ */
    double train_loss;           /* the last epoch's training loss */
    double seconds;
    FitHistory history;
} Outcome;

/* ---- one model ----------------------------------------------------------------------------- */

static void model_free(Model *m)
{
    dae_free(&m->dae);
    dae_compose_free(&m->h);
    ae_free(&m->ae);
}

static bool model_init(Model *m, const Settings *s, Corruption corruption, size_t p, Rng *rng, Error *err)
{
    *m = (Model){ 0 };
    AutoencoderShape shape = { p, s->training.hidden, s->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    size_t max_batch = s->training.batch_size > SHOWN ? s->training.batch_size : SHOWN;
    bool ok = ae_init(&m->ae, shape, max_batch, rng, err) && dae_compose(&m->h, &m->ae.encoder, &m->ae.decoder, err)
              && dae_init(&m->dae, &m->h, corruption, err);
    if (!ok)
        model_free(m);
    return ok;
}

/* On the fixed corrupted test set X_tilde: (1/N) sum ||x~ - x||^2 and (1/N) sum ||h(x~) - x||^2. */
static void evaluate_fixed(Model *m, Outcome *outcome, const Dataset *test, const double *X_tilde, size_t batch)
{
    size_t N = test->count, p = test->dim;
    double total = 0.0;
    for (size_t start = 0; start < N; start += batch) {
        size_t B = start + batch <= N ? batch : N - start;
        total += (double)B * dae_loss(&m->dae, X_tilde + start * p, test->images + start * p, B);
    }
    outcome->reconstruction_error = total / (double)N;
    outcome->corrupted_error = squared_error_loss(X_tilde, test->images, N, p);
}

/* Rows 3k, 3k + 1, 3k + 2 of the figure: x, x~, h(x~) for the first SHOWN test digits. */
static void fill_panel(Model *m, double *panel, const Dataset *test, const double *X_tilde, size_t shown)
{
    size_t p = test->dim;
    vector_copy(panel, test->images, shown * p);
    vector_copy(panel + SHOWN * p, X_tilde, shown * p);
    dae_loss(&m->dae, X_tilde, test->images, shown);
    vector_copy(panel + 2 * SHOWN * p, dae_reconstruction(&m->dae), shown * p);
}

static void print_corruption_header(Corruption corruption, bool quiet)
{
    char name[64];
    corruption_describe(name, sizeof name, corruption);
    if (!quiet)
        printf("\n== denoising auto-encoder, %s ==\n", name);
}

/* Train h for one corruption, then measure it on one fixed corruption of the test digits. */
static bool run_corruption(Outcome *outcome, double *panel, const Settings *s, const Dataset *train,
                           const Dataset *test, Rng *rng, Error *err)
{
    Model m;
    Optimizer optimizer = { 0 };
    Rng evaluation; /* x~ of the test pass after each epoch */
    rng_seed(&evaluation, s->common.seed + 1000);
    DenoiserTrainer trainer = { &m.dae, &optimizer, rng, &evaluation };
    size_t N = test->count, p = test->dim, shown = N < SHOWN ? N : SHOWN;
    double *X_tilde = alloc_doubles(N * p, err);
    if (!X_tilde || !model_init(&m, s, outcome->corruption, p, rng, err)) {
        free(X_tilde);
        return false;
    }
    print_corruption_header(outcome->corruption, s->common.quiet);
    FitOptions options = { s->training.epochs, s->training.batch_size, rng, "||h(x~) - x||^2", s->common.quiet };
    bool ok = optimizer_init_adam(&optimizer, &m.dae.parameters, s->training.learning_rate, err)
              && fit(&outcome->history, train, test, dae_train_batch, dae_evaluate_batch, &trainer, &options, err);
    if (ok) {
        Rng fixed;
        rng_seed(&fixed, s->common.seed + 2000);
        corrupt(X_tilde, test->images, N * p, outcome->corruption, &fixed);
        evaluate_fixed(&m, outcome, test, X_tilde, s->training.batch_size);
        fill_panel(&m, panel, test, X_tilde, shown);
        outcome->train_loss = outcome->history.train_loss[outcome->history.epochs - 1];
        outcome->seconds = outcome->history.seconds;
    }
    optimizer_free(&optimizer);
    model_free(&m);
    free(X_tilde);
    return ok;
}

/* ---- figures ------------------------------------------------------------------------------- */

static bool write_curves(const Outcome *outcomes, const char *svg_path, const char *csv_path, Error *err)
{
    size_t epochs = outcomes[0].history.epochs;
    char names[CORRUPTIONS][64];
    const char *columns[1 + 2 * CORRUPTIONS] = { "epoch" };
    char column_names[2 * CORRUPTIONS][80];
    double *epoch_numbers = alloc_doubles(epochs, err);
    if (!epoch_numbers)
        return false;
    for (size_t e = 0; e < epochs; e++)
        epoch_numbers[e] = (double)(e + 1);
    PlotSeries series[CORRUPTIONS];
    for (size_t k = 0; k < CORRUPTIONS; k++) {
        corruption_describe(names[k], sizeof names[k], outcomes[k].corruption);
        series[k] = (PlotSeries){ names[k], epoch_numbers, outcomes[k].history.test_loss, epochs };
        snprintf(column_names[2 * k], sizeof column_names[0], "train %s", names[k]);
        snprintf(column_names[2 * k + 1], sizeof column_names[0], "test %s", names[k]);
        columns[1 + 2 * k] = column_names[2 * k];
        columns[2 + 2 * k] = column_names[2 * k + 1];
    }
    PlotOptions plot = { "denoising auto-encoders on MNIST: test (1/N) sum ||h(x~) - x||^2", "epoch",
                         "test error per digit", false };
    CsvLog log;
    bool ok = svg_line_plot(svg_path, &plot, series, CORRUPTIONS, err)
              && csv_open(&log, csv_path, columns, 1 + 2 * CORRUPTIONS, err);
    for (size_t e = 0; ok && e < epochs; e++) {
        double row[1 + 2 * CORRUPTIONS] = { (double)(e + 1) };
        for (size_t k = 0; k < CORRUPTIONS; k++) {
            row[1 + 2 * k] = outcomes[k].history.train_loss[e];
            row[2 + 2 * k] = outcomes[k].history.test_loss[e];
        }
        csv_row(&log, row);
    }
    ok = ok && csv_close(&log, err);
    free(epoch_numbers);
    return ok;
}

static const Figure FIGURES[] = {
    { "denoising.pgm", "per corruption, rows x (original), x~ (corrupted), h(x~) (reconstructed)" },
    { "loss.svg", "test ||h(x~) - x||^2 per epoch, one curve per corruption" },
    { "log.csv", "train and test loss per epoch and corruption" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_figures(const Outcome *outcomes, const double *grid, const Dataset *test, const Settings *s,
                          Error *err)
{
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    if (!figure_paths(path, s->common.out_dir, FIGURES, FIGURE_COUNT, err))
        return false;
    bool ok = image_grid_write_pgm(path[0], grid, CORRUPTIONS * PANEL_ROWS * SHOWN, test->rows, test->cols, SHOWN,
                                   2, err)
              && write_curves(outcomes, path[1], path[2], err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    return ok;
}

/* ---- the run ------------------------------------------------------------------------------- */

/* The first test digit under each corruption: x, x~ and h(x~) side by side. */
static void print_preview(const double *grid, const Outcome *outcomes, const Dataset *test)
{
    size_t p = test->dim;
    double *digits = malloc(sizeof(double) * PANEL_ROWS * p);
    if (!digits)
        return;
    printf("\nthe first test digit x, its corruption x~ and the reconstruction h(x~):\n");
    for (size_t k = 0; k < CORRUPTIONS; k++) {
        char name[64];
        corruption_describe(name, sizeof name, outcomes[k].corruption);
        for (size_t row = 0; row < PANEL_ROWS; row++)
            vector_copy(digits + row * p, grid + ((k * PANEL_ROWS + row) * SHOWN) * p, p);
        printf("\n%s:\n", name);
        ascii_preview(stdout, digits, PANEL_ROWS, test->rows, test->cols, PANEL_ROWS);
    }
    free(digits);
}

static void print_summary(const Settings *s, const Outcome *outcomes, const Dataset *train, const Dataset *test)
{
    printf("\n%-18s 784 -> %zu -> d = %zu -> %zu -> 784, ReLU, sigmoid output (chapter 1's f and g)\n",
           "h = g o f", s->training.hidden, s->d, s->training.hidden);
    printf("%-18s %zu train, %zu test; pixels in [0, 1]\n", "digits", train->count, test->count);
    printf("%-18s %zu epochs per corruption, Adam lr %g, batch %zu, seed %zu\n", "training", s->training.epochs,
           s->training.learning_rate, s->training.batch_size, s->common.seed);
    printf("\n%-22s %16s %16s %12s %9s\n", "corruption", "||x~ - x||^2", "||h(x~) - x||^2", "train loss", "time");
    for (size_t k = 0; k < CORRUPTIONS; k++) {
        char name[64];
        corruption_describe(name, sizeof name, outcomes[k].corruption);
        printf("%-22s %16.3f %16.3f %12.3f %7.1f s\n", name, outcomes[k].corrupted_error,
               outcomes[k].reconstruction_error, outcomes[k].train_loss, outcomes[k].seconds);
    }
    printf("(test errors per digit, summed over the 784 pixels, on one fixed corruption of the %zu test digits)\n",
           test->count);
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train = { 0 }, test = { 0 };
    Outcome outcomes[CORRUPTIONS] = {
        { .corruption = { CORRUPTION_MASK, s->p1 } },
        { .corruption = { CORRUPTION_MASK, s->p2 } },
        { .corruption = { CORRUPTION_GAUSSIAN, s->sigma } },
    };
    double *grid = NULL;
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    bool ok = load_digits(&train, &test, &dir, &s->common, err)
              && make_directories(s->common.out_dir, err)
              && (grid = alloc_doubles(CORRUPTIONS * PANEL_ROWS * SHOWN * train.dim, err));
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu\n", PROGRAM, train.count, test.count, dir,
               s->d);
    for (size_t k = 0; ok && k < CORRUPTIONS; k++)
        ok = run_corruption(&outcomes[k], grid + k * PANEL_ROWS * SHOWN * train.dim, s, &train, &test, &rng, err);
    ok = ok && write_figures(outcomes, grid, &test, s, err);
    if (ok && !s->common.quiet) {
        print_preview(grid, outcomes, &test);
        print_summary(s, outcomes, &train, &test);
    }
    for (size_t k = 0; k < CORRUPTIONS; k++)
        fit_history_free(&outcomes[k].history);
    free(grid);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/dae_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 128, .epochs = 7, .batch_size = 32, .learning_rate = 1e-3 },
                   .d = 32, .p1 = 0.5, .p2 = 0.9, .sigma = 0.5 };
    const Option options[] = {
        { "p1", OPTION_DOUBLE, &s.p1, "masking probability p of the first model (the slide: 0.5)", 0.0, 1.0 },
        { "p2", OPTION_DOUBLE, &s.p2, "masking probability p of the second model (the slide: 0.9)", 0.0, 1.0 },
        { "sigma", OPTION_DOUBLE, &s.sigma, "Gaussian noise of the third model, in pixel units of [0, 1]", 0.0, INFINITY },
        { "d", OPTION_SIZE, &s.d, "code size, the dimension of z = f(x~)", 1, 784 },
    };
    const Program program = { .name = PROGRAM, .common = &s.common, .reads_mnist = true, .training = &s.training,
                              .hidden_may_be_zero = true, PROGRAM_OPTIONS(options), .run = run, .settings = &s,
                              .description = "Train one denoising auto-encoder h = g o f per corruption on MNIST "
                                             "(Louppe L11) and compare ||x~ - x||^2 with ||h(x~) - x||^2." };
    return program_main(&program, argc, argv);
}
