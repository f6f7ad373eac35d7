/* tests/03-denoising/test_denoising.c — chapter 3: the denoising auto-encoder, its
 * posterior mean, and the latent Gaussian.
 *
 * The corruptions and the samplers are checked statistically, with fixed seeds and bounds of
 * 5 standard errors (each derived where it is used), so that a correct solution fails with
 * probability below 1e-6 per check, and a wrong rate or scale fails for sure.  The loss is
 * checked against loops written here, the training step against centred differences, the
 * posterior against numerical integration, and the whole denoiser against the closed-form
 * E[x | x~] on a one-dimensional mixture.  Uses lib/ and chapter 3 only: every network is
 * a lib/mlp.h network.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denoising.h"
#include "gradcheck.h"
#include "harness.h"
#include "loss.h"
#include "matrix.h"
#include "mlp.h"
#include "optimizer.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static void fill_uniform(double *x, size_t n, double low, double high, unsigned seed)
{
    Rng rng;
    rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        x[i] = low + (high - low) * rng_uniform(&rng);
}

/* A network with the given sizes, tanh inside and `output` last, seeded, with non-zero
 * biases so that they are tested too.  Aborts on allocation failure (a test bug). */
static Mlp small_network(const size_t *sizes, size_t size_count, Activation output, size_t max_batch,
                         unsigned seed)
{
    Mlp mlp;
    Rng rng;
    Error err;
    rng_seed(&rng, seed);
    if (!mlp_init(&mlp, sizes, size_count, ACTIVATION_TANH, output, max_batch, &rng, &err))
        abort();
    for (size_t l = 0; l < mlp.layer_count; l++)
        rng_fill_normal(&rng, mlp.layers[l].dense.b, mlp.layers[l].dense.out, 0.0, 0.3);
    return mlp;
}

enum { DIM = 6, BATCH = 4 };

/* h: R^6 -> R^6 through a code of 2, the shape of an auto-encoder, as one lib network. */
static Mlp small_denoiser_network(unsigned seed)
{
    const size_t sizes[] = { DIM, 5, 2, 5, DIM };
    return small_network(sizes, 5, ACTIVATION_SIGMOID, 16, seed);
}

static size_t count_zeros(const double *x, size_t n)
{
    size_t zeros = 0;
    for (size_t i = 0; i < n; i++)
        zeros += x[i] == 0.0;
    return zeros;
}

/* The sample mean and the (1/n) sample variance of x. */
static void moments(double *mean, double *variance, const double *x, size_t n, size_t stride)
{
    double sum = 0.0, squares = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i * stride];
    *mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        squares += (x[i * stride] - *mean) * (x[i * stride] - *mean);
    *variance = squares / (double)n;
}

/* Sample correlation of the pairs (x[i * stride], y[i * stride]). */
static double correlation(const double *x, const double *y, size_t n, size_t stride)
{
    double mean_x, var_x, mean_y, var_y, cross = 0.0;
    moments(&mean_x, &var_x, x, n, stride);
    moments(&mean_y, &var_y, y, n, stride);
    for (size_t i = 0; i < n; i++)
        cross += (x[i * stride] - mean_x) * (y[i * stride] - mean_y);
    return cross / (double)n / sqrt(var_x * var_y);
}

/* Standard errors used below (n independent draws):
 *   a proportion q estimated from n coins:        sqrt(q (1 - q) / n);
 *   the mean of n draws of variance v:            sqrt(v / n);
 *   the (1/n) variance of n normal draws:         v sqrt(2 / n)   (Var(s^2) = 2 v^2 / (n - 1));
 *   the correlation of n independent pairs:       1 / sqrt(n).
 * Five of them: a correct implementation fails a check with probability below 6e-7. */
static const double Z_BOUND = 5.0;

/* ---- 3.1 masking noise ---------------------------------------------------------------------- */

enum { PIXELS = 100000 };

/* Pixels in [0.5, 1), so a 0 in x~ can only come from the mask. */
static double *make_pixels(unsigned seed)
{
    double *x = malloc(sizeof(double) * PIXELS);
    if (!x)
        abort();
    fill_uniform(x, PIXELS, 0.5, 1.0, seed);
    return x;
}

static void check_mask_rate(double p, unsigned seed)
{
    double *x = make_pixels(seed), *x_tilde = malloc(sizeof(double) * PIXELS);
    Rng rng;
    rng_seed(&rng, seed + 100);
    corrupt_mask(x_tilde, x, PIXELS, p, &rng);
    double rate = (double)count_zeros(x_tilde, PIXELS) / PIXELS;
    double standard_error = sqrt(p * (1.0 - p) / PIXELS); /* 0.0016 at p = 0.5, 0.00095 at 0.9 */
    check_note("p = %g: %.5f of the pixels were masked", p, rate);
    CHECK_NEAR(p, rate, Z_BOUND * standard_error);
    size_t changed = 0;
    for (size_t j = 0; j < PIXELS; j++)
        changed += x_tilde[j] != 0.0 && x_tilde[j] != x[j];
    CHECK_LONG(0, changed); /* what is not masked is x itself */
    free(x);
    free(x_tilde);
}

static void test_mask_rate_half(void) { check_mask_rate(0.5, 1); }
static void test_mask_rate_nine_tenths(void) { check_mask_rate(0.9, 2); }

static void test_mask_extremes(void)
{
    double *x = make_pixels(3), *x_tilde = malloc(sizeof(double) * PIXELS);
    Rng rng;
    rng_seed(&rng, 4);
    corrupt_mask(x_tilde, x, PIXELS, 0.0, &rng);
    CHECK(memcmp(x, x_tilde, sizeof(double) * PIXELS) == 0); /* p = 0: x~ = x */
    corrupt_mask(x_tilde, x, PIXELS, 1.0, &rng);
    CHECK_LONG(PIXELS, count_zeros(x_tilde, PIXELS)); /* p = 1: x~ = 0 */
    free(x);
    free(x_tilde);
}

