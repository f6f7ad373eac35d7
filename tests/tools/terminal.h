/* tests/tools/terminal.h — colour on a terminal, plain text everywhere else.
 *
 * The grader's tools (runner, hint) colour a few words: green for what is done, yellow
 * for what is still to do, red for what is broken. Colour is used only when the stream
 * is a terminal and NO_COLOR is not set (https://no-color.org), so a log file, a pipe, CI
 * or Gradescope always gets plain text that other programs can read.
 *
 *     Style style = style_for(stdout);
 *     printf("%sdone%s\n", style_on(&style, COLOUR_GREEN), style_off(&style));
 */
#ifndef VAELAB_TERMINAL_H
#define VAELAB_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum Colour { COLOUR_GREEN, COLOUR_YELLOW, COLOUR_RED, COLOUR_BOLD } Colour;

typedef struct Style {
    bool colour; /* emit escape sequences */
} Style;

/* Colour for `stream` if it is a terminal and NO_COLOR is unset or empty. */
Style style_for(FILE *stream);

/* The escape sequence that starts `colour`, and the one that ends it ("" without colour). */
const char *style_on(const Style *style, Colour colour);
const char *style_off(const Style *style);

/* "[####------]": `fraction` (clamped to [0, 1]) of `width` cells filled, drawn like
 * lib/progress.h's bar. `buffer` needs width + 3 bytes. */
void progress_bar(char *buffer, size_t size, double fraction, size_t width);

#endif
