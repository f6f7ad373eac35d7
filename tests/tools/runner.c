/* tests/tools/runner.c — `make test`, `make grade` and `make next` run this: every suite
 * binary, one TAP stream, the score.
 *
 *   runner [--root DIR] [--sources DIR] [--results FILE] [--notes FILE] [--valgrind]
 *          [--watch DIR] [--watch-submission DIR] [--ignore DIR]
 *          [--student | --next | --grade | --prerequisite-of WHAT] SUITE...
 *
 * Each SUITE is a test binary built from tests/<folder>/test_*.c. The runner starts it,
 * renumbers its TAP lines into one stream, remembers each test's status and diagnostics,
 * and ends with the score table (points from the chapters' manifests under --root, see
 * gradebook.h) and the summary line `N passed, N failed`, always the last line.
 *
 * A suite that was not built counts as a failed test whose diagnostics are the build's
 * first errors: the Makefile keeps a `.log` beside each chapter object that did not
 * compile and each suite that did not link (and deletes it once the build succeeds), so
 * a chapter with a log is not run even if an old binary of it is still there. A suite
 * that dies outside its tests also counts as a failed test; the run always goes on.
 *
 *   --sources DIR  where the graded chapter code is (exercises/, solutions/, or a staged
 *                  submission), for pointing at the line to edit
 *   --results FILE write Gradescope's results.json (checked writable before the tests run)
 *   --notes FILE   text for results.json's top-level "output" (what staging said)
 *   --valgrind     run each suite under Valgrind; an error fails the test it happens in
 *   --student      the student's view: README pointers for exercises done, the next one
 *   --next         no TAP: the progress per chapter and the next exercise in detail
 *   --grade        the exit status says whether grading worked, not whether tests passed
 *   --prerequisite-of WHAT  no TAP; exit 1, saying which exercises are not done, unless
 *                  all are (make demo: "make demo runs your code of ..." instead of a loss
 *                  that became NaN)
 *   --watch DIR, --watch-submission DIR  list the files that appear under DIR while the suites run,
 *                  but under --ignore DIR (the build folder): what code under test wrote
 *                  into the repository or the submission
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arguments.h"
#include "error.h"
#include "exercise.h"
#include "files.h"
#include "gradebook.h"
#include "report.h"
#include "results_json.h"
#include "run.h"
#include "terminal.h"

static const char *const program = "runner";

enum { MAX_RESULTS = 4096, BUILD_LOG_LINES_KEPT = 20, MAX_LOG_FILES = 32 };

typedef enum View { VIEW_MAINTAINER, VIEW_STUDENT, VIEW_NEXT, VIEW_GRADE, VIEW_GATE } View;

enum { MAX_WATCHED = 2, NEW_FILES_SHOWN = 20 };

typedef struct Options {
    const char *results_path;
    const char *notes_path;
    const char *prerequisite_of; /* --prerequisite-of: what runs the suites' exercises ("make demo") */
    bool valgrind;
    View view;
    const char *watched[MAX_WATCHED]; /* --watch, --watch-submission */
    size_t watched_count;
    const char *ignored;              /* --ignore */
} Options;

typedef struct Relay {
    Run *run;
    bool quiet; /* --next prints no TAP */
    Style style;
} Relay;

/* ---- recording results ------------------------------------------------------------- */

static Result *new_result(Run *run, const char *chapter, const char *suite)
{
    if (run->count == run->capacity)
        return NULL;
    Result *r = &run->results[run->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->chapter, sizeof r->chapter, "%s", chapter);
    snprintf(r->suite, sizeof r->suite, "%s", suite);
    return r;
}

static void append_output(Result *r, const char *line)
{
    size_t used = strlen(r->output);
    size_t needed = strlen(line) + 1;
    if (used + needed > RESULT_OUTPUT_CAP)
        r->output_cut = true;
    if (used < RESULT_OUTPUT_CAP)
        snprintf(r->output + used, RESULT_OUTPUT_CAP + 1 - used, "%s\n", line);
}

