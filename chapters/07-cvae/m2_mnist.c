/* chapters/07-cvae/m2_mnist.c — semi-supervised learning with 100 labels (Wu L6; Kingma,
 * Rezende, Mohamed & Welling 2014): keep the labels of 10 digits per class, hide the rest,
 * and compare the test accuracy of three classifiers q(y | x) of the same shape:
 *
 *   - the supervised baseline: trained on the 100 labelled digits alone (cross-entropy);
 *   - M2: trained with the conditional VAE on J = L^l + beta L^u, the 100 labelled digits
 *     and every other training digit without its label;
 *   - the ceiling: trained on every training digit with its label.
 *
 * The baseline and M2 run once per seed (--seeds), each seed choosing its own 100 labels
 * (the same 100 for both); the table gives each run, the mean and the standard deviation.
 *
 *     build/bin/m2_mnist                          (seed 1, 5 epochs of M2: about a minute)
 *     build/bin/m2_mnist --seeds 3 --epochs 10    (three seeds, with the spread: about 6 minutes; README)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "cvae.h"
#include "dataset.h"
#include "error.h"
#include "m2.h"
#include "matrix.h"
#include "optimizer.h"
#include "outfile.h"
#include "plot.h"
#include "program.h"
#include "progress.h"

static const char *const PROGRAM = "m2_mnist";

enum { MAX_SEEDS = 100 };

typedef struct Settings {
    CommonSettings common;     /* --data, --out, --train, --test, --seed, --quiet */
    TrainingSettings training; /* --hidden (the CVAE's), --epochs (M2's), --batch (B_u), --lr */
    size_t d, classifier_hidden, per_class, labelled_batch, seeds, baseline_steps, ceiling_epochs;
    double alpha, beta;
} Settings;

/* ---- the labelled digits, and batches drawn from them in turn ------------------------------------ */

/* An endless stream of indices into a set: a shuffled pass, then another, ... */
typedef struct Stream {
    size_t *order;
    size_t count, next;
    Rng *rng;
} Stream;

static bool stream_init(Stream *s, const size_t *indices, size_t count, Rng *rng, Error *err)
{
    *s = (Stream){ .count = count, .next = count, .rng = rng };
    if (!(s->order = checked_calloc(count, sizeof *s->order, err)))
        return false;
    memcpy(s->order, indices, count * sizeof *indices);
    return true;
}

static void stream_free(Stream *s)
{
    free(s->order);
    *s = (Stream){ 0 };
}

/* The next n indices (n <= count), reshuffling whenever a pass is used up. */
static void stream_take(Stream *s, size_t *out, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (s->next == s->count) {
            rng_shuffle(s->rng, s->order, s->count);
            s->next = 0;
        }
        out[k] = s->order[s->next++];
    }
}

/* ---- the three classifiers -------------------------------------------------------------------------- */

/* Train a classifier on the digits `indices` of data with their labels: steps Adam steps
 * on batches of up to `batch` drawn in turn; returns its test accuracy (NAN on failure). */
static bool train_classifier(double *accuracy, const Dataset *train, const size_t *indices, size_t count,
                             size_t steps, const Dataset *test, const Settings *s, Rng *rng, Error *err)
{
    size_t batch = s->labelled_batch < count ? s->labelled_batch : count;
    Classifier classifier = { 0 };
    Optimizer optimizer = { 0 };
    Stream stream = { 0 };
    double *X = alloc_doubles(batch * train->dim, err);
    unsigned char *labels = checked_calloc(batch, 1, err);
    size_t *picked = checked_calloc(batch, sizeof *picked, err);
    bool ok = X && labels && picked
              && classifier_init(&classifier, train->dim, s->classifier_hidden, DATASET_CLASSES, ACTIVATION_RELU,
                                 batch > 256 ? batch : 256, rng, err)
              && optimizer_init_adam(&optimizer, &classifier.parameters, s->training.learning_rate, err)
              && stream_init(&stream, indices, count, rng, err);
    for (size_t step = 0; ok && step < steps; step++) {
        stream_take(&stream, picked, batch);
        dataset_gather(X, labels, train, picked, batch);
        if (!isfinite(classifier_train_step(&classifier, &optimizer, X, labels, batch)))
            ok = error_set(err, "the classifier's cross-entropy became NaN at step %zu", step + 1);
    }
    if (ok)
        *accuracy = classifier_accuracy(&classifier, test);
    stream_free(&stream);
    optimizer_free(&optimizer);
    classifier_free(&classifier);
    free(X);
    free(labels);
    free(picked);
    return ok;
}

