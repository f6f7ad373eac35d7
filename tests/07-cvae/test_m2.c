/* tests/07-cvae/test_m2.c — chapter 7: the semi-supervised M2 model's losses and gradients.
 *
 * Each loss is compared with values worked out by hand and with a reference written here
 * from the definitions (softmax as exp(a_c) / sum exp(a), the entropy as -sum q log q, the
 * unlabelled loss through KL(q(y | x) || uniform)); every backward pass, on its own, with
 * centred differences (lib/gradcheck.h) of that reference. Uses lib/ and chapter 7 only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "harness.h"
#include "m2.h"
#include "matrix.h"
#include "optimizer.h"

enum { C = 4, B_L = 2, B_U = 3, MAX_ROWS = 8 }; /* C classes; the labelled and unlabelled batches */

/* ---- references, from the definitions ---------------------------------------------------------- */

/* q_c = exp(a_c) / sum_c' exp(a_c'), unshifted: the test's logits are moderate. */
static void reference_softmax(double *q, const double *a, size_t classes)
{
    double sum = 0.0;
    for (size_t c = 0; c < classes; c++)
        sum += exp(a[c]);
    for (size_t c = 0; c < classes; c++)
        q[c] = exp(a[c]) / sum;
}

static double reference_entropy(const double *a, size_t classes)
{
    double q[MAX_ROWS], h = 0.0;
    reference_softmax(q, a, classes);
    for (size_t c = 0; c < classes; c++)
        h -= q[c] * log(q[c]);
    return h;
}

/* U(x) + log C = sum_c q_c L_c + KL(q(y | x) || p(y)), p(y) = 1/C: the slide's KL penalty on
 * y (Wu L6), written as KL = sum_c q_c log(q_c / (1/C)). README section "U and the KL". */
static double reference_unlabelled(const double *nelbo, const double *a, size_t classes)
{
    double q[MAX_ROWS], expected = 0.0, kl = 0.0;
    reference_softmax(q, a, classes);
    for (size_t c = 0; c < classes; c++) {
        expected += q[c] * nelbo[c];
        kl += q[c] * log(q[c] * (double)classes);
    }
    return expected + kl - log((double)classes);
}

static double reference_cross_entropy(const double *a, unsigned char label, size_t classes)
{
    double q[MAX_ROWS];
    reference_softmax(q, a, classes);
    return -log(q[label]);
}

static void normal_array(double *x, size_t n, unsigned seed, double std)
{
    Rng rng;
    rng_seed(&rng, seed);
    rng_fill_normal(&rng, x, n, 0.0, std);
}

/* ELBOs of a few hundred nats, as a digit's are, differing by some nats between classes */
static void nelbo_array(double *x, size_t n, unsigned seed)
{
    normal_array(x, n, seed, 5.0);
    for (size_t i = 0; i < n; i++)
        x[i] += 150.0;
}

/* The arrays of a check: rows of logits and ELBOs, labels, and the weights of J. */
typedef struct Arrays {
    double *nelbo, *logits;      /* (rows, C) unlabelled, or (rows) and (rows, C) labelled */
    const unsigned char *labels; /* (rows) or NULL */
    double *labelled_nelbo, *labelled_logits;
    size_t rows, labelled_rows;
    double scale, alpha, beta;
} Arrays;

static double scaled_entropy(void *context)
{
    Arrays *x = context;
    double sum = 0.0;
    for (size_t i = 0; i < x->rows; i++)
        sum += reference_entropy(x->logits + i * C, C);
    return x->scale * sum;
}

static double scaled_unlabelled(void *context)
{
    Arrays *x = context;
    double sum = 0.0;
    for (size_t i = 0; i < x->rows; i++)
        sum += reference_unlabelled(x->nelbo + i * C, x->logits + i * C, C);
    return x->scale * sum;
}

static double scaled_cross_entropy(void *context)
{
    Arrays *x = context;
    double sum = 0.0;
    for (size_t i = 0; i < x->rows; i++)
        sum += reference_cross_entropy(x->logits + i * C, x->labels[i], C);
    return x->scale * sum;
}

static double scaled_labelled(void *context)
{
    Arrays *x = context;
    double sum = 0.0;
    for (size_t i = 0; i < x->rows; i++)
        sum += x->nelbo[i] + x->alpha * reference_cross_entropy(x->logits + i * C, x->labels[i], C);
    return x->scale * sum;
}

/* J = (1/B_l) sum_l [L + alpha CE] + beta (1/B_u) sum_u U, from the definitions */
static double reference_objective(void *context)
{
    Arrays *x = context;
    double labelled = 0.0, unlabelled = 0.0;
    for (size_t i = 0; i < x->labelled_rows; i++)
        labelled += x->labelled_nelbo[i] + x->alpha * reference_cross_entropy(x->labelled_logits + i * C, x->labels[i], C);
    for (size_t i = 0; i < x->rows; i++)
        unlabelled += reference_unlabelled(x->nelbo + i * C, x->logits + i * C, C);
    return labelled / (double)x->labelled_rows + x->beta * unlabelled / (double)x->rows;
}

