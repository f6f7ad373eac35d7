/* tests/tools/locate.h — where a student should look for an exercise.
 *
 * Two places, each printed as `path:line` (which most editors and terminals open):
 *   - the line to edit: in the .c files of exercises/NN-topic/, the stub's comment
 *     `/ * EXERCISE 1.3 (3 points): ...` (in solutions/, the `BEGIN EXERCISE 1.3` marker);
 *     if the student deleted that comment, the `END EXERCISE 1.3` marker that follows;
 *   - the part of the chapter README about it: a heading naming the exercise
 *     ("### Exercise 1.3 — ..."), else a line saying "Exercise 1.3", else the row of the
 *     README's exercise table.
 * Found by reading the files, so nothing here knows about any particular chapter.
 */
#ifndef VAELAB_LOCATE_H
#define VAELAB_LOCATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct Location {
    char path[1024];
    int line; /* 1-based; 0 when only the file is known */
} Location;

/* The line to edit for exercise `number` of `chapter` in `sources`/`chapter`/ (*.c, in
 * name order). False when no file of that folder mentions the exercise. */
bool locate_exercise_code(Location *where, const char *sources, const char *chapter, const char *number);

/* The part of `root`/chapters/`chapter`/README.md about exercise `number`. */
bool locate_readme_section(Location *where, const char *root, const char *chapter, const char *number);

/* "path:line", or "path" when the line is unknown. */
void location_format(const Location *where, char *buffer, size_t size);

#endif