/* What one M2 run measured. */
typedef struct M2Run {
    double accuracy;   /* test accuracy of q(y | x) after the last epoch */
    double *per_epoch; /* (epochs) test accuracy after each epoch */
    M2Loss last;       /* the terms of J, averaged over the last epoch's steps */
} M2Run;

/* Train M2 for --epochs passes over the unlabelled digits, B_u at a time, each step with
 * the next B_l labelled digits. */
static bool train_m2(M2Run *run, const Dataset *train, const size_t *labelled, size_t labelled_count,
                     const size_t *unlabelled, size_t unlabelled_count, const Dataset *test, const Settings *s,
                     Rng *rng, Error *err)
{
    size_t B_l = s->labelled_batch < labelled_count ? s->labelled_batch : labelled_count;
    size_t B_u = s->training.batch_size < unlabelled_count ? s->training.batch_size : unlabelled_count;
    size_t p = train->dim;
    CvaeShape shape = { p, DATASET_CLASSES, s->training.hidden, s->d, ACTIVATION_RELU };
    M2 m2 = { 0 };
    Optimizer optimizer = { 0 };
    Stream labelled_stream = { 0 }, unlabelled_stream = { 0 };
    double *X = alloc_doubles((B_l + B_u) * p, err);
    unsigned char *labels = checked_calloc(B_l, 1, err);
    size_t *picked = checked_calloc(B_l + B_u, sizeof *picked, err);
    bool ok = X && labels && picked
              && m2_init(&m2, shape, s->classifier_hidden, s->alpha, s->beta, B_l, B_u, rng, err)
              && optimizer_init_adam(&optimizer, &m2.parameters, s->training.learning_rate, err)
              && stream_init(&labelled_stream, labelled, labelled_count, rng, err)
              && stream_init(&unlabelled_stream, unlabelled, unlabelled_count, rng, err);
    size_t steps = (unlabelled_count + B_u - 1) / B_u;
    for (size_t epoch = 1; ok && epoch <= s->training.epochs; epoch++) {
        M2Loss sum = { 0.0, 0.0, 0.0 };
        for (size_t step = 0; ok && step < steps; step++) {
            stream_take(&labelled_stream, picked, B_l);
            stream_take(&unlabelled_stream, picked + B_l, B_u);
            dataset_gather(X, labels, train, picked, B_l);
            dataset_gather(X + B_l * p, NULL, train, picked + B_l, B_u);
            M2Loss loss;
            double J = m2_train_step(&m2, &optimizer, &loss, X, labels, B_l, B_u, rng);
            if (!isfinite(J))
                ok = error_set(err, "epoch %zu, step %zu: J became %g", epoch, step + 1, J);
            sum.labelled += loss.labelled / (double)steps;
            sum.cross_entropy += loss.cross_entropy / (double)steps;
            sum.unlabelled += loss.unlabelled / (double)steps;
        }
        if (ok) {
            run->per_epoch[epoch - 1] = classifier_accuracy(&m2.classifier, test);
            run->last = sum;
            if (!s->common.quiet)
                printf("  M2 epoch %zu/%zu   labelled %.2f (CE %.3f)   unlabelled U %.2f   test accuracy %.4f\n",
                       epoch, s->training.epochs, sum.labelled, sum.cross_entropy, sum.unlabelled,
                       run->per_epoch[epoch - 1]);
            fflush(stdout);
        }
    }
    if (ok)
        run->accuracy = run->per_epoch[s->training.epochs - 1];
    stream_free(&labelled_stream);
    stream_free(&unlabelled_stream);
    optimizer_free(&optimizer);
    m2_free(&m2);
    free(X);
    free(labels);
    free(picked);
    return ok;
}

/* ---- the experiment ----------------------------------------------------------------------------------- */

