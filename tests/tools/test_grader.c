/* tests/tools/test_grader.c — the grader tests itself (make check-grader, run by make check).
 *
 * Each test runs the real commands, `make grade`, `make next`, `make hint`,
 * `make student-release`, on submissions it builds under build/grader-test/ from copies
 * of solutions/ and exercises/ (which it never modifies), and reads what they print and
 * the results.json they write:
 *   - the untouched stubs score 0, every exercise TODO;
 *   - the solutions score full marks, and results.json adds up to the score table;
 *   - a chapter that does not compile scores 0 with the compiler's errors; the other
 *     chapters keep full marks;
 *   - an exercise that crashes, or loops forever, loses exactly what its stub loses: the
 *     crash for every exercise of every chapter, the loop for the last one; a wrong value
 *     (the silent stub) in any exercise loses no test its stub does not;
 *   - a loop inside a program a test runs (chapter 1's ae_mnist) times out, the grade
 *     ends within the sum of its limits, and no process of it is left;
 *   - code under test that writes into the repository is listed in the report;
 *   - a submission with a missing file, extra files and an edited manifest is graded with
 *     the instructor's manifest, and each problem is said;
 *   - an unwritable results path is said at once, and the table is still printed;
 *   - make grade-all, make next, make hint, and the student release work.
 * VAELAB_ROOT, VAELAB_BUILD and VAELAB_MAKE are passed in by the Makefile.
 */
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files.h"
#include "harness.h"
#include "manifest.h"

enum { COMMAND_SIZE = 8192, PATH_SIZE = 1024, MAX_CHAPTERS = 16 };

/* ---- running commands, reading files ----------------------------------------------- */

/* `relative` inside the build folder, as an absolute path (BUILD may be either). */
static void in_build(char *path, size_t size, const char *relative)
{
    if (VAELAB_BUILD[0] == '/')
        snprintf(path, size, "%s/%s", VAELAB_BUILD, relative);
    else
        snprintf(path, size, "%s/%s/%s", VAELAB_ROOT, VAELAB_BUILD, relative);
}

static char *read_text(const char *path)
{
    Error err;
    return file_read_all(path, &err);
}

/* Run a shell command in the repository with its output into grader-test/<name>.out;
 * returns the exit status and the output (malloc'ed) in *output. */
static int run_in_root(const char *name, const char *command, char **output)
{
    char out_path[PATH_SIZE], full[COMMAND_SIZE], ignored[256];
    in_build(out_path, sizeof out_path, "grader-test");
    snprintf(full, sizeof full, "mkdir -p '%s' && cd '%s' && { %s; } > '%s/%s.out' 2>&1", out_path, VAELAB_ROOT,
             command, out_path, name);
    int status = test_run_command(full, ignored, sizeof ignored);
    snprintf(full, sizeof full, "%s/%s.out", out_path, name);
    *output = read_text(full);
    if (!*output)
        *output = calloc(1, 1);
    return status;
}

/* `make ARGUMENTS` in the repository, same BUILD as ours. */
static int run_make(const char *name, const char *arguments, char **output)
{
    char command[COMMAND_SIZE];
    snprintf(command, sizeof command, "%s --no-print-directory BUILD='%s' %s", VAELAB_MAKE, VAELAB_BUILD, arguments);
    return run_in_root(name, command, output);
}

static void shell(const char *command)
{
    char output[2048];
    if (test_run_command(command, output, sizeof output) != 0)
        CHECK_FAIL("command failed: %s\n%s", command, output);
}

/* ---- the chapters and their manifests ---------------------------------------------- */

typedef struct Chapters {
    char names[MAX_CHAPTERS][64];
    Manifest manifests[MAX_CHAPTERS];
    size_t count;
} Chapters;

