/* tests/tools/files.h — reading a whole file, listing a folder: what the tools share.
 *
 * The runner lists a chapter's compile logs, the locator a chapter's sources, the stager
 * a chapter's stubs; all want the same thing: the plain files of one folder whose names
 * end a certain way, sorted by name, so every run reads them in the same order.
 */
#ifndef VAELAB_FILES_H
#define VAELAB_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum { FILE_NAME_SIZE = 256 };

/* The whole file as a NUL-terminated string (malloc'ed), or NULL and a message. */
char *file_read_all(const char *path, Error *err);

/* The names of the entries of `folder` that are not folders and do not start with a dot,
 * ending with `suffix` ("" for all), sorted; returns how many (0 if it cannot be read). */
size_t folder_list(const char *folder, const char *suffix, char names[][FILE_NAME_SIZE], size_t capacity);

/* Every file under some folders (not following symbolic links; a folder whose real path
 * is `ignored` is skipped, and so is .git), as sorted paths: taken before and after
 * grading, the difference is what code under test wrote where it should not. */
typedef struct FileCensus {
    char **paths;
    size_t count, capacity;
} FileCensus;

bool file_census_take(FileCensus *census, const char *const *folders, size_t folder_count, const char *ignored);
/* Is `path` in the census? */
bool file_census_has(const FileCensus *census, const char *path);
void file_census_free(FileCensus *census);

#endif