/* Per seed: the baseline's and M2's test accuracy on the same labels. */
typedef struct Results {
    size_t seeds, epochs;
    size_t seed[MAX_SEEDS];
    double baseline[MAX_SEEDS], m2[MAX_SEEDS];
    double *m2_per_epoch; /* (seeds, epochs) */
    double ceiling;
    double seconds;
} Results;

/* One seed's labels: which digits keep theirs, and the generator the seed's runs go on with. */
typedef struct Split {
    size_t *labelled, *unlabelled;
    size_t labelled_count, unlabelled_count;
    Rng rng;
} Split;

static void splits_free(Split *splits, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        free(splits[k].labelled);
        free(splits[k].unlabelled);
    }
}

/* Each seed's labelled subset, chosen before anything is trained or printed, so that a
 * request the data cannot meet (--labels more than a class has) is refused at once. */
static bool choose_splits(Split *splits, const Results *r, const Dataset *train, const Settings *s, Error *err)
{
    size_t N = train->count, labelled_count = DATASET_CLASSES * s->per_class;
    if (labelled_count >= N)
        return error_set(err, "--labels %zu: %zu labels would leave none of the %zu training digits unlabelled",
                         s->per_class, labelled_count, N);
    for (size_t k = 0; k < r->seeds; k++) {
        Split *split = &splits[k];
        *split = (Split){ .labelled_count = labelled_count, .unlabelled_count = N - labelled_count };
        rng_seed(&split->rng, r->seed[k]);
        if (!(split->labelled = checked_calloc(labelled_count, sizeof *split->labelled, err))
            || !(split->unlabelled = checked_calloc(N - labelled_count, sizeof *split->unlabelled, err)))
            return false;
        if (!m2_label_subset(split->labelled, split->unlabelled, train->labels, N, DATASET_CLASSES, s->per_class,
                             &split->rng, err))
            return error_prefix(err, "--labels %zu", s->per_class);
    }
    return true;
}

/* The baseline and M2 on one seed's labels. */
static bool run_seed(Results *r, size_t k, Split *split, const Dataset *train, const Dataset *test, const Settings *s,
                     Error *err)
{
    M2Run m2 = { .per_epoch = r->m2_per_epoch + k * r->epochs };
    bool ok = train_classifier(&r->baseline[k], train, split->labelled, split->labelled_count, s->baseline_steps, test,
                               s, &split->rng, err);
    if (ok && !s->common.quiet)
        printf("seed %zu: %zu labelled digits; supervised baseline test accuracy %.4f\n", r->seed[k],
               split->labelled_count, r->baseline[k]);
    ok = ok && train_m2(&m2, train, split->labelled, split->labelled_count, split->unlabelled, split->unlabelled_count,
                        test, s, &split->rng, err);
    if (ok)
        r->m2[k] = m2.accuracy;
    return ok || error_prefix(err, "seed %zu", r->seed[k]);
}

/* The ceiling: the same classifier on every training digit with its label. */
static bool run_ceiling(Results *r, const Dataset *train, const Dataset *test, const Settings *s, Error *err)
{
    size_t *all = checked_calloc(train->count, sizeof *all, err);
    if (!all)
        return false;
    for (size_t n = 0; n < train->count; n++)
        all[n] = n;
    Rng rng;
    rng_seed(&rng, s->common.seed);
    size_t batch = s->labelled_batch < train->count ? s->labelled_batch : train->count;
    size_t steps = s->ceiling_epochs * ((train->count + batch - 1) / batch);
    bool ok = train_classifier(&r->ceiling, train, all, train->count, steps, test, s, &rng, err);
    free(all);
    return ok;
}

static void mean_and_sd(double *mean, double *sd, const double *x, size_t n)
{
    *mean = vector_sum(x, n) / (double)n;
    double squares = 0.0;
    for (size_t i = 0; i < n; i++)
        squares += (x[i] - *mean) * (x[i] - *mean);
    *sd = sqrt(squares / (double)(n - 1)); /* n > 1 */
}

