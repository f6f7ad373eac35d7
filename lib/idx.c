/* lib/idx.c — see idx.h for the format.
 *
 * Reading goes in the order a suspicious person would: is it a readable regular file, is
 * it gzip (the usual way MNIST is downloaded), is the magic what we expect, are the sizes
 * plausible, is the file exactly as long as the header says — and only then allocate
 * and read.  A corrupt header can therefore never make us allocate gigabytes.
 */
#include "idx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

#define IDX_TYPE_UNSIGNED_BYTE 0x08
#define IDX_MAX_DIMENSIONS 3

/* What a reader or writer expects of one kind of file. */
typedef struct IdxKind {
    uint32_t magic;
    size_t dimension_count;
    const char *description;                        /* "an image file" */
    const char *dimension_names[IDX_MAX_DIMENSIONS]; /* for messages: "images", "rows" */
    size_t dimension_limits[IDX_MAX_DIMENSIONS];
} IdxKind;

static const IdxKind image_kind = {
    IDX_MAGIC_IMAGES, 3, "an image file", {"images", "rows", "cols"},
    {IDX_MAX_COUNT, IDX_MAX_SIDE, IDX_MAX_SIDE}};
static const IdxKind label_kind = {
    IDX_MAGIC_LABELS, 1, "a label file", {"labels", NULL, NULL}, {IDX_MAX_COUNT, 0, 0}};

static size_t header_length(const IdxKind *kind)
{
    return 4 + 4 * kind->dimension_count; /* magic + one 32-bit size per dimension */
}

static uint32_t decode_big_endian(const unsigned char *bytes)
{
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 |
           (uint32_t)bytes[3];
}

static void encode_big_endian(unsigned char *bytes, uint32_t value)
{
    bytes[0] = (unsigned char)(value >> 24);
    bytes[1] = (unsigned char)(value >> 16);
    bytes[2] = (unsigned char)(value >> 8);
    bytes[3] = (unsigned char)value;
}

/* The names of IDX's value types, for a message about a file we cannot read. */
static const char *type_name(unsigned code)
{
    switch (code) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "short";
    case 0x0C: return "int";
    case 0x0D: return "float";
    case 0x0E: return "double";
    default: return "unknown";
    }
}

/* Check the first bytes (`available` of them, maybe fewer than a whole header) say this
 * is an IDX file of the expected kind; otherwise say as precisely as we can what it is. */
static bool check_magic(const char *path, const IdxKind *kind, const unsigned char *header,
                        size_t available, Error *err)
{
    if (available >= 2 && header[0] == 0x1f && header[1] == 0x8b)
        return error_set(err, "%s: is gzip-compressed; run gunzip -k on it first", path);
    if (available == 0)
        return error_set(err, "%s: is empty, expected %s in IDX format", path, kind->description);
    if (available < 4)
        return error_set(err, "%s: only %zu bytes, too short for an IDX header", path, available);
    uint32_t magic = decode_big_endian(header);
    if (magic == kind->magic)
        return true;
    const IdxKind *other = kind == &image_kind ? &label_kind : &image_kind;
    if (magic == other->magic)
        return error_set(err, "%s: this looks like %s (magic 0x%08x), expected %s (magic 0x%08x)",
                         path, other->description, (unsigned)magic, kind->description,
                         (unsigned)kind->magic);
    if (header[0] != 0 || header[1] != 0)
        return error_set(err, "%s: not an IDX file: wrong magic 0x%08x, expected 0x%08x", path,
                         (unsigned)magic, (unsigned)kind->magic);
    if (header[2] != IDX_TYPE_UNSIGNED_BYTE)
        return error_set(err, "%s: wrong magic 0x%08x: IDX values of type %s (0x%02x), only "
                         "unsigned bytes (0x08) are supported", path, (unsigned)magic,
                         type_name(header[2]), header[2]);
    return error_set(err, "%s: wrong magic 0x%08x: %u dimensions, expected %zu for %s (magic 0x%08x)",
                     path, (unsigned)magic, header[3], kind->dimension_count, kind->description,
                     (unsigned)kind->magic);
}

/* Every dimension between 1 and its limit: zero means an empty or broken file, and a
 * huge one a corrupt header that would otherwise make us allocate far too much. */
static bool check_dimensions(const char *path, const IdxKind *kind, const size_t *sizes, Error *err)
{
    for (size_t d = 0; d < kind->dimension_count; d++) {
        if (sizes[d] == 0 || sizes[d] > kind->dimension_limits[d])
            return error_set(err, "%s: %zu %s is out of range: must be between 1 and %zu%s", path,
                             sizes[d], kind->dimension_names[d], kind->dimension_limits[d],
                             sizes[d] == 0 ? "" : " (a corrupt header?)");
    }
    return true;
}

/* Bytes of the body: the product of the sizes (at most 1e8 * 4096 * 4096 < 2^51). */
static unsigned long long body_length(const IdxKind *kind, const size_t *sizes)
{
    unsigned long long length = 1;
    for (size_t d = 0; d < kind->dimension_count; d++)
        length *= sizes[d];
    return length;
}

static bool regular_file_size(FILE *file, const char *path, unsigned long long *size, Error *err)
{
    struct stat info;
    if (fstat(fileno(file), &info) != 0)
        return error_set(err, "cannot read %s: %s", path, strerror(errno));
    if (!S_ISREG(info.st_mode))
        return error_set(err, "%s: is not a regular file", path);
    *size = (unsigned long long)info.st_size;
    return true;
}

static bool check_file_length(const char *path, unsigned long long expected,
                              unsigned long long found, Error *err)
{
    if (found < expected)
        return error_set(err, "%s: truncated: expected %llu bytes, found %llu", path, expected, found);
    if (found > expected)
        return error_set(err, "%s: has %llu extra bytes: expected %llu bytes, found %llu", path,
                         found - expected, expected, found);
    return true;
}