/* "not ok 3 - [1.2] name (not implemented)" -> the result's fields */
static void parse_test_line(Result *r, const char *line)
{
    r->passed = strncmp(line, "ok ", 3) == 0;
    const char *rest = strstr(line, " - ");
    rest = rest ? rest + 3 : line;
    if (rest[0] == '[') { /* "[1.4]" or "[1.4 needs 1.2 1.3]" */
        const char *close = strchr(rest, ']');
        if (close) {
            size_t tag = (size_t)(close - rest - 1), number = strcspn(rest + 1, " ]");
            snprintf(r->exercise, sizeof r->exercise, "%.*s", (int)number, rest + 1);
            static const char needs[] = " needs ";
            if (number < tag && strncmp(rest + 1 + number, needs, strlen(needs)) == 0)
                snprintf(r->needs, sizeof r->needs, "%.*s", (int)(tag - number - strlen(needs)),
                         rest + 1 + number + strlen(needs));
            rest = close + (close[1] == ' ' ? 2 : 1);
        }
    }
    const char *todo = strstr(rest, NOT_IMPLEMENTED);
    r->todo = todo != NULL;
    snprintf(r->name, sizeof r->name, "%.*s", (int)(todo ? (size_t)(todo - rest) : strlen(rest)), rest);
}

static void print_result_line(const Relay *relay, const Result *r)
{
    if (relay->quiet)
        return;
    const Style *style = &relay->style;
    printf("%s%s%s %zu - ", style_on(style, r->passed ? COLOUR_GREEN : COLOUR_RED), r->passed ? "ok" : "not ok",
           style_off(style), relay->run->count);
    if (r->exercise[0])
        printf(r->needs[0] ? "[%s needs %s] " : "[%s] ", r->exercise, r->needs);
    if (r->todo)
        printf("%s%s%s%s\n", r->name, style_on(style, COLOUR_YELLOW), NOT_IMPLEMENTED, style_off(style));
    else
        printf("%s\n", r->name);
}

/* A failed test standing for a whole suite, with `why` as its diagnostics. */
static Result *record_suite_failure(Relay *relay, const char *chapter, const char *suite, const char *why)
{
    Result *r = new_result(relay->run, chapter, suite);
    if (!r)
        return NULL;
    snprintf(r->name, sizeof r->name, "%s", suite);
    print_result_line(relay, r);
    for (const char *line = why; *line;) {
        size_t length = strcspn(line, "\n");
        char text[512];
        snprintf(text, sizeof text, "%.*s", (int)length, line);
        append_output(r, text);
        if (!relay->quiet)
            printf("#   %s\n", text);
        line += length + (line[length] == '\n');
    }
    return r;
}

/* ---- relaying one suite's TAP ------------------------------------------------------ */

static bool is_test_line(const char *line)
{
    return strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0;
}

static bool is_suite_summary(const char *line)
{
    unsigned long passed, failed;
    char tail;
    return sscanf(line, "%lu passed, %lu failed%c", &passed, &failed, &tail) == 2;
}

/* Read the suite's output line by line, re-emitting it with global test numbers. */
static void relay_suite_output(Relay *relay, FILE *stream, const char *chapter, const char *suite)
{
    char line[4096];
    Result *current = NULL;
    while (fgets(line, sizeof line, stream)) {
        line[strcspn(line, "\n")] = '\0';
        if (is_test_line(line)) {
            current = new_result(relay->run, chapter, suite);
            if (!current)
                break;
            parse_test_line(current, line);
            print_result_line(relay, current);
        } else if (line[0] == '#') {
            if (strstr(line, " failures are exercises not implemented yet"))
                continue;
            if (current)
                append_output(current, line[1] == ' ' ? line + 2 : line + 1);
            if (!relay->quiet)
                printf("%s\n", line);
        } else if (strncmp(line, "1..", 3) == 0 || is_suite_summary(line)) {
            continue; /* the runner prints its own plan and summary */
        } else if (line[0] && !relay->quiet) {
            printf("# %s\n", line);
        }
    }
    fflush(stdout);
}

/* ---- suites that were not built ---------------------------------------------------- */

/* "build/solutions/tests/01-autoencoder/test_ae" -> "01-autoencoder" */
static void folder_of(char *chapter, size_t size, const char *path)
{
    const char *end = strrchr(path, '/');
    const char *start = end;
    while (start && start > path && start[-1] != '/')
        start--;
    snprintf(chapter, size, "%.*s", end ? (int)(end - start) : 1, end ? start : ".");
}

