/* tests/tools/manifest.h — reading a chapter's exercise manifest.
 *
 * Each chapter has one manifest, chapters/NN-topic/exercises.def, the single place where
 * an exercise's number, title, points and hint are written:
 *
 *     EXERCISE("1.2", "the reconstruction loss", 2,
 *              "Average ||x_i - xhat_i||^2 over the batch; lib/loss.h has the loop.")
 *
 * Adjacent string literals are joined as in C. The grader, `make hint`, the exercise
 * generator (stub comments, README tables) all read it through this parser.
 */
#ifndef VAELAB_MANIFEST_H
#define VAELAB_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum { MAX_EXERCISES = 32 };

typedef struct Exercise {
    char number[16]; /* "1.2" */
    char title[160];
    int points;
    char hint[1024];
} Exercise;

typedef struct Manifest {
    char chapter[64]; /* "01-autoencoder", the folder name */
    Exercise exercises[MAX_EXERCISES];
    size_t count;
} Manifest;

/* Parse `path` (chapter = name of its folder). Errors name the file and line. */
bool manifest_read(Manifest *manifest, const char *path, Error *err);
/* The exercise with this number, or NULL. */
const Exercise *manifest_find(const Manifest *manifest, const char *number);
/* Sum of the points. */
int manifest_total_points(const Manifest *manifest);

#endif
