/* lib/dataset.c — see dataset.h. */
#include "dataset.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"
#include "outfile.h"

/* The Makefile passes the absolute path of the shipped data/; a bare compile falls back
 * to "data", which works when run from the top of the repository. */
#ifndef VAELAB_DATA_DIR
#define VAELAB_DATA_DIR "data"
#endif

enum { DATASET_PATH_MAX = 1024 };

/* The most pixel values one split may become as doubles: 2^29 of them, 4 GiB (the full
 * MNIST training set is 60000 x 784 = 47 million). */
#define DATASET_MAX_VALUES ((size_t)1 << 29)

/* The standard MNIST file names, indexed by DatasetSplit. */
static const char *const image_file_names[] = {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"};
static const char *const label_file_names[] = {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"};

const char *dataset_split_name(DatasetSplit split)
{
    return split == DATASET_TRAIN ? "training" : "test";
}

const char *dataset_default_directory(const char *flag_value)
{
    if (flag_value && flag_value[0])
        return flag_value;
    const char *environment = getenv("MNIST_DIR");
    if (environment && environment[0])
        return environment;
    return VAELAB_DATA_DIR;
}

/* When `path` does not exist, replace the reader's bare "No such file" with advice:
 * a gzipped copy beside it (how MNIST and Debian's Fashion-MNIST come) or, failing
 * that, how to point vaelab at the right directory. */
static void explain_missing_file(const char *path, Error *err)
{
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return; /* it exists, or is unreachable for another reason: the reader's message says which */
    char gzipped[DATASET_PATH_MAX + 4];
    snprintf(gzipped, sizeof gzipped, "%s.gz", path);
    if (access(gzipped, F_OK) == 0)
        error_set(err, "%s: not found, but %s is: it is gzip-compressed; run gunzip -k on it first",
                  path, gzipped);
    else
        error_set(err, "cannot open %s: no such file (use --data DIR or MNIST_DIR to point at a "
                  "directory holding the MNIST IDX files)", path);
}

/* IDX allows any byte as a label; our data sets have the ten classes 0..9. */
static bool check_labels_are_digits(const char *path, const IdxLabels *labels, Error *err)
{
    for (size_t n = 0; n < labels->count; n++) {
        if (labels->labels[n] >= DATASET_CLASSES)
            return error_set(err, "%s: label %u at position %zu is not a digit 0..9", path,
                             (unsigned)labels->labels[n], n);
    }
    return true;
}

/* Read and cross-check the image file and label file of one split. */
static bool read_split(const char *directory, DatasetSplit split, IdxImages *images,
                       IdxLabels *labels, Error *err)
{
    char image_path[DATASET_PATH_MAX], label_path[DATASET_PATH_MAX];
    if (!join_path(image_path, sizeof image_path, directory, image_file_names[split], err) ||
        !join_path(label_path, sizeof label_path, directory, label_file_names[split], err))
        return false;
    if (!idx_read_images(image_path, images, err)) {
        explain_missing_file(image_path, err);
        return false;
    }
    if (!idx_read_labels(label_path, labels, err)) {
        explain_missing_file(label_path, err);
        return false;
    }
    if (labels->count != images->count)
        return error_set(err, "%s holds %zu labels but %s holds %zu images: they must match",
                         label_path, labels->count, image_path, images->count);
    return check_labels_are_digits(label_path, labels, err);
}

/* x = byte / 255 for the first `count` images: the grey levels as numbers in [0, 1]. */
static void bytes_to_unit_interval(double *images /* (count, dim) */,
                                   const unsigned char *pixels /* (count, dim) */, size_t total)
{
    for (size_t i = 0; i < total; i++)
        images[i] = pixels[i] / 255.0;
}

bool dataset_load(Dataset *out, const char *directory, DatasetSplit split, size_t limit, Error *err)
{
    *out = (Dataset){0};
    IdxImages images = {0};
    IdxLabels labels = {0};
    bool ok = read_split(directory, split, &images, &labels, err);
    if (ok) {
        size_t count = limit != 0 && limit < images.count ? limit : images.count;
        size_t dim = images.rows * images.cols;
        double *values = NULL; /* count * dim bytes fit: they were read */
        if (count * dim > DATASET_MAX_VALUES)
            error_set(err, "%zu images of %zu x %zu pixels are %.1f GB as numbers, more than vaelab takes "
                      "(%.1f GB): take fewer with --train or --test", count, images.rows, images.cols,
                      8e-9 * (double)(count * dim), 8e-9 * (double)DATASET_MAX_VALUES);
        else
            values = alloc_doubles(count * dim, err);
        if (values) {
            bytes_to_unit_interval(values, images.pixels, count * dim);
            /* Keep the label bytes as read; only the first `count` are ever looked at. */
            *out = (Dataset){.count = count, .rows = images.rows, .cols = images.cols,
                             .dim = dim, .images = values, .labels = labels.labels};
            labels.labels = NULL;
        } else {
            ok = false;
        }
    }
    if (!ok)
        error_prefix(err, "loading the %s set", dataset_split_name(split));
    idx_free_images(&images);
    idx_free_labels(&labels);
    return ok;
}

void dataset_free(Dataset *data)
{
    free(data->images);
    free(data->labels);
    *data = (Dataset){0};
}

void dataset_gather(double *batch, unsigned char *batch_labels, const Dataset *data,
                    const size_t *indices, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert(indices[i] < data->count);
        memcpy(batch + i * data->dim, data->images + indices[i] * data->dim,
               data->dim * sizeof *batch);
        if (batch_labels)
            batch_labels[i] = data->labels[indices[i]];
    }
}
