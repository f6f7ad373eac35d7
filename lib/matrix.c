/* lib/matrix.c — see matrix.h. */
#include "matrix.h"

#include <math.h>
#include <string.h>

#include "kernels.h"

/* ---- the textbook loops: the definition of each product ------------------------------
 *
 * One sum per output element, its terms added in the order p = 0, 1, ..., k-1.  The zero
 * skips only save work: adding a*b = +-0 to a sum that is not -0 changes no bit, and these
 * sums start at +0 (or at a gradient that did), so they are never -0. */

static void multiply_textbook(double *restrict C, const double *restrict A, const double *restrict B,
                              size_t n, size_t k, size_t m)
{
    memset(C, 0, n * m * sizeof *C);
    for (size_t i = 0; i < n; i++)
        for (size_t p = 0; p < k; p++) {
            double a = A[i * k + p];
            if (a == 0.0) /* common after ReLU; also skips work on sparse MNIST pixels */
                continue;
            const double *b_row = B + p * m;
            double *c_row = C + i * m;
            for (size_t j = 0; j < m; j++)
                c_row[j] += a * b_row[j];
        }
}

static void multiply_at_add_textbook(double *restrict C, const double *restrict A,
                                     const double *restrict B, size_t k, size_t n, size_t m)
{
    for (size_t p = 0; p < k; p++)
        for (size_t i = 0; i < n; i++) {
            double a = A[p * n + i];
            if (a == 0.0)
                continue;
            const double *b_row = B + p * m;
            double *c_row = C + i * m;
            for (size_t j = 0; j < m; j++)
                c_row[j] += a * b_row[j];
        }
}

static void multiply_bt_add_textbook(double *restrict C, const double *restrict A,
                                     const double *restrict B, size_t n, size_t k, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++) {
            const double *a_row = A + i * k;
            const double *b_row = B + j * k;
            double sum = 0.0;
            for (size_t p = 0; p < k; p++)
                sum += a_row[p] * b_row[p];
            C[i * m + j] += sum;
        }
}

/* ---- the fast loops: the same sums, a block of outputs at a time -------------------------
 *
 * Each fast loop computes a ROWS x COLS block of C at once, its sums held in local
 * variables (registers) for the whole sum over p: every A and B element loaded is used
 * COLS or ROWS times, and the ROWS * COLS additions of one step are independent, so they
 * overlap instead of waiting for each other.  Each sum still adds its terms one at a time
 * in the order p = 0, 1, ..., k-1: the bits are the textbook's.  The blocks at the right
 * and bottom edges run the same code with fewer rows or columns. */

enum { ROWS = 4, COLS = 8 };  /* 32 sums: 8 AVX2 registers, fewer than the 16 there are */

static size_t block_size(size_t start, size_t total, size_t block)
{
    return total - start < block ? total - start : block;
}

/* A B and A^T B are one loop: C[i, j] (+)= sum_p a(i, p) B[p, j], where a(i, p) is
 * A[i * a_row + p * a_col]: A itself for A B (a_row = k, a_col = 1), A^T for A^T B
 * (A stored (k, n): a_row = 1, a_col = n).  The sums start at 0, or at C for "+=" (the
 * textbook adds each term to C itself: C + t_0 + t_1 + ..., not C + (t_0 + t_1 + ...)). */
typedef struct Operand {
    size_t a_row, a_col; /* where a(i, p) is in A */
    bool add;            /* C += ... rather than C = ... */
} Operand;

