/* tests/tools/terminal.c — colour on a terminal only (see terminal.h). */
#include "terminal.h"

#include <stdlib.h>
#include <unistd.h>

Style style_for(FILE *stream)
{
    const char *no_colour = getenv("NO_COLOR");
    bool refused = no_colour && no_colour[0]; /* the convention: set and not empty */
    return (Style){ .colour = !refused && isatty(fileno(stream)) };
}

const char *style_on(const Style *style, Colour colour)
{
    if (!style->colour)
        return "";
    switch (colour) {
    case COLOUR_GREEN:
        return "\033[32m";
    case COLOUR_YELLOW:
        return "\033[33m";
    case COLOUR_RED:
        return "\033[31m";
    case COLOUR_BOLD:
        return "\033[1m";
    }
    return "";
}

const char *style_off(const Style *style) { return style->colour ? "\033[0m" : ""; }

void progress_bar(char *buffer, size_t size, double fraction, size_t width)
{
    if (size < width + 3) {
        if (size)
            buffer[0] = '\0';
        return;
    }
    fraction = fraction > 1.0 ? 1.0 : fraction < 0.0 || fraction != fraction ? 0.0 : fraction;
    size_t filled = (size_t)(fraction * (double)width); /* rounded down: full only when all is done */
    buffer[0] = '[';
    for (size_t i = 0; i < width; i++)
        buffer[1 + i] = i < filled ? '#' : '-';
    buffer[width + 1] = ']';
    buffer[width + 2] = '\0';
}
