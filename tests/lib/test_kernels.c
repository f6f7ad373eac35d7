/* tests/lib/test_kernels.c — the fast kernels give the textbook loops' bits (lib/kernels.h).
 *
 * Each matrix product and Adam's update runs on every kernel path this CPU has (textbook,
 * portable, AVX2) from the same inputs, and the outputs must be equal byte for byte
 * (memcmp): no tolerance, since a fast loop that added the same terms in another order
 * would round differently.  The sizes are odd (1, 3, 7, 33, 785), so every edge of every
 * block is met, and then the layer shapes the programs train.  The inputs are normal
 * draws with about half of them exactly 0 (as MNIST pixels and ReLU outputs are), which
 * exercises the loops' skipping of zeros; a last test shows that a sum added in another
 * order does change bits on these inputs, so that the comparison can fail.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "kernels.h"
#include "matrix.h"
#include "optimizer.h"
#include "rng.h"

/* ---- the three products, their inputs, and the comparison ---------------------------------- */

/* Every product writes C (n, m) from a sum over k terms, and reads n k elements of A and
 * k m of B:  C = A B,  C += A^T B (A stored (k, n)),  C += A B^T (B stored (m, k)). */
typedef enum Product { PRODUCT_AB, PRODUCT_AT_B, PRODUCT_A_BT, PRODUCT_COUNT } Product;
static const char *const product_names[] = { "A B", "A^T B", "A B^T" };

typedef struct Shape {
    size_t n, k, m;
} Shape;

typedef struct Inputs {
    Shape shape;
    double *A, *B, *C0; /* C0: what C holds before a product that adds to it */
} Inputs;

/* Normal draws, about half of them replaced by exact zeros. */
static void fill_sparse(Rng *rng, double *x, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        double value = rng_normal(rng);
        x[i] = rng_bernoulli(rng, 0.5) ? 0.0 : value;
    }
}

static bool inputs_make(Inputs *in, Shape shape, Rng *rng)
{
    *in = (Inputs){ .shape = shape };
    in->A = malloc(shape.n * shape.k * sizeof *in->A);
    in->B = malloc(shape.k * shape.m * sizeof *in->B);
    in->C0 = malloc(shape.n * shape.m * sizeof *in->C0);
    if (!in->A || !in->B || !in->C0)
        return false;
    fill_sparse(rng, in->A, shape.n * shape.k);
    fill_sparse(rng, in->B, shape.k * shape.m);
    rng_fill_normal(rng, in->C0, shape.n * shape.m, 0.0, 1.0);
    return true;
}

static void inputs_free(Inputs *in)
{
    free(in->A);
    free(in->B);
    free(in->C0);
}

/* C = the product on `path`, from the inputs (C starts as C0 where the product adds). */
static void run_product(double *C, Product product, KernelPath path, const Inputs *in)
{
    const Shape s = in->shape;
    kernel_path_set(path);
    memcpy(C, in->C0, s.n * s.m * sizeof *C);
    switch (product) {
    case PRODUCT_AB: matrix_multiply(C, in->A, in->B, s.n, s.k, s.m); break;
    case PRODUCT_AT_B: matrix_multiply_at_add(C, in->A, in->B, s.k, s.n, s.m); break;
    case PRODUCT_A_BT: matrix_multiply_bt_add(C, in->A, in->B, s.n, s.k, s.m); break;
    case PRODUCT_COUNT: break;
    }
}

/* The index of the first element where x and y differ in any bit, or count if none. */
static size_t first_difference(const double *x, const double *y, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (memcmp(&x[i], &y[i], sizeof x[i]) != 0)
            return i;
    return count;
}

