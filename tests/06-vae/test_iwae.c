/* tests/06-vae/test_iwae.c — chapter 6: training on the k-sample importance-weighted bound
 * (Burda, Grosse & Salakhutdinov 2016).
 *
 * The weights are checked against values worked out by hand (and, at log w ~ -2000, where
 * exp() underflows, against the same values shifted); the bound of a batch against the
 * model written out as loops, one sample at a time; its gradient, at k = 5 with eps fixed,
 * against centred differences of that written-out bound (lib/gradcheck.h), which a
 * gradient with uniform weights (the VAE's average of k ELBOs) or without q's direct
 * dependence on phi fails; a training step against plain SGD on that gradient.
 *
 * The small network (vae_fixtures.h) uses tanh (smooth, so finite differences are
 * accurate), non-zero biases and a Bernoulli decoder. Uses lib/ and chapter 6 only.
 */
#include <math.h>
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
#include "vae_fixtures.h"

enum { P = FIXTURE_P, H = FIXTURE_H, D = 3, B = 3, K = 5, MAX_ROWS = B * K };

static Vae small_vae(unsigned seed) { return fixture_vae(seed, D, MAX_ROWS); }

static Iwae small_iwae(const Vae *vae, size_t k, size_t max_batch)
{
    Iwae iwae;
    Error err;
    if (!iwae_init(&iwae, vae, k, max_batch, &err))
        abort();
    return iwae;
}

/* ---- the bound written out, one sample at a time (vae_fixtures.h) ------------------------------ */

/* log w = log p(x | z) + log p(z) - log q(z | x) for z = mu(x) + sigma(x) eps, from the
 * definitions: N(0, 1) and N(mu, sigma^2) written out. */
static double reference_log_weight(const Vae *vae, const double *x, const double *eps)
{
    double mu[D], log_variance[D], z[D], log_w = 0.0;
    reference_encode(mu, log_variance, vae, x);
    for (size_t j = 0; j < D; j++) {
        double variance = exp(log_variance[j]);
        z[j] = mu[j] + sqrt(variance) * eps[j];
        log_w += -0.5 * log(2.0 * M_PI) - 0.5 * z[j] * z[j];                                    /* log p(z_j) */
        log_w -= -0.5 * log(2.0 * M_PI * variance) - 0.5 * (z[j] - mu[j]) * (z[j] - mu[j]) / variance; /* log q */
    }
    return log_w + reference_log_likelihood(vae, x, z);
}

/* bound_i = log (1/k) sum_s exp(log w_is), shifted by the largest; returns -(1/n) sum_i bound_i. */
static double reference_negative_bound(const Vae *vae, double *bound, double *log_weights, const double *X,
                                       const double *eps, size_t n, size_t k)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double largest = -INFINITY, total = 0.0;
        for (size_t s = 0; s < k; s++) {
            log_weights[i * k + s] = reference_log_weight(vae, X + i * P, eps + (i * k + s) * D);
            largest = fmax(largest, log_weights[i * k + s]);
        }
        for (size_t s = 0; s < k; s++)
            total += exp(log_weights[i * k + s] - largest);
        bound[i] = largest + log(total / (double)k);
        sum += bound[i];
    }
    return -sum / (double)n;
}

/* ---- 6.15 the normalised weights ------------------------------------------------------------------ */

/* By hand: log w = (0, log 3) gives the mean weight 2, bound log 2, and w~ = (1/4, 3/4);
 * equal log-weights give w~ = 1/3 each and the bound equals them. */
static void test_weights_by_hand(void)
{
    const double log_weights[6] = { 0.0, log(3.0), -INFINITY, 1.5, 1.5, 1.5 };
    double bound[2], weights[6];
    fill_nan(bound, 2);
    fill_nan(weights, 6);
    iwae_normalized_weights(bound, weights, log_weights, 2, 3);
    /* row 0: w = (1, 3, 0): mean 4/3, w~ = (1/4, 3/4, 0) */
    CHECK_NEAR(log(4.0 / 3.0), bound[0], 1e-14);
    const double expected[6] = { 0.25, 0.75, 0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0 };
    CHECK_ARRAY_NEAR(expected, weights, 6, 1e-14, "w~ of sample %zu (row-major, 3 per digit)");
    CHECK_NEAR(1.5, bound[1], 1e-14);
}

