/* tests/06-vae/test_beta.c — chapter 6, continued: the beta-VAE, the controlled capacity and
 * the active units (exercises 6.12-6.14).
 *
 * The references: the two terms R and KL of vae_forward (exercise 6.6, tested in
 * test_vae.c against the definitions), weighted here by the test itself; every gradient
 * with centred differences of that weighted loss at a fixed eps (lib/gradcheck.h); the
 * capacity's subgradient by hand; the active units on an encoder whose means are known in
 * closed form. The small networks use tanh (smooth) and a Bernoulli decoder. Uses lib/
 * and chapter 6 only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gradcheck.h"
#include "harness.h"
#include "matrix.h"
#include "optimizer.h"
#include "train.h"
#include "vae.h"

enum { P = 6, H = 5, D = 3, BATCH = 4, MAX_BATCH = 16 };

/* A small VAE p = 6, hidden = 5, d = 3, tanh, non-zero biases, with the given decoder. */
static Vae small_vae_with(unsigned seed, VaeDecoderKind decoder)
{
    Vae vae;
    Rng rng;
    rng_seed(&rng, seed);
    VaeShape shape = { P, H, D, ACTIVATION_TANH, decoder, VAE_LOG_VARIANCE_MIN };
    Error err;
    if (!vae_init(&vae, shape, MAX_BATCH, &rng, &err))
        abort();
    for (size_t k = 0; k < vae.parameters.count; k++)
        if (strstr(vae.parameters.items[k].name, ".b"))
            rng_fill_normal(&rng, vae.parameters.items[k].value, vae.parameters.items[k].size, 0.0, 0.3);
    return vae;
}

/* The same with a Bernoulli decoder, the model of most tests here. */
static Vae small_vae(unsigned seed) { return small_vae_with(seed, VAE_DECODER_BERNOULLI); }

/* A batch X (BATCH, P) of pixels in [0, 1] and its noise eps (BATCH, D). */
static void batch(double *X, double *eps, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < BATCH * P; i++)
        X[i] = rng_uniform(&rng);
    rng_fill_normal(&rng, eps, BATCH * D, 0.0, 1.0);
}

/* ---- the weighted losses, as the test computes them from vae_forward's R and KL ------------- */

typedef struct Objective {
    Vae *vae;
    const double *X, *eps;
    double beta, capacity;
    bool controlled; /* R + beta |KL - C| instead of R + beta KL */
} Objective;

static double objective_value(void *context)
{
    Objective *o = context;
    VaeLoss loss;
    vae_forward(o->vae, &loss, o->X, o->eps, BATCH);
    return loss.reconstruction + o->beta * (o->controlled ? fabs(loss.kl - o->capacity) : loss.kl);
}

/* Every tensor's gradient against centred differences of the objective (< 1e-6 relative). */
static void check_gradients(Objective *o)
{
    check_note("beta = %g%s", o->beta, o->controlled ? " (capacity)" : "");
    check_parameter_gradients(&o->vae->parameters, objective_value, o);
}

/* Backward passes accumulate: run forward and backward, then backward again, and halve. */
static void halve_gradients(Vae *vae)
{
    for (size_t k = 0; k < vae->parameters.count; k++)
        vector_scale(vae->parameters.items[k].grad, 0.5, vae->parameters.items[k].size);
}

/* ---- 6.12 the beta-VAE ---------------------------------------------------------------------------- */

/* L_beta = R + beta KL with R and KL unweighted in *loss: beta on the KL (not on R), never
 * ignored, for beta = 0 (the auto-encoder's loss, R alone), 0.5 and 3. */
