/* chapters/06-vae/vae_mnist.c — train the variational auto-encoder of Louppe L11's
 * step-by-step example on MNIST and draw what the lecture shows:
 *
 *   - per epoch, the negative ELBO = R + KL (nats per digit) on the training digits
 *     (during the epoch) and the test digits (after it): loss.svg, log.csv;
 *   - log p(x) of test digits by the k-sample importance-weighted bound for k = 1, 10,
 *     100, 1000 with its standard error: a table, and iw.csv;
 *   - samples x ~ p_theta(x | z), z ~ p(z), shown as E[x | z] (samples.pgm: Louppe's
 *     figure, run once per d = 2, 5, 10, 20);
 *   - for d = 2, the learned manifold: E[x | z] on a 20 x 20 grid z = Phi^-1(u)
 *     (manifold.pgm), and the test codes mu(x) coloured by digit (latent.svg);
 *   - reconstructions E[x | z = mu(x)] and a latent interpolation, as in chapter 1.
 *
 * --save FILE keeps the trained parameters; --load FILE skips training and draws every
 * figure from them.
 *
 *     build/solutions/bin/vae_mnist                    (d = 2, about a minute; also --help)
 *     build/solutions/bin/vae_mnist --hidden 400 --d 20 --batch 128 --epochs 10    (PyTorch's example)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "csv.h"
#include "program.h"
#include "progress.h"
#include "train.h"
#include "vae.h"

static const char *const PROGRAM = "vae_mnist";

enum {
    SAMPLE_SIDE = 10,   /* samples.pgm: 10 x 10 draws from the prior */
    MANIFOLD_SIDE = 20, /* manifold.pgm: 20 x 20 codes through Phi^-1 */
    SHOWN_ROWS = 3, SHOWN_COLUMNS = 12, SHOWN = SHOWN_ROWS * SHOWN_COLUMNS,
    STEPS = 10, PAIRS = 6,
    MAX_FIGURES = 10
};

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d, iw_digits;
    double log_variance_floor;
    const char *decoder, *save_path, *load_path;
    SizeList ks; /* --k: the sample sizes of the log p(x) table */
} Settings;

/* What the epochs measured: R and KL, train and test, per epoch. */
typedef struct Curves {
    size_t epochs; /* run so far */
    double *train_reconstruction, *train_kl, *test_reconstruction, *test_kl; /* (epochs) each */
    double seconds;
} Curves;

static void curves_free(Curves *c)
{
    free(c->train_reconstruction);
    free(c->train_kl);
    free(c->test_reconstruction);
    free(c->test_kl);
    *c = (Curves){ 0 };
}

static bool curves_init(Curves *c, size_t epochs, Error *err)
{
    *c = (Curves){ 0 };
    bool ok = (c->train_reconstruction = alloc_doubles(epochs, err)) && (c->train_kl = alloc_doubles(epochs, err))
              && (c->test_reconstruction = alloc_doubles(epochs, err)) && (c->test_kl = alloc_doubles(epochs, err));
    if (!ok)
        curves_free(c);
    return ok;
}

/* ---- training ------------------------------------------------------------------------------- */

