/* chapters/01-autoencoder/ae_mnist.c — train an MLP auto-encoder on MNIST and show what
 * it learned, as in Louppe L11 ("Deep auto-encoders", "Interpolation"):
 *
 *   - the empirical reconstruction loss (1/N) sum_i ||x_i - g(f(x_i))||^2 per epoch,
 *     on the training digits (during the epoch) and the test digits (after it);
 *   - X (original samples) above g o f(X), the slide's 3 x 12 layout: reconstructions.pgm;
 *   - g((1 - t) f(x) + t f(x')) for t = 0, 1/9, ..., 1 between test digits: interpolation.pgm;
 *   - the learning curves (loss.svg, log.csv) and the test codes, coloured by digit, in the
 *     plane of their first two coordinates (latent.svg; the whole code when d = 2).
 *
 *     build/solutions/bin/ae_mnist --d 2         (also --help)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoencoder.h"
#include "cli.h"
#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "train.h"

static const char *const PROGRAM = "ae_mnist";

enum { SHOWN_ROWS = 3, SHOWN_COLUMNS = 12, SHOWN = SHOWN_ROWS * SHOWN_COLUMNS, STEPS = 10, PAIRS = 6 };

typedef struct Settings {
    const char *data_dir, *out_dir;
    size_t seed, epochs, d, hidden, batch_size, train_count, test_count;
    double learning_rate;
    bool quiet;
} Settings;

typedef struct Model {
    Autoencoder ae;
    Optimizer optimizer;
} Model;

/* ---- the two things a mini-batch can do ---------------------------------------------- */

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

/* ---- figures ----------------------------------------------------------------------------- */

/* The first SHOWN test digits (3 rows of 12) above their reconstructions. */
static bool write_reconstructions(Model *m, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t p = test->dim, shown = test->count < SHOWN ? test->count : SHOWN;
    vector_copy(grid, test->images, shown * p);
    const double *Xhat = ae_decode(&m->ae, ae_encode(&m->ae, test->images, shown), shown);
    vector_copy(grid + SHOWN * p, Xhat, shown * p);
    return image_grid_write_pgm(path, grid, 2 * SHOWN, test->rows, test->cols, SHOWN_COLUMNS, 2, err);
}

/* PAIRS rows: test digit 2k decoded into test digit 2k + 1 in STEPS steps of t. */
static bool write_interpolations(Model *m, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t p = test->dim;
    double t[STEPS];
    for (size_t k = 0; k < STEPS; k++)
        t[k] = (double)k / (STEPS - 1);
    for (size_t pair = 0; pair < PAIRS; pair++)
        ae_interpolate(&m->ae, grid + pair * STEPS * p, test->images + 2 * pair * p, t, STEPS);
    return image_grid_write_pgm(path, grid, PAIRS * STEPS, test->rows, test->cols, STEPS, 2, err);
}

/* The first two code coordinates of every test digit, coloured by its label. */
static bool write_latent_scatter(Model *m, const Dataset *test, const Settings *s, const char *path, Error *err)
{
    size_t n = test->count, d = m->ae.shape.d, batch = s->batch_size;
    double *points = alloc_doubles(2 * n, err);
    if (!points)
        return false;
    for (size_t start = 0; start < n; start += batch) {
        size_t B = start + batch <= n ? batch : n - start;
        const double *Z = ae_encode(&m->ae, test->images + start * test->dim, B);
        for (size_t i = 0; i < B; i++) {
            points[2 * (start + i)] = Z[i * d];
            points[2 * (start + i) + 1] = d > 1 ? Z[i * d + 1] : 0.0;
        }
    }
    PlotOptions plot = { d == 2 ? "codes z = f(x) of the test digits" : "first two coordinates of z = f(x)",
                         "z_1", "z_2", false };
    bool ok = svg_scatter_plot(path, &plot, points, test->labels, n, err);
    free(points);
    return ok;
}

typedef struct Figure {
    const char *file;
    const char *what;
} Figure;

static const Figure FIGURES[] = {
    { "reconstructions.pgm", "test digits X (top 3 rows) and g(f(X)) (bottom 3 rows)" },
    { "interpolation.pgm", "g((1 - t) f(x) + t f(x')) for t = 0 .. 1, six pairs of test digits" },
    { "loss.svg", "reconstruction loss per epoch, train and test" },
    { "log.csv", "the same numbers as a table" },
    { "latent.svg", "test codes coloured by digit" },
};

static bool write_figures(Model *m, const Dataset *test, const FitHistory *history, const Settings *s, Error *err)
{
    char path[5][1024];
    for (size_t k = 0; k < 5; k++)
        if (!join_path(path[k], sizeof path[k], s->out_dir, FIGURES[k].file, err))
            return false;
    double *grid = alloc_doubles(PAIRS * STEPS * test->dim + 2 * SHOWN * test->dim, err);
    bool ok = grid && write_reconstructions(m, test, path[0], grid, err)
              && write_interpolations(m, test, path[1], grid, err)
              && fit_history_write(history, s->out_dir, "auto-encoder on MNIST: (1/N) sum ||x - g(f(x))||^2",
                                   "reconstruction error per digit", err)
              && write_latent_scatter(m, test, s, path[4], err);
    free(grid);
    if (ok && !s->quiet) {
        int width = 0;
        for (size_t k = 0; k < 5; k++)
            width = (int)strlen(path[k]) > width ? (int)strlen(path[k]) : width;
        printf("\nfigures written:\n");
        for (size_t k = 0; k < 5; k++)
            printf("  %-*s  %s\n", width, path[k], FIGURES[k].what);
    }
    return ok;
}