/* A digit's log w is hundreds of nats below 0, where exp() is 0: the same row shifted by
 * -2000 must give the same w~ and a bound shifted by -2000. Normalising exp(log w) gives 0 / 0. */
static void test_weights_at_minus_2000(void)
{
    const double log_weights[4] = { -2000.0, -2000.0 + log(3.0), -500.0 - log(2.0), -500.0 };
    double bound[2], weights[4];
    fill_nan(bound, 2);
    fill_nan(weights, 4);
    iwae_normalized_weights(bound, weights, log_weights, 2, 2);
    const double expected[4] = { 0.25, 0.75, 1.0 / 3.0, 2.0 / 3.0 };
    /* -2000 + log 3 is rounded to the nearest 2.3e-13: so is the ratio of the weights */
    CHECK_ARRAY_NEAR(expected, weights, 4, 1e-12, "w~ of sample %zu (row-major, 2 per digit)");
    CHECK_NEAR(-2000.0 + log(2.0), bound[0], 1e-12);
    CHECK_NEAR(-500.0 + log(0.75), bound[1], 1e-12);
}

/* Random log-weights spread over 100 nats: each digit's w~ sums to 1 and is in [0, 1], and
 * w~_s / w~_t = exp(log w_s - log w_t); k = 1 gives w~ = 1 and the bound log w. */
static void test_weights_are_normalised(void)
{
    enum { N = 4, KK = 7 };
    double log_weights[N * KK], bound[N], weights[N * KK];
    normal_batch(log_weights, N * KK, 1);
    vector_scale(log_weights, 30.0, N * KK);
    fill_nan(weights, N * KK);
    iwae_normalized_weights(bound, weights, log_weights, N, KK);
    for (size_t i = 0; i < N; i++) {
        CHECK_NEAR(1.0, vector_sum(weights + i * KK, KK), 1e-12);
        for (size_t s = 0; s < KK; s++)
            CHECK(weights[i * KK + s] >= 0.0 && weights[i * KK + s] <= 1.0);
        size_t top = 0;
        for (size_t s = 1; s < KK; s++)
            if (log_weights[i * KK + s] > log_weights[i * KK + top])
                top = s;
        CHECK_RELATIVE(exp(log_weights[i * KK] - log_weights[i * KK + top]), weights[i * KK] / weights[i * KK + top],
                       1e-10);
    }
    double one_bound, one_weight;
    iwae_normalized_weights(&one_bound, &one_weight, log_weights, 1, 1);
    CHECK_NEAR(1.0, one_weight, 0.0);
    CHECK_NEAR(log_weights[0], one_bound, 1e-12);
}

/* ---- 6.16 the bound of a batch ------------------------------------------------------------------ */

static void check_forward(size_t k)
{
    Vae vae = small_vae(2);
    Iwae iwae = small_iwae(&vae, k, B);
    double X[B * P], eps[MAX_ROWS * D], bound[B], log_weights[MAX_ROWS];
    uniform_batch(X, B * P, 3);
    normal_batch(eps, B * k * D, 4);
    double expected = reference_negative_bound(&vae, bound, log_weights, X, eps, B, k);
    fill_nan(iwae.log_weights, B * k);
    fill_nan(iwae.bound, B);
    fill_nan(iwae.weights, B * k);
    double got = iwae_forward(&vae, &iwae, X, eps, B);
    check_note("k = %zu: -(1/B) sum bound = %.9f (expected %.9f)", k, got, expected);
    CHECK_RELATIVE(expected, got, 1e-12);
    CHECK_ARRAY_NEAR(log_weights, iwae.log_weights, B * k, 1e-10, "log w of row %zu = i k + s");
    CHECK_ARRAY_NEAR(bound, iwae.bound, B, 1e-10, "the bound of digit %zu");
    for (size_t i = 0; i < B; i++)
        CHECK_NEAR(1.0, vector_sum(iwae.weights + i * k, k), 1e-12);
    iwae_free(&iwae);
    vae_free(&vae);
}