static void test_beta_forward(void)
{
    Vae vae = small_vae(1);
    double X[BATCH * P], eps[BATCH * D];
    batch(X, eps, 2);
    VaeLoss expected;
    vae_forward(&vae, &expected, X, eps, BATCH);
    const double betas[3] = { 0.0, 0.5, 3.0 };
    for (size_t b = 0; b < 3; b++) {
        VaeLoss got = { NAN, NAN };
        double loss = vae_beta_forward(&vae, &got, X, eps, BATCH, betas[b]);
        check_note("beta = %g: L = %.6f, R = %.6f, KL = %.6f", betas[b], loss, got.reconstruction, got.kl);
        CHECK_RELATIVE(expected.reconstruction + betas[b] * expected.kl, loss, 1e-12);
        CHECK_RELATIVE(expected.reconstruction, got.reconstruction, 1e-12);
        CHECK_RELATIVE(expected.kl, got.kl, 1e-12);
    }
    CHECK(isfinite(vae_beta_forward(&vae, NULL, X, eps, BATCH, 2.0))); /* loss may be NULL */
    vae_free(&vae);
}

/* The gradient of R + beta KL for beta = 0, 0.5, 3 and -2 (the capacity's weight below C),
 * with the Bernoulli decoder, and for beta = 3 with the Gaussian one: beta changes only the
 * KL's gradient, whatever the decoder. */
static void test_beta_gradients(void)
{
    const double betas[5] = { 0.0, 0.5, 3.0, -2.0, 3.0 };
    for (size_t b = 0; b < 5; b++) {
        Vae vae = small_vae_with(3, b < 4 ? VAE_DECODER_BERNOULLI : VAE_DECODER_GAUSSIAN);
        double X[BATCH * P], eps[BATCH * D];
        batch(X, eps, 4);
        parameters_zero_grad(&vae.parameters);
        vae_beta_forward(&vae, NULL, X, eps, BATCH, betas[b]);
        vae_beta_backward(&vae, X, eps, BATCH, betas[b]);
        vae_beta_backward(&vae, X, eps, BATCH, betas[b]);
        halve_gradients(&vae);
        Objective o = { &vae, X, eps, betas[b], 0.0, false };
        check_gradients(&o);
        vae_free(&vae);
    }
}

/* Log-variance heads at +-1000, far outside the clamp [-30, 30]: the loss uses the clamped
 * value, a constant, so the head's parameters get no gradient from R or from beta KL. (The
 * clamp's backward belongs in the KL's extra (beta - 1) term too.) */
static void test_beta_gradient_through_the_clamp(void)
{
    for (double bias = -1000.0; bias <= 1000.0; bias += 2000.0) {
        Vae vae = small_vae(9);
        double X[BATCH * P], eps[BATCH * D];
        batch(X, eps, 10);
        for (size_t j = 0; j < D; j++)
            vae.encoder_log_variance.b[j] = bias;
        parameters_zero_grad(&vae.parameters);
        vae_beta_forward(&vae, NULL, X, eps, BATCH, 3.0);
        vae_beta_backward(&vae, X, eps, BATCH, 3.0);
        check_note("log sigma^2 heads at %g", bias);
        bool no_gradient = CHECK_NEAR(0.0, vector_max_abs(vae.encoder_log_variance.dW, H * D), 0.0);
        no_gradient = CHECK_NEAR(0.0, vector_max_abs(vae.encoder_log_variance.db, D), 0.0) && no_gradient;
        if (!no_gradient)
            check_note("the clamped heads got a gradient: the (beta - 1) KL term needs vae_clamp_backward too");
        CHECK(vector_max_abs(vae.encoder_mu.dW, H * D) > 0.0); /* the mean head still learns */
        vae_free(&vae);
    }
}

/* ---- 6.13 the controlled capacity ------------------------------------------------------------------- */

/* d/dKL beta |KL - C|: +beta above C, -beta below, and the chosen subgradient 0 at KL = C. */
static void test_capacity_kl_weight(void)
{
    CHECK_NEAR(2.0, vae_capacity_kl_weight(5.0, 2.0, 3.0), 0.0);
    CHECK_NEAR(-2.0, vae_capacity_kl_weight(1.0, 2.0, 3.0), 0.0);
    CHECK_NEAR(0.0, vae_capacity_kl_weight(3.0, 2.0, 3.0), 0.0);
    CHECK_NEAR(0.5, vae_capacity_kl_weight(1e-9, 0.5, 0.0), 0.0); /* C = 0: the beta-VAE */
}

