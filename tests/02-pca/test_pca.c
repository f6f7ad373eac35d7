/* tests/02-pca/test_pca.c — chapter 2: PCA from first principles.
 *
 * Each exercise is compared with an independent computation: the covariance with its
 * definition written as loops (tests/02-pca/synthetic.c) and with a hand-worked example,
 * the Jacobi rotation with the 2 x 2 eigenproblem in closed form, its application with the
 * explicit products J^T A J and V J, the whole eigensolver with matrices whose spectrum
 * is known by construction, encode/decode with loops, Gram-Schmidt and the projector with
 * their defining properties. Uses lib/ and chapter 2 only.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "matrix.h"
#include "pca.h"
#include "rng.h"
#include "synthetic.h"

/* ---- 2.1 the mean and the covariance ---------------------------------------------------- */

/* Four points of the plane, worked by hand: mu = (1.5, 1), and the deviations
 * (-1.5, -1), (-0.5, 0), (0.5, 1), (1.5, 0) give C = [[1.25, 0.5], [0.5, 0.5]]. */
static void test_covariance_by_hand(void)
{
    const double X[8] = { 0, 0, 1, 1, 2, 2, 3, 1 };
    const double expected[4] = { 1.25, 0.5, 0.5, 0.5 };
    double mu[2], C[4];
    Error err;
    fill_nan(mu, 2);
    fill_nan(C, 4);
    pca_mean(mu, X, 4, 2);
    const double expected_mu[2] = { 1.5, 1.0 };
    CHECK_ARRAY_NEAR(expected_mu, mu, 2, 1e-15, "coordinate %zu of mu = (1/N) sum_i x_i, the mean of the 4 points");
    CHECK(pca_covariance(C, X, expected_mu, 4, 2, &err)); /* the exact mean: this checks 2.1's C alone */
    CHECK_ARRAY_NEAR(expected, C, 4, 1e-15, "entry %zu of C (2 x 2, row-major), worked by hand above");
}

/* 130 samples in R^7 (more than one block of rows, if blocks there are) against the
 * definition (1/N) sum_i (x_i - mu)(x_i - mu)^T computed entry by entry. */
static void test_covariance_matches_definition(void)
{
    enum { N = 130, P = 7 };
    static double X[N * P];
    double Q[P * P], C[P * P], reference[P * P], mu[P];
    const double lambda[P] = { 6, 4, 3, 2, 1, 0.5, 0.25 }, center[P] = { 1, -2, 3, 0.5, 0, 4, -1 };
    Rng rng;
    Error err;
    rng_seed(&rng, 21);
    random_orthogonal(Q, P, &rng);
    gaussian_cloud(X, N, center, Q, lambda, P, &rng);
    fill_nan(mu, P);
    fill_nan(C, P * P);
    pca_mean(mu, X, N, P);
    CHECK(pca_covariance(C, X, mu, N, P, &err));
    reference_covariance(reference, X, N, P);
    double scale = vector_max_abs(reference, P * P);
    CHECK_ARRAY_NEAR(reference, C, P * P, 1e-13 * scale,
                     "entry %zu of C (7 x 7, row-major), against (1/N) sum_i (x_i - mu)(x_i - mu)^T entry by entry");
}

/* Data 10^6 away from the origin, spread about 1. Centring first, C carries only the
 * rounding of the mean, delta ~ N eps 10^6 / N ~ 1e-10, squared: error ~ eps. The
 * one-pass form (1/N) sum x x^T - mu mu^T subtracts numbers ~ 10^12 and loses
 * eps 10^12 ~ 2e-4. The tolerance 1e-8 lies far from both. The reference is exact:
 * x - 10^6 is computed without rounding (Sterbenz), and C does not depend on a shift. */
