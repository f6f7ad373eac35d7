/* lib/progress.c — see progress.h. */
#include "progress.h"

#include <math.h>
#include <unistd.h>

enum { BAR_WIDTH = 30 };
static const double redraw_interval = 0.1; /* seconds: ten redraws a second look smooth */

void stopwatch_start(Stopwatch *watch)
{
    clock_gettime(CLOCK_MONOTONIC, &watch->start);
}

double stopwatch_seconds(const Stopwatch *watch)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - watch->start.tv_sec) + 1e-9 * (double)(now.tv_nsec - watch->start.tv_nsec);
}

void format_duration(char *buffer, size_t size, double seconds)
{
    if (!(seconds >= 0.0) || seconds > 1e9) { /* also catches NaN */
        snprintf(buffer, size, "--:--");
        return;
    }
    long whole = (long)(seconds + 0.5);
    long hours = whole / 3600, minutes = whole / 60 % 60, secs = whole % 60;
    if (hours > 0)
        snprintf(buffer, size, "%ld:%02ld:%02ld", hours, minutes, secs);
    else
        snprintf(buffer, size, "%ld:%02ld", minutes, secs);
}

/* Rewrite the line: label, bar, percentage, elapsed time, estimated time left. */
static void progress_draw(Progress *p, size_t done, double elapsed)
{
    double fraction = p->total ? (double)done / (double)p->total : 1.0;
    size_t filled = (size_t)(fraction * BAR_WIDTH);
    char bar[BAR_WIDTH + 1];
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[BAR_WIDTH] = '\0';
    /* ETA: the time per step so far, times the steps left. */
    double remaining = done > 0 ? elapsed * (double)(p->total - done) / (double)done : NAN;
    char elapsed_text[32], remaining_text[32];
    format_duration(elapsed_text, sizeof elapsed_text, elapsed);
    format_duration(remaining_text, sizeof remaining_text, remaining);
    int width = fprintf(p->stream, "\r%.24s  [%s] %3d%%  %s elapsed  ETA %s", p->label, bar,
                        (int)(100.0 * fraction), elapsed_text, remaining_text);
    width = width > 0 ? width - 1 : 0; /* the '\r' takes no room */
    for (int i = width; i < (int)p->drawn_width; i++)
        fputc(' ', p->stream); /* blank out the rest of a longer previous line */
    p->drawn_width = (size_t)width > p->drawn_width ? (size_t)width : p->drawn_width;
    fflush(p->stream);
    p->last_draw = elapsed;
}

void progress_start(Progress *p, FILE *stream, const char *label, size_t total)
{
    p->stream = stream;
    p->label = label ? label : "";
    p->total = total;
    p->visible = isatty(fileno(stream)) != 0;
    p->drawn_width = 0;
    p->last_draw = 0.0;
    stopwatch_start(&p->watch);
    if (p->visible)
        progress_draw(p, 0, 0.0);
}

void progress_update(Progress *p, size_t done)
{
    if (!p->visible)
        return;
    if (done > p->total)
        done = p->total;
    double elapsed = stopwatch_seconds(&p->watch);
    if (elapsed - p->last_draw >= redraw_interval || done == p->total)
        progress_draw(p, done, elapsed);
}

void progress_finish(Progress *p)
{
    if (!p->visible || p->drawn_width == 0)
        return;
    fputc('\r', p->stream);
    for (size_t i = 0; i < p->drawn_width; i++)
        fputc(' ', p->stream);
    fputc('\r', p->stream);
    fflush(p->stream);
    p->drawn_width = 0;
}
