/* tests/06-vae/test_vae.c — chapter 6: the variational auto-encoder, every gradient by hand.
 *
 * Each exercise is compared with something it did not compute itself: the networks with
 * the layers written out as loops below; the reparameterisation and the KL with values
 * worked out by hand and with the KL's definition integrated numerically; the Gaussian
 * log-likelihood with lib's log_normal_density; the Bernoulli one with its textbook form;
 * every backward pass, on its own, with centred differences (lib/gradcheck.h) at a fixed
 * eps; the k-sample estimate with log p(x) integrated over a 1-D latent space; sampling
 * and the manifold with the moments and quantiles of N(0, 1).
 *
 * The small networks use tanh (smooth, so finite differences are accurate everywhere) and
 * non-zero biases; their log-variances stay far from the clamps' kinks at -30, 30 and the
 * decoder's floor. Uses lib/ and chapter 6 only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gradcheck.h"
#include "harness.h"
#include "layers.h"
#include "matrix.h"
#include "numerics.h"
#include "optimizer.h"
#include "train.h"
#include "vae.h"

enum { P = 6, H = 5, D = 3, BATCH = 4, MAX_BATCH = 16 };

/* ---- fixtures ------------------------------------------------------------------------------ */

static void fill_biases(Vae *vae, Rng *rng)
{
    for (size_t k = 0; k < vae->parameters.count; k++)
        if (strstr(vae->parameters.items[k].name, ".b"))
            rng_fill_normal(rng, vae->parameters.items[k].value, vae->parameters.items[k].size, 0.0, 0.3);
}

/* A small VAE p = 6, hidden = 5, d = 3 with tanh hidden layers and non-zero biases. */
static Vae small_vae(unsigned seed, VaeDecoderKind decoder, size_t d)
{
    Vae vae;
    Rng rng;
    rng_seed(&rng, seed);
    VaeShape shape = { P, H, d, ACTIVATION_TANH, decoder, VAE_LOG_VARIANCE_MIN };
    Error err;
    if (!vae_init(&vae, shape, MAX_BATCH, &rng, &err))
        abort();
    fill_biases(&vae, &rng);
    if (decoder == VAE_DECODER_GAUSSIAN_SHARED)
        vae.shared_log_variance[0] = -0.4;
    return vae;
}

/* ---- the reference networks, as loops, one example at a time -------------------------------- */

/* out_j = sigma(sum_i W_ij in_i + b_j)                              W (n_in, n_out) */
static void reference_layer(double *out, const Dense *layer, Activation activation, const double *in)
{
    for (size_t j = 0; j < layer->out; j++) {
        double a = layer->b[j];
        for (size_t i = 0; i < layer->in; i++)
            a += layer->W[i * layer->out + j] * in[i];
        activation_forward(&out[j], activation, &a, 1);
    }
}

/* The one dense layer of a hidden Mlp, read through the Mlp's own layer list. */
static const Dense *hidden_dense(const Mlp *mlp) { return &mlp->layers[0].dense; }

static void reference_encode(double *mu, double *log_variance, const Vae *vae, const double *x)
{
    double h[H];
    reference_layer(h, hidden_dense(&vae->encoder_hidden), vae->shape.hidden_activation, x);
    reference_layer(mu, &vae->encoder_mu, ACTIVATION_IDENTITY, h);
    reference_layer(log_variance, &vae->encoder_log_variance, ACTIVATION_IDENTITY, h);
    for (size_t j = 0; j < vae->shape.d; j++)
        log_variance[j] = fmin(fmax(log_variance[j], VAE_LOG_VARIANCE_MIN), VAE_LOG_VARIANCE_MAX);
}

static void reference_decode(double *mu, double *log_variance, const Vae *vae, const double *z)
{
    double h[H];
    reference_layer(h, hidden_dense(&vae->decoder_hidden), vae->shape.hidden_activation, z);
    reference_layer(mu, &vae->decoder_mu, ACTIVATION_IDENTITY, h);
    if (vae_decoder_is_gaussian(vae->shape.decoder)) {
        if (vae->shape.decoder == VAE_DECODER_GAUSSIAN)
            reference_layer(log_variance, &vae->decoder_log_variance, ACTIVATION_IDENTITY, h);
        else
            for (size_t j = 0; j < P; j++)
                log_variance[j] = vae->shared_log_variance[0];
        for (size_t j = 0; j < P; j++)
            log_variance[j] = fmin(fmax(log_variance[j], vae->shape.log_variance_floor), VAE_LOG_VARIANCE_MAX);
    }
}

/* log p_theta(x | z), written from the definitions (not in the chapter's form) */
static double reference_log_likelihood(const Vae *vae, const double *x, const double *z)
{
    double mu[P], log_variance[P], sum = 0.0;
    reference_decode(mu, log_variance, vae, z);
    for (size_t j = 0; j < P; j++) {
        if (vae_decoder_is_gaussian(vae->shape.decoder)) {
            sum += log_normal_density(x[j], mu[j], exp(log_variance[j]));
        } else {
            double probability = 1.0 / (1.0 + exp(-mu[j]));
            sum += x[j] * log(probability) + (1.0 - x[j]) * log(1.0 - probability);
        }
    }
    return sum;
}

/* KL(N(mu, sigma^2) || N(0, 1)) as cross-entropy minus entropy (CSC413 L10):
 * [1/2 log 2 pi + 1/2 (mu^2 + sigma^2)] - [1/2 log 2 pi + 1/2 log sigma^2 + 1/2] */
static double reference_kl_1d(double mu, double log_variance)
{
    return 0.5 * (mu * mu + exp(log_variance)) - 0.5 * log_variance - 0.5;
}

/* NELBO = R + KL of a batch, from the definitions; R and KL returned too. */
static double reference_nelbo(const Vae *vae, const double *X, const double *eps, size_t B, VaeLoss *loss)
{
    size_t d = vae->shape.d;
    VaeLoss sum = { 0.0, 0.0 };
    for (size_t i = 0; i < B; i++) {
        double mu[D], log_variance[D], z[D];
        reference_encode(mu, log_variance, vae, X + i * P);
        for (size_t j = 0; j < d; j++) {
            z[j] = mu[j] + sqrt(exp(log_variance[j])) * eps[i * d + j];
            sum.kl += reference_kl_1d(mu[j], log_variance[j]);
        }
        sum.reconstruction -= reference_log_likelihood(vae, X + i * P, z);
    }
    VaeLoss mean = { sum.reconstruction / (double)B, sum.kl / (double)B };
    if (loss)
        *loss = mean;
    return mean.reconstruction + mean.kl;
}

/* ---- 6.1 the networks --------------------------------------------------------------------------- */