/* Every product on every fast path this CPU has, against the textbook; true if all agree. */
static bool fast_paths_agree(Shape shape, Rng *rng)
{
    Inputs in;
    size_t count = shape.n * shape.m;
    double *expected = malloc(count * sizeof *expected), *got = malloc(count * sizeof *got);
    bool ok = inputs_make(&in, shape, rng) && expected && got;
    if (!ok)
        CHECK_FAIL("out of memory for shape (%zu, %zu, %zu)", shape.n, shape.k, shape.m);
    for (Product product = 0; ok && product < PRODUCT_COUNT; product++) {
        run_product(expected, product, KERNELS_TEXTBOOK, &in);
        for (KernelPath path = KERNELS_PORTABLE; path <= KERNELS_AVX2; path++) {
            if (!kernel_path_available(path))
                continue;
            run_product(got, product, path, &in);
            size_t differs_at = first_difference(expected, got, count);
            if (!CHECK_LONG(count, differs_at)) { /* count: no element differs */
                size_t i = differs_at;
                check_note("%s, n=%zu k=%zu m=%zu, %s kernels: C[%zu, %zu] = %.17g, the textbook loop gives %.17g",
                           product_names[product], shape.n, shape.k, shape.m, kernel_path_name(path),
                           i / shape.m, i % shape.m, got[i], expected[i]);
                ok = false;
            }
        }
    }
    inputs_free(&in);
    free(expected);
    free(got);
    return ok;
}

static KernelPath default_path;

static void remember_path(void)
{
    default_path = kernel_path();
}

static void restore_path(void)
{
    kernel_path_set(default_path);
}

/* ---- the products ------------------------------------------------------------------------- */

static void test_products_on_odd_sizes(void)
{
    static const size_t sizes[] = { 1, 3, 7, 33, 785 };
    enum { SIZES = sizeof sizes / sizeof sizes[0], LARGE = 785 };
    Rng rng;
    rng_seed(&rng, 15);
    size_t shapes = 0;
    for (size_t a = 0; a < SIZES; a++)
        for (size_t b = 0; b < SIZES; b++)
            for (size_t c = 0; c < SIZES; c++) {
                Shape s = { sizes[a], sizes[b], sizes[c] };
                size_t large = (s.n == LARGE) + (s.k == LARGE) + (s.m == LARGE);
                size_t smallest = s.n < s.k ? (s.n < s.m ? s.n : s.m) : (s.k < s.m ? s.k : s.m);
                if (large == 3 || (large == 2 && smallest > 3)) /* keeps the suite to a second */
                    continue;
                if (!fast_paths_agree(s, &rng))
                    return;
                shapes++;
            }
    check_note("%zu shapes, each product on the paths: textbook, portable%s", shapes,
               kernel_path_available(KERNELS_AVX2) ? ", avx2" : " (this CPU has no AVX2)");
    restore_path();
}

static void test_products_on_layer_shapes(void)
{
    /* (n, k, m) of the forward product X W of each layer; the backward products of the
     * same layer use the same three sizes in other roles, so each is checked as all three
     * products.  Chapter 1 at batch 32; the VAE's 784-400-20 at an odd batch of 9 (quick under Valgrind). */
    static const Shape layers[] = {
        { 32, 784, 128 }, { 32, 128, 32 }, { 32, 32, 128 }, { 32, 128, 784 },
        { 9, 784, 400 }, { 9, 400, 40 }, { 9, 20, 400 }, { 9, 400, 784 },
    };
    Rng rng;
    rng_seed(&rng, 784);
    for (size_t l = 0; l < sizeof layers / sizeof layers[0]; l++) {
        Shape s = layers[l];
        if (!fast_paths_agree(s, &rng))
            break;
        /* the backward products of this layer: dW += X^T dH is (in, B, out), dX += dH W^T
         * is (B, out, in) */
        if (!fast_paths_agree((Shape){ s.k, s.n, s.m }, &rng) || !fast_paths_agree((Shape){ s.n, s.m, s.k }, &rng))
            break;
    }
    restore_path();
}

/* The textbook A B^T with its sum added from p = k-1 down to 0: the same terms, another
 * order.  On these inputs it must give other bits, or the tests above could not fail. */
static void multiply_bt_add_reversed(double *C, const double *A, const double *B, size_t n, size_t k, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            double sum = 0.0;
            for (size_t p = k; p-- > 0;)
                sum += A[i * k + p] * B[j * k + p];
            C[i * m + j] += sum;
        }
}

