/* chapters/02-pca/pca_mnist.c — the slide's comparison of PCA and auto-encoders on MNIST
 * (Louppe L11, "Deep auto-encoders" and "Interpolation"), for d = 2, 8, 32:
 *
 *   - PCA fitted on the training digits (pca.h: the covariance, then cyclic Jacobi);
 *   - the linear auto-encoder z = W_1^T x + b_1, xhat = W_2^T z + b_2 (chapter 1's
 *     auto-encoder with no hidden layer and no nonlinearity), whose optimum PCA is;
 *   - the deep MLP auto-encoder of chapter 1 (784 -> hidden -> d -> hidden -> 784).
 *
 * It prints the reconstruction error (1/N) sum_i ||x_i - xhat_i||^2 of each on the training
 * and the test digits, the explained variance, and ||P_linear - P_PCA||_F, and draws: the
 * slide's X / deep AE / PCA grids, interpolation strips PCA vs AE, the spectrum, the
 * cumulative explained variance, the principal components as images, and the linear
 * AE's approach to PCA's error.
 *
 *     build/solutions/bin/pca_mnist                (also --help)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "autoencoder.h"
#include "csv.h"
#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "pca.h"
#include "plot.h"
#include "program.h"
#include "progress.h"
#include "train.h"

static const char *const PROGRAM = "pca_mnist";

enum {
    SHOWN_COLUMNS = 12,     /* the slide's grids: 3 rows of 12 digits */
    SHOWN = 3 * SHOWN_COLUMNS,
    STEPS = 10,             /* interpolation: t = 0, 1/9, ..., 1 */
    PAIRS = 4,              /* interpolation: pairs of test digits */
    COMPONENTS_SHOWN = 32,  /* mu and u_1 .. u_31 */
    SPECTRUM_SHOWN = 100,   /* lambda_1 .. lambda_100 on the spectrum plot */
    EXPLAINED_SHOWN = 200,  /* d = 1 .. 200 on the explained-variance plot */
    PREVIEW = 4             /* digits in the terminal preview */
};

typedef struct Settings {
    CommonSettings common;       /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training;   /* --hidden, --epochs, --batch, --lr: the deep AE's */
    SizeList dims;               /* --dims: the code sizes d, increasing */
    size_t linear_epochs;        /* --linear-epochs */
    double linear_learning_rate; /* --linear-lr */
} Settings;

/* One row of the table: the three models at one code size d; errors are [train, test]. */
typedef struct Row {
    size_t d;
    double explained;                  /* sum_{k <= d} lambda_k / tr C */
    double pca[2], linear[2], deep[2]; /* (1/N) sum ||x - xhat||^2 */
    double distance;                   /* ||P_linear - P_PCA||_F */
} Row;

typedef struct Run {
    const Settings *s;
    Dataset train, test;
    Pca pca;
    double pca_seconds;            /* mean, covariance and Jacobi */
    Row rows[SIZE_LIST_MAX];
    double *linear_excess;         /* (dim_count, linear_epochs): (L_lin - L_PCA) / L_PCA, test */
    double *preview;               /* (3 PREVIEW, p): X, deep AE, PCA at the middle d */
} Run;

/* ---- the three models at one d ---------------------------------------------------------- */

/* Build and train one auto-encoder with Adam (the caller frees ae, on failure too) and
 * measure (1/N) sum ||x - g(f(x))||^2 on both sets after training; history->test_loss
 * holds the test error after each epoch. */
static bool train_autoencoder(Run *r, Autoencoder *ae, AutoencoderShape shape, size_t epochs, double learning_rate,
                              Rng *rng, FitHistory *history, double errors[2], Error *err)
{
    const Settings *s = r->s;
    size_t max_batch = s->training.batch_size > SHOWN ? s->training.batch_size : SHOWN;
    FitOptions options = { epochs, s->training.batch_size, rng, "||x - g(f(x))||^2", s->common.quiet };
    EpochOptions evaluation = { s->training.batch_size, NULL, NULL };
    Optimizer optimizer = { 0 };
    AutoencoderTrainer trainer = { ae, &optimizer };
    bool ok = ae_init(ae, shape, max_batch, rng, err)
              && optimizer_init_adam(&optimizer, &ae->parameters, learning_rate, err)
              && fit(history, &r->train, &r->test, ae_train_batch, ae_evaluate_batch, &trainer, &options, err)
              && run_epoch(&errors[0], &r->train, ae_evaluate_batch, &trainer, &evaluation, err)
              && run_epoch(&errors[1], &r->test, ae_evaluate_batch, &trainer, &evaluation, err);
    optimizer_free(&optimizer);
    return ok;
}

