/* tests/tools/gradebook.h — from test results to points, per exercise and chapter.
 *
 * The rules, in one place:
 *   - points come from the chapter's manifest (chapters/NN-topic/exercises.def of the
 *     repository that grades, never from a submission);
 *   - an exercise earns its points, all of them, when every test tagged with it passes,
 *     and none otherwise: its tests together are its specification, so a wrong answer
 *     that still passes a side property (a sign-flipped gradient that accumulates, say)
 *     earns nothing, and points are whole numbers whose sums are exact;
 *   - a chapter with a suite that was not built (its code does not compile or link)
 *     scores 0, every exercise of it; the other chapters are graded as usual;
 *   - a test that names earlier exercises it also runs ("1.4 needs 1.2 1.3", harness.h;
 *     or of a chapter it builds on, graded before it: "7.3 needs 6.3")
 *     and fails while one of them is not done fails because of that one: it is not
 *     charged to its own exercise, which then "waits" for it, with all of its points if
 *     its other tests (at least one) pass, and none if no test of its own is left;
 *   - an exercise is done when all of its tests pass.
 * Suites without a manifest (lib/, data/, the harness) carry no points.
 */
#ifndef VAELAB_GRADEBOOK_H
#define VAELAB_GRADEBOOK_H

#include "error.h"
#include "manifest.h"
#include "run.h"

typedef enum ExerciseStatus {
    EXERCISE_DONE,     /* every test of it passes */
    EXERCISE_FAILING,  /* its tests run, and some do not pass */
    EXERCISE_TODO,     /* a test of it hit a stub: not implemented yet */
    EXERCISE_BROKEN,   /* its chapter did not compile or link, so no test of it ran */
    EXERCISE_UNTESTED, /* the chapter built, but no test of it ran */
    EXERCISE_WAITING,  /* its own tests pass (if any are left); the others fail because an
                          exercise they need fails */
} ExerciseStatus;

typedef struct ExerciseGrade {
    const Exercise *exercise;    /* in the chapter's manifest */
    ExerciseStatus status;
    size_t tests, passed;
    size_t excused;              /* failed tests put down to an exercise they need */
    const char *waits_for;       /* the number of that exercise ("1.3"), or NULL */
    int points;                  /* earned: all of the exercise's, or 0 */
    const Result *first_failure; /* its first test that did not pass, or the build failure */
} ExerciseGrade;

typedef struct ChapterGrade {
    Manifest manifest;
    ExerciseGrade exercises[MAX_EXERCISES]; /* in the manifest's order */
    const Result *build_failure;            /* a suite of it that was not built, or NULL */
    size_t done;                            /* exercises done */
    size_t unknown_tags;                    /* tests tagged with a number the manifest lacks */
    int points;
    int max_points;
} ChapterGrade;

enum { MAX_GRADED_CHAPTERS = 16 };

typedef struct Gradebook {
    ChapterGrade chapters[MAX_GRADED_CHAPTERS]; /* in the order the suites ran */
    size_t count;
    size_t done, exercises;
    int points;
    int max_points;
} Gradebook;

/* Grade every chapter of `run` that has a manifest under run->root. Large: allocate it. */
bool gradebook_build(Gradebook *book, const Run *run, Error *err);

/* The grade of `chapter`, or NULL if it carries no points. */
const ChapterGrade *gradebook_chapter(const Gradebook *book, const char *chapter);

/* The first exercise not done, in chapter then manifest order (NULL when all are done);
 * its chapter goes to *chapter. */
const ExerciseGrade *gradebook_first_pending(const Gradebook *book, const ChapterGrade **chapter);

/* "done", "TODO", "failing", "broken", "untested", "waits": one word, for tables. */
const char *exercise_status_word(ExerciseStatus status);

#endif
