/* tests/lib/test_figures.c — what people look at: PGM grids, SVG plots, CSV logs, the
 * ASCII preview and the progress bar.
 *
 * Small inputs whose output can be worked out by hand are checked byte for byte (the
 * PGM grid, the CSV log, the ASCII digits); for the SVG plots the tests check what a
 * browser needs (one well-formed <svg> element, escaped text) and what a reader needs
 * (the legend labels, nice tick values).  Every failure must leave no file behind.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "csv.h"
#include "harness.h"
#include "image.h"
#include "outfile.h"
#include "plot.h"
#include "progress.h"

/* ---- fixtures ------------------------------------------------------------------------- */

/* scratch/name, in one of two static buffers (so two paths can be alive at once). */
static const char *scratch_path(const char *name)
{
    static char buffer[2][1024];
    static int which;
    which = 1 - which;
    Error err;
    if (!join_path(buffer[which], sizeof buffer[which], test_scratch_dir(), name, &err))
        CHECK_FAIL("%s", err.message);
    return buffer[which];
}

/* The whole file, NUL-terminated, in a malloc'd buffer (free it); NULL if unreadable. */
static char *read_whole_file(const char *path, size_t *size)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    char *bytes = NULL;
    long length = fseek(file, 0, SEEK_END) == 0 ? ftell(file) : -1;
    if (length >= 0 && fseek(file, 0, SEEK_SET) == 0 && (bytes = malloc((size_t)length + 1)) != NULL) {
        *size = fread(bytes, 1, (size_t)length, file);
        bytes[*size] = '\0';
    }
    fclose(file);
    return bytes;
}

static bool file_exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

/* How many entries the scratch directory holds: a failed write must leave none. */
static long scratch_entry_count(void)
{
    DIR *listing = opendir(test_scratch_dir());
    if (!listing)
        return -1;
    long count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL)
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            count++;
    closedir(listing);
    return count;
}

/* Exact text equality; a failure shows both texts. */
static void check_text_at(const char *expected, const char *got, const char *file, int line)
{
    if (!check_true_at(strcmp(expected, got) == 0, "text as expected", file, line))
        check_note("expected \"%s\"\n    got      \"%s\"", expected, got);
}
#define CHECK_TEXT(expected, got) check_text_at((expected), (got), __FILE__, __LINE__)

