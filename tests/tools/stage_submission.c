/* tests/tools/stage_submission.c — `make grade SUBMISSION=path` copies what it grades.
 *
 *   stage_submission --submission DIR --stubs exercises --manifests chapters
 *                    --out build/submission-src/exercises [--notes FILE] CHAPTER...
 *
 * The graded files are exactly the files of the instructor's exercises/CHAPTER/ (the
 * stubs), no more: for each, the submission's copy is staged into --out, and where the
 * submission lacks it, the stub itself (so that file's exercises score 0 and the rest of
 * the chapter is still graded). The instructor's tests, headers and manifests are always
 * the ones used; the student's are never read, except to say that they differ.
 *
 * A submission may be laid out as
 *   - a copy of exercises/:         DIR/01-autoencoder/autoencoder.c
 *   - a whole clone or release:     DIR/exercises/01-autoencoder/autoencoder.c
 *   - loose files (an upload):      DIR/autoencoder.c (when no two chapters share the name)
 * Every problem is said in one line starting with "grade: ", on stdout and in --notes
 * (which the runner puts in results.json, so the student reads it too):
 *   - a graded file that is missing, a symbolic link, or larger than 1 MiB (the stub is used);
 *   - extra files (ignored: only the files of exercises/ are compiled);
 *   - an exercises.def that differs from the instructor's (ignored: points and exercises
 *     come from the instructor's manifest).
 * Exit status: 0 when something was staged, 2 when the submission folder is unusable.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error.h"
#include "files.h"
#include "outfile.h"

static const char *const program = "stage_submission";

enum { MAX_GRADED_FILES = 256, MAX_LISTED_EXTRAS = 10, MAX_DEPTH = 8, MAX_FILE_BYTES = 1 << 20 };

typedef struct GradedFile {
    char chapter[64];
    char name[FILE_NAME_SIZE];
    char taken_from[1024]; /* relative to the submission's code folder, "" if the stub was used */
} GradedFile;

typedef struct Stage {
    const char *submission, *stubs, *manifests, *out;
    char code_root[1024]; /* the submission's folder of chapter folders */
    char repo_root[1024]; /* the submission's clone root, "" if it is not a clone */
    GradedFile files[MAX_GRADED_FILES];
    size_t file_count;
    size_t extras;        /* extra files found */
    FILE *notes;
} Stage;

/* ---- saying things ----------------------------------------------------------------- */

static void say(Stage *stage, const char *format, ...) VL_PRINTF_LIKE(2, 3);
static void say(Stage *stage, const char *format, ...)
{
    char line[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    printf("grade: %s\n", line);
    if (stage->notes)
        fprintf(stage->notes, "%s\n", line);
}

/* ---- files ------------------------------------------------------------------------- */

static bool is_directory(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Why `path` cannot be graded ("" if it can): it must be a plain file, not a link (which
 * could point at the instructor's solutions), and not huge. */
static const char *unusable_reason(const char *path)
{
    struct stat info;
    if (lstat(path, &info) != 0)
        return "missing";
    if (S_ISLNK(info.st_mode))
        return "a symbolic link, not a file";
    if (!S_ISREG(info.st_mode))
        return "not a regular file";
    if (info.st_size > MAX_FILE_BYTES)
        return "larger than 1 MiB";
    return "";
}

static bool copy_file(const char *from, const char *to, Error *err)
{
    FILE *in = fopen(from, "rb");
    if (!in)
        return error_set(err, "cannot read %s", from);
    OutFile out;
    if (!outfile_open(&out, to, err)) {
        fclose(in);
        return false;
    }
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, in)) > 0)
        fwrite(chunk, 1, got, out.stream);
    bool read_ok = !ferror(in);
    fclose(in);
    if (!read_ok) {
        outfile_abort(&out);
        return error_set(err, "cannot read %s", from);
    }
    return outfile_commit(&out, err);
}

