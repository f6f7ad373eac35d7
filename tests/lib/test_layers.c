/* tests/lib/test_layers.c — lib's layers, MLP and losses against their definitions.
 *
 * Forward passes are compared with the formulas written out as loops; backward passes
 * with centred differences (lib/gradcheck.h): relative error below 1e-6 on smooth
 * functions, the bar every gradient in vaelab must clear.
 */
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "harness.h"
#include "layers.h"
#include "loss.h"
#include "matrix.h"
#include "mlp.h"

enum { B = 3, IN = 4, OUT = 5 };

static void random_fill(double *x, size_t n, unsigned seed, double scale)
{
    Rng rng;
    rng_seed(&rng, seed);
    rng_fill_normal(&rng, x, n, 0.0, scale);
}

/* ---- matrix loops ---------------------------------------------------------------- */

static void test_matrix_products(void)
{
    double A[2 * 3] = { 1, 2, 3, 4, 5, 6 };        /* (2, 3) */
    double Bm[3 * 2] = { 7, 8, 9, 10, 11, 12 };    /* (3, 2) */
    double C[4];
    matrix_multiply(C, A, Bm, 2, 3, 2);            /* A B = [58 64; 139 154] */
    CHECK_NEAR(58, C[0], 0);
    CHECK_NEAR(64, C[1], 0);
    CHECK_NEAR(139, C[2], 0);
    CHECK_NEAR(154, C[3], 0);
    double AtA[9] = { 0 };
    matrix_multiply_at_add(AtA, A, A, 2, 3, 3);    /* A^T A, (3, 3) */
    CHECK_NEAR(1 * 1 + 4 * 4, AtA[0], 0);
    CHECK_NEAR(2 * 3 + 5 * 6, AtA[5], 0);
    double ABt[4] = { 0 };
    matrix_multiply_bt_add(ABt, A, A, 2, 3, 2);    /* A A^T, (2, 2) */
    CHECK_NEAR(1 + 4 + 9, ABt[0], 0);
    CHECK_NEAR(4 + 10 + 18, ABt[1], 0);
    double T[6];
    matrix_transpose(T, A, 2, 3);
    CHECK_NEAR(4, T[1], 0);
    CHECK_NEAR(3, T[4], 0);
}

/* ---- the dense layer -------------------------------------------------------------- */

static Dense random_dense(unsigned seed)
{
    Dense layer;
    Rng rng;
    rng_seed(&rng, seed);
    Error err;
    dense_init(&layer, IN, OUT, 1.0, &rng, &err);
    random_fill(layer.b, OUT, seed + 1, 0.5);
    return layer;
}

static void test_dense_forward(void)
{
    Dense layer = random_dense(1);
    double X[B * IN], H[B * OUT];
    random_fill(X, B * IN, 2, 1.0);
    dense_forward(H, &layer, X, B);
    for (size_t i = 0; i < B; i++)
        for (size_t j = 0; j < OUT; j++) {
            double h = layer.b[j]; /* h_j = sum_k W_kj x_k + b_j, i.e. W^T x + b */
            for (size_t k = 0; k < IN; k++)
                h += layer.W[k * OUT + j] * X[i * IN + k];
            CHECK_NEAR(h, H[i * OUT + j], 1e-12);
        }
    dense_free(&layer);
}

/* L = sum_ij c_ij sigma(a)_ij, a fixed random linear read-out of the layer's output, so
 * that dL/dY = c and every weight matters. */
typedef struct Probe {
    Dense *layer;
    Activation activation;
    double *X, *H, *Y, *C;
} Probe;

static double probe_loss(void *context)
{
    Probe *p = context;
    dense_forward(p->H, p->layer, p->X, B);
    activation_forward(p->Y, p->activation, p->H, B * OUT);
    return vector_dot(p->Y, p->C, B * OUT);
}

