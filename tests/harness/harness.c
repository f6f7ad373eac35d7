/* tests/harness/harness.c — fork-per-test runner with TAP output (see harness.h).
 *
 * How one test runs:
 *   parent                                   child (fork)
 *   ------                                   -----
 *   tmpfile() for the child's output   --->  stdout and stderr go to that file
 *   pipe() for the verdict             --->  its own process group, resource limits,
 *   a fresh scratch folder             --->  working folder the scratch folder;
 *                                            alarm(time limit); test->run();
 *   waits, kills after the time limit  <---  writes one verdict byte, _exit(0)
 *   kills what the test left running, reads the verdict without ever blocking,
 *   removes the scratch folder
 * A child that dies, is killed, or exits without writing its verdict (a student's exit()
 * or abort()) fails that test only; so does a non-zero exit status after the verdict
 * (Valgrind's --error-exitcode in `make memcheck`).
 *
 * Nothing a test starts outlives it: the test is its own process group, killed whole
 * with SIGKILL at its limit and again when it ends; on Linux the suite is also a "child
 * subreaper" (prctl), so a process that left the group (setsid) is reparented to the
 * suite once its parent dies, and killed there. The verdict pipe and the output file
 * are close-on-exec, so a program a test runs does not hold them; the verdict is read
 * with poll(), never waiting for an end of file a stray process could withhold. So a
 * test takes at most its time limit plus a grace second, whatever it does.
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "exercise.h"
#include "matrix.h"
#include "rng.h"

enum { OUTPUT_LINES_SHOWN = 40, OUTPUT_LINE_WIDTH = 300 };

/* The resource limits of every test (setrlimit; docs/instructors.md states them): its
 * address space (not set under Valgrind or AddressSanitizer, which reserve far more
 * address space than they use) and the largest file it may write. Programs a test runs
 * inherit them. */
enum { MEMORY_LIMIT_MB = 2048, FILE_SIZE_LIMIT_MB = 256 };

#if HARNESS_SANITIZED
/* In the sanitizer build a report ends the test with abort(), so it reads "crashed:
 * Aborted" above the report, and a segfault stays a segfault (ASan's handler would turn
 * it into "exit status 1"); in place of the address-space limit, which ASan cannot live
 * with, an allocation of more than MEMORY_LIMIT_MB returns NULL. The sanitizers call
 * these for their defaults. */
const char *__asan_default_options(void);
const char *__ubsan_default_options(void);
const char *__asan_default_options(void)
{
    return "handle_segv=0:abort_on_error=1:allocator_may_return_null=1:max_allocation_size_mb=2048"; /* MEMORY_LIMIT_MB */
}
const char *__ubsan_default_options(void) { return "print_stacktrace=1:abort_on_error=1"; }
#endif

/* The verdict byte a child sends home; a stub hit is announced at once with STUB_HIT. */
enum { VERDICT_PASS = 'P', VERDICT_FAIL = 'F', VERDICT_TODO = 'T', VERDICT_EMPTY = 'E', STUB_HIT = 'S' };

/* ---- state of the running test (lives in the child) -------------------------------- */

static int checks_made;
static int checks_failed;
static char scratch_dir[256];
static int verdict_pipe_fd = -1; /* the child's end of the verdict pipe */

static void note_failure_location(const char *file, int line)
{
    printf("    at %s:%d\n", file, line);
}

bool check_true_at(bool condition, const char *what, const char *file, int line)
{
    checks_made++;
    if (condition)
        return true;
    checks_failed++;
    printf("  check failed: %s\n", what);
    note_failure_location(file, line);
    return false;
}

bool check_near_at(double expected, double got, double tolerance, const char *what,
                   const char *file, int line)
{
    checks_made++;
    double error = fabs(got - expected);
    if (error <= tolerance) /* false for NaN */
        return true;
    checks_failed++;
    printf("  %s\n    expected %.12g\n    got      %.12g\n    |error| %.3g > tolerance %.3g\n",
           what, expected, got, error, tolerance);
    note_failure_location(file, line);
    return false;
}

bool check_array_near_at(const double *expected, const double *got, size_t n, double tolerance, const char *name,
                         const char *meaning, const char *file, int line)
{
    enum { SHOWN = 3 };
    checks_made++;
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++) {
        double error = fabs(got[i] - expected[i]);
        if (error <= tolerance) /* false for NaN */
            continue;
        if (wrong++ >= SHOWN)
            continue;
        char what[200];
        snprintf(what, sizeof what, meaning, i);
        printf("  %s[%zu], %s: expected %.12g, got %.12g (|error| %.3g > tolerance %.3g)\n", name, i, what,
               expected[i], got[i], error, tolerance);
    }
    if (wrong == 0)
        return true;
    checks_failed++;
    if (wrong > SHOWN)
        printf("  ... and %zu more of the %zu elements of %s\n", wrong - SHOWN, n, name);
    note_failure_location(file, line);
    return false;
}

void fill_nan(double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = NAN;
}

