/* tests/tools/results_json.c — Gradescope's results.json (see results_json.h). */
#include "results_json.h"

#include <stdio.h>
#include <string.h>

#include "outfile.h"

/* The length of the valid UTF-8 sequence that starts at `s` (1 to 4), or 0 if it is not
 * one: a student's program can print any bytes, and cutting output at the cap can split
 * a character, but the file must stay valid JSON, which is UTF-8. */
static size_t utf8_length(const unsigned char *s)
{
    size_t length = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
                  : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    for (size_t i = 1; i < length; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return length;
}

static void json_string(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *s = (const unsigned char *)text; *s;) {
        size_t length = utf8_length(s);
        if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", out);
        else if (*s < 0x20 || *s == 0x7f)
            fprintf(out, "\\u%04x", *s);
        else if (length == 0)
            fputs("\\ufffd", out); /* the replacement character, for a byte that is not UTF-8 */
        else
            fwrite(s, 1, length, out);
        s += length ? length : 1;
    }
    fputc('"', out);
}

/* What one element of "tests" says. */
typedef struct TestEntry {
    const char *name, *number, *output;
    double score, max_score;
    bool passed, output_cut;
    bool hidden; /* from a hidden suite (tests/NN-topic/test_hidden_*.c): shown after the due date */
} TestEntry;

static void json_test(FILE *out, bool *first, const TestEntry *test)
{
    fprintf(out, "%s\n    {\"name\": ", *first ? "" : ",");
    json_string(out, test->name);
    fprintf(out, ", \"number\": ");
    json_string(out, test->number);
    fprintf(out, ", \"score\": %.6f, \"max_score\": %.6f, \"status\": \"%s\", ", test->score, test->max_score,
            test->passed ? "passed" : "failed");
    if (test->hidden)
        fprintf(out, "\"visibility\": \"after_due_date\", ");
    fprintf(out, "\"output\": ");
    if (test->output_cut) {
        char cut[RESULT_OUTPUT_CAP + 64];
        snprintf(cut, sizeof cut, "%s[output cut at %d characters]\n", test->output, RESULT_OUTPUT_CAP);
        json_string(out, cut);
    } else {
        json_string(out, test->output);
    }
    fputc('}', out);
    *first = false;
}

static bool from_hidden_suite(const Result *r)
{
    const char *name = strrchr(r->suite, '/');
    return strncmp(name ? name + 1 : r->suite, "test_hidden_", strlen("test_hidden_")) == 0;
}

/* A chapter that did not build: each exercise, 0 points, with what the build said. */
static void json_broken_chapter(FILE *out, bool *first, const ChapterGrade *chapter)
{
    for (size_t k = 0; k < chapter->manifest.count; k++) {
        const Exercise *e = chapter->manifest.exercises + k;
        char name[256];
        snprintf(name, sizeof name, "%s (not graded: chapter %s does not build)", e->title, chapter->manifest.chapter);
        TestEntry entry = { name, e->number, chapter->build_failure->output, 0.0, e->points, false,
                            chapter->build_failure->output_cut, false };
        json_test(out, first, &entry);
    }
}

/* An exercise no test ran, in a chapter that built: 0 points, said so. */
static void json_untested(FILE *out, bool *first, const ExerciseGrade *grade)
{
    char name[256];
    snprintf(name, sizeof name, "%s (no test of it ran)", grade->exercise->title);
    TestEntry entry = { name, grade->exercise->number, "", 0.0, grade->exercise->points, false, false, false };
    json_test(out, first, &entry);
}

static void json_chapter(FILE *out, bool *first, const Run *run, const Gradebook *book, const ChapterGrade *chapter)
{
    if (chapter->build_failure) {
        json_broken_chapter(out, first, chapter);
        return;
    }
    for (size_t i = 0; i < run->count; i++) {
        const Result *r = &run->results[i];
        if (strcmp(r->chapter, chapter->manifest.chapter) != 0 || !r->exercise[0])
            continue;
        double max_score = gradebook_test_points(book, r);
        TestEntry entry = { r->name, r->exercise, r->output, r->passed ? max_score : 0.0, max_score, r->passed,
                            r->output_cut, from_hidden_suite(r) };
        json_test(out, first, &entry);
    }
    for (size_t k = 0; k < chapter->manifest.count; k++)
        if (chapter->exercises[k].status == EXERCISE_UNTESTED)
            json_untested(out, first, &chapter->exercises[k]);
}

bool results_json_writable(const char *path, Error *err)
{
    OutFile probe;
    if (!outfile_open(&probe, path, err))
        return false;
    outfile_abort(&probe); /* nothing written: the old file, if any, stays */
    return true;
}

bool results_json_write(const char *path, const Run *run, const Gradebook *book, double seconds,
                        const char *notes, Error *err)
{
    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    FILE *f = out.stream;
    fprintf(f, "{\n  \"score\": %.4f,\n  \"max_score\": %.4f,\n  \"execution_time\": %.2f,\n  \"output\": ",
            book->points, (double)book->max_points, seconds);
    json_string(f, notes ? notes : "");
    fprintf(f, ",\n  \"tests\": [");
    bool first = true;
    for (size_t c = 0; c < book->count; c++)
        json_chapter(f, &first, run, book, &book->chapters[c]);
    fprintf(f, "\n  ]\n}\n");
    return outfile_commit(&out, err);
}