static void test_forward_k1(void) { check_forward(1); }
static void test_forward_k5(void) { check_forward(K); }

/* The bound rises with k on average (Burda et al., theorem 1): over 200 batches of fresh
 * noise, the mean of the k = 5 bound of these digits exceeds the mean of the k = 1 bound.
 * Each bound is computed by the reference too, so this checks the direction, not the code. */
static void test_bound_rises_with_k(void)
{
    enum { REPEATS = 200 };
    Vae vae = small_vae(5);
    Iwae one = small_iwae(&vae, 1, B), five = small_iwae(&vae, K, B);
    double X[B * P], eps[MAX_ROWS * D];
    uniform_batch(X, B * P, 6);
    Rng rng;
    rng_seed(&rng, 7);
    double sum_one = 0.0, sum_five = 0.0;
    for (int r = 0; r < REPEATS; r++) {
        rng_fill_normal(&rng, eps, B * D, 0.0, 1.0);
        sum_one -= iwae_forward(&vae, &one, X, eps, B);
        rng_fill_normal(&rng, eps, B * K * D, 0.0, 1.0);
        sum_five -= iwae_forward(&vae, &five, X, eps, B);
    }
    check_note("mean bound: k = 1 %.5f, k = 5 %.5f", sum_one / REPEATS, sum_five / REPEATS);
    CHECK(sum_five > sum_one);
    iwae_free(&one);
    iwae_free(&five);
    vae_free(&vae);
}

/* ---- 6.17 the gradient ---------------------------------------------------------------------------- */

typedef struct BoundContext {
    const Vae *vae;
    const double *X, *eps;
    size_t k;
} BoundContext;

static double negative_bound_of(void *context)
{
    BoundContext *c = context;
    double bound[B], log_weights[MAX_ROWS];
    return reference_negative_bound(c->vae, bound, log_weights, c->X, c->eps, B, c->k);
}

/* Every tensor against centred differences of the written-out bound, eps fixed. The
 * difference quotient's own error is about 1e-11 here, so an entry of the gradient near
 * 1e-5 cannot be checked to 1e-6 relative: the fixtures (seeds 12 and 20) have none that
 * small (seeds 10 and 11 do, and fail by 3e-6 on one such entry, right or wrong). A gradient
 * with uniform weights 1/k, or without q's direct dependence on phi, fails by far more. */
static void check_gradient(size_t k, unsigned seed)
{
    Vae vae = small_vae(seed);
    Iwae iwae = small_iwae(&vae, k, B);
    double X[B * P], eps[MAX_ROWS * D];
    uniform_batch(X, B * P, seed + 1);
    normal_batch(eps, B * k * D, seed + 2);
    parameters_zero_grad(&vae.parameters);
    iwae_forward(&vae, &iwae, X, eps, B);
    iwae_backward(&vae, &iwae, X, eps, B);
    BoundContext context = { &vae, X, eps, k };
    CHECK_LONG(10, vae.parameters.count);
    check_note("k = %zu", k);
    check_parameter_gradients(&vae.parameters, negative_bound_of, &context);
    iwae_free(&iwae);
    vae_free(&vae);
}

static void test_gradient_k5(void) { check_gradient(K, 12); }
static void test_gradient_k1(void) { check_gradient(1, 20); }

/* Backward passes accumulate: two of them give twice the gradient of one. */
static void test_backward_accumulates(void)
{
    Vae vae = small_vae(30);
    Iwae iwae = small_iwae(&vae, K, B);
    double X[B * P], eps[MAX_ROWS * D], once[H * P];
    uniform_batch(X, B * P, 31);
    normal_batch(eps, B * K * D, 32);
    parameters_zero_grad(&vae.parameters);
    iwae_forward(&vae, &iwae, X, eps, B);
    iwae_backward(&vae, &iwae, X, eps, B);
    memcpy(once, vae.decoder_mu.dW, sizeof once);
    double encoder_once = vae.encoder_log_variance.db[0];
    iwae_backward(&vae, &iwae, X, eps, B);
    vector_scale(once, 2.0, H * P);
    CHECK_ARRAY_NEAR(once, vae.decoder_mu.dW, H * P, 1e-12, "dW of the decoder's logits, entry %zu");
    CHECK_NEAR(2.0 * encoder_once, vae.encoder_log_variance.db[0], 1e-12);
    CHECK(encoder_once != 0.0);
    iwae_free(&iwae);
    vae_free(&vae);
}

