/* tests/06-vae/test_inpaint.c — chapter 6: inpainting with a VAE trained on masked inputs
 * (Wu L6, "Inpainting with VAE").
 *
 * The masked NELBO is checked against the model written out as loops (vae_fixtures.h): the
 * encoder reads x (.) m, the likelihood scores the whole x (a mask put on the target
 * instead, or on both, gives other numbers); vae_backward after it against centred
 * differences of that written-out loss; a training step against plain SGD; and a short
 * training against the mean digit on the missing pixels. The masks and the filling, which
 * are not exercises, are checked by counting. Uses lib/ and chapter 6 only.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gradcheck.h"
#include "harness.h"
#include "matrix.h"
#include "numerics.h"
#include "optimizer.h"
#include "train.h"
#include "vae.h"
#include "vae_fixtures.h"

enum { P = FIXTURE_P, D = 2, B = 4, ROWS = 2, COLS = 3 };

static MaskedBatch small_batch(void)
{
    MaskedBatch batch;
    Error err;
    if (!masked_batch_init(&batch, B, ROWS, COLS, &err))
        abort();
    return batch;
}

/* A fixed mask per digit, every digit with some pixels missing and some observed. */
static void fixed_masks(double *mask)
{
    for (size_t i = 0; i < B * P; i++)
        mask[i] = (i * 7 + i / P) % 3 == 0 ? 0.0 : 1.0;
}

/* ---- the masked NELBO written out ---------------------------------------------------------------- */

/* R + KL with q(z | x (.) m), p(x | z) scored on the whole x; KL as cross-entropy minus
 * entropy (CSC413 L10): 1/2 (mu^2 + sigma^2) - 1/2 log sigma^2 - 1/2 per coordinate. */
static double reference_masked_nelbo(const Vae *vae, VaeLoss *loss, const double *X, const double *mask,
                                     const double *eps)
{
    VaeLoss sum = { 0.0, 0.0 };
    for (size_t i = 0; i < B; i++) {
        double x_bar[P], mu[D], log_variance[D], z[D];
        for (size_t j = 0; j < P; j++)
            x_bar[j] = X[i * P + j] * mask[i * P + j];
        reference_encode(mu, log_variance, vae, x_bar);
        for (size_t j = 0; j < D; j++) {
            z[j] = mu[j] + sqrt(exp(log_variance[j])) * eps[i * D + j];
            sum.kl += 0.5 * (mu[j] * mu[j] + exp(log_variance[j])) - 0.5 * log_variance[j] - 0.5;
        }
        sum.reconstruction -= reference_log_likelihood(vae, X + i * P, z);
    }
    VaeLoss mean = { sum.reconstruction / B, sum.kl / B };
    if (loss)
        *loss = mean;
    return mean.reconstruction + mean.kl;
}

/* ---- 6.18 the masked NELBO ------------------------------------------------------------------------ */

static void test_masked_forward(void)
{
    Vae vae = fixture_vae(1, D, B);
    MaskedBatch batch = small_batch();
    double X[B * P], eps[B * D], X_bar[B * P];
    uniform_batch(X, B * P, 2);
    normal_batch(eps, B * D, 3);
    fixed_masks(batch.mask);
    for (size_t i = 0; i < B * P; i++)
        X_bar[i] = X[i] * batch.mask[i];
    VaeLoss expected, got = { NAN, NAN };
    double expected_nelbo = reference_masked_nelbo(&vae, &expected, X, batch.mask, eps);
    fill_nan(batch.X_masked, B * P);
    double nelbo = vae_masked_forward(&vae, &got, &batch, X, eps, B);
    check_note("R %.6f, KL %.6f (expected %.6f, %.6f)", got.reconstruction, got.kl, expected.reconstruction,
               expected.kl);
    CHECK_ARRAY_NEAR(X_bar, batch.X_masked, B * P, 0.0, "x (.) m, pixel %zu (row-major)");
    CHECK_RELATIVE(expected.reconstruction, got.reconstruction, 1e-12);
    CHECK_RELATIVE(expected.kl, got.kl, 1e-12);
    CHECK_RELATIVE(expected_nelbo, nelbo, 1e-12);
    CHECK_RELATIVE(nelbo, vae_masked_forward(&vae, NULL, &batch, X, eps, B), 1e-15); /* loss may be NULL */
    masked_batch_free(&batch);
    vae_free(&vae);
}

