/* lib/matrix.h — every matrix loop of vaelab, written once.
 *
 * Arrays are row-major: element (i, j) of an (n, m) matrix A is A[i * m + j].
 * Every model in vaelab goes through these loops, so this file decides the speed.  The
 * three products run on the kernel path of lib/kernels.h: the textbook loop, or a fast
 * loop that computes blocks of C at once; each sum is added in the same order on every
 * path, so all paths give the same bits (for finite inputs, and C never -0 where the
 * product adds to it: the textbook skips a zero term that a fast loop may add).
 */
#ifndef VAELAB_MATRIX_H
#define VAELAB_MATRIX_H

#include <stdbool.h>
#include <stddef.h>

/* C = A B                 C (n, m), A (n, k), B (k, m) */
void matrix_multiply(double *restrict C, const double *restrict A, const double *restrict B,
                     size_t n, size_t k, size_t m);
/* C += A^T B              C (n, m), A (k, n), B (k, m)   (a sum over the k rows) */
void matrix_multiply_at_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t k, size_t n, size_t m);
/* C += A B^T              C (n, m), A (n, k), B (m, k) */
void matrix_multiply_bt_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t n, size_t k, size_t m);
/* Y[i, :] += b for every row i     Y (n, m), b (m) */
void add_row_vector(double *restrict Y, const double *restrict b, size_t n, size_t m);
/* s += sum_i Y[i, :]               s (m), Y (n, m) */
void sum_rows_add(double *restrict s, const double *restrict Y, size_t n, size_t m);
/* T = A^T                  T (m, n), A (n, m) */
void matrix_transpose(double *restrict T, const double *restrict A, size_t n, size_t m);

void vector_zero(double *x, size_t n);                                   /* x = 0 */
void vector_copy(double *restrict y, const double *restrict x, size_t n); /* y = x */
void vector_scale(double *x, double alpha, size_t n);                    /* x = alpha x */
void vector_axpy(double *restrict y, double alpha, const double *restrict x, size_t n); /* y += alpha x */
double vector_dot(const double *x, const double *y, size_t n);           /* x . y */
double vector_squared_distance(const double *x, const double *y, size_t n); /* ||x - y||^2 */
double vector_sum(const double *x, size_t n);                            /* sum_i x_i */
double vector_max_abs(const double *x, size_t n);                        /* max_i |x_i| */
bool vector_all_finite(const double *x, size_t n);                      /* no NaN, no inf */

#endif