bool check_relative_at(double expected, double got, double tolerance, const char *what,
                       const char *file, int line)
{
    checks_made++;
    double scale = fmax(fabs(expected), 1e-300);
    double relative = fabs(got - expected) / scale;
    if (relative <= tolerance)
        return true;
    checks_failed++;
    printf("  %s\n    expected %.12g\n    got      %.12g\n    relative error %.3g > tolerance %.3g\n",
           what, expected, got, relative, tolerance);
    note_failure_location(file, line);
    return false;
}

bool check_below_at(double got, double bound, const char *what, const char *file, int line)
{
    checks_made++;
    if (got < bound)
        return true;
    checks_failed++;
    printf("  %s\n    expected below %.6g\n    got            %.6g\n", what, bound, got);
    note_failure_location(file, line);
    return false;
}

bool check_long_at(long expected, long got, const char *what, const char *file, int line)
{
    checks_made++;
    if (got == expected)
        return true;
    checks_failed++;
    printf("  %s\n    expected %ld\n    got      %ld\n", what, expected, got);
    note_failure_location(file, line);
    return false;
}

bool check_contains_at(const char *text, const char *needle, const char *what,
                       const char *file, int line)
{
    checks_made++;
    if (text && strstr(text, needle))
        return true;
    checks_failed++;
    printf("  %s\n    expected to contain \"%s\"\n    got \"%s\"\n", what, needle, text ? text : "(null)");
    note_failure_location(file, line);
    return false;
}

void check_fail_at(const char *file, int line, const char *format, ...)
{
    checks_made++;
    checks_failed++;
    va_list args;
    va_start(args, format);
    printf("  ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
    note_failure_location(file, line);
}

void check_note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("  ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
}

/* Name and create a fresh scratch folder for test `number` of this suite. */
static bool make_scratch_dir(size_t number)
{
    const char *base = getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/vaelab-test-%ld-%zu", base && *base ? base : "/tmp",
             (long)getpid(), number);
    return mkdir(scratch_dir, 0700) == 0;
}

const char *test_scratch_dir(void)
{
    if (!scratch_dir[0]) /* --no-fork: made on first use */
        make_scratch_dir(0);
    return scratch_dir;
}

bool test_program_path(char *path, size_t size, const char *program)
{
    char self[1024];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0)
        return false;
    self[length] = '\0';
    /* .../build/<impl>/tests/<chapter>/suite -> .../build/<impl> */
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(self, '/');
        if (!slash)
            return false;
        *slash = '\0';
    }
    int written = snprintf(path, size, "%s/bin/%s", self, program);
    return written > 0 && (size_t)written < size && access(path, X_OK) == 0;
}