/* The mask must not reach the target: with x (.) m as the target too, R changes (here from
 * 4.413 to 4.382 nats), and with no mask on the encoder, KL does (0.276 to 0.135): both far
 * beyond the 1e-12 to which the masked NELBO is checked above. */
static void test_mask_is_on_the_input_only(void)
{
    Vae vae = fixture_vae(4, D, B);
    MaskedBatch batch = small_batch();
    double X[B * P], eps[B * D], X_bar[B * P], ones[B * P];
    uniform_batch(X, B * P, 5);
    normal_batch(eps, B * D, 6);
    fixed_masks(batch.mask);
    for (size_t i = 0; i < B * P; i++) {
        X_bar[i] = X[i] * batch.mask[i];
        ones[i] = 1.0;
    }
    VaeLoss got, target_masked, unmasked;
    vae_masked_forward(&vae, &got, &batch, X, eps, B);
    reference_masked_nelbo(&vae, &target_masked, X_bar, ones, eps); /* q(z | x (.) m), p(x (.) m | z) */
    reference_masked_nelbo(&vae, &unmasked, X, ones, eps);          /* the VAE's NELBO of x */
    check_note("R: %.4f; with the mask on the target %.4f; KL: %.4f; with no mask %.4f", got.reconstruction,
               target_masked.reconstruction, got.kl, unmasked.kl);
    if (!CHECK(fabs(got.reconstruction - target_masked.reconstruction) > 1e-3))
        check_note("R is that of x (.) m: the mask is on the target too; R scores the whole x");
    if (!CHECK(fabs(got.kl - unmasked.kl) > 1e-3))
        check_note("the KL is that of q(z | x): the encoder must see x (.) m");
    masked_batch_free(&batch);
    vae_free(&vae);
}

typedef struct MaskedContext {
    const Vae *vae;
    const double *X, *mask, *eps;
} MaskedContext;

static double masked_nelbo_of(void *context)
{
    MaskedContext *c = context;
    return reference_masked_nelbo(c->vae, NULL, c->X, c->mask, c->eps);
}

/* vae_backward after vae_masked_forward is the masked NELBO's gradient: every tensor against
 * centred differences of the written-out loss, eps and masks fixed. */
static void test_masked_gradient(void)
{
    Vae vae = fixture_vae(7, D, B);
    MaskedBatch batch = small_batch();
    double X[B * P], eps[B * D];
    uniform_batch(X, B * P, 8);
    normal_batch(eps, B * D, 9);
    fixed_masks(batch.mask);
    parameters_zero_grad(&vae.parameters);
    vae_masked_forward(&vae, NULL, &batch, X, eps, B);
    vae_backward(&vae, X, eps, B);
    MaskedContext context = { &vae, X, batch.mask, eps };
    check_parameter_gradients(&vae.parameters, masked_nelbo_of, &context);
    masked_batch_free(&batch);
    vae_free(&vae);
}

/* With plain SGD, two steps each move every parameter by -eta times the masked NELBO's
 * gradient at the masks and eps the step drew (read back, so any order of drawing is
 * fine); each step draws fresh masks, with pixels both missing and observed. */
