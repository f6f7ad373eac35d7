/* chapters/07-cvae/cvae_mnist.c — train the conditional VAE of Wu L6 ("Conditioned VAE")
 * on the labelled MNIST digits and show what the label buys:
 *
 *   - per epoch, the negative conditional ELBO, -ELBO(x, y) (nats per digit), on the
 *     training digits (during the epoch) and the test digits (after it): loss.svg, log.csv;
 *   - conditioned generation: a 10 x 10 grid, row c decoded with the label c, column j
 *     with one z_j ~ p(z) shared by every row, so a column is one "style" written as every
 *     digit (generation.pgm);
 *   - analogies: a test digit encoded with its own label, z = mu(x, y), then decoded with
 *     each of the 10 labels (analogies.pgm: the digit, then its ten rewritings);
 *   - classification by generation: each test digit gets the label c of largest
 *     ELBO(x, c), averaged over --k draws of eps, against the simplest generative
 *     classifier, a per-pixel Bernoulli model of each class (naive Bayes, no z), scored
 *     the same way: accuracy per class in classification.csv.
 *
 *     build/solutions/bin/cvae_mnist                 (d = 2, 30 epochs, k = 10: under a minute; also --help)
 *     build/solutions/bin/cvae_mnist --d 10          (a larger code, and the label is ignored: README section 7)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "cvae.h"
#include "dataset.h"
#include "error.h"
#include "image.h"
#include "matrix.h"
#include "numerics.h"
#include "optimizer.h"
#include "outfile.h"
#include "program.h"
#include "train.h"

static const char *const PROGRAM = "cvae_mnist";

enum {
    CLASSES = DATASET_CLASSES,
    STYLES = 10,    /* generation.pgm: the columns, one z ~ p(z) each */
    ANALOGIES = 8,  /* analogies.pgm: the rows, one test digit each */
    MAX_BATCH_AT_LEAST = CLASSES * STYLES,
    MAX_D = 64      /* --d: the figures' codes live on the stack */
};

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden, --epochs, --batch, --lr */
    size_t d, k;
} Settings;

/* ---- the labels ------------------------------------------------------------------------------------ */

/* Every label of `data` is a class 0..9 (cvae_one_hot's check, in chunks of the model's
 * batch): the IDX reader checks it too, but this chapter is where a label is an index. */
static bool check_labels(Cvae *cvae, const Dataset *data, DatasetSplit split, Error *err)
{
    for (size_t start = 0; start < data->count; start += cvae->max_batch) {
        size_t B = data->count - start < cvae->max_batch ? data->count - start : cvae->max_batch;
        if (!cvae_one_hot(cvae->labels, data->labels + start, B, CLASSES, err))
            return error_prefix(err, "the %s digits, from digit %zu", dataset_split_name(split), start);
    }
    return true;
}

/* Y (n, classes): row i the one-hot row of class labels[i] (checked already). */
static void one_hot_rows(double *Y, const unsigned char *labels, size_t n)
{
    Error ignored;
    cvae_one_hot(Y, labels, n, CLASSES, &ignored);
}

/* ---- conditioned generation and analogies ---------------------------------------------------------- */

/* E[x | y, z] = sigmoid(s(y, z)) for n codes Z (n, d) and labels Y (n, classes), n <= max_batch. */
static void decoder_mean(Cvae *cvae, double *X_mean, const double *Z, const double *Y, size_t n)
{
    cvae_decode(cvae, Z, Y, n);
    for (size_t i = 0; i < n * cvae->shape.p; i++)
        X_mean[i] = sigmoid(cvae->logits[i]);
}

/* Row c, column j: E[x | y = c, z_j], z_j ~ N(0, I) shared by the column. */
static void conditioned_generation(Cvae *cvae, double *grid, Rng *rng)
{
    size_t d = cvae->shape.d, n = CLASSES * STYLES;
    double styles[STYLES * MAX_D], Z[CLASSES * STYLES * MAX_D], Y[CLASSES * STYLES * CLASSES];
    unsigned char labels[CLASSES * STYLES];
    rng_fill_normal(rng, styles, STYLES * d, 0.0, 1.0);
    for (size_t c = 0; c < CLASSES; c++)
        for (size_t j = 0; j < STYLES; j++) {
            vector_copy(Z + (c * STYLES + j) * d, styles + j * d, d);
            labels[c * STYLES + j] = (unsigned char)c;
        }
    one_hot_rows(Y, labels, n);
    decoder_mean(cvae, grid, Z, Y, n);
}