/* ---- 7.6 the entropy ---------------------------------------------------------------------------- */

/* By hand: equal logits give the uniform q, H = log C; q = (1/4, 3/4) from a = (0, log 3)
 * gives H = -(1/4) log(1/4) - (3/4) log(3/4); a near one-hot q gives 0 (either sign), not NaN. */
static void test_entropy_by_hand(void)
{
    double logits[3 * C] = { 0.5, 0.5, 0.5, 0.5,
                             0.0, log(3.0), -800.0, -800.0,
                             900.0, 0.0, 0.0, -900.0 };
    double entropy[3];
    fill_nan(entropy, 3);
    m2_entropy(entropy, logits, 3, C);
    CHECK_NEAR(log(4.0), entropy[0], 1e-14);
    CHECK_NEAR(-0.25 * log(0.25) - 0.75 * log(0.75), entropy[1], 1e-14); /* 0.5623: positive */
    CHECK_NEAR(0.0, entropy[2], 1e-300);
}

/* dH/da by centred differences of -sum q log q, with scale 0.7, accumulated. */
static void test_entropy_gradient(void)
{
    enum { ROWS = 3, N = ROWS * C };
    double logits[N], grad[N] = { 0 };
    normal_array(logits, N, 1, 1.5);
    for (int twice = 0; twice < 2; twice++)
        m2_entropy_backward(grad, logits, 0.7, ROWS, C);
    halve(grad, N);
    Arrays x = { .logits = logits, .rows = ROWS, .scale = 0.7 };
    check_array_gradient("a", logits, grad, N, scaled_entropy, &x);
}

/* At the uniform q the entropy is at its maximum: every dH/da_k is 0 (by hand: -1/C
 * (log 1/C + log C) = 0), and at a = (0, log 3) dH/da_2 = -(3/4)(log(3/4) + H) < 0. */
static void test_entropy_gradient_by_hand(void)
{
    double logits[2 * C] = { 0.5, 0.5, 0.5, 0.5, 0.0, log(3.0), -800.0, -800.0 }, grad[2 * C] = { 0 };
    m2_entropy_backward(grad, logits, 1.0, 2, C);
    double h = -0.25 * log(0.25) - 0.75 * log(0.75);
    for (size_t k = 0; k < C; k++)
        CHECK_NEAR(0.0, grad[k], 1e-15);
    CHECK_NEAR(-0.25 * (log(0.25) + h), grad[C], 1e-14);
    CHECK_NEAR(-0.75 * (log(0.75) + h), grad[C + 1], 1e-14);
    CHECK_NEAR(0.0, grad[C + 2], 1e-300);
}

/* ---- 7.7 the expanded unlabelled loss ---------------------------------------------------------------- */

/* q = (0.1, 0.2, 0.7, 0) from a = log q, L = (10, 20, 30, 1000): the expectation expanded is
 * 1 + 4 + 21 = 26 (the 0-weighted class adds nothing), and U = 26 - H(0.1, 0.2, 0.7).
 * A sampled or argmax class would give 10, 20 or 30; a uniform weight 265. */
static void test_unlabelled_by_hand(void)
{
    double logits[C] = { log(0.1), log(0.2), log(0.7), -1000.0 }, nelbo[C] = { 10.0, 20.0, 30.0, 1000.0 };
    double U[1];
    fill_nan(U, 1);
    double h = -(0.1 * log(0.1) + 0.2 * log(0.2) + 0.7 * log(0.7));
    double mean = m2_unlabelled_loss(U, nelbo, logits, 1, C);
    CHECK_NEAR(26.0 - h, U[0], 1e-12);
    CHECK_NEAR(26.0 - h, mean, 1e-12);
}

/* U + log C = sum_c q_c L_c + KL(q(y | x) || uniform) on random rows (README: the slide's
 * KL penalty on y and -H agree up to log C); the mean over the batch is returned. */
static void test_unlabelled_is_the_kl_form(void)
{
    enum { ROWS = 5, N = ROWS * C };
    double logits[N], nelbo[N], U[ROWS];
    normal_array(logits, N, 2, 2.0);
    nelbo_array(nelbo, N, 3);
    fill_nan(U, ROWS);
    double mean = m2_unlabelled_loss(U, nelbo, logits, ROWS, C), sum = 0.0;
    for (size_t i = 0; i < ROWS; i++) {
        double expected = reference_unlabelled(nelbo + i * C, logits + i * C, C);
        CHECK_NEAR(expected, U[i], 1e-10);
        sum += expected;
    }
    CHECK_NEAR(sum / ROWS, mean, 1e-10);
    CHECK_NEAR(mean, m2_unlabelled_loss(NULL, nelbo, logits, ROWS, C), 0.0); /* U may be NULL */
}