static void test_masked_train_step_is_gradient_descent(void)
{
    Vae vae = fixture_vae(10, D, B);
    MaskedBatch batch = small_batch();
    double X[B * P], first_mask[B * P];
    uniform_batch(X, B * P, 11);
    const double eta = 0.05;
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 12);
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, eta, 0.0, &err));
    for (int step = 0; step < 2; step++) {
        Vae before = fixture_vae(10, D, B);
        for (size_t t = 0; t < vae.parameters.count; t++)
            vector_copy(before.parameters.items[t].value, vae.parameters.items[t].value, vae.parameters.items[t].size);
        fill_nan(batch.mask, B * P);
        fill_nan(vae.eps, B * D);
        VaeLoss loss = { NAN, NAN }, expected;
        double nelbo = vae_masked_train_step(&vae, &sgd, &loss, &batch, X, B, &rng);
        CHECK(vector_all_finite(batch.mask, B * P) && vector_all_finite(vae.eps, B * D));
        double expected_nelbo = reference_masked_nelbo(&before, &expected, X, batch.mask, vae.eps);
        CHECK_RELATIVE(expected_nelbo, nelbo, 1e-12);
        CHECK_RELATIVE(expected.kl, loss.kl, 1e-12);
        MaskedBatch copy = small_batch();
        vector_copy(copy.mask, batch.mask, B * P);
        parameters_zero_grad(&before.parameters);
        vae_masked_forward(&before, NULL, &copy, X, vae.eps, B);
        vae_backward(&before, X, vae.eps, B);
        check_sgd_step(&before.parameters, &vae.parameters, eta);
        if (step == 0)
            vector_copy(first_mask, batch.mask, B * P);
        else
            CHECK(vector_squared_distance(first_mask, batch.mask, B * P) > 0.0);
        masked_batch_free(&copy);
        vae_free(&before);
    }
    optimizer_free(&sgd);
    masked_batch_free(&batch);
    vae_free(&vae);
}

/* Each digit of a step gets its own mask (a fresh mask_random per digit), not one mask for
 * the whole batch: on 8 x 8 images, 8 digits drawing the same mask by chance has a
 * probability below 1e-12, whatever the order of the draws. */
static void test_each_digit_draws_its_own_mask(void)
{
    enum { SIDE = 8, PIXELS = SIDE * SIDE, DIGITS = 8 };
    Vae vae;
    MaskedBatch batch;
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 13);
    VaeShape shape = { PIXELS, 3, D, ACTIVATION_TANH, VAE_DECODER_BERNOULLI, 0.0 };
    if (!CHECK(vae_init(&vae, shape, DIGITS, &rng, &err)))
        return;
    double X[DIGITS * PIXELS];
    uniform_batch(X, DIGITS * PIXELS, 14);
    CHECK(masked_batch_init(&batch, DIGITS, SIDE, SIDE, &err));
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, 0.01, 0.0, &err));
    fill_nan(batch.mask, DIGITS * PIXELS);
    vae_masked_train_step(&vae, &sgd, NULL, &batch, X, DIGITS, &rng);
    CHECK(vector_all_finite(batch.mask, DIGITS * PIXELS));
    bool one_mask_for_all = true;
    for (size_t i = 1; i < DIGITS; i++)
        one_mask_for_all = one_mask_for_all && vector_squared_distance(batch.mask, batch.mask + i * PIXELS, PIXELS) == 0.0;
    if (!CHECK(!one_mask_for_all))
        check_note("every digit of the step has the same mask: draw a fresh mask_random for each digit");
    optimizer_free(&sgd);
    masked_batch_free(&batch);
    vae_free(&vae);
}

/* Trained on masked digits (1,000 digits, 10 epochs), the VAE fills the missing top half of
 * 500 test digits better than the mean training digit does: mean squared error per missing
 * pixel below the mean digit's (0.052 against 0.063 here; 0.058 after 4 epochs, 0.055
 * after 6: the margin grows with training). */