static void test_a_reordered_sum_is_caught(void)
{
    Rng rng;
    rng_seed(&rng, 33);
    Inputs in;
    Shape s = { 7, 33, 7 };
    double expected[7 * 7], reordered[7 * 7];
    if (!inputs_make(&in, s, &rng)) {
        CHECK_FAIL("out of memory");
        inputs_free(&in);
        return;
    }
    run_product(expected, PRODUCT_A_BT, KERNELS_TEXTBOOK, &in);
    memcpy(reordered, in.C0, sizeof reordered);
    multiply_bt_add_reversed(reordered, in.A, in.B, s.n, s.k, s.m);
    size_t differ = 0;
    for (size_t i = 0; i < s.n * s.m; i++) {
        differ += memcmp(&expected[i], &reordered[i], sizeof expected[i]) != 0;
        CHECK_NEAR(expected[i], reordered[i], 1e-12); /* the same sum, up to rounding */
    }
    CHECK(first_difference(expected, reordered, s.n * s.m) < s.n * s.m);
    check_note("the reversed sum differs in %zu of %zu elements", differ, s.n * s.m);
    inputs_free(&in);
    restore_path();
}

/* ---- Adam ---------------------------------------------------------------------------------- */

/* Five Adam steps of `size` parameters on `path`, each from new gradients; the values. */
static bool adam_run(double *values, size_t size, KernelPath path)
{
    double *grad = malloc(size * sizeof *grad);
    Error err;
    Optimizer adam;
    ParameterList list = { 0 };
    Rng rng;
    rng_seed(&rng, 7);
    rng_fill_normal(&rng, values, size, 0.0, 1.0);
    if (!grad) {
        CHECK_FAIL("out of memory");
        return false;
    }
    parameters_add(&list, "theta", values, grad, size);
    bool ok = optimizer_init_adam(&adam, &list, 1e-3, &err);
    if (!ok)
        CHECK_FAIL("%s", err.message);
    kernel_path_set(path);
    for (int step = 0; ok && step < 5; step++) {
        fill_sparse(&rng, grad, size);
        optimizer_step(&adam);
    }
    optimizer_free(&adam);
    free(grad);
    return ok;
}

static void test_adam_on_every_path(void)
{
    static const size_t sizes[] = { 1, 3, 7, 33, 785, 100352 /* 784 x 128 */ };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t size = sizes[s];
        double *expected = malloc(size * sizeof *expected), *got = malloc(size * sizeof *got);
        bool ok = expected && got && adam_run(expected, size, KERNELS_TEXTBOOK);
        for (KernelPath path = KERNELS_PORTABLE; ok && path <= KERNELS_AVX2; path++) {
            if (!kernel_path_available(path) || !adam_run(got, size, path))
                continue;
            size_t differs_at = first_difference(expected, got, size);
            if (!CHECK_LONG(size, differs_at)) /* size: no parameter differs */
                check_note("Adam, %zu parameters, %s kernels: theta[%zu] = %.17g, the textbook loop gives %.17g",
                           size, kernel_path_name(path), differs_at, got[differs_at], expected[differs_at]);
        }
        free(expected);
        free(got);
    }
    restore_path();
}

/* ---- the paths themselves ------------------------------------------------------------------ */

static void test_kernel_paths(void)
{
    CHECK(kernel_path_available(KERNELS_TEXTBOOK));
    CHECK(kernel_path_available(KERNELS_PORTABLE));
    CHECK(kernel_path_set(KERNELS_TEXTBOOK));
    CHECK_LONG(KERNELS_TEXTBOOK, kernel_path());
    CHECK(strcmp(kernel_path_name(KERNELS_AVX2), "avx2") == 0);
    CHECK(kernel_path_set(KERNELS_AVX2) == kernel_path_available(KERNELS_AVX2));
    restore_path();
}

static const TestCase tests[] = {
    { "fast products give the textbook's bits on odd sizes 1, 3, 7, 33, 785", NULL, test_products_on_odd_sizes },
    { "fast products give the textbook's bits on the programs' layer shapes", NULL, test_products_on_layer_shapes },
    { "the bit comparison catches a sum added in another order", NULL, test_a_reordered_sum_is_caught },
    { "Adam's fast update gives the textbook's bits", NULL, test_adam_on_every_path },
    { "kernel paths: available, set, named", NULL, test_kernel_paths },
};

int main(int argc, char **argv)
{
    remember_path();
    return RUN_SUITE("lib/kernels", tests, argc, argv);
}
