/* lib/error.c — see error.h for the convention. */
#include "error.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool error_set(Error *err, const char *format, ...)
{
    if (err) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
    }
    return false;
}

bool error_prefix(Error *err, const char *format, ...)
{
    if (err) {
        char prefixed[sizeof err->message];
        va_list args;
        va_start(args, format);
        int length = vsnprintf(prefixed, sizeof prefixed, format, args);
        va_end(args);
        size_t used = length < 0 ? 0 : (size_t)length;
        if (used + 2 < sizeof prefixed) {
            /* append ": " and as much of the old message as fits */
            size_t room = sizeof prefixed - used - 2;
            size_t old = strlen(err->message);
            size_t copied = old < room - 1 ? old : room - 1;
            memcpy(prefixed + used, ": ", 2);
            memcpy(prefixed + used + 2, err->message, copied);
            prefixed[used + 2 + copied] = '\0';
        }
        memcpy(err->message, prefixed, sizeof prefixed);
    }
    return false;
}

void *checked_calloc(size_t count, size_t size, Error *err)
{
    if (size != 0 && count > SIZE_MAX / size) {
        error_set(err, "cannot allocate %zu items of %zu bytes: the size overflows", count, size);
        return NULL;
    }
    void *memory = calloc(count ? count : 1, size ? size : 1);
    if (!memory)
        error_set(err, "out of memory allocating %zu items of %zu bytes", count, size);
    return memory;
}

double *alloc_doubles(size_t count, Error *err)
{
    return checked_calloc(count, sizeof(double), err);
}

void report_error(const char *program, const Error *err)
{
    fprintf(stderr, "%s: error: %s\n", program, err && err->message[0] ? err->message : "unknown error");
}