/* Read the header of an open file into sizes[], checking all of it, and report how
 * long the body is. */
static bool read_header(FILE *file, const char *path, const IdxKind *kind, size_t *sizes,
                        unsigned long long *body_bytes, Error *err)
{
    unsigned long long file_size = 0;
    if (!regular_file_size(file, path, &file_size, err))
        return false;
    unsigned char header[4 + 4 * IDX_MAX_DIMENSIONS];
    size_t wanted = header_length(kind);
    size_t got = fread(header, 1, wanted, file);
    if (got < wanted && ferror(file))
        return error_set(err, "cannot read %s: %s", path, strerror(errno));
    if (!check_magic(path, kind, header, got, err))
        return false;
    if (got < wanted)
        return error_set(err, "%s: header truncated: %zu bytes, %s needs %zu", path, got,
                         kind->description, wanted);
    for (size_t d = 0; d < kind->dimension_count; d++)
        sizes[d] = decode_big_endian(header + 4 + 4 * d);
    if (!check_dimensions(path, kind, sizes, err))
        return false;
    *body_bytes = body_length(kind, sizes);
    return check_file_length(path, wanted + *body_bytes, file_size, err);
}

/* Open `path` for reading only if it is a regular file: the open does not block (a FIFO
 * would wait for a writer for ever), and the type is checked on what was opened, not on
 * a name that could change in between.  errno names why an open failed: no such file,
 * permission denied, not a directory, too many levels of symbolic links. */
static FILE *open_regular_file(const char *path, Error *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_set(err, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat info;
    if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        error_set(err, "%s: is not a regular file", path);
        close(fd);
        return NULL;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    FILE *file = fdopen(fd, "rb");
    if (!file) {
        error_set(err, "cannot read %s: %s", path, strerror(errno));
        close(fd);
    }
    return file;
}

/* Read a whole IDX file of the given kind: its sizes and a freshly allocated body. */
static bool read_idx(const char *path, const IdxKind *kind, size_t *sizes, unsigned char **body,
                     Error *err)
{
    *body = NULL;
    FILE *file = open_regular_file(path, err);
    if (!file)
        return false;
    unsigned long long body_bytes = 0;
    bool ok = read_header(file, path, kind, sizes, &body_bytes, err);
    if (ok && body_bytes > SIZE_MAX)
        ok = error_set(err, "%s: %llu bytes do not fit in memory on this machine", path, body_bytes);
    if (ok) {
        *body = checked_calloc((size_t)body_bytes, 1, err);
        if (*body == NULL)
            ok = error_prefix(err, "%s", path);
    }
    if (ok && fread(*body, 1, (size_t)body_bytes, file) != body_bytes)
        ok = error_set(err, "cannot read %s: %s", path,
                       ferror(file) ? strerror(errno) : "the file shrank while being read");
    fclose(file);
    if (!ok) {
        free(*body);
        *body = NULL;
    }
    return ok;
}

bool idx_read_images(const char *path, IdxImages *out, Error *err)
{
    *out = (IdxImages){0};
    size_t sizes[3];
    unsigned char *pixels;
    if (!read_idx(path, &image_kind, sizes, &pixels, err))
        return false;
    *out = (IdxImages){.count = sizes[0], .rows = sizes[1], .cols = sizes[2], .pixels = pixels};
    return true;
}

bool idx_read_labels(const char *path, IdxLabels *out, Error *err)
{
    *out = (IdxLabels){0};
    size_t sizes[1];
    unsigned char *labels;
    if (!read_idx(path, &label_kind, sizes, &labels, err))
        return false;
    *out = (IdxLabels){.count = sizes[0], .labels = labels};
    return true;
}

/* Write header and body through an OutFile, so that a failure leaves no partial file. */
static bool write_idx(const char *path, const IdxKind *kind, const size_t *sizes,
                      const unsigned char *body, Error *err)
{
    if (!check_dimensions(path, kind, sizes, err))
        return error_prefix(err, "cannot write");
    unsigned char header[4 + 4 * IDX_MAX_DIMENSIONS];
    encode_big_endian(header, kind->magic);
    /* dimension_count <= IDX_MAX_DIMENSIONS always; saying so lets the compiler see it too */
    for (size_t d = 0; d < kind->dimension_count && d < IDX_MAX_DIMENSIONS; d++)
        encode_big_endian(header + 4 + 4 * d, (uint32_t)sizes[d]);
    size_t header_bytes = header_length(kind);
    size_t body_bytes = (size_t)body_length(kind, sizes);

    OutFile out;
    if (!outfile_open(&out, path, err))
        return false;
    if (fwrite(header, 1, header_bytes, out.stream) != header_bytes ||
        fwrite(body, 1, body_bytes, out.stream) != body_bytes) {
        int saved_errno = errno;
        outfile_abort(&out);
        return error_set(err, "cannot write %s: %s", path, strerror(saved_errno));
    }
    return outfile_commit(&out, err);
}

bool idx_write_images(const char *path, const IdxImages *images, Error *err)
{
    size_t sizes[3] = {images->count, images->rows, images->cols};
    return write_idx(path, &image_kind, sizes, images->pixels, err);
}

bool idx_write_labels(const char *path, const IdxLabels *labels, Error *err)
{
    size_t sizes[1] = {labels->count};
    return write_idx(path, &label_kind, sizes, labels->labels, err);
}

void idx_free_images(IdxImages *images)
{
    free(images->pixels);
    *images = (IdxImages){0};
}

void idx_free_labels(IdxLabels *labels)
{
    free(labels->labels);
    *labels = (IdxLabels){0};
}