/* One coin per pixel: two neighbours are both masked with probability p^2; a mask that
 * follows the rng: the same seed gives the same x~, another seed another. */
static void test_mask_independent_and_seeded(void)
{
    const double p = 0.5;
    double *x = make_pixels(5), *first = malloc(sizeof(double) * PIXELS), *again = malloc(sizeof(double) * PIXELS);
    Rng rng;
    rng_seed(&rng, 6);
    corrupt_mask(first, x, PIXELS, p, &rng);
    size_t pairs = PIXELS / 2, both = 0;
    for (size_t i = 0; i < pairs; i++)
        both += first[2 * i] == 0.0 && first[2 * i + 1] == 0.0;
    double q = p * p, rate = (double)both / (double)pairs;
    check_note("both neighbours masked: %.5f of %zu pairs, expected p^2 = %g", rate, pairs, q);
    CHECK_NEAR(q, rate, Z_BOUND * sqrt(q * (1.0 - q) / (double)pairs)); /* 5 x 0.0027 */
    rng_seed(&rng, 6);
    corrupt_mask(again, x, PIXELS, p, &rng);
    CHECK(memcmp(first, again, sizeof(double) * PIXELS) == 0);
    rng_seed(&rng, 7);
    corrupt_mask(again, x, PIXELS, p, &rng);
    CHECK(memcmp(first, again, sizeof(double) * PIXELS) != 0);
    free(x);
    free(first);
    free(again);
}

/* ---- 3.2 additive Gaussian noise ---------------------------------------------------------- */

static void test_gaussian_moments(void)
{
    const double sigma = 0.3;
    double *x = make_pixels(8), *x_tilde = malloc(sizeof(double) * PIXELS);
    Rng rng;
    rng_seed(&rng, 9);
    corrupt_gaussian(x_tilde, x, PIXELS, sigma, &rng);
    vector_axpy(x_tilde, -1.0, x, PIXELS); /* now the noise x~ - x */
    double mean, variance, v = sigma * sigma;
    moments(&mean, &variance, x_tilde, PIXELS, 1);
    check_note("x~ - x: mean %.6f, variance %.6f (sigma^2 = %g)", mean, variance, v);
    CHECK_NEAR(0.0, mean, Z_BOUND * sqrt(v / PIXELS));           /* 5 x 0.00095 */
    CHECK_NEAR(v, variance, Z_BOUND * v * sqrt(2.0 / PIXELS));   /* 5 x 0.00040 */
    double neighbours = correlation(x_tilde, x_tilde + 1, PIXELS / 2, 2);
    CHECK_NEAR(0.0, neighbours, Z_BOUND / sqrt(PIXELS / 2.0)); /* independent draws: 5 x 0.0045 */
    free(x);
    free(x_tilde);
}

/* sigma = 0 keeps x; the noise is added to x, whatever x is: with the same seed, two
 * different images receive the same x~ - x. */
static void test_gaussian_is_additive(void)
{
    enum { N = 1000 };
    double x[N], y[N], x_tilde[N], y_tilde[N];
    fill_uniform(x, N, 0.0, 1.0, 10);
    fill_uniform(y, N, 0.0, 1.0, 11);
    Rng rng;
    rng_seed(&rng, 12);
    corrupt_gaussian(x_tilde, x, N, 0.0, &rng);
    for (size_t j = 0; j < N; j++)
        CHECK_NEAR(x[j], x_tilde[j], 0.0);
    rng_seed(&rng, 13);
    corrupt_gaussian(x_tilde, x, N, 0.5, &rng);
    rng_seed(&rng, 13);
    corrupt_gaussian(y_tilde, y, N, 0.5, &rng);
    for (size_t j = 0; j < N; j++)
        CHECK_NEAR(x_tilde[j] - x[j], y_tilde[j] - y[j], 1e-12);
    CHECK(vector_squared_distance(x_tilde, x, N) > 0.0);
}

/* ---- corruption_check, dae_compose, dae_init (not exercises) ---------------------------- */

static void test_corruption_check(void)
{
    Error err;
    CHECK(corruption_check((Corruption){ CORRUPTION_MASK, 0.0 }, &err));
    CHECK(corruption_check((Corruption){ CORRUPTION_MASK, 1.0 }, &err));
    CHECK(corruption_check((Corruption){ CORRUPTION_GAUSSIAN, 0.0 }, &err));
    CHECK(!corruption_check((Corruption){ CORRUPTION_MASK, 1.5 }, &err));
    CHECK_CONTAINS(err.message, "p = 1.5");
    CHECK(!corruption_check((Corruption){ CORRUPTION_MASK, -0.1 }, &err));
    CHECK(!corruption_check((Corruption){ CORRUPTION_MASK, NAN }, &err));
    CHECK(!corruption_check((Corruption){ CORRUPTION_GAUSSIAN, -1.0 }, &err));
    CHECK_CONTAINS(err.message, "sigma = -1");
    CHECK(!corruption_check((Corruption){ CORRUPTION_GAUSSIAN, INFINITY }, &err));
}

typedef struct FixedNoiseLoss {
    Mlp *h;
    const double *X_tilde, *X;
} FixedNoiseLoss;

/* L(theta) = (1/B) sum ||h(x~) - x||^2 with x~ held fixed */
static double fixed_noise_loss(void *context)
{
    FixedNoiseLoss *c = context;
    return squared_error_loss(mlp_forward(c->h, c->X_tilde, BATCH), c->X, BATCH, DIM);
}

