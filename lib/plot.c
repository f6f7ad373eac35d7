/* lib/plot.c — see plot.h.
 *
 * Every plot is drawn in the same steps: find the extent of the drawable data, fit
 * "nice" axes around it, lay out the frame (the plot area has a fixed size; the legend
 * widens the picture), then print the frame, the data and the legend as SVG elements.
 */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outfile.h"

/* ---- colours --------------------------------------------------------------------- */

/* Okabe & Ito's colour-blind-safe palette (without its yellow, too pale on white),
 * completed to ten with three colours from Paul Tol's palettes; series i and digit i
 * use palette[i % 10]. */
static const char *const palette[10] = {
    "#0072B2", /* blue */
    "#D55E00", /* vermillion */
    "#009E73", /* bluish green */
    "#CC79A7", /* reddish purple */
    "#E69F00", /* orange */
    "#56B4E9", /* sky blue */
    "#000000", /* black */
    "#882255", /* wine */
    "#999933", /* olive */
    "#888888", /* grey */
};
enum { PALETTE_SIZE = sizeof palette / sizeof palette[0] };

/* ---- layout (SVG user units = pixels) ----------------------------------------------- */

enum {
    PLOT_AREA_WIDTH = 560,
    PLOT_AREA_HEIGHT = 360,
    MARGIN_LEFT = 84,   /* y tick labels and the rotated y label */
    MARGIN_TOP = 48,    /* the title */
    MARGIN_BOTTOM = 60, /* x tick labels and the x label */
    MARGIN_RIGHT = 24,  /* without a legend */
    LEGEND_GAP = 20,    /* from the plot area to the legend */
    LEGEND_ROW = 20,    /* vertical distance between legend entries */
    LEGEND_SWATCH = 24, /* width of the line (or room for the dot) before a legend text */
    CHAR_WIDTH = 7,     /* rough width of one character at font-size 12 */
    MAX_LABEL_CHARS = 40,
    MARKER_MAX_POINTS = 40, /* series this short get a marker on every point */
    AXIS_MAX_TICKS = 32
};

/* ---- axes ------------------------------------------------------------------------ */

typedef struct Axis {
    bool log;                      /* positions follow log10(value) */
    double low, high;              /* the axis limits: the outermost ticks */
    double ticks[AXIS_MAX_TICKS];  /* tick values, increasing */
    size_t tick_count;
} Axis;

/* The smallest and largest drawable value seen, how many there were, and whether all
 * of them were whole numbers (epochs, steps: then the ticks should be whole too). */
typedef struct Extent {
    double min, max;
    size_t count;
    bool all_whole;
} Extent;

/* NaN and +-inf cannot be placed; neither can y <= 0 on a log axis.  Beyond 1e300 (or
 * below 1e-300 on a log axis) a value is as good as infinite for a plot, and skipping it
 * keeps the axis arithmetic (max - min, 10^k) clear of overflow. */
static bool drawable(double value, bool log)
{
    return isfinite(value) && fabs(value) <= 1e300 && (!log || value >= 1e-300);
}

static void extent_add(Extent *extent, double value)
{
    if (extent->count == 0 || value < extent->min)
        extent->min = value;
    if (extent->count == 0 || value > extent->max)
        extent->max = value;
    extent->all_whole = (extent->count == 0 || extent->all_whole) && value == floor(value);
    extent->count++;
}

/* A step of 1, 2 or 5 times a power of ten close to `raw` (> 0): people read such ticks
 * at a glance, where 0.37, 0.74, 1.11 would need arithmetic. */
static double nice_step(double raw)
{
    double power = pow(10.0, floor(log10(raw)));
    double fraction = raw / power; /* in [1, 10) */
    double nice = fraction < 1.5 ? 1.0 : fraction < 3.5 ? 2.0 : fraction < 7.5 ? 5.0 : 10.0;
    return nice * power;
}

static void axis_add_tick(Axis *axis, double value)
{
    if (axis->tick_count < AXIS_MAX_TICKS)
        axis->ticks[axis->tick_count++] = value + 0.0; /* + 0.0 turns -0 into 0 */
}

