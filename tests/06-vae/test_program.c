/* tests/06-vae/test_program.c — vae_mnist on bad input, its checkpoints, and its seed.
 *
 * Every bad flag, data file or checkpoint must give one line `vae_mnist: error: ...` naming
 * the problem, a non-zero exit status, and no output file (harness.h,
 * check_program_refuses). A short run saved with --save and drawn again with --load must
 * draw the same reconstructions; the same --seed must give the same run, byte for byte.
 * The tests that train are graded with the training step (6.8): on its stub the loss is
 * NaN and there is no model to save.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void check_refused(const char *arguments, const char *expected)
{
    check_program_refuses("vae_mnist", arguments, expected);
}

/* A tiny run: small sets, a small network, one epoch, two k. d = 3, not 2, so that no
 * manifold is drawn: these tests are graded with the training step (6.8) and must not
 * stop on exercise 6.11 (the program tolerates the other exercises' stubs: a NaN log p(x)
 * is printed, not fatal). */
#define SHAPE "--hidden 16 --d 3"
#define SHORT_RUN "--epochs 1 --train 200 --test 100 " SHAPE " --batch 50 --k 1,10 --iw-test 20 --quiet"

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

/* Run vae_mnist with `arguments` and --out scratch/name; its output into `output`.
 * The run trains, so it runs exercise code: `ulimit -t` caps its CPU time (a short run
 * needs well under a second), because the harness's time limit stops this test but not
 * the program it started, and a student's endless loop would otherwise outlive the test. */
static bool run_program(const char *arguments, const char *name, char *output, size_t size)
{
    char program[1024], command[4096];
    if (!test_program_path(program, sizeof program, "vae_mnist"))
        return false;
    snprintf(command, sizeof command, "ulimit -t 10; exec %s %s --out %s/%s", program, arguments, test_scratch_dir(),
             name);
    if (test_run_command(command, output, size) != 0) {
        check_note("%s failed: %s", command, output);
        return false;
    }
    return true;
}

/* The bytes of scratch/name/file (up to size); their count, 0 if unreadable. */
static size_t read_bytes(const char *name, const char *file, char *bytes, size_t size)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s/%s", test_scratch_dir(), name, file);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t used = fread(bytes, 1, size, f);
    fclose(f);
    return used;
}

/* The text of scratch/name/file, NUL-terminated; false if empty or unreadable. */
static bool read_text(const char *name, const char *file, char *text, size_t size)
{
    size_t used = read_bytes(name, file, text, size - 1);
    text[used] = '\0';
    return used > 0;
}

/* A checkpoint written by --save is read by --load: the same parameters draw the same
 * reconstructions E[x | z = mu(x)] (no noise in them), byte for byte. A checkpoint of
 * another shape is refused. */
static void test_save_then_load(void)
{
    static char output[4096], saved[1 << 20], loaded[1 << 20];
    char arguments[2048];
    snprintf(arguments, sizeof arguments, SHORT_RUN " --seed 3 --save %s/vae.ckpt", test_scratch_dir());
    if (!CHECK(run_program(arguments, "trained", output, sizeof output)))
        return;
    snprintf(arguments, sizeof arguments, "--test 100 " SHAPE " --k 1 --iw-test 20 --quiet --seed 4 --load %s/vae.ckpt",
             test_scratch_dir());
    if (!CHECK(run_program(arguments, "loaded", output, sizeof output)))
        return;
    size_t saved_size = read_bytes("trained", "reconstructions.pgm", saved, sizeof saved);
    size_t loaded_size = read_bytes("loaded", "reconstructions.pgm", loaded, sizeof loaded);
    CHECK(saved_size > 1000);
    CHECK_LONG(saved_size, loaded_size);
    CHECK(saved_size == loaded_size && memcmp(saved, loaded, saved_size) == 0);
    char with_other_shape[1200];
    snprintf(with_other_shape, sizeof with_other_shape, "--hidden 17 --d 3 --load %s/vae.ckpt", test_scratch_dir());
    check_refused(with_other_shape, "vae.ckpt");
}

/* A checkpoint cut short is one clear error. */
static void test_truncated_checkpoint(void)
{
    char arguments[2048], output[4096], path[1200];
    snprintf(arguments, sizeof arguments, SHORT_RUN " --save %s/cut.ckpt", test_scratch_dir());
    if (!CHECK(run_program(arguments, "trained", output, sizeof output)))
        return;
    snprintf(path, sizeof path, "%s/cut.ckpt", test_scratch_dir());
    CHECK(truncate(path, 1000) == 0);
    snprintf(arguments, sizeof arguments, SHAPE " --load %s", path);
    check_refused(arguments, "truncated");
}

static void test_same_seed_same_run(void)
{
    char output[4096], first[4096], again[4096], other[4096];
    if (!CHECK(run_program(SHORT_RUN " --seed 7", "first", output, sizeof output))
        || !CHECK(run_program(SHORT_RUN " --seed 7", "again", output, sizeof output))
        || !CHECK(run_program(SHORT_RUN " --seed 8", "other", output, sizeof output)))
        return;
    CHECK(read_text("first", "log.csv", first, sizeof first));
    CHECK(read_text("again", "log.csv", again, sizeof again));
    CHECK(read_text("other", "log.csv", other, sizeof other));
    CHECK(strcmp(first, again) == 0);
    CHECK(strcmp(first, other) != 0);
    check_note("seed 7:\n%s\nseed 7 again:\n%s\nseed 8:\n%s", first, again, other);
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
    { "vae_mnist --save, then --load draws the same reconstructions; another shape is refused", "6.8",
      test_save_then_load },
    { "vae_mnist --load of a truncated checkpoint is refused", "6.8", test_truncated_checkpoint },
    { "vae_mnist: the same seed gives the same run, another seed another", "6.8", test_same_seed_same_run },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae program", tests, argc, argv);
}