static void test_covariance_centres_first(void)
{
    enum { N = 100, P = 3 };
    const double offset = 1e6;
    double X[N * P], shifted[N * P], C[P * P], reference[P * P], mu[P];
    Rng rng;
    Error err;
    rng_seed(&rng, 22);
    for (size_t k = 0; k < N * P; k++) {
        X[k] = offset + rng_normal(&rng);
        shifted[k] = X[k] - offset;
    }
    fill_nan(mu, P);
    fill_nan(C, P * P);
    pca_mean(mu, X, N, P);
    CHECK(pca_covariance(C, X, mu, N, P, &err));
    reference_covariance(reference, shifted, N, P);
    CHECK_ARRAY_NEAR(reference, C, P * P, 1e-8,
                     "entry %zu of C (3 x 3, row-major) of data 10^6 from the origin: x - mu first, then the "
                     "products (the one-pass (1/N) sum x x^T - mu mu^T loses ~2e-4 here)");
}

/* ---- 2.2 the rotation -------------------------------------------------------------------- */

/* B = J^T A J on the 2 x 2 block (p, q):
 *   b_pp = c^2 a_pp - 2 c s a_pq + s^2 a_qq,   b_qq = s^2 a_pp + 2 c s a_pq + c^2 a_qq,
 *   b_pq = c s (a_pp - a_qq) + (c^2 - s^2) a_pq. */
static void rotate_2x2(double b[3], double a_pp, double a_qq, double a_pq, JacobiRotation r)
{
    double c = r.c, s = r.s;
    b[0] = c * c * a_pp - 2.0 * c * s * a_pq + s * s * a_qq;
    b[1] = s * s * a_pp + 2.0 * c * s * a_pq + c * c * a_qq;
    b[2] = c * s * (a_pp - a_qq) + (c * c - s * s) * a_pq;
}

/* For each 2 x 2 symmetric [[a_pp, a_pq], [a_pq, a_qq]]: c^2 + s^2 = 1, |theta| <= pi/4
 * (|s| <= c), b_pq = 0, and the diagonal holds the eigenvalues (a_pp + a_qq)/2 +-
 * hypot((a_pp - a_qq)/2, a_pq). Rounding: the test's own b_pq sums four terms of size
 * <= scale, so 1e-14 scale (about 45 eps) bounds it; a wrong formula misses by ~scale. */
static void test_rotation_zeroes_a_pq(void)
{
    const double cases[][3] = { { 2, 1, 0.5 }, { 1, 1, 3 }, { -3, 5, 1e-3 }, { 4, -2, -7 }, { 1e6, 1, 1e-3 } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double a_pp = cases[k][0], a_qq = cases[k][1], a_pq = cases[k][2], b[3];
        double scale = fmax(fmax(fabs(a_pp), fabs(a_qq)), fabs(a_pq));
        JacobiRotation r = jacobi_rotation(a_pp, a_qq, a_pq);
        rotate_2x2(b, a_pp, a_qq, a_pq, r);
        double middle = 0.5 * (a_pp + a_qq), radius = hypot(0.5 * (a_pp - a_qq), a_pq);
        check_note("case %zu: a_pp %g, a_qq %g, a_pq %g -> c %.17g, s %.17g", k, a_pp, a_qq, a_pq, r.c, r.s);
        CHECK_NEAR(1.0, r.c * r.c + r.s * r.s, 4 * DBL_EPSILON);
        CHECK(fabs(r.s) <= r.c * (1.0 + 4 * DBL_EPSILON));
        CHECK_NEAR(0.0, b[2], 1e-14 * scale);
        CHECK_NEAR(middle + radius, fmax(b[0], b[1]), 1e-14 * scale);
        CHECK_NEAR(middle - radius, fmin(b[0], b[1]), 1e-14 * scale);
    }
    JacobiRotation identity = jacobi_rotation(5.0, 2.0, 0.0); /* nothing to zero */
    CHECK_NEAR(1.0, identity.c, 0.0);
    CHECK_NEAR(0.0, identity.s, 0.0);
}

/* ---- 2.3 applying the rotation ----------------------------------------------------------- */

enum { M = 6 };

