/* lib/cli.h — the command line of every vaelab program, declared as a table.
 *
 * A program lists its options once, each pointing at the variable that holds its
 * default; cli_parse() overwrites the variables the user set and checks every value
 * (type, range, no trailing garbage), and --help prints the table with the defaults:
 *
 *     size_t epochs = 10, seed = 1;
 *     double learning_rate = 1e-3;
 *     const char *out = "build/ch01";
 *     const Option options[] = {
 *         { "epochs", OPTION_SIZE, &epochs, "passes over the training set", 1, 1000 },
 *         { "lr", OPTION_DOUBLE, &learning_rate, "learning rate eta", 0, 1 },
 *         { "seed", OPTION_SIZE, &seed, "random seed", 0, 4294967295.0 },
 *         { "out", OPTION_STRING, &out, "folder for figures and logs", 0, 0 },
 *     };
 *     Error err;
 *     switch (cli_parse(argc, argv, "train an MLP auto-encoder on MNIST", options, 4, &err)) {
 *     case CLI_HELP: return 0;
 *     case CLI_ERROR: report_error(argv[0], &err); return 1;
 *     case CLI_OK: break;
 *     }
 *
 * Accepted forms: `--name value` and `--name=value`; a flag is just `--name`.
 */
#ifndef VAELAB_CLI_H
#define VAELAB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

typedef enum {
    OPTION_INT,    /* int, decimal */
    OPTION_SIZE,   /* size_t, decimal, never negative: counts, sizes, seeds */
    OPTION_DOUBLE, /* double, finite */
    OPTION_STRING, /* const char *, pointing into argv */
    OPTION_FLAG,     /* bool, set to true by its presence */
    OPTION_SIZE_LIST /* SizeList: "2,8,32", each value in the range, increasing */
} OptionKind;

/* The value of an OPTION_SIZE_LIST option, such as the code sizes d = 2, 8, 32 of a
 * program that trains one model per d. */
enum { SIZE_LIST_MAX = 8 };
typedef struct SizeList {
    size_t values[SIZE_LIST_MAX]; /* strictly increasing */
    size_t count;                 /* at least 1 */
} SizeList;

/* "2,8,32": the list as the command line writes it. */
void size_list_format(char *buffer, size_t size, const SizeList *list);

typedef struct Option {
    const char *name; /* "epochs" for --epochs */
    OptionKind kind;
    void *value;      /* int*, size_t*, double*, const char**, bool*, SizeList*; holds the default */
    const char *help; /* one line for --help */
    double min, max;  /* inclusive range for numbers and each list value (+-INFINITY for an open end; both 0 means
                         no range); ignored for strings and flags */
} Option;

typedef enum { CLI_OK, CLI_HELP, CLI_ERROR } CliResult;

/* Parse argv into the options' variables.  --help or -h anywhere: print the help to
 * stdout and return CLI_HELP (the program exits 0).  Any mistake: CLI_ERROR with a
 * one-line message naming the option; an option given twice and an empty text value
 * are mistakes too.  `description` says what the program does. */
CliResult cli_parse(int argc, char **argv, const char *description, const Option *options,
                    size_t count, Error *err);

/* The arguments after the options, such as a tool's files, in the order given. */
typedef struct CliOperands {
    const char *synopsis; /* for the usage line of --help: "SUITE..." (the caller's) */
    char **values;        /* pointing into argv */
    size_t count;
} CliOperands;

/* cli_parse for a command that also takes operands: the first argument that does not
 * start with "--" (and is not an option's value) ends the options; it and every argument
 * after it are the operands. */
CliResult cli_parse_operands(int argc, char **argv, const char *description, const Option *options, size_t count,
                             CliOperands *operands, Error *err);

/* Print the help: usage line, description, every option with its help, current value
 * (the default, before parsing; none for a string option whose default is NULL, whose
 * help says what happens without it) and range. */
void cli_print_help(FILE *out, const char *program, const char *description,
                    const Option *options, size_t count);

#endif