/* Row r: test digit r, then E[x | y = c, z = mu(x_r, y_r)] for c = 0..9.
 *                   grid (ANALOGIES * (classes + 1), p), decoded (ANALOGIES * classes, p) scratch */
static void analogies(Cvae *cvae, double *grid, double *decoded, const Dataset *test)
{
    size_t d = cvae->shape.d, p = cvae->shape.p, width = CLASSES + 1;
    double Y[ANALOGIES * CLASSES], Z[ANALOGIES * CLASSES * MAX_D], Y_each[ANALOGIES * CLASSES * CLASSES];
    unsigned char labels[ANALOGIES * CLASSES];
    one_hot_rows(Y, test->labels, ANALOGIES);
    cvae_encode(cvae, test->images, Y, ANALOGIES);
    for (size_t r = 0; r < ANALOGIES; r++)
        for (size_t c = 0; c < CLASSES; c++) {
            vector_copy(Z + (r * CLASSES + c) * d, cvae->mu_z + r * d, d);
            labels[r * CLASSES + c] = (unsigned char)c;
        }
    one_hot_rows(Y_each, labels, ANALOGIES * CLASSES);
    decoder_mean(cvae, decoded, Z, Y_each, ANALOGIES * CLASSES);
    for (size_t r = 0; r < ANALOGIES; r++) {
        vector_copy(grid + r * width * p, test->images + r * p, p);
        vector_copy(grid + (r * width + 1) * p, decoded + r * CLASSES * p, CLASSES * p);
    }
}

/* ---- classification by generation ------------------------------------------------------------------ */

typedef struct Scores {
    size_t digits[CLASSES];       /* test digits of each class */
    size_t cvae_right[CLASSES];   /* of those, how many argmax_c ELBO(x, c) got right */
    size_t bayes_right[CLASSES];  /* ... and how many the per-pixel Bernoulli model did */
    double log_px;                /* sum over the test digits of log (1/10) sum_c exp ELBO(x, c) */
} Scores;

static size_t total(const size_t *counts)
{
    size_t sum = 0;
    for (size_t c = 0; c < CLASSES; c++)
        sum += counts[c];
    return sum;
}

/* The per-pixel Bernoulli model of each class (naive Bayes): m_cj = (sum of x_ij over the
 * training digits of class c + 1) / (their number + 2), Laplace's rule, so no m is 0 or 1;
 * log p(x | c) = sum_j [x_j log m_cj + (1 - x_j) log(1 - m_cj)].   means (classes, p) */
static void class_pixel_means(double *means, const Dataset *train)
{
    size_t p = train->dim, counts[CLASSES] = { 0 };
    vector_zero(means, CLASSES * p);
    for (size_t i = 0; i < train->count; i++) {
        vector_axpy(means + train->labels[i] * p, 1.0, train->images + i * p, p);
        counts[train->labels[i]]++;
    }
    for (size_t c = 0; c < CLASSES; c++)
        for (size_t j = 0; j < p; j++)
            means[c * p + j] = (means[c * p + j] + 1.0) / ((double)counts[c] + 2.0);
}

static unsigned char bayes_classify(const double *means, const double *x, size_t p)
{
    size_t best = 0;
    double best_log_likelihood = -INFINITY;
    for (size_t c = 0; c < CLASSES; c++) {
        double log_likelihood = 0.0;
        for (size_t j = 0; j < p; j++)
            log_likelihood += x[j] * log(means[c * p + j]) + (1.0 - x[j]) * log(1.0 - means[c * p + j]);
        if (log_likelihood > best_log_likelihood) {
            best = c;
            best_log_likelihood = log_likelihood;
        }
    }
    return (unsigned char)best;
}

/* Both classifiers on every test digit; the CVAE by cvae_classify with k draws of eps.
 * The same ELBOs bound the unconditional log p(x) = log sum_c p(c) p(x | c): with
 * p(c) = 1/10 and each p(x | c) >= exp ELBO(x, c), log p(x) >= log (1/10) sum_c exp ELBO(x, c),
 * the ELBO of q(y, z | x) = q(y | x) q(z | x, y) at its best q(y | x), the softmax of the
 * ELBOs (README section 6). */
