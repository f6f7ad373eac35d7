/* tests/bench/bench.c — `make bench`: how fast one training step runs, on each kernel path.
 *
 * A training step is what the chapter programs repeat thousands of times: zero the
 * gradients, the encoder and decoder forward, the squared-error loss and its gradient,
 * both backward passes, one Adam update.  This program builds that step from lib/ alone
 * (two Mlps, as chapter 1's auto-encoder is) on the first shipped MNIST training digits,
 * and times it on each kernel path of lib/kernels.h: the textbook loops, the fast loops
 * for the baseline instruction set, and the fast loops for AVX2 (where the CPU has it).
 *
 * Time is the process's CPU time.  The paths take turns, round after round, in one
 * process, so that a shared or noisy machine slows them alike; the table shows the median
 * round of each, and the range of the rounds.  Each path trains
 * its own copy of the same model from the same start on the same batches; since every
 * path computes the same bits, the copies must end identical, and the bench checks it.
 *
 * FLOPs per example are counted from the shapes, not measured: a dense layer (in, out)
 * costs 2 in out for X W, 2 in out for dW += X^T dH, and 2 in out for dX += dH W^T (not
 * in the first layer, whose input needs no gradient); one multiply and one add each, as
 * if no zero were skipped.  Biases, activations, the loss and Adam (O(parameters) per
 * step, a few percent) are left out, so GFLOP/s slightly understates the work done.
 *
 * Last, the three products alone, on dense inputs of chapter 1's first layer: the
 * GFLOP/s to hold against the core's peak.
 *
 *     make bench                  (build/tools/bench [--rounds 7] [--seconds 0.5])
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataset.h"
#include "error.h"
#include "kernels.h"
#include "loss.h"
#include "matrix.h"
#include "mlp.h"
#include "optimizer.h"
#include "parameters.h"
#include "rng.h"

enum { PATHS = 3, MAX_ROUNDS = 99 };

/* An auto-encoder's shape: f = encoder (sizes), g = decoder (sizes); the decoder reads the
 * first code_size outputs of the encoder (a VAE's encoder also outputs log-variances). */
typedef struct BenchShape {
    const char *name;
    size_t encoder[3], decoder[3];
    size_t batch;
} BenchShape;

static const BenchShape shapes[] = {
    /* chapter 1's ae_mnist: 784-128-32-128-784, ReLU, sigmoid output, batch 32 */
    { "AE 784-128-32, B=32", { 784, 128, 32 }, { 32, 128, 784 }, 32 },
    /* The VAE every course compares with: 784-400-20, batch 128.  Until its chapter
     * exists, the same shapes as plain MLPs (encoder outputs mean and log-variance, 2 x 20)
     * do the same matrix work; the sampling step is O(B d), nothing next to it. */
    { "VAE-shaped 784-400-20, B=128", { 784, 400, 40 }, { 20, 400, 784 }, 128 },
};

typedef struct Model {
    Mlp encoder, decoder;
    ParameterList parameters;
    Optimizer adam;
    double *grad_code;   /* dL/d(encoder output) (B, encoder[2]) */
    double *code;        /* the decoder's input (B, decoder[0]) */
    double *grad_z;      /* dL/d(decoder input) (B, decoder[0]) */
    double *grad_output; /* dL/dXhat (B, 784) */
} Model;

static void model_free(Model *model)
{
    mlp_free(&model->encoder);
    mlp_free(&model->decoder);
    optimizer_free(&model->adam);
    free(model->grad_code);
    free(model->code);
    free(model->grad_z);
    free(model->grad_output);
    *model = (Model){ 0 };
}

static bool model_init(Model *model, const BenchShape *shape, uint64_t seed, Error *err)
{
    *model = (Model){ 0 };
    Rng rng;
    rng_seed(&rng, seed);
    size_t B = shape->batch;
    bool ok = mlp_init(&model->encoder, shape->encoder, 3, ACTIVATION_RELU, ACTIVATION_IDENTITY, B, &rng, err)
              && mlp_init(&model->decoder, shape->decoder, 3, ACTIVATION_RELU, ACTIVATION_SIGMOID, B, &rng, err)
              && (model->grad_code = alloc_doubles(B * shape->encoder[2], err))
              && (model->code = alloc_doubles(B * shape->decoder[0], err))
              && (model->grad_z = alloc_doubles(B * shape->decoder[0], err))
              && (model->grad_output = alloc_doubles(B * shape->decoder[2], err));
    if (ok) {
        mlp_parameters(&model->encoder, &model->parameters, "f");
        mlp_parameters(&model->decoder, &model->parameters, "g");
        ok = optimizer_init_adam(&model->adam, &model->parameters, 1e-3, err);
    }
    if (!ok)
        model_free(model);
    return ok;
}

