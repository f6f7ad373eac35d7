/* tests/lib/test_idx.c — IDX files and data sets: round trips, and every way a file can be wrong.
 *
 * Each bad file is made here, byte by byte, in the test's scratch directory; the test
 * checks the reader refuses it and that the message names the problem (a telling word
 * such as "gunzip" or "truncated"), since that message is all a student will see.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset.h"
#include "harness.h"
#include "idx.h"
#include "outfile.h"

/* ---- fixtures ------------------------------------------------------------------------- */

/* scratch/name, in a static buffer that the next call overwrites (one path at a time). */
static const char *scratch_path(const char *name)
{
    static char buffer[2][1024];
    static int which;
    which = 1 - which; /* two buffers, so two paths can be alive at once */
    Error err;
    if (!join_path(buffer[which], sizeof buffer[which], test_scratch_dir(), name, &err))
        CHECK_FAIL("%s", err.message);
    return buffer[which];
}

static void write_bytes(const char *path, const unsigned char *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    if (!CHECK(file != NULL))
        return;
    CHECK_LONG(size, fwrite(bytes, 1, size, file));
    CHECK(fclose(file) == 0);
}

static void put_big_endian(unsigned char *bytes, uint32_t value)
{
    bytes[0] = (unsigned char)(value >> 24);
    bytes[1] = (unsigned char)(value >> 16);
    bytes[2] = (unsigned char)(value >> 8);
    bytes[3] = (unsigned char)value;
}

/* An image file's 16-byte header followed by `body_size` bytes of 0x55. */
static void write_image_file(const char *path, uint32_t magic, uint32_t count, uint32_t rows,
                             uint32_t cols, size_t body_size)
{
    unsigned char *bytes = calloc(16 + body_size, 1);
    if (!CHECK(bytes != NULL))
        return;
    put_big_endian(bytes, magic);
    put_big_endian(bytes + 4, count);
    put_big_endian(bytes + 8, rows);
    put_big_endian(bytes + 12, cols);
    memset(bytes + 16, 0x55, body_size);
    write_bytes(path, bytes, 16 + body_size);
    free(bytes);
}

/* A label file: its 8-byte header, then the given labels. */
static void write_label_file(const char *path, uint32_t count, const unsigned char *labels, size_t size)
{
    unsigned char bytes[8 + 64];
    if (!CHECK(size <= 64))
        return;
    put_big_endian(bytes, IDX_MAGIC_LABELS);
    put_big_endian(bytes + 4, count);
    if (size > 0)
        memcpy(bytes + 8, labels, size);
    write_bytes(path, bytes, 8 + size);
}

/* Read `path` as images, expect failure, and expect the message to contain `needle`. */
static void expect_images_refused(const char *path, const char *needle)
{
    IdxImages images;
    Error err = {{0}};
    CHECK(!idx_read_images(path, &images, &err));
    CHECK(images.pixels == NULL && images.count == 0); /* left empty on failure */
    CHECK_CONTAINS(err.message, needle);
    CHECK_CONTAINS(err.message, path); /* the message names the file */
}

static void expect_labels_refused(const char *path, const char *needle)
{
    IdxLabels labels;
    Error err = {{0}};
    CHECK(!idx_read_labels(path, &labels, &err));
    CHECK(labels.labels == NULL && labels.count == 0);
    CHECK_CONTAINS(err.message, needle);
    CHECK_CONTAINS(err.message, path);
}

/* Three 2x3 images with labels 7, 0, 9: a tiny data set in the standard file names. */
static void write_tiny_dataset(const char *directory, size_t label_count, unsigned char last_label)
{
    unsigned char pixels[3 * 6] = {0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6, 255, 255, 0, 0, 128, 64};
    unsigned char labels[3] = {7, 0, last_label};
    IdxImages images = {.count = 3, .rows = 2, .cols = 3, .pixels = pixels};
    IdxLabels label_set = {.count = label_count, .labels = labels};
    char path[1024];
    Error err = {{0}};
    CHECK(join_path(path, sizeof path, directory, "train-images-idx3-ubyte", &err));
    if (!CHECK(idx_write_images(path, &images, &err)))
        check_note("%s", err.message);
    CHECK(join_path(path, sizeof path, directory, "train-labels-idx1-ubyte", &err));
    if (!CHECK(idx_write_labels(path, &label_set, &err)))
        check_note("%s", err.message);
}

