/* lib/program.c — see program.h. */
#include "program.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* A standard stream the caller closed (`>&-`) gets /dev/null opened read-only in its
 * place: so no file the run opens can take its number and receive its text, and every
 * write to it fails, as a write to a closed stream should. */
static void occupy_closed_standard_streams(void)
{
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
            int opened = open("/dev/null", O_RDONLY);
            if (opened >= 0 && opened != fd) {
                dup2(opened, fd);
                close(opened);
            }
        }
}

/* Was everything the run printed written?  (A closed stdout, or `>/dev/full`.) */
static bool stdout_written(Error *err)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return error_set(err, "cannot write to standard output: %s", errno ? strerror(errno) : "write error");
    return true;
}

int program_main(const Program *program, int argc, char **argv)
{
    occupy_closed_standard_streams();
    signal(SIGXFSZ, SIG_IGN); /* past a file-size limit a write fails (EFBIG) instead of killing us */
    Option options[MAX_OPTIONS];
    size_t count = assemble_options(options, program);
    Error err = { "" };
    switch (cli_parse(argc, argv, program->description, options, count, &err)) {
    case CLI_HELP:
        if (stdout_written(&err))
            return 0;
        report_error(program->name, &err);
        return 1;
    case CLI_ERROR: report_error(program->name, &err); return 1;
    case CLI_OK: break;
    }
    /* All or nothing: the files of a run that fails, at any point, are removed (and the
     * output folder, if this run made it). The folder is made first, so that a folder
     * that cannot be made is said before minutes of training. */
    outfile_begin_run();
    errno = 0;
    bool ok = make_directories(program->common->out_dir, &err) && program->run(program->settings, &err)
              && stdout_written(&err);
    Error ignored;
    ok = outfile_end_run(ok, ok ? &err : &ignored) && ok;
    if (!ok) {
        report_error(program->name, &err);
        return 1;
    }
    return 0;
}

/* ---- the digits ----------------------------------------------------------------------- */

/* The programs' models, figures and PCA grow with the pixels of an image (a covariance
 * is pixels^2 doubles, a dense layer pixels x hidden): MNIST has 28 x 28 = 784; 64 x 64
 * keeps the largest of them near 1 GB. */
enum { PIXELS_MAX = 64 * 64 };

static bool check_folder(const char *dir, Error *err)
{
    struct stat info;
    if (stat(dir, &info) != 0)
        return error_set(err, "the data folder %s: %s (use --data DIR or MNIST_DIR to point at a folder "
                         "holding the MNIST IDX files)", dir, strerror(errno));
    if (!S_ISDIR(info.st_mode))
        return error_set(err, "the data folder %s is not a folder", dir);
    return true;
}

/* The two splits must be images of one size, and of a size the programs can afford. */
static bool check_splits_agree(const Dataset *train, const Dataset *test, Error *err)
{
    const Dataset *larger = train->dim >= test->dim ? train : test;
    if (larger->dim > PIXELS_MAX)
        return error_set(err, "images of %zu x %zu pixels are too large: the programs take at most %d pixels "
                         "per image, 64 x 64 (MNIST has 28 x 28)", larger->rows, larger->cols, PIXELS_MAX);
    if (train->rows != test->rows || train->cols != test->cols)
        return error_set(err, "the training images are %zu x %zu pixels but the test images %zu x %zu: both "
                         "sets must hold images of one size", train->rows, train->cols, test->rows, test->cols);
    return true;
}

/* `path` relative to the working folder when it lies inside it ("data" rather than
 * "/home/me/vaelab/data"): what a run prints, and what docs copied from it show. */
static const char *relative_to_working_folder(const char *path)
{
    char cwd[4096];
    size_t length = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (length == 0 || strncmp(path, cwd, length) != 0)
        return path;
    if (path[length] == '\0')
        return ".";
    return path[length] == '/' ? path + length + 1 : path;
}

bool load_digits(Dataset *train, Dataset *test, const char **dir, const CommonSettings *common, Error *err)
{
    *dir = relative_to_working_folder(dataset_default_directory(common->data_dir));
    return check_folder(*dir, err) && dataset_load(train, *dir, DATASET_TRAIN, common->train_count, err)
           && dataset_load(test, *dir, DATASET_TEST, common->test_count, err) && check_splits_agree(train, test, err);
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
