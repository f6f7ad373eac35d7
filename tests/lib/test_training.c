/* tests/lib/test_training.c — optimisers and the epoch loop.
 *
 * The optimisers are checked against their update rules by hand (optimizer.h) and on a
 * quadratic bowl they must reach the minimum; the epoch loop must visit every example
 * once, average by batch size, and stop with an error when the loss is not finite.
 */
#include <math.h>
#include <string.h>

#include "dataset.h"
#include "harness.h"
#include "optimizer.h"
#include "train.h"

/* L(theta) = 1/2 sum_i a_i (theta_i - c_i)^2, gradient a_i (theta_i - c_i) */
static const double A[3] = { 1.0, 4.0, 0.25 }, CENTRE[3] = { 1.0, -2.0, 3.0 };

static void bowl_gradient(double *grad, const double *theta)
{
    for (int i = 0; i < 3; i++)
        grad[i] = A[i] * (theta[i] - CENTRE[i]);
}

static void test_sgd_step_by_hand(void)
{
    double theta[1] = { 2.0 }, grad[1] = { 0.5 };
    ParameterList list = { .count = 0 };
    parameters_add(&list, "theta", theta, grad, 1);
    Optimizer sgd;
    Error err;
    CHECK(optimizer_init_sgd(&sgd, &list, 0.1, 0.9, &err));
    optimizer_step(&sgd); /* v = -0.1 * 0.5 = -0.05, theta = 1.95 */
    CHECK_NEAR(1.95, theta[0], 1e-15);
    optimizer_step(&sgd); /* v = 0.9 * -0.05 - 0.05 = -0.095, theta = 1.855 */
    CHECK_NEAR(1.855, theta[0], 1e-15);
    optimizer_free(&sgd);
}

static void test_adam_first_step_by_hand(void)
{
    /* at t = 1 the bias corrections make mhat = g and vhat = g^2, so the step is
     * -eta g / (|g| + epsilon), about -eta sign(g) */
    double theta[2] = { 0.0, 0.0 }, grad[2] = { 3.0, -0.001 };
    ParameterList list = { .count = 0 };
    parameters_add(&list, "theta", theta, grad, 2);
    Optimizer adam;
    Error err;
    CHECK(optimizer_init_adam(&adam, &list, 0.01, &err));
    optimizer_step(&adam);
    CHECK_NEAR(-0.01 * 3.0 / (3.0 + 1e-8), theta[0], 1e-15);
    CHECK_NEAR(0.01 * 0.001 / (0.001 + 1e-8), theta[1], 1e-15);
    optimizer_free(&adam);
}

static void check_reaches_minimum(bool adam)
{
    double theta[3] = { 0.0, 0.0, 0.0 }, grad[3];
    ParameterList list = { .count = 0 };
    parameters_add(&list, "theta", theta, grad, 3);
    Optimizer opt;
    Error err;
    CHECK(adam ? optimizer_init_adam(&opt, &list, 0.05, &err) : optimizer_init_sgd(&opt, &list, 0.1, 0.9, &err));
    for (int step = 0; step < 2000; step++) {
        bowl_gradient(grad, theta);
        optimizer_step(&opt);
    }
    for (int i = 0; i < 3; i++)
        CHECK_NEAR(CENTRE[i], theta[i], 1e-4);
    optimizer_free(&opt);
}

static void test_sgd_reaches_minimum(void) { check_reaches_minimum(false); }
static void test_adam_reaches_minimum(void) { check_reaches_minimum(true); }

/* ---- the epoch loop -------------------------------------------------------------- */

enum { COUNT = 10, DIM = 2 };

typedef struct Visits {
    int seen[COUNT];
    size_t batches;
    int nan_at_batch; /* return NaN on this batch (-1: never) */
} Visits;

/* The "loss" of a batch is the mean of x_0 over it; x_0 of example n is n. */
static double visit_batch(void *context, const double *X, const unsigned char *labels, size_t B)
{
    (void)labels;
    Visits *v = context;
    double sum = 0.0;
    for (size_t i = 0; i < B; i++) {
        v->seen[(int)X[i * DIM]]++;
        sum += X[i * DIM];
    }
    return (int)v->batches++ == v->nan_at_batch ? NAN : sum / (double)B;
}

static Dataset counting_dataset(double *images, unsigned char *labels)
{
    for (size_t n = 0; n < COUNT; n++) {
        images[n * DIM] = (double)n;
        images[n * DIM + 1] = 0.0;
        labels[n] = (unsigned char)(n % 10);
    }
    return (Dataset){ .count = COUNT, .rows = 1, .cols = DIM, .dim = DIM, .images = images, .labels = labels };
}

static void test_epoch_visits_each_example_once(void)
{
    double images[COUNT * DIM];
    unsigned char labels[COUNT];
    Dataset data = counting_dataset(images, labels);
    Visits visits = { .nan_at_batch = -1 };
    Rng rng;
    rng_seed(&rng, 1);
    EpochOptions options = { 3, &rng, NULL }; /* batches of 3, 3, 3, 1 */
    double mean;
    Error err;
    CHECK(run_epoch(&mean, &data, visit_batch, &visits, &options, &err));
    for (int n = 0; n < COUNT; n++)
        CHECK_LONG(1, visits.seen[n]);
    CHECK_LONG(4, visits.batches);
    CHECK_NEAR(4.5, mean, 1e-12); /* weighting by batch size gives the mean over examples */
}

static void test_epoch_stops_on_nan(void)
{
    double images[COUNT * DIM];
    unsigned char labels[COUNT];
    Dataset data = counting_dataset(images, labels);
    Visits visits = { .nan_at_batch = 1 };
    EpochOptions options = { 4, NULL, NULL };
    double mean;
    Error err = { "" };
    CHECK(!run_epoch(&mean, &data, visit_batch, &visits, &options, &err));
    CHECK_CONTAINS(err.message, "NaN");
    CHECK_CONTAINS(err.message, "example 5 of 10");
    CHECK_LONG(2, visits.batches); /* nothing after the NaN */
}

static const TestCase tests[] = {
    { "SGD with momentum: two steps by hand", NULL, test_sgd_step_by_hand },
    { "Adam: the first step by hand", NULL, test_adam_first_step_by_hand },
    { "SGD with momentum reaches a quadratic's minimum", NULL, test_sgd_reaches_minimum },
    { "Adam reaches a quadratic's minimum", NULL, test_adam_reaches_minimum },
    { "an epoch visits every example once; the loss is their mean", NULL, test_epoch_visits_each_example_once },
    { "an epoch stops at a NaN loss and says where", NULL, test_epoch_stops_on_nan },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("lib/training", tests, argc, argv);
}
