/* tests/tools/make_exercises.c — generate exercises/ from solutions/.
 *
 * In a solution file, an exercise body sits between markers, followed by its stub:
 *
 *         / * BEGIN EXERCISE 1.2 * /
 *         ...the reference solution...
 *         / * STUB
 *         return NAN;
 *         END EXERCISE * /
 *
 * (written here with spaces inside the comment delimiters). Since the stub sits inside a
 * comment in the solution, it may only use // comments. In the exercise file the
 * whole block becomes the stub, announced by a comment with the exercise's title and
 * points from the chapter's manifest, and started by exercise_not_implemented(), so the
 * stub reports itself once and the harness shows its tests as TODO.
 *
 *   make_exercises --manifest chapters/01-autoencoder/exercises.def
 *                  --out-dir exercises/01-autoencoder [--readme chapters/01-autoencoder/README.md]
 *                  [--check] [--only 1.2] solutions/01-autoencoder/autoencoder.c ...
 *
 * --check compares instead of writing and fails on the first difference (make
 * check-exercises); --only stubs that one exercise and keeps every other solution (the
 * proof that each exercise's tests fail on its own stub); --silent leaves out the
 * exercise_not_implemented() call, so that in that proof a test fails only if its checks
 * catch the stub's wrong value; --list prints the exercise numbers; --readme also rewrites the
 * exercise table between <!-- BEGIN EXERCISE TABLE --> and <!-- END EXERCISE TABLE -->.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "manifest.h"
#include "outfile.h"

static const char *const program = "make_exercises";

typedef struct Settings {
    const char *manifest_path;
    const char *out_dir;
    const char *readme_path;
    const char *only;
    bool check;
    bool list; /* print the manifest's exercise numbers, one per line, and stop */
    bool silent; /* stubs without exercise_not_implemented(): only the checks can fail */
} Settings;

/* A growing text buffer. */
typedef struct Text {
    char *data;
    size_t length, capacity;
} Text;

static bool text_append(Text *t, const char *s, size_t n)
{
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = (t->length + n + 1) * 2;
        char *bigger = realloc(t->data, capacity);
        if (!bigger)
            return false;
        t->data = bigger;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
    return true;
}

static bool text_printf(Text *t, const char *format, ...) VL_PRINTF_LIKE(2, 3);
static bool text_printf(Text *t, const char *format, ...)
{
    char buffer[2048];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    return n >= 0 && (size_t)n < sizeof buffer && text_append(t, buffer, (size_t)n);
}

static bool read_file(const char *path, Text *out, Error *err)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return error_set(err, "cannot open %s", path);
    char chunk[8192];
    size_t got;
    bool ok = true;
    while (ok && (got = fread(chunk, 1, sizeof chunk, file)) > 0)
        ok = text_append(out, chunk, got);
    fclose(file);
    ok = ok && text_append(out, "", 0); /* a terminated string, even for an empty file */
    return ok ? true : error_set(err, "out of memory reading %s", path);
}

/* ---- marker lines ------------------------------------------------------------------ */

typedef enum LineKind { LINE_CODE, LINE_BEGIN, LINE_STUB, LINE_END } LineKind;

/* What a line is, and for BEGIN its exercise number. */
static LineKind classify(const char *line, size_t length, char *number, size_t number_size)
{
    while (length > 0 && (*line == ' ' || *line == '\t'))
        line++, length--;
    while (length > 0 && (line[length - 1] == ' ' || line[length - 1] == '\t' || line[length - 1] == '\r'))
        length--;
    static const char begin[] = "/* BEGIN EXERCISE ";
    if (length > sizeof begin + 2 && strncmp(line, begin, sizeof begin - 1) == 0
        && strncmp(line + length - 3, " */", 3) == 0) {
        size_t n = length - (sizeof begin - 1) - 3;
        snprintf(number, number_size, "%.*s", (int)n, line + sizeof begin - 1);
        return LINE_BEGIN;
    }
    if (length == 7 && strncmp(line, "/* STUB", 7) == 0)
        return LINE_STUB;
    if (length == 15 && strncmp(line, "END EXERCISE */", 15) == 0)
        return LINE_END;
    return LINE_CODE;
}

/* ---- one solution file -> one exercise file ---------------------------------------- */

typedef struct Block {
    char number[16];
    const Exercise *exercise;
    bool stubbed;           /* replaced by its stub in this output */
    char indent[64];
} Block;

static void indent_of(char *indent, size_t size, const char *line)
{
    size_t n = strspn(line, " \t");
    snprintf(indent, size, "%.*s", (int)(n < size ? n : size - 1), line);
}