static bool train(Curves *curves, VaeTrainer *trainer, const Dataset *train_set, const Dataset *test_set,
                  const Settings *s, Error *err)
{
    Stopwatch watch;
    stopwatch_start(&watch);
    for (size_t epoch = 1; epoch <= s->training.epochs; epoch++) {
        char label[64];
        snprintf(label, sizeof label, "epoch %zu/%zu", epoch, s->training.epochs);
        EpochOptions training = { s->training.batch_size, trainer->rng, s->common.quiet ? NULL : label };
        EpochOptions evaluation = { s->training.batch_size, NULL, NULL };
        VaeLoss on_train = { NAN, NAN }, on_test = { NAN, NAN };
        if (!vae_epoch(&on_train, trainer, train_set, vae_train_batch, &training, err)
            || !vae_epoch(&on_test, trainer, test_set, vae_evaluate_batch, &evaluation, err))
            return error_prefix(err, "epoch %zu", epoch);
        size_t e = epoch - 1;
        curves->train_reconstruction[e] = on_train.reconstruction;
        curves->train_kl[e] = on_train.kl;
        curves->test_reconstruction[e] = on_test.reconstruction;
        curves->test_kl[e] = on_test.kl;
        curves->epochs = epoch;
        if (!s->common.quiet)
            printf("epoch %3zu/%zu   NELBO = R + KL   train %8.3f = %8.3f + %6.3f   test %8.3f = %8.3f + %6.3f"
                   "   (%.1f s)\n",
                   epoch, s->training.epochs, on_train.reconstruction + on_train.kl, on_train.reconstruction, on_train.kl,
                   on_test.reconstruction + on_test.kl, on_test.reconstruction, on_test.kl,
                   stopwatch_seconds(&watch));
        fflush(stdout);
    }
    curves->seconds = stopwatch_seconds(&watch);
    return true;
}

/* ---- log p(x) by the k-sample bound ----------------------------------------------------------- */

typedef struct Bound {
    size_t k;
    double mean, standard_error; /* of log p(x) over the digits, nats */
} Bound;

/* The mean over the first n test digits of the k-sample estimate of log p(x), and its
 * standard error sd / sqrt(n) (the spread between digits). A value that is not finite is
 * shown as it is (nan): the model is trained by then, and the other figures still help. */
static bool estimate_log_px(Bound *bound, Vae *vae, const Dataset *test, size_t n, size_t k, Rng *rng, Error *err)
{
    size_t chunk = vae->max_batch;
    double *log_px = alloc_doubles(n, err), *log_weights = alloc_doubles(chunk * k, err);
    bool ok = log_px && log_weights;
    for (size_t start = 0; ok && start < n; start += chunk) {
        size_t B = start + chunk <= n ? chunk : n - start;
        vae_importance_log_likelihood(vae, log_px + start, log_weights, test->images + start * test->dim, B, k, rng);
    }
    if (ok) {
        double mean = vector_sum(log_px, n) / (double)n, squares = 0.0;
        for (size_t i = 0; i < n; i++)
            squares += (log_px[i] - mean) * (log_px[i] - mean);
        *bound = (Bound){ k, mean, n > 1 ? sqrt(squares / (double)(n - 1) / (double)n) : NAN };
    }
    free(log_px);
    free(log_weights);
    return ok;
}

static bool write_bounds(const Bound *bounds, size_t count, size_t digits, const char *path, Error *err)
{
    static const char *const columns[] = { "k", "log_px", "standard_error", "digits" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 4, err))
        return false;
    for (size_t i = 0; i < count; i++)
        csv_row(&log, (double[]){ (double)bounds[i].k, bounds[i].mean, bounds[i].standard_error, (double)digits });
    return csv_close(&log, err);
}

static bool bounds_table(Vae *vae, const Dataset *test, const Settings *s, Rng *rng, const char *path, Error *err)
{
    size_t n = s->iw_digits < test->count ? s->iw_digits : test->count;
    Bound bounds[SIZE_LIST_MAX];
    Stopwatch watch;
    stopwatch_start(&watch);
    for (size_t i = 0; i < s->ks.count; i++)
        if (!estimate_log_px(&bounds[i], vae, test, n, s->ks.values[i], rng, err))
            return false;
    if (!s->common.quiet) {
        printf("\nlog p(x) of the first %zu test digits, k-sample importance-weighted bound (%.1f s):\n", n,
               stopwatch_seconds(&watch));
        printf("  %6s  %10s  %s\n", "k", "log p(x)", "standard error");
        for (size_t i = 0; i < s->ks.count; i++)
            printf("  %6zu  %10.3f  %.3f\n", bounds[i].k, bounds[i].mean, bounds[i].standard_error);
    }
    return write_bounds(bounds, s->ks.count, n, path, err);
}

/* ---- figures ---------------------------------------------------------------------------------- */