static int compare_names(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

/* The graded chapters: chapters/NN-*, with a manifest, solutions and tests. */
static const Chapters *graded_chapters(void)
{
    static Chapters chapters;
    if (chapters.count)
        return &chapters;
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/chapters", VAELAB_ROOT);
    DIR *listing = opendir(path);
    struct dirent *entry;
    while (listing && (entry = readdir(listing)) != NULL && chapters.count < MAX_CHAPTERS)
        if (isdigit((unsigned char)entry->d_name[0]) && isdigit((unsigned char)entry->d_name[1])
            && entry->d_name[2] == '-')
            snprintf(chapters.names[chapters.count++], 64, "%s", entry->d_name);
    if (listing)
        closedir(listing);
    qsort(chapters.names, chapters.count, 64, compare_names);
    size_t kept = 0;
    for (size_t c = 0; c < chapters.count; c++) {
        Error err;
        snprintf(path, sizeof path, "%s/chapters/%s/exercises.def", VAELAB_ROOT, chapters.names[c]);
        if (!manifest_read(&chapters.manifests[kept], path, &err))
            continue;
        memmove(chapters.names[kept], chapters.names[c], 64);
        kept++;
    }
    chapters.count = kept;
    return &chapters;
}

static int total_points(const Chapters *chapters)
{
    int total = 0;
    for (size_t c = 0; c < chapters->count; c++)
        total += manifest_total_points(&chapters->manifests[c]);
    return total;
}

/* ---- reading the score table ------------------------------------------------------- */

typedef struct Row {
    size_t done, exercises;
    double points;
    int max_points;
    bool broken;
} Row;

/* The score table, after the TAP stream (whose diagnostics could look like its rows). */
static const char *score_table(const char *output)
{
    const char *table = strstr(output, "\n# ---- score");
    return table ? table : "";
}

/* The table's row for a chapter (or "total"). */
static bool table_row(const char *output, const char *label, Row *row)
{
    char start[128];
    snprintf(start, sizeof start, "\n# %s ", label);
    const char *line = strstr(score_table(output), start);
    *row = (Row){ 0 };
    if (!line)
        return false;
    row->broken = strstr(line + 1, "does not build") && strstr(line + 1, "does not build") < strchr(line + 1, '\n');
    return sscanf(line + 1, "# %*s [%*[#-]] %zu/%zu exercises %lf / %d points", &row->done, &row->exercises,
                  &row->points, &row->max_points)
           == 4;
}

/* The status word of an exercise's row ("done", "TODO", ...). */
static bool exercise_status(const char *output, const char *number, char *status, size_t size)
{
    char start[64], format[32];
    snprintf(start, sizeof start, "\n#   %s ", number);
    const char *line = strstr(score_table(output), start);
    snprintf(format, sizeof format, "#   %%*s %%%zus", size - 1);
    return line && sscanf(line + 1, format, status) == 1;
}

static void check_chapter_full(const char *output, const char *chapter, const Manifest *manifest)
{
    Row row;
    CHECK(table_row(output, chapter, &row));
    CHECK_NEAR(manifest_total_points(manifest), row.points, 0.0);
    CHECK_LONG(manifest->count, row.done);
}

/* ---- results.json: a strict little JSON reader ------------------------------------- */

typedef struct Json {
    const char *at;
    bool ok;
    double score, max_score, tests_score, tests_max;
    size_t tests;
    char statuses[1024]; /* 'P' or 'F' for each test, in order */
    char numbers[1024][16]; /* the exercise number of each test, in order */
    unsigned keys;       /* the keys seen in the object being read, as bits */
} Json;

static const char *const test_keys[] = { "name", "number", "score", "max_score", "status", "output" };
static const char *const top_keys[] = { "score", "max_score", "execution_time", "output", "tests" };

static bool json_fail(Json *j, const char *why)
{
    if (j->ok)
        check_note("results.json: %s at \"%.40s\"", why, j->at);
    j->ok = false;
    return false;
}

static void skip_space(Json *j) { j->at += strspn(j->at, " \t\r\n"); }

static bool json_string(Json *j, char *out, size_t size)
{
    size_t length = 0;
    if (*j->at != '"')
        return json_fail(j, "expected a string");
    for (j->at++; *j->at != '"'; j->at++) {
        if ((unsigned char)*j->at < 0x20)
            return json_fail(j, "a control character in a string");
        if (*j->at == '\\') {
            j->at++;
            if (*j->at == 'u' && strspn(j->at + 1, "0123456789abcdefABCDEF") >= 4)
                j->at += 4;
            else if (!strchr("\"\\/bfnrt", *j->at) || !*j->at)
                return json_fail(j, "a bad escape");
        }
        if (length + 1 < size)
            out[length++] = *j->at;
    }
    out[length] = '\0';
    j->at++;
    return true;
}

static bool json_number(Json *j, double *value)
{
    char *end;
    *value = strtod(j->at, &end);
    if (end == j->at || !(*j->at == '-' || isdigit((unsigned char)*j->at)))
        return json_fail(j, "expected a number");
    j->at = end;
    return true;
}

static unsigned key_bit(const char *const *keys, size_t count, const char *key)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(keys[i], key) == 0)
            return 1u << i;
    return 0;
}

static bool json_value(Json *j, const char *key, int depth);

/* Depth 1 is the top object, 2 the tests array, 3 a test. */
static void note_number(Json *j, const char *key, int depth, double value)
{
    bool score = strcmp(key, "score") == 0, max_score = strcmp(key, "max_score") == 0;
    if (depth == 1) {
        j->score = score ? value : j->score;
        j->max_score = max_score ? value : j->max_score;
    } else if (depth == 3) {
        j->tests_score += score ? value : 0.0;
        j->tests_max += max_score ? value : 0.0;
    }
}

static bool json_object(Json *j, int depth)
{
    unsigned outer_keys = j->keys;
    j->keys = 0;
    j->at++;
    skip_space(j);
    while (j->ok && *j->at != '}') {
        char key[64];
        if (!json_string(j, key, sizeof key))
            return false;
        skip_space(j);
        if (*j->at++ != ':')
            return json_fail(j, "expected ':'");
        j->keys |= depth == 1 ? key_bit(top_keys, 5, key) : key_bit(test_keys, 6, key);
        if (!json_value(j, key, depth))
            return false;
        skip_space(j);
        if (*j->at == ',')
            j->at++, skip_space(j);
        else if (*j->at != '}')
            return json_fail(j, "expected ',' or '}'");
    }
    j->at++;
    /* a test: name, number, status, output; an exercise also score and max_score */
    unsigned scored = 0x3fu, unscored = 0x3fu & ~(key_bit(test_keys, 6, "score") | key_bit(test_keys, 6, "max_score"));
    bool complete = depth == 1 ? j->keys == 0x1fu : j->keys == scored || j->keys == unscored;
    j->keys = outer_keys;
    return complete || depth > 3 ? true : json_fail(j, "an object lacks one of its keys");
}

static bool json_array(Json *j, const char *key, int depth)
{
    j->at++;
    skip_space(j);
    while (j->ok && *j->at != ']') {
        if (depth == 2 && strcmp(key, "tests") == 0)
            j->tests++;
        if (!json_value(j, key, depth))
            return false;
        skip_space(j);
        if (*j->at == ',')
            j->at++, skip_space(j);
        else if (*j->at != ']')
            return json_fail(j, "expected ',' or ']'");
    }
    j->at++;
    return true;
}

/* A value inside a container at `depth`, under `key`. */
static bool json_value(Json *j, const char *key, int depth)
{
    skip_space(j);
    char text[4096];
    double number;
    if (*j->at == '{')
        return json_object(j, depth + 1);
    if (*j->at == '[')
        return json_array(j, key, depth + 1);
    if (*j->at == '"') {
        if (!json_string(j, text, sizeof text))
            return false;
        size_t n = strlen(j->statuses);
        if (depth == 3 && strcmp(key, "status") == 0 && n + 1 < sizeof j->statuses)
            j->statuses[n] = strcmp(text, "passed") == 0 ? 'P' : 'F';
        if (depth == 3 && strcmp(key, "number") == 0 && n < sizeof j->numbers / sizeof j->numbers[0])
            snprintf(j->numbers[n], sizeof j->numbers[n], "%s", text); /* its status comes after it */
        return true;
    }
    if (!json_number(j, &number))
        return false;
    note_number(j, key, depth, number);
    return true;
}

/* Read results.json; every check of its shape and sums is made here. */
static Json read_results(const char *path)
{
    Json j = { .ok = true };
    char *text = read_text(path);
    CHECK(text != NULL);
    if (!text)
        return (Json){ 0 };
    j.at = text;
    json_value(&j, "", 0);
    skip_space(&j);
    if (j.ok && *j.at)
        json_fail(&j, "text after the object");
    free(text);
    CHECK(j.ok);
    CHECK_NEAR(j.score, j.tests_score, 0.0); /* whole points: the sums are exact */
    CHECK_NEAR(j.max_score, j.tests_max, 0.0);
    CHECK_LONG(j.tests, strlen(j.statuses));
    return j;
}