/* ---- round trips ------------------------------------------------------------------------ */

static void test_images_round_trip(void)
{
    unsigned char pixels[2 * 3 * 4];
    for (size_t i = 0; i < sizeof pixels; i++)
        pixels[i] = (unsigned char)(i * 11);
    IdxImages written = {.count = 2, .rows = 3, .cols = 4, .pixels = pixels};
    IdxImages read;
    Error err = {{0}};
    const char *path = scratch_path("images");
    if (!CHECK(idx_write_images(path, &written, &err)) || !CHECK(idx_read_images(path, &read, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(2, read.count);
    CHECK_LONG(3, read.rows);
    CHECK_LONG(4, read.cols);
    CHECK(memcmp(read.pixels, pixels, sizeof pixels) == 0);
    idx_free_images(&read);
    CHECK(read.pixels == NULL && read.count == 0);
    idx_free_images(&read); /* freeing twice is harmless */
}

static void test_images_file_layout(void)
{
    /* The bytes on disk are the standard layout: big-endian magic and sizes, then pixels. */
    unsigned char pixels[2] = {9, 250};
    IdxImages images = {.count = 1, .rows = 1, .cols = 2, .pixels = pixels};
    Error err = {{0}};
    const char *path = scratch_path("layout");
    CHECK(idx_write_images(path, &images, &err));
    unsigned char expected[18] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 9, 250};
    unsigned char found[19] = {0};
    FILE *file = fopen(path, "rb");
    if (!CHECK(file != NULL))
        return;
    CHECK_LONG(18, fread(found, 1, sizeof found, file));
    fclose(file);
    CHECK(memcmp(found, expected, sizeof expected) == 0);
}

static void test_labels_round_trip(void)
{
    unsigned char values[5] = {0, 9, 200, 3, 255}; /* IDX itself allows any byte */
    IdxLabels written = {.count = 5, .labels = values};
    IdxLabels read;
    Error err = {{0}};
    const char *path = scratch_path("labels");
    if (!CHECK(idx_write_labels(path, &written, &err)) || !CHECK(idx_read_labels(path, &read, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(5, read.count);
    CHECK(memcmp(read.labels, values, sizeof values) == 0);
    idx_free_labels(&read);
}

/* ---- files that are not what they should be ----------------------------------------------- */

static void test_missing_file(void)
{
    expect_images_refused(scratch_path("no-such-file"), "cannot open");
    expect_labels_refused(scratch_path("no-such-file"), "No such file");
}

static void test_gzip_file(void)
{
    /* The first bytes of any gzip stream: 1f 8b, method 8 (deflate). */
    static const unsigned char gzip_start[20] = {0x1f, 0x8b, 0x08, 0x08, 0x9f, 0x4b, 0x30, 0x5e};
    const char *path = scratch_path("train-images-idx3-ubyte.gz");
    write_bytes(path, gzip_start, sizeof gzip_start);
    expect_images_refused(path, "gunzip -k");
    expect_labels_refused(path, "gzip-compressed");
}

static void test_wrong_magic(void)
{
    const char *path = scratch_path("portrait.pgm");
    static const unsigned char pgm[24] = "P5\n28 28\n255\n";
    write_bytes(path, pgm, sizeof pgm);
    expect_images_refused(path, "wrong magic");
    expect_labels_refused(path, "not an IDX file");
}

static void test_idx_of_floats_is_refused(void)
{
    const char *path = scratch_path("floats");
    write_image_file(path, 0x00000D03, 1, 2, 2, 16);
    expect_images_refused(path, "float");
}

static void test_image_file_given_as_labels(void)
{
    const char *path = scratch_path("images");
    write_image_file(path, IDX_MAGIC_IMAGES, 2, 2, 2, 8);
    expect_labels_refused(path, "looks like an image file");
}

static void test_label_file_given_as_images(void)
{
    const char *path = scratch_path("labels");
    static const unsigned char labels[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    write_label_file(path, 10, labels, sizeof labels);
    expect_images_refused(path, "looks like a label file");
}

static void test_zero_dimensions(void)
{
    const char *path = scratch_path("zero");
    write_image_file(path, IDX_MAGIC_IMAGES, 5, 0, 28, 0);
    expect_images_refused(path, "0 rows");
    write_image_file(path, IDX_MAGIC_IMAGES, 0, 28, 28, 0);
    expect_images_refused(path, "0 images");
    write_label_file(path, 0, NULL, 0);
    expect_labels_refused(path, "0 labels");
}

static void test_absurd_dimensions(void)
{
    const char *path = scratch_path("absurd");
    write_image_file(path, IDX_MAGIC_IMAGES, 1, 100000, 28, 0);
    expect_images_refused(path, "100000 rows");
    write_image_file(path, IDX_MAGIC_IMAGES, 0xFFFFFFFFu, 28, 28, 0);
    expect_images_refused(path, "out of range");
    write_label_file(path, 0xFFFFFFFFu, NULL, 0);
    expect_labels_refused(path, "out of range");
}

static void test_huge_header_refused_before_allocating(void)
{
    /* Sizes within the limits whose product is 1.6 petabytes: had the reader allocated
     * before comparing with the file's length, it would report "out of memory" (or worse). */
    const char *path = scratch_path("huge");
    write_image_file(path, IDX_MAGIC_IMAGES, IDX_MAX_COUNT, IDX_MAX_SIDE, IDX_MAX_SIDE, 100);
    expect_images_refused(path, "truncated");
}

static void test_empty_file(void)
{
    const char *path = scratch_path("empty");
    write_bytes(path, (const unsigned char *)"", 0);
    expect_images_refused(path, "empty");
}

static void test_header_truncated(void)
{
    const char *path = scratch_path("short-header");
    static const unsigned char ten_bytes[10] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0};
    write_bytes(path, ten_bytes, sizeof ten_bytes);
    expect_images_refused(path, "header truncated");
    static const unsigned char three_bytes[3] = {0, 0, 8};
    write_bytes(path, three_bytes, sizeof three_bytes);
    expect_labels_refused(path, "too short");
}

static void test_body_truncated(void)
{
    const char *path = scratch_path("short-body");
    write_image_file(path, IDX_MAGIC_IMAGES, 3, 28, 28, 3 * 784 - 1);
    expect_images_refused(path, "truncated: expected 2368 bytes, found 2367");
}

static void test_extra_bytes(void)
{
    const char *path = scratch_path("long-body");
    write_image_file(path, IDX_MAGIC_IMAGES, 3, 28, 28, 3 * 784 + 5);
    expect_images_refused(path, "has 5 extra bytes");
    static const unsigned char labels[4] = {1, 2, 3, 4};
    write_label_file(path, 3, labels, sizeof labels);
    expect_labels_refused(path, "extra bytes");
}

static void test_directory_is_refused(void)
{
    expect_images_refused(test_scratch_dir(), "not a regular file");
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Whether the scratch directory holds an entry named `name`. */
static bool scratch_holds(const char *name)
{
    struct stat info;
    return stat(scratch_path(name), &info) == 0;
}

/* Whether any OutFile temporary ("name.tmp.PID") was left in the scratch directory. */
static bool scratch_holds_temporary_files(void)
{
    bool found = false;
    DIR *listing = opendir(test_scratch_dir());
    if (!CHECK(listing != NULL))
        return false;
    for (struct dirent *entry; (entry = readdir(listing)) != NULL;) {
        if (strstr(entry->d_name, ".tmp.") != NULL) {
            check_note("left behind: %s", entry->d_name);
            found = true;
        }
    }
    closedir(listing);
    return found;
}

static void test_write_to_missing_directory_fails_cleanly(void)
{
    unsigned char pixels[4] = {0};
    IdxImages images = {.count = 1, .rows = 2, .cols = 2, .pixels = pixels};
    Error err = {{0}};
    const char *path = scratch_path("no-such-directory/images");
    CHECK(!idx_write_images(path, &images, &err));
    CHECK_CONTAINS(err.message, "cannot write");
    CHECK(!scratch_holds("no-such-directory"));
    CHECK(!scratch_holds_temporary_files());
}

static void test_failed_write_leaves_no_temporary_file(void)
{
    /* The target is a directory: the bytes reach the temporary file, then the rename
     * fails; the temporary file must be gone and the directory untouched. */
    const char *path = scratch_path("target");
    CHECK(mkdir(path, 0700) == 0 || errno == EEXIST); /* EEXIST: a second run under --no-fork */
    unsigned char values[3] = {1, 2, 3};
    IdxLabels labels = {.count = 3, .labels = values};
    Error err = {{0}};
    CHECK(!idx_write_labels(path, &labels, &err));
    CHECK_CONTAINS(err.message, path);
    CHECK(!scratch_holds_temporary_files());
    struct stat info;
    CHECK(stat(path, &info) == 0 && S_ISDIR(info.st_mode));
}

static void test_write_refuses_empty_images(void)
{
    IdxImages images = {.count = 0, .rows = 28, .cols = 28, .pixels = NULL};
    Error err = {{0}};
    CHECK(!idx_write_images(scratch_path("none"), &images, &err));
    CHECK_CONTAINS(err.message, "0 images");
    CHECK(!scratch_holds("none"));
    CHECK(!scratch_holds_temporary_files());
}

/* ---- data sets ---------------------------------------------------------------------------- */

static void test_dataset_loads_and_scales(void)
{
    write_tiny_dataset(test_scratch_dir(), 3, 9);
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 0, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(3, data.count);
    CHECK_LONG(2, data.rows);
    CHECK_LONG(3, data.cols);
    CHECK_LONG(6, data.dim);
    CHECK_NEAR(0.0, data.images[0], 0.0);
    CHECK_NEAR(0.2, data.images[1], 1e-15);  /* 51 / 255 */
    CHECK_NEAR(1.0, data.images[5], 0.0);    /* 255 / 255 */
    CHECK_NEAR(64.0 / 255.0, data.images[17], 0.0);
    CHECK_LONG(7, data.labels[0]);
    CHECK_LONG(9, data.labels[2]);
    dataset_free(&data);
    CHECK(data.images == NULL && data.labels == NULL && data.count == 0);
}

static void test_dataset_limit(void)
{
    write_tiny_dataset(test_scratch_dir(), 3, 9);
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 2, &err)))
        return;
    CHECK_LONG(2, data.count);
    CHECK_LONG(0, data.labels[1]);
    dataset_free(&data);
    if (!CHECK(dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 1000, &err)))
        return;
    CHECK_LONG(3, data.count); /* a limit above the size loads everything */
    dataset_free(&data);
}

static void test_dataset_gather(void)
{
    write_tiny_dataset(test_scratch_dir(), 3, 9);
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 0, &err)))
        return;
    const size_t indices[2] = {2, 0};
    double batch[2 * 6];
    unsigned char labels[2];
    dataset_gather(batch, labels, &data, indices, 2);
    CHECK(memcmp(batch, data.images + 2 * 6, 6 * sizeof(double)) == 0);
    CHECK(memcmp(batch + 6, data.images, 6 * sizeof(double)) == 0);
    CHECK_LONG(9, labels[0]);
    CHECK_LONG(7, labels[1]);
    dataset_gather(batch, NULL, &data, indices + 1, 1); /* labels are optional */
    CHECK(memcmp(batch, data.images, 6 * sizeof(double)) == 0);
    dataset_free(&data);
}