/* The block of C at rows i0 .. i0 + rows - 1, columns j0 .. j0 + cols - 1. */
KERNEL_BODY void product_block(double *restrict C, const double *restrict A, const double *restrict B,
                               Operand op, size_t k, size_t m, size_t i0, size_t j0, size_t rows, size_t cols)
{
    double sum[ROWS][COLS];
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            sum[r][c] = op.add ? C[(i0 + r) * m + j0 + c] : 0.0;
    for (size_t p = 0; p < k; p++) {
        double a[ROWS];
        bool all_zero = true;
        for (size_t r = 0; r < rows; r++) {
            a[r] = A[(i0 + r) * op.a_row + p * op.a_col];
            all_zero = all_zero && a[r] == 0.0;
        }
        if (all_zero) /* the textbook's skip, for a whole column of the block */
            continue;
        const double *b = B + p * m + j0;
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++)
                sum[r][c] += a[r] * b[c];
    }
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            C[(i0 + r) * m + j0 + c] = sum[r][c];
}

/* Blocks of columns of C outside and of rows inside, or the other way around, so that the
 * inner loop sweeps the smaller operand (all of A (n, k) or all of B (k, m)) while the
 * outer loop's panel of the larger one is reused from cache.  The full blocks get
 * constant sizes, so that the compiler keeps their sums in registers. */
KERNEL_BODY void product_fast(double *restrict C, const double *restrict A, const double *restrict B,
                              Operand op, size_t n, size_t k, size_t m)
{
    if (n <= m) /* A is the smaller: it passes over each column panel of B */
        for (size_t j0 = 0; j0 < m; j0 += COLS) {
            size_t cols = block_size(j0, m, COLS), i0 = 0;
            if (cols == COLS)
                for (; i0 + ROWS <= n; i0 += ROWS)
                    product_block(C, A, B, op, k, m, i0, j0, ROWS, COLS);
            for (; i0 < n; i0 += ROWS)
                product_block(C, A, B, op, k, m, i0, j0, block_size(i0, n, ROWS), cols);
        }
    else /* B is the smaller: it passes over each row panel of A */
        for (size_t i0 = 0; i0 < n; i0 += ROWS) {
            size_t rows = block_size(i0, n, ROWS), j0 = 0;
            if (rows == ROWS)
                for (; j0 + COLS <= m; j0 += COLS)
                    product_block(C, A, B, op, k, m, i0, j0, ROWS, COLS);
            for (; j0 < m; j0 += COLS)
                product_block(C, A, B, op, k, m, i0, j0, rows, block_size(j0, m, COLS));
        }
}

KERNEL_BODY void multiply_fast(double *restrict C, const double *restrict A, const double *restrict B,
                               size_t n, size_t k, size_t m)
{
    product_fast(C, A, B, (Operand){ .a_row = k, .a_col = 1, .add = false }, n, k, m);
}

KERNEL_BODY void multiply_at_add_fast(double *restrict C, const double *restrict A,
                                      const double *restrict B, size_t k, size_t n, size_t m)
{
    product_fast(C, A, B, (Operand){ .a_row = 1, .a_col = n, .add = true }, n, k, m);
}

/* A B^T reads B by columns, which no vector instruction loads.  So it copies COLS rows of
 * B, PANEL_DEPTH terms at a time, into a panel laid out as B^T (a few kB on the stack),
 * and runs the A B loop on it: the sums, kept in `sums` between panels, still add the
 * terms p = 0, 1, ..., k-1 in order, and go into C once complete, as the textbook's do. */
enum { PANEL_DEPTH = 128, PANEL_ROWS = 64 };

