/* lib/exercise.c — see exercise.h. */
#include "exercise.h"

#include <stdio.h>
#include <string.h>

enum { MAX_REPORTED = 64 };

static const char *first_hit;
static const char *reported[MAX_REPORTED];
static int reported_count;
static void (*stub_hook)(const char *exercise);

static bool already_reported(const char *exercise)
{
    for (int i = 0; i < reported_count; i++)
        if (strcmp(reported[i], exercise) == 0)
            return true;
    return false;
}

void exercise_not_implemented(const char *exercise, const char *function)
{
    if (!first_hit) {
        first_hit = exercise;
        if (stub_hook)
            stub_hook(exercise);
    }
    if (already_reported(exercise))
        return;
    if (reported_count < MAX_REPORTED)
        reported[reported_count++] = exercise;
    fprintf(stderr, "exercise %s (%s): not implemented\n", exercise, function);
    fflush(stderr);
}

const char *exercise_first_stub_hit(void)
{
    return first_hit;
}

void exercise_set_stub_hook(void (*hook)(const char *exercise))
{
    stub_hook = hook;
}