/* One training step on X (B, 784): the work of ae_mnist's train_batch. */
static void train_step(Model *model, const BenchShape *shape, const double *X)
{
    size_t B = shape->batch, code_in = shape->encoder[2], code_out = shape->decoder[0];
    size_t p = shape->decoder[2];
    parameters_zero_grad(&model->parameters);
    const double *E = mlp_forward(&model->encoder, X, B);
    for (size_t i = 0; i < B; i++)
        vector_copy(model->code + i * code_out, E + i * code_in, code_out);
    const double *Xhat = mlp_forward(&model->decoder, model->code, B);
    (void)squared_error_loss(Xhat, X, B, p);
    squared_error_backward(model->grad_output, Xhat, X, B, p);
    vector_zero(model->grad_code, B * code_in);
    vector_zero(model->grad_z, B * code_out);
    mlp_backward(model->grad_z, &model->decoder, model->grad_output);
    for (size_t i = 0; i < B; i++)
        vector_copy(model->grad_code + i * code_in, model->grad_z + i * code_out, code_out);
    mlp_backward(NULL, &model->encoder, model->grad_code);
    optimizer_step(&model->adam);
}

static double layer_flops(size_t in, size_t out, bool first)
{
    return (first ? 4.0 : 6.0) * (double)in * (double)out;
}

static double flops_per_example(const BenchShape *shape)
{
    return layer_flops(shape->encoder[0], shape->encoder[1], true)
           + layer_flops(shape->encoder[1], shape->encoder[2], false)
           + layer_flops(shape->decoder[0], shape->decoder[1], false)
           + layer_flops(shape->decoder[1], shape->decoder[2], false);
}

/* The CPU time this process has used: on a shared machine, the time other processes hold
 * the core is not counted (their effect on the caches still is). */
static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The models of the paths, after the same steps, hold the same bits. */
static bool same_parameters(const Model *a, const Model *b)
{
    for (size_t t = 0; t < a->parameters.count; t++) {
        const Parameter *x = &a->parameters.items[t], *y = &b->parameters.items[t];
        if (memcmp(x->value, y->value, x->size * sizeof *x->value) != 0)
            return false;
    }
    return true;
}

/* `steps` training steps of `model` on `path`, each on the next batch; the seconds they took. */
static double timed_steps(Model *model, KernelPath path, const BenchShape *shape, const Dataset *digits,
                          size_t *next_batch, size_t steps)
{
    kernel_path_set(path);
    size_t B = shape->batch, batches = digits->count / B;
    double start = cpu_seconds();
    for (size_t s = 0; s < steps; s++) {
        train_step(model, shape, digits->images + *next_batch * B * digits->dim);
        *next_batch = (*next_batch + 1) % batches;
    }
    return cpu_seconds() - start;
}

/* Time `shape` on every available path: `rounds` rounds, in each of which every path
 * runs the same number of steps (the textbook's take about `seconds`); print one table
 * row per path.  False if the paths disagree. */
static bool bench_shape(const BenchShape *shape, const Dataset *digits, size_t rounds, double seconds, Error *err)
{
    Model models[PATHS];
    size_t next_batch[PATHS] = { 0 };
    double rate[PATHS][MAX_ROUNDS];
    bool available[PATHS];
    for (int k = 0; k < PATHS; k++) {
        available[k] = kernel_path_available((KernelPath)k);
        if (!model_init(&models[k], shape, 1, err)) {
            while (k-- > 0)
                model_free(&models[k]);
            return false;
        }
    }
    double one_step = 0.0; /* a first step on every path: warms the caches, sizes the rounds */
    for (int k = 0; k < PATHS; k++)
        if (available[k]) {
            double t = timed_steps(&models[k], (KernelPath)k, shape, digits, &next_batch[k], 1);
            one_step = k == KERNELS_TEXTBOOK ? t : one_step;
        }
    size_t steps = one_step < seconds ? (size_t)(seconds / one_step) : 1;
    for (size_t round = 0; round < rounds; round++)
        for (int k = 0; k < PATHS; k++)
            if (available[k]) {
                double t = timed_steps(&models[k], (KernelPath)k, shape, digits, &next_batch[k], steps);
                rate[k][round] = (double)(steps * shape->batch) / t;
            }
    double flops = flops_per_example(shape), textbook = 0.0;
    bool agree = true;
    for (int k = 0; k < PATHS; k++) {
        if (!available[k]) {
            printf("%-30s %-9s   (this CPU cannot run it)\n", shape->name, kernel_path_name((KernelPath)k));
            continue;
        }
        qsort(rate[k], rounds, sizeof rate[k][0], compare_doubles);
        double median = rate[k][rounds / 2];
        if (k == KERNELS_TEXTBOOK)
            textbook = median;
        printf("%-30s %-9s %10.0f %10.2f %9.2fx   %.0f-%.0f\n", shape->name, kernel_path_name((KernelPath)k),
               median, median * flops * 1e-9, median / textbook, rate[k][0], rate[k][rounds - 1]);
        agree = agree && same_parameters(&models[KERNELS_TEXTBOOK], &models[k]);
    }
    printf("%-30s %.0f FLOPs per example (counted from the shapes)%s\n\n", "", flops,
           agree ? "; every path trained the same bits" : "");
    for (int k = 0; k < PATHS; k++)
        model_free(&models[k]);
    if (!agree)
        return error_set(err, "%s: the paths trained different parameters", shape->name);
    return true;
}

