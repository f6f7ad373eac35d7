/* tests/tools/locate.c — finding an exercise's line and its README section (see locate.h). */
#include "locate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "files.h"

enum { MAX_SOURCE_FILES = 64 };

/* ---- matching an exercise number as a whole word ------------------------------------ */

/* Would the character at `c` extend a number such as 1.3 (a digit, or a dot before one)? */
static bool extends_number(const char *c)
{
    return isdigit((unsigned char)c[0]) || (c[0] == '.' && isdigit((unsigned char)c[1]));
}

/* Does `line` contain `word`, not as part of a longer number? "1.1" is not in "1.10"
 * nor in "11.1", but it is in "exercise 1.1." at the end of a sentence. */
static bool contains_word(const char *line, const char *word, bool ignore_case)
{
    size_t length = strlen(word);
    for (const char *at = line; *at; at++) {
        bool same = ignore_case ? strncasecmp(at, word, length) == 0 : strncmp(at, word, length) == 0;
        bool starts_clean = at == line || !isdigit((unsigned char)word[0])
                            || !(isdigit((unsigned char)at[-1]) || at[-1] == '.');
        if (same && starts_clean && !extends_number(at + length))
            return true;
    }
    return false;
}

/* ---- scoring the lines of a file --------------------------------------------------- */

/* How well a line marks the place for `number`: 0 not at all, higher is better. */
typedef int (*LineScore)(const char *line, const char *number);

/* The first line of `path` with the highest positive score, or 0. */
static int best_line(const char *path, LineScore score_of, const char *number)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;
    char *line = NULL;
    size_t capacity = 0;
    int line_number = 0, best = 0, best_score = 0;
    while (getline(&line, &capacity, file) != -1) {
        line_number++;
        int score = score_of(line, number);
        if (score > best_score) {
            best_score = score;
            best = line_number;
        }
    }
    free(line);
    fclose(file);
    return best;
}

/* The stub's comment "EXERCISE 1.3 (3 points)" or the solution's "BEGIN EXERCISE 1.3"
 * beat the closing "END EXERCISE 1.3", which only marks where the exercise ends. */
static int code_score(const char *line, const char *number)
{
    char marker[64];
    snprintf(marker, sizeof marker, "EXERCISE %s", number);
    if (!contains_word(line, marker, false))
        return 0;
    snprintf(marker, sizeof marker, "END EXERCISE %s", number);
    return contains_word(line, marker, false) ? 1 : 2;
}

/* The exercise's own heading ("### Exercise 1.3 — ...") beats another heading with the
 * number, which beats a sentence naming "Exercise 1.3", which beats a row
 * of the exercise table. */
static int readme_score(const char *line, const char *number)
{
    char phrase[64];
    snprintf(phrase, sizeof phrase, "exercise %s", number);
    if (line[0] == '#' && contains_word(line, phrase, true)) /* "### Exercise 7.6 — ...": its own section */
        return 4;
    if (line[0] == '#' && contains_word(line, number, false)) /* a section that covers several */
        return 3;
    if (contains_word(line, phrase, true))
        return 2;
    if (line[0] == '|' && contains_word(line, number, false))
        return 1;
    return 0;
}

/* ---- the two places ---------------------------------------------------------------- */

bool locate_exercise_code(Location *where, const char *sources, const char *chapter, const char *number)
{
    char folder[1024], names[MAX_SOURCE_FILES][FILE_NAME_SIZE];
    snprintf(folder, sizeof folder, "%s/%s", sources, chapter);
    size_t count = folder_list(folder, ".c", names, MAX_SOURCE_FILES);
    for (size_t i = 0; i < count; i++) {
        snprintf(where->path, sizeof where->path, "%s/%s", folder, names[i]);
        where->line = best_line(where->path, code_score, number);
        if (where->line > 0)
            return true;
    }
    return false;
}

bool locate_readme_section(Location *where, const char *root, const char *chapter, const char *number)
{
    snprintf(where->path, sizeof where->path, "%s/chapters/%s/README.md", root, chapter);
    if (strncmp(where->path, "./", 2) == 0)
        memmove(where->path, where->path + 2, strlen(where->path + 2) + 1); /* as a student types it */
    where->line = best_line(where->path, readme_score, number);
    return where->line > 0;
}

void location_format(const Location *where, char *buffer, size_t size)
{
    if (where->line > 0)
        snprintf(buffer, size, "%s:%d", where->path, where->line);
    else
        snprintf(buffer, size, "%s", where->path);
}
