/* tests/01-autoencoder/test_program.c — ae_mnist on bad input.
 *
 * Every bad flag or data file must give one line `ae_mnist: error: ...` naming the
 * problem, a non-zero exit status, and no output file. The program is the one built with
 * the same IMPL as this suite; the cases all fail before any training starts.
 */
#include <stdio.h>
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

static void test_truncated_data(void)
{
    char dir[1024], arguments[1200];
    write_truncated_data(dir, sizeof dir);
    snprintf(arguments, sizeof arguments, "--data %s", dir);
    check_refused(arguments, "truncated");
}

static const TestCase tests[] = {
    { "ae_mnist --epochs -1 is refused", NULL, test_negative_epochs },
    { "ae_mnist --d 0 is refused", NULL, test_zero_code_size },
    { "ae_mnist with an unknown option is refused", NULL, test_unknown_option },
    { "ae_mnist --lr with a word is refused", NULL, test_not_a_number },
    { "ae_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "ae_mnist with a truncated IDX file is refused", NULL, test_truncated_data },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("01-autoencoder program", tests, argc, argv);
}
