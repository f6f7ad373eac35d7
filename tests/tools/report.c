/* tests/tools/report.c — the score table and the next step (see report.h). */
#include "report.h"

#include <stdio.h>
#include <string.h>

#include "locate.h"

enum { BAR_WIDTH = 10, LINES_OF_TEST_OUTPUT_SHOWN = 12 };

static Colour colour_of(ExerciseStatus status)
{
    return status == EXERCISE_DONE ? COLOUR_GREEN : status == EXERCISE_TODO ? COLOUR_YELLOW : COLOUR_RED;
}

/* "01-autoencoder" -> "01", what CH= takes. */
static void chapter_number(char *number, size_t size, const char *chapter)
{
    snprintf(number, size, "%.*s", (int)strcspn(chapter, "-"), chapter);
}

/* ".../build/exercises/tests/01-autoencoder/test_x" -> "exercises", what IMPL= takes. */
static void impl_of_suite(char *impl, size_t size, const char *suite)
{
    const char *slash[3] = { NULL, NULL, NULL }; /* the last three slashes, nearest first */
    for (const char *c = suite; *c; c++)
        if (*c == '/') {
            slash[2] = slash[1];
            slash[1] = slash[0];
            slash[0] = c;
        }
    const char *tests = slash[2];
    const char *start = tests;
    while (start && start > suite && start[-1] != '/')
        start--;
    snprintf(impl, size, "%.*s", tests ? (int)(tests - start) : 0, tests ? start : "");
}

/* ---- the score table --------------------------------------------------------------- */

/* "01-autoencoder  [####------]  2/5 exercises  3.0 / 10 points", after `prefix`. */
static void print_totals_row(const char *prefix, const char *label, size_t done, size_t exercises,
                             double points, int max_points, const Style *style)
{
    char bar[BAR_WIDTH + 3];
    progress_bar(bar, sizeof bar, max_points ? points / max_points : 1.0, BAR_WIDTH);
    bool complete = done == exercises;
    printf("%s%-18s %s%s%s  %zu/%zu exercises  %5.1f / %d points", prefix, label,
           style_on(style, complete ? COLOUR_GREEN : COLOUR_BOLD), bar, style_off(style), done, exercises,
           points, max_points);
}

/* The widest title of the chapter, so the README pointers line up. */
static int title_width(const Manifest *manifest)
{
    size_t widest = 0;
    for (size_t k = 0; k < manifest->count; k++) {
        size_t length = strlen(manifest->exercises[k].title);
        widest = length > widest ? length : widest;
    }
    return (int)widest;
}

static void print_exercise_row(const ChapterGrade *chapter, const ExerciseGrade *grade, const Run *run,
                               const Style *style, bool student)
{
    const Exercise *e = grade->exercise;
    printf("#   %-5s %s%-8s%s %5.1f / %-3d ", e->number, style_on(style, colour_of(grade->status)),
           exercise_status_word(grade->status), style_off(style), grade->points, e->points);
    Location readme;
    if (student && grade->status == EXERCISE_DONE
        && locate_readme_section(&readme, run->root, chapter->manifest.chapter, e->number)) {
        char where[1100];
        location_format(&readme, where, sizeof where);
        printf("%-*s   read %s", title_width(&chapter->manifest), e->title, where);
    } else {
        printf("%s", e->title);
    }
    if (grade->status == EXERCISE_FAILING)
        printf(" (%zu of %zu tests pass)", grade->passed, grade->tests);
    putchar('\n');
}

void report_score_table(const Gradebook *book, const Run *run, const Style *style, bool student)
{
    if (book->count == 0)
        return;
    printf("# ---- score: exercises done and points, per chapter ----\n");
    for (size_t c = 0; c < book->count; c++) {
        const ChapterGrade *chapter = &book->chapters[c];
        print_totals_row("# ", chapter->manifest.chapter, chapter->done, chapter->manifest.count,
                         chapter->points, chapter->max_points, style);
        if (chapter->build_failure)
            printf("  %sdoes not build%s: 0 points, see its errors above", style_on(style, COLOUR_RED),
                   style_off(style));
        putchar('\n');
        for (size_t k = 0; k < chapter->manifest.count; k++)
            print_exercise_row(chapter, &chapter->exercises[k], run, style, student);
        if (chapter->unknown_tags)
            printf("#   note: %zu test(s) name an exercise that chapters/%s/exercises.def does not list\n",
                   chapter->unknown_tags, chapter->manifest.chapter);
    }
    print_totals_row("# ", "total", book->done, book->exercises, book->points, book->max_points, style);
    putchar('\n');
}

/* ---- the next step ----------------------------------------------------------------- */

/* `make test IMPL=... CH=NN`, and the suite with --exercise, for the exercise's chapter. */
static void print_run_commands(const ChapterGrade *chapter, const ExerciseGrade *grade, const char *indent)
{
    char number[16], impl[64];
    chapter_number(number, sizeof number, chapter->manifest.chapter);
    const Result *failure = grade->first_failure;
    impl_of_suite(impl, sizeof impl, failure ? failure->suite : "");
    printf("%srun       make test IMPL=%s CH=%s\n", indent, impl[0] ? impl : "exercises", number);
    if (failure && !failure->not_built)
        printf("%s          %s --exercise %s\n", indent, failure->suite, grade->exercise->number);
}

