/* tests/tools/gradebook.c — points per exercise and chapter (the rules are in gradebook.h). */
#include "gradebook.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static bool tagged_with(const Result *r, const char *chapter, const char *number)
{
    return strcmp(r->chapter, chapter) == 0 && strcmp(r->exercise, number) == 0;
}

/* Is `need` (an exercise graded already) the one named by at[0 .. length) and not done? */
static bool failing(const ExerciseGrade *need, const char *at, size_t length)
{
    return strlen(need->exercise->number) == length && strncmp(need->exercise->number, at, length) == 0
        && need->status != EXERCISE_DONE;
}

/* The first exercise in r->needs that is graded already and not done, or NULL: one
 * earlier in the chapter's manifest than the `graded` first ones, or one of a chapter
 * graded before it (a chapter that builds on chapter 6 says "7.3 needs 6.3"). */
static const ExerciseGrade *failing_need(const Result *r, const Gradebook *book, const ChapterGrade *chapter,
                                         size_t graded)
{
    for (const char *at = r->needs; *at;) {
        size_t length = strcspn(at, " ");
        for (size_t k = 0; k < graded; k++)
            if (failing(&chapter->exercises[k], at, length))
                return &chapter->exercises[k];
        for (const ChapterGrade *earlier = book->chapters; earlier < chapter; earlier++)
            for (size_t k = 0; k < earlier->manifest.count; k++)
                if (failing(&earlier->exercises[k], at, length))
                    return &earlier->exercises[k];
        at += length + (at[length] == ' ');
    }
    return NULL;
}

/* Grade exercise k of the chapter; exercises 0 .. k - 1 are graded already. */
static void grade_exercise(const Gradebook *book, ChapterGrade *chapter, size_t k, const Run *run)
{
    ExerciseGrade *grade = &chapter->exercises[k];
    const char *name = chapter->manifest.chapter;
    bool hit_stub = false;
    for (size_t i = 0; i < run->count; i++) {
        const Result *r = &run->results[i];
        if (!tagged_with(r, name, grade->exercise->number))
            continue;
        grade->tests++;
        grade->passed += r->passed;
        const ExerciseGrade *need = r->passed ? NULL : failing_need(r, book, chapter, k);
        if (need) {
            grade->excused++;
            grade->waits_for = grade->waits_for ? grade->waits_for : need->exercise->number;
            continue;
        }
        hit_stub |= r->todo;
        if (!r->passed && !grade->first_failure)
            grade->first_failure = r;
    }
    if (chapter->build_failure) {
        grade->status = EXERCISE_BROKEN;
        grade->first_failure = chapter->build_failure;
        return; /* a chapter that did not build earns nothing, even from a stale suite */
    }
    size_t own = grade->tests - grade->excused;
    if (grade->tests == 0)
        grade->status = EXERCISE_UNTESTED;
    else if (grade->passed == grade->tests)
        grade->status = EXERCISE_DONE;
    else if (grade->passed == own)
        grade->status = EXERCISE_WAITING;
    else
        grade->status = hit_stub ? EXERCISE_TODO : EXERCISE_FAILING;
    bool earned = grade->status == EXERCISE_DONE || (grade->status == EXERCISE_WAITING && own > 0);
    grade->points = earned ? grade->exercise->points : 0;
}

static void grade_chapter(const Gradebook *book, ChapterGrade *chapter, const Run *run)
{
    const char *name = chapter->manifest.chapter;
    for (size_t i = 0; i < run->count && !chapter->build_failure; i++)
        if (strcmp(run->results[i].chapter, name) == 0 && run->results[i].not_built)
            chapter->build_failure = &run->results[i];
    for (size_t k = 0; k < chapter->manifest.count; k++) {
        ExerciseGrade *grade = &chapter->exercises[k];
        grade->exercise = &chapter->manifest.exercises[k];
        grade_exercise(book, chapter, k, run);
        chapter->done += grade->status == EXERCISE_DONE;
        chapter->points += grade->points;
    }
    chapter->max_points = manifest_total_points(&chapter->manifest);
    for (size_t i = 0; i < run->count; i++) {
        const Result *r = &run->results[i];
        if (strcmp(r->chapter, name) == 0 && r->exercise[0] && !manifest_find(&chapter->manifest, r->exercise))
            chapter->unknown_tags++;
    }
}

/* Read the manifest of `chapter` into the next slot, if it has one. */
static bool add_chapter(Gradebook *book, const Run *run, const char *chapter, Error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/chapters/%s/exercises.def", run->root, chapter);
    if (gradebook_chapter(book, chapter) || access(path, R_OK) != 0)
        return true; /* already graded, or a suite that carries no points */
    if (book->count == MAX_GRADED_CHAPTERS)
        return error_set(err, "more than %d chapters to grade", MAX_GRADED_CHAPTERS);
    ChapterGrade *grade = &book->chapters[book->count];
    *grade = (ChapterGrade){ 0 };
    if (!manifest_read(&grade->manifest, path, err))
        return false;
    book->count++;
    return true;
}

bool gradebook_build(Gradebook *book, const Run *run, Error *err)
{
    book->count = book->done = book->exercises = 0;
    book->points = 0;
    book->max_points = 0;
    for (size_t i = 0; i < run->count; i++)
        if (!add_chapter(book, run, run->results[i].chapter, err))
            return false;
    for (size_t c = 0; c < book->count; c++) {
        ChapterGrade *chapter = &book->chapters[c];
        grade_chapter(book, chapter, run);
        book->done += chapter->done;
        book->exercises += chapter->manifest.count;
        book->points += chapter->points;
        book->max_points += chapter->max_points;
    }
    return true;
}

const ChapterGrade *gradebook_chapter(const Gradebook *book, const char *chapter)
{
    for (size_t c = 0; c < book->count; c++)
        if (strcmp(book->chapters[c].manifest.chapter, chapter) == 0)
            return &book->chapters[c];
    return NULL;
}

const ExerciseGrade *gradebook_first_pending(const Gradebook *book, const ChapterGrade **chapter)
{
    for (size_t c = 0; c < book->count; c++)
        for (size_t k = 0; k < book->chapters[c].manifest.count; k++)
            if (book->chapters[c].exercises[k].status != EXERCISE_DONE) {
                *chapter = &book->chapters[c];
                return &book->chapters[c].exercises[k];
            }
    *chapter = NULL;
    return NULL;
}

const char *exercise_status_word(ExerciseStatus status)
{
    switch (status) {
    case EXERCISE_DONE:
        return "done";
    case EXERCISE_FAILING:
        return "failing";
    case EXERCISE_TODO:
        return "TODO";
    case EXERCISE_WAITING:
        return "waits";
    case EXERCISE_BROKEN:
        return "broken";
    case EXERCISE_UNTESTED:
        return "untested";
    }
    return "?";
}
