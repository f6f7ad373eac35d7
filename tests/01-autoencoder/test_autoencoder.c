/* tests/01-autoencoder/test_autoencoder.c — chapter 1: the auto-encoder.
 *
 * Each exercise's tests compare it with an independent computation: the forward pass
 * with the two-layer network written out as loops below, the backward pass with centred
 * differences (lib/gradcheck.h), the training step with the update rule, interpolation
 * with its end points. Uses lib/ and chapter 1 only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoencoder.h"
#include "dataset.h"
#include "gradcheck.h"
#include "harness.h"
#include "layers.h"
#include "matrix.h"
#include "optimizer.h"
#include "train.h"

enum { P = 6, H = 5, D = 2, BATCH = 4 };

/* A small auto-encoder with smooth activations (tanh, sigmoid), so that finite
 * differences are accurate everywhere, and non-zero biases, so they are tested too. */
static Autoencoder small_autoencoder(unsigned seed)
{
    Autoencoder ae;
    Rng rng;
    rng_seed(&rng, seed);
    AutoencoderShape shape = { P, H, D, ACTIVATION_TANH, ACTIVATION_SIGMOID };
    Error err;
    if (!ae_init(&ae, shape, 16, &rng, &err))
        abort();
    for (size_t k = 0; k < ae.parameters.count; k++)
        if (strstr(ae.parameters.items[k].name, ".b"))
            rng_fill_normal(&rng, ae.parameters.items[k].value, ae.parameters.items[k].size, 0.0, 0.3);
    return ae;
}

static void small_batch(double *X, size_t B, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < B * P; i++)
        X[i] = rng_uniform(&rng);
}

/* The reference: one dense layer and its activation, as plain loops, for one example.
 *     out_j = sigma(sum_i W_ij in_i + b_j)                    W (n_in, n_out) */
static void reference_layer(double *out, const Dense *layer, Activation activation, const double *in)
{
    for (size_t j = 0; j < layer->out; j++) {
        double a = layer->b[j];
        for (size_t i = 0; i < layer->in; i++)
            a += layer->W[i * layer->out + j] * in[i];
        activation_forward(&out[j], activation, &a, 1);
    }
}

static void reference_mlp(double *out, const Mlp *mlp, const double *in)
{
    double h[H];
    reference_layer(h, &mlp->layers[0].dense, mlp->layers[0].activation, in);
    reference_layer(out, &mlp->layers[1].dense, mlp->layers[1].activation, h);
}

/* ---- 1.1 f and g ----------------------------------------------------------------------- */

/* Each row of `got` (B, n_out) must be the reference network applied to that row of
 * `in` (B, n_in), to rounding. */
static void check_rows_match_reference(const double *got, const Mlp *mlp, const double *in, size_t n_in,
                                       size_t n_out)
{
    if (!CHECK(got != NULL))
        return;
    for (size_t i = 0; i < BATCH; i++) {
        double expected[P]; /* n_out <= P */
        reference_mlp(expected, mlp, in + i * n_in);
        char meaning[96];
        snprintf(meaning, sizeof meaning, "coordinate %%zu of the output for example %zu (row %zu of the batch)", i,
                 i);
        const double *row = got + i * n_out;
        CHECK_ARRAY_NEAR(expected, row, n_out, 1e-12, meaning);
    }
}

static void test_encode(void)
{
    Autoencoder ae = small_autoencoder(1);
    double X[BATCH * P];
    small_batch(X, BATCH, 2);
    check_rows_match_reference(ae_encode(&ae, X, BATCH), &ae.encoder, X, P, D);
    ae_free(&ae);
}

static void test_decode(void)
{
    Autoencoder ae = small_autoencoder(3);
    double Z[BATCH * D] = { 0.5, -1.0, 2.0, 0.25, -0.75, 0.0, 1.5, -2.0 };
    check_rows_match_reference(ae_decode(&ae, Z, BATCH), &ae.decoder, Z, D, P);
    ae_free(&ae);
}

/* ---- 1.2 the reconstruction loss ------------------------------------------------------- */

static double reference_loss(const Autoencoder *ae, const double *X, size_t B)
{
    double sum = 0.0;
    for (size_t i = 0; i < B; i++) {
        double z[D], xhat[P];
        reference_mlp(z, &ae->encoder, X + i * P);
        reference_mlp(xhat, &ae->decoder, z);
        for (size_t j = 0; j < P; j++)
            sum += (X[i * P + j] - xhat[j]) * (X[i * P + j] - xhat[j]);
    }
    return sum / (double)B;
}

static void test_loss_value(void)
{
    Autoencoder ae = small_autoencoder(4);
    double X[BATCH * P];
    small_batch(X, BATCH, 5);
    CHECK_RELATIVE(reference_loss(&ae, X, BATCH), ae_forward(&ae, X, BATCH), 1e-12);
    ae_free(&ae);
}

