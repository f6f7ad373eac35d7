/* lib/error.h — how vaelab reports a failure on bad input.
 *
 * A function that can fail because of its input (a file, a size, a flag, memory) returns
 * `bool` (true = success) and, on failure, fills an `Error` with a one-line message that
 * names the problem.  It never prints, never aborts, and frees what it allocated.
 * Programs print that message as `name: error: <message>` and exit with status 1.
 * `assert` is kept for programmer mistakes only (a NULL where none is allowed, sizes
 * that contradict each other in code we wrote).
 */
#ifndef VAELAB_ERROR_H
#define VAELAB_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__) || defined(__clang__)
#define VL_PRINTF_LIKE(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define VL_PRINTF_LIKE(fmt_index, first_arg)
#endif

typedef struct Error {
    char message[512]; /* one line, no trailing newline */
} Error;

/* Fill `err` (may be NULL) with a printf-style message; always returns false, so that
 * `return error_set(err, "...")` reads as "fail with this message". */
bool error_set(Error *err, const char *format, ...) VL_PRINTF_LIKE(2, 3);

/* Put `context: ` in front of the message already in `err`; returns false. */
bool error_prefix(Error *err, const char *format, ...) VL_PRINTF_LIKE(2, 3);

/* calloc(count, size) that checks count * size for overflow; NULL + message on failure. */
void *checked_calloc(size_t count, size_t size, Error *err);

/* The same for arrays of doubles, zero-initialised: the common case. */
double *alloc_doubles(size_t count, Error *err);

/* Print `program: error: message` on stderr (the one way programs report failure). */
void report_error(const char *program, const Error *err);

#endif