/* Every pixel confidently wrong: log p(x | z) ~ -2400, every w underflows to 0. The
 * gradient must stay finite and keep flowing (the weights come from log w). */
static void test_gradient_when_weights_underflow(void)
{
    Vae vae = small_vae(40);
    Iwae iwae = small_iwae(&vae, K, B);
    for (size_t j = 0; j < P; j++)
        vae.decoder_mu.b[j] = -400.0;
    double X[B * P], eps[MAX_ROWS * D];
    for (size_t i = 0; i < B * P; i++)
        X[i] = 1.0;
    normal_batch(eps, B * K * D, 41);
    parameters_zero_grad(&vae.parameters);
    double loss = iwae_forward(&vae, &iwae, X, eps, B);
    iwae_backward(&vae, &iwae, X, eps, B);
    check_note("-bound = %g", loss);
    CHECK(isfinite(loss) && loss > 2000.0);
    for (size_t t = 0; t < vae.parameters.count; t++)
        CHECK(vector_all_finite(vae.parameters.items[t].grad, vae.parameters.items[t].size));
    CHECK(vector_max_abs(vae.decoder_mu.db, P) > 0.5); /* d/ds (x s - softplus(s)) = 1 - sigmoid(s) ~ 1 */
    iwae_free(&iwae);
    vae_free(&vae);
}

/* With plain SGD, two steps each move every parameter by -eta times the gradient at the
 * eps the step drew (read back from vae->eps, so any order of drawing it is fine), and
 * the two steps draw different eps. */
static void test_train_step_is_gradient_descent(void)
{
    Vae vae = small_vae(50), copy = small_vae(50);
    Iwae iwae = small_iwae(&vae, K, B), copy_iwae = small_iwae(&copy, K, B);
    double X[B * P], eps[MAX_ROWS * D], first_eps[MAX_ROWS * D];
    uniform_batch(X, B * P, 51);
    const double eta = 0.05;
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 52);
    CHECK(optimizer_init_sgd(&sgd, &vae.parameters, eta, 0.0, &err));
    for (int step = 0; step < 2; step++) {
        fill_nan(vae.eps, MAX_ROWS * D);
        double loss = iwae_train_step(&vae, &iwae, &sgd, X, B, &rng);
        CHECK(vector_all_finite(vae.eps, B * K * D));
        memcpy(eps, vae.eps, sizeof eps);
        if (step == 0)
            memcpy(first_eps, eps, sizeof eps);
        else
            CHECK(vector_squared_distance(first_eps, eps, B * K * D) > 1e-3);
        parameters_zero_grad(&copy.parameters);
        double expected = iwae_forward(&copy, &copy_iwae, X, eps, B);
        iwae_backward(&copy, &copy_iwae, X, eps, B);
        CHECK_RELATIVE(expected, loss, 1e-12);
        check_sgd_step(&copy.parameters, &vae.parameters, eta); /* the copy follows for the next step */
    }
    optimizer_free(&sgd);
    iwae_free(&iwae);
    iwae_free(&copy_iwae);
    vae_free(&vae);
    vae_free(&copy);
}

/* On 1,000 training digits, 3 epochs of Adam on the k = 3 bound bring the k = 3 bound of 500
 * test digits from about -596 (untrained) to above -190 nats (-181.7 here; Bernoulli, d = 8,
 * hidden 64). k = 3 rather than 5 keeps the test under a second. */