/* ||P_linear - P_PCA||_F: the decoder xhat = W_2^T z + b_2 reconstructs in the span of the
 * d rows of W_2 (d, p); PCA in the span of u_1 .. u_d, the first d rows of pca.directions. */
static bool linear_distance(double *distance, const Autoencoder *linear, const Pca *pca, Error *err)
{
    size_t p = pca->p, d = pca->d;
    double *P_linear = alloc_doubles(p * p, err);
    double *P_pca = P_linear ? alloc_doubles(p * p, err) : NULL;
    bool ok = P_pca && subspace_projector(P_linear, linear->decoder.layers[0].dense.W, d, p, err);
    if (ok) {
        projector_from_rows(P_pca, pca->directions, d, p);
        *distance = projection_distance(P_linear, P_pca, p);
    }
    free(P_linear);
    free(P_pca);
    return ok;
}

static bool measure_pca(Run *r, Row *row, size_t d, Error *err)
{
    bool ok = pca_set_code_size(&r->pca, d, err)
              && pca_reconstruction_error(&r->pca, &row->pca[0], r->train.images, r->train.count, err)
              && pca_reconstruction_error(&r->pca, &row->pca[1], r->test.images, r->test.count, err);
    row->d = d;
    row->explained = pca_explained_variance(&r->pca);
    return ok;
}

/* The linear auto-encoder: chapter 1's f and g, each one dense layer, no nonlinearity. */
static bool measure_linear(Run *r, Row *row, size_t index, Rng *rng, Error *err)
{
    const Settings *s = r->s;
    AutoencoderShape shape = { r->train.dim, 0, row->d, ACTIVATION_IDENTITY, ACTIVATION_IDENTITY };
    Autoencoder linear = { 0 };
    FitHistory history = { 0 };
    if (!s->common.quiet)
        printf("\nlinear auto-encoder, d = %zu: z = W1^T x + b1, xhat = W2^T z + b2\n", row->d);
    bool ok = train_autoencoder(r, &linear, shape, s->linear_epochs, s->linear_learning_rate, rng, &history,
                                row->linear, err)
              && linear_distance(&row->distance, &linear, &r->pca, err);
    for (size_t e = 0; ok && e < s->linear_epochs; e++)
        r->linear_excess[index * s->linear_epochs + e] = (history.test_loss[e] - row->pca[1]) / row->pca[1];
    fit_history_free(&history);
    ae_free(&linear);
    return ok;
}

/* The first SHOWN test digits in the slide's layout: X, then g(f(X)) of the deep AE, then
 * PCA's, 3 rows of 12 each; the first PREVIEW of each block go to `preview` unless NULL. */
static bool write_reconstructions(Run *r, Autoencoder *deep, const char *path, double *preview, Error *err)
{
    size_t p = r->test.dim;
    double *grid = alloc_doubles(3 * SHOWN * p, err);
    double *codes = grid ? alloc_doubles(SHOWN * r->pca.d, err) : NULL;
    bool ok = codes != NULL;
    if (ok) {
        vector_copy(grid, r->test.images, SHOWN * p);
        vector_copy(grid + SHOWN * p, ae_decode(deep, ae_encode(deep, r->test.images, SHOWN), SHOWN),
                    SHOWN * p);
        pca_encode(&r->pca, codes, r->test.images, SHOWN);
        pca_decode(&r->pca, grid + 2 * SHOWN * p, codes, SHOWN);
        ok = image_grid_write_pgm(path, grid, 3 * SHOWN, r->test.rows, r->test.cols, SHOWN_COLUMNS, 2, err);
    }
    for (size_t block = 0; ok && preview && block < 3; block++)
        vector_copy(preview + block * PREVIEW * p, grid + block * SHOWN * p, PREVIEW * p);
    free(grid);
    free(codes);
    return ok;
}