static void random_symmetric(double *A, size_t n, Rng *rng)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j <= i; j++)
            A[i * n + j] = A[j * n + i] = rng_normal(rng);
}

/* J (M, M): the identity with J_pp = J_qq = c, J_pq = s, J_qp = -s. */
static void explicit_rotation(double *J, size_t p, size_t q, JacobiRotation r)
{
    for (size_t i = 0; i < M * M; i++)
        J[i] = i % (M + 1) == 0 ? 1.0 : 0.0;
    J[p * M + p] = J[q * M + q] = r.c;
    J[p * M + q] = r.s;
    J[q * M + p] = -r.s;
}

/* out = X^T Y (transpose_x) or X Y, for M x M matrices, by the definition. */
static void product(double *out, const double *X, const double *Y, bool transpose_x)
{
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++) {
            double sum = 0.0;
            for (size_t k = 0; k < M; k++)
                sum += (transpose_x ? X[k * M + i] : X[i * M + k]) * Y[k * M + j];
            out[i * M + j] = sum;
        }
}

/* jacobi_rotate against J^T A J and V J multiplied out; V is a random orthogonal matrix
 * (stored as Vt = V^T), so that a mix-up of rows and columns of V shows. Each entry of
 * the result is two rounded products of O(|A|) terms: 1e-14 ||A||_F is ~45 eps. */
static void test_rotate_matches_products(void)
{
    double A[M * M], Vt[M * M], V[M * M], J[M * M], JtA[M * M], expected_A[M * M], expected_V[M * M];
    const size_t p = 1, q = 4;
    const JacobiRotation r = { cos(0.7), sin(0.7) };
    Rng rng;
    rng_seed(&rng, 31);
    random_symmetric(A, M, &rng);
    random_orthogonal(Vt, M, &rng);
    matrix_transpose(V, Vt, M, M);
    explicit_rotation(J, p, q, r);
    product(JtA, J, A, true);
    product(expected_A, JtA, J, false);
    product(expected_V, V, J, false);
    double tolerance = 1e-14 * frobenius_norm(A, M, M);
    jacobi_rotate(A, Vt, M, p, q, r);
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < M; j++) {
            CHECK_NEAR(expected_A[i * M + j], A[i * M + j], tolerance);
            CHECK_NEAR(expected_V[j * M + i], Vt[i * M + j], 1e-14); /* Vt = (V J)^T */
        }
}

static double off_squared(const double *A, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            sum += i == j ? 0.0 : A[i * n + j] * A[i * n + j];
    return sum;
}

/* With the angle that zeroes a_pq (computed here as theta = atan2(2 a_pq, a_qq - a_pp)/2,
 * independently of exercise 2.2), one rotation makes a_pq = 0, lowers off(A)^2 by exactly
 * 2 a_pq^2, and keeps the trace and ||A||_F (J is orthogonal). */
static void test_rotation_lowers_off_diagonal(void)
{
    double A[M * M], Vt[M * M];
    const size_t p = 2, q = 5;
    Rng rng;
    rng_seed(&rng, 32);
    random_symmetric(A, M, &rng);
    random_orthogonal(Vt, M, &rng);
    double a_pq = A[p * M + q], theta = 0.5 * atan2(2.0 * a_pq, A[q * M + q] - A[p * M + p]);
    double off_before = off_squared(A, M), norm = frobenius_norm(A, M, M), trace = 0.0;
    for (size_t i = 0; i < M; i++)
        trace += A[i * M + i];
    jacobi_rotate(A, Vt, M, p, q, (JacobiRotation){ cos(theta), sin(theta) });
    CHECK_NEAR(0.0, A[p * M + q], 1e-14 * norm);
    CHECK_NEAR(0.0, A[q * M + p], 1e-14 * norm);
    CHECK_NEAR(off_before - 2.0 * a_pq * a_pq, off_squared(A, M), 1e-13 * norm * norm);
    CHECK_NEAR(norm, frobenius_norm(A, M, M), 1e-14 * norm);
    double trace_after = 0.0;
    for (size_t i = 0; i < M; i++)
        trace_after += A[i * M + i];
    CHECK_NEAR(trace, trace_after, 1e-14 * norm);
    CHECK(a_pq != 0.0);
}