/* dU/dL and dU/da by centred differences of the KL form, with scale 0.3, accumulated. */
static void test_unlabelled_gradients(void)
{
    enum { ROWS = 3, N = ROWS * C };
    double logits[N], nelbo[N], grad_nelbo[N] = { 0 }, grad_logits[N] = { 0 };
    normal_array(logits, N, 4, 1.5);
    nelbo_array(nelbo, N, 5);
    for (int twice = 0; twice < 2; twice++)
        m2_unlabelled_backward(grad_nelbo, grad_logits, nelbo, logits, 0.3, ROWS, C);
    halve(grad_nelbo, N);
    halve(grad_logits, N);
    Arrays x = { .nelbo = nelbo, .logits = logits, .rows = ROWS, .scale = 0.3 };
    check_array_gradient("L", nelbo, grad_nelbo, N, scaled_unlabelled, &x);
    check_array_gradient("a", logits, grad_logits, N, scaled_unlabelled, &x);
}

/* The weights of the ELBOs are q(c | x) times scale: each row sums to scale. Equal weights
 * 1/C, or a one-hot argmax, fail here. */
static void test_unlabelled_weights_are_q(void)
{
    double logits[C] = { log(0.1), log(0.2), log(0.7), -1000.0 }, nelbo[C] = { 10.0, 20.0, 30.0, 1000.0 };
    double grad_nelbo[C] = { 0 }, grad_logits[C] = { 0 };
    m2_unlabelled_backward(grad_nelbo, grad_logits, nelbo, logits, 2.0, 1, C);
    double expected[C] = { 0.2, 0.4, 1.4, 0.0 };
    CHECK_ARRAY_NEAR(expected, grad_nelbo, C, 1e-14, "2 q(c | x), the weight of ELBO c");
}

/* At the uniform q the entropy's gradient is 0 (test_entropy_gradient_by_hand), so dU/da_k
 * is all "through q": q_k (L_k - mean L) = (1/4)(L_k - 25) for L = (10, 20, 30, 40): the
 * class whose decoder explains x best (lowest L) is pushed up. A gradient that forgets the
 * path through q gives 0 here. */
static void test_unlabelled_gradient_through_q(void)
{
    double logits[C] = { 0.0, 0.0, 0.0, 0.0 }, nelbo[C] = { 10.0, 20.0, 30.0, 40.0 };
    double grad_nelbo[C] = { 0 }, grad_logits[C] = { 0 };
    m2_unlabelled_backward(grad_nelbo, grad_logits, nelbo, logits, 1.0, 1, C);
    double expected[C] = { -3.75, -1.25, 1.25, 3.75 };
    CHECK_ARRAY_NEAR(expected, grad_logits, C, 1e-13, "dU/da_k = q_k (L_k - sum q L)");
}

/* With every L_c equal the path through q adds nothing, and only -H is left: dU/da = +q_k
 * (log q_k + H). At a = (0, log 3, -800, -800), q = (1/4, 3/4, 0, 0). A sign error on the
 * entropy flips both. */
static void test_unlabelled_gradient_through_the_entropy(void)
{
    double logits[C] = { 0.0, log(3.0), -800.0, -800.0 }, nelbo[C] = { 100.0, 100.0, 100.0, 100.0 };
    double grad_nelbo[C] = { 0 }, grad_logits[C] = { 0 };
    m2_unlabelled_backward(grad_nelbo, grad_logits, nelbo, logits, 1.0, 1, C);
    double h = -0.25 * log(0.25) - 0.75 * log(0.75);
    double expected[C] = { 0.25 * (log(0.25) + h), 0.75 * (log(0.75) + h), 0.0, 0.0 };
    CHECK_ARRAY_NEAR(expected, grad_logits, C, 1e-13, "dU/da_k = q_k (log q_k + H) when every L is equal");
}

/* ---- 7.8 the labelled loss ------------------------------------------------------------------------- */

/* By hand: a = (0, log 3, ..) and y = 1 give CE = -log(3/4); a = (1000, 0, 0, 0) and y = 1
 * give CE = 1000 (exactly; a softmax that rounds q_1 to 0 gives inf). */
static void test_cross_entropy_by_hand(void)
{
    double logits[2 * C] = { 0.0, log(3.0), -800.0, -800.0, 1000.0, 0.0, 0.0, 0.0 };
    unsigned char labels[2] = { 1, 1 };
    double ce[2];
    fill_nan(ce, 2);
    double mean = m2_cross_entropy(ce, logits, labels, 2, C);
    CHECK_NEAR(-log(0.75), ce[0], 1e-14);
    CHECK_NEAR(1000.0, ce[1], 1e-12);
    CHECK_NEAR(0.5 * (1000.0 - log(0.75)), mean, 1e-12);
}

static void test_cross_entropy_gradient(void)
{
    enum { ROWS = 3, N = ROWS * C };
    double logits[N], grad[N] = { 0 };
    unsigned char labels[ROWS] = { 2, 0, 3 };
    normal_array(logits, N, 6, 1.5);
    for (int twice = 0; twice < 2; twice++)
        m2_cross_entropy_backward(grad, logits, labels, 0.4, ROWS, C);
    halve(grad, N);
    Arrays x = { .logits = logits, .labels = labels, .rows = ROWS, .scale = 0.4 };
    check_array_gradient("a", logits, grad, N, scaled_cross_entropy, &x);
}