/* results.json and the table's total row agree. */
static void check_results_match_table(const char *results_path, const char *output)
{
    Json j = read_results(results_path);
    Row total;
    CHECK(table_row(output, "total", &total));
    CHECK_NEAR(total.points, j.score, 0.0);
    CHECK_NEAR(total.max_points, j.max_score, 0.0);
}

/* ---- submissions built for the tests ----------------------------------------------- */

/* grader-test/<name>/ holds a copy of solutions/ (chapters only: a copy of exercises/). */
static void copy_solutions(char *folder, size_t size, const char *name)
{
    char relative[256], command[COMMAND_SIZE];
    snprintf(relative, sizeof relative, "grader-test/%s", name);
    in_build(folder, size, relative);
    snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s' && cp -R '%s/solutions/.' '%s/'", folder, folder,
             VAELAB_ROOT, folder);
    shell(command);
}

/* The .c files of `folder`, by name, as full paths; returns how many. */
static size_t c_files(const char *folder, char paths[][PATH_SIZE], size_t capacity)
{
    char names[64][FILE_NAME_SIZE];
    size_t count = folder_list(folder, ".c", names, capacity < 64 ? capacity : 64);
    for (size_t i = 0; i < count; i++)
        snprintf(paths[i], PATH_SIZE, "%s/%s", folder, names[i]);
    return count;
}

static bool write_text(const char *path, const char *text)
{
    FILE *file = fopen(path, "wb");
    bool ok = file && fputs(text, file) >= 0;
    if (file)
        ok &= fclose(file) == 0;
    return ok;
}

/* Put `line` before the first line of the file. */
static bool prepend_line(const char *path, const char *line)
{
    char *text = read_text(path);
    size_t size = text ? strlen(line) + strlen(text) + 1 : 0;
    char *edited = text ? malloc(size) : NULL;
    bool ok = edited != NULL;
    if (ok) {
        snprintf(edited, size, "%s%s", line, text);
        ok = write_text(path, edited);
    }
    free(edited);
    free(text);
    return ok;
}

/* Replace every `from` in the file by `to`; false if there is none. */
static bool replace_all(const char *path, const char *from, const char *to)
{
    char *text = read_text(path);
    size_t from_length = strlen(from), to_length = strlen(to), used = 0;
    char *edited = text ? malloc(strlen(text) * (to_length + 1) + 1) : NULL;
    bool found = false;
    for (const char *at = text; edited;) {
        const char *hit = strstr(at, from);
        size_t kept = hit ? (size_t)(hit - at) : strlen(at);
        memcpy(edited + used, at, kept);
        used += kept;
        if (!hit)
            break;
        memcpy(edited + used, to, to_length);
        used += to_length;
        at = hit + from_length;
        found = true;
    }
    if (edited)
        edited[used] = '\0';
    found = found && write_text(path, edited);
    free(edited);
    free(text);
    return found;
}

/* ---- the tests --------------------------------------------------------------------- */

static void test_stubs_score_zero(void)
{
    const Chapters *chapters = graded_chapters();
    char results[PATH_SIZE], arguments[COMMAND_SIZE], *output;
    in_build(results, sizeof results, "grader-test/stubs.json");
    snprintf(arguments, sizeof arguments, "grade SUBMISSION=exercises RESULTS='%s'", results);
    CHECK_LONG(0, run_make("stubs", arguments, &output));
    Row total;
    CHECK(table_row(output, "total", &total));
    CHECK_NEAR(0.0, total.points, 1e-9);
    CHECK_LONG(total_points(chapters), total.max_points);
    for (size_t c = 0; c < chapters->count; c++)
        for (size_t k = 0; k < chapters->manifests[c].count; k++) {
            char status[32] = "";
            CHECK(exercise_status(output, chapters->manifests[c].exercises[k].number, status, sizeof status));
            /* not implemented, or waiting for an earlier exercise its tests need */
            CHECK(strcmp(status, "TODO") == 0 || strcmp(status, "waits") == 0);
        }
    check_results_match_table(results, output);
    /* an array check says which element, what it means, expected, got and the tolerance */
    CHECK_CONTAINS(output, "row[0], coordinate 0 of the output for example 0 (row 0 of the batch): expected ");
    CHECK_CONTAINS(output, ", got 0 (|error| ");
    CHECK_CONTAINS(output, " > tolerance 1e-12)");
    free(output);
}

static void test_solutions_full_marks(void)
{
    const Chapters *chapters = graded_chapters();
    char results[PATH_SIZE], arguments[COMMAND_SIZE], *output;
    in_build(results, sizeof results, "grader-test/solutions.json");
    snprintf(arguments, sizeof arguments, "grade SUBMISSION=solutions RESULTS='%s'", results);
    CHECK_LONG(0, run_make("solutions", arguments, &output));
    for (size_t c = 0; c < chapters->count; c++)
        check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    Row total;
    CHECK(table_row(output, "total", &total));
    CHECK_NEAR(total_points(chapters), total.points, 0.0);
    CHECK_CONTAINS(output, " passed, 0 failed\n");
    check_results_match_table(results, output);
    Json j = read_results(results);
    CHECK(strchr(j.statuses, 'F') == NULL);
    free(output);
}

static void test_broken_chapter(void)
{
    const Chapters *chapters = graded_chapters();
    char folder[PATH_SIZE], chapter_folder[PATH_SIZE + 64], sources[64][PATH_SIZE];
    copy_solutions(folder, sizeof folder, "broken");
    snprintf(chapter_folder, sizeof chapter_folder, "%s/%s", folder, chapters->names[0]);
    CHECK(c_files(chapter_folder, sources, 64) > 0 && prepend_line(sources[0], "this line is not C;\n"));
    char results[PATH_SIZE], arguments[COMMAND_SIZE], *output;
    in_build(results, sizeof results, "grader-test/broken.json");
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s' RESULTS='%s'", folder, results);
    CHECK_LONG(0, run_make("broken", arguments, &output));
    Row row;
    CHECK(table_row(output, chapters->names[0], &row));
    CHECK(row.broken);
    CHECK_NEAR(0.0, row.points, 1e-9);
    CHECK_CONTAINS(output, "error");
    CHECK_CONTAINS(output, "this line is not C");
    for (size_t c = 1; c < chapters->count; c++)
        check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    check_results_match_table(results, output);
    char *json = read_text(results);
    CHECK_CONTAINS(json, "does not build");
    CHECK_CONTAINS(json, "error");
    free(json);
    free(output);
}

