/* lib/image.h — looking at digits: a PGM image grid and an ASCII preview.
 *
 * Pixel values are intensities in [0, 1] (0 = black background, 1 = white ink, as in
 * MNIST).  Values outside [0, 1] are clamped, so a model's raw output can be shown as is;
 * a NaN pixel is drawn mid-grey in the PGM and '?' in the ASCII preview, so a broken
 * model shows up as broken instead of as a plausible black pixel.
 *
 * The PGM grid is a binary "P5" file: every image viewer (and GIMP, ImageMagick, your
 * browser via any converter) opens it, and it needs no library to write.
 */
#ifndef VAELAB_IMAGE_H
#define VAELAB_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* The grey levels (0..255) of the grid's furniture, public so that tests can check them. */
enum {
    IMAGE_GRID_SEPARATOR = 96, /* the 1-pixel lines around every cell, and unused cells */
    IMAGE_GRID_NAN = 128       /* a NaN pixel */
};

/* Write `count` images of rows x cols pixels as one P5 PGM, laid out row by row in
 * min(grid_columns, count) columns, each cell framed by a 1-pixel separator line and every
 * pixel enlarged to scale x scale.  Grey level = round(255 * clamp(v, 0, 1)).
 * Image size: width = columns * (cols * scale + 1) + 1, height likewise with rows.
 *   images (count, rows * cols) */
bool image_grid_write_pgm(const char *path, const double *images, size_t count, size_t rows,
                          size_t cols, size_t grid_columns, size_t scale, Error *err);

/* Print the images side by side as text, darkest to brightest " .:-=+*#%@", two pixel
 * rows per text line (their average), two spaces between digits, a blank line after
 * every `per_line` digits (0 = all on one line).  A 28 x 28 digit takes 14 lines.
 *   images (count, rows * cols) */
void ascii_preview(FILE *out, const double *images, size_t count, size_t rows, size_t cols,
                   size_t per_line);

#endif