/* (1/B) sum_i [L_i + alpha CE_i] by hand: L = (100, 200), CE = (-log 3/4, -log 1/4), alpha = 2. */
static void test_labelled_loss_by_hand(void)
{
    double logits[2 * C] = { 0.0, log(3.0), -800.0, -800.0, 0.0, log(3.0), -800.0, -800.0 }, nelbo[2] = { 100.0, 200.0 };
    unsigned char labels[2] = { 1, 0 };
    double expected = 0.5 * (100.0 - 2.0 * log(0.75) + 200.0 - 2.0 * log(0.25));
    CHECK_NEAR(expected, m2_labelled_loss(nelbo, logits, labels, 2.0, 2, C), 1e-12);
    CHECK_NEAR(150.0, m2_labelled_loss(nelbo, logits, labels, 0.0, 2, C), 1e-12); /* alpha = 0: the ELBO alone */
}

static void test_labelled_gradients(void)
{
    enum { ROWS = 3, N = ROWS * C };
    double logits[N], nelbo[ROWS], grad_logits[N] = { 0 }, grad_nelbo[ROWS] = { 0 };
    unsigned char labels[ROWS] = { 1, 3, 0 };
    normal_array(logits, N, 7, 1.5);
    nelbo_array(nelbo, ROWS, 8);
    for (int twice = 0; twice < 2; twice++)
        m2_labelled_backward(grad_nelbo, grad_logits, logits, labels, 1.7, 0.25, ROWS, C);
    halve(grad_nelbo, ROWS);
    halve(grad_logits, N);
    Arrays x = { .nelbo = nelbo, .logits = logits, .labels = labels, .rows = ROWS, .scale = 0.25, .alpha = 1.7 };
    check_array_gradient("L", nelbo, grad_nelbo, ROWS, scaled_labelled, &x);
    check_array_gradient("a", logits, grad_logits, N, scaled_labelled, &x);
}

/* ---- 7.9 the combined objective ---------------------------------------------------------------------- */

typedef struct Fixture {
    double labelled_nelbo[B_L], labelled_logits[B_L * C];
    unsigned char labels[B_L];
    double unlabelled_nelbo[B_U * C], unlabelled_logits[B_U * C];
} Fixture;

static void fixture_fill(Fixture *f)
{
    nelbo_array(f->labelled_nelbo, B_L, 9);
    normal_array(f->labelled_logits, B_L * C, 10, 1.5);
    f->labels[0] = 3;
    f->labels[1] = 1;
    nelbo_array(f->unlabelled_nelbo, B_U * C, 11);
    normal_array(f->unlabelled_logits, B_U * C, 12, 1.5);
}

static M2Batch fixture_batch(const Fixture *f)
{
    return (M2Batch){ f->labelled_nelbo, f->labelled_logits, f->labels, f->unlabelled_nelbo, f->unlabelled_logits,
                      B_L, B_U, C };
}

static Arrays fixture_arrays(Fixture *f, double alpha, double beta)
{
    return (Arrays){ .nelbo = f->unlabelled_nelbo, .logits = f->unlabelled_logits, .labels = f->labels,
                     .labelled_nelbo = f->labelled_nelbo, .labelled_logits = f->labelled_logits, .rows = B_U,
                     .labelled_rows = B_L, .alpha = alpha, .beta = beta };
}

/* J and its three terms against the definitions, with B_l = 2 and B_u = 3, alpha = 0.5, beta = 3
 * (so 1/B_l and 1/B_u, alpha and beta, cannot be swapped unnoticed). */
static void test_objective(void)
{
    Fixture f;
    fixture_fill(&f);
    M2Batch batch = fixture_batch(&f);
    Arrays x = fixture_arrays(&f, 0.5, 3.0);
    M2Loss loss = { NAN, NAN, NAN };
    double J = m2_objective(&loss, &batch, 0.5, 3.0);
    CHECK_NEAR(reference_objective(&x), J, 1e-10);
    double ce = 0.0, unlabelled = 0.0;
    for (size_t i = 0; i < B_L; i++)
        ce += reference_cross_entropy(f.labelled_logits + i * C, f.labels[i], C) / B_L;
    for (size_t i = 0; i < B_U; i++)
        unlabelled += reference_unlabelled(f.unlabelled_nelbo + i * C, f.unlabelled_logits + i * C, C) / B_U;
    CHECK_NEAR(ce, loss.cross_entropy, 1e-12);
    CHECK_NEAR(unlabelled, loss.unlabelled, 1e-10);
    CHECK_NEAR(J - 3.0 * unlabelled, loss.labelled, 1e-10);
    CHECK_NEAR(J, m2_objective(NULL, &batch, 0.5, 3.0), 0.0); /* loss may be NULL */
}