/* The whole solver on A = Q^T diag(lambda) Q, a repeated eigenvalue and negative ones
 * included. Tolerances: the residual bound ||A v - lambda v|| <= 1e-8 ||A||_F is the
 * chapter's specification (Jacobi stops at off(A) <= 1e-12 ||A||_F, so it holds with room);
 * eigenvalues move by O(off(A)^2 / gap + rounding), rounding ~ sweeps n eps ||A||_F ~ 1e-13;
 * V is a product of rotations, orthonormal to ~ sweeps n eps ~ 1e-14. */
static void test_eigen_known_spectrum(void)
{
    enum { N = 10 };
    const double lambda[N] = { 9, 7, 5, 3, 2, 2, 1, 0, -1.5, -4 };
    double Q[N * N], A[N * N], work[N * N], eigenvalues[N], V[N * N];
    size_t sweeps = 0;
    Rng rng;
    Error err;
    rng_seed(&rng, 33);
    random_orthogonal(Q, N, &rng);
    matrix_with_spectrum(A, Q, lambda, N);
    vector_copy(work, A, N * N);
    if (!CHECK(symmetric_eigen(eigenvalues, V, work, N, &sweeps, NULL, &err))) {
        check_note("%s", err.message);
        return;
    }
    double norm = frobenius_norm(A, N, N);
    check_note("%zu sweeps", sweeps);
    for (size_t k = 0; k < N; k++) {
        const double *v = V + k * N;
        CHECK_NEAR(lambda[k], eigenvalues[k], 1e-12 * norm);
        CHECK_BELOW(eigen_residual(A, v, eigenvalues[k], N), 1e-8 * norm);
        for (size_t j = 0; j < N; j++)
            CHECK_NEAR(j == k ? 1.0 : 0.0, vector_dot(v, V + j * N, N), 1e-13);
        if (k != 4 && k != 5) /* a simple eigenvalue: v_k = +-q_k */
            CHECK_NEAR(1.0, fabs(vector_dot(v, Q + k * N, N)), 1e-12);
        size_t largest = 0;
        for (size_t j = 1; j < N; j++)
            largest = fabs(v[j]) > fabs(v[largest]) ? j : largest;
        CHECK(v[largest] > 0.0); /* the sign convention */
    }
}

/* A matrix that is already diagonal needs no sweep; the values come out largest first,
 * with the unit vectors. (Not tied to an exercise: no rotation happens.) */
static void test_eigen_of_a_diagonal_matrix(void)
{
    double A[9] = { 1, 0, 0, 0, 3, 0, 0, 0, 2 }, eigenvalues[3], V[9];
    const double expected_V[9] = { 0, 1, 0, 0, 0, 1, 1, 0, 0 };
    size_t sweeps = 99;
    Error err;
    CHECK(symmetric_eigen(eigenvalues, V, A, 3, &sweeps, NULL, &err));
    CHECK_LONG(0, sweeps);
    CHECK_NEAR(3.0, eigenvalues[0], 0.0);
    CHECK_NEAR(2.0, eigenvalues[1], 0.0);
    CHECK_NEAR(1.0, eigenvalues[2], 0.0);
    for (size_t k = 0; k < 9; k++)
        CHECK_NEAR(expected_V[k], V[k], 0.0);
}

/* ---- 2.4 encode and decode ------------------------------------------------------------- */

enum { P = 5, D = 2, B = 3 };

