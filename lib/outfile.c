/* lib/outfile.c — see outfile.h. */
#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
        if (mkdir(partial, 0777) != 0 && errno != EEXIST)
            return error_set(err, "cannot create directory %s: %s", partial, strerror(errno));
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