int test_run_command(const char *command, char *output, size_t size)
{
    char redirected[4096];
    snprintf(redirected, sizeof redirected, "%s 2>&1", command);
    output[0] = '\0';
    FILE *pipe = popen(redirected, "r");
    if (!pipe)
        return -1;
    size_t used = fread(output, 1, size - 1, pipe);
    output[used] = '\0';
    char sink[4096];
    while (fread(sink, 1, sizeof sink, pipe) > 0)
        continue; /* read to the end, so the command is never stopped by a full pipe */
    int status = pclose(pipe);
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* True if `dir` does not exist or holds nothing but . and .. */
static bool folder_is_empty(const char *dir)
{
    DIR *folder = opendir(dir);
    if (!folder)
        return true;
    size_t entries = 0;
    for (struct dirent *entry; (entry = readdir(folder));)
        entries += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0;
    closedir(folder);
    return entries == 0;
}

/* Run `program` with `arguments` (which may redirect its stdout: the command is
 * `{ program ...; } 2>&1`), after --out <scratch>/out unless `own_out` (the case names its
 * own), and check it refuses as every program must. Returns whether every check held. */
static bool refuses(const char *program, bool own_out, const char *arguments, const char *expected)
{
    char path[1024], command[8192], output[8192], out_dir[1100], prefix[128];
    int failed_before = checks_failed;
    if (!test_program_path(path, sizeof path, program)) {
        CHECK_FAIL("the program %s was not built (%s): did its chapter, or an earlier chapter it "
                   "builds on, fail to compile?", program, path);
        return false;
    }
    snprintf(out_dir, sizeof out_dir, "%s/out", test_scratch_dir());
    snprintf(command, sizeof command, "{ %s%s%s %s; }", path, own_out ? "" : " --out ", own_out ? "" : out_dir,
             arguments);
    int status = test_run_command(command, output, sizeof output);
    snprintf(prefix, sizeof prefix, "%s: error: ", program);
    CHECK_LONG(1, status);
    CHECK_CONTAINS(output, prefix);
    CHECK_CONTAINS(output, expected);
    CHECK(strchr(output, '\n') == output + strlen(output) - 1); /* exactly one line */
    CHECK(folder_is_empty(out_dir));
    if (checks_failed > failed_before)
        check_note("that was: %s", command);
    return checks_failed == failed_before;
}

void check_program_refuses(const char *program, const char *arguments, const char *expected)
{
    refuses(program, false, arguments, expected);
}

/* ---- bad input of every kind ----------------------------------------------------------- */

/* A small valid data set: TRAIN and TEST digits of SIDE x SIDE, labels 0..9. */
enum { BAD_TRAIN = 40, BAD_TEST = 20, BAD_SIDE = 28 };

static const char *const data_file_names[4] = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

static bool write_bytes(const char *path, const unsigned char *bytes, size_t size)
{
    FILE *file = fopen(path, "wb");
    bool ok = file && fwrite(bytes, 1, size, file) == size;
    return file ? fclose(file) == 0 && ok : false;
}

static void put_big_endian(unsigned char *at, unsigned long value)
{
    for (int k = 0; k < 4; k++)
        at[k] = (unsigned char)(value >> (24 - 8 * k));
}

/* An image file of `count` images of rows x cols (header then pixels), with `extra`
 * more body bytes (negative: fewer). */
static bool write_image_file(const char *path, unsigned long count, unsigned long rows, unsigned long cols, long extra)
{
    size_t body = (size_t)((long)(count * rows * cols) + extra);
    unsigned char *bytes = calloc(16 + body, 1);
    if (!bytes)
        return false;
    put_big_endian(bytes, 0x803);
    put_big_endian(bytes + 4, count);
    put_big_endian(bytes + 8, rows);
    put_big_endian(bytes + 12, cols);
    for (size_t k = 0; k < body; k++)
        bytes[16 + k] = (unsigned char)(k % 7 == 0 ? 200 : k % 3 * 40);
    bool ok = write_bytes(path, bytes, 16 + body);
    free(bytes);
    return ok;
}

static bool write_label_file(const char *path, unsigned long count, unsigned char first_label)
{
    unsigned char bytes[8 + 1000];
    put_big_endian(bytes, 0x801);
    put_big_endian(bytes + 4, count);
    for (size_t k = 0; k < count && k < 1000; k++)
        bytes[8 + k] = (unsigned char)(k == 0 ? first_label : k % 10);
    return write_bytes(path, bytes, 8 + (count < 1000 ? count : 1000));
}

/* A fresh folder <scratch>/<name> with the valid small data set in it. */
static void write_valid_data(char *dir, size_t size, const char *name)
{
    char path[1400];
    snprintf(dir, size, "%s/%s", test_scratch_dir(), name);
    mkdir(dir, 0700);
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, data_file_names[k]);
        unsigned long count = k < 2 ? BAD_TRAIN : BAD_TEST;
        if (!(k % 2 == 0 ? write_image_file(path, count, BAD_SIDE, BAD_SIDE, 0) : write_label_file(path, count, 3)))
            CHECK_FAIL("could not write %s", path);
    }
}

/* The training image file of a fresh valid data folder, for a case to spoil. */
static void spoil_train_images(char *path, size_t size, const char *dir)
{
    snprintf(path, size, "%s/%s", dir, data_file_names[0]);
    remove(path);
}

typedef struct BadData {
    const char *what;     /* the mistake */
    const char *expected; /* in the error line */
} BadData;

/* Write into `dir` (a valid data set) the mistake number `kind`. */
static void spoil(const char *dir, int kind)
{
    char images[1400], other[1400];
    spoil_train_images(images, sizeof images, dir);
    const unsigned char gzip[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 };
    const unsigned char labels_magic[] = { 0, 0, 8, 1, 0, 0, 0, 40 };
    const unsigned char bad_magic[] = { 'P', '5', '\n', '2', 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0 };
    const unsigned char float_magic[] = { 0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0 };
    const unsigned char short_header[] = { 0, 0, 8, 3, 0, 0 };
    switch (kind) {
    case 0: break;                                                    /* the file is missing */
    case 1: write_bytes(images, gzip, 0); break;                      /* empty */
    case 2: write_bytes(images, gzip, sizeof gzip); break;            /* gzip-compressed */
    case 3: write_bytes(images, labels_magic, sizeof labels_magic); break;
    case 4: write_bytes(images, bad_magic, sizeof bad_magic); break;  /* a PGM, say */
    case 5: write_bytes(images, float_magic, sizeof float_magic); break;
    case 6: write_bytes(images, short_header, sizeof short_header); break;
    case 7: write_image_file(images, 0, BAD_SIDE, BAD_SIDE, 0); break;
    case 8: write_image_file(images, 1, 5000, 1, 0); break;           /* rows beyond IDX's limit */
    case 9: write_image_file(images, BAD_TRAIN, BAD_SIDE, BAD_SIDE, -100); break;
    case 10: write_image_file(images, BAD_TRAIN, BAD_SIDE, BAD_SIDE, 5); break;
    case 11: write_image_file(images, BAD_TRAIN - 1, BAD_SIDE, BAD_SIDE, 0); break; /* labels do not match */
    case 12: write_image_file(images, BAD_TRAIN, 8, 8, 0); break;     /* 8 x 8 train, 28 x 28 test */
    case 13: write_image_file(images, BAD_TRAIN, 65, 65, 0); break;   /* more pixels than the programs take */
    case 14: mkfifo(images, 0600); break;
    case 15: mkdir(images, 0700); break;
    case 16:                                                         /* a symbolic link loop */
        snprintf(other, sizeof other, "%s/loop", dir);
        if (symlink("loop", other) != 0 || symlink("loop", images) != 0)
            CHECK_FAIL("could not make a symbolic link loop in %s", dir);
        break;
    case 17:                                                         /* a dangling link */
        if (symlink("/nonexistent/file", images) != 0)
            CHECK_FAIL("could not make a symbolic link %s", images);
        break;
    case 18:                                                         /* only the gzipped file */
        snprintf(other, sizeof other, "%s.gz", images);
        write_bytes(other, gzip, sizeof gzip);
        break;
    case 19:                                                         /* a label that is no digit */
        write_image_file(images, BAD_TRAIN, BAD_SIDE, BAD_SIDE, 0);
        snprintf(other, sizeof other, "%s/%s", dir, data_file_names[1]);
        write_label_file(other, BAD_TRAIN, 10);
        break;
    case 20:                                                         /* the test labels missing */
        write_image_file(images, BAD_TRAIN, BAD_SIDE, BAD_SIDE, 0);
        snprintf(other, sizeof other, "%s/%s", dir, data_file_names[3]);
        remove(other);
        break;
    }
}

