/* tests/02-pca/synthetic.c — see synthetic.h. */
#include "synthetic.h"

#include <assert.h>
#include <math.h>

void random_orthogonal(double *Q, size_t n, Rng *rng)
{
    assert(n <= SYNTHETIC_MAX_DIM);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            Q[i * n + j] = i == j ? 1.0 : 0.0;
    for (int reflection = 0; reflection < 3; reflection++) {
        double v[SYNTHETIC_MAX_DIM], vv = 0.0;
        for (size_t i = 0; i < n; i++) {
            v[i] = rng_normal(rng);
            vv += v[i] * v[i];
        }
        for (size_t i = 0; i < n; i++) { /* row i of Q <- row i of Q H */
            double qv = 0.0;
            for (size_t j = 0; j < n; j++)
                qv += Q[i * n + j] * v[j];
            for (size_t j = 0; j < n; j++)
                Q[i * n + j] -= 2.0 * qv * v[j] / vv;
        }
    }
}

void matrix_with_spectrum(double *A, const double *Q, const double *lambda, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            double a = 0.0;
            for (size_t k = 0; k < n; k++)
                a += lambda[k] * Q[k * n + i] * Q[k * n + j];
            A[i * n + j] = a;
        }
}

void gaussian_cloud(double *X, size_t N, const double *mu, const double *Q, const double *lambda, size_t p,
                    Rng *rng)
{
    for (size_t i = 0; i < N; i++) {
        double *x = X + i * p;
        for (size_t j = 0; j < p; j++)
            x[j] = mu[j];
        for (size_t k = 0; k < p; k++) {
            double amplitude = sqrt(lambda[k]) * rng_normal(rng);
            for (size_t j = 0; j < p; j++)
                x[j] += amplitude * Q[k * p + j];
        }
    }
}

void reference_covariance(double *C, const double *X, size_t N, size_t p)
{
    double mean[SYNTHETIC_MAX_DIM] = { 0 };
    assert(p <= SYNTHETIC_MAX_DIM);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < p; j++)
            mean[j] += X[i * p + j] / (double)N;
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < p; k++) {
            double c = 0.0;
            for (size_t i = 0; i < N; i++)
                c += (X[i * p + j] - mean[j]) * (X[i * p + k] - mean[k]);
            C[j * p + k] = c / (double)N;
        }
}

double eigen_residual(const double *A, const double *v, double lambda, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = -lambda * v[i];
        for (size_t j = 0; j < n; j++)
            r += A[i * n + j] * v[j];
        sum += r * r;
    }
    return sqrt(sum);
}

double frobenius_norm(const double *A, size_t n, size_t m)
{
    double sum = 0.0;
    for (size_t i = 0; i < n * m; i++)
        sum += A[i] * A[i];
    return sqrt(sum);
}