static void test_dataset_label_count_mismatch(void)
{
    write_tiny_dataset(test_scratch_dir(), 2, 9); /* 2 labels for 3 images */
    Dataset data;
    Error err = {{0}};
    CHECK(!dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 0, &err));
    CHECK(data.images == NULL && data.labels == NULL);
    CHECK_CONTAINS(err.message, "2 labels");
    CHECK_CONTAINS(err.message, "3 images");
    CHECK_CONTAINS(err.message, "train-labels-idx1-ubyte");
    CHECK_CONTAINS(err.message, "train-images-idx3-ubyte");
}

static void test_dataset_label_above_nine(void)
{
    write_tiny_dataset(test_scratch_dir(), 3, 12);
    Dataset data;
    Error err = {{0}};
    CHECK(!dataset_load(&data, test_scratch_dir(), DATASET_TRAIN, 0, &err));
    CHECK_CONTAINS(err.message, "label 12 at position 2");
    CHECK_CONTAINS(err.message, "0..9");
}

static void test_dataset_missing_directory(void)
{
    Dataset data;
    Error err = {{0}};
    CHECK(!dataset_load(&data, scratch_path("no-such-directory"), DATASET_TEST, 0, &err));
    CHECK_CONTAINS(err.message, "t10k-images-idx3-ubyte");
    CHECK_CONTAINS(err.message, "MNIST_DIR");
    CHECK_CONTAINS(err.message, "test set");
}