/* ---- the products alone ---------------------------------------------------------------- */

/* The three products of chapter 1's first layer, (B, in, out) = (32, 784, 128), on dense
 * inputs (no zero to skip): GFLOP/s of each on each path, the best of `rounds` rounds of
 * about `seconds`.  The figure to hold against the core's peak. */
static bool bench_products(size_t rounds, double seconds, Error *err)
{
    enum { N = 32, K = 784, M = 128 };
    double *A = alloc_doubles(N * K, err), *W = alloc_doubles(K * M, err), *C = alloc_doubles(N * M, err);
    double *dW = alloc_doubles(K * M, err), *dX = alloc_doubles(N * K, err);
    bool ok = A && W && C && dW && dX;
    if (ok) {
        Rng rng;
        rng_seed(&rng, 1);
        rng_fill_normal(&rng, A, N * K, 0.0, 1.0);
        rng_fill_normal(&rng, W, K * M, 0.0, 1.0);
        rng_fill_normal(&rng, C, N * M, 0.0, 1.0);
        printf("%-30s %-9s %10s %10s %10s   (GFLOP/s, dense inputs, best round)\n", "products 32 x 784 x 128",
               "kernels", "X W", "X^T dH", "dH W^T");
    }
    for (int k = 0; ok && k < PATHS; k++) {
        if (!kernel_path_set((KernelPath)k))
            continue;
        double best[3] = { 0.0, 0.0, 0.0 };
        for (size_t round = 0; round < rounds; round++)
            for (int product = 0; product < 3; product++) {
                size_t calls = 0;
                double start = cpu_seconds(), elapsed;
                do {
                    if (product == 0)
                        matrix_multiply(C, A, W, N, K, M);        /* H = X W */
                    else if (product == 1)
                        matrix_multiply_at_add(dW, A, C, N, K, M); /* dW += X^T dH */
                    else
                        matrix_multiply_bt_add(dX, C, W, N, M, K); /* dX += dH W^T */
                    calls++;
                } while ((elapsed = cpu_seconds() - start) < seconds / 3);
                double gflops = 2.0 * N * K * M * (double)calls / elapsed * 1e-9;
                best[product] = gflops > best[product] ? gflops : best[product];
            }
        printf("%-30s %-9s %10.2f %10.2f %10.2f\n", "", kernel_path_name((KernelPath)k), best[0], best[1], best[2]);
    }
    free(A);
    free(W);
    free(C);
    free(dW);
    free(dX);
    return ok;
}

/* The CPU's name, from /proc/cpuinfo (Linux), else "unknown CPU". */
static void cpu_name(char *name, size_t size)
{
    snprintf(name, size, "unknown CPU");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            const char *value = strchr(line, ':') + 1;
            while (*value == ' ' || *value == '\t')
                value++;
            snprintf(name, size, "%.*s", (int)strcspn(value, "\n"), value);
            break;
        }
    fclose(f);
}

static bool parse_number(const char *text, double low, double high, double *value)
{
    char *end;
    *value = strtod(text, &end);
    return end != text && *end == '\0' && *value >= low && *value <= high;
}

int main(int argc, char **argv)
{
    double rounds = 7, seconds = 0.5;
    for (int a = 1; a < argc; a += 2) { /* option, value */
        bool ok = a + 1 < argc
                  && ((strcmp(argv[a], "--rounds") == 0 && parse_number(argv[a + 1], 1, MAX_ROUNDS, &rounds)
                       && rounds == (double)(size_t)rounds)
                      || (strcmp(argv[a], "--seconds") == 0 && parse_number(argv[a + 1], 0.001, 60, &seconds)));
        if (!ok) {
            fprintf(stderr, "bench: error: usage: bench [--rounds 1..%d] [--seconds 0.001..60]\n", MAX_ROUNDS);
            return 1;
        }
    }
    Error err;
    Dataset digits = { 0 };
    if (!dataset_load(&digits, dataset_default_directory(NULL), DATASET_TRAIN, 2048, &err)) {
        report_error("bench", &err);
        return 1;
    }
    char cpu[128];
    cpu_name(cpu, sizeof cpu);
    printf("training steps on %zu MNIST digits; CPU: %s; one core, CPU time; %zu rounds of about %.2f s (textbook)\n",
           digits.count, cpu, (size_t)rounds, seconds);
    printf("%-30s %-9s %10s %10s %10s   %s\n", "model", "kernels", "examples/s", "GFLOP/s", "speed-up",
           "range of rounds");
    bool ok = true;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0] && ok; s++)
        ok = bench_shape(&shapes[s], &digits, (size_t)rounds, seconds, &err);
    ok = ok && bench_products((size_t)rounds, seconds, &err);
    dataset_free(&digits);
    if (!ok) {
        report_error("bench", &err);
        return 1;
    }
    return 0;
}
