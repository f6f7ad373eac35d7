/* lib/image.c — see image.h. */
#include "image.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "outfile.h"

/* Where everything sits in the grid picture; all lengths in output pixels. */
typedef struct GridLayout {
    size_t rows, cols, scale; /* one image: rows x cols pixels, each drawn scale x scale */
    size_t columns;           /* cells per grid row */
    size_t cell_width;        /* cols * scale + 1: the image plus the separator on its left */
    size_t cell_height;       /* rows * scale + 1: the image plus the separator above it */
    size_t width, height;     /* the whole picture, including the closing separator lines */
} GridLayout;

/* *result = cells * (pixels * scale + 1) + 1, or false if that does not fit a size_t. */
static bool grid_length(size_t *result, size_t cells, size_t pixels, size_t scale)
{
    if (pixels > (SIZE_MAX - 1) / scale)
        return false;
    size_t cell = pixels * scale + 1;
    if (cells > (SIZE_MAX - 1) / cell)
        return false;
    *result = cells * cell + 1;
    return true;
}

static bool grid_layout(GridLayout *layout, size_t count, size_t rows, size_t cols,
                        size_t grid_columns, size_t scale, Error *err)
{
    if (count == 0 || rows == 0 || cols == 0 || grid_columns == 0 || scale == 0)
        return error_set(err, "image grid: count, rows, cols, grid columns and scale must all be "
                              "positive (got %zu, %zu, %zu, %zu, %zu)",
                         count, rows, cols, grid_columns, scale);
    layout->rows = rows;
    layout->cols = cols;
    layout->scale = scale;
    /* Fewer images than columns: do not draw a row of empty cells. */
    layout->columns = grid_columns < count ? grid_columns : count;
    size_t grid_rows = (count + layout->columns - 1) / layout->columns;
    layout->cell_width = cols * scale + 1;
    layout->cell_height = rows * scale + 1;
    if (!grid_length(&layout->width, layout->columns, cols, scale) ||
        !grid_length(&layout->height, grid_rows, rows, scale))
        return error_set(err, "image grid of %zu images of %zux%zu at scale %zu is too large",
                         count, rows, cols, scale);
    return true;
}

/* Grey level of one intensity: clamp to [0, 1], scale to 0..255, round; NaN is mid-grey. */
static unsigned char grey_level(double value)
{
    if (isnan(value))
        return IMAGE_GRID_NAN;
    if (value <= 0.0)
        return 0;
    if (value >= 1.0)
        return 255;
    return (unsigned char)lround(255.0 * value);
}

/* Fill `line` (layout->width bytes) with output row y of the grid picture. */
static void grid_render_line(unsigned char *line, const GridLayout *layout, const double *images,
                             size_t count, size_t y)
{
    size_t grid_row = y / layout->cell_height;
    size_t y_in_cell = y % layout->cell_height; /* 0 is the separator line above the cell */
    for (size_t x = 0; x < layout->width; x++) {
        size_t grid_column = x / layout->cell_width;
        size_t x_in_cell = x % layout->cell_width;
        size_t image = grid_row * layout->columns + grid_column;
        bool on_separator = y_in_cell == 0 || x_in_cell == 0 || grid_column >= layout->columns;
        if (on_separator || image >= count) {
            line[x] = IMAGE_GRID_SEPARATOR;
            continue;
        }
        size_t pixel_row = (y_in_cell - 1) / layout->scale;
        size_t pixel_col = (x_in_cell - 1) / layout->scale;
        line[x] = grey_level(images[image * layout->rows * layout->cols +
                                    pixel_row * layout->cols + pixel_col]);
    }
}

bool image_grid_write_pgm(const char *path, const double *images, size_t count, size_t rows,
                          size_t cols, size_t grid_columns, size_t scale, Error *err)
{
    GridLayout layout = { 0 }; /* zeroed only to quiet gcc, which cannot see that error_set() returns false */
    if (!grid_layout(&layout, count, rows, cols, grid_columns, scale, err))
        return error_prefix(err, "%s", path);
    unsigned char *line = checked_calloc(layout.width, 1, err);
    if (!line)
        return error_prefix(err, "%s", path);
    OutFile out;
    if (!outfile_open(&out, path, err)) {
        free(line);
        return false;
    }
    /* P5 header: magic, width, height, largest grey level; then height rows of bytes. */
    fprintf(out.stream, "P5\n%zu %zu\n255\n", layout.width, layout.height);
    for (size_t y = 0; y < layout.height; y++) {
        grid_render_line(line, &layout, images, count, y);
        fwrite(line, 1, layout.width, out.stream);
    }
    free(line);
    return outfile_commit(&out, err); /* write errors are caught here, via ferror */
}

/* ---- ASCII preview --------------------------------------------------------------- */

static const char ascii_ramp[] = " .:-=+*#%@"; /* darkest to brightest, 10 levels */

/* The ramp character of one intensity: 10 equal bins over [0, 1]; NaN shows as '?'. */
static char ascii_shade(double value)
{
    const int levels = (int)sizeof ascii_ramp - 1;
    if (isnan(value))
        return '?';
    if (value <= 0.0)
        return ascii_ramp[0];
    if (value >= 1.0)
        return ascii_ramp[levels - 1];
    int level = (int)(value * levels);
    return ascii_ramp[level < levels ? level : levels - 1];
}

/* Print text line `line` of one image: the average of pixel rows 2*line and 2*line + 1
 * (only the first when the image has an odd number of rows and this is the last line).
 *   image (rows * cols) */
static void ascii_image_line(FILE *out, const double *image, size_t rows, size_t cols, size_t line)
{
    size_t top = 2 * line;
    bool has_pair = top + 1 < rows;
    for (size_t c = 0; c < cols; c++) {
        double value = image[top * cols + c];
        if (has_pair)
            value = 0.5 * (value + image[(top + 1) * cols + c]);
        fputc(ascii_shade(value), out);
    }
}

void ascii_preview(FILE *out, const double *images, size_t count, size_t rows, size_t cols,
                   size_t per_line)
{
    if (per_line == 0)
        per_line = count;
    size_t text_lines = (rows + 1) / 2;
    for (size_t first = 0; first < count; first += per_line) {
        size_t last = first + per_line < count ? first + per_line : count;
        if (first > 0)
            fputc('\n', out); /* a blank line between blocks of digits */
        for (size_t line = 0; line < text_lines; line++) {
            for (size_t image = first; image < last; image++) {
                if (image > first)
                    fputs("  ", out);
                ascii_image_line(out, images + image * rows * cols, rows, cols, line);
            }
            fputc('\n', out);
        }
    }
}