/* A chapter built on another (chapters/NN/builds-on) links that chapter's code: when the
 * earlier chapter does not compile, the later one scores 0 too, and says which chapter
 * it waits for instead of pointing at a build log of its own. The chapters built on
 * neither stay full. */
static void test_chapter_built_on_a_broken_chapter(void)
{
    const Chapters *chapters = graded_chapters();
    char later[64] = "", earlier[64] = "";
    for (size_t c = 0; c < chapters->count && !later[0]; c++) {
        char path[PATH_SIZE];
        snprintf(path, sizeof path, "%s/chapters/%s/builds-on", VAELAB_ROOT, chapters->names[c]);
        char *text = read_text(path);
        if (text && sscanf(text, "%63s", earlier) == 1)
            snprintf(later, sizeof later, "%s", chapters->names[c]);
        free(text);
    }
    if (!CHECK(later[0] != '\0')) {
        check_note("no chapter has a chapters/NN/builds-on: nothing to test");
        return;
    }
    char folder[PATH_SIZE], chapter_folder[PATH_SIZE + 64], sources[64][PATH_SIZE];
    copy_solutions(folder, sizeof folder, "broken-base");
    snprintf(chapter_folder, sizeof chapter_folder, "%s/%s", folder, earlier);
    CHECK(c_files(chapter_folder, sources, 64) > 0 && prepend_line(sources[0], "this line is not C;\n"));
    char arguments[COMMAND_SIZE], *output, expected[256];
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s'", folder);
    CHECK_LONG(0, run_make("broken-base", arguments, &output));
    Row row;
    CHECK(table_row(output, earlier, &row) && row.broken);
    CHECK(table_row(output, later, &row));
    CHECK_NEAR(0.0, row.points, 1e-9);
    snprintf(expected, sizeof expected, "not built: chapter %s builds on chapter %s, which does not compile", later,
             earlier);
    CHECK_CONTAINS(output, expected);
    for (size_t c = 0; c < chapters->count; c++)
        if (strcmp(chapters->names[c], earlier) != 0 && strcmp(chapters->names[c], later) != 0)
            check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    free(output);
}

/* A warning costs nothing: a finished chapter with a helper that has no prototype (gcc
 * and clang warn: -Wmissing-prototypes) keeps full marks, and the report shows the
 * warning with its file and line. */
static void test_warning_costs_nothing(void)
{
    const Chapters *chapters = graded_chapters();
    char folder[PATH_SIZE], chapter_folder[PATH_SIZE + 64], sources[64][PATH_SIZE];
    copy_solutions(folder, sizeof folder, "warning");
    snprintf(chapter_folder, sizeof chapter_folder, "%s/%s", folder, chapters->names[0]);
    CHECK(c_files(chapter_folder, sources, 64) > 0
          && prepend_line(sources[0], "int helper_without_prototype(void);\nint helper_without_prototype(void) { "
                                      "return 1; }\nint another_helper(int unused) { return 2; }\n"));
    char arguments[COMMAND_SIZE], *output;
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s'", folder);
    CHECK_LONG(0, run_make("warning", arguments, &output));
    for (size_t c = 0; c < chapters->count; c++)
        check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    CHECK_CONTAINS(output, "# warning: chapter ");
    CHECK_CONTAINS(output, "they cost no points");
    CHECK_CONTAINS(output, "another_helper");
    free(output);
}

/* An exercise earns its points only when all of its tests pass: a backward pass with its
 * sign flipped still accumulates (1.3's second test passes) but earns 0 of 3, not 1.5.
 * 1.4's training tests then fail because of 1.3, and say so: 1.4 "waits" for 1.3 and keeps
 * its points (its own test passes); every other exercise keeps its points, the total is
 * exactly 3 below full marks, and results.json adds up exactly. */
static void test_no_partial_credit(void)
{
    const Chapters *chapters = graded_chapters();
    char folder[PATH_SIZE], path[PATH_SIZE + 64];
    copy_solutions(folder, sizeof folder, "sign-flip");
    snprintf(path, sizeof path, "%s/01-autoencoder/autoencoder.c", folder);
    CHECK(replace_all(path, "    squared_error_backward(ae->grad_output, Xhat, X, B, ae->shape.p);\n",
                      "    squared_error_backward(ae->grad_output, Xhat, X, B, ae->shape.p);\n"
                      "    vector_scale(ae->grad_output, -1.0, B * ae->shape.p); /* the sign flipped */\n"));
    char results[PATH_SIZE], arguments[COMMAND_SIZE], *output;
    in_build(results, sizeof results, "grader-test/sign-flip.json");
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s' RESULTS='%s'", folder, results);
    CHECK_LONG(0, run_make("sign-flip", arguments, &output));
    char status[32] = "";
    CHECK(exercise_status(output, "1.3", status, sizeof status));
    CHECK_CONTAINS(status, "failing");
    CHECK_CONTAINS(output, "0 / 3   the backward pass, in the right order (1 of 2 tests pass; the points need all)");
    /* 1.4's training tests fail too, because of 1.3: not charged to 1.4, whose own test passes */
    CHECK(exercise_status(output, "1.4", status, sizeof status));
    CHECK_CONTAINS(status, "waits");
    CHECK_CONTAINS(output, "because exercise 1.3 fails");
    Row row, total;
    CHECK(table_row(output, "01-autoencoder", &row) && table_row(output, "total", &total));
    CHECK_NEAR(manifest_total_points(&chapters->manifests[0]) - 3, row.points, 0.0);
    CHECK_CONTAINS(output, "01-autoencoder     [#######---]"); /* the bar: 7 of 10 points */
    CHECK_NEAR(total_points(chapters) - 3, total.points, 0.0);
    for (size_t c = 1; c < chapters->count; c++)
        check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    check_results_match_table(results, output);
    free(output);
}

