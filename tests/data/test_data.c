/* tests/data/test_data.c — the digits shipped in data/ are the ones data/README.md describes.
 *
 * The SHA-256 sums and class counts below are written twice on purpose, here and in
 * data/README.md: if a file in data/ is corrupted or replaced, this suite fails, and
 * whoever regenerates the data with data/tools/make-mnist-subset.js must update both.
 */
#include <stdio.h>
#include <string.h>

#include "dataset.h"
#include "harness.h"
#include "idx.h"
#include "outfile.h"
#include "sha256.h"

#ifndef VAELAB_DATA_DIR
#define VAELAB_DATA_DIR "data"
#endif

enum { TRAIN_COUNT = 8000, TEST_COUNT = 2000, SIDE = 28 };

/* The sums sha256sum printed for the files in data/ when they were made (see data/README.md). */
static const struct {
    const char *name;
    const char *sha256;
} shipped_files[] = {
    {"train-images-idx3-ubyte", "db7f9c9090cb37557598b5b7ab850878191b4c35d7d768ca31e7142fdcdb6cd1"},
    {"train-labels-idx1-ubyte", "0dbebdd8212664ad199d3b600bf88c2ea8d56c5245115c2d34096dd85e5509eb"},
    {"t10k-images-idx3-ubyte", "5f689fa10b4aba86c75c8465779f99b44be0c36de802c0d8c1adc335603201cb"},
    {"t10k-labels-idx1-ubyte", "8da0a240c2ea9530200cd83baae07c1284caebae988d3e15b11154cb67578da1"},
};

/* Digits of each class in each split: the table in data/README.md. */
static const long train_class_counts[DATASET_CLASSES] = {801, 902, 793, 826, 784, 690, 811, 856, 755, 782};
static const long test_class_counts[DATASET_CLASSES] = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};

static void data_path(char *buffer, size_t size, const char *name)
{
    Error err;
    if (!join_path(buffer, size, VAELAB_DATA_DIR, name, &err))
        CHECK_FAIL("%s", err.message);
}

/* ---- the SHA-256 implementation, against the known answers of FIPS 180-4's examples -- */

