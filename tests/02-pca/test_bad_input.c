/* tests/02-pca/test_bad_input.c — what PCA does with input it cannot use.
 *
 * d = 0, d > p, d >= N, a constant data set, a NaN or an infinity: pca_fit refuses with a
 * one-line message and leaves nothing allocated (make memcheck checks the "nothing").
 * A data set of lower rank than d is not an error: the documented behaviour is tested.
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "matrix.h"
#include "pca.h"
#include "rng.h"

enum { N = 20, P = 4 };

static void some_data(double *X)
{
    Rng rng;
    rng_seed(&rng, 71);
    rng_fill_normal(&rng, X, N * P, 1.0, 2.0);
}

/* pca_fit(X, n, P, d) must fail with a message containing `expected`, and leave pca empty. */
static void check_refused(const double *X, size_t n, size_t d, const char *expected)
{
    Pca pca;
    Error err = { "" };
    CHECK(!pca_fit(&pca, X, n, P, d, NULL, &err));
    CHECK_CONTAINS(err.message, expected);
    CHECK(strchr(err.message, '\n') == NULL);
    CHECK(pca.mean == NULL && pca.eigenvalues == NULL && pca.directions == NULL);
}

static void test_zero_code_size(void)
{
    double X[N * P];
    some_data(X);
    check_refused(X, N, 0, "d must be at least 1");
}

static void test_code_size_above_dimension(void)
{
    double X[N * P];
    some_data(X);
    check_refused(X, N, P + 1, "exceeds the data dimension p = 4");
}

/* N samples span at most N - 1 directions around their mean: d = N - 1 is the limit. */
static void test_code_size_above_samples(void)
{
    double X[N * P];
    some_data(X);
    check_refused(X, 3, 3, "needs at least 4 samples");
    Pca pca;
    Error err;
    CHECK(pca_fit(&pca, X, 3, P, 2, NULL, &err));
    CHECK(!pca_set_code_size(&pca, 3, &err));
    CHECK_CONTAINS(err.message, "needs at least 4 samples");
    CHECK_LONG(2, pca.d);
    pca_free(&pca);
}

static void test_constant_data(void)
{
    double X[N * P];
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < P; j++)
            X[i * P + j] = 0.1 * (double)j; /* every sample the same */
    check_refused(X, N, 1, "zero variance");
}

static void test_not_finite(void)
{
    double X[N * P];
    some_data(X);
    X[7 * P + 2] = NAN;
    check_refused(X, N, 1, "sample 7, coordinate 2 is NaN");
    X[7 * P + 2] = 0.0;
    X[3 * P] = -INFINITY;
    check_refused(X, N, 1, "sample 3, coordinate 0 is infinite");
}

static void test_eigen_refuses_nan(void)
{
    double A[4] = { 1, NAN, NAN, 2 }, eigenvalues[2], V[4];
    Error err = { "" };
    CHECK(!symmetric_eigen(eigenvalues, V, A, 2, NULL, NULL, &err));
    CHECK_CONTAINS(err.message, "not finite");
}

static void test_projector_refuses_dependent_rows(void)
{
    const double W[6] = { 1, 2, 3, 2, 4, 6 }; /* w_2 = 2 w_1 */
    double P_[9];
    Error err = { "" };
    CHECK(!subspace_projector(P_, W, 2, 3, &err));
    CHECK_CONTAINS(err.message, "linearly dependent");
}

/* Documented behaviour: data in a 2-dimensional affine plane of R^4, fitted with d = 3.
 * lambda_3 = lambda_4 = 0 (to rounding, relative to lambda_1), the third direction is an
 * orthonormal completion, and the reconstruction is exact. */
static void test_rank_below_code_size(void)
{
    double X[N * P];
    const double a[P] = { 1, 0, 2, -1 }, b[P] = { 0, 1, -1, 3 }, mu[P] = { 5, -5, 0.5, 2 };
    Rng rng;
    rng_seed(&rng, 72);
    for (size_t i = 0; i < N; i++) {
        double s = rng_normal(&rng), t = rng_normal(&rng);
        for (size_t j = 0; j < P; j++)
            X[i * P + j] = mu[j] + s * a[j] + t * b[j];
    }
    Pca pca;
    Error err;
    if (!CHECK(pca_fit(&pca, X, N, P, 3, NULL, &err)))
        return;
    double error = NAN;
    CHECK(pca.eigenvalues[1] > 0.1);
    CHECK_NEAR(0.0, pca.eigenvalues[2], 1e-13 * pca.eigenvalues[0]);
    CHECK_NEAR(0.0, pca.eigenvalues[3], 1e-13 * pca.eigenvalues[0]);
    for (size_t k = 0; k < 3; k++)
        for (size_t j = 0; j < 3; j++)
            CHECK_NEAR(j == k ? 1.0 : 0.0, vector_dot(pca.directions + k * P, pca.directions + j * P, P), 1e-13);
    CHECK(pca_reconstruction_error(&pca, &error, X, N, &err));
    CHECK_NEAR(0.0, error, 1e-12 * pca.eigenvalues[0]);
    pca_free(&pca);
}

static const TestCase tests[] = {
    { "d = 0 is refused", NULL, test_zero_code_size },
    { "d > p is refused", NULL, test_code_size_above_dimension },
    { "d >= N is refused, d = N - 1 accepted", NULL, test_code_size_above_samples },
    { "a constant data set is refused", NULL, test_constant_data },
    { "NaN and infinity in the data are refused", NULL, test_not_finite },
    { "the eigensolver refuses a NaN matrix", NULL, test_eigen_refuses_nan },
    { "the projector refuses dependent rows", NULL, test_projector_refuses_dependent_rows },
    { "rank below d: zero eigenvalues, exact reconstruction", NULL, test_rank_below_code_size },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("02-pca bad input", tests, argc, argv);
}
