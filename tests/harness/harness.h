/* tests/harness/harness.h — the tiny test harness every suite in vaelab uses.
 *
 * A suite is one binary: a table of TestCase and a main that hands it to run_suite().
 * Each test runs in its own forked child with a time limit, so a crash, an endless loop,
 * an exit() or a stub that is not implemented costs that one test and the run goes on.
 * The output is TAP:
 *
 *     1..3
 *     ok 1 - squared error of a 2x3 batch
 *     not ok 2 - encoder gradient  # expected/got/tolerance lines follow as diagnostics
 *     #   encoder W: relative error  expected <= 1e-06  got 3.2e-03
 *     not ok 3 - [6.2] closed-form KL (not implemented)
 *     #   exercise 6.2 (vae_kl): not implemented
 *     # 1 of the 2 failures are exercises not implemented yet
 *     1 passed, 2 failed
 *
 * Checks record a failure and let the test go on (so one run shows every wrong number);
 * a test that makes no check at all fails: a test must be able to fail.
 *
 *     static void test_sum(void) { CHECK_NEAR(6.0, sum3(1, 2, 3), 1e-12); }
 *     static const TestCase tests[] = {
 *         { "sum of three numbers", NULL, test_sum },   // NULL: not tied to an exercise
 *         { "reconstruction loss", "1.1", test_loss },   // graded with exercise 1.1
 *     };
 *     int main(int argc, char **argv) { return RUN_SUITE("lib/sums", tests, argc, argv); }
 */
#ifndef VAELAB_HARNESS_H
#define VAELAB_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include "dataset.h"
#include "error.h" /* VL_PRINTF_LIKE */
#include "gradcheck.h"
#include "parameters.h"

/* Is this the sanitizer build (make SANITIZE=1: AddressSanitizer and UBSan)? */
#if defined(__SANITIZE_ADDRESS__)
#define HARNESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HARNESS_SANITIZED 1
#endif
#endif
#ifndef HARNESS_SANITIZED
#define HARNESS_SANITIZED 0
#endif

typedef struct TestCase {
    const char *name;     /* what the TAP line says */
    const char *exercise; /* exercise number such as "1.2" whose points it carries, or NULL;
                           * "1.4 needs 1.2 1.3" when the test also runs the code of earlier
                           * exercises of the chapter: while one of those fails, this test's
                           * failure is put down to it, not to 1.4 (docs/instructors.md) */
    void (*run)(void);
} TestCase;

/* Each returns whether the check held; on failure it prints the diagnostics
 * (what, expected, got, tolerance, file:line) and marks the running test failed. */
bool check_true_at(bool condition, const char *what, const char *file, int line);
bool check_near_at(double expected, double got, double tolerance, const char *what,
                   const char *file, int line); /* |got - expected| <= tolerance; NaN fails */
bool check_relative_at(double expected, double got, double tolerance, const char *what,
                       const char *file, int line); /* |got - expected| <= tol * max(|e|, tiny) */
bool check_below_at(double got, double bound, const char *what, const char *file, int line);
bool check_long_at(long expected, long got, const char *what, const char *file, int line);
bool check_contains_at(const char *text, const char *needle, const char *what,
                       const char *file, int line);
/* An explicit failure with a printf-style explanation. */
void check_fail_at(const char *file, int line, const char *format, ...) VL_PRINTF_LIKE(3, 4);
/* Print an explanatory diagnostic line (shown only when the test fails). */
void check_note(const char *format, ...) VL_PRINTF_LIKE(1, 2);

