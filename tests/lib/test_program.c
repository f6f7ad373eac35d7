/* tests/lib/test_program.c — what every chapter program shares: the common options around
 * the program's own, main's parse-run-report sequence and its exit status, the digits,
 * and the list of figures.
 *
 * load_digits reads the shipped data/ (or $MNIST_DIR).  program_main and print_figures
 * write to stdout and stderr, as a program does; the tests catch what they write by
 * pointing those descriptors at a temporary file for the call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "program.h"

/* ---- fixture: a program ----------------------------------------------------------------- */

typedef struct Settings {
    CommonSettings common;
    TrainingSettings training;
    size_t epochs;
    int runs; /* how many times run was called */
} Settings;

static Settings settings;
static bool run_fails; /* the run fails with "the run failed" */
static bool trains;    /* the program has the training options instead of its own --epochs */

static bool run(void *context, Error *err)
{
    Settings *s = context;
    s->runs++;
    return !run_fails || error_set(err, "the run failed");
}

static const Option own_options[] = {
    { "epochs", OPTION_SIZE, &settings.epochs, "passes over the training digits", 1, 1000 },
};

/* Call program_main with "fixture" and the arguments (a NULL-terminated list), fresh
 * defaults, and its stdout and stderr caught in `output`; returns the exit status. */
static int run_program(bool reads_mnist, char *output, size_t size, ...)
{
    static char storage[16][128];
    char *argv[17];
    int argc = 0;
    va_list arguments;
    va_start(arguments, size);
    for (const char *argument = "fixture"; argument && argc < 16; argument = va_arg(arguments, const char *)) {
        snprintf(storage[argc], sizeof storage[argc], "%s", argument);
        argv[argc] = storage[argc];
        argc++;
    }
    va_end(arguments);
    argv[argc] = NULL;
    settings = (Settings){ .common = { .out_dir = "build/out/fixture", .train_count = 8000, .test_count = 2000,
                                       .seed = 1 },
                           .training = { .hidden = 64, .epochs = 5, .batch_size = 32, .learning_rate = 1e-3 },
                           .epochs = 10 };
    const Program program = { .name = "fixture", .description = "a program under test", .common = &settings.common,
                              .reads_mnist = reads_mnist, .training = trains ? &settings.training : NULL,
                              .options = trains ? NULL : own_options, .option_count = trains ? 0 : 1, .run = run,
                              .settings = &settings };

    FILE *caught = tmpfile();
    output[0] = '\0';
    if (!CHECK(caught != NULL))
        return -1;
    fflush(stdout);
    fflush(stderr);
    int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
    dup2(fileno(caught), STDOUT_FILENO);
    dup2(fileno(caught), STDERR_FILENO);
    int status = program_main(&program, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, STDOUT_FILENO);
    dup2(saved_err, STDERR_FILENO);
    close(saved_out);
    close(saved_err);
    rewind(caught);
    size_t used = fread(output, 1, size - 1, caught);
    output[used] = '\0';
    fclose(caught);
    return status;
}
#define RUN_PROGRAM(reads_mnist, output, ...) \
    run_program((reads_mnist), (output), sizeof(output), __VA_ARGS__, (const char *)NULL)

/* True if the needles occur in `text` in this order (a NULL-terminated list). */
static bool in_order(const char *text, ...)
{
    va_list needles;
    va_start(needles, text);
    const char *at = text;
    for (const char *needle; at && (needle = va_arg(needles, const char *));)
        at = strstr(at, needle);
    va_end(needles);
    return at != NULL;
}

/* ---- the command line -------------------------------------------------------------------- */

static void test_common_and_own_options_parsed(void)
{
    char output[4096];
    int status = RUN_PROGRAM(true, output, "--data", "digits", "--out", "figures", "--train", "5", "--test", "6",
                             "--seed", "7", "--quiet", "--epochs", "3");
    CHECK_LONG(0, status);
    CHECK_LONG(1, settings.runs);
    CHECK_CONTAINS(settings.common.data_dir, "digits");
    CHECK_CONTAINS(settings.common.out_dir, "figures");
    CHECK_LONG(5, settings.common.train_count);
    CHECK_LONG(6, settings.common.test_count);
    CHECK_LONG(7, settings.common.seed);
    CHECK(settings.common.quiet);
    CHECK_LONG(3, settings.epochs);
    CHECK_LONG(0, strlen(output)); /* a successful run that prints nothing leaves nothing */
}

/* --data and --out, the program's own, then --train, --test, --seed, --quiet and -h. */
static void test_help_order(void)
{
    char output[4096];
    CHECK_LONG(0, RUN_PROGRAM(true, output, "--help"));
    CHECK_LONG(0, settings.runs);
    CHECK_CONTAINS(output, "usage: fixture [options]\na program under test\n");
    CHECK(in_order(output, "--data TEXT", "--out TEXT", "--epochs N", "--train N", "--test N", "--seed N",
                   "--quiet", "-h, --help", (const char *)NULL));
    CHECK_CONTAINS(output, "folder for the figures (default build/out/fixture)");
    CHECK_CONTAINS(output, "use the first N training digits (default 8000, range [1, 100000000])");
    CHECK_CONTAINS(output, "random seed: the same seed gives the same run (default 1, range [0, 4294967295])");
}

static void test_without_mnist(void)
{
    char output[4096];
    CHECK_LONG(0, RUN_PROGRAM(false, output, "--help"));
    CHECK(in_order(output, "--out TEXT", "--epochs N", "--seed N", "--quiet", (const char *)NULL));
    CHECK(strstr(output, "--data") == NULL);
    CHECK(strstr(output, "--train") == NULL);
    CHECK(strstr(output, "--test") == NULL);
    CHECK_LONG(1, RUN_PROGRAM(false, output, "--train", "5"));
    CHECK_CONTAINS(output, "fixture: error: unknown option --train");
    CHECK_LONG(0, settings.runs);
}