static bool emit_stub_header(Text *out, const Block *b, bool silent)
{
    const Exercise *e = b->exercise;
    return text_printf(out, "%s/* EXERCISE %s (%d point%s): %s.\n", b->indent, e->number, e->points,
                       e->points == 1 ? "" : "s", e->title)
           && text_printf(out, "%s * Replace this stub with your code; `make hint EX=%s` prints a hint. */\n",
                          b->indent, e->number)
           && (silent || text_printf(out, "%sexercise_not_implemented(\"%s\", __func__);\n", b->indent, e->number));
}

typedef struct Source {
    const char *path;
    const Manifest *manifest;
    const Settings *settings;
    bool seen[MAX_EXERCISES]; /* which manifest exercises have a block somewhere */
} Source;

static bool fail_line(Error *err, const char *path, int line, const char *what, const char *number)
{
    return error_set(err, "%s:%d: %s%s%s", path, line, what, number ? " " : "", number ? number : "");
}

/* Transform the text of one solution file into `out`. */
static bool transform(Source *src, const char *text, Text *out, Error *err)
{
    enum { OUTSIDE, IN_SOLUTION, IN_STUB } state = OUTSIDE;
    Block block = { 0 };
    int line_number = 0;
    int block_start = 0;
    for (const char *line = text; *line;) {
        const char *newline = strchr(line, '\n');
        size_t length = newline ? (size_t)(newline - line + 1) : strlen(line);
        line_number++;
        char number[16] = "";
        LineKind kind = classify(line, newline ? length - 1 : length, number, sizeof number);
        bool keep = false;
        switch (kind) {
        case LINE_BEGIN:
            if (state != OUTSIDE)
                return fail_line(err, src->path, line_number, "BEGIN EXERCISE inside another exercise", number);
            block = (Block){ 0 };
            snprintf(block.number, sizeof block.number, "%s", number);
            block.exercise = manifest_find(src->manifest, number);
            if (!block.exercise)
                return fail_line(err, src->path, line_number, "exercise not in the manifest:", number);
            src->seen[block.exercise - src->manifest->exercises] = true;
            block.stubbed = !src->settings->only || strcmp(src->settings->only, number) == 0;
            indent_of(block.indent, sizeof block.indent, line);
            block_start = line_number;
            state = IN_SOLUTION;
            if (block.stubbed && !emit_stub_header(out, &block, src->settings->silent))
                return error_set(err, "out of memory");
            break;
        case LINE_STUB:
            if (state != IN_SOLUTION)
                return fail_line(err, src->path, line_number, "STUB without BEGIN EXERCISE", NULL);
            state = IN_STUB;
            break;
        case LINE_END:
            if (state != IN_STUB)
                return fail_line(err, src->path, line_number, "END EXERCISE without STUB", NULL);
            state = OUTSIDE;
            if (block.stubbed && !text_printf(out, "%s/* END EXERCISE %s */\n", block.indent, block.number))
                return error_set(err, "out of memory");
            break;
        case LINE_CODE:
            keep = state == OUTSIDE || (state == IN_SOLUTION && !block.stubbed)
                   || (state == IN_STUB && block.stubbed);
            break;
        }
        if (keep && !text_append(out, line, length))
            return error_set(err, "out of memory");
        line += length;
    }
    if (state != OUTSIDE)
        return fail_line(err, src->path, block_start, "unfinished exercise block", block.number);
    return true;
}

/* ---- writing or checking ----------------------------------------------------------- */

static bool first_difference(const char *expected, const char *actual, int *line)
{
    *line = 1;
    for (size_t i = 0;; i++) {
        if (expected[i] != actual[i])
            return true;
        if (!expected[i])
            return false;
        *line += expected[i] == '\n';
    }
}

