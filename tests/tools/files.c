/* tests/tools/files.c — whole files and sorted folder listings (see files.h). */
#include "files.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *file_read_all(const char *path, Error *err)
{
    FILE *file = fopen(path, "rb");
    if (!file) {
        error_set(err, "cannot open %s", path);
        return NULL;
    }
    size_t capacity = 4096, length = 0, got;
    char *text = malloc(capacity);
    while (text && (got = fread(text + length, 1, capacity - length - 1, file)) > 0) {
        length += got;
        if (length + 1 == capacity) {
            char *bigger = realloc(text, capacity *= 2);
            if (!bigger)
                free(text);
            text = bigger;
        }
    }
    fclose(file);
    if (!text) {
        error_set(err, "out of memory reading %s", path);
        return NULL;
    }
    text[length] = '\0';
    return text;
}

static int compare_names(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static bool ends_with(const char *name, const char *suffix)
{
    size_t length = strlen(name), suffix_length = strlen(suffix);
    return length >= suffix_length && strcmp(name + length - suffix_length, suffix) == 0;
}

size_t folder_list(const char *folder, const char *suffix, char names[][FILE_NAME_SIZE], size_t capacity)
{
    DIR *listing = opendir(folder);
    if (!listing)
        return 0;
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(listing)) != NULL && count < capacity) {
        char path[1400];
        struct stat info;
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        bool is_folder = stat(path, &info) == 0 && S_ISDIR(info.st_mode);
        if (entry->d_name[0] != '.' && !is_folder && ends_with(entry->d_name, suffix)
            && strlen(entry->d_name) < FILE_NAME_SIZE)
            snprintf(names[count++], FILE_NAME_SIZE, "%s", entry->d_name);
    }
    closedir(listing);
    qsort(names, count, FILE_NAME_SIZE, compare_names);
    return count;
}

/* ---- a census of files ---------------------------------------------------------------- */

static bool census_add(FileCensus *census, const char *path)
{
    if (census->count == census->capacity) {
        size_t capacity = census->capacity ? 2 * census->capacity : 256;
        char **bigger = realloc(census->paths, capacity * sizeof *bigger);
        if (!bigger)
            return false;
        census->paths = bigger;
        census->capacity = capacity;
    }
    census->paths[census->count] = strdup(path);
    return census->paths[census->count++] != NULL;
}

static bool census_walk(FileCensus *census, const char *folder, const char *ignored, int depth)
{
    char real[PATH_MAX];
    if (depth > 32 || (ignored && realpath(folder, real) && strcmp(real, ignored) == 0))
        return true;
    DIR *listing = opendir(folder);
    if (!listing)
        return true;
    bool ok = true;
    for (struct dirent *entry; ok && (entry = readdir(listing)) != NULL;) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0 || strcmp(entry->d_name, ".git") == 0)
            continue;
        char path[PATH_MAX];
        struct stat info;
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        if (lstat(path, &info) != 0)
            continue;
        ok = S_ISDIR(info.st_mode) ? census_walk(census, path, ignored, depth + 1) : census_add(census, path);
    }
    closedir(listing);
    return ok;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool file_census_take(FileCensus *census, const char *const *folders, size_t folder_count, const char *ignored)
{
    char ignored_real[PATH_MAX];
    *census = (FileCensus){ 0 };
    const char *skip = ignored && realpath(ignored, ignored_real) ? ignored_real : NULL;
    bool ok = true;
    for (size_t k = 0; ok && k < folder_count; k++)
        ok = census_walk(census, folders[k], skip, 0);
    if (census->count)
        qsort(census->paths, census->count, sizeof *census->paths, compare_paths);
    return ok;
}

bool file_census_has(const FileCensus *census, const char *path)
{
    return census->count && bsearch(&path, census->paths, census->count, sizeof *census->paths, compare_paths);
}

void file_census_free(FileCensus *census)
{
    for (size_t k = 0; k < census->count; k++)
        free(census->paths[k]);
    free(census->paths);
    *census = (FileCensus){ 0 };
}
