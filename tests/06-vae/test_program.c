/* tests/06-vae/test_program.c — vae_mnist on bad input, and on checkpoints.
 *
 * Every bad flag, data file or checkpoint must give one line `vae_mnist: error: ...` naming
 * the problem, a non-zero exit status, and no output file (harness.h,
 * check_program_refuses). A checkpoint written by vae_save (the test makes one) is drawn
 * by --load.
 *
 * None of these tests is graded, so none may depend on an exercise: the program is linked
 * with the earlier chapters too, and a chapter that does not compile must cost only its
 * own points. So nothing here trains (training is exercise 6.8; its determinism and the
 * checkpoints' round trip are tested in test_vae.c), and --load draws its figures even
 * from stubs (zeros, and a NaN log p(x) that is printed, not fatal).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vae.h"

#include "harness.h"

static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("vae_mnist", arguments, expected);
}

static void test_zero_latent_dimension(void) { check_refused("--d 0", "--d"); }
static void test_zero_k(void) { check_refused("--k 0,10", "--k"); }
static void test_absurd_k(void) { check_refused("--k 1,10000000", "--k"); }
static void test_decreasing_k(void) { check_refused("--k 100,10", "--k"); }
static void test_unknown_decoder(void) { check_refused("--decoder poisson", "poisson"); }
static void test_floor_out_of_range(void) { check_refused("--decoder gaussian --floor -1000", "--floor"); }
static void test_negative_epochs(void) { check_refused("--epochs -1", "--epochs"); }
static void test_missing_checkpoint(void) { check_refused("--load /nonexistent/vae.ckpt", "/nonexistent/vae.ckpt"); }
static void test_save_and_load(void) { check_refused("--load a.ckpt --save b.ckpt", "--save and --load"); }
static void test_missing_data(void) { check_refused("--data /nonexistent/mnist", "/nonexistent/mnist"); }

/* A checkpoint of a small VAE at scratch/name: 784-16-3, Bernoulli, ReLU, as vae_mnist
 * builds it with SHAPE. */
#define SHAPE "--hidden 16 --d 3"

static bool write_checkpoint(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", test_scratch_dir(), name);
    Vae vae;
    Rng rng;
    Error err;
    rng_seed(&rng, 1);
    VaeShape shape = { 784, 16, 3, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, VAE_GAUSSIAN_LOG_VARIANCE_FLOOR };
    bool ok = vae_init(&vae, shape, 8, &rng, &err) && vae_save(&vae, path, &err);
    if (!ok)
        check_note("%s", err.message);
    vae_free(&vae);
    return ok;
}

/* --load draws every figure but the learning curves, and says where. */
static void test_load_draws_the_figures(void)
{
    char program[1024], path[1024], command[4096], output[8192];
    if (!CHECK(test_program_path(program, sizeof program, "vae_mnist")) || !CHECK(write_checkpoint(path, sizeof path, "vae.ckpt")))
        return;
    snprintf(command, sizeof command, "%s --load %s " SHAPE " --test 100 --k 1,10 --iw-test 20 --out %s/loaded", program,
             path, test_scratch_dir());
    CHECK_LONG(0, test_run_command(command, output, sizeof output));
    const char *drawn[] = { "iw.csv", "samples.pgm", "latent.svg", "reconstructions.pgm", "interpolation.pgm" };
    for (size_t i = 0; i < sizeof drawn / sizeof drawn[0]; i++) {
        char file[1200];
        snprintf(file, sizeof file, "%s/loaded/%s", test_scratch_dir(), drawn[i]);
        if (!CHECK(access(file, R_OK) == 0))
            check_note("missing: %s", file);
        CHECK_CONTAINS(output, drawn[i]);
    }
    snprintf(path, sizeof path, "%s/loaded/loss.svg", test_scratch_dir());
    CHECK(access(path, F_OK) != 0); /* nothing was trained */
    CHECK_CONTAINS(output, "none: parameters from");
}

/* Write a checkpoint, spoil it, and expect --load to refuse it naming `expected`. */
static void check_spoiled_checkpoint(void (*spoil)(const char *path), const char *arguments, const char *expected)
{
    char path[1024], command[1400];
    if (!CHECK(write_checkpoint(path, sizeof path, "spoiled.ckpt")))
        return;
    if (spoil)
        spoil(path);
    snprintf(command, sizeof command, "%s --load %s", arguments, path);
    check_refused(command, expected);
}

static void cut_short(const char *path) { CHECK(truncate(path, 1000) == 0); }

static void flip_a_byte(const char *path)
{
    FILE *file = fopen(path, "r+b");
    if (!CHECK(file != NULL))
        return;
    fseek(file, 5000, SEEK_SET);
    int byte = fgetc(file);
    fseek(file, 5000, SEEK_SET);
    fputc(byte ^ 0x40, file);
    fclose(file);
}

static void test_truncated_checkpoint(void) { check_spoiled_checkpoint(cut_short, SHAPE, "truncated"); }
static void test_corrupt_checkpoint(void) { check_spoiled_checkpoint(flip_a_byte, SHAPE, "checksum"); }
static void test_checkpoint_of_another_shape(void) { check_spoiled_checkpoint(NULL, "--hidden 17 --d 3", "784-16-3"); }
static void test_checkpoint_of_another_decoder(void)
{
    check_spoiled_checkpoint(NULL, SHAPE " --decoder gaussian-shared", "Bernoulli");
}

static const TestCase tests[] = {
    { "vae_mnist --d 0 is refused", NULL, test_zero_latent_dimension },
    { "vae_mnist --k 0,10 is refused", NULL, test_zero_k },
    { "vae_mnist --k 1,10000000 is refused", NULL, test_absurd_k },
    { "vae_mnist --k 100,10 is refused", NULL, test_decreasing_k },
    { "vae_mnist --decoder poisson is refused", NULL, test_unknown_decoder },
    { "vae_mnist --floor -1000 is refused", NULL, test_floor_out_of_range },
    { "vae_mnist --epochs -1 is refused", NULL, test_negative_epochs },
    { "vae_mnist --load of a missing file is refused", NULL, test_missing_checkpoint },
    { "vae_mnist --save with --load is refused", NULL, test_save_and_load },
    { "vae_mnist with a missing data folder is refused", NULL, test_missing_data },
    { "vae_mnist --load draws the figures of a saved model", NULL, test_load_draws_the_figures },
    { "vae_mnist --load of a truncated checkpoint is refused", NULL, test_truncated_checkpoint },
    { "vae_mnist --load of a corrupt checkpoint is refused", NULL, test_corrupt_checkpoint },
    { "vae_mnist --load of another shape's checkpoint is refused", NULL, test_checkpoint_of_another_shape },
    { "vae_mnist --load of another decoder's checkpoint is refused", NULL, test_checkpoint_of_another_decoder },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae program", tests, argc, argv);
}