/* ---- the run ----------------------------------------------------------------------------- */

static void print_preview(Model *m, const Dataset *test)
{
    enum { PREVIEW = 4 };
    size_t p = test->dim;
    double digits[2 * PREVIEW * 784];
    if (p != 784 || test->count < PREVIEW)
        return;
    vector_copy(digits, test->images, PREVIEW * p);
    vector_copy(digits + PREVIEW * p, ae_decode(&m->ae, ae_encode(&m->ae, test->images, PREVIEW), PREVIEW),
                PREVIEW * p);
    printf("\ntest digits (top) and their reconstructions g(f(x)) (bottom):\n");
    ascii_preview(stdout, digits, 2 * PREVIEW, test->rows, test->cols, PREVIEW);
}

static void print_summary(const Settings *s, const Model *m, const FitHistory *h, const Dataset *train,
                          const Dataset *test)
{
    size_t last = h->epochs - 1;
    printf("\n%-28s %s\n", "auto-encoder", "784 -> hidden -> d -> hidden -> 784");
    printf("%-28s %zu, %zu, ReLU, sigmoid output\n", "d, hidden", s->d, s->hidden);
    printf("%-28s %zu\n", "parameters", parameters_count_scalars(&m->ae.parameters));
    printf("%-28s %zu train, %zu test\n", "digits", train->count, test->count);
    printf("%-28s %zu epochs, Adam lr %g, batch %zu, seed %zu\n", "training", s->epochs, s->learning_rate,
           s->batch_size, s->seed);
    printf("%-28s %.3f\n", "train reconstruction error", h->train_loss[last]);
    printf("%-28s %.3f\n", "test reconstruction error", h->test_loss[last]);
    printf("%-28s %.1f s\n", "time", h->seconds);
}

static bool run(const Settings *s, Error *err)
{
    Dataset train = { 0 }, test = { 0 };
    Model m = { 0 };
    FitHistory history = { 0 };
    Rng rng;
    rng_seed(&rng, s->seed);
    const char *dir = dataset_default_directory(s->data_dir);
    bool ok = dataset_load(&train, dir, DATASET_TRAIN, s->train_count, err)
              && dataset_load(&test, dir, DATASET_TEST, s->test_count, err) && make_directories(s->out_dir, err);
    if (ok) {
        AutoencoderShape shape = { train.dim, s->hidden, s->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
        size_t max_batch = s->batch_size > PAIRS * STEPS ? s->batch_size : PAIRS * STEPS;
        ok = ae_init(&m.ae, shape, max_batch, &rng, err)
             && optimizer_init_adam(&m.optimizer, &m.ae.parameters, s->learning_rate, err);
    }
    if (ok && !s->quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu\n", PROGRAM, train.count, test.count, dir,
               s->d);
    FitOptions options = { s->epochs, s->batch_size, &rng, "||x - g(f(x))||^2", s->quiet };
    ok = ok && fit(&history, &train, &test, train_batch, evaluate_batch, &m, &options, err)
         && write_figures(&m, &test, &history, s, err);
    if (ok && !s->quiet) {
        print_preview(&m, &test);
        print_summary(s, &m, &history, &train, &test);
    }
    fit_history_free(&history);
    optimizer_free(&m.optimizer);
    ae_free(&m.ae);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .data_dir = NULL, .out_dir = "build/out/ae_mnist", .seed = 1, .epochs = 10, .d = 32,
                   .hidden = 128, .batch_size = 32, .train_count = 8000, .test_count = 2000,
                   .learning_rate = 1e-3 };
    const Option options[] = {
        { "data", OPTION_STRING, &s.data_dir, "folder of the IDX files (default: $MNIST_DIR, else the shipped data/)", 0, 0 },
        { "out", OPTION_STRING, &s.out_dir, "folder for the figures", 0, 0 },
        { "d", OPTION_SIZE, &s.d, "code size, the dimension of z (the slides show 2, 8, 32)", 1, 784 },
        { "hidden", OPTION_SIZE, &s.hidden, "width of the hidden layer of f and g (0: none)", 0, 4096 },
        { "epochs", OPTION_SIZE, &s.epochs, "passes over the training digits", 1, 1000 },
        { "batch", OPTION_SIZE, &s.batch_size, "mini-batch size B", 1, 8000 },
        { "lr", OPTION_DOUBLE, &s.learning_rate, "Adam's learning rate", 1e-6, 1.0 },
        { "train", OPTION_SIZE, &s.train_count, "use the first N training digits", 1, 100000000 },
        { "test", OPTION_SIZE, &s.test_count, "use the first N test digits", 1, 100000000 },
        { "seed", OPTION_SIZE, &s.seed, "random seed: the same seed gives the same run", 0, 4294967295.0 },
        { "quiet", OPTION_FLAG, &s.quiet, "print nothing but errors", 0, 0 },
    };
    Error err = { "" };
    switch (cli_parse(argc, argv, "Train an MLP auto-encoder on MNIST (Louppe L11) and draw what it learned.",
                      options, sizeof options / sizeof options[0], &err)) {
    case CLI_HELP: return 0;
    case CLI_ERROR: report_error(PROGRAM, &err); return 1;
    case CLI_OK: break;
    }
    if (!run(&s, &err)) {
        report_error(PROGRAM, &err);
        return 1;
    }
    return 0;
}