static bool write_learning_curves(const Curves *c, const char *svg_path, const char *csv_path, Error *err)
{
    double *epochs = alloc_doubles(c->epochs, err), *train_nelbo = alloc_doubles(c->epochs, err),
           *test_nelbo = alloc_doubles(c->epochs, err);
    bool ok = epochs && train_nelbo && test_nelbo;
    for (size_t e = 0; ok && e < c->epochs; e++) {
        epochs[e] = (double)(e + 1);
        train_nelbo[e] = c->train_reconstruction[e] + c->train_kl[e];
        test_nelbo[e] = c->test_reconstruction[e] + c->test_kl[e];
    }
    PlotSeries series[4] = {
        { "train NELBO", epochs, train_nelbo, c->epochs },
        { "test NELBO", epochs, test_nelbo, c->epochs },
        { "test R = -E log p(x|z)", epochs, c->test_reconstruction, c->epochs },
        { "test KL(q(z|x) || p(z))", epochs, c->test_kl, c->epochs },
    };
    PlotOptions plot = { "VAE on MNIST: NELBO = R + KL per epoch", "epoch", "nats per digit (log scale)", true };
    static const char *const columns[] = { "epoch", "train_reconstruction", "train_kl", "train_nelbo",
                                           "test_reconstruction", "test_kl", "test_nelbo" };
    CsvLog log;
    ok = ok && svg_line_plot(svg_path, &plot, series, 4, err) && csv_open(&log, csv_path, columns, 7, err);
    for (size_t e = 0; ok && e < c->epochs; e++)
        csv_row(&log, (double[]){ epochs[e], c->train_reconstruction[e], c->train_kl[e], train_nelbo[e],
                                  c->test_reconstruction[e], c->test_kl[e], test_nelbo[e] });
    ok = ok && csv_close(&log, err);
    free(epochs);
    free(train_nelbo);
    free(test_nelbo);
    return ok;
}

/* E[x | z] for n codes Z (n, d), max_batch at a time.        X_mean (n, p) */
static void decode_all(Vae *vae, double *X_mean, const double *Z, size_t n)
{
    size_t chunk = vae->max_batch, d = vae->shape.d, p = vae->shape.p;
    for (size_t start = 0; start < n; start += chunk) {
        size_t B = start + chunk <= n ? chunk : n - start;
        vae_decoder_mean(vae, X_mean + start * p, Z + start * d, B);
    }
}

static bool write_samples(Vae *vae, const Dataset *test, const char *path, double *grid, Rng *rng, Error *err)
{
    vae_sample_prior(vae, grid, SAMPLE_SIDE * SAMPLE_SIDE, rng);
    return image_grid_write_pgm(path, grid, SAMPLE_SIDE * SAMPLE_SIDE, test->rows, test->cols, SAMPLE_SIDE, 1, err);
}

static bool write_manifold(Vae *vae, const Dataset *test, const char *path, double *grid, Error *err)
{
    double Z[MANIFOLD_SIDE * MANIFOLD_SIDE * 2];
    vae_manifold_codes(Z, MANIFOLD_SIDE);
    decode_all(vae, grid, Z, MANIFOLD_SIDE * MANIFOLD_SIDE);
    return image_grid_write_pgm(path, grid, MANIFOLD_SIDE * MANIFOLD_SIDE, test->rows, test->cols, MANIFOLD_SIDE, 1,
                                err);
}

/* The first SHOWN test digits (3 rows of 12) above E[x | z = mu(x)]. */
static bool write_reconstructions(Vae *vae, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t p = test->dim;
    vector_copy(grid, test->images, SHOWN * p);
    vae_encode(vae, test->images, SHOWN);
    decode_all(vae, grid + SHOWN * p, vae->mu_z, SHOWN);
    return image_grid_write_pgm(path, grid, 2 * SHOWN, test->rows, test->cols, SHOWN_COLUMNS, 2, err);
}

