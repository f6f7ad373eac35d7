/* exercises/02-pca/pca.c — PCA from first principles: the mean, the covariance, the cyclic
 * Jacobi eigensolver, the encoder P' and decoder P (Louppe L11, "Auto-encoders";
 * Cheysson & Mary-Huard). See chapters/02-pca/pca.h and README.md for the math. */
#include "pca.h"

#include <math.h>
#include <stdlib.h>

#include "exercise.h"
#include "loss.h"
#include "matrix.h"
#include "progress.h"

/* ---- the covariance ------------------------------------------------------------------ */

/* mu = (1/N) sum_i x_i */
void pca_mean(double *mu, const double *X, size_t N, size_t p)
{
    /* EXERCISE 2.1 (2 points): the mean and the centred covariance.
     * Replace this stub with your code; `make hint EX=2.1` prints a hint. */
    exercise_not_implemented("2.1", __func__);
    (void)X;
    (void)N;
    vector_zero(mu, p); // zeros: a safe wrong answer
    /* END EXERCISE 2.1 */
}

/* C = (1/N) sum_i (x_i - mu)(x_i - mu)^T, the covariance normalised by N, as the
 * reconstruction loss (1/N) sum_i ||x_i - xhat_i||^2 is. The rows are centred BEFORE they
 * are multiplied: (1/N) sum_i x_i x_i^T - mu mu^T is the same number on paper, but it
 * subtracts two large numbers when the data sit far from the origin. */
bool pca_covariance(double *C, const double *X, const double *mu, size_t N, size_t p, Error *err)
{
    /* EXERCISE 2.1 (2 points): the mean and the centred covariance.
     * Replace this stub with your code; `make hint EX=2.1` prints a hint. */
    exercise_not_implemented("2.1", __func__);
    (void)X;
    (void)mu;
    (void)N;
    (void)err;
    vector_zero(C, p * p); // zeros: a safe wrong answer
    return true;
    /* END EXERCISE 2.1 */
}

/* ---- the symmetric eigensolver: cyclic Jacobi ------------------------------------------ */

/* The 2 x 2 problem: (J^T A J)_pq = (c^2 - s^2) a_pq + c s (a_pp - a_qq) = 0, i.e. with
 * t = s / c:  t^2 + 2 tau t - 1 = 0,  tau = (a_qq - a_pp) / (2 a_pq).  The smaller root
 * t = sign(tau) / (|tau| + sqrt(1 + tau^2)) keeps |theta| <= pi/4, so the rotation moves
 * A as little as possible (Golub & Van Loan, Algorithm 8.5.1). */
JacobiRotation jacobi_rotation(double a_pp, double a_qq, double a_pq)
{
    /* EXERCISE 2.2 (2 points): the Jacobi rotation that zeroes a_pq.
     * Replace this stub with your code; `make hint EX=2.2` prints a hint. */
    exercise_not_implemented("2.2", __func__);
    (void)a_pp;
    (void)a_qq;
    (void)a_pq;
    return (JacobiRotation){ 1.0, 0.0 }; // the identity: a safe wrong answer
    /* END EXERCISE 2.2 */
}

/* A <- J^T A J in two steps: J^T A mixes rows p and q, (J^T A) J then columns p and q,
 *     row_p <- c row_p - s row_q,   row_q <- s row_p + c row_q   (and the same for columns);
 * V <- V J mixes columns p and q of V, which are rows p and q of Vt. */
void jacobi_rotate(double *A, double *Vt, size_t n, size_t p, size_t q, JacobiRotation rotation)
{
    /* EXERCISE 2.3 (3 points): applying a rotation: A <- J^T A J and V <- V J.
     * Replace this stub with your code; `make hint EX=2.3` prints a hint. */
    exercise_not_implemented("2.3", __func__);
    (void)A;
    (void)Vt;
    (void)n;
    (void)p;
    (void)q;
    (void)rotation; // A and V left as they were: a safe wrong answer
    /* END EXERCISE 2.3 */
}