/* A PCA built by hand: directions = rows of a random orthogonal matrix, a non-zero mean. */
static Pca hand_made_pca(double *directions, double *mean, double *eigenvalues)
{
    Rng rng;
    rng_seed(&rng, 41);
    random_orthogonal(directions, P, &rng);
    const double mu[P] = { 1, -2, 0.5, 3, -0.25 };
    for (size_t j = 0; j < P; j++) {
        mean[j] = mu[j];
        eigenvalues[j] = (double)(P - j);
    }
    return (Pca){ .p = P, .d = D, .N = 100, .mean = mean, .eigenvalues = eigenvalues, .directions = directions };
}

static void some_points(double *X, size_t count, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    rng_fill_normal(&rng, X, count * P, 0.0, 2.0);
}

/* z_ik = sum_j u_kj (x_ij - mu_j), entry by entry */
static void test_encode(void)
{
    double directions[P * P], mean[P], eigenvalues[P], X[B * P], Z[B * D];
    Pca pca = hand_made_pca(directions, mean, eigenvalues);
    some_points(X, B, 42);
    fill_nan(Z, B * D);
    pca_encode(&pca, Z, X, B);
    double expected[B * D];
    for (size_t i = 0; i < B; i++)
        for (size_t k = 0; k < D; k++) {
            expected[i * D + k] = 0.0;
            for (size_t j = 0; j < P; j++)
                expected[i * D + k] += directions[k * P + j] * (X[i * P + j] - mean[j]);
        }
    CHECK_ARRAY_NEAR(expected, Z, B * D, 1e-13,
                     "entry %zu of Z (B, d), row-major: z_ik = u_k . (x_i - mu) for i = index / d, k = index %% d");
}

/* xhat_ij = mu_j + sum_k z_ik u_kj, entry by entry */
static void test_decode(void)
{
    double directions[P * P], mean[P], eigenvalues[P], Xhat[B * P];
    const double Z[B * D] = { 1.5, -2.0, 0.0, 0.5, -3.0, 1.0 };
    Pca pca = hand_made_pca(directions, mean, eigenvalues);
    fill_nan(Xhat, B * P);
    pca_decode(&pca, Xhat, Z, B);
    double expected[B * P];
    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < P; j++) {
            expected[i * P + j] = mean[j];
            for (size_t k = 0; k < D; k++)
                expected[i * P + j] += Z[i * D + k] * directions[k * P + j];
        }
    CHECK_ARRAY_NEAR(expected, Xhat, B * P, 1e-13,
                     "entry %zu of Xhat (B, p), row-major: xhat_ij = mu_j + sum_k z_ik u_kj for i = index / p, "
                     "j = index %% p");
}

/* g(f(x)) = mu + U U^T (x - mu): x itself when x - mu lies in span(U), and otherwise a
 * residual x - g(f(x)) orthogonal to every u_k. */
static void test_encode_decode_project(void)
{
    double directions[P * P], mean[P], eigenvalues[P], X[B * P], Z[B * D], Xhat[B * P];
    Pca pca = hand_made_pca(directions, mean, eigenvalues);
    const double codes[B * D] = { 2.0, -1.0, 0.25, 0.75, -1.5, 0.0 };
    for (size_t i = 0; i < B; i++) /* x_i = mu + U a_i */
        for (size_t j = 0; j < P; j++)
            X[i * P + j] = mean[j] + codes[i * D] * directions[j] + codes[i * D + 1] * directions[P + j];
    fill_nan(Z, B * D);
    fill_nan(Xhat, B * P);
    pca_encode(&pca, Z, X, B);
    pca_decode(&pca, Xhat, Z, B);
    CHECK_ARRAY_NEAR(X, Xhat, B * P, 1e-13,
                     "entry %zu of Xhat (B, p): x - mu lies in span(U) here, so g(f(x)) must give x back");
    some_points(X, B, 43);
    pca_encode(&pca, Z, X, B);
    pca_decode(&pca, Xhat, Z, B);
    for (size_t i = 0; i < B; i++) {
        double residual[P];
        for (size_t j = 0; j < P; j++)
            residual[j] = X[i * P + j] - Xhat[i * P + j];
        CHECK(vector_max_abs(residual, P) > 0.1); /* the points are not in the plane */
        for (size_t k = 0; k < D; k++)
            CHECK_NEAR(0.0, vector_dot(residual, directions + k * P, P), 1e-13);
    }
}