/* L_C = R + beta |KL - C| with C below and above the batch's KL; R and KL unweighted. */
static void test_capacity_forward(void)
{
    Vae vae = small_vae(5);
    double X[BATCH * P], eps[BATCH * D];
    batch(X, eps, 6);
    VaeLoss expected;
    vae_forward(&vae, &expected, X, eps, BATCH);
    const double offsets[2] = { -0.7, 1.3 };
    for (size_t k = 0; k < 2; k++) {
        double capacity = expected.kl + offsets[k];
        VaeLoss got = { NAN, NAN };
        double loss = vae_capacity_forward(&vae, &got, X, eps, BATCH, 4.0, capacity);
        check_note("KL = %.6f, C = %.6f: L = %.6f", expected.kl, capacity, loss);
        CHECK_RELATIVE(expected.reconstruction + 4.0 * fabs(offsets[k]), loss, 1e-12);
        CHECK_RELATIVE(expected.reconstruction, got.reconstruction, 1e-12);
        CHECK_RELATIVE(expected.kl, got.kl, 1e-12);
    }
    vae_free(&vae);
}

/* The gradient of R + beta |KL - C| with C one nat below the KL and one above (the kink
 * is then far outside the finite differences' steps). */
static void test_capacity_gradients(void)
{
    for (int side = -1; side <= 1; side += 2) {
        Vae vae = small_vae(7);
        double X[BATCH * P], eps[BATCH * D];
        batch(X, eps, 8);
        VaeLoss loss;
        vae_forward(&vae, &loss, X, eps, BATCH);
        double capacity = loss.kl + side;
        parameters_zero_grad(&vae.parameters);
        vae_capacity_forward(&vae, NULL, X, eps, BATCH, 3.0, capacity);
        vae_capacity_backward(&vae, X, eps, BATCH, 3.0, capacity);
        vae_capacity_backward(&vae, X, eps, BATCH, 3.0, capacity);
        halve_gradients(&vae);
        Objective o = { &vae, X, eps, 3.0, capacity, true };
        check_gradients(&o);
        vae_free(&vae);
    }
}

/* The KL of each epoch tracks C on a short run on MNIST. */
enum { TRACK_DIGITS = 1000, TRACK_EPOCHS = 4, TRACK_BATCH = 32 };
static const double TRACK_CAPACITY = 12.0, TRACK_BETA = 8.0, TRACK_TOLERANCE = 1.0;

/* 784-64-8, Bernoulli, Adam 3e-3, batch 32, on 1,000 training digits for 4 epochs (128
 * steps), L_C with beta = 8 and C raised linearly from 0 to 12 nats over the run. From the
 * second epoch on, the KL averaged over each epoch's steps must be within 1 nat of C
 * averaged over the same steps. Why 1 nat: once the KL tracks C, sign(KL - C) flips from
 * batch to batch and the epoch's KL stays within a few tenths of a nat of C; over seeds 1
 * to 11 the largest deviation in epochs 2-4 was 0.62 nats (0.33 at seed 1, the seed used).
 * The first epoch is left out: the encoder starts with a KL of about 2 nats at C = 0 and
 * overshoots the start of the ramp by up to 1.06 nats (seeds 1-11). A run that ignores C
 * (the beta-VAE at beta = 8), or pushes the KL away from it (the sign reversed), ends more
 * than 5 nats off. */