static void test_encode(void)
{
    Vae vae = small_vae(1, VAE_DECODER_GAUSSIAN, D);
    double X[BATCH * P];
    uniform_batch(X, BATCH * P, 2);
    fill_nan(vae.mu_z, BATCH * D);
    fill_nan(vae.log_variance_z, BATCH * D);
    vae_encode(&vae, X, BATCH);
    for (size_t i = 0; i < BATCH; i++) {
        double mu[D], log_variance[D];
        reference_encode(mu, log_variance, &vae, X + i * P);
        for (size_t j = 0; j < D; j++) {
            CHECK_NEAR(mu[j], vae.mu_z[i * D + j], 1e-12);
            CHECK_NEAR(log_variance[j], vae.log_variance_z[i * D + j], 1e-12);
        }
    }
    vae_free(&vae);
}

static void check_decode(VaeDecoderKind decoder)
{
    Vae vae = small_vae(3, decoder, D);
    double Z[BATCH * D];
    normal_batch(Z, BATCH * D, 4);
    fill_nan(vae.mu_x, BATCH * P);
    vae_decode(&vae, Z, BATCH);
    for (size_t i = 0; i < BATCH; i++) {
        double mu[P], log_variance[P];
        reference_decode(mu, log_variance, &vae, Z + i * D);
        for (size_t j = 0; j < P; j++) {
            CHECK_NEAR(mu[j], vae.mu_x[i * P + j], 1e-12);
            if (vae_decoder_is_gaussian(decoder))
                CHECK_NEAR(log_variance[j], vae.log_variance_x[i * P + j], 1e-12);
        }
    }
    vae_free(&vae);
}

static void test_decode_gaussian(void) { check_decode(VAE_DECODER_GAUSSIAN); }
static void test_decode_bernoulli(void) { check_decode(VAE_DECODER_BERNOULLI); }
static void test_decode_gaussian_shared(void) { check_decode(VAE_DECODER_GAUSSIAN_SHARED); }

/* Heads whose log sigma^2 would be +-1000 are clamped: exp() of them stays finite, and the
 * Gaussian decoder's variance stops at its floor. */
static void test_log_variance_clamped(void)
{
    Vae vae = small_vae(5, VAE_DECODER_GAUSSIAN, D);
    vae.shape.log_variance_floor = -5.0;
    double X[BATCH * P];
    uniform_batch(X, BATCH * P, 6);
    for (double bias = -1000.0; bias <= 1000.0; bias += 2000.0) {
        for (size_t j = 0; j < D; j++)
            vae.encoder_log_variance.b[j] = bias;
        for (size_t j = 0; j < P; j++)
            vae.decoder_log_variance.b[j] = bias;
        vae_encode(&vae, X, BATCH);
        vae_decode(&vae, vae.mu_z, BATCH);
        CHECK_NEAR(bias > 0 ? VAE_LOG_VARIANCE_MAX : VAE_LOG_VARIANCE_MIN, vae.log_variance_z[0], 0.0);
        CHECK_NEAR(bias > 0 ? VAE_LOG_VARIANCE_MAX : -5.0, vae.log_variance_x[P - 1], 0.0);
    }
    vae_free(&vae);
}

/* ---- 6.2 the reparameterisation ------------------------------------------------------------------- */

/* mu = 1, sigma^2 = 4 (sigma = 2), eps = 0.5: z = 1 + 2 * 0.5 = 2, by hand. */
static void test_reparameterize_by_hand(void)
{
    double mu[3] = { 1.0, -3.0, 0.0 }, log_variance[3] = { log(4.0), 0.0, -2.0 * log(10.0) };
    double eps[3] = { 0.5, 2.0, -7.0 }, z[3];
    fill_nan(z, 3);
    vae_reparameterize(z, mu, log_variance, eps, 3);
    CHECK_NEAR(2.0, z[0], 1e-15);   /* sigma = 2: exp(1/2 log 4), not exp(log 4) = 4 */
    CHECK_NEAR(-1.0, z[1], 1e-15);  /* sigma = 1 */
    CHECK_NEAR(-0.7, z[2], 1e-15);  /* sigma = 0.1 */
}

/* Far outside [-30, 30] the formula itself stays finite (exp(1/2 * 1000) ~ 1e217), and
 * at -1000 sigma is 0 and z = mu: no inf, no NaN. */
static void test_reparameterize_extremes(void)
{
    double mu[2] = { 0.5, 0.5 }, log_variance[2] = { -1000.0, 1000.0 }, eps[2] = { 1.0, 1e-300 }, z[2];
    vae_reparameterize(z, mu, log_variance, eps, 2);
    CHECK_NEAR(0.5, z[0], 0.0);
    CHECK(isfinite(z[1]));
}

typedef struct ArrayContext {
    double *a, *b, *c; /* the inputs, e.g. mu, log sigma^2, eps */
    const double *weights;
    double scale;
    size_t rows, columns; /* rows x columns = n values */
} ArrayContext;

/* The numeric side of each check below is computed from the definitions, never with the
 * function whose gradient is checked. */

/* sum_i w_i z_i, z_i = mu_i + sqrt(sigma_i^2) eps_i: a scalar whose gradient in z is w */
static double weighted_z(void *context)
{
    ArrayContext *c = context;
    double sum = 0.0;
    for (size_t i = 0; i < c->rows * c->columns; i++)
        sum += c->weights[i] * (c->a[i] + sqrt(exp(c->b[i])) * c->c[i]);
    return sum;
}

static void test_reparameterize_gradient(void)
{
    enum { N = BATCH * D };
    double mu[N], log_variance[N], eps[N], weights[N], grad_mu[N] = { 0 }, grad_log_variance[N] = { 0 };
    normal_batch(mu, N, 7);
    normal_batch(log_variance, N, 8);
    normal_batch(eps, N, 9);
    normal_batch(weights, N, 10);
    for (int twice = 0; twice < 2; twice++)
        vae_reparameterize_backward(grad_mu, grad_log_variance, weights, log_variance, eps, N);
    halve(grad_mu, N);
    halve(grad_log_variance, N);
    ArrayContext context = { mu, log_variance, eps, weights, 1.0, BATCH, D };
    check_array_gradient("mu", mu, grad_mu, N, weighted_z, &context);
    check_array_gradient("log sigma^2", log_variance, grad_log_variance, N, weighted_z, &context);
}

/* ---- 6.3 the closed-form KL ----------------------------------------------------------------------- */

/* mu = (1, 0), sigma^2 = (1, 4): KL = 1/2 + 1/2 (3 - log 4) = 2 - log 2, by hand; and
 * KL = 0 exactly when q is the prior. */
static void test_kl_by_hand(void)
{
    double mu[4] = { 1.0, 0.0, 0.0, 0.0 }, log_variance[4] = { 0.0, log(4.0), 0.0, 0.0 }, kl[2];
    fill_nan(kl, 2);
    vae_kl(kl, mu, log_variance, 2, 2);
    CHECK_NEAR(2.0 - log(2.0), kl[0], 1e-14);
    CHECK_NEAR(0.0, kl[1], 1e-15);
}