/* The loss is a mean over the batch: the same examples twice give the same loss. */
static void test_loss_is_a_mean(void)
{
    Autoencoder ae = small_autoencoder(6);
    double X[2 * BATCH * P];
    small_batch(X, BATCH, 7);
    memcpy(X + BATCH * P, X, sizeof(double) * BATCH * P);
    double once = ae_forward(&ae, X, BATCH);
    double twice = ae_forward(&ae, X, 2 * BATCH);
    CHECK(isfinite(once));
    CHECK_RELATIVE(once, twice, 1e-12);
    ae_free(&ae);
}

/* ---- 1.3 the backward pass ------------------------------------------------------------- */

typedef struct LossContext {
    Autoencoder *ae;
    const double *X;
    size_t B;
} LossContext;

static double loss_of(void *context)
{
    LossContext *c = context;
    return ae_forward(c->ae, c->X, c->B);
}

static void test_gradients(void)
{
    Autoencoder ae = small_autoencoder(8);
    double X[BATCH * P];
    small_batch(X, BATCH, 9);
    parameters_zero_grad(&ae.parameters);
    ae_forward(&ae, X, BATCH);
    ae_backward(&ae, X, BATCH);
    LossContext context = { &ae, X, BATCH };
    CHECK_LONG(8, ae.parameters.count);
    check_parameter_gradients(&ae.parameters, loss_of, &context);
    ae_free(&ae);
}

/* Backward passes accumulate: two of them give twice the gradient of one. */
static void test_backward_accumulates(void)
{
    Autoencoder ae = small_autoencoder(10);
    double X[BATCH * P];
    small_batch(X, BATCH, 11);
    const Parameter *first = &ae.parameters.items[0]; /* f1.W: the far end of the chain */
    double once[P * H];
    parameters_zero_grad(&ae.parameters);
    ae_forward(&ae, X, BATCH);
    ae_backward(&ae, X, BATCH);
    memcpy(once, first->grad, sizeof once);
    ae_backward(&ae, X, BATCH);
    if (vector_max_abs(once, P * H) <= 1e-6)
        CHECK_FAIL("after one ae_backward, dL/dW of f's first layer (f1.W) is still all 0: the gradient "
                   "never reached the encoder f (is its mlp_backward called, with dL/dz from g's?)");
    double twice[P * H];
    for (size_t i = 0; i < P * H; i++)
        twice[i] = 2.0 * once[i];
    CHECK_ARRAY_NEAR(twice, first->grad, P * H, 1e-12,
                     "entry %zu of f1.W's gradient after two ae_backward calls: twice that of one, "
                     "since backward passes add (+=) into the gradients");
    ae_free(&ae);
}

/* ---- 1.4 a training step --------------------------------------------------------------- */

/* With plain SGD, every step must move every parameter by -eta dL/dtheta of that step's
 * loss. Two steps: a gradient not cleared after the first one adds to the second. The
 * reference is a copy of the model stepped by hand with the same ae_forward and
 * ae_backward, so this test depends on exercise 1.4 only. */
static void test_train_step_is_gradient_descent(void)
{
    Autoencoder ae = small_autoencoder(12), copy = small_autoencoder(12);
    double X[BATCH * P];
    small_batch(X, BATCH, 13);
    const double eta = 0.1;
    Optimizer sgd;
    Error err;
    CHECK(optimizer_init_sgd(&sgd, &ae.parameters, eta, 0.0, &err));
    for (int step = 1; step <= 2; step++) {
        parameters_zero_grad(&copy.parameters);
        double loss_before = ae_forward(&copy, X, BATCH);
        ae_backward(&copy, X, BATCH);
        for (size_t k = 0; k < copy.parameters.count; k++) {
            const Parameter *p = &copy.parameters.items[k];
            vector_axpy(p->value, -eta, p->grad, p->size); /* theta - eta dL/dtheta */
        }
        check_note("step %d of SGD (eta = %g):", step, eta);
        CHECK_RELATIVE(loss_before, ae_train_step(&ae, &sgd, X, BATCH), 1e-12);
        for (size_t k = 0; k < ae.parameters.count; k++) {
            const Parameter *theta = &ae.parameters.items[k];
            char meaning[128];
            snprintf(meaning, sizeof meaning, "entry %%zu of %s after step %d: must be theta - eta dL/dtheta",
                     theta->name, step);
            CHECK_ARRAY_NEAR(copy.parameters.items[k].value, theta->value, theta->size, 1e-12, meaning);
        }
    }
    optimizer_free(&sgd);
    ae_free(&ae);
    ae_free(&copy);
}

static void test_loss_falls_on_a_fixed_batch(void)
{
    Autoencoder ae = small_autoencoder(14);
    double X[BATCH * P];
    small_batch(X, BATCH, 15);
    Optimizer adam;
    Error err;
    CHECK(optimizer_init_adam(&adam, &ae.parameters, 0.02, &err));
    double first = ae_train_step(&ae, &adam, X, BATCH), loss = first;
    for (int step = 0; step < 200; step++)
        loss = ae_train_step(&ae, &adam, X, BATCH);
    check_note("loss %.4f -> %.4f after 200 Adam steps", first, loss);
    CHECK(isfinite(first));
    CHECK_BELOW(loss, 0.25 * first);
    optimizer_free(&adam);
    ae_free(&ae);
}

