/* tests/harness/runner.c — `make test` runs this: every suite binary, one TAP stream.
 *
 *   runner [--root DIR] [--results FILE] [--valgrind] SUITE...
 *
 * Each SUITE is a test binary built from tests/<folder>/test_*.c. The runner starts it,
 * renumbers its TAP lines into one stream, remembers each test's status and diagnostics,
 * and ends with a score table (points from the chapters' manifests, for the tests tagged
 * with an exercise) and the summary line `N passed, N failed`. A suite that is missing
 * (its chapter did not compile) or that dies counts as failed tests, and the run goes on.
 * --results writes the graded tests in Gradescope's results.json shape.
 * --valgrind runs each suite under Valgrind (errors fail the test they happen in).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "manifest.h"
#include "outfile.h"

static const char *const program = "runner";

enum { MAX_RESULTS = 4096, OUTPUT_CAP = 2000, MAX_CHAPTERS = 32 };

typedef struct Result {
    char chapter[64];  /* the suite's folder, e.g. "01-autoencoder" or "lib" */
    char exercise[16]; /* "" when not graded */
    char name[200];
    bool passed, todo;
    char output[OUTPUT_CAP + 1]; /* the diagnostics, capped */
} Result;

typedef struct Run {
    Result *results;
    size_t count;
    Manifest manifests[MAX_CHAPTERS];
    size_t manifest_count;
    const char *root;
} Run;

/* ---- parsing one suite's TAP ------------------------------------------------------- */

static Result *new_result(Run *run, const char *chapter)
{
    if (run->count == MAX_RESULTS)
        return NULL;
    Result *r = &run->results[run->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->chapter, sizeof r->chapter, "%s", chapter);
    return r;
}

static void append_output(Result *r, const char *line)
{
    size_t used = strlen(r->output);
    if (used < OUTPUT_CAP)
        snprintf(r->output + used, OUTPUT_CAP + 1 - used, "%s\n", line);
}

/* "ok 3 - [1.2] name # TODO not implemented" -> the result fields */
static void parse_test_line(Result *r, const char *line)
{
    r->passed = strncmp(line, "ok ", 3) == 0;
    const char *rest = strstr(line, " - ");
    rest = rest ? rest + 3 : line;
    if (rest[0] == '[') {
        const char *close = strchr(rest, ']');
        if (close) {
            snprintf(r->exercise, sizeof r->exercise, "%.*s", (int)(close - rest - 1), rest + 1);
            rest = close + (close[1] == ' ' ? 2 : 1);
        }
    }
    const char *todo = strstr(rest, " # TODO");
    r->todo = todo != NULL;
    snprintf(r->name, sizeof r->name, "%.*s", (int)(todo ? (size_t)(todo - rest) : strlen(rest)), rest);
}

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

static void print_result_line(const Run *run, const Result *r)
{
    printf("%s %zu - ", r->passed ? "ok" : "not ok", run->count);
    if (r->exercise[0])
        printf("[%s] ", r->exercise);
    printf("%s%s\n", r->name, r->todo ? " # TODO not implemented" : "");
}

/* Read the suite's output line by line, re-emitting it with global test numbers. */
static void relay_suite_output(Run *run, FILE *stream, const char *chapter)
{
    char line[4096];
    Result *current = NULL;
    while (fgets(line, sizeof line, stream)) {
        line[strcspn(line, "\n")] = '\0';
        if (is_test_line(line)) {
            current = new_result(run, chapter);
            if (!current)
                break;
            parse_test_line(current, line);
            print_result_line(run, current);
        } else if (line[0] == '#') {
            if (strstr(line, "of the failures are exercises not implemented"))
                continue;
            if (current)
                append_output(current, line[1] == ' ' ? line + 2 : line + 1);
            printf("%s\n", line);
        } else if (strncmp(line, "1..", 3) == 0 || is_suite_summary(line)) {
            continue; /* the runner prints its own plan and summary */
        } else if (line[0]) {
            printf("# %s\n", line);
        }
    }
    fflush(stdout);
}

