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

#include "autoencoder.h"
#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "train.h"

static const char *const PROGRAM = "ae_mnist";

enum { SHOWN_ROWS = 3, SHOWN_COLUMNS = 12, SHOWN = SHOWN_ROWS * SHOWN_COLUMNS, STEPS = 10, PAIRS = 6 };

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d;                  /* --d: the code size */
} Settings;

/* ---- figures ----------------------------------------------------------------------------- */

/* The first SHOWN test digits (3 rows of 12) above their reconstructions. */
static bool write_reconstructions(Autoencoder *ae, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t p = test->dim, shown = test->count < SHOWN ? test->count : SHOWN;
    vector_copy(grid, test->images, shown * p);
    const double *Xhat = ae_decode(ae, ae_encode(ae, test->images, shown), shown);
    vector_copy(grid + SHOWN * p, Xhat, shown * p);
    return image_grid_write_pgm(path, grid, 2 * SHOWN, test->rows, test->cols, SHOWN_COLUMNS, 2, err);
}

/* PAIRS rows: test digit 2k decoded into test digit 2k + 1 in STEPS steps of t. */
static bool write_interpolations(Autoencoder *ae, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t p = test->dim;
    double t[STEPS];
    for (size_t k = 0; k < STEPS; k++)
        t[k] = (double)k / (STEPS - 1);
    for (size_t pair = 0; pair < PAIRS; pair++)
        ae_interpolate(ae, grid + pair * STEPS * p, test->images + 2 * pair * p, t, STEPS);
    return image_grid_write_pgm(path, grid, PAIRS * STEPS, test->rows, test->cols, STEPS, 2, err);
}

/* The first two code coordinates of every test digit, coloured by its label. */
static bool write_latent_scatter(Autoencoder *ae, const Dataset *test, const char *path, Error *err)
{
    size_t n = test->count, d = ae->shape.d;
    double *Z = alloc_doubles(n * d, err), *points = alloc_doubles(2 * n, err);
    if (!Z || !points) {
        free(Z);
        free(points);
        return false;
    }
    ae_encode_all(ae, Z, test->images, n);
    for (size_t i = 0; i < n; i++) {
        points[2 * i] = Z[i * d];
        points[2 * i + 1] = d > 1 ? Z[i * d + 1] : 0.0;
    }
    free(Z);
    PlotOptions plot = { d == 2 ? "codes z = f(x) of the test digits" : "first two coordinates of z = f(x)",
                         "z_1", "z_2", false };
    bool ok = svg_scatter_plot(path, &plot, points, test->labels, n, err);
    free(points);
    return ok;
}

static const Figure FIGURES[] = {
    { "reconstructions.pgm", "test digits X (top 3 rows) and g(f(X)) (bottom 3 rows)" },
    { "interpolation.pgm", "g((1 - t) f(x) + t f(x')) for t = 0 .. 1, six pairs of test digits" },
    { "loss.svg", "reconstruction loss per epoch, train and test" },
    { "log.csv", "the same numbers as a table" },
    { "latent.svg", "test codes coloured by digit" },
};

enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_figures(Autoencoder *ae, const Dataset *test, const FitHistory *history, const Settings *s,
                          Error *err)
{
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    if (!figure_paths(path, s->common.out_dir, FIGURES, FIGURE_COUNT, err))
        return false;
    double *grid = alloc_doubles(PAIRS * STEPS * test->dim + 2 * SHOWN * test->dim, err);
    bool ok = grid && write_reconstructions(ae, test, path[0], grid, err)
              && write_interpolations(ae, test, path[1], grid, err)
              && fit_history_write(history, s->common.out_dir, "auto-encoder on MNIST: (1/N) sum ||x - g(f(x))||^2",
                                   "reconstruction error per digit", err)
              && write_latent_scatter(ae, test, path[4], err);
    free(grid);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    return ok;
}

/* ---- the run ----------------------------------------------------------------------------- */