/* ---- 1.5 interpolation ----------------------------------------------------------------- */

static void test_interpolation_end_points(void)
{
    Autoencoder ae = small_autoencoder(16);
    double ends[2 * P];
    small_batch(ends, 2, 17);
    double t[3] = { 0.0, 0.5, 1.0 };
    double out[3 * P];
    fill_nan(out, 3 * P); /* every row must be written */
    ae_interpolate(&ae, out, ends, t, 3);
    double reconstruction[2 * P];
    vector_copy(reconstruction, ae_decode(&ae, ae_encode(&ae, ends, 2), 2), 2 * P);
    const double *t_0 = out, *t_half = out + P, *t_1 = out + 2 * P; /* rows of out (T, p) */
    CHECK_ARRAY_NEAR(reconstruction, t_0, P, 1e-12, "pixel %zu of row 0 of out, t = 0: must be g(f(x_a))");
    CHECK_ARRAY_NEAR(reconstruction + P, t_1, P, 1e-12, "pixel %zu of row 2 of out, t = 1: must be g(f(x_b))");
    /* t = 1/2 decodes the mean of the two codes */
    const double *Z = ae_encode(&ae, ends, 2);
    double middle_code[D], middle[P];
    for (size_t j = 0; j < D; j++)
        middle_code[j] = 0.5 * (Z[j] + Z[D + j]);
    reference_mlp(middle, &ae.decoder, middle_code);
    CHECK_ARRAY_NEAR(middle, t_half, P, 1e-12,
                     "pixel %zu of row 1 of out, t = 1/2: must be g((f(x_a) + f(x_b)) / 2), not (g(f(x_a)) + "
                     "g(f(x_b))) / 2");
    ae_free(&ae);
}

/* ---- on real digits ---------------------------------------------------------------------- */

/* On 1,000 training digits, MNIST_EPOCHS epochs of Adam bring the reconstruction error
 * of 1,000 test digits below MNIST_BOUND (pixels in [0, 1], error summed over the 784
 * pixels). For scale: predicting the mean digit for every input scores about 52, and the
 * untrained network about 182. */
enum { MNIST_EPOCHS = 8, MNIST_BATCH = 20 };
static const double MNIST_BOUND = 30.0;

static void test_learns_mnist(void)
{
    Error err;
    Dataset train, test;
    if (!load_shipped_digits(&train, 1000, &test, 1000))
        return;
    Rng rng;
    rng_seed(&rng, 1);
    Autoencoder ae;
    Optimizer adam;
    AutoencoderShape shape = { train.dim, 64, 16, ACTIVATION_RELU, ACTIVATION_SIGMOID };
    CHECK(ae_init(&ae, shape, MNIST_BATCH, &rng, &err));
    CHECK(optimizer_init_adam(&adam, &ae.parameters, 3e-3, &err));
    AutoencoderTrainer trainer = { &ae, &adam };
    FitOptions options = { .epochs = MNIST_EPOCHS, .batch_size = MNIST_BATCH, .shuffle = &rng, .what = "L", .quiet = true };
    FitHistory history;
    double before;
    EpochOptions evaluation = { MNIST_BATCH, NULL, NULL };
    CHECK(run_epoch(&before, &test, ae_evaluate_batch, &trainer, &evaluation, &err));
    if (CHECK(fit(&history, &train, &test, ae_train_batch, ae_evaluate_batch, &trainer, &options, &err))) {
        double after = history.test_loss[MNIST_EPOCHS - 1];
        check_note("test reconstruction error: %.2f before training, %.2f after %d epochs", before, after,
                   MNIST_EPOCHS);
        CHECK_BELOW(after, MNIST_BOUND);
        fit_history_free(&history);
    }
    optimizer_free(&adam);
    ae_free(&ae);
    dataset_free(&train);
    dataset_free(&test);
}

static const TestCase tests[] = {
    { "f(x) is the encoder network", "1.1", test_encode },
    { "g(z) is the decoder network", "1.1", test_decode },
    { "L = (1/B) sum ||x - g(f(x))||^2 on a small batch", "1.2 needs 1.1", test_loss_value },
    { "the loss is a mean over the batch", "1.2", test_loss_is_a_mean },
    { "gradient check of every parameter tensor", "1.3 needs 1.1 1.2", test_gradients },
    { "backward accumulates into the gradients", "1.3 needs 1.1 1.2", test_backward_accumulates },
    { "one SGD step is theta - eta dL/dtheta", "1.4 needs 1.1 1.2", test_train_step_is_gradient_descent },
    { "the loss falls on a fixed batch", "1.4 needs 1.1 1.2 1.3", test_loss_falls_on_a_fixed_batch },
    { "interpolation: t = 0, 1/2, 1", "1.5 needs 1.1", test_interpolation_end_points },
    { "learns MNIST: test error below 30 in 8 epochs on 1,000 digits", "1.4 needs 1.1 1.2 1.3", test_learns_mnist },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("01-autoencoder", tests, argc, argv);
}