/* True when [min, max] is too narrow to spread ticks over (a constant series, say). */
static bool extent_is_flat(double min, double max)
{
    return max - min <= 1e-9 * fmax(fabs(min), fabs(max));
}

/* Linear axis: about five steps of a nice size, the limits on whole steps around the data;
 * whole-numbered data (epochs) never gets a step below 1, so no tick says "epoch 2.5". */
static void axis_fit_linear(Axis *axis, double min, double max, bool whole)
{
    if (extent_is_flat(min, max)) {
        double pad = min == 0.0 ? 1.0 : 0.1 * fabs(min);
        min -= pad;
        max += pad;
    }
    double step = nice_step((max - min) / 5.0);
    if (whole && step < 1.0)
        step = 1.0;
    /* The 1e-9 keeps 0.3 / 0.1 = 2.9999999999999996 from adding a step below the data. */
    double first = floor(min / step + 1e-9), last = ceil(max / step - 1e-9);
    axis->log = false;
    axis->tick_count = 0;
    for (double index = first; index <= last + 0.5 && axis->tick_count < AXIS_MAX_TICKS; index++)
        axis_add_tick(axis, index * step);
    axis->low = axis->ticks[0];
    axis->high = axis->ticks[axis->tick_count - 1];
}

/* Log axis: ticks at 1, 2, 5 x 10^k when the data spans at most three decades, at every
 * decade (or every few decades) beyond that; the limits are the ticks around the data. */
static void axis_fit_log(Axis *axis, double min, double max)
{
    if (extent_is_flat(min, max)) {
        min /= 1.5;
        max *= 1.5;
    }
    double low_exponent = floor(log10(min)), high_exponent = ceil(log10(max));
    double decades = high_exponent - low_exponent;
    static const double all_mantissas[] = { 1.0, 2.0, 5.0 };
    size_t mantissa_count = decades <= 3.0 ? 3 : 1;
    double decade_stride = decades > 10.0 ? ceil(decades / 8.0) : 1.0;
    low_exponent = floor(low_exponent / decade_stride) * decade_stride;

    /* Walk the candidate ticks upwards; restart the list at every candidate still at or
     * below the data (a tighter lower limit), stop at the first one at or above it. */
    axis->log = true;
    axis->tick_count = 0;
    for (double exponent = low_exponent; axis->tick_count < AXIS_MAX_TICKS; exponent += decade_stride) {
        for (size_t m = 0; m < mantissa_count; m++) {
            double candidate = all_mantissas[m] * pow(10.0, exponent);
            if (candidate <= min * (1.0 + 1e-9))
                axis->tick_count = 0;
            axis_add_tick(axis, candidate);
            if (candidate >= max * (1.0 - 1e-9)) {
                axis->low = axis->ticks[0];
                axis->high = axis->ticks[axis->tick_count - 1];
                return;
            }
        }
    }
    axis->low = axis->ticks[0]; /* not reached: 10^ceil(log10(max)) >= max ends the walk */
    axis->high = axis->ticks[axis->tick_count - 1];
}

static bool axis_is_usable(const Axis *axis)
{
    return axis->tick_count >= 2 && isfinite(axis->low) && isfinite(axis->high) &&
           axis->low < axis->high && (!axis->log || axis->low > 0.0);
}

static void axis_fit(Axis *axis, const Extent *extent, bool log)
{
    if (log)
        axis_fit_log(axis, extent->min, extent->max);
    else
        axis_fit_linear(axis, extent->min, extent->max, extent->all_whole);
    if (axis_is_usable(axis))
        return;
    /* Tiny ranges near the smallest doubles (0 to 5e-324, say) defeat the arithmetic
     * above; then the axis just spans the data, with a tick at each end. */
    double low = extent->min, high = extent->max;
    if (!(low < high)) {
        low = log ? low / 2.0 : low - fmax(1.0, fabs(low) / 2.0);
        high = log ? high * 2.0 : high + fmax(1.0, fabs(high) / 2.0);
    }
    axis->ticks[0] = axis->low = low;
    axis->ticks[1] = axis->high = high;
    axis->tick_count = 2;
}