/* "build/exercises/tests/01-autoencoder/test_ae" -> "build/exercises/01-autoencoder",
 * where the chapter's objects and their compile logs are. */
static void object_folder_of(char *folder, size_t size, const char *suite, const char *chapter)
{
    const char *tests = NULL;
    for (const char *c = strstr(suite, "/tests/"); c; c = strstr(c + 1, "/tests/"))
        tests = c;
    snprintf(folder, size, "%.*s/%s", tests ? (int)(tests - suite) : 1, tests ? suite : ".", chapter);
}

/* Append the first lines of `path` to `text` (at most *lines_left lines in all). */
static void append_log(char *text, size_t size, const char *path, int *lines_left)
{
    FILE *log = fopen(path, "r");
    if (!log)
        return;
    char line[512];
    while (*lines_left > 0 && fgets(line, sizeof line, log)) {
        size_t used = strlen(text);
        snprintf(text + used, size - used, "%s%s", line, strchr(line, '\n') ? "" : "\n");
        (*lines_left)--;
    }
    if (*lines_left == 0 && fgets(line, sizeof line, log)) {
        size_t used = strlen(text);
        snprintf(text + used, size - used, "... (the rest is in %s)\n", path);
    }
    fclose(log);
}

/* If the last build of this suite's chapter failed, put what it said in `why` and say so:
 * first the chapter's compile logs, then the suite's link log. */
static bool build_failed(const char *suite, const char *chapter, char *why, size_t size)
{
    char folder[1024], names[MAX_LOG_FILES][FILE_NAME_SIZE], path[1400];
    object_folder_of(folder, sizeof folder, suite, chapter);
    size_t count = folder_list(folder, ".log", names, MAX_LOG_FILES);
    snprintf(path, sizeof path, "%s.log", suite);
    bool link_failed = access(path, R_OK) == 0;
    if (count == 0 && !link_failed)
        return false;
    int lines_left = BUILD_LOG_LINES_KEPT;
    snprintf(why, size, "not built: chapter %s does not compile or link; the build said:\n", chapter);
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        append_log(why, size, path, &lines_left);
    }
    if (link_failed) {
        snprintf(path, sizeof path, "%s.log", suite);
        append_log(why, size, path, &lines_left);
    }
    return true;
}

/* ---- compiler warnings --------------------------------------------------------------- */

/* A student's file that compiled with warnings leaves them in <object>.warnings (the
 * Makefile's `logged`); they are shown, once per chapter, and never scored. */
typedef struct ChapterWarnings {
    char chapter[64];
    char text[4096];
} ChapterWarnings;

enum { MAX_WARNED_CHAPTERS = 16 };
static ChapterWarnings warnings[MAX_WARNED_CHAPTERS];
static size_t warned_chapters;

static void collect_warnings(const char *suite, const char *chapter)
{
    for (size_t k = 0; k < warned_chapters; k++)
        if (strcmp(warnings[k].chapter, chapter) == 0)
            return;
    char folder[1024], names[MAX_LOG_FILES][FILE_NAME_SIZE], path[1400];
    object_folder_of(folder, sizeof folder, suite, chapter);
    size_t count = folder_list(folder, ".warnings", names, MAX_LOG_FILES);
    if (count == 0 || warned_chapters == MAX_WARNED_CHAPTERS)
        return;
    ChapterWarnings *w = &warnings[warned_chapters++];
    snprintf(w->chapter, sizeof w->chapter, "%s", chapter);
    int lines_left = BUILD_LOG_LINES_KEPT;
    for (size_t i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", folder, names[i]);
        append_log(w->text, sizeof w->text, path, &lines_left);
    }
}

/* Each chapter's warnings as comment lines: they cost no points, but say something. */
static void print_warnings(void)
{
    for (size_t k = 0; k < warned_chapters; k++) {
        printf("# warning: chapter %s compiles with warnings; they cost no points, but each one is worth a look "
               "(docs/students.md, \"Compiler warnings\"):\n", warnings[k].chapter);
        for (const char *line = warnings[k].text; *line;) {
            size_t length = strcspn(line, "\n");
            printf("#   %.*s\n", (int)length, line);
            line += length + (line[length] == '\n');
        }
    }
}

