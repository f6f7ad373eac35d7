/* tests/02-pca/synthetic.h — matrices and data sets whose spectrum the tests know.
 *
 * Written with plain loops, independently of chapter 2's code and of lib's matrix loops,
 * so that they can serve as references.
 */
#ifndef VAELAB_TESTS_SYNTHETIC_H
#define VAELAB_TESTS_SYNTHETIC_H

#include <stddef.h>

#include "rng.h"

enum { SYNTHETIC_MAX_DIM = 16 };

/* Q (n, n) orthogonal: the product H_1 H_2 H_3 of three Householder reflections
 * H = I - 2 v v^T / (v^T v), v ~ N(0, I). Row k of Q is q_k^T.  n <= SYNTHETIC_MAX_DIM */
void random_orthogonal(double *Q, size_t n, Rng *rng);

/* A = Q^T diag(lambda) Q = sum_k lambda_k q_k q_k^T: eigenpairs (lambda_k, q_k).
 *                                                       A (n, n), Q (n, n), lambda (n) */
void matrix_with_spectrum(double *A, const double *Q, const double *lambda, size_t n);

/* x_i = mu + sum_k sqrt(lambda_k) eps_ik q_k, eps_ik ~ N(0, 1): a Gaussian cloud with
 * mean mu and covariance Q^T diag(lambda) Q.           X (N, p), mu (p), Q (p, p) */
void gaussian_cloud(double *X, size_t N, const double *mu, const double *Q, const double *lambda, size_t p,
                    Rng *rng);

/* The reference covariance, by the definition: (1/N) sum_i (x_i - mean)(x_i - mean)^T,
 * with the mean computed here too.                      C (p, p), X (N, p) */
void reference_covariance(double *C, const double *X, size_t N, size_t p);

/* ||A v - lambda v||_2 for v (n) and A (n, n). */
double eigen_residual(const double *A, const double *v, double lambda, size_t n);

/* ||A||_F */
double frobenius_norm(const double *A, size_t n, size_t m);

#endif