/* p->grad against centred differences of that loss: relative error below 1e-6 */
static void check_gradient(const Parameter *p, FixedNoiseLoss *context)
{
    GradCheckResult r = gradient_check(p, fixed_noise_loss, context, 0);
    if (!CHECK_BELOW(r.max_relative_error, 1e-6))
        check_note("%s[%zu]: analytic %.9g, numeric %.9g", p->name, r.worst_index, r.analytic, r.numeric);
}

/* h = g o f computes g(f(x)), leaves f(x) in f's output, and its backward pass reaches the
 * gradients of f and g (checked against centred differences). */
static void test_compose(void)
{
    const size_t f_sizes[] = { DIM, 5, 2 }, g_sizes[] = { 2, 5, DIM };
    Mlp f = small_network(f_sizes, 3, ACTIVATION_IDENTITY, 8, 20);
    Mlp g = small_network(g_sizes, 3, ACTIVATION_SIGMOID, 16, 21);
    Mlp h;
    Error err;
    double X[BATCH * DIM], expected[BATCH * DIM], code[BATCH * 2];
    fill_uniform(X, BATCH * DIM, 0.0, 1.0, 22);
    vector_copy(code, mlp_forward(&f, X, BATCH), BATCH * 2);
    vector_copy(expected, mlp_forward(&g, code, BATCH), BATCH * DIM);
    if (!CHECK(dae_compose(&h, &f, &g, &err)))
        return;
    CHECK_LONG(8, h.max_batch);
    const double *H = mlp_forward(&h, X, BATCH);
    for (size_t i = 0; i < BATCH * DIM; i++)
        CHECK_NEAR(expected[i], H[i], 1e-15);
    for (size_t i = 0; i < BATCH * 2; i++)
        CHECK_NEAR(code[i], f.layers[1].post[i], 1e-15);
    ParameterList parameters = { .count = 0 };
    mlp_parameters(&f, &parameters, "f");
    mlp_parameters(&g, &parameters, "g");
    parameters_zero_grad(&parameters);
    double grad_output[BATCH * DIM] = { 0 };
    squared_error_backward(grad_output, mlp_forward(&h, X, BATCH), X, BATCH, DIM);
    mlp_backward(NULL, &h, grad_output);
    FixedNoiseLoss context = { &h, X, X }; /* L = (1/B) sum ||h(x) - x||^2 */
    for (size_t k = 0; k < parameters.count; k++)
        check_gradient(&parameters.items[k], &context);
    dae_compose_free(&h);
    const size_t wrong_sizes[] = { 3, 5, DIM };
    Mlp wrong = small_network(wrong_sizes, 3, ACTIVATION_SIGMOID, 8, 23);
    CHECK(!dae_compose(&h, &f, &wrong, &err));
    CHECK_CONTAINS(err.message, "g o f");
    mlp_free(&wrong);
    mlp_free(&f);
    mlp_free(&g);
}

static void test_dae_init_refuses(void)
{
    const size_t sizes[] = { DIM, 3, DIM + 1 };
    Mlp not_x_to_x = small_network(sizes, 3, ACTIVATION_SIGMOID, 4, 24);
    Mlp h = small_denoiser_network(25);
    Denoiser dae;
    Error err;
    CHECK(!dae_init(&dae, &not_x_to_x, (Corruption){ CORRUPTION_MASK, 0.5 }, &err));
    CHECK_CONTAINS(err.message, "X to X");
    CHECK(!dae_init(&dae, &h, (Corruption){ CORRUPTION_GAUSSIAN, -0.5 }, &err));
    CHECK_CONTAINS(err.message, "sigma");
    mlp_free(&not_x_to_x);
    mlp_free(&h);
}

/* ---- a network under training --------------------------------------------------------------- */

/* h, the denoiser that trains it, and an optimiser over the denoiser's parameters. */
typedef struct Trainee {
    Mlp h;
    Denoiser dae;
    Optimizer optimizer;
} Trainee;

static void trainee_free(Trainee *t)
{
    optimizer_free(&t->optimizer);
    dae_free(&t->dae);
    mlp_free(&t->h);
}

/* Take h (freed with t), train it against `corruption` with SGD (no momentum) or Adam.
 * t must stay where it is: the denoiser points at t->h. */
static bool trainee_init(Trainee *t, Mlp h, Corruption corruption, OptimizerKind kind, double learning_rate)
{
    Error err;
    *t = (Trainee){ .h = h };
    const ParameterList *theta = &t->dae.parameters;
    bool ok = CHECK(dae_init(&t->dae, &t->h, corruption, &err))
              && CHECK(kind == OPTIMIZER_SGD ? optimizer_init_sgd(&t->optimizer, theta, learning_rate, 0.0, &err)
                                             : optimizer_init_adam(&t->optimizer, theta, learning_rate, &err));
    if (!ok)
        trainee_free(t);
    return ok;
}

static const Corruption HALF_MASK = { CORRUPTION_MASK, 0.5 };

/* ---- 3.3 the denoising loss ----------------------------------------------------------------- */