static void print_preview(Autoencoder *ae, const Dataset *test)
{
    enum { PREVIEW = 4 };
    size_t p = test->dim;
    double digits[2 * PREVIEW * 784];
    if (p != 784 || test->count < PREVIEW)
        return;
    vector_copy(digits, test->images, PREVIEW * p);
    vector_copy(digits + PREVIEW * p, ae_decode(ae, ae_encode(ae, test->images, PREVIEW), PREVIEW), PREVIEW * p);
    printf("\ntest digits (top) and their reconstructions g(f(x)) (bottom):\n");
    ascii_preview(stdout, digits, 2 * PREVIEW, test->rows, test->cols, PREVIEW);
}

static void print_summary(const Settings *s, const Autoencoder *ae, const FitHistory *h, const Dataset *train,
                          const Dataset *test)
{
    size_t last = h->epochs - 1;
    printf("\n%-28s %s\n", "auto-encoder", "784 -> hidden -> d -> hidden -> 784");
    printf("%-28s %zu, %zu, ReLU, sigmoid output\n", "d, hidden", s->d, s->training.hidden);
    printf("%-28s %zu\n", "parameters", parameters_count_scalars(&ae->parameters));
    printf("%-28s %zu train, %zu test\n", "digits", train->count, test->count);
    printf("%-28s %zu epochs, Adam lr %g, batch %zu, seed %zu\n", "training", s->training.epochs, s->training.learning_rate,
           s->training.batch_size, s->common.seed);
    printf("%-28s %.3f\n", "train reconstruction error", h->train_loss[last]);
    printf("%-28s %.3f\n", "test reconstruction error", h->test_loss[last]);
    printf("%-28s %.1f s\n", "time", h->seconds);
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train = { 0 }, test = { 0 };
    Autoencoder ae = { 0 };
    Optimizer optimizer = { 0 };
    AutoencoderTrainer trainer = { &ae, &optimizer };
    FitHistory history = { 0 };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    bool ok = load_digits(&train, &test, &dir, &s->common, err)
              && (test.count >= 2 * PAIRS
                  || error_set(err, "the interpolation figure needs at least %d test digits, got %zu", 2 * PAIRS,
                               test.count))
              && make_directories(s->common.out_dir, err);
    if (ok) {
        AutoencoderShape shape = { train.dim, s->training.hidden, s->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
        size_t max_batch = s->training.batch_size > PAIRS * STEPS ? s->training.batch_size : PAIRS * STEPS;
        ok = ae_init(&ae, shape, max_batch, &rng, err)
             && optimizer_init_adam(&optimizer, &ae.parameters, s->training.learning_rate, err);
    }
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu\n", PROGRAM, train.count, test.count, dir,
               s->d);
    FitOptions options = { s->training.epochs, s->training.batch_size, &rng, "||x - g(f(x))||^2", s->common.quiet };
    ok = ok && fit(&history, &train, &test, ae_train_batch, ae_evaluate_batch, &trainer, &options, err)
         && write_figures(&ae, &test, &history, s, err);
    if (ok && !s->common.quiet) {
        print_preview(&ae, &test);
        print_summary(s, &ae, &history, &train, &test);
    }
    fit_history_free(&history);
    optimizer_free(&optimizer);
    ae_free(&ae);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/ae_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 128, .epochs = 10, .batch_size = 32, .learning_rate = 1e-3 },
                   .d = 32 };
    const Option options[] = {
        { "d", OPTION_SIZE, &s.d, "code size, the dimension of z (the slides show 2, 8, 32)", 1, 784 },
    };
    const Program program = { .name = PROGRAM, .common = &s.common, .reads_mnist = true, .training = &s.training,
                              .hidden_may_be_zero = true, PROGRAM_OPTIONS(options), .run = run, .settings = &s,
                              .description = "Train an MLP auto-encoder on MNIST (Louppe L11) and draw what "
                                             "it learned." };
    return program_main(&program, argc, argv);
}