/* A training step that forgets to clear the gradients is right for its first step only:
 * 1.4's own test takes two steps, so it fails there (not only in a long training test),
 * and 1.4 scores 0 while every other exercise keeps its points. */
static void test_uncleared_gradients_fail_the_step(void)
{
    const Chapters *chapters = graded_chapters();
    char folder[PATH_SIZE], path[PATH_SIZE + 64];
    copy_solutions(folder, sizeof folder, "no-zero-grad");
    snprintf(path, sizeof path, "%s/01-autoencoder/autoencoder.c", folder);
    CHECK(replace_all(path, "    parameters_zero_grad(&ae->parameters);\n", ""));
    char arguments[COMMAND_SIZE], *output;
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s' CH=01", folder);
    CHECK_LONG(0, run_make("no-zero-grad", arguments, &output));
    CHECK_CONTAINS(output, "not ok 7 - [1.4 needs 1.1 1.2] one SGD step is theta - eta dL/dtheta\n");
    CHECK_CONTAINS(output, "after step 2: must be theta - eta dL/dtheta");
    char status[32] = "";
    CHECK(exercise_status(output, "1.4", status, sizeof status));
    CHECK_CONTAINS(status, "failing");
    Row row;
    CHECK(table_row(output, "01-autoencoder", &row));
    CHECK_NEAR(manifest_total_points(&chapters->manifests[0]) - 2, row.points, 0.0);
    free(output);
}

/* Does a test that carries no points fail? (Graded alone, a chapter must still pass those.) */
static bool ungraded_test_fails(const char *output)
{
    for (const char *line = strstr(output, "\nnot ok "); line; line = strstr(line + 1, "\nnot ok ")) {
        const char *tag = strstr(line, " - [");
        if (!tag || tag > strchr(line + 1, '\n')) {
            check_note("%.*s", (int)strcspn(line + 1, "\n"), line + 1);
            return true;
        }
    }
    return false;
}

/* grader-test/<name>/: the solutions with exercise `number` of `chapter` stubbed (its
 * stub silent if `silent`: no "not implemented" report, only the stub's wrong value). */
static void stubbed_copy(char *folder, size_t size, const char *name, const char *chapter, const char *number,
                         bool silent)
{
    char command[COMMAND_SIZE];
    copy_solutions(folder, size, name);
    snprintf(command, sizeof command, "cd '%s' && '%s/tools/make_exercises' --only %s%s --manifest "
             "chapters/%s/exercises.def --out-dir '%s/%s' solutions/%s/*.c", VAELAB_ROOT, VAELAB_BUILD, number,
             silent ? " --silent" : "", chapter, folder, chapter, chapter);
    shell(command);
}

/* In the stubbed copy, replace the stub's report of exercise `number` by `replacement`. */
static void replace_stub_report(const char *folder, const char *chapter, const char *number, const char *replacement)
{
    char call[64], chapter_folder[PATH_SIZE + 64], sources[64][PATH_SIZE];
    snprintf(call, sizeof call, "exercise_not_implemented(\"%s\", __func__);", number);
    snprintf(chapter_folder, sizeof chapter_folder, "%s/%s", folder, chapter);
    bool replaced = false;
    for (size_t k = 0, n = c_files(chapter_folder, sources, 64); k < n; k++)
        if (replace_all(sources[k], call, replacement))
            replaced = prepend_line(sources[k], "#include <signal.h>\n");
    CHECK(replaced);
}

/* make grade of one chapter of the submission in `folder`; results in grader-test/<name>.json. */
static Json grade_chapter(const char *name, const char *folder, const char *chapter, const char *time_limit,
                          char **output)
{
    char results[PATH_SIZE], arguments[COMMAND_SIZE];
    in_build(results, sizeof results, name);
    strcat(results, ".json");
    snprintf(arguments, sizeof arguments, "grade VAELAB_TIME_LIMIT=%s SUBMISSION='%s' CH=%s RESULTS='%s'", time_limit,
             folder, chapter, results);
    CHECK_LONG(0, run_make(name, arguments, output));
    return read_results(results);
}

/* Grade the last chapter with its last exercise E stubbed, then with the stub's report
 * replaced by `replacement`; both must lose the same tests. */
static void check_loses_what_the_stub_loses(const char *name, const char *replacement, const char *reason)
{
    const Chapters *chapters = graded_chapters();
    const char *chapter = chapters->names[chapters->count - 1];
    const Manifest *manifest = &chapters->manifests[chapters->count - 1];
    const char *number = manifest->exercises[manifest->count - 1].number;
    char folder[PATH_SIZE], run_name[64], *output[2];
    stubbed_copy(folder, sizeof folder, name, chapter, number, false);
    snprintf(run_name, sizeof run_name, "%s-stub", name);
    Json stub = grade_chapter(run_name, folder, chapter, "3", &output[0]);
    replace_stub_report(folder, chapter, number, replacement);
    snprintf(run_name, sizeof run_name, "%s-perturbed", name);
    Json perturbed = grade_chapter(run_name, folder, chapter, "3", &output[1]);
    CHECK_CONTAINS(perturbed.statuses, "F");
    CHECK_CONTAINS(perturbed.statuses, stub.statuses); /* the same tests pass, and fail */
    CHECK_LONG(strlen(stub.statuses), strlen(perturbed.statuses));
    CHECK_NEAR(stub.score, perturbed.score, 1e-9);
    CHECK(stub.score < stub.max_score);
    CHECK_CONTAINS(output[1], reason);
    CHECK(!ungraded_test_fails(output[0]) && !ungraded_test_fails(output[1]));
    free(output[0]);
    free(output[1]);
}

/* Does `broken` lose the tests `stub` loses (and score the same), or, if `at_most`, only
 * tests `stub` loses too (and score no less)? */
static void check_losses(const Json *stub, const Json *broken, bool at_most, const char *what)
{
    bool held = strlen(stub->statuses) == strlen(broken->statuses);
    for (size_t t = 0; held && t < strlen(stub->statuses); t++)
        held = at_most ? !(broken->statuses[t] == 'F' && stub->statuses[t] == 'P')
                       : broken->statuses[t] == stub->statuses[t];
    held = held && (at_most ? broken->score > stub->score - 1e-9 : fabs(stub->score - broken->score) < 1e-9);
    if (held)
        return;
    CHECK_FAIL("%s: %.4f points where its stub scores %.4f", what, broken->score, stub->score);
    for (size_t t = 0; t < strlen(stub->statuses) && t < strlen(broken->statuses); t++)
        if (stub->statuses[t] != broken->statuses[t])
            check_note("  test %zu (exercise %s): %s with the stub, %s", t + 1, stub->numbers[t],
                       stub->statuses[t] == 'P' ? "passes" : "fails", broken->statuses[t] == 'P' ? "passes" : "fails");
}