/* Where `value` falls along the axis, from 0 (low) to 1 (high). */
static double axis_fraction(const Axis *axis, double value)
{
    if (axis->log)
        return (log10(value) - log10(axis->low)) / (log10(axis->high) - log10(axis->low));
    return (value - axis->low) / (axis->high - axis->low);
}

/* A tick label: at most six significant digits, so 3 * 0.1 prints as 0.3; an exponent
 * loses its '+' and leading zeros (1e-05 becomes 1e-5, 1e+06 becomes 1e6). */
static void format_tick(char *buffer, size_t size, double value)
{
    snprintf(buffer, size, "%.6g", value);
    char *exponent = strchr(buffer, 'e');
    if (!exponent)
        return;
    char *digits = exponent + 1;
    if (*digits == '-')
        digits++;
    size_t skip = strspn(digits, "+0");
    if (digits[skip] == '\0')
        skip--; /* keep one digit */
    memmove(digits, digits + skip, strlen(digits + skip) + 1);
}

/* ---- the frame ----------------------------------------------------------------------- */

typedef struct Frame {
    Axis x, y;
    double left, top;          /* corner of the plot area */
    double width, height;      /* of the plot area */
    double legend_width;       /* 0 without a legend */
    double total_width, total_height;
} Frame;

static double frame_x(const Frame *frame, double value)
{
    return frame->left + frame->width * axis_fraction(&frame->x, value);
}

static double frame_y(const Frame *frame, double value)
{
    return frame->top + frame->height * (1.0 - axis_fraction(&frame->y, value)); /* SVG y grows down */
}

/* Lay out the picture for data in x_extent, y_extent and a legend whose longest text has
 * `longest_label` characters (0: no legend). */
static void frame_layout(Frame *frame, const Extent *x_extent, const Extent *y_extent, bool log_y,
                         size_t longest_label)
{
    axis_fit(&frame->x, x_extent, false);
    axis_fit(&frame->y, y_extent, log_y);
    if (longest_label > MAX_LABEL_CHARS)
        longest_label = MAX_LABEL_CHARS;
    frame->left = MARGIN_LEFT;
    frame->top = MARGIN_TOP;
    frame->width = PLOT_AREA_WIDTH;
    frame->height = PLOT_AREA_HEIGHT;
    frame->legend_width =
        longest_label ? LEGEND_GAP + LEGEND_SWATCH + 8 + CHAR_WIDTH * (double)longest_label : 0.0;
    frame->total_width = MARGIN_LEFT + PLOT_AREA_WIDTH + frame->legend_width + MARGIN_RIGHT;
    frame->total_height = MARGIN_TOP + PLOT_AREA_HEIGHT + MARGIN_BOTTOM;
}

/* Text in XML must not contain a raw <, >, &, " or ': write them as entities. */
static void write_escaped(FILE *out, const char *text)
{
    for (; *text; text++) {
        switch (*text) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fputc(*text, out);
        }
    }
}

/* <text x y [attributes]>escaped text</text>; nothing for a NULL text. */
static void write_text(FILE *out, double x, double y, const char *attributes, const char *text)
{
    if (!text)
        return;
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attributes);
    write_escaped(out, text);
    fputs("</text>\n", out);
}

static void write_svg_start(FILE *out, const Frame *frame)
{
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
            frame->total_width, frame->total_height, frame->total_width, frame->total_height);
    fputs("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n", out);
}

/* <line .../> from (x1, y1) to (x2, y2) with extra attributes (stroke, ...). */
static void write_line(FILE *out, double x1, double y1, double x2, double y2, const char *attributes)
{
    fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" %s/>\n", x1, y1, x2, y2,
            attributes);
}