static bool classify_test_digits(Scores *scores, Cvae *cvae, const Dataset *train, const Dataset *test, size_t k,
                                 Rng *rng, Error *err)
{
    size_t chunk = cvae->max_batch, p = test->dim, d = cvae->shape.d;
    double *eps = alloc_doubles(k * chunk * d, err), *elbo = alloc_doubles(chunk * CLASSES, err),
           *means = alloc_doubles(CLASSES * p, err);
    unsigned char *predicted = malloc(chunk);
    bool ok = eps && elbo && means && (predicted || error_set(err, "out of memory"));
    *scores = (Scores){ { 0 }, { 0 }, { 0 }, 0.0 };
    if (ok)
        class_pixel_means(means, train);
    for (size_t start = 0; ok && start < test->count; start += chunk) {
        size_t B = test->count - start < chunk ? test->count - start : chunk;
        const double *X = test->images + start * p;
        rng_fill_normal(rng, eps, k * B * d, 0.0, 1.0);
        cvae_classify(cvae, predicted, elbo, X, eps, B, k);
        for (size_t i = 0; i < B; i++) {
            unsigned char label = test->labels[start + i];
            scores->digits[label]++;
            scores->cvae_right[label] += predicted[i] == label;
            scores->bayes_right[label] += bayes_classify(means, X + i * p, p) == label;
            scores->log_px += log_mean_exp(elbo + i * CLASSES, CLASSES);
        }
    }
    free(eps);
    free(elbo);
    free(means);
    free(predicted);
    return ok;
}

static bool write_scores(const Scores *s, const char *path, Error *err)
{
    static const char *const columns[] = { "class", "digits", "cvae_correct", "naive_bayes_correct" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 4, err))
        return false;
    for (size_t c = 0; c < CLASSES; c++)
        csv_row(&log, (double[]){ (double)c, (double)s->digits[c], (double)s->cvae_right[c], (double)s->bayes_right[c] });
    return csv_close(&log, err);
}

static void print_scores(const Scores *s, size_t k)
{
    printf("\nclassification by generation, %zu test digits (p(y) uniform, so argmax_c log p(x | c)):\n",
           total(s->digits));
    printf("  %-7s %7s   %-24s %s\n", "class", "digits", "CVAE argmax_c ELBO(x, c)", "per-pixel Bernoulli (naive Bayes)");
    for (size_t c = 0; c < CLASSES; c++)
        printf("  %-7zu %7zu   %23.1f%%  %6.1f%%\n", c, s->digits[c],
               100.0 * (double)s->cvae_right[c] / (double)(s->digits[c] ? s->digits[c] : 1),
               100.0 * (double)s->bayes_right[c] / (double)(s->digits[c] ? s->digits[c] : 1));
    double n = (double)total(s->digits);
    printf("  %-7s %7zu   %23.1f%%  %6.1f%%   (ELBO averaged over k = %zu draws of eps)\n", "all", total(s->digits),
           100.0 * (double)total(s->cvae_right) / n, 100.0 * (double)total(s->bayes_right) / n, k);
    printf("  -log p(x) <= -log (1/10) sum_c exp ELBO(x, c): %.3f nats per test digit (chapter 6's -ELBO(x) compares)\n",
           -s->log_px / n);
}

/* ---- the run ---------------------------------------------------------------------------------------- */

static const Figure FIGURES[] = {
    { "loss.svg", "-ELBO(x, y) per epoch, train and test" },
    { "log.csv", "the same numbers as a table" },
    { "generation.pgm", "row c: E[x | y = c, z_j], column j: one z_j ~ p(z) for every row" },
    { "analogies.pgm", "a test digit, then E[x | y = c, z = mu(x, y)] for c = 0..9" },
    { "classification.csv", "per class: test digits, right by argmax_c ELBO(x, c), right by naive Bayes" },
};
enum { FIGURE_COUNT = sizeof FIGURES / sizeof FIGURES[0] };

/* The first column of generation.pgm as text: one style, every digit. */
static void print_one_style(const double *generation, const Dataset *test)
{
    double column[CLASSES * 784];
    for (size_t c = 0; c < CLASSES; c++)
        vector_copy(column + c * test->dim, generation + c * STYLES * test->dim, test->dim);
    printf("\none z ~ p(z) decoded with the labels 0..9 (generation.pgm's first column):\n");
    ascii_preview(stdout, column, CLASSES, test->rows, test->cols, CLASSES / 2);
}