/* beta = 0 leaves the labelled part alone: beta weights the unlabelled part only. */
static void test_objective_beta_weights_the_unlabelled_part(void)
{
    Fixture f;
    fixture_fill(&f);
    M2Batch batch = fixture_batch(&f);
    Arrays x = fixture_arrays(&f, 0.5, 0.0);
    CHECK_NEAR(reference_objective(&x), m2_objective(NULL, &batch, 0.5, 0.0), 1e-10);
}

/* dJ/d(each of the four arrays) by centred differences of J from the definitions. */
static void test_objective_gradients(void)
{
    Fixture f;
    fixture_fill(&f);
    M2Batch batch = fixture_batch(&f);
    double g_labelled_nelbo[B_L] = { 0 }, g_labelled_logits[B_L * C] = { 0 };
    double g_unlabelled_nelbo[B_U * C] = { 0 }, g_unlabelled_logits[B_U * C] = { 0 };
    M2Gradients grad = { g_labelled_nelbo, g_labelled_logits, g_unlabelled_nelbo, g_unlabelled_logits };
    for (int twice = 0; twice < 2; twice++)
        m2_objective_backward(&grad, &batch, 0.5, 3.0);
    halve(g_labelled_nelbo, B_L);
    halve(g_labelled_logits, B_L * C);
    halve(g_unlabelled_nelbo, B_U * C);
    halve(g_unlabelled_logits, B_U * C);
    Arrays x = fixture_arrays(&f, 0.5, 3.0);
    check_array_gradient("L labelled", f.labelled_nelbo, g_labelled_nelbo, B_L, reference_objective, &x);
    check_array_gradient("a labelled", f.labelled_logits, g_labelled_logits, B_L * C, reference_objective, &x);
    check_array_gradient("L unlabelled", f.unlabelled_nelbo, g_unlabelled_nelbo, B_U * C, reference_objective, &x);
    check_array_gradient("a unlabelled", f.unlabelled_logits, g_unlabelled_logits, B_U * C, reference_objective, &x);
}

/* ---- 7.10 the training step ------------------------------------------------------------------------- */

enum { PX = 5, HIDDEN = 4, DZ = 2, STEP_ROWS = B_L + C * B_U };

/* A small M2: p = 5, 4 classes, tanh, hidden 4, d = 2, classifier hidden 3, non-zero biases. */
static M2 small_m2(unsigned seed, double alpha, double beta)
{
    M2 m2;
    Rng rng;
    Error err;
    rng_seed(&rng, seed);
    CvaeShape shape = { PX, C, HIDDEN, DZ, ACTIVATION_TANH };
    if (!m2_init(&m2, shape, 3, alpha, beta, B_L, B_U, &rng, &err))
        abort();
    for (size_t k = 0; k < m2.parameters.count; k++)
        if (strstr(m2.parameters.items[k].name, ".b"))
            rng_fill_normal(&rng, m2.parameters.items[k].value, m2.parameters.items[k].size, 0.0, 0.3);
    return m2;
}

/* B_l = 2 labelled digits (labels 3, 1), then B_u = 3 unlabelled: digit k is all k + 1. */
static void step_digits(double *X, unsigned char *labels)
{
    for (size_t k = 0; k < B_L + B_U; k++)
        for (size_t j = 0; j < PX; j++)
            X[k * PX + j] = 0.1 * (double)(k + 1) + 0.01 * (double)j;
    labels[0] = 3;
    labels[1] = 1;
}

/* By hand: rows 0, 1 are the labelled digits with one-hot 3 and 1; row 2 + u C + c is
 * unlabelled digit u (digit 2 + u of X) with one-hot c, for every c. */
static void test_expand_by_hand(void)
{
    double X[(B_L + B_U) * PX], X_rows[STEP_ROWS * PX], Y_rows[STEP_ROWS * C];
    unsigned char labels[B_L];
    step_digits(X, labels);
    fill_nan(X_rows, STEP_ROWS * PX);
    fill_nan(Y_rows, STEP_ROWS * C);
    m2_expand(X_rows, Y_rows, X, labels, B_L, B_U, PX, C);
    for (size_t r = 0; r < STEP_ROWS; r++) {
        size_t digit = r < B_L ? r : B_L + (r - B_L) / C, label = r < B_L ? labels[r] : (r - B_L) % C;
        CHECK_ARRAY_NEAR(X + digit * PX, X_rows + r * PX, PX, 0.0, "the row's digit");
        double one_hot[C] = { 0 };
        one_hot[label] = 1.0;
        if (!CHECK_ARRAY_NEAR(one_hot, Y_rows + r * C, C, 0.0, "the row's one-hot label"))
            check_note("row %zu: digit %zu, label %zu", r, digit, label);
    }
}

/* J of the step's digits at the model's current parameters, with the rows' noise eps
 * (STEP_ROWS, DZ) given, from the definitions: the classifier's logits and the CVAE's ELBOs
 * (chapter 7's cvae_forward, exercises 7.1-7.3), the expansion and J written here. */
typedef struct StepContext {
    M2 *m2;
    const double *X, *eps;
    const unsigned char *labels;
} StepContext;