static const BadData bad_data[] = {
    { "the training images are missing", "no such file" },
    { "an empty image file", "is empty" },
    { "a gzip-compressed image file", "gunzip" },
    { "a label file where the images should be", "looks like a label file" },
    { "not an IDX file", "not an IDX file" },
    { "IDX of floats", "only unsigned bytes" },
    { "a header cut short", "header truncated" },
    { "zero images", "0 images is out of range" },
    { "5000 rows", "5000 rows is out of range" },
    { "a body cut short", "truncated" },
    { "bytes after the body", "extra bytes" },
    { "39 images for 40 labels", "must match" },
    { "8 x 8 training images, 28 x 28 test images", "one size" },
    { "images of 65 x 65 pixels", "too large" },
    { "a FIFO named like the image file", "not a regular file" },
    { "a folder named like the image file", "not a regular file" },
    { "a symbolic link loop", "Too many levels of symbolic links" },
    { "a dangling symbolic link", "no such file" },
    { "only a gzipped image file", "gunzip -k" },
    { "a label 10", "is not a digit" },
    { "the test labels are missing", "loading the test set" },
};

typedef struct BadArguments {
    const char *what;
    const char *arguments; /* "%s" stands for a scratch path, where a case needs one */
    const char *expected;
} BadArguments;

/* Mistakes on the command line, and with where the output goes; every program has --out,
 * --seed and --quiet. */
static const BadArguments bad_arguments[] = {
    { "an unknown option", "--bogus 1", "unknown option --bogus" },
    { "an unknown option with =", "--bogus=1", "unknown option --bogus" },
    { "a typo of an option", "--sed 1", "did you mean --seed" },
    { "a stray argument", "stray", "unexpected argument 'stray'" },
    { "a single-dash option", "-s", "unexpected argument '-s'" },
    { "a bare --", "--", "unexpected argument '--'" },
    { "a missing value", "--seed", "--seed needs a value" },
    { "an option as the value", "--seed --quiet", "--seed needs a value" },
    { "a negative count", "--seed -1", "--seed" },
    { "a word for a number", "--seed abc", "'abc' is not an integer" },
    { "trailing garbage", "--seed 12abc", "'12abc' is not an integer" },
    { "a leading blank", "--seed ' 1'", "is not an integer" },
    { "an empty number", "--seed ''", "'' is not an integer" },
    { "a fraction for an integer", "--seed 1.5", "'1.5' is not an integer" },
    { "hexadecimal", "--seed 0x10", "'0x10' is not an integer" },
    { "just above the range", "--seed 4294967296", "out of range" },
    { "beyond any integer type", "--seed 99999999999999999999999", "out of range" },
    { "a value for a flag", "--quiet=yes", "--quiet is a flag and takes no value" },
    { "an option given twice", "--seed 1 --seed 2", "--seed is given twice" },
    { "a flag given twice", "--quiet --quiet", "--quiet is given twice" },
    { "--out given twice", "--out %s/elsewhere", "--out is given twice" },
    { "--help into a full disk", "--help >/dev/full", "cannot write to standard output" },
    { "--help into a closed stdout", "--help >&-", "cannot write to standard output" },
};

/* The output folder itself is wrong: the command gets its own --out. */
static const BadArguments bad_out[] = {
    { "--out empty", "--out ''", "--out: the value is empty" },
    { "--out an existing file", "--out %s/file", "not a directory" },
    { "--out under a file", "--out %s/file/sub", "Not a directory" },
};