/* The first lines of a test's diagnostics, indented. */
static void print_output_excerpt(const char *output, const char *indent)
{
    const char *line = output;
    for (int shown = 0; *line && shown < LINES_OF_TEST_OUTPUT_SHOWN; shown++) {
        size_t length = strcspn(line, "\n");
        printf("%s          %.*s\n", indent, (int)length, line);
        line += length + (line[length] == '\n');
    }
    if (*line)
        printf("%s          ...\n", indent);
}

static void print_what_the_test_said(const ExerciseGrade *grade, const Style *style)
{
    const Result *failure = grade->first_failure;
    if (grade->status == EXERCISE_UNTESTED) {
        printf("  status    no test of this exercise ran\n");
        return;
    }
    printf("  status    %s%s%s%s: %zu of %zu tests pass\n", style_on(style, colour_of(grade->status)),
           exercise_status_word(grade->status), style_off(style),
           grade->status == EXERCISE_TODO ? ", not implemented yet" : "", grade->passed, grade->tests);
    if (failure) {
        printf("  its test  %s\n", failure->name);
        print_output_excerpt(failure->output, "  ");
    }
}

static void print_pending_exercise(const ChapterGrade *chapter, const ExerciseGrade *grade, const Run *run,
                                   const Style *style)
{
    const Exercise *e = grade->exercise;
    printf("%sNext: exercise %s (%d point%s), %s%s\n", style_on(style, COLOUR_BOLD), e->number, e->points,
           e->points == 1 ? "" : "s", e->title, style_off(style));
    Location code;
    char where[1100];
    if (locate_exercise_code(&code, run->sources, chapter->manifest.chapter, e->number)) {
        location_format(&code, where, sizeof where);
        printf("  edit      %s\n", where);
    } else { /* the student deleted the stub's comment and END marker */
        printf("  edit      %s/%s/ (no line says EXERCISE %s any more; keep its comment to see the line here)\n",
               run->sources, chapter->manifest.chapter, e->number);
    }
    print_what_the_test_said(grade, style);
    printf("  hint      make hint EX=%s\n", e->number);
    print_run_commands(chapter, grade, "  ");
    Location readme;
    if (locate_readme_section(&readme, run->root, chapter->manifest.chapter, e->number)) {
        location_format(&readme, where, sizeof where);
        printf("  read      %s\n", where);
    }
}

static void print_broken_chapter(const ChapterGrade *chapter, const ExerciseGrade *grade, const Style *style)
{
    printf("%sNext: chapter %s does not build; fix its first error%s\n", style_on(style, COLOUR_BOLD),
           chapter->manifest.chapter, style_off(style));
    const char *said = strchr(chapter->build_failure->output, '\n'); /* after "not built: ..." */
    printf("  the build said\n");
    print_output_excerpt(said ? said + 1 : chapter->build_failure->output, "  ");
    print_run_commands(chapter, grade, "  ");
}

void report_next_step(const Gradebook *book, const Run *run, const Style *style)
{
    printf("Progress\n");
    for (size_t c = 0; c < book->count; c++) {
        const ChapterGrade *chapter = &book->chapters[c];
        print_totals_row("  ", chapter->manifest.chapter, chapter->done, chapter->manifest.count,
                         chapter->points, chapter->max_points, style);
        putchar('\n');
    }
    putchar('\n');
    const ChapterGrade *chapter;
    const ExerciseGrade *grade = gradebook_first_pending(book, &chapter);
    if (!grade)
        printf("%sEvery exercise passes: %.1f / %d points. Well done.%s\n", style_on(style, COLOUR_GREEN),
               book->points, book->max_points, style_off(style));
    else if (grade->status == EXERCISE_BROKEN)
        print_broken_chapter(chapter, grade, style);
    else
        print_pending_exercise(chapter, grade, run, style);
}

void report_next_pointer(const Gradebook *book, const Run *run, const Style *style)
{
    const ChapterGrade *chapter;
    const ExerciseGrade *grade = gradebook_first_pending(book, &chapter);
    if (!grade)
        return;
    if (grade->status == EXERCISE_BROKEN) {
        printf("# %snext%s: make chapter %s build again; its errors are above (make next says more)\n",
               style_on(style, COLOUR_BOLD), style_off(style), chapter->manifest.chapter);
        return;
    }
    Location code;
    char where[1100] = "";
    if (locate_exercise_code(&code, run->sources, chapter->manifest.chapter, grade->exercise->number))
        location_format(&code, where, sizeof where);
    printf("# %snext%s: exercise %s, %s%s%s (make next says more; make hint EX=%s)\n", style_on(style, COLOUR_BOLD),
           style_off(style), grade->exercise->number, grade->exercise->title, where[0] ? ", at " : "", where,
           grade->exercise->number);
}