static double reference_step_objective(void *context)
{
    StepContext *t = context;
    double X_rows[STEP_ROWS * PX], Y_rows[STEP_ROWS * C] = { 0 }, nelbo[STEP_ROWS], logits[(B_L + B_U) * C];
    for (size_t r = 0; r < STEP_ROWS; r++) {
        size_t digit = r < B_L ? r : B_L + (r - B_L) / C;
        memcpy(X_rows + r * PX, t->X + digit * PX, sizeof(double) * PX);
        Y_rows[r * C + (r < B_L ? t->labels[r] : (r - B_L) % C)] = 1.0;
    }
    memcpy(logits, classifier_forward(&t->m2->classifier, t->X, B_L + B_U), sizeof logits);
    cvae_forward(&t->m2->cvae, nelbo, X_rows, Y_rows, t->eps, STEP_ROWS);
    Arrays x = { .nelbo = nelbo + B_L, .logits = logits + B_L * C, .labels = t->labels, .labelled_nelbo = nelbo,
                 .labelled_logits = logits, .rows = B_U, .labelled_rows = B_L, .alpha = t->m2->alpha,
                 .beta = t->m2->beta };
    return reference_objective(&x);
}

/* Two SGD steps: each returns J at the parameters before it (from the definitions, at the
 * eps it drew into m2->eps), and moves every parameter by -eta dJ/dtheta, the gradient
 * checked by centred differences of that J: every path, the classifier's through q and
 * through the CE, the CVAE's through every row's ELBO, is in it. */
static void test_step_is_gradient_descent_on_J(void)
{
    const double eta = 0.01;
    M2 m2 = small_m2(20, 0.5, 3.0), copy = small_m2(20, 0.5, 3.0);
    double X[(B_L + B_U) * PX], eps[STEP_ROWS * DZ];
    unsigned char labels[B_L];
    step_digits(X, labels);
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 21);
    CHECK(optimizer_init_sgd(&sgd, &m2.parameters, eta, 0.0, &err));
    for (int step = 0; step < 2; step++) {
        fill_nan(m2.eps, STEP_ROWS * DZ);
        M2Loss loss = { NAN, NAN, NAN };
        double J = m2_train_step(&m2, &sgd, &loss, X, labels, B_L, B_U, &rng);
        if (!CHECK(vector_all_finite(m2.eps, STEP_ROWS * DZ)))
            break;
        memcpy(eps, m2.eps, sizeof eps);
        StepContext context = { &copy, X, eps, labels };
        CHECK_RELATIVE(reference_step_objective(&context), J, 1e-12);
        CHECK_RELATIVE(J, loss.labelled + 3.0 * loss.unlabelled, 1e-12);
        for (size_t k = 0; k < copy.parameters.count; k++) {
            Parameter *before = &copy.parameters.items[k];
            const Parameter *after = &m2.parameters.items[k];
            for (size_t i = 0; i < before->size; i++)
                before->grad[i] = (before->value[i] - after->value[i]) / eta; /* the step's gradient */
            GradCheckResult r = gradient_check(before, reference_step_objective, &context, 0);
            if (!CHECK_BELOW(r.max_relative_error, 1e-6))
                check_note("step %d, %s[%zu]: the step moved it by -eta %.9g, dJ/dtheta is %.9g", step + 1,
                           before->name, r.worst_index, r.analytic, r.numeric);
        }
        for (size_t k = 0; k < copy.parameters.count; k++) /* the copy follows, for the next step */
            memcpy(copy.parameters.items[k].value, m2.parameters.items[k].value,
                   copy.parameters.items[k].size * sizeof(double));
    }
    optimizer_free(&sgd);
    m2_free(&m2);
    m2_free(&copy);
}

/* The step draws fresh noise for every row: two steps do not reuse the same eps. */
static void test_step_draws_fresh_noise(void)
{
    M2 m2 = small_m2(22, 0.5, 1.0);
    double X[(B_L + B_U) * PX], first[STEP_ROWS * DZ];
    unsigned char labels[B_L];
    step_digits(X, labels);
    Optimizer sgd;
    Error err;
    Rng rng;
    rng_seed(&rng, 23);
    CHECK(optimizer_init_sgd(&sgd, &m2.parameters, 0.01, 0.0, &err));
    m2_train_step(&m2, &sgd, NULL, X, labels, B_L, B_U, &rng);
    memcpy(first, m2.eps, sizeof first);
    m2_train_step(&m2, &sgd, NULL, X, labels, B_L, B_U, &rng);
    CHECK(vector_all_finite(first, STEP_ROWS * DZ));
    CHECK(vector_squared_distance(first, m2.eps, STEP_ROWS * DZ) > 1e-3);
    optimizer_free(&sgd);
    m2_free(&m2);
}