static size_t count_occurrences(const char *text, const char *needle)
{
    size_t count = 0;
    for (const char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
        count++;
    return count;
}

/* Well-formed enough for a browser: tags nest and close properly, and every '&' starts
 * one of the five XML entities.  (No attributes containing '>' in our output.) */
static bool xml_is_balanced(const char *text)
{
    enum { DEPTH = 16, NAME = 32 };
    char open[DEPTH][NAME];
    size_t depth = 0;
    static const char *const entities[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };
    for (const char *at = text; *at; at++) {
        if (*at == '&') {
            bool known = false;
            for (size_t e = 0; e < 5; e++)
                known = known || strncmp(at, entities[e], strlen(entities[e])) == 0;
            if (!known)
                return false;
        }
        if (*at != '<')
            continue;
        const char *end = strchr(at, '>');
        if (!end)
            return false;
        bool closing = at[1] == '/', self_closing = end[-1] == '/';
        const char *name = at + 1 + closing;
        size_t length = strcspn(name, " />");
        if (length == 0 || length >= NAME)
            return false;
        if (closing) {
            if (depth == 0 || strlen(open[depth - 1]) != length || strncmp(open[depth - 1], name, length) != 0)
                return false;
            depth--;
        } else if (!self_closing) {
            if (depth == DEPTH)
                return false;
            memcpy(open[depth], name, length);
            open[depth++][length] = '\0';
        }
        at = end;
    }
    return depth == 0;
}

/* Checks every SVG file must pass; returns the text (free it) or NULL. */
static char *check_svg_file(const char *path)
{
    size_t size = 0;
    char *text = read_whole_file(path, &size);
    if (!CHECK(text != NULL))
        return NULL;
    CHECK(strncmp(text, "<svg", 4) == 0);
    CHECK_LONG(1, count_occurrences(text, "<svg"));
    CHECK(size >= 7 && strcmp(text + size - 7, "</svg>\n") == 0);
    CHECK(xml_is_balanced(text));
    return text;
}

/* ---- PGM image grid --------------------------------------------------------------------- */

enum { S = IMAGE_GRID_SEPARATOR, N = IMAGE_GRID_NAN };

static void test_pgm_grid_exact(void)
{
    /* Three 2x2 images in 2 columns: a 2x2 grid whose last cell is empty, each cell framed
     * by separator lines, so width = 2 * (2 + 1) + 1 = 7 and height = 7. */
    const double images[3 * 4] = {
        0.0, 1.0, 0.5, 2.0,     /* 2.0 is clamped to white */
        -1.0, 0.25, NAN, 1.0,   /* -1 clamped to black, NaN mid-grey */
        0.2, 0.4, 0.6, 0.8,
    };
    const unsigned char expected_pixels[7 * 7] = {
        S, S,   S,   S, S,  S,   S,
        S, 0,   255, S, 0,  64,  S,
        S, 128, 255, S, N,  255, S,
        S, S,   S,   S, S,  S,   S,
        S, 51,  102, S, S,  S,   S,
        S, 153, 204, S, S,  S,   S,
        S, S,   S,   S, S,  S,   S,
    };
    const char *path = scratch_path("grid.pgm");
    Error err;
    if (!CHECK(image_grid_write_pgm(path, images, 3, 2, 2, 2, 1, &err))) {
        check_note("%s", err.message);
        return;
    }
    size_t size = 0;
    char *bytes = read_whole_file(path, &size);
    if (!CHECK(bytes != NULL))
        return;
    const char header[] = "P5\n7 7\n255\n";
    size_t header_size = sizeof header - 1;
    CHECK_LONG(header_size + sizeof expected_pixels, size);
    CHECK(memcmp(bytes, header, header_size) == 0);
    if (size == header_size + sizeof expected_pixels)
        for (size_t i = 0; i < sizeof expected_pixels; i++)
            if (!CHECK_LONG(expected_pixels[i], (unsigned char)bytes[header_size + i]))
                check_note("pixel (x %zu, y %zu)", i % 7, i / 7);
    free(bytes);
}

static void test_pgm_scale_and_columns(void)
{
    /* One 2x3 image at scale 2 with 10 columns asked: the grid shrinks to 1 column, so
     * width = 1 * (3 * 2 + 1) + 1 = 8 and height = 1 * (2 * 2 + 1) + 1 = 6. */
    const double image[6] = { 0.0, 0.5, 1.0, 1.0, 0.0, 0.5 };
    const char *path = scratch_path("scaled.pgm");
    Error err;
    if (!CHECK(image_grid_write_pgm(path, image, 1, 2, 3, 10, 2, &err)))
        return;
    size_t size = 0;
    char *bytes = read_whole_file(path, &size);
    if (!CHECK(bytes != NULL))
        return;
    const char header[] = "P5\n8 6\n255\n";
    CHECK(strncmp(bytes, header, sizeof header - 1) == 0);
    CHECK_LONG(sizeof header - 1 + 8 * 6, size);
    if (size == sizeof header - 1 + 8 * 6) {
        const unsigned char *pixels = (const unsigned char *)bytes + sizeof header - 1;
        /* Image pixel (0, 1) = 0.5 covers output pixels x 3..4, y 1..2. */
        for (size_t y = 1; y <= 2; y++)
            for (size_t x = 3; x <= 4; x++)
                CHECK_LONG(128, pixels[y * 8 + x]);
        CHECK_LONG(255, pixels[3 * 8 + 1]); /* image pixel (1, 0) */
        CHECK_LONG(S, pixels[5 * 8 + 3]);   /* the bottom separator line */
        CHECK_LONG(S, pixels[2 * 8 + 7]);   /* the right separator line */
    }
    free(bytes);
}

static void test_pgm_refuses_bad_input(void)
{
    const double image[4] = { 0 };
    Error err;
    const char *path = scratch_path("never.pgm");
    CHECK(!image_grid_write_pgm(path, image, 0, 2, 2, 1, 1, &err));
    CHECK_CONTAINS(err.message, "must all be positive");
    CHECK(!image_grid_write_pgm(path, image, 1, 2, 2, 1, 0, &err));
    CHECK_CONTAINS(err.message, "never.pgm");
    CHECK(!image_grid_write_pgm(path, image, 1, 2, 2, 0, 1, &err));
    CHECK(!image_grid_write_pgm(path, image, 1, (size_t)1 << 40, (size_t)1 << 40, 1, (size_t)1 << 40, &err));
    CHECK_CONTAINS(err.message, "too large");
    CHECK_LONG(0, scratch_entry_count());
}

/* A write into a folder that does not exist fails with the path in the message, and no
 * file (final or temporary) appears anywhere. */
static void test_missing_folder_fails_cleanly(void)
{
    const double image[4] = { 0.1, 0.2, 0.3, 0.4 };
    const double x[2] = { 0, 1 }, y[2] = { 1, 2 };
    const PlotSeries series = { "loss", x, y, 2 };
    const PlotOptions plot_options = { "t", "x", "y", false };
    const char *columns[] = { "a" };
    const char *pgm = scratch_path("no-such-folder/grid.pgm");
    const char *svg = scratch_path("no-such-folder/plot.svg");
    Error err;
    CHECK(!image_grid_write_pgm(pgm, image, 1, 2, 2, 1, 1, &err));
    CHECK_CONTAINS(err.message, "no-such-folder/grid.pgm");
    CHECK(!svg_line_plot(svg, &plot_options, &series, 1, &err));
    CHECK_CONTAINS(err.message, "no-such-folder/plot.svg");
    CsvLog log;
    CHECK(!csv_open(&log, scratch_path("no-such-folder/log.csv"), columns, 1, &err));
    CHECK_CONTAINS(err.message, "log.csv");
    csv_abort(&log); /* harmless after a failed open */
    CHECK_LONG(0, scratch_entry_count());
}

/* ---- SVG plots ------------------------------------------------------------------------- */

static void test_line_plot(void)
{
    double epochs[10], train[10], test[10];
    for (int i = 0; i < 10; i++) {
        epochs[i] = i + 1;
        train[i] = 1.0 / (i + 1);
        test[i] = 1.1 / (i + 1);
    }
    test[4] = NAN; /* skipped: the line breaks there */
    const PlotSeries series[] = {
        { "train", epochs, train, 10 },
        { "test & <validation>", epochs, test, 10 },
    };
    const PlotOptions plot_options = { "Loss of \"p(x|z)\"", "epoch", "loss", false };
    const char *path = scratch_path("loss.svg");
    Error err;
    if (!CHECK(svg_line_plot(path, &plot_options, series, 2, &err))) {
        check_note("%s", err.message);
        return;
    }
    char *text = check_svg_file(path);
    if (!text)
        return;
    CHECK_CONTAINS(text, ">train</text>");
    CHECK_CONTAINS(text, ">test &amp; &lt;validation&gt;</text>");
    CHECK_CONTAINS(text, "Loss of &quot;p(x|z)&quot;");
    CHECK_CONTAINS(text, ">epoch</text>");
    /* y from 0.1 to 1.1: nice ticks 0, 0.2, ..., 1.2, printed without rounding noise. */
    CHECK_CONTAINS(text, ">0.2</text>");
    CHECK_CONTAINS(text, ">0.6</text>");
    CHECK_CONTAINS(text, ">1.2</text>");
    CHECK(strstr(text, "0000000") == NULL);
    CHECK_LONG(19, count_occurrences(text, "r=\"3\"")); /* markers: 10 + 9 finite points */
    /* Each path starts with "M"; the NaN starts a second piece of the test line. */
    CHECK_LONG(3, count_occurrences(text, "d=\"M") + count_occurrences(text, " M"));
    CHECK(strstr(text, "nan") == NULL);
    free(text);
    CHECK_LONG(1, scratch_entry_count()); /* the file, and no temporary left over */
}

/* Two series of bars at the categories 1, 2, 3: one rectangle per finite value, side by
 * side (series 0 left of series 1 in each group), heights in proportion from 0; the y axis
 * starts at 0; a log axis is refused. */
static void test_bar_plot(void)
{
    double units[3] = { 1, 2, 3 }, a[3] = { 2.0, 1.0, 0.5 }, b[3] = { 1.0, NAN, 0.0 };
    const PlotSeries series[] = { { "beta = 1", units, a, 3 }, { "beta = 8", units, b, 3 } };
    const PlotOptions plot_options = { "KL per unit", "unit", "nats", false };
    const char *path = scratch_path("bars.svg");
    Error err;
    if (!CHECK(svg_bar_plot(path, &plot_options, series, 2, &err))) {
        check_note("%s", err.message);
        return;
    }
    char *text = check_svg_file(path);
    if (!text)
        return;
    CHECK_CONTAINS(text, ">beta = 8</text>");
    CHECK_CONTAINS(text, ">0</text>"); /* the y axis includes 0 */
    /* 5 finite values: 5 bars, besides the background and the frame */
    CHECK_LONG(5 + 2, count_occurrences(text, "<rect"));
    double x[8], y[8], width[8], height[8];
    size_t n = 0;
    for (const char *at = strstr(text, "<rect x="); at && n < 8; at = strstr(at + 1, "<rect x="))
        if (sscanf(at, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &x[n], &y[n], &width[n],
                   &height[n]) == 4)
            n++;
    if (!CHECK_LONG(6, n)) { /* the frame, then the bars: a[0..2], b[0], b[2] */
        free(text);
        return;
    }
    CHECK_RELATIVE(2.0 * height[2], height[1], 1e-3); /* 2 against 1 */
    CHECK_RELATIVE(4.0 * height[3], height[1], 1e-3); /* 2 against 0.5 */
    CHECK_RELATIVE(height[2], height[4], 1e-3);       /* b[0] = 1 as tall as a[1] = 1 */
    CHECK_NEAR(0.0, height[5], 1e-9);                 /* b[2] = 0: no height */
    CHECK_NEAR(x[1] + width[1], x[4], 1e-2);          /* b's bar right of a's, touching */
    CHECK_NEAR(y[1] + height[1], y[5] + height[5], 1e-2); /* every bar stands on 0 */
    free(text);
    const PlotOptions log_axis = { NULL, NULL, NULL, true };
    CHECK(!svg_bar_plot(scratch_path("log.svg"), &log_axis, series, 2, &err));
    CHECK_CONTAINS(err.message, "linear y axis");
}

static void test_log_plot(void)
{
    const double x[6] = { 0, 1, 2, 3, 4, 5 };
    const double y[6] = { 100, 10, 0, -1, 0.01, 0.001 }; /* 0 and -1 cannot be drawn on a log axis */
    const PlotSeries series = { "kl", x, y, 6 };
    const PlotOptions plot_options = { NULL, NULL, NULL, true };
    const char *path = scratch_path("log.svg");
    Error err;
    if (!CHECK(svg_line_plot(path, &plot_options, &series, 1, &err)))
        return;
    char *text = check_svg_file(path);
    if (!text)
        return;
    CHECK_CONTAINS(text, ">0.001</text>");
    CHECK_CONTAINS(text, ">1</text>");
    CHECK_CONTAINS(text, ">100</text>");
    CHECK_LONG(4, count_occurrences(text, "r=\"3\""));
    free(text);
}

static void test_plots_refuse_nothing_finite(void)
{
    const double x[3] = { 1, 2, 3 }, y[3] = { NAN, INFINITY, -INFINITY };
    const PlotSeries series = { "broken", x, y, 3 };
    const PlotOptions plot_options = { "t", NULL, NULL, false };
    Error err;
    CHECK(!svg_line_plot(scratch_path("nothing.svg"), &plot_options, &series, 1, &err));
    CHECK_CONTAINS(err.message, "nothing to plot");
    CHECK(!svg_line_plot(scratch_path("nothing.svg"), &plot_options, &series, 0, &err));
    const double points[4] = { NAN, 1, 2, NAN };
    CHECK(!svg_scatter_plot(scratch_path("nothing.svg"), &plot_options, points, NULL, 2, &err));
    CHECK_CONTAINS(err.message, "nothing to plot");
    CHECK_LONG(0, scratch_entry_count());
}

static void test_scatter_plot(void)
{
    enum { COUNT = 30 };
    double points[COUNT * 2];
    unsigned char labels[COUNT];
    for (int i = 0; i < COUNT; i++) {
        points[2 * i] = cos(i) * i;
        points[2 * i + 1] = sin(i) * i;
        labels[i] = (unsigned char)(i % 10);
    }
    points[2 * 7] = NAN; /* one point skipped */
    const PlotOptions plot_options = { "latent space", "z1", "z2", false };
    const char *path = scratch_path("latent.svg");
    Error err;
    if (!CHECK(svg_scatter_plot(path, &plot_options, points, labels, COUNT, &err))) {
        check_note("%s", err.message);
        return;
    }
    char *text = check_svg_file(path);
    if (!text)
        return;
    char legend[32];
    for (int digit = 0; digit < 10; digit++) {
        snprintf(legend, sizeof legend, ">%d</text>", digit);
        CHECK_CONTAINS(text, legend);
    }
    CHECK_LONG(COUNT - 1, count_occurrences(text, "r=\"2.2\""));
    CHECK_LONG(10, count_occurrences(text, "r=\"4\"")); /* legend dots */
    free(text);
}

static void test_scatter_labels(void)
{
    const double points[6] = { 0, 0, 1, 1, 2, 4 };
    const unsigned char bad_labels[3] = { 1, 10, 2 };
    const PlotOptions plot_options = { NULL, NULL, NULL, false };
    Error err;
    CHECK(!svg_scatter_plot(scratch_path("bad.svg"), &plot_options, points, bad_labels, 3, &err));
    CHECK_CONTAINS(err.message, "label 10 of point 1");
    CHECK_LONG(0, scratch_entry_count());
    const char *path = scratch_path("plain.svg");
    if (!CHECK(svg_scatter_plot(path, &plot_options, points, NULL, 3, &err)))
        return;
    char *text = check_svg_file(path);
    if (text)
        CHECK_LONG(0, count_occurrences(text, "r=\"4\"")); /* no labels, no legend */
    free(text);
}

/* ---- CSV log ---------------------------------------------------------------------------- */

static void test_csv_exact(void)
{
    const char *columns[] = { "epoch", "loss, nats", "say \"hi\"" };
    const char *path = scratch_path("log.csv");
    CsvLog log;
    Error err;
    if (!CHECK(csv_open(&log, path, columns, 3, &err)))
        return;
    csv_row(&log, (const double[]){ 1, 0.5, -2 });
    csv_row(&log, (const double[]){ 2, 1.0 / 3.0, 1e-12 });
    CHECK(!file_exists(path)); /* not under its name until closed */
    CHECK(csv_close(&log, &err));
    size_t size = 0;
    char *text = read_whole_file(path, &size);
    if (CHECK(text != NULL))
        CHECK_TEXT("epoch,\"loss, nats\",\"say \"\"hi\"\"\"\n1,0.5,-2\n2,0.3333333333,1e-12\n", text);
    free(text);
    CHECK_LONG(1, scratch_entry_count());
}

/* A write that fails half-way (here: a file-size limit of 100 bytes, set in this test's
 * own process) is reported by csv_close with the file's name, and no file is left. */
static void test_csv_write_error(void)
{
    const char *columns[] = { "epoch", "loss" };
    const char *path = scratch_path("full.csv");
    CsvLog log;
    Error err = { "" };
    if (!CHECK(csv_open(&log, path, columns, 2, &err)))
        return;
    signal(SIGXFSZ, SIG_IGN); /* the write then fails with EFBIG instead of killing us */
    struct rlimit limit = { 100, 100 };
    CHECK(setrlimit(RLIMIT_FSIZE, &limit) == 0);
    for (int e = 0; e < 50; e++)
        csv_row(&log, (const double[]){ e, 1.0 / 3.0 });
    CHECK(!csv_close(&log, &err));
    CHECK_CONTAINS(err.message, "cannot write");
    CHECK_CONTAINS(err.message, "full.csv");
    CHECK_LONG(0, scratch_entry_count());
}

static void test_csv_abort(void)
{
    const char *columns[] = { "epoch", "loss" };
    CsvLog log;
    Error err;
    if (!CHECK(csv_open(&log, scratch_path("aborted.csv"), columns, 2, &err)))
        return;
    csv_row(&log, (const double[]){ 1, 2 });
    csv_abort(&log);
    csv_row(&log, (const double[]){ 1, 2 }); /* nothing to write into any more: a no-op */
    csv_abort(&log);                                  /* twice is harmless */
    CHECK_LONG(0, scratch_entry_count());
    CHECK(!csv_open(&log, scratch_path("empty.csv"), columns, 0, &err));
    CHECK_CONTAINS(err.message, "at least one column");
}

/* ---- a run's outputs, all or nothing ------------------------------------------------- */

/* Within a run, a committed file stays under its temporary name; the run's end renames
 * every one into place (keep) or removes them and the folders the run made (fail). */
static void write_run_files(const char *folder, Error *err)
{
    char path[1100];
    CHECK(make_directories(folder, err));
    for (int k = 0; k < 2; k++) {
        OutFile out;
        snprintf(path, sizeof path, "%s/figure%d.txt", folder, k);
        if (!CHECK(outfile_open(&out, path, err)))
            return;
        fprintf(out.stream, "figure %d\n", k);
        CHECK(outfile_commit(&out, err));
        CHECK(!file_exists(path)); /* not before the run ends */
    }
}

static void test_run_all_or_nothing(void)
{
    char folder[1100];
    Error err = { "" };
    snprintf(folder, sizeof folder, "%s/failed/run", test_scratch_dir());
    outfile_begin_run();
    write_run_files(folder, &err);
    CHECK(outfile_end_run(false, &err));
    CHECK_LONG(0, scratch_entry_count()); /* no file, no temporary, no folder */
    snprintf(folder, sizeof folder, "%s/kept", test_scratch_dir());
    outfile_begin_run();
    write_run_files(folder, &err);
    CHECK(outfile_end_run(true, &err));
    CHECK(file_exists(scratch_path("kept/figure0.txt")) && file_exists(scratch_path("kept/figure1.txt")));
    CHECK_LONG(1, scratch_entry_count());
}

/* ---- ASCII preview ----------------------------------------------------------------- */

/* Run ascii_preview into a memory buffer. */
static void preview_text(char *text, size_t size, const double *images, size_t count, size_t rows,
                         size_t cols, size_t per_line)
{
    memset(text, 0, size);
    FILE *stream = fmemopen(text, size - 1, "w");
    if (!CHECK(stream != NULL))
        return;
    ascii_preview(stream, images, count, rows, cols, per_line);
    fclose(stream);
}

static void test_ascii_preview(void)
{
    /* Two 3x2 images.  Text line 0 averages pixel rows 0 and 1; line 1 is row 2 alone.
     * Ramp " .:-=+*#%@": 0.5 -> '+', 1 -> '@', 0.15 -> '.', 0.25 -> ':', NaN -> '?'. */
    const double images[2 * 6] = {
        0.0, 1.0, 1.0, 1.0, 0.55, NAN,
        0.05, 0.15, 0.25, 0.35, 0.95, -3.0,
    };
    char text[256];
    preview_text(text, sizeof text, images, 2, 3, 2, 0);
    CHECK_TEXT("+@  .:\n+?  @ \n", text);
    preview_text(text, sizeof text, images, 2, 3, 2, 1); /* one digit per block */
    CHECK_TEXT("+@\n+?\n\n.:\n@ \n", text);
}

/* ---- progress bar and timing ---------------------------------------------------------- */

static void test_progress_silent_off_terminal(void)
{
    FILE *stream = tmpfile();
    if (!CHECK(stream != NULL))
        return;
    Progress bar;
    progress_start(&bar, stream, "epoch 1/1", 100);
    for (size_t i = 1; i <= 100; i++)
        progress_update(&bar, i);
    progress_finish(&bar);
    CHECK_LONG(0, ftell(stream)); /* a file or a pipe gets nothing */
    fclose(stream);
}

static void test_progress_draws_and_clears(void)
{
    char text[1024] = { 0 };
    FILE *stream = fmemopen(text, sizeof text - 1, "w");
    if (!CHECK(stream != NULL))
        return;
    Progress bar;
    progress_start(&bar, stream, "epoch 2/5", 4);
    bar.visible = true; /* pretend the stream is a terminal */
    progress_update(&bar, 4);     /* done == total: always drawn */
    long drawn_end = ftell(stream);
    progress_finish(&bar);
    fclose(stream);
    CHECK_CONTAINS(text, "\repoch 2/5  [##############################] 100%");
    CHECK_CONTAINS(text, "ETA 0:00");
    /* finish: '\r', as many blanks as the bar was wide, '\r' */
    CHECK(drawn_end > 0 && text[drawn_end] == '\r' && text[strlen(text) - 1] == '\r');
    CHECK_LONG(drawn_end - 1, (long)strspn(text + drawn_end + 1, " "));
}

static void test_durations(void)
{
    char text[32];
    format_duration(text, sizeof text, 0.2);
    CHECK_TEXT("0:00", text);
    format_duration(text, sizeof text, 75.0);
    CHECK_TEXT("1:15", text);
    format_duration(text, sizeof text, 3725.0);
    CHECK_TEXT("1:02:05", text);
    format_duration(text, sizeof text, NAN);
    CHECK_TEXT("--:--", text);
    Stopwatch watch;
    stopwatch_start(&watch);
    double seconds = stopwatch_seconds(&watch);
    CHECK(seconds >= 0.0);
    CHECK_BELOW(seconds, 5.0);
}

static const TestCase tests[] = {
    { "PGM grid: header, size and every pixel of 3 images in 2 columns", NULL, test_pgm_grid_exact },
    { "PGM grid: pixel scaling and fewer images than columns", NULL, test_pgm_scale_and_columns },
    { "PGM grid: zero and overflowing sizes refused", NULL, test_pgm_refuses_bad_input },
    { "writing into a missing folder fails and leaves no file", NULL, test_missing_folder_fails_cleanly },
    { "line plot: well-formed SVG, legend, escaped text, nice ticks, NaN gap", NULL, test_line_plot },
    { "line plot: log axis skips y <= 0", NULL, test_log_plot },
    { "bar plot: a bar per finite value, side by side, from 0", NULL, test_bar_plot },
    { "plots with nothing finite are refused", NULL, test_plots_refuse_nothing_finite },
    { "scatter plot: dots and the digit legend", NULL, test_scatter_plot },
    { "scatter plot: bad labels refused, no labels no legend", NULL, test_scatter_labels },
    { "CSV log: exact content of two rows, quoted header", NULL, test_csv_exact },
    { "CSV log: csv_abort leaves nothing", NULL, test_csv_abort },
    { "CSV log: a failed write is reported by csv_close, and leaves nothing", NULL, test_csv_write_error },
    { "a run's files: renamed into place at its end, or removed with its folders", NULL, test_run_all_or_nothing },
    { "ASCII preview of two tiny images", NULL, test_ascii_preview },
    { "progress bar prints nothing off a terminal", NULL, test_progress_silent_off_terminal },
    { "progress bar draws and clears its line", NULL, test_progress_draws_and_clears },
    { "durations and the stopwatch", NULL, test_durations },
};

int main(int argc, char **argv) { return RUN_SUITE("lib/figures", tests, argc, argv); }
