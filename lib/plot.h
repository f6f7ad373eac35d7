/* lib/plot.h — line plots, scatter plots and bar plots as hand-written SVG.
 *
 * SVG is plain text (XML) that every browser displays, so a figure needs no plotting
 * library: we compute where each point goes and print <path>, <circle> and <text>
 * elements.  Both plots share one frame: "nice" axis limits and ticks (1, 2 or 5 times a
 * power of ten), light grid lines, a title, axis labels and a legend to the right.
 *
 * Points that cannot be drawn are skipped: NaN and +-inf (and anything beyond +-1e300),
 * and y <= 0 on a log axis; a line is broken there rather than bridged.  If nothing
 * drawable is left, the plot fails with an error instead of writing an empty frame.
 */
#ifndef VAELAB_PLOT_H
#define VAELAB_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* What the frame says; any text may be NULL (then it is left out).  XML special
 * characters in the texts are escaped, so "p(x|z) < 1 & q" is fine. */
typedef struct PlotOptions {
    const char *title, *x_label, *y_label;
    bool log_y; /* logarithmic y axis, for losses that fall over orders of magnitude */
} PlotOptions;

/* One curve of a line plot: the points (x[i], y[i]), joined in order. */
typedef struct PlotSeries {
    const char *label; /* legend text, or NULL for no legend entry */
    const double *x;   /* (count) */
    const double *y;   /* (count) */
    size_t count;
} PlotSeries;

/* Draw the series as lines in distinct colour-blind-friendly colours, with a marker on
 * every point of a short series (up to 40 points), into an SVG file at `path`. */
bool svg_line_plot(const char *path, const PlotOptions *options, const PlotSeries *series,
                   size_t series_count, Error *err);

/* Draw points (x, y) as dots coloured by their label (digit 0..9), with a legend of the
 * labels that occur; labels == NULL draws every dot in one colour without a legend.
 *   points (count, 2), labels (count) */
bool svg_scatter_plot(const char *path, const PlotOptions *options, const double *points,
                      const unsigned char *labels, size_t count, Error *err);

/* Grouped bars, for values at categories (a latent unit, say): series s has a bar from 0
 * to y[i] at x[i], the series side by side around each x, in the line plot's colours, on
 * a linear y axis that includes 0. The groups are 0.8 times the spacing of series 0's
 * successive x wide (0.8 with one category). log_y is refused. */
bool svg_bar_plot(const char *path, const PlotOptions *options, const PlotSeries *series,
                  size_t series_count, Error *err);

#endif