/* PAIRS rows: E[x | z] along z = (1 - t) mu(x_a) + t mu(x_b), t = 0 .. 1, test digits 2k, 2k + 1. */
static bool write_interpolation(Vae *vae, const Dataset *test, const char *path, double *grid, Error *err)
{
    size_t d = vae->shape.d;
    double *Z = alloc_doubles(PAIRS * STEPS * d, err);
    if (!Z)
        return false;
    vae_encode(vae, test->images, 2 * PAIRS);
    for (size_t pair = 0; pair < PAIRS; pair++)
        for (size_t k = 0; k < STEPS; k++) {
            double t = (double)k / (STEPS - 1);
            for (size_t j = 0; j < d; j++)
                Z[(pair * STEPS + k) * d + j] = (1.0 - t) * vae->mu_z[2 * pair * d + j] + t * vae->mu_z[(2 * pair + 1) * d + j];
        }
    decode_all(vae, grid, Z, PAIRS * STEPS);
    free(Z);
    return image_grid_write_pgm(path, grid, PAIRS * STEPS, test->rows, test->cols, STEPS, 2, err);
}

/* The codes mu(x) of every test digit (their first two coordinates), coloured by digit. */
static bool write_latent_scatter(Vae *vae, const Dataset *test, const char *path, Error *err)
{
    size_t n = test->count, d = vae->shape.d, chunk = vae->max_batch;
    double *points = alloc_doubles(2 * n, err);
    if (!points)
        return false;
    for (size_t start = 0; start < n; start += chunk) {
        size_t B = start + chunk <= n ? chunk : n - start;
        vae_encode(vae, test->images + start * test->dim, B);
        for (size_t i = 0; i < B; i++) {
            points[2 * (start + i)] = vae->mu_z[i * d];
            points[2 * (start + i) + 1] = d > 1 ? vae->mu_z[i * d + 1] : 0.0;
        }
    }
    PlotOptions plot = { d == 2 ? "VAE codes mu(x) of the test digits" : "first two coordinates of mu(x)", "z_1",
                         "z_2", false };
    bool ok = svg_scatter_plot(path, &plot, points, test->labels, n, err);
    free(points);
    return ok;
}

/* ---- the run ---------------------------------------------------------------------------------- */

typedef struct Outputs {
    Figure figures[MAX_FIGURES];
    char paths[MAX_FIGURES][FIGURE_PATH_SIZE];
    size_t count;
} Outputs;

/* The files this run writes, in order: the learning curves only when it trained, the
 * manifold only when d = 2. */
static bool plan_outputs(Outputs *o, const Settings *s, Error *err)
{
    o->count = 0;
    const Figure all[] = {
        { "loss.svg", "NELBO, R and KL per epoch (log scale)" },
        { "log.csv", "R, KL and NELBO per epoch, train and test" },
        { "iw.csv", "log p(x) by the k-sample bound, with its standard error" },
        { "samples.pgm", "E[x | z] for 100 draws z ~ p(z) = N(0, I)" },
        { "manifold.pgm", "E[x | z] on the 20 x 20 grid z = Phi^-1(u) (d = 2)" },
        { "latent.svg", "test codes mu(x) coloured by digit" },
        { "reconstructions.pgm", "test digits (top 3 rows) and E[x | z = mu(x)] (bottom 3 rows)" },
        { "interpolation.pgm", "E[x | z], z from mu(x) to mu(x') in 10 steps, six pairs" },
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        bool trained = s->load_path == NULL;
        if ((i < 2 && !trained) || (i == 4 && s->d != 2))
            continue;
        o->figures[o->count++] = all[i];
    }
    return figure_paths(o->paths, s->common.out_dir, o->figures, o->count, err);
}

static const char *path_of(const Outputs *o, const char *file)
{
    for (size_t i = 0; i < o->count; i++)
        if (strcmp(o->figures[i].file, file) == 0)
            return o->paths[i];
    return NULL;
}