static void check_dense_with_activation(Activation activation)
{
    Dense layer = random_dense(3);
    double X[B * IN], H[B * OUT], Y[B * OUT], C[B * OUT], dH[B * OUT] = { 0 }, dX[B * IN] = { 0 };
    random_fill(X, B * IN, 4, 1.0);
    random_fill(C, B * OUT, 5, 1.0);
    Probe probe = { &layer, activation, X, H, Y, C };
    probe_loss(&probe);
    activation_backward(dH, activation, H, Y, C, B * OUT);
    dense_backward(dX, &layer, X, dH, B);
    ParameterList list = { .count = 0 };
    dense_parameters(&layer, &list, "layer");
    parameters_add(&list, "X", X, dX, B * IN); /* the input's gradient is checked too */
    for (size_t k = 0; k < list.count; k++) {
        GradCheckResult r = gradient_check(&list.items[k], probe_loss, &probe, 0);
        if (!CHECK_BELOW(r.max_relative_error, 1e-6))
            check_note("%s with %s: analytic %.9g numeric %.9g", list.items[k].name,
                       activation_name(activation), r.analytic, r.numeric);
    }
    dense_free(&layer);
}

static void test_dense_identity_gradients(void) { check_dense_with_activation(ACTIVATION_IDENTITY); }
static void test_dense_sigmoid_gradients(void) { check_dense_with_activation(ACTIVATION_SIGMOID); }
static void test_dense_tanh_gradients(void) { check_dense_with_activation(ACTIVATION_TANH); }

/* ReLU has a kink at 0: check it at inputs at least 0.1 away from it. */
static void test_relu(void)
{
    double A[4] = { -2.0, -0.1, 0.1, 3.0 }, Y[4], dY[4] = { 1, 2, 3, 4 }, dA[4] = { 0 };
    activation_forward(Y, ACTIVATION_RELU, A, 4);
    activation_backward(dA, ACTIVATION_RELU, A, Y, dY, 4);
    double expected_Y[4] = { 0, 0, 0.1, 3.0 }, expected_dA[4] = { 0, 0, 3, 4 };
    for (int i = 0; i < 4; i++) {
        CHECK_NEAR(expected_Y[i], Y[i], 0);
        CHECK_NEAR(expected_dA[i], dA[i], 0);
    }
}

static void test_sigmoid_and_softplus_are_stable(void)
{
    CHECK_NEAR(1.0, sigmoid(800.0), 0);
    CHECK_NEAR(0.0, sigmoid(-800.0), 1e-300);
    CHECK_NEAR(0.5, sigmoid(0.0), 0);
    CHECK_NEAR(800.0, softplus(800.0), 1e-12);
    CHECK_NEAR(0.0, softplus(-800.0), 1e-300);
    CHECK_RELATIVE(log(2.0), softplus(0.0), 1e-15);
}

/* ---- the MLP --------------------------------------------------------------------- */

typedef struct MlpProbe {
    Mlp *mlp;
    double *X, *C;
    size_t outputs;
} MlpProbe;

static double mlp_probe_loss(void *context)
{
    MlpProbe *p = context;
    return vector_dot(mlp_forward(p->mlp, p->X, B), p->C, B * p->outputs);
}

static void test_mlp_gradients(void)
{
    size_t sizes[4] = { IN, 6, 3, 2 };
    Mlp mlp;
    Rng rng;
    rng_seed(&rng, 6);
    Error err;
    CHECK(mlp_init(&mlp, sizes, 4, ACTIVATION_TANH, ACTIVATION_SIGMOID, B, &rng, &err));
    double X[B * IN], C[B * 2], dX[B * IN] = { 0 };
    random_fill(X, B * IN, 7, 1.0);
    random_fill(C, B * 2, 8, 1.0);
    ParameterList list = { .count = 0 };
    mlp_parameters(&mlp, &list, "mlp");
    for (size_t k = 0; k < list.count; k++) /* non-zero biases, so that they are tested */
        if (strstr(list.items[k].name, ".b"))
            random_fill(list.items[k].value, list.items[k].size, 9 + (unsigned)k, 0.3);
    MlpProbe probe = { &mlp, X, C, 2 };
    parameters_zero_grad(&list);
    mlp_probe_loss(&probe);
    mlp_backward(dX, &mlp, C);
    parameters_add(&list, "X", X, dX, B * IN);
    CHECK_LONG(7, list.count);
    for (size_t k = 0; k < list.count; k++) {
        GradCheckResult r = gradient_check(&list.items[k], mlp_probe_loss, &probe, 0);
        if (!CHECK_BELOW(r.max_relative_error, 1e-6))
            check_note("%s: analytic %.9g numeric %.9g", list.items[k].name, r.analytic, r.numeric);
    }
    mlp_free(&mlp);
}