/* KL(q || p) = int q(z) log(q(z) / p(z)) dz, integrated numerically for each coordinate
 * (Simpson's rule over mu +- 12 sigma, 4,000 intervals: error far below 1e-9). */
static double integrated_kl_1d(double mu, double log_variance)
{
    enum { INTERVALS = 4000 };
    double variance = exp(log_variance), sigma = sqrt(variance);
    double a = mu - 12.0 * sigma, step = 24.0 * sigma / INTERVALS, sum = 0.0;
    for (int k = 0; k <= INTERVALS; k++) {
        double z = a + k * step, log_q = log_normal_density(z, mu, variance);
        double f = exp(log_q) * (log_q - log_normal_density(z, 0.0, 1.0));
        sum += (k == 0 || k == INTERVALS ? 1.0 : k % 2 ? 4.0 : 2.0) * f;
    }
    return sum * step / 3.0;
}

static void test_kl_is_the_integral(void)
{
    enum { N = BATCH * D };
    double mu[N], log_variance[N], kl[BATCH];
    normal_batch(mu, N, 11);
    normal_batch(log_variance, N, 12);
    vae_kl(kl, mu, log_variance, BATCH, D);
    for (size_t i = 0; i < BATCH; i++) {
        double expected = 0.0;
        for (size_t j = 0; j < D; j++)
            expected += integrated_kl_1d(mu[i * D + j], log_variance[i * D + j]);
        CHECK_RELATIVE(expected, kl[i], 1e-8);
    }
}

/* scale sum_i KL_i, as cross-entropy minus entropy */
static double scaled_kl(void *context)
{
    ArrayContext *c = context;
    double sum = 0.0;
    for (size_t i = 0; i < c->rows * c->columns; i++)
        sum += reference_kl_1d(c->a[i], c->b[i]);
    return c->scale * sum;
}

static void test_kl_gradient(void)
{
    enum { N = BATCH * D };
    double mu[N], log_variance[N], grad_mu[N] = { 0 }, grad_log_variance[N] = { 0 };
    normal_batch(mu, N, 13);
    normal_batch(log_variance, N, 14);
    const double scale = 0.7;
    for (int twice = 0; twice < 2; twice++)
        vae_kl_backward(grad_mu, grad_log_variance, mu, log_variance, scale, N);
    halve(grad_mu, N);
    halve(grad_log_variance, N);
    ArrayContext context = { mu, log_variance, NULL, NULL, scale, BATCH, D };
    check_array_gradient("mu", mu, grad_mu, N, scaled_kl, &context);
    check_array_gradient("log sigma^2", log_variance, grad_log_variance, N, scaled_kl, &context);
}

/* ---- 6.4 the Gaussian log-likelihood ------------------------------------------------------------------ */

static void test_gaussian_log_likelihood(void)
{
    enum { N = BATCH * P };
    double X[N], mu[N], log_variance[N], log_likelihood[BATCH];
    uniform_batch(X, N, 15);
    normal_batch(mu, N, 16);
    normal_batch(log_variance, N, 17);
    fill_nan(log_likelihood, BATCH);
    vae_gaussian_log_likelihood(log_likelihood, X, mu, log_variance, BATCH, P);
    for (size_t i = 0; i < BATCH; i++) {
        double expected = 0.0; /* lib's density, pixel by pixel */
        for (size_t j = i * P; j < (i + 1) * P; j++)
            expected += log_normal_density(X[j], mu[j], exp(log_variance[j]));
        CHECK_RELATIVE(expected, log_likelihood[i], 1e-12);
    }
    /* by hand: x = mu, sigma = 1 gives -1/2 log(2 pi) per pixel, the constant alone */
    double x[2] = { 0.3, 0.3 }, zero[2] = { 0.0, 0.0 }, one_pixel;
    vae_gaussian_log_likelihood(&one_pixel, x, x, zero, 1, 2);
    CHECK_NEAR(-log(2.0 * M_PI), one_pixel, 1e-14);
}

/* scale sum log N(x; mu, sigma^2), with lib's density */
static double scaled_gaussian_log_likelihood(void *context)
{
    ArrayContext *c = context;
    double sum = 0.0;
    for (size_t i = 0; i < c->rows * c->columns; i++)
        sum += log_normal_density(c->c[i], c->a[i], exp(c->b[i]));
    return c->scale * sum;
}

static void test_gaussian_log_likelihood_gradient(void)
{
    enum { N = BATCH * P };
    double X[N], mu[N], log_variance[N], grad_mu[N] = { 0 }, grad_log_variance[N] = { 0 };
    uniform_batch(X, N, 18);
    normal_batch(mu, N, 19);
    normal_batch(log_variance, N, 20);
    const double scale = -0.3;
    for (int twice = 0; twice < 2; twice++)
        vae_gaussian_log_likelihood_backward(grad_mu, grad_log_variance, X, mu, log_variance, scale, N);
    halve(grad_mu, N);
    halve(grad_log_variance, N);
    ArrayContext context = { mu, log_variance, X, NULL, scale, BATCH, P };
    check_array_gradient("mu", mu, grad_mu, N, scaled_gaussian_log_likelihood, &context);
    check_array_gradient("log sigma^2", log_variance, grad_log_variance, N, scaled_gaussian_log_likelihood,
                         &context);
}

/* ---- 6.5 the Bernoulli log-likelihood -------------------------------------------------------------------- */

static void test_bernoulli_log_likelihood(void)
{
    enum { N = BATCH * P };
    double X[N], logits[N], log_likelihood[BATCH];
    uniform_batch(X, N, 21);
    normal_batch(logits, N, 22);
    fill_nan(log_likelihood, BATCH);
    vae_bernoulli_log_likelihood(log_likelihood, X, logits, BATCH, P);
    for (size_t i = 0; i < BATCH; i++) {
        double expected = 0.0; /* x log p + (1 - x) log(1 - p), where that is accurate (|s| < 4) */
        for (size_t j = i * P; j < (i + 1) * P; j++) {
            double probability = 1.0 / (1.0 + exp(-logits[j]));
            expected += X[j] * log(probability) + (1.0 - X[j]) * log(1.0 - probability);
        }
        CHECK_RELATIVE(expected, log_likelihood[i], 1e-12);
    }
}

/* Logits of +-800, where sigmoid rounds to 0 or 1 and its log to -inf: the softplus form
 * gives the exact answer, -800 for a confident wrong pixel and 0 for a confident right one. */
static void test_bernoulli_log_likelihood_stable(void)
{
    double x[4] = { 1.0, 0.0, 1.0, 0.0 }, logits[4] = { -800.0, 800.0, 800.0, -800.0 }, log_likelihood[4];
    vae_bernoulli_log_likelihood(log_likelihood, x, logits, 4, 1);
    CHECK_NEAR(-800.0, log_likelihood[0], 1e-12);
    CHECK_NEAR(-800.0, log_likelihood[1], 1e-12);
    CHECK_NEAR(0.0, log_likelihood[2], 1e-12);
    CHECK_NEAR(0.0, log_likelihood[3], 1e-12);
}

