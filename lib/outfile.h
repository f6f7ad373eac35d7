/* lib/outfile.h — writing an output file so that nobody ever sees half of it.
 *
 * Every file vaelab writes (figures, CSV logs, IDX data) goes through OutFile: the bytes
 * go to a temporary name beside the target (`path.tmp.PID`), and only a successful
 * outfile_commit() renames it over the target, which is atomic on POSIX file systems.
 * On any error the temporary file is removed, so a failed run leaves the old file (or
 * nothing) behind, never a truncated one.
 *
 *     OutFile out;
 *     if (!outfile_open(&out, "build/fig.svg", err)) return false;
 *     fprintf(out.stream, "...");
 *     return outfile_commit(&out, err);        // or outfile_abort(&out) on failure
 */
#ifndef VAELAB_OUTFILE_H
#define VAELAB_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

typedef struct OutFile {
    FILE *stream;         /* write here */
    char path[1024];      /* the final name */
    char temp_path[1100]; /* where the bytes go until commit */
} OutFile;

bool outfile_open(OutFile *out, const char *path, Error *err);
/* Flush, check for write errors, close and rename into place; removes the temp on error. */
bool outfile_commit(OutFile *out, Error *err);
/* Close and remove the temporary file; safe to call on a closed or unopened OutFile. */
void outfile_abort(OutFile *out);

/* ---- a run's outputs, all or nothing ----------------------------------------------------
 * Between outfile_begin_run() and outfile_end_run(), outfile_commit() checks and closes a
 * file but leaves it under its temporary name; outfile_end_run(true, err) then renames
 * every one into place, and outfile_end_run(false, err) removes them and the folders
 * make_directories() created, so a run that fails anywhere (a write error, a bad value
 * found late, stdout on a full disk) leaves nothing of itself behind.  program_main()
 * wraps every program's run in this. */
void outfile_begin_run(void);
bool outfile_end_run(bool keep, Error *err);

/* mkdir -p: create `path` and its missing parents (mode 0777 & umask). */
bool make_directories(const char *path, Error *err);

/* Join a directory and a file name into `buffer` ("dir/name"); false if it does not fit. */
bool join_path(char *buffer, size_t size, const char *directory, const char *name, Error *err);

#endif