KERNEL_BODY void multiply_bt_add_fast(double *restrict C, const double *restrict A,
                                      const double *restrict B, size_t n, size_t k, size_t m)
{
    double panel[PANEL_DEPTH * COLS]; /* (depth, cols): B[j0 + c, p0 + q] at q * cols + c */
    double sums[PANEL_ROWS * COLS];   /* (rows, cols): the sums of C[i0 + r, j0 + c] so far */
    const Operand op = { .a_row = k, .a_col = 1, .add = true };
    for (size_t j0 = 0; j0 < m; j0 += COLS) {
        size_t cols = block_size(j0, m, COLS);
        for (size_t i0 = 0; i0 < n; i0 += PANEL_ROWS) {
            size_t rows = block_size(i0, n, PANEL_ROWS);
            memset(sums, 0, sizeof sums);
            for (size_t p0 = 0; p0 < k; p0 += PANEL_DEPTH) {
                size_t depth = block_size(p0, k, PANEL_DEPTH);
                for (size_t c = 0; c < cols; c++)
                    for (size_t q = 0; q < depth; q++)
                        panel[q * cols + c] = B[(j0 + c) * k + p0 + q];
                product_fast(sums, A + i0 * k + p0, panel, op, rows, depth, cols);
            }
            for (size_t r = 0; r < rows; r++)
                for (size_t c = 0; c < cols; c++)
                    C[(i0 + r) * m + j0 + c] += sums[r * cols + c];
        }
    }
}

/* ---- the products: the path kernel_path() names -----------------------------------------
 *
 * The three products share one signature (C, A, B and three sizes), so each has a table of
 * its kernels indexed by KernelPath.  KERNEL_PATHS(name) compiles the fast loop
 * name_fast twice, as name_portable and as name_avx2 (kernels.h). */

typedef void ProductKernel(double *restrict C, const double *restrict A, const double *restrict B,
                           size_t size1, size_t size2, size_t size3);

#define KERNEL_PATHS(name)                                                                        \
    static void name##_portable(double *restrict C, const double *restrict A,                     \
                                const double *restrict B, size_t s1, size_t s2, size_t s3)        \
    {                                                                                             \
        name##_fast(C, A, B, s1, s2, s3);                                                         \
    }                                                                                             \
    KERNEL_AVX2 static void name##_avx2(double *restrict C, const double *restrict A,             \
                                        const double *restrict B, size_t s1, size_t s2, size_t s3) \
    {                                                                                             \
        name##_fast(C, A, B, s1, s2, s3);                                                         \
    }                                                                                             \
    static ProductKernel *const name##_kernels[] = { name##_textbook, name##_portable, name##_avx2 };

KERNEL_PATHS(multiply)
KERNEL_PATHS(multiply_at_add)
KERNEL_PATHS(multiply_bt_add)

void matrix_multiply(double *restrict C, const double *restrict A, const double *restrict B,
                     size_t n, size_t k, size_t m)
{
    multiply_kernels[kernel_path()](C, A, B, n, k, m);
}

void matrix_multiply_at_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t k, size_t n, size_t m)
{
    multiply_at_add_kernels[kernel_path()](C, A, B, k, n, m);
}

void matrix_multiply_bt_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t n, size_t k, size_t m)
{
    multiply_bt_add_kernels[kernel_path()](C, A, B, n, k, m);
}

void add_row_vector(double *restrict Y, const double *restrict b, size_t n, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            Y[i * m + j] += b[j];
}

void sum_rows_add(double *restrict s, const double *restrict Y, size_t n, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            s[j] += Y[i * m + j];
}

void matrix_transpose(double *restrict T, const double *restrict A, size_t n, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            T[j * n + i] = A[i * m + j];
}

void vector_zero(double *x, size_t n)
{
    memset(x, 0, n * sizeof *x);
}

void vector_copy(double *restrict y, const double *restrict x, size_t n)
{
    memcpy(y, x, n * sizeof *y);
}

void vector_scale(double *x, double alpha, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] *= alpha;
}

void vector_axpy(double *restrict y, double alpha, const double *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

double vector_dot(const double *x, const double *y, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i] * y[i];
    return sum;
}

double vector_squared_distance(const double *x, const double *y, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - y[i];
        sum += d * d;
    }
    return sum;
}

double vector_sum(const double *x, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    return sum;
}

double vector_max_abs(const double *x, size_t n)
{
    double largest = 0.0;
    for (size_t i = 0; i < n; i++)
        largest = fmax(largest, fabs(x[i]));
    return largest;
}

bool vector_all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}