/* The table the README shows: each seed's pair, their mean and standard deviation, the ceiling. */
static void print_table(const Results *r, const Settings *s, size_t N, size_t test_count)
{
    size_t labelled_count = DATASET_CLASSES * s->per_class;
    printf("\ntest accuracy of q(y | x) on %zu test digits; %zu labels (%zu per class) of %zu training digits\n",
           test_count, labelled_count, s->per_class, N);
    printf("  %-6s  %-26s  %s\n", "seed", "baseline (labelled only)", "M2 (labelled + unlabelled)");
    for (size_t k = 0; k < r->seeds; k++)
        printf("  %-6zu  %-26.4f  %.4f\n", r->seed[k], r->baseline[k], r->m2[k]);
    if (r->seeds > 1) { /* one seed has no spread: its row is the whole table */
        double baseline_mean, baseline_sd, m2_mean, m2_sd;
        mean_and_sd(&baseline_mean, &baseline_sd, r->baseline, r->seeds);
        mean_and_sd(&m2_mean, &m2_sd, r->m2, r->seeds);
        char baseline[64], m2[64];
        snprintf(baseline, sizeof baseline, "%.4f +- %.4f", baseline_mean, baseline_sd);
        snprintf(m2, sizeof m2, "%.4f +- %.4f", m2_mean, m2_sd);
        printf("  %-6s  %-26s  %s\n", "mean", baseline, m2);
        printf("  (+- one standard deviation over the %zu seeds)\n", r->seeds);
    }
    printf("ceiling, the same classifier on all %zu labels: %.4f\n", N, r->ceiling);
    printf("time: %.1f s\n", r->seconds);
}

static bool write_results(const Results *r, const char *path, Error *err)
{
    static const char *const columns[] = { "seed", "baseline_accuracy", "m2_accuracy", "ceiling_accuracy" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 4, err))
        return false;
    for (size_t k = 0; k < r->seeds; k++)
        csv_row(&log, (double[]){ (double)r->seed[k], r->baseline[k], r->m2[k], r->ceiling });
    return csv_close(&log, err);
}

static bool write_curves(const Results *r, const char *path, Error *err)
{
    static const char *const columns[] = { "seed", "epoch", "m2_accuracy" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 3, err))
        return false;
    for (size_t k = 0; k < r->seeds; k++)
        for (size_t e = 0; e < r->epochs; e++)
            csv_row(&log, (double[]){ (double)r->seed[k], (double)(e + 1), r->m2_per_epoch[k * r->epochs + e] });
    return csv_close(&log, err);
}

/* M2's test accuracy after each epoch against the baseline's and the ceiling's (flat: they
 * do not train by epochs), each the mean over the seeds. */
static bool plot_accuracy(const Results *r, const char *path, Error *err)
{
    size_t E = r->epochs;
    double *epoch = alloc_doubles(E, err), *m2 = alloc_doubles(E, err);
    bool ok = epoch && m2;
    for (size_t e = 0; ok && e < E; e++) {
        epoch[e] = (double)(e + 1);
        for (size_t k = 0; k < r->seeds; k++)
            m2[e] += r->m2_per_epoch[k * E + e] / (double)r->seeds;
    }
    double ends[2] = { 1.0, (double)E }, baseline = vector_sum(r->baseline, r->seeds) / (double)r->seeds;
    double baseline_line[2] = { baseline, baseline }, ceiling_line[2] = { r->ceiling, r->ceiling };
    const PlotSeries series[] = {
        { "M2 (100 labels + the unlabelled digits)", epoch, m2, E },
        { "baseline (the 100 labelled digits alone)", ends, baseline_line, 2 },
        { "ceiling (every label)", ends, ceiling_line, 2 },
    };
    char title[96];
    snprintf(title, sizeof title, "test accuracy of q(y | x), mean over %zu seed%s", r->seeds, r->seeds > 1 ? "s" : "");
    const PlotOptions options = { title, "epochs of M2", "test accuracy", false };
    ok = ok && svg_line_plot(path, &options, series, 3, err);
    free(epoch);
    free(m2);
    return ok;
}