/* On the data it was fitted on, PCA's reconstruction error is the variance it discards:
 *     (1/N) sum_i ||x_i - xhat_i||^2 = sum_{k > d} lambda_k.
 * Both sides are sums of O(N p) rounded terms: relative 1e-10 is far above ~N p eps. */
static void test_error_is_discarded_variance(void)
{
    enum { N = 300, DIM = 6 };
    static double X[N * DIM];
    double Q[DIM * DIM];
    const double lambda[DIM] = { 5, 3, 1, 0.5, 0.25, 0.1 }, center[DIM] = { 2, -1, 0.5, 1, -2, 3 };
    Rng rng;
    Error err;
    rng_seed(&rng, 44);
    random_orthogonal(Q, DIM, &rng);
    gaussian_cloud(X, N, center, Q, lambda, DIM, &rng);
    Pca pca;
    if (!CHECK(pca_fit(&pca, X, N, DIM, 1, NULL, &err)))
        return;
    for (size_t d = 1; d <= 4; d++) {
        double error = NAN;
        CHECK(pca_set_code_size(&pca, d, &err));
        CHECK(pca_reconstruction_error(&pca, &error, X, N, &err));
        check_note("d = %zu: error %.15g, discarded variance %.15g", d, error, pca_discarded_variance(&pca));
        CHECK_RELATIVE(pca_discarded_variance(&pca), error, 1e-10);
    }
    pca_free(&pca);
}

/* ---- 2.5 Gram-Schmidt and projectors ----------------------------------------------------- */

enum { ROWS = 3, COLUMNS = 7 };

/* Q Q^T = I; q_1 = w_1 / ||w_1||; each w_k lies in span(Q): w_k = Q^T Q w_k; and q_k is
 * orthogonal to the earlier w_j (Gram-Schmidt's triangular structure). */
static void test_gram_schmidt(void)
{
    double W[ROWS * COLUMNS], Q[ROWS * COLUMNS];
    Rng rng;
    rng_seed(&rng, 51);
    rng_fill_normal(&rng, W, ROWS * COLUMNS, 0.0, 1.0);
    CHECK(orthonormalise_rows(Q, W, ROWS, COLUMNS));
    double length = sqrt(vector_dot(W, W, COLUMNS));
    for (size_t j = 0; j < COLUMNS; j++)
        CHECK_NEAR(W[j] / length, Q[j], 1e-15);
    for (size_t k = 0; k < ROWS; k++) {
        const double *w = W + k * COLUMNS;
        double projected[COLUMNS] = { 0 };
        for (size_t j = 0; j < ROWS; j++) {
            CHECK_NEAR(j == k ? 1.0 : 0.0, vector_dot(Q + k * COLUMNS, Q + j * COLUMNS, COLUMNS), 1e-14);
            vector_axpy(projected, vector_dot(Q + j * COLUMNS, w, COLUMNS), Q + j * COLUMNS, COLUMNS);
            if (j < k)
                CHECK_NEAR(0.0, vector_dot(Q + k * COLUMNS, W + j * COLUMNS, COLUMNS), 1e-14);
        }
        for (size_t j = 0; j < COLUMNS; j++)
            CHECK_NEAR(w[j], projected[j], 1e-13);
    }
}

/* Rows that span fewer than d directions have no orthonormal basis of d rows. */
static void test_gram_schmidt_refuses_dependent_rows(void)
{
    double W[ROWS * COLUMNS], Q[ROWS * COLUMNS];
    Rng rng;
    rng_seed(&rng, 52);
    rng_fill_normal(&rng, W, 2 * COLUMNS, 0.0, 1.0);
    for (size_t j = 0; j < COLUMNS; j++) /* w_3 = w_1 - 2 w_2 */
        W[2 * COLUMNS + j] = W[j] - 2.0 * W[COLUMNS + j];
    CHECK(!orthonormalise_rows(Q, W, ROWS, COLUMNS));
    vector_zero(W + COLUMNS, COLUMNS); /* a zero row */
    CHECK(!orthonormalise_rows(Q, W, 2, COLUMNS));
}

