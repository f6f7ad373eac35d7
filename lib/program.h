/* lib/program.h — what every chapter program shares: the common options, the way main
 * parses, runs and reports, loading the digits, and the list of figures a run prints at
 * its end.
 *
 * A program keeps its settings in a struct that holds a CommonSettings (and, if it trains
 * a network, a TrainingSettings), lists only its own options, and hands the rest to
 * program_main():
 *
 *     typedef struct Settings {
 *         CommonSettings common;     // --data --out --train --test --seed --quiet
 *         TrainingSettings training; // --hidden --epochs --batch --lr
 *         size_t d;
 *     } Settings;
 *
 *     static bool run(void *settings, Error *err) { const Settings *s = settings; ... }
 *
 *     int main(int argc, char **argv)
 *     {
 *         Settings s = { .common = { .out_dir = "build/out/ae_mnist", .train_count = 8000,
 *                                    .test_count = 2000, .seed = 1 },
 *                        .training = { .hidden = 128, .epochs = 10, .batch_size = 32,
 *                                      .learning_rate = 1e-3 },
 *                        .d = 32 };
 *         const Option options[] = {
 *             { "d", OPTION_SIZE, &s.d, "code size, the dimension of z", 1, 784 },
 *         };
 *         const Program program = { .name = "ae_mnist", .description = "Train ...",
 *                                   .common = &s.common, .reads_mnist = true,
 *                                   .training = &s.training, .hidden_may_be_zero = true,
 *                                   PROGRAM_OPTIONS(options), .run = run, .settings = &s };
 *         return program_main(&program, argc, argv);
 *     }
 *
 * --help then lists --data and --out first, the program's own options, the training
 * options, then --train, --test, --seed and --quiet; a program that reads no MNIST
 * (reads_mnist false) has no --data, --train or --test, one that trains nothing (training
 * NULL) no --hidden, --epochs, --batch or --lr.
 */
#ifndef VAELAB_PROGRAM_H
#define VAELAB_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "dataset.h"
#include "error.h"

/* The settings every program has; the defaults are the program's own. */
typedef struct CommonSettings {
    const char *data_dir;   /* --data: the IDX files; NULL means $MNIST_DIR, else data/ */
    const char *out_dir;    /* --out: where the figures go, "build/out/<program>" */
    size_t train_count;     /* --train: use the first N training digits */
    size_t test_count;      /* --test: use the first N test digits */
    size_t seed;            /* --seed: the same seed gives the same run */
    bool quiet;             /* --quiet: print nothing but errors */
} CommonSettings;

/* The settings of a program that trains networks by mini-batches with Adam; the defaults
 * are the program's own. */
typedef struct TrainingSettings {
    size_t hidden;        /* --hidden: units in each hidden layer */
    size_t epochs;        /* --epochs: training epochs of each model */
    size_t batch_size;    /* --batch: the mini-batch size B */
    double learning_rate; /* --lr: Adam's learning rate */
} TrainingSettings;

/* What runs the program once the command line is parsed: true on success, else false
 * with the message in `err`.  `settings` is Program.settings, the program's Settings. */
typedef bool (*ProgramRun)(void *settings, Error *err);

typedef struct Program {
    const char *name;          /* "ae_mnist": starts every error line, "ae_mnist: error: ..." */
    const char *description;   /* what the program does, under the usage line of --help */
    CommonSettings *common;    /* where the common options store their values */
    bool reads_mnist;          /* true: also --data, --train and --test */
    TrainingSettings *training; /* NULL, or where --hidden, --epochs, --batch and --lr go */
    bool hidden_may_be_zero;   /* --hidden 0, no hidden layer, is a model the program can build */
    const Option *options;     /* the program's own options, shown between --out and --train */
    size_t option_count;
    ProgramRun run;
    void *settings;            /* handed to run */
} Program;

/* `.options = table, .option_count = its length`, for a Program's initialiser. */
#define PROGRAM_OPTIONS(table) .options = (table), .option_count = sizeof(table) / sizeof((table)[0])

/* The whole of a program's main: parse argv into the options (common and own); --help
 * prints the help and returns 0; a bad option, or a run that fails, prints
 * `name: error: <message>` on stderr and returns 1; a run that succeeds returns 0. */
int program_main(const Program *program, int argc, char **argv);

/* ---- the digits ----------------------------------------------------------------------- */

/* The first --train training digits and the first --test test digits, from --data, else
 * $MNIST_DIR, else the shipped data/ (dataset_default_directory); *dir names the folder
 * for the program's first line.  The caller frees both sets, on failure too (freeing a
 * set that was not loaded does nothing). */
bool load_digits(Dataset *train, Dataset *test, const char **dir, const CommonSettings *common, Error *err);

/* ---- the figures a run wrote --------------------------------------------------------- */

enum { FIGURE_PATH_SIZE = 1024 }; /* room for "out_dir/file" */

typedef struct Figure {
    const char *file;   /* its name in the output folder: "loss.svg" */
    const char *what;   /* one line on what it shows */
} Figure;

/* paths[k] <- "out_dir/file" of figures[k], for k < count; false if one does not fit. */
bool figure_paths(char paths[][FIGURE_PATH_SIZE], const char *out_dir, const Figure *figures, size_t count,
                  Error *err);

/* On stdout, after a blank line, "figures written:" and one line per figure, its path
 * padded to the longest so that the descriptions line up:
 *
 *     figures written:
 *       build/out/ae_mnist/loss.svg  reconstruction loss per epoch, train and test
 *       build/out/ae_mnist/log.csv   the same numbers as a table
 */
void print_figures(const char *out_dir, const Figure *figures, size_t count);

#endif