static void test_bad_option_is_one_error_line(void)
{
    char output[4096];
    CHECK_LONG(1, RUN_PROGRAM(true, output, "--seed", "-1"));
    CHECK_LONG(0, settings.runs);
    CHECK_CONTAINS(output, "fixture: error: --seed: -1 is out of range [0, 4294967295]");
    CHECK(strchr(output, '\n') == output + strlen(output) - 1);
}

static void test_failed_run(void)
{
    char output[4096];
    run_fails = true;
    CHECK_LONG(1, RUN_PROGRAM(true, output, "--quiet"));
    CHECK_LONG(1, settings.runs);
    CHECK_LONG(0, strcmp(output, "fixture: error: the run failed\n"));
}

/* ---- the digits -------------------------------------------------------------------------- */

static void test_load_digits(void)
{
    CommonSettings common = { .data_dir = NULL, .train_count = 10, .test_count = 5 };
    Dataset train = { 0 }, test = { 0 };
    const char *dir = NULL;
    Error err;
    if (CHECK(load_digits(&train, &test, &dir, &common, &err))) {
        CHECK_LONG(10, train.count);
        CHECK_LONG(5, test.count);
        CHECK_LONG(784, train.dim);
        CHECK_CONTAINS(dir, dataset_default_directory(NULL));
    }
    dataset_free(&train);
    dataset_free(&test);
    common.data_dir = "/nonexistent/mnist";
    CHECK(!load_digits(&train, &test, &dir, &common, &err));
    CHECK_CONTAINS(dir, "/nonexistent/mnist");
    CHECK_CONTAINS(err.message, "/nonexistent/mnist");
    dataset_free(&train);
    dataset_free(&test);
}

/* ---- the figures ------------------------------------------------------------------------- */

static const Figure figures[] = {
    { "loss.svg", "the loss per epoch" },
    { "reconstructions.pgm", "test digits and g(f(x))" },
};

static void test_print_figures_aligned(void)
{
    FILE *caught = tmpfile();
    if (!CHECK(caught != NULL))
        return;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(caught), STDOUT_FILENO);
    print_figures("out", figures, 2);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    char text[512] = { 0 };
    rewind(caught);
    size_t used = fread(text, 1, sizeof text - 1, caught);
    text[used] = '\0';
    fclose(caught);
    CHECK_CONTAINS(text, "\nfigures written:\n"
                         "  out/loss.svg             the loss per epoch\n"
                         "  out/reconstructions.pgm  test digits and g(f(x))\n");
    CHECK_LONG(strlen("\nfigures written:\n") + 2 * strlen("  out/reconstructions.pgm  ")
                   + strlen("the loss per epoch\n") + strlen("test digits and g(f(x))\n"),
               used);
}

static void test_figure_paths(void)
{
    char paths[2][FIGURE_PATH_SIZE];
    Error err;
    if (CHECK(figure_paths(paths, "build/out", figures, 2, &err))) {
        CHECK_CONTAINS(paths[0], "build/out/loss.svg");
        CHECK_LONG(strlen("build/out/reconstructions.pgm"), strlen(paths[1]));
    }
    char long_dir[FIGURE_PATH_SIZE];
    memset(long_dir, 'a', sizeof long_dir - 1);
    long_dir[sizeof long_dir - 1] = '\0';
    CHECK(!figure_paths(paths, long_dir, figures, 2, &err));
    CHECK_CONTAINS(err.message, "path too long");
}

/* --hidden --epochs --batch --lr land in TrainingSettings, shown after the program's own
 * options; --hidden 0 only where the program says a model without hidden layer exists. */
static void test_training_options(void)
{
    char output[4096];
    trains = true;
    CHECK_LONG(0, RUN_PROGRAM(true, output, "--hidden", "7", "--epochs", "3", "--batch", "16", "--lr", "0.5"));
    CHECK_LONG(7, settings.training.hidden);
    CHECK_LONG(3, settings.training.epochs);
    CHECK_LONG(16, settings.training.batch_size);
    CHECK_NEAR(0.5, settings.training.learning_rate, 0.0);
    CHECK_LONG(0, RUN_PROGRAM(true, output, "--help"));
    CHECK(in_order(output, "--out TEXT", "--hidden N", "--epochs N", "--batch N", "--lr X", "--train N",
                   (const char *)NULL));
    CHECK_CONTAINS(output, "mini-batch size B (default 32, range [1, 8000])");
    CHECK_LONG(1, RUN_PROGRAM(true, output, "--hidden", "0"));
    CHECK_CONTAINS(output, "--hidden: 0 is out of range [1, 4096]");
    trains = false;
    CHECK_LONG(0, RUN_PROGRAM(true, output, "--help"));
    CHECK(strstr(output, "--hidden") == NULL);
}

static const TestCase tests[] = {
    { "common and own options land in their variables", NULL, test_common_and_own_options_parsed },
    { "--help: --data --out, own options, --train --test --seed --quiet", NULL, test_help_order },
    { "a program without MNIST has no --data, --train, --test", NULL, test_without_mnist },
    { "the training options: --hidden --epochs --batch --lr", NULL, test_training_options },
    { "a bad option: exit 1 and one line 'name: error: ...'", NULL, test_bad_option_is_one_error_line },
    { "a failed run: exit 1 and its message", NULL, test_failed_run },
    { "load_digits: --train and --test digits from --data", NULL, test_load_digits },
    { "figures written: paths padded to the longest", NULL, test_print_figures_aligned },
    { "figure paths, and one too long refused", NULL, test_figure_paths },
};

int main(int argc, char **argv) { return RUN_SUITE("lib/program", tests, argc, argv); }
