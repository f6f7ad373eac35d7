/* lib/idx.h — reading and writing IDX files, the format MNIST is distributed in.
 *
 * An IDX file is a tiny header followed by raw bytes:
 *
 *     offset  size  meaning
 *     0       4     magic: 0x00 0x00, a type code (0x08 = unsigned byte), the number of
 *                   dimensions (3 for images, 1 for labels)
 *     4       4*d   the size of each dimension, a 32-bit big-endian unsigned integer
 *     4+4*d   ...   the values in row-major order, one byte each
 *
 * Images: magic 0x00000803, dimensions (count, rows, cols), then count*rows*cols pixels
 * (0 = background, 255 = ink).  Labels: magic 0x00000801, dimension (count), then count
 * bytes.  The readers check everything before they trust it: the magic, that no
 * dimension is zero or absurd (refused before anything is allocated), and that the file
 * is exactly header + body long.  Each failure is a one-line message that starts with
 * the file's path.  Whether labels are digits 0..9 is the data set's business
 * (dataset.h), not the format's: IDX itself allows any byte.
 */
#ifndef VAELAB_IDX_H
#define VAELAB_IDX_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define IDX_MAGIC_IMAGES 0x00000803u /* unsigned bytes, 3 dimensions */
#define IDX_MAGIC_LABELS 0x00000801u /* unsigned bytes, 1 dimension */
#define IDX_MAX_SIDE 4096u           /* largest rows or cols we accept */
#define IDX_MAX_COUNT 100000000u     /* largest number of images or labels we accept */

/* A stack of grey images, one byte per pixel; image k starts at pixels + k*rows*cols. */
typedef struct IdxImages {
    size_t count, rows, cols;
    unsigned char *pixels; /* (count, rows*cols), row-major within each image */
} IdxImages;

/* One byte per item. */
typedef struct IdxLabels {
    size_t count;
    unsigned char *labels; /* (count) */
} IdxLabels;

/* Read an image file (magic 0x00000803); on failure `out` is left empty and `err` says why. */
bool idx_read_images(const char *path, IdxImages *out, Error *err);

/* Read a label file (magic 0x00000801); on failure `out` is left empty and `err` says why. */
bool idx_read_labels(const char *path, IdxLabels *out, Error *err);

/* Write images as an IDX file, atomically (via OutFile); refuses the same sizes the reader does. */
bool idx_write_images(const char *path, const IdxImages *images, Error *err);

/* Write labels as an IDX file, atomically (via OutFile). */
bool idx_write_labels(const char *path, const IdxLabels *labels, Error *err);

/* Free the pixels and empty the struct; safe on an empty or already freed one. */
void idx_free_images(IdxImages *images);

/* Free the labels and empty the struct; safe on an empty or already freed one. */
void idx_free_labels(IdxLabels *labels);

#endif