static void test_sha256_known_answers(void)
{
    char hex[SHA256_HEX_LENGTH + 1];
    sha256_hex_of_bytes("abc", 3, hex);
    CHECK_CONTAINS(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha256_hex_of_bytes("", 0, hex);
    CHECK_CONTAINS(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 448 bits */
    sha256_hex_of_bytes(two_blocks, strlen(two_blocks), hex);
    CHECK_CONTAINS(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_million_a_in_pieces(void)
{
    /* One million 'a', fed in uneven pieces so that blocks straddle the updates. */
    static char chunk[999];
    memset(chunk, 'a', sizeof chunk);
    Sha256 hash;
    sha256_init(&hash);
    size_t left = 1000000;
    while (left > 0) {
        size_t piece = left < sizeof chunk ? left : sizeof chunk;
        sha256_update(&hash, chunk, piece);
        left -= piece;
    }
    unsigned char digest[SHA256_DIGEST_BYTES];
    sha256_final(&hash, digest);
    static const unsigned char expected[4] = {0xcd, 0xc7, 0x6e, 0x5c}; /* cdc76e5c...c7112cd0 */
    static const unsigned char expected_tail[4] = {0xc7, 0x11, 0x2c, 0xd0};
    CHECK(memcmp(digest, expected, 4) == 0);
    CHECK(memcmp(digest + 28, expected_tail, 4) == 0);
}

/* ---- the shipped files ---------------------------------------------------------------- */

static void test_shipped_files_match_their_sha256(void)
{
    for (size_t i = 0; i < sizeof shipped_files / sizeof shipped_files[0]; i++) {
        char path[1024], hex[SHA256_HEX_LENGTH + 1];
        Error err = {{0}};
        data_path(path, sizeof path, shipped_files[i].name);
        if (!CHECK(sha256_hex_of_file(path, hex, &err))) {
            check_note("%s", err.message);
            continue;
        }
        if (!CHECK(strcmp(hex, shipped_files[i].sha256) == 0))
            check_note("%s: SHA-256 %s, data/README.md says %s", path, hex, shipped_files[i].sha256);
    }
}

static void check_magic_of(const char *name, const unsigned char expected[4])
{
    char path[1024];
    unsigned char magic[4] = {0};
    data_path(path, sizeof path, name);
    FILE *file = fopen(path, "rb");
    if (!CHECK(file != NULL))
        return;
    CHECK_LONG(4, fread(magic, 1, 4, file));
    fclose(file);
    if (!CHECK(memcmp(magic, expected, 4) == 0))
        check_note("%s starts %02x %02x %02x %02x", path, magic[0], magic[1], magic[2], magic[3]);
}

static void test_shipped_files_have_idx_magic(void)
{
    static const unsigned char images[4] = {0x00, 0x00, 0x08, 0x03};
    static const unsigned char labels[4] = {0x00, 0x00, 0x08, 0x01};
    check_magic_of("train-images-idx3-ubyte", images);
    check_magic_of("t10k-images-idx3-ubyte", images);
    check_magic_of("train-labels-idx1-ubyte", labels);
    check_magic_of("t10k-labels-idx1-ubyte", labels);
}

static void check_images_file(const char *name, long expected_count)
{
    char path[1024];
    Error err = {{0}};
    IdxImages images;
    data_path(path, sizeof path, name);
    if (!CHECK(idx_read_images(path, &images, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(expected_count, images.count);
    CHECK_LONG(SIDE, images.rows);
    CHECK_LONG(SIDE, images.cols);
    idx_free_images(&images);
}

static void test_shipped_images_are_8000_and_2000_of_28x28(void)
{
    check_images_file("train-images-idx3-ubyte", TRAIN_COUNT);
    check_images_file("t10k-images-idx3-ubyte", TEST_COUNT);
}

/* Class counts equal the README's table, and each class is 8% to 12% of its split. */
static void check_class_balance(DatasetSplit split, long expected_count, const long *expected_per_class)
{
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, VAELAB_DATA_DIR, split, 0, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(expected_count, data.count);
    long per_class[DATASET_CLASSES] = {0};
    for (size_t n = 0; n < data.count; n++)
        per_class[data.labels[n]]++; /* dataset_load checked labels are 0..9 */
    for (int c = 0; c < DATASET_CLASSES; c++) {
        double share = (double)per_class[c] / (double)data.count;
        bool count_as_recorded = CHECK_LONG(expected_per_class[c], per_class[c]);
        bool share_balanced = CHECK(share >= 0.08 && share <= 0.12);
        if (!count_as_recorded || !share_balanced)
            check_note("%s set, digit %d: %ld images, %.1f%%", dataset_split_name(split), c,
                       per_class[c], 100.0 * share);
    }
    dataset_free(&data);
}

static void test_training_split_class_counts(void)
{
    check_class_balance(DATASET_TRAIN, TRAIN_COUNT, train_class_counts);
}

static void test_test_split_class_counts(void)
{
    check_class_balance(DATASET_TEST, TEST_COUNT, test_class_counts);
}

/* The shuffle mixed the classes: no long run of one digit (the source was sorted by class). */
static void test_splits_are_shuffled(void)
{
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, VAELAB_DATA_DIR, DATASET_TRAIN, 0, &err))) {
        check_note("%s", err.message);
        return;
    }
    size_t longest_run = 1, run = 1;
    for (size_t n = 1; n < data.count; n++) {
        run = data.labels[n] == data.labels[n - 1] ? run + 1 : 1;
        longest_run = run > longest_run ? run : longest_run;
    }
    /* For 8,000 draws with p ~ 0.1 the longest run is about 4; sorted data would give 900. */
    CHECK_BELOW((double)longest_run, 10.0);
    dataset_free(&data);
}

static void test_shipped_pixels_load_into_unit_interval(void)
{
    Dataset data;
    Error err = {{0}};
    if (!CHECK(dataset_load(&data, VAELAB_DATA_DIR, DATASET_TEST, 0, &err))) {
        check_note("%s", err.message);
        return;
    }
    CHECK_LONG(SIDE * SIDE, data.dim);
    double smallest = 1.0, largest = 0.0, total = 0.0;
    for (size_t i = 0; i < data.count * data.dim; i++) {
        smallest = data.images[i] < smallest ? data.images[i] : smallest;
        largest = data.images[i] > largest ? data.images[i] : largest;
        total += data.images[i];
    }
    CHECK_NEAR(0.0, smallest, 0.0);
    CHECK_NEAR(1.0, largest, 0.0);
    /* MNIST's mean grey level is about 0.13: mostly background, some ink. */
    double mean = total / (double)(data.count * data.dim);
    CHECK(mean > 0.08 && mean < 0.18);
    dataset_free(&data);
}

static const TestCase tests[] = {
    {"SHA-256 known answers (FIPS 180-4: abc, empty, two blocks)", NULL, test_sha256_known_answers},
    {"SHA-256 of a million 'a' fed in pieces", NULL, test_sha256_million_a_in_pieces},
    {"data/ files match the SHA-256 sums in data/README.md", NULL, test_shipped_files_match_their_sha256},
    {"data/ files carry the IDX magic numbers", NULL, test_shipped_files_have_idx_magic},
    {"data/ holds 8000 training and 2000 test images of 28x28", NULL, test_shipped_images_are_8000_and_2000_of_28x28},
    {"training split: class counts as in data/README.md, each 8-12%", NULL, test_training_split_class_counts},
    {"test split: class counts as in data/README.md, each 8-12%", NULL, test_test_split_class_counts},
    {"training split is shuffled (classes mixed)", NULL, test_splits_are_shuffled},
    {"shipped pixels load into [0, 1]", NULL, test_shipped_pixels_load_into_unit_interval},
};

int main(int argc, char **argv) { return RUN_SUITE("data", tests, argc, argv); }