static bool write_figures(Vae *vae, const Dataset *test, const Curves *curves, const Settings *s, Rng *rng,
                          Error *err)
{
    Outputs o;
    if (!plan_outputs(&o, s, err))
        return false;
    double *grid = alloc_doubles(MANIFOLD_SIDE * MANIFOLD_SIDE * test->dim, err);
    bool ok = grid && (curves->epochs == 0
                       || write_learning_curves(curves, path_of(&o, "loss.svg"), path_of(&o, "log.csv"), err))
              && bounds_table(vae, test, s, rng, path_of(&o, "iw.csv"), err)
              && write_samples(vae, test, path_of(&o, "samples.pgm"), grid, rng, err)
              && (s->d != 2 || write_manifold(vae, test, path_of(&o, "manifold.pgm"), grid, err))
              && write_latent_scatter(vae, test, path_of(&o, "latent.svg"), err)
              && write_reconstructions(vae, test, path_of(&o, "reconstructions.pgm"), grid, err)
              && write_interpolation(vae, test, path_of(&o, "interpolation.pgm"), grid, err);
    free(grid);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, o.figures, o.count);
    return ok;
}

static bool parse_decoder(VaeDecoderKind *kind, const char *name, Error *err)
{
    if (strcmp(name, "bernoulli") == 0)
        *kind = VAE_DECODER_BERNOULLI;
    else if (strcmp(name, "gaussian") == 0)
        *kind = VAE_DECODER_GAUSSIAN;
    else if (strcmp(name, "gaussian-shared") == 0)
        *kind = VAE_DECODER_GAUSSIAN_SHARED;
    else
        return error_set(err, "--decoder: '%s' is not one of bernoulli, gaussian, gaussian-shared", name);
    return true;
}

static void print_preview(Vae *vae, const Dataset *test, Rng *rng)
{
    enum { PREVIEW = 6 };
    double samples[PREVIEW * 784];
    if (test->dim != 784)
        return;
    vae_sample_prior(vae, samples, PREVIEW, rng);
    printf("\nsamples E[x | z], z ~ N(0, I):\n");
    ascii_preview(stdout, samples, PREVIEW, test->rows, test->cols, PREVIEW);
}

/* (1/N) sum_i ||x_i - E[x | z = mu(x_i)]||^2 over the test digits: chapter 1's
 * reconstruction error, for comparing the VAE with the auto-encoder of the same width. */
static double squared_reconstruction_error(Vae *vae, const Dataset *test, Error *err)
{
    size_t chunk = vae->max_batch, p = test->dim;
    double *X_mean = alloc_doubles(chunk * p, err), sum = 0.0;
    if (!X_mean)
        return NAN;
    for (size_t start = 0; start < test->count; start += chunk) {
        size_t B = start + chunk <= test->count ? chunk : test->count - start;
        vae_encode(vae, test->images + start * p, B);
        decode_all(vae, X_mean, vae->mu_z, B);
        for (size_t i = 0; i < B; i++)
            sum += vector_squared_distance(X_mean + i * p, test->images + (start + i) * p, p);
    }
    free(X_mean);
    return sum / (double)test->count;
}

static void print_summary(const Settings *s, Vae *vae, const Curves *c, const Dataset *train_set,
                          const Dataset *test_set)
{
    Error err;
    printf("\n%-24s 784 -> %zu -> (mu, log sigma^2) in R^%zu -> %zu -> 784, ReLU, %s decoder\n", "VAE", s->training.hidden,
           s->d, s->training.hidden, s->decoder);
    printf("%-24s %zu\n", "parameters", parameters_count_scalars(&vae->parameters));
    printf("%-24s %zu train, %zu test\n", "digits", train_set->count, test_set->count);
    printf("%-24s %.3f (xhat = E[x | z = mu(x)]; chapter 1's measure)\n", "test ||x - xhat||^2",
           squared_reconstruction_error(vae, test_set, &err));
    if (c->epochs == 0) {
        printf("%-24s none: parameters from %s\n", "training", s->load_path);
        return;
    }
    size_t last = c->epochs - 1;
    printf("%-24s %zu epochs, Adam lr %g, batch %zu, seed %zu\n", "training", s->training.epochs, s->training.learning_rate,
           s->training.batch_size, s->common.seed);
    printf("%-24s %.3f = R %.3f + KL %.3f nats per digit\n", "test NELBO", c->test_reconstruction[last] + c->test_kl[last],
           c->test_reconstruction[last], c->test_kl[last]);
    printf("%-24s %.1f s\n", "training time", c->seconds);
}

