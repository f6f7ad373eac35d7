/* lib/progress.h — timing a run, and a progress bar for long loops.
 *
 * All timing in vaelab goes through the Stopwatch: a monotonic clock (CLOCK_MONOTONIC),
 * which, unlike the wall-clock time, never jumps when the system clock is adjusted.
 *
 * The progress bar redraws one terminal line in place ('\r', no escape codes):
 *
 *     epoch 3/10  [###########-------------------]  37%  0:12 elapsed  ETA 0:20
 *
 * It draws only when the stream is a terminal, and at most ten times a second, so it
 * costs nothing inside a tight loop; when output goes to a file or a pipe (a grader, a
 * log) it prints nothing at all, and the program's one summary line per epoch is what
 * remains.  progress_finish() wipes the line so that summary line can take its place.
 *
 *     Progress bar;
 *     progress_start(&bar, stderr, "epoch 3/10", batch_count);
 *     for (size_t b = 0; b < batch_count; b++) { train(...); progress_update(&bar, b + 1); }
 *     progress_finish(&bar);
 */
#ifndef VAELAB_PROGRESS_H
#define VAELAB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

typedef struct Stopwatch {
    struct timespec start;
} Stopwatch;

void stopwatch_start(Stopwatch *watch);             /* start (or restart) timing now */
double stopwatch_seconds(const Stopwatch *watch);   /* seconds since stopwatch_start */

/* A duration as "m:ss", or "h:mm:ss" from an hour on ("--:--" if negative or NaN). */
void format_duration(char *buffer, size_t size, double seconds);

typedef struct Progress {
    FILE *stream;
    const char *label;   /* not copied: must outlive the bar */
    size_t total;        /* the count that means 100% */
    bool visible;        /* stream is a terminal; otherwise nothing is ever drawn */
    Stopwatch watch;     /* since progress_start */
    double last_draw;    /* watch time of the last redraw */
    size_t drawn_width;  /* characters on screen now, to blank them out */
} Progress;

/* Begin a bar for `total` steps on `stream` (normally stderr) and draw it at 0%. */
void progress_start(Progress *p, FILE *stream, const char *label, size_t total);
/* `done` of the total steps are finished; redraws if a tenth of a second has passed
 * (or done == total). */
void progress_update(Progress *p, size_t done);
/* Erase the bar, leaving the cursor at the start of an empty line. */
void progress_finish(Progress *p);

#endif
