/* chapters/06-vae/vae_inpaint.c — inpainting with a VAE (Wu L6, "Inpainting with VAE"):
 * train the VAE with random masks on the encoder's input, x (.) m -> z -> x, so that
 * q(z | x-bar) ~ q(z | x) while the generator stays a VAE's; then fill the missing pixels
 * of test digits with E[x | z = mu(x-bar)], keeping the observed ones.
 *
 *   - a table: for each mask (top half, left half, random 50% and 80% of the pixels, a
 *     centred square), the mean squared error per missing pixel of four fillings: the mean
 *     training digit, chapter 3's denoising auto-encoder trained with masking noise
 *     (--dae-p, the slide's 0.5), the same VAE trained without masks, and the VAE trained
 *     with them (inpaint.csv);
 *   - the figure, per mask: rows original / masked (missing pixels grey) / filled by the
 *     masked VAE / filled by the denoising auto-encoder (inpainting.pgm).
 *
 * The denoising auto-encoder is chapter 1's f and g composed and trained by chapter 3
 * (dae_compose, dae_train_step), with the VAE's widths: 784 -> hidden -> d -> hidden -> 784.
 *
 *     build/solutions/bin/vae_inpaint                  (about a minute; also --help)
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
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "program.h"
#include "progress.h"
#include "train.h"
#include "vae.h"

static const char *const PROGRAM = "vae_inpaint";

enum {
    SHOWN = 10,      /* digits per row of the figure */
    PANEL_ROWS = 4,  /* original, masked, VAE, DAE */
    FILLINGS = 4     /* mean digit, DAE, VAE without masks, VAE with masks */
};

static const char *const FILLING_NAMES[FILLINGS] = { "mean digit", "DAE", "VAE", "masked VAE" };

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d;
    double dae_p;
} Settings;

/* The three trained models and the mean digit. */
typedef struct Models {
    Vae masked, plain;  /* trained with and without masks on the encoder's input */
    Autoencoder ae;     /* chapter 1's f and g ... */
    Mlp h;              /* ... composed, h = g o f ... */
    Denoiser dae;       /* ... and trained by chapter 3 with masking noise */
    double *mean_digit; /* (p) */
} Models;

static void models_free(Models *m)
{
    vae_free(&m->masked);
    vae_free(&m->plain);
    dae_free(&m->dae);
    dae_compose_free(&m->h);
    ae_free(&m->ae);
    free(m->mean_digit);
    *m = (Models){ 0 };
}

/* ---- training ------------------------------------------------------------------------------- */

/* `epochs` passes of run_epoch with batch_function, printing the mean loss of each. */
static bool train_epochs(const char *what, const Dataset *train, BatchFunction batch_function, void *trainer,
                         const Settings *s, Rng *rng, Error *err)
{
    Stopwatch watch;
    stopwatch_start(&watch);
    for (size_t epoch = 1; epoch <= s->training.epochs; epoch++) {
        char label[64];
        double loss;
        snprintf(label, sizeof label, "%s, epoch %zu/%zu", what, epoch, s->training.epochs);
        EpochOptions options = { s->training.batch_size, rng, s->common.quiet ? NULL : label };
        if (!run_epoch(&loss, train, batch_function, trainer, &options, err))
            return error_prefix(err, "%s, epoch %zu", what, epoch);
        if (!s->common.quiet)
            printf("%-12s epoch %3zu/%zu   training loss %9.3f   (%.1f s)\n", what, epoch, s->training.epochs, loss,
                   stopwatch_seconds(&watch));
        fflush(stdout);
    }
    return true;
}

static bool train_masked_vae(Vae *vae, const Dataset *train, const Settings *s, Rng *rng, Error *err)
{
    Optimizer adam = { 0 };
    MaskedBatch batch = { 0 };
    MaskedVaeTrainer trainer = { vae, &adam, &batch, rng };
    bool ok = masked_batch_init(&batch, s->training.batch_size, train->rows, train->cols, err)
              && optimizer_init_adam(&adam, &vae->parameters, s->training.learning_rate, err)
              && train_epochs("masked VAE", train, vae_masked_train_batch, &trainer, s, rng, err);
    masked_batch_free(&batch);
    optimizer_free(&adam);
    return ok;
}

static bool train_plain_vae(Vae *vae, const Dataset *train, const Settings *s, Rng *rng, Error *err)
{
    Optimizer adam = { 0 };
    VaeTrainer trainer = { vae, &adam, rng, { 0, 0 }, 0 };
    bool ok = optimizer_init_adam(&adam, &vae->parameters, s->training.learning_rate, err)
              && train_epochs("VAE", train, vae_train_batch, &trainer, s, rng, err);
    optimizer_free(&adam);
    return ok;
}