static void test_capacity_tracks_c(void)
{
    Error err;
    Dataset train;
    if (!load_shipped_digits(&train, TRACK_DIGITS, NULL, 0))
        return;
    Rng rng;
    rng_seed(&rng, 1);
    Vae vae;
    Optimizer adam;
    VaeShape shape = { train.dim, 64, 8, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    CHECK(vae_init(&vae, shape, TRACK_BATCH, &rng, &err));
    CHECK(optimizer_init_adam(&adam, &vae.parameters, 3e-3, &err));
    size_t steps_per_epoch = (TRACK_DIGITS + TRACK_BATCH - 1) / TRACK_BATCH;
    VaeSchedule schedule = { .beta = TRACK_BETA, .controlled = true, .capacity = TRACK_CAPACITY,
                             .capacity_steps = TRACK_EPOCHS * steps_per_epoch };
    VaeScheduleTrainer trainer = { { &vae, &adam, &rng, { 0, 0 }, 0 }, schedule, 0 };
    EpochOptions options = { TRACK_BATCH, &rng, NULL };
    for (size_t epoch = 0; epoch < TRACK_EPOCHS; epoch++) {
        VaeLoss mean = { NAN, NAN };
        size_t first = trainer.step;
        if (!CHECK(vae_epoch(&mean, &trainer.base, &train, vae_schedule_train_batch, &options, &err)))
            break;
        double capacity = 0.0;
        for (size_t t = first; t < trainer.step; t++)
            capacity += vae_schedule_capacity(&schedule, t) / (double)(trainer.step - first);
        check_note("epoch %zu: C %.3f, KL %.3f", epoch + 1, capacity, mean.kl);
        if (epoch > 0)
            CHECK_NEAR(capacity, mean.kl, TRACK_TOLERANCE);
    }
    optimizer_free(&adam);
    vae_free(&vae);
    dataset_free(&train);
}

/* ---- 6.14 the active units ------------------------------------------------------------------------- */

/* An encoder whose means are known: identity hidden layer h = x (hidden = p), and
 *     mu_1 = x_1,   mu_2 = 0.3 x_2,   mu_3 = 0.5,
 *     log sigma_j^2 = 40 x_(j+3) - 1 (spread out, so a variance of sigma is far off).
 * The N = 10 digits have x_1 = x_2 = 0.05 i, i = 0 .. 9, x_4..6 random. So, dividing by N:
 *     A_1 = 0.05^2 (N^2 - 1) / 12 = 0.020625   (active),
 *     A_2 = 0.3^2 A_1 = 0.00185625             (not active at 0.01),
 *     A_3 = 0                                   (not active).
 * (With N - 1: A_1 = 0.0229167.) max_batch = 4, so the digits must be encoded in 3 chunks. */
enum { AU_N = 10 };

static Vae known_means_vae(double *X)
{
    Vae vae;
    Rng rng;
    rng_seed(&rng, 9);
    VaeShape shape = { P, P, D, ACTIVATION_IDENTITY, VAE_DECODER_BERNOULLI, 0.0 };
    Error err;
    if (!vae_init(&vae, shape, 4, &rng, &err))
        abort();
    Dense *hidden = &vae.encoder_hidden.layers[0].dense;
    vector_zero(hidden->W, P * P);
    vector_zero(hidden->b, P);
    for (size_t j = 0; j < P; j++)
        hidden->W[j * P + j] = 1.0;
    vector_zero(vae.encoder_mu.W, P * D);
    vector_zero(vae.encoder_log_variance.W, P * D);
    vae.encoder_mu.W[0 * D + 0] = 1.0;
    vae.encoder_mu.W[1 * D + 1] = 0.3;
    vae.encoder_mu.b[0] = vae.encoder_mu.b[1] = 0.0;
    vae.encoder_mu.b[2] = 0.5;
    for (size_t j = 0; j < D; j++) {
        vae.encoder_log_variance.W[(j + 3) * D + j] = 40.0;
        vae.encoder_log_variance.b[j] = -1.0;
    }
    for (size_t i = 0; i < AU_N; i++)
        for (size_t j = 0; j < P; j++)
            X[i * P + j] = j < 2 ? 0.05 * (double)i : rng_uniform(&rng);
    return vae;
}

static void test_active_units_by_hand(void)
{
    double X[AU_N * P], activity[D], mean[D];
    Vae vae = known_means_vae(X);
    fill_nan(activity, D);
    fill_nan(mean, D);
    size_t active = vae_active_units(&vae, activity, mean, X, AU_N, VAE_ACTIVE_UNIT_THRESHOLD);
    const double expected[D] = { 0.020625, 0.00185625, 0.0 }, expected_mean[D] = { 0.225, 0.0675, 0.5 };
    CHECK_ARRAY_NEAR(expected, activity, D, 1e-12, "A_j = Cov_x(E_q[z_j]), divided by N");
    CHECK_ARRAY_NEAR(expected_mean, mean, D, 1e-12, "m_j, the mean of mu_j(x) over the digits");
    CHECK_LONG(1, active); /* A_j above 0.01, not below */
    vae_free(&vae);
}

/* The threshold is the caller's: 0.001 counts A_2 too, 0.05 counts none. */
static void test_active_units_threshold(void)
{
    double X[AU_N * P], activity[D], mean[D];
    Vae vae = known_means_vae(X);
    CHECK_LONG(2, vae_active_units(&vae, activity, mean, X, AU_N, 0.001));
    CHECK_LONG(0, vae_active_units(&vae, activity, mean, X, AU_N, 0.05));
    vae_free(&vae);
}

/* ---- the KL of each unit (the program's bar chart) ------------------------------------------------------ */

/* The units' KLs sum to the mean KL of vae_kl over the same digits. */
static void test_kl_per_dimension_sums_to_the_kl(void)
{
    double X[AU_N * P], kl_per_unit[D], kl[AU_N];
    Vae vae = known_means_vae(X);
    fill_nan(kl_per_unit, D);
    vae_kl_per_dimension(&vae, kl_per_unit, X, AU_N);
    double total = 0.0;
    for (size_t start = 0; start < AU_N; start += 4) {
        size_t B = start + 4 <= AU_N ? 4 : AU_N - start;
        vae_encode(&vae, X + start * P, B);
        vae_kl(kl + start, vae.mu_z, vae.log_variance_z, B, D);
    }
    for (size_t i = 0; i < AU_N; i++)
        total += kl[i] / AU_N;
    CHECK_RELATIVE(total, kl_per_unit[0] + kl_per_unit[1] + kl_per_unit[2], 1e-12);
    vae_free(&vae);
}

static const TestCase tests[] = {
    { "beta-VAE loss: R + beta KL, beta on the KL only", "6.12 needs 6.1 6.2 6.3 6.5 6.6", test_beta_forward },
    { "beta-VAE gradient check for beta = 0, 0.5, 3, -2, accumulating; Gaussian decoder",
      "6.12 needs 6.1 6.2 6.3 6.4 6.5 6.6 6.7",
      test_beta_gradients },
    { "beta-VAE: log sigma^2 heads beyond the clamp get no gradient", "6.12 needs 6.1 6.2 6.3 6.5 6.6 6.7",
      test_beta_gradient_through_the_clamp },
    { "capacity: d/dKL beta |KL - C| is +-beta, and 0 at KL = C", "6.13", test_capacity_kl_weight },
    { "capacity loss: R + beta |KL - C| on both sides of C", "6.13 needs 6.1 6.2 6.3 6.5 6.6", test_capacity_forward },
    { "capacity gradient check with C below and above the KL", "6.13 needs 6.1 6.2 6.3 6.5 6.6 6.7 6.12",
      test_capacity_gradients },
    { "capacity: the KL of epochs 2-4 tracks C within 1 nat on MNIST", "6.13 needs 6.1 6.2 6.3 6.5 6.6 6.7 6.12",
      test_capacity_tracks_c },
    { "active units: Cov_x(E_q[z_j]) of known means, by hand", "6.14 needs 6.1", test_active_units_by_hand },
    { "active units: above the caller's threshold", "6.14 needs 6.1", test_active_units_threshold },
    { "the units' KLs sum to the KL", "6.3 needs 6.1", test_kl_per_dimension_sums_to_the_kl },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae beta", tests, argc, argv);
}
