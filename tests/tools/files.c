/* tests/tools/files.c — whole files and sorted folder listings (see files.h). */
#include "files.h"

#include <dirent.h>
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
