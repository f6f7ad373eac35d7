/* lib/train.c — see train.h. */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "csv.h"
#include "exercise.h"
#include "outfile.h"
#include "plot.h"
#include "progress.h"

/* The likeliest cause of a loss that is not finite: a stub, or too large a step. */
static const char *why_not_finite(void)
{
    return exercise_first_stub_hit() ? "an exercise it needs is not implemented yet"
                                     : "try a smaller learning rate";
}

bool run_epoch(double *mean_loss, const Dataset *data, BatchFunction batch_function, void *context,
               const EpochOptions *options, Error *err)
{
    size_t N = data->count, B = options->batch_size;
    if (N == 0 || B == 0)
        return error_set(err, "an epoch needs examples and a batch size above 0");
    size_t *order = checked_calloc(N, sizeof *order, err);
    double *X = alloc_doubles(B * data->dim, err);
    unsigned char *labels = checked_calloc(B, 1, err);
    bool ok = order && X && labels;
    double total = 0.0;
    Progress progress;
    if (ok && options->progress_label)
        progress_start(&progress, stderr, options->progress_label, N);
    for (size_t i = 0; ok && i < N; i++)
        order[i] = i;
    if (ok && options->shuffle)
        rng_shuffle(options->shuffle, order, N);
    for (size_t start = 0; ok && start < N; start += B) {
        size_t batch = start + B <= N ? B : N - start;
        dataset_gather(X, labels, data, order + start, batch);
        double loss = batch_function(context, X, labels, batch);
        if (!isfinite(loss))
            ok = error_set(err, "the loss became %s at example %zu of %zu (%s)", isnan(loss) ? "NaN" : "infinite",
                           start + 1, N, why_not_finite());
        total += (double)batch * loss;
        if (options->progress_label)
            progress_update(&progress, start + batch);
    }
    if (order && X && labels && options->progress_label)
        progress_finish(&progress);
    free(order);
    free(X);
    free(labels);
    *mean_loss = total / (double)N;
    return ok;
}

void fit_history_free(FitHistory *history)
{
    free(history->train_loss);
    free(history->test_loss);
    *history = (FitHistory){ 0 };
}

bool fit(FitHistory *history, const Dataset *train, const Dataset *test, BatchFunction train_batch,
         BatchFunction test_batch, void *context, const FitOptions *options, Error *err)
{
    *history = (FitHistory){ 0 };
    history->train_loss = alloc_doubles(options->epochs, err);
    history->test_loss = alloc_doubles(options->epochs, err);
    if (!history->train_loss || !history->test_loss) {
        fit_history_free(history);
        return false;
    }
    Stopwatch watch;
    stopwatch_start(&watch);
    for (size_t epoch = 1; epoch <= options->epochs; epoch++) {
        char label[64];
        snprintf(label, sizeof label, "epoch %zu/%zu", epoch, options->epochs);
        EpochOptions training = { options->batch_size, options->shuffle, options->quiet ? NULL : label };
        EpochOptions evaluation = { options->batch_size, NULL, NULL };
        double *train_loss = &history->train_loss[epoch - 1];
        double *test_loss = &history->test_loss[epoch - 1];
        if (!run_epoch(train_loss, train, train_batch, context, &training, err)
            || !run_epoch(test_loss, test, test_batch, context, &evaluation, err))
            return error_prefix(err, "epoch %zu", epoch);
        history->epochs = epoch;
        if (!options->quiet)
            printf("epoch %3zu/%zu   train %s %9.4f   test %9.4f   (%.1f s)\n", epoch, options->epochs,
                   options->what, *train_loss, *test_loss, stopwatch_seconds(&watch));
        fflush(stdout);
    }
    history->seconds = stopwatch_seconds(&watch);
    return true;
}

static bool write_loss_csv(const FitHistory *history, const char *path, Error *err)
{
    static const char *const columns[] = { "epoch", "train_loss", "test_loss" };
    CsvLog log;
    if (!csv_open(&log, path, columns, 3, err))
        return false;
    for (size_t e = 0; e < history->epochs; e++) {
        double row[3] = { (double)(e + 1), history->train_loss[e], history->test_loss[e] };
        csv_row(&log, row);
    }
    return csv_close(&log, err);
}

bool fit_history_write(const FitHistory *history, const char *out_dir, const char *title,
                       const char *loss_label, Error *err)
{
    char svg_path[1024], csv_path[1024];
    double *epochs = alloc_doubles(history->epochs, err);
    if (!epochs)
        return false;
    for (size_t e = 0; e < history->epochs; e++)
        epochs[e] = (double)(e + 1);
    PlotSeries series[2] = {
        { "train", epochs, history->train_loss, history->epochs },
        { "test", epochs, history->test_loss, history->epochs },
    };
    PlotOptions plot = { title, "epoch", loss_label, false };
    bool ok = join_path(svg_path, sizeof svg_path, out_dir, "loss.svg", err)
              && join_path(csv_path, sizeof csv_path, out_dir, "log.csv", err)
              && svg_line_plot(svg_path, &plot, series, 2, err) && write_loss_csv(history, csv_path, err);
    free(epochs);
    return ok;
}