/* ---- running one suite ------------------------------------------------------------- */

static void exec_suite(const char *path, bool valgrind)
{
    if (valgrind) {
        setenv("VAELAB_TIME_LIMIT", "300", 1);
        execlp("valgrind", "valgrind", "-q", "--error-exitcode=99", "--leak-check=full", "--track-origins=yes",
               path, (char *)NULL);
    } else {
        execl(path, path, (char *)NULL);
    }
    printf("cannot start %s: %s\n", path, strerror(errno));
    _exit(127);
}

/* Run the suite with its stdout and stderr into the relay; returns its wait status. */
static int run_and_relay(Relay *relay, const char *path, const char *chapter, bool valgrind)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        record_suite_failure(relay, chapter, path, strerror(errno));
        return 0;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        record_suite_failure(relay, chapter, path, strerror(errno));
        return 0;
    }
    if (child == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        exec_suite(path, valgrind);
    }
    close(pipe_fds[1]);
    FILE *stream = fdopen(pipe_fds[0], "r");
    if (stream) {
        relay_suite_output(relay, stream, chapter, path);
        fclose(stream);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return status;
}

/* Has an earlier suite of `chapter` already been reported as not built? */
static bool chapter_reported_broken(const Run *run, const char *chapter)
{
    for (size_t i = 0; i < run->count; i++)
        if (run->results[i].not_built && strcmp(run->results[i].chapter, chapter) == 0)
            return true;
    return false;
}

/* A suite that is missing, or whose chapter's last build failed: one failed test, and
 * its chapter scores 0 (gradebook.h). */
static void record_not_built(Relay *relay, const char *chapter, const char *suite, const char *why)
{
    Result *r = record_suite_failure(relay, chapter, suite, why);
    if (r)
        r->not_built = true;
}

/* The first chapter that `chapter` builds on (its chapters/<chapter>/builds-on under the
 * root) and that was reported as not built, into `broken`; false if none. Its suites
 * link that chapter's code, so they are not built either, for that reason. */
static bool builds_on_broken_chapter(const Run *run, const char *chapter, char *broken, size_t size)
{
    char path[1200], line[256];
    snprintf(path, sizeof path, "%s/chapters/%s/builds-on", run->root, chapter);
    FILE *file = fopen(path, "r");
    if (!file)
        return false;
    bool found = false;
    while (!found && fgets(line, sizeof line, file)) {
        line[strcspn(line, " \t\r\n")] = '\0';
        if (line[0] && chapter_reported_broken(run, line)) {
            snprintf(broken, size, "%s", line);
            found = true;
        }
    }
    fclose(file);
    return found;
}

static void run_suite_binary(Relay *relay, const char *path, bool valgrind)
{
    char chapter[64], why[4096];
    folder_of(chapter, sizeof chapter, path);
    if (build_failed(path, chapter, why, sizeof why)) {
        if (chapter_reported_broken(relay->run, chapter)) /* the errors once are enough */
            snprintf(why, sizeof why, "not built: chapter %s does not compile or link (the errors are above)",
                     chapter);
        record_not_built(relay, chapter, path, why);
        return;
    }
    char broken[256];
    if (access(path, X_OK) != 0 && builds_on_broken_chapter(relay->run, chapter, broken, sizeof broken)) {
        snprintf(why, sizeof why, "not built: chapter %s builds on chapter %s, which does not compile or link "
                 "(its errors are above)", chapter, broken);
        record_not_built(relay, chapter, path, why);
        return;
    }
    if (access(path, X_OK) != 0) {
        record_not_built(relay, chapter, path, "not built: the build's output says why");
        return;
    }
    collect_warnings(path, chapter);
    Run *run = relay->run;
    size_t before = run->count;
    int status = run_and_relay(relay, path, chapter, valgrind);
    bool all_passed = true;
    for (size_t i = before; i < run->count; i++)
        all_passed &= run->results[i].passed;
    /* A suite whose own process failed while every test it reported passed (or that
     * reported none) broke outside the tests: that must not pass silently. */
    if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && (all_passed || run->count == before))
        record_suite_failure(relay, chapter, path, "the suite itself failed (crashed, or Valgrind found an error)");
}