/* For every exercise E of every chapter, E broken: a crash (its stub's report replaced by
 * raise(SIGSEGV)) loses exactly the tests and points E's stub loses; a wrong value (E's
 * silent stub) loses no test the stub does not (it may lose fewer: a stub's report fails
 * every test that reaches it, a wrong value only those it misleads). So a student's
 * mistake never costs more than leaving the exercise undone. (A loop is tried on one
 * exercise only, above: each test it reaches costs a whole time limit.) */
static void test_every_exercise_loses_what_its_stub_loses(void)
{
    const Chapters *chapters = graded_chapters();
    for (size_t c = 0; c < chapters->count; c++)
        for (size_t k = 0; k < chapters->manifests[c].count; k++) {
            const char *chapter = chapters->names[c], *number = chapters->manifests[c].exercises[k].number;
            char folder[PATH_SIZE], name[64], what[96], *output[3];
            snprintf(name, sizeof name, "every-%s", number);
            stubbed_copy(folder, sizeof folder, name, chapter, number, false);
            snprintf(name, sizeof name, "every-%s-stub", number);
            Json stub = grade_chapter(name, folder, chapter, "10", &output[0]);
            replace_stub_report(folder, chapter, number, "raise(SIGSEGV);");
            snprintf(name, sizeof name, "every-%s-crash", number);
            Json crash = grade_chapter(name, folder, chapter, "10", &output[1]);
            snprintf(what, sizeof what, "a crash in exercise %s", number);
            check_losses(&stub, &crash, false, what);
            snprintf(name, sizeof name, "every-%s", number);
            stubbed_copy(folder, sizeof folder, name, chapter, number, true);
            snprintf(name, sizeof name, "every-%s-wrong-value", number);
            Json wrong = grade_chapter(name, folder, chapter, "10", &output[2]);
            snprintf(what, sizeof what, "a wrong value in exercise %s", number);
            check_losses(&stub, &wrong, true, what);
            for (int v = 0; v < 3; v++)
                free(output[v]);
        }
}

static void test_crash_loses_one_exercise(void)
{
    check_loses_what_the_stub_loses("crash", "raise(SIGSEGV);", "crashed: Segmentation fault");
}

static void test_endless_loop_loses_one_exercise(void)
{
    check_loses_what_the_stub_loses("loop", "for (;;) {}", "timed out");
}

/* Chapter 1's last exercise made to loop: the tests that run ae_mnist (through popen)
 * time out, the grade ends (it used to wait for ever on the verdict pipe the orphaned
 * program held), within the sum of its limits, and no process of it is left. */
static void test_loop_in_a_spawned_program(void)
{
    const Chapters *chapters = graded_chapters();
    const Manifest *manifest = &chapters->manifests[0];
    const char *chapter = chapters->names[0], *number = manifest->exercises[manifest->count - 1].number;
    char folder[PATH_SIZE], programs[PATH_SIZE], command[COMMAND_SIZE], leftover[4096], *output;
    stubbed_copy(folder, sizeof folder, "spawned-loop", chapter, number, false);
    replace_stub_report(folder, chapter, number, "for (;;) {}");
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    Json j = grade_chapter("spawned-loop", folder, chapter, "5", &output);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + 1e-9 * (double)(end.tv_nsec - start.tv_nsec);
    CHECK_CONTAINS(output, "timed out");
    CHECK(j.tests > 0);
    CHECK_BELOW(seconds, 60.0 + (double)strlen(j.statuses) * (5.0 + 1.0)); /* the build, then each test's limit */
    in_build(programs, sizeof programs, "submission/bin/");
    /* "[/]..." matches the path, but not this command line that holds the pattern */
    snprintf(command, sizeof command, "pgrep -af '[%c]%s' || true", programs[0], programs + 1);
    test_run_command(command, leftover, sizeof leftover);
    if (!CHECK(leftover[0] == '\0'))
        check_note("left running: %s", leftover);
    free(output);
}

static void test_messy_submission(void)
{
    const Chapters *chapters = graded_chapters();
    char folder[PATH_SIZE], command[COMMAND_SIZE], path[PATH_SIZE + 320], sources[64][PATH_SIZE];
    copy_solutions(folder, sizeof folder, "messy/exercises");
    snprintf(path, sizeof path, "%s/%s", folder, chapters->names[0]);
    CHECK(c_files(path, sources, 64) > 0 && remove(sources[0]) == 0);
    snprintf(path, sizeof path, "%s/notes.txt", folder);
    CHECK(write_text(path, "my notes\n"));
    snprintf(path, sizeof path, "%s/%s/helper.c", folder, chapters->names[0]);
    CHECK(write_text(path, "int main(void) { return 0; } /* would not link if it were compiled */\n"));
    snprintf(command, sizeof command, "mkdir -p '%s/../chapters/%s' && sed 's/\", [0-9]*,/\", 100,/' "
             "'%s/chapters/%s/exercises.def' > '%s/../chapters/%s/exercises.def'", folder, chapters->names[0],
             VAELAB_ROOT, chapters->names[0], folder, chapters->names[0]);
    shell(command);
    char results[PATH_SIZE], arguments[COMMAND_SIZE], *output;
    in_build(results, sizeof results, "grader-test/messy.json");
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s/..' RESULTS='%s'", folder, results);
    CHECK_LONG(0, run_make("messy", arguments, &output));
    CHECK_CONTAINS(output, "is missing in the submission: graded as the unchanged stub");
    CHECK_CONTAINS(output, "grade: ignored notes.txt");
    CHECK_CONTAINS(output, "/helper.c: not a file of exercises/");
    CHECK_CONTAINS(output, "differs from the instructor's");
    Row row, total;
    CHECK(table_row(output, chapters->names[0], &row) && table_row(output, "total", &total));
    CHECK(!row.broken);
    CHECK(row.points < row.max_points);
    CHECK_LONG(total_points(chapters), total.max_points);
    for (size_t c = 1; c < chapters->count; c++)
        check_chapter_full(output, chapters->names[c], &chapters->manifests[c]);
    check_results_match_table(results, output);
    char *json = read_text(results);
    CHECK_CONTAINS(json, "is missing in the submission"); /* the student reads it too */
    free(json);
    free(output);
}

