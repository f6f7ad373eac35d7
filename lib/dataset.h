/* lib/dataset.h — the digits every program trains and tests on.
 *
 * A data set is a directory holding the four standard MNIST files (idx.h):
 *
 *     train-images-idx3-ubyte  train-labels-idx1-ubyte   (DATASET_TRAIN)
 *     t10k-images-idx3-ubyte   t10k-labels-idx1-ubyte    (DATASET_TEST)
 *
 * vaelab ships a 10,000-digit subset of MNIST in data/ (see data/README.md); the full
 * MNIST or Fashion-MNIST work unchanged when a program is pointed at their directory
 * with --data DIR or the environment variable MNIST_DIR.  Loading turns each pixel byte
 * into x = byte / 255 in [0, 1], the scale the lectures' Bernoulli decoder expects, and
 * checks what the IDX format does not: that images and labels agree in number and that
 * every label is a class 0..9.
 */
#ifndef VAELAB_DATASET_H
#define VAELAB_DATASET_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DATASET_CLASSES 10 /* labels are 0..9 */

/* Which half of the data set: the training files or the test ("t10k") files. */
typedef enum DatasetSplit { DATASET_TRAIN, DATASET_TEST } DatasetSplit;

/* `count` images of rows x cols pixels, flattened to dim = rows * cols, with their labels. */
typedef struct Dataset {
    size_t count, rows, cols, dim;
    double *images;        /* (count, dim): x[n][j] = pixel byte / 255, in [0, 1] */
    unsigned char *labels; /* (count): the digit shown, 0..9 */
} Dataset;

/* Load one split from `directory`; limit = 0 loads every image, otherwise the first
 * min(limit, all) of them.  On failure `out` is left empty and `err` says why. */
bool dataset_load(Dataset *out, const char *directory, DatasetSplit split, size_t limit, Error *err);

/* Free the arrays and empty the struct; safe on an empty or already freed one. */
void dataset_free(Dataset *data);

/* Where the data lives: `flag_value` if given (--data), else $MNIST_DIR if set and not
 * empty, else the shipped data/ directory (VAELAB_DATA_DIR, set by the Makefile). */
const char *dataset_default_directory(const char *flag_value);

/* "training" or "test", for messages. */
const char *dataset_split_name(DatasetSplit split);

/* Copy a mini-batch: batch[i] = images[indices[i]] and, if batch_labels is not NULL,
 * batch_labels[i] = labels[indices[i]], for i < n.  Indices must be < data->count. */
void dataset_gather(double *batch /* (n, dim) */, unsigned char *batch_labels /* (n) or NULL */,
                    const Dataset *data, const size_t *indices /* (n) */, size_t n);

#endif