static bool same_contents(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    bool same = fa && fb;
    for (int ca = 0, cb = 0; same && ca != EOF; same = ca == cb) {
        ca = fgetc(fa);
        cb = fgetc(fb);
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

/* ---- staging the graded files ------------------------------------------------------ */

/* Is `name` a graded file of exactly one chapter? Then an upload may hold it loose. */
static bool name_is_unique(const Stage *stage, const char *name)
{
    size_t seen = 0;
    for (size_t i = 0; i < stage->file_count; i++)
        seen += strcmp(stage->files[i].name, name) == 0;
    return seen == 1;
}

/* Where the submission has `file` (relative to code_root), or "" with the reason. */
static void find_in_submission(const Stage *stage, GradedFile *file, const char **reason)
{
    char relative[512], path[1600];
    snprintf(relative, sizeof relative, "%s/%s", file->chapter, file->name);
    snprintf(path, sizeof path, "%s/%s", stage->code_root, relative);
    *reason = unusable_reason(path);
    if (strcmp(*reason, "missing") == 0 && name_is_unique(stage, file->name)) {
        snprintf(path, sizeof path, "%s/%s", stage->code_root, file->name); /* a loose upload */
        if (unusable_reason(path)[0] == '\0') {
            snprintf(relative, sizeof relative, "%s", file->name);
            *reason = "";
        }
    }
    snprintf(file->taken_from, sizeof file->taken_from, "%s", (*reason)[0] ? "" : relative);
}

static bool stage_file(Stage *stage, GradedFile *file)
{
    const char *reason;
    find_in_submission(stage, file, &reason);
    char from[1600], to[1600];
    if (file->taken_from[0]) {
        snprintf(from, sizeof from, "%s/%s", stage->code_root, file->taken_from);
    } else {
        snprintf(from, sizeof from, "%s/%s/%s", stage->stubs, file->chapter, file->name);
        say(stage, "%s/%s is %s in the submission: graded as the unchanged stub (0 points for its exercises)",
            file->chapter, file->name, reason);
    }
    snprintf(to, sizeof to, "%s/%s/%s", stage->out, file->chapter, file->name);
    Error err;
    if (!copy_file(from, to, &err)) {
        report_error(program, &err);
        return false;
    }
    return true;
}

/* List the instructor's files of every chapter, then stage each. */
static bool stage_chapters(Stage *stage, char **chapters, int count)
{
    for (int c = 0; c < count; c++) {
        char folder[1024], names[64][FILE_NAME_SIZE];
        snprintf(folder, sizeof folder, "%s/%s", stage->stubs, chapters[c]);
        size_t n = folder_list(folder, "", names, 64);
        for (size_t k = 0; k < n && stage->file_count < MAX_GRADED_FILES; k++) {
            GradedFile *file = &stage->files[stage->file_count++];
            snprintf(file->chapter, sizeof file->chapter, "%s", chapters[c]);
            snprintf(file->name, sizeof file->name, "%s", names[k]);
        }
        Error err;
        snprintf(folder, sizeof folder, "%s/%s", stage->out, chapters[c]);
        if (n && !make_directories(folder, &err)) {
            report_error(program, &err);
            return false;
        }
    }
    for (size_t i = 0; i < stage->file_count; i++)
        if (!stage_file(stage, &stage->files[i]))
            return false;
    return true;
}

/* ---- what is not graded: extra files, the student's manifests ---------------------- */

static bool is_graded_or_manifest(const Stage *stage, const char *relative)
{
    for (size_t i = 0; i < stage->file_count; i++)
        if (strcmp(stage->files[i].taken_from, relative) == 0)
            return true;
    const char *base = strrchr(relative, '/');
    return strcmp(base ? base + 1 : relative, "exercises.def") == 0; /* said separately */
}

/* Walk the submission's code folder; every file that is not graded is an extra. */
static void find_extras(Stage *stage, const char *relative, int depth)
{
    char folder[1600];
    snprintf(folder, sizeof folder, "%s%s%s", stage->code_root, relative[0] ? "/" : "", relative);
    DIR *listing = depth < MAX_DEPTH ? opendir(folder) : NULL;
    struct dirent *entry;
    while (listing && (entry = readdir(listing)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char inner[1024], path[2700];
        snprintf(inner, sizeof inner, "%s%s%s", relative, relative[0] ? "/" : "", entry->d_name);
        snprintf(path, sizeof path, "%s/%s", stage->code_root, inner);
        struct stat info;
        if (lstat(path, &info) == 0 && S_ISDIR(info.st_mode)) {
            find_extras(stage, inner, depth + 1);
        } else if (!is_graded_or_manifest(stage, inner) && stage->extras++ < MAX_LISTED_EXTRAS) {
            say(stage, "ignored %s: not a file of exercises/, so it is not compiled", inner);
        }
    }
    if (listing)
        closedir(listing);
}

/* Say so if `path` is in the submission and is not the same as any of `instructors`. */
static void compare_manifest(Stage *stage, const char *path, char instructors[][1024], size_t count)
{
    if (unusable_reason(path)[0] != '\0')
        return; /* the submission has none there */
    for (size_t k = 0; k < count; k++)
        if (same_contents(path, instructors[k]))
            return;
    say(stage, "%s differs from the instructor's exercises.def: ignored, the points and exercises come from the "
        "instructor's", path);
}

/* Tell if the submission carries its own copy of a chapter's manifest, edited: in a
 * clone's chapters/, in its chapter folders, or loose in an upload. */
static void compare_manifests(Stage *stage, char **chapters, int count)
{
    static char instructors[MAX_GRADED_FILES][1024];
    size_t known = 0;
    for (int c = 0; c < count && known < MAX_GRADED_FILES; c++, known++)
        snprintf(instructors[known], sizeof instructors[known], "%s/%s/exercises.def", stage->manifests, chapters[c]);
    char path[1400];
    for (int c = 0; c < count && c < MAX_GRADED_FILES; c++) {
        if (stage->repo_root[0]) {
            snprintf(path, sizeof path, "%s/chapters/%s/exercises.def", stage->repo_root, chapters[c]);
            compare_manifest(stage, path, instructors + c, 1);
        }
        snprintf(path, sizeof path, "%s/%s/exercises.def", stage->code_root, chapters[c]);
        compare_manifest(stage, path, instructors + c, 1);
    }
    snprintf(path, sizeof path, "%s/exercises.def", stage->code_root);
    compare_manifest(stage, path, instructors, known);
}

/* ---- main -------------------------------------------------------------------------- */

static bool parse_arguments(Stage *stage, int argc, char **argv, int *first_chapter, const char **notes_path)
{
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--submission") == 0)
            stage->submission = value;
        else if (strcmp(argv[i], "--stubs") == 0)
            stage->stubs = value;
        else if (strcmp(argv[i], "--manifests") == 0)
            stage->manifests = value;
        else if (strcmp(argv[i], "--out") == 0)
            stage->out = value;
        else if (strcmp(argv[i], "--notes") == 0)
            *notes_path = value;
        else
            return false;
    }
    *first_chapter = i;
    return stage->submission && stage->stubs && stage->manifests && stage->out;
}

/* A clone or release holds exercises/; a copy of exercises/ (or an upload) is the folder. */
static void find_layout(Stage *stage)
{
    static char submission[1024]; /* without trailing slashes, so paths read well */
    snprintf(submission, sizeof submission, "%s", stage->submission);
    for (size_t n = strlen(submission); n > 1 && submission[n - 1] == '/'; n--)
        submission[n - 1] = '\0';
    stage->submission = submission;
    char inner[1100];
    snprintf(inner, sizeof inner, "%s/exercises", stage->submission);
    bool clone = is_directory(inner);
    snprintf(stage->code_root, sizeof stage->code_root, "%s", clone ? inner : stage->submission);
    snprintf(stage->repo_root, sizeof stage->repo_root, "%s", clone ? stage->submission : "");
    say(stage, "grading %s%s", stage->code_root,
        clone ? " (the exercises/ of a clone; its other folders are not used)" : "");
}

int main(int argc, char **argv)
{
    static Stage stage; /* large: not on the stack */
    const char *notes_path = NULL;
    int first_chapter;
    if (!parse_arguments(&stage, argc, argv, &first_chapter, &notes_path)) {
        fprintf(stderr, "usage: %s --submission DIR --stubs DIR --manifests DIR --out DIR [--notes FILE] CHAPTER...\n",
                program);
        return 2;
    }
    if (!is_directory(stage.submission)) {
        fprintf(stderr, "%s: error: the submission %s is not a folder; SUBMISSION= takes the folder a student "
                "handed in (a copy of exercises/, or a whole clone)\n", program, stage.submission);
        return 2;
    }
    stage.notes = notes_path ? fopen(notes_path, "w") : NULL;
    if (notes_path && !stage.notes) /* the grading goes on; results.json will lack these lines */
        fprintf(stderr, "%s: warning: cannot write the notes to %s\n", program, notes_path);
    find_layout(&stage);
    bool staged = stage_chapters(&stage, argv + first_chapter, argc - first_chapter);
    find_extras(&stage, "", 0);
    if (stage.extras > MAX_LISTED_EXTRAS)
        say(&stage, "... and %zu more files ignored", stage.extras - MAX_LISTED_EXTRAS);
    compare_manifests(&stage, argv + first_chapter, argc - first_chapter);
    size_t taken = 0;
    for (size_t i = 0; i < stage.file_count; i++)
        taken += stage.files[i].taken_from[0] != '\0';
    say(&stage, "%zu of the %zu graded files come from the submission", taken, stage.file_count);
    if (stage.notes)
        fclose(stage.notes);
    return staged ? 0 : 1;
}