/* P = Q^T Q is symmetric, idempotent (P^2 = P), of trace d, and fixes the rows of Q; two
 * lines of the plane at angle theta are ||P_1 - P_2||_F = sqrt(2) |sin theta| apart. */
static void test_projector(void)
{
    double W[ROWS * COLUMNS], Q[ROWS * COLUMNS], P_[COLUMNS * COLUMNS], P2[COLUMNS * COLUMNS];
    Rng rng;
    rng_seed(&rng, 53);
    rng_fill_normal(&rng, W, ROWS * COLUMNS, 0.0, 1.0);
    CHECK(orthonormalise_rows(Q, W, ROWS, COLUMNS));
    projector_from_rows(P_, Q, ROWS, COLUMNS);
    matrix_multiply(P2, P_, P_, COLUMNS, COLUMNS, COLUMNS);
    double trace = 0.0;
    for (size_t i = 0; i < COLUMNS; i++) {
        trace += P_[i * COLUMNS + i];
        for (size_t j = 0; j < COLUMNS; j++) {
            CHECK_NEAR(P_[j * COLUMNS + i], P_[i * COLUMNS + j], 1e-15);
            CHECK_NEAR(P_[i * COLUMNS + j], P2[i * COLUMNS + j], 1e-14);
        }
    }
    CHECK_NEAR((double)ROWS, trace, 1e-14);
    const double theta = 0.3, line_a[2] = { 1.0, 0.0 }, line_b[2] = { cos(theta), sin(theta) };
    double P_a[4], P_b[4];
    projector_from_rows(P_a, line_a, 1, 2);
    projector_from_rows(P_b, line_b, 1, 2);
    CHECK_NEAR(sqrt(2.0) * sin(theta), projection_distance(P_a, P_b, 2), 1e-15);
}

static const TestCase tests[] = {
    { "mu and C of four points, by hand", "2.1", test_covariance_by_hand },
    { "C = (1/N) sum (x - mu)(x - mu)^T, 130 samples in R^7", "2.1", test_covariance_matches_definition },
    { "centring before multiplying: data 10^6 from the origin", "2.1", test_covariance_centres_first },
    { "the rotation zeroes a_pq of 2x2 matrices, |theta| <= pi/4", "2.2", test_rotation_zeroes_a_pq },
    { "jacobi_rotate is J^T A J and V J", "2.3", test_rotate_matches_products },
    { "a rotation lowers off(A)^2 by 2 a_pq^2", "2.3", test_rotation_lowers_off_diagonal },
    { "Jacobi on a known spectrum: eigenvalues, ||A v - lambda v||, orthonormal V", "2.3 needs 2.2",
      test_eigen_known_spectrum },
    { "a diagonal matrix needs no sweep; eigenvalues sorted", NULL, test_eigen_of_a_diagonal_matrix },
    { "z = U^T (x - mu)", "2.4", test_encode },
    { "xhat = U z + mu", "2.4", test_decode },
    { "g(f(x)) projects onto mu + span(U)", "2.4", test_encode_decode_project },
    { "PCA's error = the sum of the discarded eigenvalues", "2.4 needs 2.1 2.2 2.3", test_error_is_discarded_variance },
    { "Gram-Schmidt: orthonormal rows, same span", "2.5", test_gram_schmidt },
    { "Gram-Schmidt refuses dependent rows", "2.5", test_gram_schmidt_refuses_dependent_rows },
    { "P = Q^T Q: symmetric, idempotent, trace d; distance of two lines", "2.5", test_projector },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("02-pca", tests, argc, argv);
}
