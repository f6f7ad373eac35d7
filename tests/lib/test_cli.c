/* tests/lib/test_cli.c — the command line: good values land in their variables, and every
 * kind of mistake is refused with one line that names the option.
 *
 * The message is all a student sees when a flag is mistyped, so the tests check its
 * words ("is not an integer", "out of range [1, 784]"), not only that parsing failed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "harness.h"

/* ---- fixture: a program's option table ------------------------------------------------ */

typedef struct Settings {
    size_t epochs, d, seed;
    int offset;
    double learning_rate, beta;
    const char *out;
    bool quiet;
    SizeList dims;
} Settings;

static Settings settings;

static const Option options[] = {
    { "epochs", OPTION_SIZE, &settings.epochs, "passes over the data", 1, 1000 },
    { "d", OPTION_SIZE, &settings.d, "latent dimension", 1, 784 },
    { "seed", OPTION_SIZE, &settings.seed, "random seed", 0, 4294967295.0 },
    { "offset", OPTION_INT, &settings.offset, "a signed integer", -10, 10 },
    { "lr", OPTION_DOUBLE, &settings.learning_rate, "learning rate", 0, 1 },
    { "beta", OPTION_DOUBLE, &settings.beta, "weight of the KL term (no range)", 0, 0 },
    { "out", OPTION_STRING, &settings.out, "output folder", 0, 0 },
    { "quiet", OPTION_FLAG, &settings.quiet, "print less", 0, 0 },
    { "dims", OPTION_SIZE_LIST, &settings.dims, "code sizes", 1, 784 },
};
enum { OPTION_COUNT = sizeof options / sizeof options[0], MAX_ARGUMENTS = 16 };

static void reset_settings(void)
{
    settings = (Settings){ .epochs = 10, .d = 2, .seed = 1, .offset = 0, .learning_rate = 1e-3,
                           .beta = 1.0, .out = "build/out", .quiet = false,
                           .dims = { { 2, 8, 32 }, 3 } };
}

/* Parse "test_cli" followed by the given arguments (a NULL-terminated list) with fresh
 * defaults.  The arguments are copied, since argv is writable in C. */
static CliResult parse_list(Error *err, va_list arguments)
{
    static char storage[MAX_ARGUMENTS][128];
    char *argv[MAX_ARGUMENTS + 1];
    int argc = 0;
    const char *argument = "test_cli";
    while (argument && argc < MAX_ARGUMENTS) {
        snprintf(storage[argc], sizeof storage[argc], "%s", argument);
        argv[argc] = storage[argc];
        argc++;
        argument = va_arg(arguments, const char *);
    }
    argv[argc] = NULL;
    reset_settings();
    err->message[0] = '\0';
    return cli_parse(argc, argv, "a program under test", options, OPTION_COUNT, err);
}

static CliResult parse_arguments(Error *err, ...)
{
    va_list arguments;
    va_start(arguments, err);
    CliResult result = parse_list(err, arguments);
    va_end(arguments);
    return result;
}
#define PARSE(err, ...) parse_arguments((err), __VA_ARGS__, (const char *)NULL)

/* Parse and expect CLI_ERROR with a one-line message containing every fragment given
 * (a NULL-terminated list after the arguments' own NULL). */
static void expect_error(const char *fragment, const char *second_fragment, ...)
{
    Error err;
    va_list arguments;
    va_start(arguments, second_fragment);
    CliResult result = parse_list(&err, arguments);
    va_end(arguments);
    if (!CHECK_LONG(CLI_ERROR, result))
        return;
    CHECK_CONTAINS(err.message, fragment);
    if (second_fragment)
        CHECK_CONTAINS(err.message, second_fragment);
    CHECK(strchr(err.message, '\n') == NULL); /* one line */
}
#define EXPECT_ERROR(fragment, second_fragment, ...) \
    expect_error((fragment), (second_fragment), __VA_ARGS__, (const char *)NULL)

/* ---- good command lines ---------------------------------------------------------------- */

static void test_defaults_stay(void)
{
    Error err;
    CHECK_LONG(CLI_OK, PARSE(&err, (const char *)NULL));
    CHECK_LONG(10, settings.epochs);
    CHECK_NEAR(1e-3, settings.learning_rate, 0.0);
    CHECK_CONTAINS(settings.out, "build/out");
    CHECK(!settings.quiet);
}

