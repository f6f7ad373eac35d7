/* lib/train.h — the mini-batch loop every chapter trains and evaluates with.
 *
 * One epoch visits the N examples of a data set once, in mini-batches of B, in a
 * shuffled order when training (plain order when evaluating), and averages the batch
 * losses weighted by batch size:  L = (1/N) sum_batches B_k L_k.
 * What a batch does (a forward pass only, or forward, backward and an optimiser step)
 * is the chapter's business: it hands in a BatchFunction.
 * A loss that is not finite stops the loop with an error that says where, so a program
 * never trains on after a NaN.
 */
#ifndef VAELAB_TRAIN_H
#define VAELAB_TRAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset.h"
#include "error.h"
#include "rng.h"

/* The loss of one mini-batch X (B, dim) with its labels (B), after whatever update the
 * function makes. `context` is the chapter's model. */
typedef double (*BatchFunction)(void *context, const double *X, const unsigned char *labels, size_t B);

typedef struct EpochOptions {
    size_t batch_size;          /* B; the last batch may be smaller */
    Rng *shuffle;               /* shuffles the order when not NULL (training) */
    const char *progress_label; /* draws a progress bar on a terminal when not NULL */
} EpochOptions;

/* mean_loss <- (1/N) sum_k B_k L_k over one pass through `data`. */
bool run_epoch(double *mean_loss, const Dataset *data, BatchFunction batch_function, void *context,
               const EpochOptions *options, Error *err);

/* ---- fitting a model for several epochs ------------------------------------------ */

typedef struct FitOptions {
    size_t epochs;
    size_t batch_size;
    Rng *shuffle;        /* the order of the training examples, epoch after epoch */
    const char *what;    /* the loss's name in the progress lines, e.g. "||x - xhat||^2" */
    bool quiet;          /* no progress lines */
} FitOptions;

typedef struct FitHistory {
    size_t epochs;        /* how many were run */
    double *train_loss;   /* (epochs) mean training loss during each epoch */
    double *test_loss;    /* (epochs) mean test loss after each epoch */
    double seconds;       /* wall time of the whole fit */
} FitHistory;

/* For each epoch: one training pass (train_batch on shuffled mini-batches), then one
 * evaluation pass over `test` (test_batch, which must not update the model), and a line
 *     epoch  3/10   train 23.412   test 24.101   (4.1 s)
 * on stdout. The history is allocated here; free it with fit_history_free. */
bool fit(FitHistory *history, const Dataset *train, const Dataset *test, BatchFunction train_batch,
         BatchFunction test_batch, void *context, const FitOptions *options, Error *err);
void fit_history_free(FitHistory *history);

/* Write the learning curves as out_dir/loss.svg (train and test per epoch) and
 * out_dir/log.csv (epoch, train, test), each atomically. */
bool fit_history_write(const FitHistory *history, const char *out_dir, const char *title,
                       const char *loss_label, Error *err);

#endif