/* Grid lines, tick marks and tick labels of both axes. */
static void write_ticks(FILE *out, const Frame *frame)
{
    double bottom = frame->top + frame->height, right = frame->left + frame->width;
    char label[64];
    for (size_t i = 0; i < frame->x.tick_count; i++) {
        double x = frame_x(frame, frame->x.ticks[i]);
        write_line(out, x, frame->top, x, bottom, "stroke=\"#e4e4e4\""); /* grid */
        write_line(out, x, bottom, x, bottom + 5, "stroke=\"black\"");    /* tick */
        format_tick(label, sizeof label, frame->x.ticks[i]);
        write_text(out, x, bottom + 19, "text-anchor=\"middle\"", label);
    }
    for (size_t i = 0; i < frame->y.tick_count; i++) {
        double y = frame_y(frame, frame->y.ticks[i]);
        write_line(out, frame->left, y, right, y, "stroke=\"#e4e4e4\"");
        write_line(out, frame->left - 5, y, frame->left, y, "stroke=\"black\"");
        format_tick(label, sizeof label, frame->y.ticks[i]);
        write_text(out, frame->left - 8, y + 4, "text-anchor=\"end\"", label);
    }
}

/* Everything but the data and the legend: background, grid, ticks, box, title, labels. */
static void write_frame(FILE *out, const Frame *frame, const PlotOptions *options)
{
    write_svg_start(out, frame);
    write_ticks(out, frame);
    fprintf(out,
            "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"black\"/>\n",
            frame->left, frame->top, frame->width, frame->height);
    double centre_x = frame->left + frame->width / 2, centre_y = frame->top + frame->height / 2;
    write_text(out, centre_x, 28, "text-anchor=\"middle\" font-size=\"16\"", options->title);
    write_text(out, centre_x, frame->top + frame->height + 44, "text-anchor=\"middle\" font-size=\"13\"",
               options->x_label);
    char rotated[128]; /* the y label reads bottom to top, turned about its own anchor */
    snprintf(rotated, sizeof rotated,
             "text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 22 %.1f)\"", centre_y);
    write_text(out, 22, centre_y, rotated, options->y_label);
}

/* Legend entry number `row`: a swatch, then the text (shortened with "..." if it would
 * not fit).  The swatch is a dot, or a short line drawn with `line_attributes`. */
static void write_legend_entry(FILE *out, const Frame *frame, size_t row, const char *colour,
                               const char *line_attributes, const char *text)
{
    double x = frame->left + frame->width + LEGEND_GAP;
    double y = frame->top + 12 + LEGEND_ROW * (double)row;
    if (line_attributes) {
        char attributes[160];
        snprintf(attributes, sizeof attributes, "stroke=\"%s\" stroke-width=\"2\"%s", colour, line_attributes);
        write_line(out, x, y, x + LEGEND_SWATCH, y, attributes);
    } else {
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", x + LEGEND_SWATCH / 2.0, y,
                colour);
    }
    char shortened[MAX_LABEL_CHARS + 4];
    snprintf(shortened, sizeof shortened, "%s", text);
    if (strlen(text) > MAX_LABEL_CHARS) {
        size_t cut = MAX_LABEL_CHARS - 3;
        while (cut > 0 && ((unsigned char)shortened[cut] & 0xC0) == 0x80)
            cut--; /* never cut a UTF-8 character in half */
        strcpy(shortened + cut, "...");
    }
    write_text(out, x + LEGEND_SWATCH + 8, y + 4, "", shortened);
}

/* ---- points, for both plots ---------------------------------------------------------- */

static bool point_drawable(double x, double y, bool log_y)
{
    return drawable(x, false) && drawable(y, log_y);
}

/* The error for data without a single drawable point: an empty frame would hide it. */
static bool nothing_to_plot(const char *path, const PlotOptions *options, Error *err)
{
    return error_set(err, "%s: nothing to plot: no point has finite coordinates%s", path,
                     options->log_y ? " and a positive y (log axis)" : "");
}

/* ---- line plot ----------------------------------------------------------------------- */

/* After ten series the colours repeat; every other round of ten is dashed, so a repeated
 * colour stays distinguishable (in the legend too). */
