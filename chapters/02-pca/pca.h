/* chapters/02-pca/pca.h — principal component analysis, the linear auto-encoder's optimum
 * (Louppe L11, "Auto-encoders": "when the auto-encoder is linear [...] an optimal solution
 * is given by PCA"; Cheysson & Mary-Huard: "in PCA, e = P' and d = P").
 *
 * Notation of Louppe L11: data x in R^p, code z in R^d, U in R^{p x d} with orthonormal
 * columns u_1 .. u_d. With the mean mu added back (the slide leaves it out, see README):
 *
 *     mu = (1/N) sum_i x_i,               C = (1/N) sum_i (x_i - mu)(x_i - mu)^T,
 *     C u_k = lambda_k u_k,               lambda_1 >= lambda_2 >= ... >= lambda_p >= 0,
 *     f (encoder, P'):  z = U^T (x - mu),    g (decoder, P):  xhat = U z + mu,
 *     (1/N) sum_i ||x_i - xhat_i||^2 = sum_{k > d} lambda_k   (the discarded variance).
 *
 * The eigenvectors come from the cyclic Jacobi method (Jacobi 1846; Golub & Van Loan,
 * "Matrix Computations", section 8.5): rotations J(p, q, theta), each chosen so that
 * J^T A J has a zero at (p, q), swept over every pair until A is diagonal. The README
 * says why this solver. Matrices are row-major; U^T is stored, not U: the principal
 * directions are the ROWS of Pca.directions, so U^T (d, p) is simply its first d rows.
 */
#ifndef VAELAB_PCA_H
#define VAELAB_PCA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* A Jacobi sweep stops when off(A) <= JACOBI_TOLERANCE ||A||_F; since V^T C V = A, every
 * eigenpair then has ||C v - lambda v|| <= off(A) (plus rounding). */
#define JACOBI_TOLERANCE 1e-12
#define JACOBI_MAX_SWEEPS 50 /* quadratic convergence: p = 784 needs about 12 */

typedef struct Pca {
    size_t p;            /* data dimension */
    size_t d;            /* code size: the first d principal directions are used */
    size_t N;            /* how many samples it was fitted on */
    double *mean;        /* mu (p) */
    double *eigenvalues; /* lambda_1 >= ... >= lambda_p (p): the variance along each u_k */
    double *directions;  /* (p, p): row k is u_{k+1}^T, so the first d rows are U^T (d, p) */
    size_t sweeps;       /* Jacobi sweeps the fit took */
} Pca;

/* ---- the covariance (exercise 2.1) -------------------------------------------------- */

/* Exercise 2.1.  mu = (1/N) sum_i x_i                       mu (p), X (N, p) */
void pca_mean(double *mu, const double *X, size_t N, size_t p);
/* Exercise 2.1.  C = (1/N) sum_i (x_i - mu)(x_i - mu)^T, centred before multiplying.
 *                                                           C (p, p), X (N, p), mu (p) */
bool pca_covariance(double *C, const double *X, const double *mu, size_t N, size_t p, Error *err);

/* ---- the symmetric eigensolver (exercises 2.2, 2.3) ----------------------------------- */

/* The plane rotation J(p, q, theta): identity except J_pp = J_qq = c, J_pq = s, J_qp = -s. */
typedef struct JacobiRotation {
    double c, s; /* cos theta, sin theta */
} JacobiRotation;

/* Exercise 2.2.  The rotation, |theta| <= pi/4, that makes (J^T A J)_pq = 0:
 *     tau = (a_qq - a_pp) / (2 a_pq),  t = sign(tau) / (|tau| + sqrt(1 + tau^2)),
 *     c = 1 / sqrt(1 + t^2),  s = t c;   the identity (c = 1, s = 0) when a_pq = 0. */
JacobiRotation jacobi_rotation(double a_pp, double a_qq, double a_pq);
/* Exercise 2.3.  A <- J^T A J and V <- V J, with V stored transposed (row k of Vt = column
 * k of V).  Only rows and columns p and q change.       A (n, n) symmetric, Vt (n, n) */
void jacobi_rotate(double *A, double *Vt, size_t n, size_t p, size_t q, JacobiRotation rotation);

