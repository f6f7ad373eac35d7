/* tests/fuzz/fuzz_idx.c — the IDX reader under libFuzzer (make fuzz; not part of make test).
 *
 * libFuzzer hands in byte strings, mutated to reach new code; each is written to a file
 * and read both as an image file and as a label file. Whatever the bytes, the reader must
 * either refuse them with a one-line message or return exactly what a file of that length
 * can hold (header + count * rows * cols bytes); AddressSanitizer and UBSan, built in,
 * turn any memory error or undefined behaviour into a crash the fuzzer reports and saves.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A refusal is one line that names the file; anything else is a bug: crash. */
static void check_refusal(const Error *err, const char *path)
{
    if (!strstr(err->message, path) || strchr(err->message, '\n'))
        abort();
}

static char path[256]; /* the file each input is written to, in $TMPDIR */

static void remove_input_file(void) { remove(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/vaelab-fuzz-%ld.idx", base && *base ? base : "/tmp", (long)getpid());
        atexit(remove_input_file);
    }
    FILE *file = fopen(path, "wb");
    if (!file || fwrite(data, 1, size, file) != size || fclose(file) != 0)
        abort();
    IdxImages images;
    IdxLabels labels;
    Error err;
    if (idx_read_images(path, &images, &err)) {
        if (16 + images.count * images.rows * images.cols != size || !images.pixels)
            abort();
        idx_free_images(&images);
    } else {
        check_refusal(&err, path);
    }
    if (idx_read_labels(path, &labels, &err)) {
        if (8 + labels.count != size || !labels.labels)
            abort();
        idx_free_labels(&labels);
    } else {
        check_refusal(&err, path);
    }
    return 0;
}