/* ---- the end of the run ------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Write results.json; false (after saying why) if it cannot be written. */
static bool write_results(const Options *options, const Run *run, const Gradebook *book, double seconds)
{
    Error err;
    char *notes = options->notes_path ? file_read_all(options->notes_path, &err) : NULL;
    bool written = results_json_write(options->results_path, run, book, seconds, notes, &err);
    free(notes);
    if (!written) {
        fprintf(stderr, "%s: error: no results.json: %s\n", program, err.message);
        printf("# results.json NOT written: %s\n", err.message);
        return false;
    }
    printf("# results written to %s\n", options->results_path);
    return true;
}

/* --prerequisite-of: true when every exercise of the suites' chapters is done; else say, on stderr,
 * which are not, and what to do. */
static bool report_prerequisites(const Gradebook *book, const char *what)
{
    if (book->done == book->exercises)
        return true;
    fprintf(stderr, "%s runs your code of exercises", what);
    const char *separator = " ";
    for (size_t c = 0; c < book->count; c++)
        for (size_t k = 0; k < book->chapters[c].manifest.count; k++, separator = ", ")
            fprintf(stderr, "%s%s", separator, book->chapters[c].manifest.exercises[k].number);
    fprintf(stderr, "; not done yet:");
    separator = " ";
    for (size_t c = 0; c < book->count; c++)
        for (size_t k = 0; k < book->chapters[c].manifest.count; k++) {
            const ExerciseGrade *grade = &book->chapters[c].exercises[k];
            if (grade->status == EXERCISE_DONE)
                continue;
            fprintf(stderr, "%s%s (%s)", separator, grade->exercise->number, exercise_status_word(grade->status));
            separator = ", ";
        }
    fprintf(stderr, ".\nmake next says what to do first.\n");
    return false;
}

/* Everything after the TAP lines; returns whether it all worked. */
static bool finish_run(const Options *options, Run *run, double start)
{
    Gradebook *book = calloc(1, sizeof *book);
    Error err;
    if (!book || !gradebook_build(book, run, &err)) {
        fprintf(stderr, "%s: error: %s\n", program, book ? err.message : "out of memory");
        printf("%zu passed, %zu failed\n", (size_t)0, run->count);
        free(book);
        return false;
    }
    Style style = style_for(stdout);
    bool worked = true;
    if (options->view == VIEW_GATE) {
        worked = report_prerequisites(book, options->prerequisite_of);
    } else if (options->view == VIEW_NEXT) {
        report_next_step(book, run, &style);
    } else {
        size_t passed = 0, todo = 0;
        for (size_t k = 0; k < run->count; k++) {
            passed += run->results[k].passed;
            todo += run->results[k].todo;
        }
        printf("1..%zu\n", run->count);
        report_score_table(book, run, &style, options->view == VIEW_STUDENT);
        if (options->results_path)
            worked = write_results(options, run, book, now_seconds() - start);
        if (todo)
            printf("# %zu of the %zu failures are exercises not implemented yet\n", todo, run->count - passed);
        if (options->view == VIEW_STUDENT)
            report_next_pointer(book, run, &style);
        printf("%zu passed, %zu failed\n", passed, run->count - passed);
    }
    free(book);
    return worked;
}

/* Say which files appeared under the watched folders since `before` was taken. */
static void report_new_files(const Options *options, const FileCensus *before)
{
    FileCensus after;
    file_census_take(&after, options->watched, options->watched_count, options->ignored);
    size_t appeared = 0;
    for (size_t k = 0; k < after.count; k++)
        if (!file_census_has(before, after.paths[k]) && appeared++ < NEW_FILES_SHOWN)
            printf("# grade: %s appeared during grading: written by the code under test?\n", after.paths[k]);
    if (appeared > NEW_FILES_SHOWN)
        printf("# grade: ... and %zu more files appeared during grading\n", appeared - NEW_FILES_SHOWN);
    file_census_free(&after);
}

/* ---- main -------------------------------------------------------------------------- */