static bool write_outputs(const Results *r, const Settings *s, Error *err)
{
    const Figure figures[] = {
        { "results.csv", "test accuracy per seed: baseline, M2, ceiling" },
        { "curves.csv", "M2's test accuracy after each epoch, per seed" },
        { "accuracy.svg", "M2's test accuracy by epoch against the baseline and the ceiling" },
    };
    char paths[3][FIGURE_PATH_SIZE];
    bool ok = make_directories(s->common.out_dir, err) && figure_paths(paths, s->common.out_dir, figures, 3, err)
              && write_results(r, paths[0], err) && write_curves(r, paths[1], err)
              && plot_accuracy(r, paths[2], err);
    if (ok && !s->common.quiet)
        print_figures(s->common.out_dir, figures, 3);
    return ok;
}

static bool run(void *settings, Error *err)
{
    const Settings *s = settings;
    Dataset train = { 0 }, test = { 0 };
    Results r = { .seeds = s->seeds, .epochs = s->training.epochs };
    Split splits[MAX_SEEDS] = { 0 };
    for (size_t k = 0; k < s->seeds; k++)
        r.seed[k] = s->common.seed + k;
    const char *dir;
    Stopwatch watch;
    stopwatch_start(&watch);
    bool ok = load_digits(&train, &test, &dir, &s->common, err) && choose_splits(splits, &r, &train, s, err)
              && (r.m2_per_epoch = alloc_doubles(s->seeds * s->training.epochs, err));
    if (ok && !s->common.quiet)
        printf("%s: %zu training and %zu test digits from %s; CVAE 784 -> %zu -> %zu, classifier 784 -> %zu -> 10, "
               "alpha %g, beta %g\n",
               PROGRAM, train.count, test.count, dir, s->training.hidden, s->d, s->classifier_hidden, s->alpha, s->beta);
    for (size_t k = 0; ok && k < s->seeds; k++)
        ok = run_seed(&r, k, &splits[k], &train, &test, s, err);
    ok = ok && run_ceiling(&r, &train, &test, s, err);
    r.seconds = stopwatch_seconds(&watch);
    if (ok && !s->common.quiet)
        print_table(&r, s, train.count, test.count);
    ok = ok && write_outputs(&r, s, err);
    splits_free(splits, s->seeds);
    free(r.m2_per_epoch);
    dataset_free(&train);
    dataset_free(&test);
    return ok;
}

int main(int argc, char **argv)
{
    Settings s = { .common = { .out_dir = "build/out/m2_mnist", .train_count = 8000, .test_count = 2000, .seed = 1 },
                   .training = { .hidden = 200, .epochs = 5, .batch_size = 50, .learning_rate = 1e-3 },
                   .d = 2, .classifier_hidden = 256, .per_class = 10, .labelled_batch = 50, .seeds = 1,
                   .baseline_steps = 300, .ceiling_epochs = 5, .alpha = 8.0, .beta = 1.0 };
    const Option options[] = {
        { "labels", OPTION_SIZE, &s.per_class, "labelled digits per class (10: the paper's 100 labels)", 1, 100000 },
        { "alpha", OPTION_DOUBLE, &s.alpha, "weight of the labelled cross-entropy in J", 0, 1e6 },
        { "beta", OPTION_DOUBLE, &s.beta, "weight of the unlabelled loss in J = L^l + beta L^u", 0, 1e6 },
        { "d", OPTION_SIZE, &s.d, "latent dimension of the CVAE", 1, 784 },
        { "classifier-hidden", OPTION_SIZE, &s.classifier_hidden, "hidden units of the classifier q(y | x)", 1, 4096 },
        { "labelled-batch", OPTION_SIZE, &s.labelled_batch, "labelled digits per step (B_l)", 1, 8000 },
        { "seeds", OPTION_SIZE, &s.seeds, "runs of the baseline and M2, seeds --seed, --seed + 1, ...", 1, MAX_SEEDS },
        { "baseline-steps", OPTION_SIZE, &s.baseline_steps, "Adam steps of the baseline on its labels", 1, 1000000 },
        { "ceiling-epochs", OPTION_SIZE, &s.ceiling_epochs, "epochs of the classifier on every label", 1, 1000 },
    };
    const Program program = {
        .name = PROGRAM,
        .description = "Semi-supervised M2 on 100 labels against the classifier trained on them alone.",
        .common = &s.common,
        .reads_mnist = true,
        .training = &s.training,
        PROGRAM_OPTIONS(options),
        .run = run,
        .settings = &s,
    };
    return program_main(&program, argc, argv);
}