static bool write_or_check(const char *path, const Text *generated, const Settings *settings, Error *err)
{
    if (settings->check) {
        Text current = { 0 };
        Error ignored;
        bool exists = read_file(path, &current, &ignored);
        int line = 0;
        bool differs = !exists || first_difference(generated->data, current.data, &line);
        free(current.data);
        if (!exists)
            return error_set(err, "%s is missing; run `make exercises`", path);
        if (differs)
            return error_set(err, "%s:%d differs from what its solution generates; run `make exercises`",
                             path, line);
        return true;
    }
    OutFile file;
    if (!outfile_open(&file, path, err))
        return false;
    fputs(generated->data, file.stream);
    return outfile_commit(&file, err);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool generate_file(Source *src, const char *out_path, Error *err)
{
    Text solution = { 0 }, generated = { 0 };
    bool ok = read_file(src->path, &solution, err) && transform(src, solution.data, &generated, err)
              && text_append(&generated, "", 0) && write_or_check(out_path, &generated, src->settings, err);
    free(solution.data);
    free(generated.data);
    return ok;
}

/* ---- the README table -------------------------------------------------------------- */

static const char TABLE_BEGIN[] = "<!-- BEGIN EXERCISE TABLE -->\n";
static const char TABLE_END[] = "<!-- END EXERCISE TABLE -->";

static bool exercise_table(Text *out, const Manifest *m, char **files, const int *file_of)
{
    bool ok = text_printf(out, "%s| exercise | what you write | points | file |\n|---|---|---|---|\n", TABLE_BEGIN);
    for (size_t i = 0; ok && i < m->count; i++)
        ok = text_printf(out, "| %s | %s | %d | `exercises/%s/%s` |\n", m->exercises[i].number,
                         m->exercises[i].title, m->exercises[i].points, m->chapter, base_name(files[file_of[i]]));
    return ok && text_printf(out, "| | **total** | **%d** | |\n", manifest_total_points(m));
}

static bool update_readme(const Settings *settings, const Manifest *m, char **files, const int *file_of, Error *err)
{
    Text readme = { 0 }, updated = { 0 };
    if (!read_file(settings->readme_path, &readme, err))
        return false;
    char *begin = strstr(readme.data, TABLE_BEGIN);
    char *end = begin ? strstr(begin, TABLE_END) : NULL;
    bool ok;
    if (!begin || !end)
        ok = error_set(err, "%s has no %.*s ... %s block", settings->readme_path, (int)strlen(TABLE_BEGIN) - 1,
                       TABLE_BEGIN, TABLE_END);
    else
        ok = text_append(&updated, readme.data, (size_t)(begin - readme.data))
             && exercise_table(&updated, m, files, file_of) && text_append(&updated, end, strlen(end))
             && write_or_check(settings->readme_path, &updated, settings, err);
    free(readme.data);
    free(updated.data);
    return ok;
}

/* ---- main -------------------------------------------------------------------------- */

static bool parse_arguments(int argc, char **argv, Settings *s, int *first_file)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--check") == 0)
            s->check = true;
        else if (strcmp(arg, "--list") == 0)
            s->list = true;
        else if (strcmp(arg, "--silent") == 0)
            s->silent = true;
        else if (strcmp(arg, "--manifest") == 0 && value)
            s->manifest_path = argv[++i];
        else if (strcmp(arg, "--out-dir") == 0 && value)
            s->out_dir = argv[++i];
        else if (strcmp(arg, "--readme") == 0 && value)
            s->readme_path = argv[++i];
        else if (strcmp(arg, "--only") == 0 && value)
            s->only = argv[++i];
        else
            return false;
    }
    *first_file = i;
    return s->manifest_path && (s->list || (s->out_dir && i < argc));
}

int main(int argc, char **argv)
{
    Settings settings = { 0 };
    int first_file;
    if (!parse_arguments(argc, argv, &settings, &first_file)) {
        fprintf(stderr, "usage: %s --manifest FILE --out-dir DIR [--readme FILE] [--check] [--only N.M] [--silent] SOLUTION.c...\n"
                        "       %s --manifest FILE --list\n",
                program, program);
        return 2;
    }
    Error err = { "" };
    Manifest manifest;
    if (!manifest_read(&manifest, settings.manifest_path, &err)) {
        report_error(program, &err);
        return 1;
    }
    if (settings.list) {
        for (size_t k = 0; k < manifest.count; k++)
            printf("%s\n", manifest.exercises[k].number);
        return 0;
    }
    if (settings.only && !manifest_find(&manifest, settings.only)) {
        fprintf(stderr, "%s: error: exercise %s is not in %s\n", program, settings.only, settings.manifest_path);
        return 1;
    }
    Source src = { .manifest = &manifest, .settings = &settings };
    int file_of[MAX_EXERCISES] = { 0 };
    int failures = 0;
    for (int i = first_file; i < argc; i++) {
        char out_path[1024];
        bool seen_before[MAX_EXERCISES];
        memcpy(seen_before, src.seen, sizeof seen_before);
        src.path = argv[i];
        if (!join_path(out_path, sizeof out_path, settings.out_dir, base_name(argv[i]), &err)
            || !generate_file(&src, out_path, &err)) {
            report_error(program, &err);
            failures++;
        }
        for (size_t k = 0; k < manifest.count; k++)
            if (src.seen[k] && !seen_before[k])
                file_of[k] = i;
    }
    for (size_t k = 0; k < manifest.count; k++)
        if (!src.seen[k]) {
            fprintf(stderr, "%s: error: exercise %s of %s has no BEGIN EXERCISE block\n", program,
                    manifest.exercises[k].number, settings.manifest_path);
            failures++;
        }
    if (!failures && settings.readme_path && !update_readme(&settings, &manifest, argv, file_of, &err)) {
        report_error(program, &err);
        failures++;
    }
    return failures ? 1 : 0;
}
