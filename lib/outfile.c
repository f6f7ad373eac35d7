/* lib/outfile.c — see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The run in progress (outfile_begin_run): the files committed but not yet renamed into
 * place, and the folders created, in order. */
enum { RUN_FILES_MAX = 64, RUN_FOLDERS_MAX = 16 };
static struct {
    bool active;
    size_t file_count, folder_count;
    char temp_paths[RUN_FILES_MAX][sizeof ((OutFile *)0)->temp_path];
    char paths[RUN_FILES_MAX][sizeof ((OutFile *)0)->path];
    char folders[RUN_FOLDERS_MAX][1024];
} run;

/* Keep a committed file for the end of the run; once per path (a file written twice in
 * one run went to the same temporary name both times). */
static bool defer_rename(const OutFile *out, Error *err)
{
    for (size_t k = 0; k < run.file_count; k++)
        if (strcmp(run.paths[k], out->path) == 0)
            return true;
    if (run.file_count == RUN_FILES_MAX)
        return error_set(err, "cannot write %s: more than %d files in one run", out->path, RUN_FILES_MAX);
    memcpy(run.temp_paths[run.file_count], out->temp_path, sizeof out->temp_path);
    memcpy(run.paths[run.file_count], out->path, sizeof out->path);
    run.file_count++;
    return true;
}

void outfile_begin_run(void)
{
    run.active = true;
    run.file_count = run.folder_count = 0;
}

bool outfile_end_run(bool keep, Error *err)
{
    bool ok = true;
    for (size_t k = 0; k < run.file_count; k++) {
        if (keep && ok && rename(run.temp_paths[k], run.paths[k]) != 0)
            ok = error_set(err, "cannot move output into %s: %s", run.paths[k], strerror(errno));
        if (!keep || !ok)
            remove(run.temp_paths[k]);
    }
    if (!keep || !ok)
        for (size_t k = run.folder_count; k-- > 0;)
            rmdir(run.folders[k]); /* only if empty: an older run's files stay */
    run.active = false;
    run.file_count = run.folder_count = 0;
    return ok;
}

bool outfile_open(OutFile *out, const char *path, Error *err)
{
    out->stream = NULL;
    out->temp_path[0] = '\0';
    if (snprintf(out->path, sizeof out->path, "%s", path) >= (int)sizeof out->path)
        return error_set(err, "output path too long: %.60s...", path);
    snprintf(out->temp_path, sizeof out->temp_path, "%s.tmp.%ld", path, (long)getpid());
    out->stream = fopen(out->temp_path, "wb");
    if (!out->stream) {
        error_set(err, "cannot write %s: %s", path, strerror(errno));
        out->temp_path[0] = '\0';
        return false;
    }
    return true;
}

bool outfile_commit(OutFile *out, Error *err)
{
    if (!out->stream)
        return error_set(err, "internal: %s was not open", out->path);
    bool failed = ferror(out->stream) != 0;
    int saved_errno = errno;
    if (fclose(out->stream) != 0 && !failed) {
        failed = true;
        saved_errno = errno;
    }
    out->stream = NULL;
    if (failed) {
        remove(out->temp_path);
        out->temp_path[0] = '\0';
        return error_set(err, "cannot write %s: %s", out->path, strerror(saved_errno));
    }
    if (run.active) {
        bool kept = defer_rename(out, err);
        if (!kept)
            remove(out->temp_path);
        out->temp_path[0] = '\0';
        return kept;
    }
    if (rename(out->temp_path, out->path) != 0) {
        saved_errno = errno;
        remove(out->temp_path);
        out->temp_path[0] = '\0';
        return error_set(err, "cannot move output into %s: %s", out->path, strerror(saved_errno));
    }
    out->temp_path[0] = '\0';
    return true;
}

void outfile_abort(OutFile *out)
{
    if (out->stream) {
        fclose(out->stream);
        out->stream = NULL;
    }
    if (out->temp_path[0]) {
        remove(out->temp_path);
        out->temp_path[0] = '\0';
    }
}

bool make_directories(const char *path, Error *err)
{
    char partial[1024];
    size_t length = strlen(path);
    if (length == 0)
        return error_set(err, "empty directory name");
    if (length >= sizeof partial)
        return error_set(err, "directory path too long: %.60s...", path);
    memcpy(partial, path, length + 1);
    for (size_t i = 1; i <= length; i++) {
        if (partial[i] != '/' && partial[i] != '\0')
            continue;
        char saved = partial[i];
        partial[i] = '\0';
        if (mkdir(partial, 0777) == 0) {
            if (run.active && run.folder_count < RUN_FOLDERS_MAX)
                memcpy(run.folders[run.folder_count++], partial, i + 1);
        } else if (errno != EEXIST) {
            return error_set(err, "cannot create directory %s: %s", partial, strerror(errno));
        }
        partial[i] = saved;
    }
    struct stat info;
    if (stat(path, &info) != 0 || !S_ISDIR(info.st_mode))
        return error_set(err, "%s exists but is not a directory", path);
    return true;
}

bool join_path(char *buffer, size_t size, const char *directory, const char *name, Error *err)
{
    int written = snprintf(buffer, size, "%s/%s", directory, name);
    if (written < 0 || (size_t)written >= size)
        return error_set(err, "path too long: %s/%s", directory, name);
    return true;
}