static const BadArguments bad_counts[] = {
    { "--train 0", "--train 0", "--train" },
    { "--test -5", "--test -5", "--test" },
    { "--train a word", "--train many", "'many' is not an integer" },
    { "--data empty", "--data ''", "--data: the value is empty" },
    { "--data a missing folder", "--data /nonexistent/mnist", "/nonexistent/mnist" },
    { "--data a file", "--data %s/file", "is not a folder" },
    { "--data under a file", "--data %s/file/sub", "Not a directory" },
};

static size_t run_argument_cases(const char *program, const BadArguments *cases, size_t count, bool own_out)
{
    char arguments[2048], file[1100];
    snprintf(file, sizeof file, "%s/file", test_scratch_dir());
    write_bytes(file, (const unsigned char *)"x", 1);
    for (size_t k = 0; k < count; k++) {
        snprintf(arguments, sizeof arguments, cases[k].arguments, test_scratch_dir());
        if (!refuses(program, own_out, arguments, cases[k].expected))
            check_note("(case: %s)", cases[k].what);
    }
    return count;
}

size_t check_program_refuses_bad_input(const char *program, bool reads_mnist)
{
    size_t kinds = run_argument_cases(program, bad_arguments, sizeof bad_arguments / sizeof bad_arguments[0], false);
    kinds += run_argument_cases(program, bad_out, sizeof bad_out / sizeof bad_out[0], true);
    if (!reads_mnist)
        return kinds;
    kinds += run_argument_cases(program, bad_counts, sizeof bad_counts / sizeof bad_counts[0], false);
    for (size_t k = 0; k < sizeof bad_data / sizeof bad_data[0]; k++) {
        char dir[1100], name[32], arguments[1200];
        snprintf(name, sizeof name, "data-%zu", k);
        write_valid_data(dir, sizeof dir, name);
        spoil(dir, (int)k);
        snprintf(arguments, sizeof arguments, "--data %s", dir);
        if (!refuses(program, false, arguments, bad_data[k].expected))
            check_note("(case: %s)", bad_data[k].what);
    }
    return kinds + sizeof bad_data / sizeof bad_data[0];
}

/* Remove a directory and everything the test left in it, subfolders included (made
 * readable first: a test may have taken away its permissions). */
static void remove_tree(const char *directory)
{
    chmod(directory, 0700);
    DIR *listing = opendir(directory);
    if (listing) {
        struct dirent *entry;
        char path[1024];
        while ((entry = readdir(listing)) != NULL) {
            if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
            struct stat info;
            if (lstat(path, &info) == 0 && S_ISDIR(info.st_mode))
                remove_tree(path);
            else
                remove(path);
        }
        closedir(listing);
    }
    rmdir(directory);
}

/* ---- running one test in a child --------------------------------------------------- */

typedef struct Options {
    const char *only_exercise; /* run only the tests of this exercise */
    const char *name_filter;   /* run only tests whose name contains this */
    double time_limit;         /* seconds per test */
    bool list;                 /* print the tests and exit */
    bool no_fork;              /* run in-process, for gdb */
} Options;

typedef struct Outcome {
    char verdict;      /* VERDICT_* or 0 when the child sent none */
    int exit_status;   /* when it exited */
    int signal_number; /* when a signal ended it (0 otherwise) */
    bool timed_out;
    bool stub_hit;     /* a stub said "not implemented", whatever happened next */
    double seconds;
} Outcome;

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static char verdict_of_finished_test(void)
{
    if (exercise_first_stub_hit())
        return VERDICT_TODO;
    if (checks_failed > 0)
        return VERDICT_FAIL;
    if (checks_made == 0)
        return VERDICT_EMPTY;
    return VERDICT_PASS;
}

static void announce_stub_hit(const char *exercise)
{
    (void)exercise;
    char byte = STUB_HIT;
    if (write(verdict_pipe_fd, &byte, 1) != 1)
        return; /* the parent then learns of it from the final verdict instead */
}

/* Under Valgrind the client's LD_PRELOAD names Valgrind's preload libraries. */
static bool under_valgrind(void)
{
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload");
}

static void limit_resource(int resource, rlim_t bytes)
{
    struct rlimit limit = { bytes, bytes };
    struct rlimit current;
    if (getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY && current.rlim_max < bytes)
        limit.rlim_cur = limit.rlim_max = current.rlim_max; /* never raise a limit we were given */
    setrlimit(resource, &limit);
}

/* The child's sandbox: its own process group, the resource limits, no core files, and
 * the scratch folder as its working folder (so a relative path writes nowhere else). */
static void enter_sandbox(void)
{
    setpgid(0, 0);
    if (!under_valgrind() && !HARNESS_SANITIZED)
        limit_resource(RLIMIT_AS, (rlim_t)MEMORY_LIMIT_MB << 20);
    limit_resource(RLIMIT_FSIZE, (rlim_t)FILE_SIZE_LIMIT_MB << 20);
    limit_resource(RLIMIT_CORE, 0);
    if (chdir(scratch_dir) != 0)
        printf("  the harness could not enter the scratch folder %s: %s\n", scratch_dir, strerror(errno));
}