#define CHECK(condition) check_true_at((condition), #condition, __FILE__, __LINE__)
#define CHECK_NEAR(expected, got, tolerance) \
    check_near_at((expected), (got), (tolerance), #got, __FILE__, __LINE__)
#define CHECK_RELATIVE(expected, got, tolerance) \
    check_relative_at((expected), (got), (tolerance), #got, __FILE__, __LINE__)
#define CHECK_BELOW(got, bound) check_below_at((got), (bound), #got, __FILE__, __LINE__)
#define CHECK_LONG(expected, got) check_long_at((long)(expected), (long)(got), #got, __FILE__, __LINE__)
#define CHECK_CONTAINS(text, needle) check_contains_at((text), (needle), #text, __FILE__, __LINE__)
#define CHECK_FAIL(...) check_fail_at(__FILE__, __LINE__, __VA_ARGS__)

/* got[i] against expected[i] for i < n, within `tolerance` (NaN fails). On failure it says
 * how many elements differ and, for the first few, a sentence a student can act on: the
 * array and index, what that element means (`meaning`, a printf format with one %zu for
 * the index, e.g. "pixel %zu of the t = 0 end, g(f(x_a))"), expected, got, tolerance:
 *     out[3], pixel 3 of the t = 0 end, g(f(x_a)): expected 0.25, got 0.5 (|error| 0.25 > tolerance 1e-12)
 * `name` is the array as the test names it ("out"). */
bool check_array_near_at(const double *expected, const double *got, size_t n, double tolerance, const char *name,
                         const char *meaning, const char *file, int line);
#define CHECK_ARRAY_NEAR(expected, got, n, tolerance, meaning) \
    check_array_near_at((expected), (got), (n), (tolerance), #got, (meaning), __FILE__, __LINE__)

/* x[i] = NaN for i < n: fill an output buffer with it before the call under test, so an
 * element the code leaves unwritten fails its check every time, whatever memory held. */
void fill_nan(double *x, size_t n);

/* Run the suite: parses the command line (--help lists the options), forks each test,
 * prints TAP and the summary line; returns the exit status (0 = everything passed). */
int run_suite(const char *suite_name, const TestCase *tests, size_t count, int argc, char **argv);
#define RUN_SUITE(name, tests, argc, argv) \
    run_suite((name), (tests), sizeof(tests) / sizeof((tests)[0]), (argc), (argv))

/* The path of a chapter program built with the same IMPL as this suite: suites live in
 * build/<impl>/tests/<chapter>/ and programs in build/<impl>/bin/. */
bool test_program_path(char *path, size_t size, const char *program);

/* Run a shell command; its stdout and stderr (the start of them) go to `output`; returns
 * its exit status (-1 if it could not run or was killed). */
int test_run_command(const char *command, char *output, size_t size);

/* Run the chapter program `program` (test_program_path) with `arguments` and --out in the
 * scratch directory, and check that it refuses them as every program must refuse bad
 * input: exit status 1, exactly one line `program: error: ...` that contains `expected`,
 * and no file written (the output folder is absent or empty). */
void check_program_refuses(const char *program, const char *arguments, const char *expected);

/* Run `program` on every kind of bad input the harness knows (harness.c lists them):
 * mistakes on the command line (unknown, repeated, malformed, out-of-range options),
 * an output folder it cannot use, stdout full or closed, and, when it reads MNIST,
 * bad counts and some twenty broken data folders (missing, empty, gzipped, wrong magic,
 * truncated, FIFO, folder, symbolic link loop, splits of two image sizes, ...); each
 * must be refused as check_program_refuses says. Returns how many kinds were run. */
size_t check_program_refuses_bad_input(const char *program, bool reads_mnist);

/* The first train_count training and test_count test digits shipped in data/ (no test
 * digits if test is NULL): true, or a failed check naming the problem with nothing left
 * to free. For the tests that learn on real digits. */
bool load_shipped_digits(Dataset *train, size_t train_count, Dataset *test, size_t test_count);

/* x_i ~ U[0, 1) and x_i ~ N(0, 1), i < n, each array from its own seed: the made-up
 * batches, codes and noise of the small cases. */
void uniform_batch(double *x, size_t n, unsigned seed);
void normal_batch(double *x, size_t n, unsigned seed);

/* Compare grad (n), an analytic gradient, with centred differences of loss(context) in
 * value (n): a failed check naming the worst entry unless its relative error is below
 * 1e-6. For the gradient of a loss in a plain array (logits, a batch's ELBOs, a code z). */
void check_array_gradient(const char *name, double *value, double *grad, size_t n, LossFunction loss, void *context);

/* check_array_gradient for every tensor of a model: each parameter's grad against centred
 * differences of loss(context), below 1e-6 relative, a failure naming the tensor and its
 * worst entry. */
void check_parameter_gradients(const ParameterList *parameters, LossFunction loss, void *context);

/* Backward passes accumulate (+=): a test calls one twice on zeroed gradients and halves
 * the result, which must then be the gradient. (With `=` instead of `+=` it comes out halved.) */
void halve(double *grad, size_t n);

/* Was the optimiser's step plain SGD at learning rate eta? `before` holds the parameters
 * before the step and, in its grad, the gradient the step should have taken; `after` the
 * parameters after it: after = before - eta grad, every entry to 1e-12. Then before's
 * values are set to after's, so that a test can check the next step the same way. */
void check_sgd_step(const ParameterList *before, const ParameterList *after, double eta);

/* Do two models' parameter lists (the same shapes) hold the same bits? For "the same
 * seed trains the same model". */
bool same_parameter_values(const ParameterList *a, const ParameterList *b);

/* A scratch directory private to the running test, fresh for each test, its working
 * folder, removed after it: tests that write files put them here. */
const char *test_scratch_dir(void);

#endif