/* off(A) = sqrt(sum_{i != j} a_ij^2), summed directly: ||A||_F^2 - sum_i a_ii^2 would
 * cancel to noise just when off(A) is small enough to matter. */
static double off_diagonal_norm(const double *A, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (j != i)
                sum += A[i * n + j] * A[i * n + j];
    return sqrt(sum);
}

/* One cyclic sweep: every pair p < q in row order gets the rotation that zeroes a_pq.
 * Each one lowers off(A)^2 by exactly 2 a_pq^2; later rotations refill zeros made earlier,
 * but less each sweep, and the convergence is quadratic in the end. */
static void jacobi_sweep(double *A, double *Vt, size_t n)
{
    for (size_t p = 0; p + 1 < n; p++)
        for (size_t q = p + 1; q < n; q++)
            if (A[p * n + q] != 0.0) /* e.g. pixels that are 0 in every image */
                jacobi_rotate(A, Vt, n, p, q, jacobi_rotation(A[p * n + p], A[q * n + q], A[p * n + q]));
}

/* Largest eigenvalue first (ties keep their order: a stable insertion sort), and the sign
 * of each eigenvector fixed so that its largest-magnitude entry is positive: +v and -v
 * are equally good, and this makes the answer unique. */
static void sort_eigenpairs(double *eigenvalues, double *eigenvectors, const double *A, const double *Vt,
                            size_t *order, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t j = k;
        for (; j > 0 && A[order[j - 1] * (n + 1)] < A[k * (n + 1)]; j--)
            order[j] = order[j - 1];
        order[j] = k;
    }
    for (size_t k = 0; k < n; k++) {
        double *v = eigenvectors + k * n;
        eigenvalues[k] = A[order[k] * (n + 1)];
        vector_copy(v, Vt + order[k] * n, n);
        size_t largest = 0;
        for (size_t j = 1; j < n; j++)
            if (fabs(v[j]) > fabs(v[largest]))
                largest = j;
        if (v[largest] < 0.0)
            vector_scale(v, -1.0, n);
    }
}

/* V^T A V = diag(lambda): repeat sweeps until off(A) <= JACOBI_TOLERANCE ||A||_F. The
 * columns of V = the product of all rotations are then the eigenvectors: orthonormal by
 * construction, since every J is. */
bool symmetric_eigen(double *eigenvalues, double *eigenvectors, double *A, size_t n, size_t *sweeps,
                     FILE *log, Error *err)
{
    if (!vector_all_finite(A, n * n))
        return error_set(err, "the matrix has entries that are not finite (NaN or infinity)");
    double *Vt = alloc_doubles(n * n, err);
    size_t *order = checked_calloc(n, sizeof *order, err);
    bool ok = Vt && order;
    for (size_t k = 0; ok && k < n; k++)
        Vt[k * n + k] = 1.0; /* V = I */
    double norm = sqrt(vector_dot(A, A, n * n)), previous = INFINITY;
    Stopwatch watch;
    stopwatch_start(&watch);
    size_t sweep = 0;
    while (ok) {
        double off = off_diagonal_norm(A, n);
        if (log)
            fprintf(log, "  Jacobi sweep %2zu   off(A) / ||A||_F = %.3e   (%.1f s)\n", sweep,
                    norm > 0.0 ? off / norm : 0.0, stopwatch_seconds(&watch));
        if (off <= JACOBI_TOLERANCE * norm)
            break;
        if (off >= previous || sweep == JACOBI_MAX_SWEEPS)
            ok = error_set(err, "the Jacobi sweeps stopped converging: off(A) = %.3g ||A||_F after %zu sweeps",
                           off / norm, sweep);
        previous = off;
        if (ok)
            jacobi_sweep(A, Vt, n);
        sweep++;
    }
    if (ok)
        sort_eigenpairs(eigenvalues, eigenvectors, A, Vt, order, n);
    if (ok && sweeps)
        *sweeps = sweep;
    free(Vt);
    free(order);
    return ok;
}

/* ---- PCA ------------------------------------------------------------------------------- */