/* alpha < 0, beta < 0 or NaN, no room for a batch: refused with a message naming it. */
static void test_m2_init_refuses(void)
{
    CvaeShape shape = { PX, C, HIDDEN, DZ, ACTIVATION_TANH };
    struct { double alpha, beta; size_t labelled, unlabelled; const char *expected; } cases[] = {
        { -1.0, 1.0, 2, 2, "alpha" }, { 1.0, -0.5, 2, 2, "beta" }, { NAN, 1.0, 2, 2, "alpha" },
        { 1.0, 1.0, 0, 2, "labelled" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        M2 m2;
        Rng rng;
        Error err = { 0 };
        rng_seed(&rng, 1);
        CHECK(!m2_init(&m2, shape, 3, cases[k].alpha, cases[k].beta, cases[k].labelled, cases[k].unlabelled, &rng, &err));
        CHECK_CONTAINS(err.message, cases[k].expected);
        m2_free(&m2); /* safe after a refusal */
    }
}

/* ---- the baseline classifier ----------------------------------------------------------------------- */

/* Two Adam steps of classifier_train_step are two steps on the mean CE of the batch: the
 * loss it returns is the CE before each step (from the definitions), and the loss falls. */
static void test_classifier_step(void)
{
    enum { P = 5, H = 6, ROWS = 4 };
    Classifier classifier;
    Optimizer optimizer;
    Rng rng;
    Error err;
    rng_seed(&rng, 13);
    if (!CHECK(classifier_init(&classifier, P, H, C, ACTIVATION_TANH, ROWS, &rng, &err))
        || !CHECK(optimizer_init_adam(&optimizer, &classifier.parameters, 0.05, &err)))
        return;
    double X[ROWS * P];
    unsigned char labels[ROWS] = { 0, 1, 2, 3 };
    normal_array(X, ROWS * P, 14, 1.0);
    double previous = INFINITY;
    for (int step = 0; step < 2; step++) {
        const double *logits = classifier_forward(&classifier, X, ROWS);
        double expected = 0.0;
        for (size_t i = 0; i < ROWS; i++)
            expected += reference_cross_entropy(logits + i * C, labels[i], C) / ROWS;
        double got = classifier_train_step(&classifier, &optimizer, X, labels, ROWS);
        CHECK_NEAR(expected, got, 1e-12);
        CHECK(got < previous);
        previous = got;
    }
    optimizer_free(&optimizer);
    classifier_free(&classifier);
}

/* argmax of each row, the first on a tie */
static void test_classifier_predict(void)
{
    double logits[2 * C] = { 0.1, 0.7, -3.0, 0.7, -1.0, -2.0, -0.5, -0.6 };
    unsigned char predicted[2];
    classifier_predict(predicted, logits, 2, C);
    CHECK_LONG(1, predicted[0]);
    CHECK_LONG(2, predicted[1]);
}

/* ---- the labelled subset ----------------------------------------------------------------------------- */

enum { SUBSET_N = 40 };

/* labels n mod C, except that class 3 has only 4 digits (the rest become class 0) */
static void subset_labels(unsigned char *labels)
{
    for (size_t n = 0; n < SUBSET_N; n++)
        labels[n] = (unsigned char)(n % C == 3 && n >= 16 ? 0 : n % C);
}

static bool draw_subset(size_t *labelled, size_t *unlabelled, const unsigned char *labels, size_t per_class,
                        unsigned seed, Error *err)
{
    Rng rng;
    rng_seed(&rng, seed);
    return m2_label_subset(labelled, unlabelled, labels, SUBSET_N, C, per_class, &rng, err);
}

/* per_class digits of each class, in class order; with the unlabelled ones, every index once. */
static void test_subset_is_a_partition(void)
{
    unsigned char labels[SUBSET_N];
    subset_labels(labels);
    size_t labelled[C * 3], unlabelled[SUBSET_N - C * 3], seen[SUBSET_N] = { 0 };
    Error err;
    if (!CHECK(draw_subset(labelled, unlabelled, labels, 3, 1, &err)))
        return;
    for (size_t k = 0; k < C * 3; k++) {
        CHECK_LONG(k / 3, labels[labelled[k]]);
        seen[labelled[k]]++;
    }
    for (size_t k = 0; k < SUBSET_N - C * 3; k++) {
        seen[unlabelled[k]]++;
        if (k > 0)
            CHECK(unlabelled[k] > unlabelled[k - 1]);
    }
    for (size_t n = 0; n < SUBSET_N; n++)
        CHECK_LONG(1, seen[n]);
}

/* The same seed gives the same subset; another seed, over 20 seeds, at least one other. */
static void test_subset_seed(void)
{
    unsigned char labels[SUBSET_N];
    subset_labels(labels);
    size_t first[C * 2], again[C * 2], unlabelled[SUBSET_N];
    Error err;
    CHECK(draw_subset(first, unlabelled, labels, 2, 5, &err) && draw_subset(again, unlabelled, labels, 2, 5, &err));
    CHECK(memcmp(first, again, sizeof first) == 0);
    bool differs = false;
    for (unsigned seed = 6; seed < 26 && !differs; seed++)
        differs = draw_subset(again, unlabelled, labels, 2, seed, &err) && memcmp(first, again, sizeof first) != 0;
    CHECK(differs);
}

/* Each of class 3's four digits is its one label with probability 1/4: over 4,000 seeds,
 * counts of 1000 +- 5 sqrt(4000 (1/4)(3/4)) = 1000 +- 137 (false failure ~ 2e-6 for the four). */
static void test_subset_is_uniform(void)
{
    enum { DRAWS = 4000 };
    unsigned char labels[SUBSET_N];
    subset_labels(labels);
    size_t labelled[C], unlabelled[SUBSET_N], count[SUBSET_N] = { 0 };
    Error err;
    for (unsigned seed = 0; seed < DRAWS; seed++)
        if (!CHECK(draw_subset(labelled, unlabelled, labels, 1, seed, &err)))
            return;
        else
            count[labelled[3]]++;
    for (size_t n = 3; n < 16; n += C)
        CHECK_NEAR(DRAWS / 4.0, (double)count[n], 5.0 * sqrt(DRAWS * 0.25 * 0.75));
}

static void check_subset_refused(const unsigned char *labels, size_t per_class, const char *expected)
{
    size_t labelled[SUBSET_N], unlabelled[SUBSET_N];
    Error err = { 0 };
    CHECK(!draw_subset(labelled, unlabelled, labels, per_class, 1, &err));
    CHECK_CONTAINS(err.message, expected);
}

static void test_subset_refuses(void)
{
    unsigned char labels[SUBSET_N];
    subset_labels(labels);
    check_subset_refused(labels, 0, "0 labelled digits per class");
    check_subset_refused(labels, 5, "class 3 has only 4");
    labels[7] = 12;
    check_subset_refused(labels, 1, "digit 7 has label 12, outside 0..3");
    unsigned char four[4] = { 0, 1, 2, 3 };
    size_t labelled[4], unlabelled[4];
    Error err = { 0 };
    Rng rng;
    rng_seed(&rng, 1);
    CHECK(!m2_label_subset(labelled, unlabelled, four, 4, C, 1, &rng, &err));
    CHECK_CONTAINS(err.message, "none is left unlabelled");
}

static const TestCase tests[] = {
    { "entropy by hand: log C, the (1/4, 3/4) case, 0 at a one-hot q", "7.6", test_entropy_by_hand },
    { "dH/da: gradient check, scaled, accumulating", "7.6", test_entropy_gradient },
    { "dH/da by hand: 0 at the uniform q, -q_k (log q_k + H)", "7.6", test_entropy_gradient_by_hand },
    { "U by hand: the expectation over y expanded, minus H", "7.7 needs 7.6", test_unlabelled_by_hand },
    { "U + log C = sum q L + KL(q(y|x) || uniform)", "7.7 needs 7.6", test_unlabelled_is_the_kl_form },
    { "dU/dL and dU/da: gradient check, scaled, accumulating", "7.7 needs 7.6", test_unlabelled_gradients },
    { "the weights of the ELBOs are q(c | x)", "7.7", test_unlabelled_weights_are_q },
    { "dU/da through q at the uniform q, by hand", "7.7 needs 7.6", test_unlabelled_gradient_through_q },
    { "dU/da through -H when every ELBO is equal, by hand", "7.7 needs 7.6", test_unlabelled_gradient_through_the_entropy },
    { "cross-entropy by hand, exact at logit 1000", "7.8", test_cross_entropy_by_hand },
    { "dCE/da: gradient check, scaled, accumulating", "7.8", test_cross_entropy_gradient },
    { "labelled loss by hand: mean of L + alpha CE", "7.8", test_labelled_loss_by_hand },
    { "labelled loss: gradient check in L and a", "7.8", test_labelled_gradients },
    { "J = L^l + beta L^u and its terms, from the definitions", "7.9 needs 7.6 7.7 7.8", test_objective },
    { "beta weights the unlabelled part only", "7.9 needs 7.6 7.7 7.8", test_objective_beta_weights_the_unlabelled_part },
    { "dJ: gradient check of all four arrays", "7.9 needs 7.6 7.7 7.8", test_objective_gradients },
    { "the rows of a step by hand: labelled, then each unlabelled digit with every class", "7.10", test_expand_by_hand },
    { "two SGD steps are theta - eta dJ/dtheta at the drawn eps (gradient check of every tensor)",
      "7.10 needs 7.1 7.2 7.3 7.6 7.7 7.8 7.9 6.2 6.3 6.5", test_step_is_gradient_descent_on_J },
    { "each step draws fresh eps", "7.10", test_step_draws_fresh_noise },
    { "alpha < 0, beta < 0 or NaN, and an empty batch are refused", NULL, test_m2_init_refuses },
    { "the baseline classifier's step descends the mean CE", "7.8", test_classifier_step },
    { "the classifier predicts the argmax", NULL, test_classifier_predict },
    { "label subset: per_class of each class, a partition", NULL, test_subset_is_a_partition },
    { "label subset: the seed decides it", NULL, test_subset_seed },
    { "label subset: each digit of a class equally likely", NULL, test_subset_is_uniform },
    { "label subset: 0 labels, too many, a bad label, none left are refused", NULL, test_subset_refuses },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("07-cvae m2", tests, argc, argv);
}