/* scale sum [x log p + (1 - x) log(1 - p)], p = sigmoid(s) */
static double scaled_bernoulli_log_likelihood(void *context)
{
    ArrayContext *c = context;
    double sum = 0.0;
    for (size_t i = 0; i < c->rows * c->columns; i++) {
        double probability = 1.0 / (1.0 + exp(-c->a[i]));
        sum += c->c[i] * log(probability) + (1.0 - c->c[i]) * log(1.0 - probability);
    }
    return c->scale * sum;
}

static void test_bernoulli_log_likelihood_gradient(void)
{
    enum { N = BATCH * P };
    double X[N], logits[N], grad_logits[N] = { 0 };
    uniform_batch(X, N, 23);
    normal_batch(logits, N, 24);
    const double scale = -0.3;
    for (int twice = 0; twice < 2; twice++)
        vae_bernoulli_log_likelihood_backward(grad_logits, X, logits, scale, N);
    halve(grad_logits, N);
    ArrayContext context = { logits, NULL, X, NULL, scale, BATCH, P };
    check_array_gradient("s", logits, grad_logits, N, scaled_bernoulli_log_likelihood, &context);
}

/* ---- 6.6 the negative ELBO ---------------------------------------------------------------------------- */

static void check_forward(VaeDecoderKind decoder)
{
    Vae vae = small_vae(25, decoder, D);
    double X[BATCH * P], eps[BATCH * D];
    uniform_batch(X, BATCH * P, 26);
    normal_batch(eps, BATCH * D, 27);
    VaeLoss expected, got = { NAN, NAN };
    double expected_nelbo = reference_nelbo(&vae, X, eps, BATCH, &expected);
    double nelbo = vae_forward(&vae, &got, X, eps, BATCH);
    check_note("R %.6f, KL %.6f (expected %.6f, %.6f)", got.reconstruction, got.kl, expected.reconstruction,
               expected.kl);
    CHECK_RELATIVE(expected.reconstruction, got.reconstruction, 1e-12);
    CHECK_RELATIVE(expected.kl, got.kl, 1e-12);
    CHECK_RELATIVE(expected_nelbo, nelbo, 1e-12);
    CHECK_RELATIVE(nelbo, vae_forward(&vae, NULL, X, eps, BATCH), 1e-15); /* loss may be NULL */
    vae_free(&vae);
}

static void test_forward_gaussian(void) { check_forward(VAE_DECODER_GAUSSIAN); }
static void test_forward_bernoulli(void) { check_forward(VAE_DECODER_BERNOULLI); }
static void test_forward_gaussian_shared(void) { check_forward(VAE_DECODER_GAUSSIAN_SHARED); }

/* Both terms are means over the batch: the same batch twice gives the same R and KL. */
static void test_forward_is_a_mean(void)
{
    Vae vae = small_vae(28, VAE_DECODER_GAUSSIAN, D);
    double X[2 * BATCH * P], eps[2 * BATCH * D];
    uniform_batch(X, BATCH * P, 29);
    normal_batch(eps, BATCH * D, 30);
    memcpy(X + BATCH * P, X, sizeof(double) * BATCH * P);
    memcpy(eps + BATCH * D, eps, sizeof(double) * BATCH * D);
    VaeLoss once, twice;
    vae_forward(&vae, &once, X, eps, BATCH);
    vae_forward(&vae, &twice, X, eps, 2 * BATCH);
    CHECK(isfinite(once.reconstruction) && isfinite(once.kl));
    CHECK_RELATIVE(once.reconstruction, twice.reconstruction, 1e-12);
    CHECK_RELATIVE(once.kl, twice.kl, 1e-12);
    vae_free(&vae);
}

/* ---- 6.7 the backward pass ------------------------------------------------------------------------------ */

typedef struct VaeContext {
    Vae *vae;
    const double *X, *eps;
    size_t B;
} VaeContext;

/* The numeric side of the check: the NELBO from the definitions, at the same eps. */
static double nelbo_of(void *context)
{
    VaeContext *c = context;
    return reference_nelbo(c->vae, c->X, c->eps, c->B, NULL);
}

static void check_every_gradient(VaeDecoderKind decoder)
{
    Vae vae = small_vae(31, decoder, D);
    double X[BATCH * P], eps[BATCH * D];
    uniform_batch(X, BATCH * P, 32);
    normal_batch(eps, BATCH * D, 33);
    parameters_zero_grad(&vae.parameters);
    vae_forward(&vae, NULL, X, eps, BATCH);
    vae_backward(&vae, X, eps, BATCH);
    VaeContext context = { &vae, X, eps, BATCH };
    CHECK_LONG(decoder == VAE_DECODER_GAUSSIAN ? 12 : decoder == VAE_DECODER_GAUSSIAN_SHARED ? 11 : 10,
               vae.parameters.count);
    check_parameter_gradients(&vae.parameters, nelbo_of, &context);
    vae_free(&vae);
}

static void test_gradients_gaussian(void) { check_every_gradient(VAE_DECODER_GAUSSIAN); }
static void test_gradients_bernoulli(void) { check_every_gradient(VAE_DECODER_BERNOULLI); }
static void test_gradients_gaussian_shared(void) { check_every_gradient(VAE_DECODER_GAUSSIAN_SHARED); }

/* Backward passes accumulate: two of them give twice the gradient of one. */
static void test_backward_accumulates(void)
{
    Vae vae = small_vae(34, VAE_DECODER_GAUSSIAN, D);
    double X[BATCH * P], eps[BATCH * D];
    uniform_batch(X, BATCH * P, 35);
    normal_batch(eps, BATCH * D, 36);
    const Parameter *first = &vae.parameters.items[0]; /* q.h1.W: the far end of the chain */
    double once[P * H];
    parameters_zero_grad(&vae.parameters);
    vae_forward(&vae, NULL, X, eps, BATCH);
    vae_backward(&vae, X, eps, BATCH);
    memcpy(once, first->grad, sizeof once);
    vae_backward(&vae, X, eps, BATCH);
    CHECK(vector_max_abs(once, P * H) > 1e-6);
    for (size_t i = 0; i < P * H; i++)
        CHECK_NEAR(2.0 * once[i], first->grad[i], 1e-12);
    vae_free(&vae);
}