/* Code under test that writes into the repository (here when its suite starts, with the
 * repository as working folder) is listed in the report, by path. */
static void test_stray_file_listed(void)
{
    const char *chapter = graded_chapters()->names[0];
    char folder[PATH_SIZE], chapter_folder[PATH_SIZE + 64], sources[64][PATH_SIZE], arguments[COMMAND_SIZE];
    char stray[PATH_SIZE], *output;
    copy_solutions(folder, sizeof folder, "stray");
    snprintf(chapter_folder, sizeof chapter_folder, "%s/%s", folder, chapter);
    CHECK(c_files(chapter_folder, sources, 64) > 0
          && prepend_line(sources[0], "#include <stdio.h>\n__attribute__((constructor)) static void stray(void) "
                                      "{ FILE *f = fopen(\"stray-from-grading.txt\", \"w\"); if (f) fclose(f); }\n"));
    snprintf(stray, sizeof stray, "%s/stray-from-grading.txt", VAELAB_ROOT);
    remove(stray);
    snprintf(arguments, sizeof arguments, "grade SUBMISSION='%s' CH=%s", folder, chapter);
    CHECK_LONG(0, run_make("stray", arguments, &output));
    CHECK_CONTAINS(output, "# grade: ./stray-from-grading.txt appeared during grading");
    CHECK(remove(stray) == 0);
    free(output);
}

static void test_unwritable_results(void)
{
    char arguments[COMMAND_SIZE], *output;
    snprintf(arguments, sizeof arguments, "grade SUBMISSION=exercises CH=%s RESULTS=/nonexistent-folder/results.json",
             graded_chapters()->names[0]);
    CHECK(run_make("unwritable", arguments, &output) != 0);
    CHECK_CONTAINS(output, "cannot write the results");
    CHECK_CONTAINS(output, "/nonexistent-folder/results.json");
    Row total;
    CHECK(table_row(output, "total", &total)); /* the grading was still done */
    CHECK_CONTAINS(output, "passed, ");
    free(output);
}

static void test_grade_all(void)
{
    const char *chapter = graded_chapters()->names[0];
    char folder[PATH_SIZE], grades[PATH_SIZE], command[COMMAND_SIZE], *output;
    in_build(folder, sizeof folder, "grader-test/class");
    in_build(grades, sizeof grades, "grader-test/grades");
    snprintf(command, sizeof command, "rm -rf '%s' '%s' && mkdir -p '%s/alice' '%s/bob' && cp -R solutions/. '%s/alice/' "
             "&& cp -R exercises/. '%s/bob/' && %s --no-print-directory BUILD='%s' grade-all SUBMISSIONS='%s' GRADES='%s' CH=%s",
             folder, grades, folder, folder, folder, folder, VAELAB_MAKE, VAELAB_BUILD, folder, grades, chapter);
    CHECK_LONG(0, run_in_root("grade-all", command, &output));
    char csv_path[PATH_SIZE + 16], expected[64];
    snprintf(csv_path, sizeof csv_path, "%s/grades.csv", grades);
    char *csv = read_text(csv_path);
    int points = manifest_total_points(&graded_chapters()->manifests[0]);
    snprintf(expected, sizeof expected, "\nalice,%d,%d\n", points, points);
    CHECK_CONTAINS(csv, expected);
    snprintf(expected, sizeof expected, "\nbob,0,%d\n", points);
    CHECK_CONTAINS(csv, expected);
    free(csv);
    free(output);
}

static void test_next(void)
{
    const Chapters *chapters = graded_chapters();
    const char *number = chapters->manifests[0].exercises[0].number;
    char *output, expected[128];
    CHECK_LONG(0, run_make("next", "next", &output));
    snprintf(expected, sizeof expected, "Next: exercise %s ", number);
    CHECK_CONTAINS(output, expected);
    CHECK_CONTAINS(output, "TODO");
    snprintf(expected, sizeof expected, "make hint EX=%s", number);
    CHECK_CONTAINS(output, expected);
    /* "edit      exercises/01-.../file.c:52": that line holds the exercise's stub comment */
    char file[PATH_SIZE], path[PATH_SIZE * 2];
    int line = 0;
    const char *edit = strstr(output, "edit      exercises/");
    CHECK(edit && sscanf(edit, "edit %1000[^:]:%d", file, &line) == 2);
    snprintf(path, sizeof path, "%s/%s", VAELAB_ROOT, file);
    char *source = read_text(path);
    const char *at = source;
    for (int k = 1; at && k < line; k++)
        at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL;
    snprintf(expected, sizeof expected, "EXERCISE %s ", number);
    CHECK(at && strstr(at, expected) && strstr(at, expected) < strchr(at, '\n'));
    free(source);
    free(output);
}

static void test_hint(void)
{
    const Exercise *e = &graded_chapters()->manifests[0].exercises[0];
    char arguments[128], expected[256], *output;
    snprintf(arguments, sizeof arguments, "hint EX=%s", e->number);
    CHECK_LONG(0, run_make("hint", arguments, &output));
    snprintf(expected, sizeof expected, "Exercise %s (%d point", e->number, e->points);
    CHECK_CONTAINS(output, expected);
    snprintf(expected, sizeof expected, "%.*s", (int)strcspn(e->hint, " "), e->hint); /* its first word */
    CHECK_CONTAINS(output, expected);
    free(output);
    CHECK(run_make("hint-unknown", "hint EX=99.99", &output) != 0);
    CHECK_CONTAINS(output, "there is no exercise 99.99");
    free(output);
}

/* The release speaks to students: its own README (start with make next; no solutions/,
 * no make check), exercise files that name themselves, a make help without the
 * maintainers' targets, and a make demo that, on stubs, names the exercises it needs and
 * stops without training on NaN. */