static void test_dataset_gzipped_files_are_pointed_out(void)
{
    /* How MNIST is downloaded and how Debian's dataset-fashion-mnist ships it. */
    static const unsigned char gzip_start[4] = {0x1f, 0x8b, 0x08, 0x00};
    write_bytes(scratch_path("t10k-images-idx3-ubyte.gz"), gzip_start, sizeof gzip_start);
    Dataset data;
    Error err = {{0}};
    CHECK(!dataset_load(&data, test_scratch_dir(), DATASET_TEST, 0, &err));
    CHECK_CONTAINS(err.message, "t10k-images-idx3-ubyte.gz");
    CHECK_CONTAINS(err.message, "gunzip -k");
}

static void test_dataset_default_directory(void)
{
    /* Each test runs in its own process, so changing the environment here is harmless. */
    unsetenv("MNIST_DIR");
    CHECK_CONTAINS(dataset_default_directory("/from/flag"), "/from/flag");
    CHECK(strlen(dataset_default_directory(NULL)) > 0); /* the shipped data */
    setenv("MNIST_DIR", "/from/environment", 1);
    CHECK_CONTAINS(dataset_default_directory(NULL), "/from/environment");
    CHECK_CONTAINS(dataset_default_directory("/from/flag"), "/from/flag"); /* the flag wins */
    setenv("MNIST_DIR", "", 1);
    CHECK(strcmp(dataset_default_directory(NULL), "/from/environment") != 0);
}