/* Heads pushed to log sigma^2 = +-1000: the loss and every gradient stay finite. */
static void test_extreme_log_variance_stays_finite(void)
{
    Vae vae = small_vae(37, VAE_DECODER_GAUSSIAN, D);
    double X[BATCH * P], eps[BATCH * D];
    uniform_batch(X, BATCH * P, 38);
    normal_batch(eps, BATCH * D, 39);
    for (double bias = -1000.0; bias <= 1000.0; bias += 2000.0) {
        for (size_t j = 0; j < D; j++)
            vae.encoder_log_variance.b[j] = bias;
        for (size_t j = 0; j < P; j++)
            vae.decoder_log_variance.b[j] = bias;
        parameters_zero_grad(&vae.parameters);
        double nelbo = vae_forward(&vae, NULL, X, eps, BATCH);
        vae_backward(&vae, X, eps, BATCH);
        check_note("log sigma^2 biases %g: NELBO %g", bias, nelbo);
        CHECK(isfinite(nelbo));
        for (size_t k = 0; k < vae.parameters.count; k++)
            CHECK(vector_all_finite(vae.parameters.items[k].grad, vae.parameters.items[k].size));
        CHECK(vector_max_abs(vae.decoder_mu.dW, H * P) > 0.0); /* and the gradient still flows */
        CHECK(vector_max_abs(vae.encoder_mu.dW, H * D) > 0.0);
    }
    vae_free(&vae);
}

/* ---- 6.8 a training step --------------------------------------------------------------------------------- */

/* With plain SGD, a step moves every parameter by -eta dNELBO/dtheta at the eps the step
 * drew (read back from vae->eps, so any order of drawing it is fine). */
static void test_train_step_is_gradient_descent(void)
{
    Vae vae = small_vae(40, VAE_DECODER_GAUSSIAN, D), copy = small_vae(40, VAE_DECODER_GAUSSIAN, D);
    double X[BATCH * P];
    uniform_batch(X, BATCH * P, 41);
    const double eta = 0.05;
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 42);
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, eta, 0.0, &err));
    for (int step = 0; step < 2; step++) {
        fill_nan(vae.eps, MAX_BATCH * D);
        VaeLoss loss = { NAN, NAN };
        double nelbo = vae_train_step(&vae, &sgd, &loss, X, BATCH, &rng);
        CHECK(vector_all_finite(vae.eps, BATCH * D));
        double eps[BATCH * D];
        memcpy(eps, vae.eps, sizeof eps);
        VaeLoss expected;
        parameters_zero_grad(&copy.parameters);
        double expected_nelbo = vae_forward(&copy, &expected, X, eps, BATCH);
        vae_backward(&copy, X, eps, BATCH);
        CHECK_RELATIVE(expected_nelbo, nelbo, 1e-12);
        CHECK_RELATIVE(expected.reconstruction, loss.reconstruction, 1e-12);
        CHECK_RELATIVE(expected.kl, loss.kl, 1e-12);
        check_sgd_step(&copy.parameters, &vae.parameters, eta); /* the copy follows for the next step */
    }
    optimizer_free(&sgd);
    vae_free(&vae);
    vae_free(&copy);
}

/* The step draws fresh noise: two steps do not reuse the same eps. */
static void test_train_step_draws_fresh_noise(void)
{
    Vae vae = small_vae(43, VAE_DECODER_BERNOULLI, D);
    double X[BATCH * P], first[BATCH * D];
    uniform_batch(X, BATCH * P, 44);
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 45);
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, 0.01, 0.0, &err));
    vae_train_step(&vae, &sgd, NULL, X, BATCH, &rng);
    memcpy(first, vae.eps, sizeof first);
    vae_train_step(&vae, &sgd, NULL, X, BATCH, &rng);
    CHECK(vector_all_finite(first, BATCH * D));
    CHECK(vector_squared_distance(first, vae.eps, BATCH * D) > 1e-3);
    optimizer_free(&sgd);
    vae_free(&vae);
}

/* On 1,000 training digits, MNIST_EPOCHS epochs of Adam bring the test NELBO of 500 test
 * digits below MNIST_BOUND nats per digit (Bernoulli decoder, d = 8, hidden 64).
 * For scale: the untrained model scores about 635, and the best model with no latent
 * variable (a per-pixel Bernoulli at the mean digit) about 206. */
enum { MNIST_EPOCHS = 4, MNIST_BATCH = 32 };
static const double MNIST_BOUND = 185.0;

static void test_learns_mnist(void)
{
    Error err;
    Dataset train, test;
    if (!load_shipped_digits(&train, 1000, &test, 500))
        return;
    Rng rng;
    rng_seed(&rng, 1);
    Vae vae;
    Optimizer adam;
    VaeShape shape = { train.dim, 64, 8, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    CHECK(vae_init(&vae, shape, MNIST_BATCH, &rng, &err));
    CHECK(optimizer_init_adam(&adam, &vae.parameters, 3e-3, &err));
    VaeTrainer trainer = { &vae, &adam, &rng, { 0, 0 }, 0 };
    EpochOptions training = { MNIST_BATCH, &rng, NULL }, evaluation = { MNIST_BATCH, NULL, NULL };
    double before, after = NAN, train_nelbo;
    CHECK(run_epoch(&before, &test, vae_evaluate_batch, &trainer, &evaluation, &err));
    for (int epoch = 0; epoch < MNIST_EPOCHS; epoch++)
        CHECK(run_epoch(&train_nelbo, &train, vae_train_batch, &trainer, &training, &err));
    CHECK(run_epoch(&after, &test, vae_evaluate_batch, &trainer, &evaluation, &err));
    check_note("test NELBO: %.2f before training, %.2f after %d epochs", before, after, MNIST_EPOCHS);
    CHECK_BELOW(after, MNIST_BOUND);
    optimizer_free(&adam);
    vae_free(&vae);
    dataset_free(&train);
    dataset_free(&test);
}

/* A NaN loss stops the epoch with an error naming the batch: a weight poisoned after the
 * second step makes the third batch's loss NaN. */
static double poison_after_two_steps(void *trainer, const double *X, const unsigned char *labels, size_t B)
{
    VaeTrainer *t = trainer;
    if (t->batches == 2)
        t->vae->decoder_mu.b[0] = NAN;
    return vae_train_batch(trainer, X, labels, B);
}

static void test_nan_loss_names_the_batch(void)
{
    enum { N = 10 };
    Vae vae = small_vae(61, VAE_DECODER_BERNOULLI, D);
    double images[N * P];
    unsigned char labels[N] = { 0 };
    uniform_batch(images, N * P, 62);
    Dataset data = { .count = N, .rows = 2, .cols = 3, .dim = P, .images = images, .labels = labels };
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 63);
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, 0.01, 0.0, &err));
    VaeTrainer trainer = { &vae, &sgd, &rng, { 0, 0 }, 0 };
    EpochOptions options = { 3, NULL, NULL };
    VaeLoss mean;
    err.message[0] = '\0';
    CHECK(!vae_epoch(&mean, &trainer, &data, poison_after_two_steps, &options, &err));
    CHECK_CONTAINS(err.message, "batch 3");
    CHECK_CONTAINS(err.message, "NaN");
    optimizer_free(&sgd);
    vae_free(&vae);
}

/* Training is a function of the seed: two runs with the same seed give the same
 * parameters, bit for bit, and another seed other ones (all randomness goes through the
 * Rng: the initialisation, the shuffling, eps). */
