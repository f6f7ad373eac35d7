/* tests/tools/hint.c — `make hint EX=1.3`: an exercise's hint, and where to work on it.
 *
 *   hint [--root DIR] [--sources DIR] NUMBER CHAPTER...
 *
 * Reads the manifest of each CHAPTER (DIR/chapters/CHAPTER/exercises.def), finds exercise
 * NUMBER, and prints its title and points, the line to edit in the sources (exercises/ by
 * default), its part of the chapter README, and the hint, wrapped for a terminal. An
 * unknown number is an error that lists the numbers there are.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "locate.h"
#include "manifest.h"
#include "terminal.h"

static const char *const program = "hint";

enum { WRAP_COLUMN = 78, MAX_CHAPTERS = 16 };

/* Print `text` as paragraphs of whole words, each line starting with `indent`. */
static void print_wrapped(const char *text, const char *indent)
{
    size_t column = 0;
    const char *word = text;
    while (*word) {
        word += strspn(word, " \n");
        size_t length = strcspn(word, " \n");
        if (length == 0)
            break;
        if (column > 0 && column + 1 + length > WRAP_COLUMN) {
            putchar('\n');
            column = 0;
        }
        if (column == 0) {
            fputs(indent, stdout);
            column = strlen(indent);
        } else {
            putchar(' ');
            column++;
        }
        printf("%.*s", (int)length, word);
        column += length;
        word += length;
    }
    if (column > 0)
        putchar('\n');
}

static void print_hint(const Exercise *e, const char *chapter, const char *root, const char *sources)
{
    Style style = style_for(stdout);
    printf("%sExercise %s (%d point%s): %s%s\n", style_on(&style, COLOUR_BOLD), e->number, e->points,
           e->points == 1 ? "" : "s", e->title, style_off(&style));
    Location where;
    char text[1100];
    if (locate_exercise_code(&where, sources, chapter, e->number)) {
        location_format(&where, text, sizeof text);
        printf("  edit  %s\n", text);
    }
    if (locate_readme_section(&where, root, chapter, e->number)) {
        location_format(&where, text, sizeof text);
        printf("  read  %s\n", text);
    }
    putchar('\n');
    print_wrapped(e->hint, "  ");
}

/* "there is no exercise 9.9; the exercises are 1.1, 1.2, ..." */
static void report_unknown(const char *number, const Manifest *manifests, size_t count)
{
    if (number)
        fprintf(stderr, "%s: error: there is no exercise %s; the exercises are", program, number);
    else
        fprintf(stderr, "%s: which exercise? Say it with EX, e.g. make hint EX=1.1; the exercises are", program);
    const char *separator = " ";
    for (size_t c = 0; c < count; c++)
        for (size_t k = 0; k < manifests[c].count; k++) {
            fprintf(stderr, "%s%s", separator, manifests[c].exercises[k].number);
            separator = ", ";
        }
    fprintf(stderr, "%s\n", count ? "" : " (none: no chapter has an exercises.def)");
}

int main(int argc, char **argv)
{
    const char *root = ".", *sources = "exercises";
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--root") == 0)
            root = argv[i + 1];
        else if (strcmp(argv[i], "--sources") == 0)
            sources = argv[i + 1];
        else
            break;
    }
    if (i >= argc || strncmp(argv[i], "--", 2) == 0) {
        fprintf(stderr, "usage: %s [--root DIR] [--sources DIR] NUMBER CHAPTER...\n", program);
        return 2;
    }
    const char *number = argv[i][0] ? argv[i] : NULL; /* `make hint` without EX passes "" */
    static Manifest manifests[MAX_CHAPTERS];
    size_t count = 0;
    for (i++; i < argc && count < MAX_CHAPTERS; i++) {
        char path[1024];
        Error err;
        snprintf(path, sizeof path, "%s/chapters/%s/exercises.def", root, argv[i]);
        if (access(path, F_OK) != 0)
            continue; /* a chapter being written may have no manifest yet */
        if (!manifest_read(&manifests[count], path, &err)) {
            report_error(program, &err);
            continue;
        }
        const Exercise *e = number ? manifest_find(&manifests[count], number) : NULL;
        if (e) {
            print_hint(e, argv[i], root, sources);
            return 0;
        }
        count++;
    }
    report_unknown(number, manifests, count);
    return 2;
}