static void test_fills_better_than_the_mean_digit(void)
{
    enum { EPOCHS = 10, BATCH = 32, N_TEST = 500 };
    Error err;
    Dataset train, test;
    if (!load_shipped_digits(&train, 1000, &test, N_TEST))
        return;
    size_t p = train.dim;
    Rng rng;
    rng_seed(&rng, 1);
    Vae vae;
    MaskedBatch batch;
    Optimizer adam;
    VaeShape shape = { p, 64, 8, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    double *mean = calloc(p, sizeof(double)), *mask = malloc(sizeof(double) * p),
           *X_masked = malloc(sizeof(double) * N_TEST * p), *filled = malloc(sizeof(double) * N_TEST * p);
    CHECK(vae_init(&vae, shape, N_TEST, &rng, &err) && masked_batch_init(&batch, BATCH, train.rows, train.cols, &err));
    CHECK(optimizer_init_adam(&adam, &vae.parameters, 3e-3, &err));
    MaskedVaeTrainer trainer = { &vae, &adam, &batch, &rng };
    EpochOptions training = { BATCH, &rng, NULL };
    double train_loss;
    for (int epoch = 0; epoch < EPOCHS; epoch++)
        CHECK(run_epoch(&train_loss, &train, vae_masked_train_batch, &trainer, &training, &err));
    for (size_t i = 0; i < train.count; i++)
        vector_axpy(mean, 1.0 / (double)train.count, train.images + i * p, p);
    mask_of_kind(mask, MASK_TOP_HALF, test.rows, test.cols, &rng);
    for (size_t i = 0; i < N_TEST * p; i++)
        X_masked[i] = test.images[i] * mask[i % p];
    double *masks = malloc(sizeof(double) * N_TEST * p);
    for (size_t i = 0; i < N_TEST; i++)
        vector_copy(masks + i * p, mask, p);
    vae_inpaint(&vae, filled, X_masked, masks, N_TEST);
    double vae_error = 0.0, mean_error = 0.0, missing = 0.0;
    for (size_t i = 0; i < N_TEST * p; i++)
        if (mask[i % p] == 0.0) {
            vae_error += (filled[i] - test.images[i]) * (filled[i] - test.images[i]);
            mean_error += (mean[i % p] - test.images[i]) * (mean[i % p] - test.images[i]);
            missing += 1.0;
        }
    check_note("squared error per missing pixel: VAE %.4f, mean digit %.4f", vae_error / missing, mean_error / missing);
    CHECK(vae_error < mean_error);
    free(masks);
    free(mean);
    free(mask);
    free(X_masked);
    free(filled);
    optimizer_free(&adam);
    masked_batch_free(&batch);
    vae_free(&vae);
    dataset_free(&train);
    dataset_free(&test);
}

/* ---- not graded: the masks and the filling ------------------------------------------------------- */

static double missing_count(const double *mask, size_t n)
{
    double zeros = 0.0;
    for (size_t j = 0; j < n; j++)
        zeros += mask[j] == 0.0;
    return zeros;
}

/* On 28 x 28: the top and left halves hide 392 pixels each (rows / columns 0..13), the
 * centred square 196 (rows and columns 7..20); the random masks hide 50% and 80% within 5
 * standard errors over 100 masks (sqrt(p(1 - p) / 78,400) each; false failure < 1e-6). */
static void test_masks_of_each_kind(void)
{
    enum { SIDE = 28, N = SIDE * SIDE, REPEATS = 100 };
    double mask[N];
    Rng rng;
    rng_seed(&rng, 13);
    mask_of_kind(mask, MASK_TOP_HALF, SIDE, SIDE, &rng);
    CHECK_NEAR(392.0, missing_count(mask, N), 0.0);
    CHECK(mask[13 * SIDE + 27] == 0.0 && mask[14 * SIDE] == 1.0);
    mask_of_kind(mask, MASK_LEFT_HALF, SIDE, SIDE, &rng);
    CHECK_NEAR(392.0, missing_count(mask, N), 0.0);
    CHECK(mask[27 * SIDE + 13] == 0.0 && mask[14] == 1.0);
    mask_of_kind(mask, MASK_CENTRED_SQUARE, SIDE, SIDE, &rng);
    CHECK_NEAR(196.0, missing_count(mask, N), 0.0);
    CHECK(mask[7 * SIDE + 7] == 0.0 && mask[20 * SIDE + 20] == 0.0 && mask[6 * SIDE + 7] == 1.0 && mask[21 * SIDE + 20] == 1.0);
    const MaskKind random[2] = { MASK_RANDOM_50, MASK_RANDOM_80 };
    const double rate[2] = { 0.5, 0.8 };
    for (int k = 0; k < 2; k++) {
        double zeros = 0.0;
        for (int r = 0; r < REPEATS; r++) {
            mask_of_kind(mask, random[k], SIDE, SIDE, &rng);
            zeros += missing_count(mask, N);
        }
        double total = (double)N * REPEATS;
        CHECK_NEAR(rate[k], zeros / total, 5.0 * sqrt(rate[k] * (1.0 - rate[k]) / total));
    }
}

/* Training masks are 0/1, and over 2,000 of them both families occur: some hide a
 * rectangle (every missing pixel in one block), some scatter pixels. */
static void test_random_masks(void)
{
    enum { SIDE = 28, N = SIDE * SIDE, COUNT = 2000 };
    double mask[N];
    Rng rng;
    rng_seed(&rng, 14);
    double missing = 0.0;
    for (int m = 0; m < COUNT; m++) {
        mask_random(mask, SIDE, SIDE, &rng);
        for (size_t j = 0; j < N; j++)
            CHECK(mask[j] == 0.0 || mask[j] == 1.0);
        missing += missing_count(mask, N);
    }
    check_note("mean share missing: %.3f", missing / (COUNT * (double)N));
    CHECK(missing > 0.2 * COUNT * N && missing < 0.6 * COUNT * N);
}

/* The filling keeps every observed pixel and puts E[x | z = mu(x-bar)] = sigmoid(s(mu(x-bar)))
 * in the missing ones (the model written out). */
static void test_inpaint_fills_the_missing_pixels(void)
{
    Vae vae = fixture_vae(15, D, B);
    double X[B * P], mask[B * P], X_bar[B * P], filled[B * P], expected[B * P];
    uniform_batch(X, B * P, 16);
    fixed_masks(mask);
    for (size_t i = 0; i < B * P; i++)
        X_bar[i] = X[i] * mask[i];
    for (size_t i = 0; i < B; i++) {
        double mu[D], log_variance[D], s[P];
        reference_encode(mu, log_variance, &vae, X_bar + i * P);
        reference_logits(s, &vae, mu);
        for (size_t j = 0; j < P; j++)
            expected[i * P + j] = mask[i * P + j] == 1.0 ? X[i * P + j] : 1.0 / (1.0 + exp(-s[j]));
    }
    fill_nan(filled, B * P);
    vae_inpaint(&vae, filled, X_bar, mask, B);
    CHECK_ARRAY_NEAR(expected, filled, B * P, 1e-12, "pixel %zu: x where observed, sigmoid(s(mu(x-bar))) where missing");
    vae_free(&vae);
}

static const TestCase tests[] = {
    { "masked NELBO: encoder on x (.) m, R on the whole x, from the definitions", "6.18 needs 6.1 6.2 6.3 6.5", test_masked_forward },
    { "the mask is on the encoder's input, not on the target", "6.18 needs 6.1 6.2 6.3 6.5", test_mask_is_on_the_input_only },
    { "vae_backward after the masked forward: gradient check of every tensor", "6.18 needs 6.1 6.2 6.3 6.5 6.7", test_masked_gradient },
    { "two SGD steps on fresh masks are theta - eta grad at the drawn masks and eps", "6.18 needs 6.1 6.2 6.3 6.5 6.7", test_masked_train_step_is_gradient_descent },
    { "each digit of a step draws its own mask", "6.18 needs 6.1 6.2 6.3 6.5 6.7", test_each_digit_draws_its_own_mask },
    { "after 10 epochs on 1,000 masked digits, fills the top half better than the mean digit", "6.18 needs 6.1 6.2 6.3 6.5 6.7", test_fills_better_than_the_mean_digit },
    { "masks: halves, centred square, random 50% and 80% hide what they say", NULL, test_masks_of_each_kind },
    { "training masks: 0/1, hiding between 20% and 60% of the pixels on average", NULL, test_random_masks },
    { "the filling keeps the observed pixels and decodes mu(x-bar) in the missing ones", "6.18 needs 6.1", test_inpaint_fills_the_missing_pixels },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae inpaint", tests, argc, argv);
}