static void check_release_is_for_students(const char *release)
{
    char path[PATH_SIZE + 64], command[COMMAND_SIZE], *output;
    snprintf(path, sizeof path, "%s/README.md", release);
    char *readme = read_text(path);
    CHECK(readme && strstr(readme, "make next") && !strstr(readme, "solutions/") && !strstr(readme, "make check"));
    free(readme);
    snprintf(path, sizeof path, "%s/exercises/%s", release, graded_chapters()->names[0]);
    char sources[64][PATH_SIZE];
    for (size_t k = 0, n = c_files(path, sources, 64); k < n; k++) {
        char *text = read_text(sources[k]);
        CHECK(text && strncmp(text, "/* exercises/", strlen("/* exercises/")) == 0);
        free(text);
    }
    snprintf(command, sizeof command, "%s -C '%s' --no-print-directory help", VAELAB_MAKE, release);
    CHECK_LONG(0, run_in_root("release-help", command, &output));
    CHECK(strstr(output, "IMPL=") == NULL && strstr(output, "make check ") == NULL);
    free(output);
    snprintf(command, sizeof command, "%s -C '%s' --no-print-directory demo", VAELAB_MAKE, release);
    CHECK(run_in_root("release-demo", command, &output) != 0);
    CHECK_CONTAINS(output, "make demo runs your code of exercises 1.1, ");
    CHECK_CONTAINS(output, "not done yet: 1.1 (TODO)");
    CHECK(strstr(output, "NaN") == NULL && strstr(output, "epoch") == NULL);
    free(output);
}

static void test_student_release(void)
{
    char *output, release[PATH_SIZE], command[COMMAND_SIZE], path[PATH_SIZE + 64];
    CHECK_LONG(0, run_make("release", "student-release", &output));
    free(output);
    in_build(release, sizeof release, "student-release/vaelab-student");
    snprintf(path, sizeof path, "%s/solutions", release);
    CHECK(access(path, F_OK) != 0);
    snprintf(command, sizeof command, "! tar -tzf '%s.tar.gz' | grep -q '/solutions/'", release);
    shell(command);
    /* in the release: make builds, make test reports TODO and fails, make check says why */
    snprintf(command, sizeof command, "%s -C '%s' --no-print-directory -j2 all && %s -C '%s' --no-print-directory test CH=%s",
             VAELAB_MAKE, release, VAELAB_MAKE, release, graded_chapters()->names[0]);
    CHECK(run_in_root("release-test", command, &output) != 0);
    CHECK_CONTAINS(output, " (not implemented)");
    CHECK_CONTAINS(output, " failures are exercises not implemented yet");
    CHECK_CONTAINS(output, " passed, ");
    free(output);
    snprintf(command, sizeof command, "%s -C '%s' --no-print-directory check", VAELAB_MAKE, release);
    CHECK(run_in_root("release-check", command, &output) != 0);
    CHECK_CONTAINS(output, "needs solutions/");
    free(output);
    check_release_is_for_students(release);
}

/* The docs' sample outputs name folders as a run prints them, relative to the working
 * folder ("digits from data"): no page shows where the repository sat on the machine
 * that made it (this one's path, or a program's first line with an absolute path). */
static void test_docs_show_relative_paths(void)
{
    char pages[64][PATH_SIZE], folder[PATH_SIZE];
    size_t count = 0;
    snprintf(pages[count++], PATH_SIZE, "%s/README.md", VAELAB_ROOT);
    snprintf(folder, sizeof folder, "%s/docs", VAELAB_ROOT);
    char names[32][FILE_NAME_SIZE];
    for (size_t k = 0, n = folder_list(folder, ".md", names, 32); k < n && count < 64; k++)
        snprintf(pages[count++], PATH_SIZE, "%s/%s", folder, names[k]);
    const Chapters *chapters = graded_chapters();
    for (size_t c = 0; c < chapters->count && count < 64; c++)
        snprintf(pages[count++], PATH_SIZE, "%s/chapters/%s/README.md", VAELAB_ROOT, chapters->names[c]);
    for (size_t k = 0; k < count; k++) {
        char *text = read_text(pages[k]);
        if (!CHECK(text != NULL))
            continue;
        if (strstr(text, VAELAB_ROOT) || strstr(text, "digits from /"))
            CHECK_FAIL("%s shows an absolute path of the machine it was made on", pages[k]);
        else
            CHECK(true);
        free(text);
    }
}

static const TestCase tests[] = {
    { "grade: the untouched stubs score 0, every exercise TODO or waiting", NULL, test_stubs_score_zero },
    { "grade: the solutions score full marks; results.json adds up to the table", NULL, test_solutions_full_marks },
    { "grade: a chapter that does not compile scores 0 with its errors, the others full", NULL, test_broken_chapter },
    { "grade: a chapter built on one that does not compile scores 0 and names it", NULL,
      test_chapter_built_on_a_broken_chapter },
    { "grade: an exercise that crashes loses what its stub loses, no more", NULL, test_crash_loses_one_exercise },
    { "grade: an exercise that loops forever loses what its stub loses", NULL, test_endless_loop_loses_one_exercise },
    { "grade: in every exercise a crash loses what its stub loses, a wrong value no test more", NULL,
      test_every_exercise_loses_what_its_stub_loses },
    { "grade: a loop in a program a test runs times out, the grade ends, nothing is left", NULL,
      test_loop_in_a_spawned_program },
    { "grade: missing file, extra files, edited manifest: said, and graded", NULL, test_messy_submission },
    { "grade: a file the code under test writes into the repository is listed", NULL, test_stray_file_listed },
    { "grade: an unwritable results path is said, the table still printed", NULL, test_unwritable_results },
    { "grade-all: one line per submission and grades.csv", NULL, test_grade_all },
    { "next: the first exercise not done, and the line to edit", NULL, test_next },
    { "hint: the manifest's hint; an unknown exercise is refused", NULL, test_hint },
    { "student-release: for students; builds; make test, make demo on stubs", NULL, test_student_release },
    { "grade: a warning is shown with its line and costs no points", NULL, test_warning_costs_nothing },
    { "grade: no partial credit for a sign-flipped backward pass; exact sums", NULL, test_no_partial_credit },
    { "docs show paths relative to the working folder", NULL, test_docs_show_relative_paths },
    { "grade: a step that does not clear the gradients fails 1.4's own test", NULL,
      test_uncleared_gradients_fail_the_step },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("grader", tests, argc, argv);
}