static bool write_figures(Cvae *cvae, const FitHistory *history, const Scores *scores, const Dataset *test,
                          const Settings *s, Rng *rng, Error *err)
{
    char paths[FIGURE_COUNT][FIGURE_PATH_SIZE];
    size_t p = test->dim, analogy_images = ANALOGIES * (CLASSES + 1);
    double *grid = alloc_doubles(CLASSES * STYLES * p, err), *decoded = alloc_doubles(ANALOGIES * CLASSES * p, err);
    bool ok = grid && decoded && figure_paths(paths, s->common.out_dir, FIGURES, FIGURE_COUNT, err)
              && fit_history_write(history, s->common.out_dir, "conditional VAE on MNIST: -ELBO(x, y) per epoch",
                                   "nats per digit", err);
    if (ok)
        conditioned_generation(cvae, grid, rng);
    ok = ok && image_grid_write_pgm(paths[2], grid, CLASSES * STYLES, test->rows, test->cols, STYLES, 1, err);
    if (ok && !s->common.quiet && p == 784)
        print_one_style(grid, test);
    if (ok)
        analogies(cvae, grid, decoded, test);
    ok = ok && image_grid_write_pgm(paths[3], grid, analogy_images, test->rows, test->cols, CLASSES + 1, 1, err)
         && write_scores(scores, paths[4], err);
    free(grid);
    free(decoded);
    return ok;
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train_set = { 0 }, test_set = { 0 };
    Cvae cvae = { 0 };
    Optimizer adam = { 0 };
    FitHistory history = { 0 };
    Scores scores;
    Rng rng;
    rng_seed(&rng, s->common.seed);
    const char *dir;
    size_t max_batch = s->training.batch_size > MAX_BATCH_AT_LEAST ? s->training.batch_size : MAX_BATCH_AT_LEAST;
    bool ok = load_digits(&train_set, &test_set, &dir, &s->common, err);
    if (ok && test_set.count < ANALOGIES)
        ok = error_set(err, "--test: the analogies need at least %d test digits", ANALOGIES);
    CvaeShape shape = { train_set.dim, CLASSES, s->training.hidden, s->d, ACTIVATION_RELU };
    ok = ok && cvae_init(&cvae, shape, max_batch, &rng, err) && check_labels(&cvae, &train_set, DATASET_TRAIN, err)
         && check_labels(&cvae, &test_set, DATASET_TEST, err)
         && optimizer_init_adam(&adam, &cvae.parameters, s->training.learning_rate, err)
         && make_directories(s->common.out_dir, err);
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; %zu + 10 -> %zu -> (mu, log sigma^2) in R^%zu, "
               "%zu + 10 -> %zu -> %zu\n",
               PROGRAM, train_set.count, test_set.count, dir, shape.p, shape.hidden, shape.d, shape.d, shape.hidden,
               shape.p);
    CvaeTrainer trainer = { &cvae, &adam, &rng };
    FitOptions fitting = { s->training.epochs, s->training.batch_size, &rng, "-ELBO(x, y)", s->common.quiet };
    ok = ok && fit(&history, &train_set, &test_set, cvae_train_batch, cvae_evaluate_batch, &trainer, &fitting, err)
         && classify_test_digits(&scores, &cvae, &train_set, &test_set, s->k, &rng, err)
         && write_figures(&cvae, &history, &scores, &test_set, s, &rng, err);
    if (ok && !s->common.quiet) {
        print_scores(&scores, s->k);
        printf("\n%-24s %zu epochs, Adam lr %g, batch %zu, seed %zu, %.1f s\n", "training", s->training.epochs,
               s->training.learning_rate, s->training.batch_size, s->common.seed, history.seconds);
        printf("%-24s %.3f nats per digit (one draw of eps per digit)\n", "test -ELBO(x, y)",
               history.epochs ? history.test_loss[history.epochs - 1] : NAN);
        print_figures(s->common.out_dir, FIGURES, FIGURE_COUNT);
    }
    fit_history_free(&history);
    optimizer_free(&adam);
    cvae_free(&cvae);
    dataset_free(&train_set);
    dataset_free(&test_set);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/cvae_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 200, .epochs = 30, .batch_size = 100, .learning_rate = 1e-3 },
                   .d = 2, .k = 10 };
    const Option options[] = {
        { "d", OPTION_SIZE, &s.d, "latent dimension", 1, MAX_D },
        { "k", OPTION_SIZE, &s.k, "draws of eps over which classification averages ELBO(x, c)", 1, 1000 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Train Wu L6's conditional VAE on labelled MNIST: conditioned generation, analogies, "
                       "and classification by generation.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