static void test_separate_values(void)
{
    Error err;
    CliResult result = PARSE(&err, "--epochs", "5", "--d", "784", "--offset", "-3", "--lr", "0.01",
                             "--beta", "-2.5e-1", "--out", "figures", "--quiet", "--seed", "4294967295");
    if (!CHECK_LONG(CLI_OK, result))
        check_note("message: %s", err.message);
    CHECK_LONG(5, settings.epochs);
    CHECK_LONG(784, settings.d);
    CHECK_LONG(-3, settings.offset);
    CHECK_NEAR(0.01, settings.learning_rate, 0.0);
    CHECK_NEAR(-0.25, settings.beta, 0.0);
    CHECK_CONTAINS(settings.out, "figures");
    CHECK(settings.quiet);
    CHECK(settings.seed == 4294967295u);
}

static void test_equals_form(void)
{
    Error err;
    CliResult result = PARSE(&err, "--epochs=7", "--lr=1e-2", "--out=a=b", "--offset=-10");
    if (!CHECK_LONG(CLI_OK, result))
        check_note("message: %s", err.message);
    CHECK_LONG(7, settings.epochs);
    CHECK_NEAR(0.01, settings.learning_rate, 0.0);
    CHECK_CONTAINS(settings.out, "a=b"); /* only the first '=' splits */
    CHECK_LONG(-10, settings.offset);
}

/* Which of two values would win is a guess: an option given twice is refused, in either
 * form, flags too; and an empty text is no value. */
static void test_repeated_and_empty(void)
{
    Error err;
    CHECK_LONG(CLI_ERROR, PARSE(&err, "--lr=1e-2", "--lr", "1"));
    CHECK_CONTAINS(err.message, "--lr is given twice");
    CHECK_LONG(CLI_ERROR, PARSE(&err, "--quiet", "--epochs", "3", "--quiet"));
    CHECK_CONTAINS(err.message, "--quiet is given twice");
    CHECK_LONG(CLI_ERROR, PARSE(&err, "--out", ""));
    CHECK_CONTAINS(err.message, "--out: the value is empty");
    CHECK_LONG(CLI_ERROR, PARSE(&err, "--out="));
    CHECK_CONTAINS(err.message, "--out: the value is empty");
}

static void test_help(void)
{
    Error err;
    CHECK_LONG(CLI_HELP, PARSE(&err, "--help"));
    CHECK_LONG(CLI_HELP, PARSE(&err, "--epochs", "3", "-h"));
    CHECK_LONG(CLI_HELP, PARSE(&err, "--no-such-option", "--help")); /* help wins over a mistake */
}

static void test_help_text(void)
{
    char text[4096] = { 0 };
    FILE *stream = fmemopen(text, sizeof text - 1, "w");
    if (!CHECK(stream != NULL))
        return;
    reset_settings();
    cli_print_help(stream, "ch01_train", "train an auto-encoder", options, OPTION_COUNT);
    fclose(stream);
    CHECK_CONTAINS(text, "usage: ch01_train [options]");
    CHECK_CONTAINS(text, "train an auto-encoder");
    CHECK_CONTAINS(text, "--epochs N");
    CHECK_CONTAINS(text, "passes over the data (default 10, range [1, 1000])");
    CHECK_CONTAINS(text, "--lr X");
    CHECK_CONTAINS(text, "(default 0.001, range [0, 1])");
    CHECK_CONTAINS(text, "random seed (default 1, range [0, 4294967295])");
    CHECK_CONTAINS(text, "weight of the KL term (no range) (default 1)\n");
    CHECK_CONTAINS(text, "--out TEXT");
    CHECK_CONTAINS(text, "(default build/out)");
    CHECK_CONTAINS(text, "--quiet ");
    CHECK_CONTAINS(text, "--dims N,N,...");
    CHECK_CONTAINS(text, "code sizes (default 2,8,32, range [1, 784])");
    CHECK_CONTAINS(text, "-h, --help");
}

/* ---- mistakes ----------------------------------------------------------------------- */