/* For each pair (test digits 2k, 2k + 1): PCA's strip, then the deep AE's, t = 0 .. 1. */
static bool write_interpolations(Run *r, Autoencoder *deep, const char *path, Error *err)
{
    size_t p = r->test.dim;
    double t[STEPS];
    for (size_t k = 0; k < STEPS; k++)
        t[k] = (double)k / (STEPS - 1);
    double *grid = alloc_doubles(2 * PAIRS * STEPS * p, err);
    bool ok = grid != NULL;
    for (size_t pair = 0; ok && pair < PAIRS; pair++) {
        const double *ends = r->test.images + 2 * pair * p;
        ok = pca_interpolate(&r->pca, grid + 2 * pair * STEPS * p, ends, t, STEPS, err);
        ae_interpolate(deep, grid + (2 * pair + 1) * STEPS * p, ends, t, STEPS);
    }
    ok = ok && image_grid_write_pgm(path, grid, 2 * PAIRS * STEPS, r->test.rows, r->test.cols, STEPS, 2, err);
    free(grid);
    return ok;
}

/* The figures drawn at each code size d are named "reconstructions_d8.pgm" and so on. */
static void per_d_name(char *name, size_t size, const char *stem, size_t d)
{
    snprintf(name, size, "%s_d%zu.pgm", stem, d);
}

static bool per_d_path(char *path, size_t size, const Settings *s, const char *stem, size_t d, Error *err)
{
    char name[64];
    per_d_name(name, sizeof name, stem, d);
    return join_path(path, size, s->common.out_dir, name, err);
}

/* The deep auto-encoder of chapter 1, and the figures that compare it with PCA (the
 * interpolation strips only at the last, largest d). */
static bool measure_deep(Run *r, Row *row, bool last, double *preview, Rng *rng, Error *err)
{
    const Settings *s = r->s;
    AutoencoderShape shape = { r->train.dim, s->training.hidden, row->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    Autoencoder deep = { 0 };
    FitHistory history = { 0 };
    char reconstructions[1024], interpolation[1024];
    if (!s->common.quiet)
        printf("\ndeep auto-encoder, d = %zu: %zu -> %zu -> %zu -> %zu -> %zu, ReLU, sigmoid output\n", row->d,
               shape.p, shape.hidden, row->d, shape.hidden, shape.p);
    bool ok = train_autoencoder(r, &deep, shape, s->training.epochs, s->training.learning_rate, rng, &history, row->deep, err)
              && per_d_path(reconstructions, sizeof reconstructions, s, "reconstructions", row->d, err)
              && per_d_path(interpolation, sizeof interpolation, s, "interpolation", row->d, err)
              && write_reconstructions(r, &deep, reconstructions, preview, err)
              && (!last || write_interpolations(r, &deep, interpolation, err));
    fit_history_free(&history);
    ae_free(&deep);
    return ok;
}

/* ---- figures of the whole spectrum ------------------------------------------------------ */

/* mu as it is, then u_1 .. u_31 with 0 as mid-grey: v -> 1/2 + v / (2 max_j |v_j|), so
 * white and black are the two signs of a principal direction. */
static bool write_components(const Run *r, const char *path, Error *err)
{
    size_t p = r->pca.p, shown = COMPONENTS_SHOWN < p + 1 ? COMPONENTS_SHOWN : p + 1;
    double *images = alloc_doubles(shown * p, err);
    if (!images)
        return false;
    vector_copy(images, r->pca.mean, p);
    for (size_t k = 1; k < shown; k++) {
        double *image = images + k * p;
        const double *u = r->pca.directions + (k - 1) * p;
        double scale = vector_max_abs(u, p);
        for (size_t j = 0; j < p; j++)
            image[j] = 0.5 + 0.5 * u[j] / scale;
    }
    bool ok = image_grid_write_pgm(path, images, shown, r->train.rows, r->train.cols, 8, 3, err);
    free(images);
    return ok;
}

/* lambda_k for k = 1 .. 100 (log scale), and sum_{j <= k} lambda_j / tr C for k = 1 .. 200
 * (beyond, the curve is flat at 1). */
static bool write_spectrum(const Run *r, const char *spectrum_path, const char *explained_path, Error *err)
{
    size_t p = r->pca.p, shown = SPECTRUM_SHOWN < p ? SPECTRUM_SHOWN : p;
    size_t explained_shown = EXPLAINED_SHOWN < p ? EXPLAINED_SHOWN : p;
    double *k = alloc_doubles(p, err), *cumulative = k ? alloc_doubles(p, err) : NULL;
    bool ok = cumulative != NULL;
    double total = ok ? vector_sum(r->pca.eigenvalues, p) : 0.0, sum = 0.0;
    for (size_t j = 0; ok && j < p; j++) {
        k[j] = (double)(j + 1);
        sum += r->pca.eigenvalues[j];
        cumulative[j] = sum / total;
    }
    PlotSeries spectrum = { "lambda_k", k, r->pca.eigenvalues, shown };
    PlotSeries explained = { "explained variance", k, cumulative, explained_shown };
    PlotOptions spectrum_plot = { "PCA spectrum of the training digits: eigenvalues of C", "k",
                                  "lambda_k (variance along u_k)", true };
    PlotOptions explained_plot = { "cumulative explained variance", "number of components d",
                                   "sum_{k <= d} lambda_k / tr C", false };
    ok = ok && svg_line_plot(spectrum_path, &spectrum_plot, &spectrum, 1, err)
         && svg_line_plot(explained_path, &explained_plot, &explained, 1, err);
    free(k);
    free(cumulative);
    return ok;
}

/* (L_linear - L_PCA) / L_PCA on the test digits after each epoch, one curve per d. */
static bool write_linear_curves(const Run *r, const char *path, Error *err)
{
    const Settings *s = r->s;
    double *epochs = alloc_doubles(s->linear_epochs, err);
    if (!epochs)
        return false;
    for (size_t e = 0; e < s->linear_epochs; e++)
        epochs[e] = (double)(e + 1);
    char labels[SIZE_LIST_MAX][32];
    PlotSeries series[SIZE_LIST_MAX];
    for (size_t i = 0; i < s->dims.count; i++) {
        snprintf(labels[i], sizeof labels[i], "d = %zu", s->dims.values[i]);
        series[i] = (PlotSeries){ labels[i], epochs, r->linear_excess + i * s->linear_epochs, s->linear_epochs };
    }
    PlotOptions plot = { "linear AE test error above PCA's: (L_linear - L_PCA) / L_PCA", "epoch",
                         "relative excess (log scale)", true };
    bool ok = svg_line_plot(path, &plot, series, s->dims.count, err);
    free(epochs);
    return ok;
}

static bool write_table_csv(const Run *r, const char *path, Error *err)
{
    const char *columns[] = { "d", "explained_variance", "pca_train", "pca_test", "linear_train", "linear_test",
                              "deep_train", "deep_test", "projection_distance" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 9, err))
        return false;
    for (size_t i = 0; i < r->s->dims.count; i++) {
        const Row *w = &r->rows[i];
        csv_row(&log, (double[]){ (double)w->d, w->explained, w->pca[0], w->pca[1], w->linear[0], w->linear[1],
                                  w->deep[0], w->deep[1], w->distance });
    }
    return csv_close(&log, err);
}