static void train_small(Vae *vae, unsigned seed)
{
    enum { N = 12 };
    double images[N * P];
    unsigned char labels[N] = { 0 };
    uniform_batch(images, N * P, 64);
    Dataset data = { .count = N, .rows = 2, .cols = 3, .dim = P, .images = images, .labels = labels };
    Rng rng;
    rng_seed(&rng, seed);
    VaeShape shape = { P, H, D, ACTIVATION_TANH, VAE_DECODER_BERNOULLI, 0.0 };
    Optimizer adam;
    Error err;
    if (!CHECK(vae_init(vae, shape, 4, &rng, &err)) || !CHECK(optimizer_init_adam(&adam, &vae->parameters, 0.01, &err)))
        return;
    VaeTrainer trainer = { vae, &adam, &rng, { 0, 0 }, 0 };
    EpochOptions options = { 4, &rng, NULL };
    VaeLoss mean;
    for (int epoch = 0; epoch < 2; epoch++)
        CHECK(vae_epoch(&mean, &trainer, &data, vae_train_batch, &options, &err));
    optimizer_free(&adam);
}

static void test_same_seed_same_training(void)
{
    Vae first, again, other;
    train_small(&first, 7);
    train_small(&again, 7);
    train_small(&other, 8);
    CHECK(same_parameter_values(&first.parameters, &again.parameters));
    CHECK(!same_parameter_values(&first.parameters, &other.parameters));
    CHECK(vector_all_finite(first.parameters.items[0].value, first.parameters.items[0].size));
    vae_free(&first);
    vae_free(&again);
    vae_free(&other);
}

/* ---- 6.9 the k-sample estimate of log p(x) ------------------------------------------------------------------- */

/* A VAE with a 1-D latent space whose p(x) = int p(x | z) p(z) dz we can integrate:
 * Gaussian decoder, unit-ish variances, and an encoder close to the prior, so the
 * importance weights are bounded and their sample variance is a fair standard error. */
static Vae one_dimensional_vae(void)
{
    Vae vae = small_vae(46, VAE_DECODER_GAUSSIAN, 1);
    vector_scale(vae.encoder_mu.W, 0.3, H);
    vector_scale(vae.encoder_log_variance.W, 0.3, H);
    vae.encoder_log_variance.b[0] = 0.2;
    for (size_t j = 0; j < P; j++)
        vae.decoder_log_variance.b[j] = -0.5;
    return vae;
}

/* log p(x) by Simpson's rule over z in [-12, 12] (the prior's mass beyond is 4e-33). */
static double integrated_log_px(const Vae *vae, const double *x)
{
    enum { INTERVALS = 4000 };
    double log_terms[INTERVALS + 1], step = 24.0 / INTERVALS;
    for (int k = 0; k <= INTERVALS; k++) {
        double z = -12.0 + k * step, weight = (k == 0 || k == INTERVALS ? 1.0 : k % 2 ? 4.0 : 2.0);
        log_terms[k] = log(weight) + reference_log_likelihood(vae, x, &z) + log_normal_density(z, 0.0, 1.0);
    }
    return log_sum_exp(log_terms, INTERVALS + 1) + log(step / 3.0);
}

/* The importance-sampling estimate of p(x) itself (not its log) is unbiased for every k:
 * E[exp(estimate)] = p(x). Over M = 4,000 independent estimates with k = 1 and k = 5, the
 * mean of exp(estimate - log p(x)) must be 1 within 5 standard errors (the sample standard
 * deviation / sqrt(M)): a false failure has probability below 1e-6. With the 1/k left out
 * (log_sum_exp instead of log_mean_exp) the k = 5 mean is 5; with log q or log p(z)
 * wrong it is off too. */
static void test_importance_estimate_is_unbiased(void)
{
    enum { M = 4000, B = 2 };
    Vae vae = one_dimensional_vae();
    double X[B * P], log_px[B], truth[B], log_weights[B * 5];
    uniform_batch(X, B * P, 47);
    for (size_t i = 0; i < B; i++)
        truth[i] = integrated_log_px(&vae, X + i * P);
    Rng rng;
    rng_seed(&rng, 48);
    const size_t ks[2] = { 1, 5 };
    for (size_t which = 0; which < 2; which++) {
        double sum[B] = { 0 }, sum_squares[B] = { 0 };
        for (int m = 0; m < M; m++) {
            fill_nan(log_px, B);
            vae_importance_log_likelihood(&vae, log_px, log_weights, X, B, ks[which], &rng);
            for (size_t i = 0; i < B; i++) {
                double ratio = exp(log_px[i] - truth[i]);
                sum[i] += ratio;
                sum_squares[i] += ratio * ratio;
            }
        }
        for (size_t i = 0; i < B; i++) {
            double mean = sum[i] / M, variance = sum_squares[i] / M - mean * mean;
            double standard_error = sqrt(fmax(variance, 0.0) / M);
            check_note("k = %zu, example %zu: mean of p^/p = %.5f +- %.5f (log p(x) = %.4f)", ks[which], i, mean,
                       standard_error, truth[i]);
            CHECK(isfinite(mean));
            CHECK_NEAR(1.0, mean, 5.0 * standard_error);
        }
    }
    vae_free(&vae);
}

/* The bound rises with k (Burda et al.): the mean estimate over many draws is below
 * log p(x) for k = 1, closer for k = 100, and within 0.01 nats of it at k = 1000 here. */
static void test_importance_bound_rises_with_k(void)
{
    enum { REPEATS = 50 };
    Vae vae = one_dimensional_vae();
    double x[P], log_px, *log_weights = malloc(sizeof(double) * 1000);
    uniform_batch(x, P, 49);
    double truth = integrated_log_px(&vae, x);
    Rng rng;
    rng_seed(&rng, 50);
    double mean_1 = 0.0, mean_1000 = 0.0;
    for (int r = 0; r < REPEATS; r++) {
        vae_importance_log_likelihood(&vae, &log_px, log_weights, x, 1, 1, &rng);
        mean_1 += log_px / REPEATS;
        vae_importance_log_likelihood(&vae, &log_px, log_weights, x, 1, 1000, &rng);
        mean_1000 += log_px / REPEATS;
    }
    check_note("log p(x) = %.5f; mean estimate k = 1: %.5f, k = 1000: %.5f", truth, mean_1, mean_1000);
    CHECK(mean_1 < mean_1000);
    CHECK_NEAR(truth, mean_1000, 0.01);
    free(log_weights);
    vae_free(&vae);
}

