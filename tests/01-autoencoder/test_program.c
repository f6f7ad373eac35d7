/* tests/01-autoencoder/test_program.c — ae_mnist on bad input, and its seed.
 *
 * Every bad flag or data file must give one line `ae_mnist: error: ...` naming the
 * problem, a non-zero exit status, and no output file. The program is the one built with
 * the same IMPL as this suite; the bad-input cases all fail before any training starts.
 * A short training run must be reproducible: the same --seed gives the same log, byte for
 * byte, and another seed another log.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

/* ae_mnist with `arguments` must fail as every program fails on bad input (harness.h). */
static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("ae_mnist", arguments, expected);
}

/* A data folder with a truncated image file and the right label file. */
static void write_truncated_data(char *dir, size_t size)
{
    snprintf(dir, size, "%s/bad-data", test_scratch_dir());
    mkdir(dir, 0700);
    const char *names[2] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte" };
    const unsigned char images_header[16] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28 };
    const unsigned char labels[10] = { 0, 0, 8, 1, 0, 0, 0, 2, 3, 4 };
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, names[0]);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(images_header, 1, sizeof images_header, f); /* promises 2 images, holds none */
        fclose(f);
    }
    snprintf(path, sizeof path, "%s/%s", dir, names[1]);
    f = fopen(path, "wb");
    if (f) {
        fwrite(labels, 1, sizeof labels, f);
        fclose(f);
    }
}

static void test_negative_epochs(void) { check_refused("--epochs -1", "--epochs"); }
static void test_zero_code_size(void) { check_refused("--d 0", "--d"); }
static void test_unknown_option(void) { check_refused("--depth 3", "--depth"); }
static void test_not_a_number(void) { check_refused("--lr fast", "--lr"); }
static void test_missing_data(void) { check_refused("--data /nonexistent/mnist", "/nonexistent/mnist"); }

/* Every kind of bad input the harness knows; the interpolation figure's 12 test digits. */
static void test_every_kind_of_bad_input(void)
{
    CHECK(check_program_refuses_bad_input("ae_mnist", true) >= 40);
    check_refused("--test 11", "the interpolation figure needs at least 12 test digits, got 11");
}

/* One image of 4096 x 4096 is within the IDX reader's limits, but a model on it would
 * need tens of gigabytes: refused with a message, not by running out of memory. */
static void test_huge_images(void)
{
    char dir[1024], path[1200], arguments[1200];
    snprintf(dir, sizeof dir, "%s/huge", test_scratch_dir());
    mkdir(dir, 0700);
    const char *names[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte" };
    const unsigned char images_header[16] = { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 0x10, 0 };
    const unsigned char labels[9] = { 0, 0, 8, 1, 0, 0, 0, 1, 7 };
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "wb");
        if (!CHECK(f != NULL))
            return;
        if (k % 2 == 0) {
            fwrite(images_header, 1, sizeof images_header, f);
            fseek(f, 4096L * 4096 - 1, SEEK_CUR); /* a sparse file of 16 MiB of zeros */
            fputc(0, f);
        } else {
            fwrite(labels, 1, sizeof labels, f);
        }
        fclose(f);
    }
    snprintf(arguments, sizeof arguments, "--data %s", dir);
    check_refused(arguments, "images of 4096 x 4096 pixels are too large");
}

/* A run that fails after its training leaves no file: when stdout is a full disk (found
 * at the end, after every figure was written), and at a file-size limit (no *.tmp file
 * stays either). */
static void test_failed_run_leaves_nothing(void)
{
    const char *small = "--epochs 1 --train 64 --test 64 --hidden 8 --d 2";
    char program[1024], out_dir[1100], command[4096], output[4096];
    check_program_refuses("ae_mnist", "--epochs 1 --train 64 --test 64 --hidden 8 --d 2 >/dev/full",
                          "cannot write to standard output");
    if (!CHECK(test_program_path(program, sizeof program, "ae_mnist")))
        return;
    snprintf(out_dir, sizeof out_dir, "%s/limited", test_scratch_dir());
    snprintf(command, sizeof command, "ulimit -f 8 && %s --out %s %s --quiet", program, out_dir, small);
    CHECK_LONG(1, test_run_command(command, output, sizeof output));
    CHECK_CONTAINS(output, "File too large");
    snprintf(command, sizeof command, "ls -A %s 2>/dev/null | wc -l", out_dir);
    test_run_command(command, output, sizeof output);
    CHECK_CONTAINS(output, "0\n");
}

static void test_truncated_data(void)
{
    char dir[1024], arguments[1200];
    write_truncated_data(dir, sizeof dir);
    snprintf(arguments, sizeof arguments, "--data %s", dir);
    check_refused(arguments, "truncated");
}

/* A short ae_mnist run with `seed`; its log.csv (epoch, train and test loss) into `log`. */
static bool short_run_log(size_t seed, const char *name, char *log, size_t size)
{
    char program[1024], out_dir[1100], command[4096], output[4096], path[1200];
    if (!test_program_path(program, sizeof program, "ae_mnist"))
        return false;
    snprintf(out_dir, sizeof out_dir, "%s/%s", test_scratch_dir(), name);
    snprintf(command, sizeof command, "%s --epochs 2 --train 256 --test 128 --hidden 16 --d 4 --quiet --seed %zu --out %s",
             program, seed, out_dir);
    if (test_run_command(command, output, sizeof output) != 0) {
        check_note("%s failed: %s", command, output);
        return false;
    }
    snprintf(path, sizeof path, "%s/log.csv", out_dir);
    FILE *file = fopen(path, "rb");
    if (!file)
        return false;
    size_t used = fread(log, 1, size - 1, file);
    log[used] = '\0';
    fclose(file);
    return used > 0;
}

static void test_same_seed_same_run(void)
{
    char first[4096], again[4096], other[4096];
    if (!CHECK(short_run_log(7, "first", first, sizeof first)) || !CHECK(short_run_log(7, "again", again, sizeof again))
        || !CHECK(short_run_log(8, "other", other, sizeof other)))
        return;
    CHECK(strcmp(first, again) == 0);
    CHECK(strcmp(first, other) != 0);
    check_note("seed 7:\n%s\nseed 7 again:\n%s\nseed 8:\n%s", first, again, other);
}

static const TestCase tests[] = {
    { "ae_mnist --epochs -1 is refused", NULL, test_negative_epochs },
    { "ae_mnist --d 0 is refused", NULL, test_zero_code_size },
    { "ae_mnist with an unknown option is refused", NULL, test_unknown_option },
    { "ae_mnist --lr with a word is refused", NULL, test_not_a_number },
    { "ae_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "ae_mnist with a truncated IDX file is refused", NULL, test_truncated_data },
    { "ae_mnist refuses every kind of bad input, --test 11 too", NULL, test_every_kind_of_bad_input },
    { "ae_mnist: a run that fails at its end leaves no file", NULL, test_failed_run_leaves_nothing },
    { "ae_mnist refuses a data set of 1 image of 4096 x 4096", NULL, test_huge_images },
    { "ae_mnist: the same seed gives the same run, another seed another", NULL, test_same_seed_same_run },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("01-autoencoder program", tests, argc, argv);
}