/* The view from --student, --next, --grade and --prerequisite-of, at most one of them. */
static bool choose_view(View *view, bool student, bool next, bool grade, bool gate)
{
    if (student + next + grade + gate > 1) {
        fprintf(stderr, "%s: error: --student, --next, --grade and --prerequisite-of are four views: give one at "
                        "most\n", program);
        return false;
    }
    *view = student ? VIEW_STUDENT : next ? VIEW_NEXT : grade ? VIEW_GRADE : gate ? VIEW_GATE : VIEW_MAINTAINER;
    return true;
}

int main(int argc, char **argv)
{
    Options options = { 0 };
    Run run = { .root = ".", .sources = "exercises", .capacity = MAX_RESULTS };
    bool student = false, next = false, grade = false;
    const char *watched_repository = NULL, *watched_submission = NULL;
    const Option table[] = {
        { "root", OPTION_STRING, &run.root, "the repository whose chapters' manifests give the points", 0, 0 },
        { "sources", OPTION_STRING, &run.sources, "where the graded chapter code is, to point at lines", 0, 0 },
        { "results", OPTION_STRING, &options.results_path, "also write Gradescope's results.json there", 0, 0 },
        { "notes", OPTION_STRING, &options.notes_path, "text for results.json's top-level \"output\"", 0, 0 },
        { "valgrind", OPTION_FLAG, &options.valgrind, "run each suite under Valgrind", 0, 0 },
        { "student", OPTION_FLAG, &student, "the student's view: README pointers, the next exercise", 0, 0 },
        { "next", OPTION_FLAG, &next, "no TAP: the progress per chapter and the next exercise", 0, 0 },
        { "grade", OPTION_FLAG, &grade, "exit 0 when the grading worked, whatever the tests said", 0, 0 },
        { "watch", OPTION_STRING, &watched_repository,
          "list the files that appear under this folder (the repository) while the suites run", 0, 0 },
        { "watch-submission", OPTION_STRING, &watched_submission, "... and under this one (the submission)", 0, 0 },
        { "ignore", OPTION_STRING, &options.ignored, "but not under this one (the build folder)", 0, 0 },
        { "prerequisite-of", OPTION_STRING, &options.prerequisite_of,
          "no TAP: exit 1, saying which are not done, unless every exercise of the suites is done", 0, 0 },
    };
    CliOperands suites = { .synopsis = "SUITE..." };
    int status;
    if (!tool_arguments(&status, argc, argv, "Run test suites as one TAP stream, then the score.", table,
                        sizeof table / sizeof table[0], &suites))
        return status;
    if (!choose_view(&options.view, student, next, grade, options.prerequisite_of != NULL))
        return TOOL_USAGE_ERROR;
    if (watched_repository)
        options.watched[options.watched_count++] = watched_repository;
    if (watched_submission)
        options.watched[options.watched_count++] = watched_submission;
    Error err;
    bool results_writable = !options.results_path || results_json_writable(options.results_path, &err);
    if (!results_writable) /* said at once, not after minutes of tests; the grading goes on */
        fprintf(stderr, "%s: error: cannot write the results: %s (grading goes on, without results.json)\n",
                program, err.message);
    run.results = calloc(run.capacity, sizeof *run.results);
    if (!run.results) {
        fprintf(stderr, "%s: error: out of memory\n", program);
        return 1;
    }
    Relay relay = { &run, options.view == VIEW_NEXT || options.view == VIEW_GATE, style_for(stdout) };
    double start = now_seconds();
    FileCensus before;
    file_census_take(&before, options.watched, options.watched_count, options.ignored);
    for (size_t i = 0; i < suites.count; i++)
        run_suite_binary(&relay, suites.values[i], options.valgrind);
    report_new_files(&options, &before);
    file_census_free(&before);
    if (options.view != VIEW_GATE)
        print_warnings();
    bool worked = finish_run(&options, &run, start) && results_writable;
    size_t passed = 0;
    for (size_t k = 0; k < run.count; k++)
        passed += run.results[k].passed;
    free(run.results);
    if (options.view == VIEW_NEXT || options.view == VIEW_GRADE || options.view == VIEW_GATE)
        return worked ? 0 : 1;
    return worked && passed == run.count ? 0 : 1;
}