static void run_in_child(const TestCase *test, int verdict_fd, int output_fd, double time_limit)
{
    verdict_pipe_fd = verdict_fd;
    exercise_set_stub_hook(announce_stub_hit);
    dup2(output_fd, STDOUT_FILENO);
    dup2(output_fd, STDERR_FILENO);
    setvbuf(stdout, NULL, _IONBF, 0);
    enter_sandbox();
    alarm((unsigned)ceil(time_limit));
    test->run();
    fflush(NULL);
    char verdict = verdict_of_finished_test();
    if (write(verdict_fd, &verdict, 1) != 1)
        _exit(3);
    _exit(0);
}

/* Has the child ended? Says so without reaping it, so its process group stays. */
static bool child_has_ended(pid_t child)
{
    siginfo_t info;
    info.si_pid = 0;
    int result = waitid(P_PID, (id_t)child, &info, WEXITED | WNOHANG | WNOWAIT);
    return (result == 0 && info.si_pid == child) || (result < 0 && errno == ECHILD);
}

/* Kill every process the suite still has as a child but the test's own: processes a
 * test started that left its process group (setsid) come back to the suite, its "child
 * subreaper", once their parent dies, and their children after them, round by round. */
static void kill_strays(void)
{
#ifdef __linux__
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    for (int round = 0; round < 100; round++) {
        FILE *list = fopen(path, "r");
        long pid;
        int found = 0;
        while (list && fscanf(list, "%ld", &pid) == 1) {
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, NULL, 0);
            found++;
        }
        if (list)
            fclose(list);
        if (!found)
            return;
    }
#endif
}

/* Wait for the child, killing its whole process group once the time limit (plus a grace
 * second) is over; then kill what the test left behind, and reap the child. */
static void wait_for_child(pid_t child, double time_limit, Outcome *outcome)
{
    double start = now_seconds();
    const struct timespec pause = { 0, 2 * 1000 * 1000 };
    while (!child_has_ended(child)) {
        if (now_seconds() - start > time_limit + 1.0) {
            outcome->timed_out = true;
            break;
        }
        nanosleep(&pause, NULL);
    }
    kill(-child, SIGKILL); /* the group: whatever the test started and left in it */
    int status = 0;
    if (waitpid(child, &status, 0) != child)
        status = 0;
    kill_strays();
    outcome->seconds = now_seconds() - start;
    if (WIFSIGNALED(status)) {
        outcome->signal_number = WTERMSIG(status);
        if (outcome->signal_number == SIGALRM)
            outcome->timed_out = true;
    } else if (WIFEXITED(status)) {
        outcome->exit_status = WEXITSTATUS(status);
    }
}

/* The bytes the child sent: read with poll() and a short deadline, never waiting for an
 * end of file (a process the harness could not reach may still hold the write end). */
static void read_verdict(int fd, Outcome *outcome)
{
    struct pollfd ready = { fd, POLLIN, 0 };
    char byte;
    while (poll(&ready, 1, 100) > 0 && (ready.revents & POLLIN) && read(fd, &byte, 1) == 1) {
        if (byte == STUB_HIT)
            outcome->stub_hit = true;
        else
            outcome->verdict = byte;
    }
}

static void close_on_exec(int fd)
{
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
}

static bool run_forked(const TestCase *test, const Options *options, size_t number, FILE *output,
                       Outcome *outcome)
{
    int verdict_pipe[2];
    if (!make_scratch_dir(number) || pipe(verdict_pipe) != 0)
        return false;
    close_on_exec(verdict_pipe[0]);
    close_on_exec(verdict_pipe[1]);
    close_on_exec(fileno(output));
    fcntl(verdict_pipe[0], F_SETFL, fcntl(verdict_pipe[0], F_GETFL) | O_NONBLOCK);
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        close(verdict_pipe[0]);
        close(verdict_pipe[1]);
        remove_tree(scratch_dir);
        return false;
    }
    if (child == 0) {
        close(verdict_pipe[0]);
        run_in_child(test, verdict_pipe[1], fileno(output), options->time_limit);
    }
    setpgid(child, child); /* also here: no race with the child's own setpgid */
    close(verdict_pipe[1]);
    wait_for_child(child, options->time_limit, outcome);
    read_verdict(verdict_pipe[0], outcome);
    close(verdict_pipe[0]);
    remove_tree(scratch_dir);
    return true;
}

/* ---- reporting --------------------------------------------------------------------- */

/* Print the captured output as TAP diagnostics: at most OUTPUT_LINES_SHOWN lines of at
 * most OUTPUT_LINE_WIDTH characters, so a test that prints a flood cannot drown the report. */