static void test_unknown_option(void)
{
    EXPECT_ERROR("unknown option --epoch", "did you mean --epochs?", "--epoch", "3");
    EXPECT_ERROR("unknown option --lrr", "did you mean --lr?", "--lrr=0.1");
    EXPECT_ERROR("unknown option --ep", "did you mean --epochs?", "--ep", "3"); /* a prefix */
    EXPECT_ERROR("unknown option --hepl", "did you mean --help?", "--hepl");
    EXPECT_ERROR("unknown option --zzzzzzzz", "--help lists the options", "--zzzzzzzz");
}

static void test_missing_value(void)
{
    EXPECT_ERROR("--epochs needs a value", NULL, "--epochs");
    EXPECT_ERROR("--out needs a value", NULL, "--out", "--quiet"); /* an option is not a value */
}

static void test_not_a_number(void)
{
    EXPECT_ERROR("--epochs: 'abc' is not an integer", NULL, "--epochs", "abc");
    EXPECT_ERROR("--offset: 'abc' is not an integer", NULL, "--offset", "abc");
    EXPECT_ERROR("--lr: 'abc' is not a number", NULL, "--lr", "abc");
    EXPECT_ERROR("--epochs: '' is not an integer", NULL, "--epochs=");
    EXPECT_ERROR("--epochs: ' 5' is not an integer", NULL, "--epochs", " 5");
}

static void test_trailing_garbage(void)
{
    EXPECT_ERROR("--epochs: '12x' is not an integer", NULL, "--epochs", "12x");
    EXPECT_ERROR("--offset: '3.5' is not an integer", NULL, "--offset", "3.5");
    EXPECT_ERROR("--lr: '0.1x' is not a number", NULL, "--lr", "0.1x");
}

static void test_out_of_range(void)
{
    EXPECT_ERROR("--d: 0 is out of range [1, 784]", NULL, "--d", "0");
    EXPECT_ERROR("--d: 785 is out of range [1, 784]", NULL, "--d=785");
    EXPECT_ERROR("--offset: 11 is out of range [-10, 10]", NULL, "--offset", "11");
    EXPECT_ERROR("--lr: 1.5 is out of range [0, 1]", NULL, "--lr", "1.5");
    EXPECT_ERROR("--seed: 4294967296 is out of range [0, 4294967295]", NULL, "--seed", "4294967296");
    EXPECT_ERROR("--seed", "out of range", "--seed", "99999999999999999999999"); /* beyond size_t */
    EXPECT_ERROR("--offset", "out of range", "--offset", "99999999999999999999"); /* beyond long */
}

static void test_not_finite(void)
{
    EXPECT_ERROR("--lr: 'nan' is not a finite number", NULL, "--lr", "nan");
    EXPECT_ERROR("--beta: 'inf' is not a finite number", NULL, "--beta", "inf");
    EXPECT_ERROR("--beta: '-infinity' is not a finite number", NULL, "--beta", "-infinity");
    EXPECT_ERROR("--beta: '1e999' is not a finite number", NULL, "--beta", "1e999");
}

static void test_negative_size(void)
{
    EXPECT_ERROR("--seed: -1 is out of range [0, 4294967295]", NULL, "--seed", "-1");
    EXPECT_ERROR("--epochs: -0 is out of range [1, 1000]", NULL, "--epochs=-0");
    EXPECT_ERROR("--seed: '-x' is not an integer", NULL, "--seed", "-x");
}

static void test_stray_arguments(void)
{
    EXPECT_ERROR("unexpected argument 'digits.idx'", NULL, "digits.idx");
    EXPECT_ERROR("unexpected argument 'extra'", NULL, "--epochs", "3", "extra");
    EXPECT_ERROR("unexpected argument '-x'", NULL, "-x");
    EXPECT_ERROR("--quiet is a flag and takes no value", NULL, "--quiet=yes");
}