/* The figures written once per run; those of each d are written by measure_deep. */
static const Figure FIGURES[] = {
    { "components.pgm", "the mean digit mu, then u_1 .. u_31 (grey 0, white +, black -)" },
    { "spectrum.svg", "eigenvalues lambda_1 .. lambda_100 of the covariance (log scale)" },
    { "explained_variance.svg", "cumulative explained variance against d = 1 .. 200" },
    { "linear_ae.svg", "linear AE's test error above PCA's, per epoch, each d" },
    { "results.csv", "the summary table" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

static bool write_figures(const Run *r, Error *err)
{
    char path[FIGURE_COUNT][FIGURE_PATH_SIZE];
    return figure_paths(path, r->s->common.out_dir, FIGURES, FIGURE_COUNT, err) && write_components(r, path[0], err)
           && write_spectrum(r, path[1], path[2], err) && write_linear_curves(r, path[3], err)
           && write_table_csv(r, path[4], err);
}

/* ---- what the terminal shows ------------------------------------------------------------- */

/* The reconstructions at each d, the interpolation strips at the largest, then FIGURES. */
static void print_figure_paths(const Run *r)
{
    const Settings *s = r->s;
    char names[SIZE_LIST_MAX + 1][64], what[SIZE_LIST_MAX][64];
    Figure figures[SIZE_LIST_MAX + 1 + FIGURE_COUNT];
    for (size_t i = 0; i < s->dims.count; i++) {
        per_d_name(names[i], sizeof names[i], "reconstructions", s->dims.values[i]);
        snprintf(what[i], sizeof what[i], "rows 1-3 X, 4-6 deep AE, 7-9 PCA (d = %zu)", s->dims.values[i]);
        figures[i] = (Figure){ names[i], what[i] };
    }
    size_t count = s->dims.count;
    per_d_name(names[count], sizeof names[count], "interpolation", s->dims.values[count - 1]);
    figures[count] = (Figure){ names[count], "per pair: PCA row, then deep AE row, t = 0 .. 1" };
    count++;
    for (size_t k = 0; k < FIGURE_COUNT; k++)
        figures[count++] = FIGURES[k];
    print_figures(s->common.out_dir, figures, count);
}

static void print_table(const Run *r)
{
    const Settings *s = r->s;
    printf("\nreconstruction error (1/N) sum_i ||x_i - xhat_i||^2 per digit (%zu train, %zu test digits)\n",
           r->train.count, r->test.count);
    printf("%4s %10s | %17s | %17s | %17s | %17s\n", "", "explained", "PCA", "linear AE", "deep AE",
           "||P_lin - P_PCA||");
    printf("%4s %10s | %8s %8s | %8s %8s | %8s %8s | %17s\n", "d", "variance", "train", "test", "train", "test",
           "train", "test", "(max sqrt(2d))");
    for (size_t i = 0; i < s->dims.count; i++) {
        const Row *w = &r->rows[i];
        printf("%4zu %9.1f%% | %8.3f %8.3f | %8.3f %8.3f | %8.3f %8.3f | %8.3f (%6.2f)\n", w->d,
               100.0 * w->explained, w->pca[0], w->pca[1], w->linear[0], w->linear[1], w->deep[0], w->deep[1],
               w->distance, sqrt(2.0 * (double)w->d));
    }
    printf("\nPCA: %zu Jacobi sweeps on the %zu x %zu covariance, %.1f s; linear AE %zu epochs (Adam lr %g); "
           "deep AE %zu epochs, hidden %zu (Adam lr %g); batch %zu, seed %zu\n",
           r->pca.sweeps, r->pca.p, r->pca.p, r->pca_seconds, s->linear_epochs, s->linear_learning_rate, s->training.epochs,
           s->training.hidden, s->training.learning_rate, s->training.batch_size, s->common.seed);
}

static void print_preview(const Run *r)
{
    printf("\ntest digits (top), deep AE (middle) and PCA (bottom) at d = %zu:\n",
           r->s->dims.values[r->s->dims.count / 2]);
    ascii_preview(stdout, r->preview, 3 * PREVIEW, r->test.rows, r->test.cols, PREVIEW);
}

/* What the spectrum says before any model is trained: its top (and ||mu||^2, what a model
 * without centring must spend a direction on), how many components keep
 * 90% of tr C, how many directions have no variance at all (pixels black in every digit),
 * the gap lambda_d > lambda_{d+1} at each code size (a small one leaves PCA's subspace
 * ill-determined), and the closest pair lambda_{k+1} / lambda_k for k <= d_max, which is
 * how slowly a power iteration would separate them (the README's argument for Jacobi). */
static void print_spectrum(const Pca *pca, const Settings *s)
{
    const double *lambda = pca->eigenvalues;
    size_t p = pca->p, d_max = s->dims.values[s->dims.count - 1], zero = 0, ninety = 0, closest = 0;
    double total = vector_sum(lambda, p), kept = 0.0;
    for (size_t k = 0; k < p; k++) {
        kept += lambda[k];
        ninety = ninety == 0 && kept >= 0.9 * total ? k + 1 : ninety;
        zero += lambda[k] <= 1e-12 * lambda[0];
    }
    printf("  lambda_1 .. lambda_6 =");
    for (size_t k = 0; k < 6 && k < p; k++)
        printf(" %.4f", lambda[k]);
    printf(";  tr C = %.4f;  ||mu||^2 = %.4f\n  90%% of tr C is kept at d = %zu; %zu of the %zu eigenvalues are 0 "
           "(<= 1e-12 lambda_1)\n  gaps at the code sizes:", total, vector_dot(pca->mean, pca->mean, p), ninety, zero, p);
    for (size_t i = 0; i < s->dims.count && s->dims.values[i] < p; i++)
        printf("%s lambda_%zu = %.4f > lambda_%zu = %.4f", i ? ";" : "", s->dims.values[i], lambda[s->dims.values[i] - 1],
               s->dims.values[i] + 1, lambda[s->dims.values[i]]);
    for (size_t k = 1; k < d_max && k + 1 < p; k++)
        if (lambda[k + 1] / lambda[k] > lambda[closest + 1] / lambda[closest])
            closest = k;
    if (closest + 1 < p)
        printf("\n  closest pair up to lambda_%zu: lambda_%zu = %.4f, lambda_%zu = %.4f (ratio %.4f)", d_max + 1,
               closest + 1, lambda[closest], closest + 2, lambda[closest + 1], lambda[closest + 1] / lambda[closest]);
    printf("\n");
}

/* ---- the run ----------------------------------------------------------------------------- */

static bool fit_pca(Run *r, Error *err)
{
    const Settings *s = r->s;
    if (!s->common.quiet)
        printf("\nPCA: the mean, the %zu x %zu covariance of %zu digits, then cyclic Jacobi sweeps\n",
               r->train.dim, r->train.dim, r->train.count);
    Stopwatch watch;
    stopwatch_start(&watch);
    bool ok = pca_fit(&r->pca, r->train.images, r->train.count, r->train.dim, s->dims.values[s->dims.count - 1],
                      s->common.quiet ? NULL : stdout, err);
    r->pca_seconds = stopwatch_seconds(&watch);
    if (ok && !s->common.quiet)
        print_spectrum(&r->pca, s);
    return ok;
}

static bool compare_models(Run *r, Rng *rng, Error *err)
{
    const Settings *s = r->s;
    bool ok = true;
    for (size_t i = 0; ok && i < s->dims.count; i++) {
        Row *row = &r->rows[i];
        double *preview = i == s->dims.count / 2 ? r->preview : NULL; /* the middle d's digits */
        ok = measure_pca(r, row, s->dims.values[i], err) && measure_linear(r, row, i, rng, err)
             && measure_deep(r, row, i + 1 == s->dims.count, preview, rng, err);
    }
    return ok;
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Run r = { .s = s };
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    bool ok = load_digits(&r.train, &r.test, &dir, &s->common, err)
              && (r.test.count >= SHOWN
                  || error_set(err, "the figures need at least %d test digits, got %zu", SHOWN, r.test.count))
              && pca_check_input(r.train.images, r.train.count, r.train.dim, s->dims.values[s->dims.count - 1], err)
              && (r.linear_excess = alloc_doubles(s->dims.count * s->linear_epochs, err))
              && (r.preview = alloc_doubles(3 * PREVIEW * r.test.dim, err));
    if (ok && !s->common.quiet) {
        char dims[128];
        size_list_format(dims, sizeof dims, &s->dims);
        printf("%s: %zu training and %zu test digits from %s; d = %s\n", PROGRAM, r.train.count, r.test.count, dir,
               dims);
    }
    ok = ok && fit_pca(&r, err) && make_directories(s->common.out_dir, err) && compare_models(&r, &rng, err)
         && write_figures(&r, err);
    if (ok && !s->common.quiet) {
        print_preview(&r);
        print_table(&r);
        print_figure_paths(&r);
    }
    pca_free(&r.pca);
    free(r.linear_excess);
    free(r.preview);
    dataset_free(&r.train);
    dataset_free(&r.test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/pca_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 128, .epochs = 5, .batch_size = 32, .learning_rate = 1e-3 },
                   .dims = { { 2, 8, 32 }, 3 }, .linear_epochs = 10, .linear_learning_rate = 3e-3 };
    const Option options[] = {
        { "dims", OPTION_SIZE_LIST, &s.dims, "code sizes d, increasing, as on the slides (d <= p is checked on the data)", 1, INFINITY },
        { "linear-epochs", OPTION_SIZE, &s.linear_epochs, "passes over the training digits, linear AE", 1, 1000 },
        { "linear-lr", OPTION_DOUBLE, &s.linear_learning_rate, "Adam's learning rate, linear AE", 1e-6, 1.0 },
    };
    const Program program = { .name = PROGRAM, .common = &s.common, .reads_mnist = true, .training = &s.training,
                              PROGRAM_OPTIONS(options), .run = run, .settings = &s,
                              .description = "PCA against the linear and the deep auto-encoder on MNIST, for several "
                                             "code sizes d (Louppe L11)." };
    return program_main(&program, argc, argv);
}
