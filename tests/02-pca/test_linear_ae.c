/* tests/02-pca/test_linear_ae.c — the theorem of Louppe L11, "Auto-encoders": for a linear
 * auto-encoder, "an optimal solution is given by PCA".
 *
 * The linear auto-encoder is built here from lib's layers (lib/mlp.h: sizes p -> d -> p,
 * identity activations), not from chapter 1, so that this chapter grades on its own:
 *     z = W_1^T x + b_1,   xhat = W_2^T z + b_2,   L = (1/N) sum_i ||x_i - xhat_i||^2,
 * trained by full-batch gradient descent on a synthetic cloud whose covariance has
 * well-separated eigenvalues. Its reconstruction space is the span of the d rows of W_2.
 */
#include <math.h>
#include <stdlib.h>

#include "harness.h"
#include "layers.h"
#include "loss.h"
#include "matrix.h"
#include "mlp.h"
#include "optimizer.h"
#include "pca.h"
#include "rng.h"
#include "synthetic.h"

enum { N = 200, P = 6, D = 2 };

/* Population covariance eigenvalues 5, 3 | 1, 0.5, 0.25, 0.1: a gap of 2 after d = 2. */
static const double LAMBDA[P] = { 5, 3, 1, 0.5, 0.25, 0.1 };
static const double CENTER[P] = { 2, -1, 0.5, 1, -2, 3 }; /* ||mu||^2 = 19.25 > lambda_1 */

static double X[N * P];

static void make_cloud(void)
{
    double Q[P * P];
    Rng rng;
    rng_seed(&rng, 61);
    random_orthogonal(Q, P, &rng);
    gaussian_cloud(X, N, CENTER, Q, LAMBDA, P, &rng);
}

typedef struct LinearAutoencoder {
    Mlp net;                  /* layers[0]: W_1 (p, d), b_1; layers[1]: W_2 (d, p), b_2 */
    ParameterList parameters; /* W_1, b_1, W_2, b_2, or only W_1, W_2 without biases */
    Optimizer gradient_descent;
    double grad_output[N * P];
} LinearAutoencoder;

/* with_biases = false is the slide's z = U^T x, xhat = U z (untied): biases stay 0. */
static bool linear_init(LinearAutoencoder *ae, bool with_biases, double learning_rate)
{
    const size_t sizes[3] = { P, D, P };
    Rng rng;
    Error err;
    rng_seed(&rng, 62);
    if (!mlp_init(&ae->net, sizes, 3, ACTIVATION_IDENTITY, ACTIVATION_IDENTITY, N, &rng, &err))
        return false;
    ae->parameters = (ParameterList){ .count = 0 };
    for (size_t l = 0; l < 2; l++) {
        Dense *layer = &ae->net.layers[l].dense;
        parameters_add(&ae->parameters, l == 0 ? "W1" : "W2", layer->W, layer->dW, layer->in * layer->out);
        if (with_biases)
            parameters_add(&ae->parameters, l == 0 ? "b1" : "b2", layer->b, layer->db, layer->out);
    }
    return optimizer_init_sgd(&ae->gradient_descent, &ae->parameters, learning_rate, 0.0, &err);
}

static void linear_free(LinearAutoencoder *ae)
{
    optimizer_free(&ae->gradient_descent);
    mlp_free(&ae->net);
}

/* One step theta <- theta - eta dL/dtheta on all N samples; returns L before the step. */
static double gradient_step(LinearAutoencoder *ae)
{
    parameters_zero_grad(&ae->parameters);
    const double *Xhat = mlp_forward(&ae->net, X, N);
    double loss = squared_error_loss(Xhat, X, N, P);
    vector_zero(ae->grad_output, N * P);
    squared_error_backward(ae->grad_output, Xhat, X, N, P);
    mlp_backward(NULL, &ae->net, ae->grad_output);
    optimizer_step(&ae->gradient_descent);
    return loss;
}

/* tr P: a projector onto d directions has trace d, so a zero "projector" cannot pass. */
static double trace(const double *A)
{
    double sum = 0.0;
    for (size_t i = 0; i < P; i++)
        sum += A[i * P + i];
    return sum;
}

/* ||P_AE - P_ref||_F, P_AE the projector onto the span of the rows of W_2. */
static double distance_to(const LinearAutoencoder *ae, const double *P_reference)
{
    double P_ae[P * P];
    Error err;
    if (!subspace_projector(P_ae, ae->net.layers[1].dense.W, D, P, &err))
        return INFINITY;
    return projection_distance(P_ae, P_reference, P);
}

/* Plain gradient descent, eta = 0.015: small enough that every step descends here (larger
 * steps, 0.02, overshoot at first, while the random initial weights are large). PCA is
 * the minimum of L over every rank-d affine map x -> A x + c, so L_t >= L_PCA at every
 * step, up to the rounding of the sums (N p eps ~ 1e-13, hence 1e-12). The excess
 * L_t - L_PCA is second order in the distance to the optimum: ~1e-6 relative where
 * ||P_AE - P_PCA||_F ~ 1e-3. */
enum { STEPS = 8000 };