static bool train_dae(Models *m, const Dataset *train, const Settings *s, Rng *rng, Error *err)
{
    Optimizer adam = { 0 };
    Rng unused; /* the evaluation's x~: this program evaluates on its own masks */
    rng_seed(&unused, s->common.seed);
    DenoiserTrainer trainer = { &m->dae, &adam, rng, &unused };
    char what[32];
    snprintf(what, sizeof what, "DAE p = %g", s->dae_p);
    bool ok = optimizer_init_adam(&adam, &m->dae.parameters, s->training.learning_rate, err)
              && train_epochs(what, train, dae_train_batch, &trainer, s, rng, err);
    optimizer_free(&adam);
    return ok;
}

/* Build the three models (each from its own seed), train them, and average the digits. */
static bool train_models(Models *m, const Dataset *train, size_t max_batch, const Settings *s, Error *err)
{
    size_t p = train->dim;
    Rng rng[3];
    for (size_t k = 0; k < 3; k++)
        rng_seed(&rng[k], s->common.seed + k);
    VaeShape shape = { p, s->training.hidden, s->d, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    AutoencoderShape ae_shape = { p, s->training.hidden, s->d, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    Corruption masking = { CORRUPTION_MASK, s->dae_p };
    bool ok = (m->mean_digit = alloc_doubles(p, err)) && vae_init(&m->masked, shape, max_batch, &rng[0], err)
              && vae_init(&m->plain, shape, max_batch, &rng[1], err)
              && ae_init(&m->ae, ae_shape, max_batch, &rng[2], err) && dae_compose(&m->h, &m->ae.encoder, &m->ae.decoder, err)
              && dae_init(&m->dae, &m->h, masking, err) && train_masked_vae(&m->masked, train, s, &rng[0], err)
              && train_plain_vae(&m->plain, train, s, &rng[1], err) && train_dae(m, train, s, &rng[2], err);
    if (ok) {
        vector_zero(m->mean_digit, p);
        for (size_t i = 0; i < train->count; i++)
            vector_axpy(m->mean_digit, 1.0 / (double)train->count, train->images + i * p, p);
    }
    return ok;
}

/* ---- filling ---------------------------------------------------------------------------------- */

/* The filling `which` of B masked digits: x where observed, the method's guess where missing.
 *                                                       X_filled, X_masked, mask (B, p) */
static void fill(Models *m, size_t which, double *X_filled, const double *X_masked, const double *mask, size_t B,
                 size_t p)
{
    const double *guess = NULL;
    switch (which) {
    case 0:
        for (size_t i = 0; i < B; i++)
            vector_copy(X_filled + i * p, m->mean_digit, p);
        guess = X_filled;
        break;
    case 1:
        dae_loss(&m->dae, X_masked, X_masked, B); /* h(x-bar); the loss itself is not used */
        guess = dae_reconstruction(&m->dae);
        break;
    case 2: vae_inpaint(&m->plain, X_filled, X_masked, mask, B); return;
    default: vae_inpaint(&m->masked, X_filled, X_masked, mask, B); return;
    }
    for (size_t i = 0; i < B * p; i++)
        X_filled[i] = mask[i] * X_masked[i] + (1.0 - mask[i]) * guess[i];
}

/* What one mask kind measured. */
typedef struct Row {
    MaskKind kind;
    double missing_share;    /* missing pixels / all pixels */
    double error[FILLINGS];  /* mean squared error per missing pixel */
} Row;

/* Fill every test digit under masks of one kind (drawn from the seed, the same for every
 * method), and sum the squared errors on the missing pixels; the first SHOWN digits go to
 * the panel: original, masked (missing pixels at 0.5 grey), masked VAE, DAE. */
static bool measure_kind(Row *row, double *panel, Models *m, const Dataset *test, size_t max_batch,
                         const Settings *s, Error *err)
{
    size_t p = test->dim, N = test->count;
    double *mask = alloc_doubles(max_batch * p, err), *X_masked = alloc_doubles(max_batch * p, err),
           *X_filled = alloc_doubles(max_batch * p, err), missing = 0.0, squares[FILLINGS] = { 0 };
    bool ok = mask && X_masked && X_filled;
    Rng rng;
    rng_seed(&rng, s->common.seed + 100 + (size_t)row->kind);
    for (size_t start = 0; ok && start < N; start += max_batch) {
        size_t B = start + max_batch <= N ? max_batch : N - start;
        const double *X = test->images + start * p;
        for (size_t i = 0; i < B; i++)
            mask_of_kind(mask + i * p, row->kind, test->rows, test->cols, &rng);
        for (size_t i = 0; i < B * p; i++) {
            X_masked[i] = X[i] * mask[i];
            missing += 1.0 - mask[i];
        }
        for (size_t which = 0; which < FILLINGS; which++) {
            fill(m, which, X_filled, X_masked, mask, B, p);
            for (size_t i = 0; i < B * p; i++)
                squares[which] += (1.0 - mask[i]) * (X_filled[i] - X[i]) * (X_filled[i] - X[i]);
            if (start == 0 && (which == 1 || which == 3))
                vector_copy(panel + (which == 3 ? 2 : 3) * SHOWN * p, X_filled, SHOWN * p);
        }
        if (start == 0) {
            vector_copy(panel, X, SHOWN * p);
            for (size_t i = 0; i < SHOWN * p; i++)
                panel[SHOWN * p + i] = mask[i] == 1.0 ? X[i] : 0.5;
        }
    }
    row->missing_share = missing / (double)(N * p);
    for (size_t which = 0; which < FILLINGS; which++)
        row->error[which] = squares[which] / fmax(missing, 1.0);
    free(mask);
    free(X_masked);
    free(X_filled);
    return ok;
}

/* ---- output ----------------------------------------------------------------------------------- */

static void print_table(const Row *rows, const Settings *s, const Dataset *train, const Dataset *test)
{
    printf("\nmean squared error per missing pixel, %zu test digits (the models: 784 -> %zu -> %zu -> %zu -> 784, "
           "%zu epochs on %zu digits; DAE masking p = %g)\n", test->count, s->training.hidden, s->d,
           s->training.hidden, s->training.epochs, train->count, s->dae_p);
    printf("  %-15s %8s", "mask", "missing");
    for (size_t which = 0; which < FILLINGS; which++)
        printf("  %10s", FILLING_NAMES[which]);
    printf("\n");
    for (size_t k = 0; k < MASK_KINDS; k++) {
        printf("  %-15s %7.1f%%", mask_kind_name(rows[k].kind), 100.0 * rows[k].missing_share);
        for (size_t which = 0; which < FILLINGS; which++)
            printf("  %10.4f", rows[k].error[which]);
        printf("\n");
    }
}

static bool write_table(const Row *rows, const char *path, Error *err)
{
    static const char *const columns[] = { "mask", "missing_share", "mean_digit", "dae", "vae", "masked_vae" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 6, err))
        return false;
    for (size_t k = 0; k < MASK_KINDS; k++)
        csv_row(&log, (double[]){ (double)rows[k].kind, rows[k].missing_share, rows[k].error[0], rows[k].error[1],
                                  rows[k].error[2], rows[k].error[3] });
    return csv_close(&log, err);
}

static const Figure FIGURES[] = {
    { "inpaint.csv", "error per missing pixel, per mask (0 top half .. 4 centred square) and filling" },
    { "inpainting.pgm", "per mask: original / masked (grey = missing) / masked VAE / DAE, 10 digits" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

/* ---- the run ---------------------------------------------------------------------------------- */

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train = { 0 }, test = { 0 };
    Models models = { 0 };
    Row rows[MASK_KINDS];
    char paths[FIGURE_COUNT][FIGURE_PATH_SIZE];
    const char *dir;
    double *panels = NULL;
    size_t max_batch = s->training.batch_size > SHOWN ? s->training.batch_size : SHOWN;
    bool ok = load_digits(&train, &test, &dir, &s->common, err)
              && figure_paths(paths, s->common.out_dir, FIGURES, FIGURE_COUNT, err);
    if (ok && test.count < SHOWN)
        ok = error_set(err, "--test: the figure needs at least %d test digits", SHOWN);
    ok = ok && make_directories(s->common.out_dir, err) /* before training: a bad --out fails at once */
         && (panels = alloc_doubles(MASK_KINDS * PANEL_ROWS * SHOWN * test.dim, err));
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; d = %zu\n", PROGRAM, train.count, test.count, dir, s->d);
    ok = ok && train_models(&models, &train, max_batch, s, err);
    for (size_t k = 0; ok && k < MASK_KINDS; k++) {
        rows[k] = (Row){ .kind = (MaskKind)k };
        ok = measure_kind(&rows[k], panels + k * PANEL_ROWS * SHOWN * test.dim, &models, &test, max_batch, s, err);
    }
    if (ok && !s->common.quiet)
        print_table(rows, s, &train, &test);
    ok = ok && write_table(rows, paths[0], err)
         && image_grid_write_pgm(paths[1], panels, MASK_KINDS * PANEL_ROWS * SHOWN, test.rows, test.cols, SHOWN, 2, err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    free(panels);
    models_free(&models);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/vae_inpaint", .train_count = 8000, .test_count = 1000, .seed = 1 },
                   .training = { .hidden = 200, .epochs = 10, .batch_size = 100, .learning_rate = 1e-3 },
                   .d = 20, .dae_p = 0.5 };
    const Option options[] = {
        { "d", OPTION_SIZE, &s.d, "latent dimension of the VAEs, code size of the DAE", 1, 784 },
        { "dae-p", OPTION_DOUBLE, &s.dae_p, "masking probability of the denoising auto-encoder's training", 0.0, 1.0 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Train a VAE with masked encoder inputs and fill the missing pixels of test digits, "
                       "against the mean digit and a denoising auto-encoder.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
