/* lib/program.c — see program.h. */
#include "program.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "outfile.h"

/* ---- the command line ------------------------------------------------------------------- */

enum { COMMON_OPTIONS = 6, TRAINING_OPTIONS = 4, MAX_OPTIONS = 40 };

/* --hidden, --epochs, --batch, --lr into table[0..3], pointing into `t`. */
static void training_options(Option table[TRAINING_OPTIONS], TrainingSettings *t, bool hidden_may_be_zero)
{
    table[0] = hidden_may_be_zero
                   ? (Option){ "hidden", OPTION_SIZE, &t->hidden, "units in each hidden layer (0: none)", 0, 4096 }
                   : (Option){ "hidden", OPTION_SIZE, &t->hidden, "units in each hidden layer", 1, 4096 };
    table[1] = (Option){ "epochs", OPTION_SIZE, &t->epochs, "training epochs of each model", 1, 1000 };
    table[2] = (Option){ "batch", OPTION_SIZE, &t->batch_size, "mini-batch size B", 1, 8000 };
    table[3] = (Option){ "lr", OPTION_DOUBLE, &t->learning_rate, "Adam's learning rate", 1e-6, 1.0 };
}

/* The program's whole option table in `table`: the common options, pointing into
 * program->common, around the program's own and the training options, in the order
 * --help shows them (where the digits come from and where the figures go first; how many
 * digits, the seed and --quiet last).  Returns how many there are. */
static size_t assemble_options(Option table[MAX_OPTIONS], const Program *program)
{
    CommonSettings *c = program->common;
    assert(program->option_count + COMMON_OPTIONS + TRAINING_OPTIONS <= MAX_OPTIONS);
    size_t count = 0;
    if (program->reads_mnist)
        table[count++] = (Option){ "data", OPTION_STRING, &c->data_dir,
                                   "folder of the IDX files (default: $MNIST_DIR, else the shipped data/)", 0, 0 };
    table[count++] = (Option){ "out", OPTION_STRING, &c->out_dir, "folder for the figures", 0, 0 };
    for (size_t i = 0; i < program->option_count; i++)
        table[count++] = program->options[i];
    if (program->training) {
        training_options(table + count, program->training, program->hidden_may_be_zero);
        count += TRAINING_OPTIONS;
    }
    if (program->reads_mnist) {
        table[count++] = (Option){ "train", OPTION_SIZE, &c->train_count, "use the first N training digits", 1,
                                   100000000 };
        table[count++] = (Option){ "test", OPTION_SIZE, &c->test_count, "use the first N test digits", 1,
                                   100000000 };
    }
    table[count++] = (Option){ "seed", OPTION_SIZE, &c->seed, "random seed: the same seed gives the same run", 0,
                               4294967295.0 };
    table[count++] = (Option){ "quiet", OPTION_FLAG, &c->quiet, "print nothing but errors", 0, 0 };
    return count;
}

int program_main(const Program *program, int argc, char **argv)
{
    Option options[MAX_OPTIONS];
    size_t count = assemble_options(options, program);
    Error err = { "" };
    switch (cli_parse(argc, argv, program->description, options, count, &err)) {
    case CLI_HELP: return 0;
    case CLI_ERROR: report_error(program->name, &err); return 1;
    case CLI_OK: break;
    }
    if (!program->run(program->settings, &err)) {
        report_error(program->name, &err);
        return 1;
    }
    return 0;
}

/* ---- the digits ----------------------------------------------------------------------- */

bool load_digits(Dataset *train, Dataset *test, const char **dir, const CommonSettings *common, Error *err)
{
    *dir = dataset_default_directory(common->data_dir);
    return dataset_load(train, *dir, DATASET_TRAIN, common->train_count, err)
           && dataset_load(test, *dir, DATASET_TEST, common->test_count, err);
}

/* ---- the figures a run wrote ------------------------------------------------------------ */

bool figure_paths(char paths[][FIGURE_PATH_SIZE], const char *out_dir, const Figure *figures, size_t count,
                  Error *err)
{
    for (size_t k = 0; k < count; k++)
        if (!join_path(paths[k], FIGURE_PATH_SIZE, out_dir, figures[k].file, err))
            return false;
    return true;
}

/* Every path starts with the same "out_dir/", so padding the file names to the longest
 * lines up the descriptions. */
void print_figures(const char *out_dir, const Figure *figures, size_t count)
{
    int width = 0;
    for (size_t k = 0; k < count; k++)
        width = (int)strlen(figures[k].file) > width ? (int)strlen(figures[k].file) : width;
    printf("\nfigures written:\n");
    for (size_t k = 0; k < count; k++)
        printf("  %s/%-*s  %s\n", out_dir, width, figures[k].file, figures[k].what);
}