static void test_loss_value(void)
{
    Trainee t;
    if (!trainee_init(&t, small_denoiser_network(30), HALF_MASK, OPTIMIZER_SGD, 0.0))
        return;
    double X[BATCH * DIM], X_tilde[BATCH * DIM], H[BATCH * DIM];
    fill_uniform(X, BATCH * DIM, 0.0, 1.0, 31);
    fill_uniform(X_tilde, BATCH * DIM, 0.0, 1.0, 32);
    vector_copy(H, mlp_forward(&t.h, X_tilde, BATCH), BATCH * DIM); /* h(x~) */
    double expected = 0.0, against_x_tilde = 0.0;
    for (size_t i = 0; i < BATCH; i++)
        for (size_t j = 0; j < DIM; j++) {
            expected += (H[i * DIM + j] - X[i * DIM + j]) * (H[i * DIM + j] - X[i * DIM + j]);
            against_x_tilde += (H[i * DIM + j] - X_tilde[i * DIM + j]) * (H[i * DIM + j] - X_tilde[i * DIM + j]);
        }
    expected /= BATCH;
    check_note("(1/B) sum ||h(x~) - x||^2 = %.6f; against x~ instead of x it would be %.6f", expected,
               against_x_tilde / BATCH);
    CHECK_RELATIVE(expected, dae_loss(&t.dae, X_tilde, X, BATCH), 1e-12);
    trainee_free(&t);
}

/* The loss is a mean over the batch: the same pairs twice give the same loss. */
static void test_loss_is_a_mean(void)
{
    Trainee t;
    if (!trainee_init(&t, small_denoiser_network(33), HALF_MASK, OPTIMIZER_SGD, 0.0))
        return;
    double X[2 * BATCH * DIM], X_tilde[2 * BATCH * DIM];
    fill_uniform(X, BATCH * DIM, 0.0, 1.0, 34);
    fill_uniform(X_tilde, BATCH * DIM, 0.0, 1.0, 35);
    vector_copy(X + BATCH * DIM, X, BATCH * DIM);
    vector_copy(X_tilde + BATCH * DIM, X_tilde, BATCH * DIM);
    double once = dae_loss(&t.dae, X_tilde, X, BATCH);
    CHECK(isfinite(once) && once > 0.0);
    CHECK_RELATIVE(once, dae_loss(&t.dae, X_tilde, X, 2 * BATCH), 1e-12);
    trainee_free(&t);
}

/* ---- 3.4 a training step -------------------------------------------------------------------- */

/* With plain SGD, one step moves theta by -eta dL/dtheta, the gradient at the x~ the step
 * drew (left in dae.X_tilde): (theta_before - theta_after) / eta must pass a gradient check
 * of L with that x~ fixed (the noise is fixed for the check, as DESIGN.md asks). */
static void test_step_is_gradient_descent(void)
{
    const double eta = 0.1;
    Trainee t;
    if (!trainee_init(&t, small_denoiser_network(40), (Corruption){ CORRUPTION_MASK, 0.4 }, OPTIMIZER_SGD, eta))
        return;
    Mlp before = small_denoiser_network(40); /* the same weights, left as they were */
    ParameterList parameters_before = { .count = 0 };
    mlp_parameters(&before, &parameters_before, "h");
    double X[BATCH * DIM], X_tilde[BATCH * DIM];
    fill_uniform(X, BATCH * DIM, 0.1, 1.0, 41);
    Rng rng;
    rng_seed(&rng, 42);
    double loss = dae_train_step(&t.dae, &t.optimizer, X, BATCH, &rng);
    vector_copy(X_tilde, t.dae.X_tilde, BATCH * DIM);
    size_t masked = count_zeros(X_tilde, BATCH * DIM), kept = 0;
    for (size_t j = 0; j < BATCH * DIM; j++)
        kept += X_tilde[j] == X[j];
    check_note("x~ of the step: %zu of %d entries masked, %zu kept", masked, BATCH * DIM, kept);
    CHECK(masked > 0 && kept > 0 && masked + kept == BATCH * DIM); /* a masking of x */
    FixedNoiseLoss context = { &before, X_tilde, X };
    CHECK_RELATIVE(fixed_noise_loss(&context), loss, 1e-12); /* L before the update */
    for (size_t k = 0; k < t.dae.parameters.count; k++) {
        const Parameter *after = &t.dae.parameters.items[k];
        Parameter *p = &parameters_before.items[k];
        for (size_t i = 0; i < p->size; i++)
            p->grad[i] = (p->value[i] - after->value[i]) / eta; /* the step's dL/dtheta */
        check_gradient(p, &context);
    }
    mlp_free(&before);
    trainee_free(&t);
}

/* Corruption on the fly: each step draws a new x~ from the rng it is given, so two steps
 * differ, and a re-seeded rng gives the first step's x~ again (eta = 0 keeps h as it is). */
static void test_step_draws_fresh_noise(void)
{
    Trainee t;
    if (!trainee_init(&t, small_denoiser_network(43), (Corruption){ CORRUPTION_GAUSSIAN, 0.2 }, OPTIMIZER_SGD, 0.0))
        return;
    double X[BATCH * DIM], first[BATCH * DIM];
    fill_uniform(X, BATCH * DIM, 0.0, 1.0, 44);
    Rng rng;
    rng_seed(&rng, 45);
    double first_loss = dae_train_step(&t.dae, &t.optimizer, X, BATCH, &rng);
    vector_copy(first, t.dae.X_tilde, BATCH * DIM);
    CHECK(vector_squared_distance(first, X, BATCH * DIM) > 0.0);
    double second_loss = dae_train_step(&t.dae, &t.optimizer, X, BATCH, &rng);
    CHECK(vector_squared_distance(first, t.dae.X_tilde, BATCH * DIM) > 0.0);
    CHECK(first_loss != second_loss);
    rng_seed(&rng, 45);
    CHECK_RELATIVE(first_loss, dae_train_step(&t.dae, &t.optimizer, X, BATCH, &rng), 1e-15);
    CHECK(vector_squared_distance(first, t.dae.X_tilde, BATCH * DIM) == 0.0);
    trainee_free(&t);
}