/* Weights of exp(-2000): the estimate stays finite (log-mean-exp, never exp then log). */
static void test_importance_estimate_stays_finite(void)
{
    Vae vae = small_vae(51, VAE_DECODER_BERNOULLI, D);
    vector_scale(vae.decoder_mu.W, 0.0, H * P);
    for (size_t j = 0; j < P; j++)
        vae.decoder_mu.b[j] = -400.0; /* every pixel confidently 0 */
    double x[P], log_px = NAN, log_weights[10];
    for (size_t j = 0; j < P; j++)
        x[j] = 1.0;
    Rng rng;
    rng_seed(&rng, 52);
    vae_importance_log_likelihood(&vae, &log_px, log_weights, x, 1, 10, &rng);
    CHECK(isfinite(log_px));
    CHECK_NEAR(-400.0 * P, log_px, 1.0); /* log p(x | z) = -2400 for every z; the rest is O(1) */
    vae_free(&vae);
}

/* ---- 6.10 sampling from the prior ------------------------------------------------------------------------------ */

/* A decoder that copies z_1 into pixel 1 (identity hidden layer, mu_x1 = h_1 = z_1): the
 * samples' pixel 1 must then be N(0, 1). Over n = 4,000 samples the mean must be 0 within
 * 5 / sqrt(n) and the variance 1 within 5 sqrt(2 / n) (5 standard errors; a false failure
 * has probability below 1e-6 each). */
static void test_prior_samples_are_standard_normal(void)
{
    enum { N = 4000 };
    Vae vae;
    Rng rng;
    rng_seed(&rng, 53);
    VaeShape shape = { P, H, D, ACTIVATION_IDENTITY, VAE_DECODER_GAUSSIAN, VAE_LOG_VARIANCE_MIN };
    Error err;
    if (!CHECK(vae_init(&vae, shape, N, &rng, &err)))
        return;
    Dense *first = &vae.decoder_hidden.layers[0].dense;
    vector_zero(first->W, D * H);
    vector_zero(vae.decoder_mu.W, H * P);
    for (size_t j = 0; j < D; j++)
        first->W[j * H + j] = 1.0; /* h = (z, 0, ...) */
    vae.decoder_mu.W[0] = 1.0;     /* mu_x1 = h_1 */
    double *samples = malloc(sizeof(double) * N * P);
    fill_nan(samples, N * P);
    vae_sample_prior(&vae, samples, N, &rng);
    double sum = 0.0, sum_squares = 0.0;
    for (size_t i = 0; i < N; i++) {
        sum += samples[i * P];
        sum_squares += samples[i * P] * samples[i * P];
    }
    double mean = sum / N, variance = sum_squares / N - mean * mean;
    check_note("pixel 1 of %d samples: mean %.4f, variance %.4f", N, mean, variance);
    CHECK_NEAR(0.0, mean, 5.0 / sqrt(N));
    CHECK_NEAR(1.0, variance, 5.0 * sqrt(2.0 / N));
    free(samples);
    vae_free(&vae);
}

/* A Bernoulli decoder's samples are shown as probabilities sigmoid(s), in (0, 1). */
static void test_prior_samples_bernoulli_are_probabilities(void)
{
    Vae vae = small_vae(54, VAE_DECODER_BERNOULLI, D);
    vector_scale(vae.decoder_mu.W, 10.0, H * P);
    double samples[MAX_BATCH * P];
    Rng rng;
    rng_seed(&rng, 55);
    fill_nan(samples, MAX_BATCH * P);
    vae_sample_prior(&vae, samples, MAX_BATCH, &rng);
    for (size_t i = 0; i < MAX_BATCH * P; i++)
        CHECK(samples[i] >= 0.0 && samples[i] <= 1.0);
    CHECK(vector_squared_distance(samples, samples + P, P) > 1e-6); /* two samples differ */
    vae_free(&vae);
}

/* ---- 6.11 the manifold grid ------------------------------------------------------------------------------------ */

/* n = 4: the midpoints 1/8, 3/8, 5/8, 7/8 of (0, 1) through Phi^-1 (values from Python's
 * statistics.NormalDist().inv_cdf). */
static void test_manifold_codes(void)
{
    const double q[4] = { -1.1503493803760079, -0.31863936396437514, 0.31863936396437514, 1.1503493803760079 };
    double Z[16 * 2];
    fill_nan(Z, 32);
    vae_manifold_codes(Z, 4);
    for (size_t r = 0; r < 4; r++)
        for (size_t c = 0; c < 4; c++) {
            CHECK_NEAR(q[c], Z[2 * (r * 4 + c)], 1e-12);         /* z_1 grows to the right */
            CHECK_NEAR(q[3 - r], Z[2 * (r * 4 + c) + 1], 1e-12); /* z_2 grows upwards */
        }
}

/* ---- checkpoints ----------------------------------------------------------------------------------------------- */

static void checkpoint_path(char *path, size_t size, const char *name)
{
    snprintf(path, size, "%s/%s", test_scratch_dir(), name);
}

static void test_checkpoint_round_trip(void)
{
    Vae saved = small_vae(56, VAE_DECODER_GAUSSIAN, D), loaded = small_vae(57, VAE_DECODER_GAUSSIAN, D);
    char path[1024];
    checkpoint_path(path, sizeof path, "vae.ckpt");
    Error err;
    CHECK(vae_save(&saved, path, &err));
    if (!CHECK(vae_load(&loaded, path, &err)))
        check_note("%s", err.message);
    for (size_t k = 0; k < saved.parameters.count; k++)
        CHECK(memcmp(saved.parameters.items[k].value, loaded.parameters.items[k].value,
                     sizeof(double) * saved.parameters.items[k].size)
              == 0);
    vae_free(&saved);
    vae_free(&loaded);
}

/* Write a valid checkpoint, let `spoil` change its bytes, and expect vae_load to refuse it
 * with a message containing `expected`, leaving the parameters as they were. */
static void check_bad_checkpoint(void (*spoil)(unsigned char *bytes, size_t *size), const char *expected)
{
    Vae saved = small_vae(58, VAE_DECODER_BERNOULLI, D), target = small_vae(59, VAE_DECODER_BERNOULLI, D);
    char path[1024];
    checkpoint_path(path, sizeof path, "bad.ckpt");
    Error err;
    if (!CHECK(vae_save(&saved, path, &err)))
        return;
    unsigned char bytes[4096];
    FILE *file = fopen(path, "rb");
    size_t size = file ? fread(bytes, 1, sizeof bytes, file) : 0;
    if (file)
        fclose(file);
    spoil(bytes, &size);
    file = fopen(path, "wb");
    if (file) {
        fwrite(bytes, 1, size, file);
        fclose(file);
    }
    double before = target.parameters.items[0].value[0];
    err.message[0] = '\0';
    CHECK(!vae_load(&target, path, &err));
    CHECK_CONTAINS(err.message, expected);
    CHECK_NEAR(before, target.parameters.items[0].value[0], 0.0);
    vae_free(&saved);
    vae_free(&target);
}