/* 1 <= d <= p, and d <= N - 1: N points span at most N - 1 directions around their mean. */
static bool check_code_size(size_t d, size_t p, size_t N, Error *err)
{
    if (d == 0)
        return error_set(err, "the code size d must be at least 1");
    if (d > p)
        return error_set(err, "d = %zu exceeds the data dimension p = %zu", d, p);
    if (d >= N)
        return error_set(err, "d = %zu needs at least %zu samples (N samples span at most N - 1 directions "
                              "around their mean), got N = %zu", d, d + 1, N);
    return true;
}

/* Every x_ij finite, and not every sample the same (then C = 0: no direction to find). */
static bool check_data(const double *X, size_t N, size_t p, Error *err)
{
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < p; j++)
            if (!isfinite(X[i * p + j]))
                return error_set(err, "sample %zu, coordinate %zu is %s: the data must be finite numbers", i, j,
                                 isnan(X[i * p + j]) ? "NaN" : "infinite");
    for (size_t i = 1; i < N; i++)
        if (vector_squared_distance(X, X + i * p, p) > 0.0)
            return true;
    return error_set(err, "all %zu samples are the same: the data have zero variance, so there is no principal "
                          "direction to find", N);
}

/* 1 <= d <= min(p, N - 1); x_ij finite; some x_i != x_1 */
bool pca_check_input(const double *X, size_t N, size_t p, size_t d, Error *err)
{
    return check_code_size(d, p, N, err) && check_data(X, N, p, err);
}

/* mu, then C, then C = V diag(lambda) V^T; U^T = the first d rows of V^T. */
bool pca_fit(Pca *pca, const double *X, size_t N, size_t p, size_t d, FILE *log, Error *err)
{
    *pca = (Pca){ .p = p, .d = d, .N = N };
    if (!pca_check_input(X, N, p, d, err))
        return false;
    double *C = NULL;
    bool ok = (pca->mean = alloc_doubles(p, err)) && (pca->eigenvalues = alloc_doubles(p, err))
              && (pca->directions = alloc_doubles(p * p, err)) && (C = alloc_doubles(p * p, err));
    if (ok) {
        pca_mean(pca->mean, X, N, p);
        ok = pca_covariance(C, X, pca->mean, N, p, err)
             && symmetric_eigen(pca->eigenvalues, pca->directions, C, p, &pca->sweeps, log, err);
    }
    free(C);
    if (!ok)
        pca_free(pca);
    return ok;
}

/* U^T <- the first d rows of V^T */
bool pca_set_code_size(Pca *pca, size_t d, Error *err)
{
    if (!check_code_size(d, pca->p, pca->N, err))
        return false;
    pca->d = d;
    return true;
}

void pca_free(Pca *pca)
{
    free(pca->mean);
    free(pca->eigenvalues);
    free(pca->directions);
    *pca = (Pca){ 0 };
}

/* z_i = U^T (x_i - mu) = U^T x_i - U^T mu: Z = X U, then u_k . mu off column k. (The two
 * forms round alike: x_i itself carries an error of eps |x_i|, more than the subtraction.) */
void pca_encode(const Pca *pca, double *Z, const double *X, size_t B)
{
    /* EXERCISE 2.4 (2 points): the encoder P' and the decoder P.
     * Replace this stub with your code; `make hint EX=2.4` prints a hint. */
    exercise_not_implemented("2.4", __func__);
    (void)X;
    vector_zero(Z, B * pca->d); // zeros: a safe wrong answer
    /* END EXERCISE 2.4 */
}

/* xhat_i = U z_i + mu: Xhat = Z U^T + 1 mu^T */
void pca_decode(const Pca *pca, double *Xhat, const double *Z, size_t B)
{
    /* EXERCISE 2.4 (2 points): the encoder P' and the decoder P.
     * Replace this stub with your code; `make hint EX=2.4` prints a hint. */
    exercise_not_implemented("2.4", __func__);
    (void)Z;
    vector_zero(Xhat, B * pca->p); // zeros: a safe wrong answer
    /* END EXERCISE 2.4 */
}