/* Denoising on a fixed batch: 16 rows made of 4 binary patterns of 12 pixels, masked with
 * p = 0.5.  Most of the time the visible half of the pixels tells which pattern it was, so
 * h(x~) can restore x: after 400 Adam steps (fresh noise each) the loss on one fixed x~ must
 * fall below half of its start and below half of ||x~ - x||^2, the error of not denoising
 * at all.  (It cannot reach 0: some x~ fit two patterns, and then the best h answers their
 * posterior mean; with this seed it goes from 3.2 to 0.77, against 3.19 for x~ itself.) */
enum { PATTERN_DIM = 12, PATTERN_ROWS = 16 };
static const double PATTERNS[4][PATTERN_DIM] = {
    { 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0 },
    { 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1 },
    { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 },
    { 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0 },
};

static void test_loss_falls_on_a_fixed_batch(void)
{
    const size_t sizes[] = { PATTERN_DIM, 16, 4, 16, PATTERN_DIM };
    Trainee t;
    if (!trainee_init(&t, small_network(sizes, 5, ACTIVATION_SIGMOID, PATTERN_ROWS, 46), HALF_MASK, OPTIMIZER_ADAM,
                      0.02))
        return;
    double X[PATTERN_ROWS * PATTERN_DIM], X_tilde[PATTERN_ROWS * PATTERN_DIM];
    for (size_t i = 0; i < PATTERN_ROWS; i++)
        vector_copy(X + i * PATTERN_DIM, PATTERNS[i % 4], PATTERN_DIM);
    Rng rng, fixed;
    rng_seed(&rng, 47);
    rng_seed(&fixed, 48);
    for (size_t j = 0; j < PATTERN_ROWS * PATTERN_DIM; j++) /* one fixed x~, masked here, not by 3.1 */
        X_tilde[j] = rng_bernoulli(&fixed, 0.5) ? 0.0 : X[j];
    double no_denoising = squared_error_loss(X_tilde, X, PATTERN_ROWS, PATTERN_DIM);
    double start = squared_error_loss(mlp_forward(&t.h, X_tilde, PATTERN_ROWS), X, PATTERN_ROWS, PATTERN_DIM);
    for (int step = 0; step < 400; step++)
        dae_train_step(&t.dae, &t.optimizer, X, PATTERN_ROWS, &rng);
    double end = squared_error_loss(mlp_forward(&t.h, X_tilde, PATTERN_ROWS), X, PATTERN_ROWS, PATTERN_DIM);
    check_note("||h(x~) - x||^2 per row: %.4f -> %.4f after 400 steps; ||x~ - x||^2 = %.4f", start, end,
               no_denoising);
    CHECK_BELOW(end, 0.5 * start);
    CHECK_BELOW(end, 0.5 * no_denoising);
    trainee_free(&t);
}

/* ---- 3.5 the posterior of a Gaussian mixture --------------------------------------------- */

/* The reference: p(x | x~) propto p(x) N(x~; x, sigma^2) integrated numerically by Simpson's
 * rule on a fine grid covering the prior's mass (12 standard deviations around each mode),
 * in logs shifted by their maximum so that nothing underflows. */
typedef struct Quadrature {
    double mean, variance;
    double low, step;
    size_t count;
    double log_normaliser; /* log of the integral of p(x) N(x~; x, sigma^2), minus `shift` */
    double shift;
} Quadrature;

static double log_prior_times_likelihood(const GaussianMixture *prior, double sigma, double x_tilde, double x)
{
    double prior_density = 0.0;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++) {
        double s = prior->std[k], u = (x - prior->mean[k]) / s;
        prior_density += prior->weight[k] * exp(-0.5 * u * u) / (s * sqrt(2.0 * M_PI));
    }
    double v = (x_tilde - x) / sigma;
    return log(prior_density) - 0.5 * v * v;
}

static Quadrature integrate_posterior(const GaussianMixture *prior, double sigma, double x_tilde)
{
    enum { INTERVALS = 40000 }; /* even, for Simpson */
    Quadrature q = { 0 };
    double low = INFINITY, high = -INFINITY;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++) {
        low = fmin(low, prior->mean[k] - 12.0 * prior->std[k]);
        high = fmax(high, prior->mean[k] + 12.0 * prior->std[k]);
    }
    q.low = low;
    q.step = (high - low) / INTERVALS;
    q.count = INTERVALS + 1;
    q.shift = -INFINITY;
    for (size_t i = 0; i < q.count; i++)
        q.shift = fmax(q.shift, log_prior_times_likelihood(prior, sigma, x_tilde, low + (double)i * q.step));
    double mass = 0.0, first = 0.0, second = 0.0;
    for (size_t i = 0; i < q.count; i++) {
        double x = low + (double)i * q.step;
        double w = (i == 0 || i == INTERVALS) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double density = w * exp(log_prior_times_likelihood(prior, sigma, x_tilde, x) - q.shift);
        mass += density;
        first += density * x;
        second += density * x * x;
    }
    q.mean = first / mass;
    q.variance = second / mass - q.mean * q.mean;
    q.log_normaliser = log(mass * q.step / 3.0);
    return q;
}

/* p(x | x~) at x, from the quadrature's normaliser */
static double posterior_density_by_quadrature(const GaussianMixture *prior, double sigma, double x_tilde,
                                              const Quadrature *q, double x)
{
    return exp(log_prior_times_likelihood(prior, sigma, x_tilde, x) - q->shift - q->log_normaliser);
}

static double mixture_variance(const GaussianMixture *m)
{
    double mean = mixture_mean(m), second = 0.0;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++)
        second += m->weight[k] * (m->std[k] * m->std[k] + m->mean[k] * m->mean[k]);
    return second - mean * mean;
}

