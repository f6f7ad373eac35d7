/* tests/tools/manifest.c — a tiny parser for the EXERCISE(...) lines (see manifest.h). */
#include "manifest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

typedef struct Cursor {
    const char *text;
    size_t at;
    const char *path;
} Cursor;

static int line_of(const Cursor *c)
{
    int line = 1;
    for (size_t i = 0; i < c->at; i++)
        line += c->text[i] == '\n';
    return line;
}

static bool fail_at(const Cursor *c, Error *err, const char *what)
{
    return error_set(err, "%s:%d: %s", c->path, line_of(c), what);
}

/* Skip white space and C comments. */
static void skip_blank(Cursor *c)
{
    for (;;) {
        const char *s = c->text + c->at;
        if (isspace((unsigned char)*s)) {
            c->at++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *end = strstr(s + 2, "*/");
            c->at = end ? (size_t)(end + 2 - c->text) : strlen(c->text);
        } else if (s[0] == '/' && s[1] == '/') {
            const char *end = strchr(s, '\n');
            c->at = end ? (size_t)(end - c->text) : strlen(c->text);
        } else {
            return;
        }
    }
}

/* One or more adjacent "..." literals, joined; the escapes \" \\ \n are understood. */
static bool parse_string(Cursor *c, char *out, size_t size, Error *err)
{
    size_t length = 0;
    skip_blank(c);
    if (c->text[c->at] != '"')
        return fail_at(c, err, "expected a string literal");
    while (c->text[c->at] == '"') {
        c->at++;
        for (char ch; (ch = c->text[c->at]) != '"'; c->at++) {
            if (ch == '\0' || ch == '\n')
                return fail_at(c, err, "unterminated string literal");
            if (ch == '\\') {
                ch = c->text[++c->at];
                ch = ch == 'n' ? '\n' : ch;
            }
            if (length + 1 >= size)
                return fail_at(c, err, "string too long");
            out[length++] = ch;
        }
        c->at++;
        skip_blank(c);
    }
    out[length] = '\0';
    return true;
}

static bool expect_char(Cursor *c, char expected, Error *err)
{
    skip_blank(c);
    if (c->text[c->at] != expected) {
        char message[64];
        snprintf(message, sizeof message, "expected '%c'", expected);
        return fail_at(c, err, message);
    }
    c->at++;
    return true;
}

static bool parse_points(Cursor *c, int *points, Error *err)
{
    skip_blank(c);
    char *end;
    long value = strtol(c->text + c->at, &end, 10);
    if (end == c->text + c->at || value < 0 || value > 1000)
        return fail_at(c, err, "expected the points, a whole number from 0 to 1000");
    *points = (int)value;
    c->at = (size_t)(end - c->text);
    return true;
}

static bool parse_exercise(Cursor *c, Exercise *e, Error *err)
{
    return expect_char(c, '(', err) && parse_string(c, e->number, sizeof e->number, err)
           && expect_char(c, ',', err) && parse_string(c, e->title, sizeof e->title, err)
           && expect_char(c, ',', err) && parse_points(c, &e->points, err)
           && expect_char(c, ',', err) && parse_string(c, e->hint, sizeof e->hint, err)
           && expect_char(c, ')', err);
}

/* ".../chapters/01-autoencoder/exercises.def" -> "01-autoencoder" */
static void chapter_of_path(char *chapter, size_t size, const char *path)
{
    const char *end = strrchr(path, '/');
    if (!end) {
        snprintf(chapter, size, ".");
        return;
    }
    const char *start = end;
    while (start > path && start[-1] != '/')
        start--;
    snprintf(chapter, size, "%.*s", (int)(end - start), start);
}

bool manifest_read(Manifest *manifest, const char *path, Error *err)
{
    *manifest = (Manifest){ 0 };
    chapter_of_path(manifest->chapter, sizeof manifest->chapter, path);
    char *text = file_read_all(path, err);
    if (!text)
        return error_prefix(err, "the manifest");
    Cursor c = { text, 0, path };
    bool ok = true;
    const char *keyword = "EXERCISE";
    for (skip_blank(&c); ok && text[c.at]; skip_blank(&c)) {
        if (strncmp(text + c.at, keyword, strlen(keyword)) != 0) {
            ok = fail_at(&c, err, "expected EXERCISE(\"N.M\", \"title\", points, \"hint\")");
            break;
        }
        c.at += strlen(keyword);
        if (manifest->count == MAX_EXERCISES) {
            ok = fail_at(&c, err, "too many exercises");
            break;
        }
        Exercise *e = &manifest->exercises[manifest->count];
        ok = parse_exercise(&c, e, err);
        if (ok && manifest_find(manifest, e->number))
            ok = fail_at(&c, err, "exercise number used twice");
        manifest->count += ok;
    }
    free(text);
    return ok;
}

const Exercise *manifest_find(const Manifest *manifest, const char *number)
{
    for (size_t i = 0; i < manifest->count; i++)
        if (strcmp(manifest->exercises[i].number, number) == 0)
            return &manifest->exercises[i];
    return NULL;
}

int manifest_total_points(const Manifest *manifest)
{
    int total = 0;
    for (size_t i = 0; i < manifest->count; i++)
        total += manifest->exercises[i].points;
    return total;
}