/* A = V diag(lambda) V^T for a symmetric A, by cyclic Jacobi sweeps over every pair p < q.
 * eigenvalues (n) largest first; eigenvectors (n, n) row k = v_k^T, orthonormal, each with
 * its largest-magnitude entry positive; A (n, n) is overwritten. log (NULL: silent) gets a
 * line per sweep; *sweeps (may be NULL) how many it took. Fails on NaN/inf entries. */
bool symmetric_eigen(double *eigenvalues, double *eigenvectors, double *A, size_t n, size_t *sweeps,
                     FILE *log, Error *err);

/* ---- PCA ------------------------------------------------------------------------------ */

/* mu, C = V diag(lambda) V^T of the N samples X (N, p), keeping all p directions and using
 * the first d. Refuses d = 0, d > p, d >= N (N samples span at most N - 1 directions
 * around their mean), a non-finite x_ij, and a constant data set (no direction to find).
 * Past the rank of C, directions are an orthonormal completion with lambda = 0. */
bool pca_fit(Pca *pca, const double *X, size_t N, size_t p, size_t d, FILE *log, Error *err);
/* The checks pca_fit makes before any work (so a program can make them before it prints). */
bool pca_check_input(const double *X, size_t N, size_t p, size_t d, Error *err);
/* Use the first d directions from now on (the same checks on d as pca_fit). */
bool pca_set_code_size(Pca *pca, size_t d, Error *err);
/* Free mu, lambda and the directions and empty the struct; safe on an empty one. */
void pca_free(Pca *pca);

/* Exercise 2.4.  The encoder P' (Louppe's f):  z_i = U^T (x_i - mu)     Z (B, d), X (B, p) */
void pca_encode(const Pca *pca, double *Z, const double *X, size_t B);
/* Exercise 2.4.  The decoder P (Louppe's g):   xhat_i = U z_i + mu     Xhat (B, p), Z (B, d) */
void pca_decode(const Pca *pca, double *Xhat, const double *Z, size_t B);

/* *error = (1/N) sum_i ||x_i - g(f(x_i))||^2                           X (N, p) */
bool pca_reconstruction_error(const Pca *pca, double *error, const double *X, size_t N, Error *err);
/* sum_{k > d} lambda_k: PCA's reconstruction error on the data it was fitted on. */
double pca_discarded_variance(const Pca *pca);
/* sum_{k <= d} lambda_k / sum_k lambda_k, the fraction of tr C that the code keeps. */
double pca_explained_variance(const Pca *pca);
/* xhat(t_k) = g((1 - t_k) f(x_a) + t_k f(x_b)) = (1 - t_k) xhat_a + t_k xhat_b for PCA.
 *                                         out (T, p), X_ends (2, p) = rows x_a, x_b, t (T) */
bool pca_interpolate(const Pca *pca, double *out, const double *X_ends, const double *t, size_t T,
                     Error *err);

/* ---- comparing subspaces (exercise 2.5) ------------------------------------------------ */

/* Exercise 2.5.  Modified Gram-Schmidt on the rows w_1 .. w_d of W: for k = 1 .. d, start
 * from r = w_k, take out one direction at a time, r <- r - (q_j . r) q_j for j < k, then
 * q_k = r / ||r||; false when ||r|| <= 1e-10 ||w_k|| (the rows are linearly dependent).
 *                                                       Q (d, p), W (d, p) */
bool orthonormalise_rows(double *Q, const double *W, size_t d, size_t p);
/* Exercise 2.5.  The orthogonal projector onto the span of the orthonormal rows of Q:
 *     P = Q^T Q = sum_k q_k q_k^T  (= U U^T for Q = U^T)   P (p, p), Q (d, p) */
void projector_from_rows(double *P, const double *Q, size_t d, size_t p);
/* P = the projector onto the span of the rows of W, any basis (orthonormalised first);
 * fails if the rows are linearly dependent.              P (p, p), W (d, p) */
bool subspace_projector(double *P, const double *W, size_t d, size_t p, Error *err);
/* ||P_1 - P_2||_F; for two rank-d projectors = sqrt(2 sum_k sin^2 theta_k) over the
 * principal angles theta_k between the subspaces, so between 0 and sqrt(2 d). */
double projection_distance(const double *P1, const double *P2, size_t p);

#endif
