/* tests/02-pca/test_program.c — pca_mnist on bad input.
 *
 * Every bad flag or data set must give one line `pca_mnist: error: ...` naming the
 * problem, exit status 1, and no output file. The program is the one built with the same
 * IMPL as this suite; every case fails before the covariance is computed.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "harness.h"
#include "idx.h"

/* pca_mnist with `arguments` must fail as every program fails on bad input (harness.h). */
static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("pca_mnist", arguments, expected);
}

/* A data folder whose 36 training and 36 test digits are all the same image. */
static void write_constant_data(char *dir, size_t size)
{
    enum { COUNT = 36, SIDE = 28 };
    static unsigned char pixels[COUNT * SIDE * SIDE], labels[COUNT];
    for (size_t k = 0; k < sizeof pixels; k++)
        pixels[k] = (unsigned char)(k % (SIDE * SIDE) % 7 == 0 ? 200 : 0);
    for (size_t k = 0; k < COUNT; k++)
        labels[k] = (unsigned char)(k % 10);
    snprintf(dir, size, "%s/constant", test_scratch_dir());
    mkdir(dir, 0700);
    IdxImages images = { COUNT, SIDE, SIDE, pixels };
    IdxLabels label_file = { COUNT, labels };
    const char *names[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                             "t10k-labels-idx1-ubyte" };
    for (size_t k = 0; k < 4; k++) {
        char path[1200];
        Error err;
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        CHECK(k % 2 == 0 ? idx_write_images(path, &images, &err) : idx_write_labels(path, &label_file, &err));
    }
}

static void test_zero_code_size(void) { check_refused("--d 0", "--d: 0 is out of range [1, 784]"); }
static void test_not_a_list(void) { check_refused("--d 2,eight", "--d: 'eight' is not an integer"); }
static void test_not_increasing(void) { check_refused("--d 8,2", "increasing order"); }
static void test_above_dimension(void) { check_refused("--d 2,900", "--d: 900 is out of range [1, 784]"); }
static void test_above_samples(void) { check_refused("--train 5 --d 8", "d = 8 needs at least 9 samples"); }
static void test_unknown_option(void) { check_refused("--depth 3", "--depth"); }
static void test_missing_data(void) { check_refused("--data /nonexistent/mnist", "/nonexistent/mnist"); }

static void test_constant_data(void)
{
    char dir[1024], arguments[1200];
    write_constant_data(dir, sizeof dir);
    snprintf(arguments, sizeof arguments, "--data %s --d 2", dir);
    check_refused(arguments, "zero variance");
}

static void test_every_kind_of_bad_input(void) { CHECK(check_program_refuses_bad_input("pca_mnist", true) >= 40); }

static const TestCase tests[] = {
    { "pca_mnist refuses every kind of bad input", NULL, test_every_kind_of_bad_input },
    { "pca_mnist --d 0 is refused", NULL, test_zero_code_size },
    { "pca_mnist --d with a word is refused", NULL, test_not_a_list },
    { "pca_mnist --d 8,2 is refused", NULL, test_not_increasing },
    { "pca_mnist --d 2,900 (d > 784) is refused", NULL, test_above_dimension },
    { "pca_mnist --train 5 --d 8 (d >= N) is refused", NULL, test_above_samples },
    { "pca_mnist with an unknown option is refused", NULL, test_unknown_option },
    { "pca_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "pca_mnist on a constant data set is refused", NULL, test_constant_data },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("02-pca program", tests, argc, argv);
}