/* E[(x - E x)^4] = sum_k pi_k (delta_k^4 + 6 delta_k^2 s_k^2 + 3 s_k^4), delta_k = mu_k - E x */
static double mixture_fourth_central_moment(const GaussianMixture *m)
{
    double mean = mixture_mean(m), moment = 0.0;
    for (size_t k = 0; k < MIXTURE_COMPONENTS; k++) {
        double delta2 = (m->mean[k] - mean) * (m->mean[k] - mean), s2 = m->std[k] * m->std[k];
        moment += m->weight[k] * (delta2 * delta2 + 6.0 * delta2 * s2 + 3.0 * s2 * s2);
    }
    return moment;
}

static void check_posterior_against_quadrature(const GaussianMixture *prior, double sigma, double x_tilde)
{
    GaussianMixture posterior;
    mixture_posterior(&posterior, prior, sigma, x_tilde);
    Quadrature q = integrate_posterior(prior, sigma, x_tilde);
    check_note("x~ = %g: E[x | x~] = %.9f and Var = %.9f by quadrature", x_tilde, q.mean, q.variance);
    CHECK_NEAR(1.0, posterior.weight[0] + posterior.weight[1], 1e-12);
    CHECK_NEAR(q.mean, mixture_mean(&posterior), 1e-8);
    CHECK_NEAR(q.variance, mixture_variance(&posterior), 1e-8);
    for (int t = -1; t <= 1; t++) { /* the density at the mean and one std either side */
        double x = q.mean + t * sqrt(q.variance);
        CHECK_RELATIVE(posterior_density_by_quadrature(prior, sigma, x_tilde, &q, x),
                       mixture_density(&posterior, x), 1e-7);
    }
}

static const GaussianMixture SYMMETRIC = { { 0.5, 0.5 }, { -1.0, 1.0 }, { 0.1, 0.1 } };
static const GaussianMixture LOPSIDED = { { 0.3, 0.7 }, { -1.0, 2.0 }, { 0.2, 0.5 } };

static void test_posterior_against_quadrature(void)
{
    const double x_tildes[] = { -1.7, -0.4, 0.0, 0.3, 1.1, 2.5 };
    for (size_t i = 0; i < sizeof x_tildes / sizeof x_tildes[0]; i++) {
        check_posterior_against_quadrature(&SYMMETRIC, 0.5, x_tildes[i]);
        check_posterior_against_quadrature(&LOPSIDED, 0.7, x_tildes[i]);
    }
}

/* A two-point prior x = +-mu (s = 0): E[x | x~] = mu tanh(mu x~ / sigma^2), and the
 * posterior keeps the two points. */
static void test_posterior_two_points(void)
{
    const double mu = 1.0, sigma = 0.5, x_tildes[] = { -1.0, -0.3, 0.0, 0.2, 0.8 };
    const GaussianMixture two_points = { { 0.5, 0.5 }, { -mu, mu }, { 0.0, 0.0 } };
    for (size_t i = 0; i < sizeof x_tildes / sizeof x_tildes[0]; i++) {
        GaussianMixture posterior;
        mixture_posterior(&posterior, &two_points, sigma, x_tildes[i]);
        CHECK_NEAR(mu * tanh(mu * x_tildes[i] / (sigma * sigma)), mixture_mean(&posterior), 1e-12);
        CHECK_NEAR(-mu, posterior.mean[0], 1e-15);
        CHECK_NEAR(0.0, posterior.std[1], 0.0);
    }
}

/* Far from both modes both likelihoods underflow to 0 in double precision (at x~ = 50:
 * exp(-49^2 / 0.52) = exp(-4617)); the posterior must still be the nearer component. */
static void test_posterior_far_tails(void)
{
    const double sigma = 0.5, v = SYMMETRIC.std[1] * SYMMETRIC.std[1], noise = sigma * sigma;
    const double x_tildes[] = { 50.0, -50.0 };
    for (size_t i = 0; i < 2; i++) {
        GaussianMixture posterior;
        mixture_posterior(&posterior, &SYMMETRIC, sigma, x_tildes[i]);
        double nearer_mode = x_tildes[i] > 0 ? 1.0 : -1.0;
        double expected = (noise * nearer_mode + v * x_tildes[i]) / (v + noise); /* mu'_k of that mode */
        CHECK_NEAR(expected, mixture_mean(&posterior), 1e-12);
    }
}

/* ---- 3.4 again: a trained h is the posterior mean ------------------------------------------- */

/* x ~ (1/2) N(-1, 0.1^2) + (1/2) N(1, 0.1^2), x~ = x + 0.5 eps.  A one-hidden-layer network
 * h: R -> R trained by dae_train_step on fresh draws must land on E[x | x~] (by quadrature,
 * independent of 3.5) within TOLERANCE everywhere on x~ in [-1.5, 1.5], where the noisy data
 * are dense.  The hardest place is the steep middle, where E[x | x~] ~ 0.96 tanh(3.8 x~): a
 * shift of the curve by 0.01 is an error of 0.04 there.  Over 30 seeds of this schedule the
 * largest error was 0.007 to 0.056 (median 0.015); TOLERANCE = 0.1, 5% of the distance
 * between the modes, is still far below what tells E[x | x~] from the alternatives: at
 * x~ = 0.2, E[x | x~] = 0.62 while the nearer mode is 0.98 and the identity 0.2.  And it
 * shows what the slide says: h(0) ~ 0, halfway between the modes, where the posterior
 * density is below 1e-10 of its peak. */
enum { POSTERIOR_STEPS = 4000, POSTERIOR_BATCH = 128, POSTERIOR_HIDDEN = 16 };
static const double POSTERIOR_SIGMA = 0.5, TOLERANCE = 0.1;