/* Build the model, then load its parameters or an optimiser to train them. */
static bool prepare(Vae *vae, Optimizer *optimizer, const Settings *s, VaeDecoderKind decoder, size_t p, Rng *rng,
                    Error *err)
{
    VaeShape shape = { p, s->training.hidden, s->d, ACTIVATION_RELU, decoder, s->log_variance_floor };
    size_t max_batch = s->training.batch_size > MANIFOLD_SIDE * MANIFOLD_SIDE ? s->training.batch_size : MANIFOLD_SIDE * MANIFOLD_SIDE;
    return vae_init(vae, shape, max_batch, rng, err)
           && (s->load_path ? vae_load(vae, s->load_path, err)
                            : optimizer_init_adam(optimizer, &vae->parameters, s->training.learning_rate, err));
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train_set = { 0 }, test_set = { 0 };
    Vae vae = { 0 };
    Optimizer optimizer = { 0 };
    Curves curves = { 0 };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    VaeTrainer trainer = { &vae, &optimizer, &rng, { 0, 0 }, 0 };
    const char *dir;
    VaeDecoderKind kind = VAE_DECODER_BERNOULLI;
    bool ok = parse_decoder(&kind, s->decoder, err);
    if (ok && s->load_path && s->save_path)
        ok = error_set(err, "--save and --load together: a loaded model is not trained, so there is nothing new to save");
    ok = ok && load_digits(&train_set, &test_set, &dir, &s->common, err);
    if (ok && test_set.count < 2 * PAIRS + SHOWN)
        ok = error_set(err, "--test: the figures need at least %d test digits", 2 * PAIRS + SHOWN);
    ok = ok && prepare(&vae, &optimizer, s, kind, train_set.dim, &rng, err) && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu, %s decoder\n", PROGRAM, train_set.count,
               test_set.count, dir, s->d, s->decoder);
    if (ok && !s->load_path)
        ok = curves_init(&curves, s->training.epochs, err) && train(&curves, &trainer, &train_set, &test_set, s, err)
             && (!s->save_path || vae_save(&vae, s->save_path, err));
    ok = ok && write_figures(&vae, &test_set, &curves, s, &rng, err);
    if (ok && !s->common.quiet) {
        print_preview(&vae, &test_set, &rng);
        print_summary(s, &vae, &curves, &train_set, &test_set);
    }
    curves_free(&curves);
    optimizer_free(&optimizer);
    vae_free(&vae);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/vae_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 200, .epochs = 15, .batch_size = 100, .learning_rate = 1e-3 },
                   .d = 2, .iw_digits = 100, .log_variance_floor = VAE_GAUSSIAN_LOG_VARIANCE_FLOOR,
                   .decoder = "bernoulli", .ks = { { 1, 10, 100, 1000 }, 4 } };
    const Option options[] = {
        { "d", OPTION_SIZE, &s.d, "latent dimension (Louppe L11 shows 2, 5, 10, 20)", 1, 784 },
        { "decoder", OPTION_STRING, &s.decoder, "p(x|z): bernoulli (on logits), gaussian (the slide's) or gaussian-shared", 0, 0 },
        { "floor", OPTION_DOUBLE, &s.log_variance_floor, "Gaussian decoder: the floor on log sigma^2", -30, 30 },
        { "k", OPTION_SIZE_LIST, &s.ks, "sample sizes of the log p(x) bound", 1, 10000 },
        { "iw-test", OPTION_SIZE, &s.iw_digits, "test digits in the log p(x) table", 2, 100000 },
        { "save", OPTION_STRING, &s.save_path, "write the trained parameters to this file", 0, 0 },
        { "load", OPTION_STRING, &s.load_path, "read the parameters from this file instead of training", 0, 0 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Train Louppe L11's variational auto-encoder on MNIST and draw what it learned.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