/* (1/N) sum_i ||x_i - U U^T (x_i - mu) - mu||^2, a batch at a time */
bool pca_reconstruction_error(const Pca *pca, double *error, const double *X, size_t N, Error *err)
{
    enum { BATCH = 256 };
    size_t p = pca->p;
    double *Z = alloc_doubles(BATCH * pca->d, err);
    double *Xhat = Z ? alloc_doubles(BATCH * p, err) : NULL;
    double sum = 0.0;
    for (size_t start = 0; Xhat && start < N; start += BATCH) {
        size_t B = N - start < BATCH ? N - start : BATCH;
        pca_encode(pca, Z, X + start * p, B);
        pca_decode(pca, Xhat, Z, B);
        sum += (double)B * squared_error_loss(Xhat, X + start * p, B, p);
    }
    *error = sum / (double)N;
    bool ok = Xhat != NULL;
    free(Z);
    free(Xhat);
    return ok;
}

/* sum_{k > d} lambda_k */
double pca_discarded_variance(const Pca *pca)
{
    return vector_sum(pca->eigenvalues + pca->d, pca->p - pca->d);
}

/* sum_{k <= d} lambda_k / tr C */
double pca_explained_variance(const Pca *pca)
{
    return vector_sum(pca->eigenvalues, pca->d) / vector_sum(pca->eigenvalues, pca->p);
}

/* z(t) = (1 - t) z_a + t z_b, then xhat(t) = U z(t) + mu */
bool pca_interpolate(const Pca *pca, double *out, const double *X_ends, const double *t, size_t T, Error *err)
{
    size_t d = pca->d;
    double *ends = alloc_doubles(2 * d, err);
    double *codes = ends ? alloc_doubles(T * d, err) : NULL;
    if (codes) {
        pca_encode(pca, ends, X_ends, 2);
        for (size_t k = 0; k < T; k++) {
            vector_axpy(codes + k * d, 1.0 - t[k], ends, d);
            vector_axpy(codes + k * d, t[k], ends + d, d);
        }
        pca_decode(pca, out, codes, T);
    }
    free(ends);
    free(codes);
    return codes != NULL;
}

/* ---- comparing subspaces --------------------------------------------------------------- */

/* q_k = r / ||r||, r = w_k with each earlier q_j taken out in turn: r <- r - (q_j . r) q_j.
 * Projecting the running r (modified Gram-Schmidt), not w_k, keeps Q orthonormal to
 * rounding when the w_k are nearly parallel. */
bool orthonormalise_rows(double *Q, const double *W, size_t d, size_t p)
{
    /* EXERCISE 2.5 (2 points): orthonormal rows and the projector U U^T.
     * Replace this stub with your code; `make hint EX=2.5` prints a hint. */
    exercise_not_implemented("2.5", __func__);
    (void)W;
    vector_zero(Q, d * p); // zeros: a safe wrong answer
    return true;
    /* END EXERCISE 2.5 */
}

/* P = Q^T Q = sum_k q_k q_k^T */
void projector_from_rows(double *P, const double *Q, size_t d, size_t p)
{
    /* EXERCISE 2.5 (2 points): orthonormal rows and the projector U U^T.
     * Replace this stub with your code; `make hint EX=2.5` prints a hint. */
    exercise_not_implemented("2.5", __func__);
    (void)Q;
    (void)d;
    vector_zero(P, p * p); // zeros: a safe wrong answer
    /* END EXERCISE 2.5 */
}

/* P = Q^T Q with Q = Gram-Schmidt(W) */
bool subspace_projector(double *P, const double *W, size_t d, size_t p, Error *err)
{
    double *Q = alloc_doubles(d * p, err);
    if (!Q)
        return false;
    bool ok = orthonormalise_rows(Q, W, d, p);
    if (ok)
        projector_from_rows(P, Q, d, p);
    else
        error_set(err, "the %zu rows are linearly dependent: they span fewer than %zu directions", d, d);
    free(Q);
    return ok;
}

/* ||P_1 - P_2||_F */
double projection_distance(const double *P1, const double *P2, size_t p)
{
    return sqrt(vector_squared_distance(P1, P2, p * p));
}
