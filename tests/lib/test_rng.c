/* tests/lib/test_rng.c — the random number generator.
 *
 * Determinism is checked exactly. Distributions are checked with a fixed seed, n draws
 * and a bound of 5 standard errors of the statistic, so a correct generator fails with
 * probability below 1e-6 and a wrong mean or variance of a few percent is caught:
 *   uniform mean:        E = 1/2,  sd(u) = 1/sqrt(12)       -> se = 1/sqrt(12 n)
 *   normal mean:         E = 0,    sd = 1                    -> se = 1/sqrt(n)
 *   normal variance:     E = 1,    Var(eps^2) = 2            -> se = sqrt(2/n)
 *   Bernoulli(p) rate:   E = p,    sd = sqrt(p(1-p))         -> se = sqrt(p(1-p)/n)
 */
#include <math.h>
#include <string.h>

#include "harness.h"
#include "rng.h"

enum { N = 200000 };

static void test_same_seed_same_bits(void)
{
    Rng a, b, c;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    rng_seed(&c, 43);
    int same = 0, differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        same += x == rng_next(&b);
        differ += x != rng_next(&c);
    }
    CHECK_LONG(1000, same);
    CHECK_LONG(1000, differ);
}

static void test_uniform(void)
{
    Rng rng;
    rng_seed(&rng, 1);
    double sum = 0.0, smallest = 1.0, largest = 0.0;
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&rng);
        sum += u;
        smallest = fmin(smallest, u);
        largest = fmax(largest, u);
    }
    CHECK_NEAR(0.5, sum / N, 5.0 / sqrt(12.0 * N));
    CHECK(smallest >= 0.0);
    CHECK(largest < 1.0);
}

static void test_normal(void)
{
    Rng rng;
    rng_seed(&rng, 2);
    double sum = 0.0, sum_squares = 0.0;
    for (int i = 0; i < N; i++) {
        double e = rng_normal(&rng);
        sum += e;
        sum_squares += e * e;
    }
    CHECK_NEAR(0.0, sum / N, 5.0 / sqrt((double)N));
    CHECK_NEAR(1.0, sum_squares / N, 5.0 * sqrt(2.0 / N));
}

static void test_bernoulli(void)
{
    const double rates[3] = { 0.1, 0.5, 0.9 };
    for (int k = 0; k < 3; k++) {
        Rng rng;
        rng_seed(&rng, 3 + (uint64_t)k);
        double p = rates[k];
        long hits = 0;
        for (int i = 0; i < N; i++)
            hits += rng_bernoulli(&rng, p);
        CHECK_NEAR(p, (double)hits / N, 5.0 * sqrt(p * (1.0 - p) / N));
    }
}

/* rng_below(n): each of the n values with probability 1/n; count per value ~ Binomial. */
static void test_below_is_uniform(void)
{
    enum { VALUES = 7 };
    long counts[VALUES] = { 0 };
    Rng rng;
    rng_seed(&rng, 4);
    for (int i = 0; i < N; i++)
        counts[rng_below(&rng, VALUES)]++;
    double p = 1.0 / VALUES;
    for (int v = 0; v < VALUES; v++)
        CHECK_NEAR(p, (double)counts[v] / N, 5.0 * sqrt(p * (1.0 - p) / N));
}

static void test_shuffle_is_a_permutation(void)
{
    size_t items[100];
    for (size_t i = 0; i < 100; i++)
        items[i] = i;
    Rng rng;
    rng_seed(&rng, 5);
    rng_shuffle(&rng, items, 100);
    int seen[100] = { 0 }, moved = 0;
    for (size_t i = 0; i < 100; i++) {
        seen[items[i]]++;
        moved += items[i] != i;
    }
    for (size_t i = 0; i < 100; i++)
        CHECK_LONG(1, seen[i]);
    CHECK(moved > 90); /* a uniform permutation of 100 fixes 1 point on average */
}

static const TestCase tests[] = {
    { "the same seed gives the same bits, another seed others", NULL, test_same_seed_same_bits },
    { "uniform: mean 1/2 within 5 standard errors, range [0, 1)", NULL, test_uniform },
    { "normal: mean 0 and variance 1 within 5 standard errors", NULL, test_normal },
    { "Bernoulli(p): rate within 5 standard errors for p = 0.1, 0.5, 0.9", NULL, test_bernoulli },
    { "rng_below(7): every value with probability 1/7", NULL, test_below_is_uniform },
    { "shuffle gives a permutation", NULL, test_shuffle_is_a_permutation },
};

int main(int argc, char **argv)
{
    return RUN_SUITE("lib/rng", tests, argc, argv);
}