static const char *series_dash(size_t index)
{
    return (index / PALETTE_SIZE) % 2 ? " stroke-dasharray=\"6 3\"" : "";
}

/* One series: a path that breaks wherever a point is skipped, and markers if it is short. */
static void write_series(FILE *out, const Frame *frame, const PlotSeries *series, size_t index, bool log_y)
{
    const char *colour = palette[index % PALETTE_SIZE];
    fprintf(out, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" stroke-linejoin=\"round\"%s d=\"",
            colour, series_dash(index));
    bool pen_down = false;
    for (size_t i = 0; i < series->count; i++) {
        if (!point_drawable(series->x[i], series->y[i], log_y)) {
            pen_down = false;
            continue;
        }
        fprintf(out, "%s%.2f %.2f ", pen_down ? "L" : "M", frame_x(frame, series->x[i]),
                frame_y(frame, series->y[i]));
        pen_down = true;
    }
    fputs("\"/>\n", out);
    if (series->count > MARKER_MAX_POINTS)
        return;
    fprintf(out, "<g fill=\"%s\">\n", colour);
    for (size_t i = 0; i < series->count; i++)
        if (point_drawable(series->x[i], series->y[i], log_y))
            fprintf(out, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\"/>\n", frame_x(frame, series->x[i]),
                    frame_y(frame, series->y[i]));
    fputs("</g>\n", out);
}

/* The extents of every drawable point of the series; returns the longest legend text. */
static size_t series_extents(Extent *x_extent, Extent *y_extent, const PlotSeries *series, size_t series_count,
                             bool log_y)
{
    size_t longest_label = 0;
    for (size_t s = 0; s < series_count; s++) {
        for (size_t i = 0; i < series[s].count; i++) {
            if (point_drawable(series[s].x[i], series[s].y[i], log_y)) {
                extent_add(x_extent, series[s].x[i]);
                extent_add(y_extent, series[s].y[i]);
            }
        }
        if (series[s].label && strlen(series[s].label) > longest_label)
            longest_label = strlen(series[s].label);
    }
    return longest_label;
}

bool svg_line_plot(const char *path, const PlotOptions *options, const PlotSeries *series,
                   size_t series_count, Error *err)
{
    Extent x_extent = { 0 }, y_extent = { 0 };
    size_t longest_label = series_extents(&x_extent, &y_extent, series, series_count, options->log_y);
    if (x_extent.count == 0)
        return nothing_to_plot(path, options, err);

    Frame frame;
    frame_layout(&frame, &x_extent, &y_extent, options->log_y, longest_label);
    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    write_frame(out.stream, &frame, options);
    for (size_t s = 0; s < series_count; s++)
        write_series(out.stream, &frame, &series[s], s, options->log_y);
    for (size_t s = 0, row = 0; s < series_count; s++)
        if (series[s].label)
            write_legend_entry(out.stream, &frame, row++, palette[s % PALETTE_SIZE], series_dash(s),
                               series[s].label);
    fputs("</svg>\n", out.stream);
    return outfile_commit(&out, err);
}

/* ---- scatter plot -------------------------------------------------------------------- */

enum { LABEL_COUNT = 10 }; /* digits 0..9 */