static void test_trained_h_is_the_posterior_mean(void)
{
    const size_t sizes[] = { 1, POSTERIOR_HIDDEN, 1 };
    Trainee t;
    if (!trainee_init(&t, small_network(sizes, 3, ACTIVATION_IDENTITY, POSTERIOR_BATCH, 50),
                      (Corruption){ CORRUPTION_GAUSSIAN, POSTERIOR_SIGMA }, OPTIMIZER_ADAM, 0.01))
        return;
    Rng rng;
    rng_seed(&rng, 51);
    double x[POSTERIOR_BATCH];
    for (int step = 0; step < POSTERIOR_STEPS; step++) {
        if (step == POSTERIOR_STEPS / 2 || step == 3 * POSTERIOR_STEPS / 4)
            t.optimizer.learning_rate /= 5.0; /* settle: less step noise at the end */
        mixture_sample(x, &SYMMETRIC, POSTERIOR_BATCH, &rng);
        dae_train_step(&t.dae, &t.optimizer, x, POSTERIOR_BATCH, &rng);
    }
    double worst = 0.0, worst_at = 0.0;
    for (int i = -15; i <= 15; i++) {
        double x_tilde = 0.1 * i, expected = integrate_posterior(&SYMMETRIC, POSTERIOR_SIGMA, x_tilde).mean;
        double got = mlp_forward(&t.h, &x_tilde, 1)[0];
        if (!(fabs(got - expected) <= worst)) {
            worst = fabs(got - expected);
            worst_at = x_tilde;
        }
    }
    check_note("max |h(x~) - E[x | x~]| over x~ in [-1.5, 1.5]: %.4f at x~ = %g", worst, worst_at);
    CHECK_BELOW(worst, TOLERANCE);
    double zero = 0.0, h0 = mlp_forward(&t.h, &zero, 1)[0];
    Quadrature q = integrate_posterior(&SYMMETRIC, POSTERIOR_SIGMA, 0.0);
    double peak = posterior_density_by_quadrature(&SYMMETRIC, POSTERIOR_SIGMA, 0.0, &q, 1.0);
    double at_h0 = posterior_density_by_quadrature(&SYMMETRIC, POSTERIOR_SIGMA, 0.0, &q, h0);
    check_note("h(0) = %.4f; p(x = h(0) | x~ = 0) / p(x = 1 | x~ = 0) = %.3g", h0, at_h0 / peak);
    CHECK_NEAR(0.0, h0, TOLERANCE);
    CHECK_BELOW(at_h0 / peak, 1e-10);
    trainee_free(&t);
}

/* mixture_sample (not an exercise): the sample mean and variance of 20,000 draws. */
static void test_mixture_sample(void)
{
    enum { N = 20000 };
    static double x[N];
    Rng rng;
    rng_seed(&rng, 52);
    mixture_sample(x, &LOPSIDED, N, &rng);
    double mean, variance, v = mixture_variance(&LOPSIDED);
    moments(&mean, &variance, x, N, 1);
    CHECK_NEAR(mixture_mean(&LOPSIDED), mean, Z_BOUND * sqrt(v / N));
    /* the variance of a sample that is not normal: SE = sqrt((m4 - v^2) / N), m4 its fourth
     * central moment (0.028 here) */
    CHECK_NEAR(v, variance, Z_BOUND * sqrt((mixture_fourth_central_moment(&LOPSIDED) - v * v) / N));
}

/* ---- 3.6 fitting q(z) ------------------------------------------------------------------------- */

static bool latent(LatentGaussian *q, size_t d)
{
    Error err;
    return CHECK(latent_gaussian_init(q, d, &err));
}

/* By hand: columns (1, 3, 5, -1) and (2, 4, 0, 2) have means 2 and 2, and mean squared
 * deviations (1 + 1 + 9 + 9) / 4 = 5 and (0 + 4 + 4 + 0) / 4 = 2 (dividing by N). */
static void test_fit_by_hand(void)
{
    LatentGaussian q;
    if (!latent(&q, 2))
        return;
    const double Z[8] = { 1, 2, 3, 4, 5, 0, -1, 2 };
    latent_gaussian_fit(&q, Z, 4);
    CHECK_NEAR(2.0, q.mean[0], 1e-15);
    CHECK_NEAR(2.0, q.mean[1], 1e-15);
    CHECK_NEAR(5.0, q.variance[0], 1e-14);
    CHECK_NEAR(2.0, q.variance[1], 1e-14);
    latent_gaussian_free(&q);
}

/* Codes far from 0: 1e8 + (0, 1, 2, 3) has variance 1.25 exactly; E[z^2] - E[z]^2 would
 * lose it all to rounding (1e16 has an ulp of 2), the mean squared deviation does not. */
static void test_fit_far_from_zero(void)
{
    LatentGaussian q;
    if (!latent(&q, 1))
        return;
    const double Z[4] = { 1e8, 1e8 + 1, 1e8 + 2, 1e8 + 3 };
    latent_gaussian_fit(&q, Z, 4);
    CHECK_NEAR(1e8 + 1.5, q.mean[0], 1e-7);
    CHECK_RELATIVE(1.25, q.variance[0], 1e-9);
    latent_gaussian_free(&q);
}

/* 20,000 codes from N(m, diag(v)): mu^ and sigma^2 within 5 standard errors of m and v. */
enum { CODES = 20000, CODE_DIM = 3 };
static const double CODE_MEAN[CODE_DIM] = { -1.0, 0.5, 3.0 }, CODE_VARIANCE[CODE_DIM] = { 0.25, 1.0, 4.0 };