/* ---- running one suite ------------------------------------------------------------- */

/* "build/solutions/tests/01-autoencoder/test_ae" -> "01-autoencoder" */
static void folder_of(char *chapter, size_t size, const char *path)
{
    const char *end = strrchr(path, '/');
    const char *start = end;
    while (start && start > path && start[-1] != '/')
        start--;
    snprintf(chapter, size, "%.*s", end ? (int)(end - start) : 1, end ? start : ".");
}

static void record_suite_failure(Run *run, const char *chapter, const char *name, const char *why)
{
    Result *r = new_result(run, chapter);
    if (!r)
        return;
    snprintf(r->name, sizeof r->name, "%s", name);
    append_output(r, why);
    print_result_line(run, r);
    printf("#   %s\n", why);
}

static void run_suite_binary(Run *run, const char *path, bool valgrind)
{
    char chapter[64];
    folder_of(chapter, sizeof chapter, path);
    if (access(path, X_OK) != 0) {
        record_suite_failure(run, chapter, path, "the suite was not built (see the compiler errors above)");
        return;
    }
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) {
        record_suite_failure(run, chapter, path, strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t child = fork();
    if (child == 0) {
        dup2(pipe_fds[1], STDOUT_FILENO);
        dup2(pipe_fds[1], STDERR_FILENO);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        if (valgrind) {
            setenv("VAELAB_TIME_LIMIT", "300", 1);
            execlp("valgrind", "valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
                   "--track-origins=yes", path, (char *)NULL);
        } else {
            execl(path, path, (char *)NULL);
        }
        printf("cannot start %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    close(pipe_fds[1]);
    FILE *stream = fdopen(pipe_fds[0], "r");
    size_t before = run->count;
    if (stream) {
        relay_suite_output(run, stream, chapter);
        fclose(stream);
    }
    int status = 0;
    waitpid(child, &status, 0);
    bool all_passed = true;
    for (size_t i = before; i < run->count; i++)
        all_passed &= run->results[i].passed;
    /* A suite whose own process failed while every test it reported passed (or that
     * reported none) broke outside the tests: that must not pass silently. */
    if ((!WIFEXITED(status) || WEXITSTATUS(status) != 0) && (all_passed || run->count == before))
        record_suite_failure(run, chapter, path, "the suite itself failed (crashed, or Valgrind found an error)");
}

/* ---- scores ------------------------------------------------------------------------ */

static const Manifest *manifest_of(Run *run, const char *chapter)
{
    for (size_t i = 0; i < run->manifest_count; i++)
        if (strcmp(run->manifests[i].chapter, chapter) == 0)
            return &run->manifests[i];
    if (run->manifest_count == MAX_CHAPTERS)
        return NULL;
    char path[1024];
    snprintf(path, sizeof path, "%s/chapters/%s/exercises.def", run->root, chapter);
    if (access(path, R_OK) != 0)
        return NULL;
    Error err;
    Manifest *m = &run->manifests[run->manifest_count];
    if (!manifest_read(m, path, &err)) {
        report_error(program, &err);
        return NULL;
    }
    run->manifest_count++;
    return m;
}

/* How many tests of this chapter carry this exercise. */
static size_t tests_of_exercise(const Run *run, const char *chapter, const char *number)
{
    size_t n = 0;
    for (size_t i = 0; i < run->count; i++)
        n += strcmp(run->results[i].chapter, chapter) == 0 && strcmp(run->results[i].exercise, number) == 0;
    return n;
}

/* A test's share of its exercise's points (0 for ungraded tests). */
static double max_score_of(Run *run, const Result *r)
{
    const Manifest *m = r->exercise[0] ? manifest_of(run, r->chapter) : NULL;
    const Exercise *e = m ? manifest_find(m, r->exercise) : NULL;
    return e ? (double)e->points / (double)tests_of_exercise(run, r->chapter, r->exercise) : 0.0;
}

static void print_score_table(Run *run, double *score, double *max_score)
{
    *score = *max_score = 0.0;
    bool header = false;
    for (size_t i = 0; i < run->count; i++) {
        const Manifest *m = manifest_of(run, run->results[i].chapter);
        bool first_of_chapter = true;
        for (size_t j = 0; j < i; j++)
            first_of_chapter &= strcmp(run->results[j].chapter, run->results[i].chapter) != 0;
        if (!m || !first_of_chapter)
            continue;
        if (!header)
            printf("# %-24s %-8s %s\n", "chapter", "exercise", "points");
        header = true;
        for (size_t k = 0; k < m->count; k++) {
            const Exercise *e = &m->exercises[k];
            double got = 0.0;
            size_t tests = tests_of_exercise(run, m->chapter, e->number);
            for (size_t t = 0; t < run->count; t++) {
                const Result *r = &run->results[t];
                if (r->passed && strcmp(r->chapter, m->chapter) == 0 && strcmp(r->exercise, e->number) == 0)
                    got += (double)e->points / (double)tests;
            }
            printf("# %-24s %-8s %5.1f / %d%s\n", m->chapter, e->number, got, e->points,
                   tests ? "" : "  (no test ran)");
            *score += got;
            *max_score += e->points;
        }
    }
    if (header)
        printf("# %-24s %-8s %5.1f / %.0f\n", "total", "", *score, *max_score);
}

/* ---- results.json ------------------------------------------------------------------ */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static bool write_results_json(Run *run, const char *path, double score, double max_score,
                               double seconds, Error *err)
{
    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    FILE *f = out.stream;
    fprintf(f, "{\n  \"score\": %.4f,\n  \"max_score\": %.4f,\n  \"execution_time\": %.2f,\n  \"tests\": [",
            score, max_score, seconds);
    bool first = true;
    for (size_t i = 0; i < run->count; i++) {
        const Result *r = &run->results[i];
        double max = max_score_of(run, r);
        if (!r->exercise[0])
            continue;
        fprintf(f, "%s\n    {\"name\": ", first ? "" : ",");
        json_string(f, r->name);
        fprintf(f, ", \"number\": ");
        json_string(f, r->exercise);
        fprintf(f, ", \"score\": %.4f, \"max_score\": %.4f, \"status\": \"%s\", \"output\": ",
                r->passed ? max : 0.0, max, r->passed ? "passed" : "failed");
        json_string(f, r->output);
        fputc('}', f);
        first = false;
    }
    fprintf(f, "\n  ]\n}\n");
    return outfile_commit(&out, err);
}

/* ---- main -------------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    Run run = { .root = "." };
    const char *results_path = NULL;
    bool valgrind = false;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--valgrind") == 0)
            valgrind = true;
        else if (strcmp(argv[i], "--results") == 0 && i + 1 < argc)
            results_path = argv[++i];
        else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc)
            run.root = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--root DIR] [--results FILE] [--valgrind] SUITE...\n", program);
            return 2;
        }
    }
    run.results = calloc(MAX_RESULTS, sizeof *run.results);
    if (!run.results) {
        fprintf(stderr, "%s: error: out of memory\n", program);
        return 1;
    }
    double start = now_seconds();
    for (; i < argc; i++)
        run_suite_binary(&run, argv[i], valgrind);
    size_t passed = 0, todo = 0;
    for (size_t k = 0; k < run.count; k++) {
        passed += run.results[k].passed;
        todo += run.results[k].todo;
    }
    double score, max_score;
    printf("1..%zu\n", run.count);
    print_score_table(&run, &score, &max_score);
    int status = passed == run.count ? 0 : 1;
    if (results_path) {
        Error err;
        if (!write_results_json(&run, results_path, score, max_score, now_seconds() - start, &err)) {
            report_error(program, &err);
            status = 1;
        } else {
            printf("# results written to %s\n", results_path);
        }
    }
    if (todo)
        printf("# %zu of the failures are exercises not implemented yet (TODO)\n", todo);
    printf("%zu passed, %zu failed\n", passed, run.count - passed);
    free(run.results);
    return status;
}