/* ---- the losses ------------------------------------------------------------------ */

typedef struct LossProbe {
    double *prediction, *target;
    bool bernoulli;
} LossProbe;

static double loss_probe(void *context)
{
    LossProbe *p = context;
    return p->bernoulli ? bernoulli_logits_loss(p->prediction, p->target, B, OUT)
                        : squared_error_loss(p->prediction, p->target, B, OUT);
}

static void check_loss_gradient(bool bernoulli)
{
    double prediction[B * OUT], target[B * OUT], grad[B * OUT] = { 0 };
    random_fill(prediction, B * OUT, 10, 2.0);
    Rng rng;
    rng_seed(&rng, 11);
    for (size_t i = 0; i < B * OUT; i++)
        target[i] = rng_uniform(&rng);
    LossProbe probe = { prediction, target, bernoulli };
    if (bernoulli)
        bernoulli_logits_backward(grad, prediction, target, B, OUT);
    else
        squared_error_backward(grad, prediction, target, B, OUT);
    Parameter p = { "prediction", prediction, grad, B * OUT };
    GradCheckResult r = gradient_check(&p, loss_probe, &probe, 0);
    CHECK_BELOW(r.max_relative_error, 1e-6);
}

static void test_squared_error(void)
{
    double xhat[2 * 2] = { 1, 2, 3, 4 }, x[2 * 2] = { 1, 0, 0, 4 };
    /* (1/B) sum ||x_i - xhat_i||^2 = ((0 + 4) + (9 + 0)) / 2 */
    CHECK_NEAR(6.5, squared_error_loss(xhat, x, 2, 2), 1e-15);
    check_loss_gradient(false);
}

static void test_bernoulli_cross_entropy(void)
{
    /* one pixel x = 1 with logit s: -log sigmoid(s); at s = 0 that is log 2 */
    double s = 0.0, x = 1.0;
    CHECK_RELATIVE(log(2.0), bernoulli_logits_loss(&s, &x, 1, 1), 1e-15);
    double big = 50.0, zero = 0.0; /* -log(1 - sigmoid(50)) = 50 + log(1 + e^-50): no log(0) */
    CHECK_RELATIVE(50.0, bernoulli_logits_loss(&big, &zero, 1, 1), 1e-15);
    check_loss_gradient(true);
}

/* ---- the gradient checker itself must catch a wrong gradient --------------------- */

static double square_sum(void *context)
{
    const double *x = context;
    return x[0] * x[0] + x[1] * x[1];
}

static void test_gradcheck_catches_an_error(void)
{
    double x[2] = { 1.5, -0.5 }, right[2] = { 3.0, -1.0 }, wrong[2] = { 3.0, -1.1 };
    Parameter good = { "x", x, right, 2 }, bad = { "x", x, wrong, 2 };
    CHECK_BELOW(gradient_check(&good, square_sum, x, 0).max_relative_error, 1e-8);
    GradCheckResult r = gradient_check(&bad, square_sum, x, 0);
    CHECK(r.max_relative_error > 0.05);
    CHECK_LONG(1, r.worst_index);
}

static const TestCase tests[] = {
    { "matrix products against hand-computed values", NULL, test_matrix_products },
    { "dense forward is W^T x + b", NULL, test_dense_forward },
    { "dense + identity: gradient check", NULL, test_dense_identity_gradients },
    { "dense + sigmoid: gradient check", NULL, test_dense_sigmoid_gradients },
    { "dense + tanh: gradient check", NULL, test_dense_tanh_gradients },
    { "ReLU forward and backward away from the kink", NULL, test_relu },
    { "sigmoid and softplus do not overflow", NULL, test_sigmoid_and_softplus_are_stable },
    { "3-layer MLP: gradient check of every tensor and the input", NULL, test_mlp_gradients },
    { "squared error: value and gradient", NULL, test_squared_error },
    { "Bernoulli cross-entropy on logits: value, stability, gradient", NULL, test_bernoulli_cross_entropy },
    { "the gradient checker catches a wrong gradient", NULL, test_gradcheck_catches_an_error },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("lib/layers", tests, argc, argv);
}