static void test_size_list(void)
{
    Error err;
    CHECK_LONG(CLI_OK, PARSE(&err, "--dims", "5"));
    CHECK_LONG(1, settings.dims.count);
    CHECK_LONG(5, settings.dims.values[0]);
    CHECK_LONG(CLI_OK, PARSE(&err, "--dims=1,16,784"));
    CHECK_LONG(3, settings.dims.count);
    CHECK_LONG(1, settings.dims.values[0]);
    CHECK_LONG(16, settings.dims.values[1]);
    CHECK_LONG(784, settings.dims.values[2]);
    CHECK_LONG(CLI_OK, PARSE(&err, "--quiet")); /* the default stays */
    CHECK_LONG(3, settings.dims.count);
    CHECK_LONG(32, settings.dims.values[2]);
}

static void test_size_list_errors(void)
{
    EXPECT_ERROR("--dims: 0 is out of range [1, 784]", NULL, "--dims", "8,0,32");
    EXPECT_ERROR("--dims: 1000 is out of range [1, 784]", NULL, "--dims", "8,1000");
    EXPECT_ERROR("--dims: -8 is out of range [1, 784]", NULL, "--dims", "-8");
    EXPECT_ERROR("--dims: 'eight' is not an integer", NULL, "--dims", "2,eight");
    EXPECT_ERROR("--dims: '8,,16' is not a comma-separated list", NULL, "--dims", "8,,16");
    EXPECT_ERROR("--dims: '8,' is not a comma-separated list", NULL, "--dims", "8,");
    EXPECT_ERROR("--dims: list the values in increasing order", NULL, "--dims", "8,2");
    EXPECT_ERROR("--dims: list the values in increasing order", NULL, "--dims", "8,8");
    EXPECT_ERROR("--dims: at most 8 values", NULL, "--dims", "1,2,3,4,5,6,7,8,9");
}

/* A tool's command line: options first, then its operands, in order; --help shows them. */
static void test_operands(void)
{
    char arguments[][32] = { "tool", "--epochs", "3", "--quiet", "first.c", "--not-an-option", "" };
    char *argv[] = { arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5],
                     arguments[6], NULL };
    CliOperands files = { .synopsis = "FILE..." };
    Error err = { "" };
    reset_settings();
    CHECK_LONG(CLI_OK, cli_parse_operands(7, argv, "a tool", options, OPTION_COUNT, &files, &err));
    CHECK_LONG(3, settings.epochs);
    CHECK(settings.quiet);
    if (CHECK_LONG(3, files.count)) {
        CHECK(strcmp(files.values[0], "first.c") == 0);
        CHECK(strcmp(files.values[1], "--not-an-option") == 0); /* after the first operand, all are operands */
        CHECK(strcmp(files.values[2], "") == 0);
    }
    CHECK_LONG(CLI_OK, cli_parse_operands(3, argv, "a tool", options, OPTION_COUNT, &files, &err));
    CHECK_LONG(0, files.count);
    CHECK_LONG(CLI_ERROR, cli_parse(5, argv, "a tool", options, OPTION_COUNT, &err)); /* no operands there */
    CHECK_CONTAINS(err.message, "unexpected argument 'first.c'");
}

static const TestCase tests[] = {
    { "defaults stay when nothing is given", NULL, test_defaults_stay },
    { "--name value sets every kind of option", NULL, test_separate_values },
    { "--name=value form", NULL, test_equals_form },
    { "an option given twice, and an empty text, are refused", NULL, test_repeated_and_empty },
    { "--help and -h return CLI_HELP", NULL, test_help },
    { "help lists options with defaults and ranges", NULL, test_help_text },
    { "unknown option, with a suggestion when obvious", NULL, test_unknown_option },
    { "missing value", NULL, test_missing_value },
    { "not a number", NULL, test_not_a_number },
    { "trailing garbage after a number", NULL, test_trailing_garbage },
    { "value out of range", NULL, test_out_of_range },
    { "NaN and infinity refused", NULL, test_not_finite },
    { "negative size refused", NULL, test_negative_size },
    { "stray positional arguments and valued flags", NULL, test_stray_arguments },
    { "a list of sizes: 5, 1,16,784, and the default", NULL, test_size_list },
    { "a list of sizes: range, words, empty items, order, length", NULL, test_size_list_errors },
    { "a tool's operands after its options", NULL, test_operands },
};

int main(int argc, char **argv) { return RUN_SUITE("lib/cli", tests, argc, argv); }