static void test_linear_ae_converges_to_pca(void)
{
    make_cloud();
    Pca pca;
    Error err;
    LinearAutoencoder ae;
    if (!CHECK(pca_fit(&pca, X, N, P, D, NULL, &err)) || !CHECK(linear_init(&ae, true, 0.015)))
        return;
    double P_pca[P * P], L_pca = pca_discarded_variance(&pca);
    projector_from_rows(P_pca, pca.directions, D, P);
    CHECK_NEAR((double)D, trace(P_pca), 1e-12);
    double first = gradient_step(&ae), previous = first, lowest_excess = INFINITY;
    bool descends = true;
    for (int step = 1; step < STEPS; step++) {
        double loss = gradient_step(&ae);
        descends = descends && loss <= previous;
        lowest_excess = fmin(lowest_excess, (loss - L_pca) / L_pca);
        previous = loss;
    }
    double distance = distance_to(&ae, P_pca), excess = (previous - L_pca) / L_pca;
    check_note("L_PCA = %.12g; L_AE: %.6g at step 0, %.12g after %d steps", L_pca, first, previous, STEPS);
    check_note("||P_AE - P_PCA||_F = %.3g; relative excess %.3g", distance, excess);
    CHECK_BELOW(distance, 1e-3);
    CHECK(descends);                /* approaches ... */
    CHECK(lowest_excess >= -1e-12); /* ... from above */
    CHECK_BELOW(excess, 1e-6);      /* ... and gets there */
    linear_free(&ae);
    pca_free(&pca);
}

/* The slide's linear AE has no biases: z = U^T x, xhat = U z. On data away from the
 * origin it then minimises (1/N) sum ||x - U U^T x||^2, whose optimum spans the top
 * eigenvectors of the second moment S = (1/N) sum x x^T = C + mu mu^T, not of C: it spends
 * a direction on the mean. Centring (or the biases) is what makes the optimum PCA. */
static void test_without_centring_no_pca(void)
{
    make_cloud();
    Pca pca;
    Error err;
    LinearAutoencoder ae;
    double S[P * P], eigenvalues[P], directions[P * P], P_pca[P * P], P_second_moment[P * P];
    if (!CHECK(pca_fit(&pca, X, N, P, D, NULL, &err)) || !CHECK(linear_init(&ae, false, 0.004)))
        return;
    vector_zero(S, P * P);
    matrix_multiply_at_add(S, X, X, N, P, P);
    vector_scale(S, 1.0 / N, P * P);
    CHECK(symmetric_eigen(eigenvalues, directions, S, P, NULL, NULL, &err));
    projector_from_rows(P_pca, pca.directions, D, P);
    projector_from_rows(P_second_moment, directions, D, P);
    double loss = NAN;
    for (int step = 0; step < 5000; step++)
        loss = gradient_step(&ae);
    double to_second_moment = distance_to(&ae, P_second_moment), to_pca = distance_to(&ae, P_pca);
    check_note("bias-free linear AE: ||P - P_S||_F = %.3g, ||P - P_PCA||_F = %.3g; L = %.9g, L_PCA = %.9g",
               to_second_moment, to_pca, loss, pca_discarded_variance(&pca));
    double discarded_S = vector_sum(eigenvalues + D, P - D); /* its optimum, sum_{k > d} sigma_k */
    CHECK_BELOW(to_second_moment, 1e-3);
    CHECK_RELATIVE(discarded_S, loss, 1e-6); /* second order in the distance, as above */
    CHECK(to_pca > 1.0); /* ~ sqrt(2): one of the two directions goes to the mean */
    CHECK(discarded_S > pca_discarded_variance(&pca));
    linear_free(&ae);
    pca_free(&pca);
}

/* Cheysson & Mary-Huard's pair (P', P) is a linear auto-encoder with tied weights: the
 * dense encoder W = U, b = -U^T mu and the dense decoder W = U^T, b = mu (lib/layers.h,
 * h = W^T x + b) compute exactly pca_encode and pca_decode. */
static void test_pca_is_a_tied_linear_autoencoder(void)
{
    make_cloud();
    Pca pca;
    Error err;
    Dense encoder, decoder;
    Rng rng;
    rng_seed(&rng, 63);
    if (!CHECK(pca_fit(&pca, X, N, P, D, NULL, &err)) || !CHECK(dense_init(&encoder, P, D, 1.0, &rng, &err))
        || !CHECK(dense_init(&decoder, D, P, 1.0, &rng, &err)))
        return;
    matrix_transpose(encoder.W, pca.directions, D, P); /* U (p, d) */
    vector_copy(decoder.W, pca.directions, D * P);     /* U^T (d, p) */
    for (size_t k = 0; k < D; k++)
        encoder.b[k] = -vector_dot(pca.directions + k * P, pca.mean, P);
    vector_copy(decoder.b, pca.mean, P);
    double Z_dense[N * D], Z_pca[N * D], Xhat_dense[N * P], Xhat_pca[N * P];
    dense_forward(Z_dense, &encoder, X, N);
    dense_forward(Xhat_dense, &decoder, Z_dense, N);
    pca_encode(&pca, Z_pca, X, N);
    pca_decode(&pca, Xhat_pca, Z_pca, N);
    for (size_t k = 0; k < N * D; k++)
        if (!CHECK_NEAR(Z_dense[k], Z_pca[k], 1e-12))
            break;
    for (size_t k = 0; k < N * P; k++)
        if (!CHECK_NEAR(Xhat_dense[k], Xhat_pca[k], 1e-12))
            break;
    dense_free(&encoder);
    dense_free(&decoder);
    pca_free(&pca);
}

static const TestCase tests[] = {
    { "linear AE by gradient descent -> PCA subspace, error from above", "2.5 needs 2.1 2.2 2.3", test_linear_ae_converges_to_pca },
    { "without centring, the bias-free linear AE misses PCA", NULL, test_without_centring_no_pca },
    { "PCA's (P', P) is a tied linear AE: dense layers agree", "2.4 needs 2.1 2.2 2.3", test_pca_is_a_tied_linear_autoencoder },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("02-pca linear auto-encoder", tests, argc, argv);
}
