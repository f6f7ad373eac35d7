/* lib/matrix.c — see matrix.h. */
#include "matrix.h"

#include <math.h>
#include <string.h>

void matrix_multiply(double *restrict C, const double *restrict A, const double *restrict B,
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

void matrix_multiply_at_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t k, size_t n, size_t m)
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

void matrix_multiply_bt_add(double *restrict C, const double *restrict A, const double *restrict B,
                            size_t n, size_t k, size_t m)
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