static void print_captured_output(FILE *output)
{
    int shown = 0;
    int c;
    size_t column = 0;
    bool at_line_start = true;
    rewind(output);
    while ((c = fgetc(output)) != EOF) {
        if (at_line_start) {
            if (shown == OUTPUT_LINES_SHOWN) {
                printf("#   ... (output cut after %d lines)\n", OUTPUT_LINES_SHOWN);
                return;
            }
            fputs("# ", stdout);
            shown++;
            column = 0;
            at_line_start = false;
        }
        if (c == '\n') {
            putchar('\n');
            at_line_start = true;
        } else if (column++ < OUTPUT_LINE_WIDTH) {
            putchar(c);
        }
    }
    if (!at_line_start)
        putchar('\n');
}

/* Why a test that did not pass failed, in one line; NULL when it passed. */
static const char *failure_reason(const Outcome *outcome, char *buffer, size_t size)
{
    if (outcome->timed_out)
        snprintf(buffer, size, "timed out after %.0f s (an endless loop?)", outcome->seconds);
    else if (outcome->signal_number)
        snprintf(buffer, size, "crashed: %s (signal %d)", strsignal(outcome->signal_number),
                 outcome->signal_number);
    else if (!outcome->verdict)
        snprintf(buffer, size, "the test ended early with exit status %d (does the code call exit()?)",
                 outcome->exit_status);
    else if (outcome->exit_status != 0)
        snprintf(buffer, size, "exit status %d after the test (a memory error under Valgrind?)",
                 outcome->exit_status);
    else if (outcome->verdict == VERDICT_EMPTY)
        snprintf(buffer, size, "the test made no check: a test must be able to fail");
    else if (outcome->verdict == VERDICT_FAIL)
        snprintf(buffer, size, "a check failed");
    else
        return NULL;
    return buffer;
}

static void print_test_line(size_t number, const TestCase *test, const char *status,
                            const char *directive)
{
    printf("%s %zu - ", status, number);
    if (test->exercise)
        printf("[%s] ", test->exercise);
    printf("%s%s\n", test->name, directive);
}

typedef struct Tally {
    size_t passed, failed, todo;
} Tally;

static void run_and_report(size_t number, const TestCase *test, const Options *options, Tally *tally)
{
    FILE *output = tmpfile();
    Outcome outcome = { 0 };
    if (!output || !run_forked(test, options, number, output, &outcome)) {
        print_test_line(number, test, "not ok", "");
        printf("#   the harness could not start the test: %s\n", strerror(errno));
        tally->failed++;
        if (output)
            fclose(output);
        return;
    }
    char reason[200];
    const char *why = failure_reason(&outcome, reason, sizeof reason);
    bool todo = outcome.stub_hit || outcome.verdict == VERDICT_TODO;
    if (todo) {
        print_test_line(number, test, "not ok", NOT_IMPLEMENTED);
        if (why && outcome.verdict != VERDICT_TODO)
            printf("#   then %s\n", why);
        print_captured_output(output);
        tally->failed++;
        tally->todo++;
    } else if (why) {
        print_test_line(number, test, "not ok", "");
        printf("#   %s\n", why);
        print_captured_output(output);
        tally->failed++;
    } else {
        print_test_line(number, test, "ok", "");
        tally->passed++;
    }
    fclose(output);
}

/* In-process run, for debugging a test under gdb (--no-fork): no isolation. */
static void run_unforked(size_t number, const TestCase *test, Tally *tally)
{
    checks_made = checks_failed = 0;
    test->run();
    char verdict = verdict_of_finished_test();
    bool passed = verdict == VERDICT_PASS;
    print_test_line(number, test, passed ? "ok" : "not ok", verdict == VERDICT_TODO ? NOT_IMPLEMENTED : "");
    if (passed)
        tally->passed++;
    else
        tally->failed++;
}

/* ---- the suite --------------------------------------------------------------------- */

/* Is the test tagged with exercise `number` ("1.4", or "1.4 needs 1.2")? */
static bool tagged(const TestCase *test, const char *number)
{
    size_t length = strlen(number);
    return test->exercise && strncmp(test->exercise, number, length) == 0
           && (test->exercise[length] == '\0' || test->exercise[length] == ' ');
}

static bool selected(const TestCase *test, const Options *options)
{
    if (options->only_exercise && !tagged(test, options->only_exercise))
        return false;
    if (options->name_filter && !strstr(test->name, options->name_filter))
        return false;
    return true;
}

static void print_usage(const char *program, const char *suite_name)
{
    printf("usage: %s [--exercise N.M] [--filter TEXT] [--time-limit SECONDS] [--list] [--no-fork]\n"
           "Runs the %s tests, each in its own process, and prints TAP.\n"
           "  --exercise N.M        only the tests of exercise N.M\n"
           "  --filter TEXT         only the tests whose name contains TEXT\n"
           "  --time-limit SECONDS  per test (default 10, or $VAELAB_TIME_LIMIT)\n"
           "  --list                list the tests without running them\n"
           "  --no-fork             run in this process (for gdb; no isolation)\n",
           program, suite_name);
}