static void test_fit_recovers_moments(void)
{
    static double Z[CODES * CODE_DIM];
    Rng rng;
    rng_seed(&rng, 60);
    for (size_t i = 0; i < CODES; i++)
        for (size_t j = 0; j < CODE_DIM; j++)
            Z[i * CODE_DIM + j] = CODE_MEAN[j] + sqrt(CODE_VARIANCE[j]) * rng_normal(&rng);
    LatentGaussian q;
    if (!latent(&q, CODE_DIM))
        return;
    latent_gaussian_fit(&q, Z, CODES);
    for (size_t j = 0; j < CODE_DIM; j++) {
        double v = CODE_VARIANCE[j];
        CHECK_NEAR(CODE_MEAN[j], q.mean[j], Z_BOUND * sqrt(v / CODES));
        CHECK_NEAR(v, q.variance[j], Z_BOUND * v * sqrt(2.0 / CODES));
    }
    latent_gaussian_free(&q);
}

/* ---- 3.7 sampling z ~ q ----------------------------------------------------------------------- */

static void test_sample_moments(void)
{
    static double Z[CODES * CODE_DIM];
    LatentGaussian q;
    if (!latent(&q, CODE_DIM))
        return;
    vector_copy(q.mean, CODE_MEAN, CODE_DIM);
    vector_copy(q.variance, CODE_VARIANCE, CODE_DIM);
    Rng rng;
    rng_seed(&rng, 61);
    latent_gaussian_sample(Z, &q, CODES, &rng);
    for (size_t j = 0; j < CODE_DIM; j++) {
        double mean, variance, v = CODE_VARIANCE[j];
        moments(&mean, &variance, Z + j, CODES, CODE_DIM);
        check_note("z_%zu: mean %.4f (mu^ %g), variance %.4f (sigma^2 %g)", j, mean, CODE_MEAN[j], variance, v);
        CHECK_NEAR(CODE_MEAN[j], mean, Z_BOUND * sqrt(v / CODES));
        CHECK_NEAR(v, variance, Z_BOUND * v * sqrt(2.0 / CODES));
    }
    /* a diagonal Sigma^: the coordinates are uncorrelated */
    CHECK_NEAR(0.0, correlation(Z, Z + 1, CODES, CODE_DIM), Z_BOUND / sqrt(CODES));
    latent_gaussian_free(&q);
}

/* Zero variance gives mu^ itself; the same seed gives the same codes. */
static void test_sample_degenerate_and_seeded(void)
{
    LatentGaussian q;
    if (!latent(&q, CODE_DIM))
        return;
    vector_copy(q.mean, CODE_MEAN, CODE_DIM);
    double Z[4 * CODE_DIM], again[4 * CODE_DIM];
    Rng rng;
    rng_seed(&rng, 62);
    latent_gaussian_sample(Z, &q, 4, &rng); /* variance 0 */
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < CODE_DIM; j++)
            CHECK_NEAR(CODE_MEAN[j], Z[i * CODE_DIM + j], 0.0);
    vector_copy(q.variance, CODE_VARIANCE, CODE_DIM);
    rng_seed(&rng, 63);
    latent_gaussian_sample(Z, &q, 4, &rng);
    rng_seed(&rng, 63);
    latent_gaussian_sample(again, &q, 4, &rng);
    CHECK(memcmp(Z, again, sizeof Z) == 0);
    latent_gaussian_free(&q);
}

static const TestCase tests[] = {
    { "masking p = 0.5: rate of zeros within 5 standard errors", "3.1", test_mask_rate_half },
    { "masking p = 0.9: rate of zeros within 5 standard errors", "3.1", test_mask_rate_nine_tenths },
    { "masking p = 0 keeps x, p = 1 zeroes it", "3.1", test_mask_extremes },
    { "masking: one coin per pixel, drawn from the given rng", "3.1", test_mask_independent_and_seeded },
    { "Gaussian noise: x~ - x has mean 0, variance sigma^2, no correlation", "3.2", test_gaussian_moments },
    { "Gaussian noise: sigma = 0 keeps x; the noise is added to x", "3.2", test_gaussian_is_additive },
    { "corruption_check refuses p outside [0, 1] and sigma < 0", NULL, test_corruption_check },
    { "dae_compose: h = g o f, forward and gradients", NULL, test_compose },
    { "dae_init refuses h not X -> X and a bad corruption", NULL, test_dae_init_refuses },
    { "L = (1/B) sum ||h(x~) - x||^2 on a small batch", "3.3", test_loss_value },
    { "the denoising loss is a mean over the batch", "3.3", test_loss_is_a_mean },
    { "one SGD step is theta - eta dL/dtheta at the x~ it drew", "3.4", test_step_is_gradient_descent },
    { "each step draws a fresh x~ from the given rng", "3.4", test_step_draws_fresh_noise },
    { "the denoising loss falls on a fixed batch, below ||x~ - x||^2", "3.4", test_loss_falls_on_a_fixed_batch },
    { "a trained h(x~) is E[x | x~], between the modes", "3.4", test_trained_h_is_the_posterior_mean },
    { "posterior of a Gaussian mixture against numerical integration", "3.5", test_posterior_against_quadrature },
    { "two-point prior: E[x | x~] = mu tanh(mu x~ / sigma^2)", "3.5", test_posterior_two_points },
    { "the posterior stays finite far from both modes", "3.5", test_posterior_far_tails },
    { "mixture_sample: mean and variance of p(x)", NULL, test_mixture_sample },
    { "q(z) fitted by hand on 4 codes (dividing by N)", "3.6", test_fit_by_hand },
    { "q(z) fitted exactly on codes far from 0", "3.6", test_fit_far_from_zero },
    { "q(z) fitted to 20,000 codes recovers mean and variance", "3.6", test_fit_recovers_moments },
    { "z ~ q: mean, variance within 5 standard errors, uncorrelated", "3.7", test_sample_moments },
    { "z ~ q: zero variance gives mu^; seeded", "3.7", test_sample_degenerate_and_seeded },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("03-denoising", tests, argc, argv);
}