bool svg_scatter_plot(const char *path, const PlotOptions *options, const double *points,
                      const unsigned char *labels, size_t count, Error *err)
{
    Extent x_extent = { 0 }, y_extent = { 0 };
    bool label_seen[LABEL_COUNT] = { false };
    for (size_t i = 0; i < count; i++) {
        if (labels && labels[i] >= LABEL_COUNT)
            return error_set(err, "%s: label %d of point %zu is not a digit 0..9", path, labels[i], i);
        if (!point_drawable(points[2 * i], points[2 * i + 1], options->log_y))
            continue;
        extent_add(&x_extent, points[2 * i]);
        extent_add(&y_extent, points[2 * i + 1]);
        if (labels)
            label_seen[labels[i]] = true;
    }
    if (x_extent.count == 0)
        return nothing_to_plot(path, options, err);

    Frame frame;
    frame_layout(&frame, &x_extent, &y_extent, options->log_y, labels ? 1 : 0);
    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    write_frame(out.stream, &frame, options);
    /* Dots in input order, so no digit is always painted over the others. */
    fputs("<g fill-opacity=\"0.75\">\n", out.stream);
    for (size_t i = 0; i < count; i++)
        if (point_drawable(points[2 * i], points[2 * i + 1], options->log_y))
            fprintf(out.stream, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.2\" fill=\"%s\"/>\n",
                    frame_x(&frame, points[2 * i]), frame_y(&frame, points[2 * i + 1]),
                    palette[labels ? labels[i] : 0]);
    fputs("</g>\n", out.stream);
    for (size_t label = 0, row = 0; label < LABEL_COUNT; label++) {
        char text[4];
        snprintf(text, sizeof text, "%zu", label);
        if (label_seen[label])
            write_legend_entry(out.stream, &frame, row++, palette[label], NULL, text); /* a dot */
    }
    fputs("</svg>\n", out.stream);
    return outfile_commit(&out, err);
}

/* ---- bar plot ------------------------------------------------------------------------ */

/* The smallest distance between two successive x of a series: the width of one group of
 * bars (1 when there is a single category). */
static double category_spacing(const PlotSeries *series)
{
    double spacing = INFINITY;
    for (size_t i = 1; i < series->count; i++)
        if (drawable(series->x[i], false) && drawable(series->x[i - 1], false)
            && fabs(series->x[i] - series->x[i - 1]) > 0.0)
            spacing = fmin(spacing, fabs(series->x[i] - series->x[i - 1]));
    return isfinite(spacing) ? spacing : 1.0;
}

bool svg_bar_plot(const char *path, const PlotOptions *options, const PlotSeries *series,
                  size_t series_count, Error *err)
{
    if (options->log_y)
        return error_set(err, "%s: a bar plot has a linear y axis (its bars start at 0)", path);
    Extent x_extent = { 0 }, y_extent = { 0 };
    size_t longest_label = series_extents(&x_extent, &y_extent, series, series_count, false);
    double spacing = series_count ? category_spacing(&series[0]) : 1.0;
    if (x_extent.count == 0)
        return nothing_to_plot(path, options, err);
    /* room for the outer bars, whole ticks under whole categories, and every bar from 0 */
    bool whole = x_extent.all_whole;
    extent_add(&x_extent, x_extent.min - spacing / 2.0);
    extent_add(&x_extent, x_extent.max + spacing / 2.0);
    x_extent.all_whole = whole;
    extent_add(&y_extent, 0.0);

    Frame frame;
    frame_layout(&frame, &x_extent, &y_extent, false, longest_label);
    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    write_frame(out.stream, &frame, options);
    /* each category: a group 0.8 spacing wide, one bar per series, side by side */
    double bar = 0.8 * spacing / (double)series_count;
    for (size_t s = 0; s < series_count; s++) {
        fprintf(out.stream, "<g fill=\"%s\">\n", palette[s % PALETTE_SIZE]);
        for (size_t i = 0; i < series[s].count; i++) {
            if (!point_drawable(series[s].x[i], series[s].y[i], false))
                continue;
            double left = series[s].x[i] - 0.4 * spacing + bar * (double)s;
            double x0 = frame_x(&frame, left), x1 = frame_x(&frame, left + bar);
            double y0 = frame_y(&frame, fmax(series[s].y[i], 0.0)), y1 = frame_y(&frame, fmin(series[s].y[i], 0.0));
            fprintf(out.stream, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>\n", x0, y0, x1 - x0,
                    y1 - y0);
        }
        fputs("</g>\n", out.stream);
    }
    for (size_t s = 0, row = 0; s < series_count; s++)
        if (series[s].label)
            write_legend_entry(out.stream, &frame, row++, palette[s % PALETTE_SIZE], NULL, series[s].label);
    fputs("</svg>\n", out.stream);
    return outfile_commit(&out, err);
}