static void truncate_it(unsigned char *bytes, size_t *size) { (void)bytes; *size -= 20; }
static void flip_a_byte(unsigned char *bytes, size_t *size) { bytes[*size / 2] ^= 0x10; }
static void bump_version(unsigned char *bytes, size_t *size) { (void)size; bytes[8] = 2; }
static void no_magic(unsigned char *bytes, size_t *size) { (void)size; bytes[0] = 'X'; }
static void change_d(unsigned char *bytes, size_t *size) { (void)size; bytes[8 + 12 + 16] = 7; }

static void test_checkpoint_truncated(void) { check_bad_checkpoint(truncate_it, "truncated"); }
static void test_checkpoint_corrupt(void) { check_bad_checkpoint(flip_a_byte, "checksum"); }
static void test_checkpoint_wrong_version(void) { check_bad_checkpoint(bump_version, "version 2"); }
static void test_checkpoint_not_a_checkpoint(void) { check_bad_checkpoint(no_magic, "not a vaelab VAE checkpoint"); }
static void test_checkpoint_wrong_shape(void) { check_bad_checkpoint(change_d, "6-5-7"); }

static void test_checkpoint_missing(void)
{
    Vae vae = small_vae(60, VAE_DECODER_BERNOULLI, D);
    Error err;
    CHECK(!vae_load(&vae, "/nonexistent/vae.ckpt", &err));
    CHECK_CONTAINS(err.message, "/nonexistent/vae.ckpt");
    vae_free(&vae);
}

static const TestCase tests[] = {
    { "encoder: h, mu and log sigma^2 match the layers written out", "6.1", test_encode },
    { "Gaussian decoder: mu and log sigma^2 match the layers written out", "6.1", test_decode_gaussian },
    { "Bernoulli decoder: the logits match the layers written out", "6.1", test_decode_bernoulli },
    { "shared-variance Gaussian decoder: mu, and the one log sigma^2 everywhere", "6.1", test_decode_gaussian_shared },
    { "log sigma^2 heads at +-1000 are clamped to [-30, 30] and the floor", "6.1", test_log_variance_clamped },
    { "z = mu + sigma eps by hand: sigma = exp(1/2 log sigma^2)", "6.2", test_reparameterize_by_hand },
    { "z stays finite for log sigma^2 = +-1000", "6.2", test_reparameterize_extremes },
    { "dz/dmu and dz/dlog sigma^2: gradient check, accumulating", "6.2", test_reparameterize_gradient },
    { "KL by hand: 2 - log 2, and 0 for q = p", "6.3", test_kl_by_hand },
    { "KL = the integral of q log(q / p), numerically", "6.3", test_kl_is_the_integral },
    { "dKL/dmu and dKL/dlog sigma^2: gradient check, scaled, accumulating", "6.3", test_kl_gradient },
    { "Gaussian log-likelihood = sum of log N(x_j; mu_j, sigma_j^2)", "6.4", test_gaussian_log_likelihood },
    { "Gaussian log-likelihood gradients: gradient check", "6.4", test_gaussian_log_likelihood_gradient },
    { "Bernoulli log-likelihood = sum x log p + (1 - x) log(1 - p)", "6.5", test_bernoulli_log_likelihood },
    { "Bernoulli log-likelihood exact at logits +-800", "6.5", test_bernoulli_log_likelihood_stable },
    { "Bernoulli log-likelihood gradient: gradient check", "6.5", test_bernoulli_log_likelihood_gradient },
    { "NELBO of a batch, Gaussian decoder: R and KL from the definitions", "6.6 needs 6.1 6.2 6.3 6.4", test_forward_gaussian },
    { "NELBO of a batch, Bernoulli decoder: R and KL from the definitions", "6.6 needs 6.1 6.2 6.3 6.5", test_forward_bernoulli },
    { "NELBO of a batch, shared-variance decoder: R and KL from the definitions", "6.6 needs 6.1 6.2 6.3 6.4", test_forward_gaussian_shared },
    { "R and KL are means over the batch", "6.6 needs 6.3 6.4", test_forward_is_a_mean },
    { "gradient check of all 12 tensors, Gaussian decoder, eps fixed", "6.7 needs 6.1 6.2 6.3 6.4 6.6", test_gradients_gaussian },
    { "gradient check of all 10 tensors, Bernoulli decoder, eps fixed", "6.7 needs 6.1 6.2 6.3 6.5 6.6", test_gradients_bernoulli },
    { "gradient check of all 11 tensors, shared-variance decoder, eps fixed", "6.7 needs 6.1 6.2 6.3 6.4 6.6", test_gradients_gaussian_shared },
    { "backward accumulates into the gradients", "6.7 needs 6.1 6.6", test_backward_accumulates },
    { "log sigma^2 heads at +-1000: NELBO and gradients finite", "6.7 needs 6.1 6.3 6.4 6.6", test_extreme_log_variance_stays_finite },
    { "two SGD steps are theta - eta dNELBO/dtheta at the drawn eps", "6.8 needs 6.3 6.4 6.6", test_train_step_is_gradient_descent },
    { "each step draws fresh eps", "6.8", test_train_step_draws_fresh_noise },
    { "learns MNIST: test NELBO below 185 in 4 epochs on 1,000 digits", "6.8 needs 6.1 6.2 6.3 6.5 6.6 6.7", test_learns_mnist },
    { "a NaN loss stops the epoch and names the batch", "6.8 needs 6.1 6.3 6.5 6.6", test_nan_loss_names_the_batch },
    { "the same seed gives the same training, bit for bit; another seed another", "6.8 needs 6.3 6.5 6.6", test_same_seed_same_training },
    { "the importance estimate of p(x) is unbiased for k = 1 and 5", "6.9 needs 6.1 6.2 6.4", test_importance_estimate_is_unbiased },
    { "the k-sample bound rises with k, to log p(x) at k = 1000", "6.9 needs 6.1 6.2 6.4", test_importance_bound_rises_with_k },
    { "the k-sample estimate stays finite when every weight underflows", "6.9 needs 6.1 6.5", test_importance_estimate_stays_finite },
    { "prior samples through an identity decoder are N(0, 1)", "6.10 needs 6.1", test_prior_samples_are_standard_normal },
    { "Bernoulli prior samples are probabilities", "6.10 needs 6.1", test_prior_samples_bernoulli_are_probabilities },
    { "manifold codes are Phi^-1 of the cell midpoints", "6.11", test_manifold_codes },
    { "checkpoint: save then load gives the same parameters", NULL, test_checkpoint_round_trip },
    { "checkpoint: a truncated file is refused", NULL, test_checkpoint_truncated },
    { "checkpoint: a flipped byte is refused (checksum)", NULL, test_checkpoint_corrupt },
    { "checkpoint: another version is refused", NULL, test_checkpoint_wrong_version },
    { "checkpoint: another file is refused (magic)", NULL, test_checkpoint_not_a_checkpoint },
    { "checkpoint: another shape is refused", NULL, test_checkpoint_wrong_shape },
    { "checkpoint: a missing file is refused", NULL, test_checkpoint_missing },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae", tests, argc, argv);
}