static bool parse_options(int argc, char **argv, const char *suite_name, Options *options, int *exit_status)
{
    const char *limit = getenv("VAELAB_TIME_LIMIT");
    options->time_limit = limit && atof(limit) > 0 ? atof(limit) : 10.0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            print_usage(argv[0], suite_name);
            *exit_status = 0;
            return false;
        } else if (strcmp(arg, "--list") == 0) {
            options->list = true;
        } else if (strcmp(arg, "--no-fork") == 0) {
            options->no_fork = true;
        } else if (strcmp(arg, "--exercise") == 0 && has_value) {
            options->only_exercise = argv[++i];
        } else if (strcmp(arg, "--filter") == 0 && has_value) {
            options->name_filter = argv[++i];
        } else if (strcmp(arg, "--time-limit") == 0 && has_value && atof(argv[i + 1]) > 0) {
            options->time_limit = atof(argv[++i]);
        } else {
            fprintf(stderr, "%s: error: unknown or incomplete option '%s' (try --help)\n", argv[0], arg);
            *exit_status = 2;
            return false;
        }
    }
    return true;
}

int run_suite(const char *suite_name, const TestCase *tests, size_t count, int argc, char **argv)
{
    Options options = { 0 };
    int exit_status = 0;
    if (!parse_options(argc, argv, suite_name, &options, &exit_status))
        return exit_status;
    size_t planned = 0;
    for (size_t i = 0; i < count; i++)
        planned += selected(&tests[i], &options);
    if (options.list) {
        for (size_t i = 0; i < count; i++)
            if (selected(&tests[i], &options))
                printf("%s\t%s\n", tests[i].exercise ? tests[i].exercise : "-", tests[i].name);
        return 0;
    }
    printf("# %s\n1..%zu\n", suite_name, planned);
#ifdef __linux__
    if (!options.no_fork)
        prctl(PR_SET_CHILD_SUBREAPER, 1); /* see kill_strays */
#endif
    Tally tally = { 0 };
    size_t number = 0;
    for (size_t i = 0; i < count; i++) {
        if (!selected(&tests[i], &options))
            continue;
        number++;
        if (options.no_fork)
            run_unforked(number, &tests[i], &tally);
        else
            run_and_report(number, &tests[i], &options, &tally);
        fflush(stdout);
    }
    if (tally.todo)
        printf("# %zu of the %zu failures are exercises not implemented yet\n", tally.todo, tally.failed);
    printf("%zu passed, %zu failed\n", tally.passed, tally.failed);
    return tally.failed ? 1 : 0;
}

bool load_shipped_digits(Dataset *train, size_t train_count, Dataset *test, size_t test_count)
{
    Error err;
    const char *dir = dataset_default_directory(NULL);
    if (!dataset_load(train, dir, DATASET_TRAIN, train_count, &err)) {
        CHECK_FAIL("the shipped training digits: %s", err.message);
        return false;
    }
    if (test && !dataset_load(test, dir, DATASET_TEST, test_count, &err)) {
        CHECK_FAIL("the shipped test digits: %s", err.message);
        dataset_free(train);
        return false;
    }
    return true;
}

/* One tensor's check: below 1e-6 relative, or a note naming the worst entry. */
static void check_one_gradient(const Parameter *p, LossFunction loss, void *context)
{
    GradCheckResult r = gradient_check(p, loss, context, 0);
    if (!CHECK_BELOW(r.max_relative_error, 1e-6))
        check_note("d/d%s[%zu]: analytic %.9g, numeric %.9g", p->name, r.worst_index, r.analytic, r.numeric);
}

void check_array_gradient(const char *name, double *value, double *grad, size_t n, LossFunction loss, void *context)
{
    Parameter p = { .value = value, .grad = grad, .size = n };
    snprintf(p.name, sizeof p.name, "%s", name);
    check_one_gradient(&p, loss, context);
}

void check_parameter_gradients(const ParameterList *parameters, LossFunction loss, void *context)
{
    for (size_t k = 0; k < parameters->count; k++)
        check_one_gradient(&parameters->items[k], loss, context);
}

void halve(double *grad, size_t n) { vector_scale(grad, 0.5, n); }

bool same_parameter_values(const ParameterList *a, const ParameterList *b)
{
    if (a->count != b->count)
        return false;
    for (size_t k = 0; k < a->count; k++)
        if (a->items[k].size != b->items[k].size
            || memcmp(a->items[k].value, b->items[k].value, sizeof(double) * a->items[k].size) != 0)
            return false;
    return true;
}

void check_sgd_step(const ParameterList *before, const ParameterList *after, double eta)
{
    for (size_t k = 0; k < after->count; k++) {
        const Parameter *old = &before->items[k], *updated = &after->items[k];
        for (size_t i = 0; i < updated->size; i++) {
            CHECK_NEAR(old->value[i] - eta * old->grad[i], updated->value[i], 1e-12);
            old->value[i] = updated->value[i];
        }
    }
}

void uniform_batch(double *x, size_t n, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = rng_uniform(&rng);
}

void normal_batch(double *x, size_t n, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    rng_fill_normal(&rng, x, n, 0.0, 1.0);
}