static void test_learns_mnist(void)
{
    enum { EPOCHS = 3, BATCH = 32, KK = 3 };
    Error err;
    Dataset train, test;
    if (!load_shipped_digits(&train, 1000, &test, 500))
        return;
    Rng rng;
    rng_seed(&rng, 1);
    Vae vae;
    Iwae iwae;
    Optimizer adam;
    VaeShape shape = { train.dim, 64, 8, ACTIVATION_RELU, VAE_DECODER_BERNOULLI, 0.0 };
    CHECK(vae_init(&vae, shape, BATCH * KK, &rng, &err) && iwae_init(&iwae, &vae, KK, BATCH, &err));
    CHECK(optimizer_init_adam(&adam, &vae.parameters, 3e-3, &err));
    IwaeTrainer trainer = { &vae, &iwae, &adam, &rng };
    EpochOptions training = { BATCH, &rng, NULL }, evaluation = { BATCH, NULL, NULL };
    double before, after = NAN, train_loss;
    CHECK(run_epoch(&before, &test, iwae_evaluate_batch, &trainer, &evaluation, &err));
    for (int epoch = 0; epoch < EPOCHS; epoch++)
        CHECK(run_epoch(&train_loss, &train, iwae_train_batch, &trainer, &training, &err));
    CHECK(run_epoch(&after, &test, iwae_evaluate_batch, &trainer, &evaluation, &err));
    check_note("test -bound (k = 3): %.2f before training, %.2f after %d epochs", before, after, EPOCHS);
    CHECK_BELOW(after, 190.0);
    optimizer_free(&adam);
    iwae_free(&iwae);
    vae_free(&vae);
    dataset_free(&train);
    dataset_free(&test);
}

/* ---- not graded: the buffers' preconditions ------------------------------------------------------ */

static void test_init_refuses(void)
{
    Vae vae = small_vae(60), gaussian;
    Iwae iwae;
    Error err;
    CHECK(!iwae_init(&iwae, &vae, 0, 2, &err));
    CHECK_CONTAINS(err.message, "k >= 1");
    CHECK(!iwae_init(&iwae, &vae, 8, 2, &err)); /* 16 rows > 15 */
    CHECK_CONTAINS(err.message, "16 rows");
    Rng rng;
    rng_seed(&rng, 61);
    VaeShape shape = { P, H, D, ACTIVATION_TANH, VAE_DECODER_GAUSSIAN, 0.0 };
    CHECK(vae_init(&gaussian, shape, MAX_ROWS, &rng, &err));
    CHECK(!iwae_init(&iwae, &gaussian, 1, 1, &err));
    CHECK_CONTAINS(err.message, "Bernoulli");
    vae_free(&gaussian);
    vae_free(&vae);
}

static const TestCase tests[] = {
    { "w~ and the bound by hand: log w = (0, log 3, -inf) and equal weights", "6.15", test_weights_by_hand },
    { "w~ and the bound at log w ~ -2000 and -500, where exp() underflows", "6.15", test_weights_at_minus_2000 },
    { "w~ sums to 1 per digit, in the ratios exp(log w_s - log w_t); k = 1", "6.15", test_weights_are_normalised },
    { "k = 1: the bound of a batch from the definitions", "6.16 needs 6.1 6.2 6.5 6.15", test_forward_k1 },
    { "k = 5: log w, the bound and w~ of a batch from the definitions", "6.16 needs 6.1 6.2 6.5 6.15", test_forward_k5 },
    { "the mean k = 5 bound is above the mean k = 1 bound", "6.16 needs 6.1 6.2 6.5 6.15", test_bound_rises_with_k },
    { "gradient check of all 10 tensors at k = 5, eps fixed", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_gradient_k5 },
    { "gradient check of all 10 tensors at k = 1, eps fixed", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_gradient_k1 },
    { "backward accumulates into the gradients", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_backward_accumulates },
    { "every w underflows (log w ~ -2400): the gradient stays finite", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_gradient_when_weights_underflow },
    { "two SGD steps are theta - eta grad at the drawn eps, fresh each step", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_train_step_is_gradient_descent },
    { "learns MNIST: test k = 3 bound above -190 in 3 epochs on 1,000 digits", "6.17 needs 6.1 6.2 6.5 6.15 6.16", test_learns_mnist },
    { "iwae_init refuses k = 0, too small a VAE, a Gaussian decoder", NULL, test_init_refuses },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("06-vae iwae", tests, argc, argv);
}