static const TestCase tests[] = {
    {"images: write then read gives the same bytes", NULL, test_images_round_trip},
    {"images: the file has the standard IDX layout", NULL, test_images_file_layout},
    {"labels: write then read gives the same bytes", NULL, test_labels_round_trip},
    {"refuses a missing file", NULL, test_missing_file},
    {"refuses a gzip file and says to gunzip it", NULL, test_gzip_file},
    {"refuses a file with the wrong magic", NULL, test_wrong_magic},
    {"refuses IDX files of floats", NULL, test_idx_of_floats_is_refused},
    {"refuses an image file read as labels", NULL, test_image_file_given_as_labels},
    {"refuses a label file read as images", NULL, test_label_file_given_as_images},
    {"refuses zero dimensions", NULL, test_zero_dimensions},
    {"refuses absurd dimensions", NULL, test_absurd_dimensions},
    {"refuses a huge header before allocating", NULL, test_huge_header_refused_before_allocating},
    {"refuses an empty file", NULL, test_empty_file},
    {"refuses a truncated header", NULL, test_header_truncated},
    {"refuses a truncated body", NULL, test_body_truncated},
    {"refuses extra bytes", NULL, test_extra_bytes},
    {"refuses a directory", NULL, test_directory_is_refused},
    {"writing into a missing directory fails cleanly", NULL, test_write_to_missing_directory_fails_cleanly},
    {"a failed write leaves no temporary file", NULL, test_failed_write_leaves_no_temporary_file},
    {"writing refuses zero images", NULL, test_write_refuses_empty_images},
    {"dataset: loads and scales pixels to [0, 1]", NULL, test_dataset_loads_and_scales},
    {"dataset: limit loads the first images", NULL, test_dataset_limit},
    {"dataset: gather copies a mini-batch", NULL, test_dataset_gather},
    {"dataset: refuses label and image counts that differ", NULL, test_dataset_label_count_mismatch},
    {"dataset: refuses a label above 9", NULL, test_dataset_label_above_nine},
    {"dataset: a missing directory says how to point at one", NULL, test_dataset_missing_directory},
    {"dataset: points out gzipped files", NULL, test_dataset_gzipped_files_are_pointed_out},
    {"dataset: --data, then MNIST_DIR, then the shipped data", NULL, test_dataset_default_directory},
};

int main(int argc, char **argv) { return RUN_SUITE("lib/idx", tests, argc, argv); }
